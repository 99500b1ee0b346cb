"""The figures DSI's note and the OPI-AIMS sheet print (the pool's
proposal figures are in its config: budgets and ``stated_algorithms``), for the
reconciliation pages.

Each figure is as the document states it, with the ``docs/sources.md``
anchor that cites the document's table or section. They are never model
inputs: the reconciliation pages print them beside simrisk's expected case
and simulated means, and explain each difference in one line.

:func:`dsi_note_applies` says whether a contract result is DSI's case (the
note's capital and payers), so a user's own contract gets no note column.
"""

from __future__ import annotations

__all__ = ["DSI_NOTE", "OPI_AIMS", "dsi_note_applies"]

#: DSI's payment note (Case A).
DSI_NOTE = {
    "capital": (5_450_000, "dsi-table-1"),
    # Table 7: expected repayments by payer (goals 1, 2, 3)
    "repayments": {
        "region": (5_086_251, "dsi-table-7"),
        "municipality": (897_574, "dsi-table-7"),
        "ostifterne": (1_047_169, "dsi-table-7"),
        "total": (7_030_994, "dsi-table-7"),
    },
    # section "DSI's forventede afkast": IRR of the expected repayments
    "irr": (0.115, "dsi-yardsticks"),
    "hurdle_rate": (0.04, "dsi-yardsticks"),
    # Table 9: DSI's net flow by year (seen from DSI)
    "cash_flows_by_year": {
        "2026": (-3_242_000, "dsi-table-9"),
        "2027": (-1_942_000, "dsi-table-9"),
        "2028": (1_943_741, "dsi-table-9"),
        "2029": (4_821_253, "dsi-table-9"),
    },
    # the business case: net saving "about 820,000" and "about 337,000"
    "net_saving": {
        "region": (820_000, "dsi-business-case"),
        "municipality": (337_000, "dsi-business-case"),
    },
    # Table 8: the caps on the two authorities' repayments
    "caps": {
        "region": (5_679_647, "dsi-table-8"),
        "municipality": (1_002_291, "dsi-table-8"),
    },
}

#: The OPI-AIMS case sheet (Case B), section "Effekter" and "Potentialer ved skalering".
OPI_AIMS = {
    "total_wellby": (17.0, "opi-aims"),
    "mean_change": (0.77, "opi-aims"),
    "value": (1_970_000, "opi-aims"),
    "value_per_wellby": (115_700, "opi-aims"),
    "completers": (22, "opi-aims"),
    "recruited": (50, "opi-aims"),
    "investment": (24_000, "opi-aims"),
    # projections (a) and (b): recruited -> value
    "projections": {
        "a": {500: 19_550_000, 1_000: 39_110_000, 2_500: 98_000_000},
        "b": {500: 38_180_000, 1_000: 76_360_000, 2_500: 190_910_000},
    },
}


def dsi_note_applies(scenario) -> bool:
    """A contract scenario is DSI's case: the note's capital and its three payers."""
    try:
        ids = {p.id for p in scenario.payers}
        capital = float(scenario.investor.capital)
    except AttributeError:
        return False
    return capital == DSI_NOTE["capital"][0] and ids == {"region", "municipality", "ostifterne"}
