"""simrisk summary: the figures of a run's NetCDF file."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    print_summary,
)


def add_parser(sub) -> None:
    summ = sub.add_parser(
        "summary",
        help="summary of a run's NetCDF file",
        description="Mean, SD and P5/P50/P95 with Monte Carlo standard errors, loss "
        "probabilities and tail measures of a simrisk run.",
    )
    summ.add_argument("path", help="NetCDF file written by 'simrisk run'")
    summ.add_argument("--json", action="store_true", help="print one JSON object")
    summ.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk import api

    ds, kind = api.result_for(args.path, "summary")
    print_summary(kind, api.summary(ds).to_dict(), args.json)
    return 0
