"""simrisk report: the committee's PDF of a run."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    check_figures_folder,
    check_out,
    check_result_draws,
    clean_leftovers,
)
from simrisk.core.errors import SimriskError


def add_parser(sub) -> None:
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
    rep.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.core.dataset import OutputLock, open_result

    out = check_out(args.output, "--output")
    if out.suffix.lower() != ".pdf":
        raise SimriskError(f"--output {out}: the report is a PDF; the name must end in .pdf")
    if args.figures is not None:
        check_figures_folder(args.figures)
    ds = open_result(args.results)
    _, kind = kinds.for_result(ds, args.results)
    check_result_draws(kind, ds, args.results)
    options = {"lang": args.lang, "figures": args.figures}
    if args.wellby:
        from simrisk.kinds.wellby.dataset import WELLBY_KIND

        options["wellby"] = open_result(args.wellby, kind=WELLBY_KIND)
    if args.design:
        options["design"] = open_result(args.design, kind="simrisk.design")
    if args.scenarios:
        options["scenarios"] = [(p, open_result(p)) for p in args.scenarios]
    with OutputLock(out, "--output"):
        clean_leftovers(out, "report")
        pages = kind.report(ds, out, **options)
    print(f"wrote {out}: {len(pages)} pages ({', '.join(pages)})")
    return 0
