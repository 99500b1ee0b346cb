"""The bounded-memory summary (issue 15): block-wise statistics equal the in-memory ones.

The references are plain numpy on the whole array (``np.sort``,
``np.quantile``, ``np.array_split``) and a copy of the exact bootstrap SE as it
was before the streaming summary (``_quantile_se_before``), so nothing here
compares the code under test with itself. Quantiles and their SEs must be
identical (they are order statistics and a fixed sum over them); means and
SDs agree to 1e-12 relative (a different order of summation).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import betainc

from simrisk.core.summary import (
    Source,
    count_codes,
    describe,
    describe_source,
    expected_shortfall,
    expected_shortfall_source,
    mean_sd,
    prob_source,
    quantile_se,
    quantile_se_window,
    ratio_of_means,
)

PS = (0.05, 0.5, 0.95)


def _quantile_se_before(sorted_x, p):
    # quantile_se as it was before issue 15 (whole sorted sample), kept as the reference.
    n = int(sorted_x.shape[0])
    if n < 2:
        return float("nan")
    k = min(max(int(round((n - 1) * p)) + 1, 1), n)
    half = int(math.ceil(10.0 * math.sqrt(n * p * (1 - p)))) + 10
    lo, hi = max(k - half, 1), min(k + half, n)
    j = np.arange(lo - 1, hi + 1, dtype=np.float64)
    w = np.diff(betainc(k, n - k + 1, np.clip(j / n, 0.0, 1.0)))
    w /= w.sum()
    x = sorted_x[lo - 1 : hi].astype(np.float64)
    x = x - x[k - lo]
    mean = float(w @ x)
    return math.sqrt(max(float(w @ (x - mean) ** 2), 0.0))


def _describe_numpy(x):
    # describe() with plain numpy: finite values, np.sort, np.quantile, np.std.
    xs = np.sort(np.asarray(x, dtype=np.float64)[np.isfinite(x)])
    if xs.size == 0:
        return {"n": 0}
    sd = float(xs.std(ddof=1)) if xs.size > 1 else 0.0
    out = {"n": xs.size, "mean": float(xs.mean()), "sd": sd, "mean_se": sd / math.sqrt(xs.size)}
    for p in PS:
        out[f"p{round(100 * p)}"] = float(np.quantile(xs, p))
        out[f"p{round(100 * p)}_se"] = _quantile_se_before(xs, p)
    return out


def _assert_same(got, want, exact_quantiles=True, x=None):
    # Means and SDs: 1e-12 relative, or 1e-12 of the largest |value| when the
    # spread is so small against it that the summation order shows (rounding
    # of x - mean is eps |x| whichever way the sums run).
    scale = 0.0
    if x is not None and np.isfinite(x).any():
        scale = float(np.abs(np.asarray(x, dtype=np.float64)[np.isfinite(x)]).max())
    assert got.keys() == want.keys()
    for k, w in want.items():
        g = got[k]
        if k == "n":
            assert g == w
        elif k.startswith("p") and exact_quantiles:
            assert g == w or (math.isnan(g) and math.isnan(w)), (k, g, w)
        elif k.startswith("p") and not k.endswith("_se"):
            # np.quantile interpolates from the upper neighbour when t >= 0.5: last-bit
            assert g == pytest.approx(w, rel=1e-13, abs=1e-300), k
        elif k.endswith("_se") and k != "mean_se":
            assert g == w or (math.isnan(g) and math.isnan(w)), (k, g, w)
        else:
            assert g == pytest.approx(w, rel=1e-12, abs=1e-12 * scale + 1e-300, nan_ok=True), k


def _src(x, block):
    return Source(lambda a, b: x[a:b], x.shape[0], block)


# ---------------------------------------------------------------- awkward inputs


def _awkward(rng, n):
    return {
        "continuous": rng.standard_normal(n),
        "heavy atoms": rng.binomial(30, 0.3, n).astype(np.float64),
        "mostly zero": np.where(rng.random(n) < 0.9, 0.0, rng.exponential(1e6, n)),
        "capped": np.minimum(rng.binomial(700, 0.3, n) * 24_220.0, 5_680_000.0),
        "all equal": np.full(n, -2.5),
        "non-finite mixed": np.where(
            rng.random(n) < 0.05,
            rng.choice([np.nan, np.inf, -np.inf], n),
            rng.standard_normal(n),
        ),
        "very skewed": np.exp(rng.standard_normal(n) * 30.0),
        "two atoms far apart": np.where(rng.random(n) < 0.5, -1e150, 1e150),
        "tiny spread": 1.0 + np.arange(n) % 7 * np.finfo(float).eps,
    }


@pytest.mark.parametrize("block", [1, 997, 4096])
def test_describe_streaming_equals_numpy_on_awkward_inputs(rng, block):
    # n = 50,001 (not a multiple of any block): windows narrower than n, so the
    # streaming selection refines, for every block size.
    for x in _awkward(rng, 50_001 if block > 1 else 3_001).values():
        want = _describe_numpy(x)
        got = describe_source(_src(x, block))
        _assert_same(got, describe(x), x=x)  # identical to the in-memory path
        _assert_same(got, want, exact_quantiles=False, x=x)


def test_describe_in_memory_equals_numpy(rng):
    for x in _awkward(rng, 20_000).values():
        _assert_same(describe(x), _describe_numpy(x), exact_quantiles=False, x=x)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(
        st.one_of(
            st.sampled_from([0.0, 1.0, -3.0, 1e12, np.nan, np.inf, -np.inf]),
            st.floats(-1e6, 1e6),
        ),
        min_size=0,
        max_size=40,
    ),
    repeat=st.integers(1, 120),
    block=st.integers(1, 64),
    data=st.data(),
)
def test_describe_streaming_property(values, repeat, block, data):
    # A few values repeated into ties, shuffled; blocks of 1 to 64 draws.
    x = np.array(values * repeat, dtype=np.float64)
    perm = data.draw(st.permutations(range(x.size))) if x.size <= 400 else None
    if perm is not None:
        x = x[list(perm)]
    got = describe_source(_src(x, block))
    _assert_same(got, describe(x), x=x)
    _assert_same(got, _describe_numpy(x), exact_quantiles=False, x=x)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 21])
def test_describe_tiny(n, rng):
    x = rng.standard_normal(n)
    for block in (1, 2, 64):
        got = describe_source(_src(x, block))
        _assert_same(got, describe(x), x=x)


def test_quantile_se_window_equals_the_whole_sorted_sample(rng):
    for x in _awkward(rng, 10_001).values():
        xs = np.sort(x[np.isfinite(x)])
        n = xs.size
        for p in (0.01, 0.05, 0.5, 0.95):
            full = _quantile_se_before(xs, p)
            assert quantile_se(xs, p) == full or math.isnan(full)
            for lo in (1, 100):  # any window that covers the SE's ranks
                k = int(round((n - 1) * p)) + 1
                half = int(math.ceil(10 * math.sqrt(n * p * (1 - p)))) + 10
                a, b = max(k - half, 1), min(k + half, n)
                lo = min(lo, a)
                w = xs[lo - 1 : b + 5]
                got = quantile_se_window(w, lo, n, p)
                assert got == full or (math.isnan(got) and math.isnan(full))


def test_quantile_se_window_refuses_a_short_window():
    xs = np.arange(1000.0)
    with pytest.raises(ValueError, match="do not cover"):
        quantile_se_window(xs[400:600], 401, 1000, 0.5)


def test_streaming_quantiles_do_not_depend_on_the_block_size(rng):
    x = np.round(rng.lognormal(10, 2, 100_003), -3)  # a skewed lattice
    ref = describe(x)
    for block in (1000, 4096, 65_536, 100_003):
        got = describe_source(_src(x, block))
        for k in ("p5", "p50", "p95", "p5_se", "p50_se", "p95_se"):
            assert got[k] == ref[k]


# ------------------------------------------------- other block-wise statistics


def _es_numpy(x, alpha):
    var = float(np.quantile(x, alpha))
    es = float(x[x <= var].mean())
    batch = [
        float(b[b <= np.quantile(b, alpha)].mean()) for b in np.array_split(x, min(20, x.shape[0]))
    ]
    se = float(np.std(batch, ddof=1) / math.sqrt(len(batch))) if len(batch) > 1 else math.nan
    return var, es, se


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.5])
def test_expected_shortfall_streaming_equals_numpy(rng, alpha):
    data = _awkward(rng, 40_007)
    data.pop("non-finite mixed")
    data["with +inf"] = np.where(rng.random(40_007) < 0.01, np.inf, rng.standard_normal(40_007))
    for name, x in data.items():
        want = _es_numpy(x, alpha)
        assert expected_shortfall(x, alpha)[0] == want[0], name
        for block in (1000, 4096):
            var, es, se = expected_shortfall_source(_src(x, block), alpha)
            assert var == want[0], name  # np.quantile to the last bit
            assert es == pytest.approx(want[1], rel=1e-12), name
            assert se == pytest.approx(want[2], rel=1e-12, nan_ok=True), name


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # each batch's empty mean, as before
def test_expected_shortfall_of_nan_is_nan(rng):
    x = rng.standard_normal(10_000)
    x[17] = np.nan
    var, es, _ = expected_shortfall_source(_src(x, 512), 0.05)
    assert math.isnan(var) and math.isnan(es)


def test_mean_sd_prob_ratio_counts(rng):
    n = 30_011
    y = rng.gamma(2.0, 1e5, n)
    x = rng.poisson(40, n).astype(np.float64)
    codes = rng.choice([-1, 0, 3, 7], n, p=[0.01, 0.9, 0.05, 0.04]).astype(np.int8)
    for block in (1, 1000, n):
        m, sd = mean_sd(_src(y, block))
        assert m == pytest.approx(y.mean(), rel=1e-12)
        assert sd == pytest.approx(y.std(ddof=1), rel=1e-12)
        p, p_se = prob_source(_src(y < 2e5, block))
        assert p == (y < 2e5).mean()
        assert p_se == math.sqrt(p * (1 - p) / n)
        r, r_se = ratio_of_means(_src(y, block), _src(x, block))
        assert r == pytest.approx(y.mean() / x.mean(), rel=1e-12)
        want_se = (y - r * x).std(ddof=1) / math.sqrt(n) / x.mean()
        assert r_se == pytest.approx(want_se, rel=1e-9)
        want = dict(zip(*[v.tolist() for v in np.unique(codes, return_counts=True)], strict=True))
        assert count_codes(_src(codes, block)) == want
    assert all(math.isnan(v) for v in ratio_of_means(y, -x))


def test_source_refuses_wrong_blocks():
    with pytest.raises(ValueError, match="block_size"):
        Source(lambda a, b: np.zeros(b - a), 10, 0)
    bad = Source(lambda a, b: np.zeros(3), 10, 4)
    with pytest.raises(ValueError, match="shape"):
        describe_source(bad)


def test_a_series_that_changes_between_passes_is_refused(rng):
    x = rng.standard_normal(20_000)
    calls = {"n": 0}

    def block(a, b):
        calls["n"] += 1
        return x[a:b] + (calls["n"] > 20) * 100.0  # moves after the first pass

    with pytest.raises(RuntimeError, match="changed between passes"):
        describe_source(Source(block, x.size, 1000))


# ------------------------------------------------------- the contract summary


def _flat(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flat(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def _assert_summaries_equal(got, want):
    g, w = dict(_flat(got)), dict(_flat(want))
    assert g.keys() == w.keys()
    for k, wv in w.items():
        gv = g[k]
        tail = k.rsplit(".", 1)[-1]
        if isinstance(wv, float) and not (tail.startswith("p") or tail.startswith("var5")):
            assert gv == pytest.approx(wv, rel=1e-12, abs=1e-300, nan_ok=True), k
        else:
            assert gv == wv or (gv != gv and wv != wv), (k, gv, wv)


@pytest.fixture(scope="module")
def dsi_run(dsi_scenario, tmp_path_factory):
    from simrisk.core.dataset import write_netcdf
    from simrisk.kinds.contract.simulate import simulate

    ds = simulate(dsi_scenario, draws=30_000, seed=11)
    path = tmp_path_factory.mktemp("ssum") / "run.nc"
    write_netcdf(ds, path)
    return ds, path


def test_summarize_lazy_file_equals_in_memory(dsi_run):
    from simrisk.kinds.contract.summary import summarize

    ds, path = dsi_run
    want = summarize(ds)  # 30,000 draws: one block, sorted as before
    with xr.open_dataset(path, engine="h5netcdf", cache=False) as lazy:
        got = summarize(lazy, block_size=4096)
    _assert_summaries_equal(got, want)
    _assert_summaries_equal(summarize(ds, block_size=4096), want)


def test_summarize_reads_the_file_only_in_blocks(dsi_run, monkeypatch):
    # Every read of a per-draw variable from the file spans at most one block.
    from xarray.backends import h5netcdf_

    from simrisk.kinds.contract.summary import summarize

    _, path = dsi_run
    spans = []
    real = h5netcdf_.H5NetCDFArrayWrapper._getitem

    def spy(self, key):
        out = real(self, key)
        if self.variable_name != "draw" and self.shape and self.shape[0] == 30_000:
            spans.append(out.shape[0] if out.ndim else 1)
        return out

    monkeypatch.setattr(h5netcdf_.H5NetCDFArrayWrapper, "_getitem", spy)
    with xr.open_dataset(path, engine="h5netcdf", cache=False) as lazy:
        summarize(lazy, block_size=4096)
    assert spans and max(spans) <= 4096


def test_summarize_equals_numpy_on_loaded_arrays(dsi_run):
    # Today's figures recomputed with plain numpy on the whole arrays.
    from simrisk.kinds.contract.summary import summarize

    ds, path = dsi_run
    with xr.open_dataset(path, engine="h5netcdf", cache=False) as lazy:
        s = summarize(lazy, block_size=4096)
    n = ds.sizes["draw"]
    npv = ds["npv"].values.astype(np.float64)
    irr = ds["irr"].values.astype(np.float64)
    capital = float(ds.attrs["capital"])
    received = ds["repayments_total"].values.astype(np.float64)
    if "payments_by_payer" in ds:
        received = ds["payments_by_payer"].values.sum(axis=1, dtype=np.float64)
    _assert_same(s["npv"], _describe_numpy(npv), exact_quantiles=False)
    _assert_same(s["irr"], _describe_numpy(irr), exact_quantiles=False)
    _assert_same(s["moic"], _describe_numpy(ds["moic"].values), exact_quantiles=False)
    assert s["p_loss_nominal"] == np.mean(received < capital)
    assert s["p_npv_negative"] == np.mean(npv < 0)
    var, es, es_se = _es_numpy(npv, 0.05)
    assert s["var5_npv"] == var
    assert s["es5_npv"] == pytest.approx(es, rel=1e-12)
    assert s["es5_npv_se"] == pytest.approx(es_se, rel=1e-12)
    assert s["var5_npv_se"] == _quantile_se_before(np.sort(npv), 0.05)
    assert s["irr_undefined"]["share"] == pytest.approx(1 - np.isfinite(irr).mean(), abs=0)
    status = ds["irr_status"].values
    reasons = {int(c): int((status == c).sum()) for c in np.unique(status)}
    assert sum(s["irr_undefined"]["reasons"].values()) == sum(
        k for c, k in reasons.items() if not np.isfinite(irr[status == c]).all()
    )
    meas = ds["measured"].values.sum(axis=1, dtype=np.float32)
    for j, g in enumerate(ds["goal"].values):
        succ = ds["successes"].values[:, :, j].sum(axis=1, dtype=np.float32)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = succ / meas
        _assert_same(
            {k: v for k, v in s["success_rate"][str(g)].items() if k in _describe_numpy(rate)},
            _describe_numpy(rate),
            exact_quantiles=False,
        )
    goal_payer = list(ds["goal_payer"].values)
    for a in ds["authority"].values:
        d = s["net_saving"]["modelled"][str(a)]
        j = goal_payer.index(str(a))
        paid = ds["authority_repayments_pv"].sel(authority=a).values.astype(np.float64)
        caused = ds["successes"].values[:, :, j].sum(axis=1, dtype=np.float64) - ds[
            "deadweight_successes"
        ].values[:, :, j].sum(axis=1, dtype=np.float64)
        r = paid.mean() / caused.mean()
        assert d["cost_per_caused_success"] == pytest.approx(r, rel=1e-12)
        se = (paid - r * caused).std(ddof=1) / math.sqrt(n) / caused.mean()
        assert d["cost_per_caused_success_se"] == pytest.approx(se, rel=1e-9)
        net = ds["authority_net_saving_modelled"].sel(authority=a).values
        assert d["p_negative"] == np.mean(net < 0)


def test_streaming_memory_does_not_grow_with_the_draws():
    # 2,000,000 draws (16 MB as float64) generated block by block: describe may
    # hold a few blocks and the quantile windows (which grow as sqrt(n)), never
    # the series (a strided view of a block kept as a sample once held every
    # block alive); the shortfall also holds one batch of n / 20 draws.
    import tracemalloc

    def block(a, b):
        x = np.random.default_rng(a).standard_normal(b - a)
        x[::97] = np.floor(x[::97])  # some atoms
        return x

    n = 2_000_000
    src = Source(block, n, 16_384)
    peaks = []
    for stat in (describe_source, lambda s: expected_shortfall_source(s, 0.05)):
        tracemalloc.start()
        try:
            stat(src)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[0] < 2.5e6  # bytes, against 16e6 for the series
    assert peaks[1] < 2.5e6 + 3 * 8 * n / 20
