"""simrisk monitor recomputes every summary figure of the posterior.

The posterior's summary is the contract kind's own summary (and decision
rules) of a posterior sample: the prior draws resampled by their smoothed
weights, or the re-simulated particles, with the Final cohorts' observed
counts put into every draw. The checks: the recomputed variables are the
kernel's for a draw whose counts are the observed ones; a resampled figure
equals the exactly reweighted one within Monte Carlo error; the SEs carry
the weights' loss of precision (a replication study).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import DSI_CONFIG, SLOW

HEADER = (
    "cohort,outcome_metric_id,result_type,period_end,"
    "number_engaged_in_impact_bond,number_with_positive_social_outcomes\n"
)
INTERIM = HEADER + "c2,engaged_at_6m,Interim,2028-03-31,224,160\n"


@pytest.fixture(scope="module")
def dsi(tmp_path_factory):
    from simrisk.kinds.contract.engine import simulate
    from simrisk.kinds.contract.loader import load_scenario

    sc, text = load_scenario(DSI_CONFIG)
    return sc, simulate(sc, draws=20_000, seed=5, config_text=text)


def test_final_counts_recompute_every_variable_as_the_kernel_does(dsi):
    """Give cohort 1 the counts draw 7 simulated: draw 7's every per-draw variable is
    unchanged (the repayments, caps, clauses, NPV, IRR, cash by year, payers,
    authorities), while the other draws take those counts."""
    from simrisk.decision.monitor import with_final_counts
    from simrisk.kinds.contract import build_inputs

    sc, ds = dsi
    inp = build_inputs(sc)
    C, G = ds.sizes["cohort"], ds.sizes["goal"]
    fm, fs = np.full(C, np.nan), np.full((C, G), np.nan)
    j = 7
    fm[0] = ds["measured"].values[j, 0]
    fs[0] = ds["successes"].values[j, 0]
    new = with_final_counts(ds, inp, fm, fs, float(ds.attrs["hurdle_rate"]))
    checked = 0
    for v in new.data_vars:
        if "draw" not in new[v].dims:
            continue
        a, b = ds[v].values[j], new[v].values[j]
        if a.dtype.kind == "f":
            np.testing.assert_allclose(b, a, rtol=2e-6, atol=1e-2, err_msg=v)
        else:
            np.testing.assert_array_equal(b, a, err_msg=v)
        checked += 1
    assert checked >= 20
    assert (new["successes"].values[:, 0] == fs[0][None, :]).all()
    # draws whose cohort 1 did worse in the run now repay more for it, and vice versa
    diff = new["repayments"].values[:, 0].sum(1) - ds["repayments"].values[:, 0].sum(1)
    assert (diff > 0).any() and (diff < 0).any()


def test_weighted_figures_equal_the_resampled_summary_within_mc_error(dsi, tmp_path):
    """By weights: every headline figure (self-normalised IS over the prior draws) and
    each payer's mean payment against the summary of the resampled draws."""
    from simrisk.core.psis import weighted_mean_sd
    from simrisk.decision.monitor import monitor

    _, ds = dsi
    obs = tmp_path / "o.csv"
    obs.write_text(INTERIM, encoding="utf-8")
    r = monitor(ds, obs)
    assert r.path == "weights"
    f, s = r.posterior["figures"], r.posterior["summary"]
    pairs = [
        ("p_npv_negative", s["p_npv_negative"], s["p_npv_negative_se"]),
        ("p_loss", s["p_loss_nominal"], s["p_loss_nominal_se"]),
        ("p_irr_below_hurdle", s["p_irr_below_hurdle"], s["p_irr_below_hurdle_se"]),
        ("npv_mean", s["npv"]["mean"], s["npv"]["mean_se"]),
    ]
    for key, value, se in pairs:
        # the resampled figure's SE includes the IS error: 4 of it covers both
        assert abs(value - f[key]["value"]) < 4 * se, key
        assert se >= f[key]["se"], key  # at least the IS SE of the weighted figure
    w = r.weights
    name = "payments_by_payer" if "payments_by_payer" in ds else "repayments_by_payer"
    pay = ds[name].values.astype(np.float64)
    for i, p in enumerate(ds["payer"].values):
        m, _, _ = weighted_mean_sd(pay[:, i], w)
        got = s["payments"][str(p)]
        assert abs(got["mean"] - m) < 4 * got["mean_se"], p
    # the rules are re-judged on the posterior, their errors scaled too
    ev = s["decision"]["rules"]["expected_value"]
    prior_ev = r.prior["summary"]["decision"]["rules"]["expected_value"]
    assert ev["margin"]["se"] > prior_ev["margin"]["se"]
    assert s["draws_effective"] < ds.sizes["draw"]


@pytest.mark.slow
def test_resampled_summary_se_covers_the_spread_over_independent_runs(tmp_path):
    """A replication study: independent prior runs (seeds), each updated by weights; the
    spread of the posterior's mean NPV and P(NPV < 0) over the runs is what the
    reported SEs say (their ratio within the chi-square range for the replications)."""
    from simrisk.decision.monitor import monitor
    from simrisk.kinds.contract.engine import simulate
    from simrisk.kinds.contract.loader import load_scenario

    sc, text = load_scenario(DSI_CONFIG)
    obs = tmp_path / "o.csv"
    obs.write_text(INTERIM, encoding="utf-8")
    reps = 16 if SLOW else 4
    got = {"npv": [], "p": []}
    ses = {"npv": [], "p": []}
    for k in range(reps):
        ds = simulate(sc, draws=12_000 if SLOW else 8_000, seed=100 + k, config_text=text)
        r = monitor(ds, obs, seed=k)
        s = r.posterior["summary"]
        got["npv"].append(s["npv"]["mean"])
        ses["npv"].append(s["npv"]["mean_se"])
        got["p"].append(s["p_npv_negative"])
        ses["p"].append(s["p_npv_negative_se"])
    from scipy import stats

    lo = np.sqrt(stats.chi2.ppf(0.001, reps - 1) / (reps - 1))
    hi = np.sqrt(stats.chi2.ppf(0.999, reps - 1) / (reps - 1))
    for key in got:
        ratio = np.std(got[key], ddof=1) / np.mean(ses[key])
        # the SE is a conservative bound (multinomial resampling noise): allow 0.5 below
        assert 0.5 * lo < ratio < hi, (key, ratio)
