"""simrisk design: targets, common random numbers, the frontier and BEST.toml (issue 14)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from simrisk.core.errors import ConfigError, SimriskError
from simrisk.kinds.contract.design import (
    Target,
    apply_terms,
    lookup,
    pareto_front,
    parse_target,
    run_design,
    today_values,
    write_best_toml,
)
from simrisk.kinds.contract.loader import load_scenario
from tests.conftest import DSI_CONFIG, run_cli

SMALL = ["--candidates", "4", "--draws", "2000", "--rescore-draws", "4000", "--quiet"]


def test_parse_target():
    assert parse_target("p_npv_negative<=0.25") == Target("p_npv_negative", "<=", 0.25)
    t = parse_target(" net_saving.modelled.region.p_negative >= 0.1 ")
    assert (t.key, t.op, t.value) == ("net_saving.modelled.region.p_negative", ">=", 0.1)
    for bad in ("p_npv_negative=0.2", "<=0.2", "p_npv_negative<=abc", ""):
        with pytest.raises(SimriskError, match="--target"):
            parse_target(bad)


def test_a_target_counts_only_by_two_standard_errors():
    t = Target("p", "<=", 0.25)
    assert t.margin(0.24, 0.004) == pytest.approx(0.002)  # 0.24 + 0.008 <= 0.25: met
    assert t.margin(0.24, 0.006) < 0  # 0.24 + 0.012 > 0.25: not met, though 0.24 < 0.25
    lower = Target("p", ">=", 0.5)
    assert lower.margin(0.52, 0.01) == pytest.approx(0.0, abs=1e-12)
    assert lower.margin(0.52, 0.011) < 0


def test_lookup_finds_values_and_their_standard_errors():
    summary = {
        "p_npv_negative": 0.4,
        "p_npv_negative_se": 0.01,
        "net_saving": {"modelled": {"region": {"p_negative": 0.3, "p_negative_se": 0.02}}},
        "npv": {"mean": 5.0, "mean_se": 0.5},
        "draws": 10,
    }
    assert lookup(summary, "p_npv_negative") == (0.4, 0.01)
    assert lookup(summary, "net_saving.modelled.region.p_negative") == (0.3, 0.02)
    assert lookup(summary, "npv.mean") == (5.0, 0.5)
    with pytest.raises(SimriskError, match="did you mean"):
        lookup(summary, "p_npv_negativ")
    with pytest.raises(SimriskError, match="is a group"):
        lookup(summary, "npv")
    with pytest.raises(SimriskError, match="no Monte Carlo SE"):
        lookup(summary, "draws")


def test_pareto_front_by_hand():
    x = np.array([0.1, 0.2, 0.3, 0.15, 0.25, 0.1])
    y = np.array([0.9, 0.5, 0.1, 0.8, 0.6, 0.95])
    # (0.1, 0.9) beats (0.1, 0.95); (0.25, 0.6) is beaten by (0.2, 0.5).
    assert pareto_front(x, y) == [0, 3, 1, 2]


def test_candidates_meet_the_same_worlds(dsi_scenario):
    # Common random numbers: a candidate that changes only payments sees the
    # very same citizens and outcomes, draw by draw.
    from simrisk.kinds.contract.simulate import simulate

    keys = ["goals.region_use.payment_per_success", "floor.share"]
    other = apply_terms(dsi_scenario, keys, [20_000.0, 0.5])
    a = simulate(dsi_scenario, draws=1_000, seed=4)
    b = simulate(other, draws=1_000, seed=4)
    for name in ("parameters", "measured", "successes", "deadweight_successes"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
    assert not np.array_equal(a["npv"].values, b["npv"].values)
    assert "floor_payment" in b and "floor_payment" not in a


def test_apply_terms_recalibrates_the_success_rate_at_a_new_threshold(dsi_scenario):
    from simrisk.kinds.contract.analytic import success_probabilities
    from simrisk.kinds.contract.inputs import build_inputs

    s = apply_terms(dsi_scenario, ["goals.region_use.threshold"], [0.10])
    g = s.goal("region_use")
    assert g.threshold == 0.10
    assert g.name.startswith("≥10%")
    inp = build_inputs(s)
    p1, _ = success_probabilities(inp, inp.space.central)
    assert g.success_rate == pytest.approx(p1[0], abs=1e-6)
    assert g.success_rate > 0.60  # a looser goal succeeds more often
    assert today_values(dsi_scenario, ["goals.region_use.threshold", "floor.share"]).tolist() == [
        0.15,
        0.0,
    ]


def test_best_toml_extends_the_input_and_reloads_to_the_chosen_terms(dsi_scenario, tmp_path):
    res = run_design(
        dsi_scenario,
        [parse_target("p_npv_negative<=0.45")],
        draws=2_000,
        seed=7,
        candidates=4,
        refine=2,
        rescore_draws=2_000,
    )
    assert res.chosen is not None
    out = write_best_toml(res, DSI_CONFIG, tmp_path / "best.toml")
    text = out.read_text(encoding="utf-8")
    assert "extends = " in text and "chosen by simrisk design" in text
    best, _ = load_scenario(out)
    chosen = res.terms(res.chosen)
    np.testing.assert_allclose(today_values(best, res.keys), list(chosen.values()), rtol=1e-12)
    # everything not chosen is the input's
    assert best.investor == dsi_scenario.investor
    assert best.cohorts == dsi_scenario.cohorts
    # the chosen candidate met the target by 2 SE on its draws
    v, se = res.candidates[res.chosen].scores["p_npv_negative"]
    assert v + 2 * se <= 0.45


def test_cli_design_json_frontier_and_outputs(tmp_path):
    best, nc, png = tmp_path / "best.toml", tmp_path / "front.nc", tmp_path / "front.png"
    proc = run_cli(
        "design", DSI_CONFIG, "--target", "p_npv_negative<=0.40", "-o", best,
        "--out", nc, "--plot", png, "--json", *SMALL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["targets"] == ["p_npv_negative<=0.4"]
    assert d["candidates"] == 1 + 4 + 16  # today, the Sobol design, the refinement
    assert len(d["frontier"]) >= 2
    for p in d["frontier"]:
        assert set(p["terms"]) == set(d["free_terms"])
        assert p["p_npv_negative_se"] > 0
        assert p["net_saving.modelled.region.p_negative_se"] > 0
    # the frontier is sorted by DSI's risk and the payer's risk falls along it
    xs = [p["p_npv_negative"] for p in d["frontier"]]
    ys = [p["net_saving.modelled.region.p_negative"] for p in d["frontier"]]
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)
    assert d["chosen"]["feasible"] and d["chosen_rescored"]["draws"] == 4000
    ds = xr.load_dataset(nc)
    assert ds.attrs["simrisk_kind"] == "simrisk.design"
    assert int(ds["on_frontier"].sum()) == len(d["frontier"])
    assert png.stat().st_size > 10_000
    assert load_scenario(best)[0].floor is not None


def test_cli_design_no_feasible_candidate_writes_no_config(tmp_path):
    best = tmp_path / "best.toml"
    proc = run_cli(
        "design", DSI_CONFIG, "--target", "p_npv_negative<=0.0", "-o", best, *SMALL,
        "--candidates", "2",
    )  # fmt: skip
    assert proc.returncode == 1
    assert "no candidate meets every target" in proc.stderr
    assert not best.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--target", "p_npv_negative=0.2"], "--target 'p_npv_negative=0.2': must look like"),
        (["--target", "p_npv_negativ<=0.2"], "did you mean 'p_npv_negative'"),
        (["--target", "p_npv_negative<=0.2", "-o", "x.txt"], "must end in .toml"),
    ],
)
def test_cli_design_bad_input_is_one_line(tmp_path, args, expected):
    if "-o" not in args:
        args = [*args, "-o", tmp_path / "b.toml"]
    proc = run_cli("design", DSI_CONFIG, *args, *SMALL, "--candidates", "1")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert expected in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_cli_design_needs_a_design_table(tmp_path):
    cfg = tmp_path / "plain.toml"
    text = DSI_CONFIG.read_text(encoding="utf-8").split("# Contract design (simrisk design")[0]
    cfg.write_text(text + "\n[simulation]\nseed = 1  # test\n", encoding="utf-8")
    proc = run_cli("design", cfg, "--target", "p_npv_negative<=0.2", "-o", tmp_path / "b.toml")
    assert proc.returncode == 2
    assert "no [design] table" in proc.stderr


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ('key = "goals.region_us.payment_per_success"\nlow = 1\nhigh = 2',
         "unknown goal 'region_us'"),
        ('key = "goals.life_satisfaction.threshold"\nlow = 0.1\nhigh = 0.2',
         "threshold only applies to a resource_use_fall goal"),
        ('key = "investor.capital"\nlow = 1\nhigh = 2', "not a term that can vary"),
        ('key = "floor.share"\nlow = 0.5\nhigh = 0.2', "must be greater than low (0.5)"),
        ('key = "floor.share"\nlow = 0.0\nhigh = 1.2', "a share must be at most 1"),
    ],
)  # fmt: skip
def test_bad_design_terms_are_config_errors(tmp_path, term, expected):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f'extends = "{DSI_CONFIG.as_posix()}"\n[design]\n[[design.terms]]\n{term}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"design\.terms") as exc:
        load_scenario(cfg)
    assert expected in str(exc.value)


@pytest.mark.slow(short=False)  # the design search, about 40 s
def test_acceptance_design_then_a_fresh_run_on_another_seed(tmp_path):
    # The "must show": the default search, then 100,000 draws on seed 99.
    best = tmp_path / "best.toml"
    proc = run_cli(
        "design", DSI_CONFIG, "--target", "p_npv_negative<=0.25", "-o", best, "--json", "--quiet"
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["frontier"]) >= 5
    run = run_cli("run", best, "--draws", "100000", "--seed", "99", "--json", "--out", "-")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["p_npv_negative"] <= 0.255


@pytest.mark.parametrize("lang", ["en", "da"])
def test_report_gets_a_design_page(dsi_scenario, tmp_path, lang):
    from simrisk.kinds.contract.design import to_dataset
    from simrisk.kinds.contract.simulate import simulate
    from simrisk.report import build_report

    res = run_design(
        dsi_scenario,
        [parse_target("p_npv_negative<=0.45")],
        draws=1_000,
        seed=3,
        candidates=4,
        refine=0,
        rescore_draws=1_000,
    )
    design = to_dataset(res, "config text")
    from pypdf import PdfReader

    from simrisk.report.contract._text import T

    run = simulate(dsi_scenario, draws=1_000, seed=3)
    # the PDF alone (no PNG/SVG of every page): its design page is read back
    pages = build_report(run, tmp_path / "r.pdf", lang=lang, design=design)
    assert "design" in pages
    k = pages.index("design")
    reader = PdfReader(tmp_path / "r.pdf")
    assert reader.outline[k].title.endswith(T("design", lang))
    page = reader.pages[k]
    assert "/XObject" in page["/Resources"] or len(page.extract_text()) > 200


def test_the_chosen_candidate_is_the_best_feasible_one(dsi_scenario):
    # Maximise DSI's mean NPV subject to a cap on the region's risk: the choice
    # must be the feasible candidate with the highest objective, and re-scored
    # on another seed than the search's.
    res = run_design(
        dsi_scenario,
        [parse_target("net_saving.modelled.region.p_negative<=0.36")],
        ("maximize", "npv.mean"),
        draws=1_500,
        seed=9,
        candidates=8,
        refine=4,
        rescore_draws=1_500,
    )
    feas = [i for i, c in enumerate(res.candidates) if c.feasible]
    assert feas and res.chosen in feas
    best = max(res.candidates[i].scores["npv.mean"][0] for i in feas)
    assert res.candidates[res.chosen].scores["npv.mean"][0] == best
    for i in feas:
        v, se = res.candidates[i].scores["net_saving.modelled.region.p_negative"]
        assert v + 2 * se <= 0.36
    assert res.rescore_seed != res.seed
    assert len(res.candidates) == 1 + 8 + 4


def test_design_result_honours_source_date_epoch(dsi_scenario, monkeypatch):
    """The design's result records SOURCE_DATE_EPOCH as its creation time, as a run's does."""
    from simrisk.kinds.contract.design import to_dataset

    res = run_design(
        dsi_scenario,
        [parse_target("p_npv_negative<=0.45")],
        draws=400,
        seed=3,
        candidates=2,
        refine=0,
        rescore_draws=400,
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert to_dataset(res, "config text").attrs["created_at"] == "2026-01-01T00:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")  # ignored, as by a run
    assert to_dataset(res, "config text").attrs["created_at"] != "2026-01-01T00:00:00+00:00"
