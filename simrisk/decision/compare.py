"""Scenarios on common random numbers: each against the first, with paired SEs.

Runs with the same seed and draw count share, draw for draw, the parameter
uniforms and the citizens' noise (a draw is a pure function of seed and
index). The difference of a statistic between scenario B and the first, A,
is then estimated by the mean of the per-draw differences ``x_B - x_A``, and
its standard error is ``sd(x_B - x_A) / sqrt(N)`` (paired). Independent runs
would give ``sqrt(se_A^2 + se_B^2)`` (unpaired); their ratio says how much
the common random numbers buy, and its square how many times more draws
independent runs would need for the same precision.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.decision._common import DECISION_KIND, dkk, pct, require, strict_json, var

__all__ = ["STATISTICS", "compare", "compare_json", "format_compare"]

# name -> (per-draw quantity, unit, description); each statistic is its mean.
STATISTICS = {
    "p_npv_negative": ("1", "P(NPV < 0)"),
    "p_loss_nominal": ("1", "P(repayments < capital)"),
    "p_irr_below_hurdle": ("1", "P(IRR < hurdle)"),
    "npv_mean": ("DKK", "mean NPV"),
    "repayments_mean": ("DKK", "mean total repayment"),
}


def _per_draw(ds: xr.Dataset) -> dict[str, np.ndarray]:
    require(ds, ("npv", "repayments_total", "irr"), "a comparison")
    npv = ds["npv"].values.astype(np.float64)
    irr = ds["irr"].values.astype(np.float64)
    total = ds["repayments_total"].values.astype(np.float64)
    hurdle = float(ds.attrs.get("hurdle_rate", np.nan))
    return {
        "p_npv_negative": (npv < 0).astype(float),
        "p_loss_nominal": (total < float(ds.attrs["capital"])).astype(float),
        "p_irr_below_hurdle": np.where(np.isfinite(irr), irr < hurdle, False).astype(float),
        "npv_mean": npv,
        "repayments_mean": total,
    }


def compare(results: Sequence[tuple[str, xr.Dataset]]) -> xr.Dataset:
    """Each scenario's statistics and its difference from the first, paired and unpaired.

    Parameters
    ----------
    results : sequence of (name, Dataset)
        At least two results with the same seed and draw count.

    Returns
    -------
    xarray.Dataset
        Over (``scenario``, ``statistic``): ``value``, ``se``, ``diff``,
        ``diff_se_paired``, ``diff_se_unpaired``, ``se_ratio`` (unpaired /
        paired), ``corr`` (correlation of the per-draw quantities with the
        first scenario's).
    """
    if len(results) < 2:
        raise SimriskError("compare needs at least two scenarios")
    first = results[0][1]
    N = first.sizes["draw"]
    for name, ds in results[1:]:
        if ds.sizes["draw"] != N or ds.attrs.get("seed") != first.attrs.get("seed"):
            raise SimriskError(
                f"{name}: {ds.sizes['draw']:,} draws with seed {ds.attrs.get('seed')}; common "
                f"random numbers need the first scenario's {N:,} draws and seed "
                f"{first.attrs.get('seed')}"
            )
    stats = list(STATISTICS)
    base = _per_draw(first)
    S, K = len(results), len(stats)
    out = {k: np.full((S, K), np.nan) for k in (
        "value", "se", "diff", "diff_se_paired", "diff_se_unpaired", "se_ratio", "corr"
    )}  # fmt: skip
    rootn = math.sqrt(N)
    for i, (_, ds) in enumerate(results):
        x = _per_draw(ds)
        for k, s in enumerate(stats):
            a, b = base[s], x[s]
            out["value"][i, k] = b.mean()
            out["se"][i, k] = b.std(ddof=1) / rootn
            if i == 0:
                continue
            d = b - a
            out["diff"][i, k] = d.mean()
            out["diff_se_paired"][i, k] = d.std(ddof=1) / rootn
            out["diff_se_unpaired"][i, k] = math.hypot(out["se"][0, k], out["se"][i, k])
            with np.errstate(invalid="ignore", divide="ignore"):
                out["se_ratio"][i, k] = out["diff_se_unpaired"][i, k] / out["diff_se_paired"][i, k]
                if a.std() > 0 and b.std() > 0:
                    out["corr"][i, k] = float(np.corrcoef(a, b)[0, 1])
    dims = ("scenario", "statistic")
    data = {
        "value": var(dims, out["value"], "mixed", "statistic (units by statistic_units)"),
        "se": var(dims, out["se"], "mixed", "Monte Carlo SE"),
        "diff": var(dims, out["diff"], "mixed", "difference from the first scenario"),
        "diff_se_paired": var(
            dims, out["diff_se_paired"], "mixed", "SE of the difference, common random numbers"
        ),
        "diff_se_unpaired": var(
            dims, out["diff_se_unpaired"], "mixed", "SE of the difference if runs were independent"
        ),
        "se_ratio": var(dims, out["se_ratio"], "1", "unpaired SE / paired SE"),
        "corr": var(dims, out["corr"], "1", "draw-by-draw correlation with the first scenario"),
    }
    coords = {
        "scenario": [n for n, _ in results],
        "statistic": stats,
        "statistic_units": ("statistic", [STATISTICS[s][0] for s in stats]),
        "statistic_long_name": ("statistic", [STATISTICS[s][1] for s in stats]),
        "scenario_name": ("scenario", [str(ds.attrs.get("scenario", "")) for _, ds in results]),
    }
    attrs = {
        "simrisk_kind": DECISION_KIND,
        "analysis": "compare",
        "seed": int(first.attrs.get("seed", -1)),
        "draws": int(N),
        "note": "same seed and draws: draw i of every scenario shares parameter uniforms and "
        "citizens' noise",
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


def compare_json(c: xr.Dataset) -> dict:
    """JSON form: per scenario, per statistic: value, se and (after the first) the difference."""
    out = {"seed": c.attrs["seed"], "draws": c.attrs["draws"], "scenarios": []}
    for i, sc in enumerate(c["scenario"].values):
        stats = {}
        for k, s in enumerate(c["statistic"].values):
            row = {"value": c["value"].values[i, k], "se": c["se"].values[i, k]}
            if i:
                for v in ("diff", "diff_se_paired", "diff_se_unpaired", "se_ratio", "corr"):
                    row[v] = c[v].values[i, k]
            stats[str(s)] = row
        out["scenarios"].append(
            {"config": str(sc), "name": str(c["scenario_name"].values[i]), "statistics": stats}
        )
    return strict_json(out, _WHY_NULL)


#: why a comparison's value is NaN (``null_reasons`` of its JSON)
_WHY_NULL = {
    "se_ratio": "the paired difference is the same on every draw (paired SE 0), so the "
    "ratio of the unpaired SE to it is not a number",
    "corr": "the statistic is constant over the draws in one of the scenarios, so the "
    "correlation is not defined",
    "value": "the statistic is not defined on these draws (e.g. no draw has an IRR)",
    "se": "fewer than two draws define the statistic",
    "diff": "the statistic is not defined on these draws (e.g. no draw has an IRR)",
}


def format_compare(c: xr.Dataset) -> str:
    """Each scenario, then its difference from the first with paired and unpaired SEs."""
    j = compare_json(c)
    units = dict(zip(c["statistic"].values, c["statistic_units"].values, strict=True))
    labels = dict(zip(c["statistic"].values, c["statistic_long_name"].values, strict=True))

    def f(s, x):
        return pct(x, 2) if units[s] == "1" else dkk(x)

    lines = [
        f"{len(j['scenarios'])} scenarios on common random numbers: {j['draws']:,} draws, "
        f"seed {j['seed']}. Differences are from the first scenario; SE in brackets.",
    ]
    for i, sc in enumerate(j["scenarios"]):
        lines += ["", f"[{i + 1}] {sc['config']}: {sc['name']}"]
        if i == 0:
            for s, r in sc["statistics"].items():
                lines.append(f"  {labels[s]:<26}{f(s, r['value']):>14} ({f(s, r['se'])})")
            continue
        lines.append(
            f"  {'':<26}{'value':>14}{'':>11}{'difference':>14}{'paired SE':>12}"
            f"{'unpaired SE':>13}{'x smaller':>11}"
        )
        for s, r in sc["statistics"].items():
            ratio = r["se_ratio"]  # none when the paired difference is exactly 0 (SE 0)
            ratio = "n/a" if ratio is None or not math.isfinite(ratio) else f"{ratio:.1f}x"
            lines.append(
                f"  {labels[s]:<26}{f(s, r['value']):>14} ({f(s, r['se'])})".ljust(53)
                + f"{f(s, r['diff']):>14}{f(s, r['diff_se_paired']):>12}"
                f"{f(s, r['diff_se_unpaired']):>13}{ratio:>11}"
            )
    return "\n".join(lines)
