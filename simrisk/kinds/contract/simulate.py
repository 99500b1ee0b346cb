"""The contract kind's simulation: seeds, allocates, runs the kernel chunk by chunk.

The chunk loop, checkpoints and the run's spec are the core's
(:mod:`simrisk.core.driver`); this module draws the parameters, calls the
Numba kernel (:mod:`simrisk.kinds.contract._kernel`) and assembles the
Dataset. Every random number is keyed by the draw's global index, so results
are bit-identical for any chunk size and any thread count (see
:mod:`simrisk.core.rng`). Per-draw outputs are stored in compact dtypes:
float32 money, and counts as int16 when every count fits (recruitment may
reach 10 times ``population.referred``) or else int32 (:func:`count_dtype`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import numpy as np

from simrisk._version import __version__
from simrisk.core.driver import Checkpoint, RunSpec, check_spec, progress_bar, run_chunks
from simrisk.core.errors import SimriskError
from simrisk.core.finance import IRR_REASONS
from simrisk.core.rng import MAX_CITIZENS, key_from_seed, param_uniforms
from simrisk.kinds.contract._kernel import simulate_chunk
from simrisk.kinds.contract.analytic import success_probabilities
from simrisk.kinds.contract.config import Scenario
from simrisk.kinds.contract.inputs import EngineInputs, KernelOutputs, build_inputs

__all__ = ["RunSpec", "simulate", "simulate_arrays", "simulate_to_file"]

RNG_DESCRIPTION = (
    "SplitMix64 by position: draw * 2**24 + citizen * 2**8 + slot for citizens below 2**15, "
    "2**63 + draw * 2**32 + citizen * 2**8 + slot above; state from SeedSequence(seed)"
)
#: recruitment's prior may reach this multiple of population.referred
#: (simrisk.kinds.contract.priors)
RECRUITMENT_MAX = 10
#: the largest population.referred the engine takes: every recruited citizen
#: needs a position in the random stream (simrisk.core.rng.MAX_CITIZENS)
MAX_REFERRED = (MAX_CITIZENS - 1) // RECRUITMENT_MAX


def count_dtype(referred: int) -> type:
    """int16 when every count of a population of ``referred`` fits, else int32.

    Counts are at most ``RECRUITMENT_MAX * referred + 1`` (the recruitment
    multiplier's bound, plus rounding). Small populations keep int16, so
    their files (and the pinned digests) are unchanged.
    """
    return np.int16 if RECRUITMENT_MAX * referred + 1 <= np.iinfo(np.int16).max else np.int32


def run_kernel(inp: EngineInputs, draw0: int, params: np.ndarray, key, buf) -> None:
    """One chunk through the Numba kernel into the output arrays ``buf``, on Numba's
    thread count. Only the kernel of the config's goal shape is called (and so compiled).
    """
    import numba

    first_word = (params.shape[1] + 1) // 2
    k = inp.kernel
    out = KernelOutputs(
        buf["referred"], buf["measured"], buf["successes"], buf["deadweight"], buf["repaid"],
        buf["cash_year"], buf["irr"], buf["irr_status"], buf["npv"], buf["moic"],
        buf["saving"], buf["dw_share"], buf["clause"], buf["gate"], buf["gate_paid"],
        buf["gate_saving"],
    )  # fmt: skip
    simulate_chunk(draw0, key, first_word, params, numba.get_num_threads(), k, out)


#: rows per thread below which the parameter transform runs on one thread
TRANSFORM_MIN_ROWS = 512
_POOL = None


def _pool(workers: int):
    global _POOL
    if _POOL is None or _POOL._max_workers < workers:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="simrisk-transform")
    return _POOL


def transform_parallel(space, u: np.ndarray, threads: int) -> np.ndarray:
    """``space.transform(u)`` over blocks of rows on ``threads`` threads.

    scipy's and NumPy's ufuncs (ndtri, ndtr, exp, interp, einsum) release the
    GIL, so the blocks run at the same time. Each row's values depend only on
    that row, so the result is the same, bit for bit, as one serial call
    (tests/test_kernel.py checks it).
    """
    n = u.shape[0]
    parts = min(threads, n // TRANSFORM_MIN_ROWS)
    if parts <= 1:
        return space.transform(u)
    edges = np.linspace(0, n, parts + 1).astype(int)
    out = np.empty_like(u)

    def one(k: int) -> None:
        out[edges[k] : edges[k + 1]] = space.transform(u[edges[k] : edges[k + 1]])

    list(_pool(parts).map(one, range(parts)))
    return out


def draw_parameters(inp: EngineInputs, draw0: int, n: int, key, fixed: bool) -> np.ndarray:
    """Parameter values ``[n, P]`` for draws ``draw0 .. draw0 + n - 1``.

    The transform from uniforms runs on as many threads as Numba's kernels
    (:func:`transform_parallel`).
    """
    import numba

    P = len(inp.space.names)
    if fixed:
        return np.tile(inp.fixed_values, (n, 1))
    u = np.empty((n, P))
    param_uniforms(key, np.int64(draw0), n, P, u)
    return transform_parallel(inp.space, u, numba.get_num_threads())


def _empty_outputs(inp: EngineInputs, N: int) -> dict[str, np.ndarray]:
    C = len(inp.contract.cohort_ids)
    G = inp.n_goals
    P = len(inp.space.names)
    count = count_dtype(inp.contract.referred)
    gated = bool(inp.contract.gate_on)
    return {
        "parameters": np.empty((N, P), np.float32),
        "referred": np.empty(N, count),
        "measured": np.empty((N, C), count),
        "successes": np.empty((N, C, G), count),
        "deadweight": np.empty((N, C, G), count),
        "repaid": np.empty((N, C, G), np.float32),
        "cash_year": np.empty((N, len(inp.years)), np.float32),
        "irr": np.empty(N, np.float32),
        "irr_status": np.empty(N, np.int8),
        "npv": np.empty(N, np.float64),
        "moic": np.empty(N, np.float32),
        "saving": np.empty((N, len(inp.authorities)), np.float32),
        "dw_share": np.empty(N, np.float32),
        "clause": np.empty((N, 2), np.float64),
        # the gate's outputs (see _kernel.KernelOutputs); no columns without a [gate]
        "gate": np.empty((N, 3 if gated else 0), np.float64),
        "gate_paid": np.empty((N, len(inp.contract.payer_ids) if gated else 0), np.float64),
        "gate_saving": np.empty((N, len(inp.authorities) if gated else 0), np.float64),
    }


def make_fill(
    inp: EngineInputs, spec: RunSpec, aggregate: bool = False
) -> Callable[[int, int, dict], None]:
    """The driver's ``fill(draw0, n, views)``: draws ``draw0 ..`` into the views of the outputs.

    ``aggregate``: cell counts instead of citizens (:mod:`._aggregate`; see
    :func:`resolve_aggregate`).
    """
    if inp.contract.referred > MAX_REFERRED:
        raise SimriskError(
            f"population.referred = {inp.contract.referred}: too large for the engine "
            f"(at most {MAX_REFERRED:,}: recruitment may reach {RECRUITMENT_MAX}x, and "
            "each citizen needs a place in the random stream)"
        )
    key, _ = key_from_seed(spec.seed)
    if aggregate:
        from simrisk.kinds.contract._aggregate import run_aggregate as run
    else:
        run = run_kernel

    def fill(draw0: int, n: int, views: dict[str, np.ndarray]) -> None:
        params = draw_parameters(inp, draw0, n, key, spec.fixed_parameters)
        views["parameters"][...] = params
        # The kernel writes straight into the compact arrays (numba casts on store).
        run(inp, draw0, params, key, views)

    return fill


def simulate_arrays(
    inp: EngineInputs,
    spec: RunSpec,
    progress: Callable[[int], None] | None = None,
    checkpoint: Checkpoint | None = None,
    backend=None,
    aggregate: bool = False,
) -> dict[str, np.ndarray]:
    """Run the kernel over all draws; returns compact per-draw arrays.

    With a :class:`Checkpoint`, the draws done so far are saved when the run
    is interrupted (``KeyboardInterrupt``) and every ``checkpoint.every``
    seconds, and a matching checkpoint is resumed from. Because every draw
    depends only on (seed, config, draw index), a resumed run is
    bit-identical to one that ran through.
    """
    check_spec(spec)
    # (the aggregated path only when asked: make_fill(inp, spec) stays the per-citizen call)
    fill = make_fill(inp, spec, aggregate=True) if aggregate else make_fill(inp, spec)
    out = _empty_outputs(inp, spec.draws)
    return run_chunks(fill, out, spec, progress, checkpoint, backend=backend)


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
    backend=None,
    aggregate: bool | None = False,
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
        central values (recruitment and retention exactly the ledger's), so
        outcome counts are binomial.
    config_text : str
        The config file's text, stored in the Dataset for provenance.
    quiet : bool
        No progress bar (it is shown only on a terminal anyway).
    checkpoint_path : path, optional
        Save progress here on interruption (and every two minutes) and
        resume from it when it matches this run; removed by the caller once
        the output is written.
    backend : simrisk.core.backends.DaskBackend, optional
        Run the chunks as tasks on a dask.distributed cluster; the result is
        bit-identical to a run in this process.
    aggregate : bool or None
        Draw cell counts per cohort instead of citizens
        (:mod:`simrisk.kinds.contract._aggregate`): True forces it (refused for
        a config it does not model), None chooses it above
        :data:`~simrisk.kinds.contract._aggregate.DEFAULT_ABOVE` referred
        citizens, False (the default here) keeps the per-citizen kernel.

    Returns
    -------
    xarray.Dataset
        Sample dimension ``draw``; see :func:`simrisk.kinds.contract.dataset.to_dataset`.
    """
    from simrisk.kinds.contract.dataset import to_dataset

    spec = _run_spec(scenario, draws, seed, chunk_size, threads, fixed_parameters)
    inp = build_inputs(scenario)
    agg, note = resolve_aggregate(inp, aggregate)
    ckpt = None
    if checkpoint_path is not None:
        ckpt = Checkpoint(checkpoint_path, identity=run_identity(spec, config_text, agg))
    bar, update = progress_bar(spec.draws, quiet)
    try:
        arrays = simulate_arrays(
            inp, spec, progress=update, checkpoint=ckpt, backend=backend, aggregate=agg
        )
    finally:
        if bar is not None:
            bar.close()
    ds = _mark(to_dataset(inp, arrays, spec, **_provenance(inp, config_text)), agg)
    if note:
        ds.attrs["aggregate_note"] = note  # the fall-back, said by simrisk run
    return ds


def simulate_to_file(
    scenario: Scenario,
    out,
    draws: int | None = None,
    seed: int | None = None,
    chunk_size: int | None = None,
    threads: int | None = None,
    fixed_parameters: bool = False,
    config_text: str = "",
    quiet: bool = True,
    backend=None,
    created_at: str | None = None,
    aggregate: bool | None = False,
    summary: bool = False,
):
    """Simulate a scenario straight to the NetCDF file ``out``, a chunk at a time.

    Memory is that of a chunk, not of the run: each chunk's per-draw
    variables are written into the file as the chunk completes
    (:class:`simrisk.core.dataset.PartialFile`). The file opens to a Dataset
    identical to :func:`simulate`'s written with
    :func:`simrisk.core.dataset.write_netcdf`. Until the run ends the file is
    ``.<out name>.<run digest>.part.nc``, which is the checkpoint: run again
    after an interruption and the run continues from its last complete
    chunk, giving the same values as a run that ran through.

    Parameters are those of :func:`simulate`, and ``created_at`` (the
    ``created_at`` attribute; default: now) and ``aggregate`` (see
    :func:`simulate`; a note on a fall-back is added to the writer's ``notes``).
    With ``summary``, the summary's first pass is fed from each chunk as it is
    written: ``writer.summary.finish(ds)`` (``ds`` the finished file, opened
    lazily) then gives :func:`~simrisk.kinds.contract.summary.summarize`'s
    figures reading back only the quantile windows (``writer.summary`` is None
    for a resumed run). Each chunk is written on a thread of its own while the
    kernel simulates the next. Returns the
    :class:`~simrisk.core.dataset.PartialFile` (its ``resumed_from`` and
    ``notes`` say what happened); :func:`simrisk.core.dataset.partial_for`
    finds it after an interruption.
    """
    from simrisk.core.dataset import CHUNK_DRAWS, PartialFile
    from simrisk.core.driver import stream_chunks
    from simrisk.kinds.contract.dataset import per_draw_variables, to_dataset

    spec = _run_spec(scenario, draws, seed, chunk_size, threads, fixed_parameters)
    inp = build_inputs(scenario)
    agg, note = resolve_aggregate(inp, aggregate)
    fill = make_fill(inp, spec, aggregate=True) if agg else make_fill(inp, spec)
    meta = _provenance(inp, config_text)
    if created_at is not None:
        meta["created_at"] = created_at
    empty = _empty_outputs(inp, 0)
    template = _mark(to_dataset(inp, empty, spec, **meta), agg)
    # HDF5 chunks of chunk_size draws (at most CHUNK_DRAWS): whole chunks are compressed once
    rows = min(spec.chunk_size, CHUNK_DRAWS)
    writer = PartialFile(out, template, spec.draws, run_identity(spec, config_text, agg), rows)
    if note:
        writer.notes.append(note)
    start = writer.open()

    # The summary's first pass is fed from each chunk while it is in memory, when
    # the run starts from draw 0 (a resumed run's summary reads the whole file).
    prefeed = None
    if summary and start == 0:
        from simrisk.kinds.contract.summary import Prefeed

        prefeed = Prefeed(template, spec.draws)
    writer.summary = prefeed

    def sink(draw0: int, n: int, arrays: dict[str, np.ndarray]) -> None:
        chunk = per_draw_variables(inp, arrays, IRR_REASONS)
        values = {k: v.values for k, v in chunk.items()}
        writer.write(draw0, values)
        if prefeed is not None:
            prefeed.add(draw0, values)

    shapes = {k: (v.shape[1:], v.dtype.str) for k, v in empty.items()}
    bar, update = progress_bar(spec.draws, quiet)
    try:
        stream_chunks(
            fill, shapes, spec, sink, start=start, progress=update, backend=backend, overlap=True
        )
    finally:
        if bar is not None:
            bar.close()
        if writer.done == 0:
            writer.remove()  # interrupted before a chunk was saved: nothing to resume
        elif writer.done < spec.draws:
            writer.close()  # interrupted: the partial file stays, to resume from
    writer.finish({"created_at": meta["created_at"]})
    return writer


def _run_spec(scenario, draws, seed, chunk_size, threads, fixed_parameters) -> RunSpec:
    sim = scenario.simulation
    spec = RunSpec(
        draws=sim.draws if draws is None else draws,
        seed=sim.seed if seed is None else seed,
        chunk_size=sim.chunk_size if chunk_size is None else chunk_size,
        threads=threads,
        fixed_parameters=fixed_parameters,
    )
    check_spec(spec)
    return spec


def run_identity(spec: RunSpec, config_text: str, aggregate: bool = False) -> dict:
    """What makes two runs the same run: its checkpoint is resumed only by the same run."""
    ident = {
        "config_sha256": hashlib.sha256(config_text.encode()).hexdigest(),
        "seed": int(spec.seed),
        "draws": int(spec.draws),
        "fixed_parameters": bool(spec.fixed_parameters),
        "version": __version__,
    }
    if aggregate:
        ident["aggregate"] = True
    return ident


def resolve_aggregate(inp: EngineInputs, aggregate: bool | None) -> tuple[bool, str | None]:
    """Whether a run takes the aggregated path, and a one-line note when it falls back.

    ``True`` forces it (a config with a feature it does not model is refused),
    ``None`` takes it from :data:`~._aggregate.DEFAULT_ABOVE` referred citizens
    on, ``False`` never.
    """
    if aggregate is False:
        return False, None
    from simrisk.kinds.contract._aggregate import DEFAULT_ABOVE, unsupported

    if aggregate is None and inp.contract.referred < DEFAULT_ABOVE:
        return False, None
    missing = unsupported(inp)
    if not missing:
        return True, None
    what = "; ".join(missing)
    if aggregate:
        raise SimriskError(
            f"--aggregate: the aggregated path does not model this config ({what}); "
            "run without --aggregate"
        )
    return False, f"per-citizen kernel: the aggregated path does not model {what}"


def aggregate_by_default(scenario: Scenario) -> bool:
    """Whether a run of ``scenario`` takes the aggregated path by default."""
    return resolve_aggregate(build_inputs(scenario), None)[0]


def _mark(ds, aggregate: bool):
    """Record in the Dataset's attributes that the aggregated path made it."""
    if aggregate:
        ds.attrs["aggregated"] = 1
        ds.attrs["aggregated_note"] = (
            "cell counts per cohort drawn exactly given each draw's parameters; the modelled "
            "saving per cell drawn as a normal with its exact mean and variance "
            "(docs/model.md#the-aggregated-path-simriskkindscontract_aggregatepy)"
        )
    return ds


def _provenance(inp: EngineInputs, config_text: str) -> dict:
    """The Dataset's provenance and constants (:func:`~.dataset.to_dataset`'s keywords)."""
    return {
        "config_text": config_text,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "version": __version__,
        "implied": success_probabilities(inp, inp.space.central),
        "config_sha256": hashlib.sha256(config_text.encode()).hexdigest(),
        "irr_reasons": IRR_REASONS,
        "rng": RNG_DESCRIPTION,
    }
