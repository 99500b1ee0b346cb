"""Every registered model kind conforms to the ModelKind interface, does what its
capabilities say (and refuses the rest in one line), and docs/cli.md says the same."""

from __future__ import annotations

import json
import re

import pytest

import simrisk
from simrisk import kinds
from simrisk.core.dataset import open_result
from simrisk.core.errors import SimriskError
from simrisk.core.results import Summary
from simrisk.kinds import COMMANDS, Capabilities, ModelKind
from tests.conftest import ROOT

NAMES = kinds.names()


def test_the_three_shipped_kinds_are_registered_by_name_and_result():
    assert NAMES[:3] == ["contract", "wellby", "portfolio"]
    for name in NAMES:
        kind = kinds.get(name)
        assert kind.NAME == name
        from simrisk.kinds.registry import name_of_result

        assert name_of_result(kind.RESULT_KIND) == name
    assert len({kinds.get(n).RESULT_KIND for n in NAMES}) == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_kind_conforms_runs_summarises_writes_reopens_and_reports(name, tmp_path):
    kind = kinds.get(name)
    assert isinstance(kind, ModelKind)  # every member of the protocol is there
    caps = kind.CAPABILITIES
    assert isinstance(caps, Capabilities) and {"run", "summary"} <= caps.commands
    cfg = simrisk.load(ROOT / "configs" / kind.EXAMPLE)
    assert cfg.kind == name
    draws = max(kind.MIN_DRAWS, 500)
    ds = simrisk.run(cfg, draws=draws, seed=11)
    assert ds.attrs["simrisk_kind"] == kind.RESULT_KIND and ds.sizes["draw"] == draws
    summary = simrisk.summary(ds)
    assert isinstance(summary, kind.Summary) and isinstance(summary, Summary)
    json.dumps(summary.to_dict())  # JSON-ready
    assert kind.format_summary(summary.to_dict()).strip()
    out = tmp_path / f"{name}.nc"
    lazy = simrisk.run(cfg, draws=draws, seed=11, out=out)
    lazy.close()
    with open_result(out) as again:
        assert kinds.for_result(again)[0] == name
        assert simrisk.summary(again).to_dict() == summary.to_dict()
    # the ledger and the report: done if the capabilities say so, else refused in one line
    if caps.supports("ledger"):
        assert simrisk.ledger(cfg).to_dict()
    else:
        with pytest.raises(SimriskError) as err:
            simrisk.ledger(cfg)
        assert "\n" not in str(err.value)
    pdf = tmp_path / f"{name}.pdf"
    if caps.supports("report"):
        pages = simrisk.api.report(out, pdf)
        assert pages and pdf.stat().st_size > 0
    else:
        with pytest.raises(SimriskError) as err:
            simrisk.api.report(out, pdf)
        assert "\n" not in str(err.value) and not pdf.exists()


def _cli_table() -> dict[str, dict[str, bool]]:
    """docs/cli.md's 'Commands by model kind' table: command -> kind -> supported."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = text.split("## Commands by model kind", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    names = [c.split()[0] for c in header[1:]]
    table: dict[str, dict[str, bool]] = {}
    for line in rows[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        for command in re.findall(r"`([a-z]+)`", cells[0]):
            table[command] = {
                n: not cell.lower().startswith(("refused", "not available"))
                for n, cell in zip(names, cells[1:], strict=True)
            }
    return table


def test_docs_command_by_kind_table_says_what_the_capabilities_say():
    table = _cli_table()
    assert set(table) == set(COMMANDS), "docs/cli.md's table must list every command"
    for command, by_kind in table.items():
        for name, documented in by_kind.items():
            actual = kinds.get(name).CAPABILITIES.supports(command)
            assert documented == actual, f"docs/cli.md: {command} on {name}: table {documented}"


def test_the_cli_refuses_a_command_the_kind_does_not_support(tmp_path):
    from simrisk.cli import main

    out = tmp_path / "w.nc"
    assert (
        main(
            [
                "run",
                str(ROOT / "configs" / "opi_aims_wellby.toml"),
                "--draws",
                "500",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    for command in ("sensitivity", "acceptability", "voi"):
        with pytest.raises(SimriskError, match=f"a wellby result; 'simrisk {command}' takes a"):
            simrisk.api.result_for(out, command)


def test_a_third_party_kind_registers_through_the_entry_point_group(monkeypatch, tmp_path):
    import types

    from simrisk.kinds import registry

    toy = types.SimpleNamespace(
        NAME="toy", RESULT_KIND="toy.result", CAPABILITIES=Capabilities(frozenset({"run"}))
    )

    class EntryPoint:
        name = "toy"

        def load(self):
            return toy

    monkeypatch.setattr(registry, "_entry_points", lambda: {"toy": EntryPoint()})
    registry.get.cache_clear()
    try:
        assert registry.names()[-1] == "toy" and kinds.get("toy") is toy
        assert registry.name_of_result("toy.result") == "toy"
        cfg = tmp_path / "toy.toml"
        cfg.write_text('kind = "toy"\n')
        assert kinds.for_config(cfg) == ("toy", toy)
        cfg.write_text('kind = "toyy"\n')
        with pytest.raises(SimriskError, match="did you mean 'toy'"):
            kinds.for_config(cfg)
    finally:
        registry.get.cache_clear()
