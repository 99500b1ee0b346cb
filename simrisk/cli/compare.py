"""simrisk compare: scenarios on common random numbers."""

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
from simrisk.core.errors import SimriskError


def add_parser(sub) -> None:
    cmp_ = sub.add_parser(
        "compare",
        help="scenarios on common random numbers, with paired standard errors",
        description="Runs every config with the same seed and draws (common random numbers) "
        "and reports each against the first: difference, paired SE, unpaired SE.",
    )
    cmp_.add_argument("configs", nargs="+", help="two or more scenario TOML files")
    cmp_.add_argument("--draws", type=positive_int, metavar="N")
    cmp_.add_argument("--seed", type=non_negative_int, metavar="S")
    add_dask_flags(cmp_, "run each scenario's chunks")
    add_json_out(cmp_, "comparison")
    cmp_.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk import api
    from simrisk.decision.compare import compare_json, format_compare

    if len(args.configs) < 2:
        raise SimriskError(f"compare: give at least two configs, got {len(args.configs)}")
    out = check_out(args.out, "--out") if args.out else None
    keep = keep_prefix(out, args.configs[0], "compare")
    inputs = [found for config in args.configs for found in config_inputs(config)]
    with guard_outputs([("--out", out)], inputs, writes={"--out": "decision:compare"}):
        c = api.compare(
            args.configs,
            draws=args.draws,
            seed=args.seed,
            backend=dask_spec(args),
            quiet=False,
            keep=keep,
        )
        kept = said_kept(keep, "compare", "draws", scenarios=len(args.configs))
        emit(c, compare_json(c), format_compare(c), args, out)
    for k in kept:
        k.remove()
    return 0
