"""Observed counts of a running contract and their likelihood given the parameters.

The file (``docs/scenario-format.md#observed-counts``) uses the field names of
the INDIGO impact bond data standard (Government Outcomes Lab, University of
Oxford): one row per cohort and metric,

``cohort,outcome_metric_id,result_type,period_end,number_engaged_in_impact_bond,number_with_positive_social_outcomes``

with ``outcome_metric_id`` one of

- ``referred``: engaged = the cohort's planned referrals, positive = actual referrals;
- ``measured``: engaged = referred, positive = measured at the follow-up;
- ``engaged_at_<m>m``: engaged = referred, positive = still engaged ``m``
  months after the start (an interim retention count);
- a goal id: engaged = measured, positive = successes.

The likelihood of the counts given one draw's parameters follows the
engine's model (:mod:`simrisk.kinds.contract._kernel`): each of the
``round(referred x recruitment)`` referred citizens falls in cohort ``c``
with probability ``share_c``, so the cohort's referrals are
``Binomial(round(referred x recruitment), share_c)``; each referred citizen
is measured with probability ``retention``; the share still engaged at ``m``
months is ``retention^(m/12)`` (a constant drop-out hazard over the
follow-up year: an assumption, docs/model.md#learning-from-observed-counts),
so measured given engaged at ``m`` months is
``Binomial(engaged, retention^(1 - m/12))``; successes of goal ``g`` among
the measured are ``Binomial(measured, p_g)`` with ``p_g`` in closed form
(:func:`success_probabilities_batch`). The goals' counts are treated as
independent given the parameters (goals 1 and 2 share correlated citizen
noise; their joint count has no closed form): a composite likelihood.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simrisk.core.errors import SimriskError
from simrisk.kinds.contract._inputs import KIND_RESOURCE, EngineInputs

__all__ = [
    "COLUMNS",
    "Observation",
    "Observed",
    "engaged_share",
    "log_likelihood",
    "read_observed",
    "success_probabilities_batch",
]

COLUMNS = (
    "cohort",
    "outcome_metric_id",
    "result_type",
    "period_end",
    "number_engaged_in_impact_bond",
    "number_with_positive_social_outcomes",
)
RESULT_TYPES = ("Interim", "Final")
_ENGAGED = re.compile(r"^engaged_at_(\d+)m$")


@dataclass(frozen=True)
class Observation:
    """One row: ``positive`` of ``engaged`` for ``metric`` of ``cohort``."""

    row: int
    cohort: int  # index into the config's cohorts
    metric: str  # "referred", "measured", "engaged", or "goal"
    goal: int  # goal index for metric "goal", else -1
    months: int  # for metric "engaged"
    final: bool
    period_end: dt.date
    engaged: int
    positive: int


@dataclass(frozen=True)
class Observed:
    """The observations of one file, checked against a scenario."""

    path: str
    rows: tuple[Observation, ...]

    def get(self, cohort: int, metric: str, goal: int = -1) -> Observation | None:
        for o in self.rows:
            if o.cohort == cohort and o.metric == metric and o.goal == goal:
                return o
        return None

    def final_successes(self, n_cohorts: int, n_goals: int) -> np.ndarray:
        """float64[C, G]: the Final successes, NaN where not final."""
        out = np.full((n_cohorts, n_goals), np.nan)
        for o in self.rows:
            if o.metric == "goal" and o.final:
                out[o.cohort, o.goal] = o.positive
        return out

    def final_measured(self, n_cohorts: int) -> np.ndarray:
        """float64[C]: Final measured counts, NaN where not final."""
        out = np.full(n_cohorts, np.nan)
        for o in self.rows:
            if o.metric == "measured" and o.final:
                out[o.cohort] = o.positive
        return out

    def as_table(self, cohort_ids, goal_ids) -> dict[str, list]:
        """Columns for the ``observed_data`` group."""
        metric = [
            o.metric
            if o.metric in ("referred", "measured")
            else (goal_ids[o.goal] if o.metric == "goal" else f"engaged_at_{o.months}m")
            for o in self.rows
        ]
        return {
            "cohort": [cohort_ids[o.cohort] for o in self.rows],
            "outcome_metric_id": metric,
            "result_type": ["Final" if o.final else "Interim" for o in self.rows],
            "period_end": [o.period_end.isoformat() for o in self.rows],
            "number_engaged_in_impact_bond": [o.engaged for o in self.rows],
            "number_with_positive_social_outcomes": [o.positive for o in self.rows],
        }


def _months_after(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))


def _count(path: str, row: int, col: str, text: str) -> int:
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not math.isfinite(v) or v != int(v) or v < 0:
        raise SimriskError(
            f"{path}: row {row}, column {col}: {text!r} is not a count "
            "(allowed: a whole number >= 0)"
        )
    return int(v)


def read_observed(path, scenario) -> Observed:
    """Read and check an observed-counts CSV against ``scenario`` (one-line errors)."""
    p = Path(path)
    name = str(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise SimriskError(f"{name}: cannot read the observed counts ({e.strerror})") from None
    reader = csv.reader(text.splitlines())
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise SimriskError(
            f"{name}: empty file (expected the header {','.join(COLUMNS)})"
        ) from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise SimriskError(
            f"{name}: row 1 (header): missing column {missing[0]!r} "
            f"(the columns are {','.join(COLUMNS)})"
        )
    ix = {c: header.index(c) for c in COLUMNS}
    if scenario.has_stages:
        staged = next(g.id for g in scenario.goals if g.outcome == "staged")
        raise SimriskError(
            f"{name}: the config's goal {staged!r} is staged; observed counts are not yet "
            "modelled for staged goals (their stages' likelihood), so this config cannot be "
            "updated from data"
        )
    cohorts = [c.id for c in scenario.cohorts]
    goals = [g.id for g in scenario.goals]
    rows: list[Observation] = []
    seen: dict[tuple, int] = {}
    for r, cells in enumerate(reader, start=2):
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            raise SimriskError(
                f"{name}: row {r}: {len(cells)} fields, the header has {len(header)}"
            )

        def cell(c, cells=cells):
            return cells[ix[c]].strip()

        cid = cell("cohort")
        if cid not in cohorts:
            raise SimriskError(
                f"{name}: row {r}, column cohort: {cid!r} is not a cohort of the config "
                f"(allowed: {', '.join(cohorts)})"
            )
        k = cohorts.index(cid)
        coh = scenario.cohorts[k]
        mid = cell("outcome_metric_id")
        months = 0
        goal = -1
        m = _ENGAGED.match(mid)
        if mid in ("referred", "measured"):
            metric = mid
        elif m and 0 < int(m.group(1)) <= 12:
            metric, months = "engaged", int(m.group(1))
        elif mid in goals:
            metric, goal = "goal", goals.index(mid)
        else:
            raise SimriskError(
                f"{name}: row {r}, column outcome_metric_id: {mid!r} is not a metric "
                f"(allowed: referred, measured, engaged_at_<m>m with m = 1..12, "
                f"{', '.join(goals)})"
            )
        rt = cell("result_type")
        if rt not in RESULT_TYPES:
            raise SimriskError(
                f"{name}: row {r}, column result_type: {rt!r} (allowed: Interim, Final)"
            )
        try:
            end = dt.date.fromisoformat(cell("period_end"))
        except ValueError:
            raise SimriskError(
                f"{name}: row {r}, column period_end: {cell('period_end')!r} is not a date "
                "(allowed: YYYY-MM-DD)"
            ) from None
        if end < coh.referral_start:
            raise SimriskError(
                f"{name}: row {r}, column period_end: {end.isoformat()} is before cohort "
                f"{cid} starts ({coh.referral_start.isoformat()})"
            )
        final = rt == "Final"
        if final:
            due = {
                "referred": coh.referral_end,
                "measured": coh.measurement_date,
                "goal": coh.measurement_date,
                "engaged": _months_after(coh.referral_start, months),
            }[metric]
            if end < due:
                raise SimriskError(
                    f"{name}: row {r}, column result_type: Final counts of {mid} for cohort "
                    f"{cid} dated {end.isoformat()}, but by the config's dates it is not "
                    f"complete before {due.isoformat()} (allowed: Interim)"
                )
        engaged = _count(name, r, "number_engaged_in_impact_bond", cell(COLUMNS[4]))
        positive = _count(name, r, "number_with_positive_social_outcomes", cell(COLUMNS[5]))
        if positive > engaged and metric != "referred":  # referrals may exceed the plan
            raise SimriskError(
                f"{name}: row {r}, column number_with_positive_social_outcomes: {positive} "
                f"is above its base number_engaged_in_impact_bond = {engaged} "
                f"(allowed: 0..{engaged})"
            )
        key = (k, metric, goal, months)
        if key in seen:
            raise SimriskError(
                f"{name}: row {r}: cohort {cid}, metric {mid} is already given in row "
                f"{seen[key]} (allowed: one row per cohort and metric)"
            )
        seen[key] = r
        rows.append(Observation(r, k, metric, goal, months, final, end, engaged, positive))
    if not rows:
        raise SimriskError(f"{name}: no observations (one row per cohort and metric)")
    obs = Observed(name, tuple(rows))
    _check_bases(obs, cohorts, goals)
    return obs


def _check_bases(obs: Observed, cohorts, goals) -> None:
    """Each metric's base must be the count the metric before it observed."""
    name = obs.path
    for o in obs.rows:
        if o.metric == "goal":
            base, what = obs.get(o.cohort, "measured"), "measured"
        elif o.metric in ("measured", "engaged"):
            base, what = obs.get(o.cohort, "referred"), "referred"
        else:
            continue
        if base is not None and base.positive != o.engaged:
            raise SimriskError(
                f"{name}: row {o.row}, column number_engaged_in_impact_bond: {o.engaged}, but "
                f"row {base.row} says {base.positive} {what} in cohort {cohorts[o.cohort]} "
                f"(allowed: {base.positive})"
            )
    engaged = [o for o in obs.rows if o.metric == "engaged"]
    for o in engaged:
        meas = obs.get(o.cohort, "measured")
        if meas is not None and meas.positive > o.positive:
            raise SimriskError(
                f"{name}: row {meas.row}, column number_with_positive_social_outcomes: "
                f"{meas.positive} measured, more than the {o.positive} still engaged at "
                f"{o.months} months (row {o.row}) (allowed: 0..{o.positive})"
            )


def engaged_share(retention: np.ndarray, months: float) -> np.ndarray:
    """Share of referred citizens still engaged ``months`` after the start:
    ``retention^(months/12)`` (constant drop-out hazard over the follow-up year)."""
    return np.clip(retention, 0.0, 1.0) ** (months / 12.0)


def success_probabilities_batch(inp: EngineInputs, params: np.ndarray) -> np.ndarray:
    """P(success) per goal for a measured citizen, for many draws at once.

    The vectorised form of :func:`simrisk.kinds.contract.analytic.success_probabilities`
    (treated arm): ``params[n, P]`` -> ``float64[n, G]``.
    """
    from scipy.special import ndtr

    params = np.asarray(params, dtype=np.float64)
    n = params.shape[0]
    out = np.zeros((n, inp.n_goals))
    for g in range(inp.n_goals):
        ix = inp.pidx[g]
        eff = params[:, ix[1]]
        sig = params[:, ix[2]]
        if inp.goal_kind[g] == KIND_RESOURCE:
            drift = params[:, ix[0]]
            zero = params[:, ix[3]]
            out[:, g] = (1 - zero) * ndtr((inp.log_keep[g] - drift - eff) / sig) + zero * float(
                inp.zero_success[g]
            )
        else:
            top = inp.score_top[g]
            w = np.diff(np.concatenate([[0.0], inp.start_cdf[g, : top + 1]]))
            for s in range(top):
                mu = params[:, ix[4]] if s <= inp.low_max[g] else params[:, ix[5]]
                out[:, g] += w[s] * ndtr((mu + eff - 0.5) / sig)
    return out


def _binom_logpmf(k: float, n, p) -> np.ndarray:
    from scipy.stats import binom

    return binom.logpmf(k, n, np.clip(p, 0.0, 1.0))


def log_likelihood(inp: EngineInputs, obs: Observed, params: np.ndarray) -> np.ndarray:
    """Log-likelihood of the observations at each draw's parameters: ``float64[n]``."""
    params = np.asarray(params, dtype=np.float64)
    names = inp.space.names
    rec = params[:, names.index("recruitment")]
    ret = params[:, names.index("retention")]
    ll = np.zeros(params.shape[0])
    need_goals = any(o.metric == "goal" for o in obs.rows)
    p_goal = success_probabilities_batch(inp, params) if need_goals else None
    share = inp.contract.cohort_share
    n_ref = np.floor(inp.contract.referred * rec + 0.5)
    for o in obs.rows:
        if o.metric == "referred":
            ll += _binom_logpmf(o.positive, n_ref, share[o.cohort])
        elif o.metric == "engaged":
            # nested counts: engaged at m months among those engaged at an earlier look
            prev = [
                e
                for e in obs.rows
                if e.metric == "engaged" and e.cohort == o.cohort and e.months < o.months
            ]
            if prev:
                e = max(prev, key=lambda e: e.months)
                ll += _binom_logpmf(
                    o.positive, e.positive, engaged_share(ret, o.months - e.months)
                )
            else:
                ll += _binom_logpmf(o.positive, o.engaged, engaged_share(ret, o.months))
        elif o.metric == "measured":
            eng = [e for e in obs.rows if e.metric == "engaged" and e.cohort == o.cohort]
            if eng:  # measured among those still engaged at m months
                e = max(eng, key=lambda e: e.months)
                ll += _binom_logpmf(o.positive, e.positive, engaged_share(ret, 12 - e.months))
            else:
                ll += _binom_logpmf(o.positive, o.engaged, ret)
        else:
            ll += _binom_logpmf(o.positive, o.engaged, p_goal[:, o.goal])
    ll[np.isnan(ll)] = -np.inf
    return ll
