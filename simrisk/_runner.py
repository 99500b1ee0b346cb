"""How :func:`simrisk.api.run` runs: checks first, then the output lock, checkpoint and resume.

Every check that can refuse a run (the kind's options, the output, the
draws against memory and disk) runs before anything is written. A run with
an output file holds the output's lock (one writer per file), removes what a
killed writer left, and keeps its progress: a kind that streams writes a
partial file next to the output, which is the checkpoint; a kind that runs
in memory keeps a checkpoint folder of completed chunks. Running the same
call again resumes from it, with results identical to a run that ran
through. An interruption raises :class:`~simrisk.core.errors.Stopped`, whose
message says what was kept.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simrisk.core.errors import SimriskError, Stopped
from simrisk.kinds import Config, RunOptions, registry

if TYPE_CHECKING:
    import xarray as xr

    from simrisk.core.targets import Precision

Notify = Callable[[str], None]


def _quiet(_line: str) -> None:
    pass


def _signum(exc: BaseException) -> int:
    return int(getattr(exc, "signum", 2))


def refuse_unsupported(
    kind: Any, cfg: Config, options: RunOptions, until: object, backend: object
) -> None:
    """One line for an option the kind does not honour, naming the kinds that do.

    The options every kind's own ``simulate`` refuses (``--fixed-parameters``,
    ``--chunk-size`` ...) it refuses in its words; these are the ones decided
    before any work: a scores file, a cluster, a precision target.
    """
    source = cfg.source or f"the {cfg.kind} config"
    asked = []
    if options.scores is not None:
        asked.append(("scores", "--scores"))
    if backend is not None:
        asked.append(("backend", _backend_flag(backend)))
    if until:
        asked.append(("until", "--until"))
    for option, flag in asked:
        if option == "until" and backend is not None:
            raise SimriskError(f"{_backend_flag(backend)}: cannot be combined with --until")
        if not kind.CAPABILITIES.honours(option):
            raise SimriskError(
                f"{flag}: only for {_able(option)} config; {source} is a {cfg.kind}"
            )


def _able(option: str) -> str:
    """'a contract' or 'a WELLBY': the kinds that honour ``option``."""
    titles = [k.CAPABILITIES.title for k in registry.kinds() if k.CAPABILITIES.honours(option)]
    return "a " + " or ".join(titles) if titles else "no"


def _backend_flag(backend: object) -> str:
    if isinstance(backend, Mapping):
        return "--workers" if backend.get("workers") else "--scheduler"
    return "backend"


def make_backend(backend: object, threads: int | None) -> tuple[Any, Callable[[], None]]:
    """A backend object from ``backend`` (a mapping ``workers=N`` or ``scheduler=ADDRESS`` is
    started here and closed by the returned function; an object is used as it is)."""
    if isinstance(backend, Mapping):
        from simrisk.core.backends import dask_backend

        made = dask_backend(
            workers=backend.get("workers"), scheduler=backend.get("scheduler"), threads=threads
        )
        return made, made.close
    return backend, lambda: None


def check_draws(
    kind: Any, model: Any, draws: int | None, source: str, streamed_to: Path | None = None
) -> int | None:
    """The run's draw count, refused before simulating when too few or too many for memory.

    A run streamed to a file (``streamed_to``) holds one chunk in memory, so
    it is checked against the disk space of the file's folder instead.
    """
    from simrisk.core.driver import check_disk, check_memory

    # first, so a config that cannot be simulated at all says so before the draws
    per_draw = None if streamed_to is not None else kind.bytes_per_draw(model)
    summary = getattr(kind, "summary_bytes_per_draw", None)
    if streamed_to is not None and summary is not None:
        per_draw = summary(model)  # the summary of a streamed result reads some series whole
    on_disk = kind.file_bytes_per_draw(model) if streamed_to is not None else None
    given = draws is not None
    # a config without simulation.draws is not checked here (its kind has its default)
    n = draws if given else getattr(getattr(model, "simulation", None), "draws", None)
    if n is None:
        return None
    where = "--draws" if given else f"{source}: simulation.draws ="
    refuse_few_draws(kind, n, where)
    if n > 2**31 - 1:
        raise SimriskError(f"{where} {n:,}: must be at most {2**31 - 1:,}")
    if per_draw is not None:
        check_memory(per_draw, n, where)
    if streamed_to is not None and on_disk is not None:
        folder = streamed_to.parent if streamed_to.parent.is_dir() else Path(".")
        check_disk(on_disk, n, folder, where)
    return n


def refuse_few_draws(kind: Any, n: int, where: str, held: bool = False) -> None:
    """The one minimum-draw rule: a kind's ``MIN_DRAWS`` (and why), for every flag that
    sets a draw count and every result a command reads (``held``: ``where`` is a file)."""
    least, why = kind.MIN_DRAWS, kind.MIN_DRAWS_WHY
    if n >= least:
        return
    if held:
        raise SimriskError(
            f"{where}: holds {n:,} draws; a summary needs at least {least:,} "
            f"({why}); rerun with more --draws"
        )
    raise SimriskError(f"{where} {n:,}: must be at least {least:,} ({why})")


def _checkpoint_prefix(out: Path | None, source: str | None = None, mode: str = "") -> Path | None:
    """Where a run held in memory keeps its checkpoint (the folder adds ``-<run id>``).

    Next to the output; without one (``--out -``), in the working folder,
    named after the config, if it can be written there; else nowhere.
    """
    tag = f".{mode}" if mode else ""
    if out is not None:
        return out.with_name(f".{out.name}{tag}.checkpoint")
    if source is None or not os.access(".", os.W_OK | os.X_OK):
        return None
    return Path(f".simrisk-{Path(source).stem}.stdout{tag}.checkpoint")


def _discard_progress(out: Path) -> None:
    """What an interrupted run of ``out`` kept (``resume=False``)."""
    import shutil

    from simrisk.core.dataset import partial_files

    prefix = _checkpoint_prefix(out)
    for old in out.parent.glob(f"{prefix.name}-*"):
        shutil.rmtree(old, ignore_errors=True)
    for old in partial_files(out):
        old.unlink(missing_ok=True)


def run_config(
    kind: Any,
    cfg: Config,
    options: RunOptions,
    out: Path | None,
    *,
    until: Sequence[str | Precision] | str | None,
    max_draws: int,
    resume: bool,
    backend: object,
    make_folder: bool,
    notify: Notify | None,
) -> xr.Dataset:
    """:func:`simrisk.api.run` after the config is loaded (see there)."""
    notify = notify or _quiet
    source = cfg.source or f"the {cfg.kind} config"
    refuse_unsupported(kind, cfg, options, until, backend)
    kind.check(cfg.model, options)
    from simrisk.core.outputs import epoch_created_at, hold

    if until:
        refuse_few_draws(kind, max_draws, "--max-draws")
        # the lock is taken now if the folder is there (else when the result is written)
        early = out is not None and out.parent.is_dir()
        with hold(out, "--out", notify) if early else contextlib.nullcontext():  # type: ignore[arg-type]
            return _run_until(
                kind, cfg, options, out, until, max_draws, make_folder, resume, notify
            )
    streamed = out is not None and kind.CAPABILITIES.honours("stream")
    draws = check_draws(kind, cfg.model, options.draws, source, out if streamed else None)
    created_at = epoch_created_at()
    if out is not None:
        _make_folder(out, make_folder)
    close = None
    # the output's lock (one writer per file); taking it removes a killed writer's leftovers
    with hold(out, "--out", notify) if out is not None else contextlib.nullcontext():
        try:
            made, close = make_backend(backend, options.threads)
            options = _with(options, backend=made, created_at=created_at)
            if out is not None and not resume:
                _discard_progress(out)
            if streamed:
                assert out is not None
                return _run_streamed(kind, cfg, options, out, draws, notify)
            return _run_in_memory(kind, cfg, options, out, draws, notify)
        finally:
            if close is not None:
                close()


def _with(options: RunOptions, **changes: Any) -> RunOptions:
    import dataclasses

    return dataclasses.replace(options, **changes)


def _make_folder(out: Path, make_folder: bool) -> None:
    """Make the output's folder (only now that every check has passed), if asked to."""
    if make_folder and not out.parent.is_dir():
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SimriskError(
                f"--out {out}: cannot make folder {out.parent} "
                f"({exc.strerror or exc.__class__.__name__}); give --out"
            ) from None


def _run_streamed(
    kind: Any, cfg: Config, options: RunOptions, out: Path, draws: int | None, notify: Notify
) -> xr.Dataset:
    """Simulate to ``out`` a chunk at a time; the partial file next to it is the checkpoint."""
    from simrisk.core.dataset import open_result, partial_for

    try:
        writer = kind.simulate_to_file(cfg.model, out, options)
    except KeyboardInterrupt as exc:
        part = partial_for(out)
        if part is not None:
            for note in part.notes:
                notify(note)
        if part is not None and part.done == part.draws and out.is_file():
            # the signal came while the finished file was renamed into place
            msg = (
                f"interrupted; {out} is complete, its summary was not printed "
                f"(simrisk summary {out})"
            )
        elif part is not None and part.done and part.path.exists():
            msg = (
                f"interrupted; {out} was not written. {part.done:,} of {part.draws:,} draws "
                f"are saved in {part.path}: run the same command to resume."
            )
        else:
            msg = "interrupted; nothing was written"
        raise Stopped(msg, _signum(exc)) from None
    except Exception as exc:  # disk full, ulimit -f: nothing half-written stays behind
        from simrisk.core.dataset import partial_files
        from simrisk.core.errors import write_failure

        why = write_failure(exc)
        if why is None:
            raise
        for f in partial_files(out):
            f.unlink(missing_ok=True)
        raise SimriskError(
            f"--out {out}: cannot write ({why}); the partial result was removed"
        ) from None
    for note in writer.notes:
        notify(note)
    if writer.resumed_from:
        total = writer.draws
        notify(
            f"resumed {writer.resumed_from:,} of {total:,} draws from {writer.path}; "
            f"simulated {total - writer.resumed_from:,}"
        )
    return open_result(out, lazy=True)


def _run_in_memory(
    kind: Any,
    cfg: Config,
    options: RunOptions,
    out: Path | None,
    draws: int | None,
    notify: Notify,
) -> xr.Dataset:
    """Simulate in memory (with a checkpoint folder next to ``out``), then write ``out``."""
    from simrisk.core.dataset import open_result, write_netcdf
    from simrisk.core.driver import checkpoint_for

    honours = kind.CAPABILITIES.honours("checkpoint")
    prefix = _checkpoint_prefix(out, cfg.source) if honours else None
    options = _with(options, checkpoint_path=prefix)
    try:
        ds = kind.simulate(cfg.model, options)
    except KeyboardInterrupt as exc:
        ck = checkpoint_for(prefix) if prefix is not None else None
        if ck is not None and ck.saved:
            what = "nothing was printed" if out is None else f"{out} was not written"
            msg = (
                f"interrupted; {what}. {ck.saved:,} of {draws:,} draws are "
                f"saved in {ck.path}: run the same command to resume."
            )
        else:
            msg = "interrupted; nothing was written"
        raise Stopped(msg, _signum(exc)) from None
    ck = checkpoint_for(prefix) if prefix is not None else None
    for note in ck.notes if ck is not None else ():
        notify(note)
    if ck is not None and ck.resumed_from:
        n = ds.sizes["draw"]
        notify(
            f"resumed {ck.resumed_from:,} of {n:,} draws from {ck.path}; "
            f"simulated {n - ck.resumed_from:,}"
        )
    if options.created_at is not None and "created_at" in ds.attrs:
        ds.attrs["created_at"] = options.created_at
    if out is None:
        if ck is not None:
            ck.remove()
        return ds
    try:
        write_netcdf(ds, out)
    except KeyboardInterrupt as exc:
        saved = f"; progress is saved in {ck.path}" if ck is not None and ck.saved else ""
        raise Stopped(
            f"interrupted while writing; {out} was not written{saved}. "
            "Run the same command to finish.",
            _signum(exc),
        ) from None
    if ck is not None:
        ck.remove()
    ds.close()
    return open_result(out, lazy=True)


#: ``--max-draws``' default: lowered, with a note, to what fits in memory
DEFAULT_MAX_DRAWS = 10_000_000


def _run_until(
    kind: Any,
    cfg: Config,
    options: RunOptions,
    out: Path | None,
    until: Sequence[str | Precision] | str,
    max_draws: int,
    make_folder: bool,
    resume: bool = True,
    notify: Notify | None = None,
) -> xr.Dataset:
    """Simulate in blocks until every precision target is met (or ``max_draws``)."""
    from simrisk.core.dataset import write_netcdf
    from simrisk.core.outputs import hold
    from simrisk.core.targets import Precision, parse_precision
    from simrisk.decision import default_step, simulate_until
    from simrisk.decision.stopping import check_targets, target_status

    if options.fixed_parameters:
        raise SimriskError("--until: cannot be combined with --fixed-parameters")
    if isinstance(until, str) or not all(isinstance(t, Precision) for t in until):
        targets = parse_precision([until] if isinstance(until, str) else list(until))
    else:
        targets = list(until)  # type: ignore[arg-type]
    model = cfg.model
    seed = model.simulation.seed if options.seed is None else options.seed
    step = options.chunk_size or default_step(model)
    from simrisk.core.driver import check_memory
    from simrisk.core.memory import memory_available

    # the blocks are held in memory and assembled once more at each check: twice the draws
    per_draw = 2 * kind.bytes_per_draw(model)
    have = memory_available()
    if max_draws == DEFAULT_MAX_DRAWS and have is not None and per_draw * max_draws > have:
        max_draws = max(int(have / per_draw) // step * step, step)  # the default, not asked for
        (notify or _quiet)(f"--max-draws lowered to {max_draws:,}: what fits in memory")
    check_memory(per_draw, max_draws, "--max-draws")
    kind.compile_notice(options.quiet)
    # every target must name a figure with an SE: found on a small run before the long one
    # (and before a checkpoint or the default results/ folder is made)
    probe = kind.simulate(
        model, _with(options, draws=kind.MIN_DRAWS, seed=seed, checkpoint_path=None, quiet=True)
    )
    target_status(kind.summarize(probe), targets)
    del probe
    notify = notify or _quiet
    from simrisk.core.driver import checkpoint_for

    # each block is kept; the same run resumes them and continues the stopping rule
    prefix = _checkpoint_prefix(out, cfg.source, "until")
    if not resume and prefix is not None:
        import shutil

        for old in prefix.parent.glob(f"{prefix.name}-*"):
            shutil.rmtree(old, ignore_errors=True)
    try:
        ds = simulate_until(
            model, seed, check_targets(targets), step, max_draws, config_text=cfg.text,
            checkpoint_path=prefix,
        )  # fmt: skip
    except KeyboardInterrupt as exc:
        ck = checkpoint_for(prefix) if prefix is not None else None
        if ck is not None and ck.saved:
            msg = (
                f"interrupted; {ck.saved:,} draws are saved in {ck.path}: run the same "
                "command to resume (the stopping rule continues)."
            )
        else:
            msg = "interrupted; nothing was written"
        raise Stopped(msg, _signum(exc)) from None
    ck = checkpoint_for(prefix) if prefix is not None else None
    for note in ck.notes if ck is not None else ():
        notify(note)
    if ck is not None and ck.resumed_from:
        notify(
            f"resumed {ck.resumed_from:,} draws from {ck.path}; stopped at {ds.sizes['draw']:,}"
        )
    met = all(r["met"] for r in target_status(kind.summarize(ds), targets))
    ds.attrs["until"] = ", ".join(str(t) for t in targets)
    ds.attrs["until_met"] = int(met)
    if out is not None:
        if make_folder:
            out.parent.mkdir(parents=True, exist_ok=True)
        with hold(out, "--out", notify):
            write_netcdf(ds, out)
    if ck is not None:
        ck.remove()
    return ds
