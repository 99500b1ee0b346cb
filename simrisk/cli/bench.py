"""simrisk bench: the kernel against the NumPy reference."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    add_quiet,
    busy,
    positive_int,
    print_json,
)


def add_parser(sub) -> None:
    bench = sub.add_parser(
        "bench",
        help="measure the kernel against the NumPy reference on this machine",
        description="Runs the Numba kernel and the plain NumPy reference of the same "
        "model in one process and reports cohorts per second and their ratio.",
    )
    bench.add_argument(
        "config", nargs="?", default=None, help="scenario (default: the shipped DSI config)"
    )
    bench.add_argument(
        "--draws",
        type=positive_int,
        default=200_000,
        metavar="N",
        help="draws for the kernel (default 200,000; the reference runs 1/20 of them)",
    )
    bench.add_argument("--threads", type=positive_int, metavar="T")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    add_quiet(bench)
    bench.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk.core.driver import check_memory
    from simrisk.kinds.contract import kind
    from simrisk.kinds.contract.bench import DEFAULT_CONFIG, format_bench, run_bench

    cfg, _ = kind.load(args.config or DEFAULT_CONFIG)
    check_memory(kind.bytes_per_draw(cfg), args.draws, "--draws")
    kind.compile_notice(args.quiet)
    with busy("bench", args.quiet):
        res = run_bench(args.config, draws=args.draws, threads=args.threads)
    print_json(res) if args.json else print(format_bench(res))
    return 0
