"""simrisk run: the Monte Carlo run of a config of any kind."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simrisk.cli._common import (
    add_dask_flags,
    check_draws,
    check_out,
    check_scores,
    clean_leftovers,
    dask_flag,
    default_out,
    epoch_time,
    kernel_notice,
    positive_int,
    print_summary,
    seed_value,
    stop_status,
    writable_folder,
)
from simrisk.core.errors import SimriskError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "run",
        help="Monte Carlo simulation of a scenario",
        description="Simulate the scenario: parameter uncertainty once per draw, chance "
        "among citizens per citizen. Writes an xarray Dataset to NetCDF and prints the "
        "summary. Every completed chunk is saved to a checkpoint next to the output, so "
        "an interrupted run (Ctrl-C, SIGTERM, SIGHUP, even SIGKILL) resumes where it "
        "stopped when run again.",
    )
    p.add_argument("config", help="config TOML file of any kind (contract, wellby, portfolio)")
    p.add_argument(
        "--draws",
        type=positive_int,
        metavar="N",
        help="simulated worlds (default: the config's simulation.draws)",
    )
    p.add_argument(
        "--seed",
        type=seed_value,
        metavar="S",
        help="seed (default: the config's simulation.seed)",
    )
    p.add_argument(
        "--threads",
        type=positive_int,
        metavar="T",
        help="threads (default: all cores); results do not depend on it",
    )
    p.add_argument(
        "--chunk-size",
        type=positive_int,
        metavar="C",
        help="draws per chunk (memory and progress only; results do not depend on it)",
    )
    p.add_argument(
        "--out",
        metavar="PATH",
        help="NetCDF file to write (default: results/<config name>.nc; '-' writes nothing)",
    )
    p.add_argument(
        "--fixed-parameters",
        action="store_true",
        help="switch off parameter uncertainty: every draw uses the priors' central values",
    )
    p.add_argument(
        "--scores",
        metavar="CSV",
        help="WELLBY configs: paired before,after 0-10 scores per participant",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no compile notice")
    p.add_argument(
        "--until",
        action="append",
        metavar="STAT:se<X",
        help="run in blocks until the summary figure's Monte Carlo SE is below X "
        "(e.g. p_npv_negative:se<0.001, npv.mean:rse<0.01; repeatable); --draws is then ignored",
    )
    p.add_argument(
        "--max-draws",
        type=positive_int,
        default=10_000_000,
        metavar="N",
        help="with --until: stop at N draws even if a target is not met (default 10,000,000)",
    )
    p.add_argument(
        "--restart",
        action="store_true",
        help="discard a checkpoint left by an interrupted run instead of resuming from it",
    )
    add_dask_flags(p, "contract configs: run the chunks")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import contextlib
    import os
    import shutil

    from simrisk import kinds
    from simrisk.core.dataset import OutputLock, partial_files, write_netcdf
    from simrisk.core.driver import checkpoint_for

    name, kind = kinds.for_config(args.config)
    cfg, text = kind.load(args.config)
    wellby = name == "wellby"
    if args.scores and not wellby:
        raise SimriskError("--scores: only for a WELLBY config")
    if args.out == "-":
        out = None
    elif args.out is not None:
        out = check_out(args.out, "--out")
    else:
        out = default_out(args.config)
        if out.parent.is_dir():
            out = check_out(str(out), "--out")
        elif out.parent.exists():
            raise SimriskError(f"--out {out} (the default): {out.parent} is not a folder")
        else:
            writable_folder(Path("."), f"--out {out} (the default)")
    if args.scores:
        check_scores(args.scores)
    distributed = dask_flag(args)
    if distributed and name != "contract":
        raise SimriskError(f"{distributed}: only for a contract config; {args.config} is a {name}")
    if distributed and args.until:
        raise SimriskError(f"{distributed}: cannot be combined with --until")
    if args.until:
        if name != "contract":
            raise SimriskError(f"--until: only for a contract config; {args.config} is a {name}")
        if out is not None and not out.parent.is_dir():
            out.parent.mkdir(parents=True, exist_ok=True)
        return _run_until(args, cfg, text, out)
    # A contract run with an output file streams it a chunk at a time (bounded memory).
    streamed = out is not None and hasattr(kind, "simulate_to_file")
    draws = check_draws(kind, cfg, args.draws, args.config, out if streamed else None)
    options = {
        "draws": args.draws,
        "seed": args.seed,
        "config_text": text,
        # only where given, so a kind without these options is not asked
        **{k: v for k, v in (("chunk_size", args.chunk_size), ("threads", args.threads)) if v},
    }
    if args.fixed_parameters:
        options["fixed_parameters"] = True
    prefix = None if out is None else out.with_name(f".{out.name}.checkpoint")
    if wellby:
        options["config_path"] = args.config
        if args.scores:
            options["scores"] = args.scores
    elif streamed:
        options["quiet"] = args.quiet
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch:  # reproducible files (reproducible-builds.org): a fixed creation time
            with contextlib.suppress(ValueError, OverflowError):
                options["created_at"] = epoch_time(epoch)
    else:
        options.update(quiet=args.quiet, checkpoint_path=prefix)
    if out is not None and not out.parent.is_dir():
        try:  # the default results/ folder, made only now that every check has passed
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SimriskError(
                f"--out {out}: cannot make folder {out.parent} "
                f"({exc.strerror or exc.__class__.__name__}); give --out"
            ) from None
    lock = OutputLock(out).acquire() if out is not None else None
    backend = None
    try:
        if distributed:
            from simrisk.core.backends import dask_backend

            backend = dask_backend(
                workers=args.workers, scheduler=args.scheduler, threads=args.threads
            )
            options["backend"] = backend
        if out is not None:
            clean_leftovers(out, "run")
            if args.restart:
                for old in out.parent.glob(f"{prefix.name}-*"):
                    shutil.rmtree(old, ignore_errors=True)
                for old in partial_files(out):
                    old.unlink(missing_ok=True)
        if streamed:
            return _run_streamed(kind, cfg, out, options, draws, args.json)
        try:
            ds = kind.simulate(cfg, **options)
        except KeyboardInterrupt as exc:
            ck = checkpoint_for(prefix) if prefix is not None else None
            if ck is not None and ck.saved:
                print(
                    f"simrisk run: interrupted; {out} was not written. {ck.saved:,} of "
                    f"{draws:,} draws are saved in {ck.path}: run the same command to resume.",
                    file=sys.stderr,
                )
            else:
                print("simrisk run: interrupted; nothing was written", file=sys.stderr)
            return stop_status(exc)
        ck = checkpoint_for(prefix) if prefix is not None else None
        if ck is not None and ck.resumed_from:
            print(
                f"simrisk run: resumed {ck.resumed_from:,} of {draws:,} draws from {ck.path}; "
                f"simulated {draws - ck.resumed_from:,}",
                file=sys.stderr,
            )
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and "created_at" in ds.attrs:
            # Reproducible files (reproducible-builds.org): a fixed creation time.
            with contextlib.suppress(ValueError, OverflowError):
                ds.attrs["created_at"] = epoch_time(epoch)
        if out is not None:
            try:
                write_netcdf(ds, out)
            except KeyboardInterrupt as exc:
                saved = f"; progress is saved in {ck.path}" if ck is not None and ck.saved else ""
                print(
                    f"simrisk run: interrupted while writing; {out} was not written{saved}. "
                    "Run the same command to finish.",
                    file=sys.stderr,
                )
                return stop_status(exc)
            if ck is not None:
                ck.remove()
    finally:
        if backend is not None:
            backend.close()
        if lock is not None:
            lock.release()
    print_summary(kind, kind.summarize(ds), args.json)
    if out is not None and not args.json:
        print(f"\nwrote {out}")
    return 0


def _run_streamed(kind, cfg, out: Path, options: dict, draws: int, as_json: bool) -> int:
    """``simrisk run`` of a kind that streams: simulate to ``out``, then summarize it lazily.

    The partial file next to ``out`` is the checkpoint: an interruption
    leaves it, and the same command resumes from it.
    """
    from simrisk.core.dataset import open_result, partial_for

    try:
        writer = kind.simulate_to_file(cfg, out, **options)
    except KeyboardInterrupt as exc:
        part = partial_for(out)
        if part is not None:
            for note in part.notes:
                print(f"simrisk run: {note}", file=sys.stderr)
        if part is not None and part.done == part.draws and out.is_file():
            # the signal came while the finished file was renamed into place
            print(
                f"simrisk run: interrupted; {out} is complete, its summary was not printed "
                f"(simrisk summary {out})",
                file=sys.stderr,
            )
        elif part is not None and part.done and part.path.exists():
            print(
                f"simrisk run: interrupted; {out} was not written. {part.done:,} of "
                f"{draws:,} draws are saved in {part.path}: run the same command to resume.",
                file=sys.stderr,
            )
        else:
            print("simrisk run: interrupted; nothing was written", file=sys.stderr)
        return stop_status(exc)
    for note in writer.notes:
        print(f"simrisk run: {note}", file=sys.stderr)
    if writer.resumed_from:
        print(
            f"simrisk run: resumed {writer.resumed_from:,} of {draws:,} draws from "
            f"{writer.path}; simulated {draws - writer.resumed_from:,}",
            file=sys.stderr,
        )
    ds = open_result(out, lazy=True)
    try:
        print_summary(kind, kind.summarize(ds), as_json)
    finally:
        ds.close()
    if not as_json:
        print(f"\nwrote {out}")
    return 0


def _run_until(args, scenario, text: str, out: Path | None) -> int:
    from simrisk.core.dataset import write_netcdf
    from simrisk.decision._engine import default_step, simulate_until
    from simrisk.decision.stopping import check_targets, parse_targets, target_status
    from simrisk.kinds.contract.summary import format_summary, summarize

    if args.fixed_parameters:
        raise SimriskError("--until: cannot be combined with --fixed-parameters")
    targets = parse_targets(args.until)
    seed = scenario.simulation.seed if args.seed is None else args.seed
    step = args.chunk_size or default_step(scenario)
    kernel_notice(args.quiet)
    ds = simulate_until(
        scenario, seed, check_targets(targets), step, args.max_draws, config_text=text
    )
    summary = summarize(ds)
    status = target_status(summary, targets)
    met = all(r["met"] for r in status)
    ds.attrs["until"] = ", ".join(str(t) for t in targets)
    ds.attrs["until_met"] = int(met)
    if out is not None:
        write_netcdf(ds, out)
    if args.json:
        summary["until"] = {"targets": status, "met": met, "draws": ds.sizes["draw"]}
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(format_summary(summary))
        print(
            f"\nStopped after {ds.sizes['draw']:,} draws ("
            + ("every target met" if met else f"--max-draws {args.max_draws:,} reached")
            + "):"
        )
        for r in status:
            print(
                f"  {r['target']:<28} value {r['value']:.6g}, SE {r['se']:.3g}"
                f" {'met' if r['met'] else 'NOT met'}"
            )
        if out is not None:
            print(f"\nwrote {out}")
    return 0
