"""asv benchmarks of the portfolio kind (case C: Region H's AI pool).

Kernels are compiled (or loaded from Numba's cache) in ``setup`` so that
``--quick`` times the simulation, not the compiler. Speed is judged as the
ratio of the Numba kernel to the NumPy reference of the same model on the
same random stream, measured in the same process (``track_ratio``).
"""

import time
from pathlib import Path

from simrisk.core.rng import key_from_seed
from simrisk.kinds.portfolio import load_portfolio
from simrisk.kinds.portfolio.inputs import build_inputs
from simrisk.kinds.portfolio.reference import simulate_reference
from simrisk.kinds.portfolio.simulate import draw_parameters, run_kernel, simulate_arrays

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "regionh_ai_pool.toml"


def _inputs():
    cfg, _ = load_portfolio(CONFIG)
    return build_inputs(cfg)


def portfolio_ratio(draws: int = 4000, ref_draws: int = 400) -> dict:
    """Draws per second of the kernel and the reference, and their ratio."""
    inp = _inputs()
    key, _ = key_from_seed(1)
    run_kernel(inp, 0, draw_parameters(inp, 0, 8, key), key)  # compile / load cache
    params = draw_parameters(inp, 0, draws, key)
    t0 = time.perf_counter()
    run_kernel(inp, 0, params, key)
    t_kernel = time.perf_counter() - t0
    ref_params = params[:ref_draws]
    t0 = time.perf_counter()
    simulate_reference(inp, 0, ref_params, key)
    t_ref = time.perf_counter() - t0
    k_rate, r_rate = draws / t_kernel, ref_draws / t_ref
    return {
        "kernel_draws_per_s": k_rate,
        "reference_draws_per_s": r_rate,
        "ratio": k_rate / r_rate,
    }


class PortfolioKernel:
    params = [10_000, 100_000]  # noqa: RUF012 (asv reads these class attributes)
    param_names = ["draws"]  # noqa: RUF012

    def setup(self, draws):
        self.inp = _inputs()
        simulate_arrays(self.inp, 64, 1, 64)

    def time_kernel(self, draws):
        simulate_arrays(self.inp, draws, 2, 8192)

    def peakmem_kernel(self, draws):
        simulate_arrays(self.inp, draws, 2, 8192)


class PortfolioReference:
    def setup(self):
        self.inp = _inputs()
        self.key, _ = key_from_seed(0)
        self.params = draw_parameters(self.inp, 0, 200, self.key)

    def time_reference_200(self):
        simulate_reference(self.inp, 0, self.params, self.key)


class PortfolioRatio:
    timeout = 300

    def setup(self):
        self.result = portfolio_ratio()

    def track_ratio(self):
        return self.result["ratio"]

    track_ratio.unit = "kernel / reference"
