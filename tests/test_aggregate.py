"""The aggregated path (cell counts per cohort) against the per-citizen kernel, the
NumPy reference and closed forms.

Two-sample tests compare independent runs (different seeds) of the two paths:
means within 4 standard errors of their difference, standard deviations
within 4 SEs (the SD's SE from each sample's fourth moment), and the
Kolmogorov-Smirnov statistic below its critical value at 1e-4. Set
SIMRISK_SLOW=1 for more draws and the 7,000-referred fixed-parameter case.
"""

from __future__ import annotations

import itertools
import math
import os
import re

import numpy as np
import pytest
from scipy import stats

from simrisk.core.errors import SimriskError
from simrisk.core.rng import key_from_seed
from simrisk.kinds.contract._aggregate import (
    _binomial_quantile_lg,
    binomial_quantile,
    bvn_cdf,
    cell_probabilities,
    lgamma_table,
    reciprocal_table,
    unsupported,
)
from simrisk.kinds.contract._aggregate_reference import (
    aggregate_counts_reference,
    bvn_cdf_reference,
    cells_reference,
)
from simrisk.kinds.contract.analytic import success_probabilities
from simrisk.kinds.contract.inputs import build_inputs
from simrisk.kinds.contract.simulate import (
    RunSpec,
    _empty_outputs,
    draw_parameters,
    make_fill,
    resolve_aggregate,
)
from tests.conftest import DSI_CONFIG

SLOW = bool(os.environ.get("SIMRISK_SLOW"))


def _scenario(tmp_path, referred):
    from simrisk.kinds.contract.loader import load_scenario

    text = re.sub(r"(?m)^referred = 700\b", f"referred = {referred}", DSI_CONFIG.read_text())
    path = tmp_path / f"dsi_{referred}.toml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)[0]


def _run(inp, draws, seed, fixed, aggregate):
    spec = RunSpec(draws=draws, seed=seed, chunk_size=draws, fixed_parameters=fixed)
    out = _empty_outputs(inp, draws)
    make_fill(inp, spec, aggregate)(0, draws, out)
    return out


# ----------------------------------------------------------------- numerics

_plain_quantile = binomial_quantile


@pytest.mark.parametrize(
    "h,k,r",
    [
        (0.3, -0.2, 0.0),
        (0.3, -0.2, 0.25),
        (-1.1, 0.7, 0.6),
        (1.5, 2.0, 0.9),
        (0.4, -0.3, 0.95),
        (-0.4, -0.3, -0.95),
        (0.2, 0.1, -0.5),
        (-3.0, 2.5, 0.99),
        (math.inf, 0.3, 0.5),
        (-math.inf, 0.3, 0.5),
    ],
)
def test_bivariate_normal_cdf_matches_quadrature(h, k, r):
    assert bvn_cdf(h, k, r) == pytest.approx(bvn_cdf_reference(h, k, r), abs=1e-12)


def _with_tables(size=150_001):
    lg = np.empty(size)
    lgamma_table(lg)
    rec = np.empty(size)
    reciprocal_table(rec)
    return lambda n, p, u: _binomial_quantile_lg(n, p, u, lg, rec)


# without tables, and with the kernel's: log-gammas from a table, the pmf sums'
# ratios by the table of 1 / i
QUANTILES = pytest.mark.parametrize("tables", [False, True], ids=["computed", "tables"])


@QUANTILES
def test_binomial_quantile_is_the_exact_inverse(rng, tables):
    # On random (n, p) and 32-bit uniforms, as the kernel draws them: scipy's
    # exact quantile, and increasing in u.
    binomial_quantile = _with_tables() if tables else _plain_quantile
    for _ in range(300):
        n = int(rng.integers(0, 40_000))
        p = float(rng.choice([rng.random(), rng.random() * 0.01, 1 - rng.random() * 0.01]))
        u = (rng.integers(0, 2**32, size=8) + 0.5) / 2**32
        u.sort()
        got = [binomial_quantile(n, p, x) for x in u]
        want = stats.binom.ppf(u, n, p)
        assert got == list(want.astype(int)), (n, p)
        assert all(a <= b for a, b in itertools.pairwise(got))


@QUANTILES
def test_binomial_quantile_is_exact_in_the_tails(rng, tables):
    # Uniforms within 1e-4 of 0 or 1 on large n: the fast search's start can lie
    # beyond the quantile (the step below it must be decided too), and a CDF
    # near 1 summed from the far end would carry the log-gamma pmf's relative
    # error (about 1e-10 at n = 1e5) as an absolute one. Both went wrong before.
    binomial_quantile = _with_tables() if tables else _plain_quantile
    for _ in range(150):
        n = int(rng.integers(500, 150_000))
        p = float(rng.choice([rng.random(), rng.random() * 0.02, 1 - rng.random() * 0.02]))
        lo = (rng.integers(0, 2**32 // 10_000, size=4) + 0.5) / 2**32
        u = np.sort(np.concatenate([lo, 1.0 - lo]))
        got = [binomial_quantile(n, p, x) for x in u]
        want = stats.binom.ppf(u, n, p)
        assert got == list(want.astype(int)), (n, p)
    # the cases found: a start above the quantile, and F near 1 at n = 27,311
    assert binomial_quantile(990, 0.6696414555078577, 0.9999931390630081) == 726
    assert binomial_quantile(27311, 0.8454190117565922, 8.160190191119909e-05) == 22862


def test_cell_probabilities_match_the_reference_and_the_marginals(dsi_scenario, rng):
    inp = build_inputs(dsi_scenario)
    key, _ = key_from_seed(4)
    params = draw_parameters(inp, 0, 20, key, False)
    for pr in params:
        e1, e0, zero = [], [], []
        for g in inp.res_goals:
            ix = inp.pidx[g]
            e1.append((inp.log_keep[g] - pr[ix[0]] - pr[ix[1]]) / pr[ix[2]])
            e0.append((inp.log_keep[g] - pr[ix[0]]) / pr[ix[2]])
            zero.append(pr[ix[3]])
        prob = np.zeros(13)
        state = np.zeros((13, 2), np.int64)
        K = cell_probabilities(np.array(e1), np.array(e0), np.array(zero), pr[2], 2, prob, state)
        ref_p, ref_s = cells_reference(e1, e0, zero, pr[2])
        assert K == 13
        np.testing.assert_allclose(prob, ref_p, atol=1e-12)
        np.testing.assert_array_equal(state, ref_s)
        assert prob.sum() == pytest.approx(1.0, abs=1e-12)
        # each goal's success and deadweight marginals are the closed form's
        p1, p0 = success_probabilities(inp, pr)
        for k, g in enumerate(inp.res_goals):
            zs = inp.zero_success[g]
            st = state[:, k]
            caused = e1[k] > e0[k]
            succ = prob[st == 0].sum() * zs + prob[st == 1].sum() + caused * prob[st == 2].sum()
            assert succ == pytest.approx(p1[g], abs=1e-12)
            assert prob[st == 0].sum() * zs + prob[st == 1].sum() == pytest.approx(
                min(p1[g], p0[g]), abs=1e-12
            )


# ------------------------------------------------- against the per-citizen kernel


def _two_sample(name, a, b, alpha=1e-4):
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    if se > 0:
        assert abs(a.mean() - b.mean()) <= 4 * se, f"{name}: means {a.mean()} vs {b.mean()}"

    def sd_se(x):
        m4 = np.mean((x - x.mean()) ** 4)
        v = x.var()
        return math.sqrt(max(m4 - v * v, 0.0) / x.size) / (2 * math.sqrt(v)) if v > 0 else 0.0

    se_sd = math.hypot(sd_se(a), sd_se(b))
    if se_sd > 0:
        assert abs(a.std() - b.std()) <= 4 * se_sd, f"{name}: SDs {a.std()} vs {b.std()}"
    ks = stats.ks_2samp(a, b)
    crit = math.sqrt(-math.log(alpha / 2) / 2) * math.sqrt((a.size + b.size) / (a.size * b.size))
    # counts are discrete: ties make KS conservative, never anti-conservative
    assert ks.statistic <= crit, f"{name}: KS {ks.statistic:.4f} > {crit:.4f}"


def _compare(per, agg, inp):
    goals = range(inp.n_goals)
    _two_sample("measured", per["measured"].sum(1), agg["measured"].sum(1))
    for c in range(per["measured"].shape[1]):
        _two_sample(f"measured[{c}]", per["measured"][:, c], agg["measured"][:, c])
    for g in goals:
        for what in ("successes", "deadweight"):
            _two_sample(f"{what}[{g}]", per[what][:, :, g].sum(1), agg[what][:, :, g].sum(1))
    _two_sample("successes[c0, region]", per["successes"][:, 0, 0], agg["successes"][:, 0, 0])
    _two_sample("repaid", per["repaid"].sum((1, 2)), agg["repaid"].sum((1, 2)))
    _two_sample("npv", per["npv"], agg["npv"])
    _two_sample("irr", per["irr"], agg["irr"])
    for a in range(per["saving"].shape[1]):
        _two_sample(f"saving[{a}]", per["saving"][:, a], agg["saving"][:, a])
    # the correlation of the two authorities' goals survives aggregation
    r_per = np.corrcoef(per["successes"][:, :, 0].sum(1), per["successes"][:, :, 1].sum(1))[0, 1]
    r_agg = np.corrcoef(agg["successes"][:, :, 0].sum(1), agg["successes"][:, :, 1].sum(1))[0, 1]
    n = per["npv"].shape[0]
    assert abs(r_per - r_agg) <= 4 * math.sqrt(2 * (1 - r_per**2) ** 2 / n)


CASES = [(700, False, 3000), (700, True, 3000), (7000, False, 1500)]
if SLOW:
    CASES = [(700, False, 20000), (700, True, 20000), (7000, False, 8000), (7000, True, 8000)]


@pytest.mark.parametrize("referred,fixed,draws", CASES)
def test_aggregated_path_matches_the_per_citizen_kernel_in_distribution(
    tmp_path, referred, fixed, draws
):
    inp = build_inputs(_scenario(tmp_path, referred))
    per = _run(inp, draws, 101, fixed, False)
    agg = _run(inp, draws, 202, fixed, True)
    _compare(per, agg, inp)


def test_aggregated_kernel_matches_its_numpy_reference(dsi_scenario, rng):
    inp = build_inputs(dsi_scenario)
    key, _ = key_from_seed(9)
    draws = 1500
    params = draw_parameters(inp, 0, draws, key, False)
    spec = RunSpec(draws=draws, seed=9, chunk_size=draws)
    out = _empty_outputs(inp, draws)
    make_fill(inp, spec, True)(0, draws, out)
    ref = aggregate_counts_reference(inp, params.astype(np.float32).astype(float), rng)
    for what in ("successes", "deadweight"):
        for g in range(inp.n_goals):
            _two_sample(f"{what}[{g}]", out[what][:, :, g].sum(1), ref[what][:, :, g].sum(1))
    _two_sample("measured[0]", out["measured"][:, 0], ref["measured"][:, 0])
    saving = np.einsum("nca,ca->na", ref["saving_cg"][:, :, inp.auth_goal], inp.saving_factor)
    for a in range(saving.shape[1]):
        _two_sample(f"saving[{a}]", out["saving"][:, a], saving[:, a])


def test_aggregated_measured_total_equals_the_per_citizen_kernel_draw_by_draw(dsi_scenario):
    # the same uniform, the same inversion: referred and the measured total agree
    inp = build_inputs(dsi_scenario)
    per = _run(inp, 500, 5, False, False)
    agg = _run(inp, 500, 5, False, True)
    np.testing.assert_array_equal(per["referred"], agg["referred"])
    np.testing.assert_array_equal(per["measured"].sum(1), agg["measured"].sum(1))


def test_the_log_gamma_table_changes_no_count(tmp_path, monkeypatch):
    # The table of lgamma(i + 1) holds the values the kernel would compute, and the
    # pmf sums with the table of 1 / i (from 256 trials on: here at 20,000 referred)
    # differ from the blocks with a division only in rounding: with the tables and
    # without them the outputs are the same, bit for bit.
    from simrisk.kinds.contract import _aggregate

    for referred in (700, 20_000):
        inp = build_inputs(_scenario(tmp_path, referred))
        key, _ = key_from_seed(17)
        params = draw_parameters(inp, 0, 300, key, False)
        with_table = _empty_outputs(inp, 300)
        _aggregate.run_aggregate(inp, 0, params, key, with_table)
        assert _aggregate._LG[0].shape[0] > 0.9 * referred
        monkeypatch.setattr(_aggregate, "_LG", [np.empty(0), np.empty(0)])
        monkeypatch.setattr(_aggregate, "LG_TABLE_MAX", 0)
        without = _empty_outputs(inp, 300)
        _aggregate.run_aggregate(inp, 0, params, key, without)
        assert _aggregate._LG[0].shape[0] == 0
        monkeypatch.undo()
        for name in ("referred", "measured", "successes", "deadweight", "repaid", "npv", "irr"):
            np.testing.assert_array_equal(with_table[name], without[name], err_msg=name)


def test_common_random_numbers_couple_aggregated_scenarios(tmp_path):
    # Two scenarios that differ in goal 1's effect, the same seed: the counts are
    # quantile-coupled, so the paired difference varies far less than the
    # difference of independent runs.
    from simrisk.kinds.contract.loader import load_scenario

    text = DSI_CONFIG.read_text()
    a_path = tmp_path / "a.toml"
    a_path.write_text(text, encoding="utf-8")
    inp_a = build_inputs(load_scenario(a_path)[0])
    inp_b = build_inputs(load_scenario(a_path)[0])
    k = list(inp_b.space.names).index("region_use.effect")
    draws = 2000
    spec = RunSpec(draws=draws, seed=3, chunk_size=draws)
    outs = []
    for inp, shift in ((inp_a, 0.0), (inp_b, -0.05)):
        out = _empty_outputs(inp, draws)
        fill = make_fill(inp, spec, True)
        key, _ = key_from_seed(3)
        params = draw_parameters(inp, 0, draws, key, False)
        params[:, k] += shift
        from simrisk.kinds.contract._aggregate import run_aggregate

        out["parameters"][...] = params
        run_aggregate(inp, 0, params, key, out)
        outs.append(out)
        del fill
    a, b = (o["successes"][:, :, 0].sum(1).astype(float) for o in outs)
    assert (b >= a).mean() > 0.99  # a larger effect never loses successes, but for ties
    paired = np.std(b - a)
    independent = math.sqrt(a.var() + b.var())
    assert paired < independent / 5


def test_fall_back_and_refusal(dsi_scenario):
    inp = build_inputs(dsi_scenario)
    assert unsupported(inp) == []
    assert resolve_aggregate(inp, None) == (False, None)  # 700 referred: below the default
    assert resolve_aggregate(inp, True) == (True, None)

    class Three:
        def __getattr__(self, name):
            return getattr(inp, name)

        n_res = 3

    three = Three()
    assert "3 resource_use_fall goals" in unsupported(three)[0]
    with pytest.raises(SimriskError, match="--aggregate: the aggregated path does not model"):
        resolve_aggregate(three, True)
    assert resolve_aggregate(three, False) == (False, None)

    class BigThree(Three):
        contract = type("C", (), {"referred": 5_000})

    # above the default's population: the per-citizen kernel, with a one-line note
    assert resolve_aggregate(BigThree(), None) == (
        False,
        "per-citizen kernel: the aggregated path does not model "
        "3 resource_use_fall goals (at most 2)",
    )


# ------------------------------------------ parameter tables cached between processes


def test_inverse_cdf_tables_come_back_from_the_cache_bit_for_bit(tmp_path, monkeypatch):
    from simrisk.core import priors
    from simrisk.kinds.contract.loader import load_scenario

    monkeypatch.setenv("SIMRISK_CACHE_DIR", str(tmp_path / "cache"))
    scenario, _ = load_scenario(DSI_CONFIG)
    built = [t for t in build_inputs(scenario).space.tables if t is not None]
    files = sorted((tmp_path / "cache" / "tables").glob("*.npy"))
    assert len(files) == len(built) > 0
    calls = []
    monkeypatch.setattr(priors, "_build_table", lambda p: calls.append(p) or None)
    cached = [t for t in build_inputs(scenario).space.tables if t is not None]
    assert calls == []  # nothing rebuilt: scipy.stats is not needed
    for a, b in zip(built, cached, strict=True):
        assert a.tobytes() == b.tobytes()
    # a damaged file is rebuilt; an empty SIMRISK_CACHE_DIR turns the cache off
    files[0].write_bytes(b"not a table")
    monkeypatch.undo()
    monkeypatch.setenv("SIMRISK_CACHE_DIR", str(tmp_path / "cache"))
    again = [t for t in build_inputs(scenario).space.tables if t is not None]
    assert [a.tobytes() for a in again] == [a.tobytes() for a in built]
    monkeypatch.setenv("SIMRISK_CACHE_DIR", "")
    assert priors._table_path(scenario.model.retention) is None


# ------------------------------------------------------------------------ the CLI


def test_run_aggregate_flag_and_its_summary_fed_while_writing(tmp_path):
    import json

    from tests.conftest import ROOT, run_cli

    out = tmp_path / "agg.nc"
    done = run_cli("run", DSI_CONFIG, "--aggregate", "--draws", 2000, "--out", out, "--json")
    assert done.returncode == 0, done.stderr
    fed = json.loads(done.stdout)
    again = run_cli("summary", out, "--json")
    assert again.returncode == 0, again.stderr
    # the summary fed from the chunks as they were written is the file's, bit for bit
    assert fed == json.loads(again.stdout)
    from simrisk.core.dataset import open_result

    ds = open_result(out)
    assert ds.attrs["aggregated"] == 1
    wellby = run_cli("run", ROOT / "configs" / "opi_aims_wellby.toml", "--aggregate", "--out", "-")
    assert wellby.returncode == 2
    assert wellby.stderr.strip().splitlines() == [
        f"simrisk run: error: --aggregate: only for a contract config; "
        f"{ROOT / 'configs' / 'opi_aims_wellby.toml'} is a wellby"
    ]


def test_compare_takes_one_path_for_every_scenario(tmp_path):
    # Scenarios of a comparison share common random numbers only on the same path:
    # aggregated when every one of them would be by default, else per-citizen.
    from simrisk.decision._engine import simulate_scenarios

    big = []
    for name, referred in (("a", 5000), ("b", 6000)):
        text = re.sub(r"(?m)^referred = 700\b", f"referred = {referred}", DSI_CONFIG.read_text())
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        big.append(str(path))
    got = simulate_scenarios(big, 400, 3)
    assert [ds.attrs.get("aggregated") for _, ds in got] == [1, 1]
    mixed = simulate_scenarios([big[0], str(DSI_CONFIG)], 400, 3)
    assert [ds.attrs.get("aggregated") for _, ds in mixed] == [None, None]
