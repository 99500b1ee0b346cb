"""asv benchmarks of the Monte Carlo engine (full DSI model, per citizen).

Kernels are compiled (or loaded from Numba's cache) in ``setup`` so that
``--quick`` times the simulation, not the compiler. Speed is judged as the
ratio of the Numba kernel to the NumPy reference measured in the same
process (``track_ratio``), never by absolute times.
"""

from pathlib import Path

import numpy as np

from simrisk.kinds.contract.inputs import build_inputs
from simrisk.kinds.contract.loader import load_scenario
from simrisk.kinds.contract.reference import simulate_reference
from simrisk.kinds.contract.simulate import RunSpec, simulate_arrays

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "dsi_norddjurs.toml"


def _inputs():
    scenario, _ = load_scenario(CONFIG)
    return scenario, build_inputs(scenario)


class Kernel:
    params = [10_000, 100_000]  # noqa: RUF012 (asv reads these class attributes)
    param_names = ["draws"]  # noqa: RUF012

    def setup(self, draws):
        self.scenario, self.inp = _inputs()
        simulate_arrays(self.inp, RunSpec(draws=64, seed=1, chunk_size=64))

    def time_kernel(self, draws):
        simulate_arrays(self.inp, RunSpec(draws=draws, seed=2, chunk_size=8192))

    def peakmem_kernel(self, draws):
        simulate_arrays(self.inp, RunSpec(draws=draws, seed=2, chunk_size=8192))


class Reference:
    def setup(self):
        self.scenario, self.inp = _inputs()
        self.rng = np.random.default_rng(0)
        self.params = np.tile(self.inp.space.central, (500, 1))
        simulate_reference(self.inp, self.params[:8], self.rng)

    def time_reference_500(self):
        simulate_reference(self.inp, self.params, self.rng)


class Ratio:
    timeout = 300

    def setup(self):
        from simrisk.kinds.contract.bench import run_bench

        self.result = run_bench(draws=20_000)

    def track_ratio(self):
        return self.result["ratio"]

    track_ratio.unit = "kernel / reference"

    def track_kernel_cohorts_per_s(self):
        return self.result["kernel_cohorts_per_s"]

    track_kernel_cohorts_per_s.unit = "cohorts/s"

    def track_frozen_cohorts_per_s(self):
        return self.result["frozen_cohorts_per_s"]

    track_frozen_cohorts_per_s.unit = "cohorts/s"

    def track_speedup_over_frozen(self):
        return self.result["speedup_over_frozen"]

    track_speedup_over_frozen.unit = "kernel / frozen f29a4e6 kernel"


class FrozenPopulation:
    """Measured citizens per second of the kernel and of the frozen f29a4e6 kernel at
    700 and 70,000 referred (issue 15), in one process."""

    params = [700, 70_000]  # noqa: RUF012
    param_names = ["referred"]  # noqa: RUF012
    timeout = 300

    def setup(self, referred):
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from scale import _scenario

        from simrisk.core.driver import run_chunks
        from simrisk.core.rng import key_from_seed
        from simrisk.kinds.contract.bench import frozen_baseline
        from simrisk.kinds.contract.simulate import _empty_outputs

        frozen_fill = frozen_baseline().frozen_fill

        self.inp = build_inputs(_scenario(referred))
        self.draws = max(10, 1_400_000 // referred)

        def frozen(spec):
            key, _ = key_from_seed(spec.seed)
            out = _empty_outputs(self.inp, spec.draws)
            return run_chunks(frozen_fill(self.inp, key), out, spec)

        self.frozen = frozen
        simulate_arrays(self.inp, RunSpec(draws=4, seed=1, chunk_size=4))
        frozen(RunSpec(draws=4, seed=1, chunk_size=4))

    def _rate(self, run):
        import time

        t0 = time.perf_counter()
        out = run(RunSpec(draws=self.draws, seed=2, chunk_size=8192))
        return float(out["measured"].sum()) / (time.perf_counter() - t0)

    def track_citizens_per_s(self, referred):
        return self._rate(lambda spec: simulate_arrays(self.inp, spec))

    track_citizens_per_s.unit = "citizens/s"

    def track_frozen_citizens_per_s(self, referred):
        return self._rate(self.frozen)

    track_frozen_citizens_per_s.unit = "citizens/s"
