"""simrisk example: list or copy the shipped example configs."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    ex = sub.add_parser(
        "example",
        help="list the shipped example configs or copy one out to run",
        description="The example scenarios that ship with simrisk. 'simrisk example NAME "
        "-o DIR' writes NAME's TOML into DIR together with every file it extends or reads, "
        "so the copy runs as it is.",
    )
    ex.add_argument("name", nargs="?", help="the example to copy (see --list)")
    ex.add_argument("--list", action="store_true", help="name each example with one line")
    ex.add_argument("-o", "--output", default=".", metavar="DIR", help="folder (default .)")
    ex.add_argument("--force", action="store_true", help="overwrite files that exist")
    ex.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk.examples import list_examples

    if args.list or not args.name:
        width = max(map(len, list_examples()))
        for name, line in list_examples().items():
            print(f"{name:<{width}}  {line}")
        return 0
    from pathlib import Path

    from simrisk.core.outputs import guard_outputs
    from simrisk.examples import example_files

    folder = Path(args.output)
    if not folder.is_dir():  # copy_example says so in its words
        return _copy(args)
    files = example_files(args.name)
    outputs = [("-o", folder / p.name) for p in files]
    inputs = [(f"the shipped example file {p}", p) for p in files]
    with guard_outputs(outputs, inputs, writes={"-o": "config"}):
        return _copy(args)


def _copy(args: argparse.Namespace) -> int:
    from simrisk.examples import copy_example

    for path in copy_example(args.name, args.output, force=args.force):
        print(f"wrote {path}")
    return 0
