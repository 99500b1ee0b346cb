"""Two kinds of uncertainty apart: parameters versus chance among the citizens.

By the law of total variance,
``Var(NPV) = Var(E[NPV | theta]) + E[Var(NPV | theta)]``: the first part is
what we do not know about the parameters (more evidence could shrink it),
the second is chance among the 700 citizens given the parameters (no study
removes it). Both are estimated from a nested design, ``outer`` parameter
draws each run with ``inner`` independent sets of citizens
(:func:`simrisk.decision._engine.simulate_nested`), by the balanced one-way
random-effects ANOVA estimators, which are unbiased:

- ``E[Var | theta]`` = mean of the inner sample variances ``W``;
- ``Var(E[. | theta])`` = sample variance of the inner means ``- W / inner``.

Intervals: bootstrap over the outer draws.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.decision._common import DECISION_KIND, dkk, pct, strict_json, var

__all__ = ["format_variance", "variance_json", "variance_split"]


def _split(y: np.ndarray) -> tuple[float, float]:
    J = y.shape[1]
    within = float(y.var(axis=1, ddof=1).mean())
    between = float(y.mean(axis=1).var(ddof=1) - within / J)
    return between, within


def variance_split(
    y: np.ndarray,
    n_boot: int = 1000,
    seed: int = 0,
    ci_prob: float = 0.95,
    name: str = "npv",
    units: str = "DKK",
) -> xr.Dataset:
    """Split the variance of ``y[outer, inner]`` into parameter and chance parts.

    Parameters
    ----------
    y : ndarray, shape (outer, inner)
        Outcome for inner draw ``j`` of outer parameter draw ``k``.
    n_boot : int
        Bootstrap resamples of the outer draws.

    Returns
    -------
    xarray.Dataset
        Scalars ``total_variance``, ``parameter_variance``,
        ``chance_variance``, ``parameter_share`` and ``chance_share``, each
        with a ``*_ci`` interval over ``ci_bound``.
    """
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 2 or y.shape[0] < 2 or y.shape[1] < 2:
        raise SimriskError(f"nested outcomes must be [outer >= 2, inner >= 2], got {y.shape}")
    K, J = y.shape
    b, w = _split(y)
    rng = np.random.default_rng(seed)
    boot = np.array([_split(y[rng.integers(0, K, K)]) for _ in range(n_boot)])
    a = (1 - ci_prob) / 2

    def ci(v):
        return np.quantile(v, [a, 1 - a])

    tot_b = boot.sum(axis=1)
    est = {
        "total_variance": (b + w, tot_b, f"{units}^2", "variance of the outcome"),
        "parameter_variance": (b, boot[:, 0], f"{units}^2", "Var(E[outcome | parameters])"),
        "chance_variance": (w, boot[:, 1], f"{units}^2", "E[Var(outcome | parameters)]"),
        "parameter_share": (b / (b + w), boot[:, 0] / tot_b, "1", "share due to parameters"),
        "chance_share": (w / (b + w), boot[:, 1] / tot_b, "1", "share due to citizens' chance"),
    }
    data = {}
    for k, (v, bs, u, ln) in est.items():
        data[k] = var((), v, u, ln)
        data[f"{k}_ci"] = var(("ci_bound",), ci(bs), u, f"bootstrap interval: {ln}")
    attrs = {
        "simrisk_kind": DECISION_KIND,
        "analysis": "variance",
        "outcome": name,
        "outer": int(K),
        "inner": int(J),
        "ci_prob": ci_prob,
        "n_boot": n_boot,
        "method": "law of total variance; one-way random-effects ANOVA on a nested design",
    }
    return xr.Dataset(data, coords={"ci_bound": ["lower", "upper"]}, attrs=attrs)


def variance_json(v: xr.Dataset) -> dict:
    """JSON form: each part with its interval."""
    out = {k: v.attrs[k] for k in ("outcome", "outer", "inner", "ci_prob")}
    for k in ("total_variance", "parameter_variance", "chance_variance"):
        out[k] = float(v[k])
        out[f"{k}_ci"] = v[f"{k}_ci"].values
    for k in ("parameter_share", "chance_share"):
        out[k] = float(v[k])
        out[f"{k}_ci"] = v[f"{k}_ci"].values
    out["sd"] = float(np.sqrt(v["total_variance"]))
    for k in ("scenario", "seed", "draws_total"):
        if k in v.attrs:
            out[k] = v.attrs[k]
    return strict_json(out)


def format_variance(v: xr.Dataset) -> str:
    """The split as a short table (SDs in DKK, shares in %)."""
    j = variance_json(v)
    p = 100 * j["ci_prob"]

    def sd(k):
        lo, hi = j[f"{k}_ci"]
        return f"{dkk(j[k] ** 0.5):>12}   [{dkk(max(lo, 0) ** 0.5)}, {dkk(max(hi, 0) ** 0.5)}]"

    lines = [
        f"{j.get('scenario', '')}: law of total variance of {j['outcome']} from {j['outer']:,} "
        f"parameter draws x {j['inner']:,} sets of citizens ({p:.0f}% bootstrap intervals)",
        "",
        f"{'':<38}{'SD (DKK)':>12}   interval",
        f"  {'total':<36}" + sd("total_variance"),
        f"  {'parameters: Var(E[NPV | theta])':<36}" + sd("parameter_variance"),
        f"  {'citizens: E[Var(NPV | theta)]':<36}" + sd("chance_variance"),
        "",
        f"  share of the variance due to parameter uncertainty: {pct(j['parameter_share'])} "
        f"[{pct(j['parameter_share_ci'][0])}, {pct(j['parameter_share_ci'][1])}]",
        f"  share due to chance among the citizens:            {pct(j['chance_share'])} "
        f"[{pct(j['chance_share_ci'][0])}, {pct(j['chance_share_ci'][1])}]",
    ]
    return "\n".join(lines)
