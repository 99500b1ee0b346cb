"""Binary outcome goals and INDIGO-style prices (issue 26, item 1).

A binary goal's successes among the measured are Binomial(measured,
probability) and its deadweight Binomial(measured, min(probability,
counterfactual)) given a draw's parameters; with fixed parameters the counts
are exactly binomial, which the kernel must reproduce within Monte Carlo
error. The ledger is checked by hand; the kernel against the NumPy reference
in distribution; prices (maximum_price, contracted increases) by hand.
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
from tests.conftest import ROOT, run_cli

#: the Aarhus-sized contract with two binary goals (the shipped config's housing goal is
#: staged since: tests/test_staged.py)
AARHUS = ROOT / "tests" / "data" / "contract_binary.toml"


def _child(tmp_path, body: str):
    path = tmp_path / "child.toml"
    path.write_text(f'extends = "{AARHUS.as_posix()}"\n{body}', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def aarhus():
    return load_scenario(AARHUS)[0]


def test_ledger_of_the_binary_contract_by_hand(aarhus):
    res = run_ledger(aarhus)
    measured = 200 * 0.85
    assert res.repayments.sum() == pytest.approx(measured * (0.5 * 110_000 + 0.35 * 67_000))
    assert res.irr > 0.04  # the illustrative terms repay about 1.15x


def test_binary_counts_are_binomial_at_fixed_parameters(aarhus):
    n = 3000
    a = simulate_arrays(
        build_inputs(aarhus), RunSpec(draws=n, seed=4, chunk_size=1000, fixed_parameters=True)
    )
    meas = a["measured"].sum(axis=1).astype(float)
    # measured ~ Binomial(200, 0.85)
    assert abs(meas.mean() - 170) < 4 * math.sqrt(200 * 0.85 * 0.15 / n)
    for g, (p1, p0) in enumerate(((0.5, 0.3), (0.35, 0.25))):
        succ = a["successes"][:, :, g].sum(axis=1).astype(float)
        dw = a["deadweight"][:, :, g].sum(axis=1).astype(float)
        # Given measured m: successes ~ Binomial(m, p1), deadweight ~ Binomial(m, min(p1, p0)).
        for x, p in ((succ, p1), (dw, min(p1, p0))):
            resid = x - p * meas
            se = math.sqrt((meas * p * (1 - p)).mean() / n)
            assert abs(resid.mean()) < 4 * se
            assert resid.var() == pytest.approx((meas * p * (1 - p)).mean(), rel=0.1)


def test_kernel_and_reference_agree_on_binary_goals(aarhus):
    inp = build_inputs(aarhus)
    n = 4000
    k = simulate_arrays(inp, RunSpec(draws=n, seed=6, chunk_size=1000))
    rng = np.random.default_rng(8)
    parts = []
    for _ in range(4):
        u = rng.random((1000, len(inp.space.names)))
        parts.append(simulate_reference(inp, inp.space.transform(u), rng))
    r = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    for name in ("successes", "deadweight", "repaid", "npv"):
        x = k[name].reshape(n, -1).sum(axis=1).astype(float)
        y = r[name].reshape(n, -1).sum(axis=1)
        se = math.sqrt(x.var() / n + y.var() / n)
        assert abs(x.mean() - y.mean()) < 4 * se, name


def test_maximum_price_and_contracted_increases_by_hand(tmp_path, aarhus):
    # The [[goals]] list is replaced whole by a child config; no payer cap here, so
    # that only the goal's maximum price binds.
    goals = """
[[payers]]
id = "aarhus"
name = "Aarhus Kommune"
kind = "authority"
discount_rate = 0.035

[[goals]]
id = "housed"
name = "housed"
payer = "aarhus"
outcome = "binary"
success_rate = 0.50
price_per_unit = 110_000
maximum_price = 8_000_000
price_increases = [{ date = 2026-01-01, price_per_unit = 120_000 }]

[[goals]]
id = "education_or_job"
name = "education or job"
payer = "aarhus"
outcome = "binary"
success_rate = 0.35
payment_per_success = 67_000
"""
    s, _ = load_scenario(_child(tmp_path, goals))
    res = run_ledger(s)
    # y1 (measured 2025-09-01) at 110,000, y2 (measured 2026-09-01) at 120,000, but the
    # goal's total stops at 8,000,000.
    y1 = 85 * 0.5 * 110_000  # 4,675,000
    y2 = min(85 * 0.5 * 120_000, 8_000_000 - y1)  # 3,325,000 of 5,100,000
    assert res.repayments[:, 0].tolist() == pytest.approx([y1, y2])
    n = 1000
    a = simulate_arrays(build_inputs(s), RunSpec(draws=n, seed=2, chunk_size=500))
    assert a["repaid"][:, :, 0].sum(axis=1).max() <= 8_000_000 + 1.0
    y2_uncapped = a["successes"][:, 1, 0] * 120_000.0
    room = 8_000_000 - a["successes"][:, 0, 0] * 110_000.0
    np.testing.assert_allclose(
        a["repaid"][:, 1, 0], np.minimum(y2_uncapped, np.maximum(room, 0)), rtol=1e-6
    )


def test_binary_goal_errors_are_one_line(tmp_path):
    bad = _child(
        tmp_path,
        '[model.goals.housed]\nprobability = { dist = "beta", mean = 0.5, sd = 0.1 }\n'
        'counterfactual = { dist = "beta", mean = 0.3, sd = 0.1 }\n'
        'effect = { dist = "normal", mean = 0.1, sd = 0.1 }\n',
    )
    with pytest.raises(ConfigError) as e:
        load_scenario(bad)
    assert "model.goals.housed.effect" in str(e.value)
    assert "does not apply to outcome 'binary'" in str(e.value)


@pytest.mark.slow(short=False)  # compiles the general loop in a fresh process (~30 s)
def test_ledger_and_run_of_a_binary_config_on_the_command_line(tmp_path):
    proc = run_cli("ledger", str(AARHUS), "--json")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "a.nc"
    proc = run_cli(
        "run", str(AARHUS), "--draws", "2000", "--seed", "1", "--out", str(out), "--json"
    )
    assert proc.returncode == 0, proc.stderr
    assert '"outcome": "binary"' in proc.stdout
