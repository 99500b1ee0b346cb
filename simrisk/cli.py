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
from pathlib import Path

from simrisk._version import __version__
from simrisk.core.errors import SimriskError

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

    run = sub.add_parser(
        "run",
        help="Monte Carlo simulation of a scenario",
        description="Simulate the scenario: parameter uncertainty once per draw, chance "
        "among citizens per citizen. Writes an xarray Dataset to NetCDF and prints the "
        "summary. Every completed chunk is saved to a checkpoint next to the output, so "
        "an interrupted run (Ctrl-C, SIGTERM, SIGHUP, even SIGKILL) resumes where it "
        "stopped when run again.",
    )
    run.add_argument("config", help="config TOML file of any kind (contract, wellby, portfolio)")
    run.add_argument(
        "--draws",
        type=_positive_int,
        metavar="N",
        help="simulated worlds (default: the config's simulation.draws)",
    )
    run.add_argument(
        "--seed",
        type=_seed,
        metavar="S",
        help="seed (default: the config's simulation.seed)",
    )
    run.add_argument(
        "--threads",
        type=_positive_int,
        metavar="T",
        help="threads (default: all cores); results do not depend on it",
    )
    run.add_argument(
        "--chunk-size",
        type=_positive_int,
        metavar="C",
        help="draws per chunk (memory and progress only; results do not depend on it)",
    )
    run.add_argument(
        "--out",
        metavar="PATH",
        help="NetCDF file to write (default: results/<config name>.nc; '-' writes nothing)",
    )
    run.add_argument(
        "--fixed-parameters",
        action="store_true",
        help="switch off parameter uncertainty: every draw uses the priors' central values",
    )
    run.add_argument(
        "--scores",
        metavar="CSV",
        help="WELLBY configs: paired before,after 0-10 scores per participant",
    )
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.add_argument("--quiet", action="store_true", help="no progress bar and no compile notice")
    run.add_argument(
        "--until",
        action="append",
        metavar="STAT:se<X",
        help="run in blocks until the summary figure's Monte Carlo SE is below X "
        "(e.g. p_npv_negative:se<0.001, npv.mean:rse<0.01; repeatable); --draws is then ignored",
    )
    run.add_argument(
        "--max-draws",
        type=_positive_int,
        default=10_000_000,
        metavar="N",
        help="with --until: stop at N draws even if a target is not met (default 10,000,000)",
    )
    run.add_argument(
        "--restart",
        action="store_true",
        help="discard a checkpoint left by an interrupted run instead of resuming from it",
    )
    _add_dask_flags(run, "contract configs: run the chunks")
    run.set_defaults(func=_cmd_run)

    summ = sub.add_parser(
        "summary",
        help="summary of a run's NetCDF file",
        description="Mean, SD and P5/P50/P95 with Monte Carlo standard errors, loss "
        "probabilities and tail measures of a simrisk run.",
    )
    summ.add_argument("path", help="NetCDF file written by 'simrisk run'")
    summ.add_argument("--json", action="store_true", help="print one JSON object")
    summ.set_defaults(func=_cmd_summary)

    wb = sub.add_parser(
        "wellby",
        help="WELLBY bands for a small pilot and its projections",
        description="The pilot's WELLBY total and DKK value, per completer, the scaling "
        "projections and goal 3's implied success chance, each with 80/90/95% bands.",
    )
    wb.add_argument("config", help="WELLBY TOML file, e.g. configs/opi_aims_wellby.toml")
    wb.add_argument(
        "--scores",
        metavar="CSV",
        help="paired before,after 0-10 scores per participant (overrides the summary statistics)",
    )
    wb.add_argument("--draws", type=_positive_int, metavar="N")
    wb.add_argument("--seed", type=_seed, metavar="S")
    wb.add_argument("--out", metavar="PATH", help="write the result Dataset to NetCDF")
    wb.add_argument("--plot", metavar="PNG", help="write the projections' fan chart (PNG/SVG/PDF)")
    wb.add_argument("--json", action="store_true", help="print one JSON object")
    wb.set_defaults(func=_cmd_wellby)

    rep = sub.add_parser(
        "report",
        help="the investment committee's PDF report of a run",
        description="A multi-page PDF from a 'simrisk run' result: the answer first, then "
        "distributions, caps, cash flows, the authorities' savings, deadweight, WELLBY "
        "bands and every assumption.",
    )
    rep.add_argument("results", help="NetCDF file written by 'simrisk run'")
    rep.add_argument("-o", "--output", required=True, metavar="PDF", help="the PDF to write")
    rep.add_argument(
        "--lang", choices=("en", "da"), default="en", help="labels and number format (default en)"
    )
    rep.add_argument("--figures", metavar="DIR", help="also write each page as PNG and SVG")
    rep.add_argument("--wellby", metavar="NC", help="a 'simrisk wellby --out' result")
    rep.add_argument("--design", metavar="NC", help="a 'simrisk design --out' result (a page)")
    rep.add_argument(
        "--scenarios",
        nargs="+",
        metavar="NC",
        help="other 'simrisk run' results with the same seed and draws (e.g. the shipped "
        "scenario configs, or --fixed-parameters) for the scenario page: paired differences "
        "on common random numbers",
    )
    rep.set_defaults(func=_cmd_report)

    xp = sub.add_parser(
        "export",
        help="the analyst's Excel workbook of a run",
        description="An .xlsx workbook from a 'simrisk run' result: sheets summary (every "
        "figure with its Monte Carlo SE), draws (up to 100,000 draws of every per-draw "
        "variable and parameter), cash_flows, assumptions and provenance; sensitivity "
        "and voi when those results are given. Sheet names and headers: docs/cli.md.",
    )
    xp.add_argument("results", help="NetCDF file written by 'simrisk run'")
    xp.add_argument("-o", "--output", required=True, metavar="XLSX", help="the workbook")
    xp.add_argument(
        "--lang",
        choices=("en", "da"),
        default="en",
        help="labels and currency word (default en; Danish: kr.)",
    )
    xp.add_argument(
        "--max-draws",
        type=_positive_int,
        default=None,
        metavar="N",
        help="at most N draws in the draws sheet (default 100,000)",
    )
    xp.add_argument("--sensitivity", metavar="NC", help="a sensitivity result, as a sheet")
    xp.add_argument("--voi", metavar="NC", help="a value-of-information result, as a sheet")
    xp.set_defaults(func=_cmd_export)

    des = sub.add_parser(
        "design",
        help="search contract terms that hold DSI's and the payers' risks to targets",
        description="Search the free terms named in the config's [design] table (payments "
        "per success, caps, threshold, capital floor, retention clause) for the contract "
        "that meets every --target by at least 2 Monte Carlo SE with the best objective. "
        "Every candidate is scored on the same seed (common random numbers). Writes the "
        "chosen terms as a config that extends the input, and the Pareto frontier of DSI's "
        "P(NPV < 0) against the payers' risk.",
    )
    des.add_argument("config", help="contract TOML with a [design] table")
    des.add_argument(
        "--target",
        action="append",
        default=[],
        required=True,
        metavar="EXPR",
        help="KEY<=V or KEY>=V on a summary key, e.g. 'p_npv_negative<=0.25' (repeatable)",
    )
    goal = des.add_mutually_exclusive_group()
    goal.add_argument("--minimize", metavar="KEY", help="objective (default payments.total.mean)")
    goal.add_argument("--maximize", metavar="KEY", help="objective to maximise instead")
    des.add_argument(
        "-o", "--output", required=True, metavar="BEST.toml", help="the chosen terms' config"
    )
    des.add_argument("--draws", type=_positive_int, metavar="N", help="draws per candidate")
    des.add_argument("--seed", type=_non_negative_int, metavar="S", help="the common seed")
    des.add_argument(
        "--candidates", type=_positive_int, metavar="N", help="Sobol candidates (default: config)"
    )
    des.add_argument(
        "--rescore-draws", type=_positive_int, metavar="N", help="draws to re-score the choice"
    )
    des.add_argument(
        "--payer-risk",
        metavar="KEY",
        default=None,
        help="the frontier's payer axis (default net_saving.modelled.region.p_negative)",
    )
    des.add_argument("--out", metavar="NC", help="write every candidate and the frontier (NetCDF)")
    des.add_argument("--plot", metavar="PNG", help="write the frontier and the trade-off (PNG)")
    des.add_argument("--lang", choices=("en", "da"), default="en", help="the plot's language")
    des.add_argument("--json", action="store_true", help="print one JSON object")
    des.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    _add_dask_flags(des, "score the candidates (one task each)")
    des.set_defaults(func=_cmd_design)

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
    ex.set_defaults(func=_cmd_example)
    _add_decision_parsers(sub)

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
        type=_positive_int,
        default=200_000,
        metavar="N",
        help="draws for the kernel (default 200,000; the reference runs 1/20 of them)",
    )
    bench.add_argument("--threads", type=_positive_int, metavar="T")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.set_defaults(func=_cmd_bench)
    return p


def _add_dask_flags(p, what: str) -> None:
    """``--workers N`` / ``--scheduler ADDRESS`` (one or the other), as on every command."""
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_positive_int,
        metavar="N",
        help=f"{what} on N local dask worker processes (needs simrisk[dask]); results "
        "are bit-identical to a run in this process",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=f"{what} on the dask.distributed cluster at ADDRESS (e.g. tcp://host:8786; "
        "see docs/scale.md)",
    )


def _dask_flag(args: argparse.Namespace) -> str | None:
    """The dask flag given (``--workers`` or ``--scheduler``), or None."""
    if getattr(args, "workers", None):
        return "--workers"
    return "--scheduler" if getattr(args, "scheduler", None) else None


class _DaskBackend:
    """The backend ``--workers``/``--scheduler`` ask for, closed on leaving; None without."""

    def __init__(self, args: argparse.Namespace, threads: int | None = None):
        self.args = args
        self.threads = threads
        self.backend = None

    def __enter__(self):
        if _dask_flag(self.args):
            from simrisk.core.backends import dask_backend

            self.backend = dask_backend(
                workers=self.args.workers, scheduler=self.args.scheduler, threads=self.threads
            )
        return self.backend

    def __exit__(self, *exc) -> None:
        if self.backend is not None:
            self.backend.close()


def _add_decision_parsers(sub) -> None:
    """The decision layer's commands (simrisk.decision)."""

    def common(p, what: str):
        p.add_argument("--json", action="store_true", help="print one JSON object")
        p.add_argument("--out", metavar="PATH", help=f"write the {what} Dataset to NetCDF")

    sens = sub.add_parser(
        "sensitivity",
        help="which priors drive the loss: tornado, given-data indices, regional sensitivity",
        description="For each prior: P(NPV < 0), mean NPV and P(repayments < capital) in "
        "its lowest and highest decile; first-order correlation ratio (bootstrap interval) "
        "and PAWN; KS distance between the prior in loss draws and the rest; a ranking.",
    )
    sens.add_argument("path", help="NetCDF file written by 'simrisk run'")
    sens.add_argument(
        "--boot", type=_non_negative_int, default=100, metavar="B", help="bootstrap resamples"
    )
    sens.add_argument(
        "--pawn-boot",
        type=_non_negative_int,
        default=30,
        metavar="B",
        help="bootstrap resamples for PAWN (each on a 20,000-draw subsample)",
    )
    sens.add_argument("--seed", type=_non_negative_int, default=0, metavar="S")
    sens.add_argument(
        "--plot", metavar="PNG", help="write the tornado and the top driver's CDFs (PNG/SVG/PDF)"
    )
    sens.add_argument("--lang", choices=("en", "da"), default="en", help="words of the figure")
    _add_dask_flags(sens, "compute PAWN's subsamples")
    common(sens, "sensitivity")
    sens.set_defaults(func=_cmd_sensitivity)

    voi = sub.add_parser(
        "voi",
        help="value of information: EVPI and EVPPI per parameter and group",
        description="EVPI = E[max(NPV, 0)] - max(E[NPV], 0) for lending or not; EVPPI for "
        "each parameter and named groups by GAM regression (Strong, Oakley & Brennan 2014), "
        "each with a standard error.",
    )
    voi.add_argument(
        "path",
        help="NetCDF file written by 'simrisk run' (a contract run: lend or not; a "
        "portfolio run: the choice among its budget options)",
    )
    voi.add_argument(
        "--group",
        action="append",
        default=None,
        metavar="NAME=P1,P2",
        help="a named group of parameters (repeatable; default: population, each goal, effects)",
    )
    voi.add_argument(
        "--parameter",
        action="append",
        default=None,
        metavar="P",
        help="EVPPI for this parameter only (repeatable; default: every varying parameter; "
        "with --parameter, groups only if --group is given)",
    )
    voi.add_argument("--seed", type=_non_negative_int, default=0, metavar="S")
    voi.add_argument(
        "--nested",
        action="store_true",
        help="contract runs: check each single parameter's EVPPI by nested Monte Carlo "
        "(the run's scenario and seed, fresh draws after the run's own)",
    )
    voi.add_argument(
        "--outer",
        type=_positive_int,
        metavar="K",
        help="with --nested: strata of the parameter's prior (default 400)",
    )
    voi.add_argument(
        "--inner",
        type=_positive_int,
        metavar="J",
        help="with --nested: draws of everything else per stratum (default 1,000)",
    )
    _add_dask_flags(voi, "with --nested: run the nested draws")
    common(voi, "VOI")
    voi.set_defaults(func=_cmd_voi)

    acc = sub.add_parser(
        "acceptability",
        help="P(IRR >= r) and P(NPV at r >= 0) over investor rates r",
        description="Acceptability curve over the investor's required rate; NPV at each "
        "rate is recomputed from the dated cash flows in the result.",
    )
    acc.add_argument("path", help="NetCDF file written by 'simrisk run'")
    acc.add_argument(
        "--rates",
        type=_rate_grid,
        metavar="LO:HI:STEP",
        help="rates as fractions (default 0:0.15:0.005)",
    )
    common(acc, "acceptability")
    acc.set_defaults(func=_cmd_acceptability)

    varp = sub.add_parser(
        "variance",
        help="NPV variance: parameter uncertainty vs chance among the citizens",
        description="Law of total variance from a nested run: OUTER parameter draws, each "
        "with INNER independent sets of citizens.",
    )
    varp.add_argument("config", help="scenario TOML file")
    varp.add_argument("--outer", type=_positive_int, default=2000, metavar="K")
    varp.add_argument("--inner", type=_positive_int, default=50, metavar="J")
    varp.add_argument("--seed", type=_non_negative_int, metavar="S")
    _add_dask_flags(varp, "run the nested draws")
    common(varp, "variance")
    varp.set_defaults(func=_cmd_variance)

    cmp_ = sub.add_parser(
        "compare",
        help="scenarios on common random numbers, with paired standard errors",
        description="Runs every config with the same seed and draws (common random numbers) "
        "and reports each against the first: difference, paired SE, unpaired SE.",
    )
    cmp_.add_argument("configs", nargs="+", help="two or more scenario TOML files")
    cmp_.add_argument("--draws", type=_positive_int, metavar="N")
    cmp_.add_argument("--seed", type=_non_negative_int, metavar="S")
    _add_dask_flags(cmp_, "run each scenario's chunks")
    common(cmp_, "comparison")
    cmp_.set_defaults(func=_cmd_compare)


def _rate_grid(text: str):
    import numpy as np

    try:
        lo, hi, step = (float(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must look like LO:HI:STEP, got {text!r}") from None
    if not (-1 < lo <= hi and step > 0):
        raise argparse.ArgumentTypeError(
            f"must have -1 < LO <= HI and STEP > 0 (fractions, e.g. 0:0.15:0.005), got {text!r}"
        )
    return np.round(np.arange(lo, hi + step / 2, step), 10)


def _emit(ds, obj: dict, text: str, args) -> None:
    """Write the Dataset if asked, then print JSON or the table."""
    if args.out:
        from simrisk.core.dataset import write_netcdf

        write_netcdf(ds, args.out)
    print(json.dumps(obj, indent=2, ensure_ascii=False) if args.json else text)


def _contract_result(path: str, command: str):
    """Open a result that must be a contract run (the decision commands need one)."""
    from simrisk import kinds
    from simrisk.core.dataset import open_result

    ds = open_result(path)
    name, _ = kinds.for_result(ds, path)
    if name != "contract":
        raise SimriskError(f"{path}: a {name} result; 'simrisk {command}' takes a contract run")
    return ds


def _contract_configs(paths, command: str) -> None:
    """Refuse configs of another kind before a decision command simulates them."""
    from simrisk import kinds

    for path in paths:
        name, _ = kinds.for_config(path)
        if name != "contract":
            raise SimriskError(f"{path}: a {name} config; 'simrisk {command}' takes contracts")


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from simrisk.decision.sensitivity import format_sensitivity, sensitivity, sensitivity_json

    out = _check_out(args.out, "--out") if args.out else None
    plot = _check_out(args.plot, "--plot") if args.plot else None
    ds = _contract_result(args.path, "sensitivity")
    with _DaskBackend(args) as backend:
        s = sensitivity(
            ds, n_boot=args.boot, pawn_boot=args.pawn_boot, seed=args.seed, backend=backend
        )
    if plot is not None:
        from simrisk.decision.plot import save_sensitivity_figure

        save_sensitivity_figure(s, plot, lang=args.lang)
    args.out = out
    _emit(s, sensitivity_json(s), format_sensitivity(s), args)
    return 0


def _parse_groups(items: list[str] | None) -> dict | None:
    if not items:
        return None
    groups = {}
    for it in items:
        name, sep, members = it.partition("=")
        if not sep or not name or not members:
            raise SimriskError(f"--group {it!r}: must look like NAME=P1,P2")
        groups[name] = [m.strip() for m in members.split(",") if m.strip()]
    return groups


def _cmd_voi(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.core.dataset import open_result
    from simrisk.decision.voi import format_voi, voi, voi_json

    out = _check_out(args.out, "--out") if args.out else None
    if not args.nested:
        for flag, given in (("--outer", args.outer), ("--inner", args.inner)):
            if given is not None:
                raise SimriskError(f"{flag} {given}: only with --nested")
        if _dask_flag(args):
            raise SimriskError(
                f"{_dask_flag(args)}: only with --nested (the regression EVPPI simulates nothing)"
            )
    ds = open_result(args.path)
    name, _ = kinds.for_result(ds, args.path)
    if args.nested and name != "contract":
        raise SimriskError(f"--nested: only for a contract run; {args.path} is a {name} result")
    if name == "portfolio":
        # The choice among the budget options: net benefit [draw, option] = each
        # option's NPV; every draw and the full 100 posterior draws (the summary
        # uses a subsample to stay quick).
        from simrisk.kinds.portfolio.summary import value_of_information

        v = value_of_information(
            ds,
            max_draws=ds.sizes["draw"],
            n_post=100,
            parameters=args.parameter,
            groups=_parse_groups(args.group) or {},
            seed=args.seed,
        )
    else:
        v = voi(
            ds,
            groups=_parse_groups(args.group) if (args.group or not args.parameter) else {},
            parameters=args.parameter,
            seed=args.seed,
        )
        if args.nested:
            from simrisk.decision._engine import nested_check
            from simrisk.decision.voi import add_nested

            singles = [
                str(t)
                for t, k in zip(v["target"].values, v["target_kind"].values, strict=True)
                if k == "parameter"
            ]
            if not singles:
                raise SimriskError("--nested: no single parameter to check (give --parameter P)")
            outer = 400 if args.outer is None else args.outer
            inner = 1000 if args.inner is None else args.inner
            for flag, n in (("--outer", outer), ("--inner", inner)):
                if n < 2:
                    raise SimriskError(f"{flag} {n}: must be at least 2")
            _kernel_notice()
            with _DaskBackend(args) as backend:
                v = add_nested(v, nested_check(ds, singles, outer, inner, backend=backend))
    args.out = out
    _emit(v, voi_json(v), format_voi(v), args)
    return 0


def _cmd_acceptability(args: argparse.Namespace) -> int:
    from simrisk.decision.acceptability import (
        acceptability,
        acceptability_json,
        format_acceptability,
    )

    out = _check_out(args.out, "--out") if args.out else None
    a = acceptability(_contract_result(args.path, "acceptability"), rates=args.rates)
    args.out = out
    _emit(a, acceptability_json(a), format_acceptability(a), args)
    return 0


def _kernel_notice(quiet: bool = False) -> None:
    """The one-line notice on a cold Numba cache, before a command simulates a contract."""
    from simrisk.kinds.contract.kind import compile_notice

    compile_notice(quiet)


def _cmd_variance(args: argparse.Namespace) -> int:
    from simrisk.decision._engine import nested_variance
    from simrisk.decision.variance import format_variance, variance_json
    from simrisk.kinds.contract.loader import load_scenario

    out = _check_out(args.out, "--out") if args.out else None
    _contract_configs([args.config], "variance")
    scenario, _ = load_scenario(args.config)
    seed = scenario.simulation.seed if args.seed is None else args.seed
    _kernel_notice()
    with _DaskBackend(args) as backend:
        v = nested_variance(scenario, seed, args.outer, args.inner, backend=backend)
    args.out = out
    _emit(v, variance_json(v), format_variance(v), args)
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from simrisk.decision._engine import simulate_scenarios
    from simrisk.decision.compare import compare, compare_json, format_compare

    if len(args.configs) < 2:
        raise SimriskError(f"compare: give at least two configs, got {len(args.configs)}")
    out = _check_out(args.out, "--out") if args.out else None
    _contract_configs(args.configs, "compare")
    _kernel_notice()
    with _DaskBackend(args) as backend:
        c = compare(simulate_scenarios(args.configs, args.draws, args.seed, backend=backend))
    args.out = out
    _emit(c, compare_json(c), format_compare(c), args)
    return 0


def _int_at_least(minimum: int, what: str):
    """An argparse type: a whole number >= ``minimum`` ('1_000_000' allowed)."""

    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"must be a {what} whole number, got {text!r}")
        return value

    return parse


_positive_int = _int_at_least(1, "positive")
_non_negative_int = _int_at_least(0, "non-negative")


def _seed(text: str) -> int:
    """A seed: a whole number in [0, 2**64) (results store it as an unsigned 64-bit integer)."""
    value = _non_negative_int(text)
    if value >= 2**64:
        raise argparse.ArgumentTypeError(f"must be below 2**64 = {2**64}, got {text!r}")
    return value


def _default_out(config: str) -> Path:
    return Path("results") / (Path(config).stem + ".nc")


def _check_draws(
    kind, cfg, draws: int | None, config: str, streamed_to: Path | None = None
) -> int | None:
    """The run's draw count, refused before simulating when too few or too many for memory.

    A run streamed to a file (``streamed_to``) holds one chunk in memory, so
    it is checked against the disk space of the file's folder instead, and
    against the memory its summary needs where the kind says
    (``summary_bytes_per_draw``).
    """
    from simrisk.core.driver import check_disk, check_memory

    per_draw = getattr(kind, "bytes_per_draw", None)
    if streamed_to is not None:
        per_draw = getattr(kind, "summary_bytes_per_draw", None)
        on_disk = kind.file_bytes_per_draw(cfg)
    # first, so a config that cannot be simulated at all says so before the draws
    per_draw = per_draw(cfg) if per_draw is not None else None
    given = draws is not None
    # a kind without simulation.draws (or MIN_DRAWS, bytes_per_draw) is not checked here
    n = draws if given else getattr(getattr(cfg, "simulation", None), "draws", None)
    if n is None:
        return None
    where = "--draws" if given else f"{config}: simulation.draws ="
    least = getattr(kind, "MIN_DRAWS", 1)
    if n < least:
        why = getattr(kind, "MIN_DRAWS_WHY", "the summary needs them")
        raise SimriskError(f"{where} {n:,}: must be at least {least:,} ({why})")
    if n > 2**31 - 1:
        raise SimriskError(f"{where} {n:,}: must be at most {2**31 - 1:,}")
    if per_draw is not None:
        check_memory(per_draw, n, where)
    if streamed_to is not None:
        folder = streamed_to.parent if streamed_to.parent.is_dir() else Path(".")
        check_disk(on_disk, n, folder, where)
    return n


def _check_result_draws(kind, ds, path: str) -> None:
    least = getattr(kind, "MIN_DRAWS", 1)
    n = ds.sizes.get("draw", least)
    if n < least:
        raise SimriskError(
            f"{path}: holds {n:,} draws; a summary needs at least {least:,} "
            "(rerun with more --draws)"
        )


def _stop_status(exc: BaseException) -> int:
    """Exit status of an interruption: 128 + the signal (130 for Ctrl-C)."""
    return 128 + getattr(exc, "signum", 2)


def _clean_leftovers(out: Path, command: str) -> None:
    """Remove the temporary files a killed writer of ``out`` left (we hold its lock)."""
    from simrisk.core.dataset import stale_parts

    for part in stale_parts(out):
        part.unlink(missing_ok=True)
        print(
            f"simrisk {command}: removed {part}, left by an interrupted write of {out}",
            file=sys.stderr,
        )


def _cmd_run(args: argparse.Namespace) -> int:
    import contextlib
    import os
    import shutil

    from simrisk import kinds
    from simrisk.core.dataset import OutputLock, partial_files, write_netcdf
    from simrisk.core.driver import checkpoint_for

    name, kind = kinds.for_config(args.config)
    cfg, text = kind.load(args.config)
    wellby = name == "wellby"
    if args.scores and not wellby:
        raise SimriskError("--scores: only for a WELLBY config")
    if args.out == "-":
        out = None
    elif args.out is not None:
        out = _check_out(args.out, "--out")
    else:
        out = _default_out(args.config)
        if out.parent.is_dir():
            out = _check_out(str(out), "--out")
        elif out.parent.exists():
            raise SimriskError(f"--out {out} (the default): {out.parent} is not a folder")
        else:
            _writable_folder(Path("."), f"--out {out} (the default)")
    if args.scores:
        _check_scores(args.scores)
    distributed = _dask_flag(args)
    if distributed and name != "contract":
        raise SimriskError(f"{distributed}: only for a contract config; {args.config} is a {name}")
    if distributed and args.until:
        raise SimriskError(f"{distributed}: cannot be combined with --until")
    if args.until:
        if name != "contract":
            raise SimriskError(f"--until: only for a contract config; {args.config} is a {name}")
        if out is not None and not out.parent.is_dir():
            out.parent.mkdir(parents=True, exist_ok=True)
        return _run_until(args, cfg, text, out)
    # A contract run with an output file streams it a chunk at a time (bounded memory).
    streamed = out is not None and hasattr(kind, "simulate_to_file")
    draws = _check_draws(kind, cfg, args.draws, args.config, out if streamed else None)
    options = {
        "draws": args.draws,
        "seed": args.seed,
        "config_text": text,
        # only where given, so a kind without these options is not asked
        **{k: v for k, v in (("chunk_size", args.chunk_size), ("threads", args.threads)) if v},
    }
    if args.fixed_parameters:
        options["fixed_parameters"] = True
    prefix = None if out is None else out.with_name(f".{out.name}.checkpoint")
    if wellby:
        options["config_path"] = args.config
        if args.scores:
            options["scores"] = args.scores
    elif streamed:
        options["quiet"] = args.quiet
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch:  # reproducible files (reproducible-builds.org): a fixed creation time
            with contextlib.suppress(ValueError, OverflowError):
                options["created_at"] = _epoch_time(epoch)
    else:
        options.update(quiet=args.quiet, checkpoint_path=prefix)
    if out is not None and not out.parent.is_dir():
        try:  # the default results/ folder, made only now that every check has passed
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SimriskError(
                f"--out {out}: cannot make folder {out.parent} "
                f"({exc.strerror or exc.__class__.__name__}); give --out"
            ) from None
    lock = OutputLock(out).acquire() if out is not None else None
    backend = None
    try:
        if distributed:
            from simrisk.core.backends import dask_backend

            backend = dask_backend(
                workers=args.workers, scheduler=args.scheduler, threads=args.threads
            )
            options["backend"] = backend
        if out is not None:
            _clean_leftovers(out, "run")
            if args.restart:
                for old in out.parent.glob(f"{prefix.name}-*"):
                    shutil.rmtree(old, ignore_errors=True)
                for old in partial_files(out):
                    old.unlink(missing_ok=True)
        if streamed:
            return _run_streamed(kind, cfg, out, options, draws, args.json)
        try:
            ds = kind.simulate(cfg, **options)
        except KeyboardInterrupt as exc:
            ck = checkpoint_for(prefix) if prefix is not None else None
            if ck is not None and ck.saved:
                print(
                    f"simrisk run: interrupted; {out} was not written. {ck.saved:,} of "
                    f"{draws:,} draws are saved in {ck.path}: run the same command to resume.",
                    file=sys.stderr,
                )
            else:
                print("simrisk run: interrupted; nothing was written", file=sys.stderr)
            return _stop_status(exc)
        ck = checkpoint_for(prefix) if prefix is not None else None
        if ck is not None and ck.resumed_from:
            print(
                f"simrisk run: resumed {ck.resumed_from:,} of {draws:,} draws from {ck.path}; "
                f"simulated {draws - ck.resumed_from:,}",
                file=sys.stderr,
            )
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and "created_at" in ds.attrs:
            # Reproducible files (reproducible-builds.org): a fixed creation time.
            with contextlib.suppress(ValueError, OverflowError):
                ds.attrs["created_at"] = _epoch_time(epoch)
        if out is not None:
            try:
                write_netcdf(ds, out)
            except KeyboardInterrupt as exc:
                saved = f"; progress is saved in {ck.path}" if ck is not None and ck.saved else ""
                print(
                    f"simrisk run: interrupted while writing; {out} was not written{saved}. "
                    "Run the same command to finish.",
                    file=sys.stderr,
                )
                return _stop_status(exc)
            if ck is not None:
                ck.remove()
    finally:
        if backend is not None:
            backend.close()
        if lock is not None:
            lock.release()
    _print_summary(kind, kind.summarize(ds), args.json)
    if out is not None and not args.json:
        print(f"\nwrote {out}")
    return 0


def _epoch_time(epoch: str) -> str:
    """``SOURCE_DATE_EPOCH`` as the ``created_at`` attribute (ValueError, OverflowError if bad)."""
    import datetime as dt

    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).isoformat(timespec="seconds")


def _run_streamed(kind, cfg, out: Path, options: dict, draws: int, as_json: bool) -> int:
    """``simrisk run`` of a kind that streams: simulate to ``out``, then summarize it lazily.

    The partial file next to ``out`` is the checkpoint: an interruption
    leaves it, and the same command resumes from it.
    """
    from simrisk.core.dataset import open_result, partial_for

    try:
        writer = kind.simulate_to_file(cfg, out, **options)
    except KeyboardInterrupt as exc:
        part = partial_for(out)
        if part is not None:
            for note in part.notes:
                print(f"simrisk run: {note}", file=sys.stderr)
        if part is not None and part.done == part.draws and out.is_file():
            # the signal came while the finished file was renamed into place
            print(
                f"simrisk run: interrupted; {out} is complete, its summary was not printed "
                f"(simrisk summary {out})",
                file=sys.stderr,
            )
        elif part is not None and part.done and part.path.exists():
            print(
                f"simrisk run: interrupted; {out} was not written. {part.done:,} of "
                f"{draws:,} draws are saved in {part.path}: run the same command to resume.",
                file=sys.stderr,
            )
        else:
            print("simrisk run: interrupted; nothing was written", file=sys.stderr)
        return _stop_status(exc)
    for note in writer.notes:
        print(f"simrisk run: {note}", file=sys.stderr)
    if writer.resumed_from:
        print(
            f"simrisk run: resumed {writer.resumed_from:,} of {draws:,} draws from "
            f"{writer.path}; simulated {draws - writer.resumed_from:,}",
            file=sys.stderr,
        )
    ds = open_result(out, lazy=True)
    try:
        _print_summary(kind, kind.summarize(ds), as_json)
    finally:
        ds.close()
    if not as_json:
        print(f"\nwrote {out}")
    return 0


def _print_summary(kind, summary: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(kind.format_summary(summary))


def _run_until(args, scenario, text: str, out: Path | None) -> int:
    from simrisk.core.dataset import write_netcdf
    from simrisk.decision._engine import default_step, simulate_until
    from simrisk.decision.stopping import check_targets, parse_targets, target_status
    from simrisk.kinds.contract.summary import format_summary, summarize

    if args.fixed_parameters:
        raise SimriskError("--until: cannot be combined with --fixed-parameters")
    targets = parse_targets(args.until)
    seed = scenario.simulation.seed if args.seed is None else args.seed
    step = args.chunk_size or default_step(scenario)
    _kernel_notice(args.quiet)
    ds = simulate_until(
        scenario, seed, check_targets(targets), step, args.max_draws, config_text=text
    )
    summary = summarize(ds)
    status = target_status(summary, targets)
    met = all(r["met"] for r in status)
    ds.attrs["until"] = ", ".join(str(t) for t in targets)
    ds.attrs["until_met"] = int(met)
    if out is not None:
        write_netcdf(ds, out)
    if args.json:
        summary["until"] = {"targets": status, "met": met, "draws": ds.sizes["draw"]}
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(format_summary(summary))
        print(
            f"\nStopped after {ds.sizes['draw']:,} draws ("
            + ("every target met" if met else f"--max-draws {args.max_draws:,} reached")
            + "):"
        )
        for r in status:
            print(
                f"  {r['target']:<28} value {r['value']:.6g}, SE {r['se']:.3g}"
                f" {'met' if r['met'] else 'NOT met'}"
            )
        if out is not None:
            print(f"\nwrote {out}")
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.core.dataset import open_result

    ds = open_result(args.path)
    _, kind = kinds.for_result(ds, args.path)
    _check_result_draws(kind, ds, args.path)
    _print_summary(kind, kind.summarize(ds), args.json)
    return 0


def _writable_folder(folder: Path, what: str) -> None:
    """Refuse a folder this process cannot create files in (root ignores chmod, not chattr +i)."""
    import os
    import uuid

    probe = folder / f".simrisk-probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise SimriskError(
            f"{what}: cannot write in folder {folder} ({exc.strerror or exc.__class__.__name__})"
        ) from None
    os.close(fd)
    probe.unlink(missing_ok=True)


def _check_out(path: str, flag: str) -> Path:
    if not path.strip():
        raise SimriskError(f"{flag} {path!r}: empty; give a file name")
    out = Path(path)
    if out.is_dir():
        raise SimriskError(f"{flag} {out}: is a folder; give a file name")
    if out.exists() and not out.is_file():
        raise SimriskError(f"{flag} {out}: exists and is not a regular file")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise SimriskError(f"{flag} {out}: folder {out.parent} does not exist")
    _writable_folder(folder, f"{flag} {out}")
    return out


def _check_figure(path: str, flag: str) -> Path:
    """An output figure: a writable file whose suffix is a format matplotlib can write."""
    from matplotlib.backend_bases import FigureCanvasBase

    out = _check_out(path, flag)
    formats = sorted(FigureCanvasBase.get_supported_filetypes())
    ext = out.suffix.lower().lstrip(".")
    if ext not in formats:
        got = f"format {ext!r}" if ext else "no suffix"
        raise SimriskError(
            f"{flag} {out}: {got}; the name must end in one of .{', .'.join(formats)}"
        )
    return out


def _check_scores(path: str) -> None:
    """Read a --scores file once before simulating, so a bad one stops the run at once."""
    from simrisk.kinds.wellby.scores import read_scores

    read_scores(path)


def _cmd_wellby(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.core.dataset import OutputLock, write_netcdf

    name, kind = kinds.for_config(args.config)
    if name != "wellby":
        raise SimriskError(
            f"{args.config}: a {name} config; 'simrisk wellby' takes a WELLBY config"
        )
    cfg, text = kind.load(args.config)
    out = _check_out(args.out, "--out") if args.out is not None else None
    plot = _check_figure(args.plot, "--plot") if args.plot is not None else None
    if out is not None and plot is not None and out.resolve() == plot.resolve():
        raise SimriskError(f"--plot {plot}: the same file as --out")
    if args.scores:
        _check_scores(args.scores)
    _check_draws(kind, cfg, args.draws, args.config)
    locks = [OutputLock(p, f).acquire() for p, f in ((out, "--out"), (plot, "--plot")) if p]
    try:
        for p in (out, plot):
            if p is not None:
                _clean_leftovers(p, "wellby")
        ds = kind.simulate(
            cfg,
            draws=args.draws,
            seed=args.seed,
            scores=args.scores,
            config_path=args.config,
            config_text=text,
        )
        if out is not None:
            write_netcdf(ds, out)
        if plot is not None:
            from simrisk.plot import plot_wellby_fan, save_figure

            save_figure(plot_wellby_fan(ds).figure, plot)
    finally:
        for lock in locks:
            lock.release()
    _print_summary(kind, kind.summarize(ds), args.json)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.core.dataset import OutputLock, open_result

    out = _check_out(args.output, "--output")
    if out.suffix.lower() != ".pdf":
        raise SimriskError(f"--output {out}: the report is a PDF; the name must end in .pdf")
    if args.figures is not None:
        _check_figures_folder(args.figures)
    ds = open_result(args.results)
    _, kind = kinds.for_result(ds, args.results)
    _check_result_draws(kind, ds, args.results)
    options = {"lang": args.lang, "figures": args.figures}
    if args.wellby:
        from simrisk.kinds.wellby.dataset import WELLBY_KIND

        options["wellby"] = open_result(args.wellby, kind=WELLBY_KIND)
    if args.design:
        options["design"] = open_result(args.design, kind="simrisk.design")
    if args.scenarios:
        options["scenarios"] = [(p, open_result(p)) for p in args.scenarios]
    with OutputLock(out, "--output"):
        _clean_leftovers(out, "report")
        pages = kind.report(ds, out, **options)
    print(f"wrote {out}: {len(pages)} pages ({', '.join(pages)})")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.core.dataset import open_result

    out = _check_out(args.output, "--output")
    if out.suffix.lower() != ".xlsx":
        raise SimriskError(f"--output {out}: must end in .xlsx")
    ds = open_result(args.results)
    name, kind = kinds.for_result(ds, args.results)
    export = getattr(kind, "export", None)
    if export is None:
        raise SimriskError(
            f"{args.results}: a {name} result; 'simrisk export' takes a contract run"
        )
    extra = {}
    for key in ("sensitivity", "voi"):
        path = getattr(args, key)
        if path:
            import xarray as xr

            try:
                extra[key] = xr.load_dataset(path)
            except (OSError, ValueError) as exc:
                raise SimriskError(f"--{key} {path}: not a readable NetCDF file ({exc})") from None
            found = extra[key].attrs.get("analysis")
            if found != key:
                raise SimriskError(
                    f"--{key} {path}: not a 'simrisk {key} --out' result (analysis = {found!r})"
                )
    sheets = export(ds, out, lang=args.lang, extra=extra, draws_limit=args.max_draws)
    print(f"wrote {out}: sheets {', '.join(sheets)}")
    return 0


def _check_figures_folder(path: str) -> None:
    if not path.strip():
        raise SimriskError(f"--figures {path!r}: empty; give a folder")
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise SimriskError(f"--figures {folder}: is a file; give a folder (made if missing)")
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise SimriskError(f"--figures {folder}: {existing} is a file, not a folder")
    _writable_folder(existing, f"--figures {folder}")


def _cmd_design(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.kinds.contract import design

    name, kind = kinds.for_config(args.config)
    if name != "contract":
        raise SimriskError(f"{args.config}: a {name} config; 'simrisk design' takes a contract")
    best = _check_out(args.output, "--output")
    if best.suffix.lower() != ".toml":
        raise SimriskError(f"--output {best}: must end in .toml")
    out = _check_out(args.out, "--out") if args.out else None
    plot = _check_out(args.plot, "--plot") if args.plot else None
    targets = [design.parse_target(t) for t in args.target]
    objective = None
    if args.minimize:
        objective = ("minimize", args.minimize)
    elif args.maximize:
        objective = ("maximize", args.maximize)
    cfg, text = kind.load(args.config)
    _kernel_notice(args.quiet)
    with _DaskBackend(args) as backend:
        res = design.run_design(
            cfg,
            targets,
            objective,
            draws=args.draws,
            seed=args.seed,
            candidates=args.candidates,
            rescore_draws=args.rescore_draws,
            payer_risk=args.payer_risk or design.DEFAULT_PAYER_RISK,
            progress=None if args.quiet else lambda line: print(line, file=sys.stderr),
            backend=backend,
        )
    if out is not None:
        from simrisk.core.dataset import write_netcdf

        write_netcdf(design.to_dataset(res, text), out)
    if plot is not None:
        from simrisk.plot import plot_design, save_figure

        save_figure(plot_design(design.to_dataset(res, text), lang=args.lang), plot)
    if res.chosen is not None:
        design.write_best_toml(res, args.config, best)
    summary = res.to_dict()
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(design.format_design(summary))
    if res.chosen is None:
        print(
            f"simrisk design: no candidate meets every target by {design.SE_MARGIN:g} SE; "
            f"{best} was not written (widen the [design] ranges or relax a target)",
            file=sys.stderr,
        )
        return 1
    if not args.json:
        print(f"\nwrote {best}" + "".join(f", {p}" for p in (out, plot) if p is not None))
    return 0


def _cmd_example(args: argparse.Namespace) -> int:
    from simrisk.examples import copy_example, list_examples

    if args.list or not args.name:
        width = max(map(len, list_examples()))
        for name, line in list_examples().items():
            print(f"{name:<{width}}  {line}")
        return 0
    for path in copy_example(args.name, args.output, force=args.force):
        print(f"wrote {path}")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from simrisk.core.driver import check_memory
    from simrisk.kinds.contract import kind
    from simrisk.kinds.contract.bench import DEFAULT_CONFIG, format_bench, run_bench

    cfg, _ = kind.load(args.config or DEFAULT_CONFIG)
    check_memory(kind.bytes_per_draw(cfg), args.draws, "--draws")
    _kernel_notice()
    res = run_bench(args.config, draws=args.draws, threads=args.threads)
    print(json.dumps(res, indent=2) if args.json else format_bench(res))
    return 0


def _cmd_ledger(args: argparse.Namespace) -> int:
    from simrisk import kinds

    name, kind = kinds.for_config(args.config)
    cfg, _ = kind.load(args.config)
    options = {}
    if name == "contract":
        options = {
            "success_rate": args.success_rate,
            "retention": args.retention,
            "goal_rates": dict(args.goal_rate),
        }
    elif args.success_rate is not None or args.retention is not None or args.goal_rate:
        raise SimriskError("--success-rate, --retention and --goal-rate: only for a contract")
    as_dict, text = kind.ledger(cfg, **options)
    print(json.dumps(as_dict, indent=2, ensure_ascii=False) if args.json else text)
    return 0


class _StopSignals:
    """SIGTERM and SIGHUP stop a command the way Ctrl-C does (progress saved, exit 128 + n).

    Installed only in the main thread, and the previous handlers are put back,
    so calling :func:`main` from a test or a notebook leaves no trace.
    """

    def __enter__(self):
        import signal
        import threading

        from simrisk.core.errors import Interrupted

        def stop(signum, frame):
            raise Interrupted(signum)

        self.saved = {}
        if threading.current_thread() is threading.main_thread():
            for name in ("SIGTERM", "SIGHUP"):
                sig = getattr(signal, name, None)
                # an ignored signal stays ignored (nohup ignores SIGHUP on purpose)
                if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:
                    self.saved[sig] = signal.signal(sig, stop)
        return self

    def __exit__(self, *exc):
        import signal

        for sig, old in self.saved.items():
            signal.signal(sig, old)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        with _StopSignals():
            return args.func(args)
    except SimriskError as exc:
        lines = str(exc).splitlines() or [exc.__class__.__name__]
        for line in lines:
            print(f"simrisk {args.command}: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        print(f"simrisk {args.command}: interrupted; nothing was written", file=sys.stderr)
        return _stop_status(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
