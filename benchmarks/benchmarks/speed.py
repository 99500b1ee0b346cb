"""asv benchmarks of issue 24: the serial tail of a streamed run, and the aggregated path.

Every figure judged is a ratio measured in one process on one machine:

- ``Tail``: a streamed contract run with its summary (``simulate_to_file(...,
  summary=True)`` then ``writer.summary.finish``), its wall time over the
  wall time spent inside the kernel in the same run (the chunks' parameter
  draws and kernel calls), and over a kernel-only run of the same draws
  (no file, no summary);
- ``Aggregate``: the per-citizen kernel's CPU time per draw over the
  aggregated kernel's, on the same parameters, at 700, 7,000 and 70,000
  referred; and a 70,000-referred run of the same draws (aggregated) over a
  700-referred run (per-citizen, the default there), whole runs to a file
  with their summaries.

Measured 2026-12-07 (``benchmarks/check_speed.py``, docs/scale.md): the
tail at 5e6 draws 1.15 (load 2.4-5.3) and 1.07 (load 3.7-7.0); the
aggregated path 2.9x at 700 referred, 11.6-13.4x at 7,000 and 64-86x at
70,000 (load 1.5-7); after the aggregated path's tables (log-gammas, 1 / i),
later that day: 1.8-2.5x, 13.4-19.6x and 78-128x, median 106 (load 1.5-4).
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import numpy as np

from simrisk.core.dataset import open_result
from simrisk.core.rng import key_from_seed
from simrisk.kinds.contract import simulate as engine
from simrisk.kinds.contract._aggregate import run_aggregate
from simrisk.kinds.contract.inputs import build_inputs
from simrisk.kinds.contract.loader import load_scenario

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "dsi_norddjurs.toml"


def scenario(referred: int = 700):
    text = re.sub(r"(?m)^referred = 700\b", f"referred = {referred}", CONFIG.read_text())
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "speed.toml"
        path.write_text(text, encoding="utf-8")
        return load_scenario(path)


def tail_run(draws: int, chunk_size: int = 65_536, referred: int = 700, serial=False) -> dict:
    """One streamed run with its summary; wall, kernel-in-run and CPU figures.

    ``serial``: as before issue 24, for comparison: each chunk written between
    kernel calls, the summary read from the file after the run.
    """
    from simrisk.core import driver
    from simrisk.kinds.contract.summary import summarize

    sc, text = scenario(referred)
    inside = [0.0]
    real = engine.make_fill
    real_stream = driver.stream_chunks

    def serial_stream(*args, **kw):
        kw["overlap"] = False
        return real_stream(*args, **kw)

    def timed_make_fill(inp, spec, *args, **kw):
        fill = real(inp, spec, *args, **kw)

        def timed(draw0, n, views):
            t0 = time.perf_counter()
            fill(draw0, n, views)
            inside[0] += time.perf_counter() - t0

        return timed

    engine.make_fill = timed_make_fill
    if serial:
        driver.stream_chunks = serial_stream
    try:
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "r.nc"
            c0, w0 = time.process_time(), time.perf_counter()
            writer = engine.simulate_to_file(
                sc, out, draws=draws, seed=7, chunk_size=chunk_size, config_text=text,
                summary=not serial,
            )  # fmt: skip
            w1 = time.perf_counter()
            ds = open_result(out, lazy=True)
            try:
                summarize(ds) if serial else writer.summary.finish(ds)
            finally:
                ds.close()
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            tail = time.perf_counter() - w1
    finally:
        engine.make_fill = real
        driver.stream_chunks = real_stream
    return {"wall": wall, "cpu": cpu, "kernel_in_run": inside[0], "summary_after_run": tail}


def kernel_only(draws: int, chunk_size: int = 65_536, referred: int = 700) -> dict:
    """The same draws through parameters and kernel alone (no file, no summary)."""
    sc, _ = scenario(referred)
    inp = build_inputs(sc)
    spec = engine.RunSpec(draws=draws, seed=7, chunk_size=chunk_size)
    fill = engine.make_fill(inp, spec)
    rows = min(chunk_size, draws)
    out = engine._empty_outputs(inp, rows)
    c0, w0 = time.process_time(), time.perf_counter()
    for d0 in range(0, draws, rows):
        n = min(rows, draws - d0)
        fill(d0, n, {k: v[:n] for k, v in out.items()})
    return {"wall": time.perf_counter() - w0, "cpu": time.process_time() - c0}


def per_draw_cpu(referred: int, draws: int, threads: int = 1) -> dict:
    """CPU seconds per draw of the per-citizen and the aggregated kernel, same parameters.

    On one thread by default: the work per draw, without the parallel loop's
    waiting, which on a loaded machine burns CPU time in proportion to the
    number of calls rather than to the work.
    """
    import numba

    numba.set_num_threads(threads)
    sc, _ = scenario(referred)
    inp = build_inputs(sc)
    key, _ = key_from_seed(3)
    params = engine.draw_parameters(inp, 0, draws, key, False)
    out = engine._empty_outputs(inp, draws)
    got = {}
    for name, run in (("per_citizen", engine.run_kernel), ("aggregated", run_aggregate)):
        run(inp, 0, params[:8], key, {k: v[:8] for k, v in out.items()})  # compile / load
        best = np.inf
        for _ in range(3):
            t0 = time.process_time()
            run(inp, 0, params, key, out)
            best = min(best, time.process_time() - t0)
        got[name] = best / draws
    got["ratio"] = got["per_citizen"] / got["aggregated"]
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return got


def whole_run_cpu(referred: int, draws: int, aggregate: bool | None) -> float:
    """CPU seconds of a streamed run with its summary."""
    sc, text = scenario(referred)
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "r.nc"
        c0 = time.process_time()
        writer = engine.simulate_to_file(
            sc, out, draws=draws, seed=7, config_text=text, summary=True, aggregate=aggregate
        )
        ds = open_result(out, lazy=True)
        try:
            writer.summary.finish(ds)
        finally:
            ds.close()
        return time.process_time() - c0


class Tail:
    """A streamed run with its summary over the kernel's own time."""

    timeout = 600
    draws = 100_000

    def setup(self):
        tail_run(5_000)  # compile / load

    def track_wall_over_kernel_in_run(self):
        r = tail_run(self.draws)
        return r["wall"] / r["kernel_in_run"]

    def track_wall_over_kernel_only(self):
        r = tail_run(self.draws)
        return r["wall"] / kernel_only(self.draws)["wall"]


class Aggregate:
    """The per-citizen kernel's CPU per draw over the aggregated kernel's."""

    params = [700, 7_000, 70_000]  # noqa: RUF012 (asv reads these class attributes)
    param_names = ["referred"]  # noqa: RUF012
    timeout = 600

    def track_per_citizen_over_aggregated(self, referred):
        return per_draw_cpu(referred, max(200, 2_800_000 // referred))["ratio"]

    def track_70000_aggregated_over_700_run(self, referred):
        if referred != 700:
            return float("nan")
        draws = 20_000
        return whole_run_cpu(70_000, draws, True) / whole_run_cpu(700, draws, None)


def table_cpu(cached: bool, repeat: int = 3) -> float:
    """CPU seconds to get DSI's inverse-CDF tables: from the cache, or built with scipy.stats.

    The cache sits in a temporary folder (``SIMRISK_CACHE_DIR``), filled first;
    the best of ``repeat``.
    """
    import os

    from simrisk.core import priors

    sc, _ = scenario()
    tabled = [
        p for p in build_inputs(sc).space.priors if p.dist in ("beta", "pert", "truncnormal")
    ]
    old = os.environ.get("SIMRISK_CACHE_DIR")
    best = np.inf
    with tempfile.TemporaryDirectory() as d:
        os.environ["SIMRISK_CACHE_DIR"] = d
        try:
            for p in tabled:
                priors._table(p)  # fill the cache (and import scipy.stats)
            for _ in range(repeat):
                t0 = time.process_time()
                for p in tabled:
                    priors._table(p) if cached else priors._build_table(p)
                best = min(best, time.process_time() - t0)
        finally:
            if old is None:
                os.environ.pop("SIMRISK_CACHE_DIR", None)
            else:
                os.environ["SIMRISK_CACHE_DIR"] = old
    return best


def parameters_over_kernel(draws: int = 20_000) -> float:
    """CPU per draw of the parameter draws (uniforms and copula transform) over the kernel's."""
    import numba

    numba.set_num_threads(1)
    try:
        inp = build_inputs(scenario()[0])
        key, _ = key_from_seed(3)
        out = engine._empty_outputs(inp, draws)
        params = engine.draw_parameters(inp, 0, draws, key, False)
        engine.run_kernel(inp, 0, params[:8], key, {k: v[:8] for k, v in out.items()})
        t0 = time.process_time()
        params = engine.draw_parameters(inp, 0, draws, key, False)
        t1 = time.process_time()
        engine.run_kernel(inp, 0, params, key, out)
        t2 = time.process_time()
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return (t1 - t0) / (t2 - t1)


class Tables:
    """The parameters' cost: inverse-CDF tables from the cache over built, and the
    parameter draws' CPU per draw over the kernel's."""

    timeout = 300

    def track_cached_over_built(self):
        return table_cpu(True) / table_cpu(False)

    def track_parameters_over_kernel(self):
        return parameters_over_kernel()
