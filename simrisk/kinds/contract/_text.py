"""Plain-text tables for the terminal (no I/O here: functions return strings)."""

from __future__ import annotations

from simrisk.core.finance import IRR_REASONS
from simrisk.kinds.contract.ledger import LedgerResult

__all__ = ["format_ledger"]


def _dkk(x: float) -> str:
    return f"{x:,.0f}"


def _table(headers: list[str], rows: list[list[str]], title: str) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)

    def fmt(cells):
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    return "\n".join([title, fmt(headers), line, *(fmt(r) for r in rows)])


def format_ledger(res: LedgerResult) -> str:
    """The ledger as readable tables (DKK, rounded to the krone)."""
    c = res.contract
    s = res.scenario
    out = [
        f"{s.name}: expected case (deterministic ledger)",
        f"referred {c.referred:,}, retention {res.retention:.0%}, "
        f"measured {res.measured.sum():,.1f}",
        "",
    ]
    goal_rows = []
    for j, g in enumerate(c.goal_ids):
        goal_rows.append(
            [
                g,
                c.payer_ids[c.goal_payer[j]],
                f"{res.success_rate[j]:.0%}",
                *(f"{res.successes[k, j]:,.1f}" for k in range(len(c.cohort_ids))),
                f"{res.successes[:, j].sum():,.1f}",
                _dkk(res.uncapped[:, j].sum()),
                _dkk(res.repayments[:, j].sum()),
            ]
        )
    out.append(
        _table(
            ["goal", "payer", "rate", *c.cohort_ids, "successes", "uncapped", "repaid"],
            goal_rows,
            "Successes per goal and cohort; repayments (DKK) after caps",
        )
    )
    out.append("")
    by_payer = res.repayments_by_payer()
    payer_rows = [
        [p, _dkk(by_payer[p]), "none" if c.cap[i] == float("inf") else _dkk(c.cap[i])]
        for i, p in enumerate(c.payer_ids)
    ]
    payer_rows.append(["total", _dkk(res.repayments.sum()), ""])
    out.append(_table(["payer", "repaid", "cap"], payer_rows, "Repayments per payer (DKK)"))
    out.append("")
    if c.has_clauses:
        rows = []
        if c.ret_flow >= 0:
            rows.append(["retention clause", c.flow_dates[c.ret_flow].isoformat(),
                         _dkk(res.retention_payment)])  # fmt: skip
        if c.floor_flow >= 0:
            rows.append(["capital floor", c.flow_dates[c.floor_flow].isoformat(),
                         _dkk(res.floor_payment)])  # fmt: skip
        out.append(
            _table(["clause", "date", "paid"], rows, "Clause payments to DSI (DKK, outside caps)")
        )
        out.append("")
    if res.gate is not None:
        out.extend(_gate_lines(res))
        out.append("")
    out.append(
        _table(
            ["date", "net cash flow"],
            [[d.isoformat(), _dkk(v)] for d, v in res.cash_flows_by_date()],
            "DSI's net cash flow by date (DKK; negative = paid out)",
        )
    )
    out.append("")
    out.append(
        _table(
            ["year", "net cash flow"],
            [[str(y), _dkk(v)] for y, v in res.cash_flows_by_year().items()],
            "DSI's net cash flow by calendar year (DKK)",
        )
    )
    out.append("")
    inv = s.investor
    irr = "n/a" if res.irr != res.irr else f"{res.irr:.2%}"
    out.append("DSI's yardsticks")
    out.append(f"  IRR (XIRR, actual/365)      {irr}  [{_reason(res)}]")
    out.append(f"  NPV at {inv.discount_rate:.1%} on {c.valuation_date}  {_dkk(res.npv)} DKK")
    out.append(f"  money multiple              {res.moic:.3f}")
    out.append(f"  hurdle                      {inv.hurdle_rate:.1%} IRR")
    if res.business_case:
        out.append("")
        rows = []
        for line in res.business_case:
            for r, saving in line.saving_by_reduction.items():
                rows.append(
                    [
                        line.payer,
                        f"{r:.0%}",
                        f"{line.successes:,.1f}",
                        _dkk(line.mean_excess_cost),
                        _dkk(saving),
                        _dkk(line.repayments),
                        _dkk(saving - line.repayments),
                    ]
                )
        out.append(
            _table(
                ["authority", "fall", "successes", "mean cost", "saving", "repaid", "net"],
                rows,
                "Authorities' business case, source's method "
                "(saving = fall x mean excess cost x successes; DKK)",
            )
        )
    return "\n".join(out)


def _gate_lines(res: LedgerResult) -> list[str]:
    g = res.gate
    verdict = (
        f"STOPS: {_dkk(g['cancelled_disbursements'])} DKK of later disbursements cancelled"
        if g["stops"]
        else "goes on"
    )
    settle = {
        "completed_cohorts": "cohorts whose referral ended by the gate are still paid",
        "nothing": "no outcome payment after the gate",
    }[g["settlement"]]
    return [
        f"Gate on {g['date']}: share engaged {g['months']} months after start, in cohorts "
        + ", ".join(g["counted_cohorts"]),
        f"  expected share engaged      {g['engaged_share']:.1%} (retention ** "
        f"({g['months']}/12), constant dropout hazard)",
        f"  threshold                   {g['threshold']:.1%}: the contract {verdict}",
        f"  settlement on a stop        {settle}"
        + (f" (voided: {', '.join(g['voided_cohorts'])})" if g["voided_cohorts"] else ""),
        f"  NPV without the gate        {_dkk(g['npv_without_gate'])} DKK; the gate's value "
        f"in the expected case {_dkk(g['value'])} DKK",
    ]


def _reason(res: LedgerResult) -> str:
    return IRR_REASONS[res.irr_status]
