"""The ``simrisk`` command line.

The CLI only parses arguments, calls the library and prints. Every error a
user can cause (bad config, bad argument, unreadable file) is printed as one
line on stderr with exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from simrisk._version import __version__
from simrisk.errors import SimriskError

__all__ = ["main"]

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``simrisk ledger: error: ... (see --help)``."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a probability in [0, 1], got {text!r}"
        ) from None
    if not (0.0 <= value <= 1.0):
        raise argparse.ArgumentTypeError(f"must be a probability in [0, 1], got {text!r}")
    return value


def _goal_rate(text: str) -> tuple[str, float]:
    goal, sep, rate = text.partition("=")
    if not sep or not goal:
        raise argparse.ArgumentTypeError(f"must look like GOAL=RATE, got {text!r}")
    return goal, _probability(rate)


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="simrisk",
        description="Monte Carlo risk simulation for outcome-based social investments.",
    )
    p.add_argument("--version", action="version", version=f"simrisk {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    led = sub.add_parser(
        "ledger",
        help="the source's expected case, deterministic",
        description="The expected case of a scenario, computed exactly: successes, "
        "repayments with caps, DSI's cash flows, IRR, NPV, money multiple and the "
        "authorities' business case.",
    )
    led.add_argument("config", help="scenario TOML file, e.g. configs/dsi_norddjurs.toml")
    led.add_argument(
        "--success-rate",
        type=_probability,
        metavar="R",
        help="success rate for the goals in the config's ledger.success_rate_goals "
        "(DSI: the authorities' goals 1-2)",
    )
    led.add_argument("--retention", type=_probability, metavar="R", help="share measured")
    led.add_argument(
        "--goal-rate",
        type=_goal_rate,
        action="append",
        metavar="GOAL=R",
        default=[],
        help="success rate of one goal (repeatable)",
    )
    led.add_argument("--json", action="store_true", help="print one JSON object")
    led.set_defaults(func=_cmd_ledger)
    return p


def _cmd_ledger(args: argparse.Namespace) -> int:
    from simrisk._text import format_ledger
    from simrisk.config import load_scenario
    from simrisk.ledger import run_ledger

    scenario, _ = load_scenario(args.config)
    res = run_ledger(
        scenario,
        success_rate=args.success_rate,
        retention=args.retention,
        goal_rates=dict(args.goal_rate),
    )
    if args.json:
        print(json.dumps(res.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_ledger(res))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SimriskError as exc:
        lines = str(exc).splitlines() or [exc.__class__.__name__]
        for line in lines:
            print(f"simrisk {args.command}: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"simrisk {args.command}: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
