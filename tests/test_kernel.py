"""The faster kernel (issue 15) against the frozen f29a4e6 kernel, bit for bit.

The faster kernel changes how the work is done (branch-free guide steps,
unsigned indices, flat tables, blocks sized to the thread count, the
parameter transform on a thread pool), not what is computed, so every output
must equal the frozen kernel's exactly, for any config, population size,
thread count and chunking.
"""

from __future__ import annotations

import math
import platform
import re
from pathlib import Path

import numba
import numpy as np
import pytest

from simrisk.core.driver import run_chunks
from simrisk.core.rng import key_from_seed
from simrisk.kinds.contract._kernel import _EXP_ADDRESS, _exp, _guided
from simrisk.kinds.contract.bench import frozen_baseline
from simrisk.kinds.contract.inputs import build_inputs, make_guide
from simrisk.kinds.contract.loader import load_scenario
from simrisk.kinds.contract.simulate import (
    RunSpec,
    _empty_outputs,
    simulate_arrays,
    transform_parallel,
)
from tests.conftest import DSI_CONFIG, ROOT

# the frozen f29a4e6 kernel: a file of the checkout (benchmarks/baselines/), not of the package
_BASELINE = frozen_baseline()
assert _BASELINE is not None, "benchmarks/baselines/kernel_frozen.py is missing from the checkout"
frozen_fill = _BASELINE.frozen_fill
draw_parameters_frozen = _BASELINE.draw_parameters_frozen


def _frozen(inp, spec):
    key, _ = key_from_seed(spec.seed)
    return run_chunks(frozen_fill(inp, key), _empty_outputs(inp, spec.draws), spec)


def _assert_same(a, b):
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.mark.parametrize(
    "config",
    [
        "dsi_norddjurs.toml",
        "dsi_norddjurs_pilot_goal3.toml",
        "dsi_norddjurs_recruitment_shortfall.toml",
        "dsi_norddjurs_retention_pilot.toml",
    ],
)
def test_kernel_equals_the_frozen_kernel(config):
    inp = build_inputs(load_scenario(ROOT / "configs" / config)[0])
    spec = RunSpec(draws=1500, seed=11, chunk_size=700)
    _assert_same(simulate_arrays(inp, spec), _frozen(inp, spec))


# a large population compiles its own loop (about 25 s of CPU each): the full run only
@pytest.mark.slow(short=False)
@pytest.mark.parametrize("second", [None, "municipal_use"])
def test_kernel_equals_the_frozen_kernel_for_a_large_population(tmp_path, second):
    # 100,000 referred: citizens beyond 2**15 (the stream's upper half), int32
    # counts, and a chunk of few draws split into blocks of one or two; in DSI's
    # shape and (a second municipal goal) in the general citizen loop.
    text = re.sub(r"(?m)^referred = 700\b", "referred = 100000", DSI_CONFIG.read_text())
    if second:
        text = _with_a_second(text, second)
    path = tmp_path / "large.toml"
    path.write_text(text, encoding="utf-8")
    inp = build_inputs(load_scenario(path)[0])
    spec = RunSpec(draws=6, seed=4, chunk_size=6)
    out = simulate_arrays(inp, spec)
    assert out["measured"].sum(axis=1).max() > 2**15
    _assert_same(out, _frozen(inp, spec))


def _with_a_second(text: str, goal: str) -> str:
    """DSI's config with a copy of ``goal`` (its goal and its model) named ``goal_2``."""
    block = re.search(rf'\[\[goals\]\]\nid = "{goal}".*?(?=\n\[)', text, re.S).group(0)
    model = re.search(rf"\[model\.goals\.{goal}\].*?(?=\n\[)", text, re.S).group(0)
    text = text.replace(block, block + "\n" + block.replace(f'"{goal}"', f'"{goal}_2"'), 1)
    return text.replace(model, model + "\n" + model.replace(f".{goal}]", f".{goal}_2]"), 1)


@pytest.mark.parametrize(
    ("goal", "n_res", "n_score"), [("life_satisfaction", 2, 2), ("municipal_use", 3, 1)]
)
def test_kernel_equals_the_frozen_kernel_for_other_goal_shapes(tmp_path, goal, n_res, n_score):
    # DSI's shape (two resource goals, one score goal) has a citizen loop of its
    # own; any other shape runs the general loop, which must agree too.
    path = tmp_path / "shape.toml"
    path.write_text(_with_a_second(DSI_CONFIG.read_text(), goal), encoding="utf-8")
    inp = build_inputs(load_scenario(path)[0])
    assert (inp.res_goals.shape[0], inp.score_goals.shape[0]) == (n_res, n_score)
    spec = RunSpec(draws=300, seed=12, chunk_size=300)
    _assert_same(simulate_arrays(inp, spec), _frozen(inp, spec))


def test_few_draws_give_the_same_bytes_on_one_thread_and_on_all():
    # Blocks shrink with the draw count and grow with the threads; results must not move.
    inp = build_inputs(load_scenario(DSI_CONFIG)[0])
    one = simulate_arrays(inp, RunSpec(draws=37, seed=8, chunk_size=37, threads=1))
    many = simulate_arrays(
        inp, RunSpec(draws=37, seed=8, chunk_size=37, threads=numba.config.NUMBA_NUM_THREADS)
    )
    _assert_same(one, many)


@pytest.mark.parametrize("threads", [2, 3, 8])
def test_parallel_transform_equals_the_serial_one(threads):
    inp = build_inputs(load_scenario(DSI_CONFIG)[0])
    key, _ = key_from_seed(3)
    n = 5001
    serial = draw_parameters_frozen(inp, 0, n, key)
    u = np.random.default_rng(0).random((n, len(inp.space.names)))
    np.testing.assert_array_equal(
        transform_parallel(inp.space, u, threads), inp.space.transform(u)
    )
    from simrisk.kinds.contract.simulate import draw_parameters

    np.testing.assert_array_equal(draw_parameters(inp, 0, n, key, False), serial)


@numba.njit
def _lookup_all(cdf, guide, us):
    out = np.empty(us.shape[0], np.int64)
    zero = np.uint64(0)
    size = np.uint64(guide.shape[0])
    for j in range(us.shape[0]):
        out[j] = _guided(cdf, guide, zero, zero, size, us[j])
    return out


@pytest.mark.parametrize(
    "weights",
    [
        [0.2, 0.3, 0.5],
        [1 / 11] * 11,
        [0.001] * 40 + [0.96],  # many entries in one guide bucket: the loop's further steps
        [0.5, 0.0, 0.0, 0.5],  # empty categories
        [1.0],
    ],
)
def test_guided_lookup_is_the_first_cdf_entry_above_u(weights, rng):
    cdf = np.cumsum(weights)
    cdf[-1] = 1.0
    guide = make_guide(cdf).astype(np.uint64)
    # Random uniforms, every cdf value itself, its neighbours, and both ends.
    us = np.concatenate(
        [
            rng.random(20_000),
            cdf[:-1],
            np.nextafter(cdf[:-1], 0.0),
            np.nextafter(cdf[:-1], 1.0),
            np.arange(64) / 64,
            [0.0, np.nextafter(1.0, 0.0)],
        ]
    )
    expected = np.searchsorted(cdf, us, side="right")
    np.testing.assert_array_equal(_lookup_all(cdf, guide, us), expected)


@numba.njit
def _both_exps(x):
    ours = np.empty_like(x)
    numbas = np.empty_like(x)
    for j in range(x.shape[0]):
        ours[j] = _exp(x[j])
        numbas[j] = math.exp(x[j])
    return ours, numbas


def test_the_kernels_exp_is_numbas_math_exp_bit_for_bit(rng):
    # On glibc the kernel calls __ieee754_exp without math.exp's error wrapper
    # (see _glibc_exp_address); the values must be the same bits, also where the
    # wrapper acts (overflow to inf, underflow to 0) and for inf and NaN.
    if platform.libc_ver()[0] == "glibc":
        assert _EXP_ADDRESS is not None
    x = np.concatenate(
        [
            rng.normal(0.0, 3.0, 2_000_000),
            rng.uniform(-800.0, 800.0, 200_000),
            np.linspace(-750.0, 712.0, 100_001),
            [709.78, 709.79, 710.0, -708.4, -745.13, -745.14, -746.0, 0.0, -0.0],
            [np.inf, -np.inf, np.nan, 5e-324, -5e-324, 1e-300, -1e-300],
        ]
    )
    ours, numbas = _both_exps(x)
    np.testing.assert_array_equal(ours.view(np.uint64), numbas.view(np.uint64))


def test_bench_without_a_checkout_says_so_and_times_the_reference(monkeypatch):
    """From a wheel (no benchmarks/baselines/), bench says in one line what it left out."""
    import sys

    import simrisk.kinds.contract.bench as bench

    monkeypatch.setattr(bench, "FROZEN_PATH", Path("no") / "such" / "kernel_frozen.py")
    monkeypatch.delitem(sys.modules, "simrisk_baseline_kernel_frozen", raising=False)
    assert bench.frozen_baseline() is None
    r = bench.run_bench(draws=2000)
    assert r["frozen_cohorts_per_s"] is None and r["reference_cohorts_per_s"] > 0
    text = bench.format_bench(r)
    notes = [line for line in text.splitlines() if "only in a checkout" in line]
    assert len(notes) == 1 and "frozen kernel " not in text


@pytest.mark.slow(short=False)  # a performance check: cold compiles in fresh processes
def test_a_run_compiles_only_its_own_citizen_loop():
    # In a fresh process: DSI's config calls (so compiles or loads) only the loop of
    # its goal shape; the general loop stays untouched.
    import subprocess
    import sys

    code = (
        "from simrisk.kinds.contract.inputs import build_inputs\n"
        "from simrisk.kinds.contract.simulate import RunSpec, simulate_arrays\n"
        "from simrisk.kinds.contract.loader import load_scenario\n"
        "from simrisk.kinds.contract import _kernel\n"
        f"inp = build_inputs(load_scenario({str(DSI_CONFIG)!r})[0])\n"
        "simulate_arrays(inp, RunSpec(draws=50, seed=1, chunk_size=50))\n"
        "print(len(_kernel.draws_r2s1.overloads), len(_kernel.draws_general.overloads))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "0"]
