"""simrisk voi: value of information (EVPI, EVPPI)."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    add_dask_flags,
    add_json_out,
    add_quiet,
    busy,
    check_out,
    dask_flag,
    dask_spec,
    emit,
    guard_outputs,
    keep_prefix,
    non_negative_int,
    parse_groups,
    positive_int,
    said_kept,
)
from simrisk.core.errors import SimriskError


def add_parser(sub) -> None:
    voi = sub.add_parser(
        "voi",
        help="value of information: EVPI and EVPPI per parameter and group",
        description="EVPI = E[max(NPV, 0)] - max(E[NPV], 0) for lending or not (a portfolio: "
        "the choice among its options); EVPPI for each parameter and named groups by a "
        "cross-fitted penalised regression spline (Strong, Oakley & Brennan 2014), each with "
        "a standard error.",
    )
    voi.add_argument(
        "path",
        help="NetCDF file written by 'simrisk run' (a contract run: lend or not; a "
        "portfolio run: the choice among its budget options)",
    )
    voi.add_argument(
        "--group",
        action="append",
        default=None,
        metavar="NAME=P1,P2",
        help="a named group of parameters (repeatable; default: population, each goal, effects)",
    )
    voi.add_argument(
        "--parameter",
        action="append",
        default=None,
        metavar="P",
        help="EVPPI for this parameter only (repeatable; default: every varying parameter; "
        "with --parameter, groups only if --group is given)",
    )
    voi.add_argument("--seed", type=non_negative_int, default=0, metavar="S")
    voi.add_argument(
        "--nested",
        action="store_true",
        help="contract runs: check each single parameter's EVPPI by nested Monte Carlo "
        "(the run's scenario and seed, fresh draws after the run's own)",
    )
    voi.add_argument(
        "--outer",
        type=positive_int,
        metavar="K",
        help="with --nested: strata of the parameter's prior (default 400)",
    )
    voi.add_argument(
        "--inner",
        type=positive_int,
        metavar="J",
        help="with --nested: draws of everything else per stratum (default 1,000)",
    )
    add_dask_flags(voi, "with --nested: run the nested draws")
    add_json_out(voi, "VOI")
    add_quiet(voi)
    voi.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = check_out(args.out, "--out") if args.out else None
    if not args.nested:
        for flag, given in (("--outer", args.outer), ("--inner", args.inner)):
            if given is not None:
                raise SimriskError(f"{flag} {given}: only with --nested")
        if dask_flag(args):
            raise SimriskError(
                f"{dask_flag(args)}: only with --nested (the regression EVPPI simulates nothing)"
            )
    keep = keep_prefix(out, args.path, "voi-nested") if args.nested else None
    inputs = [(f"the result {args.path}", args.path)]
    with guard_outputs([("--out", out)], inputs, writes={"--out": "decision:voi"}):
        return _run(args, out, keep)


def _run(args: argparse.Namespace, out, keep) -> int:
    from simrisk import api
    from simrisk.decision.voi import format_voi, voi_json

    # the nested check shows its own progress; the regression gets an elapsed-time line
    with busy("value of information", args.quiet or args.nested):
        v = api.voi(
            args.path,
            groups=parse_groups(args.group),
            parameters=args.parameter,
            seed=args.seed,
            nested=args.nested,
            outer=400 if args.outer is None else args.outer,
            inner=1000 if args.inner is None else args.inner,
            backend=dask_spec(args),
            quiet=args.quiet,
            keep=keep,
        )
    kept = said_kept(keep, "voi", "blocks of outer draws")
    emit(v, voi_json(v), format_voi(v), args, out)
    for k in kept:
        k.remove()
    return 0
