"""Value of information: EVPI and EVPPI by nonparametric regression.

The decision is a choice among options ``d`` with net benefit ``NB[draw, d]``
(for DSI: do not lend, NB = 0; lend, NB = NPV at the investor's rate).

- ``EVPI = E[max_d NB_d] - max_d E[NB_d]``: what knowing everything (the
  parameters and the citizens' chance) before deciding would be worth.
- ``EVPPI(S) = E_S[max_d E[NB_d | theta_S]] - max_d E[NB_d]``: what knowing
  the parameters ``S`` would be worth. ``E[NB_d - NB_0 | theta_S]`` is
  estimated by nonparametric regression of the incremental net benefit on
  ``theta_S``, fitted to the draws themselves (Strong, Oakley & Brennan
  2014, Med Decis Making 34:311). One parameter: a GAM (pygam, a penalised
  cubic spline with 20 basis functions). A group: a least-squares
  regression spline with a 20-function cubic basis per member (main
  effects) plus the tensor product of 4-function bases of all members (up
  to four; pairwise for larger groups) for their interactions. A group's
  model contains the model of any group it extends, so the least-squares
  fit never gets worse when a member joins. pygam's tensor products were
  tried first, but took 45-165 s per group of 3-4 parameters on 300,000
  draws, and on a subsample their EVPPI fell below a member's own.

Standard errors: for EVPI, the SE of the mean of ``max_d NB_d - NB_{d*}``
(``d*`` the best option on average). For EVPPI, two parts combined in
quadrature: the regression's, from 100 draws of the GAM's coefficients from
their approximate posterior (Strong et al. 2014), and the
Monte Carlo SE of the average over draws.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.decision._common import base_attrs, dkk, jsonable, outcomes, var, varying_parameters

__all__ = [
    "add_nested",
    "default_groups",
    "evpi",
    "evppi",
    "evppi_nested",
    "format_voi",
    "voi",
    "voi_json",
]

_SPLINES_ONE = 20  # pygam basis functions for one parameter
_MAIN_DF = 20  # cubic B-spline basis per member of a group (main effects)
_TENSOR_DF = 4  # cubic basis per member in the interaction tensor product
_MAX_TENSOR = 4  # larger groups get pairwise interactions only
_ROWS = 20_000  # rows per block when building a group's design matrix
_POST_BATCH = 25


def _check_nb(nb: np.ndarray) -> np.ndarray:
    nb = np.asarray(nb, dtype=np.float64)
    if nb.ndim != 2 or nb.shape[1] < 2:
        raise SimriskError(
            f"net benefit must be [draw, option] with at least 2 options, got {nb.shape}"
        )
    if not np.isfinite(nb).all():
        raise SimriskError("net benefit has non-finite values")
    return nb


def evpi(nb: np.ndarray) -> tuple[float, float]:
    """Expected value of perfect information and its Monte Carlo SE.

    Parameters
    ----------
    nb : ndarray, shape (draw, option)
        Net benefit of each option in each draw.

    Returns
    -------
    value, se : float
        ``mean(max_d nb) - max_d mean(nb)``, and the SE of the mean of
        ``max_d nb - nb[:, d*]``.
    """
    nb = _check_nb(nb)
    best = int(np.argmax(nb.mean(axis=0)))
    g = nb.max(axis=1) - nb[:, best]
    return float(g.mean()), float(g.std(ddof=1) / math.sqrt(g.shape[0]))


def _fit_one(x: np.ndarray, y: np.ndarray, n_post: int, rng: np.random.Generator):
    """pygam's LinearGAM of ``y`` (``[N, m]``) on one parameter.

    Returns the fitted values ``[N, m]`` and, per column, a function giving
    the fitted values under coefficient draws ``a..b`` (``[N, b - a]``).
    """
    from pygam import LinearGAM, s

    fitted = np.empty(y.shape)
    draws = []
    for d in range(y.shape[1]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pygam's convergence chatter on huge n
            gam = LinearGAM(s(0, n_splines=_SPLINES_ONE)).fit(x, y[:, d])
        fitted[:, d] = gam.predict(x)
        if n_post > 1:
            M = gam._modelmat(x)  # sparse [N, n_coef]
            beta = _coef_draws(gam.coef_, gam.statistics_["cov"], n_post, rng)
            draws.append(lambda a, b, M=M, beta=beta: M @ beta[a:b].T)
    return fitted, draws


def _bspline(x: np.ndarray, df: int, lo: float, hi: float, inner: np.ndarray) -> np.ndarray:
    from scipy.interpolate import BSpline

    t = np.concatenate([[lo] * 4, inner, [hi] * 4])
    return BSpline.design_matrix(np.clip(x, lo, hi), t, 3).toarray()


class _GroupDesign:
    """Regression-spline design for a group: main effects plus interactions.

    Each member gets a cubic B-spline basis with ``_MAIN_DF`` functions
    (knots at its quantiles) and the members' ``_TENSOR_DF``-function cubic
    bases are multiplied into a tensor product (all members up to
    ``_MAX_TENSOR``, else every pair) for the interactions.
    """

    def __init__(self, x: np.ndarray):
        self.k = x.shape[1]
        self.lo = x.min(axis=0)
        self.hi = x.max(axis=0)
        q = np.linspace(0, 1, _MAIN_DF - 2)[1:-1]
        self.inner = [np.quantile(x[:, j], q) for j in range(self.k)]
        if self.k <= _MAX_TENSOR:
            self.sets = [tuple(range(self.k))]
        else:
            self.sets = [(i, j) for i in range(self.k) for j in range(i + 1, self.k)]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        cols = [np.ones((x.shape[0], 1))]
        small = []
        for j in range(self.k):
            cols.append(_bspline(x[:, j], _MAIN_DF, self.lo[j], self.hi[j], self.inner[j]))
            small.append(_bspline(x[:, j], _TENSOR_DF, self.lo[j], self.hi[j], np.empty(0)))
        for members in self.sets:
            t = small[members[0]]
            for j in members[1:]:
                t = (t[:, :, None] * small[j][:, None, :]).reshape(x.shape[0], -1)
            cols.append(t)
        return np.concatenate(cols, axis=1)


def _fit_group(x: np.ndarray, y: np.ndarray, n_post: int, rng: np.random.Generator):
    """Least-squares regression spline of ``y`` (``[N, m]``) on a group of parameters.

    Built block by block (the design never sits in memory whole); solved by
    the pseudo-inverse of ``X'X`` (the bases overlap, so it is singular);
    coefficient draws from ``N(beta, s^2 (X'X)^+)``.
    """
    N = x.shape[0]
    design = _GroupDesign(x)
    xtx = None
    xty = None
    for a in range(0, N, _ROWS):
        Xb = design(x[a : a + _ROWS])
        xtx = Xb.T @ Xb if xtx is None else xtx + Xb.T @ Xb
        xty = Xb.T @ y[a : a + _ROWS] if xty is None else xty + Xb.T @ y[a : a + _ROWS]
    w, V = np.linalg.eigh(xtx)
    keep = w > w.max() * 1e-10
    w, V = w[keep], V[:, keep]
    beta = V @ ((V.T @ xty) / w[:, None])  # [p, m]
    fitted = np.concatenate([design(x[a : a + _ROWS]) @ beta for a in range(0, N, _ROWS)])
    draws = []
    if n_post > 1:
        rank = int(keep.sum())
        for d in range(y.shape[1]):
            s2 = float(((y[:, d] - fitted[:, d]) ** 2).sum() / (N - rank))
            z = rng.standard_normal((n_post, rank))
            bd = beta[:, d][None, :] + (z * np.sqrt(s2 / w)) @ V.T  # [n_post, p]

            def f(a, b, bd=bd):
                return np.concatenate(
                    [design(x[r : r + _ROWS]) @ bd[a:b].T for r in range(0, N, _ROWS)]
                )

            draws.append(f)
    return fitted, draws


def _method(k: int) -> str:
    if k == 1:
        return f"GAM spline (pygam, {_SPLINES_ONE} basis functions)"
    inter = f"{_TENSOR_DF}^{k} tensor product" if k <= _MAX_TENSOR else "pairwise tensor products"
    return f"regression spline: {_MAIN_DF} per parameter + {inter}"


def _coef_draws(coef, cov, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draws from N(coef, cov) (cov symmetrised, clipped to positive semi-definite)."""
    w, V = np.linalg.eigh((cov + cov.T) / 2)
    z = rng.standard_normal((n, len(w)))
    return coef[None, :] + (z * np.sqrt(np.clip(w, 0, None))) @ V.T


def evppi(nb: np.ndarray, x: np.ndarray, n_post: int = 100, seed: int = 0) -> dict[str, float]:
    """EVPPI of the parameters ``x`` by GAM regression (Strong, Oakley & Brennan 2014).

    Parameters
    ----------
    nb : ndarray, shape (draw, option)
        Net benefit per draw and option.
    x : ndarray, shape (draw,) or (draw, k)
        The parameters of interest, drawn jointly with ``nb``.
    n_post : int
        Draws of the GAM coefficients for the regression SE.
    seed : int
        Seed for subsampling and coefficient draws.

    Returns
    -------
    dict
        ``value``, ``se`` (total), ``se_regression``, ``se_mc``, ``r2`` (of
        the incremental NB of the last option) and ``method``.
    """
    nb = _check_nb(nb)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.shape[0] != nb.shape[0]:
        raise SimriskError(f"parameters have {x.shape[0]} draws, net benefit {nb.shape[0]}")
    rng = np.random.default_rng(seed)
    N = nb.shape[0]
    inb = nb[:, 1:] - nb[:, :1]
    fit = _fit_one if x.shape[1] == 1 else _fit_group
    fitted, draws = fit(x, inb, n_post, rng)
    y = inb[:, -1]
    r2 = 1 - float(((y - fitted[:, -1]) ** 2).sum() / ((y - y.mean()) ** 2).sum())

    def value(f):
        return float(np.maximum(f.max(axis=1), 0.0).mean() - max(f.mean(axis=0).max(), 0.0))

    est = value(fitted)
    full = np.concatenate([np.zeros((N, 1)), fitted], axis=1)
    best = int(np.argmax(full.mean(axis=0)))
    g = full.max(axis=1) - full[:, best]
    se_mc = float(g.std(ddof=1) / math.sqrt(N))
    se_reg = 0.0
    if draws:
        vals = []
        for a in range(0, n_post, _POST_BATCH):
            b = min(a + _POST_BATCH, n_post)
            # [N, D - 1, batch]: fitted incremental NB under coefficient draws a..b
            f = np.stack([draw(a, b) for draw in draws], axis=1)
            vals += [value(f[:, :, s]) for s in range(b - a)]
        se_reg = float(np.std(vals, ddof=1))
    return {
        "value": est,
        "se": math.hypot(se_mc, se_reg),
        "se_regression": se_reg,
        "se_mc": se_mc,
        "r2": r2,
        "method": _method(x.shape[1]),
    }


def evppi_nested(nb: np.ndarray) -> dict[str, float]:
    """EVPPI from a two-level (nested) Monte Carlo run, the reference for the regression.

    Parameters
    ----------
    nb : ndarray, shape (outer, inner) or (outer, inner, option)
        Net benefit for inner draw ``j`` given outer value ``k`` of the
        parameters of interest; a 2-D array is DSI's lend (NB) or not (0).
        The outer values must be one stratified draw per equal-probability
        stratum, in stratum order (as
        :func:`simrisk.decision._engine.nested_evppi_draws` makes them).

    Returns
    -------
    dict
        ``value`` = ``mean_k max_d m_kd - max_d mean_k m_kd`` with ``m`` the
        inner means; ``se``: from adjacent pairs of strata,
        ``sqrt(sum_pairs (h_a - h_b)^2) / K`` with ``h_k = max_d m_kd -
        m_kd*`` (conservative; it includes the inner runs' noise); ``bias``:
        the upward bias that noise in the inner means gives ``max``,
        estimated as ``mean_k E[max(m_k + e, 0)] - max(m_k, 0)`` for normal
        ``e`` with the inner SE (two options only, else NaN).
    """
    from scipy.stats import norm

    nb = np.asarray(nb, dtype=np.float64)
    if nb.ndim == 2:
        nb = np.stack([np.zeros_like(nb), nb], axis=2)
    K, J, _ = nb.shape
    if K < 2 or J < 2:
        raise SimriskError(f"nested EVPPI needs outer >= 2 and inner >= 2, got {K} x {J}")
    m = nb.mean(axis=1)  # [K, D]
    best = int(np.argmax(m.mean(axis=0)))
    h = m.max(axis=1) - m[:, best]
    pairs = h[: K - K % 2].reshape(-1, 2)
    se = float(np.sqrt(((pairs[:, 0] - pairs[:, 1]) ** 2).sum()) / K)
    bias = float("nan")
    if nb.shape[2] == 2:
        inc = nb[:, :, 1] - nb[:, :, 0]
        mu = inc.mean(axis=1)
        s = inc.std(axis=1, ddof=1) / math.sqrt(J)
        z = mu / s
        bias = float((mu * norm.cdf(z) + s * norm.pdf(z) - np.maximum(mu, 0)).mean())
    return {"value": float(h.mean()), "se": se, "bias": bias, "outer": K, "inner": J}


def default_groups(names: Sequence[str]) -> dict[str, list[str]]:
    """Named groups: ``population`` (recruitment, retention), one per goal, ``effects``."""
    groups: dict[str, list[str]] = {}
    pop = [n for n in names if n in ("recruitment", "retention")]
    if len(pop) > 1:
        groups["population"] = pop
    for n in names:
        if "." in n:
            groups.setdefault(n.split(".", 1)[0], []).append(n)
    eff = [n for n in names if n.endswith(".effect")]
    if len(eff) > 1:
        groups["effects"] = eff
    return {k: v for k, v in groups.items() if len(v) > 1}


def net_benefit(ds: xr.Dataset) -> tuple[np.ndarray, list[str]]:
    """DSI's decision: do not lend (NB = 0) or lend (NB = NPV at the investor's rate)."""
    npv = outcomes(ds)["npv"]
    return np.column_stack([np.zeros_like(npv), npv]), ["do not lend", "lend"]


def voi(
    ds: xr.Dataset,
    groups: Mapping[str, Sequence[str]] | None = None,
    nb: np.ndarray | None = None,
    options: Sequence[str] | None = None,
    n_post: int = 100,
    seed: int = 0,
    parameters: Sequence[str] | None = None,
) -> xr.Dataset:
    """EVPI, and EVPPI for every varying parameter and for named groups.

    Parameters
    ----------
    ds : xarray.Dataset
        A result with per-draw ``parameters`` (and ``npv`` unless ``nb`` is given).
    groups : mapping of str to list of str, optional
        Named groups of parameters (default :func:`default_groups`).
    nb : ndarray, shape (draw, option), optional
        Net benefit per option; default DSI's lend (NPV) or not (0). A
        portfolio model passes its options here.
    options : list of str, optional
        Option names (default ``option0``...).
    parameters : list of str, optional
        Only these single parameters (default: all that vary).

    Returns
    -------
    xarray.Dataset
        Scalars ``evpi``, ``evpi_se``, ``expected_nb_best``; over dimension
        ``target`` (parameters, then groups): ``evppi``, ``evppi_se``,
        ``evppi_se_regression``, ``evppi_se_mc``, ``r2``; over ``option``:
        ``expected_nb``.
    """
    names, X = varying_parameters(ds)
    if nb is None:
        nb, options = net_benefit(ds)
    nb = _check_nb(nb)
    options = list(options) if options is not None else [f"option{d}" for d in range(nb.shape[1])]
    if len(options) != nb.shape[1]:
        raise SimriskError(f"{len(options)} option names for {nb.shape[1]} options")
    groups = default_groups(names) if groups is None else dict(groups)
    for g, members in groups.items():
        bad = [m for m in members if m not in names]
        if bad:
            raise SimriskError(
                f"group {g!r}: {', '.join(bad)} is not a varying parameter "
                f"(varying: {', '.join(names)})"
            )
    singles = names if parameters is None else list(parameters)
    for p in singles:
        if p not in names:
            raise SimriskError(f"parameter {p!r}: not a varying parameter ({', '.join(names)})")
    targets = [(p, [p], "parameter") for p in singles] + [
        (g, list(m), "group") for g, m in groups.items()
    ]
    e, e_se = evpi(nb)
    rows = []
    for i, (_, members, _) in enumerate(targets):
        cols = [names.index(m) for m in members]
        rows.append(evppi(nb, X[:, cols], n_post=n_post, seed=seed + i))
    tname = [t[0] for t in targets]
    data = {
        "evpi": var((), e, "DKK", "expected value of perfect information"),
        "evpi_se": var((), e_se, "DKK", "Monte Carlo SE of EVPI"),
        "expected_nb": var(("option",), nb.mean(axis=0), "DKK", "expected net benefit"),
        "expected_nb_best": var(
            (), nb.mean(axis=0).max(), "DKK", "net benefit of the best option"
        ),
        "evppi": var(
            ("target",),
            [r["value"] for r in rows],
            "DKK",
            "expected value of partial perfect information",
        ),
        "evppi_se": var(("target",), [r["se"] for r in rows], "DKK", "SE of EVPPI (total)"),
        "evppi_se_regression": var(
            ("target",), [r["se_regression"] for r in rows], "DKK", "SE of EVPPI from the GAM fit"
        ),
        "evppi_se_mc": var(
            ("target",), [r["se_mc"] for r in rows], "DKK", "Monte Carlo SE of EVPPI's average"
        ),
        "r2": var(("target",), [r["r2"] for r in rows], "1", "R^2 of the GAM of incremental NB"),
    }
    coords = {
        "target": tname,
        "option": options,
        "target_kind": ("target", [t[2] for t in targets]),
        "members": ("target", [",".join(t[1]) for t in targets]),
        "method": ("target", [r["method"] for r in rows]),
    }
    attrs = base_attrs(ds, "voi")
    attrs.update(
        best_option=options[int(np.argmax(nb.mean(axis=0)))],
        reference="Strong, Oakley & Brennan (2014), Med Decis Making 34(3):311-326",
        n_post=n_post,
        seed=seed,
    )
    return xr.Dataset(data, coords=coords, attrs=attrs)


def add_nested(v: xr.Dataset, nested: Mapping[str, Mapping[str, float]]) -> xr.Dataset:
    """``v`` with the nested Monte Carlo check of some single parameters beside the regression.

    Parameters
    ----------
    v : xarray.Dataset
        From :func:`voi`.
    nested : mapping of str to dict
        For each checked parameter,
        :func:`simrisk.decision._engine.nested_check`'s ``value``, ``se``,
        ``bias``, ``outer``, ``inner`` and ``first_draw``.

    Returns
    -------
    xarray.Dataset
        With ``evppi_nested``, ``evppi_nested_se`` and ``evppi_nested_bias``
        over ``target`` (NaN where not checked) and attrs ``nested_outer``,
        ``nested_inner`` and ``nested_first_draw``.
    """
    targets = [str(t) for t in v["target"].values]
    kinds = [str(k) for k in v["target_kind"].values]
    for p in nested:
        if p not in targets or kinds[targets.index(p)] != "parameter":
            raise SimriskError(f"nested check of {p!r}: not a single parameter of this VOI result")
    cols = {k: np.full(len(targets), np.nan) for k in ("value", "se", "bias")}
    for p, r in nested.items():
        for k in cols:
            cols[k][targets.index(p)] = r[k]
    out = v.copy()
    out["evppi_nested"] = var(("target",), cols["value"], "DKK", "EVPPI by nested Monte Carlo")
    out["evppi_nested_se"] = var(("target",), cols["se"], "DKK", "SE of the nested EVPPI")
    out["evppi_nested_bias"] = var(
        ("target",), cols["bias"], "DKK", "upward bias of the nested EVPPI from inner noise"
    )
    first = next(iter(nested.values()))
    out.attrs.update(
        nested_outer=int(first["outer"]),
        nested_inner=int(first["inner"]),
        nested_first_draw=int(first["first_draw"]),
    )
    return out


def voi_json(v: xr.Dataset) -> dict:
    """JSON form: ``evpi``, ``evpi_se``, ``evppi.<target>.{value,se,...}``, ``groups``."""
    out = {
        "scenario": v.attrs.get("scenario", ""),
        "draws": v.attrs["source_draws"],
        "options": [str(o) for o in v["option"].values],
        "expected_nb": dict(
            zip(map(str, v["option"].values), v["expected_nb"].values, strict=True)
        ),
        "best_option": v.attrs["best_option"],
        "evpi": float(v["evpi"]),
        "evpi_se": float(v["evpi_se"]),
        "evppi": {},
        "groups": {},
    }
    for i, t in enumerate(v["target"].values):
        row = {
            "value": v["evppi"].values[i],
            "se": v["evppi_se"].values[i],
            "se_regression": v["evppi_se_regression"].values[i],
            "se_mc": v["evppi_se_mc"].values[i],
            "r2": v["r2"].values[i],
            "method": str(v["method"].values[i]),
        }
        if "evppi_nested" in v and np.isfinite(v["evppi_nested"].values[i]):
            row["nested"] = {
                "value": v["evppi_nested"].values[i],
                "se": v["evppi_nested_se"].values[i],
                "bias": v["evppi_nested_bias"].values[i],
            }
        if str(v["target_kind"].values[i]) == "group":
            row["members"] = str(v["members"].values[i]).split(",")
            out["groups"][str(t)] = row
        else:
            out["evppi"][str(t)] = row
    if "evppi_nested" in v:
        out["nested"] = {
            "outer": v.attrs["nested_outer"],
            "inner": v.attrs["nested_inner"],
            "first_draw": v.attrs["nested_first_draw"],
        }
    return jsonable(out)


def format_voi(v: xr.Dataset) -> str:
    """EVPI and the EVPPI table, largest first."""
    j = voi_json(v)
    lines = [
        f"{j['scenario']}: {j['draws']:,} draws; best option without more information: "
        f"{j['best_option']} (expected net benefit {dkk(max(j['expected_nb'].values()))} DKK)",
        f"EVPI (knowing everything, citizens' chance included): {dkk(j['evpi'])} DKK "
        f"(SE {dkk(j['evpi_se'])})",
        "",
        f"{'EVPPI: knowing ...':<34}{'DKK':>12}{'SE':>10}{'% of EVPI':>11}{'R2':>7}",
    ]
    for kind, block in (("parameter", j["evppi"]), ("group", j["groups"])):
        for t, r in sorted(block.items(), key=lambda kv: -kv[1]["value"]):
            label = t if kind == "parameter" else f"{t} ({len(r['members'])})"
            share = r["value"] / j["evpi"] if j["evpi"] else float("nan")
            lines.append(
                f"  {label:<32}{dkk(r['value']):>12}{dkk(r['se']):>10}"
                f"{100 * share:>10.1f}%{r['r2']:>7.3f}"
            )
        if kind == "parameter":
            lines.append("  groups:")
    if "nested" in j:
        n = j["nested"]
        lines += [
            "",
            f"Nested Monte Carlo check ({n['outer']:,} outer x {n['inner']:,} inner draws per "
            f"parameter, draws from {n['first_draw']:,} on):",
            f"  {'':<32}{'regression':>12}{'SE':>10}{'nested':>12}{'SE':>10}{'bias':>10}",
        ]
        for t, r in j["evppi"].items():
            if "nested" in r:
                m = r["nested"]
                lines.append(
                    f"  {t:<32}{dkk(r['value']):>12}{dkk(r['se']):>10}{dkk(m['value']):>12}"
                    f"{dkk(m['se']):>10}{dkk(m['bias']):>10}"
                )
    return "\n".join(lines)
