"""Decision rules against closed forms: expected value, regret and P(best), CARA certainty
equivalents and the r where the choice flips, stochastic dominance, DSI's hurdle; the
[decision] table's checks; and the decision summary of every kind."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from simrisk.core.decision_spec import DecisionSpec, r_from_indifference
from simrisk.decision.rules import (
    Problem,
    apply_rules,
    certainty_equivalent,
    dominance,
    expected_value,
    hurdle,
    risk_aversion,
)
from tests.conftest import DSI_CONFIG, ROOT, run_cli

N = 200_000


def _problem(*cols, names=None):
    nb = np.column_stack([np.zeros_like(cols[0]), *cols])
    names = names or ["nothing", *(f"a{i}" for i in range(len(cols)))]
    return Problem("p", "q?", names, nb, "DKK")


def test_expected_value_regret_and_p_best_match_closed_forms(rng):
    # invest ~ N(mu, s^2) against nothing (0): P(best) = Phi(mu/s), regret of
    # investing = E[(-X)+] = s phi(mu/s) - mu Phi(-mu/s), of nothing = E[X+]
    mu, s = 0.3, 1.0
    x = rng.normal(mu, s, N)
    ev = expected_value(_problem(x))
    a = ev["alternatives"]
    assert ev["choice"] == "a0" and ev["ranking"] == ["a0", "nothing"]
    z = mu / s
    cases = [
        (a["a0"]["p_best"], a["a0"]["p_best_se"], norm.cdf(z)),
        (a["a0"]["expected_regret"], a["a0"]["expected_regret_se"],
         s * norm.pdf(z) - mu * norm.cdf(-z)),
        (a["nothing"]["expected_regret"], a["nothing"]["expected_regret_se"],
         s * norm.pdf(z) + mu * norm.cdf(z)),
        (a["a0"]["mean"], a["a0"]["mean_se"], mu),
    ]  # fmt: skip
    for value, se, truth in cases:
        assert abs(value - truth) < 4 * se, (value, se, truth)
    # the chosen alternative's expected regret is the EVPI
    from simrisk.decision.voi import evpi

    assert a["a0"]["expected_regret"] == pytest.approx(evpi(_problem(x).payoff)[0])
    assert ev["margin"]["value"] == pytest.approx(a["a0"]["mean"])


def test_certainty_equivalent_of_a_normal_payoff_and_its_se(rng):
    # CE of N(mu, s^2) under CARA r is mu - r s^2 / 2; the delta-method SE covers it
    mu, s, r = 1.0, 2.0, 0.2
    zs = []
    for _ in range(200):
        x = rng.normal(mu, s, 2_000)
        ce, se = certainty_equivalent(x, r)
        zs.append((ce - (mu - r * s * s / 2)) / se)
    zs = np.array(zs)
    # 200 replications: the z-scores' SD is 1 within about 2 x 0.05
    assert abs(zs.mean()) < 0.25 and 0.85 < zs.std() < 1.15, (zs.mean(), zs.std())
    assert certainty_equivalent(np.zeros(10), r) == (0.0, 0.0)
    # no overflow far out in the tail
    ce, _ = certainty_equivalent(np.array([-1e7, 1e7]), 1e-3)
    assert math.isfinite(ce) and ce < -1e7 + 1e4


def test_r_flip_of_invest_or_not_is_two_mu_over_variance(rng):
    mu, s = 0.5, 2.0
    x = rng.normal(mu, s, N)
    ra = risk_aversion(_problem(x), r=0.5)
    assert ra["choice"] == "nothing"  # 0.5 - 0.5 * 4 / 2 < 0
    truth = 2 * mu / s**2
    (flip,) = ra["flips"]
    assert flip["from"] == "a0" and flip["to"] == "nothing"
    assert abs(flip["r"] - truth) < 4 * flip["r_se"], (flip, truth)
    assert ra["r_flip"] == flip["r"]


def test_r_from_the_indifference_question():
    r = r_from_indifference(1_000_000, 2_500_000)
    lhs = math.exp(-r * 1_000_000)
    rhs = 0.5 * (1 + math.exp(-r * 2_500_000))
    assert lhs == pytest.approx(rhs, rel=1e-12)
    assert r > 0
    # the certainty equivalent of the stated 50/50 at that r is the stated sure sum
    ce, _ = certainty_equivalent(np.array([0.0, 2_500_000.0]), r)
    assert ce == pytest.approx(1_000_000, rel=1e-9)
    with pytest.raises(ValueError):
        r_from_indifference(1_000_000, 2_000_000)  # a sure S for 0 or 2S: r = 0


def test_dominance_first_and_second_order(rng):
    x = rng.normal(0, 1, N)
    x -= x.mean()
    p = Problem(
        "p", "q?", ["safe", "shifted", "spread"], np.column_stack([x, x - 1, 2 * x]), "DKK"
    )
    d = dominance(p)
    pair = d["pairs"]["safe over shifted"]
    assert pair["first_order"]["holds"] and pair["first_order"]["largest_violation"] == 0
    assert pair["p_at_least_as_good"] == 1.0
    spread = d["pairs"]["safe over spread"]
    # a mean-preserving spread: second order holds, first order fails by
    # max_x Phi(x) - Phi(x/2) at x = sqrt(ln 2 / 0.375)
    assert spread["second_order"]["holds"]
    assert not spread["first_order"]["holds"]
    x0 = math.sqrt(math.log(2) / 0.375)
    truth = norm.cdf(x0) - norm.cdf(x0 / 2)
    v, se = (
        spread["first_order"]["largest_violation"],
        spread["first_order"]["largest_violation_se"],
    )
    assert abs(v - truth) < 4 * se + 2 / math.sqrt(N), (v, se, truth)
    assert "safe (first order)" in d["dominated"]["shifted"]
    assert "safe (second order)" in d["dominated"]["spread"]


def test_hurdle_reports_without_a_tolerance_and_judges_with_one(rng):
    npv = rng.normal(1.0, 2.0, 10_000)
    p = float((npv < 0).mean())
    h = hurdle(0.115, 0.04, npv, None)
    assert h["choice"] is None and "not judged" in h["verdict"]
    assert h["risk"]["p_npv_negative"] == p and h["risk"]["passes"] is None
    assert hurdle(0.115, 0.04, npv, p + 0.05)["choice"] == "invest"
    rej = hurdle(0.115, 0.04, npv, p - 0.05)
    assert rej["choice"] == "do_not_invest"
    assert rej["risk"]["margin"] == pytest.approx(-0.05)
    assert hurdle(0.03, 0.04, npv, 1.0)["choice"] == "do_not_invest"


def test_apply_rules_keeps_doing_nothing_first_in_every_table(rng):
    x = rng.normal(0.1, 1, 5_000)
    out = apply_rules(_problem(x, x + 0.1), DecisionSpec(), "portfolio")
    assert out["alternatives"][0] == out["do_nothing"] == "nothing"
    assert set(out["rules"]) == {"expected_value", "risk_aversion", "dominance"}
    assert "nothing" in out["rules"]["expected_value"]["alternatives"]
    assert out["rules"]["risk_aversion"]["certainty_equivalent"] is None  # no r stated


# --- the [decision] table: bad input --------------------------------------------


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ('rules = ["hurdle"]', "decision.rules[0]"),
        ("[decision.risk_aversion]\nr = -1e-7", "decision.risk_aversion.r"),
        ("[decision.risk_aversion]\nr = 0", "decision.risk_aversion.r"),
        (
            "[decision.risk_aversion]\n"
            "indifference = { sure = 1_000_000, gamble_high = 2_000_000 }",
            "r <= 0",
        ),
    ],
)
def test_bad_decision_table_is_one_line_exit_2(tmp_path, table, needle):
    src = (ROOT / "configs" / "regionh_ai_pool.toml").read_text(encoding="utf-8")
    i = src.index("[decision]")
    j = src.index("[simulation]")
    cfg = tmp_path / "bad.toml"
    cfg.write_text(src[:i] + "[decision]\n" + table + "\n\n" + src[j:], encoding="utf-8")
    out = tmp_path / "out.nc"
    r = run_cli("run", cfg, "--draws", "500", "--out", out)
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.strip().splitlines() if ln]
    assert len(lines) == 1 and needle in lines[0], r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()


# --- every kind's decision --------------------------------------------------------


def test_contract_decision_rows_agree_with_the_summary():
    from simrisk import api
    from simrisk.decision.rules import decide

    ds = api.run(DSI_CONFIG, draws=4_000, seed=3)
    d = decide(ds)
    s = api.summary(ds, decision=False)
    assert "decision" not in s and api.summary(ds)["decision"] == d
    assert d["alternatives"] == ["do_not_invest", "invest"]
    ev = d["rules"]["expected_value"]["alternatives"]
    assert ev["do_not_invest"]["p_best"] == pytest.approx(s["p_npv_negative"])
    assert ev["invest"]["mean"] == pytest.approx(s["npv"]["mean"])
    h = d["rules"]["hurdle"]
    assert h["expected_case"]["expected_case_irr"] == pytest.approx(0.11479, abs=1e-4)
    assert h["risk"]["p_npv_negative"] == pytest.approx(s["p_npv_negative"])
    ra = d["rules"]["risk_aversion"]
    assert ra["r"] == pytest.approx(r_from_indifference(1_000_000, 2_500_000))
    assert set(ra["certainty_equivalent"]) == {"do_not_invest", "invest"}
    assert set(d["others"]) == {
        "region.note_method", "region.modelled",
        "municipality.note_method", "municipality.modelled",
    }  # fmt: skip
    reg = d["others"]["region.note_method"]["rules"]["expected_value"]["alternatives"]
    assert reg["sign"]["mean"] == pytest.approx(s["net_saving"]["note_method"]["region"]["mean"])


def test_wellby_decision_scales_or_not_per_projection_scenario():
    from simrisk import api
    from simrisk.decision.rules import decide

    ds = api.run(ROOT / "configs" / "opi_aims_wellby.toml", draws=5_000, seed=2)
    d = decide(ds)
    assert d["alternatives"] == ["do_not_scale", "scale_to_500", "scale_to_1000", "scale_to_2500"]
    assert "hurdle" not in d["rules"] and len(d["others"]) == 1
    net = ds["draws_projection_net"].values[:, 0, :]
    ev = d["rules"]["expected_value"]["alternatives"]
    assert ev["do_not_scale"]["p_best"] == pytest.approx((net.max(axis=1) <= 0).mean())
    assert ev["scale_to_1000"]["mean"] == pytest.approx(net[:, 1].mean())
    # the summary's projection bands come from the same draws
    s = api.summary(ds)
    proj = next(p for p in s["projections"] if p["index"] == 0 and p["recruited"] == 1000)
    assert proj["p_value_net_positive"] == pytest.approx((net[:, 1] > 0).mean())
