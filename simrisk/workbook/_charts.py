"""The payers sheet and the charts sheet: Excel tables and native Excel charts.

Charts are Excel's own (XlsxWriter's ``add_chart``), drawn from small tables
on the ``charts`` sheet, so an analyst can restyle them or point them at
other cells: the NPV histogram, the tornado of P(NPV < 0) and the payback
fan (the cumulative cash position's percentiles, from the ``cash_flows``
sheet).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["PAYERS_HEAD", "charts_sheet", "payers_sheet", "table"]

_BINS = 40


def table(ws, name: str, first_row: int, headers, n_rows: int, formats=None) -> None:
    """Make rows ``first_row`` (the header) .. ``first_row + n_rows`` an Excel table."""
    cols = []
    for j, h in enumerate(headers):
        col = {"header": str(h)}
        if formats and formats[j] is not None:
            col["format"] = formats[j]
        cols.append(col)
    ws.add_table(
        first_row,
        0,
        first_row + max(n_rows, 1),
        len(headers) - 1,
        {"name": name, "columns": cols, "style": "Table Style Light 9", "autofilter": True},
    )


#: the payers sheet's header (a stable interface, docs/cli.md; the same in every language)
PAYERS_HEAD = (
    "payer",
    "name",
    "cap",
    "expected_case_repaid",
    "paid_mean",
    "paid_mean_se",
    "paid_p5",
    "paid_p50",
    "paid_p95",
    "net_saving_note_mean",
    "net_saving_note_mean_se",
    "p_net_saving_note_negative",
    "cost_per_caused_success_note",
    "net_saving_modelled_mean",
    "net_saving_modelled_mean_se",
    "p_net_saving_modelled_negative",
    "cost_per_caused_success_modelled",
)


def payers_sheet(book, f, scenario, summary: dict, ledger, lang: str) -> None:
    """One row per payer: what it pays (expected case and simulated), its net saving on both
    bases with P(net saving < 0) and the cost per caused success."""
    ws = book.add_worksheet("payers")
    head = PAYERS_HEAD
    paid = summary.get("payments") or summary["repayments"]
    net = summary.get("net_saving", {})
    expected = ledger.repayments_by_payer()
    fmts = [None, None] + [f["DKK"]] * 9 + [f["%"], f["DKK"], f["DKK"], f["DKK"], f["%"], f["DKK"]]
    for k, (pid, p) in enumerate(((p.id, p) for p in scenario.payers), start=1):
        row = [pid, p.name, p.cap, expected.get(pid)]
        pay = paid.get(pid, {})
        row += [pay.get(x) for x in ("mean", "mean_se", "p5", "p50", "p95")]
        for basis in ("note_method", "modelled"):
            b = net.get(basis, {}).get(pid, {})
            row += [b.get(x) for x in ("mean", "mean_se", "p_negative", "cost_per_caused_success")]
        for j, v in enumerate(row):
            if isinstance(v, str):
                ws.write_string(k, j, v)
            elif v is not None and np.isfinite(v):
                ws.write_number(k, j, float(v), fmts[j])
    table(ws, "t_payers", 0, head, len(scenario.payers), fmts)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 26)
    ws.set_column(2, len(head) - 1, 17)
    ws.set_row(0, 45, f["wrap"])
    ws.freeze_panes(1, 1)


_CHART_TEXT = {
    "en": {
        "hist_title": "NPV at {rate}: share of draws (all {n} draws)",
        "npv_axis": "NPV, DKK",
        "share_axis": "share of draws",
        "tornado_title": "P(NPV < 0) in each parameter's lowest and highest decile{src}",
        "tornado_axis": "change in P(NPV < 0) from {base}, percentage points",
        "low": "parameter in its lowest 10%",
        "high": "parameter in its highest 10%",
        "fan_title": "The investor's cumulative cash position by date (percentiles over draws)",
        "fan_axis": "cumulative position, DKK",
        "date_axis": "date",
        "from_draws": " (from the draws)",
        "from_sens": " (simrisk sensitivity)",
    },
    "da": {
        "hist_title": "Nutidsværdi ved {rate}: andel af trækninger (alle {n})",
        "npv_axis": "nutidsværdi, kr.",
        "share_axis": "andel af trækninger",
        "tornado_title": "P(nutidsværdi < 0) i hver parameters laveste og højeste decil{src}",
        "tornado_axis": "ændring i P(nutidsværdi < 0) fra {base}, procentpoint",
        "low": "parameteren i sine laveste 10 %",
        "high": "parameteren i sine højeste 10 %",
        "fan_title": "Investors akkumulerede kasse pr. dato (percentiler over trækninger)",
        "fan_axis": "akkumuleret kasse, kr.",
        "date_axis": "dato",
        "from_draws": " (fra trækningerne)",
        "from_sens": " (simrisk sensitivity)",
    },
}


def _pct(x: float, lang: str) -> str:
    """A share as text in the reader's language: 4.0% / 4,0 %."""
    return f"{x:.1%}" if lang == "en" else f"{x * 100:.1f}".replace(".", ",") + " %"


def _int(n: int, lang: str) -> str:
    return f"{n:,}" if lang == "en" else f"{n:,}".replace(",", ".")


def _tornado_rows(ds: xr.Dataset, sens: xr.Dataset | None, top: int = 10):
    """(parameter, P(NPV<0) in its lowest decile, in its highest decile), base, source."""
    if sens is not None and "p_npv_negative" in sens:
        p = sens["p_npv_negative"].values
        names = [str(x) for x in sens["parameter"].values]
        base = float(sens.attrs.get("p_npv_negative", np.nan))
        if not np.isfinite(base):
            base = float((ds["npv"].values < 0).mean())
        rows = [(names[i], float(p[i, 0]), float(p[i, -1])) for i in range(len(names))]
        return rows[:top], base, "from_sens"
    loss = ds["npv"].values < 0
    base = float(loss.mean())
    par = ds["parameters"]
    rows = []
    for k, name in enumerate(par["parameter"].values):
        x = par.values[:, k]
        lo, hi = np.quantile(x, (0.1, 0.9))
        if lo == hi:
            continue  # a fixed parameter has no deciles
        rows.append((str(name), float(loss[x <= lo].mean()), float(loss[x >= hi].mean())))
    rows.sort(key=lambda r: -abs(r[2] - r[1]))
    return rows[:top], base, "from_draws"


def charts_sheet(book, f, ws, ds: xr.Dataset, cash: dict, lang: str, sens=None) -> None:
    """Fill the ``charts`` sheet ``ws``: three tables and their native charts."""
    tx = _CHART_TEXT[lang]
    ws.set_column(0, 0, 30)
    ws.set_column(1, 4, 16)

    # --- NPV histogram
    npv = ds["npv"].values.astype(np.float64)
    npv = npv[np.isfinite(npv)]
    counts, edges = np.histogram(npv, bins=_BINS)
    r0 = 0
    head = ("npv_from", "npv_to", "npv_mid", "share")
    for i in range(_BINS):
        r = r0 + 1 + i
        ws.write_number(r, 0, float(edges[i]), f["DKK"])
        ws.write_number(r, 1, float(edges[i + 1]), f["DKK"])
        ws.write_number(r, 2, float((edges[i] + edges[i + 1]) / 2), f["DKK"])
        ws.write_number(r, 3, float(counts[i] / max(npv.size, 1)), f["%"])
    table(ws, "t_npv_histogram", r0, head, _BINS, [f["DKK"], f["DKK"], f["DKK"], f["%"]])
    ch = book.add_chart({"type": "column"})
    ch.add_series(
        {
            "name": tx["share_axis"],
            "categories": ["charts", r0 + 1, 2, r0 + _BINS, 2],
            "values": ["charts", r0 + 1, 3, r0 + _BINS, 3],
            "gap": 5,
            "fill": {"color": "#4472C4"},
        }
    )
    rate = float(ds.attrs.get("discount_rate", 0.0))
    ch.set_title(
        {
            "name": tx["hist_title"].format(rate=_pct(rate, lang), n=_int(int(npv.size), lang)),
            "name_font": {"size": 11},
        }
    )
    ch.set_x_axis({"name": tx["npv_axis"], "num_format": "#,##0", "num_font": {"rotation": -45}})
    ch.set_y_axis({"name": tx["share_axis"], "num_format": "0%"})
    ch.set_legend({"none": True})
    ch.set_size({"width": 760, "height": 380})
    ws.insert_chart(0, 6, ch)

    # --- tornado
    rows, base, src = _tornado_rows(ds, sens)
    r0 = _BINS + 3
    head = ("parameter", "p_npv_negative_low", "p_npv_negative_high", "change_low", "change_high")
    for i, (name, lo, hi) in enumerate(rows):
        r = r0 + 1 + i
        ws.write_string(r, 0, name)
        ws.write_number(r, 1, lo, f["%"])
        ws.write_number(r, 2, hi, f["%"])
        ws.write_formula(r, 3, f"=B{r + 1}-{base!r}", f["pp"], lo - base)
        ws.write_formula(r, 4, f"=C{r + 1}-{base!r}", f["pp"], hi - base)
    table(ws, "t_tornado", r0, head, len(rows), [None, f["%"], f["%"], f["pp"], f["pp"]])
    if rows:
        ch = book.add_chart({"type": "bar"})
        last = r0 + len(rows)
        for col, key, color in ((3, "low", "#4472C4"), (4, "high", "#ED7D31")):
            ch.add_series(
                {
                    "name": tx[key],
                    "categories": ["charts", r0 + 1, 0, last, 0],
                    "values": ["charts", r0 + 1, col, last, col],
                    "fill": {"color": color},
                    "overlap": 100,
                    "gap": 40,
                }
            )
        ch.set_title({"name": tx["tornado_title"].format(src=tx[src]), "name_font": {"size": 11}})
        ch.set_x_axis(
            {"name": tx["tornado_axis"].format(base=_pct(base, lang)), "num_format": "+0%;-0%;0%"}
        )
        ch.set_y_axis({"reverse": True, "label_position": "low"})
        ch.set_legend({"position": "bottom"})
        ch.set_size({"width": 760, "height": 420})
        ws.insert_chart(21, 6, ch)

    # --- payback fan, from the cash_flows sheet's dated block
    if cash:
        ch = book.add_chart({"type": "line"})
        first, last = cash["first"], cash["last"]
        for col, name, dash, color in (
            (cash["p5"], "P5", "dash", "#A5A5A5"),
            (cash["p50"], "P50", "solid", "#1F4E79"),
            (cash["mean"], "mean" if lang == "en" else "middel", "round_dot", "#ED7D31"),
            (cash["p95"], "P95", "dash", "#A5A5A5"),
        ):
            ch.add_series(
                {
                    "name": name,
                    "categories": ["cash_flows", first, 1, last, 1],
                    "values": ["cash_flows", first, col, last, col],
                    "line": {"color": color, "dash_type": dash, "width": 2},
                    "marker": {"type": "circle", "size": 4},
                }
            )
        ch.set_title({"name": tx["fan_title"], "name_font": {"size": 11}})
        ch.set_x_axis({"name": tx["date_axis"], "label_position": "low"})
        ch.set_y_axis({"name": tx["fan_axis"], "num_format": "#,##0"})
        ch.set_legend({"position": "bottom"})
        ch.set_size({"width": 760, "height": 380})
        ws.insert_chart(44, 6, ch)
