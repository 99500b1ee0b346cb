"""The driver: validates, seeds, allocates, streams chunks through the kernel.

Draws are split into fixed-size chunks only for memory and progress; every
random number is keyed by the draw's global index, so results are
bit-identical for any chunk size and any thread count (see
:mod:`simrisk._rng`). Per-draw outputs are stored in compact dtypes (int16
counts, float32 money) and returned as an :class:`xarray.Dataset`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simrisk._rng import key_from_seed, param_uniforms
from simrisk._version import __version__
from simrisk.config import Scenario
from simrisk.engine._inputs import EngineInputs, build_inputs
from simrisk.engine._kernel import simulate_chunk
from simrisk.engine.analytic import success_probabilities
from simrisk.errors import SimriskError
from simrisk.finance import IRR_REASONS

__all__ = ["RunSpec", "simulate", "simulate_arrays"]

RNG_DESCRIPTION = (
    "SplitMix64 by position: draw * 2**24 + citizen * 16 + slot; state from SeedSequence(seed)"
)


@dataclass(frozen=True)
class RunSpec:
    """How to run: draw count, seed, chunking, threads, parameter mode."""

    draws: int
    seed: int
    chunk_size: int
    threads: int | None = None
    fixed_parameters: bool = False


def _check_spec(spec: RunSpec) -> None:
    for name in ("draws", "chunk_size"):
        v = getattr(spec, name)
        if not isinstance(v, int | np.integer) or v < 1:
            raise SimriskError(f"{name} = {v!r}: must be a positive whole number")
    if spec.draws > 2**31 - 1:
        raise SimriskError(f"draws = {spec.draws}: must be at most {2**31 - 1:,}")
    if not isinstance(spec.seed, int | np.integer) or spec.seed < 0:
        raise SimriskError(f"seed = {spec.seed!r}: must be a non-negative whole number")
    if spec.threads is not None:
        import numba

        top = numba.config.NUMBA_NUM_THREADS
        if not 1 <= spec.threads <= top:
            raise SimriskError(f"threads = {spec.threads}: must be between 1 and {top}")


def run_kernel(inp: EngineInputs, draw0: int, params: np.ndarray, key, buf) -> None:
    """One chunk through the Numba kernel into the output arrays ``buf``."""
    c = inp.contract
    first_word = (params.shape[1] + 1) // 2
    simulate_chunk(
        np.int64(draw0), key, np.int64(first_word), params, float(c.referred),
        inp.goal_kind, inp.log_keep, inp.zero_success, inp.res_goals, inp.score_goals,
        inp.cost_col, inp.score_top, inp.low_max, inp.start_cdf, inp.start_guide, inp.pidx,
        inp.cost_table, inp.group_cdf, inp.group_guide, inp.auth_payer, inp.auth_goal,
        inp.cohort_cdf, inp.cohort_guide, c.payment, c.goal_payer, c.cap, c.repay_order,
        c.disb_amount, inp.flow_order, inp.flow_t, inp.flow_year, len(inp.years),
        float(inp.rate),
        buf["referred"], buf["measured"], buf["successes"], buf["deadweight"],
        buf["repaid"], buf["cash_year"], buf["irr"], buf["irr_status"], buf["npv"],
        buf["moic"], buf["saving"], buf["dw_share"],
    )  # fmt: skip


def draw_parameters(inp: EngineInputs, draw0: int, n: int, key, fixed: bool) -> np.ndarray:
    """Parameter values ``[n, P]`` for draws ``draw0 .. draw0 + n - 1``."""
    P = len(inp.space.names)
    if fixed:
        return np.tile(inp.space.central, (n, 1))
    u = np.empty((n, P))
    param_uniforms(key, np.int64(draw0), n, P, u)
    return inp.space.transform(u)


def simulate_arrays(
    inp: EngineInputs,
    spec: RunSpec,
    progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Run the kernel over all draws; returns compact per-draw arrays."""
    _check_spec(spec)
    import numba

    if spec.threads is not None:
        numba.set_num_threads(spec.threads)
    key, _ = key_from_seed(spec.seed)
    N = spec.draws
    C = len(inp.contract.cohort_ids)
    G = inp.n_goals
    P = len(inp.space.names)
    out = {
        "parameters": np.empty((N, P), np.float32),
        "referred": np.empty(N, np.int16),
        "measured": np.empty((N, C), np.int16),
        "successes": np.empty((N, C, G), np.int16),
        "deadweight": np.empty((N, C, G), np.int16),
        "repaid": np.empty((N, C, G), np.float32),
        "cash_year": np.empty((N, len(inp.years)), np.float32),
        "irr": np.empty(N, np.float32),
        "irr_status": np.empty(N, np.int8),
        "npv": np.empty(N, np.float64),
        "moic": np.empty(N, np.float32),
        "saving": np.empty((N, len(inp.authorities)), np.float32),
        "dw_share": np.empty(N, np.float32),
    }
    if inp.contract.referred * 10 > np.iinfo(np.int16).max:
        raise SimriskError(
            f"population.referred = {inp.contract.referred}: too large for the engine's "
            "int16 counts (at most 3,276)"
        )
    for draw0 in range(0, N, spec.chunk_size):
        n = min(spec.chunk_size, N - draw0)
        sl = slice(draw0, draw0 + n)
        params = draw_parameters(inp, draw0, n, key, spec.fixed_parameters)
        out["parameters"][sl] = params
        # The kernel writes straight into the compact arrays (numba casts on store).
        run_kernel(inp, draw0, params, key, {k: v[sl] for k, v in out.items()})
        if progress is not None:
            progress(n)
    return out


def _progress_bar(total: int, quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        unit="draw",
        unit_scale=True,
        file=sys.stderr,
        mininterval=0.5,
        desc="simulating",
    )
    return bar, bar.update


def simulate(
    scenario: Scenario,
    draws: int | None = None,
    seed: int | None = None,
    chunk_size: int | None = None,
    threads: int | None = None,
    fixed_parameters: bool = False,
    config_text: str = "",
    quiet: bool = True,
):
    """Simulate a scenario and return the per-draw results as a Dataset.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario with a ``[model]`` section.
    draws, seed, chunk_size : int, optional
        Defaults from the scenario's ``[simulation]`` section.
    threads : int, optional
        Numba threads (default: all). Results do not depend on it.
    fixed_parameters : bool
        Switch off parameter uncertainty: every draw uses the priors'
        central values, so outcome counts are binomial.
    config_text : str
        The config file's text, stored in the Dataset for provenance.
    quiet : bool
        No progress bar (it is shown only on a terminal anyway).

    Returns
    -------
    xarray.Dataset
        Sample dimension ``draw``; see :func:`simrisk.engine.dataset.to_dataset`.
    """
    from simrisk.engine.dataset import to_dataset

    sim = scenario.simulation
    spec = RunSpec(
        draws=sim.draws if draws is None else draws,
        seed=sim.seed if seed is None else seed,
        chunk_size=sim.chunk_size if chunk_size is None else chunk_size,
        threads=threads,
        fixed_parameters=fixed_parameters,
    )
    _check_spec(spec)
    inp = build_inputs(scenario)
    bar, update = _progress_bar(spec.draws, quiet)
    try:
        arrays = simulate_arrays(inp, spec, progress=update)
    finally:
        if bar is not None:
            bar.close()
    p1, p0 = success_probabilities(inp, inp.space.central)
    return to_dataset(
        inp,
        arrays,
        spec,
        config_text=config_text,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        version=__version__,
        implied=(p1, p0),
        config_sha256=hashlib.sha256(config_text.encode()).hexdigest(),
        irr_reasons=IRR_REASONS,
        rng=RNG_DESCRIPTION,
    )
