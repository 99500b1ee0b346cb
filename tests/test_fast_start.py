"""Fast start (issue 15): what the light commands import, one arithmetic for ledger and
kernel, central values without scipy.stats, and the notice on a cold Numba cache.

Timing is not tested here: ``benchmarks/benchmarks/scale.py`` (``WarmStart``)
measures the warm start as a ratio and ``benchmarks/check_scale.py`` judges it.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from simrisk.core.config import Prior
from simrisk.kinds import RunOptions
from tests.conftest import DSI_CONFIG, ROOT

PORTFOLIO_CONFIG = ROOT / "configs" / "regionh_ai_pool.toml"
NOTICE = "compiling the simulation kernel (first run only"

# Runs the CLI in a fresh interpreter and writes the heavy modules it loaded to argv[1].
_PROBE = """
import json, sys
from simrisk.cli import main
out, argv = sys.argv[1], sys.argv[2:]
try:
    status = main(argv)
except SystemExit as exc:
    status = exc.code
watched = {watched!r}
with open(out, "w") as f:
    json.dump({{"status": status, "loaded": [m for m in watched if m in sys.modules]}}, f)
"""

NOTHING_HEAVY = ("numba", "xarray", "pandas", "scipy", "matplotlib", "numpy", "pydantic")
NO_ENGINE = ("numba", "xarray", "pandas", "scipy", "matplotlib", "h5py")


def _loaded(tmp_path, *argv, watched=NOTHING_HEAVY) -> list[str]:
    out = tmp_path / "loaded.json"
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE.format(watched=watched), str(out), *map(str, argv)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(out.read_text())
    assert found["status"] in (0, None), (argv, proc.stderr)
    return found["loaded"]


# --- what the light commands import ------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["ledger", DSI_CONFIG],
        ["ledger", DSI_CONFIG, "--json", "--success-rate", "0.5"],
    ],
    ids=["ledger", "ledger-json"],
)
def test_contract_ledger_imports_no_numba_xarray_or_scipy(tmp_path, argv):
    assert _loaded(tmp_path, *argv, watched=NO_ENGINE) == []


def test_portfolio_ledger_imports_no_numba_xarray_or_scipy_stats(tmp_path):
    watched = ("numba", "xarray", "pandas", "scipy.stats", "matplotlib")
    assert _loaded(tmp_path, "ledger", PORTFOLIO_CONFIG, watched=watched) == []


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["run", "--help"], ["ledger", "--help"], ["summary", "--help"], ["--version"]],
    ids=lambda a: " ".join(a),
)
def test_help_imports_nothing_heavy(tmp_path, argv):
    assert _loaded(tmp_path, *argv) == []


def test_example_list_imports_nothing_heavy(tmp_path):
    assert _loaded(tmp_path, "example", "--list") == []


def test_summary_of_a_contract_run_needs_no_numba(tmp_path):
    from simrisk import kinds
    from simrisk.core.dataset import write_netcdf

    _, kind = kinds.for_config(DSI_CONFIG)
    cfg, text = kind.load(DSI_CONFIG)
    write_netcdf(
        kind.simulate(cfg, RunOptions(draws=400, seed=3, config_text=text)), tmp_path / "r.nc"
    )
    watched = ("numba", "matplotlib")
    assert _loaded(tmp_path, "summary", tmp_path / "r.nc", watched=watched) == []


def test_summary_of_a_portfolio_run_needs_no_numba(tmp_path):
    from simrisk import kinds
    from simrisk.core.dataset import write_netcdf

    _, kind = kinds.for_config(PORTFOLIO_CONFIG)
    cfg, text = kind.load(PORTFOLIO_CONFIG)
    write_netcdf(
        kind.simulate(cfg, RunOptions(draws=400, seed=3, config_text=text)), tmp_path / "p.nc"
    )
    watched = ("numba", "matplotlib")
    assert _loaded(tmp_path, "summary", tmp_path / "p.nc", watched=watched) == []


# --- one arithmetic: the plain functions and their compiled form agree ------------------


def _random_flows(rng, n_sets=300):
    """Conventional and non-conventional dated flows, with ties and zero flows."""
    for k in range(n_sets):
        n = int(rng.integers(2, 12))
        t = np.sort(rng.integers(0, 3000, n)).astype(float) / 365.0
        cf = rng.normal(0.0, 1e5, n)
        if k % 3 == 0:  # conventional: money out first, then in
            cf = np.abs(cf)
            cf[: max(1, n // 3)] *= -1.0
        if k % 7 == 0:
            cf[rng.integers(0, n)] = 0.0
        if k % 11 == 0 and n > 2:
            t[1] = t[0]  # two flows on one date
        yield t, cf


def test_finance_plain_and_compiled_agree(rng):
    from simrisk.core import finance
    from simrisk.core._numba import compiled

    irr = compiled(finance.irr_core)
    npv = compiled(finance.npv_core)
    moic = compiled(finance.moic_core)
    statuses = set()
    for t, cf in _random_flows(rng):
        r_py, s_py = finance.irr_core(t, cf)
        r_nb, s_nb = irr(t, cf)
        statuses.add(s_py)
        assert s_py == s_nb
        if math.isnan(r_py):
            assert math.isnan(r_nb)
        else:
            # The same iterations; exp and pow may differ in the last bit between
            # NumPy and LLVM, which the root finders' tolerance (1e-13) absorbs.
            assert r_nb == pytest.approx(r_py, rel=1e-9, abs=1e-12)
        rate = float(rng.uniform(-0.5, 0.5))
        assert npv(rate, t, cf) == pytest.approx(finance.npv_core(rate, t, cf), rel=1e-12)
        m_py, m_nb = finance.moic_core(cf), moic(cf)
        assert (math.isnan(m_py) and math.isnan(m_nb)) or m_py == m_nb
    # the sample reached the ordinary and the awkward cases
    assert {finance.IRR_OK, finance.IRR_MULTIPLE} <= statuses


def test_contract_arithmetic_plain_and_compiled_agree(rng):
    from simrisk.core._numba import compiled
    from simrisk.kinds.contract import contract as k

    caps = compiled(k.apply_caps_core)
    clause = compiled(k.retention_clause_core)
    topup = compiled(k.floor_topup_core)
    cash = compiled(k.dsi_cash_flow_core)
    for _ in range(200):
        C, G, P = (int(x) for x in rng.integers(1, 5, 3))
        uncapped = rng.uniform(0, 1e6, (C, G))
        goal_payer = rng.integers(0, P, G)
        cap = np.where(rng.random(P) < 0.3, np.inf, rng.uniform(0, 2e6, P))
        order = rng.permutation(C)
        a, b = np.zeros((C, G)), np.zeros((C, G))
        k.apply_caps_core(uncapped, goal_payer, cap, order, a)
        caps(uncapped, goal_payer, cap, order, b)
        np.testing.assert_array_equal(a, b)

        measured = rng.integers(0, 100, C).astype(float)
        count, void = (rng.random(C) < 0.7).astype(float), (rng.random(C) < 0.5).astype(float)
        mode, minimum = int(rng.integers(0, 3)), float(rng.integers(0, 200))
        u1, u2 = uncapped.copy(), uncapped.copy()
        got_py = k.retention_clause_core(measured, mode, minimum, 1e4, count, void, u1)
        got_nb = clause(measured, mode, minimum, 1e4, count, void, u2)
        assert got_py == got_nb
        np.testing.assert_array_equal(u1, u2)

        received, floor = float(rng.uniform(0, 2e6)), float(rng.uniform(0, 2e6))
        assert k.floor_topup_core(received, floor) == topup(received, floor)

        disb = rng.uniform(1, 1e6, int(rng.integers(1, 4)))
        o1, o2 = np.zeros(len(disb) + C), np.zeros(len(disb) + C)
        k.dsi_cash_flow_core(a.sum(axis=1), disb, o1)
        cash(a.sum(axis=1), disb, o2)
        np.testing.assert_array_equal(o1, o2)


# --- central values without scipy.stats ----------------------------------------------------

_PRIORS = [
    Prior(dist="fixed", value=0.3),
    Prior(dist="normal", mean=-0.1645, sd=0.15),
    Prior(dist="lognormal", median=2.0, sd_log=0.4),
    Prior(dist="lognormal", median=1e6, sd_log=1.5),
    Prior(dist="beta", mean=0.2, sd=0.1),
    Prior(dist="beta", mean=0.97, sd=0.01),
    Prior(dist="uniform", low=0.45, high=0.75),
    Prior(dist="uniform", low=-3.0, high=1e5),
    Prior(dist="pert", min=1.2, mode=1.5, max=2.0),
    Prior(dist="pert", min=0.0, mode=0.0, max=1.0),
    Prior(dist="truncnormal", mean=0.6, sd=0.2, low=0.0, high=1.0),
    Prior(dist="truncnormal", mean=0.0, sd=1.0, low=2.0, high=3.0),  # upper tail
    Prior(dist="truncnormal", mean=0.0, sd=1.0, low=-4.0, high=-3.0),  # lower tail
    Prior(dist="truncnormal", mean=0.0, sd=1.0, low=6.0, high=9.0),  # falls back on scipy
    Prior(dist="truncnormal", mean=5.0, sd=0.1, low=5.0, high=5.0001),  # narrow: scipy
]


@pytest.mark.parametrize("prior", _PRIORS, ids=lambda p: f"{p.dist}")
def test_prior_mean_closed_form_matches_scipy(prior):
    from simrisk.core.priors import frozen, prior_mean

    expected = prior.value if prior.dist == "fixed" else float(frozen(prior).mean())
    assert prior_mean(prior) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_config_loading_leaves_the_inverse_cdf_tables_for_the_run(dsi_scenario):
    from simrisk.kinds.contract.inputs import build_inputs

    space = build_inputs(dsi_scenario).space
    assert "tables" not in vars(space)  # not built by loading
    u = np.full((1, len(space.names)), 0.5)
    space.transform(u)
    assert "tables" in vars(space)


# --- the cold-cache notice ------------------------------------------------------------------

_TINY = """
from simrisk.core._numba import jit


@jit
def twice(x):
    return 2.0 * x
"""


def _import_file(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cache_is_cold_until_compiled_and_again_after_the_source_changes(tmp_path):
    from simrisk.core._numba import cache_is_cold

    src = tmp_path / "tiny_kernel.py"
    src.write_text(_TINY)
    first = _import_file(src, "tiny_kernel_a")
    assert cache_is_cold(first.twice)
    assert first.twice(2.0) == 4.0  # compiles and writes the cache
    assert not cache_is_cold(first.twice)  # compiled in this process
    again = _import_file(src, "tiny_kernel_b")  # a new dispatcher, as in a new process
    assert not cache_is_cold(again.twice)  # the cache on disk will be used
    src.write_text(_TINY + "\n# edited\n")
    os.utime(src, ns=(src.stat().st_atime_ns, src.stat().st_mtime_ns + 10**9))
    edited = _import_file(src, "tiny_kernel_c")
    assert cache_is_cold(edited.twice)  # a stale cache is not used


def _notice_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if NOTICE in line]


def test_notice_on_a_fresh_cache_folder_without_compiling(tmp_path):
    # A new NUMBA_CACHE_DIR is what a first run after installing sees.
    code = (
        "from simrisk.core._numba import compile_notice\n"
        "from simrisk.kinds.contract._kernel import chunk_kernel\n"
        "compile_notice(chunk_kernel(2, 1), 15)\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert proc.stdout == ""
    assert _notice_lines(proc.stderr) == [
        "simrisk: compiling the simulation kernel (first run only, about 15 s)"
    ]


def test_notice_unless_quiet_and_only_when_cold(monkeypatch, capsys, dsi_scenario):
    from simrisk.core import _numba
    from simrisk.kinds.contract import kind

    kind.simulate(
        dsi_scenario, RunOptions(draws=400, seed=1)
    )  # compiled (or loaded) in this process
    kind.simulate(dsi_scenario, RunOptions(draws=400, seed=1, quiet=False))
    assert _notice_lines(capsys.readouterr().err) == []  # warm: nothing said
    monkeypatch.setattr(_numba, "cache_is_cold", lambda dispatcher: True)
    kind.simulate(dsi_scenario, RunOptions(draws=400, seed=1, quiet=True))
    assert _notice_lines(capsys.readouterr().err) == []  # --quiet: nothing said
    kind.simulate(dsi_scenario, RunOptions(draws=400, seed=1, quiet=False))
    assert len(_notice_lines(capsys.readouterr().err)) == 1


@pytest.mark.slow(short=False)  # compiles the kernel cold, 15-40 s
def test_first_run_after_install_says_it_compiles_once(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    cmd = [sys.executable, "-m", "simrisk", "run", str(DSI_CONFIG), "--draws", "400"]
    runs = []
    for k in range(2):
        out = tmp_path / f"run{k}.nc"
        proc = subprocess.run(
            [*cmd, "--out", str(out), "--json"], capture_output=True, text=True, env=env
        )
        assert proc.returncode == 0, proc.stderr
        json.loads(proc.stdout)  # the notice never reaches --json's stdout
        runs.append(_notice_lines(proc.stderr))
    assert [len(r) for r in runs] == [1, 0]  # cold, then warm


def test_every_command_that_simulates_a_contract_says_it_will_compile(
    monkeypatch, capsys, tmp_path
):
    """compare, variance, run --until, design and voi --nested give the notice once on a
    cold cache, on stderr only; --quiet silences it where the command has one."""
    from simrisk.cli import main
    from simrisk.core import _numba

    monkeypatch.setattr(_numba, "cache_is_cold", lambda dispatcher: True)
    pilot = ROOT / "configs" / "dsi_norddjurs_retention_pilot.toml"
    run = tmp_path / "run.nc"
    commands = [
        ["compare", str(DSI_CONFIG), str(pilot), "--draws", "400", "--json"],
        ["variance", str(DSI_CONFIG), "--outer", "20", "--inner", "20", "--json"],
        ["run", str(DSI_CONFIG), "--until", "p_npv_negative:se<0.2", "--out", str(run), "--json"],
    ]
    for argv in commands:
        assert main(argv) == 0, argv
        out = capsys.readouterr()
        assert len(_notice_lines(out.err)) == 1, argv
        assert not _notice_lines(out.out), argv
        json.loads(out.out)
    assert main(["voi", str(run), "--parameter", "retention", "--nested", "--outer", "4",
                 "--inner", "20", "--json"]) == 0  # fmt: skip
    assert len(_notice_lines(capsys.readouterr().err)) == 1
    assert main(["voi", str(run), "--parameter", "retention", "--json"]) == 0
    assert _notice_lines(capsys.readouterr().err) == []  # the regression simulates nothing
    quiet = ["run", str(DSI_CONFIG), "--until", "p_npv_negative:se<0.2", "--out",
             str(tmp_path / "q.nc"), "--json", "--quiet"]  # fmt: skip
    assert main(quiet) == 0
    assert _notice_lines(capsys.readouterr().err) == []
