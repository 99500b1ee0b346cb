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
        "summary.",
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
        type=_non_negative_int,
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
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument(
        "--restart",
        action="store_true",
        help="discard a checkpoint left by an interrupted run instead of resuming from it",
    )
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
        "projections and goal 3's implied success chance, each with 80/90/95%% bands.",
    )
    wb.add_argument("config", help="WELLBY TOML file, e.g. configs/opi_aims_wellby.toml")
    wb.add_argument(
        "--scores",
        metavar="CSV",
        help="paired before,after 0-10 scores per participant (overrides the summary statistics)",
    )
    wb.add_argument("--draws", type=_positive_int, metavar="N")
    wb.add_argument("--seed", type=_non_negative_int, metavar="S")
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


def _default_out(config: str) -> Path:
    return Path("results") / (Path(config).stem + ".nc")


def _cmd_run(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.core.dataset import write_netcdf

    name, kind = kinds.for_config(args.config)
    cfg, text = kind.load(args.config)
    if args.out == "-":
        out = None
    elif args.out:
        out = _check_out(args.out, "--out")
    else:
        out = _default_out(args.config)
        out.parent.mkdir(parents=True, exist_ok=True)
        out = _check_out(str(out), "--out")
    ckpt = None if out is None else out.with_name(out.name + ".checkpoint.npz")
    if ckpt is not None and args.restart:
        ckpt.unlink(missing_ok=True)
    options = {
        "draws": args.draws,
        "seed": args.seed,
        "config_text": text,
        # only where given, so a kind without these options is not asked
        **{k: v for k, v in (("chunk_size", args.chunk_size), ("threads", args.threads)) if v},
    }
    if args.fixed_parameters:
        options["fixed_parameters"] = True
    if name == "wellby":
        options["config_path"] = args.config
        if args.scores:
            options["scores"] = args.scores
    else:
        options.update(quiet=args.quiet, checkpoint_path=ckpt)
        if args.scores:
            raise SimriskError("--scores: only for a WELLBY config")
    try:
        ds = kind.simulate(cfg, **options)
    except KeyboardInterrupt:
        if ckpt is not None and ckpt.exists():
            print(
                f"simrisk run: interrupted; {out} was not written. Progress is saved in "
                f"{ckpt}: run the same command to resume.",
                file=sys.stderr,
            )
            return 130
        raise
    if out is not None:
        write_netcdf(ds, out)
        ckpt.unlink(missing_ok=True)
    _print_summary(kind, kind.summarize(ds), args.json)
    if out is not None and not args.json:
        print(f"\nwrote {out}")
    return 0


def _print_summary(kind, summary: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(kind.format_summary(summary))


def _cmd_summary(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.core.dataset import open_result

    ds = open_result(args.path)
    _, kind = kinds.for_result(ds, args.path)
    _print_summary(kind, kind.summarize(ds), args.json)
    return 0


def _check_out(path: str, flag: str) -> Path:
    out = Path(path)
    if out.is_dir():
        raise SimriskError(f"{flag} {out}: is a folder; give a file name")
    if str(out.parent) and not out.parent.is_dir():
        raise SimriskError(f"{flag} {out}: folder {out.parent} does not exist")
    return out


def _cmd_wellby(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.core.dataset import write_netcdf

    name, kind = kinds.for_config(args.config)
    if name != "wellby":
        raise SimriskError(
            f"{args.config}: a {name} config; 'simrisk wellby' takes a WELLBY config"
        )
    cfg, text = kind.load(args.config)
    out = _check_out(args.out, "--out") if args.out else None
    plot = _check_out(args.plot, "--plot") if args.plot else None
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
    _print_summary(kind, kind.summarize(ds), args.json)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.core.dataset import open_result

    out = _check_out(args.output, "--output")
    ds = open_result(args.results)
    _, kind = kinds.for_result(ds, args.results)
    options = {"lang": args.lang, "figures": args.figures}
    if args.wellby:
        from simrisk.kinds.wellby.dataset import WELLBY_KIND

        options["wellby"] = open_result(args.wellby, kind=WELLBY_KIND)
    if args.design:
        options["design"] = open_result(args.design, kind="simrisk.design")
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
    sheets = export(ds, out, lang=args.lang, extra=extra, draws_limit=args.max_draws)
    print(f"wrote {out}: sheets {', '.join(sheets)}")
    return 0


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
    from simrisk.kinds.contract.bench import format_bench, run_bench

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
