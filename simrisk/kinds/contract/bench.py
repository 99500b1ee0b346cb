"""``simrisk bench``: the kernel against its frozen f29a4e6 copy and the NumPy reference,
in one process.

The frozen kernel is a file of the checkout (``benchmarks/baselines/kernel_frozen.py``),
not of the package: from an installed wheel the benchmark says so in one line and
times the kernel against the NumPy reference only.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import ModuleType

import numpy as np

from simrisk.examples import EXAMPLES_DIR

__all__ = ["DEFAULT_CONFIG", "FROZEN_MISSING", "format_bench", "frozen_baseline", "run_bench"]

DEFAULT_CONFIG = EXAMPLES_DIR / "dsi_norddjurs.toml"
#: where the frozen kernel lives in a checkout, relative to the repository's root
FROZEN_PATH = Path("benchmarks") / "baselines" / "kernel_frozen.py"
FROZEN_MISSING = (
    "the frozen f29a4e6 kernel is only in a checkout (benchmarks/baselines/); "
    "timing the kernel against the NumPy reference only"
)


def frozen_baseline() -> ModuleType | None:
    """The frozen f29a4e6 kernel's module, loaded from the checkout; None when not in one."""
    import importlib.util
    import sys

    import simrisk._version as version_module

    name = "simrisk_baseline_kernel_frozen"
    if name in sys.modules:
        return sys.modules[name]
    # simrisk/_version.py sits beside simrisk/__init__.py: parents[1] is the checkout
    path = Path(version_module.__file__).resolve().parents[1] / FROZEN_PATH
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


#: the kernel and the frozen kernel alternate in this many rounds, so that a change of
#: load on a shared machine hits both about equally
ROUNDS = 4


def _kernel_rates(inp, draws: int, threads: int | None, baseline: ModuleType | None):
    """Cohorts/s of the kernel and of the frozen f29a4e6 kernel, the warm-up time, and
    whether the two gave the same bytes (the frozen figures None without ``baseline``)."""
    from simrisk.core.driver import run_chunks
    from simrisk.core.rng import key_from_seed
    from simrisk.kinds.contract.simulate import RunSpec, _empty_outputs, simulate_arrays

    def frozen(spec):
        if baseline is None:
            return None
        key, _ = key_from_seed(spec.seed)
        return run_chunks(baseline.frozen_fill(inp, key), _empty_outputs(inp, spec.draws), spec)

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
        if b is not None:
            same = same and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)
        done += n
    if baseline is None:
        return draws / times["new"], None, warm, None
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

    The kernel and the frozen kernel (``benchmarks/baselines/kernel_frozen.py``
    of a checkout, :func:`frozen_baseline`, with f29a4e6's serial parameter
    transform; without a checkout its figures are None and ``note`` says
    why) run the same ``draws`` in
    alternating rounds, each through the same chunk driver; ``identical`` says
    whether they gave the same bytes. The reference runs
    ``max(draws // 20, 500)`` draws (it is slow). All use the full model of
    ``config`` with parameter uncertainty on.
    """
    import numba

    from simrisk.kinds.contract.inputs import build_inputs
    from simrisk.kinds.contract.loader import load_scenario

    scenario, _ = load_scenario(config or DEFAULT_CONFIG)
    inp = build_inputs(scenario)
    baseline = frozen_baseline()
    kernel, frozen, warm, same = _kernel_rates(inp, draws, threads, baseline)
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
        "speedup_over_frozen": None if frozen is None else kernel / frozen,
        "identical_to_frozen": same,
        "warm_up_s": warm,
        "note": FROZEN_MISSING if baseline is None else "",
    }


def format_bench(r: dict) -> str:
    """The benchmark as readable lines."""
    lines = [
        f"simrisk bench: {r['config']}, {r['threads']} threads on {r['cores']} cores",
        f"  Numba kernel      {r['kernel_cohorts_per_s']:>12,.0f} cohorts/s "
        f"({r['draws']:,} draws)",
    ]
    if r.get("frozen_cohorts_per_s") is not None:
        lines.append(
            f"  frozen kernel     {r['frozen_cohorts_per_s']:>12,.0f} cohorts/s "
            "(f29a4e6, same draws)"
        )
    lines.append(
        f"  NumPy reference   {r['reference_cohorts_per_s']:>12,.0f} cohorts/s "
        f"({r['reference_draws']:,} draws)"
    )
    if r.get("speedup_over_frozen") is not None:
        lines.append(
            f"  kernel / frozen   {r['speedup_over_frozen']:>12.2f} x "
            f"({'identical' if r['identical_to_frozen'] else 'DIFFERENT'} results)"
        )
    lines.append(f"  kernel / reference{r['ratio']:>12.1f} x")
    lines.append(f"  warm-up (load cached kernel or compile) {r['warm_up_s']:.2f} s")
    if r.get("note"):
        lines.append(f"  note: {r['note']}")
    return "\n".join(lines)
