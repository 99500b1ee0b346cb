"""The array layer: a validated config turned into the kernel's arrays.

The driver and the NumPy reference both start from :class:`PortfolioInputs`,
so the two run the same model on the same numbers. Time runs in half-years
(``period = 2 * (year - first_year) + half``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simrisk.core.config import Prior
from simrisk.core.priors import frozen, prior_central
from simrisk.kinds.portfolio.config import PARAMETERS, PortfolioConfig

__all__ = ["PARAM_INDEX", "PortfolioInputs", "build_inputs", "prior_central", "transform"]

PARAM_INDEX = {name: i for i, name in enumerate(PARAMETERS)}
#: screening modes, in the order of the kernel's ``screening`` axis
SCREENING = ("with", "without")
#: per-option count outputs, in the order of the kernel's ``counts`` axis
COUNTS = ("started", "live", "stopped", "stopped_late", "live_with_gain")
#: discounted totals, in the order of the kernel's ``totals`` axis
TOTALS = ("cost", "money", "staff_fte", "patient_hours")


def transform(priors: tuple[Prior, ...], u: np.ndarray) -> np.ndarray:
    """Parameter values ``[n, P]`` from uniforms ``u[n, P]`` (inverse CDFs, exact)."""
    out = np.empty_like(u, dtype=np.float64)
    for k, p in enumerate(priors):
        if p.dist == "fixed":
            out[:, k] = p.value
        else:
            out[:, k] = frozen(p).ppf(u[:, k])
    return out


@dataclass(frozen=True)
class PortfolioInputs:
    """Everything the kernel needs, as arrays (see :func:`build_inputs`)."""

    cfg: PortfolioConfig
    priors: tuple[Prior, ...]
    option_ids: tuple[str, ...]
    years: np.ndarray  # [Y] calendar years of the horizon
    t_years: np.ndarray  # [Y] years from the valuation date (0, 1, ...)
    budget: np.ndarray  # [O, NP] pool money arriving each pool year (DKK)
    capacity: np.ndarray  # [O, NP] algorithms in validation/implementation at once
    pool_offset: int  # first pool year - first horizon year
    cost_low: np.ndarray  # [K]
    cost_high: np.ndarray  # [K]
    validation_share: np.ndarray  # [K]
    case_scale: np.ndarray  # [K] benefit multiplier of named cases (1 for generic)
    val_periods: int
    impl_periods: int
    life_periods: int
    late_periods: int
    lapse: bool
    benefit: np.ndarray  # [8]: money, staff, patients, workload; each median, sd_log
    rate: float

    @property
    def n_params(self) -> int:
        return len(self.priors)

    @property
    def central(self) -> np.ndarray:
        return np.array([prior_central(p) for p in self.priors])


def build_inputs(cfg: PortfolioConfig) -> PortfolioInputs:
    """Arrays for the kernel from a validated config."""
    a = cfg.algorithms
    K = a.candidates
    lo = np.full(K, a.cost_low)
    hi = np.full(K, a.cost_high)
    vs = np.full(K, a.validation_share)
    scale = np.ones(K)
    for k, case in enumerate(cfg.cases):
        lo[k], hi[k] = case.cost_low, case.cost_high
        scale[k] = case.benefit_scale
        if case.validation_cost is not None:
            # A fixed validation budget is a share of the case's (fixed or mid) cost.
            vs[k] = case.validation_cost / (0.5 * (case.cost_low + case.cost_high))
    b = cfg.benefits
    years = np.array(cfg.years, dtype=np.int64)
    return PortfolioInputs(
        cfg=cfg,
        priors=tuple(cfg.priors[name] for name in PARAMETERS),
        option_ids=tuple(o.id for o in cfg.options),
        years=years,
        t_years=(years - years[0]).astype(np.float64),
        budget=np.array(
            [[w + x for w, x in zip(o.wages, o.other_running, strict=True)] for o in cfg.options]
        ),
        capacity=np.array(
            [
                [int(np.floor(f * a.algorithms_per_consultant + 1e-9)) for f in o.staff_fte]
                for o in cfg.options
            ],
            dtype=np.int64,
        ),
        pool_offset=cfg.pool_years[0] - cfg.horizon.first_year,
        cost_low=lo,
        cost_high=hi,
        validation_share=vs,
        case_scale=scale,
        val_periods=round(2 * a.validation_years),
        impl_periods=round(2 * a.implementation_years),
        life_periods=round(2 * a.lifetime_years),
        late_periods=round(2 * a.late_stop_years),
        lapse=cfg.horizon.unspent_money == "lapse",
        benefit=np.array(
            [
                b.money_median,
                b.money_sd_log,
                b.staff_fte_median,
                b.staff_fte_sd_log,
                b.patient_hours_median,
                b.patient_hours_sd_log,
                b.workload_fte_median,
                b.workload_fte_sd_log,
            ]
        ),
        rate=float(cfg.horizon.discount_rate),
    )
