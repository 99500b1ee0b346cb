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
from simrisk.errors import SimriskError
from simrisk.portfolio import _cli as _pf  # the portfolio kind's commands (case C)

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
    run.add_argument("config", help="scenario TOML file")
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
    rep.set_defaults(func=_cmd_report)

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
    from simrisk.config import load_scenario
    from simrisk.engine import simulate, write_netcdf
    from simrisk.summary import format_summary, summarize

    portfolio = _pf.config_kind(args.config) == "portfolio"  # minimal kind dispatch
    scenario, text = (None, "") if portfolio else load_scenario(args.config)
    if args.out == "-":
        out = None
    elif args.out:
        out = _check_out(args.out, "--out")
    else:
        out = _default_out(args.config)
        out.parent.mkdir(parents=True, exist_ok=True)
        out = _check_out(str(out), "--out")
    if portfolio:
        return _pf.run(args, out)
    ckpt = None if out is None else out.with_name(out.name + ".checkpoint.npz")
    if ckpt is not None and args.restart:
        ckpt.unlink(missing_ok=True)
    try:
        ds = simulate(
            scenario,
            draws=args.draws,
            seed=args.seed,
            chunk_size=args.chunk_size,
            threads=args.threads,
            fixed_parameters=args.fixed_parameters,
            config_text=text,
            quiet=args.quiet,
            checkpoint_path=ckpt,
        )
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
    summary = summarize(ds)
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(format_summary(summary))
        if out is not None:
            print(f"\nwrote {out}")
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from simrisk.engine import open_result
    from simrisk.summary import format_summary, summarize

    if _pf.result_kind(args.path) == "simrisk.portfolio":  # minimal kind dispatch
        return _pf.summary(args)
    summary = summarize(open_result(args.path))
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(format_summary(summary))
    return 0


def _check_out(path: str, flag: str) -> Path:
    out = Path(path)
    if out.is_dir():
        raise SimriskError(f"{flag} {out}: is a folder; give a file name")
    if str(out.parent) and not out.parent.is_dir():
        raise SimriskError(f"{flag} {out}: folder {out.parent} does not exist")
    return out


def _cmd_wellby(args: argparse.Namespace) -> int:
    from simrisk.wellby import format_wellby, load_wellby, read_scores, run_wellby

    cfg, text = load_wellby(args.config)
    out = _check_out(args.out, "--out") if args.out else None
    plot = _check_out(args.plot, "--plot") if args.plot else None
    scores = None
    if args.scores:
        scores = read_scores(args.scores)
    elif cfg.pilot.scores:
        scores = read_scores(Path(args.config).resolve().parent / cfg.pilot.scores)
    res = run_wellby(cfg, scores=scores, draws=args.draws, seed=args.seed)
    if out is not None or plot is not None:
        from simrisk.wellby.dataset import wellby_dataset

        ds = wellby_dataset(res, config_text=text)
        if out is not None:
            from simrisk.engine.dataset import write_netcdf

            write_netcdf(ds, out)
        if plot is not None:
            from simrisk.plot import plot_wellby_fan, save_figure

            save_figure(plot_wellby_fan(ds).figure, plot)
    if args.json:
        print(json.dumps(res.summary, indent=2, ensure_ascii=False))
    else:
        print(format_wellby(res.summary))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from simrisk.engine import open_result
    from simrisk.report import build_report

    out = _check_out(args.output, "--output")
    if _pf.result_kind(args.results) == "simrisk.portfolio":  # minimal kind dispatch
        return _pf.report(args, out)
    ds = open_result(args.results)
    wellby = None
    if args.wellby:
        from simrisk.wellby.dataset import WELLBY_KIND

        wellby = open_result(args.wellby, kind=WELLBY_KIND)
    pages = build_report(ds, out, lang=args.lang, figures=args.figures, wellby=wellby)
    print(f"wrote {out}: {len(pages)} pages ({', '.join(pages)})")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from simrisk.bench import format_bench, run_bench

    res = run_bench(args.config, draws=args.draws, threads=args.threads)
    print(json.dumps(res, indent=2) if args.json else format_bench(res))
    return 0


def _cmd_ledger(args: argparse.Namespace) -> int:
    from simrisk._text import format_ledger
    from simrisk.config import load_scenario
    from simrisk.ledger import run_ledger

    if _pf.config_kind(args.config) == "portfolio":  # minimal kind dispatch
        return _pf.ledger(args)
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
