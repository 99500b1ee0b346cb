"""The fund's figures, each with its Monte Carlo standard error.

Losses are the fund's (after guarantees), in DKK, undiscounted; VaR at level
``a`` is the ``a``-quantile of the fund's loss and the expected shortfall the
mean loss at or beyond it (the worst ``1 - a`` of worlds). Each deal's Euler
contribution to the shortfall is its mean loss over those same worlds, so the
contributions add up to the shortfall exactly. Standard errors: binomial for
probabilities, sd/sqrt(n) for means, the exact bootstrap for quantiles
(:func:`simrisk.core.summary.quantile_se`), and batch means over 20
contiguous batches for shortfalls, their contributions and differences.
"""

from __future__ import annotations

import math

import numpy as np

from simrisk.core.summary import _batches, describe, prob, quantile_se

__all__ = ["LEVELS", "format_summary", "summarize", "tail_figures"]

#: VaR and expected-shortfall levels reported
LEVELS = (0.95, 0.99)
_BATCHES = 20


def _est(value: float, se: float) -> dict:
    return {"value": float(value), "se": float(se)}


def _tail(loss: np.ndarray, level: float) -> tuple[float, np.ndarray]:
    """VaR (the linear ``level``-quantile, as np.quantile) and the mask of the tail."""
    v = float(np.quantile(loss, level))
    return v, loss >= v


def _batch_se(stat, n: int) -> float:
    k = min(_BATCHES, n)
    vals = np.array([stat(slice(a, b)) for a, b in _batches(n, k)])
    vals = vals[np.isfinite(vals)]
    return float(vals.std(ddof=1) / math.sqrt(len(vals))) if len(vals) > 1 else float("nan")


def tail_figures(loss: np.ndarray, parts: np.ndarray | None, level: float) -> dict:
    """VaR, ES and (with ``parts[n, J]``) the Euler contributions, each with its SE."""
    n = loss.shape[0]
    var, tail = _tail(loss, level)
    es = float(loss[tail].mean())
    xs = np.sort(loss)
    out = {
        "var": _est(var, quantile_se(xs, level)),
        "es": _est(es, _batch_se(lambda s: loss[s][_tail(loss[s], level)[1]].mean(), n)),
    }
    if parts is not None:
        contrib = parts[tail].mean(axis=0)

        def one(j):
            return lambda s: parts[s, j][_tail(loss[s], level)[1]].mean()

        out["contributions"] = [
            _est(contrib[j], _batch_se(one(j), n)) for j in range(parts.shape[1])
        ]
    return out


def _pair_diff_es(a: np.ndarray, b: np.ndarray, level: float) -> dict:
    """ES(a) - ES(b) on the same worlds, with its batch-means SE."""
    n = a.shape[0]

    def es(x, s):
        return x[s][_tail(x[s], level)[1]].mean()

    full = slice(0, n)
    return _est(es(a, full) - es(b, full), _batch_se(lambda s: es(a, s) - es(b, s), n))


def _loss_block(loss: np.ndarray, capital: float, grid) -> dict:
    m = float(loss.mean())
    out = {
        "expected_loss": _est(m, loss.std(ddof=1) / math.sqrt(loss.shape[0])),
        "p_any_loss": _est(*prob(loss > 0)),
        "p_loss_above": {
            f"{g:g}": {
                "share": float(g),
                "amount": float(g * capital),
                **_est(*prob(loss > g * capital)),
            }
            for g in grid
        },
    }
    for level in LEVELS:
        t = tail_figures(loss, None, level)
        tag = f"{round(level * 100)}"
        out[f"var_{tag}"] = t["var"]
        out[f"es_{tag}"] = t["es"]
    return out


def summarize(ds) -> dict:
    """Every headline figure of a fund result (see the module's docstring)."""
    loss = np.asarray(ds["fund_loss"].values, dtype=np.float64)
    parts = np.asarray(ds["loss"].values, dtype=np.float64)
    deals = [str(d) for d in ds["deal"].values]
    names = [str(x) for x in ds["deal_name"].values]
    cap = np.asarray(ds["deal_capital"].values, dtype=np.float64)
    capital = float(ds.attrs["fund_capital"])
    grid = [float(g) for g in np.atleast_1d(ds.attrs["loss_grid"])]
    n = loss.shape[0]

    out: dict = {
        "kind": "fund",
        "name": str(ds.attrs.get("name", "")),
        "draws": int(n),
        "seed": int(ds.attrs["seed"]),
        "fund_capital": capital,
        "capital_invested": float(cap.sum()),
        **_loss_block(loss, capital, grid),
    }
    for level in LEVELS:
        tag = f"{round(level * 100)}"
        t = tail_figures(loss, parts, level)
        out[f"es_{tag}_contributions"] = dict(zip(deals, t["contributions"], strict=True))
    share = cap / cap.sum()
    h = float((share**2).sum())
    out["herfindahl"] = {"value": h, "effective_number": 1.0 / h, "basis": "capital"}
    npv = np.asarray(ds["npv"].values, dtype=np.float64)
    irr = np.asarray(ds["irr"].values, dtype=np.float64)
    out["npv"] = describe(npv)
    out["p_npv_negative"] = _est(*prob(npv < 0))
    out["irr"] = describe(irr[np.isfinite(irr)])
    out["rho"] = describe(np.asarray(ds["rho"].values, dtype=np.float64))

    table = {}
    for j, d in enumerate(deals):
        lj = parts[:, j]
        alone = tail_figures(lj, None, 0.99)
        table[d] = {
            "name": names[j],
            "origin": str(ds["deal_origin"].values[j]),
            "capital": float(cap[j]),
            "expected_loss": _est(lj.mean(), lj.std(ddof=1) / math.sqrt(n)),
            "p_loss": _est(*prob(lj > 0)),
            "es_99_alone": alone["es"],
        }
    out["deals"] = table

    guarantees = {}
    for j, d in enumerate(deals):
        g = float(ds["deal_guarantee"].values[j])
        if g <= 0:
            continue
        paid = np.asarray(ds["guaranteed"].values[:, j], dtype=np.float64)
        without = loss + paid  # the fund's loss had this guarantee not existed
        guarantees[d] = {
            "guarantor": str(ds["deal_guarantor"].values[j]),
            "amount": g,
            "expected_payment": _est(paid.mean(), paid.std(ddof=1) / math.sqrt(n)),
            "p_called": _est(*prob(paid > 0)),
            "es_99_reduction": _pair_diff_es(without, loss, 0.99),
            "expected_loss_reduction": _est(paid.mean(), paid.std(ddof=1) / math.sqrt(n)),
        }
    out["guarantees"] = guarantees

    cand = str(ds.attrs.get("candidate", ""))
    if cand:
        out["candidate"] = _candidate(ds, cand, deals, loss, parts, cap, capital, grid)
    return out


def _candidate(ds, cand, deals, loss, parts, cap, capital, grid) -> dict:
    """The fund with and without the candidate deal, on the same worlds."""
    j = deals.index(cand)
    rest = loss - parts[:, j]
    npv = np.asarray(ds["npv"].values, dtype=np.float64)
    npv_rest = npv - np.asarray(ds["deal_npv"].values[:, j], dtype=np.float64)
    n = loss.shape[0]
    inv_with, inv_without = float(cap.sum()), float(cap.sum() - cap[j])
    es_with = tail_figures(loss, None, 0.99)["es"]
    es_without = tail_figures(rest, None, 0.99)["es"]

    def rel(s):
        a, b = loss[s], rest[s]
        return a[_tail(a, 0.99)[1]].mean() / inv_with - b[_tail(b, 0.99)[1]].mean() / inv_without

    ten = 0.10 * capital
    d_ind = (loss > ten).astype(float) - (rest > ten).astype(float)
    d_npv = npv - npv_rest
    contrib = tail_figures(loss, parts, 0.99)["contributions"][j]
    return {
        "deal": cand,
        "capital": float(cap[j]),
        "with": {
            "expected_loss": _est(loss.mean(), loss.std(ddof=1) / math.sqrt(n)),
            "es_99": es_with,
            "es_99_per_capital": es_with["value"] / inv_with,
            "p_loss_above_10pct": _est(*prob(loss > ten)),
        },
        "without": {
            "expected_loss": _est(rest.mean(), rest.std(ddof=1) / math.sqrt(n)),
            "es_99": es_without,
            "es_99_per_capital": es_without["value"] / inv_without,
            "p_loss_above_10pct": _est(*prob(rest > ten)),
        },
        "difference": {
            "es_99": _pair_diff_es(loss, rest, 0.99),
            "es_99_per_capital": _est(rel(slice(0, n)), _batch_se(rel, n)),
            "p_loss_above_10pct": _est(d_ind.mean(), d_ind.std(ddof=1) / math.sqrt(n)),
            "npv": _est(d_npv.mean(), d_npv.std(ddof=1) / math.sqrt(n)),
        },
        "es_99_contribution": contrib,
        "es_99_alone": tail_figures(parts[:, j], None, 0.99)["es"],
        "unit": "percentage points for differences of probabilities; DKK otherwise",
    }


def _dkk(x: float) -> str:
    return f"{x:,.0f}"


def _pm(e: dict, pct: bool = False) -> str:
    if pct:
        return f"{100 * e['value']:.2f}% ± {100 * e['se']:.2f}"
    return f"{_dkk(e['value'])} ± {_dkk(e['se'])}"


def format_summary(s: dict) -> str:
    """The summary as the terminal table (DKK, MC standard errors after ±)."""
    lines = [
        f"{s['name']}: {s['draws']:,} simulated worlds, seed {s['seed']}",
        f"fund capital {_dkk(s['fund_capital'])} DKK; invested in deals "
        f"{_dkk(s['capital_invested'])} DKK; Herfindahl {s['herfindahl']['value']:.3f} "
        f"(effective number of deals {s['herfindahl']['effective_number']:.1f})",
        "",
        f"expected loss            {_pm(s['expected_loss'])} DKK",
    ]
    for k, e in s["p_loss_above"].items():
        lines.append(f"P(loss > {100 * float(k):g}% of capital)".ljust(25) + f"{_pm(e, pct=True)}")
    for tag in ("95", "99"):
        lines.append(f"VaR {tag}%".ljust(25) + f"{_pm(s[f'var_{tag}'])} DKK")
        lines.append(f"expected shortfall {tag}%".ljust(25) + f"{_pm(s[f'es_{tag}'])} DKK")
    lines += ["", "Euler contributions to the 99% expected shortfall:"]
    total = 0.0
    for d, e in s["es_99_contributions"].items():
        total += e["value"]
        lines.append(f"  {d:<28}{_pm(e)} DKK")
    lines.append(f"  {'sum':<28}{_dkk(total)} DKK (= the shortfall)")
    if s["guarantees"]:
        lines += ["", "Guarantees (first loss):"]
        for d, g in s["guarantees"].items():
            lines.append(
                f"  {d} by {g['guarantor']}: pays {_pm(g['expected_payment'])} DKK on average; "
                f"lowers the 99% shortfall by {_pm(g['es_99_reduction'])} DKK"
            )
    c = s.get("candidate")
    if c:
        d = c["difference"]
        lines += [
            "",
            f"Adding {c['deal']} ({_dkk(c['capital'])} DKK): 99% shortfall per DKK invested "
            f"{100 * c['without']['es_99_per_capital']:.2f}% without, "
            f"{100 * c['with']['es_99_per_capital']:.2f}% with "
            f"(change {100 * d['es_99_per_capital']['value']:+.2f} ± "
            f"{100 * d['es_99_per_capital']['se']:.2f} percentage points); "
            f"P(loss > 10% of capital) {100 * d['p_loss_above_10pct']['value']:+.2f} ± "
            f"{100 * d['p_loss_above_10pct']['se']:.2f} percentage points",
        ]
    npv = s["npv"]
    lines += [
        "",
        f"fund NPV mean {_dkk(npv['mean'])} ± {_dkk(npv['mean_se'])} DKK; "
        f"P(NPV < 0) {_pm(s['p_npv_negative'], pct=True)}",
    ]
    return "\n".join(lines)
