"""simrisk variance: parameter uncertainty vs chance among citizens."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    add_dask_flags,
    add_json_out,
    check_out,
    config_inputs,
    dask_spec,
    emit,
    guard_outputs,
    keep_prefix,
    non_negative_int,
    positive_int,
    said_kept,
)


def add_parser(sub) -> None:
    varp = sub.add_parser(
        "variance",
        help="NPV variance: parameter uncertainty vs chance among the citizens",
        description="Law of total variance from a nested run: OUTER parameter draws, each "
        "with INNER independent sets of citizens.",
    )
    varp.add_argument("config", help="scenario TOML file")
    varp.add_argument("--outer", type=positive_int, default=2000, metavar="K")
    varp.add_argument("--inner", type=positive_int, default=50, metavar="J")
    varp.add_argument("--seed", type=non_negative_int, metavar="S")
    add_dask_flags(varp, "run the nested draws")
    add_json_out(varp, "variance")
    varp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk import api
    from simrisk.decision.variance import format_variance, variance_json

    out = check_out(args.out, "--out") if args.out else None
    keep = keep_prefix(out, args.config, "variance")
    writes = {"--out": "decision:variance"}
    with guard_outputs([("--out", out)], config_inputs(args.config), writes=writes):
        v = api.variance(
            args.config,
            outer=args.outer,
            inner=args.inner,
            seed=args.seed,
            backend=dask_spec(args),
            quiet=False,
            keep=keep,
        )
        kept = said_kept(keep, "variance", "blocks of nested draws")
        emit(v, variance_json(v), format_variance(v), args, out)
    for k in kept:
        k.remove()
    return 0
