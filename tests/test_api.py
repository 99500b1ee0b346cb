"""The library's front door (simrisk.api): typed summaries pinned to the JSON interface,
the one target grammar, and run's lock, checkpoint and resume outside the CLI."""

from __future__ import annotations

import json
import math
import sys

import pytest

import simrisk
from simrisk.core.errors import SimriskError, Stopped
from simrisk.core.results import Estimate, Summary
from simrisk.core.targets import Bound, Precision, lookup, parse_bound, parse_precision
from tests.conftest import ROOT, interrupt_after

PINS = ROOT / "tests" / "data" / "summary_pins.json"
#: provenance, not interface: the version and the config file's digest change with
#: every release and every edited comment
_PROVENANCE = {"simrisk_version", "config_sha256"}
#: EVPPI by regression: the regression's implementation may change its last digits;
#: such a figure must stay within 4 of its standard errors of the pinned one
_REGRESSION = {"evppi"}
#: a risk-aversion flip's SE divides by a central-difference slope (step 1e-3 of r): the
#: difference of two certainty equivalents magnifies their last bits (measured 1.5e-12
#: relative between two x86 machines); such a figure is pinned to 1e-9 relative
_FINITE_DIFFERENCE = {"r_se", "r_flip_se"}


def _same(got, want, path=""):
    """``got`` equals the pinned ``want``: keys in the same order and types, strings and
    whole numbers exactly, floats to 1e-10 relative (EVPPI within 4 SE), so
    ``Summary.to_dict()`` is the JSON it always was."""
    if isinstance(want, dict):
        assert isinstance(got, dict), path
        keys = [k for k in want if not (path == "" and k in _PROVENANCE)]
        assert [k for k in got if not (path == "" and k in _PROVENANCE)] == keys, path
        for k in keys:
            if path.split(".")[0] in _REGRESSION and set(want[k]) == {"value", "se"}:
                assert abs(got[k]["value"] - want[k]["value"]) <= 4 * want[k]["se"], f"{path}.{k}"
                assert math.isfinite(got[k]["se"]) and got[k]["se"] >= 0, f"{path}.{k}"
            else:
                _same(got[k], want[k], f"{path}.{k}" if path else k)
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same(g, w, f"{path}[{i}]")
    elif isinstance(want, float) and math.isnan(want):
        assert isinstance(got, float) and math.isnan(got), path
    elif isinstance(want, float) and path.rsplit(".", 1)[-1].split("[")[0] in _FINITE_DIFFERENCE:
        assert type(got) is float and got == pytest.approx(want, rel=1e-9), path
    elif isinstance(want, float):
        # the last bits of a quantile's SE or band follow SciPy's version, and NumPy's
        # exp and sums take the machine's SIMD path (AVX-512 or AVX2): a certainty
        # equivalent's log-mean-exp differed by 1.1e-12 relative between two x86 machines
        assert type(got) is float and got == pytest.approx(want, rel=1e-10, abs=1e-300), path
    else:
        assert type(got) is type(want) and got == want, f"{path}: {got!r} != {want!r}"


@pytest.mark.parametrize(
    "config",
    [
        # the fund simulates Aarhus's contract on the spot (about 30 s): the full run only
        pytest.param(c, marks=pytest.mark.slow(short=False)) if c == "dsi_fund.toml" else c
        for c in sorted(json.loads(PINS.read_text(encoding="utf-8")))
    ],
)
def test_summary_json_of_the_shipped_examples_is_pinned(config):
    # tests/data/summary_pins.json holds 'simrisk run CONFIG --draws 2000 --seed 1 --out -
    # --json' as the code printed it before the summaries were typed: it pins the JSON
    # interface. Regenerate it only on purpose, for a change of the interface.
    pin = json.loads(PINS.read_text(encoding="utf-8"))[config]
    ds = simrisk.run(ROOT / "configs" / config, draws=pin["draws"], seed=pin["seed"])
    summary = simrisk.summary(ds)
    assert isinstance(summary, Summary)
    got = json.loads(json.dumps(summary.to_dict(), ensure_ascii=False))
    _same(got, pin["summary"])
    if config == "regionh_ai_pool.toml":  # the example: a mapping over the JSON
        assert set(summary["options"].keys()) == {"pool_3", "pool_6", "pool_10"}
        npv = summary.estimate("options.pool_3.npv.mean")
        want = summary["options"]["pool_3"]["npv"]
        assert npv == Estimate(want["mean"], want["se"])
        lo, hi = npv.interval()
        assert lo < npv.value < hi and hi - lo == pytest.approx(2 * 1.96 * npv.se)


def test_a_contract_summary_has_typed_headline_figures():
    pin = json.loads(PINS.read_text(encoding="utf-8"))["dsi_norddjurs.toml"]["summary"]
    from simrisk.kinds import get

    s = get("contract").Summary(pin)
    assert s.p_npv_negative == Estimate(pin["p_npv_negative"], pin["p_npv_negative_se"])
    assert s.npv_mean == Estimate(pin["npv"]["mean"], pin["npv"]["mean_se"])
    assert s.to_dict() is not None and dict(s) == pin
    assert "p_npv_negative" in s.estimates() and "npv.mean" in s.estimates()


# --- the one target grammar (core/targets.py) ------------------------------------------


def test_targets_parse_both_forms():
    assert parse_precision("p_npv_negative:se<0.001, npv.mean:rse<1e-2") == [
        Precision("p_npv_negative", "se", 0.001),
        Precision("npv.mean", "rse", 0.01),
    ]
    assert parse_bound(" npv.mean >= 250_000 ") == Bound("npv.mean", ">=", 250_000.0)
    assert str(parse_bound("p_npv_negative<.25")) == "p_npv_negative<0.25"


@pytest.mark.parametrize(
    "bad",
    [
        "p_npv_negative:se<.5e",
        "p_npv_negative:se<.",
        "p_npv_negative:se<1e5e5",
        "x:se<-",
        ".",
        "-",
        "1e5e5",
        "p:se<nan",
        "p:se<inf",
        "p:se<0",
    ],
)
def test_malformed_precision_targets_are_one_line(bad):
    with pytest.raises(SimriskError, match="--until") as err:
        parse_precision([bad])
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("bad", ["p<=.5e", "p<=.", "p<=1e5e5", "p<=-", ".", "-", "p<=nan"])
def test_malformed_bounds_are_one_line(bad):
    with pytest.raises(SimriskError, match="--target") as err:
        parse_bound(bad)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "bad", ["p_npv_negative:se<.5e", ".", "1e5e5", "-", "p_npv_negative:se<1e5e5"]
)
def test_malformed_until_is_a_clean_exit_2(bad, capsys):
    from simrisk.cli import main

    assert main(["run", str(ROOT / "configs" / "dsi_norddjurs.toml"), "--until", bad]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "--until" in err


def test_design_target_is_a_clean_exit_2(tmp_path, capsys):
    from simrisk.cli import main

    best = tmp_path / "best.toml"
    cfg = str(ROOT / "configs" / "dsi_norddjurs.toml")
    assert main(["design", cfg, "--target", "p_npv_negative<=.5e", "-o", str(best)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "--target" in err


def test_lookup_reads_every_kind_of_figure():
    summary = {
        "p": 0.4,
        "p_se": 0.01,
        "npv": {"mean": 5.0, "se": 0.5, "sd": 2.0},
        "evpi": {"value": 3.0, "se": 0.3},
    }
    assert lookup(summary, "p", "--until") == (0.4, 0.01)
    assert lookup(summary, "npv.mean", "--until") == (5.0, 0.5)
    assert lookup(summary, "evpi", "--until") == (3.0, 0.3)
    with pytest.raises(SimriskError, match="no Monte Carlo SE"):
        lookup(summary, "npv.sd", "--until")


# --- run: lock, checkpoint and resume in the library -------------------------------------


def test_run_to_a_file_returns_it_lazily_and_resumes_after_an_interruption(tmp_path, monkeypatch):
    cfg = ROOT / "configs" / "dsi_norddjurs.toml"
    clean = simrisk.run(cfg, draws=4000, seed=5, chunk_size=1000)
    out = tmp_path / "r.nc"
    with monkeypatch.context() as m:
        interrupt_after(m, 2)
        with pytest.raises(Stopped) as stop:
            simrisk.run(cfg, draws=4000, seed=5, out=out, chunk_size=1000)
    assert "run the same command to resume" in stop.value.message and not out.exists()
    notes: list[str] = []
    ds = simrisk.run(cfg, draws=4000, seed=5, out=out, chunk_size=1000, notify=notes.append)
    try:
        assert any(n.startswith("resumed 2,000 of 4,000 draws") for n in notes), notes
        for v in ("npv", "irr", "repayments", "parameters"):
            assert (ds[v].values == clean[v].values).all(), v
        assert simrisk.summary(ds).to_dict() == simrisk.summary(clean).to_dict()
    finally:
        ds.close()


def test_run_refuses_what_a_kind_cannot_do_in_one_line():
    wellby = str(ROOT / "configs" / "opi_aims_wellby.toml")
    with pytest.raises(
        SimriskError, match=r"^--until: only for a contract config; .* is a wellby$"
    ):
        simrisk.run(wellby, until="p_npv_negative:se<0.01")
    with pytest.raises(SimriskError, match="not available for a WELLBY config"):
        simrisk.run(wellby, fixed_parameters=True)
    with pytest.raises(SimriskError, match="only for a WELLBY config"):
        simrisk.run(str(ROOT / "configs" / "dsi_norddjurs.toml"), scores="s.csv")


def test_decision_functions_are_reachable_from_the_api(tmp_path):
    cfg = ROOT / "configs" / "dsi_norddjurs.toml"
    v = simrisk.variance(cfg, outer=40, inner=5, seed=3)
    assert "analysis" in v.attrs or v.sizes
    c = simrisk.compare(
        [cfg, ROOT / "configs" / "dsi_norddjurs_retention_pilot.toml"], draws=1000, seed=3
    )
    assert c.sizes
    ds = simrisk.run(cfg, draws=1000, seed=3, until=["p_npv_negative:se<0.05"], max_draws=4000)
    assert ds.attrs["until_met"] == 1 and ds.sizes["draw"] <= 4000
    with pytest.raises(SimriskError, match="'simrisk variance' takes a contract config"):
        simrisk.variance(ROOT / "configs" / "regionh_ai_pool.toml")
    assert sys.modules.get("simrisk.api") is not None


def test_top_level_names_are_the_lazy_exports_and_resolve():
    assert set(simrisk.__all__) == {"__version__", *simrisk._EXPORTS}
    for name in simrisk.__all__:
        assert getattr(simrisk, name) is not None
    assert simrisk.run is simrisk.api.run and simrisk.summary is simrisk.api.summary
