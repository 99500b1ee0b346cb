"""The chunked driver every model kind runs through.

A kind gives the driver a ``fill(draw0, n, views)`` function that simulates
draws ``draw0 .. draw0 + n - 1`` into views of preallocated per-draw arrays.
The driver validates the run's spec, splits the draws into fixed-size chunks
(for memory, progress and checkpoints only: every random number is keyed by
the draw's global index, see :mod:`simrisk.core.rng`, so results do not
depend on the chunk size or the thread count), resumes from a checkpoint and
saves one on interruption.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simrisk.core.errors import SimriskError

__all__ = ["Checkpoint", "RunSpec", "check_spec", "progress_bar", "run_chunks"]


@dataclass(frozen=True)
class RunSpec:
    """How to run: draw count, seed, chunking, threads, parameter mode."""

    draws: int
    seed: int
    chunk_size: int
    threads: int | None = None
    fixed_parameters: bool = False


def check_spec(spec: RunSpec) -> None:
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


def run_chunks(
    fill: Callable[[int, int, dict[str, np.ndarray]], None],
    out: dict[str, np.ndarray],
    spec: RunSpec,
    progress: Callable[[int], None] | None = None,
    checkpoint: Checkpoint | None = None,
) -> dict[str, np.ndarray]:
    """Fill the per-draw arrays ``out`` chunk by chunk.

    ``fill(draw0, n, views)`` simulates draws ``draw0 .. draw0 + n - 1`` into
    ``views``, the chunk's slices of ``out``. With a :class:`Checkpoint`, the
    draws done so far are saved when the run is interrupted
    (``KeyboardInterrupt``) and every ``checkpoint.every`` seconds, and a
    matching checkpoint is resumed from. Because every draw depends only on
    (seed, config, draw index), a resumed run is bit-identical to one that
    ran through.
    """
    if spec.threads is not None:
        import numba

        numba.set_num_threads(spec.threads)
    N = spec.draws
    start = checkpoint.resume(out) if checkpoint is not None else 0
    if progress is not None and start:
        progress(start)
    done = start
    try:
        for draw0 in range(start, N, spec.chunk_size):
            n = min(spec.chunk_size, N - draw0)
            sl = slice(draw0, draw0 + n)
            fill(draw0, n, {k: v[sl] for k, v in out.items()})
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


def progress_bar(total: int, quiet: bool):
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
