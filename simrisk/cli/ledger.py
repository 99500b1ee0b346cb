"""simrisk ledger: a config's deterministic expected case."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    goal_rate,
    print_json,
    probability,
)


def add_parser(sub) -> None:
    led = sub.add_parser(
        "ledger",
        help="the source's expected case, deterministic",
        description="The expected case of a scenario, computed exactly: successes, "
        "repayments with caps, DSI's cash flows, IRR, NPV, money multiple and the "
        "authorities' business case.",
    )
    led.add_argument(
        "config",
        help="scenario TOML file, e.g. dsi_norddjurs.toml from "
        "'simrisk example dsi_norddjurs -o .'",
    )
    led.add_argument(
        "--success-rate",
        type=probability,
        metavar="R",
        help="success rate for the goals in the config's ledger.success_rate_goals "
        "(DSI: the authorities' goals 1-2)",
    )
    led.add_argument("--retention", type=probability, metavar="R", help="share measured")
    led.add_argument(
        "--goal-rate",
        type=goal_rate,
        action="append",
        metavar="GOAL=R",
        default=[],
        help="success rate of one goal (repeatable)",
    )
    led.add_argument("--json", action="store_true", help="print one JSON object")
    led.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk import api

    res = api.ledger(
        args.config,
        success_rate=args.success_rate,
        retention=args.retention,
        goal_rates=dict(args.goal_rate),
    )
    print_json(res.to_dict()) if args.json else print(res.text)
    return 0
