"""Case C (the portfolio kind): config, ledger, analytic checks of the model, CLI."""

from __future__ import annotations

import copy
import json
import math
import tomllib

import numpy as np
import pytest
import tomli_w
from scipy import stats

from simrisk.kinds.portfolio import load_portfolio
from simrisk.kinds.portfolio.config import parse_portfolio
from simrisk.kinds.portfolio.dataset import break_even_year
from simrisk.kinds.portfolio.ledger import run_ledger
from simrisk.kinds.portfolio.simulate import simulate
from tests.conftest import ROOT, TEST_SEED, run_cli

CONFIG = ROOT / "configs" / "regionh_ai_pool.toml"

# The proposal's tables (budget initiative 5.2), mio DKK per year 2025-2028.
PROPOSAL = {
    "pool_3": {"wages": 1.0, "other": 2.0, "total": 3.0, "fte": 1},
    "pool_6": {"wages": 2.0, "other": 4.0, "total": 6.0, "fte": 2},
    "pool_10": {"wages": 3.0, "other": 7.0, "total": 10.0, "fte": 3},
}


@pytest.fixture(scope="module")
def data() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def _cfg(data: dict, **changes):
    """The shipped config with ``section.key = value`` changes (dots in the key)."""
    d = copy.deepcopy(data)
    for path, value in changes.items():
        *head, last = path.split("__")
        node = d
        for part in head:
            node = node[int(part)] if part.isdigit() else node[part]
        node[last] = value
    return parse_portfolio(d, "test.toml")


def _fixed(v: float) -> dict:
    return {"dist": "fixed", "value": v}


# ---------------------------------------------------------------------------
# Ledger: the proposal's budgets, exactly
# ---------------------------------------------------------------------------


def test_ledger_budgets_as_the_proposal():
    cfg, _ = load_portfolio(CONFIG)
    js = run_ledger(cfg).to_json()
    assert [js["options"][k]["budget_total"] for k in PROPOSAL] == [12e6, 24e6, 40e6]
    for k, t in PROPOSAL.items():
        o = js["options"][k]
        years = ["2025", "2026", "2027", "2028"]
        assert list(o["budget_by_year"]) == years
        assert all(o["budget_by_year"][y] == t["total"] * 1e6 for y in years)
        assert all(o["wages_by_year"][y] == t["wages"] * 1e6 for y in years)
        assert all(o["other_running_by_year"][y] == t["other"] * 1e6 for y in years)
        assert all(o["staff_fte_by_year"][y] == t["fte"] for y in years)


def test_ledger_algorithms_funded_rise_with_the_budget():
    cfg, _ = load_portfolio(CONFIG)
    funded = [o.algorithms_funded for o in run_ledger(cfg).options]
    assert funded[0] < funded[1] < funded[2]
    for o in run_ledger(cfg).options:
        assert sum(o.algorithms_funded_by_year) == o.algorithms_funded
        assert o.committed <= o.budget_total + 1e-6  # the pool never overspends


def test_ledger_cli_json():
    r = run_cli("ledger", CONFIG, "--json")
    assert r.returncode == 0, r.stderr
    js = json.loads(r.stdout)
    assert {k: v["budget_total"] for k, v in js["options"].items()} == {
        "pool_3": 12_000_000,
        "pool_6": 24_000_000,
        "pool_10": 40_000_000,
    }
    text = run_cli("ledger", CONFIG)
    assert text.returncode == 0 and "40,000,000" in text.stdout


def test_ledger_cli_refuses_contract_flags():
    r = run_cli("ledger", CONFIG, "--success-rate", "0.5")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "--success-rate" in r.stderr
    assert "Traceback" not in r.stderr


# ---------------------------------------------------------------------------
# Bad configs: one line naming file, key, value and what is allowed; exit 2
# ---------------------------------------------------------------------------

BAD = [
    ("kind", "contract", "kind", "portfolio"),
    ("options__0__wages", [1_000_000] * 3, "options[0].wages", "one value per year"),
    ("options__1__years", [2025, 2026, 2027, 2029], "options[1].years", "options[0].years"),
    ("algorithms__cost_high", 500_000, "algorithms.cost_high", "at least cost_low"),
    ("algorithms__validation_years", 0.3, "algorithms.validation_years", "steps of 0.5"),
    ("algorithms__candidates", "30", "algorithms.candidates", "whole number"),
    ("algorithms__colour", "red", "algorithms.colour", "unknown key"),
    ("horizon__discount_rate", 1.5, "horizon.discount_rate", "less than 1"),
    ("priors__p_gain", {"dist": "uniform", "low": 0.5, "high": 1.5}, "priors.p_gain",
     "a probability"),
    ("priors__ramp_years", {"dist": "beta", "mean": 0.5}, "priors.ramp_years.sd", "required"),
    ("priors__p_luck", _fixed(0.5), "priors.p_luck", "unknown parameter"),
    ("cases__2__validation_cost", 2_000_000, "cases[2].validation_cost", "must not exceed"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value", "where", "what"), BAD)
def test_bad_config_one_line(data, tmp_path, key, value, where, what):
    d = copy.deepcopy(data)
    *head, last = key.split("__")
    node = d
    for part in head:
        node = node[int(part)] if part.isdigit() else node[part]
    node[last] = value
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(d), encoding="utf-8")
    cmd = "run" if key == "kind" else "ledger"  # a wrong kind falls to the DSI parser
    r = run_cli(cmd, path, *(["--out", "-"] if cmd == "run" else []))
    assert r.returncode == 2, r.stdout
    assert "Traceback" not in r.stderr
    if key != "kind":
        assert r.stderr.count("\n") == 1, r.stderr
        assert str(path) in r.stderr and where in r.stderr and what in r.stderr, r.stderr


def test_missing_prior_is_named(data):
    d = copy.deepcopy(data)
    del d["priors"]["screen_specificity"]
    with pytest.raises(Exception, match=r"priors\.screen_specificity: is required"):
        parse_portfolio(d, "x.toml")


# ---------------------------------------------------------------------------
# Analytic checks
# ---------------------------------------------------------------------------


def _deterministic_pool(data, **extra):
    """One candidate whose cost, benefit and timing are fixed: a known cash stream."""
    d = copy.deepcopy(data)
    d["options"] = [dict(d["options"][0], years=[2025], wages=[500_000.0],
                         other_running=[1_000_000.0], staff_fte=[1.0])]  # fmt: skip
    d["cases"] = []
    d["algorithms"].update(candidates=1, cost_low=1_500_000.0, cost_high=1_500_000.0)
    d["benefits"].update(money_median=400_000.0, money_sd_log=0.0, staff_fte_median=0.5,
                         staff_fte_sd_log=0.0)  # fmt: skip
    d["priors"].update(
        p_gain=_fixed(1.0), p_workload=_fixed(0.0), readiness_correlation=_fixed(0.0),
        screen_sensitivity=_fixed(1.0), screen_specificity=_fixed(1.0), ramp_years=_fixed(0.0),
        running_cost_share=_fixed(0.2), benefit_scale=_fixed(1.0),
    )  # fmt: skip
    d.update(extra)
    return parse_portfolio(d, "deterministic.toml")


def test_npv_of_a_fixed_stream_is_the_closed_form(data):
    cfg = _deterministic_pool(data)
    ds = simulate(cfg, draws=5, seed=1)
    C, r, rate, life = 1_500_000.0, 0.2, 0.035, 6
    money = 400_000.0 + 0.5 * 600_000.0  # money plus staff årsværk at the stated wage
    # 2025: validation then implementation (C); live from 1 Jan 2026 for six years.
    annuity = (1 - (1 + rate) ** -life) / rate
    expected = -C + (money - r * C) * annuity
    np.testing.assert_allclose(ds["npv"].values, expected, rtol=1e-6)
    np.testing.assert_allclose(ds["npv_without_screening"].values, expected, rtol=1e-6)
    assert (ds["algorithms_live"].values == 1).all()
    cum = -C + np.cumsum([(money - r * C) * (1 + rate) ** -t for t in range(1, life + 1)])
    assert ds["break_even_year"].values[0, 0] == 2026 + np.argmax(cum > 0)


def test_unspent_money_is_returned_not_spent(data):
    cfg = _deterministic_pool(data)
    ds = simulate(cfg, draws=3, seed=2)
    # 1.5 mio budget, one candidate of 1.5 mio: nothing left; with a bigger budget the
    # rest comes back and is not a cost.
    assert (ds["pool_unspent"].values == 0).all()
    d = copy.deepcopy(data)
    cfg2 = _deterministic_pool(d)
    opt = cfg2.options[0].model_copy(update={"other_running": [3_000_000.0]})
    cfg2 = cfg2.model_copy(update={"options": [opt]})
    ds2 = simulate(cfg2, draws=3, seed=2)
    np.testing.assert_allclose(ds2["pool_unspent"].values, 2_000_000.0)
    np.testing.assert_allclose(ds2["npv"].values, ds["npv"].values)


def _binomial_config(data, p: float, rho: float):
    """Costs fixed, no running cost: the pool starts the same number of candidates always."""
    d = copy.deepcopy(data)
    d["cases"] = []
    d["algorithms"].update(cost_low=1_500_000.0, cost_high=1_500_000.0)
    d["priors"].update(
        p_gain=_fixed(p), readiness_correlation=_fixed(rho), running_cost_share=_fixed(0.0),
        screen_sensitivity=_fixed(0.9), screen_specificity=_fixed(0.7),
    )  # fmt: skip
    return parse_portfolio(d, "binomial.toml")


@pytest.mark.parametrize("rho", [0.0, 0.3])
def test_successes_are_binomial_or_correlated_as_the_factor_says(data, rho):
    p, N = 0.35, 20_000
    ds = simulate(_binomial_config(data, p, rho), draws=N, seed=TEST_SEED)
    started = ds["algorithms_started"].sel(screening="without").values
    gains = ds["algorithms_live_with_gain"].sel(screening="without").values.astype(float)
    for i in range(started.shape[1]):
        n = started[0, i]
        assert (started[:, i] == n).all()  # no refunds without screening: fixed count
        x = gains[:, i]
        mean = n * p
        # Var = n p (1-p) + n (n-1) Cov, Cov from the bivariate normal orthant.
        t = stats.norm.ppf(p)
        both = stats.multivariate_normal(cov=[[1, rho], [rho, 1]]).cdf([t, t]) if rho else p * p
        var = n * p * (1 - p) + n * (n - 1) * (both - p * p)
        se_mean = math.sqrt(var / N)
        assert abs(x.mean() - mean) < 4 * se_mean, (i, x.mean(), mean)
        # SE of a sample variance ~ var * sqrt(2 / N) (normal approximation, 4 SE).
        assert abs(x.var(ddof=1) - var) < 4 * var * math.sqrt(2 / N) + 0.05 * var, (i, rho)
        if rho == 0.0:
            # the whole distribution: chi-square against Binomial(n, p)
            k = np.arange(n + 1)
            expected = stats.binom.pmf(k, n, p) * N
            observed = np.bincount(x.astype(int), minlength=n + 1)
            keep = expected > 5
            chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
            assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-4


def test_screening_stops_the_expected_share(data):
    p, sens, spec, N = 0.35, 0.9, 0.7, 20_000
    ds = simulate(_binomial_config(data, p, 0.2), draws=N, seed=TEST_SEED + 1)
    q = p * (1 - sens) + (1 - p) * spec  # P(stopped | started)
    with_ = ds.sel(screening="with")
    for i in range(ds.sizes["option"]):
        # A candidate's own result is unknown when it is started, so E[stopped] = q E[started].
        d = with_["algorithms_stopped"].values[:, i] - q * with_["algorithms_started"].values[:, i]
        assert abs(d.mean()) < 4 * d.std(ddof=1) / math.sqrt(N)


def test_break_even_year_needs_to_stay_positive():
    years = np.array([2025, 2026, 2027, 2028])
    cum = np.array([[-1, 1, -1, 2], [-1, -1, 1, 3], [1, 2, 3, 4], [-1, -2, -3, -1.0]])
    got = break_even_year(cum, years)
    np.testing.assert_array_equal(got[:3], [2028, 2027, 2025])
    assert np.isnan(got[3])


# ---------------------------------------------------------------------------
# The shipped config end to end (small run)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result():
    cfg, text = load_portfolio(CONFIG)
    return simulate(cfg, draws=4000, seed=TEST_SEED, config_text=text)


def test_dataset_conventions(result):
    ds = result
    assert ds.attrs["simrisk_kind"] == "simrisk.portfolio"
    for key in ("version", "seed", "draws", "config", "config_sha256", "created_at"):
        assert key in ds.attrs
    assert ds["npv"].dims == ("draw", "option")
    assert ds["parameters"].dims == ("draw", "parameter")
    assert list(ds["option"].values) == ["pool_3", "pool_6", "pool_10"]
    for name, var in ds.data_vars.items():
        assert var.attrs.get("units") and var.attrs.get("long_name"), name
    for dim in ds.dims:
        assert dim in ds.coords, dim


def test_more_money_more_algorithms_live(result):
    live = result["algorithms_live"].sel(screening="with").mean("draw").values
    assert live[0] < live[1] < live[2]
    # screening stops candidates only in the "with" mode
    assert (result["algorithms_stopped"].sel(screening="without") == 0).all()


def test_pool_never_overspends(result):
    spent_in_pool = result["cost_by_year"].sel(year=slice(2025, 2028)).sum("year")
    budget = result["budget_total"]
    # Spending during the pool years never exceeds the money that has arrived.
    assert (spent_in_pool <= budget * (1 + 1e-6)).all()


def test_run_summary_and_report_cli(tmp_path):
    nc = tmp_path / "pool.nc"
    r = run_cli("run", CONFIG, "--draws", "3000", "--out", nc, "--json")
    assert r.returncode == 0, r.stderr
    js = json.loads(r.stdout)
    for k in ("pool_3", "pool_6", "pool_10"):
        o = js["options"][k]
        assert set(o["p_net_benefit_positive"]) == {"value", "se"}
        assert {"mean", "p5", "p50", "p95"} <= set(o["npv"])
        assert set(o["p_net_benefit_positive_by_year"]) == {str(y) for y in range(2025, 2035)}
        assert "mean" in o["algorithms_live"] and "mean" in o["value_of_screening"]
    means = [js["options"][k]["algorithms_live"]["mean"] for k in ("pool_3", "pool_6", "pool_10")]
    assert means == sorted(means)
    s = run_cli("summary", nc, "--json")
    assert s.returncode == 0 and json.loads(s.stdout)["options"] == js["options"]
    text = run_cli("summary", nc)
    assert "P(net benefit > 0)" in text.stdout


def test_run_cli_refuses_fixed_parameters():
    r = run_cli("run", CONFIG, "--draws", "400", "--out", "-", "--fixed-parameters")
    assert r.returncode == 2 and "--fixed-parameters" in r.stderr
    assert "Traceback" not in r.stderr


def test_pool_money_is_spent_or_returned(data):
    # Without running costs everything the pool commits is spent on validation and
    # implementation (some after 2028): budget = all spending + money returned.
    ds = simulate(_binomial_config(data, 0.35, 0.2), draws=2000, seed=TEST_SEED + 2)
    spent = ds["cost_by_year"].astype(np.float64).sum("year")
    total = spent + ds["pool_unspent"]
    np.testing.assert_allclose(
        total.values,
        np.broadcast_to(ds["budget_total"].values[None, :, None], total.shape),
        rtol=1e-6,
    )


@pytest.mark.parametrize("lang", ["en", "da"])
def test_report_pages_have_titles_and_labels(result, lang):
    import matplotlib.pyplot as plt

    from simrisk.report.portfolio import build

    report = build(result, lang=lang)
    pages = [p for p in report.pages if p.make is not None]
    names = [p.name for p in pages]
    figs = [p.make() for p in pages]
    try:
        assert names[:2] == ["decision", "reconciliation"]
        for name, fig in zip(names, figs, strict=True):
            texts = [t.get_text() for t in fig.texts]
            for ax in fig.axes:
                texts.append(ax.get_title())
                assert ax.get_xlabel() and ax.get_ylabel(), (name, ax.get_title())
            assert any(t.strip() for t in texts), name
            joined = " ".join(texts)
            if lang == "da":
                assert "net benefit" not in joined and "draws" not in joined, name
    finally:
        for fig in figs:
            plt.close(fig)


def test_report_cli_writes_pdf_and_refuses_bad_lang(result, tmp_path):
    from simrisk.core.dataset import write_netcdf

    nc = write_netcdf(result, tmp_path / "r.nc")
    pdf = tmp_path / "r.pdf"
    r = run_cli("report", nc, "-o", pdf, "--lang", "da", "--figures", tmp_path / "png")
    assert r.returncode == 0, r.stderr
    assert pdf.read_bytes()[:4] == b"%PDF"
    assert len(list((tmp_path / "png").glob("page_*.png"))) == 11
    assert not list(tmp_path.glob(".*part"))  # nothing written half


def test_every_number_cites_a_source_or_says_assumption():
    import re

    for i, line in enumerate(CONFIG.read_text(encoding="utf-8").splitlines(), start=1):
        bare = re.sub(r'"[^"]*"', '""', line)
        code, _, comment = bare.partition("#")
        if "=" not in code or "schema_version" in code:
            continue
        if re.search(r"\d", code.split("=", 1)[1]):
            comment = line[len(code) + 1 :]
            assert "docs/sources.md#" in comment or "assumption" in comment, f"line {i}: {line}"


def test_named_cases_head_the_pipeline():
    from simrisk.core.rng import key_from_seed
    from simrisk.kinds.portfolio.inputs import build_inputs
    from simrisk.kinds.portfolio.reference import candidates_reference
    from simrisk.kinds.portfolio.simulate import draw_parameters, first_word

    cfg, _ = load_portfolio(CONFIG)
    assert [c.id for c in cfg.cases] == ["epic_summary", "llm_chatbot", "ed_arrivals"]
    inp = build_inputs(cfg)
    key, _ = key_from_seed(3)
    cand = candidates_reference(inp, 0, draw_parameters(inp, 0, 500, key), key, first_word(inp))
    # ED-arrival prediction: 1,470,000 in all, 900,000 + 120,000 before the screening decision.
    np.testing.assert_allclose(cand[:, 2, 0], 1_470_000)
    np.testing.assert_allclose(cand[:, 2, 1], 1_020_000)
    np.testing.assert_allclose(cand[:, 2, 2], 450_000)
    assert (cand[:, 0, 0] <= 1_500_000).all() and (cand[:, 3:, 0] >= 1_000_000).all()


def test_summary_has_evpi_and_evppi_per_parameter(result):
    """EVPI is the textbook formula on no pool (0) and the option NPVs; each EVPPI lies in
    [0, EVPI]."""
    from simrisk.kinds.portfolio.summary import summarize

    s = summarize(result)
    assert s["voi_draws"] == min(result.sizes["draw"], 50_000)
    npv = result["npv"].values.astype(np.float64)  # EVPI: every draw
    nb = np.column_stack([np.zeros(npv.shape[0]), npv])
    assert s["evpi"]["value"] == pytest.approx(nb.max(axis=1).mean() - nb.mean(axis=0).max())
    alternatives = ["no_pool", *(str(o) for o in result["option"].values)]
    assert s["voi_best_option"] == alternatives[int(nb.mean(axis=0).argmax())]
    X = result["parameters"].values
    names = [str(p) for k, p in enumerate(result["parameter"].values) if np.ptp(X[:, k]) > 0]
    assert set(s["evppi"]) == set(names)
    for p, e in s["evppi"].items():
        assert set(e) == {"value", "se"} and e["se"] >= 0, p
        # SE 0 only where the cross-fitted rule never leaves the best option: EVPPI exactly 0.
        assert e["se"] > 0 or e["value"] == 0, p
        assert -4 * e["se"] <= e["value"] <= s["evpi"]["value"] + 4 * e["se"], p


def test_evpi_is_one_figure_when_evppi_uses_a_subsample(result):
    # the summary's EVPPI regressions may run on the first draws only; its EVPI (and its
    # SE and best option) is still over every draw: the decision summary's figure
    from simrisk.kinds.portfolio.summary import value_of_information

    n = result.sizes["draw"] // 2
    v = value_of_information(result, max_draws=n, n_post=5)
    assert v.attrs["subsample"] == n and v.attrs["evpi_draws"] == result.sizes["draw"]
    import simrisk

    decision = simrisk.summary(result)["decision"]
    assert float(v["evpi"]) == decision["evpi"]["value"]
    assert float(v["evpi_se"]) == decision["evpi"]["se"]


def test_voi_cli_on_a_portfolio_result(result, tmp_path):
    from simrisk.core.dataset import write_netcdf

    nc = write_netcdf(result, tmp_path / "r.nc")
    r = run_cli("voi", nc, "--parameter", "benefit_scale", "--json")
    assert r.returncode == 0, r.stderr
    js = json.loads(r.stdout)
    # no pool is an alternative (net benefit 0) in every decision output
    assert js["options"] == ["no_pool", *(str(o) for o in result["option"].values)]
    assert list(js["evppi"]) == ["benefit_scale"] and js["groups"] == {}
    npv = result["npv"].values.astype(np.float64)
    nb = np.column_stack([np.zeros(npv.shape[0]), npv])
    assert js["evpi"] == pytest.approx(nb.max(axis=1).mean() - nb.mean(axis=0).max())


def test_no_pool_is_an_alternative_in_p_best_and_acceptability(result):
    """Doing nothing has its own row: no pool is best where every option's NPV is <= 0."""
    from simrisk.kinds.portfolio.summary import summarize

    s = summarize(result)
    npv = result["npv"].values.astype(np.float64)
    N = npv.shape[0]
    assert next(iter(s["p_best"])) == "no_pool"
    assert s["p_best"]["no_pool"]["value"] == pytest.approx((npv.max(axis=1) <= 0).mean())
    assert sum(v["value"] for v in s["p_best"].values()) == pytest.approx(1.0)
    for v in s["p_best"].values():
        assert v["se"] == pytest.approx(np.sqrt(v["value"] * (1 - v["value"]) / N))
    acc = s["acceptability"]["p_best"]
    assert next(iter(acc)) == "no_pool"
    assert np.allclose(np.sum([acc[k] for k in acc], axis=0), 1.0)
    for o in s["options"].values():
        be = o["break_even"]
        assert be["p_never"]["value"] + be["p_within_horizon"]["value"] == pytest.approx(1.0)


def test_pool_decision_ranks_no_pool_and_the_options_by_expected_npv(result):
    from simrisk.decision.rules import decide

    d = decide(result)
    npv = result["npv"].values.astype(np.float64)
    ev = d["rules"]["expected_value"]
    assert d["alternatives"] == ["no_pool", *(str(o) for o in result["option"].values)]
    means = {
        "no_pool": 0.0,
        **{str(o): npv[:, i].mean() for i, o in enumerate(result["option"].values)},
    }
    assert ev["ranking"] == sorted(means, key=lambda a: -means[a])
    top = np.maximum(npv.max(axis=1), 0.0)
    for k, a in enumerate(means):
        col = 0.0 if a == "no_pool" else npv[:, k - 1]
        assert ev["alternatives"][a]["expected_regret"] == pytest.approx((top - col).mean())
    assert "hurdle" not in d["rules"]
