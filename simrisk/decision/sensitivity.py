"""Which priors drive the loss: tornado by decile, given-data indices, regional sensitivity.

All three read only a result's per-draw ``parameters`` and outcomes, so no
new simulation is needed and correlated priors are handled as drawn:

- **Tornado**: for each prior, P(NPV < 0), mean NPV and P(repayments <
  capital) within each decile of the prior's drawn values (each with its
  Monte Carlo SE); the tornado shows the lowest and the highest decile.
- **First-order correlation ratio** ``eta^2 = Var(E[Y | X_k]) / Var(Y)`` by
  binning ``X_k`` into equal-count bins, with the usual small-sample
  correction for the between-bin variance that noise alone produces. It is a
  given-data first-order (main effect) index and stays meaningful when
  inputs are correlated: it then measures what is learnt about ``Y`` from
  ``X_k`` including through its correlates. Its interval is analytic: a
  delta-method variance with the chi-square spread under no effect, taken
  at each candidate value (a score-type interval), so it covers at its
  nominal rate also for an input that does not matter (docs/model.md).
  ``Y`` is the loss indicator 1[NPV < 0] (the ranking's index) and NPV.
- **PAWN** (SALib, Pianosi & Wagener 2015): the median over conditioning
  slices of the Kolmogorov–Smirnov distance between NPV's distribution and
  its distribution given ``X_k`` in the slice; moment-independent, given
  data, on a subsample (20,000 draws by default); its interval is the
  spread over fresh subsamples (a bootstrap when there are too few draws).
- **Regional sensitivity** (Spear & Hornberger 1980; SALib issue #657): the
  KS distance between each prior's distribution in the loss draws (NPV < 0)
  and in the rest, with both CDFs on a common grid for plotting.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.decision._common import (
    base_attrs,
    dkk,
    outcomes,
    pct,
    prob_se,
    strict_json,
    var,
    varying_parameters,
)

__all__ = [
    "correlation_ratio",
    "format_sensitivity",
    "sensitivity",
    "sensitivity_json",
]


def _rank_bins(X: np.ndarray, n_bins: int) -> np.ndarray:
    """Equal-count bin of every value, column by column (ties broken by order)."""
    N = X.shape[0]
    ranks = np.empty(X.shape, dtype=np.int64)
    order = np.argsort(X, axis=0, kind="stable")
    np.put_along_axis(ranks, order, np.arange(N)[:, None], axis=0)
    return (ranks * n_bins // N).astype(np.int32)


def _bin_sums(labels: np.ndarray, y: np.ndarray, n_bins: int, power: int) -> np.ndarray:
    """``sum of y**power`` per (column, bin): ``[P, n_bins]``."""
    N, P = labels.shape
    flat = (labels + (np.arange(P, dtype=np.int32) * n_bins)[None, :]).ravel()
    w = None if power == 0 else np.broadcast_to((y**power)[:, None], (N, P)).ravel()
    return np.bincount(flat, weights=w, minlength=P * n_bins).reshape(P, n_bins).astype(float)


def _eta2_from_bins(labels: np.ndarray, y: np.ndarray, n_bins: int) -> np.ndarray:
    """Bias-corrected correlation ratio for each column of ``labels`` (``[N, P]``)."""
    return _eta2_and_var(labels, y, n_bins)[0]


def _eta2_and_var(labels: np.ndarray, y: np.ndarray, n_bins: int):
    """Bias-corrected correlation ratio and its variance's two parts, per column of ``labels``.

    With bin means ``m_b`` (``n_b`` draws, within-bin variance ``s_b^2``),
    ``SSB = sum_b n_b (m_b - m)^2`` and ``SSW`` the within-bin sum of squares:

    - estimate ``(SSB - (B - 1) SSW / (N - B)) / SST``: ``E[SSB]`` under no
      effect is ``(B - 1) sigma^2``, so an input that does not matter gets
      0 on average;
    - ``first``: the first-order (delta-method) variance of ``SSB / SST``
      from the per-draw influence values ``m_i^2 + 2 m_i r_i - eta2 z_i^2``
      (``z`` the standardised outcome, ``r`` its residual from the bin
      mean; any distribution of the outcome, the 0/1 loss indicator too),
      less the ``4 sum_b s_b^4 / SST^2`` that the bin means' own noise adds
      to it; 0 when the input does not matter;
    - ``null``: the chi-square spread ``2 (B - 1) s^4 / SST^2`` of SSB that is
      all there is when the input does not matter, and that the first-order
      term misses.
    """
    N, P = labels.shape
    sd = y.std()
    if sd == 0:
        return np.zeros(P), np.zeros(P), np.zeros(P)
    z = (y - y.mean()) / sd  # eta2 is scale-free; standardised sums stay accurate
    n_b = _bin_sums(labels, z, n_bins, 0)
    s1 = _bin_sums(labels, z, n_bins, 1)
    sst = float((z * z).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        m_b = np.where(n_b > 0, s1 / n_b, 0.0)
    ssb = (n_b * m_b**2).sum(axis=1)
    ssw = sst - ssb
    used = (n_b > 0).sum(axis=1)
    est = (ssb - (used - 1) * ssw / (N - used)) / sst
    # Residuals from the bin means, column by column: [N, P].
    r = z[:, None] - np.take_along_axis(m_b.T, labels.astype(np.int64), axis=0)
    flat = (labels + (np.arange(P, dtype=np.int32) * n_bins)[None, :]).ravel()
    r2 = np.bincount(flat, weights=(r * r).ravel(), minlength=P * n_bins).reshape(P, n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        s2_b = np.where(n_b > 1, r2 / (n_b - 1), 0.0)
    m_i = np.take_along_axis(m_b.T, labels.astype(np.int64), axis=0)  # [N, P]
    eta_raw = ssb / sst
    u = m_i**2 + 2 * m_i * r - eta_raw[None, :] * (z * z)[:, None]
    V = sst / N
    var_if = u.var(axis=0) / (V * V * N)
    e = np.clip(est, 0.0, 1.0)
    # The plug-in m_i carries noise of variance s_b^2 / n_b, which adds about
    # 4 sum_b s_b^4 to N^2 V^2 var_if: taken out, what is left estimates the
    # first-order variance (0 when the input does not matter). The chi-square
    # spread of SSB, all there is under no effect, is 2 (B - 1) s^4 / SST^2.
    noise = (s2_b**2).sum(axis=1) / (sst * sst)
    first = np.maximum(var_if - 4 * noise, 0.0)
    null = 2 * noise * (used - 1) / used * (1 - e) ** 2
    return est, first, null


def _score_interval(est, first, null, zq):
    """The set of ``t`` with ``(est - t)^2 <= zq^2 Var(t)``, ``Var(t) = null + first * t / est``.

    The first-order variance grows in proportion to the index, so it is
    taken at each candidate value ``t`` rather than at the estimate (as
    Wilson's interval for a proportion does): at ``t = 0`` only the
    chi-square spread remains, so an input that does not matter has 0 in its
    interval at the nominal rate, and a large index keeps its full width.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(est > 0, first / np.where(est > 0, est, 1.0), 0.0)
    b = 2 * est + zq * zq * slope
    c = est * est - zq * zq * null
    root = np.sqrt(np.maximum(b * b - 4 * c, 0.0))
    upper = (b + root) / 2
    lower = (b - root) / 2
    # Below 0 the first-order part is 0: there the variance is the null's.
    below = lower < 0
    lower = np.where(below, est - zq * np.sqrt(null), lower)
    return lower, upper


def correlation_ratio(
    X: np.ndarray,
    y: np.ndarray,
    n_bins: int = 50,
    n_boot: int = 100,
    seed: int = 0,
    ci_prob: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First-order correlation ratio of ``y`` on each column of ``X``, by binning.

    Parameters
    ----------
    X : ndarray, shape (N, P)
    y : ndarray, shape (N,)
    n_bins : int
        Equal-count bins per column.
    n_boot : int
        0: no interval. Any other value: the interval (see below). The
        interval was a bootstrap percentile interval until it was shown to
        miss (the resamples' duplicated draws add between-bin variance, so
        it sat above the estimate by about (bins - 1)/N and never contained
        0 for an input that does not matter); it is now analytic, and the
        argument only switches it on.
    seed : int
        Unused (kept for callers; the interval involves no resampling).

    Returns
    -------
    eta2 : ndarray, shape (P,)
        ``(SSB - (B - 1) SSW / (N - B)) / SST``: unbiased for the between-bin
        share under no effect, so a non-influential input gets about 0.
    lower, upper : ndarray, shape (P,)
        ``eta2 -/+ z SE`` with the delta-method SE of :func:`_eta2_and_se`
        (NaN when ``n_boot`` is 0). Its coverage is checked by a simulation
        study in the tests, for an input that does not matter and for
        ones that do, with a continuous and a 0/1 outcome.
    """
    from scipy.stats import norm

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    N = X.shape[0]
    if N < 2 * n_bins:
        raise SimriskError(f"{N} draws: too few for {n_bins} bins (need at least {2 * n_bins})")
    labels = _rank_bins(X, n_bins)
    est, first, null = _eta2_and_var(labels, y, n_bins)
    if n_boot <= 0:
        nan = np.full(est.shape, np.nan)
        return est, nan, nan
    lo, hi = _score_interval(est, first, null, float(norm.ppf(0.5 + ci_prob / 2)))
    return est, lo, hi


def _pawn_median(problem: dict, seed: int, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """SALib's PAWN median index on one subsample (a task: a pure function of its arguments)."""
    import warnings

    from SALib.analyze import pawn

    with warnings.catch_warnings():
        # a constant output (e.g. every draw loses the same) makes SALib divide 0 by 0
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(pawn.analyze(problem, X, y, S=10, seed=seed)["median"], float)


def _pawn(X, y, names, n_sub, n_boot, seed, ci_prob, backend=None):
    """SALib's PAWN median index of ``y`` for each column, with a bootstrap interval.

    The subsamples are drawn here, in turn from one generator; each
    subsample's PAWN is a task on ``backend``'s cluster when one is given
    (the same numbers either way).
    """
    from simrisk.core.backends import close_when_done, map_tasks

    rng = np.random.default_rng(seed)
    N = X.shape[0]
    problem = {
        "num_vars": X.shape[1],
        "names": list(names),
        "bounds": [[float(X[:, k].min()), float(X[:, k].max())] for k in range(X.shape[1])],
    }
    sub = np.arange(N) if N <= n_sub else np.sort(rng.choice(N, n_sub, replace=False))

    def subsamples():
        yield X[sub], y[sub]
        for _ in range(n_boot):
            # With many more draws than the subsample, fresh subsamples without
            # replacement show the estimator's own spread at this size (a
            # bootstrap's duplicated draws would bias the KS distances).
            idx = rng.choice(N, min(N, n_sub), replace=N <= n_sub)
            yield X[idx], y[idx]

    est, *boot = close_when_done(map_tasks(_pawn_median, subsamples(), (problem, seed), backend))
    if not boot:
        nan = np.full(est.shape, np.nan)
        return est, nan, nan, len(sub)
    a = (1 - ci_prob) / 2
    lo, hi = np.quantile(np.asarray(boot, float), [a, 1 - a], axis=0)
    return est, lo, hi, len(sub)


def _ks_regional(X: np.ndarray, loss: np.ndarray, n_grid: int):
    """KS distance between X | loss and X | no loss per column, and both CDFs on a grid."""
    P = X.shape[1]
    ks = np.empty(P)
    steps = np.linspace(0, 1, n_grid)
    lo, hi = X.min(axis=0), X.max(axis=0)
    grid = lo[:, None] + steps[None, :] * (hi - lo)[:, None]  # [P, n_grid], even steps
    cdf_loss = np.empty((P, n_grid))
    cdf_rest = np.empty((P, n_grid))
    for k in range(P):
        a = np.sort(X[loss, k])
        b = np.sort(X[~loss, k])
        pts = np.concatenate([a, b])
        fa = np.searchsorted(a, pts, side="right") / max(len(a), 1)
        fb = np.searchsorted(b, pts, side="right") / max(len(b), 1)
        ks[k] = np.abs(fa - fb).max() if len(a) and len(b) else np.nan
        cdf_loss[k] = np.searchsorted(a, grid[k], side="right") / max(len(a), 1)
        cdf_rest[k] = np.searchsorted(b, grid[k], side="right") / max(len(b), 1)
    return ks, grid, cdf_loss, cdf_rest


def sensitivity(
    ds: xr.Dataset,
    n_deciles: int = 10,
    n_bins: int = 50,
    n_boot: int = 100,
    pawn_draws: int = 20_000,
    pawn_boot: int = 30,
    n_grid: int = 101,
    seed: int = 0,
    ci_prob: float = 0.95,
    backend=None,
) -> xr.Dataset:
    """Sensitivity of the loss to each prior, from a result's per-draw parameters.

    Parameters
    ----------
    ds : xarray.Dataset
        A ``simrisk run`` result (needs ``parameters`` and ``npv``; uses
        ``repayments_total`` and the ``capital`` attribute when present).
    n_deciles : int
        Groups of equal size per prior for the tornado (10: deciles).
    n_bins : int
        Equal-count bins for the correlation ratio.
    n_boot : int
        0: no interval for the correlation ratio; otherwise its analytic
        interval (no resampling; the argument's name is kept for callers).
    pawn_draws, pawn_boot : int
        Subsample size and resamples for PAWN (0 resamples: no interval).
    n_grid : int
        Points of the CDF grid (even steps over each prior's drawn range).
    seed : int
        Seed of the bootstrap and subsampling (results are reproducible).
    backend : simrisk.core.backends.DaskBackend, optional
        Compute PAWN's subsamples (most of the time) as tasks on its
        cluster; the same numbers as without.

    Returns
    -------
    xarray.Dataset
        Dimensions ``parameter`` (the varying priors, ordered by influence
        on P(NPV < 0)), ``decile``, ``grid``, ``ci_bound``; attribute
        ``top_driver`` and ``ranking`` (comma-separated).
    """
    names, X = varying_parameters(ds)
    y = outcomes(ds)
    N, P = X.shape
    if N < max(20 * n_deciles, 2 * n_bins):
        raise SimriskError(f"{N} draws: too few for a sensitivity analysis (at least 1,000)")
    loss = y["npv_negative"] > 0
    # Tornado: deciles by rank.
    dec = _rank_bins(X, n_deciles)
    flat = (dec + (np.arange(P, dtype=np.int32) * n_deciles)[None, :]).ravel()

    def by_decile(v):
        w = np.broadcast_to(v[:, None], (N, P)).ravel()
        s = np.bincount(flat, weights=w, minlength=P * n_deciles).reshape(P, n_deciles)
        return s

    cnt = np.bincount(flat, minlength=P * n_deciles).reshape(P, n_deciles).astype(float)
    p_neg = by_decile(y["npv_negative"]) / cnt
    m_npv = by_decile(y["npv"]) / cnt
    sq = by_decile(y["npv"] ** 2) / cnt
    m_npv_se = np.sqrt(np.maximum(sq - m_npv**2, 0) * cnt / (cnt - 1) / cnt)
    x_mid = np.stack(
        [[np.median(X[dec[:, k] == d, k]) for d in range(n_deciles)] for k in range(P)]
    )
    has_nominal = "loss_nominal" in y
    p_nom = by_decile(y["loss_nominal"]) / cnt if has_nominal else np.full_like(p_neg, np.nan)

    e_loss, e_loss_lo, e_loss_hi = correlation_ratio(
        X, y["npv_negative"], n_bins, n_boot, seed, ci_prob
    )
    e_npv, e_npv_lo, e_npv_hi = correlation_ratio(X, y["npv"], n_bins, n_boot, seed + 1, ci_prob)
    pw, pw_lo, pw_hi, pw_n = _pawn(
        X, y["npv"], names, pawn_draws, pawn_boot, seed, ci_prob, backend
    )
    ks, grid, cdf_loss, cdf_rest = _ks_regional(X, loss, n_grid)

    # Rank by influence on P(NPV < 0); ties (rare) by the tornado's swing.
    swing = np.abs(p_neg[:, -1] - p_neg[:, 0])
    order = np.lexsort((-swing, -e_loss))
    names_o = [names[k] for k in order]

    def o(a):
        return a[order]

    ci = ("lower", "upper")
    data = {
        "p_npv_negative": var(
            ("parameter", "decile"), o(p_neg), "1", "P(NPV < 0) within the prior's decile"
        ),
        "p_npv_negative_se": var(
            ("parameter", "decile"), o(prob_se(p_neg, cnt)), "1", "Monte Carlo SE of P(NPV < 0)"
        ),
        "mean_npv": var(("parameter", "decile"), o(m_npv), "DKK", "mean NPV within the decile"),
        "mean_npv_se": var(
            ("parameter", "decile"), o(m_npv_se), "DKK", "Monte Carlo SE of the mean NPV"
        ),
        "p_loss_nominal": var(
            ("parameter", "decile"),
            o(p_nom),
            "1",
            "P(repayments < capital) within the decile",
        ),
        "p_loss_nominal_se": var(
            ("parameter", "decile"),
            o(prob_se(p_nom, cnt)),
            "1",
            "Monte Carlo SE of P(repayments < capital)",
        ),
        "decile_median": var(
            ("parameter", "decile"), o(x_mid), "1", "median of the prior's draws in the decile"
        ),
        "eta2_npv_negative": var(
            ("parameter",),
            o(e_loss),
            "1",
            "first-order correlation ratio of 1[NPV < 0] (binned, bias-corrected)",
        ),
        "eta2_npv_negative_ci": var(
            ("parameter", "ci_bound"),
            np.stack([o(e_loss_lo), o(e_loss_hi)], axis=1),
            "1",
            "interval of the correlation ratio of 1[NPV < 0] (score-type, analytic)",
        ),
        "eta2_npv": var(
            ("parameter",), o(e_npv), "1", "first-order correlation ratio of NPV (binned)"
        ),
        "eta2_npv_ci": var(
            ("parameter", "ci_bound"),
            np.stack([o(e_npv_lo), o(e_npv_hi)], axis=1),
            "1",
            "interval of the correlation ratio of NPV (score-type, analytic)",
        ),
        "pawn_npv": var(
            ("parameter",), o(pw), "1", "PAWN index of NPV (median KS over 10 slices, SALib)"
        ),
        "pawn_npv_ci": var(
            ("parameter", "ci_bound"),
            np.stack([o(pw_lo), o(pw_hi)], axis=1),
            "1",
            "interval of the PAWN index over fresh subsamples",
        ),
        "ks_loss": var(
            ("parameter",),
            o(ks),
            "1",
            "KS distance between the prior in draws with NPV < 0 and in the rest",
        ),
        "grid_value": var(
            ("parameter", "grid"),
            o(grid),
            "1",
            "grid of prior values (even steps from the smallest draw to the largest)",
        ),
        "cdf_loss": var(
            ("parameter", "grid"), o(cdf_loss), "1", "CDF of the prior in draws with NPV < 0"
        ),
        "cdf_rest": var(
            ("parameter", "grid"), o(cdf_rest), "1", "CDF of the prior in draws with NPV >= 0"
        ),
        "rank": var(("parameter",), np.arange(1, P + 1), "1", "rank by influence on P(NPV < 0)"),
    }
    coords = {
        "parameter": names_o,
        "decile": np.arange(1, n_deciles + 1),
        "grid": np.linspace(0, 1, n_grid),
        "ci_bound": list(ci),
    }
    attrs = base_attrs(ds, "sensitivity")
    attrs.update(
        top_driver=names_o[0],
        ranking=",".join(names_o),
        ranking_index="eta2_npv_negative",
        p_npv_negative=float(loss.mean()),
        ci_prob=ci_prob,
        n_bins=n_bins,
        n_boot=n_boot,
        pawn_draws=int(pw_n),
        pawn_boot=pawn_boot,
        bootstrap_seed=seed,
        has_nominal_loss=int(has_nominal),
    )
    return xr.Dataset(data, coords=coords, attrs=attrs)


def sensitivity_json(s: xr.Dataset) -> dict:
    """JSON form: ``ranking``, ``top_driver``, a ``tornado`` entry and indices per parameter."""
    lo, hi = 0, s.sizes["decile"] - 1
    out = {
        "scenario": s.attrs.get("scenario", ""),
        "draws": s.attrs["source_draws"],
        "p_npv_negative": s.attrs["p_npv_negative"],
        "top_driver": s.attrs["top_driver"],
        "ranking": [str(p) for p in s["parameter"].values],
        "ranking_index": s.attrs["ranking_index"],
        "tornado": {},
        "indices": {},
        "regional": {},
    }
    for i, p in enumerate(s["parameter"].values):
        p = str(p)
        t = {}
        for v in ("p_npv_negative", "mean_npv", "p_loss_nominal"):
            for end, j in (("low", lo), ("high", hi)):
                t[f"{v}_{end}"] = s[v].values[i, j]
                t[f"{v}_{end}_se"] = s[f"{v}_se"].values[i, j]
        t["value_low"] = s["decile_median"].values[i, lo]
        t["value_high"] = s["decile_median"].values[i, hi]
        out["tornado"][p] = t
        out["indices"][p] = {
            "rank": int(s["rank"].values[i]),
            "eta2_npv_negative": s["eta2_npv_negative"].values[i],
            "eta2_npv_negative_ci": s["eta2_npv_negative_ci"].values[i],
            "eta2_npv": s["eta2_npv"].values[i],
            "eta2_npv_ci": s["eta2_npv_ci"].values[i],
            "pawn_npv": s["pawn_npv"].values[i],
            "pawn_npv_ci": s["pawn_npv_ci"].values[i],
        }
        out["regional"][p] = {"ks_loss": s["ks_loss"].values[i]}
    return strict_json(out, _WHY_NULL)


#: why a sensitivity value is NaN (``null_reasons`` of its JSON)
_WHY_NULL = {
    "ks_loss": "every draw has NPV < 0, or none has, so there are no two groups of draws "
    "to compare",
    "eta2_npv_negative": "the loss indicator is the same on every draw (P(NPV < 0) is 0 or 1)",
    "eta2_npv_negative_ci": "the loss indicator is the same on every draw (P(NPV < 0) is 0 or 1)",
}


def _fixed(x) -> str:
    """``0.123``, or ``n/a`` where an index is undefined (e.g. every draw loses)."""
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.3f}"


def format_sensitivity(s: xr.Dataset) -> str:
    """The sensitivity as a terminal table, most influential prior first."""
    j = sensitivity_json(s)
    lines = [
        f"{j['scenario']}: {j['draws']:,} draws; P(NPV < 0) = {pct(j['p_npv_negative'], 1)}",
        f"Top driver of P(NPV < 0): {j['top_driver']}",
        "",
        "P(NPV < 0) and mean NPV (DKK) in the prior's lowest and highest decile; eta2 = share "
        "of the variance of 1[NPV<0] (of NPV) explained by the prior alone, "
        f"{100 * s.attrs['ci_prob']:.0f}% interval; KS = distance between the prior "
        "in loss draws and the rest.",
        "",
        f"{'#':>2} {'parameter':<30}{'P(NPV<0) low':>13}{'high':>8}"
        f"{'mean NPV low':>15}{'high':>12}{'eta2 loss [CI]':>22}{'eta2 NPV':>10}"
        f"{'PAWN':>7}{'KS':>7}",
    ]
    for p in j["ranking"]:
        t = j["tornado"][p]
        ix = j["indices"][p]
        lo, hi = ix["eta2_npv_negative_ci"]
        ci = _fixed(ix["eta2_npv_negative"]) + (
            f" [{_fixed(lo)},{_fixed(hi)}]" if lo is not None else ""
        )
        lines.append(
            f"{ix['rank']:>2} {p:<30}{pct(t['p_npv_negative_low']):>13}"
            f"{pct(t['p_npv_negative_high']):>8}{dkk(t['mean_npv_low']):>15}"
            f"{dkk(t['mean_npv_high']):>12}{ci:>22}{_fixed(ix['eta2_npv']):>10}"
            f"{_fixed(ix['pawn_npv']):>7}{_fixed(j['regional'][p]['ks_loss']):>7}"
        )
    return "\n".join(lines)
