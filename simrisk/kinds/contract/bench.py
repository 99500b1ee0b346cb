"""``simrisk bench``: the kernel against the NumPy reference, in one process."""

from __future__ import annotations

import os
import time

import numpy as np

from simrisk.examples import EXAMPLES_DIR

__all__ = ["DEFAULT_CONFIG", "format_bench", "run_bench"]

DEFAULT_CONFIG = EXAMPLES_DIR / "dsi_norddjurs.toml"


def _kernel_rate(inp, draws: int, threads: int | None) -> tuple[float, float]:
    from simrisk.kinds.contract.engine import RunSpec, simulate_arrays

    # Warm-up: loads the cached machine code (or compiles it) outside the timing.
    t0 = time.perf_counter()
    simulate_arrays(inp, RunSpec(draws=64, seed=1, chunk_size=64, threads=threads))
    warm = time.perf_counter() - t0
    spec = RunSpec(draws=draws, seed=2, chunk_size=8192, threads=threads)
    t0 = time.perf_counter()
    simulate_arrays(inp, spec)
    return draws / (time.perf_counter() - t0), warm


def _reference_rate(inp, draws: int) -> float:
    from simrisk.kinds.contract.reference import simulate_reference

    rng = np.random.default_rng(3)
    params = np.tile(inp.space.central, (min(draws, 256), 1))
    simulate_reference(inp, params[:8], rng)  # warm-up (imports, caches)
    t0 = time.perf_counter()
    done = 0
    while done < draws:
        n = min(256, draws - done)
        u = rng.random((n, len(inp.space.names)))
        simulate_reference(inp, inp.space.transform(u), rng)
        done += n
    return draws / (time.perf_counter() - t0)


def run_bench(config: str | None = None, draws: int = 200_000, threads: int | None = None) -> dict:
    """Cohorts per second of the kernel and of the NumPy reference, and their ratio.

    The reference runs ``max(draws // 20, 500)`` draws (it is slow); both use
    the full model of ``config`` with parameter uncertainty on.
    """
    import numba

    from simrisk.kinds.contract._inputs import build_inputs
    from simrisk.kinds.contract.loader import load_scenario

    scenario, _ = load_scenario(config or DEFAULT_CONFIG)
    inp = build_inputs(scenario)
    kernel, warm = _kernel_rate(inp, draws, threads)
    ref_draws = max(draws // 20, 500)
    reference = _reference_rate(inp, ref_draws)
    return {
        "config": str(config or DEFAULT_CONFIG.name),
        "draws": draws,
        "reference_draws": ref_draws,
        "threads": threads or numba.get_num_threads(),
        "cores": os.cpu_count(),
        "kernel_cohorts_per_s": kernel,
        "reference_cohorts_per_s": reference,
        "ratio": kernel / reference,
        "warm_up_s": warm,
    }


def format_bench(r: dict) -> str:
    """The benchmark as readable lines."""
    return "\n".join(
        [
            f"simrisk bench: {r['config']}, {r['threads']} threads on {r['cores']} cores",
            f"  Numba kernel      {r['kernel_cohorts_per_s']:>12,.0f} cohorts/s "
            f"({r['draws']:,} draws)",
            f"  NumPy reference   {r['reference_cohorts_per_s']:>12,.0f} cohorts/s "
            f"({r['reference_draws']:,} draws)",
            f"  ratio             {r['ratio']:>12.1f} x",
            f"  warm-up (load cached kernel or compile) {r['warm_up_s']:.2f} s",
        ]
    )
