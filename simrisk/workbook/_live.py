"""The live expected case: an ``inputs`` sheet of named cells and a ``ledger`` of formulas.

The ``ledger`` sheet recomputes the contract's expected case (the source's
ledger, :func:`simrisk.kinds.contract.ledger.run_ledger`) with Excel formulas
over the names defined on ``inputs``, in the same steps as
:mod:`simrisk.kinds.contract.contract`:

1. expected counts per cohort: ``referred x share x retention`` measured,
   times each goal's success rate (a gate's stop voids the cohorts it ends);
2. the price of each cohort's successes: the goal's payment per success, or
   the last price increase dated on or before the cohort's measurement date;
3. the retention clause (``per_missing`` pays for the missing; ``early_end``
   voids the later cohorts and pays the settlement);
4. each goal's maximum price, then each payer's cap, cumulatively across the
   cohorts in repayment-date order (the order is a formula of the dates, so
   moving a date moves the cohort in the queue); where a cap cuts a cohort's
   payment the payer's goals share the cut in proportion;
5. the floor's top-up, the investor's dated cash flows, IRR (``XIRR``), NPV
   (``XNPV``) and money multiple.

A column "at export" holds what simrisk's own ledger computed when the file
was written, so an analyst sees at once where an edit has moved the case.
"""

from __future__ import annotations

import datetime as dt
import re

from simrisk.workbook._rows import col_name

__all__ = ["inputs_and_ledger"]

_T = {
    # key: (English, Danish)
    "inputs_title": (
        "Inputs of the expected case: change a value in column B and the ledger sheet "
        "recomputes (names in column D are used by its formulas)",
        "Inddata til det forventede forløb: ret en værdi i kolonne B, så regner arket "
        "ledger om (navnene i kolonne D bruges i formlerne)",
    ),
    "ledger_title": (
        "The expected case as formulas over the inputs sheet's named cells "
        "(simrisk ledger, caps applied in repayment-date order)",
        "Det forventede forløb som formler over arket inputs' navngivne celler "
        "(simrisk ledger; lofter anvendt i tilbagebetalingsdatoernes rækkefølge)",
    ),
    "at_export": ("at export (simrisk ledger)", "ved eksport (simrisk ledger)"),
    "input": ("input", "inddata"),
    "value": ("value", "værdi"),
    "unit": ("unit", "enhed"),
    "name": ("name", "navn"),
    "note": ("note", "note"),
    "none": ("none", "intet"),
    "capital": ("investor's capital", "investors kapital"),
    "discount_rate": ("investor's discount rate (NPV)", "investors diskonteringsrente (NPV)"),
    "valuation_date": ("valuation date (NPV)", "værdiansættelsesdato (NPV)"),
    "disb_date": ("disbursement {i}: date", "udbetaling {i}: dato"),
    "disb_amount": ("disbursement {i}: amount", "udbetaling {i}: beløb"),
    "referred": ("citizens referred", "henviste borgere"),
    "retention": ("share measured (retention)", "andel målt (fastholdelse)"),
    "share": ("cohort {c}: share of referrals", "kohorte {c}: andel af henvisningerne"),
    "measurement_date": ("cohort {c}: measurement date", "kohorte {c}: målingsdato"),
    "repayment_date": ("cohort {c}: repayment date", "kohorte {c}: tilbagebetalingsdato"),
    "referral_end": ("cohort {c}: end of referrals", "kohorte {c}: henvisningsperiodens slut"),
    "success_rate": ("goal {g}: success rate", "mål {g}: succesrate"),
    "payment": ("goal {g}: payment per success", "mål {g}: betaling pr. succes"),
    "max_price": ("goal {g}: maximum price (total)", "mål {g}: maksimalpris (i alt)"),
    "inc_date": ("goal {g}: price increase {k}: date", "mål {g}: prisstigning {k}: dato"),
    "inc_price": ("goal {g}: price increase {k}: price", "mål {g}: prisstigning {k}: pris"),
    "cap": ("payer {p}: cap", "betaler {p}: loft"),
    "rc_minimum": (
        "retention clause: minimum measured",
        "fastholdelsesklausul: mindste antal målt",
    ),
    "rc_amount_per_missing": (
        "retention clause: payment per missing citizen",
        "fastholdelsesklausul: betaling pr. manglende borger",
    ),
    "rc_amount_early_end": (
        "retention clause: settlement on an early end",
        "fastholdelsesklausul: forlig ved tidlig afslutning",
    ),
    "rc_date": ("retention clause: payment date", "fastholdelsesklausul: betalingsdato"),
    "rc_share": ("retention clause: {p}'s share", "fastholdelsesklausul: {p}s andel"),
    "floor_share": ("floor: share of the capital", "gulv: andel af kapitalen"),
    "floor_date": ("floor: date", "gulv: dato"),
    "floor_payer": ("floor: {p}'s share", "gulv: {p}s andel"),
    "gate_date": ("gate: date", "stop/fortsæt-punkt: dato"),
    "gate_months": ("gate: months after start counted", "stop/fortsæt-punkt: måneder efter start"),
    "gate_threshold": (
        "gate: share engaged below which it stops",
        "stop/fortsæt-punkt: andel aktive under hvilken der stoppes",
    ),
    # ledger
    "cohorts": (
        "Cohorts: expected counts and payments before caps",
        "Kohorter: forventede antal og betalinger før lofter",
    ),
    "cohort": ("cohort", "kohorte"),
    "measured": ("measured", "målt"),
    "order": ("repayment order", "rækkefølge"),
    "counted": ("counted by the clause", "talt af klausulen"),
    "kept": ("kept (gate)", "bevaret (stop/fortsæt)"),
    "successes": ("successes: {g}", "succeser: {g}"),
    "price": ("price: {g}", "pris: {g}"),
    "due": ("before caps: {g}", "før lofter: {g}"),
    "repaid": ("repaid after caps", "tilbagebetalt efter lofter"),
    "queue": ("Caps in repayment-date order", "Lofter i tilbagebetalingsdatoernes rækkefølge"),
    "date": ("date", "dato"),
    "goal_capped": ("after maximum price: {g}", "efter maksimalpris: {g}"),
    "payer_due": ("due: {p}", "forfalden: {p}"),
    "payer_paid": ("paid: {p}", "betalt: {p}"),
    "total": ("total", "i alt"),
    "clauses": ("Clauses and gate", "Klausuler og stop/fortsæt-punkt"),
    "rc_counted": ("retention clause: citizens counted", "fastholdelsesklausul: borgere talt"),
    "rc_triggered": (
        "retention clause: triggered (1 = yes)",
        "fastholdelsesklausul: udløst (1 = ja)",
    ),
    "rc_payment": (
        "retention clause: payment to the investor",
        "fastholdelsesklausul: betaling til investor",
    ),
    "floor_topup": ("floor: top-up to the investor", "gulv: supplement til investor"),
    "gate_engaged": ("gate: share still engaged", "stop/fortsæt-punkt: andel stadig aktive"),
    "gate_stops": ("gate: stops (1 = yes)", "stop/fortsæt-punkt: stopper (1 = ja)"),
    "payers": ("Repayments by payer", "Tilbagebetalinger pr. betaler"),
    "payer": ("payer", "betaler"),
    "outcome_repaid": ("outcome repayments", "resultatbetalinger"),
    "clause_paid": ("clause payments", "klausulbetalinger"),
    "all_paid": ("total paid", "betalt i alt"),
    "flows": ("The investor's cash flows", "Investors pengestrømme"),
    "what": ("what", "hvad"),
    "amount": ("amount", "beløb"),
    "valuation": ("valuation date (no flow)", "værdiansættelsesdato (ingen strøm)"),
    "disbursement": ("disbursement {i}", "udbetaling {i}"),
    "repayment": ("repayment, cohort {c}", "tilbagebetaling, kohorte {c}"),
    "rc_flow": ("retention clause", "fastholdelsesklausul"),
    "floor_flow": ("floor", "gulv"),
    "results": ("Results", "Resultater"),
    "irr": ("IRR (XIRR)", "intern rente (XIRR)"),
    "npv": ("NPV at the discount rate (XNPV)", "nutidsværdi ved diskonteringsrenten (XNPV)"),
    "moic": ("money multiple", "pengemultipel"),
    "repayments_total": ("repayments, total", "tilbagebetalinger i alt"),
    "by_year": ("Cash flow by calendar year", "Pengestrøm pr. kalenderår"),
    "year": ("year", "år"),
}


def _t(key: str, lang: str, **kw) -> str:
    en, da = _T[key]
    return (da if lang == "da" else en).format(**kw)


def _name(*parts: str) -> str:
    """An Excel defined name from ids (letters, digits and underscores)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))


def xl_rowcol_to_cell(row: int, col: int, row_abs: bool = False, col_abs: bool = False) -> str:
    """A1 reference of 0-based (row, col), ``$``-anchored where asked."""
    return f"{'$' if col_abs else ''}{col_name(col)}{'$' if row_abs else ''}{row + 1}"


def _date(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day)


class _Inputs:
    """Rows of the inputs sheet; each value gets a defined name."""

    def __init__(self, book, ws, f, lang):
        self.book, self.ws, self.f, self.lang = book, ws, f, lang
        self.row = 2
        self.names: dict[str, str] = {}

    def add(self, name: str, label: str, value, unit: str, note: str = "") -> str:
        ws, f, r = self.ws, self.f, self.row
        ws.write_string(r, 0, label)
        if isinstance(value, dt.date):
            ws.write_datetime(r, 1, _date(value), f["date_in"])
        elif value is None:
            ws.write_string(r, 1, _t("none", self.lang), f["in"])
        else:
            fmt = {"%": f["%_in"], "DKK": f["DKK_in"], "n": f["n_in"]}.get(unit, f["in"])
            ws.write_number(r, 1, float(value), fmt)
        ws.write_string(r, 2, unit)
        ws.write_string(r, 3, name)
        if note:
            ws.write_string(r, 4, note)
        self.book.define_name(name, f"=inputs!{xl_rowcol_to_cell(r, 1, True, True)}")
        self.names[name] = name
        self.row += 1
        return name

    def gap(self) -> None:
        self.row += 1


def _formats(book, lang):
    money = '#,##0 "kr."' if lang == "da" else '#,##0 "DKK"'
    fill = {"bg_color": "#FFF2CC", "border": 1, "border_color": "#BFBFBF"}
    return {
        "DKK": book.add_format({"num_format": money}),
        "%": book.add_format({"num_format": "0.00%"}),
        "n": book.add_format({"num_format": "#,##0.00"}),
        "int": book.add_format({"num_format": "0"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "x": book.add_format({"num_format": "0.000"}),
        "head": book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}),
        "title": book.add_format({"bold": True, "font_size": 12}),
        "section": book.add_format({"bold": True, "font_color": "#1F4E79"}),
        "in": book.add_format(fill),
        "DKK_in": book.add_format({**fill, "num_format": money}),
        "%_in": book.add_format({**fill, "num_format": "0.00%"}),
        "n_in": book.add_format({**fill, "num_format": "#,##0"}),
        "date_in": book.add_format({**fill, "num_format": "yyyy-mm-dd"}),
        "bold_DKK": book.add_format({"num_format": money, "bold": True}),
        "bold_%": book.add_format({"num_format": "0.00%", "bold": True}),
    }


def inputs_and_ledger(book, scenario, ledger, lang: str = "en") -> None:
    """Add the ``inputs`` and ``ledger`` sheets of ``scenario`` (its ``run_ledger`` result
    ``ledger`` fills the "at export" column)."""
    f = _formats(book, lang)
    names = _write_inputs(book, f, scenario, lang)
    _write_ledger(book, f, scenario, ledger, names, lang)


def _write_inputs(book, f, s, lang) -> dict:
    ws = book.add_worksheet("inputs")
    ws.write_string(0, 0, _t("inputs_title", lang), f["title"])
    for j, key in enumerate(("input", "value", "unit", "name", "note")):
        ws.write_string(1, j, _t(key, lang), f["head"])
    ws.freeze_panes(2, 0)
    ws.set_column(0, 0, 46)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 2, 6)
    ws.set_column(3, 3, 30)
    ws.set_column(4, 4, 40)
    t = lambda key, **kw: _t(key, lang, **kw)  # noqa: E731
    inp = _Inputs(book, ws, f, lang)
    inv = s.investor
    n = {
        "capital": inp.add("capital", t("capital"), inv.capital, "DKK"),
        "discount_rate": inp.add("discount_rate", t("discount_rate"), inv.discount_rate, "%"),
        "valuation_date": inp.add("valuation_date", t("valuation_date"), s.valuation_date, "date"),
    }
    n["disb"] = []
    for i, d in enumerate(inv.disbursements, start=1):
        n["disb"].append(
            (
                inp.add(f"disb_date_{i}", t("disb_date", i=i), d.date, "date", d.note),
                inp.add(f"disb_amount_{i}", t("disb_amount", i=i), d.amount, "DKK"),
            )
        )
    inp.gap()
    n["referred"] = inp.add("referred", t("referred"), s.population.referred, "n")
    n["retention"] = inp.add("retention", t("retention"), s.population.retention, "%")
    inp.gap()
    n["cohort"] = {}
    for c in s.cohorts:
        row = {
            "share": inp.add(_name("share", c.id), t("share", c=c.id), c.share, "%"),
            "measurement_date": inp.add(
                _name("measurement_date", c.id),
                t("measurement_date", c=c.id),
                c.measurement_date,
                "date",
            ),
            "repayment_date": inp.add(
                _name("repayment_date", c.id),
                t("repayment_date", c=c.id),
                c.repayment_date,
                "date",
            ),
        }
        if s.gate is not None:
            row["referral_end"] = inp.add(
                _name("referral_end", c.id), t("referral_end", c=c.id), c.referral_end, "date"
            )
        n["cohort"][c.id] = row
    inp.gap()
    n["goal"] = {}
    for g in s.goals:
        row = {
            "success_rate": inp.add(
                _name("success_rate", g.id), t("success_rate", g=g.id), g.success_rate, "%"
            ),
            "payment": inp.add(
                _name("payment", g.id), t("payment", g=g.id), g.payment_per_success, "DKK"
            ),
            "max_price": inp.add(
                _name("max_price", g.id), t("max_price", g=g.id), g.maximum_price, "DKK"
            ),
            "increases": [],
        }
        for k, inc in enumerate(g.price_increases, start=1):
            row["increases"].append(
                (
                    inp.add(
                        _name("price_date", g.id, str(k)),
                        t("inc_date", g=g.id, k=k),
                        inc.date,
                        "date",
                    ),
                    inp.add(
                        _name("price", g.id, str(k)),
                        t("inc_price", g=g.id, k=k),
                        inc.price_per_unit,
                        "DKK",
                    ),
                )
            )
        n["goal"][g.id] = row
    inp.gap()
    n["cap"] = {
        p.id: inp.add(_name("cap", p.id), t("cap", p=p.id), p.cap, "DKK") for p in s.payers
    }
    rc = s.retention_clause
    if rc is not None:
        inp.gap()
        early = rc.remedy == "early_end"
        check = rc.check_after or s.cohorts[-1].id
        n["rc"] = {
            "minimum": inp.add("rc_minimum", t("rc_minimum"), rc.minimum_measured, "n"),
            "amount": inp.add(
                "rc_amount",
                t("rc_amount_early_end" if early else "rc_amount_per_missing"),
                rc.settlement if early else rc.payment_per_missing,
                "DKK",
            ),
            "date": inp.add("rc_date", t("rc_date"), rc.date, "date"),
            "early": early,
            "check": check,
            "share": {
                p.id: inp.add(
                    _name("rc_share", p.id), t("rc_share", p=p.id), rc.payers.get(p.id, 0.0), "%"
                )
                for p in s.payers
            },
        }
    fl = s.floor
    if fl is not None:
        inp.gap()
        n["floor"] = {
            "share": inp.add("floor_share", t("floor_share"), fl.share, "%"),
            "date": inp.add("floor_date", t("floor_date"), fl.date, "date"),
            "payer": {
                p.id: inp.add(
                    _name("floor_payer", p.id),
                    t("floor_payer", p=p.id),
                    fl.payers.get(p.id, 0.0),
                    "%",
                )
                for p in s.payers
            },
        }
    g = s.gate
    if g is not None:
        inp.gap()
        n["gate"] = {
            "date": inp.add("gate_date", t("gate_date"), g.date, "date"),
            "months": inp.add("gate_months", t("gate_months"), g.months, "n"),
            "threshold": inp.add("gate_threshold", t("gate_threshold"), g.threshold, "%"),
            "settlement": g.settlement,
        }
    return n


def _write_ledger(book, f, s, led, n, lang) -> None:
    ws = book.add_worksheet("ledger")
    t = lambda key, **kw: _t(key, lang, **kw)  # noqa: E731
    a = lambda r, c: xl_rowcol_to_cell(r, c, True, True)  # noqa: E731
    c_ids = [c.id for c in s.cohorts]
    goals = s.goals
    payers = [p.id for p in s.payers]
    C, G = len(c_ids), len(goals)
    ws.write_string(0, 0, t("ledger_title"), f["title"])
    ws.set_column(0, 0, 36)
    ws.set_column(1, 60, 14)

    # --- row plan (every block's place is known before any formula refers to it)
    r_coh = 2  # section title; header at +1; cohorts at +2 ..
    r_clause = r_coh + 2 + C + 1
    clause_rows = [
        "rc_counted",
        "rc_triggered",
        "rc_payment",
        "floor_topup",
        "gate_engaged",
        "gate_stops",
    ]
    r_queue = r_clause + 1 + len(clause_rows) + 1
    r_payers = r_queue + 2 + C + 1
    r_flows = r_payers + 2 + len(payers) + 1 + 1
    flow_rows = (
        1
        + len(s.investor.disbursements)
        + C
        + (s.retention_clause is not None)
        + (s.floor is not None)
    )
    r_results = r_flows + 2 + flow_rows + 1
    r_years = r_results + 1 + 4 + 1

    # cohort block columns
    col = {"cohort": 0, "measured": 1, "date": 2, "order": 3, "counted": 4, "kept": 5}
    col_succ = {g.id: 6 + j for j, g in enumerate(goals)}
    col_price = {g.id: 6 + G + j for j, g in enumerate(goals)}
    col_due = {g.id: 6 + 2 * G + j for j, g in enumerate(goals)}
    col_repaid = 6 + 3 * G
    first, last = r_coh + 2, r_coh + 2 + C - 1

    def crange(c: int, lo: int = first, hi: int = last) -> str:
        return f"{a(lo, c)}:{a(hi, c)}"

    # clause cells
    clause = {k: a(r_clause + 1 + i, 1) for i, k in enumerate(clause_rows)}
    stops = clause["gate_stops"]
    rc = n.get("rc")
    gate = n.get("gate")
    fl = n.get("floor")

    # queue block columns
    q_first, q_last = r_queue + 2, r_queue + 2 + C - 1
    q_col_capped = {g.id: 3 + j for j, g in enumerate(goals)}
    q_col_due = {p: 3 + G + i for i, p in enumerate(payers)}
    q_col_paid = {p: 3 + G + len(payers) + i for i, p in enumerate(payers)}
    q_col_total = 3 + G + 2 * len(payers)

    # --- cohorts
    ws.write_string(r_coh, 0, t("cohorts"), f["section"])
    heads = [
        t("cohort"),
        t("measured"),
        t("repayment_date", c="").replace("cohort : ", "").strip(),
        t("order"),
        t("counted"),
        t("kept"),
    ]
    heads[2] = t("date")
    heads += [t("successes", g=g.id) for g in goals]
    heads += [t("price", g=g.id) for g in goals]
    heads += [t("due", g=g.id) for g in goals]
    heads += [t("repaid")]
    for j, h in enumerate(heads):
        ws.write_string(r_coh + 1, j, h, f["head"])
    trig = clause["rc_triggered"]
    for i, c in enumerate(s.cohorts):
        r = first + i
        cn = n["cohort"][c.id]
        ws.write_string(r, col["cohort"], c.id)
        if gate is not None:
            void_date = (
                cn["referral_end"]
                if gate["settlement"] == "completed_cohorts"
                else cn["repayment_date"]
            )
            ws.write_formula(r, col["kept"], f"=1-{stops}*IF({void_date}>gate_date,1,0)", f["int"])
        else:
            ws.write_number(r, col["kept"], 1, f["int"])
        ws.write_formula(
            r, col["measured"], f"=referred*{cn['share']}*retention*{a(r, col['kept'])}", f["n"]
        )
        ws.write_formula(r, col["date"], f"={cn['repayment_date']}", f["date"])
        d = a(r, col["date"])
        above = f"+SUMPRODUCT(({crange(col['date'], first, r - 1)}={d})*1)" if i else ""
        ws.write_formula(
            r, col["order"], f"=SUMPRODUCT(({crange(col['date'])}<{d})*1){above}+1", f["int"]
        )
        if rc is not None:
            check = n["cohort"][rc["check"]]["measurement_date"]
            ws.write_formula(
                r, col["counted"], f"=IF({cn['measurement_date']}<={check},1,0)", f["int"]
            )
        else:
            ws.write_number(r, col["counted"], 1, f["int"])
        for g in goals:
            gn = n["goal"][g.id]
            ws.write_formula(
                r, col_succ[g.id], f"={a(r, col['measured'])}*{gn['success_rate']}", f["n"]
            )
            price = gn["payment"]
            for inc_date, inc_price in gn["increases"]:
                price = f"IF({inc_date}<={cn['measurement_date']},{inc_price},{price})"
            ws.write_formula(r, col_price[g.id], f"={price}", f["DKK"])
            void = (
                f"*(1-{trig}*(1-{a(r, col['counted'])}))" if rc is not None and rc["early"] else ""
            )
            ws.write_formula(
                r,
                col_due[g.id],
                f"={a(r, col_succ[g.id])}*{a(r, col_price[g.id])}{void}",
                f["DKK"],
            )
        ws.write_formula(
            r,
            col_repaid,
            f"=INDEX({a(q_first, q_col_total)}:{a(q_last, q_col_total)},{a(r, col['order'])})",
            f["DKK"],
        )

    # --- clauses and gate
    ws.write_string(r_clause, 0, t("clauses"), f["section"])
    measured = crange(col["measured"])
    total_repaid = f"SUM({a(q_first, q_col_total)}:{a(q_last, q_col_total)})"
    formulas = {
        "rc_counted": (
            f"=SUMPRODUCT({measured},{crange(col['counted'])})" if rc else "=0",
            f["n"],
        ),
        "rc_triggered": (f"=IF({clause['rc_counted']}<rc_minimum,1,0)" if rc else "=0", f["int"]),
        "rc_payment": (
            (
                f"={trig}*rc_amount"
                if rc and rc["early"]
                else f"={trig}*rc_amount*(rc_minimum-{clause['rc_counted']})"
            )
            if rc
            else "=0",
            f["DKK"],
        ),
        "floor_topup": (
            f"=MAX(0,floor_share*capital-({total_repaid}+{clause['rc_payment']}))" if fl else "=0",
            f["DKK"],
        ),
        "gate_engaged": ("=retention^(gate_months/12)" if gate else "=1", f["%"]),
        "gate_stops": (
            f"=IF({clause['gate_engaged']}<gate_threshold,1,0)" if gate else "=0",
            f["int"],
        ),
    }
    at = {
        "rc_payment": led.retention_payment,
        "floor_topup": led.floor_payment,
        "gate_stops": float(led.gate["stops"]) if led.gate else 0.0,
    }
    ws.write_string(r_clause, 2, t("at_export"), f["head"])
    for i, k in enumerate(clause_rows):
        r = r_clause + 1 + i
        ws.write_string(r, 0, t(k))
        text, fmt = formulas[k]
        ws.write_formula(r, 1, text, fmt)
        if k in at:
            ws.write_number(r, 2, at[k], fmt)

    # --- the queue: goal caps, then payer caps, cohort by cohort in repayment order
    ws.write_string(r_queue, 0, t("queue"), f["section"])
    heads = [t("order"), t("cohort"), t("date")]
    heads += [t("goal_capped", g=g.id) for g in goals]
    heads += [t("payer_due", p=p) for p in payers]
    heads += [t("payer_paid", p=p) for p in payers]
    heads += [t("total")]
    for j, h in enumerate(heads):
        ws.write_string(r_queue + 1, j, h, f["head"])
    order = crange(col["order"])
    for k in range(C):
        r = q_first + k
        ws.write_number(r, 0, k + 1, f["int"])
        at_k = f"MATCH({a(r, 0)},{order},0)"
        ws.write_formula(r, 1, f"=INDEX({crange(col['cohort'])},{at_k})")
        ws.write_formula(r, 2, f"=INDEX({crange(col['date'])},{at_k})", f["date"])
        for g in goals:
            cj = q_col_capped[g.id]
            u = f"INDEX({crange(col_due[g.id])},{at_k})"
            used = f"SUM({a(q_first, cj)}:{a(r - 1, cj)})" if k else "0"
            mp = n["goal"][g.id]["max_price"]
            ws.write_formula(
                r, cj, f"=IF(ISNUMBER({mp}),MIN({u},MAX(0,{mp}-{used})),{u})", f["DKK"]
            )
        for p in payers:
            own = [a(r, q_col_capped[g.id]) for g in goals if g.payer == p]
            ws.write_formula(r, q_col_due[p], f"={'+'.join(own) or '0'}", f["DKK"])
            cj = q_col_paid[p]
            due = a(r, q_col_due[p])
            used = f"SUM({a(q_first, cj)}:{a(r - 1, cj)})" if k else "0"
            cap = n["cap"][p]
            ws.write_formula(
                r, cj, f"=IF(ISNUMBER({cap}),MIN({due},MAX(0,{cap}-{used})),{due})", f["DKK"]
            )
        paid = [a(r, q_col_paid[p]) for p in payers]
        ws.write_formula(r, q_col_total, f"={'+'.join(paid)}", f["DKK"])

    # --- payers
    ws.write_string(r_payers, 0, t("payers"), f["section"])
    for j, h in enumerate(
        [t("payer"), t("outcome_repaid"), t("clause_paid"), t("all_paid"), t("at_export")]
    ):
        ws.write_string(r_payers + 1, j, h, f["head"])
    by_payer = led.repayments_by_payer()
    for i, p in enumerate(payers):
        r = r_payers + 2 + i
        ws.write_string(r, 0, p)
        ws.write_formula(
            r, 1, f"=SUM({a(q_first, q_col_paid[p])}:{a(q_last, q_col_paid[p])})", f["DKK"]
        )
        parts = []
        if rc:
            parts.append(f"{clause['rc_payment']}*{rc['share'][p]}")
        if fl:
            parts.append(f"{clause['floor_topup']}*{fl['payer'][p]}")
        ws.write_formula(r, 2, f"={'+'.join(parts) or '0'}", f["DKK"])
        ws.write_formula(r, 3, f"={a(r, 1)}+{a(r, 2)}", f["DKK"])
        ws.write_number(r, 4, by_payer[p], f["DKK"])
    r = r_payers + 2 + len(payers)
    ws.write_string(r, 0, t("total"), f["head"])
    for j in (1, 2, 3):
        ws.write_formula(r, j, f"=SUM({a(r_payers + 2, j)}:{a(r - 1, j)})", f["bold_DKK"])
    ws.write_number(r, 4, float(led.repayments.sum()), f["DKK"])
    total_row = r

    # --- cash flows
    ws.write_string(r_flows, 0, t("flows"), f["section"])
    for j, h in enumerate([t("what"), t("date"), t("amount"), t("at_export")]):
        ws.write_string(r_flows + 1, j, h, f["head"])
    rows = [(t("valuation"), "=valuation_date", "=0", 0.0)]
    flow = led.cash_flow
    for i, (dname, aname) in enumerate(n["disb"]):
        cancel = f"*(1-{stops}*IF({dname}>gate_date,1,0))" if gate else ""
        rows.append((t("disbursement", i=i + 1), f"={dname}", f"=-{aname}{cancel}", flow[i]))
    nd = len(n["disb"])
    for i, c in enumerate(c_ids):
        rows.append(
            (
                t("repayment", c=c),
                f"={n['cohort'][c]['repayment_date']}",
                f"={a(first + i, col_repaid)}",
                flow[nd + i],
            )
        )
    k = nd + C
    if rc:
        rows.append((t("rc_flow"), "=rc_date", f"={clause['rc_payment']}", flow[k]))
        k += 1
    if fl:
        rows.append((t("floor_flow"), "=floor_date", f"={clause['floor_topup']}", flow[k]))
    f_first = r_flows + 2
    for i, (what, date, amount, value) in enumerate(rows):
        r = f_first + i
        ws.write_string(r, 0, what)
        ws.write_formula(r, 1, date, f["date"])
        ws.write_formula(r, 2, amount, f["DKK"])
        ws.write_number(r, 3, float(value), f["DKK"])
    f_last = f_first + len(rows) - 1
    amounts, dates = f"{a(f_first, 2)}:{a(f_last, 2)}", f"{a(f_first, 1)}:{a(f_last, 1)}"
    flows_amounts = f"{a(f_first + 1, 2)}:{a(f_last, 2)}"
    flows_dates = f"{a(f_first + 1, 1)}:{a(f_last, 1)}"

    # --- results
    ws.write_string(r_results, 0, t("results"), f["section"])
    ws.write_string(r_results, 2, t("at_export"), f["head"])
    res = [
        # XIRR from the first disbursement (Excel's XIRR wants the first flow first and
        # not zero); XNPV from the valuation date's row, so it discounts to that date
        ("irr", f"=XIRR({flows_amounts},{flows_dates})", f["bold_%"], led.irr),
        ("npv", f"=XNPV(discount_rate,{amounts},{dates})", f["bold_DKK"], led.npv),
        ("moic", f'=SUMIF({amounts},">0")/-SUMIF({amounts},"<0")', f["x"], led.moic),
        ("repayments_total", f"={a(total_row, 1)}", f["bold_DKK"], float(led.repayments.sum())),
    ]
    for i, (key, formula, fmt, value) in enumerate(res):
        r = r_results + 1 + i
        ws.write_string(r, 0, t(key))
        ws.write_formula(r, 1, formula, fmt)
        if value == value:  # an undefined IRR stays empty
            ws.write_number(r, 2, float(value), fmt)

    # --- by calendar year
    ws.write_string(r_years, 0, t("by_year"), f["section"])
    for j, h in enumerate([t("year"), t("amount"), t("at_export")]):
        ws.write_string(r_years + 1, j, h, f["head"])
    years = led.cash_flows_by_year()
    for i, y in enumerate(range(min(years), max(years) + 1)):
        r = r_years + 2 + i
        ws.write_number(r, 0, y, f["int"])
        ws.write_formula(r, 1, f"=SUMPRODUCT((YEAR({dates})={a(r, 0)})*{amounts})", f["DKK"])
        ws.write_number(r, 2, years.get(y, 0.0), f["DKK"])
    # header rows tall enough for their wrapped labels
    for r in (r_coh + 1, r_clause, r_queue + 1, r_payers + 1, r_flows + 1, r_results, r_years + 1):
        ws.set_row(r, 44)
    ws.freeze_panes(1, 1)
