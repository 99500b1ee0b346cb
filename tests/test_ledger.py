"""The deterministic ledger reproduces DSI's payment note (docs/sources.md#dsi-table-7)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from simrisk.core.finance import npv_core
from simrisk.kinds.contract.ledger import run_ledger

from .conftest import DSI_CONFIG


def _kr(x):
    return int(np.floor(x + 0.5))


def test_expected_case_to_the_krone(dsi_scenario):
    rep = run_ledger(dsi_scenario).to_dict()["repayments"]
    assert _kr(rep["region"]) == 5_086_251
    assert _kr(rep["municipality"]) == 897_574
    assert _kr(rep["ostifterne"]) == 1_047_169
    assert _kr(rep["total"]) == 7_030_994


@pytest.mark.parametrize("rate", [0.67, 0.8, 1.0])
def test_caps_bind_at_and_above_67_percent(dsi_scenario, rate):
    rep = run_ledger(dsi_scenario, success_rate=rate).to_dict()["repayments"]
    assert _kr(rep["region"]) == 5_679_647
    assert _kr(rep["municipality"]) == 1_002_291
    # Østifterne's goal 3 is not overridden and has no cap.
    assert _kr(rep["ostifterne"]) == 1_047_169


def test_caps_never_exceeded_and_applied_in_date_order(dsi_scenario):
    res = run_ledger(dsi_scenario, success_rate=0.9)
    c = res.contract
    region = c.payer_ids.index("region")
    paid = res.repayments[:, c.goal_payer == region].sum(axis=1)
    due = res.uncapped[:, c.goal_payer == region].sum(axis=1)
    order = list(c.repay_order)
    # Earlier cohorts are paid in full until the cap is reached; the last pays the rest.
    cum = 0.0
    for k in order:
        expected = min(due[k], max(c.cap[region] - cum, 0.0))
        assert paid[k] == pytest.approx(expected, rel=1e-12)
        cum += paid[k]
    assert cum == pytest.approx(c.cap[region], rel=1e-12)
    assert paid[order[0]] == pytest.approx(due[order[0]], rel=1e-12)


def test_successes_match_spec(dsi_scenario):
    d = run_ledger(dsi_scenario).to_dict()
    assert d["successes"]["region_use"]["total"] == pytest.approx(210)
    assert d["successes"]["municipal_use"]["total"] == pytest.approx(210)
    assert d["successes"]["life_satisfaction"]["total"] == pytest.approx(245)
    assert d["measured"] == pytest.approx(350)


def test_linear_in_success_rate_below_caps(dsi_scenario):
    # Between 0 and the cap-binding rate, region repayments are 350 x rate x payment.
    for rate in (0.0, 0.1, 0.35, 0.5, 0.66):
        rep = run_ledger(dsi_scenario, success_rate=rate).to_dict()["repayments"]
        assert rep["region"] == pytest.approx(350 * rate * 5_086_251 / 210, rel=1e-12)


def test_retention_override(dsi_scenario):
    rep = run_ledger(dsi_scenario, retention=0.25).to_dict()["repayments"]
    assert rep["total"] == pytest.approx(7_030_994 / 2, rel=1e-12)


def test_cash_flows_and_closed_form_npv(dsi_scenario):
    res = run_ledger(dsi_scenario)
    by_year = res.cash_flows_by_year()
    assert by_year[2026] == pytest.approx(-3_242_000)
    assert by_year[2027] == pytest.approx(-1_942_000)
    assert sum(by_year.values()) == pytest.approx(7_030_994 - 5_450_000, abs=1e-6)
    # NPV by hand: each flow discounted at 4% over actual/365 years from 2026-02-01.
    origin = dsi_scenario.valuation_date
    expected = sum(v / 1.04 ** ((d - origin).days / 365) for d, v in res.cash_flows_by_date())
    assert res.npv == pytest.approx(expected, rel=1e-12)
    # The IRR makes the NPV zero.
    t = np.array([(d - origin).days / 365 for d, _ in res.cash_flows_by_date()])
    v = np.array([x for _, x in res.cash_flows_by_date()])
    assert abs(npv_core(res.irr, t, v)) < 1e-4
    assert res.moic == pytest.approx(7_030_994 / 5_450_000, rel=1e-9)


def test_zero_success_is_a_total_loss_for_dsi(dsi_scenario):
    res = run_ledger(dsi_scenario, success_rate=0.0, goal_rates={"life_satisfaction": 0.0})
    assert res.irr == -1.0
    assert res.moic == 0.0
    assert res.npv < -5_000_000


def test_business_case_by_the_source_method(dsi_scenario):
    bc = run_ledger(dsi_scenario).to_dict()["business_case"]
    region = bc["region"]
    assert region["saving"] == pytest.approx(0.15 * 187_507 * 210)
    assert region["net_saving"] == pytest.approx(0.15 * 187_507 * 210 - 5_086_251, abs=0.01)
    muni = bc["municipality"]
    assert muni["net_saving"] == pytest.approx(0.15 * 39_206 * 210 - 897_574, abs=0.01)
    assert muni["by_reduction"]["0.25"]["net_saving"] == pytest.approx(
        0.25 * 39_206 * 210 - 897_574, abs=0.01
    )


def test_cli_json_has_the_documented_keys():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "simrisk",
            "ledger",
            str(DSI_CONFIG),
            "--json",
            "--success-rate",
            "0.8",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    d = json.loads(proc.stdout)
    for key in ("region", "municipality", "ostifterne", "total"):
        assert key in d["repayments"]
    for key in ("irr", "npv", "moic", "cash_flows_by_year"):
        assert key in d
    assert _kr(d["repayments"]["region"]) == 5_679_647
    assert "net_saving" in d["business_case"]["region"]
    assert "net_saving" in d["business_case"]["municipality"]
    assert set(d["cash_flows_by_year"]) == {"2026", "2027", "2028", "2029"}


def test_cli_human_table():
    proc = subprocess.run(
        [sys.executable, "-m", "simrisk", "ledger", str(DSI_CONFIG)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "5,086,251" in proc.stdout and "7,030,994" in proc.stdout
    assert "IRR" in proc.stdout


def test_cli_json_reproduces_table_9_yearly_flows():
    # The note's table 9: 2026 -3,242,000; 2027 -1,942,000; 2028 +1,943,741; 2029 +4,821,253.
    # 2028 holds 11/35 of every payer's repayments (cohort 1 = 220 of 700 referrals).
    proc = subprocess.run(
        [sys.executable, "-m", "simrisk", "ledger", str(DSI_CONFIG), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    d = json.loads(proc.stdout)
    assert _kr(d["repayments"]["region"]) == 5_086_251
    assert _kr(d["repayments"]["municipality"]) == 897_574
    assert _kr(d["repayments"]["ostifterne"]) == 1_047_169
    table_9 = {"2026": -3_242_000, "2027": -1_942_000, "2028": 1_943_741, "2029": 4_821_253}
    assert set(d["cash_flows_by_year"]) == set(table_9)
    for year, amount in table_9.items():
        assert abs(d["cash_flows_by_year"][year] - amount) <= 2, year
    # The 2028 repayments per payer, as table 9 prints them.
    by_goal = d["repayments_by_goal"]
    for goal, amount in (
        ("region_use", 1_598_536),
        ("municipal_use", 282_095),
        ("life_satisfaction", 329_110),
    ):
        assert abs(by_goal[goal]["by_cohort"]["c1"] - amount) <= 2, goal
