"""``simrisk bench``: the kernel against its frozen f29a4e6 copy and the NumPy reference,
in one process."""

from __future__ import annotations

import os
import time

import numpy as np

from simrisk.examples import EXAMPLES_DIR

__all__ = ["DEFAULT_CONFIG", "format_bench", "run_bench"]

DEFAULT_CONFIG = EXAMPLES_DIR / "dsi_norddjurs.toml"


#: the kernel and the frozen kernel alternate in this many rounds, so that a change of
#: load on a shared machine hits both about equally
ROUNDS = 4


def _kernel_rates(inp, draws: int, threads: int | None) -> tuple[float, float, float, bool]:
    """Cohorts/s of the kernel and of the frozen f29a4e6 kernel, the warm-up time, and
    whether the two gave the same bytes."""
    from simrisk.core.driver import run_chunks
    from simrisk.core.rng import key_from_seed
    from simrisk.kinds.contract._kernel_frozen import frozen_fill
    from simrisk.kinds.contract.engine import RunSpec, _empty_outputs, simulate_arrays

    def frozen(spec):
        key, _ = key_from_seed(spec.seed)
        return run_chunks(frozen_fill(inp, key), _empty_outputs(inp, spec.draws), spec)

    # Warm-up: loads the cached machine code (or compiles it) outside the timing.
    t0 = time.perf_counter()
    simulate_arrays(inp, RunSpec(draws=64, seed=1, chunk_size=64, threads=threads))
    warm = time.perf_counter() - t0
    frozen(RunSpec(draws=64, seed=1, chunk_size=64, threads=threads))
    times = {"new": 0.0, "frozen": 0.0}
    same = True
    done = 0
    for r in range(ROUNDS):
        n = (draws - done) // (ROUNDS - r)
        if n <= 0:
            continue
        # Each round's draws are a different slice of the same seed's stream.
        spec = RunSpec(draws=n, seed=2 + r, chunk_size=8192, threads=threads)
        t0 = time.perf_counter()
        a = simulate_arrays(inp, spec)
        t1 = time.perf_counter()
        b = frozen(spec)
        t2 = time.perf_counter()
        times["new"] += t1 - t0
        times["frozen"] += t2 - t1
        same = same and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)
        done += n
    return draws / times["new"], draws / times["frozen"], warm, same


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
    """Cohorts per second of the kernel, of the frozen f29a4e6 kernel and of the NumPy
    reference, and the ratios.

    The kernel and the frozen kernel (:mod:`simrisk.kinds.contract._kernel_frozen`,
    with f29a4e6's serial parameter transform) run the same ``draws`` in
    alternating rounds, each through the same chunk driver; ``identical`` says
    whether they gave the same bytes. The reference runs
    ``max(draws // 20, 500)`` draws (it is slow). All use the full model of
    ``config`` with parameter uncertainty on.
    """
    import numba

    from simrisk.kinds.contract._inputs import build_inputs
    from simrisk.kinds.contract.loader import load_scenario

    scenario, _ = load_scenario(config or DEFAULT_CONFIG)
    inp = build_inputs(scenario)
    kernel, frozen, warm, same = _kernel_rates(inp, draws, threads)
    ref_draws = max(draws // 20, 500)
    reference = _reference_rate(inp, ref_draws)
    return {
        "config": str(config or DEFAULT_CONFIG.name),
        "draws": draws,
        "reference_draws": ref_draws,
        "threads": threads or numba.get_num_threads(),
        "cores": os.cpu_count(),
        "kernel_cohorts_per_s": kernel,
        "frozen_cohorts_per_s": frozen,
        "reference_cohorts_per_s": reference,
        "ratio": kernel / reference,
        "speedup_over_frozen": kernel / frozen,
        "identical_to_frozen": same,
        "warm_up_s": warm,
    }


def format_bench(r: dict) -> str:
    """The benchmark as readable lines."""
    return "\n".join(
        [
            f"simrisk bench: {r['config']}, {r['threads']} threads on {r['cores']} cores",
            f"  Numba kernel      {r['kernel_cohorts_per_s']:>12,.0f} cohorts/s "
            f"({r['draws']:,} draws)",
            f"  frozen kernel     {r['frozen_cohorts_per_s']:>12,.0f} cohorts/s "
            f"(f29a4e6, same draws)",
            f"  NumPy reference   {r['reference_cohorts_per_s']:>12,.0f} cohorts/s "
            f"({r['reference_draws']:,} draws)",
            f"  kernel / frozen   {r['speedup_over_frozen']:>12.2f} x "
            f"({'identical' if r['identical_to_frozen'] else 'DIFFERENT'} results)",
            f"  kernel / reference{r['ratio']:>12.1f} x",
            f"  warm-up (load cached kernel or compile) {r['warm_up_s']:.2f} s",
        ]
    )
