"""The portfolio kind's simulation: seeds, runs the kernel chunk by chunk, builds the result.

The chunk loop, the run's spec and the streamed file are the core's
(:mod:`simrisk.core.driver`, :class:`simrisk.core.dataset.PartialFile`);
this module draws the parameters and calls the Numba kernel
(:mod:`simrisk.kinds.portfolio._kernel`). Draws are split into chunks only
for memory and checkpoints; every random number is keyed by the draw's
global index (:mod:`simrisk.core.rng`), so a run is a pure function of
config and seed: the same for any chunk size and thread count, streamed or
held in memory, resumed or run through; and the first N draws of a longer
run equal a run of N draws.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import xarray as xr

from simrisk._version import __version__
from simrisk.core.driver import (
    Checkpoint,
    RunSpec,
    check_spec,
    progress_bar,
    run_chunks,
    stream_chunks,
)
from simrisk.core.rng import key_from_seed, param_uniforms
from simrisk.kinds.portfolio._kernel import simulate_chunk
from simrisk.kinds.portfolio.config import KIND, PortfolioConfig
from simrisk.kinds.portfolio.dataset import to_dataset
from simrisk.kinds.portfolio.inputs import COUNTS, PortfolioInputs, build_inputs, transform

__all__ = [
    "KIND",
    "draw_parameters",
    "outputs",
    "run_identity",
    "simulate",
    "simulate_arrays",
    "simulate_to_file",
]


def draw_parameters(inp: PortfolioInputs, draw0: int, n: int, key) -> np.ndarray:
    """World-level parameters ``[n, P]`` of draws ``draw0 .. draw0 + n - 1``."""
    u = np.empty((n, inp.n_params))
    param_uniforms(key, np.int64(draw0), n, inp.n_params, u)
    return transform(inp.priors, u)


def first_word(inp: PortfolioInputs) -> int:
    """The per-draw word after the parameters' (the shared readiness factor)."""
    return (inp.n_params + 1) // 2


def empty_chunk(inp: PortfolioInputs, n: int) -> dict[str, np.ndarray]:
    """The kernel's float64/int64 output buffers for ``n`` draws."""
    n_opt, Y = len(inp.option_ids), len(inp.years)
    return {
        "cost": np.empty((n, n_opt, 2, Y)),
        "money": np.empty((n, n_opt, 2, Y)),
        "staff": np.empty((n, n_opt, 2, Y)),
        "patients": np.empty((n, n_opt, 2, Y)),
        "totals": np.empty((n, n_opt, 2, 4)),
        "counts": np.empty((n, n_opt, 2, len(COUNTS)), np.int64),
        "unspent": np.empty((n, n_opt, 2)),
    }


def run_kernel(inp: PortfolioInputs, draw0: int, params: np.ndarray, key) -> dict:
    """One chunk through the Numba kernel; returns its output buffers."""
    out = empty_chunk(inp, params.shape[0])
    simulate_chunk(
        np.int64(draw0),
        key,
        np.int64(first_word(inp)),
        params,
        inp.cost_low,
        inp.cost_high,
        inp.validation_share,
        inp.case_scale,
        inp.benefit,
        inp.budget,
        inp.capacity,
        np.int64(inp.pool_offset),
        np.int64(inp.val_periods),
        np.int64(inp.impl_periods),
        np.int64(inp.life_periods),
        np.int64(inp.late_periods),
        bool(inp.lapse),
        float(inp.rate),
        inp.t_years,
        out["cost"],
        out["money"],
        out["staff"],
        out["patients"],
        out["totals"],
        out["counts"],
        out["unspent"],
    )
    return out


def outputs(inp: PortfolioInputs, n: int) -> dict[str, np.ndarray]:
    """The stored per-draw arrays of ``n`` draws (float64 totals, float32 years, int16 counts)."""
    n_opt, Y = len(inp.option_ids), len(inp.years)
    return {
        "parameters": np.empty((n, inp.n_params)),
        "cost": np.empty((n, n_opt, 2, Y), np.float32),
        "staff": np.empty((n, n_opt, 2, Y), np.float32),
        "cum_value": np.empty((n, n_opt, 2, Y), np.float32),
        "totals": np.empty((n, n_opt, 2, 4)),
        "counts": np.empty((n, n_opt, 2, len(COUNTS)), np.int16),
        "unspent": np.empty((n, n_opt, 2)),
    }


def make_fill(inp: PortfolioInputs, seed: int) -> Callable[[int, int, dict], None]:
    """The driver's ``fill(draw0, n, views)``: draws ``draw0 ..`` into views of :func:`outputs`."""
    key, _ = key_from_seed(seed)
    b = inp.cfg.benefits
    disc = (1.0 + inp.rate) ** -inp.t_years

    def fill(draw0: int, n: int, views: dict[str, np.ndarray]) -> None:
        params = draw_parameters(inp, draw0, n, key)
        res = run_kernel(inp, draw0, params, key)
        views["parameters"][...] = params
        for k in ("cost", "staff", "totals", "counts", "unspent"):
            views[k][...] = res[k]
        value = res["money"] - res["cost"] + b.wage_per_fte * res["staff"]
        if b.include_patient_time:
            value = value + b.patient_hour_value * res["patients"]
        views["cum_value"][...] = np.cumsum(value * disc, axis=-1)

    return fill


def simulate_arrays(
    inp: PortfolioInputs,
    draws: int,
    seed: int,
    chunk_size: int,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    checkpoint: Checkpoint | None = None,
) -> dict[str, np.ndarray]:
    """Run the kernel over all draws, held in memory (:func:`outputs`' arrays)."""
    spec = RunSpec(draws=draws, seed=seed, chunk_size=chunk_size, threads=threads)
    check_spec(spec)
    out = outputs(inp, draws)
    return run_chunks(make_fill(inp, seed), out, spec, progress, checkpoint)


def run_identity(spec: RunSpec, config_text: str) -> dict:
    """What makes two portfolio runs the same run: a checkpoint is resumed only by the same run."""
    return {
        "kind": KIND,
        "config_sha256": hashlib.sha256(config_text.encode()).hexdigest(),
        "seed": int(spec.seed),
        "draws": int(spec.draws),
        "version": __version__,
    }


def _spec(cfg: PortfolioConfig, draws, seed, chunk_size, threads) -> RunSpec:
    sim = cfg.simulation
    spec = RunSpec(
        draws=sim.draws if draws is None else draws,
        seed=sim.seed if seed is None else seed,
        chunk_size=sim.chunk_size if chunk_size is None else chunk_size,
        threads=threads,
    )
    check_spec(spec)
    return spec


def simulate(
    cfg: PortfolioConfig,
    *,
    draws: int | None = None,
    seed: int | None = None,
    chunk_size: int | None = None,
    threads: int | None = None,
    config_text: str = "",
    quiet: bool = True,
    checkpoint_path=None,
    created_at: str | None = None,
) -> xr.Dataset:
    """Simulate every budget option of a portfolio config, held in memory.

    Parameters
    ----------
    cfg : PortfolioConfig
        A validated config (:func:`~simrisk.kinds.portfolio.load_portfolio`).
    draws, seed, chunk_size : int, optional
        Defaults from the config's ``[simulation]``.
    threads : int, optional
        Numba threads (default: all). Results do not depend on it.
    config_text : str
        The config file's text, kept in the Dataset for provenance.
    quiet : bool
        No progress bar (it is shown only on a terminal anyway).
    checkpoint_path : path, optional
        Save every completed chunk under this prefix
        (:class:`simrisk.core.driver.Checkpoint`) and resume from a matching
        checkpoint; removed by the caller once the output is written.
    created_at : str, optional
        The ``created_at`` attribute (default: now).

    Returns
    -------
    xarray.Dataset
        Sample dimension ``draw``; ``option``, ``screening`` (``with``,
        ``without``: the same candidates on common random numbers), ``year``
        and ``parameter`` dimensions. ``npv[draw, option]`` is the net
        benefit at the region's rate; ``parameters[draw, parameter]`` the
        world-level parameters (for EVPPI).

    Examples
    --------
    >>> from simrisk.kinds.portfolio import load_portfolio
    >>> from simrisk.kinds.portfolio.simulate import simulate
    >>> cfg, text = load_portfolio("configs/regionh_ai_pool.toml")  # doctest: +SKIP
    >>> ds = simulate(cfg, draws=1000, seed=1, config_text=text)  # doctest: +SKIP
    >>> ds.npv.sizes  # doctest: +SKIP
    Frozen({'draw': 1000, 'option': 3})
    """
    spec = _spec(cfg, draws, seed, chunk_size, threads)
    inp = build_inputs(cfg)
    ckpt = None
    if checkpoint_path is not None:
        ckpt = Checkpoint(checkpoint_path, identity=run_identity(spec, config_text))
    bar, update = progress_bar(spec.draws, quiet)
    try:
        arrays = simulate_arrays(
            inp, spec.draws, spec.seed, spec.chunk_size, spec.threads, update, ckpt
        )
    finally:
        if bar is not None:
            bar.close()
    return to_dataset(
        inp,
        arrays,
        seed=spec.seed,
        chunk_size=spec.chunk_size,
        config_text=config_text,
        created_at=created_at,
    )


def simulate_to_file(
    cfg: PortfolioConfig,
    out,
    *,
    draws: int | None = None,
    seed: int | None = None,
    chunk_size: int | None = None,
    threads: int | None = None,
    config_text: str = "",
    quiet: bool = True,
    created_at: str | None = None,
):
    """Simulate a portfolio config straight to the NetCDF file ``out``, a chunk at a time.

    Memory is that of a chunk, not of the run. The file opens to the same
    Dataset as :func:`simulate`'s written with
    :func:`simrisk.core.dataset.write_netcdf`. Until the run ends the file
    is ``.<out name>.<run digest>.part.nc``, the checkpoint: run again after
    an interruption (even a SIGKILL) and the run continues from its last
    complete chunk, with the same values as a run that ran through.
    Parameters are those of :func:`simulate`. Returns the
    :class:`~simrisk.core.dataset.PartialFile` (its ``resumed_from`` and
    ``notes`` say what happened).
    """
    import datetime as dt

    from simrisk.core.dataset import CHUNK_DRAWS, PartialFile
    from simrisk.kinds.portfolio.dataset import per_draw_variables

    spec = _spec(cfg, draws, seed, chunk_size, threads)
    inp = build_inputs(cfg)
    created = created_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    empty = outputs(inp, 0)
    template = to_dataset(
        inp,
        empty,
        seed=spec.seed,
        chunk_size=spec.chunk_size,
        config_text=config_text,
        draws=spec.draws,
        created_at=created,
    )
    rows = min(spec.chunk_size, CHUNK_DRAWS)
    writer = PartialFile(out, template, spec.draws, run_identity(spec, config_text), rows)
    start = writer.open()

    def sink(draw0: int, n: int, arrays: dict[str, np.ndarray]) -> None:
        chunk = per_draw_variables(inp, arrays)
        writer.write(draw0, {k: v.values for k, v in chunk.items()})

    shapes = {k: (v.shape[1:], v.dtype.str) for k, v in empty.items()}
    bar, update = progress_bar(spec.draws, quiet)
    try:
        stream_chunks(make_fill(inp, spec.seed), shapes, spec, sink, start=start, progress=update)
    finally:
        if bar is not None:
            bar.close()
        if writer.done == 0:
            writer.remove()  # interrupted before a chunk was saved: nothing to resume
        elif writer.done < spec.draws:
            writer.close()  # interrupted: the partial file stays, to resume from
    writer.finish({"created_at": created})
    return writer
