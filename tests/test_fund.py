"""The fund kind: against closed forms (Vasicek's finite pool, the convolution of
independent marginals), the Euler allocation, the kernels against their reference,
and bad input refused in one line."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from scipy import integrate, stats

from simrisk.core.errors import ConfigError, SimriskError
from simrisk.kinds.fund.config import load_fund
from simrisk.kinds.fund.simulate import simulate
from simrisk.kinds.fund.summary import summarize, tail_figures
from tests.conftest import ROOT, SLOW, run_cli

N_DEALS, P_LOSS, CAPITAL = 14, 0.15, 1_000_000


def _pool_config(tmp_path: Path, rho: float, draws: int, family="gaussian") -> Path:
    """N equal deals that repay in full or lose everything with probability P_LOSS."""
    rho_prior = f'{{ dist = "fixed", value = {rho} }}'
    df = "df = 5\n" if family == "t" else ""
    deals = "".join(
        f'[[deals]]\nid = "d{i}"\ncapital = {CAPITAL}\nstart = 2020-01-01\nend = 2025-12-31\n'
        f"judgement = {{ min = 1.0, mode = 1.0, max = 1.0, p_total_loss = {P_LOSS}, "
        "p_shortfall = 0.0 }\n"
        for i in range(N_DEALS)
    )
    text = (
        'kind = "fund"\n[fund]\nname = "pool"\ncapital = 14_000_000\nstart = 2020-01-01\n'
        "end = 2030-12-31\ndiscount_rate = 0.04\n"
        f'[copula]\nfamily = "{family}"\n{df}rho = {rho_prior}\n'
        f"[simulation]\ndraws = {draws}\nseed = 11\n{deals}"
    )
    path = tmp_path / f"pool_{rho}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def vasicek_pmf(n: int, p: float, rho: float) -> np.ndarray:
    """P(k of n equal deals lose), one-factor Gaussian copula (Vasicek's finite pool)."""
    if rho == 0.0:
        return stats.binom.pmf(np.arange(n + 1), n, p)
    c = stats.norm.ppf(p)

    def cond(z, k):
        q = stats.norm.cdf((c - math.sqrt(rho) * z) / math.sqrt(1 - rho))
        return stats.binom.pmf(k, n, q) * stats.norm.pdf(z)

    return np.array([integrate.quad(cond, -12, 12, args=(k,), limit=200)[0] for k in range(n + 1)])


@pytest.mark.parametrize("rho", [0.0, 0.1, 0.3])
def test_loss_count_is_vasicek_finite_pool(tmp_path, rho):
    n = 40_000
    loaded, text = load_fund(_pool_config(tmp_path, rho, n))
    ds = simulate(loaded, config_text=text)
    k = np.rint(ds["fund_loss"].values / CAPITAL).astype(int)
    got = np.bincount(k, minlength=N_DEALS + 1) / n
    want = vasicek_pmf(N_DEALS, P_LOSS, rho)
    assert want.sum() == pytest.approx(1.0, abs=1e-9)
    se = np.sqrt(want * (1 - want) / n)
    for kk in range(N_DEALS + 1):
        if want[kk] > 1e-4:
            assert abs(got[kk] - want[kk]) <= 4 * se[kk], (kk, got[kk], want[kk], se[kk])
    # the figure: P(>= 6 of 14 lose) is 1.2% independent, 9.3% at rho = 0.3
    tail = want[6:].sum()
    assert tail == pytest.approx({0.0: 0.012, 0.1: tail, 0.3: 0.093}[rho], abs=0.0006)


def _fake_contract_result(path: Path, values: np.ndarray, probs: np.ndarray, n: int, seed: int):
    """A contract result: the investor pays 100 in 2021, gets one of ``values`` in 2024."""
    rng = np.random.default_rng(seed)
    got = rng.choice(values, size=n, p=probs)
    cf = np.zeros((n, 4))
    cf[:, 0] = -100.0
    cf[:, 3] = got
    ds = xr.Dataset(
        {"cash_flow_by_year": (("draw", "year"), cf)},
        coords={"draw": np.arange(n), "year": np.arange(2021, 2025)},
        attrs={"simrisk_kind": "simrisk.run"},
    )
    ds.to_netcdf(path, engine="h5netcdf")
    return got


def test_independent_deals_give_the_convolution_of_their_marginals(tmp_path):
    # Two simulated deals with lattice marginals and one judgement deal that loses 100
    # or nothing: at rho = 0 the fund's loss is the convolution of the three.
    a = _fake_contract_result(
        tmp_path / "a.nc", np.array([0.0, 50, 100, 130]), np.array([0.1, 0.2, 0.5, 0.2]), 5_000, 1
    )
    b = _fake_contract_result(
        tmp_path / "b.nc", np.array([20.0, 80, 110]), np.array([0.3, 0.3, 0.4]), 3_000, 2
    )
    cfg = tmp_path / "f.toml"
    cfg.write_text(
        'kind = "fund"\n[fund]\nname = "conv"\ncapital = 300\nstart = 2020-01-01\n'
        'end = 2030-12-31\ndiscount_rate = 0.0\n[copula]\nrho = { dist = "fixed", value = 0.0 }\n'
        "[simulation]\ndraws = 60000\nseed = 5\n"
        '[[deals]]\nid = "a"\nresult = "a.nc"\n[[deals]]\nid = "b"\nresult = "b.nc"\n'
        '[[deals]]\nid = "c"\ncapital = 100\nstart = 2021-01-01\nend = 2024-12-31\n'
        "judgement = { min = 1.0, mode = 1.0, max = 1.0, p_total_loss = 0.25, "
        "p_shortfall = 0.0 }\n",
        encoding="utf-8",
    )
    loaded, text = load_fund(cfg)
    ds = simulate(loaded, config_text=text)

    # each marginal as its own empirical distribution of losses (what the fund samples)
    def pmf(x):
        loss = np.maximum(100 - x, 0)
        vals, counts = np.unique(loss, return_counts=True)
        return dict(zip(vals.tolist(), (counts / len(x)).tolist(), strict=True))

    conv: dict[float, float] = {}
    for la, pa in pmf(a).items():
        for lb, pb in pmf(b).items():
            for lc, pc in ((0.0, 0.75), (100.0, 0.25)):
                conv[la + lb + lc] = conv.get(la + lb + lc, 0.0) + pa * pb * pc
    loss = ds["fund_loss"].values
    n = loss.shape[0]
    for value, p in conv.items():
        got = float(np.mean(np.isclose(loss, value)))
        assert abs(got - p) <= 4 * math.sqrt(p * (1 - p) / n), (value, got, p)


def test_euler_contributions_add_up_to_the_shortfall(tmp_path):
    loaded, text = load_fund(_pool_config(tmp_path, 0.2, 5_000))
    ds = simulate(loaded, config_text=text)
    s = summarize(ds)
    for tag in ("95", "99"):
        total = sum(e["value"] for e in s[f"es_{tag}_contributions"].values())
        assert total == pytest.approx(s[f"es_{tag}"]["value"], rel=1e-9)
    # and on a continuous loss with unequal deals
    rng = np.random.default_rng(3)
    parts = rng.gamma(0.5, size=(20_000, 4)) * [1, 2, 3, 4]
    t = tail_figures(parts.sum(axis=1), parts, 0.99)
    assert sum(c["value"] for c in t["contributions"]) == pytest.approx(
        t["es"]["value"], rel=1e-12
    )


def test_kernels_equal_their_reference(tmp_path):
    from simrisk.core.rng import key_from_seed
    from simrisk.kinds.fund import reference
    from simrisk.kinds.fund._kernel import irr_by_draw, latents

    key, _ = key_from_seed(9)
    n, J, S, df = 300, 3, 2, 4
    got = [np.empty(n), np.empty(n), np.empty((n, S)), np.empty(n), np.empty((n, J))]
    latents(key, 17, n, J, S, df, got[0], got[1], got[2], got[3], got[4])
    want = reference.latents(key, 17, n, J, S, df)
    for g, w in zip(got, (want[0], want[1], want[2], want[3], want[4]), strict=True):
        np.testing.assert_array_equal(g, w)
    t = np.arange(6) + 0.5
    cf = np.column_stack([-np.ones(n), np.zeros((n, 4)), np.linspace(0.5, 2, n)])
    irr, st = np.empty(n), np.empty(n, dtype=np.int8)
    irr_by_draw(t, cf, irr, st)
    r_irr, r_st = reference.irr_by_draw(t, cf)
    np.testing.assert_allclose(irr, r_irr, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(st, r_st)


def test_student_t_copula_keeps_uniform_marginals_and_fattens_the_tail(tmp_path):
    n = 20_000
    g = simulate(load_fund(_pool_config(tmp_path, 0.1, n))[0])
    t = simulate(load_fund(_pool_config(tmp_path, 0.1, n, family="t"))[0])
    for ds in (g, t):
        u = ds["rank"].values[:, 0].astype(np.float64)
        assert stats.kstest(u, "uniform").pvalue > 1e-3
    many = [float((ds["fund_loss"].values >= 6 * CAPITAL).mean()) for ds in (g, t)]
    assert many[1] > many[0] + 4 * math.sqrt(many[0] * (1 - many[0]) / n)


def test_draws_do_not_depend_on_other_deals(tmp_path):
    # Dropping a deal leaves every other deal's numbers as they were (common random
    # numbers for the fund with and without a candidate).
    loaded, _ = load_fund(_pool_config(tmp_path, 0.2, 2_000))
    full = simulate(loaded)
    cfg = _pool_config(tmp_path, 0.2, 2_000)
    text = cfg.read_text().rsplit("[[deals]]", 1)[0]
    cfg.write_text(text)
    fewer = simulate(load_fund(cfg)[0])
    np.testing.assert_array_equal(full["loss"].values[:, : N_DEALS - 1], fewer["loss"].values)


@pytest.mark.slow
def test_shipped_fund_runs_and_reports_its_figures(tmp_path):
    config = ROOT / "configs" / "dsi_fund.toml"
    if not SLOW:  # short form: 2,000 worlds per simulated deal, not 20,000 (24 s to 4 s)
        shutil.copytree(ROOT / "configs", tmp_path / "configs")
        config = tmp_path / "configs" / "dsi_fund.toml"
        text = config.read_text(encoding="utf-8")
        assert text.count("\ndraws = 20_000 ") == 2
        config.write_text(text.replace("\ndraws = 20_000 ", "\ndraws = 2_000 "), "utf-8")
    proc = run_cli("run", config, "--draws", "4000", "--out", "-", "--json")
    assert proc.returncode == 0, proc.stderr
    import json

    s = json.loads(proc.stdout)
    for key in ("expected_loss", "var_99", "es_99"):
        assert set(s[key]) == {"value", "se"} and s[key]["se"] > 0
    assert s["p_loss_above"]["0.1"]["value"] >= 0
    total = sum(e["value"] for e in s["es_99_contributions"].values())
    assert total == pytest.approx(s["es_99"]["value"], rel=1e-9)
    assert s["candidate"]["deal"] == "norddjurs"


@pytest.mark.parametrize(
    "old, new, want",
    [
        ("judgement = { min = 1.0", "judgement = { min = 1.2", "deals[0].judgement.min = 1.2"),
        ("start = 2020-01-01\nend = 2025", "start = 2019-01-01\nend = 2025", "fund's dates"),
        ("value = 0.2 }", "value = 1.0 }", "copula.rho"),
        (
            "p_shortfall = 0.0 }\n",
            'p_shortfall = 0.0 }\nguarantee = { by = "F", amount = 2000000 }\n',
            "guarantee.amount",
        ),
    ],
)
def test_bad_fund_configs_are_refused_in_one_line(tmp_path, old, new, want):
    cfg = _pool_config(tmp_path, 0.2, 2_000)
    text = cfg.read_text()
    assert old in text
    cfg.write_text(text.replace(old, new, 1))
    proc = run_cli("run", cfg, "--out", str(tmp_path / "x.nc"))
    assert proc.returncode == 2, proc.stderr
    assert want in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.nc").exists()


def test_a_deal_file_of_another_kind_is_refused(tmp_path):
    ds = xr.Dataset({"x": ("draw", np.zeros(200))}, attrs={"simrisk_kind": "simrisk.wellby"})
    ds.to_netcdf(tmp_path / "w.nc", engine="h5netcdf")
    cfg = _pool_config(tmp_path, 0.2, 2_000)
    cfg.write_text(cfg.read_text() + '[[deals]]\nid = "w"\nresult = "w.nc"\n')
    with pytest.raises(SimriskError, match="a fund deal needs a contract result"):
        simulate(load_fund(cfg)[0])
    with pytest.raises(ConfigError, match="give exactly one of"):
        cfg.write_text(cfg.read_text() + '[[deals]]\nid = "v"\n')
        load_fund(cfg)


def test_example_copies_the_deal_configs_a_fund_reads(tmp_path):
    from simrisk.examples import copy_example

    names = sorted(p.name for p in copy_example("dsi_fund", tmp_path))
    assert names == ["dsi_aarhus_youth_homelessness.toml", "dsi_fund.toml", "dsi_norddjurs.toml"]
    load_fund(tmp_path / "dsi_fund.toml")  # every deal's file is where the config says
