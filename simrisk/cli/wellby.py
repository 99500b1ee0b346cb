"""simrisk wellby: WELLBY bands of a small pilot."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    check_figure,
    check_out,
    config_inputs,
    guard_outputs,
    notify,
    positive_int,
    print_summary,
    seed_value,
)


def add_parser(sub) -> None:
    wb = sub.add_parser(
        "wellby",
        help="WELLBY bands for a small pilot and its projections",
        description="The pilot's WELLBY total and DKK value, per completer, the scaling "
        "projections and goal 3's implied success chance, each with 80/90/95% bands.",
    )
    wb.add_argument(
        "config",
        help="WELLBY TOML file, e.g. opi_aims_wellby.toml from "
        "'simrisk example opi_aims_wellby -o .'",
    )
    wb.add_argument(
        "--scores",
        metavar="CSV",
        help="paired before,after 0-10 scores per participant (overrides the summary statistics)",
    )
    wb.add_argument("--draws", type=positive_int, metavar="N")
    wb.add_argument("--seed", type=seed_value, metavar="S")
    wb.add_argument("--out", metavar="PATH", help="write the result Dataset to NetCDF")
    wb.add_argument("--plot", metavar="PNG", help="write the projections' fan chart (PNG/SVG/PDF)")
    wb.add_argument("--json", action="store_true", help="print one JSON object")
    wb.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk import api

    cfg = api.config_for(args.config, "wellby")
    out = check_out(args.out, "--out") if args.out is not None else None
    plot = check_figure(args.plot, "--plot") if args.plot is not None else None
    inputs = [*config_inputs(args.config), (f"--scores {args.scores}", args.scores)]
    writes = {"--out": "run"}
    with guard_outputs([("--out", out), ("--plot", plot)], inputs, notify("wellby"), writes):
        ds = api.run(
            cfg,
            draws=args.draws,
            seed=args.seed,
            out=out,
            scores=args.scores,
            notify=notify("wellby"),
        )
        try:
            if plot is not None:
                from simrisk.plot import plot_wellby_fan, save_figure

                save_figure(plot_wellby_fan(ds).figure, plot)
            summary = api.summary(ds).to_dict()
        finally:
            ds.close()
    print_summary(api.kind_of(cfg), summary, args.json)
    return 0
