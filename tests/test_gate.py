"""The stop/go gate (issue 22, item 3).

The ledger is checked by hand from the config's numbers; the kernel draw by
draw against the gate's definition and against the same config without the
gate (common random numbers: a draw the gate does not stop is the base
config's draw, bit for bit); the interim count against its exact
distribution; the kernel against the NumPy reference in distribution; bad
gates give one-line errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom

from simrisk.core.errors import ConfigError
from simrisk.kinds.contract.inputs import build_inputs
from simrisk.kinds.contract.ledger import run_ledger
from simrisk.kinds.contract.loader import load_scenario
from simrisk.kinds.contract.reference import simulate_reference
from simrisk.kinds.contract.simulate import RunSpec, simulate_arrays
from tests.conftest import DSI_CONFIG, ROOT, run_cli

GATE_CONFIG = ROOT / "configs" / "dsi_norddjurs_gate.toml"
PAY = 24_220.242857142857 * 0.6 + 4_274.161904761905 * 0.6 + 4_274.15918367347 * 0.7
C1 = 0.314285714286


def _write(tmp_path, body: str, name: str = "g.toml"):
    path = tmp_path / name
    path.write_text(f'extends = "{DSI_CONFIG.as_posix()}"\n{body}', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def gate():
    return load_scenario(GATE_CONFIG)[0]


@pytest.fixture(scope="module")
def runs(gate, dsi_scenario):
    spec = RunSpec(draws=6000, seed=5, chunk_size=2000)
    return simulate_arrays(build_inputs(gate), spec), simulate_arrays(
        build_inputs(dsi_scenario), spec
    )


def test_ledger_goes_on_at_dsi_retention_and_equals_the_base_ledger(gate, dsi_scenario):
    res, base = run_ledger(gate), run_ledger(dsi_scenario)
    assert res.gate["engaged_share"] == pytest.approx(0.5 ** (2 / 12))
    assert not res.gate["stops"]
    assert res.npv == base.npv and res.gate["value"] == 0.0
    np.testing.assert_array_equal(res.cash_flow, base.cash_flow)


def test_ledger_stops_at_low_retention_by_hand(gate, dsi_scenario):
    res = run_ledger(gate, retention=0.2)
    assert res.gate["stops"]  # 0.2 ** (1/6) = 0.765 < 0.80
    # By hand: cohort 1 (220 of 700 referred) is still paid; cohorts 2 and 3 are void.
    c1_paid = 700 * C1 * 0.2 * PAY
    assert res.repayments.sum() == pytest.approx(c1_paid, rel=1e-12)
    assert res.repayments[1:].sum() == 0.0
    # The June 2027 and June 2028 instalments are cancelled.
    flows = dict(res.cash_flows_by_date())
    assert sum(v for v in flows.values() if v < 0) == pytest.approx(-(980_000 + 2_262_000))
    assert res.gate["cancelled_disbursements"] == 1_942_000 + 266_000
    base = run_ledger(dsi_scenario, retention=0.2)
    assert res.gate["npv_without_gate"] == pytest.approx(base.npv, rel=1e-12)
    assert res.gate["value"] == pytest.approx(res.npv - base.npv, rel=1e-12)
    d = res.to_dict()["gate"]["payments_effect"]
    assert d["region"] == pytest.approx(
        res.repayments_by_payer()["region"] - base.repayments_by_payer()["region"]
    )


def test_kernel_follows_the_gate_draw_by_draw(gate, runs):
    g, base = runs
    stopped = g["gate"][:, 0] > 0
    share = g["gate"][:, 1]
    np.testing.assert_array_equal(stopped, share < gate.gate.threshold)
    assert 0 < stopped.sum() < stopped.size  # both branches are exercised
    # The NPV without the gate is the base config's NPV, every draw (same worlds).
    np.testing.assert_array_equal(g["gate"][:, 2], base["npv"])
    # A draw the gate does not stop is the base config's draw, bit for bit.
    for name in ("measured", "successes", "repaid", "npv", "irr", "cash_year", "saving"):
        np.testing.assert_array_equal(g[name][~stopped], base[name][~stopped], err_msg=name)
    assert (g["gate_paid"][~stopped] == 0).all() and (g["gate_saving"][~stopped] == 0).all()
    # A stopped draw: cohorts 2 and 3 void, cohort 1 as in the base draw; later
    # disbursements cancelled (2027: -1,942,000 without the gate, 0 with it).
    s = stopped
    assert (g["measured"][s, 1:] == 0).all() and (g["repaid"][s, 1:] == 0).all()
    np.testing.assert_array_equal(g["measured"][s, 0], base["measured"][s, 0])
    years = build_inputs(gate).years.tolist()
    y27 = years.index(2027)
    np.testing.assert_allclose(g["cash_year"][s, y27], 0.0, atol=0.5)
    np.testing.assert_allclose(base["cash_year"][s, y27], -1_942_000, atol=0.5)
    paid = g["repaid"].sum(axis=(1, 2), dtype=np.float64) - base["repaid"].sum(
        axis=(1, 2), dtype=np.float64
    )
    np.testing.assert_allclose(g["gate_paid"].sum(axis=1), paid, atol=2.0)


def test_interim_count_has_its_exact_distribution_at_fixed_parameters(gate):
    # Fixed parameters: 700 referred, retention 0.5. Each referred citizen is in
    # cohort 1 with probability C1 and engaged at 2 months with 0.5 ** (1/6), so the
    # count is Binomial(Binomial(700, C1), 0.5 ** (1/6)); P(stop) sums that exactly.
    n = 4000
    a = simulate_arrays(
        build_inputs(gate), RunSpec(draws=n, seed=9, chunk_size=2000, fixed_parameters=True)
    )
    share = a["gate"][:, 1]
    q = 0.5 ** (2 / 12)
    k = np.arange(701)
    w = binom.pmf(k, 700, C1)
    mean = q
    var = float((w[1:] * q * (1 - q) / k[1:]).sum())
    assert abs(share.mean() - mean) < 4 * math.sqrt(var / n)
    threshold = 0.89  # near the centre, so P(stop) is far from 0 and 1
    p_stop = float(sum(w[r] * binom.cdf(math.ceil(threshold * r) - 1, r, q) for r in k[1:]))
    got = (share < threshold).mean()
    assert abs(got - p_stop) < 4 * math.sqrt(p_stop * (1 - p_stop) / n)
    assert abs(share.var(ddof=1) - var) < 0.1 * var


def test_kernel_and_reference_agree_with_a_gate(gate, runs):
    inp = build_inputs(gate)
    k = runs[0]
    n = k["npv"].shape[0]
    rng = np.random.default_rng(3)
    parts = []
    for _ in range(n // 1000):
        u = rng.random((1000, len(inp.space.names)))
        parts.append(simulate_reference(inp, inp.space.transform(u), rng))
    r = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    for name, col in (("stop", 0), ("share", 1), ("npv_without", 2)):
        x, y = k["gate"][:, col], r["gate"][:, col]
        se = math.sqrt(x.var() / n + y.var() / n)
        assert abs(x.mean() - y.mean()) < 4 * se, name
    for name in ("npv", "gate_paid", "gate_saving"):
        x = k[name].reshape(n, -1).sum(axis=1)
        y = r[name].reshape(n, -1).sum(axis=1)
        se = math.sqrt(x.var() / n + y.var() / n)
        assert abs(x.mean() - y.mean()) < 4 * se, name


BAD = [
    ("date = 2027-03-01\nmonths = 2\nthreshold = 0.8", "gate.date = 2027-03-01: counts no cohort"),
    ("date = 2028-07-01\nmonths = 2\nthreshold = 0.8", "must be before the last disbursement"),
    ("date = 2027-05-01\nmonths = 13\nthreshold = 0.8", "gate.months = 13: must be at most"),
    ("date = 2027-05-01\nmonths = 2\nthreshold = 1.5", "gate.threshold = 1.5"),
]


@pytest.mark.parametrize(("body", "message"), BAD)
def test_bad_gates_are_one_line_errors(tmp_path, body, message):
    path = _write(tmp_path, f"[gate]\n{body}\n")
    with pytest.raises(ConfigError) as e:
        load_scenario(path)
    assert message in str(e.value)


def test_bad_gate_on_the_command_line_exits_2_in_one_line(tmp_path):
    path = _write(tmp_path, "[gate]\ndate = 2027-03-01\nmonths = 2\nthreshold = 0.8\n")
    proc = run_cli("ledger", str(path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "gate.date = 2027-03-01: counts no cohort" in proc.stderr


def test_design_varies_the_gates_threshold_and_date(gate):
    from simrisk.kinds.contract.design import apply_terms, today_values

    keys = ["gate.threshold", "gate.date"]
    assert today_values(gate, keys).tolist() == [0.80, 15.0]  # 2027-05 is 15 months on
    s = apply_terms(gate, keys, [0.5, 16.0])
    assert s.gate.threshold == 0.5 and s.gate.date.isoformat() == "2027-06-01"
