"""Contract design: search the free terms for those that hold both sides' risks to targets.

``simrisk design CONFIG --target EXPR ...`` (issue 14). The config's
``[design]`` table names the free terms (payments per success, caps,
thresholds, the capital floor's share, the retention clause's minimum and
amounts) and their ranges. Every candidate is a complete contract, scored by
the ordinary engine and summary on the same seed: the engine's random
numbers are keyed by position (:mod:`simrisk.core.rng`), so every candidate
meets the same simulated worlds (common random numbers) and differences
between candidates are not sampling noise.

The search is a scrambled Sobol design (:class:`scipy.stats.qmc.Sobol`) over
the terms' box, then a second, smaller Sobol design in a box a quarter as
wide around the best candidate. Why not
:func:`scipy.optimize.differential_evolution`: it needs hundreds to
thousands of evaluations of a noisy function and returns one point, while
the committee needs the whole trade-off (the Pareto frontier) and a 2-core
machine affords a few dozen Monte Carlo runs; a space-filling design gives
the frontier and the optimum from the same evaluations, is deterministic for
a seed, and needs no tuning.

A target ``KEY<=V`` counts as met only when ``value + 2 SE <= V`` (and
``KEY>=V`` when ``value - 2 SE >= V``), with SE the Monte Carlo standard
error the summary reports beside the value (``KEY_se``). The chosen
candidate is the feasible one with the best objective; it is re-scored with
more draws on a seed spawned from the run's (fresh worlds, free of the
search's selection bias).

On a dask cluster (``backend``) each candidate is one task: the base
scenario is sent to every worker once, a task carries only the candidate's
terms, runs the engine and the summary on its worker, and returns the few
figures the search needs. Candidates, not chunks, are the tasks: with a
candidate's draws split into chunks, the candidates would still run one
after another, the workers waiting at the tail of each and while this
process assembles its draws (about 257 bytes each) and summarises them;
as tasks, the Sobol stage's candidates are all in flight at once, the
summaries run on the workers, and only a few numbers per candidate come
back. The refinement's candidates wait for the best of the Sobol stage
(their box is centred there); the one re-scoring run, five times larger,
is split into chunks instead. Every candidate depends only on (config,
terms, seed), so the result is the same as a search in this process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simrisk._version import __version__
from simrisk.core.config import suggest
from simrisk.core.errors import SimriskError
from simrisk.core.outputs import created_now, replacing
from simrisk.core.targets import Bound, parse_bound
from simrisk.core.targets import lookup as find
from simrisk.kinds.contract.config import Design, Scenario, design_key_issue, gate_date

__all__ = [
    "DEFAULT_DSI_RISK",
    "DEFAULT_OBJECTIVE",
    "DEFAULT_PAYER_RISK",
    "SE_MARGIN",
    "Candidate",
    "DesignResult",
    "Target",
    "apply_terms",
    "lookup",
    "pareto_front",
    "parse_target",
    "run_design",
    "today_values",
    "write_best_toml",
]

#: a target counts as met only when it holds by this many Monte Carlo SE
SE_MARGIN = 2.0
DEFAULT_DSI_RISK = "p_npv_negative"
DEFAULT_PAYER_RISK = "net_saving.modelled.region.p_negative"
DEFAULT_OBJECTIVE = ("minimize", "payments.total.mean")
#: scored for every candidate besides the axes, targets and objective (the design page shows them)
EXTRA_KEYS = ("npv.mean", "es5_npv", "payments.total.mean")
RESULT_KIND = "simrisk.design"


@dataclass(frozen=True)
class Target(Bound):
    """A bound on a summary figure, met by SE_MARGIN standard errors (:mod:`simrisk.core.targets`).

    ``text`` is the key as the user wrote it when it named a party
    (``region.note_method.p_negative``); ``key`` is then the summary key it
    stands for (``net_saving.note_method.region.p_negative``).
    """

    text: str = ""

    def __str__(self) -> str:
        return f"{self.text or self.key}{self.op}{self.value:g}"


def parse_target(text: str, flag: str = "--target") -> Target:
    """``KEY<=V``, ``KEY>=V`` (``<`` and ``>`` read the same: the margin is strict anyway)."""
    b = parse_bound(text, flag)
    return Target(b.key, b.op, b.value)


#: the saving bases a payer's target or objective may name
BASES = ("note_method", "modelled")
#: the statistics of a payer's net saving on a basis that have a Monte Carlo SE
PARTY_STATS = (
    "mean",
    "p5",
    "p50",
    "p95",
    "p_negative",
    "saving_mean",
    "cost_per_caused_success",
)


def authorities(s: Scenario) -> list[str]:
    """The payers with a saving on both bases (``business_case.authorities``)."""
    return list(s.business_case.authorities) if s.business_case is not None else []


def parties(s: Scenario) -> list[str]:
    """Every party a target or objective may name: ``dsi`` and each authority."""
    return ["dsi", *authorities(s)]


def resolve_key(s: Scenario, key: str, flag: str = "--target") -> str:
    """The summary key a target or objective names.

    ``<payer>.<basis>.<statistic>`` (``region.note_method.p_negative``) is
    the payer's net saving on that basis (``net_saving.<basis>.<payer>.<statistic>``);
    ``dsi.<key>`` is DSI's ``<key>``; any other key is a summary key as it
    stands. An unknown party, basis or statistic is refused with one line.
    """
    parts = key.split(".")
    auth = authorities(s)
    payer_ids = [p.id for p in s.payers]
    allowed = ", ".join(parties(s))
    if parts[0] == "dsi":
        if len(parts) < 2:
            raise SimriskError(f"{flag} {key}: name DSI's statistic, e.g. dsi.p_npv_negative")
        return ".".join(parts[1:])
    if parts[0] in auth:
        if len(parts) != 3:
            raise SimriskError(
                f"{flag} {key}: a payer's key is <payer>.<basis>.<statistic>, e.g. "
                f"{parts[0]}.note_method.p_negative"
            )
        if parts[1] not in BASES:
            raise SimriskError(
                f"{flag} {key}: unknown basis {parts[1]!r}; allowed: {', '.join(BASES)}"
                + suggest(parts[1], list(BASES))
            )
        if parts[2] not in PARTY_STATS:
            raise SimriskError(
                f"{flag} {key}: unknown statistic {parts[2]!r}; allowed: "
                f"{', '.join(PARTY_STATS)}" + suggest(parts[2], list(PARTY_STATS))
            )
        return f"net_saving.{parts[1]}.{parts[0]}.{parts[2]}"
    if parts[0] in payer_ids:
        raise SimriskError(
            f"{flag} {key}: payer {parts[0]!r} has no saving on either basis (not in "
            f"business_case.authorities); parties: {allowed}"
        )
    if len(parts) == 3 and parts[1] in BASES:
        raise SimriskError(
            f"{flag} {key}: unknown party {parts[0]!r}; allowed: {allowed}"
            + suggest(parts[0], parties(s))
        )
    return key


def resolve_target(s: Scenario, t: Target, flag: str = "--target") -> Target:
    """``t`` with a party key resolved to its summary key (the user's text kept)."""
    key = resolve_key(s, t.key, flag)
    return t if key == t.key else Target(key, t.op, t.value, text=t.text or t.key)


def party_keys(s: Scenario) -> list[str]:
    """Every payer's mean net saving and P(net saving < 0) on both bases (summary keys)."""
    return [
        f"net_saving.{b}.{a}.{stat}"
        for a in authorities(s)
        for b in BASES
        for stat in ("mean", "p_negative")
    ]


def pareto_front_nd(points: np.ndarray) -> list[int]:
    """Indices of the rows no other row beats on every column (all minimised), by the first."""
    n = points.shape[0]
    front = []
    for i in range(n):
        dominated = False
        for j in range(n):
            if j != i and np.all(points[j] <= points[i]) and np.any(points[j] < points[i]):
                dominated = True
                break
        if not dominated:
            front.append(i)
    return sorted(front, key=lambda i: tuple(points[i]))


def lookup(summary: dict, key: str, flag: str = "--target") -> tuple[float, float]:
    """A summary key's value and its Monte Carlo SE (the sibling ``KEY_se``)."""
    return find(summary, key, flag)


# ---------------------------------------------------------------------------
# Terms
# ---------------------------------------------------------------------------


def _is_integer(key: str) -> bool:
    return key == "retention_clause.minimum_measured"


def round_term(key: str, v: float) -> float:
    """A term as a contract would state it: whole citizens, whole DKK, shares to 4 decimals."""
    if key == "gate.date":  # whole months after the valuation date
        return float(round(v))
    if key == "gate.threshold":
        return round(float(v), 4)
    if _is_integer(key):
        return float(round(v))
    if key.endswith(("share", "threshold")):
        return round(float(v), 4)
    return float(round(v))


def today_values(s: Scenario, keys: list[str]) -> np.ndarray:
    """Each term's value in today's contract (no floor: share 0; no clause: minimum 0)."""
    out = []
    d = s.design
    for key in keys:
        table, *rest = key.split(".")
        if table == "goals":
            v = getattr(s.goal(rest[0]), rest[1])
        elif table == "payers":
            cap = s.payer(rest[0]).cap
            v = math.inf if cap is None else cap
        elif table == "floor":
            v = s.floor.share if s.floor is not None else 0.0
        elif table == "gate":
            v = _gate_today(s, rest[0])
        else:
            rc = s.retention_clause
            if rc is None and rest[0] == "minimum_measured":
                v = 0.0
            else:
                v = getattr(rc if rc is not None else d.retention_clause, rest[0])
        out.append(float(v))
    return np.array(out)


def apply_terms(s: Scenario, keys: list[str], values) -> Scenario:
    """``s`` with the free terms set to ``values`` (validated ranges; clauses from templates).

    A goal whose threshold changes gets the success rate its calibrated model
    implies at the new threshold, so the ledger and the run keep one source
    of truth (:mod:`simrisk.kinds.contract.consistency`).
    """
    goals = {g.id: {} for g in s.goals}
    payers = {p.id: {} for p in s.payers}
    floor, rc, gate = {}, {}, {}
    for key, v in zip(keys, values, strict=True):
        table, *rest = key.split(".")
        v = float(v)
        if table == "gate":
            gate[rest[0]] = gate_date(s, v) if rest[0] == "date" else v
        elif table == "goals":
            goals[rest[0]][rest[1]] = v
        elif table == "payers":
            payers[rest[0]]["cap"] = v
        elif table == "floor":
            floor["share"] = v
        else:
            rc[rest[0]] = int(round(v)) if _is_integer(key) else v
    update: dict = {
        "goals": [g.model_copy(update=goals[g.id]) for g in s.goals],
        "payers": [p.model_copy(update=payers[p.id]) for p in s.payers],
    }
    d = s.design
    if floor:
        base = s.floor if s.floor is not None else d.floor
        update["floor"] = base.model_copy(update=floor)
    if rc:
        base = s.retention_clause if s.retention_clause is not None else d.retention_clause
        update["retention_clause"] = base.model_copy(update=rc)
    if gate:
        base = s.gate if s.gate is not None else d.gate
        update["gate"] = base.model_copy(update=gate)
    out = s.model_copy(update=update)
    if any("threshold" in g for g in goals.values()) and s.model is not None:
        from simrisk.kinds.contract.analytic import success_probabilities
        from simrisk.kinds.contract.inputs import build_inputs

        inp = build_inputs(out)
        p1, _ = success_probabilities(inp, inp.space.central)
        new_goals = []
        for j, g in enumerate(out.goals):
            if "threshold" in goals[g.id]:
                was, now = s.goal(g.id).threshold, g.threshold
                upd = {"name": g.name.replace(f"{100 * was:g}%", f"{100 * now:g}%")}
                if s.model.goals[g.id].calibrated:
                    upd["success_rate"] = round(float(p1[j]), 6)
                g = g.model_copy(update=upd)
            new_goals.append(g)
        out = out.model_copy(update={"goals": new_goals})
    return out


def _gate_today(s: Scenario, term: str) -> float:
    """The gate's term today: no gate counts as threshold 0 (never stops); its date in
    months after the valuation date."""
    g = s.gate if s.gate is not None else s.design.gate
    if term == "threshold":
        return g.threshold if s.gate is not None else 0.0
    v = s.valuation_date
    return float((g.date.year - v.year) * 12 + g.date.month - v.month)


# ---------------------------------------------------------------------------
# Scoring and the search
# ---------------------------------------------------------------------------


@dataclass
class Candidate:
    """One contract: its terms and the figures it was scored on."""

    values: np.ndarray
    stage: str  # "today", "sobol", "refine"
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    feasible: bool = False
    worst_margin: float = 0.0


@dataclass
class DesignResult:
    """Everything ``simrisk design`` reports and writes."""

    scenario: Scenario
    keys: list[str]
    lows: np.ndarray
    highs: np.ndarray
    targets: list[Target]
    objective: tuple[str, str]
    dsi_risk: str
    payer_risk: str
    draws: int
    seed: int
    candidates: list[Candidate]
    frontier: list[int]
    chosen: int | None
    rescored: dict | None
    rescored_targets: list[dict] | None
    rescore_draws: int
    rescore_seed: int = 0
    best_scenario: Scenario | None = None
    objectives: list[tuple[str, str]] = field(default_factory=list)
    party_axes: list[str] = field(default_factory=list)
    frontier_all: list[int] = field(default_factory=list)
    parties: dict | None = None
    closest: int | None = None
    #: the :class:`~simrisk.core.driver.TaskStore` of each stage when run with ``keep``
    stores: list = field(default_factory=list, repr=False)

    # --- views --------------------------------------------------------------
    def terms(self, i: int) -> dict[str, float]:
        c = self.candidates[i]
        return {
            k: (int(round(v)) if _is_integer(k) else float(v))
            for k, v in zip(self.keys, c.values, strict=True)
        }

    def point(self, i: int) -> dict:
        c = self.candidates[i]
        out = {"candidate": i, "stage": c.stage, "terms": self.terms(i)}
        for key, (v, se) in c.scores.items():
            out[key] = v
            out[key + "_se"] = se
        out["feasible"] = c.feasible
        return out

    def to_dict(self) -> dict:
        sense, obj = self.objective
        out = {
            "scenario": self.scenario.name,
            "optimiser": (
                "scrambled Sobol design (scipy.stats.qmc.Sobol) over the terms' box, then a "
                "second Sobol design in a box a quarter as wide around the best candidate; "
                "common random numbers (one seed for every candidate)"
            ),
            "draws": self.draws,
            "seed": self.seed,
            "candidates": len(self.candidates),
            "free_terms": {
                k: {"low": float(lo), "high": float(hi)}
                for k, lo, hi in zip(self.keys, self.lows, self.highs, strict=True)
            },
            "targets": [str(t) for t in self.targets],
            "se_margin": SE_MARGIN,
            "objective": {"sense": sense, "key": obj},
            "frontier_axes": {"dsi_risk": self.dsi_risk, "payer_risk": self.payer_risk},
            "today": self.point(0),
            "chosen": None if self.chosen is None else self.point(self.chosen),
            "frontier": [self.point(i) for i in self.frontier],
            "objectives": [{"sense": s_, "key": k} for s_, k in self.objectives],
            "frontier_all_parties": {
                "axes": self.party_axes,
                "points": [self.point(i) for i in self.frontier_all],
            },
        }
        if self.chosen is None and self.closest is not None:
            c = self.candidates[self.closest]
            out["closest"] = {
                **self.point(self.closest),
                "shortfalls": [
                    {
                        "target": str(tg),
                        "value": c.scores[tg.key][0],
                        "se": c.scores[tg.key][1],
                        "shortfall": max(0.0, -tg.margin(*c.scores[tg.key])),
                        "met_by_2se": tg.margin(*c.scores[tg.key]) >= 0,
                    }
                    for tg in self.targets
                ],
            }
        if self.parties is not None:
            out["parties"] = self.parties
        if self.rescored is not None:
            out["chosen_rescored"] = {
                "draws": self.rescore_draws,
                "seed": self.rescore_seed,
                **{k: {"value": v, "se": se} for k, (v, se) in self.rescored.items()},
                "targets": self.rescored_targets,
            }
        return out


def pareto_front(x: np.ndarray, y: np.ndarray) -> list[int]:
    """Indices of the points no other point beats on both (both minimised), by x."""
    order = np.lexsort((y, x))
    front, best_y = [], math.inf
    for i in order:
        if y[i] < best_y:
            front.append(int(i))
            best_y = y[i]
    return front


def _score(s: Scenario, keys_needed: list[str], draws: int, seed: int, backend=None) -> dict:
    from simrisk.kinds.contract.simulate import simulate
    from simrisk.kinds.contract.summary import summarize

    ds = simulate(s, draws=draws, seed=seed, backend=backend)
    summ = summarize(ds)
    return {k: lookup(summ, k) for k in keys_needed}


def _paired(x: np.ndarray) -> dict:
    n = x.shape[0]
    return {"mean": float(x.mean()), "se": float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0}


def _payer_year_flows(ds) -> dict[str, dict[str, np.ndarray]]:
    """Per payer and calendar year, what it pays the investor per draw (DKK).

    Outcome repayments by each cohort's repayment date and goal's payer, the
    retention clause's and the floor's payments on their dates.
    """
    rep = ds["repayments"].values.astype(np.float64)  # [draw, cohort, goal]
    years = [str(d)[:4] for d in ds["repayment_date"].values]
    goal_payer = [str(p) for p in ds["goal_payer"].values]
    out: dict[str, dict[str, np.ndarray]] = {}
    for g, payer in enumerate(goal_payer):
        for c, y in enumerate(years):
            row = out.setdefault(payer, {})
            row[y] = row.get(y, 0.0) + rep[:, c, g]
    for name in ("retention_clause_payment", "floor_payment"):
        if name in ds:
            y = str(ds[name].attrs["date"])[:4]
            x = ds[name].values.astype(np.float64)
            for i, payer in enumerate(ds[name]["payer"].values):
                row = out.setdefault(str(payer), {})
                row[y] = row.get(y, 0.0) + x[:, i]
    return out


def _added_terms(ds, s: Scenario) -> dict:
    """Who pays each added term (the floor, the clause), how much and when, per payer."""
    out = {}
    for name, clause in (("floor", s.floor), ("retention_clause", s.retention_clause)):
        var = f"{name}_payment"
        if clause is None or var not in ds:
            continue
        x = ds[var].values.astype(np.float64)
        n = x.shape[0]
        by = {}
        for i, payer in enumerate(ds[var]["payer"].values):
            col = x[:, i]
            if not col.any() and str(payer) not in clause.payers:
                continue
            p = float(np.count_nonzero(col > 0)) / n
            m = _paired(col)
            by[str(payer)] = {
                "mean": m["mean"],
                "mean_se": m["se"],
                "p_paid": p,
                "p_paid_se": math.sqrt(p * (1 - p) / n),
                "share": float(clause.payers.get(str(payer), 0.0)),
            }
        out[name] = {"date": str(ds[var].attrs["date"]), "by_payer": by}
    return out


def _rescore_with_parties(
    today: Scenario, best: Scenario, needed: list[str], draws: int, seed: int, backend=None
) -> tuple[dict, dict]:
    """The chosen terms re-scored, and every party's change from today on the same worlds.

    Returns ``(scores, parties)``: ``scores`` as :func:`_score`; ``parties``
    with DSI's and each authority's change on both bases (paired differences
    of per-draw values, so their SEs are the SD of the difference over
    sqrt(N)), the payments per payer and year today and under the terms,
    who pays each added term and when, and one-line warnings for every
    payer made worse off by more than 2 SE.
    """
    from simrisk.kinds.contract.simulate import simulate
    from simrisk.kinds.contract.summary import summarize

    ds_best = simulate(best, draws=draws, seed=seed, backend=backend)
    summ = summarize(ds_best)
    scores = {k: lookup(summ, k) for k in needed}
    if best is today:
        ds_today = ds_best
    else:
        ds_today = simulate(today, draws=draws, seed=seed, backend=backend)
    change: dict = {}
    npv_b, npv_t = (d["npv"].values.astype(np.float64) for d in (ds_best, ds_today))
    change["dsi"] = {
        "npv_mean": {**_paired(npv_b - npv_t), "today": float(npv_t.mean())},
        "p_npv_negative": {
            **_paired((npv_b < 0).astype(float) - (npv_t < 0)),
            "today": float((npv_t < 0).mean()),
        },
    }
    warnings = []
    variables = {
        "note_method": "authority_net_saving_note",
        "modelled": "authority_net_saving_modelled",
    }
    for i, a in enumerate(ds_best["authority"].values):
        a = str(a)
        change[a] = {}
        worse_on = []
        for basis, var in variables.items():
            xb = ds_best[var].isel(authority=i).values.astype(np.float64)
            xt = ds_today[var].isel(authority=i).values.astype(np.float64)
            mean = {**_paired(xb - xt), "today": float(xt.mean()), "chosen": float(xb.mean())}
            pneg = {
                **_paired((xb < 0).astype(float) - (xt < 0)),
                "today": float((xt < 0).mean()),
                "chosen": float((xb < 0).mean()),
            }
            worse = mean["mean"] < -SE_MARGIN * mean["se"]
            change[a][basis] = {"net_saving_mean": mean, "p_negative": pneg, "worse_off": worse}
            if worse:
                worse_on.append(
                    f"{basis.replace('_', ' ')} mean net saving {mean['mean']:+,.0f} DKK "
                    f"(SE {mean['se']:,.0f}), P(net saving < 0) {pneg['today']:.1%} -> "
                    f"{pneg['chosen']:.1%}"
                )
        if worse_on:
            warnings.append(
                f"{a} is worse off than today by more than 2 SE: " + "; ".join(worse_on)
            )
    flows_b, flows_t = _payer_year_flows(ds_best), _payer_year_flows(ds_today)
    by_year: dict = {}
    for payer in sorted(set(flows_b) | set(flows_t)):
        yb, yt = flows_b.get(payer, {}), flows_t.get(payer, {})
        n = ds_best.sizes["draw"]
        rows = {}
        for y in sorted(set(yb) | set(yt)):
            b = yb.get(y, np.zeros(n))
            tt = yt.get(y, np.zeros(n))
            d = _paired(b - tt)
            rows[y] = {
                "today": float(np.mean(tt)),
                "chosen": float(np.mean(b)),
                "change": d["mean"],
                "change_se": d["se"],
            }
        by_year[payer] = rows
    parties = {
        "draws": int(draws),
        "seed": int(seed),
        "change_from_today": change,
        "payments_by_payer_and_year": by_year,
        "added_terms": _added_terms(ds_best, best),
        "warnings": warnings,
        "note": "paired differences on the same simulated worlds (common random numbers); "
        "the note's method moves with a goal's threshold (threshold x BIS mean x successes)",
    }
    return scores, parties


def _score_terms(
    s: Scenario, keys: list[str], values, stage: str, needed: list[str], draws: int, seed: int
) -> dict:
    """One candidate's scores (a task: a pure function of the config, the terms and the seed)."""
    scen = s if stage == "today" else apply_terms(s, keys, values)
    return _score(scen, needed, draws, seed)


def _sobol_points(sobol, n: int) -> np.ndarray:
    """``n`` points of a Sobol sequence, without SciPy's warning for an ``n`` not a power of 2.

    The user chose ``n`` (``--candidates``, docs/cli.md says a power of 2 keeps
    the design balanced); the same points either way, so that one warning is
    noise on stderr and an error under warnings-as-errors.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The balance properties of Sobol", category=UserWarning
        )
        return sobol.random(n)


def run_design(
    s: Scenario,
    targets: list[Target],
    objective: tuple[str, str] | list[tuple[str, str]] | None = None,
    *,
    draws: int | None = None,
    seed: int | None = None,
    candidates: int | None = None,
    refine: int | None = None,
    rescore_draws: int | None = None,
    payer_risk: str = DEFAULT_PAYER_RISK,
    dsi_risk: str = DEFAULT_DSI_RISK,
    progress: Callable[[str], None] | None = None,
    backend=None,
    keep=None,
) -> DesignResult:
    """Search the ``[design]`` terms of ``s`` against ``targets``.

    Parameters
    ----------
    s : Scenario
        A validated scenario with ``[design]`` and ``[model]``.
    targets : list of Target
        Inequalities on summary keys; each must hold by 2 Monte Carlo SE.
    objective : (sense, key) or a list of them, optional
        ``("minimize" | "maximize", key)``, a key as in a target (a party's
        ``region.note_method.mean`` or a summary key); default: minimise the
        payers' expected total payment (``payments.total.mean``). With
        several (one per party, say), the first ranks the feasible
        candidates, each next one breaks ties among those within 2 SE of the
        best on the ones before.
    draws, seed, candidates, refine, rescore_draws : int, optional
        Defaults from ``[design]`` and ``[simulation]``.
    payer_risk, dsi_risk : str
        The frontier's axes (summary keys, both minimised).
    progress : callable, optional
        Called with one line per scored candidate.
    backend : simrisk.core.backends.DaskBackend, optional
        Score the candidates as tasks on its cluster (one task each) and the
        re-scoring run's chunks; the result is the same as without.
    keep : path prefix, optional
        Keep every scored candidate under ``<keep>.<stage>-<run id>/``
        (:class:`simrisk.core.driver.TaskStore`, one folder per stage) so a
        rerun of the same search after a kill reuses them; the stores are in
        ``DesignResult.stores`` (remove them once the outputs are written).

    Returns
    -------
    DesignResult
    """
    from scipy.stats import qmc

    from simrisk.core.backends import map_tasks

    d: Design | None = s.design
    if d is None:
        raise SimriskError(
            "design: the config has no [design] table naming the free terms and their "
            "ranges (docs/scenario-format.md#design)"
        )
    if s.model is None:
        raise SimriskError("model: the config has no [model] priors, so it cannot be scored")
    for t in d.terms:  # checked on load; kept here for scenarios built in code
        why = design_key_issue(s, t.key)
        if why:
            raise SimriskError(f"design.terms: {t.key}: {why}")
    if objective is None:
        objectives = [DEFAULT_OBJECTIVE]
    elif isinstance(objective, tuple):
        objectives = [objective]
    else:
        objectives = list(objective) or [DEFAULT_OBJECTIVE]
    objectives = [(sn, resolve_key(s, k, f"--{sn}")) for sn, k in objectives]
    targets = [resolve_target(s, t) for t in targets]
    payer_risk = resolve_key(s, payer_risk, "--payer-risk")
    dsi_risk = resolve_key(s, dsi_risk, "dsi_risk")
    sense, obj = objectives[0]
    draws = draws or d.draws
    seed = s.simulation.seed if seed is None else seed
    n_sobol = candidates or d.candidates
    n_refine = d.refine if refine is None else refine
    rescore_draws = rescore_draws or d.rescore_draws
    keys = [t.key for t in d.terms]
    lows = np.array([t.low for t in d.terms])
    highs = np.array([t.high for t in d.terms])
    party_axes = [dsi_risk, *(k for k in party_keys(s) if k.endswith(".p_negative"))]
    needed = list(
        dict.fromkeys(
            [
                dsi_risk,
                payer_risk,
                *(k for _, k in objectives),
                *(t.key for t in targets),
                *EXTRA_KEYS,
                *party_keys(s),
            ]
        )
    )

    cands: list[Candidate] = []
    stores: list = []

    def scored(items, stage: str):
        """The candidates' scores in order: kept ones reused, the rest computed (and kept)."""
        if keep is None:
            return map_tasks(_score_terms, items, (s, keys), backend)
        from simrisk.core.driver import TaskStore

        identity = {
            "what": "design",
            "stage": stage,
            "config_sha256": hashlib.sha256(s.model_dump_json().encode()).hexdigest(),
            "version": __version__,
            "keys": keys,
            "needed": needed,
            "draws": draws,
            "seed": seed,
            "points": [[float(v) for v in it[0]] for it in items],
        }
        store = TaskStore(Path(f"{keep}.{stage}"), identity)
        stores.append(store)

        def fresh(todo):
            with contextlib.closing(map_tasks(_score_terms, todo, (s, keys), backend)) as got:
                for sc in got:
                    yield {
                        "keys": np.array(list(sc), dtype=str),
                        "values": np.array([sc[k] for k in sc], dtype=float).reshape(-1, 2),
                    }

        def unpacked():
            with contextlib.closing(store.map(fresh, items)) as got:
                for r in got:
                    yield {
                        str(k): (float(v[0]), float(v[1]))
                        for k, v in zip(r["keys"], r["values"], strict=True)
                    }

        return unpacked()

    def evaluate(points, stage: str) -> None:
        """Score the candidates at ``points`` (in this process or as tasks) in their order."""
        if stage != "today":
            points = [
                np.array([round_term(k, v) for k, v in zip(keys, values, strict=True)])
                for values in points
            ]
        items = [(values, stage, needed, draws, seed) for values in points]
        with contextlib.closing(scored(items, stage)) as scores:
            for values, sc in zip(points, scores, strict=True):
                record(values, stage, sc)

    def record(values: np.ndarray, stage: str, scores: dict) -> None:
        c = Candidate(values=np.asarray(values, float), stage=stage, scores=scores)
        margins = [t.margin(*scores[t.key]) for t in targets]
        c.worst_margin = min(margins) if margins else 0.0
        c.feasible = all(m >= 0 for m in margins)
        cands.append(c)
        if progress is not None:
            v, se = scores[obj]
            progress(
                f"candidate {len(cands):>3} ({stage}): {obj} = {v:,.4g} (SE {se:.2g}); "
                + ", ".join(f"{t.key} = {scores[t.key][0]:.4g}" for t in targets)
                + ("; meets the targets" if c.feasible else "")
            )

    def best_index() -> int:
        feas = [i for i, c in enumerate(cands) if c.feasible]
        if not feas:
            return max(range(len(cands)), key=lambda i: cands[i].worst_margin)
        pool = feas
        for k, (sn, key) in enumerate(objectives):
            b = pool[0]
            for i in pool[1:]:
                vi, vb = cands[i].scores[key][0], cands[b].scores[key][0]
                if (vi < vb) if sn == "minimize" else (vi > vb):
                    b = i
            if k == len(objectives) - 1:
                return b
            vb, sb = cands[b].scores[key]
            pool = [
                i
                for i in pool
                if abs(cands[i].scores[key][0] - vb)
                <= SE_MARGIN * math.hypot(cands[i].scores[key][1], sb)
            ]
        return pool[0]

    span = highs - lows
    # The Sobol scrambles and the re-scoring's seed come from the run's seed by
    # SeedSequence spawning (no seed arithmetic).
    ss_sobol, ss_refine, ss_rescore = np.random.SeedSequence(seed).spawn(3)
    rescore_seed = int(ss_rescore.generate_state(1, np.uint32)[0])
    sobol = qmc.Sobol(len(keys), scramble=True, seed=np.random.default_rng(ss_sobol))
    evaluate([today_values(s, keys)], "today")
    evaluate([lows + u * span for u in _sobol_points(sobol, n_sobol)], "sobol")
    if n_refine:
        centre = cands[best_index()].values
        centre = np.clip(np.where(np.isfinite(centre), centre, highs), lows, highs)
        lo = np.clip(centre - span / 8, lows, highs)
        hi = np.clip(centre + span / 8, lows, highs)
        sobol2 = qmc.Sobol(len(keys), scramble=True, seed=np.random.default_rng(ss_refine))
        evaluate([lo + u * (hi - lo) for u in _sobol_points(sobol2, n_refine)], "refine")

    x = np.array([c.scores[dsi_risk][0] for c in cands])
    y = np.array([c.scores[payer_risk][0] for c in cands])
    frontier = pareto_front(x, y)
    frontier_all = pareto_front_nd(
        np.array([[c.scores[k][0] for k in party_axes] for c in cands], dtype=float)
    )
    feas = [i for i, c in enumerate(cands) if c.feasible]
    chosen = best_index() if feas else None
    closest = None if feas else best_index()
    rescored = rescored_targets = best = party_report = None
    if chosen is not None:
        best = apply_terms(s, keys, cands[chosen].values) if chosen else s
        # Fresh worlds: the choice was made on the search's draws, so re-scoring on
        # them would carry its selection bias (the winner's curse); another seed does not.
        # Today's contract runs on the same fresh worlds, so every party's change
        # is a paired difference (common random numbers).
        rescored, party_report = _rescore_with_parties(
            s, best, needed, rescore_draws, rescore_seed, backend
        )
        rescored_targets = [
            {
                "target": str(t),
                "value": rescored[t.key][0],
                "se": rescored[t.key][1],
                "met_by_2se": t.margin(*rescored[t.key]) >= 0,
            }
            for t in targets
        ]
    return DesignResult(
        scenario=s,
        keys=keys,
        lows=lows,
        highs=highs,
        targets=targets,
        objective=(sense, obj),
        dsi_risk=dsi_risk,
        payer_risk=payer_risk,
        draws=draws,
        seed=seed,
        candidates=cands,
        frontier=frontier,
        chosen=chosen,
        rescored=rescored,
        rescored_targets=rescored_targets,
        rescore_draws=rescore_draws,
        rescore_seed=rescore_seed,
        best_scenario=best,
        objectives=objectives,
        party_axes=party_axes,
        frontier_all=frontier_all,
        parties=party_report,
        closest=closest,
        stores=stores,
    )


# ---------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------


def to_dataset(res: DesignResult, config_text: str = ""):
    """Every candidate with its terms and scores; ``on_frontier`` marks the Pareto frontier."""
    import xarray as xr

    from simrisk.core.dataset import var

    n = len(res.candidates)
    vals = np.array([c.values for c in res.candidates])
    on_front = np.zeros(n, np.int8)
    on_front[res.frontier] = 1

    def col(key, k):
        return np.array([c.scores[key][k] for c in res.candidates])

    unit = {True: "1", False: "DKK"}
    prob = {key: (".p_" in "." + key or key.startswith("p_")) for key in res.candidates[0].scores}
    data = {
        "terms": var(("candidate", "term"), vals, "1", "the candidate's contract terms"),
        "dsi_risk": var(
            ("candidate",), col(res.dsi_risk, 0), unit[prob[res.dsi_risk]], res.dsi_risk
        ),
        "dsi_risk_se": var(
            ("candidate",), col(res.dsi_risk, 1), unit[prob[res.dsi_risk]], "Monte Carlo SE"
        ),
        "payer_risk": var(
            ("candidate",), col(res.payer_risk, 0), unit[prob[res.payer_risk]], res.payer_risk
        ),
        "payer_risk_se": var(
            ("candidate",), col(res.payer_risk, 1), unit[prob[res.payer_risk]], "Monte Carlo SE"
        ),
        "objective": var(
            ("candidate",),
            col(res.objective[1], 0),
            unit[prob[res.objective[1]]],
            f"{res.objective[0]} {res.objective[1]}",
        ),
        "objective_se": var(
            ("candidate",), col(res.objective[1], 1), unit[prob[res.objective[1]]], "MC SE"
        ),
        "feasible": var(
            ("candidate",),
            np.array([c.feasible for c in res.candidates], np.int8),
            "1",
            "meets every target by 2 Monte Carlo SE",
        ),
        "on_frontier": var(
            ("candidate",), on_front, "1", "on the Pareto frontier of dsi_risk and payer_risk"
        ),
    }
    score_keys = list(res.candidates[0].scores)
    data["score"] = var(
        ("candidate", "score_key"),
        np.array([[c.scores[k][0] for k in score_keys] for c in res.candidates]),
        "1",
        "summary value (units as in simrisk summary --json)",
    )
    data["score_se"] = var(
        ("candidate", "score_key"),
        np.array([[c.scores[k][1] for k in score_keys] for c in res.candidates]),
        "1",
        "its Monte Carlo SE",
    )
    if res.targets:
        data["target_value"] = var(
            ("candidate", "target"),
            np.array([[c.scores[t.key][0] for t in res.targets] for c in res.candidates]),
            "1",
            "the targets' summary values",
        )
        data["target_se"] = var(
            ("candidate", "target"),
            np.array([[c.scores[t.key][1] for t in res.targets] for c in res.candidates]),
            "1",
            "their Monte Carlo SE",
        )
    coords = {
        "candidate": np.arange(n),
        "term": res.keys,
        "stage": ("candidate", [c.stage for c in res.candidates]),
        "term_low": ("term", res.lows),
        "term_high": ("term", res.highs),
        "target": [str(t) for t in res.targets],
        "target_key": ("target", [t.key for t in res.targets]),
        "target_op": ("target", [t.op for t in res.targets]),
        "target_bound": ("target", [t.value for t in res.targets]),
        "score_key": score_keys,
    }
    attrs = {
        "simrisk_kind": RESULT_KIND,
        "simrisk_version": __version__,
        "created_at": created_now(),
        "scenario": res.scenario.name,
        "scenario_da": res.scenario.name_da or res.scenario.name,
        "config": config_text,
        "config_sha256": hashlib.sha256(config_text.encode()).hexdigest(),
        "seed": int(res.seed),
        "draws": int(res.draws),
        "dsi_risk_key": res.dsi_risk,
        "payer_risk_key": res.payer_risk,
        "objective_key": res.objective[1],
        "objective_sense": res.objective[0],
        "chosen": -1 if res.chosen is None else int(res.chosen),
        "today": 0,
        "se_margin": SE_MARGIN,
        "optimiser": "scipy.stats.qmc.Sobol (scrambled) + Sobol refinement; common random numbers",
    }
    if res.rescored is not None:
        attrs["chosen_rescored_draws"] = int(res.rescore_draws)
        attrs["chosen_rescored_seed"] = int(res.rescore_seed)
        for key, (v, se) in res.rescored.items():
            attrs[f"chosen_rescored:{key}"] = v
            attrs[f"chosen_rescored_se:{key}"] = se
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return f"{v:_}" if abs(v) >= 10_000 else str(v)
    if isinstance(v, float):
        if math.isinf(v):
            raise SimriskError("a cap of infinity cannot be written to TOML")
        return f"{v:_.1f}" if v.is_integer() and abs(v) >= 10_000 else repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(type(v))


def _table(header: str, model, changed: dict[str, str]) -> list[str]:
    if model is None:  # today's contract chosen, and it has no such clause
        return [f"# {header.strip('[]')}: none, as today"]
    lines = [header]
    for k, v in model.model_dump(exclude_none=True).items():
        note = changed.get(k)
        lines.append(f"{k} = {_toml_value(v)}" + (f"  # {note}" if note else ""))
    return lines


def write_best_toml(res: DesignResult, input_path: str | Path, out: str | Path) -> Path:
    """The chosen terms as a config that ``extends`` the input; written atomically."""
    import os

    if res.chosen is None or res.best_scenario is None:
        raise SimriskError("no candidate meets the targets; nothing to write")
    out = Path(out)
    s, best = res.scenario, res.best_scenario
    rel = os.path.relpath(Path(input_path).resolve(), out.resolve().parent)
    today = res.candidates[0].values
    rng = dict(zip(res.keys, zip(res.lows, res.highs, strict=True), strict=True))

    def note(key: str, i: int) -> str:
        lo, hi = rng[key]
        was = (
            "none"
            if key.startswith(("floor", "retention_clause")) and today[i] == 0
            else (f"{today[i]:,.6g}")
        )
        return f"chosen by simrisk design (range {lo:,.6g}-{hi:,.6g}); today: {was}"

    sense, obj = res.objective
    resc = res.rescored or {}
    lines = [
        f"# simrisk design: terms chosen for {s.name!r} (input: {Path(input_path).name}).",
        "# Targets (each must hold by at least 2 Monte Carlo SE): "
        + ", ".join(str(t) for t in res.targets),
        f"# Objective: {sense} {obj}. {len(res.candidates)} candidates on {res.draws:,} draws, "
        f"seed {res.seed} (common random numbers).",
        f"# Re-scored on fresh worlds, {res.rescore_draws:,} draws, seed {res.rescore_seed}: "
        + "; ".join(f"{k} = {_num(v)} (SE {_num(se)})" for k, (v, se) in resc.items()),
        "# Only the chosen terms are set here; everything else comes from the input.",
        "# Lists of tables ([[goals]], [[payers]]) replace the input's whole list, so",
        "# they are repeated in full; the changed values say so in a comment.",
        f'extends = "{rel}"',
        f"name = {_toml_value(s.name + ' (designed terms)')}",
    ]
    if s.name_da:
        lines.append(f"name_da = {_toml_value(s.name_da + ' (foreslåede vilkår)')}")
    idx = {k: i for i, k in enumerate(res.keys)}
    goal_keys = [k for k in res.keys if k.startswith("goals.")]
    payer_keys = [k for k in res.keys if k.startswith("payers.")]
    if "floor.share" in idx:
        changed = {"share": note("floor.share", idx["floor.share"])}
        lines += ["", *_table("[floor]", best.floor, changed)]
    gate_keys = [k for k in res.keys if k.startswith("gate.")]
    if gate_keys:
        changed = {k.split(".")[1]: note(k, idx[k]) for k in gate_keys}
        lines += ["", *_table("[gate]", best.gate, changed)]
    rc_keys = [k for k in res.keys if k.startswith("retention_clause.")]
    if rc_keys:
        changed = {k.split(".")[1]: note(k, idx[k]) for k in rc_keys}
        lines += ["", *_table("[retention_clause]", best.retention_clause, changed)]
    if payer_keys:
        for p in best.payers:
            k = f"payers.{p.id}.cap"
            changed = {"cap": note(k, idx[k])} if k in idx else {}
            lines += ["", *_table("[[payers]]", p, changed)]
    if goal_keys:
        for g in best.goals:
            changed = {}
            for part in ("payment_per_success", "threshold"):
                k = f"goals.{g.id}.{part}"
                if k in idx:
                    changed[part] = note(k, idx[k])
                    if part == "threshold":
                        changed["success_rate"] = (
                            "implied by the model at the new threshold (one source of truth)"
                        )
                        changed["name"] = "the input's name with the new threshold"
            lines += ["", *_table("[[goals]]", g, changed)]
    text = "\n".join(lines) + "\n"
    with replacing(out, "--output") as tmp:
        tmp.write_text(text, encoding="utf-8")
    return out


def format_design(d: dict) -> str:
    """The design result as a readable table (figures with their MC SE in brackets)."""
    obj = d["objective"]["key"]
    dsi, payer = d["frontier_axes"]["dsi_risk"], d["frontier_axes"]["payer_risk"]
    lines = [
        f"{d['scenario']}: {d['candidates']} candidates on {d['draws']:,} draws, seed "
        f"{d['seed']} (common random numbers)",
        f"targets (each by {d['se_margin']:g} SE): {', '.join(d['targets'])}; "
        f"objective: {d['objective']['sense']} {obj}",
        "",
    ]

    def row(label, p):
        terms = "  ".join(f"{k.split('.', 1)[1]}={v:,.6g}" for k, v in p["terms"].items())
        return (
            f"{label:<10}{p[dsi]:>8.2%} ({p[dsi + '_se']:.2%})  {p[payer]:>8.2%} "
            f"({p[payer + '_se']:.2%})  {p[obj]:>14,.0f} ({p[obj + '_se']:,.0f})  {terms}"
        )

    lines.append(f"{'':<10}{dsi:>20}  {payer[-28:]:>20}  {obj[-24:]:>24}  terms")
    lines.append(row("today", d["today"]))
    if d["chosen"] is not None:
        lines.append(row("chosen", d["chosen"]))
    lines.append("")
    lines.append(f"Pareto frontier ({len(d['frontier'])} points, both axes minimised):")
    for p in d["frontier"]:
        miss = "" if p["feasible"] else "  (misses a target)"
        lines.append(row(f"#{p['candidate']}", p) + miss)
    if "chosen_rescored" in d:
        r = d["chosen_rescored"]
        where = f"{r['draws']:,} draws, seed {r['seed']}"
        lines += ["", f"chosen, re-scored on fresh worlds ({where}):"]
        for t in r["targets"]:
            ok = "met" if t["met_by_2se"] else "NOT met"
            lines.append(f"  {t['target']}: {t['value']:.4g} (SE {t['se']:.2g}) -> {ok} by 2 SE")
    lines += _format_parties(d)
    return "\n".join(lines)


def _short_axis(key: str) -> str:
    parts = key.split(".")
    if parts[0] == "net_saving" and len(parts) == 4:
        return f"{parts[2]}.{parts[1]}"
    return key


def _format_parties(d: dict) -> list[str]:
    """The all-party frontier, the closest terms when none is feasible, every party's change."""
    lines = []
    fa = d.get("frontier_all_parties")
    if fa and fa["points"]:
        axes = fa["axes"]
        lines += [
            "",
            f"Frontier over every party ({len(fa['points'])} points; P(loss) of each, minimised):",
            f"{'':<8}" + "".join(f"{_short_axis(a)[-22:]:>24}" for a in axes),
        ]
        for p in fa["points"]:
            cells = "".join(f"{p[a]:>15.2%} ({p[a + '_se']:.2%})" for a in axes)
            lines.append(f"#{p['candidate']:<7}{cells}" + ("" if p["feasible"] else "  (misses)"))
    if "closest" in d:
        c = d["closest"]
        terms = ", ".join(f"{k}={v:,.6g}" for k, v in c["terms"].items())
        lines += [
            "",
            f"No terms meet every target. Closest (candidate #{c['candidate']}): {terms}",
        ]
        for s in c["shortfalls"]:
            state = "met" if s["met_by_2se"] else f"short by {s['shortfall']:.4g}"
            lines.append(f"  {s['target']}: {s['value']:.4g} (SE {s['se']:.2g}) -> {state}")
    if "parties" in d:
        pr = d["parties"]
        ch = pr["change_from_today"]
        lines += ["", f"Every party's change from today (same {pr['draws']:,} worlds, paired SE):"]
        ds = ch["dsi"]
        lines.append(
            f"  DSI: mean NPV {ds['npv_mean']['mean']:+,.0f} (SE {ds['npv_mean']['se']:,.0f}); "
            f"P(NPV < 0) {ds['p_npv_negative']['today']:.1%} -> "
            f"{ds['p_npv_negative']['today'] + ds['p_npv_negative']['mean']:.1%}"
        )
        for a, bases in ch.items():
            if a == "dsi":
                continue
            for basis, r in bases.items():
                m, pn = r["net_saving_mean"], r["p_negative"]
                lines.append(
                    f"  {a}, {basis.replace('_', ' ')}: mean net saving {m['today']:,.0f} -> "
                    f"{m['chosen']:,.0f} ({m['mean']:+,.0f}, SE {m['se']:,.0f}); P(net < 0) "
                    f"{pn['today']:.1%} -> {pn['chosen']:.1%}"
                    + ("  WORSE OFF" if r["worse_off"] else "")
                )
        lines += [
            "",
            "Payments to DSI per payer and year (mean DKK: today -> chosen, change and SE):",
        ]
        for payer, rows in pr["payments_by_payer_and_year"].items():
            cells = "; ".join(
                f"{y}: {r['today']:,.0f} -> {r['chosen']:,.0f} ({r['change']:+,.0f}, SE "
                f"{r['change_se']:,.0f})"
                for y, r in rows.items()
            )
            lines.append(f"  {payer}: {cells}")
        for name, term in pr["added_terms"].items():
            who = "; ".join(
                f"{payer} {r['share']:.0%}: mean {r['mean']:,.0f} (SE {r['mean_se']:,.0f}), "
                f"paid in {r['p_paid']:.1%} of worlds"
                for payer, r in term["by_payer"].items()
            )
            lines.append(f"  {name.replace('_', ' ')} (paid {term['date']}): {who}")
    return lines
