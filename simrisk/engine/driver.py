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

from simrisk._rng import MAX_CITIZENS, key_from_seed, param_uniforms
from simrisk._version import __version__
from simrisk.config import Scenario
from simrisk.engine._inputs import EngineInputs, build_inputs
from simrisk.engine._kernel import simulate_chunk
from simrisk.engine.analytic import success_probabilities
from simrisk.errors import SimriskError
from simrisk.finance import IRR_REASONS

__all__ = ["Checkpoint", "RunSpec", "simulate", "simulate_arrays"]

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


def _empty_outputs(inp: EngineInputs, N: int) -> dict[str, np.ndarray]:
    C = len(inp.contract.cohort_ids)
    G = inp.n_goals
    P = len(inp.space.names)
    return {
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


def simulate_arrays(
    inp: EngineInputs,
    spec: RunSpec,
    progress: Callable[[int], None] | None = None,
    checkpoint: Checkpoint | None = None,
) -> dict[str, np.ndarray]:
    """Run the kernel over all draws; returns compact per-draw arrays.

    With a :class:`Checkpoint`, the draws done so far are saved when the run
    is interrupted (``KeyboardInterrupt``) and every ``checkpoint.every``
    seconds, and a matching checkpoint is resumed from. Because every draw
    depends only on (seed, config, draw index), a resumed run is
    bit-identical to one that ran through.
    """
    _check_spec(spec)
    import numba

    most = min(np.iinfo(np.int16).max, MAX_CITIZENS - 1) // 10
    if inp.contract.referred > most:
        raise SimriskError(
            f"population.referred = {inp.contract.referred}: too large for the engine "
            f"(at most {most:,}: recruitment may reach 10x, and counts are int16)"
        )
    if spec.threads is not None:
        numba.set_num_threads(spec.threads)
    key, _ = key_from_seed(spec.seed)
    N = spec.draws
    out = _empty_outputs(inp, N)
    start = checkpoint.resume(out) if checkpoint is not None else 0
    if progress is not None and start:
        progress(start)
    done = start
    try:
        for draw0 in range(start, N, spec.chunk_size):
            n = min(spec.chunk_size, N - draw0)
            sl = slice(draw0, draw0 + n)
            params = draw_parameters(inp, draw0, n, key, spec.fixed_parameters)
            out["parameters"][sl] = params
            # The kernel writes straight into the compact arrays (numba casts on store).
            run_kernel(inp, draw0, params, key, {k: v[sl] for k, v in out.items()})
            done = draw0 + n
            if progress is not None:
                progress(n)
            if checkpoint is not None and done < N:
                checkpoint.maybe_save(out, done)
    except KeyboardInterrupt:
        if checkpoint is not None and done > start:
            checkpoint.save(out, done)
        raise
    return out


class Checkpoint:
    """Draws done so far, saved atomically next to the output file.

    Parameters
    ----------
    path : Path
        The checkpoint file (``.npz``).
    identity : dict
        What makes two runs the same run (config hash, seed, draws, mode,
        version); a checkpoint with another identity is refused.
    every : float
        Seconds between periodic saves.
    """

    def __init__(self, path, identity: dict, every: float = 120.0):
        import time
        from pathlib import Path

        self.path = Path(path)
        self.identity = identity
        self.every = every
        self._clock = time.monotonic
        self._last = self._clock()
        self.resumed_from = 0

    def resume(self, out: dict[str, np.ndarray]) -> int:
        """Fill ``out`` from a matching checkpoint; the number of draws it held."""
        import json

        if not self.path.exists():
            return 0
        try:
            with np.load(self.path, allow_pickle=False) as z:
                ident = json.loads(str(z["identity"]))
                if ident != self.identity:
                    raise SimriskError(
                        f"{self.path}: a checkpoint of a different run (config, seed, draws "
                        "or mode differ); delete it or run with --restart"
                    )
                done = int(z["done"])
                for k, v in out.items():
                    v[:done] = z[k]
        except (OSError, ValueError, KeyError) as exc:
            raise SimriskError(
                f"{self.path}: unreadable checkpoint ({exc.__class__.__name__}); delete it or "
                "run with --restart"
            ) from None
        self.resumed_from = done
        return done

    def save(self, out: dict[str, np.ndarray], done: int) -> None:
        """Save the first ``done`` draws atomically."""
        import json
        import os

        tmp = self.path.with_name(self.path.name + ".part")
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                identity=np.array(json.dumps(self.identity, sort_keys=True)),
                done=np.array(done),
                **{k: v[:done] for k, v in out.items()},
            )
        os.replace(tmp, self.path)
        self._last = self._clock()

    def maybe_save(self, out: dict[str, np.ndarray], done: int) -> None:
        """Save if ``every`` seconds have passed since the last save."""
        if self._clock() - self._last >= self.every:
            self.save(out, done)

    def remove(self) -> None:
        """Delete the checkpoint (after the output is written)."""
        self.path.unlink(missing_ok=True)


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
    checkpoint_path=None,
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
    checkpoint_path : path, optional
        Save progress here on interruption (and every two minutes) and
        resume from it when it matches this run; removed by the caller once
        the output is written.

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
    ckpt = None
    if checkpoint_path is not None:
        ckpt = Checkpoint(
            checkpoint_path,
            identity={
                "config_sha256": hashlib.sha256(config_text.encode()).hexdigest(),
                "seed": int(spec.seed),
                "draws": int(spec.draws),
                "fixed_parameters": bool(spec.fixed_parameters),
                "version": __version__,
            },
        )
    bar, update = _progress_bar(spec.draws, quiet)
    try:
        arrays = simulate_arrays(inp, spec, progress=update, checkpoint=ckpt)
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
