"""Write a run's workbook: summary, inputs and ledger, payers, charts, draws, cash flows,
assumptions, provenance.

XlsxWriter writes every sheet but the draws sheet's numbers, which
:func:`simrisk.workbook._rows.splice_rows` puts in as XML rows after the file
is closed (so the sheets XlsxWriter keeps in memory stay small, and Excel
tables, which its constant-memory mode cannot write, are possible); the
tests read the file back with openpyxl and recalculate it with LibreOffice,
independent implementations.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from pathlib import Path

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.workbook._charts import PAYERS_HEAD, charts_sheet, payers_sheet, table
from simrisk.workbook._live import inputs_and_ledger
from simrisk.workbook._rows import splice_rows

__all__ = ["DRAWS_LIMIT", "SHEETS", "write_workbook"]

#: draws on the ``draws`` sheet by default; every draw goes to the Parquet file beside it
DRAWS_LIMIT = 10_000
#: sheet name -> its header row (the stable interface; docs/cli.md)
SHEETS = {
    "summary": ("key", "label", "value", "se", "unit"),
    "draws": ("draw",),  # then one column per per-draw variable (and element)
    "cash_flows": (
        "basis",
        "period",
        "mean",
        "p5",
        "p25",
        "p50",
        "p75",
        "p95",
        "cumulative_mean",
        "cumulative_p5",
        "cumulative_p50",
        "cumulative_p95",
        "p_whole",
    ),
    "assumptions": (
        "parameter",
        "label",
        "distribution",
        "central",
        "central_natural",
        "p5",
        "p95",
        "source",
        "config_comment",
    ),
    "provenance": ("key", "value"),
    "payers": PAYERS_HEAD,
}
#: optional sheets, written when the matching result is passed (the decision layer's)
OPTIONAL_SHEETS = ("sensitivity", "voi")
_PERCENTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _formats(book, lang: str) -> dict:
    # Excel stores one format code and shows it in the reader's locale; --lang
    # picks the currency word and the labels (Danish Excel shows 1.234.567 kr.).
    money = '#,##0 "kr."' if lang == "da" else '#,##0 "DKK"'
    return {
        "DKK": book.add_format({"num_format": money}),
        "%": book.add_format({"num_format": "0.00%"}),
        "1": book.add_format({"num_format": "0.0000"}),
        "n": book.add_format({"num_format": "#,##0"}),
        "head": book.add_format({"bold": True, "bottom": 1}),
        "pp": book.add_format({"num_format": "+0.0%;-0.0%;0.0%"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top", "bold": True}),
        "text": book.add_format({"text_wrap": False}),
    }


def _header(ws, names, fmt, row: int = 0) -> None:
    for j, h in enumerate(names):
        ws.write_string(row, j, h, fmt)
    if row == 0:
        ws.freeze_panes(1, 0)


def _finite(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _write_num(ws, i, j, x, fmt=None) -> None:
    v = _finite(x)
    if v is None:
        ws.write_blank(i, j, None)
    else:
        ws.write_number(i, j, v, fmt)


# ----------------------------------------------------------------------------- summary

_PCT = ("irr", "deadweight_share", "success_rate", "discount_rate", "hurdle_rate")


def _is_share(part: str) -> bool:
    return (
        part.startswith("p_")
        or part in _PCT
        or part.endswith(("_irr", "_share", "_rate"))
        or part in ("irr_undefined", "share", "probability")
    )


def _unit(key: str) -> str:
    """The unit of a summary figure: ``%`` (a share or rate), ``1``, ``n`` or ``DKK``.

    A figure is a share when any part of its key names one (``p_negative`` in
    ``net_saving.note_method.region.p_negative``, ``deadweight_share.by_goal.g1``):
    a probability must never be formatted as money.
    """
    parts = key.split(".")
    top = parts[1] if parts[0] == "decision" and len(parts) > 1 else parts[0]
    if parts[-1] == "n" or top in ("draws", "seed") or key.startswith("irr_undefined.reasons"):
        return "n"
    if any(_is_share(part) for part in parts) and not parts[-1].endswith(("_dkk", "amount")):
        return "%"
    if top.startswith("moic"):
        return "1"
    return "DKK"


def _flatten(d: dict, prefix: str = "") -> list[tuple[str, float, float | None]]:
    """(dotted key, value, its SE or None) for every number in a summary dict."""
    out = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out += _flatten(v, key + ".")
        elif isinstance(v, bool) or not isinstance(v, int | float):
            continue
        elif k.endswith("_se") or k == "sd":
            if k == "sd":
                out.append((key, float(v), None))
            continue
        else:
            se = d.get(f"{k}_se")
            out.append((key, float(v), None if se is None else float(se)))
    return out


def _summary_rows(ds, s, lang):
    from simrisk.report.contract import decision

    d = decision(ds, s)
    rows = _flatten(s)
    extra = [
        ("decision.case_irr", d.case_irr, None),
        ("decision.case_npv", d.case_npv, None),
        ("decision.p_beat_case_irr", d.p_beat_case_irr, d.p_beat_case_irr_se),
        ("decision.p_beat_case_npv", d.p_beat_case_npv, d.p_beat_case_npv_se),
        ("decision.npv_p1", d.npv_p1, d.npv_p1_se),
        ("decision.npv_es1", d.npv_es1, d.npv_es1_se),
        ("decision.moic_p95", d.moic_p95, d.moic_p95_se),
        ("decision.moic_max", d.moic_max, None),
        ("decision.loss_given_loss", d.loss_given_loss, d.loss_given_loss_se),
    ]
    return rows + [(k, float(v), None if e is None else float(e)) for k, v, e in extra]


_LABELS = {
    "draws_file": (
        "every draw, beside this workbook",
        "alle trækninger, ved siden af denne projektmappe",
    ),
    # key prefix -> (English, Danish)
    "p_loss_nominal": (
        "P(DSI gets back less than its capital)",
        "P(DSI får mindre end sin kapital tilbage)",
    ),
    "p_npv_negative": (
        "P(DSI earns less than its rate: NPV < 0)",
        "P(DSI tjener mindre end sin rente: nutidsværdi < 0)",
    ),
    "p_irr_below_hurdle": ("P(IRR below the hurdle)", "P(intern rente under kravet)"),
    "var5_npv": ("NPV, 5th percentile", "nutidsværdi, 5. percentil"),
    "es5_npv": ("mean NPV in the worst 5%", "gennemsnitlig nutidsværdi i de værste 5 %"),
    "irr": ("IRR", "intern rente"),
    "npv": ("NPV", "nutidsværdi"),
    "moic": ("money multiple", "pengemultipel"),
    "repayments": ("repayment", "tilbagebetaling"),
    "net_saving": ("net saving", "nettobesparelse"),
    "deadweight_share": ("deadweight share", "dødvægtsandel"),
    "success_rate": ("success rate", "succesrate"),
    "capital": ("capital", "kapital"),
    "discount_rate": ("discount rate", "diskonteringsrente"),
    "hurdle_rate": ("hurdle rate", "afkastkrav"),
    "decision.case_irr": ("expected case: IRR", "forventet case: intern rente"),
    "decision.case_npv": ("expected case: NPV", "forventet case: nutidsværdi"),
    "decision.p_beat_case_irr": (
        "P(IRR at least the expected case's)",
        "P(intern rente mindst den forventede cases)",
    ),
    "decision.p_beat_case_npv": (
        "P(NPV at least the expected case's)",
        "P(nutidsværdi mindst den forventede cases)",
    ),
    "decision.npv_p1": ("NPV, 1st percentile", "nutidsværdi, 1. percentil"),
    "decision.npv_es1": ("mean NPV in the worst 1%", "gennemsnitlig nutidsværdi i de værste 1 %"),
    "decision.moic_p95": ("money multiple, P95", "pengemultipel, P95"),
    "decision.moic_max": (
        "money multiple, highest simulated",
        "pengemultipel, højeste simulerede",
    ),
    "decision.loss_given_loss": (
        "shortfall against capital given a nominal loss (mean)",
        "manko mod kapitalen ved nominelt tab (middel)",
    ),
}


def _label(key: str, lang: str) -> str:
    parts = key.split(".")
    for n in range(len(parts), 0, -1):
        head = ".".join(parts[:n])
        if head in _LABELS:
            en, da = _LABELS[head]
            rest = ".".join(parts[n:])
            text = da if lang == "da" else en
            return f"{text} ({rest})" if rest else text
    return key


def _summary_sheet(book, f, ds, s, lang, draws_file: str):
    ws = book.add_worksheet("summary")
    _header(ws, SHEETS["summary"], f["head"])
    ws.set_column(0, 0, 42)
    ws.set_column(1, 1, 55)
    ws.set_column(2, 3, 16)
    i = 0
    for i, (key, v, se) in enumerate(_summary_rows(ds, s, lang), start=1):
        unit = _unit(key)
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, _label(key, lang))
        fmt = f.get(unit) if not key.endswith(".n") else f["n"]
        _write_num(ws, i, 2, v, fmt)
        if se is not None:
            _write_num(ws, i, 3, se, fmt)
        ws.write_string(i, 4, unit)
    # every draw, beyond the draws sheet's first ones, is in the Parquet file beside
    ws.write_string(i + 1, 0, "draws_file")
    ws.write_string(i + 1, 1, _label("draws_file", lang))
    ws.write_string(i + 1, 2, draws_file)
    ws.write_string(i + 1, 4, "file")
    table(ws, "t_summary", 0, SHEETS["summary"], i + 1)


# ----------------------------------------------------------------------------- draws


def _draw_table(ds: xr.Dataset) -> tuple[list[str], list[str], list[np.ndarray]]:
    """Every per-draw column: names, units and values (float64), the draw index first.

    A variable with other dimensions besides ``draw`` gives one column per
    element, named ``name[a,b]`` in the order of its dimensions.
    """
    import itertools

    names, units = ["draw"], ["n"]
    values = [np.asarray(ds["draw"].values, dtype=np.float64)]
    n = ds.sizes["draw"]
    for name in ds.data_vars:
        v = ds[name]
        if "draw" not in v.dims:
            continue
        others = [d for d in v.dims if d != "draw"]
        unit = str(v.attrs.get("units", ""))
        x = np.asarray(v.transpose("draw", *others).values, dtype=np.float64).reshape(n, -1)
        if not others:
            labels = [str(name)]
        else:
            coords = [[str(c) for c in ds[d].values] for d in others]
            labels = [f"{name}[{','.join(el)}]" for el in itertools.product(*coords)]
        names += labels
        units += [unit] * len(labels)
        values += [np.ascontiguousarray(x[:, k]) for k in range(x.shape[1])]
    return names, units, values


def _draws_sheet(book, f, names, units, values, limit):
    """The draws sheet's header and column formats; returns its block of numbers.

    The numbers go in after XlsxWriter has closed the file (:func:`splice_rows`):
    rows as XML, each cell in its column's format, at a fraction of a cell-by-cell
    write's cost (issue 24: 730,000 cells one by one were half the export's CPU).
    """
    ws = book.add_worksheet("draws")
    n = min(values[0].shape[0], limit)
    _header(ws, names, f["head"])
    for j, (name, u) in enumerate(zip(names, units, strict=True)):
        # shares and rates (unit "1" in the result) as percent, like the summary's
        fmt = "%" if u == "1" and _is_share(name.split("[")[0]) else u
        ws.set_column(j, j, 14, f["n"] if u in ("n", "citizens") else f.get(fmt))
    # rounded to what the numbers mean: kroner to the øre, the rest to 9 digits
    return np.column_stack(
        [np.round(v[:n], 2 if u == "DKK" else 9) for v, u in zip(values, units, strict=True)]
    )


def draws_file_for(out: str | Path) -> Path:
    """The Parquet file that holds every draw beside the workbook ``out``."""
    out = Path(out)
    return out.with_name(out.stem + ".draws.parquet")


def _write_draws_file(path: Path, names, units, values, ds) -> None:
    """Every draw as Parquet (columnar, typed, read by pandas, R and Excel's Power Query),
    written atomically: 300,000 draws of ~60 columns take about a second, where CSV took
    4–28 s of CPU for a file twice the size."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = [
        pa.field(name, pa.float64(), metadata={"units": unit})
        for name, unit in zip(names, units, strict=True)
    ]
    meta = {
        "simrisk_kind": str(ds.attrs.get("simrisk_kind", "")),
        "config_sha256": str(ds.attrs.get("config_sha256", "")),
        "seed": str(ds.attrs.get("seed", "")),
    }
    table = pa.Table.from_arrays(values, schema=pa.schema(fields, metadata=meta))
    from simrisk.core.outputs import replacing

    with replacing(path) as tmp:
        # dictionary encoding pays only for counts (few distinct values); on the
        # continuous columns it halved the writer's speed for nothing
        counts = [n for n, u in zip(names, units, strict=True) if u == "citizens"]
        pq.write_table(
            table, tmp, use_dictionary=counts + ["irr_status"] * ("irr_status" in names)
        )


# ----------------------------------------------------------------------------- cash flows


def _cash_sheet(book, f, ds):
    from simrisk.report.contract import dated_cash_flows

    ws = book.add_worksheet("cash_flows")
    _header(ws, SHEETS["cash_flows"], f["head"])
    ws.set_column(0, 1, 12)
    ws.set_column(2, 12, 15)
    flows = dated_cash_flows(ds)
    pos: dict = {}
    by_year = ds["cash_flow_by_year"].values.astype(np.float64)
    blocks = [
        ("year", [str(int(y)) for y in ds["year"].values], by_year),
        ("date", [d.isoformat() for d in flows.dates], flows.cf),
    ]
    i = 1
    for basis, periods, x in blocks:
        cum = np.cumsum(x, axis=1)
        q = np.quantile(x, _PERCENTILES, axis=0)
        qc = np.quantile(cum, (0.05, 0.5, 0.95), axis=0)
        whole = (cum >= -0.5).mean(axis=0)
        for k, period in enumerate(periods):
            ws.write_string(i, 0, basis)
            ws.write_string(i, 1, period)
            _write_num(ws, i, 2, x[:, k].mean(), f["DKK"])
            for j in range(len(_PERCENTILES)):
                _write_num(ws, i, 3 + j, q[j, k], f["DKK"])
            _write_num(ws, i, 8, cum[:, k].mean(), f["DKK"])
            for j in range(3):
                _write_num(ws, i, 9 + j, qc[j, k], f["DKK"])
            _write_num(ws, i, 12, whole[k], f["%"])
            i += 1
        if basis == "date":
            pos = {"first": i - len(periods), "last": i - 1, "mean": 8, "p5": 9, "p50": 10}
            pos["p95"] = 11
    table(ws, "t_cash_flows", 0, SHEETS["cash_flows"], i - 1)
    return pos


# ----------------------------------------------------------------------------- assumptions


def _assumptions_sheet(book, f, ds, lang):
    from simrisk.report.contract import correlation_rows, prior_rows, scenario_of

    ws = book.add_worksheet("assumptions")
    _header(ws, SHEETS["assumptions"], f["head"])
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 6, 14)
    ws.set_column(7, 8, 60)
    scenario = scenario_of(ds)
    text = ds.attrs.get("config", "")
    i = 1
    for r in prior_rows(scenario, text, lang, draws=ds["parameters"].values):
        ws.write_string(i, 0, r["parameter"])
        ws.write_string(i, 1, r["label"])
        ws.write_string(i, 2, r["dist"])
        _write_num(ws, i, 3, r["central"], f["1"])
        ws.write_string(i, 4, r["central_label"])
        if r["p5"] is not None:
            _write_num(ws, i, 5, r["p5"], f["1"])
            _write_num(ws, i, 6, r["p95"], f["1"])
        ws.write_string(i, 7, r["source"])
        ws.write_string(i, 8, r["comment"])
        i += 1
    for c in correlation_rows(scenario, text, lang):
        ws.write_string(i, 0, f"{c['a']} ~ {c['b']}")
        ws.write_string(i, 1, c["label"])
        ws.write_string(i, 2, "rank_correlation")
        _write_num(ws, i, 3, c["rho"], f["1"])
        ws.write_string(i, 7, c["source"])
        i += 1


# ----------------------------------------------------------------------------- provenance


def _provenance_sheet(book, f, ds, n_draws_written):
    ws = book.add_worksheet("provenance")
    _header(ws, SHEETS["provenance"], f["head"])
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 100)
    rows = [
        ("simrisk_version", ds.attrs.get("simrisk_version", "")),
        ("created_at", ds.attrs.get("created_at", "")),
        ("scenario", ds.attrs.get("scenario", "")),
        ("config_sha256", ds.attrs.get("config_sha256", "")),
        ("seed", int(ds.attrs.get("seed", 0))),
        ("draws", int(ds.attrs.get("draws", ds.sizes["draw"]))),
        ("draws_in_sheet", int(n_draws_written)),
        ("chunk_size", int(ds.attrs.get("chunk_size", 0))),
        ("fixed_parameters", int(ds.attrs.get("fixed_parameters", 0))),
        ("rng", str(ds.attrs.get("rng", ""))),
        ("valuation_date", ds.attrs.get("valuation_date", "")),
        ("currency", ds.attrs.get("currency", "")),
    ]
    config = str(ds.attrs.get("config", ""))
    # Excel holds at most 32,767 characters in a cell: longer configs span rows
    parts = [config[k : k + 32_000] for k in range(0, len(config), 32_000)] or [""]
    for k, part in enumerate(parts):
        rows.append(("config" if k == 0 else f"config (part {k + 1})", part))
    for i, (k, v) in enumerate(rows, start=1):
        ws.write_string(i, 0, k)
        if isinstance(v, int):
            ws.write_number(i, 1, v)
        else:
            ws.write_string(i, 1, str(v))


# ----------------------------------------------------------------------------- optional


def _var_format(f, extra: xr.Dataset, name: str):
    """A decision-layer variable's number format from its ``units``: DKK as money,
    probabilities (``p_*``) as percent, other unit-free numbers plain."""
    if name not in extra.variables:
        return None
    units = str(extra[name].attrs.get("units", ""))
    if units == "DKK":
        return f["DKK"]
    if units == "1":
        return f["%"] if name.startswith("p_") else f["1"]
    return None


def _dataset_sheet(book, f, name: str, extra: xr.Dataset):
    """A decision-layer result as Excel tables: one table per set of dimensions.

    The hook for the ``sensitivity`` and ``voi`` sheets. Variables that share
    their dimensions form one table (the table's coordinates, then its
    variables: the rows of that part's ``to_dataframe()``), named
    ``t_<sheet>_<n>``; tables follow each other with one empty row between
    them, scalars (``variable``, ``value``) first. Number formats follow each
    variable's ``units`` (DKK as money, probabilities as percent). (One
    ``to_dataframe()`` of the whole Dataset would broadcast every variable over
    every dimension: 28,000 rows for a sensitivity result.)
    """
    ws = book.add_worksheet(name)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 30, 15)
    groups: dict[tuple, list[str]] = {}
    for v in extra.data_vars:
        groups.setdefault(tuple(extra[v].dims), []).append(str(v))
    i = 0
    for n_table, dims in enumerate(sorted(groups, key=len), start=1):
        if i:
            i += 1  # an empty row between tables
        top = i
        if not dims:
            for v in groups[dims]:
                i += 1
                ws.write_string(i, 0, v)
                _cell(ws, i, 1, extra[v].values.item(), _var_format(f, extra, v))
            table(ws, f"t_{name}_{n_table}", top, ["variable", "value"], i - top)
            i += 1
            continue
        frame = extra[groups[dims]].to_dataframe().reset_index()
        cols = [str(c) for c in frame.columns]
        fmts = [_var_format(f, extra, c) if c in groups[dims] else None for c in cols]
        for row in frame.itertuples(index=False):
            i += 1
            for j, v in enumerate(row):
                _cell(ws, i, j, v, fmts[j])
        table(ws, f"t_{name}_{n_table}", top, cols, i - top, fmts)
        i += 1
    ws.freeze_panes(1, 1)


def _cell(ws, i: int, j: int, v, fmt=None) -> None:
    if isinstance(v, int | float | np.number) and not isinstance(v, bool):
        _write_num(ws, i, j, v, fmt)
    else:
        ws.write_string(i, j, str(v))


# ----------------------------------------------------------------------------- entry


def write_workbook(
    ds: xr.Dataset,
    out: str | Path,
    lang: str = "en",
    *,
    extra: dict[str, xr.Dataset] | None = None,
    draws_limit: int = DRAWS_LIMIT,
) -> list[str]:
    """Write the analyst's workbook of a contract run; returns the sheet names.

    Parameters
    ----------
    ds : xarray.Dataset
        A ``simrisk run`` result of a contract.
    out : path
        The ``.xlsx`` file, written atomically (temporary file, then rename).
    lang : {"en", "da"}
        Labels and the currency word in number formats (Excel shows the
        separators of the reader's locale).
    extra : dict, optional
        ``{"sensitivity": Dataset, "voi": Dataset}``: results of the decision
        layer, each written as a sheet of that name.
    draws_limit : int
        At most this many draws in the ``draws`` sheet (the first ones:
        draws are independent, so any block of them is a random sample);
        every draw is written to ``<name>.draws.parquet`` beside the workbook.
    """
    import xlsxwriter

    from simrisk.kinds.contract.dataset import RESULT_KIND
    from simrisk.kinds.contract.ledger import run_ledger
    from simrisk.kinds.contract.summary import summarize
    from simrisk.report.contract import scenario_of

    if lang not in ("en", "da"):
        raise SimriskError(f"--lang {lang!r}: must be 'en' or 'da'")
    if ds.attrs.get("simrisk_kind") != RESULT_KIND:
        raise SimriskError(f"results: not a simrisk result of kind {RESULT_KIND!r}")
    if "scenario_json" not in ds.attrs:
        raise SimriskError("results: lacks the attribute scenario_json (rerun it)")
    extra = dict(extra or {})
    unknown = sorted(set(extra) - set(OPTIONAL_SHEETS))
    if unknown:
        raise SimriskError(f"extra sheets {unknown}: allowed are {', '.join(OPTIONAL_SHEETS)}")
    s = summarize(ds)
    target = Path(out)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    names = []
    try:
        from simrisk.core.errors import writing

        # any step of the book can fail on the disk (the close and the splice write it)
        with writing(target, "--output"):
            # not constant_memory: the one big sheet (draws) is spliced in after closing,
            # and Excel tables (add_table) need the sheets in memory
            book = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": False})
            book.set_properties(
                {
                    "title": f"simrisk: {ds.attrs.get('scenario', '')}",
                    "subject": "Monte Carlo run, analyst's workbook",
                    "comments": json.dumps(
                        {"seed": int(ds.attrs.get("seed", 0)), "draws": int(ds.sizes["draw"])}
                    ),
                }
            )
            f = _formats(book, lang)
            names_, units, values = _draw_table(ds)
            _summary_sheet(book, f, ds, s, lang, draws_file_for(target).name)
            scenario = scenario_of(ds)
            led = run_ledger(scenario)
            inputs_and_ledger(book, scenario, led, lang)
            payers_sheet(book, f, scenario, s, led, lang)
            charts = book.add_worksheet("charts")  # filled once the cash flows' rows are known
            block = _draws_sheet(book, f, names_, units, values, draws_limit)
            n = block.shape[0]
            cash = _cash_sheet(book, f, ds)
            charts_sheet(book, f, charts, ds, cash, lang, extra.get("sensitivity"))
            _assumptions_sheet(book, f, ds, lang)
            for name in OPTIONAL_SHEETS:
                if name in extra:
                    _dataset_sheet(book, f, name, extra[name])
            _provenance_sheet(book, f, ds, n)
            for ws in book.worksheets():
                # printed (or saved as PDF): A4 landscape, each sheet one page wide
                ws.set_paper(9)
                ws.set_landscape()
                if ws.get_name() != "draws":
                    ws.fit_to_pages(1, 0)
            names = [ws.get_name() for ws in book.worksheets()]
            book.close()
            splice_rows(tmp, "draws", block, uncached=("ledger", "charts"))
        _write_draws_file(draws_file_for(target), names_, units, values, ds)
        with writing(target, "--output", cleanup=[draws_file_for(target)]):
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return names
