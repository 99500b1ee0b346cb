"""asv benchmarks of the decision layer on dask (issue 15): nested EVPPI and the design search.

Each class times the same work in this process and on a LocalCluster of 2
worker processes; CI judges only the ratio (``track_dask_over_local``), both
measured in one process on one machine (benchmarks/check_decision_dask.py).
"""

import time
from pathlib import Path

from simrisk.decision._engine import nested_evppi
from simrisk.kinds.contract.design import parse_target, run_design
from simrisk.kinds.contract.loader import load_scenario

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "dsi_norddjurs.toml"


class _OnDask:
    timeout = 600

    def setup(self):
        from simrisk.core.backends import dask_backend

        self.scenario = load_scenario(CONFIG)[0]
        self.backend = dask_backend(workers=2)
        self.work(None, small=True)  # compile here, and load the kernels on the workers
        self.work(self.backend, small=True)

    def teardown(self):
        self.backend.close()

    def _wall(self, backend) -> float:
        t0 = time.perf_counter()
        self.work(backend)
        return time.perf_counter() - t0

    def time_local(self):
        self.work(None)

    def time_dask_2_workers(self):
        self.work(self.backend)

    def track_dask_over_local(self):
        return self._wall(self.backend) / self._wall(None)

    track_dask_over_local.unit = "ratio (wall time)"


class NestedEvppi(_OnDask):
    """Nested EVPPI of two parameters: 2 x 50 x 400 = 40,000 draws."""

    def work(self, backend, small=False):
        outer, inner = (4, 10) if small else (50, 400)
        nested_evppi(
            self.scenario, 3, ["retention", "region_use.effect"], outer, inner, backend=backend
        )


class Design(_OnDask):
    """The design search: today + 4 Sobol + 16 refinement candidates of 5,000 draws."""

    def work(self, backend, small=False):
        draws = 200 if small else 5000
        run_design(
            self.scenario,
            [parse_target("p_npv_negative<=0.40")],
            draws=draws,
            seed=1,
            candidates=4,
            refine=16,
            rescore_draws=2 * draws,
            backend=backend,
        )
