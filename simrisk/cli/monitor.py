"""simrisk monitor: update a contract run's forecast from observed counts."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    add_quiet,
    busy,
    check_out,
    guard_outputs,
    non_negative_int,
    print_json,
)


def add_parser(sub) -> None:
    mon = sub.add_parser(
        "monitor",
        help="update a contract run's forecast from observed counts",
        description="Weights the run's prior draws by the likelihood of observed counts "
        "(INDIGO data standard field names), Pareto-smoothed; falls back to resample-move "
        "SMC and re-simulation when the weights cannot be trusted. Cohorts with Final "
        "counts are paid from them.",
    )
    mon.add_argument("path", help="NetCDF file written by 'simrisk run' (a contract run)")
    mon.add_argument(
        "--observed",
        required=True,
        metavar="OBSERVED.csv",
        help="observed counts, a CSV (its columns: docs/scenario-format.md#observed-counts "
        "in simrisk's source)",
    )
    mon.add_argument(
        "-o", "--out", metavar="UPDATED.nc", help="write the update (ArviZ groups) here"
    )
    mon.add_argument(
        "--force-fallback",
        action="store_true",
        help="take the resample-move path even when the weights can be trusted (a check)",
    )
    mon.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        metavar="S",
        help="seed of the resample-move sampler (default 0)",
    )
    mon.add_argument("--json", action="store_true", help="print one JSON object")
    add_quiet(mon)
    mon.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = check_out(args.out, "--out") if args.out else None
    inputs = [(f"the result {args.path}", args.path)]
    inputs.append((f"--observed {args.observed}", args.observed))
    with guard_outputs([("--out", out)], inputs, writes={"--out": "simrisk.monitor"}):
        return _run(args, out)


def _run(args: argparse.Namespace, out) -> int:
    from simrisk.api import monitor
    from simrisk.decision.monitor import format_monitor, monitor_json

    with busy("monitor", args.quiet):
        r = monitor(
            args.path,
            args.observed,
            out=out,
            force_fallback=args.force_fallback,
            seed=args.seed,
            quiet=args.quiet,
        )
    if args.json:
        print_json(monitor_json(r))
    else:
        print(format_monitor(r))
        if out is not None:
            print(f"wrote {out}")
    return 0
