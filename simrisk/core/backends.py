"""Where chunks run: in this process (the default) or as tasks on dask.distributed.

The driver (:func:`simrisk.core.driver.run_chunks`) splits a run into chunks
and a kind's ``fill(draw0, n, views)`` simulates one. Every draw is a pure
function of (seed, config, draw index) (:mod:`simrisk.core.rng`), so a chunk
can run anywhere: on a dask worker it gives the same bytes as in this
process, and the assembled result is bit-identical to a threaded run.

:class:`DaskBackend` submits chunks as tasks, keeps at most ``window`` of
them in flight (so neither the cluster nor this process holds more than a
few chunks' results), takes results back in draw order as they complete,
releases each future once its chunk is copied into place, and cancels the
futures in flight when interrupted (Ctrl-C) or when a task fails.

``distributed`` is an optional dependency (``pip install simrisk[dask]``);
it is imported only when a dask backend is made.

:func:`map_tasks` is the same machinery for work that is not a run's chunks
(the decision layer's nested runs, design candidates): ``func(*shared,
*item)`` for each item, in this process without a backend, as tasks on the
cluster with one, and in the items' order either way.
"""

from __future__ import annotations

import os
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from simrisk.core.errors import SimriskError

__all__ = [
    "DaskBackend",
    "chunk_task",
    "close_when_done",
    "dask_backend",
    "local_cluster",
    "map_tasks",
]


def chunk_task(
    fill: Callable[[int, int, dict[str, np.ndarray]], None],
    template: dict[str, tuple[tuple[int, ...], str]],
    draw0: int,
    n: int,
    threads: int | None,
) -> dict[str, np.ndarray]:
    """Simulate draws ``draw0 .. draw0 + n - 1`` into fresh arrays (runs on a worker).

    ``template`` maps each output to its per-draw shape and dtype.
    """
    if threads is not None:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    out = {k: np.empty((n, *shape), np.dtype(dt)) for k, (shape, dt) in template.items()}
    fill(draw0, n, out)
    return out


def call_task(func: Callable, threads: int | None, *args):
    """``func(*args)`` with ``threads`` Numba threads (runs on a worker)."""
    if threads is not None:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    return func(*args)


def map_tasks(
    func: Callable, items: Iterable[tuple], shared: tuple = (), backend: DaskBackend | None = None
) -> Iterator:
    """Yield ``func(*shared, *item)`` for each item, in the items' order.

    Without a ``backend`` the calls run here, one after another. With a
    :class:`DaskBackend` each call is a task: ``shared`` (the model's
    inputs) is sent to every worker once, each task carries only its item,
    at most ``backend.window`` tasks are in flight, finished futures are
    released, and closing the generator (Ctrl-C, an error) cancels the
    tasks in flight. ``func`` must then pickle and be a pure function of its
    arguments, so both ways give the same results.
    """
    if backend is None:
        return (func(*shared, *item) for item in items)
    return backend.map(func, items, shared)


def close_when_done(results: Iterator) -> list:
    """All of ``results`` as a list; closing the stream (cancelling its tasks) if interrupted."""
    import contextlib

    with contextlib.closing(results) as stream:
        return list(stream)


class DaskBackend:
    """A run's chunks (:meth:`run`), or any pure calls (:meth:`map`), as dask tasks.

    Parameters
    ----------
    client : distributed.Client
        A connected client.
    cluster : distributed.LocalCluster, optional
        A cluster this backend started (closed by :meth:`close`).
    threads : int, optional
        Numba threads per task (``None``: the worker's default).
    window : int, optional
        Chunks in flight at once (default: twice the workers' threads).
    """

    def __init__(self, client, cluster=None, threads: int | None = None, window=None):
        self.client = client
        self.cluster = cluster
        self.threads = threads
        if window is None:
            nthreads = sum(client.nthreads().values()) or 1
            window = 2 * nthreads
        self.window = max(1, int(window))

    @property
    def workers(self) -> int:
        return len(self.client.nthreads())

    def chunk_size(self, remaining: int, chunk_size: int) -> int:
        """Draws per task: at most ``chunk_size``, and enough tasks to keep every worker busy."""
        spread = -(-remaining // (4 * max(self.workers, 1)))
        return max(1, min(chunk_size, spread))

    def run(
        self,
        fill: Callable[[int, int, dict[str, np.ndarray]], None],
        template: dict[str, tuple[tuple[int, ...], str]],
        chunks: list[tuple[int, int]],
    ) -> Iterator[tuple[int, int, dict[str, np.ndarray]]]:
        """Yield ``(draw0, n, arrays)`` for ``chunks`` in their order, computed on the cluster."""
        items = [(template, draw0, n, self.threads) for draw0, n in chunks]
        results = self.map(chunk_task, items, (fill,), threads=False)
        try:
            for (draw0, n), arrays in zip(chunks, results, strict=True):
                yield draw0, n, arrays
        finally:
            results.close()

    def map(
        self, func: Callable, items: Iterable[tuple], shared: tuple = (), threads: bool = True
    ) -> Iterator:
        """Yield ``func(*shared, *item)`` for each item, in order, computed on the cluster.

        ``shared`` is scattered to every worker once; each task carries its
        item. With ``threads``, each task runs with :attr:`threads` Numba
        threads (:func:`call_task`). See :func:`map_tasks`.
        """
        client = self.client
        shared_f = client.scatter(list(shared), broadcast=True, hash=False) if shared else []
        pending = deque()
        todo = iter(items)

        name = getattr(func, "__name__", "task").strip("_")

        def submit(item):
            if threads:
                args = (call_task, func, self.threads, *shared_f, *item)
            else:
                args = (func, *shared_f, *item)
            # named by the function, not call_task, so the dashboard says what runs
            return client.submit(*args, key=f"{name}-{uuid.uuid4().hex}")

        try:
            for item in todo:
                pending.append(submit(item))
                if len(pending) >= self.window:
                    break
            while pending:
                result = pending[0].result()  # interrupted here: the finally cancels it too
                pending.popleft().release()
                nxt = next(todo, None)
                if nxt is not None:
                    pending.append(submit(nxt))
                yield result
        finally:
            # Interrupted (Ctrl-C), failed or abandoned: nothing keeps running.
            if pending:
                client.cancel(list(pending))
                for f in pending:
                    f.release()
            for f in shared_f:
                f.release()

    def close(self) -> None:
        """Close the client, and the cluster if this backend started it."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> DaskBackend:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def local_cluster(workers: int, **kwargs):
    """A ``distributed.LocalCluster`` of ``workers`` processes, one thread each, no dashboard.

    ``dashboard_address=None`` turns the dashboard off, but the scheduler still
    opens its HTTP server (health, metrics) on port 8787 and warns when that port
    is taken (another cluster, a notebook's dashboard, a second test worker); the
    server is bound to a free loopback port instead, so no run depends on 8787.
    """
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        **kwargs,
    )


def dask_backend(
    workers: int | None = None, scheduler: str | None = None, threads: int | None = None
) -> DaskBackend:
    """A :class:`DaskBackend`: ``workers`` local worker processes, or the cluster at ``scheduler``.

    With ``workers``, each worker gets one task at a time and an equal share
    of this machine's cores for Numba (unless ``threads`` says otherwise).
    """
    try:
        from distributed import Client
    except ImportError:
        flag = "--workers" if workers is not None else "--scheduler"
        raise SimriskError(
            f"{flag}: needs dask.distributed, which is not installed; pip install 'simrisk[dask]'"
        ) from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise SimriskError(
                f"--scheduler {scheduler}: cannot connect ({exc.__class__.__name__}); "
                "give the address the scheduler prints, e.g. tcp://host:8786"
            ) from None
        return DaskBackend(client, threads=threads)
    cores = os.cpu_count() or 1
    cluster = local_cluster(workers, silence_logs=40)  # logging.ERROR: the output stays ours
    client = Client(cluster)
    per_worker = threads if threads is not None else max(1, cores // max(workers, 1))
    return DaskBackend(client, cluster=cluster, threads=per_worker)
