"""The portfolio kernel: equal to its NumPy reference, independent of chunks and threads."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from simrisk.core.rng import key_from_seed
from simrisk.kinds.portfolio import load_portfolio
from simrisk.kinds.portfolio.inputs import build_inputs
from simrisk.kinds.portfolio.reference import simulate_reference
from simrisk.kinds.portfolio.simulate import draw_parameters, run_kernel, simulate
from tests.conftest import ROOT, TEST_SEED

CONFIG = ROOT / "configs" / "regionh_ai_pool.toml"


@pytest.fixture(scope="module")
def cfg():
    return load_portfolio(CONFIG)


@pytest.mark.parametrize("lapse", [False, True])
def test_kernel_equals_reference_on_the_same_stream(cfg, lapse):
    c, _ = cfg
    if lapse:
        c = c.model_copy(
            update={"horizon": c.horizon.model_copy(update={"unspent_money": "lapse"})}
        )
    inp = build_inputs(c)
    key, _ = key_from_seed(TEST_SEED)
    draw0 = 123_456  # not at the start: positions depend on the global draw index
    params = draw_parameters(inp, draw0, 300, key)
    k = run_kernel(inp, draw0, params, key)
    r = simulate_reference(inp, draw0, params, key)
    # Decisions (which candidate starts, stops, goes live) are identical ...
    np.testing.assert_array_equal(k["counts"], r["counts"])
    np.testing.assert_array_equal(k["cost"], r["cost"])
    np.testing.assert_array_equal(k["unspent"], r["unspent"])
    # ... and money differs only by float rounding (AS 241 vs scipy's ndtri, pow).
    for name in ("money", "staff", "patients", "totals"):
        np.testing.assert_allclose(k[name], r[name], rtol=1e-9, atol=1e-6, err_msg=name)
    assert k["counts"][..., 2].sum() > 0  # the comparison covers screening stops


def _same(a, b):
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


def test_independent_of_chunk_size_and_threads(cfg):
    c, text = cfg
    base = simulate(c, draws=700, seed=5, chunk_size=700, threads=1, config_text=text)
    _same(base, simulate(c, draws=700, seed=5, chunk_size=97, config_text=text))
    top = numba.config.NUMBA_NUM_THREADS
    _same(base, simulate(c, draws=700, seed=5, chunk_size=256, threads=top, config_text=text))
    numba.set_num_threads(top)


def test_prefix_of_a_longer_run_and_seed_matters(cfg):
    c, _ = cfg
    short = simulate(c, draws=300, seed=9)
    long = simulate(c, draws=600, seed=9, chunk_size=128)
    _same(short, long.isel(draw=slice(0, 300)))
    other = simulate(c, draws=300, seed=10)
    assert not np.array_equal(short["npv"].values, other["npv"].values)
