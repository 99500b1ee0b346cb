"""Decision rules, stated and applied: every alternative (doing nothing first), every verdict
with its Monte Carlo error and the margin to flipping.

A decision problem is a party's choice among alternatives ``d`` with a payoff
``NB[draw, d]`` in DKK on common random numbers; the first alternative is
always doing nothing (payoff 0: for DSI, keeping its capital at its own rate,
so NPV 0 at that rate). The kinds declare their problems
(``simrisk.kinds.<kind>.decision``); this module applies the rules:

- ``hurdle`` (the contract's lender): the expected case's IRR >= the hurdle
  rate and the simulated P(NPV at the hurdle rate < 0) <= a stated tolerance
  (no tolerance stated: the probability is reported, not judged);
- ``expected_value``: the highest mean payoff; each alternative's expected
  regret ``E[max_d NB_d - NB_a]`` and P(best), all with their MC SEs; the
  margin to flipping is the paired difference of the two best means;
- ``risk_aversion``: constant absolute risk aversion (exponential utility,
  as BCEA's ``CEriskav``): certainty equivalent
  ``CE_a(r) = -(1/r) log E[exp(-r NB_a)]`` in DKK per alternative; the
  choice over a grid of r and the r at which it flips;
- ``dominance``: first- and second-order stochastic dominance between every
  ordered pair, with the largest violation and its MC error at that point.

:func:`decide` returns the stable structure documented in
``docs/model.md#decision-rules``; :func:`format_decision` prints it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simrisk.core.decision_spec import RULES, RULES_BY_KIND, DecisionSpec
from simrisk.core.errors import SimriskError
from simrisk.decision._common import jsonable

__all__ = [
    "Problem",
    "apply_rules",
    "certainty_equivalent",
    "decide",
    "dominance",
    "expected_value",
    "format_decision",
    "hurdle",
    "risk_aversion",
    "with_decision",
]

#: the kinds that declare their decision, and where
DECLARED = {
    "contract": "simrisk.kinds.contract.decision",
    "portfolio": "simrisk.kinds.portfolio.decision",
    "wellby": "simrisk.kinds.wellby.decision",
}
#: points of the r grid the choice is shown over
GRID_POINTS = 25
#: the grid spans r from GRID_LOW / s to GRID_HIGH / s, s the largest SD of a payoff
GRID_LOW, GRID_HIGH = 1e-3, 30.0
#: a violation of dominance "within MC error" is at most this many SE
DOMINANCE_SE = 2.0


@dataclass
class Problem:
    """One party's decision: alternatives (doing nothing first) and their payoffs per draw."""

    party: str
    question: str
    alternatives: list[str]
    payoff: np.ndarray  # [draw, alternative], DKK
    measure: str
    basis: str | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.payoff = np.asarray(self.payoff, dtype=np.float64)
        if self.payoff.ndim != 2 or self.payoff.shape[1] != len(self.alternatives):
            shape, k = self.payoff.shape, len(self.alternatives)
            raise ValueError(f"payoff {shape} for {k} alternatives")
        if self.payoff.shape[1] < 2:
            raise ValueError("a decision needs at least two alternatives")


def _mean_se(x: np.ndarray) -> tuple[float, float]:
    n = x.shape[0]
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0


def _prob_se(p: float, n: int) -> float:
    return math.sqrt(max(p * (1 - p), 0.0) / n)


# ---------------------------------------------------------------------------
# Expected value
# ---------------------------------------------------------------------------


def expected_value(p: Problem) -> dict:
    """Mean payoff, expected regret and P(best) per alternative; the choice and its margin.

    P(best): ties go to the earlier alternative (doing nothing first), so a
    draw where an alternative only matches doing nothing counts for doing
    nothing. Expected regret of the chosen alternative is the EVPI.
    """
    nb = p.payoff
    n = nb.shape[0]
    top = nb.max(axis=1)
    best_idx = np.argmax(nb, axis=1)
    means = nb.mean(axis=0)
    choice = int(np.argmax(means))
    rows = {}
    for a, name in enumerate(p.alternatives):
        m, m_se = _mean_se(nb[:, a])
        reg, reg_se = _mean_se(top - nb[:, a])
        pb = float(np.count_nonzero(best_idx == a)) / n
        rows[name] = {
            "mean": m,
            "mean_se": m_se,
            "expected_regret": reg,
            "expected_regret_se": reg_se,
            "p_best": pb,
            "p_best_se": _prob_se(pb, n),
        }
    order = [int(i) for i in np.argsort(-means, kind="stable")]
    second = order[1]
    gap, gap_se = _mean_se(nb[:, choice] - nb[:, second])
    return {
        "choice": p.alternatives[choice],
        "ranking": [p.alternatives[i] for i in order],
        "alternatives": rows,
        "margin": {
            "runner_up": p.alternatives[second],
            "value": gap,
            "se": gap_se,
            "z": gap / gap_se if gap_se > 0 else math.inf,
            "meaning": "mean payoff of the choice less the runner-up's (paired draws): the "
            "choice flips if it falls below 0",
        },
        "verdict": f"{p.alternatives[choice]}: highest expected {p.measure}",
    }


# ---------------------------------------------------------------------------
# Risk aversion (CARA)
# ---------------------------------------------------------------------------


def certainty_equivalent(x: np.ndarray, r: float) -> tuple[float, float]:
    """``-(1/r) log mean(exp(-r x))`` and its delta-method MC SE (``r = 0``: the mean).

    Computed with a log-sum-exp shift so large ``r x`` does not overflow; the
    SE is ``sd(w) / (sqrt(N) mean(w) r)`` with ``w = exp(-r x - max)``.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    if r == 0:
        return _mean_se(x)
    if np.ptp(x) == 0:
        return float(x[0]), 0.0
    z = -r * x
    zmax = float(z.max())
    w = np.exp(z - zmax)
    mw = float(w.mean())
    ce = -(zmax + math.log(mw)) / r
    se = float(w.std(ddof=1) / (math.sqrt(n) * mw * r)) if n > 1 else 0.0
    return ce, se


def _ces(nb: np.ndarray, r: float) -> np.ndarray:
    """``[2, alternative]``: each alternative's certainty equivalent at ``r`` and its SE."""
    return np.array([certainty_equivalent(nb[:, a], r) for a in range(nb.shape[1])]).T


def risk_aversion(p: Problem, r: float | None, source: str = "stated") -> dict:
    """Certainty equivalents at ``r``, the choice over a grid of r and where it flips.

    The grid is geometric from ``GRID_LOW / s`` to ``GRID_HIGH / s`` (``s``
    the largest SD of a payoff), with 0 (risk neutral) and ``r`` added.
    Each flip is located by root-finding on the paired difference of the two
    certainty equivalents between grid points; its SE is the difference's
    MC SE over the slope ``|d(CE_a - CE_b)/dr|`` there (delta method).
    """
    from scipy.optimize import brentq

    nb = p.payoff
    s = float(nb.std(axis=0).max()) or 1.0
    grid = np.geomspace(GRID_LOW / s, GRID_HIGH / s, GRID_POINTS)
    if r is not None:
        grid = np.union1d(grid, [r])
    grid = np.concatenate([[0.0], grid])
    both = np.array([_ces(nb, g) for g in grid])  # [grid, value/se, alt]
    table, table_se = both[:, 0], both[:, 1]
    choices = table.argmax(axis=1)
    flips = []
    for k in range(1, len(grid)):
        a, b = int(choices[k - 1]), int(choices[k])
        if a == b:
            continue

        def diff(rr, a=a, b=b):
            return certainty_equivalent(nb[:, a], rr)[0] - certainty_equivalent(nb[:, b], rr)[0]

        lo, hi = grid[k - 1], grid[k]
        try:
            rf = float(brentq(diff, lo, hi, xtol=1e-6 * hi, rtol=1e-10)) if lo < hi else hi
        except ValueError:
            rf = float(hi)
        h = max(rf * 1e-3, 1e-15)
        slope = (diff(rf + h) - diff(max(rf - h, 0.0))) / (rf + h - max(rf - h, 0.0))
        d_se = _paired_ce_se(nb[:, a], nb[:, b], rf)
        flips.append(
            {
                "r": rf,
                "r_se": d_se / abs(slope) if slope else math.inf,
                "risk_tolerance": 1.0 / rf if rf > 0 else math.inf,
                "from": p.alternatives[a],
                "to": p.alternatives[b],
            }
        )
    out: dict = {
        "r": r,
        "r_source": source if r is not None else "not stated",
        "grid": [
            {
                "r": float(g),
                "choice": p.alternatives[int(c)],
                "certainty_equivalent": list(row),
                "certainty_equivalent_se": list(row_se),
            }
            for g, c, row, row_se in zip(grid, choices, table, table_se, strict=True)
        ],
        "flips": flips,
        "r_flip": flips[0]["r"] if flips else None,
        "r_flip_se": flips[0]["r_se"] if flips else None,
    }
    if r is not None:
        ce = {}
        for a, name in enumerate(p.alternatives):
            v, se = certainty_equivalent(nb[:, a], r)
            ce[name] = {"value": v, "se": se}
        vals = np.array([ce[n]["value"] for n in p.alternatives])
        choice = int(np.argmax(vals))
        out.update(
            certainty_equivalent=ce,
            risk_tolerance=1.0 / r,
            choice=p.alternatives[choice],
            verdict=f"{p.alternatives[choice]}: highest certainty equivalent at r = {r:.3g}/DKK",
        )
        # the flip nearest the stated r, either side
        if flips:
            near = min(flips, key=lambda f: abs(math.log(f["r"] / r)) if f["r"] > 0 else math.inf)
            out["r_flip"], out["r_flip_se"] = near["r"], near["r_se"]
    else:
        out.update(certainty_equivalent=None, choice=None, verdict="not judged: no r stated")
    return out


def _paired_ce_se(x: np.ndarray, y: np.ndarray, r: float) -> float:
    """MC SE of ``CE(x) - CE(y)`` at ``r`` on paired draws (delta method)."""
    n = x.shape[0]
    if r == 0:
        return float((x - y).std(ddof=1) / math.sqrt(n))
    zx, zy = -r * x, -r * y
    wx, wy = np.exp(zx - zx.max()), np.exp(zy - zy.max())
    gx = wx / wx.mean()  # influence of each draw on log mean(w), up to 1/N
    gy = wy / wy.mean()
    return float((gx - gy).std(ddof=1) / (math.sqrt(n) * r))


# ---------------------------------------------------------------------------
# Stochastic dominance
# ---------------------------------------------------------------------------


def _pair_dominance(a: np.ndarray, b: np.ndarray) -> dict:
    """Does ``a`` dominate ``b``? First order: ``F_a <= F_b`` everywhere; second: the
    expected shortfall below every level ``E[(x - a)+] <= E[(x - b)+]``.

    Each is checked at every pooled value (the functions' kinks); the largest
    violation is ``max(F_a - F_b)`` (probability) and ``max(E[(x-a)+] -
    E[(x-b)+])`` (DKK), with the paired MC SE of the difference at that point.
    """
    n = a.shape[0]
    sa, sb = np.sort(a), np.sort(b)
    xs = np.union1d(sa, sb)
    ka = np.searchsorted(sa, xs, side="right")
    kb = np.searchsorted(sb, xs, side="right")
    fsd = (ka - kb) / n
    i1 = int(np.argmax(fsd))
    x1 = float(xs[i1])
    d1 = (a <= x1).astype(np.float64) - (b <= x1)
    ca = np.concatenate([[0.0], np.cumsum(sa)])
    cb = np.concatenate([[0.0], np.cumsum(sb)])
    ga = (ka * xs - ca[ka]) / n
    gb = (kb * xs - cb[kb]) / n
    ssd = ga - gb
    i2 = int(np.argmax(ssd))
    x2 = float(xs[i2])
    d2 = np.maximum(x2 - a, 0.0) - np.maximum(x2 - b, 0.0)
    # the cumulative sums round: below this, a second-order gap is rounding, not a violation
    tol = 1e-9 * max(1.0, float(np.abs(xs).max()))
    v1 = float(max(fsd[i1], 0.0))
    v2 = float(ssd[i2]) if ssd[i2] > tol else 0.0
    se1 = float(d1.std(ddof=1) / math.sqrt(n))
    se2 = float(d2.std(ddof=1) / math.sqrt(n))
    statewise = float(np.count_nonzero(a >= b)) / n
    return {
        "first_order": {
            "holds": v1 <= 0,
            "holds_within_mc_error": v1 <= DOMINANCE_SE * se1,
            "largest_violation": v1,
            "largest_violation_se": se1,
            "at": x1,
            "unit": "probability: max over x of P(a <= x) - P(b <= x)",
        },
        "second_order": {
            "holds": v2 <= 0,
            "holds_within_mc_error": v2 <= DOMINANCE_SE * se2,
            "largest_violation": v2,
            "largest_violation_se": se2,
            "at": x2,
            "unit": "DKK: max over x of E[(x - a)+] - E[(x - b)+]",
        },
        "p_at_least_as_good": statewise,
        "p_at_least_as_good_se": _prob_se(statewise, n),
    }


def dominance(p: Problem) -> dict:
    """Every ordered pair's dominance and the alternatives dominated by another."""
    nb = p.payoff
    pairs = {}
    dominated: dict[str, list[str]] = {}
    for i, ai in enumerate(p.alternatives):
        for j, bj in enumerate(p.alternatives):
            if i == j:
                continue
            r = _pair_dominance(nb[:, i], nb[:, j])
            pairs[f"{ai} over {bj}"] = r
            if np.array_equal(nb[:, i], nb[:, j]):
                continue
            # first order implies second: name the strongest that holds
            for order in ("first_order", "second_order"):
                if r[order]["holds"]:
                    dominated.setdefault(bj, []).append(f"{ai} ({order.replace('_', ' ')})")
                    break
    if dominated:
        verdict = "; ".join(f"{b} is dominated by {', '.join(v)}" for b, v in dominated.items())
    else:
        verdict = "no alternative dominates another: the choice depends on attitude to risk"
    return {"pairs": pairs, "dominated": dominated, "verdict": verdict}


# ---------------------------------------------------------------------------
# DSI's hurdle
# ---------------------------------------------------------------------------


def hurdle(
    expected_irr: float | None,
    hurdle_rate: float,
    npv_at_hurdle: np.ndarray,
    tolerance: float | None,
) -> dict:
    """DSI's rule: the expected case's IRR >= the hurdle and P(NPV at it < 0) <= tolerance."""
    n = npv_at_hurdle.shape[0]
    p = float(np.count_nonzero(npv_at_hurdle < 0)) / n
    p_se = _prob_se(p, n)
    irr_ok = (
        expected_irr is not None and math.isfinite(expected_irr) and expected_irr >= hurdle_rate
    )
    part1 = {
        "expected_case_irr": expected_irr,
        "hurdle_rate": hurdle_rate,
        "passes": bool(irr_ok),
        "margin": None if expected_irr is None else expected_irr - hurdle_rate,
        "margin_se": 0.0,
        "meaning": "the deterministic expected case (the ledger), so no Monte Carlo error",
    }
    part2: dict = {"p_npv_negative": p, "p_npv_negative_se": p_se, "tolerance": tolerance}
    if tolerance is None:
        part2.update(passes=None, margin=None, margin_z=None,
                     meaning="no tolerance stated: reported, not judged")  # fmt: skip
    else:
        m = tolerance - p
        part2.update(
            passes=p <= tolerance,
            margin=m,
            margin_se=p_se,
            margin_z=m / p_se if p_se > 0 else math.inf,
            meaning="tolerance less P(NPV < 0): the verdict flips if it falls below 0",
        )
    if not irr_ok:
        verdict, choice = "reject: the expected case's IRR is below the hurdle", "do_not_invest"
    elif tolerance is None:
        verdict = (
            f"expected case passes; P(NPV at {hurdle_rate:.1%} < 0) = {p:.1%} "
            f"(SE {p_se:.1%}) not judged: no tolerance stated"
        )
        choice = None
    elif p <= tolerance:
        verdict, choice = "approve: both parts of the hurdle hold", "invest"
    else:
        verdict = f"reject: P(NPV < 0) = {p:.1%} exceeds the tolerance {tolerance:.1%}"
        choice = "do_not_invest"
    return {"expected_case": part1, "risk": part2, "choice": choice, "verdict": verdict}


# ---------------------------------------------------------------------------
# Putting it together
# ---------------------------------------------------------------------------


def apply_rules(p: Problem, spec: DecisionSpec | None, kind: str, *, hurdle_inputs=None) -> dict:
    """The rules of ``spec`` (default: every rule that applies) applied to ``p``.

    ``hurdle_inputs`` = (expected IRR, hurdle rate, NPV at the hurdle per draw)
    for the contract's lender; without it the hurdle rule is skipped.
    """
    from simrisk.decision.voi import evpi

    spec = spec or DecisionSpec()
    names = list(spec.rules) if spec.rules is not None else list(RULES_BY_KIND[kind])
    rules: dict = {}
    for name in RULES:
        if name not in names:
            continue
        if name == "hurdle":
            if hurdle_inputs is not None:
                rules["hurdle"] = hurdle(*hurdle_inputs, spec.hurdle_tolerance)
        elif name == "expected_value":
            rules["expected_value"] = expected_value(p)
        elif name == "risk_aversion":
            ra = spec.risk_aversion
            rules["risk_aversion"] = risk_aversion(
                p, None if ra is None else ra.value, "not stated" if ra is None else ra.source
            )
        elif name == "dominance":
            rules["dominance"] = dominance(p)
    e, e_se = evpi(p.payoff)
    return jsonable(
        {
            "party": p.party,
            "question": p.question,
            "measure": p.measure,
            "unit": "DKK",
            "basis": p.basis,
            "alternatives": list(p.alternatives),
            "do_nothing": p.alternatives[0],
            "draws": int(p.payoff.shape[0]),
            "rules": rules,
            "evpi": {"value": e, "se": e_se},
            **p.extra,
        }
    )


def decide(ds, spec: DecisionSpec | None = None) -> dict:
    """The decision summary of a result: the main party's problem and every other party's.

    ``spec`` defaults to the ``[decision]`` table stored with the result.
    Returns ``{"kind", ..., "alternatives", "rules", "evpi", "others": {label: same}}``.
    """
    from importlib import import_module

    from simrisk.kinds import for_result

    kind, _ = for_result(ds)
    if kind not in DECLARED:
        raise SimriskError(f"a {kind} result: its kind declares no decision")
    declared = import_module(DECLARED[kind])
    if spec is None:
        spec = declared.stored_spec(ds)
    main, others, hurdle_inputs = declared.problems(ds)
    main = Problem(**main)
    if hurdle_inputs is not None and hurdle_inputs[2] is None:
        from simrisk.decision.acceptability import npv_at_rates

        irr, rate, _ = hurdle_inputs
        hurdle_inputs = (irr, rate, npv_at_rates(ds, [rate])[:, 0])
    out = apply_rules(main, spec, kind, hurdle_inputs=hurdle_inputs)
    out["kind"] = kind
    sub = DecisionSpec(
        rules=[r for r in (spec.rules if spec and spec.rules else RULES_BY_KIND[kind])
               if r not in ("hurdle", "risk_aversion")],
    )  # fmt: skip
    out["others"] = {label: apply_rules(Problem(**p), sub, kind) for label, p in others.items()}
    out["rules_applied"] = list(out["rules"])
    return out


def with_decision(summary: dict, ds, spec: DecisionSpec | None = None) -> dict:
    """``summary`` with ``summary["decision"]`` = :func:`decide` of ``ds``.

    A result written before the kinds declared their decisions (a WELLBY
    result without ``draws_projection_net``) gets ``{"unavailable": why}``;
    a kind that declares no decision (not in :data:`DECLARED`) gets none.
    """
    from simrisk.kinds import for_result

    if for_result(ds)[0] not in DECLARED:
        return summary
    try:
        summary["decision"] = decide(ds, spec)
    except SimriskError as e:
        summary["decision"] = {"unavailable": str(e)}
    return summary


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------


def _dkk(x) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:,.0f}"


def _pct(x) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def _format_one(d: dict, indent: str = "") -> list[str]:
    alts = ", ".join(d["alternatives"])
    lines = [f"{indent}{d['question']} ({d['measure']}, DKK; alternatives: {alts})"]
    r = d["rules"]
    if "hurdle" in r:
        h = r["hurdle"]
        lines.append(f"{indent}  hurdle: {h['verdict']}")
        e = h["expected_case"]
        if e["expected_case_irr"] is not None:
            lines.append(
                f"{indent}    expected case IRR {_pct(e['expected_case_irr'])} vs hurdle "
                f"{_pct(e['hurdle_rate'])}"
            )
    if "expected_value" in r:
        ev = r["expected_value"]
        m = ev["margin"]
        lines.append(
            f"{indent}  expected value: {ev['verdict']}; margin over {m['runner_up']} "
            f"{_dkk(m['value'])} (SE {_dkk(m['se'])}) DKK"
        )
        lines.append(
            f"{indent}    {'alternative':<26}{'mean':>14}{'SE':>10}{'exp. regret':>14}{'SE':>10}"
            f"{'P(best)':>9}{'SE':>7}"
        )
        for name in ev["ranking"]:
            a = ev["alternatives"][name]
            lines.append(
                f"{indent}    {name[:26]:<26}{_dkk(a['mean']):>14}{_dkk(a['mean_se']):>10}"
                f"{_dkk(a['expected_regret']):>14}{_dkk(a['expected_regret_se']):>10}"
                f"{_pct(a['p_best']):>9}{_pct(a['p_best_se']):>7}"
            )
    if "risk_aversion" in r:
        ra = r["risk_aversion"]
        if ra["r"] is not None:
            ces = ", ".join(
                f"{k} {_dkk(v['value'])} (SE {_dkk(v['se'])})"
                for k, v in ra["certainty_equivalent"].items()
            )
            lines.append(
                f"{indent}  risk aversion r = {ra['r']:.3g}/DKK ({ra['r_source']}): "
                f"{ra['verdict'].split(':')[0]}; certainty equivalents {ces}"
            )
        else:
            lines.append(f"{indent}  risk aversion: no r stated (grid only)")
        for f in ra["flips"]:
            lines.append(
                f"{indent}    choice flips from {f['from']} to {f['to']} at r = {f['r']:.3g} "
                f"(SE {f['r_se']:.2g}) per DKK, risk tolerance {_dkk(f['risk_tolerance'])} DKK"
            )
        if not ra["flips"]:
            lines.append(f"{indent}    the choice does not change over the grid of r")
    if "dominance" in r:
        lines.append(f"{indent}  dominance: {r['dominance']['verdict']}")
    lines.append(f"{indent}  EVPI {_dkk(d['evpi']['value'])} DKK (SE {_dkk(d['evpi']['se'])})")
    return lines


def format_decision(d: dict) -> str:
    """The decision summary as text (the main party, then every other)."""
    if "unavailable" in d:
        return f"Decision: not available ({d['unavailable']})"
    lines = ["Decision (each figure with its Monte Carlo SE):", *_format_one(d, "  ")]
    for label, o in d.get("others", {}).items():
        lines.append(f"  [{label}]")
        lines += _format_one(o, "  ")
    return "\n".join(lines)
