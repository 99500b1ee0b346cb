"""The Monte Carlo engine against analytic answers, the ledger and itself."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simrisk.kinds.contract.analytic import success_probabilities
from simrisk.kinds.contract.inputs import build_inputs
from simrisk.kinds.contract.ledger import run_ledger
from simrisk.kinds.contract.simulate import simulate

N_FIXED = 20_000


@pytest.fixture(scope="module")
def fixed_run(dsi_scenario):
    return simulate(dsi_scenario, draws=N_FIXED, seed=11, fixed_parameters=True)


@pytest.fixture(scope="module")
def inputs(dsi_scenario):
    return build_inputs(dsi_scenario)


def _within(mean, target, se, k=4.0):
    assert abs(mean - target) <= k * se, f"{mean} vs {target}: {abs(mean - target) / se:.2f} SE"


def test_priors_at_central_values_reproduce_the_source_rates(inputs):
    p1, _ = success_probabilities(inputs, inputs.space.central)
    assert p1 == pytest.approx([0.60, 0.60, 0.70], abs=1e-4)
    central = dict(zip(inputs.space.names, inputs.space.central, strict=True))
    assert central["recruitment"] == 1.0
    assert central["retention"] == pytest.approx(0.5)


def test_fixed_parameters_measured_count_is_binomial(fixed_run):
    m = fixed_run["measured"].sum("cohort").values.astype(float)
    n, p = 700, 0.5
    mean, var = n * p, n * p * (1 - p)
    _within(m.mean(), mean, math.sqrt(var / N_FIXED))
    _within(m.var(ddof=1), var, var * math.sqrt(2 / (N_FIXED - 1)))
    assert (fixed_run["referred"].values == 700).all()


@pytest.mark.parametrize("goal", [0, 1, 2])
def test_fixed_parameters_goal_counts_are_binomial(fixed_run, inputs, goal):
    # A referred citizen succeeds with probability retention x P(success | measured),
    # independently of the others: the goal's count is Binomial(700, q).
    p1, _ = success_probabilities(inputs, inputs.space.central)
    q = 0.5 * p1[goal]
    x = fixed_run["successes"].isel(goal=goal).sum("cohort").values.astype(float)
    mean, var = 700 * q, 700 * q * (1 - q)
    _within(x.mean(), mean, math.sqrt(var / N_FIXED))
    _within(x.var(ddof=1), var, var * math.sqrt(2 / (N_FIXED - 1)))
    # The whole distribution, not only two moments: chi-square on the counts.
    lo, hi = int(mean - 3 * math.sqrt(var)), int(mean + 3 * math.sqrt(var))
    edges = np.arange(lo, hi + 1)
    observed = np.array([(x < lo).sum(), *[(x == k).sum() for k in edges[:-1]], (x >= hi).sum()])
    cdf = stats.binom.cdf(np.concatenate([[lo - 1], edges[:-1]]), 700, q)
    probs = np.diff(np.concatenate([[0.0], cdf, [1.0]]))
    chi2 = ((observed - N_FIXED * probs) ** 2 / (N_FIXED * probs)).sum()
    assert stats.chi2.sf(chi2, len(probs) - 1) > 1e-3


def test_fixed_parameters_mean_repayments_match_the_ledger(fixed_run, dsi_scenario):
    ledger = run_ledger(dsi_scenario).repayments_by_payer()
    rep = fixed_run["repayments_by_payer"]
    for payer in ("region", "municipality", "ostifterne"):
        x = rep.sel(payer=payer).values.astype(float)
        _within(x.mean(), ledger[payer], x.std(ddof=1) / math.sqrt(N_FIXED))


def test_fixed_parameters_capped_repayment_matches_exact_expectation(fixed_run, inputs):
    # Caps applied cumulatively make the region's total exactly min(X * pay, cap)
    # with X ~ Binomial(700, 0.5 p): its expectation is a finite sum.
    p1, _ = success_probabilities(inputs, inputs.space.central)
    pay, cap = 5_086_251 / 210, 5_679_647
    k = np.arange(701)
    exact = (stats.binom.pmf(k, 700, 0.5 * p1[0]) * np.minimum(k * pay, cap)).sum()
    x = fixed_run["repayments_by_payer"].sel(payer="region").values.astype(float)
    _within(x.mean(), exact, x.std(ddof=1) / math.sqrt(N_FIXED))
    assert x.max() <= cap + 0.5


def test_same_seed_same_dataset(dsi_scenario):
    a = simulate(dsi_scenario, draws=3000, seed=5)
    b = simulate(dsi_scenario, draws=3000, seed=5)
    a.attrs.pop("created_at")
    b.attrs.pop("created_at")
    assert a.identical(b)
    c = simulate(dsi_scenario, draws=3000, seed=6)
    assert not np.array_equal(a["npv"].values, c["npv"].values)


def test_threads_and_chunk_size_do_not_change_results(dsi_scenario):
    import numba

    base = simulate(dsi_scenario, draws=5000, seed=9, threads=1, chunk_size=5000)
    others = [
        simulate(
            dsi_scenario,
            draws=5000,
            seed=9,
            threads=numba.config.NUMBA_NUM_THREADS,
            chunk_size=777,
        ),
        simulate(dsi_scenario, draws=5000, seed=9, threads=1, chunk_size=64),
    ]
    for other in others:
        for name in base.data_vars:
            np.testing.assert_array_equal(base[name].values, other[name].values, err_msg=name)


def test_prefix_of_a_longer_run_is_identical(dsi_scenario):
    # Draw d depends only on (seed, d): a longer run starts with the shorter one.
    short = simulate(dsi_scenario, draws=1000, seed=3)
    long = simulate(dsi_scenario, draws=2500, seed=3)
    np.testing.assert_array_equal(short["npv"].values, long["npv"].values[:1000])


def test_outputs_are_consistent(dsi_scenario):
    ds = simulate(dsi_scenario, draws=4000, seed=2)
    total = ds["repayments_total"].values
    np.testing.assert_allclose(ds["repayments_by_payer"].sum("payer").values, total, rtol=1e-5)
    np.testing.assert_allclose(
        ds["cash_flow_by_year"].sum("year").values, total - 5_450_000, rtol=1e-5, atol=2
    )
    assert (ds["deadweight_successes"] <= ds["successes"]).all()
    assert (ds["measured"].sum("cohort") <= ds["referred"]).all()
    assert (ds["successes"].sum("goal") <= 3 * ds["measured"]).all()
    caps = ds["cap"].values
    for i, payer in enumerate(ds["payer"].values):
        assert (ds["repayments_by_payer"].sel(payer=payer).values <= caps[i] + 1).all()
    # Conventional flows: IRR below the rate exactly when NPV is negative.
    irr, npv = ds["irr"].values, ds["npv"].values
    clear = np.abs(npv) > 100
    assert ((irr[clear] < 0.04) == (npv[clear] < 0)).all()
    for name, var in ds.variables.items():
        if name in ds.data_vars:
            assert var.attrs.get("units") and var.attrs.get("long_name"), name


def test_parameter_draws_follow_their_priors(dsi_scenario, inputs):
    ds = simulate(dsi_scenario, draws=20_000, seed=4)
    params = ds["parameters"]
    ret = params.sel(parameter="retention").values.astype(float)
    # Beta(mean 0.5, sd 0.12) in the config.
    k = 0.25 / 0.12**2 - 1
    assert stats.kstest(ret, stats.beta(0.5 * k, 0.5 * k).cdf).pvalue > 1e-3
    drift = params.sel(parameter="region_use.drift").values.astype(float)
    assert stats.kstest(drift, stats.norm(-0.15, 0.10).cdf).pvalue > 1e-3


def test_drawn_spearman_equals_the_declared_rank_correlation(inputs):
    # The config declares Spearman rank correlations (0.5 and -0.3); the drawn
    # parameters must have them, not (6 / pi) asin(r / 2) as when the same number
    # was used as the copula's rho. Parameters only: no kernel, so 200k draws are cheap.
    from simrisk.core.rng import key_from_seed
    from simrisk.kinds.contract.simulate import draw_parameters

    n = 200_000
    key, _ = key_from_seed(31)
    params = draw_parameters(inputs, 0, n, key, fixed=False)
    names = list(inputs.space.names)
    a = params[:, names.index("region_use.effect")]
    for other, declared in (("municipal_use.effect", 0.5), ("life_satisfaction.effect", -0.3)):
        b = params[:, names.index(other)]
        rs = stats.spearmanr(a, b).statistic
        # Fieller et al. (1957): var(atanh r_s) is about 1.06 / (n - 3).
        se = (1 - declared**2) * math.sqrt(1.06 / (n - 3))
        assert abs(rs - declared) < 4 * se, (other, rs, declared, (rs - declared) / se)
        # The old reading of the same number (as the copula's rho) is many SE away.
        assert abs(6 / math.pi * math.asin(declared / 2) - declared) > 5 * se


def test_interrupted_run_resumes_bit_identical(dsi_scenario, tmp_path):
    from simrisk.core.driver import Checkpoint, RunSpec
    from simrisk.kinds.contract.simulate import simulate_arrays

    inp = build_inputs(dsi_scenario)
    spec = RunSpec(draws=3000, seed=13, chunk_size=500)
    identity = {"config_sha256": "x", "seed": 13, "draws": 3000}
    path = tmp_path / ".run.nc.checkpoint"
    calls = []

    def interrupt_after_two_chunks(n):
        calls.append(n)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        simulate_arrays(
            inp, spec, progress=interrupt_after_two_chunks, checkpoint=Checkpoint(path, identity)
        )
    ckpt = Checkpoint(path, identity)
    # progress is reported after each chunk is saved: two chunks on disk
    assert len(list(ckpt.path.glob("chunk-*.npz"))) == 2
    assert not list(ckpt.path.glob("*.tmp"))
    resumed = simulate_arrays(inp, spec, checkpoint=ckpt)
    assert ckpt.resumed_from == 1000
    straight = simulate_arrays(inp, spec)
    for name in straight:
        np.testing.assert_array_equal(resumed[name], straight[name], err_msg=name)


def test_checkpoint_of_another_run_is_not_used(dsi_scenario, tmp_path):
    import json

    from simrisk.core.driver import Checkpoint, RunSpec
    from simrisk.core.errors import SimriskError
    from simrisk.kinds.contract.simulate import simulate_arrays

    inp = build_inputs(dsi_scenario)
    spec = RunSpec(draws=600, seed=13, chunk_size=200)
    prefix = tmp_path / ".c.nc.checkpoint"
    out = simulate_arrays(inp, spec)
    first = Checkpoint(prefix, {"seed": 13})
    first.save_chunk(out, 0, 200)
    first.save_chunk(out, 200, 200)
    # another identity is another folder: nothing resumed
    other = Checkpoint(prefix, {"seed": 14})
    assert other.path != first.path
    simulate_arrays(inp, spec, checkpoint=other)
    assert other.resumed_from == 0
    # a folder whose identity file says another run (tampered, or a digest clash) is refused
    (first.path / "identity.json").write_text(json.dumps({"seed": 99}))
    with pytest.raises(SimriskError, match="different run"):
        simulate_arrays(inp, spec, checkpoint=Checkpoint(prefix, {"seed": 13}))


def _scenario_with_referred(tmp_path, referred):
    import re

    from simrisk.kinds.contract.loader import load_scenario
    from tests.conftest import DSI_CONFIG

    text = re.sub(r"(?m)^referred = 700\b", f"referred = {referred}", DSI_CONFIG.read_text())
    path = tmp_path / "big.toml"
    path.write_text(text, encoding="utf-8")
    scenario, _ = load_scenario(path)
    return scenario


def test_a_population_of_100000_referred_runs_and_is_binomial(tmp_path, inputs):
    # Issue 15: no 16-bit limit. 100,000 referred, half measured, so citizens
    # beyond 2**15 (the random stream's upper half) decide most outcomes.
    n_ref, draws = 100_000, 24
    ds = simulate(
        _scenario_with_referred(tmp_path, n_ref), draws=draws, seed=5, fixed_parameters=True
    )
    assert ds["measured"].dtype == np.int32
    assert (ds["referred"].values == n_ref).all()
    m = ds["measured"].sum("cohort").values.astype(float)
    assert m.min() > 2**15
    _within(m.mean(), n_ref * 0.5, math.sqrt(n_ref * 0.25 / draws))
    p1, _ = success_probabilities(inputs, inputs.space.central)
    for goal in range(3):
        q = 0.5 * p1[goal]
        x = ds["successes"].isel(goal=goal).sum("cohort").values.astype(float)
        _within(x.mean(), n_ref * q, math.sqrt(n_ref * q * (1 - q) / draws))
    # Cohort shares hold among the high citizens too: cohort 0's share of the measured.
    share0 = float(inputs.cohort_cdf[0])
    c0 = ds["measured"].isel(cohort=0).values.astype(float)
    _within(c0.sum() / m.sum(), share0, math.sqrt(share0 * (1 - share0) / m.sum()))


def test_small_populations_keep_int16_counts(fixed_run):
    assert fixed_run["measured"].dtype == np.int16


def test_a_population_beyond_the_random_stream_is_refused(tmp_path):
    from simrisk.core.errors import SimriskError
    from simrisk.kinds.contract.simulate import MAX_REFERRED

    scenario = _scenario_with_referred(tmp_path, MAX_REFERRED + 1)
    with pytest.raises(SimriskError, match=r"population.referred = 1677722: too large"):
        simulate(scenario, draws=10, seed=1, fixed_parameters=True)
