"""simrisk monitor and simrisk evsi: learning from observed counts, valuing a study.

Statistical checks use fixed seeds and tolerances from the Monte Carlo SE
against closed forms: the Beta-binomial posterior (both of monitor's paths)
and the normal-normal EVSI.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from simrisk.core.errors import SimriskError
from tests.conftest import DSI_CONFIG, ROOT, SLOW

OBSERVED = ROOT / "configs" / "dsi_norddjurs_observed.csv"
HEADER = (
    "cohort,outcome_metric_id,result_type,period_end,"
    "number_engaged_in_impact_bond,number_with_positive_social_outcomes\n"
)

# every prior fixed except retention ~ Beta(mean 0.5, sd 0.12)
ONLY_RETENTION = """
name = "retention only"
[model]
outcome_correlation = { dist = "fixed", value = 0.3 }
correlations = []  # the base's correlations would name fixed parameters
[model.recruitment]
dist = "fixed"
value = 1.0
[model.retention]
dist = "beta"
mean = 0.50
sd = 0.12
[model.goals.region_use]
drift = { dist = "fixed", value = -0.15 }
effect = { dist = "fixed", value = -0.1645 }
sigma = { dist = "fixed", value = 0.6 }
[model.goals.municipal_use]
drift = { dist = "fixed", value = -0.05 }
effect = { dist = "fixed", value = -0.4498 }
sigma = { dist = "fixed", value = 0.5 }
zero_share = { dist = "fixed", value = 0.2 }
zero_baseline = "fail"
[model.goals.life_satisfaction]
start_distribution = [0.02, 0.02, 0.04, 0.07, 0.09, 0.16, 0.14, 0.15, 0.17, 0.08, 0.06]
low_max = 6
drift_low = { dist = "fixed", value = 0.82 }
drift_high = { dist = "fixed", value = -0.30 }
effect = { dist = "fixed", value = 1.21 }
sigma = { dist = "fixed", value = 1.5 }
"""


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def retention_only(tmp_path_factory):
    """A 20,000-draw run where only retention is uncertain."""
    from simrisk.kinds.contract.loader import load_scenario
    from simrisk.kinds.contract.simulate import simulate

    d = tmp_path_factory.mktemp("ret")
    cfg = _write(d, "r.toml", f'extends = "{DSI_CONFIG.as_posix()}"\n{ONLY_RETENTION}')
    sc, text = load_scenario(cfg)
    return simulate(sc, draws=20_000, seed=11, config_text=text), d


@pytest.fixture(scope="module")
def dsi_small(tmp_path_factory):
    from simrisk.kinds.contract.loader import load_scenario
    from simrisk.kinds.contract.simulate import simulate

    sc, text = load_scenario(DSI_CONFIG)
    return simulate(sc, draws=20_000, seed=5, config_text=text)


@pytest.fixture(scope="module")
def dsi_monitored(dsi_small):
    from simrisk.decision.monitor import monitor

    return monitor(dsi_small, OBSERVED)


# ---------------------------------------------------------------------------
# PSIS
# ---------------------------------------------------------------------------


def test_psis_known_case_normal_ratio():
    """Target N(0, s^2), proposal N(0, 1): the weights' tail index is about 1 - 1/s^2.

    Below the threshold the smoothed weights reproduce the target's variance."""
    from simrisk.core.psis import khat_threshold, psis

    rng = np.random.default_rng(3)
    x = rng.standard_normal(100_000)
    for s, k in ((1.2, 1 - 1 / 1.44), (2.0, 0.75)):
        r = psis(-0.5 * x**2 / s**2 + 0.5 * x**2)
        assert abs(r.khat - k) < 0.1
        assert abs(r.weights.sum() - 1) < 1e-12
    r = psis(-0.5 * x**2 / 1.44 + 0.5 * x**2)
    assert r.reliable and r.khat <= khat_threshold(x.size)
    var = float(r.weights @ x**2)
    se = math.sqrt(float((r.weights**2 * (x**2 - var) ** 2).sum()))
    assert abs(var - 1.44) < 4 * se
    assert not psis(-0.5 * x**2 / 9 + 0.5 * x**2).reliable  # s = 3: k about 0.9


# ---------------------------------------------------------------------------
# Observed file: one-line errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row, needle",
    [
        ("c9,measured,Interim,2028-05-01,220,100", "column cohort: 'c9' is not a cohort"),
        ("c1,retained,Interim,2028-05-01,220,100", "column outcome_metric_id: 'retained'"),
        ("c1,measured,Interim,2028-05-01,220,300", "300 is above its base"),
        ("c1,measured,Interim,2028-05-01,220,-3", "'-3' is not a count"),
        ("c1,measured,Interim,2028-05-01,220,10.5", "'10.5' is not a count"),
        ("c1,measured,Interim,2026-01-01,220,100", "before cohort c1 starts"),
        ("c2,measured,Final,2028-05-01,224,100", "not complete before 2028-12-01"),
        ("c1,measured,Done,2028-05-01,224,100", "column result_type"),
    ],
)
def test_observed_bad_input_names_row_and_column(tmp_path, dsi_scenario, row, needle):
    from simrisk.kinds.contract.observed import read_observed

    p = _write(tmp_path, "o.csv", HEADER + row + "\n")
    with pytest.raises(SimriskError) as e:
        read_observed(p, dsi_scenario)
    msg = str(e.value)
    assert needle in msg and "row 2" in msg and "o.csv" in msg and "\n" not in msg


def test_shipped_observed_file_reads(dsi_scenario):
    from simrisk.kinds.contract.observed import read_observed

    obs = read_observed(OBSERVED, dsi_scenario)
    assert obs.final_successes(3, 3)[0].tolist() == [55, 48, 62]
    assert np.isnan(obs.final_successes(3, 3)[1:]).all()


def test_batch_success_probabilities_equal_the_scalar_closed_form(dsi_small):
    from simrisk.decision.monitor import scenario_of
    from simrisk.kinds.contract.analytic import success_probabilities
    from simrisk.kinds.contract.inputs import build_inputs
    from simrisk.kinds.contract.observed import success_probabilities_batch

    inp = build_inputs(scenario_of(dsi_small))
    P = dsi_small["parameters"].values[:50].astype(np.float64)
    batch = success_probabilities_batch(inp, P)
    for i in range(50):
        np.testing.assert_allclose(batch[i], success_probabilities(inp, P[i])[0], rtol=1e-12)


def test_settle_reproduces_the_kernels_money(dsi_small):
    """From the run's own counts, settle gives the kernel's NPV and repayments."""
    from simrisk.decision.monitor import scenario_of, settle
    from simrisk.kinds.contract.inputs import build_inputs

    inp = build_inputs(scenario_of(dsi_small))
    m = settle(inp, dsi_small["measured"].values, dsi_small["successes"].values, 0.04)
    np.testing.assert_allclose(m["npv"], dsi_small["npv"].values, rtol=1e-9, atol=1e-3)
    np.testing.assert_allclose(
        m["repaid_by_payer"], dsi_small["repayments_by_payer"].values, rtol=1e-5, atol=1
    )
    irr = dsi_small["irr"].values
    ok = np.isfinite(irr) & (np.abs(irr - 0.04) > 1e-5)
    assert ((m["npv_hurdle"][ok] < 0) == (irr[ok] < 0.04)).all()


# ---------------------------------------------------------------------------
# The conjugate check: both paths against the Beta posterior
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("force", [False, True], ids=["weights", "resample-move"])
def test_monitor_conjugate_beta_posterior(retention_only, force):
    from simrisk.decision.monitor import monitor

    ds, d = retention_only
    R, M = 220, 90
    obs = _write(d, "obs.csv", HEADER + f"c1,measured,Interim,2028-05-01,{R},{M}\n")
    r = monitor(ds, obs, force_fallback=force, seed=3)
    assert r.path == ("resample-move" if force else "weights")
    mean, sd = 0.5, 0.12
    ab = mean * (1 - mean) / sd**2 - 1
    post = stats.beta(mean * ab + M, (1 - mean) * ab + R - M)
    p = r.posterior["parameters"]["retention"]
    assert abs(p["mean"] - post.mean()) < 4 * p["mean_se"]
    assert abs(p["sd"] - post.std()) < 4 * p["sd_se"]
    # and it did move: the prior mean is many SEs away
    assert abs(0.5 - post.mean()) > 20 * p["mean_se"]


def test_monitor_final_cohort_pays_the_observed_successes(dsi_monitored):
    r = dsi_monitored
    rep = r.post_money["repaid"][:, 0, :]
    pay = np.array([24_220.242857142857, 4_274.161904761905, 4_274.15918367347])
    np.testing.assert_allclose(rep, np.tile([55, 48, 62] * pay, (rep.shape[0], 1)), rtol=1e-9)
    j = r.to_json()
    assert j["sample_stats"]["path"] in ("weights", "resample-move")
    assert set(j["prior"]["parameters"]["retention"]) >= {"mean", "sd"}
    # a weak cohort 1 raises the chance of a loss
    assert (
        j["posterior"]["figures"]["p_npv_negative"]["value"]
        > j["prior"]["figures"]["p_npv_negative"]["value"]
    )


def test_monitor_final_cohort_summary_matches_its_headline(dsi_monitored):
    """The shipped observed file (cohort 1 Final): the summary's P(NPV < 0) and payers'
    caps agree with the headline figures of the same posterior; the verdict is kept."""
    r = dsi_monitored
    f, s = r.posterior["figures"], r.posterior["summary"]
    se = np.hypot(s["p_npv_negative_se"], f["p_npv_negative"]["se"])
    assert abs(s["p_npv_negative"] - f["p_npv_negative"]["value"]) < 4 * se
    assert s["p_npv_negative"] > r.prior["summary"]["p_npv_negative"]
    assert "verdict" in s["decision"]["rules"]["expected_value"]


def test_monitor_datatree_groups_and_realization(dsi_monitored, tmp_path):
    from simrisk.decision.monitor import write_monitor

    r = dsi_monitored
    out = tmp_path / "u.nc"
    write_monitor(r, out)
    tree = xr.open_datatree(out, engine="h5netcdf")
    assert {"prior", "posterior", "observed_data", "sample_stats", "decision"} <= set(
        tree.children
    )
    assert tree["posterior"]["draw"].attrs["standard_name"] == "realization"
    w = tree["sample_stats"]["weights"].values
    assert abs(w.sum() - 1) < 1e-9
    assert list(tree["observed_data"]["cohort"].values[:1]) == ["c1"]


@pytest.mark.parametrize("lang", ["en", "da"])
def test_report_of_an_updated_result(dsi_monitored, tmp_path, lang):
    """simrisk report UPDATED.nc: page 1 the verdict before and after with the summary's
    figures, page 2 what the data changed, page 3 the observations; other results'
    options refused in one line."""
    import json

    from simrisk import api
    from simrisk.cli import main
    from simrisk.decision.monitor import write_monitor
    from simrisk.report._engine import write_pdf
    from simrisk.report.monitor import build

    out = tmp_path / "u.nc"
    write_monitor(dsi_monitored, out)
    pdf = tmp_path / f"u_{lang}.pdf"
    assert main(["report", str(out), "-o", str(pdf), "--lang", lang]) == 0
    assert pdf.stat().st_size > 0
    tree = api.report_input(out)
    post = json.loads(tree["decision"].attrs["summary_posterior_json"])
    texts = {}

    def seen(page, fig):
        got = [t.get_text() for t in fig.texts]
        for ax in fig.axes:
            for tab in ax.tables:
                got += [c.get_text().get_text() for c in tab.get_celld().values()]
        texts[page.name] = got

    report = build(tree, lang=lang)
    write_pdf(report, tmp_path / "again.pdf", on_page=seen)
    assert list(texts) == ["verdict", "what_the_data_changed", "observations"]
    from simrisk.core.numfmt import Numbers

    after = Numbers(lang).pct(post["p_npv_negative"])
    assert any(t.startswith(after + " ±") for t in texts["verdict"])
    first = " ".join(texts["verdict"])
    assert ("Efter data" if lang == "da" else "After the data") in first
    assert ("k-hat" in first) and Numbers(lang).num(float(tree["sample_stats"]["ess"])) in first
    with pytest.raises(SimriskError, match="does not apply") as err:
        api.report(out, tmp_path / "x.pdf", wellby=tree)
    assert "\n" not in str(err.value)


def test_monitor_impossible_observations_are_an_error(retention_only):
    from simrisk.decision.monitor import monitor

    ds, d = retention_only
    # recruitment is fixed at 1: 700 referred in all, so 701 in one cohort is impossible
    obs = _write(d, "bad.csv", HEADER + "c1,referred,Interim,2027-01-31,220,701\n")
    with pytest.raises(SimriskError, match="prior cannot explain"):
        monitor(ds, obs)


# ---------------------------------------------------------------------------
# EVSI
# ---------------------------------------------------------------------------


def _synthetic(a, b, N=100_000, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(N)
    e = rng.standard_normal(N) * 2.0
    npv = a + b * x + e
    return xr.Dataset(
        {
            "parameters": (("draw", "parameter"), x[:, None].astype(np.float32)),
            "npv": (("draw",), npv),
        },
        coords={"draw": np.arange(N), "parameter": ["X"]},
        attrs={"simrisk_kind": "simrisk.run", "scenario": "synthetic"},
    )


@pytest.mark.slow
def test_evsi_normal_closed_form_three_n():
    """NPV = a + b X + e, X ~ N(0, 1), study normal:X:sd=S: within 3 SE of the closed form."""
    from simrisk.decision.evsi import closed_form_normal_evsi, evsi

    a, b, S = -0.5, 1.5, 2.0
    ds = _synthetic(a, b, N=200_000 if SLOW else 60_000)
    x = ds["parameters"].values[:, 0].astype(np.float64)
    ds["npv"] = ("draw", a + b * x + (ds["npv"].values - a - b * x))
    r = evsi(ds, "normal:X:sd=2", n=[1, 4, 25], seed=2)
    vals = [row["value"] for row in r["evsi"]]
    for row in r["evsi"]:
        exact = closed_form_normal_evsi(a, b, S, row["n"])
        assert abs(row["value"] - exact) < 3 * row["se"], (row, exact)
    # properties: 0 <= EVSI <= EVPPI, rising in n
    assert all(v >= 0 for v in vals)
    assert vals == sorted(vals)
    assert vals[-1] <= r["evppi"]["value"] + 3 * r["evppi"]["se"]


def test_evsi_bad_input():
    from simrisk.decision.evsi import evsi, parse_n_grid

    ds = _synthetic(0.0, 1.0, N=5_000)
    with pytest.raises(SimriskError, match="'Y' is not a varying parameter"):
        evsi(ds, "normal:Y:sd=1", n=[10])
    with pytest.raises(SimriskError, match="--n '10,0': '0': must be a whole number >= 1"):
        parse_n_grid("10,0")
    with pytest.raises(SimriskError, match="--n '-5': must be a whole number >= 1"):
        parse_n_grid("-5")
    with pytest.raises(SimriskError, match="sd = 0"):
        evsi(ds, "normal:X:sd=0", n=[10])


@pytest.mark.slow
def test_evsi_engaged_study_is_and_regression_agree(dsi_small):
    """The importance-sampling EVSI and the regression agree within 3 combined SE."""
    from simrisk.decision.evsi import evsi

    size = {} if SLOW else {"is_outer": 150, "is_inner": 10_000}
    r = evsi(dsi_small, "engaged:c1:months=6", n=[50, 220], seed=4, check_is=True, **size)
    for reg, iss in zip(r["evsi"], r["is_check"]["evsi"], strict=True):
        assert abs(reg["value"] - iss["value"]) < 3 * math.hypot(reg["se"], iss["se"])
    assert 0 <= r["evsi"][0]["value"] <= r["evsi"][1]["value"]
    assert r["evsi"][1]["value"] <= r["evppi"]["value"] + 3 * r["evppi"]["se"]


def test_enbs_optimum():
    from simrisk.decision.evsi import enbs

    res = {
        "evsi": [
            {"n": n, "value": 1000 * (1 - math.exp(-n / 50)), "se": 1}
            for n in (10, 50, 100, 200, 400)
        ]
    }
    e = enbs(res, cost_fixed=10, cost_per_unit=2)
    # d/dn [1000 (1 - exp(-n/50))] = 20 exp(-n/50) = 2 -> n = 50 ln 10 = 115
    assert abs(e["optimal_n"] - 115) < 15
    lo, hi = e["n_within_5pct"]
    assert lo <= e["optimal_n"] <= hi


# ---------------------------------------------------------------------------
# The command line: one line, exit 2, nothing written
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dsi_file(dsi_small, tmp_path_factory):
    from simrisk.core.dataset import write_netcdf

    p = tmp_path_factory.mktemp("cli") / "dsi.nc"
    write_netcdf(dsi_small, p)
    return p


def test_cli_monitor_bad_observed_file(dsi_file, tmp_path):
    from simrisk.cli import main

    bad = _write(tmp_path, "bad.csv", HEADER + "c1,measured,Interim,2028-05-01,220,221\n")
    out = tmp_path / "u.nc"
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["monitor", str(dsi_file), "--observed", str(bad), "-o", str(out)])
    assert code == 2
    lines = err.getvalue().strip().splitlines()
    assert (
        len(lines) == 1
        and "bad.csv: row 2, column number_with_positive_social_outcomes" in lines[0]
    )
    assert not out.exists() and not list(tmp_path.glob(".u.nc*"))


def test_cli_monitor_json_and_evsi_json(dsi_file, tmp_path, capsys):
    import json

    from simrisk.cli import main

    obs = _write(tmp_path, "o.csv", HEADER + "c2,engaged_at_6m,Interim,2028-03-31,224,160\n")
    assert main(["monitor", str(dsi_file), "--observed", str(obs), "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["sample_stats"]["path"] == "weights"
    for k in ("khat", "ess", "path"):
        assert k in j["sample_stats"]
    assert {"mean", "sd"} <= set(j["posterior"]["parameters"]["retention"])
    assert "p_npv_negative" in j["posterior"]["figures"]
    args = ["evsi", str(dsi_file), "--study", "binomial:retention", "--n", "20,200", "--json"]
    code = main([*args, "--cost-fixed", "10000", "--cost-per-unit", "100"])
    assert code == 0
    e = json.loads(capsys.readouterr().out)
    assert [r["n"] for r in e["evsi"]] == [20, 200]
    assert {"n", "value", "se"} <= set(e["evsi"][0]) and e["study"] == "binomial:retention"
    assert "optimal_n" in e["enbs"] and len(e["enbs"]["enbs"]) == 2


@pytest.mark.slow
@pytest.mark.parametrize("study", ["engaged:c1:months=6", "cohort:c1"])
def test_evsi_regression_agrees_with_nested_on_the_kernel(dsi_small, study):
    """The regression EVSI and the nested Monte Carlo on the kernel: within 3 combined SE."""
    from simrisk.decision.evsi import evsi, nested_evsi

    r = evsi(dsi_small, study, seed=1)
    outer, inner = (600, 1000) if SLOW else (100, 200)
    m = nested_evsi(dsi_small, study, outer=outer, inner=inner, seed=1)
    reg = r["evsi"][0]
    # the nested estimate is biased upward by its inner noise; the bias is estimated
    assert abs(reg["value"] - (m["value"] - m["bias"])) < 3 * math.hypot(reg["se"], m["se"])
    assert 0 <= reg["value"] <= r["evppi"]["value"] + 3 * r["evppi"]["se"]


def test_example_copies_the_observed_counts(tmp_path):
    """simrisk example dsi_norddjurs brings the example observed file for monitor."""
    from simrisk.examples import copy_example

    names = {p.name for p in copy_example("dsi_norddjurs", tmp_path)}
    assert names == {"dsi_norddjurs.toml", "dsi_norddjurs_observed.csv"}
    assert (tmp_path / "dsi_norddjurs_observed.csv").read_bytes() == OBSERVED.read_bytes()


def test_evsi_wellby_pilot_with_and_without_a_control_group(tmp_path):
    """The WELLBY kind's pilot study: EVSI within [0, EVPPI], rising in n, and a control
    group (which separates regression to the mean from the effect) worth more."""
    import simrisk
    from simrisk.decision.evsi import evsi

    ds = simrisk.run(ROOT / "configs" / "opi_aims_wellby.toml", draws=20_000, seed=4)
    got = {}
    for study in ("pilot", "pilot:control=n"):
        r = evsi(ds, study, n=[22, 250], seed=1)
        vals = [row["value"] for row in r["evsi"]]
        ses = [row["se"] for row in r["evsi"]]
        assert all(v >= 0 for v in vals) and vals[1] > vals[0] + 3 * ses[0]
        assert vals[1] <= r["evppi"]["value"] + 3 * r["evppi"]["se"]
        got[study] = r["evsi"]
    for a, b in zip(got["pilot"], got["pilot:control=n"], strict=True):
        assert b["value"] > a["value"] + 3 * math.hypot(a["se"], b["se"])
