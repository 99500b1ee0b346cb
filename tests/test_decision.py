"""The decision layer: sensitivity, VOI, acceptability, compare, variance split, --until.

Statistical checks use fixed seeds and tolerances from Monte Carlo standard
errors, against closed forms where one exists (linear-Gaussian EVPPI,
variance components, correlation ratio of a linear model).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from simrisk.cli import main
from simrisk.core.dataset import open_result, write_netcdf
from simrisk.core.errors import SimriskError
from simrisk.decision import _engine
from simrisk.decision.acceptability import acceptability, cash_flows, npv_at_rates
from simrisk.decision.compare import compare, compare_json, format_compare
from simrisk.decision.sensitivity import (
    correlation_ratio,
    format_sensitivity,
    sensitivity,
    sensitivity_json,
)
from simrisk.decision.stopping import parse_targets, target_status
from simrisk.decision.variance import format_variance, variance_split
from simrisk.decision.voi import evpi, evppi, evppi_nested, format_voi, voi, voi_json
from simrisk.kinds.contract.inputs import build_inputs
from simrisk.kinds.contract.simulate import simulate
from simrisk.kinds.contract.summary import summarize

from .conftest import DSI_CONFIG, ROOT

SEED = 11


@pytest.fixture(scope="module")
def dsi_run(dsi_scenario):
    return simulate(dsi_scenario, draws=20_000, seed=SEED)


@pytest.fixture(scope="module")
def dsi_file(dsi_run, tmp_path_factory):
    return write_netcdf(dsi_run, tmp_path_factory.mktemp("dec") / "r.nc")


def _toy_dataset(X, npv, names, capital=None):
    """A minimal result: per-draw parameters and NPV (what the decision layer reads)."""
    N = X.shape[0]
    ds = xr.Dataset(
        {
            "parameters": (("draw", "parameter"), X),
            "npv": (("draw",), npv),
        },
        coords={"draw": np.arange(N), "parameter": names},
        attrs={"scenario": "toy", "seed": 0, "draws": N},
    )
    if capital is not None:
        ds["repayments_total"] = ("draw", npv + capital)
        ds.attrs["capital"] = capital
    return ds


# --- engine calls --------------------------------------------------------------------------


def test_range_equals_the_same_draws_of_a_plain_run(dsi_scenario, dsi_run):
    part = _engine.simulate_range(dsi_scenario, SEED, 7000, 2500)
    full = dsi_run.isel(draw=slice(7000, 9500))
    assert (part["draw"].values == full["draw"].values).all()
    for v in ("parameters", "npv", "irr", "repayments", "measured", "cash_flow_by_year"):
        assert np.array_equal(part[v].values, full[v].values, equal_nan=True), v


def test_held_parameters_follow_the_copula_conditional(dsi_scenario):
    inp = build_inputs(dsi_scenario)
    names = list(inp.space.names)
    n = 20_000
    u = np.random.default_rng(SEED).uniform(size=(n, len(names)))
    q = 0.9
    p = _engine.conditional_parameters(inp, u, {"region_use.effect": np.full(n, q)})
    r, m = names.index("region_use.effect"), names.index("municipal_use.effect")
    pr_r = dsi_scenario.model.goals["region_use"].effect
    pr_m = dsi_scenario.model.goals["municipal_use"].effect
    # The held parameter sits exactly at its prior quantile.
    assert p[:, r] == pytest.approx(pr_r.mean + pr_r.sd * stats.norm.ppf(q), abs=1e-9)
    # A correlated one moves by the copula's conditional normal: mean rho z, sd sqrt(1-rho^2).
    sigma = inp.space.chol @ inp.space.chol.T
    rho = sigma[m, r]
    z = (p[:, m] - pr_m.mean) / pr_m.sd
    se = math.sqrt((1 - rho**2) / n)
    assert abs(z.mean() - rho * stats.norm.ppf(q)) < 4 * se
    assert z.std() == pytest.approx(math.sqrt(1 - rho**2), rel=0.03)
    # An independent one is as drawn.
    k = names.index("retention")
    plain = inp.space.transform(u)
    assert p[:, k] == pytest.approx(plain[:, k], rel=1e-9)  # up to the ndtr round trip


def test_held_at_random_quantiles_reproduces_the_prior(dsi_scenario):
    inp = build_inputs(dsi_scenario)
    n = 20_000
    rng = np.random.default_rng(SEED)
    u = rng.uniform(size=(n, len(inp.space.names)))
    held = {"region_use.effect": rng.uniform(size=n)}
    p = _engine.conditional_parameters(inp, u, held)
    ref = inp.space.transform(rng.uniform(size=(n, len(inp.space.names))))
    i, j = (
        inp.space.names.index("region_use.effect"),
        inp.space.names.index("life_satisfaction.effect"),
    )
    # Rank correlation with a correlated partner as in the prior (Fisher z, 4 SE).
    a = stats.spearmanr(p[:, i], p[:, j])[0]
    b = stats.spearmanr(ref[:, i], ref[:, j])[0]
    assert abs(np.arctanh(a) - np.arctanh(b)) < 4 * math.sqrt(2 / (n - 3))


# --- sensitivity -----------------------------------------------------------------------------


def test_correlation_ratio_of_a_linear_model_matches_its_closed_form():
    rng = np.random.default_rng(SEED)
    n = 40_000
    X = rng.uniform(size=(n, 3))
    y = 3 * X[:, 0] + 1 * X[:, 1] + rng.normal(size=n)
    # Var(3U) = 9/12, Var(U) = 1/12, noise 1: shares 0.75/1.8333 and 0.0833/1.8333.
    tot = 9 / 12 + 1 / 12 + 1
    est, lo, hi = correlation_ratio(X, y, n_bins=50, n_boot=60, seed=1)
    # Binning into 50 bins keeps 1 - 1/50^2 of a linear signal's variance.
    truth = np.array([0.75, 1 / 12, 0]) / tot * (1 - 1 / 2500)
    se = (hi - lo) / (2 * 1.96)
    assert np.all(np.abs(est - truth) < 4 * se + 1e-4)
    assert abs(est[2]) < 4 * se[2] + 1e-4  # the bias correction centres a null input on 0


def test_sensitivity_of_a_toy_model_ranks_and_bins_correctly():
    rng = np.random.default_rng(SEED)
    n = 30_000
    X = np.column_stack([rng.uniform(size=n), rng.normal(size=n), rng.uniform(size=n)])
    X = np.column_stack([X, np.full(n, 2.0)])  # a fixed parameter: left out
    npv = 4e6 * (X[:, 0] - 0.4) + 3e5 * X[:, 1] + 5e5 * rng.normal(size=n)
    ds = _toy_dataset(X, npv, ["strong", "weak", "none", "fixed"], capital=5e6)
    s = sensitivity(ds, n_boot=20, pawn_boot=5, pawn_draws=5000)
    j = sensitivity_json(s)
    assert j["ranking"] == ["strong", "weak", "none"]
    assert j["top_driver"] == "strong"
    # Lowest decile of 'strong' by an independent mask.
    low = X[:, 0] <= np.quantile(X[:, 0], 0.1)
    t = j["tornado"]["strong"]
    assert t["p_npv_negative_low"] == pytest.approx((npv[low] < 0).mean(), abs=2 / n)
    assert t["mean_npv_low"] == pytest.approx(npv[low].mean(), rel=1e-3)
    # Regional KS equals scipy's two-sample statistic.
    loss = npv < 0
    ks = stats.ks_2samp(X[loss, 1], X[~loss, 1]).statistic
    assert j["regional"]["weak"]["ks_loss"] == pytest.approx(ks, abs=1e-12)
    # The CDFs end at 1 and the grid spans the draws.
    assert s["cdf_loss"].values[:, -1] == pytest.approx(1.0)
    assert "strong" in format_sensitivity(s)
    # Without a bootstrap the table still shows each index.
    s0 = sensitivity(ds, n_boot=0, pawn_boot=0, pawn_draws=5000)
    assert np.isnan(s0["eta2_npv_negative_ci"].values).all()
    assert f"{float(s0['eta2_npv_negative'][0]):.3f}" in format_sensitivity(s0)


def test_sensitivity_of_the_dsi_case(dsi_run):
    j = sensitivity_json(sensitivity(dsi_run, n_boot=20, pawn_boot=5, pawn_draws=5000))
    assert j["ranking"][0] == "retention"
    assert "region_use.zero_share" not in j["ranking"]  # fixed at 0 in the config
    for p in j["ranking"]:
        assert {"p_npv_negative_low", "p_npv_negative_high"} <= set(j["tornado"][p])
    t = j["tornado"]["retention"]
    # Far more losses among the lowest retention draws than the highest: 10 SE apart.
    gap = t["p_npv_negative_low"] - t["p_npv_negative_high"]
    assert gap > 10 * math.hypot(t["p_npv_negative_low_se"], t["p_npv_negative_high_se"])


def test_sensitivity_refuses_a_run_without_parameter_uncertainty(dsi_scenario):
    ds = simulate(dsi_scenario, draws=2000, seed=1, fixed_parameters=True)
    with pytest.raises(SimriskError, match="no parameter uncertainty"):
        sensitivity(ds)


# --- value of information ---------------------------------------------------------------------


def _evppi_linear(a, s):
    """E[max(a + s Z, 0)] - max(a, 0) for Z standard normal."""
    return a * stats.norm.cdf(a / s) + s * stats.norm.pdf(a / s) - max(a, 0)


def test_evppi_of_a_linear_gaussian_model_equals_its_closed_form():
    rng = np.random.default_rng(SEED)
    n = 20_000
    a, b, c, sd = 0.3, 1.0, 0.7, 0.8
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    lend = a + b * x1 + c * x2 + sd * rng.normal(size=n)
    nb = np.column_stack([np.zeros(n), lend])
    e, e_se = evpi(nb)
    assert abs(e - _evppi_linear(a, math.sqrt(b**2 + c**2 + sd**2))) < 4 * e_se
    r1 = evppi(nb, x1, seed=1)
    assert abs(r1["value"] - _evppi_linear(a, b)) < 4 * r1["se"]
    r12 = evppi(nb, np.column_stack([x1, x2]), seed=2)
    assert abs(r12["value"] - _evppi_linear(a, math.hypot(b, c))) < 4 * r12["se"]
    # Never above EVPI; never down when a parameter joins the group.
    assert r1["value"] <= r12["value"] <= e


def test_evppi_with_three_options_matches_a_closed_form():
    # NB_1 = x, NB_2 = -x, NB_0 = 0, x ~ N(0, 1): E[max(0, x, -x)] = E|x| = sqrt(2/pi).
    rng = np.random.default_rng(SEED)
    n = 20_000
    x = rng.normal(size=n)
    nb = np.column_stack([np.zeros(n), x, -x + 0.5 * rng.normal(size=n)])
    r = evppi(nb, x, seed=3)
    truth = math.sqrt(2 / math.pi)
    assert abs(r["value"] - truth) < 4 * r["se"] + 1e-3


def test_nested_evppi_of_a_toy_model_matches_its_closed_form():
    rng = np.random.default_rng(SEED)
    K, J = 400, 400
    q = (np.arange(K) + rng.uniform(size=K)) / K
    x = stats.norm.ppf(q)
    a, b = 0.2, 1.0
    y = a + b * x[:, None] + 2.0 * rng.normal(size=(K, J))
    r = evppi_nested(y)
    assert abs(r["value"] - _evppi_linear(a, b)) < 4 * r["se"] + abs(r["bias"])


def test_voi_of_the_dsi_case(dsi_run):
    groups = {"population": ["recruitment", "retention"], "reg": ["region_use.effect"]}
    v = voi(dsi_run, groups=groups, parameters=["retention", "recruitment", "region_use.effect"])
    j = voi_json(v)
    npv = dsi_run["npv"].values.astype(float)
    direct = np.maximum(npv, 0).mean() - max(npv.mean(), 0)
    assert j["evpi"] == pytest.approx(direct, rel=1e-9)
    for p, r in j["evppi"].items():
        assert r["value"] <= j["evpi"] + 2 * r["se"], p
        assert r["se"] > 0
    # Retention alone is worth less than retention with recruitment.
    pop = j["groups"]["population"]
    ret = j["evppi"]["retention"]
    assert ret["value"] <= pop["value"] + 2 * math.hypot(ret["se"], pop["se"])
    # A one-member group is the parameter itself.
    assert j["groups"]["reg"]["value"] == pytest.approx(
        j["evppi"]["region_use.effect"]["value"], rel=1e-9
    )
    assert "EVPI" in format_voi(v)


def test_voi_rejects_unknown_group_members(dsi_run):
    with pytest.raises(SimriskError, match="not a varying parameter"):
        voi(dsi_run, groups={"g": ["retention", "region_use.zero_share"]}, parameters=[])


# --- acceptability ------------------------------------------------------------------------


def test_npv_recomputed_from_dated_flows(dsi_run):
    a = acceptability(dsi_run)
    assert a.attrs["npv_check_max_abs_diff"] < 1.0  # DKK; float32 repayments
    # An independent XNPV (actual/365) on one draw's flows.
    pyxirr = pytest.importorskip("pyxirr")
    import datetime as dt

    cf, t = cash_flows(dsi_run)
    origin = dt.date.fromisoformat(dsi_run.attrs["valuation_date"])
    dates = [origin + dt.timedelta(days=round(x * 365)) for x in t]
    i = int(np.argmax(dsi_run["npv"].values))
    for r in (0.0, 0.07, 0.15):
        assert npv_at_rates(dsi_run, [r])[i, 0] == pytest.approx(
            pyxirr.xnpv(r, dates, list(cf[i])), rel=1e-9
        )


def test_irr_and_npv_acceptability_agree_for_conventional_flows(dsi_run):
    a = acceptability(dsi_run)
    # Every disbursement precedes every repayment, so IRR >= r exactly when NPV(r) >= 0,
    # up to draws within float32 rounding of the threshold.
    n = dsi_run.sizes["draw"]
    diff = np.abs(a["p_irr_at_least"].values - a["p_npv_nonnegative"].values) * n
    assert diff.max() <= 2
    p = a["p_npv_nonnegative"].values
    assert np.all(np.diff(p) <= 0)  # a higher required rate is never easier to meet
    at4 = float(a["p_npv_nonnegative"].sel(rate=0.04))
    assert at4 == pytest.approx(1 - summarize(dsi_run)["p_npv_negative"], abs=2 / n)


# --- compare --------------------------------------------------------------------------------


def test_compare_pairs_draws_and_reports_smaller_paired_se():
    res = _engine.simulate_scenarios(
        [str(DSI_CONFIG), str(ROOT / "configs" / "dsi_norddjurs_retention_pilot.toml")],
        draws=6000,
        seed=SEED,
    )
    a, b = res[0][1], res[1][1]
    names = list(a["parameter"].values)
    k = names.index("retention")
    others = [i for i in range(len(names)) if i != k]
    # Common random numbers: every other parameter is the same, draw for draw.
    assert np.array_equal(a["parameters"].values[:, others], b["parameters"].values[:, others])
    c = compare(res)
    j = compare_json(c)
    d = j["scenarios"][1]["statistics"]["npv_mean"]
    x = b["npv"].values.astype(float) - a["npv"].values.astype(float)
    assert d["diff"] == pytest.approx(x.mean())
    assert d["diff_se_paired"] == pytest.approx(x.std(ddof=1) / math.sqrt(6000))
    assert d["diff_se_paired"] < d["diff_se_unpaired"] / 3
    assert "x smaller" in format_compare(c)


def test_paired_se_matches_the_spread_of_the_difference_across_seeds(dsi_scenario):
    from simrisk.kinds.contract.loader import load_scenario

    other, _ = load_scenario(ROOT / "configs" / "dsi_norddjurs_retention_pilot.toml")
    diffs, ses = [], []
    for s in range(16):
        a = simulate(dsi_scenario, draws=1500, seed=100 + s)
        b = simulate(other, draws=1500, seed=100 + s)
        r = compare_json(compare([("a", a), ("b", b)]))["scenarios"][1]["statistics"]
        diffs.append(r["npv_mean"]["diff"])
        ses.append(r["npv_mean"]["diff_se_paired"])
    ratio = np.std(diffs, ddof=1) / np.sqrt(np.mean(np.square(ses)))
    # chi-square with 15 df: the SD ratio lies in [0.55, 1.45] with > 99% probability.
    assert 0.55 < ratio < 1.45


def test_compare_refuses_mismatched_runs(dsi_scenario):
    a = simulate(dsi_scenario, draws=1000, seed=1)
    b = simulate(dsi_scenario, draws=1000, seed=2)
    with pytest.raises(SimriskError, match="common random numbers"):
        compare([("a", a), ("b", b)])


# --- variance split ----------------------------------------------------------------------


def test_variance_split_recovers_known_components():
    rng = np.random.default_rng(SEED)
    K, J = 3000, 20
    y = 2.0 * rng.normal(size=(K, 1)) + 1.0 * rng.normal(size=(K, J))
    v = variance_split(y, n_boot=300)
    for k, truth in (("parameter_variance", 4.0), ("chance_variance", 1.0)):
        lo, hi = v[f"{k}_ci"].values
        assert lo < truth < hi, (k, float(v[k]), lo, hi)
    assert float(v["parameter_share"]) == pytest.approx(0.8, abs=0.03)


def test_nested_variance_of_dsi_adds_up_to_a_plain_runs_variance(dsi_scenario, dsi_run):
    v = _engine.nested_variance(dsi_scenario, SEED, outer=800, inner=10, n_boot=300)
    total = dsi_run["npv"].values.astype(float).var(ddof=1)
    n = dsi_run.sizes["draw"]
    # Two independent estimates of Var(NPV): nested (bootstrap CI) and plain (SE ~ sd^2 sqrt(2/n)
    # for a near-normal; kurtosis makes it larger, so allow the CI plus 4 such SEs).
    lo, hi = v["total_variance_ci"].values
    slack = 4 * total * math.sqrt(2 / n)
    assert lo - slack < total < hi + slack
    assert 0 < float(v["chance_share"]) < 0.5
    assert "citizens" in format_variance(v)


# --- precision-based stopping ----------------------------------------------------------


def test_until_targets_parse_and_reject_bad_input():
    t = parse_targets(["p_npv_negative:se<0.001, npv.mean:rse<0.01"])
    assert [str(x) for x in t] == ["p_npv_negative:se<0.001", "npv.mean:rse<0.01"]
    for bad in ("p_npv_negative<0.001", "p_npv_negative:sd<0.1", "x:se<-1"):
        with pytest.raises(SimriskError, match="--until"):
            parse_targets([bad])
    with pytest.raises(SimriskError, match="not a summary figure"):
        target_status({"npv": {"mean": 1.0}}, parse_targets(["nope:se<1"]))


def test_stopped_run_equals_the_first_draws_of_a_plain_run(dsi_scenario):
    from simrisk.decision.stopping import check_targets

    targets = parse_targets(["p_npv_negative:se<0.006"])
    ds = _engine.simulate_until(
        dsi_scenario, SEED, check_targets(targets), step=1000, max_draws=50_000, min_draws=2000
    )
    n = ds.sizes["draw"]
    s = summarize(ds)
    assert s["p_npv_negative_se"] < 0.006
    p = s["p_npv_negative"]
    assert n >= p * (1 - p) / 0.006**2 * 0.9  # not stopped absurdly early
    plain = simulate(dsi_scenario, draws=n, seed=SEED, chunk_size=777)
    for v in ("parameters", "npv", "irr", "repayments", "successes"):
        assert np.array_equal(ds[v].values, plain[v].values, equal_nan=True), v


def test_run_until_cli(tmp_path, capsys):
    out = tmp_path / "u.nc"
    rc = main(
        [
            "run",
            str(DSI_CONFIG),
            "--until",
            "p_npv_negative:se<0.01",
            "--chunk-size",
            "1000",
            "--seed",
            "3",
            "--out",
            str(out),
            "--json",
            "--quiet",
        ]
    )
    assert rc == 0
    j = json.loads(capsys.readouterr().out)
    assert j["until"]["met"] and j["p_npv_negative_se"] < 0.01
    assert open_result(out).sizes["draw"] == j["until"]["draws"] == j["draws"]
    rc = main(["run", str(DSI_CONFIG), "--until", "p_npv_negative<0.01", "--out", "-"])
    err = capsys.readouterr().err
    assert rc == 2 and "--until" in err and "Traceback" not in err


# --- CLI --------------------------------------------------------------------------------


def test_decision_commands_from_the_cli(dsi_file, tmp_path, capsys):
    assert main(["sensitivity", str(dsi_file), "--json", "--boot", "10", "--pawn-boot", "0"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["ranking"][0] == "retention" and "retention" in j["tornado"]
    out = tmp_path / "v.nc"
    assert (
        main(["voi", str(dsi_file), "--parameter", "retention", "--json", "--out", str(out)]) == 0
    )
    j = json.loads(capsys.readouterr().out)
    assert set(j["evppi"]) == {"retention"} and j["evppi"]["retention"]["se"] > 0
    assert xr.load_dataset(out, engine="h5netcdf").attrs["analysis"] == "voi"
    assert main(["acceptability", str(dsi_file), "--rates", "0:0.1:0.05"]) == 0
    assert "P(IRR >= r)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["sensitivity", "missing.nc"], "missing.nc"),
        (["voi", "{nc}", "--group", "bad"], "--group"),
        (["voi", "{nc}", "--parameter", "nope"], "nope"),
        (["acceptability", "{nc}", "--rates", "0:0.1"], "LO:HI:STEP"),
        (["compare", str(DSI_CONFIG)], "at least two"),
        (["variance", str(DSI_CONFIG), "--outer", "1"], "outer"),
    ],
)
def test_decision_commands_fail_cleanly(argv, needle, dsi_file, capsys):
    argv = [a.replace("{nc}", str(dsi_file)) for a in argv]
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse's own errors
        rc = exc.code
    assert rc == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


# --- the nested Monte Carlo check ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("parameter", ["retention", "region_use.effect"])
def test_regression_evppi_agrees_with_nested_monte_carlo(dsi_scenario, parameter):
    """GAM EVPPI on a plain run vs two-level Monte Carlo with the real kernel."""
    ds = simulate(dsi_scenario, draws=200_000, seed=SEED)
    reg = voi_json(voi(ds, groups={}, parameters=[parameter]))["evppi"][parameter]
    _, y = _engine.nested_evppi_draws(dsi_scenario, SEED + 1, parameter, outer=400, inner=1000)
    nest = evppi_nested(y)
    combined = math.hypot(reg["se"], nest["se"])
    print(
        f"\n{parameter}: regression {reg['value']:,.0f} (SE {reg['se']:,.0f}); nested "
        f"{nest['value']:,.0f} (SE {nest['se']:,.0f}, bias {nest['bias']:,.0f})"
    )
    assert abs(reg["value"] - nest["value"]) < 3 * combined + abs(nest["bias"])


def test_sensitivity_figure_in_danish(dsi_run, tmp_path):
    from simrisk.plot import plot_regional, plot_tornado, save_sensitivity_figure

    s = sensitivity(dsi_run, n_boot=0, pawn_boot=0, pawn_draws=5000)
    ax = plot_tornado(s, lang="da")
    top = max(ax.get_yticklabels(), key=lambda t: t.get_position()[1])
    assert top.get_text() == "fastholdelse"  # the top driver, drawn at the top
    assert "NNV" in ax.get_title() and "%" in ax.get_xticklabels()[1].get_text()
    ax2 = plot_regional(s, "region_use.effect", lang="da")
    assert ax2.get_xlabel().startswith("regionens forbrug: effekt")
    out = tmp_path / "s.png"
    save_sensitivity_figure(s, out, lang="en")
    assert out.stat().st_size > 10_000
    import matplotlib.pyplot as plt

    plt.close("all")
