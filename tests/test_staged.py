"""Staged outcome goals (issue 26, item 1): a rate card of payable stages per citizen.

A measured citizen reaches stage k only if they reached stage k - 1, with
probability ``p_k`` (drawn per world); without the intervention with ``q_k``
on the same uniform. So, given a draw's parameters and the number measured
``m``, stage k's count is Binomial(m, p_1 ... p_k) and its deadweight
Binomial(m, min(p_1, q_1) ... min(p_k, q_k)). Each stage is paid on its own
date: the cohort's repayment date moved by ``months - follow_up_months``;
the payers' caps apply over the payments in date order.
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

AARHUS = ROOT / "configs" / "dsi_aarhus_youth_homelessness.toml"
#: (p, q) of the stages housed, still housed, and of the binary goal, at the centre
CENTRAL = ((0.70, 0.45), (0.72, 0.65), (0.35, 0.25))


def _child(tmp_path, body: str):
    path = tmp_path / "child.toml"
    path.write_text(f'extends = "{AARHUS.as_posix()}"\n{body}', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def aarhus():
    return load_scenario(AARHUS)[0]


def test_ledger_of_the_staged_contract_by_hand(aarhus):
    import datetime as dt

    res = run_ledger(aarhus)
    m = 200 * 0.85 / 2  # per cohort
    assert res.contract.goal_ids == ("housing.housed", "housing.still_housed", "education_or_job")
    np.testing.assert_allclose(res.successes[0], [m * 0.7, m * 0.7 * 0.72, m * 0.35])
    # Each stage paid on its own date: housed 9 months before the cohort's repayment date.
    flows = dict(res.cash_flows_by_date())
    assert flows[dt.date(2025, 2, 1)] == pytest.approx(m * 0.7 * 30_000)
    assert flows[dt.date(2025, 11, 1)] == pytest.approx(m * (0.7 * 0.72 * 65_000 + 0.35 * 67_000))
    per_cohort = m * (0.7 * 30_000 + 0.504 * 65_000 + 0.35 * 67_000)
    assert res.repayments.sum() == pytest.approx(2 * per_cohort)
    # a stage's rate is given the stage before: the later stage scales with it
    lower = run_ledger(aarhus, goal_rates={"housing.housed": 0.5})
    assert lower.successes[:, 1].sum() == pytest.approx(2 * m * 0.5 * 0.72)


def test_a_cap_binds_in_date_order(tmp_path):
    # A cap of 7 mio: y1's stages (Feb 2025: 1,785,000; Nov 2025: 4,777,850) are paid in
    # full, y2's first stage (Feb 2026) gets what is left (437,150), its later ones nothing.
    s, _ = load_scenario(_child(tmp_path, "[[payers]]\nid = \"aarhus\"\nname = \"Aarhus\"\n"
                                          "kind = \"authority\"\ncap = 7_000_000\n"))  # fmt: skip
    res = run_ledger(s)
    m = 85.0
    housed, still, edu = m * 0.7 * 30_000, m * 0.504 * 65_000, m * 0.35 * 67_000
    y1 = housed + still + edu
    assert res.repayments[0].sum() == pytest.approx(y1)
    # y2's housed stage (Feb 2026) comes before its other payments (Nov 2026)
    assert res.repayments[1, 0] == pytest.approx(7_000_000 - y1)
    assert res.repayments[1, 1:].sum() == pytest.approx(0.0)
    # the kernel: no draw pays more than the cap, and an earlier stage is cut last
    n = 2000
    a = simulate_arrays(build_inputs(s), RunSpec(draws=n, seed=3, chunk_size=1000))
    paid = a["repaid"].reshape(n, -1).sum(axis=1)
    assert paid.max() <= 7_000_000 * (1 + 1e-6)
    full = a["successes"][:, 0, 0] * 30_000.0
    np.testing.assert_allclose(a["repaid"][:, 0, 0], full, rtol=1e-6)


def test_stage_counts_are_binomial_chains_at_fixed_parameters(aarhus):
    n = 3000
    a = simulate_arrays(
        build_inputs(aarhus), RunSpec(draws=n, seed=4, chunk_size=1000, fixed_parameters=True)
    )
    meas = a["measured"].sum(axis=1).astype(float)
    (p1, q1), (p2, q2), (pb, qb) = CENTRAL
    cases = (
        (0, p1, min(p1, q1)),
        (1, p1 * p2, min(p1, q1) * min(p2, q2)),
        (2, pb, min(pb, qb)),
    )
    for g, p, pdw in cases:
        succ = a["successes"][:, :, g].sum(axis=1).astype(float)
        dw = a["deadweight"][:, :, g].sum(axis=1).astype(float)
        for x, pp in ((succ, p), (dw, pdw)):
            resid = x - pp * meas
            var = (meas * pp * (1 - pp)).mean()
            assert abs(resid.mean()) < 4 * math.sqrt(var / n), g
            assert resid.var() == pytest.approx(var, rel=0.1), g
    # a later stage is never reached without the one before
    assert (a["successes"][:, :, 1] <= a["successes"][:, :, 0]).all()


def test_kernel_and_reference_agree_on_staged_goals(aarhus):
    inp = build_inputs(aarhus)
    assert inp.contract.dated == 1
    n = 4000
    k = simulate_arrays(inp, RunSpec(draws=n, seed=6, chunk_size=1000))
    rng = np.random.default_rng(8)
    parts = []
    for _ in range(4):
        u = rng.random((1000, len(inp.space.names)))
        parts.append(simulate_reference(inp, inp.space.transform(u), rng))
    r = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    for name in ("successes", "deadweight", "repaid", "npv", "irr"):
        for g in range(3) if name in ("successes", "deadweight", "repaid") else (None,):
            x = k[name] if g is None else k[name][:, :, g]
            y = r[name] if g is None else r[name][:, :, g]
            x = x.reshape(n, -1).sum(axis=1).astype(float)
            y = y.reshape(n, -1).sum(axis=1)
            se = math.sqrt(x.var() / n + y.var() / n)
            assert abs(x.mean() - y.mean()) < 4 * se, (name, g)
    # the cash flow by year, where the stages' dates put the payments
    x, y = k["cash_year"].astype(float), r["cash_year"]
    se = np.sqrt(x.var(axis=0) / n + y.var(axis=0) / n) + 1e-9
    assert (np.abs(x.mean(axis=0) - y.mean(axis=0)) < 4 * se).all()


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        ("[[goals]]\nid = \"h\"\nname = \"h\"\npayer = \"aarhus\"\noutcome = \"staged\"\n"
         "success_rate = 0.5\n[[goals.stages]]\nid = \"a\"\nmonths = 12\nsuccess_rate = 0.5\n"
         "price_per_unit = 1000\n", "goals[0].success_rate", "does not apply to outcome 'staged'"),
        ("[[goals]]\nid = \"h\"\nname = \"h\"\npayer = \"aarhus\"\noutcome = \"staged\"\n",
         "goals[0].stages", "needs at least one"),
        ("[[goals]]\nid = \"h\"\nname = \"h\"\npayer = \"aarhus\"\noutcome = \"staged\"\n"
         "[[goals.stages]]\nid = \"a\"\nmonths = 13\nsuccess_rate = 0.5\nprice_per_unit = 1000\n",
         "goals[0].stages[0].months", "at most population.follow_up_months (12)"),
        ("[[goals]]\nid = \"h\"\nname = \"h\"\npayer = \"aarhus\"\noutcome = \"staged\"\n"
         "[[goals.stages]]\nid = \"a\"\nmonths = 6\nsuccess_rate = 0.5\nprice_per_unit = 1000\n"
         "[[goals.stages]]\nid = \"b\"\nmonths = 3\nsuccess_rate = 0.5\nprice_per_unit = 1000\n",
         "goals[0].stages[1].months", "must not be before the previous stage's"),
        ("[[goals]]\nid = \"h\"\nname = \"h\"\npayer = \"nobody\"\noutcome = \"staged\"\n"
         "[[goals.stages]]\nid = \"a\"\nmonths = 12\nsuccess_rate = 0.5\n",
         "goals[0].stages[0].payment_per_success", "is required"),
    ],
)  # fmt: skip
def test_staged_goal_errors_name_the_key(tmp_path, body, path, words):
    with pytest.raises(ConfigError) as e:
        load_scenario(_child(tmp_path, body))
    assert path in str(e.value) and words in str(e.value)


def test_stage_models_are_checked(tmp_path):
    bad = _child(
        tmp_path,
        "[model.goals.housing.stages.rehoused]\n"
        'probability = { dist = "beta", mean = 0.5, sd = 0.1 }\n'
        'counterfactual = { dist = "beta", mean = 0.3, sd = 0.1 }\n',
    )
    with pytest.raises(ConfigError) as e:
        load_scenario(bad)
    assert "model.goals.housing.stages.rehoused" in str(e.value)
    assert "unknown stage; allowed: housed, still_housed" in str(e.value)
    off = _child(
        tmp_path,
        "[model.goals.housing.stages.housed]\n"
        'probability = { dist = "beta", mean = 0.6, sd = 0.1 }\n'
        'counterfactual = { dist = "beta", mean = 0.3, sd = 0.1 }\n',
    )
    with pytest.raises(ConfigError) as e:
        load_scenario(off)
    assert "goals[0].stages[0].success_rate" in str(e.value)


def test_ledger_and_run_on_the_command_line(tmp_path):
    proc = run_cli("ledger", str(AARHUS), "--json")
    assert proc.returncode == 0, proc.stderr
    assert '"housing.still_housed"' in proc.stdout
    out = tmp_path / "a.nc"
    proc = run_cli(
        "run", str(AARHUS), "--draws", "2000", "--seed", "1", "--out", str(out), "--json"
    )
    assert proc.returncode == 0, proc.stderr
    assert '"outcome": "staged"' in proc.stdout


def test_the_aggregated_path_falls_back_for_stages(aarhus):
    # the aggregated path does not model stages: a forced --aggregate is refused, and by
    # default (from DEFAULT_ABOVE referred on) the run says it stays per citizen
    from simrisk.core.errors import SimriskError
    from simrisk.kinds.contract.simulate import resolve_aggregate

    inp = build_inputs(aarhus)
    with pytest.raises(SimriskError, match="aggregated path does not model"):
        resolve_aggregate(inp, True)
    big = build_inputs(aarhus.model_copy(update={"population": aarhus.population.model_copy(
        update={"referred": 5000})}))  # fmt: skip
    agg, note = resolve_aggregate(big, None)
    assert not agg and note.startswith("per-citizen kernel")


@pytest.fixture(scope="module")
def staged_ds(aarhus):
    from simrisk.kinds.contract.simulate import simulate

    return simulate(aarhus, draws=2000, seed=5, config_text=AARHUS.read_text(encoding="utf-8"))


def test_dated_flows_of_a_staged_run_reproduce_its_npv_and_years(staged_ds):
    from simrisk.report.contract._numbers import dated_cash_flows

    flows = dated_cash_flows(staged_ds)
    rate = float(staged_ds.attrs["discount_rate"])
    np.testing.assert_allclose(flows.npv(rate), staged_ds["npv"].values, rtol=1e-6, atol=1.0)
    years = staged_ds["year"].values
    by_year = np.stack(
        [flows.cf[:, [d.year == y for d in flows.dates]].sum(axis=1) for y in years], axis=1
    )
    np.testing.assert_allclose(by_year, staged_ds["cash_flow_by_year"].values, atol=1.0)
    # the housed stage of y1 is paid on 1 February 2025, apart from the cohort's date
    assert staged_ds["payment_date"].sel(cohort="y1", goal="housing.housed") == "2025-02-01"


@pytest.mark.parametrize("lang", ["da", pytest.param("en", marks=pytest.mark.slow(short=False))])
def test_report_of_a_contract_without_a_business_case(staged_ds, tmp_path, lang):
    # Danish by default (it checks the words too); English in the slow run
    from simrisk.report import build_report
    from tests.test_report import ENGLISH_WORDS, _pdf_text

    pdf = tmp_path / "r.pdf"
    pages = build_report(staged_ds, pdf, lang=lang)
    # no authority: the net saving page is left out, the payers page says why
    assert "net_saving" not in pages and "payers" in pages
    text = _pdf_text(pdf)
    why = "ingen myndigheders regnestykke" if lang == "da" else "states no business case"
    assert any(why in " ".join(t.split()) for t in text)
    if lang == "da":
        import re

        found = {}
        for k, t in enumerate(text, start=1):
            words = set(re.findall(r"[A-Za-zÆØÅæøå]+", re.sub(r"#[a-z0-9-]+", " ", t)))
            bad = sorted(w for w in ENGLISH_WORDS if w in words)
            if bad:
                found[k] = bad
        assert not found, f"English words in the Danish report (page: words): {found}"


def test_a_stage_maximum_price_binds_in_date_order(tmp_path):
    # no payer cap here, so that only the stage's maximum price binds
    goals = """
[[payers]]
id = "aarhus"
name = "Aarhus Kommune"
kind = "authority"

[[goals]]
id = "housing"
name = "housing"
payer = "aarhus"
outcome = "staged"

[[goals.stages]]
id = "housed"
months = 3
success_rate = 0.70
price_per_unit = 30_000
maximum_price = 2_000_000

[[goals.stages]]
id = "still_housed"
months = 12
success_rate = 0.72
price_per_unit = 65_000

[[goals]]
id = "education_or_job"
name = "education or job"
payer = "aarhus"
outcome = "binary"
success_rate = 0.35
price_per_unit = 67_000
"""
    s, _ = load_scenario(_child(tmp_path, goals))
    res = run_ledger(s)
    y1 = 85 * 0.7 * 30_000  # 1,785,000 in February 2025
    np.testing.assert_allclose(res.repayments[:, 0], [y1, 2_000_000 - y1])
    n = 1000
    a = simulate_arrays(build_inputs(s), RunSpec(draws=n, seed=2, chunk_size=500))
    first = np.minimum(a["successes"][:, 0, 0] * 30_000.0, 2_000_000)
    second = np.minimum(a["successes"][:, 1, 0] * 30_000.0, 2_000_000 - first)
    np.testing.assert_allclose(a["repaid"][:, 0, 0], first, rtol=1e-6)
    np.testing.assert_allclose(a["repaid"][:, 1, 0], second, rtol=1e-6, atol=1e-6)
