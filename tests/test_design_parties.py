"""simrisk design for every party: party targets, the all-party frontier, each payer's change
from today on both bases, who pays the added terms, the closest terms when none is feasible."""

from __future__ import annotations

import numpy as np
import pytest

from simrisk.core.errors import SimriskError
from simrisk.kinds.contract.design import (
    pareto_front_nd,
    parse_target,
    resolve_key,
    run_design,
)


def test_party_keys_resolve_to_summary_keys(dsi_scenario):
    s = dsi_scenario
    assert resolve_key(s, "region.note_method.p_negative") == (
        "net_saving.note_method.region.p_negative"
    )
    assert resolve_key(s, "municipality.modelled.mean") == "net_saving.modelled.municipality.mean"
    assert resolve_key(s, "dsi.p_npv_negative") == "p_npv_negative"
    assert resolve_key(s, "payments.total.mean") == "payments.total.mean"  # a plain key


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("hospital.note_method.p_negative", "unknown party 'hospital'; allowed: dsi, region"),
        ("region.notes.p_negative", "unknown basis 'notes'; allowed: note_method, modelled"),
        ("region.note_method.p_neg", "unknown statistic 'p_neg'"),
        ("ostifterne.note_method.p_negative", "payer 'ostifterne' has no saving"),
        ("region.p_negative", "<payer>.<basis>.<statistic>"),
    ],
)
def test_unknown_party_basis_or_statistic_is_one_line(dsi_scenario, key, expected):
    with pytest.raises(SimriskError, match=expected.replace("(", r"\(").replace(".", r"\.")) as e:
        resolve_key(dsi_scenario, key)
    assert "\n" not in str(e.value) and key in str(e.value)


def test_pareto_front_nd_by_hand():
    pts = np.array([[0.1, 0.5, 0.2], [0.2, 0.4, 0.2], [0.2, 0.5, 0.3], [0.1, 0.5, 0.2]])
    # row 2 is beaten by row 1 on every axis; rows 0 and 3 tie and both stay
    assert pareto_front_nd(pts) == [0, 3, 1]


def test_design_reports_every_party_paired_with_today(dsi_scenario):
    t = [parse_target("p_npv_negative<=0.99"), parse_target("region.note_method.p_negative<=0.99")]
    res = run_design(dsi_scenario, t, draws=1_000, candidates=4, refine=0, rescore_draws=2_000)
    d = res.to_dict()
    assert d["targets"][1] == "region.note_method.p_negative<=0.99"
    assert res.targets[1].key == "net_saving.note_method.region.p_negative"
    axes = d["frontier_all_parties"]["axes"]
    assert axes[0] == "p_npv_negative" and "net_saving.note_method.region.p_negative" in axes
    assert len(axes) == 5  # DSI and two authorities on two bases
    pr = d["parties"]
    ch = pr["change_from_today"]
    for a in ("region", "municipality"):
        for basis in ("note_method", "modelled"):
            m = ch[a][basis]["net_saving_mean"]
            assert m["chosen"] - m["today"] == pytest.approx(m["mean"], rel=1e-9, abs=1e-6)
            assert m["se"] >= 0
            assert ch[a][basis]["worse_off"] == (m["mean"] < -2 * m["se"])
    # every worse-off payer has its one-line warning
    worse = [a for a in ("region", "municipality") if any(r["worse_off"] for r in ch[a].values())]
    assert [w.split(" ", 1)[0] for w in pr["warnings"]] == worse  # one line per payer
    assert all("\n" not in w for w in pr["warnings"])
    # payments per payer and year add up to the payers' mean total payment under the terms
    total = sum(r["chosen"] for rows in pr["payments_by_payer_and_year"].values()
                for r in rows.values())  # fmt: skip
    assert total == pytest.approx(d["chosen_rescored"]["payments.total.mean"]["value"], rel=1e-6)
    # the floor and the clause are searched terms, so each names its payers and date
    assert set(pr["added_terms"]) <= {"floor", "retention_clause"}
    for term in pr["added_terms"].values():
        assert term["date"][:4] == "2029"
        assert set(term["by_payer"]) == {"region", "municipality"}


def test_no_feasible_terms_give_the_closest_and_each_shortfall(dsi_scenario):
    t = [parse_target("p_npv_negative<=0.01"), parse_target("region.note_method.p_negative<=0.5")]
    res = run_design(dsi_scenario, t, draws=1_000, candidates=4, refine=0, rescore_draws=1_000)
    d = res.to_dict()
    assert d["chosen"] is None and "parties" not in d
    closest = d["closest"]
    short = {s["target"]: s for s in closest["shortfalls"]}
    dsi = short["p_npv_negative<=0.01"]
    assert not dsi["met_by_2se"]
    assert dsi["shortfall"] == pytest.approx(dsi["value"] + 2 * dsi["se"] - 0.01)
    # the closest is the candidate with the best worst margin
    margins = [
        min(tg.margin(*cand.scores[tg.key]) for tg in res.targets) for cand in res.candidates
    ]
    assert closest["candidate"] == int(np.argmax(margins))


@pytest.mark.parametrize(
    ("flag", "value", "needle"),
    [
        ("--target", "hospital.note_method.p_negative<=0.05", "unknown party 'hospital'"),
        ("--target", "region.cash.p_negative<=0.05", "unknown basis 'cash'"),
        ("--target", "municipality.modelled.p_neg<=0.1", "unknown statistic 'p_neg'"),
        ("--maximize", "region.note_method.median", "unknown statistic 'median'"),
    ],
)
def test_cli_party_bad_input_is_one_line_exit_2(tmp_path, flag, value, needle):
    from tests.conftest import DSI_CONFIG, run_cli

    best = tmp_path / "best.toml"
    args = ["design", DSI_CONFIG, "-o", best, "--quiet"]
    args += ["--target", "p_npv_negative<=0.3"] if flag != "--target" else []
    r = run_cli(*args, flag, value)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and value.split("<")[0] in lines[0]
    assert not best.exists() and list(tmp_path.iterdir()) == []


def test_cli_run_and_summary_show_the_decision(tmp_path):
    import json

    from tests.conftest import DSI_CONFIG, run_cli

    out = tmp_path / "r.nc"
    r = run_cli(
        "run", DSI_CONFIG, "--draws", "2000", "--seed", "5", "--out", out, "--json", "--quiet"
    )
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    d = s["decision"]
    assert d["alternatives"] == ["do_not_invest", "invest"]
    assert {"hurdle", "expected_value", "risk_aversion", "dominance"} <= set(d["rules"])
    assert d["rules"]["risk_aversion"]["certainty_equivalent"]["invest"]["se"] > 0
    assert "r_flip" in d["rules"]["risk_aversion"]
    again = run_cli("summary", out, "--json")
    assert json.loads(again.stdout)["decision"] == d
    text = run_cli("summary", out)
    assert "hurdle: expected case passes" in text.stdout
