"""The portfolio's deterministic expected case: budgets as the proposal states them.

For each option: wages, other running costs and the total per year and over
the pool period, the staff (årsværk) the table lists, the algorithms the
proposal says the option funds, and the algorithms the pool's own rules fund
at central costs if none is stopped (every candidate at the middle of its
cost range, running cost at the prior's central share, reserved until the
pool ends). No random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simrisk.kinds.portfolio.config import PortfolioConfig
from simrisk.kinds.portfolio.inputs import PARAM_INDEX, build_inputs
from simrisk.kinds.portfolio.reference import schedule_reference

__all__ = ["OptionLedger", "PortfolioLedger", "format_ledger", "run_ledger"]


@dataclass(frozen=True)
class OptionLedger:
    """One option's budget and what it funds."""

    id: str
    name: str
    name_da: str
    years: list[int]
    wages: list[float]
    other_running: list[float]
    staff_fte: list[float]
    stated_algorithms: list[int]
    algorithms_funded: int
    algorithms_funded_by_year: list[int]
    committed: float

    @property
    def budget(self) -> list[float]:
        return [w + o for w, o in zip(self.wages, self.other_running, strict=True)]

    @property
    def budget_total(self) -> float:
        return float(sum(self.budget))

    @property
    def wage_share(self) -> float:
        return float(sum(self.wages)) / self.budget_total if self.budget_total else 0.0


@dataclass(frozen=True)
class PortfolioLedger:
    """The expected case of every option (:func:`run_ledger`)."""

    name: str
    discount_rate: float
    horizon: tuple[int, int]
    algorithm_cost: tuple[float, float]
    wage_share: float
    algorithms_per_consultant: float
    central_running_share: float
    options: list[OptionLedger] = field(default_factory=list)

    def to_json(self) -> dict:
        """One JSON-ready dict: ``options.<id>.budget_total``, ``budget_by_year`` and more."""

        def by_year(o: OptionLedger, values) -> dict:
            return {str(y): float(v) for y, v in zip(o.years, values, strict=True)}

        return {
            "kind": "portfolio",
            "name": self.name,
            "currency": "DKK",
            "discount_rate": self.discount_rate,
            "horizon": {"first_year": self.horizon[0], "last_year": self.horizon[1]},
            "algorithm_cost": {
                "low": self.algorithm_cost[0],
                "high": self.algorithm_cost[1],
                "wage_share": self.wage_share,
                "algorithms_per_consultant": self.algorithms_per_consultant,
                "central_running_cost_share": self.central_running_share,
            },
            "options": {
                o.id: {
                    "name": o.name,
                    "budget_total": o.budget_total,
                    "budget_by_year": by_year(o, o.budget),
                    "wages_by_year": by_year(o, o.wages),
                    "other_running_by_year": by_year(o, o.other_running),
                    "wages_total": float(sum(o.wages)),
                    "other_running_total": float(sum(o.other_running)),
                    "wage_share": o.wage_share,
                    "staff_fte_by_year": by_year(o, o.staff_fte),
                    "stated_algorithms": {"low": o.stated_algorithms[0],
                                          "high": o.stated_algorithms[1]},
                    "algorithms_funded": o.algorithms_funded,
                    "algorithms_funded_by_year": {
                        str(y): int(v)
                        for y, v in zip(o.years, o.algorithms_funded_by_year, strict=True)
                    },
                    "committed": o.committed,
                }
                for o in self.options
            },
        }  # fmt: skip


def _central_candidates(inp) -> tuple[np.ndarray, float]:
    """Candidates at central values, none stopped: ``[1, K, 11]`` and the ramp."""
    central = inp.central
    mid = 0.5 * (inp.cost_low + inp.cost_high)
    K = mid.shape[0]
    cand = np.zeros((1, K, 11))
    cand[0, :, 0] = mid
    cand[0, :, 1] = inp.validation_share * mid
    cand[0, :, 2] = mid - cand[0, :, 1]
    cand[0, :, 3] = 0.5 * central[PARAM_INDEX["running_cost_share"]] * mid
    cand[0, :, 4] = 1.0  # counted as working: no stop, no late stop
    cand[0, :, 6] = 1.0
    return cand, float(central[PARAM_INDEX["ramp_years"]])


def run_ledger(cfg: PortfolioConfig) -> PortfolioLedger:
    """Each option's budget by year and in total, and the algorithms it funds.

    Parameters
    ----------
    cfg : PortfolioConfig
        A validated portfolio config.

    Returns
    -------
    PortfolioLedger
        ``.to_json()`` gives ``options.<id>.budget_total`` and
        ``options.<id>.budget_by_year`` exactly as the config's tables.
    """
    inp = build_inputs(cfg)
    cand, ramp = _central_candidates(inp)
    a = cfg.algorithms
    options = []
    for o_idx, o in enumerate(cfg.options):
        r = schedule_reference(inp, cand, np.array([ramp]), o_idx, screen=True)
        total_started = int(r["counts"][0, 0])
        started = _starts_by_year(inp, cand, ramp, o_idx)
        funded_by_year = [int(started.get(y, 0)) for y in o.years]
        options.append(
            OptionLedger(
                id=o.id,
                name=o.name,
                name_da=o.name_da or o.name,
                years=list(o.years),
                wages=[float(v) for v in o.wages],
                other_running=[float(v) for v in o.other_running],
                staff_fte=[float(v) for v in o.staff_fte],
                stated_algorithms=list(o.stated_algorithms),
                algorithms_funded=total_started,
                algorithms_funded_by_year=funded_by_year,
                committed=float(inp.budget[o_idx].sum() - r["unspent"][0]),
            )
        )
    return PortfolioLedger(
        name=cfg.name,
        discount_rate=float(cfg.horizon.discount_rate),
        horizon=(cfg.horizon.first_year, cfg.horizon.last_year),
        algorithm_cost=(float(a.cost_low), float(a.cost_high)),
        wage_share=float(a.wage_share),
        algorithms_per_consultant=float(a.algorithms_per_consultant),
        central_running_share=float(inp.central[PARAM_INDEX["running_cost_share"]]),
        options=options,
    )


def _starts_by_year(inp, cand, ramp, o_idx) -> dict[int, int]:
    """Candidates started in each year: the difference of runs with 1, 2, ... pool years."""
    from dataclasses import replace

    out: dict[int, int] = {}
    before = 0
    n_pool = inp.budget.shape[1]
    for i in range(n_pool):
        # The pool as it stands at the end of pool year i: later years' money withheld.
        budget = inp.budget.copy()
        budget[:, i + 1 :] = 0.0
        sub = replace(inp, budget=budget)
        r = schedule_reference(sub, cand, np.array([ramp]), o_idx, screen=True)
        now = int(r["counts"][0, 0])
        out[int(inp.years[inp.pool_offset + i])] = now - before
        before = now
    return out


def _t(key: str, lang: str) -> str:
    from simrisk.kinds.portfolio._words import word

    return word(key, lang)


def format_ledger(ledger: PortfolioLedger, lang: str = "en") -> str:
    """The ledger as a terminal table (``lang`` ``"en"`` or ``"da"``)."""
    from simrisk.kinds.portfolio._words import Num

    f = Num(lang)
    lines = [ledger.name, ""]
    lines.append(_t("ledger.head", lang))
    for o in ledger.options:
        name = o.name_da if lang == "da" else o.name
        lines.append("")
        lines.append(f"{name} ({o.id})")
        head = f"  {'':26}" + "".join(f"{y:>13}" for y in o.years) + f"{_t('total', lang):>14}"
        lines.append(head)
        for key, values in (
            ("wages", o.wages),
            ("other_running", o.other_running),
            ("budget", o.budget),
        ):
            row = "".join(f"{f.num(v):>13}" for v in values)
            lines.append(f"  {_t('ledger.' + key, lang):26}{row}{f.num(sum(values)):>14}")
        row = "".join(f"{f.num(v, 0):>13}" for v in o.staff_fte)
        lines.append(f"  {_t('ledger.staff', lang):26}{row}")
        row = "".join(f"{v:>13}" for v in o.algorithms_funded_by_year)
        lines.append(f"  {_t('ledger.funded', lang):26}{row}{o.algorithms_funded:>14}")
        lo, hi = o.stated_algorithms
        lines.append(f"  {_t('ledger.stated', lang)}: {lo}-{hi}; "
                     f"{_t('ledger.wage_share', lang)}: {f.pct(o.wage_share, 0)}")  # fmt: skip
    lines.append("")
    lo, hi = ledger.algorithm_cost
    lines.append(
        _t("ledger.note", lang).format(
            lo=f.num(lo),
            hi=f.num(hi),
            share=f.pct(ledger.wage_share, 0),
            run=f.pct(ledger.central_running_share, 0),
            per=f.num(ledger.algorithms_per_consultant),
        )
    )
    return "\n".join(lines)
