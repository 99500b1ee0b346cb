"""The authorities' side: the note's method and the modelled saving, side by side.

Against the ledger (the note's business case), closed forms of the
per-citizen model at fixed parameters, and recomputation from the Dataset.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simrisk.kinds.contract.analytic import success_probabilities
from simrisk.kinds.contract.inputs import build_inputs
from simrisk.kinds.contract.ledger import run_ledger
from simrisk.kinds.contract.simulate import simulate
from simrisk.kinds.contract.summary import summarize

N_FIXED = 20_000


@pytest.fixture(scope="module")
def fixed_run(dsi_scenario):
    return simulate(dsi_scenario, draws=N_FIXED, seed=17, fixed_parameters=True)


@pytest.fixture(scope="module")
def fixed_summary(fixed_run):
    return summarize(fixed_run)


@pytest.fixture(scope="module")
def inputs(dsi_scenario):
    return build_inputs(dsi_scenario)


def _within(mean, target, se, k=4.0):
    assert abs(mean - target) <= k * se, f"{mean} vs {target}: {abs(mean - target) / se:.2f} SE"


def _cap_shortfall(n, q, pay, cap):
    # E[X pay] - E[min(X pay, cap)] for X ~ Binomial(n, q): what the caps cut
    # from the expected repayment when the success count varies.
    k = np.arange(n + 1)
    pmf = stats.binom.pmf(k, n, q)
    return float((pmf * (k * pay - np.minimum(k * pay, cap))).sum())


@pytest.mark.parametrize(("payer", "goal"), [("region", 0), ("municipality", 1)])
def test_note_method_lands_on_the_ledgers_business_case(
    fixed_run, fixed_summary, dsi_scenario, inputs, payer, goal
):
    # The note's method per draw: threshold x stated BIS mean x successes. At the
    # note's values its saving has the ledger's mean exactly. The net saving's mean
    # is the ledger's net plus what the caps cut from the repayments in the upper
    # tail of the binomial success count (an exact sum; about 0.3% of the net).
    line = next(b for b in run_ledger(dsi_scenario).business_case if b.payer == payer)
    d = fixed_summary["net_saving"]["note_method"][payer]
    _within(d["saving_mean"], line.saving, d["saving_mean_se"])
    p1, _ = success_probabilities(inputs, inputs.fixed_values)
    q = dsi_scenario.population.retention * p1[goal]
    c = inputs.contract
    shortfall = _cap_shortfall(700, q, c.payment[goal], c.cap[c.goal_payer[goal]])
    # p1 differs from the contract's 60% by < 0.005 points: that moves the mean by < 300 DKK.
    expected = line.net_saving + (p1[goal] - 0.6) * 350 * (
        line.threshold * line.mean_excess_cost - c.payment[goal]
    )
    _within(d["mean"], expected + shortfall, d["mean_se"])
    assert shortfall < 0.005 * line.net_saving
    # about 820,000 / 337,000 (the note's figures)
    assert d["mean"] == pytest.approx(
        {"region": 820_000, "municipality": 337_000}[payer], rel=0.01
    )


def test_note_method_recomputed_from_the_dataset(fixed_run, dsi_scenario):
    bc = dsi_scenario.business_case
    for a, goal in bc.authorities.items():
        j = list(fixed_run["goal"].values).index(goal)
        succ = fixed_run["successes"].isel(goal=j).sum("cohort").values.astype(float)
        saving = 0.15 * bc.stated_mean.costs[a] * succ
        got = fixed_run["authority_saving_note"].sel(authority=a).values
        np.testing.assert_allclose(got, saving, rtol=1e-6)
        net = saving - fixed_run["repayments_by_payer"].sel(payer=a).values
        got = fixed_run["authority_net_saving_note"].sel(authority=a).values
        np.testing.assert_allclose(got, net, rtol=1e-6, atol=1.0)


def test_repayments_discounted_at_the_payers_rate(fixed_run, dsi_scenario):
    # Recompute the present value from the per-cohort repayments and the dates.
    origin = dsi_scenario.valuation_date
    for a in ("region", "municipality"):
        rate = dsi_scenario.payer(a).discount_rate
        j = list(fixed_run["goal_payer"].values).index(a)
        pv = np.zeros(N_FIXED)
        for k, cohort in enumerate(dsi_scenario.cohorts):
            years = (cohort.repayment_date - origin).days / 365.0
            pv += fixed_run["repayments"].values[:, k, j] / (1 + rate) ** years
        got = fixed_run["authority_repayments_pv"].sel(authority=a).values
        np.testing.assert_allclose(got, pv, rtol=1e-5)


def test_modelled_saving_mean_has_its_closed_form(fixed_run, dsi_scenario, inputs):
    # At fixed parameters a measured citizen with use at start in cohort c saves on
    # average mean_cost x exp(drift) x (1 - exp(effect)) of the first year's BIS cost
    # share (the noise is mean-preserving: E exp(sigma eps - sigma^2 / 2) = 1), then
    # that again each year with persistence p, discounted at the payer's rate from the
    # middle of year t after the middle of the cohort's referral window.
    bc = dsi_scenario.business_case
    m = bc.modelled
    v = dict(zip(inputs.space.names, inputs.fixed_values, strict=True))
    origin = dsi_scenario.valuation_date
    for a, goal in bc.authorities.items():
        rate = dsi_scenario.payer(a).discount_rate
        mean_cost = np.mean([row.costs[a] for row in bc.disease_groups])
        per_citizen = (
            mean_cost
            / bc.horizon_years
            * math.exp(v[f"{goal}.drift"])
            * (1 - math.exp(v[f"{goal}.effect"]))
            * (1 - v[f"{goal}.zero_share"])
        )
        expected = 0.0
        for cohort in dsi_scenario.cohorts:
            mid = cohort.referral_start + (cohort.referral_end - cohort.referral_start) / 2
            start = (mid - origin).total_seconds() / 86_400 / 365.0
            # a geometric sum, written out: sum_t p^t (1 + r)^-(start + t + 0.5)
            x = m.persistence / (1 + rate)
            annuity = (1 + rate) ** -(start + 0.5) * (
                m.horizon_years if x == 1 else (1 - x**m.horizon_years) / (1 - x)
            )
            measured = 700 * dsi_scenario.population.retention * cohort.share
            expected += measured * per_citizen * annuity
        x = fixed_run["authority_saving_modelled"].sel(authority=a).values.astype(float)
        _within(x.mean(), expected, x.std(ddof=1) / math.sqrt(x.size))


def test_modelled_noise_is_mean_preserving(dsi_scenario):
    # Raise sigma: with mean-preserving noise the mean modelled saving does not move
    # (it rose by exp(sigma^2 / 2) before: 3-8% at the config's sigmas).
    import copy

    means = []
    for sigma in (0.3, 0.9):
        s = copy.deepcopy(dsi_scenario.model_dump())
        s["model"]["goals"]["region_use"]["sigma"] = {"dist": "fixed", "value": sigma}
        from simrisk.kinds.contract.config import Scenario

        scen = Scenario.model_validate(s, strict=False)
        ds = simulate(scen, draws=4000, seed=5, fixed_parameters=True)
        x = ds["authority_saving_modelled"].sel(authority="region").values.astype(float)
        means.append((x.mean(), x.std(ddof=1) / math.sqrt(x.size)))
    (m1, s1), (m2, s2) = means
    _within(m1, m2, math.hypot(s1, s2))


def test_cost_per_caused_success(fixed_run, fixed_summary):
    for basis, paid_var in (
        ("note_method", "repayments_by_payer"),
        ("modelled", "authority_repayments_pv"),
    ):
        for a, j in (("region", 0), ("municipality", 1)):
            dim = "payer" if paid_var == "repayments_by_payer" else "authority"
            paid = fixed_run[paid_var].sel({dim: a}).values.astype(float)
            succ = fixed_run["successes"].isel(goal=j).sum("cohort").values.astype(float)
            dw = fixed_run["deadweight_successes"].isel(goal=j).sum("cohort").values
            caused = succ - dw.astype(float)
            d = fixed_summary["net_saving"][basis][a]
            assert d["cost_per_caused_success"] == pytest.approx(paid.mean() / caused.mean())
            assert 0 < d["cost_per_caused_success_se"] < 0.01 * d["cost_per_caused_success"]


@pytest.mark.parametrize("goal", [0, 1, 2])
def test_deadweight_by_goal_is_the_counterfactual_share(fixed_run, fixed_summary, inputs, goal):
    # Given the successes, each is deadweight independently with probability p0 / p1
    # (a counterfactual success is a success with the intervention too), and a goal's
    # repayment is spread evenly over its successes: the share's mean is p0 / p1.
    p1, p0 = success_probabilities(inputs, inputs.fixed_values)
    gid = list(fixed_run["goal"].values)[goal]
    d = fixed_summary["deadweight_share_by_goal"][gid]
    _within(d["mean"], p0[goal] / p1[goal], d["mean_se"])


def test_deadweight_by_goal_adds_up_to_the_total(fixed_run):
    rep = fixed_run["repayments"].sum("cohort").values.astype(float)
    share = fixed_run["deadweight_share_by_goal"].values.astype(float)
    total = (np.nan_to_num(share) * rep).sum(axis=1) / rep.sum(axis=1)
    np.testing.assert_allclose(total, fixed_run["deadweight_share"].values, rtol=1e-4)
