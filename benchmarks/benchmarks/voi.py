"""asv benchmarks of value of information (issue 24): ``voi`` against a ``run`` of the same draws.

CPU time (``time.process_time``: all threads of this process), so the ratio
does not depend on how busy the machine is. The run's kernel is compiled (or
loaded from Numba's cache) in ``setup``; the ratio is ``voi`` (EVPI, EVPPI
of every varying parameter and the default groups) over the run that made
its draws. With pygam's GAMs it was about 20 at 300,000 draws (160 s of
CPU against a warm run's 7-8 s); with the regression splines of
simrisk.core.regression about 1.5 there and 2 at 50,000 draws. CI bounds it
at 4 (benchmarks/check_voi.py).
"""

import time
from pathlib import Path

from simrisk.decision.voi import voi
from simrisk.kinds.contract.loader import load_scenario
from simrisk.kinds.contract.simulate import simulate

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "dsi_norddjurs.toml"


def voi_over_run(draws: int = 50_000) -> dict:
    """CPU seconds of a run of ``draws`` DSI draws and of ``voi`` on them, and the ratio."""
    scenario = load_scenario(CONFIG)[0]
    simulate(scenario, draws=64, seed=1)  # compile / load the cache
    t0 = time.process_time()
    ds = simulate(scenario, draws=draws, seed=1)
    t_run = time.process_time() - t0
    t0 = time.process_time()
    voi(ds)
    t_voi = time.process_time() - t0
    return {"draws": draws, "run_cpu_s": t_run, "voi_cpu_s": t_voi, "ratio": t_voi / t_run}


class Voi:
    timeout = 900
    params = [20_000, 50_000]  # noqa: RUF012 (asv reads these class attributes)
    param_names = ["draws"]  # noqa: RUF012

    def setup(self, draws):
        scenario = load_scenario(CONFIG)[0]
        simulate(scenario, draws=64, seed=1)
        self.ds = simulate(scenario, draws=draws, seed=1)

    def time_voi(self, draws):
        voi(self.ds)

    def peakmem_voi(self, draws):
        voi(self.ds)

    def track_voi_over_run(self, draws):
        return voi_over_run(draws)["ratio"]

    track_voi_over_run.unit = "ratio"
