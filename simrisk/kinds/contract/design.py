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

from simrisk.core.errors import SimriskError
from simrisk.core.targets import Bound, parse_bound
from simrisk.core.targets import lookup as find
from simrisk.kinds.contract.config import Design, Scenario, design_key_issue

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

#: a bound on a summary figure, met by SE_MARGIN standard errors (:mod:`simrisk.core.targets`)
Target = Bound


def parse_target(text: str, flag: str = "--target") -> Target:
    """``KEY<=V``, ``KEY>=V`` (``<`` and ``>`` read the same: the margin is strict anyway)."""
    return parse_bound(text, flag)


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
    floor, rc = {}, {}
    for key, v in zip(keys, values, strict=True):
        table, *rest = key.split(".")
        v = float(v)
        if table == "goals":
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
    out = s.model_copy(update=update)
    if any("threshold" in g for g in goals.values()) and s.model is not None:
        from simrisk.kinds.contract._inputs import build_inputs
        from simrisk.kinds.contract.analytic import success_probabilities

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
        }
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
    from simrisk.kinds.contract.engine import simulate
    from simrisk.kinds.contract.summary import summarize

    ds = simulate(s, draws=draws, seed=seed, backend=backend)
    summ = summarize(ds)
    return {k: lookup(summ, k) for k in keys_needed}


def _score_terms(
    s: Scenario, keys: list[str], values, stage: str, needed: list[str], draws: int, seed: int
) -> dict:
    """One candidate's scores (a task: a pure function of the config, the terms and the seed)."""
    scen = s if stage == "today" else apply_terms(s, keys, values)
    return _score(scen, needed, draws, seed)


def run_design(
    s: Scenario,
    targets: list[Target],
    objective: tuple[str, str] | None = None,
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
) -> DesignResult:
    """Search the ``[design]`` terms of ``s`` against ``targets``.

    Parameters
    ----------
    s : Scenario
        A validated scenario with ``[design]`` and ``[model]``.
    targets : list of Target
        Inequalities on summary keys; each must hold by 2 Monte Carlo SE.
    objective : (sense, key), optional
        ``("minimize" | "maximize", summary key)``; default: minimise the
        payers' expected total payment (``payments.total.mean``).
    draws, seed, candidates, refine, rescore_draws : int, optional
        Defaults from ``[design]`` and ``[simulation]``.
    payer_risk, dsi_risk : str
        The frontier's axes (summary keys, both minimised).
    progress : callable, optional
        Called with one line per scored candidate.
    backend : simrisk.core.backends.DaskBackend, optional
        Score the candidates as tasks on its cluster (one task each) and the
        re-scoring run's chunks; the result is the same as without.

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
    sense, obj = objective or DEFAULT_OBJECTIVE
    draws = draws or d.draws
    seed = s.simulation.seed if seed is None else seed
    n_sobol = candidates or d.candidates
    n_refine = d.refine if refine is None else refine
    rescore_draws = rescore_draws or d.rescore_draws
    keys = [t.key for t in d.terms]
    lows = np.array([t.low for t in d.terms])
    highs = np.array([t.high for t in d.terms])
    needed = list(
        dict.fromkeys([dsi_risk, payer_risk, obj, *(t.key for t in targets), *EXTRA_KEYS])
    )

    cands: list[Candidate] = []

    def evaluate(points, stage: str) -> None:
        """Score the candidates at ``points`` (in this process or as tasks) in their order."""
        if stage != "today":
            points = [
                np.array([round_term(k, v) for k, v in zip(keys, values, strict=True)])
                for values in points
            ]
        items = [(values, stage, needed, draws, seed) for values in points]
        with contextlib.closing(map_tasks(_score_terms, items, (s, keys), backend)) as scores:
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

    def better(i: int, j: int) -> bool:
        vi, vj = cands[i].scores[obj][0], cands[j].scores[obj][0]
        return vi < vj if sense == "minimize" else vi > vj

    def best_index() -> int:
        feas = [i for i, c in enumerate(cands) if c.feasible]
        if feas:
            b = feas[0]
            for i in feas[1:]:
                if better(i, b):
                    b = i
            return b
        return max(range(len(cands)), key=lambda i: cands[i].worst_margin)

    span = highs - lows
    # The Sobol scrambles and the re-scoring's seed come from the run's seed by
    # SeedSequence spawning (no seed arithmetic).
    ss_sobol, ss_refine, ss_rescore = np.random.SeedSequence(seed).spawn(3)
    rescore_seed = int(ss_rescore.generate_state(1, np.uint32)[0])
    sobol = qmc.Sobol(len(keys), scramble=True, seed=np.random.default_rng(ss_sobol))
    evaluate([today_values(s, keys)], "today")
    evaluate([lows + u * span for u in sobol.random(n_sobol)], "sobol")
    if n_refine:
        centre = cands[best_index()].values
        centre = np.clip(np.where(np.isfinite(centre), centre, highs), lows, highs)
        lo = np.clip(centre - span / 8, lows, highs)
        hi = np.clip(centre + span / 8, lows, highs)
        sobol2 = qmc.Sobol(len(keys), scramble=True, seed=np.random.default_rng(ss_refine))
        evaluate([lo + u * (hi - lo) for u in sobol2.random(n_refine)], "refine")

    x = np.array([c.scores[dsi_risk][0] for c in cands])
    y = np.array([c.scores[payer_risk][0] for c in cands])
    frontier = pareto_front(x, y)
    feas = [i for i, c in enumerate(cands) if c.feasible]
    chosen = best_index() if feas else None
    rescored = rescored_targets = best = None
    if chosen is not None:
        best = apply_terms(s, keys, cands[chosen].values) if chosen else s
        # Fresh worlds: the choice was made on the search's draws, so re-scoring on
        # them would carry its selection bias (the winner's curse); another seed does not.
        rescored = _score(best, needed, rescore_draws, rescore_seed, backend)
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
    )


# ---------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------


def to_dataset(res: DesignResult, config_text: str = ""):
    """Every candidate with its terms and scores; ``on_frontier`` marks the Pareto frontier."""
    import xarray as xr

    from simrisk._version import __version__
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
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
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
    import uuid

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
    # .NAME.PID.XXXXXXXX.part: the next writer of NAME removes it if we are killed (stale_parts)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
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
    return "\n".join(lines)
