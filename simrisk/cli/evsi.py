"""simrisk evsi: expected value of sample information of a study, by sample size."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    add_dask_flags,
    add_quiet,
    busy,
    check_figure,
    check_out,
    dask_flag,
    dask_spec,
    guard_outputs,
    non_negative_int,
    positive_int,
    print_json,
)
from simrisk.core.errors import SimriskError

_COSTS = (
    ("--cost-fixed", "cost_fixed", "fixed cost of the study (DKK)"),
    ("--cost-per-unit", "cost_per_unit", "cost per unit of n (DKK)"),
    ("--population", "population", "decisions the study informs (default 1)"),
    ("--horizon", "horizon", "years the decision stands (default 1)"),
)


def add_parser(sub) -> None:
    ev = sub.add_parser(
        "evsi",
        help="expected value of sample information of a study, by sample size",
        description="EVSI of a study for the result's decision by regression on the "
        "study's statistic (Strong et al. 2015) with a bootstrap SE; importance sampling "
        "(Menzies 2016) and nested Monte Carlo on the kernel as checks; ENBS and the "
        "optimal n when costs are given.",
    )
    ev.add_argument("path", help="NetCDF file written by 'simrisk run' (contract or WELLBY)")
    ev.add_argument(
        "--study",
        required=True,
        metavar="STUDY",
        help="binomial:PARAM, normal:PARAM:sd=S, cohort:ID, engaged:ID:months=M; WELLBY: "
        "pilot, pilot:control=K or pilot:control=n (a control group as large as n)",
    )
    ev.add_argument("--n", metavar="GRID", help="sample sizes, e.g. 10,50,100,200,350")
    ev.add_argument(
        "--is-check",
        action="store_true",
        help="also the importance-sampling EVSI (Menzies 2016) for each n",
    )
    ev.add_argument(
        "--nested",
        action="store_true",
        help="contract runs: check each n by nested Monte Carlo on the kernel",
    )
    ev.add_argument(
        "--outer", type=positive_int, metavar="K", help="with --nested: data sets (default 400)"
    )
    ev.add_argument(
        "--inner",
        type=positive_int,
        metavar="J",
        help="with --nested: posterior draws per data set (default 1,000)",
    )
    add_dask_flags(ev, "with --nested: run the nested draws")
    for flag, _, what in _COSTS:
        ev.add_argument(flag, metavar="X", help=what)
    ev.add_argument("--plot", metavar="FIG", help="figure of EVSI (and ENBS) against n")
    ev.add_argument("--lang", choices=("en", "da"), default="en", help="the figure's language")
    ev.add_argument("--seed", type=non_negative_int, default=0, metavar="S")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("-o", "--out", metavar="OUT.nc", help="write the table as NetCDF")
    add_quiet(ev)
    ev.set_defaults(func=run)


def _cost(flag: str, text: str | None) -> float | None:
    if text is None:
        return None
    from simrisk.core.numbers import parse_number

    return float(parse_number(text, flag, low=0, what="a number >= 0"))


def run(args: argparse.Namespace) -> int:
    from simrisk.decision.evsi import parse_n_grid

    out = check_out(args.out, "--out") if args.out else None
    plot = check_figure(args.plot, "--plot") if args.plot else None
    grid = parse_n_grid(args.n) if args.n is not None else None
    costs = {key: _cost(flag, getattr(args, key)) for flag, key, _ in _COSTS}
    if not args.nested:
        for flag, given in (("--outer", args.outer), ("--inner", args.inner)):
            if given is not None:
                raise SimriskError(f"{flag} {given}: only with --nested")
        if dask_flag(args):
            raise SimriskError(f"{dask_flag(args)}: only with --nested (nothing else simulates)")
    with guard_outputs(
        [("--out", out), ("--plot", plot)],
        [(f"the result {args.path}", args.path)],
        writes={"--out": "simrisk.evsi"},
    ):
        return _run(args, grid, costs, out, plot)


def _run(args: argparse.Namespace, grid, costs: dict, out, plot) -> int:
    from simrisk.api import evsi
    from simrisk.decision.evsi import evsi_dataset, evsi_json, format_evsi

    # the nested check shows its own progress; the regression gets an elapsed-time line
    with busy("EVSI", args.quiet or args.nested):
        r = evsi(
            args.path,
            args.study,
            n=grid,
            seed=args.seed,
            check_is=args.is_check,
            nested=args.nested,
            outer=400 if args.outer is None else args.outer,
            inner=1000 if args.inner is None else args.inner,
            backend=dask_spec(args),
            quiet=args.quiet,
            **costs,
        )
    if out is not None:
        from simrisk.core.dataset import write_netcdf

        write_netcdf(evsi_dataset(r), out)
    if plot is not None:
        import matplotlib.pyplot as plt

        from simrisk.plot import plot_evsi_curve, save_figure

        fig = plt.figure(figsize=(8, 5))
        plot_evsi_curve(fig, r, lang=args.lang)
        save_figure(fig, plot)
    print_json(evsi_json(r)) if args.json else print(format_evsi(r))
    return 0
