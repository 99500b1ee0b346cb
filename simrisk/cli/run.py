"""simrisk run: the Monte Carlo run of a config of any kind (:func:`simrisk.api.run`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from simrisk.cli._common import (
    add_dask_flags,
    check_out,
    dask_spec,
    notify,
    positive_int,
    print_json,
    print_summary,
    seed_value,
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
        "--aggregate",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="contract configs: draw cell counts per cohort instead of citizens "
        "(exact in distribution, docs/model.md in simrisk's source); default: on from 2,000 "
        "referred citizens",
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
    from simrisk import api

    out, make_folder = _output(args)
    ds = api.run(
        args.config,
        draws=args.draws,
        seed=args.seed,
        out=out,
        until=args.until,
        resume=not args.restart,
        backend=dask_spec(args),
        fixed_parameters=args.fixed_parameters,
        scores=args.scores,
        chunk_size=args.chunk_size,
        threads=args.threads,
        max_draws=args.max_draws,
        quiet=args.quiet,
        make_folder=make_folder,
        notify=notify("run"),
        aggregate=args.aggregate,
    )
    try:
        kind = api.kind_of(ds)
        summary = api.summary(ds).to_dict()
    finally:
        ds.close()
    if args.until:
        _print_until(kind, ds, summary, args, out)
        return 0
    print_summary(kind, summary, args.json)
    if out is not None and not args.json:
        print(f"\nwrote {out}")
    return 0


def _output(args: argparse.Namespace) -> tuple[Path | None, bool]:
    """``--out`` (``-``: none; default ``results/<config name>.nc``) and whether to make its
    folder (the default's, once every check has passed)."""
    if args.out == "-":
        return None, False
    if args.out is not None:
        return check_out(args.out, "--out"), False
    out = Path("results") / (Path(args.config).stem + ".nc")
    if out.parent.is_dir():
        return check_out(str(out), "--out"), False
    if out.parent.exists():
        raise SimriskError(f"--out {out} (the default): {out.parent} is not a folder")
    writable_folder(Path("."), f"--out {out} (the default)")
    return out, True


def _print_until(kind, ds, summary: dict, args: argparse.Namespace, out: Path | None) -> None:
    from simrisk.core.targets import parse_precision
    from simrisk.decision.stopping import target_status

    status = target_status(summary, parse_precision(args.until))
    met = all(r["met"] for r in status)
    n = ds.sizes["draw"]
    if args.json:
        summary["until"] = {"targets": status, "met": met, "draws": n}
        print_json(summary)
        return
    print(kind.format_summary(summary))
    if "decision" in summary:
        from simrisk.decision.rules import format_decision

        print()
        print(format_decision(summary["decision"]))
    reached = "every target met" if met else f"--max-draws {args.max_draws:,} reached"
    print(f"\nStopped after {n:,} draws ({reached}):")
    for r in status:
        print(
            f"  {r['target']:<28} value {r['value']:.6g}, SE {r['se']:.3g}"
            f" {'met' if r['met'] else 'NOT met'}"
        )
    if out is not None:
        print(f"\nwrote {out}")
