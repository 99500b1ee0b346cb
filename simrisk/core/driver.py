"""The chunked driver every model kind runs through.

A kind gives the driver a ``fill(draw0, n, views)`` function that simulates
draws ``draw0 .. draw0 + n - 1`` into views of preallocated per-draw arrays.
The driver validates the run's spec, splits the draws into fixed-size chunks
(for memory, progress and checkpoints only: every random number is keyed by
the draw's global index, see :mod:`simrisk.core.rng`, so results do not
depend on the chunk size or the thread count), saves every completed chunk
to a checkpoint and resumes from it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simrisk.core.errors import SimriskError

__all__ = [
    "Checkpoint",
    "RunSpec",
    "TaskStore",
    "check_disk",
    "check_memory",
    "check_spec",
    "checkpoint_for",
    "memory_available",
    "progress_bar",
    "run_chunks",
    "stream_chunks",
]


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
    if not isinstance(spec.seed, int | np.integer) or not 0 <= spec.seed < 2**64:
        raise SimriskError(f"seed = {spec.seed!r}: must be a whole number in [0, 2**64)")
    if spec.threads is not None:
        import numba

        top = numba.config.NUMBA_NUM_THREADS
        if not 1 <= spec.threads <= top:
            raise SimriskError(f"threads = {spec.threads}: must be between 1 and {top}")


#: Aim for chunks that take at most this many seconds, so an interruption
#: loses little work: the driver shrinks the chunk below ``chunk_size`` when a
#: chunk takes longer (results do not depend on the chunking).
CHUNK_SECONDS = 10.0
#: The first chunk is at most this many draws, to time the machine before
#: committing to ``chunk_size``.
FIRST_CHUNK = 4096
_clock = time.monotonic  # the chunk timer (a test replaces it)


def run_chunks(
    fill: Callable[[int, int, dict[str, np.ndarray]], None],
    out: dict[str, np.ndarray],
    spec: RunSpec,
    progress: Callable[[int], None] | None = None,
    checkpoint: Checkpoint | None = None,
    backend=None,
) -> dict[str, np.ndarray]:
    """Fill the per-draw arrays ``out`` chunk by chunk.

    ``fill(draw0, n, views)`` simulates draws ``draw0 .. draw0 + n - 1`` into
    ``views``, the chunk's slices of ``out``. With a :class:`Checkpoint`,
    every completed chunk is saved at once (only that chunk's draws, in a
    file of its own), and a matching checkpoint is resumed from, so an
    interruption of any kind (Ctrl-C, SIGTERM, SIGKILL, a crash) loses at
    most the chunk in progress. Chunks are at most ``spec.chunk_size`` draws
    and are shrunk so that one takes about :data:`CHUNK_SECONDS` at most.
    Because every draw depends only on (seed, config, draw index), a resumed
    run is bit-identical to one that ran through.

    With a ``backend`` (:class:`simrisk.core.backends.DaskBackend`), chunks
    are tasks on its cluster (``fill`` must then pickle): results come back
    in draw order and are copied into ``out`` and the checkpoint as they
    arrive, bit-identical to a run in this process.
    """
    N = spec.draws
    start = checkpoint.resume(out) if checkpoint is not None else 0
    if backend is not None:
        template = {k: (v.shape[1:], v.dtype.str) for k, v in out.items()}

        def keep(draw0: int, n: int, arrays: dict[str, np.ndarray]) -> None:
            for k, v in out.items():
                v[draw0 : draw0 + n] = arrays[k]
            if checkpoint is not None and draw0 + n < N:
                checkpoint.save_chunk(out, draw0, n)

        stream_chunks(fill, template, spec, keep, start, progress, backend)
        return out
    _set_threads(spec)
    if progress is not None and start:
        progress(start)
    draw0 = start
    n = min(spec.chunk_size, FIRST_CHUNK)
    while draw0 < N:
        n = min(n, N - draw0)
        t0 = _clock()
        fill(draw0, n, {k: v[draw0 : draw0 + n] for k, v in out.items()})
        took = _clock() - t0
        if checkpoint is not None and draw0 + n < N:
            checkpoint.save_chunk(out, draw0, n)
        draw0 += n
        if progress is not None:
            progress(n)
        n = _next_chunk(spec, took, n)
    return out


def _next_chunk(spec: RunSpec, took: float, n: int) -> int:
    """The next chunk's draws: as many as ``chunk_size`` allows, within :data:`CHUNK_SECONDS`."""
    per_draw = took / n
    n = spec.chunk_size if per_draw <= 0 else int(CHUNK_SECONDS / per_draw)
    return max(1, min(n, spec.chunk_size))


def _set_threads(spec: RunSpec) -> None:
    if spec.threads is not None:
        import numba

        numba.set_num_threads(spec.threads)


def stream_chunks(
    fill: Callable[[int, int, dict[str, np.ndarray]], None],
    template: dict[str, tuple[tuple[int, ...], str]],
    spec: RunSpec,
    sink: Callable[[int, int, dict[str, np.ndarray]], None],
    start: int = 0,
    progress: Callable[[int], None] | None = None,
    backend=None,
    overlap: bool = False,
) -> None:
    """Simulate draws ``start .. spec.draws - 1`` a chunk at a time, handing each to ``sink``.

    Unlike :func:`run_chunks`, no array of every draw is held: ``fill``
    writes into buffers of one chunk (``template`` maps each output to its
    per-draw shape and dtype), reused from chunk to chunk, and
    ``sink(draw0, n, arrays)`` takes each chunk, in draw order, before the
    next is simulated (a streaming writer saves it; it must not keep the
    arrays). Chunking is that of :func:`run_chunks` (at most
    ``spec.chunk_size`` draws, shrunk to about :data:`CHUNK_SECONDS`), except
    that full chunks end on multiples of ``spec.chunk_size``, so that a file
    chunked along ``draw`` by ``chunk_size`` gets whole HDF5 chunks. With a
    ``backend``, chunks are tasks on its cluster and arrive in draw order.

    With ``overlap``, ``sink`` runs on a thread of its own (one chunk at a
    time, in draw order) while ``fill`` simulates the next chunk into a
    second set of buffers; an interruption waits for the chunk being saved.
    """
    import contextlib

    N = spec.draws
    if progress is not None and start:
        progress(start)
    if backend is not None:
        size = backend.chunk_size(N - start, spec.chunk_size)
        chunks = [(d, min(size, N - d)) for d in range(start, N, size)]
        # closing(): an interruption here closes the generator, which cancels the tasks in flight
        with contextlib.closing(backend.run(fill, template, chunks)) as results:
            for draw0, n, arrays in results:
                sink(draw0, n, arrays)
                del arrays
                if progress is not None:
                    progress(n)
        return
    _set_threads(spec)
    rows = max(1, min(spec.chunk_size, N - start))
    # With overlap, two sets of buffers: the sink takes chunk k on a thread of its
    # own while fill (a kernel that releases the GIL) simulates chunk k + 1.
    bufs = [
        {k: np.empty((rows, *shape), np.dtype(dt)) for k, (shape, dt) in template.items()}
        for _ in range(2 if overlap else 1)
    ]
    pending = None  # the sink's future for the other buffer
    pool = _sink_thread() if overlap else None
    draw0 = start
    n = min(spec.chunk_size, FIRST_CHUNK)
    turn = 0
    try:
        while draw0 < N:
            if n == spec.chunk_size:
                # end on a multiple of chunk_size, where the file's HDF5 chunks end
                n -= draw0 % spec.chunk_size
            n = min(n, N - draw0)
            views = {k: v[:n] for k, v in bufs[turn].items()}
            t0 = _clock()
            fill(draw0, n, views)
            took = _clock() - t0
            if pool is None:
                sink(draw0, n, views)
            else:
                if pending is not None:
                    pending.result()  # chunk k - 1 is saved before chunk k is handed over
                pending = pool.submit(sink, draw0, n, views)
                turn = 1 - turn
            draw0 += n
            if progress is not None:
                progress(n)
            n = _next_chunk(spec, took, n)
        if pending is not None:
            pending.result()
            pending = None
    finally:
        if pending is not None:  # interrupted: let the chunk being saved finish
            _drain(pending)


_SINK_POOL = None


def _sink_thread():
    """The one thread that runs overlapped sinks (chunks stay in draw order)."""
    global _SINK_POOL
    if _SINK_POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _SINK_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="simrisk-sink")
    return _SINK_POOL


def _drain(future) -> None:
    """Wait for ``future`` whatever comes (a second Ctrl-C too); its error is dropped,
    since another is already on its way."""
    while True:
        try:
            future.exception()
            return
        except KeyboardInterrupt:
            continue


#: Checkpoints of this process, by the prefix they were made with (see
#: :func:`checkpoint_for`).
_ACTIVE: dict[str, Checkpoint] = {}


def checkpoint_for(prefix) -> Checkpoint | None:
    """The checkpoint this process made with ``prefix`` (its folder, draws saved)."""
    return _ACTIVE.get(str(prefix))


class Checkpoint:
    """Completed chunks of a run, each in a file of its own, in a folder per run.

    The folder is ``<path>-<run id>`` where the run id is a digest of the
    run's ``identity`` (config hash, seed, draws, mode, version), so two runs
    never share a checkpoint. Each chunk is written to a temporary file with
    a name unique to the process and renamed into place (``os.replace``), so
    a chunk file on disk is always complete; a run killed at any moment
    leaves every chunk it finished.

    Parameters
    ----------
    path : Path
        The prefix of the checkpoint folder (next to the output file).
    identity : dict
        What makes two runs the same run; a folder with another identity is
        refused.
    every : float
        Unused (chunks are saved as they complete); kept for callers.
    """

    IDENTITY = "identity.json"

    def __init__(self, path, identity: dict, every: float = 0.0):
        import hashlib
        import json
        from pathlib import Path

        self.prefix = Path(path)
        self.identity = identity
        self._ident_text = json.dumps(identity, sort_keys=True)
        run_id = hashlib.sha256(self._ident_text.encode()).hexdigest()[:16]
        self.path = self.prefix.with_name(f"{self.prefix.name}-{run_id}")
        self.resumed_from = 0
        self.saved = 0
        self.notes: list[str] = []
        _ACTIVE[str(self.prefix)] = self

    def _chunks(self) -> list[tuple[int, int, object]]:
        import re

        found = []
        for f in self.path.iterdir():
            m = re.fullmatch(r"chunk-(\d+)-(\d+)\.npz", f.name)
            if m:
                found.append((int(m.group(1)), int(m.group(2)), f))
            elif f.name.endswith(".tmp"):
                f.unlink(missing_ok=True)  # a write killed part-way
        return sorted(found, key=lambda c: c[0])

    def resume(self, out: dict[str, np.ndarray]) -> int:
        """Fill ``out`` from the chunks saved so far; the number of leading draws they hold.

        A folder whose identity cannot be read (a run killed while making it)
        is discarded with a note in :attr:`notes` and the run starts over; a
        chunk that cannot be read ends the resumed draws (it and later chunks
        are removed); only a readable checkpoint of a different run is refused.
        """
        if not self._identity_ok():
            return 0
        done = 0
        N = next(iter(out.values())).shape[0] if out else 0
        for draw0, n, f in self._chunks():
            if draw0 != done or draw0 + n > N:
                break  # a gap: resume from the last contiguous draw
            try:
                with open(f, "rb") as fh, np.load(fh, allow_pickle=False) as z:
                    for k, v in out.items():
                        part = z[k]
                        if part.shape != v[draw0 : draw0 + n].shape:
                            raise ValueError(f"{k} has shape {part.shape}")
                        v[draw0 : draw0 + n] = part
            except Exception as exc:  # zipfile, numpy and OS errors alike
                self._drop_from(f, exc, done)
                break
            done = draw0 + n
        self.resumed_from = done
        self.saved = done
        return done

    def save_chunk(self, out: dict[str, np.ndarray], draw0: int, n: int) -> None:
        """Save draws ``draw0 .. draw0 + n - 1`` of ``out`` atomically, as one file."""
        self.save_arrays(draw0, {k: v[draw0 : draw0 + n] for k, v in out.items()})

    def save_arrays(self, draw0: int, arrays: dict[str, np.ndarray]) -> None:
        """Save ``arrays``, the per-draw values of draws ``draw0 ..``, atomically, as one file."""
        n = len(next(iter(arrays.values())))
        name = f"chunk-{draw0:012d}-{n}.npz"
        try:
            _keep_npz(self.path, self.IDENTITY, self._ident_text, name, arrays)
        except OSError as exc:  # no space, ulimit -f, a read-only folder: one line
            kept = (
                f"{self.saved:,} draws are kept there: free some space and run the same "
                "command to resume"
                if self.saved
                else "nothing was kept"
            )
            raise SimriskError(
                f"checkpoint {self.path}: cannot write ({exc.strerror or exc}); {kept}"
            ) from None
        self.saved = draw0 + n

    def blocks(self, names) -> list[dict[str, np.ndarray]]:
        """The saved chunks from draw 0 on, contiguous, each as ``{name: values}``.

        For a run whose length is not known in advance (``--until``): like
        :meth:`resume`, a folder whose identity cannot be read is discarded
        with a note, one of another run is refused, and an unreadable chunk
        ends the blocks (it and later ones are removed). Sets
        :attr:`resumed_from` and :attr:`saved` to the draws the blocks hold.
        """
        names = list(names)
        if not self._identity_ok():
            return []
        found: list[dict[str, np.ndarray]] = []
        done = 0
        for draw0, n, f in self._chunks():
            if draw0 != done:
                break
            try:
                with open(f, "rb") as fh, np.load(fh, allow_pickle=False) as z:
                    block = {k: z[k] for k in names}
                if any(len(v) != n for v in block.values()):
                    raise ValueError("a chunk of the wrong length")
            except Exception as exc:  # zipfile, numpy and OS errors alike
                self._drop_from(f, exc, done)
                break
            found.append(block)
            done = draw0 + n
        self.resumed_from = self.saved = done
        return found

    def _identity_ok(self) -> bool:
        """False if there is no folder or it cannot be read (then discarded); raise if not ours."""
        import json
        import shutil

        if not self.path.is_dir():
            return False
        try:
            ident = json.loads((self.path / self.IDENTITY).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            # killed while the folder was made: nothing of it can be trusted
            self.notes.append(
                f"discarded checkpoint {self.path}: unreadable or half-created "
                f"({exc.__class__.__name__}), left by a run killed part-way; starting again"
            )
            shutil.rmtree(self.path, ignore_errors=True)
            return False
        if ident != self.identity:
            raise SimriskError(
                f"checkpoint {self.path}: a checkpoint of a different run (config, seed, draws "
                "or mode differ); delete it or run with --restart"
            )
        return True

    def _drop_from(self, bad, exc: Exception, done: int) -> None:
        self.notes.append(
            f"discarded {bad.name} of checkpoint {self.path}: unreadable "
            f"({exc.__class__.__name__}); resuming from draw {done:,}"
        )
        for _, _, later in self._chunks():
            if later.name >= bad.name:
                later.unlink(missing_ok=True)

    def remove(self) -> None:
        """Delete the checkpoint folder (after the output is written)."""
        import shutil

        shutil.rmtree(self.path, ignore_errors=True)
        _ACTIVE.pop(str(self.prefix), None)


def _keep_npz(folder, identity: str, ident_text: str, name: str, arrays) -> None:
    """Write ``arrays`` to ``folder / name`` atomically (a temporary file, then a rename).

    A folder made by this call gets its identity file first (also by a rename).
    On an ``OSError`` what this call wrote is removed (the folder too if it made
    it: nothing was kept) and the error is raised for the caller to name.
    """
    import os
    import shutil
    import uuid

    made = not folder.is_dir()
    target = folder / name
    tmp = folder / f"{name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        if made:
            folder.mkdir(parents=True, exist_ok=True)
            first = folder / f"{identity}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
            try:
                first.write_text(ident_text, encoding="utf-8")
                os.replace(first, folder / identity)
            finally:
                first.unlink(missing_ok=True)
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        raise


class TaskStore:
    """Completed tasks of a long decision command, kept so a rerun reuses them.

    A folder ``<prefix>-<run id>`` (the run id a digest of ``identity``: the
    command, config, seed and the exact list of tasks) holds one ``.npz`` per
    completed task, each written to a temporary file and renamed into place,
    so a command killed at any moment leaves only whole results. A folder
    whose identity cannot be read is discarded with a note in :attr:`notes`;
    an unreadable task file is recomputed.
    """

    IDENTITY = "identity.json"

    def __init__(self, prefix, identity: dict):
        import hashlib
        import json
        from pathlib import Path

        self.prefix = Path(prefix)
        self._ident_text = json.dumps(identity, sort_keys=True, default=str)
        run_id = hashlib.sha256(self._ident_text.encode()).hexdigest()[:16]
        self.path = self.prefix.with_name(f"{self.prefix.name}-{run_id}")
        self.notes: list[str] = []
        self.kept = 0

    def load(self) -> dict[int, dict[str, np.ndarray]]:
        """The tasks completed so far, by their index."""
        import re
        import shutil

        if not self.path.is_dir():
            return {}
        try:
            ident = (self.path / self.IDENTITY).read_text(encoding="utf-8")
        except OSError as exc:
            ident = f"unreadable ({exc.__class__.__name__})"
        if ident != self._ident_text:
            # same digest but no or another identity inside: killed while it was made
            self.notes.append(f"discarded {self.path}: unreadable or half-created; starting again")
            shutil.rmtree(self.path, ignore_errors=True)
            return {}
        found: dict[int, dict[str, np.ndarray]] = {}
        for f in self.path.iterdir():
            m = re.fullmatch(r"task-(\d+)\.npz", f.name)
            if not m:
                if f.name.endswith(".tmp"):
                    f.unlink(missing_ok=True)  # a write killed part-way
                continue
            try:
                with open(f, "rb") as fh, np.load(fh, allow_pickle=False) as z:
                    found[int(m.group(1))] = {k: z[k] for k in z.files}
            except Exception:  # zipfile, numpy and OS errors alike: compute it again
                f.unlink(missing_ok=True)
        self.kept = len(found)
        return found

    def put(self, index: int, result: dict[str, np.ndarray]) -> None:
        """Keep task ``index``'s result (atomically)."""
        try:
            _keep_npz(self.path, self.IDENTITY, self._ident_text, f"task-{index:08d}.npz", result)
        except OSError as exc:  # no space, ulimit -f, a read-only folder: one line
            raise SimriskError(
                f"kept work {self.path}: cannot write ({exc.strerror or exc}); free some space "
                "and run the same command (what is kept there is reused)"
            ) from None

    def map(self, results_of: Callable, items: list):
        """Yield each item's result in order: kept ones loaded, the rest from ``results_of``.

        ``results_of(todo)`` yields the results of the items ``todo`` (those
        not kept) in their order (:func:`simrisk.core.backends.map_tasks`);
        each is kept as it arrives.
        """
        import contextlib

        have = self.load()
        todo = [it for i, it in enumerate(items) if i not in have]
        with contextlib.closing(results_of(todo)) as fresh:
            for i in range(len(items)):
                if i in have:
                    yield have.pop(i)
                else:
                    result = next(fresh)
                    self.put(i, result)
                    yield result

    def remove(self) -> None:
        """Delete the folder (after the command's output is written)."""
        import shutil

        shutil.rmtree(self.path, ignore_errors=True)


def memory_available() -> int | None:
    """Bytes a new allocation may take (:func:`simrisk.core.memory.memory_available`)."""
    from simrisk.core.memory import memory_available as available

    return available()


def check_memory(bytes_per_draw: float, draws: int, flag: str = "--draws") -> None:
    """Refuse a run whose per-draw results will not fit in the memory this process may use."""
    from simrisk.core.memory import check_memory as check

    check(bytes_per_draw * draws, flag, draws, unit=bytes_per_draw)


def check_disk(bytes_per_draw: float, draws: int, folder, flag: str = "--draws") -> None:
    """Refuse a streamed run whose file cannot fit on the disk of ``folder`` or in ``ulimit -f``.

    ``bytes_per_draw`` is the file's size per draw before compression, so the
    check errs on the safe side (compression saves about a third).
    """
    from simrisk.core.memory import _gib, file_room

    room = file_room(folder)
    need = bytes_per_draw * draws + 2**20
    if room is None or need <= room[0]:
        return
    have, what = room
    most = max(int((have - 2**20) / bytes_per_draw), 0)
    raise SimriskError(
        f"{flag} {draws:,}: the result file needs up to {_gib(need)}, "
        f"{_gib(have)} is {what}; use at most about {most:,} draws"
    )


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
