"""The penalised regression spline, cross-fitted EVPPI and the correlation ratio's interval.

Simulation studies (marked slow; a short form runs by default, the full form
with SIMRISK_SLOW=1): on toys with known answers, the share of replications
whose 95% interval contains the truth must lie within 2 SE of 95%
(SE = sqrt(0.95 x 0.05 / R)). The full forms use >= 200 replications.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from scipy import stats
from scipy.interpolate import BSpline

from simrisk.core.regression import _basis, fit_spline, smooth
from simrisk.core.voi import evppi, voi_dataset
from simrisk.decision.sensitivity import correlation_ratio

SLOW = bool(os.environ.get("SIMRISK_SLOW"))


def _coverage_ok(hits: int, reps: int, nominal: float = 0.95) -> bool:
    se = math.sqrt(nominal * (1 - nominal) / reps)
    return abs(hits / reps - nominal) <= 2 * se


def _evppi_linear(a, s):
    """E[max(a + s Z, 0)] - max(a, 0) for Z standard normal."""
    return a * stats.norm.cdf(a / s) + s * stats.norm.pdf(a / s) - max(a, 0)


# --- the spline ---------------------------------------------------------------------------------


def test_basis_equals_scipys_bspline_design_matrix():
    rng = np.random.default_rng(1)
    x = rng.gamma(2.0, size=3000)
    lo, hi = x.min(), x.max()
    inner = np.quantile(x, np.linspace(0, 1, 18)[1:-1])
    t = np.concatenate([[lo] * 4, inner, [hi] * 4])
    ref = BSpline.design_matrix(x, t, 3).toarray()
    np.testing.assert_allclose(_basis(x, lo, hi, inner), ref, atol=1e-13)
    # Outside [lo, hi] a point is clipped to the end.
    ends = _basis(np.array([lo - 1, hi + 1]), lo, hi, inner)
    assert ends[0, 0] == 1 and ends[1, -1] == 1


def test_smooth_recovers_a_known_curve_and_gcv_keeps_a_line_straight():
    rng = np.random.default_rng(2)
    n = 20_000
    x = rng.uniform(-2, 2, n)
    truth = np.sin(2 * x)
    y = truth + 0.5 * rng.normal(size=n)
    fitted, edf = smooth(x, y)
    # Error of the fit well below the noise's SD over sqrt(edf / n) x 4.
    assert np.sqrt(np.mean((fitted - truth) ** 2)) < 4 * 0.5 * math.sqrt(edf / n)
    assert 5 < edf < 20
    # A straight line: GCV takes the penalty to its limit, edf about 2.
    _, edf_line = smooth(x, 3 * x + rng.normal(size=n))
    assert edf_line < 3.5
    # Several responses at once, each with its own smoothing parameter (a noisy line: on a
    # noiseless one every penalty fits exactly and GCV's choice is rounding noise).
    f2, e2 = smooth(x, np.column_stack([y, 3 * x + rng.normal(size=n)]))
    assert f2.shape == (n, 2) and e2[1] < e2[0]


def test_group_spline_fits_an_interaction():
    rng = np.random.default_rng(3)
    n = 30_000
    X = rng.normal(size=(n, 2))
    truth = X[:, 0] * X[:, 1]
    y = truth + rng.normal(size=n)
    fit = fit_spline(X, y)
    resid = fit.predict(X)[:, 0] - truth
    assert np.sqrt(np.mean(resid**2)) < 0.1
    # The additive model cannot: its error is about the interaction's SD.
    add = fit_spline(X, y, interactions=False)
    assert np.sqrt(np.mean((add.predict(X)[:, 0] - truth) ** 2)) > 0.8


# --- EVPPI ---------------------------------------------------------------------------------------


def test_evppi_with_four_alternatives_matches_a_closed_form():
    # NB = (0, x, -x, x/2 - 1): max is |x| (x/2 - 1 < |x| always), EVPPI(x) = E|x| = sqrt(2/pi).
    rng = np.random.default_rng(4)
    n = 20_000
    x = rng.normal(size=n)
    e = 0.5 * rng.normal(size=(n, 3))
    nb = np.column_stack([np.zeros(n), x + e[:, 0], -x + e[:, 1], x / 2 - 1 + e[:, 2]])
    r = evppi(nb, x, seed=1)
    assert abs(r["value"] - math.sqrt(2 / math.pi)) < 4 * r["se"]


def test_a_group_is_never_below_its_members():
    rng = np.random.default_rng(5)
    n = 4000
    X = rng.normal(size=(n, 3))
    nb = np.column_stack([np.zeros(n), 0.05 + 0.4 * X[:, 0] + rng.normal(size=n)])
    groups = {f"g{k}": ["a", "b", "c"][: k + 2] for k in range(2)}
    v = voi_dataset(nb, X, ["a", "b", "c"], groups, ["no", "yes"], n_post=20, seed=0)
    ev = dict(zip(map(str, v["target"].values), v["evppi"].values, strict=True))
    for g, members in groups.items():
        assert ev[g] >= max(ev[m] for m in members), g
    raised = [str(r) for r in v["raised_to"].values if str(r)]
    assert all(r in ("a", "b", "c") for r in raised)


def test_a_subsampled_fit_widens_the_se_and_keeps_the_value():
    rng = np.random.default_rng(6)
    n = 60_000
    x = rng.normal(size=n)
    nb = np.column_stack([np.zeros(n), 0.1 + 0.5 * x + rng.normal(size=n)])
    full = evppi(nb, x, seed=2)
    sub = evppi(nb, x, seed=2, fit_draws=600)
    assert sub["se_regression"] > full["se_regression"]
    truth = _evppi_linear(0.1, 0.5)
    for r in (full, sub):
        assert abs(r["value"] - truth) < 4 * r["se"]


def _group_study(case: str, reps: int, n: int) -> tuple[int, np.ndarray, np.ndarray, float]:
    """Replications of a group's EVPPI on a toy; (hits, values, plug-ins, truth)."""
    rng = np.random.default_rng({"null": 10, "signal": 11}[case])
    hits = 0
    vals, plug = [], []
    for r in range(reps):
        X = rng.normal(size=(n, 4))
        if case == "null":
            # Four parameters that do not matter, the decision near break-even.
            y = 0.02 + rng.normal(size=n)
            truth, x = 0.0, X
        else:
            y = 0.1 + 0.5 * X[:, 0] + 0.3 * X[:, 1] + rng.normal(size=n)
            truth, x = _evppi_linear(0.1, math.hypot(0.5, 0.3)), X[:, :3]
        res = evppi(np.column_stack([np.zeros(n), y]), x, n_post=30, seed=r)
        hits += abs(res["value"] - truth) <= 1.96 * res["se"]
        vals.append(res["value"])
        plug.append(res["plugin"])
    return hits, np.array(vals), np.array(plug), truth


@pytest.mark.slow
@pytest.mark.parametrize("case", ["null", "signal"])
def test_group_evppi_covers_and_is_not_inflated_near_break_even(case):
    """Simulation study: 95% intervals of group EVPPI cover; no upward bias at the null.

    Full form (SIMRISK_SLOW=1): 200 replications of 5,000 draws; short form 30 of 3,000.
    """
    reps, n = (200, 5000) if SLOW else (30, 3000)
    hits, vals, plug, truth = _group_study(case, reps, n)
    print(
        f"\n{case}: coverage {hits}/{reps}; mean EVPPI {vals.mean():.4f} "
        f"(SE {vals.std(ddof=1) / math.sqrt(reps):.4f}), truth {truth:.4f}; "
        f"plug-in mean {plug.mean():.4f}"
    )
    assert _coverage_ok(hits, reps)
    mean_se = vals.std(ddof=1) / math.sqrt(reps)
    # Not inflated: the mean estimate is not above the truth by more than 2 SE.
    assert vals.mean() <= truth + 2 * mean_se
    if case == "null":
        # ... where the plug-in estimate (the old method) is.
        assert plug.mean() > truth + 4 * plug.std(ddof=1) / math.sqrt(reps)


# --- the correlation ratio's interval ------------------------------------------------------------


def _binned_truth(mean_fn, var_fn, n_bins: int) -> float:
    """The binned correlation ratio of y on x ~ N(0, 1) with n_bins equal-count bins."""
    q = stats.norm.ppf((np.arange(200_000) + 0.5) / 200_000)
    mu, var = mean_fn(q), var_fn(q)
    lab = np.arange(q.size) * n_bins // q.size
    mb = np.bincount(lab, weights=mu) / np.bincount(lab)
    return float(np.var(mb[lab]) / (np.var(mu) + var.mean()))


def _p(x):
    return stats.norm.cdf(-0.3 + 0.5 * x)


_CASES = {
    # name: (E[y | x], Var[y | x], draw y)
    "null": (lambda x: 0 * x, lambda x: 1 + 0 * x, lambda x, g: g.normal(size=x.size)),
    "eta2_0.05": (
        lambda x: 0.23 * x,
        lambda x: 1 + 0 * x,
        lambda x, g: 0.23 * x + g.normal(size=x.size),
    ),
    "eta2_0.5": (lambda x: x, lambda x: 1 + 0 * x, lambda x, g: x + g.normal(size=x.size)),
    "loss_null": (
        lambda x: 0.4 + 0 * x,
        lambda x: 0.24 + 0 * x,
        lambda x, g: (g.uniform(size=x.size) < 0.4).astype(float),
    ),
    "loss_effect": (
        _p,
        lambda x: _p(x) * (1 - _p(x)),
        lambda x, g: (g.uniform(size=x.size) < _p(x)).astype(float),
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(_CASES))
def test_correlation_ratio_interval_covers_at_its_nominal_rate(case):
    """Simulation study: 95% intervals of the correlation ratio contain the truth 95% of the time.

    Full form (SIMRISK_SLOW=1): 300 replications of 20,000 draws in 50 bins;
    short form 100 replications of 4,000 draws in 20 bins.
    """
    reps, n, bins = (300, 20_000, 50) if SLOW else (100, 4000, 20)
    mean_fn, var_fn, draw = _CASES[case]
    truth = 0.0 if "null" in case else _binned_truth(mean_fn, var_fn, bins)
    g = np.random.default_rng(list(_CASES).index(case) + 100)
    hits = 0
    for _ in range(reps):
        x = g.normal(size=n)
        est, lo, hi = correlation_ratio(x[:, None], draw(x, g), n_bins=bins)
        hits += lo[0] <= truth <= hi[0]
        assert lo[0] <= est[0] <= hi[0]  # an interval always contains its own estimate
    print(f"\n{case}: truth {truth:.4f}, coverage {hits}/{reps}")
    assert _coverage_ok(hits, reps)
