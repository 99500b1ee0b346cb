"""The live workbook: LibreOffice recalculates the ledger sheet's formulas to simrisk's ledger.

The workbooks are converted by LibreOffice as written (their formulas carry
no cached value) or, where an input is edited (an analyst's change), after
openpyxl has set it and saved the file, which keeps the formulas and drops
every cached value; so what LibreOffice returns can only come from its own
recalculation. The recalculated ledger is compared with ``simrisk ledger``
of the (changed) config: repayments by payer, clause payments, IRR, NPV,
money multiple and the cash flow by year, to the krone.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from simrisk import api
from simrisk.kinds.contract import simulate
from simrisk.kinds.contract.ledger import run_ledger
from simrisk.kinds.contract.loader import load_scenario
from simrisk.workbook import write_workbook

from .conftest import DSI_CONFIG, ROOT, run_cli

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui "
    "(.ci/run installs it) to recalculate the workbook's formulas",
)

CLAUSES = """
[floor]
share = 0.9
date = 2029-12-01
payers = { region = 0.85, municipality = 0.15 }

[retention_clause]
minimum_measured = 200
remedy = "per_missing"
payment_per_missing = 5_000
date = 2029-10-01
payers = { region = 0.5, municipality = 0.5 }
"""

EARLY_END = """
[retention_clause]
minimum_measured = 120
remedy = "early_end"
settlement = 1_000_000
check_after = "c1"
date = 2028-07-01
payers = { region = 1.0 }

[[design.terms]]
key = "retention_clause.settlement"
low = 0
high = 2_000_000
"""


def _config(tmp, name, body):
    path = tmp / f"{name}.toml"
    path.write_text(f'extends = "{DSI_CONFIG.as_posix()}"\n{body}', encoding="utf-8")
    return path


def _moved(scenario, cohort: str, date: dt.date):
    cohorts = [
        c.model_copy(update={"repayment_date": date}) if c.id == cohort else c
        for c in scenario.cohorts
    ]
    return scenario.model_copy(update={"cohorts": cohorts})


def _max_price(scenario, goal: str, price: float):
    goals = [
        g.model_copy(update={"maximum_price": price}) if g.id == goal else g
        for g in scenario.goals
    ]
    return scenario.model_copy(update={"goals": goals})


def _ledger_sheet(path) -> dict:
    """Recalculated figures of a ledger sheet, found by their labels (English)."""
    ws = load_workbook(path, data_only=True)["ledger"]
    out: dict = {"payers": {}, "clause": {}, "years": {}}
    section = None
    for row in ws.iter_rows(values_only=True):
        head = row[0]
        if head in ("Repayments by payer", "Results", "Cash flow by calendar year"):
            section = head
            continue
        if section == "Repayments by payer" and head not in (None, "payer", "total"):
            out["payers"][head] = row[1]
            out["clause"][head] = row[2]
        elif section == "Results" and head:
            out[head] = row[1]
        elif section == "Cash flow by calendar year" and isinstance(head, int | float):
            out["years"][str(int(head))] = row[1]
    return out


def _agree(got: dict, want: dict) -> None:
    for payer, amount in want["repayments"].items():
        if payer != "total":
            assert got["payers"][payer] == pytest.approx(amount, abs=0.5), payer
    assert got["repayments, total"] == pytest.approx(want["repayments"]["total"], abs=0.5)
    for payer, amount in want.get("clauses", {}).get("by_payer", {}).items():
        assert got["clause"][payer] == pytest.approx(amount, abs=0.5), payer
    assert got["IRR (XIRR)"] == pytest.approx(want["irr"], abs=1e-9)
    assert got["NPV at the discount rate (XNPV)"] == pytest.approx(want["npv"], abs=0.5)
    assert got["money multiple"] == pytest.approx(want["moic"], abs=1e-9)
    for year, amount in want["cash_flows_by_year"].items():
        assert got["years"][year] == pytest.approx(amount, abs=0.5), year


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """name -> (recalculated ledger figures, the ledger JSON to match); one soffice call."""
    tmp = tmp_path_factory.mktemp("live")
    dsi, dsi_text = load_scenario(DSI_CONFIG)
    gate = ROOT / "configs" / "dsi_norddjurs_gate.toml"
    clauses = _config(tmp, "clauses", CLAUSES)
    early = _config(tmp, "early", EARLY_END)
    reordered = _moved(dsi, "c1", dt.date(2029, 12, 1))
    capped = _max_price(dsi, "region_use", 3_000_000.0)
    cases = {
        # name: (config, edits of the inputs sheet, the ledger JSON the edited sheet must give)
        "base": (DSI_CONFIG, {}, json.loads(run_cli("ledger", DSI_CONFIG, "--json").stdout)),
        # 62% measured: the region's and the municipality's caps bind, in date order
        "retention": (
            DSI_CONFIG,
            {"retention": 0.62},
            api.ledger(DSI_CONFIG, retention=0.62).to_dict(),
        ),
        # cohort 1 repaid last: the caps now cut cohort 1, not cohort 3
        "reordered": (
            DSI_CONFIG,
            {"retention": 0.62, "repayment_date_c1": dt.datetime(2029, 12, 1)},
            run_ledger(reordered, retention=0.62).to_dict(),
        ),
        "max_price": (
            DSI_CONFIG,
            {"max_price_region_use": 3_000_000},
            run_ledger(capped).to_dict(),
        ),
        "clauses": (clauses, {}, api.ledger(clauses).to_dict()),
        "early_end": (early, {}, api.ledger(early).to_dict()),
        # a retention of 20% stops the gate: later cohorts and instalments go
        "gate": (gate, {"retention": 0.2}, api.ledger(gate, retention=0.2).to_dict()),
    }
    files = []
    for name, (config, edits, _) in cases.items():
        scenario, text = load_scenario(config) if config != DSI_CONFIG else (dsi, dsi_text)
        ds = simulate(scenario, draws=64, seed=1, config_text=text)
        path = tmp / f"{name}.xlsx"
        write_workbook(ds, path, draws_limit=10)
        edited = tmp / "edited" / f"{name}.xlsx"
        edited.parent.mkdir(exist_ok=True)
        if not edits:  # as written: its formulas carry no cached value to fall back on
            shutil.copy(path, edited)
        else:
            book = load_workbook(path)  # keeps formulas, drops cached values on save
            for key, value in edits.items():
                dn = book.defined_names[key]
                sheet, ref = next(dn.destinations)
                book[sheet][ref.replace("$", "")].value = value
            book.save(edited)
        files.append(edited)
    out = tmp / "recalculated"
    profile = (tmp / "lo_profile").as_uri()
    proc = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return {
        name: (_ledger_sheet(out / f"{name}.xlsx"), want) for name, (*_, want) in cases.items()
    }


@pytest.mark.parametrize(
    "case", ["base", "retention", "reordered", "max_price", "clauses", "early_end", "gate"]
)
def test_libreoffice_recalculates_the_ledger(recalculated, case):
    got, want = recalculated[case]
    _agree(got, want)


def test_the_edits_move_the_case(recalculated):
    """Each edit changes what it should (so a sheet of constants could not pass)."""
    base = recalculated["base"][0]
    capped = recalculated["retention"][0]
    assert base["payers"]["region"] == pytest.approx(5_086_251, abs=0.5)  # the note's table 7
    assert capped["payers"]["region"] == pytest.approx(5_679_647, abs=0.5)  # at its cap
    assert recalculated["reordered"][0]["NPV at the discount rate (XNPV)"] != pytest.approx(
        capped["NPV at the discount rate (XNPV)"], abs=1000
    )
    assert recalculated["gate"][1]["gate"]["stops"]
    assert recalculated["early_end"][1]["clauses"]["retention_clause"] == 1_000_000


def test_inputs_are_named_and_the_ledger_is_formulas(tmp_path, dsi_scenario):
    ds = simulate(dsi_scenario, draws=16, seed=2, config_text=DSI_CONFIG.read_text("utf-8"))
    path = tmp_path / "b.xlsx"
    write_workbook(ds, path, draws_limit=4)
    book = load_workbook(path)
    names = set(book.defined_names)
    for name in (
        "retention",
        "referred",
        "discount_rate",
        "valuation_date",
        "cap_region",
        "payment_region_use",
        "success_rate_life_satisfaction",
        "repayment_date_c2",
        "disb_amount_1",
    ):
        assert name in names, name
    ws = book["ledger"]
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.startswith("=XIRR(") for v in formulas)
    assert any(v.startswith("=XNPV(discount_rate,") for v in formulas)
    inputs = book["inputs"]
    fmt = {r[3].value: r[1].number_format for r in inputs.iter_rows(min_row=3) if r[3].value}
    assert fmt["retention"].endswith("%") and "DKK" in fmt["cap_region"]
