"""simrisk sensitivity: which priors drive the loss."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    add_dask_flags,
    add_json_out,
    add_quiet,
    busy,
    check_figure,
    check_out,
    dask_spec,
    emit,
    guard_outputs,
    non_negative_int,
)


def add_parser(sub) -> None:
    sens = sub.add_parser(
        "sensitivity",
        help="which priors drive the loss: tornado, given-data indices, regional sensitivity",
        description="For each prior: P(NPV < 0), mean NPV and P(repayments < capital) in "
        "its lowest and highest decile; first-order correlation ratio (analytic interval) "
        "and PAWN; KS distance between the prior in loss draws and the rest; a ranking.",
    )
    sens.add_argument("path", help="NetCDF file written by 'simrisk run'")
    sens.add_argument(
        "--boot",
        type=non_negative_int,
        default=100,
        metavar="B",
        help="0: no interval for the correlation ratios (any other value: their analytic "
        "interval; the name is kept for scripts)",
    )
    sens.add_argument(
        "--pawn-boot",
        type=non_negative_int,
        default=30,
        metavar="B",
        help="bootstrap resamples for PAWN (each on a 20,000-draw subsample)",
    )
    sens.add_argument("--seed", type=non_negative_int, default=0, metavar="S")
    sens.add_argument(
        "--plot", metavar="PNG", help="write the tornado and the top driver's CDFs (PNG/SVG/PDF)"
    )
    sens.add_argument("--lang", choices=("en", "da"), default="en", help="words of the figure")
    add_dask_flags(sens, "compute PAWN's subsamples")
    add_json_out(sens, "sensitivity")
    add_quiet(sens)
    sens.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk import api
    from simrisk.decision.sensitivity import format_sensitivity, sensitivity_json

    out = check_out(args.out, "--out") if args.out else None
    plot = check_out(args.plot, "--plot") if args.plot else None
    inputs = [(f"the result {args.path}", args.path)]
    writes = {"--out": "decision:sensitivity"}
    with guard_outputs([("--out", out), ("--plot", plot)], inputs, writes=writes):
        if plot is not None:  # its format, before the work (an output clash comes first)
            check_figure(args.plot, "--plot")
        with busy("sensitivity", args.quiet):
            s = api.sensitivity(
                args.path,
                n_boot=args.boot,
                pawn_boot=args.pawn_boot,
                seed=args.seed,
                backend=dask_spec(args),
            )
        if plot is not None:
            from simrisk.plot import save_sensitivity_figure

            save_sensitivity_figure(s, plot, lang=args.lang)
        emit(s, sensitivity_json(s), format_sensitivity(s), args, out)
    return 0
