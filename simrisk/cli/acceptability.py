"""simrisk acceptability: P(IRR >= r) over rates r."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    add_json_out,
    check_out,
    emit,
    guard_outputs,
    rate_grid,
)


def add_parser(sub) -> None:
    acc = sub.add_parser(
        "acceptability",
        help="P(IRR >= r) and P(NPV at r >= 0) over investor rates r",
        description="Acceptability curve over the investor's required rate; NPV at each "
        "rate is recomputed from the dated cash flows in the result.",
    )
    acc.add_argument("path", help="NetCDF file written by 'simrisk run'")
    acc.add_argument(
        "--rates",
        type=rate_grid,
        metavar="LO:HI:STEP",
        help="rates as fractions (default 0:0.15:0.005)",
    )
    add_json_out(acc, "acceptability")
    acc.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk import api
    from simrisk.decision.acceptability import acceptability_json, format_acceptability

    out = check_out(args.out, "--out") if args.out else None
    with guard_outputs(
        [("--out", out)],
        [(f"the result {args.path}", args.path)],
        writes={"--out": "decision:acceptability"},
    ):
        a = api.acceptability(args.path, rates=args.rates)
        emit(a, acceptability_json(a), format_acceptability(a), args, out)
    return 0
