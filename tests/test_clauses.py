"""The capital floor and the minimum-retention clause (issue 14, part 1).

The ledger is checked against hand calculations from the config's own
numbers; the kernel per draw against the clauses' definitions; the kernel
against the NumPy reference in distribution; bad clauses give one-line errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simrisk.core.errors import ConfigError
from simrisk.kinds.contract.inputs import build_inputs
from simrisk.kinds.contract.ledger import run_ledger
from simrisk.kinds.contract.loader import load_scenario
from simrisk.kinds.contract.reference import simulate_reference
from simrisk.kinds.contract.simulate import RunSpec, simulate_arrays
from tests.conftest import DSI_CONFIG, run_cli

CAPITAL = 5_450_000
PAY = {"region": 24_220.242857142857, "municipality": 4_274.161904761905}
PAY_OST = 4_274.15918367347
SHARES = (0.314285714286, 0.32, 0.365714285714)


def _write(tmp_path, body: str, name: str = "c.toml"):
    path = tmp_path / name
    path.write_text(f'extends = "{DSI_CONFIG.as_posix()}"\n{body}', encoding="utf-8")
    return path


FLOOR_AND_PER_MISSING = """
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


def test_floor_and_retention_clause_match_a_hand_calculation(tmp_path):
    s, _ = load_scenario(_write(tmp_path, FLOOR_AND_PER_MISSING))
    res = run_ledger(s, retention=0.2)
    # By hand: 700 referred x 20% = 140 measured, all cohorts counted.
    measured = 700 * 0.2
    repaid = measured * (0.6 * PAY["region"] + 0.6 * PAY["municipality"] + 0.7 * PAY_OST)
    assert repaid == pytest.approx(2_812_397.6, abs=0.01)  # under every cap
    per_missing = 5_000 * (200 - 140)  # 300,000
    floor = 0.9 * CAPITAL - repaid - per_missing  # 4,905,000 - 2,812,397.6 - 300,000
    assert floor == pytest.approx(1_792_602.4, abs=0.01)
    assert res.retention_payment == pytest.approx(per_missing, abs=1e-6)
    assert res.floor_payment == pytest.approx(floor, abs=1e-6)
    by_payer = res.clause_payments_by_payer()
    assert by_payer["region"] == pytest.approx(0.5 * per_missing + 0.85 * floor, abs=1e-6)
    assert by_payer["municipality"] == pytest.approx(0.5 * per_missing + 0.15 * floor, abs=1e-6)
    assert by_payer["ostifterne"] == 0.0
    # DSI's cash flow gets both payments on their dates, and its NPV counts them.
    flows = dict(res.cash_flows_by_date())
    import datetime as dt

    assert flows[dt.date(2029, 12, 1)] == pytest.approx(floor, abs=1e-6)
    assert flows[dt.date(2029, 10, 1)] == pytest.approx(
        per_missing + measured * SHARES[2] * (0.6 * sum(PAY.values()) + 0.7 * PAY_OST), abs=1e-3
    )
    t = {d: (d - dt.date(2026, 2, 1)).days / 365 for d in flows}
    npv = sum(v * 1.04 ** -t[d] for d, v in flows.items())
    assert res.npv == pytest.approx(npv, rel=1e-12)
    # Received in total: exactly the floor, 90% of the capital.
    received = sum(v for v in flows.values() if v > 0)
    assert received == pytest.approx(0.9 * CAPITAL, abs=1e-6)
    # The authorities' business case counts their clause payments as paid.
    line = next(b for b in res.business_case if b.payer == "region")
    assert line.repayments == pytest.approx(
        measured * 0.6 * PAY["region"] + by_payer["region"], abs=1e-6
    )


def test_clauses_pay_nothing_when_retention_is_met(tmp_path):
    s, _ = load_scenario(_write(tmp_path, FLOOR_AND_PER_MISSING))
    res = run_ledger(s)  # 350 measured >= 200; repayments 7.03m > 90% of capital
    assert res.retention_payment == 0.0
    assert res.floor_payment == 0.0
    base = run_ledger(load_scenario(DSI_CONFIG)[0])
    assert res.npv == pytest.approx(base.npv, rel=1e-12)


def test_early_end_voids_later_cohorts_and_pays_the_settlement(tmp_path):
    body = """
[retention_clause]
minimum_measured = 120
remedy = "early_end"
settlement = 1_000_000
check_after = "c1"
date = 2028-07-01
payers = { region = 1.0 }

# the shipped [design] varies payment_per_missing, which an early end does not have
[[design.terms]]
key = "retention_clause.settlement"
low = 0
high = 2_000_000
"""
    s, _ = load_scenario(_write(tmp_path, body))
    res = run_ledger(s)
    c1 = 700 * SHARES[0] * 0.5  # 110 measured in cohort 1 < 120
    assert c1 == pytest.approx(110.0, abs=1e-6)
    assert res.retention_payment == 1_000_000
    by_payer = res.repayments_by_payer()
    assert by_payer["region"] == pytest.approx(c1 * 0.6 * PAY["region"], abs=1e-6)
    assert by_payer["ostifterne"] == pytest.approx(c1 * 0.7 * PAY_OST, abs=1e-6)
    assert res.repayments[1:].sum() == 0.0  # cohorts 2 and 3 voided
    # 120 is met at 60% retention (132 measured): the contract runs in full.
    res60 = run_ledger(s, retention=0.6)
    assert res60.retention_payment == 0.0
    assert res60.repayments[1:].sum() > 0.0


CLAUSES_FOR_KERNEL = """
[floor]
share = 0.9
date = 2029-12-01
payers = { region = 0.85, municipality = 0.15 }

[retention_clause]
minimum_measured = 330
remedy = "per_missing"
payment_per_missing = 3_000
date = 2029-10-01
payers = { region = 0.85, municipality = 0.15 }
"""


@pytest.fixture(scope="module")
def clause_inputs(tmp_path_factory):
    path = _write(tmp_path_factory.mktemp("clauses"), CLAUSES_FOR_KERNEL)
    return build_inputs(load_scenario(path)[0])


def test_kernel_clauses_follow_their_definitions_draw_by_draw(clause_inputs):
    inp = clause_inputs
    out = simulate_arrays(inp, RunSpec(draws=4_000, seed=3, chunk_size=1_000))
    measured = out["measured"].sum(axis=1).astype(float)
    ret = 3_000 * np.maximum(330 - measured, 0.0)
    np.testing.assert_allclose(out["clause"][:, 0], ret, rtol=0, atol=1e-6)
    repaid = out["repaid"].astype(np.float64).sum(axis=(1, 2))
    floor = np.maximum(0.9 * CAPITAL - repaid - ret, 0.0)
    # repaid is stored as float32: allow its rounding
    np.testing.assert_allclose(out["clause"][:, 1], floor, rtol=0, atol=2.0)
    assert (out["clause"][:, 0] > 0).mean() > 0.3  # the clause binds often enough to test
    assert (out["clause"][:, 1] > 0).mean() > 0.05
    # DSI's money multiple counts both clause payments.
    moic = (repaid + out["clause"].sum(axis=1)) / CAPITAL
    np.testing.assert_allclose(out["moic"], moic, rtol=1e-5)


def test_kernel_and_reference_agree_with_clauses(clause_inputs):
    inp = clause_inputs
    kernel = simulate_arrays(inp, RunSpec(draws=20_000, seed=21, chunk_size=8192))
    rng = np.random.default_rng(23)
    parts = []
    for _ in range(4):
        u = rng.random((1000, len(inp.space.names)))
        parts.append(simulate_reference(inp, inp.space.transform(u), rng))
    ref = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def agree(a, b, name):
        a, b = np.asarray(a, float), np.asarray(b, float)
        se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        assert abs(a.mean() - b.mean()) <= 4 * se, f"{name}: {a.mean()} vs {b.mean()}"

    agree(kernel["clause"][:, 0], ref["clause"][:, 0], "retention clause")
    agree(kernel["clause"][:, 1], ref["clause"][:, 1], "floor")
    agree(kernel["clause"][:, 1] > 0, ref["clause"][:, 1] > 0, "P(floor pays)")
    agree(kernel["npv"], ref["npv"], "npv")
    agree(kernel["npv"] < 0, ref["npv"] < 0, "P(npv < 0)")


def test_dataset_says_who_pays_under_each_clause(tmp_path):
    from simrisk.kinds.contract.simulate import simulate
    from simrisk.kinds.contract.summary import summarize

    s, text = load_scenario(_write(tmp_path, CLAUSES_FOR_KERNEL))
    ds = simulate(s, draws=2_000, seed=5, chunk_size=1_000, config_text=text)
    ret = ds["retention_clause_payment"]
    floor = ds["floor_payment"]
    assert ret.attrs["units"] == "DKK" and ret.attrs["date"] == "2029-10-01"
    np.testing.assert_allclose(
        ret.sel(payer="region"), 0.85 * ret.sum("payer"), rtol=1e-6, atol=1e-2
    )
    assert float(floor.sel(payer="ostifterne").max()) == 0.0
    total = ds["payments_by_payer"].sum("payer").values.astype(float)
    np.testing.assert_allclose(
        total,
        ds["repayments_total"].values + ret.sum("payer").values + floor.sum("payer").values,
        rtol=1e-6,
    )
    summ = summarize(ds)
    assert summ["payments"]["total"]["mean"] == pytest.approx(total.mean(), rel=1e-6)
    assert 0 < summ["payments"]["retention_clause"]["p_paid"] < 1


def test_without_clauses_the_dataset_has_no_clause_variables(dsi_scenario):
    from simrisk.kinds.contract.simulate import simulate

    ds = simulate(dsi_scenario, draws=200, seed=1)
    assert "floor_payment" not in ds and "retention_clause_payment" not in ds
    assert "payments_by_payer" not in ds


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "[floor]\nshare = 0.5\ndate = 2029-12-01\npayers = { region = 0.5 }\n",
            "floor.payers = 0.5: the payers' shares must sum to 1",
        ),
        (
            "[floor]\nshare = 1.5\ndate = 2029-12-01\npayers = { region = 1.0 }\n",
            "floor.share = 1.5",
        ),
        (
            "[floor]\nshare = 0.5\ndate = 2029-01-01\npayers = { region = 1.0 }\n",
            "floor.date = 2029-01-01: must not be before the last cohort repayment",
        ),
        (
            "[floor]\nshare = 0.5\ndate = 2029-12-01\npayers = { regoin = 1.0 }\n",
            "floor.payers.regoin = 'regoin': unknown payer",
        ),
        (
            '[retention_clause]\nminimum_measured = 300\nremedy = "per_missing"\n'
            "date = 2029-10-01\npayers = { region = 1.0 }\n",
            "retention_clause.payment_per_missing: is required for remedy 'per_missing'",
        ),
        (
            '[retention_clause]\nminimum_measured = 300\nremedy = "early_end"\nsettlement = 1\n'
            'check_after = "c9"\ndate = 2029-10-01\npayers = { region = 1.0 }\n',
            "retention_clause.check_after = 'c9': unknown cohort",
        ),
        (
            '[retention_clause]\nminimum_measured = 300\nremedy = "early_end"\nsettlement = 1\n'
            'check_after = "c2"\ndate = 2028-06-01\npayers = { region = 1.0 }\n',
            "retention_clause.date = 2028-06-01: must not be before the measurement of cohort c2",
        ),
    ],
)
def test_bad_clauses_are_one_line_errors(tmp_path, body, expected):
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError) as exc:
        load_scenario(path)
    assert expected in str(exc.value)
    proc = run_cli("ledger", path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert expected in proc.stderr


def test_report_numbers_count_clause_payments(tmp_path):
    # The report rebuilds DSI's dated cash flows from the Dataset: with clauses
    # they must still give the run's own NPV, and P(loss) counts what DSI receives.
    from simrisk.kinds.contract.simulate import simulate
    from simrisk.kinds.contract.summary import summarize
    from simrisk.report.contract._numbers import dated_cash_flows

    s, text = load_scenario(_write(tmp_path, CLAUSES_FOR_KERNEL))
    ds = simulate(s, draws=2_000, seed=6, chunk_size=1_000, config_text=text)
    flows = dated_cash_flows(ds)
    # float32 storage of the payments: agree to a krone or two
    np.testing.assert_allclose(flows.npv(0.04), ds["npv"].values, rtol=0, atol=5.0)
    received = ds["payments_by_payer"].values.sum(axis=1, dtype=np.float64)
    assert summarize(ds)["p_loss_nominal"] == pytest.approx(float((received < CAPITAL).mean()))
