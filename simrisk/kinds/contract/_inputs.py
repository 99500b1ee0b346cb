"""Static arrays for the engine, built once per run from a validated scenario."""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from simrisk.core.errors import SimriskError
from simrisk.kinds.contract.config import Scenario
from simrisk.kinds.contract.contract import ContractArrays, compile_contract
from simrisk.kinds.contract.priors import ParameterSpace, build_parameter_space

__all__ = ["EngineInputs", "KernelInputs", "KernelOutputs", "build_inputs"]

KIND_RESOURCE = 0
KIND_SCORE = 1
KIND_BINARY = 2
KIND_STAGED = 3
MAX_SCALE = 64


GUIDE = 64


def make_guide(cdf: np.ndarray, size: int = GUIDE) -> np.ndarray:
    """Guide table for :func:`._kernel._guided`: first k with cdf[k] > m / size."""
    m = np.arange(size) / size
    return np.searchsorted(cdf, m, side="right").astype(np.int64)


#: The kernel's static inputs, one record built once per run from the scenario
#: (:attr:`EngineInputs.kernel`). Numba passes a named
#: tuple of arrays and scalars as one argument; the field names are the ones
#: the kernel reads. Index tables are unsigned (``uint64``), which spares
#: Numba's negative-index wraparound in the citizen loops.
KernelInputs = namedtuple(
    "KernelInputs",
    [
        "referred0",  # float: population.referred (times a draw's recruitment)
        "log_keep",  # float64[G]: log(1 - threshold) of resource goals
        "zero_success",  # int64[G]: 1 if a zero-baseline citizen counts as a success
        "res_goals",  # int64[R]: the resource goals in normal-slot order
        "score_goals",  # int64[S]
        "res_goals_u",  # uint64[R]: the same, unsigned, for the citizen loops
        "score_goals_u",  # uint64[S]
        "bin_goals",  # int64[B]: the binary goals
        "bin_goals_u",  # uint64[B]
        "cost_col",  # int64[G]: cost_table column of the goal's saving, else -1
        "score_top",  # int64[G]
        "low_max",  # int64[G]
        "max_top",  # int: the score tables' row length
        "start_cdf",  # float64[G * max_top], flat
        "start_guide",  # uint64[G * GUIDE], flat
        "pidx",  # int64[G, 6]: parameter columns
        "cost_table",  # float64[group, column]
        "group_cdf",  # float64[group]
        "group_guide",  # uint64[GUIDE]
        "auth_goal",  # int64[A]
        "cohort_cdf",  # float64[C]
        "cohort_guide",  # uint64[GUIDE]
        "cohort_lw",  # float64[2 C]: each cohort's lower cdf and width
        "payment",  # float64[C, G]: price per success of each cohort
        "goal_cap",  # float64[G]: maximum_price, inf where none
        "goal_capped",  # int: 1 if any goal has a maximum_price
        "goal_payer",  # int64[G]
        "cap",  # float64[P]
        "repay_order",  # int64[C]
        "disb_amount",  # float64[D]
        "flow_order",  # int64[F]: the investor's flows sorted by time
        "flow_t",  # float64[F]
        "t_sorted",  # float64[F]: flow_t[flow_order]
        "flow_year",  # int64[F]
        "n_years",  # int
        "rate",  # float: the investor's discount rate
        "saving_factor",  # float64[C, A]
        "ret_mode",  # int: the retention clause (simrisk.kinds.contract.contract.RET_*)
        "ret_min",  # float
        "ret_amount",  # float
        "ret_count",  # float64[C]
        "ret_void",  # float64[C]
        "ret_flow",  # int: its entry in the cash flow, -1 if none
        "floor_amount",  # float
        "floor_flow",  # int
        "ret_payer_share",  # float64[P]: who pays the retention clause
        "floor_payer_share",  # float64[P]: who pays the floor
        "gate_on",  # int: 1 with a [gate]
        "gate_count",  # float64[C]: cohorts in the gate's interim count
        "gate_void",  # float64[C]: cohorts a stop voids
        "gate_disb_stop",  # float64[D]: disbursements a stop cancels
        "gate_share",  # float: the counted cohorts' share of the referrals
        "gate_exponent",  # float: months / 12
        "gate_threshold",  # float
        "stg_goals",  # int64[S]: the stages' columns, in order (a goal's stages together)
        "stg_goals_u",  # uint64[S]
        "stg_first",  # int64[S]: 1 for a goal's first stage
        "dated",  # int: 1 if stages are paid on dates apart (ContractArrays.dated)
        "pay_event",  # int64[C, G]: each cell's payment event
        "n_event",  # int: payment events
    ],
)

#: The kernel's per-draw outputs (first axis: draw within the chunk), see :func:`simulate_chunk`.
KernelOutputs = namedtuple(
    "KernelOutputs",
    [
        "referred",
        "measured",
        "successes",
        "deadweight",
        "repaid",
        "cash_year",
        "irr",
        "irr_status",
        "npv",
        "moic",
        "saving",
        "dw_share",
        "clause",
        "gate",  # [n, 3] with a gate: stopped, share engaged, NPV without the gate; else [n, 0]
        "gate_paid",  # [n, P]: each payer's payments with the gate less without; else [n, 0]
        "gate_saving",  # [n, A]: modelled saving with the gate less without; else [n, 0]
    ],
)


@dataclass(frozen=True)
class EngineInputs:
    """Everything the kernel needs besides the per-draw parameters."""

    scenario: Scenario
    contract: ContractArrays
    space: ParameterSpace
    goal_kind: np.ndarray  # int64[G]
    log_keep: np.ndarray  # float64[G]: log(1 - threshold) for resource goals
    zero_success: np.ndarray  # int64[G]: 1 if a zero-baseline citizen counts as success
    res_goals: np.ndarray  # int64[R]: the resource goals, in normal-slot order
    score_goals: np.ndarray  # int64[S]: the score goals
    bin_goals: np.ndarray  # int64[B]: the binary goals
    stg_goals: np.ndarray  # int64[S]: the stages' columns (staged goals)
    start_guide: np.ndarray  # int64[G, GUIDE]
    group_guide: np.ndarray  # int64[GUIDE]
    cohort_guide: np.ndarray  # int64[GUIDE]
    cost_col: np.ndarray  # int64[G]: column of cost_table the goal's saving uses, else -1
    score_top: np.ndarray  # int64[G]: scale_max - scale_min (score goals)
    low_max: np.ndarray  # int64[G]: last start score (relative) that gets drift_low
    start_cdf: np.ndarray  # float64[G, MAX_SCALE]
    cost_table: np.ndarray  # float64[group, column]: excess cost per person over the horizon
    cost_columns: tuple[str, ...]
    group_cdf: np.ndarray  # float64[group]
    auth_payer: np.ndarray  # int64[A]
    auth_goal: np.ndarray  # int64[A]
    authorities: tuple[str, ...]
    #: int64[G, 6]: parameter columns (drift, effect, sigma, zero, dlow, dhigh); for a
    #: binary goal (probability, counterfactual) in the first two
    pidx: np.ndarray
    cohort_cdf: np.ndarray  # float64[C]
    cohort_lo: np.ndarray  # float64[C]: cohort_cdf[c - 1], 0 for the first
    cohort_width: np.ndarray  # float64[C]: cohort_cdf[c] - cohort_lo[c]
    flow_t: np.ndarray  # float64[F]
    flow_order: np.ndarray  # int64[F]: flows sorted by time (stable)
    flow_year: np.ndarray  # int64[F]: index into years
    years: np.ndarray  # int64[Y]
    rate: float
    saving_factor: np.ndarray  # float64[C, A]: first-year saving -> PV of the modelled saving
    auth_rate: np.ndarray  # float64[A]: each authority's own discount rate

    @property
    def fixed_values(self) -> np.ndarray:
        """Parameters of ``--fixed-parameters``: the priors' central values, with
        recruitment and retention exactly the ledger's (1 and ``population.retention``;
        loading checks that the priors' central values agree with them)."""
        v = self.space.central.copy()
        names = self.space.names
        v[names.index("recruitment")] = 1.0
        v[names.index("retention")] = self.contract.retention
        return v

    @cached_property
    def kernel(self) -> KernelInputs:
        """The kernel's static inputs as one record (built on first use, then kept)."""
        c = self.contract
        n_cohort = self.cohort_cdf.shape[0]
        cohort_lw = np.empty(2 * n_cohort)
        cohort_lw[0::2] = self.cohort_lo
        cohort_lw[1::2] = self.cohort_width
        return KernelInputs(
            referred0=float(c.referred),
            log_keep=self.log_keep,
            zero_success=self.zero_success,
            res_goals=self.res_goals,
            score_goals=self.score_goals,
            res_goals_u=self.res_goals.astype(np.uint64),
            score_goals_u=self.score_goals.astype(np.uint64),
            bin_goals=self.bin_goals,
            bin_goals_u=self.bin_goals.astype(np.uint64),
            cost_col=self.cost_col,
            score_top=self.score_top,
            low_max=self.low_max,
            max_top=np.int64(self.start_cdf.shape[1]),
            start_cdf=self.start_cdf.copy().reshape(self.start_cdf.size),
            start_guide=self.start_guide.astype(np.uint64).reshape(self.start_guide.size),
            pidx=self.pidx,
            cost_table=self.cost_table,
            group_cdf=self.group_cdf,
            group_guide=self.group_guide.astype(np.uint64),
            auth_goal=self.auth_goal,
            cohort_cdf=self.cohort_cdf,
            cohort_guide=self.cohort_guide.astype(np.uint64),
            cohort_lw=cohort_lw,
            payment=c.payment_cg,
            goal_cap=c.goal_cap,
            goal_capped=np.int64(np.isfinite(c.goal_cap).any()),
            goal_payer=c.goal_payer,
            cap=c.cap,
            repay_order=c.repay_order,
            disb_amount=c.disb_amount,
            flow_order=self.flow_order,
            flow_t=self.flow_t,
            t_sorted=self.flow_t[self.flow_order],
            flow_year=self.flow_year,
            n_years=np.int64(len(self.years)),
            rate=float(self.rate),
            saving_factor=self.saving_factor,
            ret_mode=np.int64(c.ret_mode),
            ret_min=float(c.ret_min),
            ret_amount=float(c.ret_amount),
            ret_count=c.ret_count,
            ret_void=c.ret_void,
            ret_flow=np.int64(c.ret_flow),
            floor_amount=float(c.floor_amount),
            floor_flow=np.int64(c.floor_flow),
            ret_payer_share=c.ret_payer_share,
            floor_payer_share=c.floor_payer_share,
            gate_on=np.int64(c.gate_on),
            gate_count=c.gate_count,
            gate_void=c.gate_void,
            gate_disb_stop=c.gate_disb_stop,
            gate_share=float(c.gate_share),
            gate_exponent=float(c.gate_exponent),
            gate_threshold=float(c.gate_threshold),
            stg_goals=self.stg_goals,
            stg_goals_u=self.stg_goals.astype(np.uint64),
            stg_first=(c.stage_prev[self.stg_goals] < 0).astype(np.int64),
            dated=np.int64(c.dated),
            pay_event=c.pay_event,
            n_event=np.int64(c.repay_t.shape[0]),
        )

    @property
    def n_res(self) -> int:
        """Number of resource_use_fall goals."""
        return int(self.res_goals.shape[0])

    @property
    def n_goals(self) -> int:
        return int(self.goal_kind.shape[0])


def build_inputs(s: Scenario) -> EngineInputs:
    """Arrays for :func:`simrisk.kinds.contract.engine` from a scenario with a ``[model]``."""
    if s.model is None:
        raise SimriskError(
            "model: the config has no [model] section with priors, so it cannot be simulated "
            "(the ledger still works)"
        )
    c = compile_contract(s)
    space = build_parameter_space(s)
    names = {n: i for i, n in enumerate(space.names)}
    cols = s.columns
    G = len(cols)
    goal_kind = np.zeros(G, np.int64)
    log_keep = np.zeros(G)
    zero_success = np.zeros(G, np.int64)
    cost_col = -np.ones(G, np.int64)
    score_top = np.zeros(G, np.int64)
    low_max = np.zeros(G, np.int64)
    start_cdf = np.ones((G, MAX_SCALE))
    pidx = -np.ones((G, 6), np.int64)
    bc = s.business_case
    cost_columns = tuple(sorted(bc.authorities)) if bc else ()
    for j, col in enumerate(cols):
        g = s.goals[col.goal]
        gm = s.model.goals[g.id]
        if g.outcome == "staged":
            goal_kind[j] = KIND_STAGED
            pidx[j, 0] = names[f"{col.id}.probability"]
            pidx[j, 1] = names[f"{col.id}.counterfactual"]
        elif g.outcome == "resource_use_fall":
            goal_kind[j] = KIND_RESOURCE
            log_keep[j] = math.log1p(-g.threshold) if g.threshold < 1 else -np.inf
            zero_success[j] = 1 if gm.zero_baseline == "success" else 0
            if g.resource is not None and g.resource in cost_columns:
                cost_col[j] = cost_columns.index(g.resource)
            for k, p in enumerate(("drift", "effect", "sigma", "zero_share")):
                pidx[j, k] = names[f"{g.id}.{p}"]
        elif g.outcome == "binary":
            goal_kind[j] = KIND_BINARY
            pidx[j, 0] = names[f"{g.id}.probability"]
            pidx[j, 1] = names[f"{g.id}.counterfactual"]
        else:
            goal_kind[j] = KIND_SCORE
            top = g.scale_max - g.scale_min
            if top + 1 > MAX_SCALE:
                raise SimriskError(
                    f"goals[{j}]: a scale of {top + 1} points is more than the engine's "
                    f"{MAX_SCALE}"
                )
            score_top[j] = top
            low_max[j] = gm.low_max - g.scale_min
            cdf = np.cumsum(gm.start_distribution)
            cdf[-1] = 1.0
            start_cdf[j, : top + 1] = cdf
            pidx[j, 1] = names[f"{g.id}.effect"]
            pidx[j, 2] = names[f"{g.id}.sigma"]
            pidx[j, 4] = names[f"{g.id}.drift_low"]
            pidx[j, 5] = names[f"{g.id}.drift_high"]
    if bc is not None:
        cost_table = np.array(
            [[row.costs[col] for col in cost_columns] for row in bc.disease_groups], float
        )
        w = s.model.cost_weights or [1.0 / len(bc.disease_groups)] * len(bc.disease_groups)
        group_cdf = np.cumsum(w)
        group_cdf[-1] = 1.0
        authorities = tuple(bc.authorities)
        auth_payer = np.array([c.payer_ids.index(a) for a in authorities], np.int64)
        auth_goal = np.array([c.goal_ids.index(bc.authorities[a]) for a in authorities], np.int64)
    else:
        cost_table = np.zeros((1, 1))
        group_cdf = np.ones(1)
        authorities = ()
        auth_payer = np.zeros(0, np.int64)
        auth_goal = np.zeros(0, np.int64)
    saving_factor, auth_rate = modelled_saving_factors(s, authorities)
    cohort_cdf = np.cumsum(c.cohort_share)
    cohort_cdf[-1] = 1.0
    cohort_lo = np.concatenate([[0.0], cohort_cdf[:-1]])
    years = np.unique(c.flow_years)
    flow_year = np.searchsorted(years, c.flow_years)
    return EngineInputs(
        scenario=s,
        contract=c,
        space=space,
        goal_kind=goal_kind,
        log_keep=log_keep,
        zero_success=zero_success,
        res_goals=np.flatnonzero(goal_kind == KIND_RESOURCE).astype(np.int64),
        score_goals=np.flatnonzero(goal_kind == KIND_SCORE).astype(np.int64),
        bin_goals=np.flatnonzero(goal_kind == KIND_BINARY).astype(np.int64),
        stg_goals=np.flatnonzero(goal_kind == KIND_STAGED).astype(np.int64),
        start_guide=np.stack([make_guide(row) for row in start_cdf]),
        group_guide=make_guide(group_cdf),
        cohort_guide=make_guide(cohort_cdf),
        cost_col=cost_col,
        score_top=score_top,
        low_max=low_max,
        start_cdf=start_cdf,
        cost_table=cost_table,
        cost_columns=cost_columns,
        group_cdf=group_cdf,
        auth_payer=auth_payer,
        auth_goal=auth_goal,
        authorities=authorities,
        pidx=pidx,
        cohort_cdf=cohort_cdf,
        cohort_lo=cohort_lo,
        cohort_width=cohort_cdf - cohort_lo,
        flow_t=c.flow_t,
        flow_order=np.argsort(c.flow_t, kind="stable").astype(np.int64),
        flow_year=flow_year.astype(np.int64),
        years=years,
        rate=s.investor.discount_rate,
        saving_factor=saving_factor,
        auth_rate=auth_rate,
    )


def modelled_saving_factors(s: Scenario, authorities: tuple[str, ...]):
    """Per cohort and authority: PV at the valuation date of the modelled saving per DKK of
    first-year caused fall in the cost basis's excess cost.

    ``factor[c, a] = sum_{t < T} persistence**t (1 + r_a)**-(tau_c + t + 0.5) / H``
    with ``T = business_case.modelled.horizon_years``, ``H`` the cost basis's
    horizon (the BIS cost is spread evenly over it), ``r_a`` the authority's
    discount rate and ``tau_c`` the years from the valuation date to the middle
    of cohort c's referral window (a citizen's start). Returns ``(factor, rates)``.
    """
    C = len(s.cohorts)
    bc = s.business_case
    if bc is None or bc.modelled is None or not authorities:
        return np.zeros((C, len(authorities))), np.zeros(len(authorities))
    m = bc.modelled
    rates = np.array([s.payer(a).discount_rate for a in authorities], float)
    origin = s.valuation_date
    tau = np.array(
        [
            ((k.referral_start - origin).days + (k.referral_end - k.referral_start).days / 2)
            / 365.0
            for k in s.cohorts
        ]
    )
    t = np.arange(m.horizon_years, dtype=float)
    weight = m.persistence**t / bc.horizon_years  # [T]
    years = tau[:, None, None] + t[None, None, :] + 0.5  # [C, 1, T]
    disc = (1.0 + rates)[None, :, None] ** -years  # [C, A, T]
    return (disc * weight[None, None, :]).sum(axis=2), rates
