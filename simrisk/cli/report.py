"""simrisk report: the committee's PDF of a run, or its offline HTML page."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    check_figures_folder,
    check_out,
    guard_outputs,
    notify,
)
from simrisk.core.errors import SimriskError


def add_parser(sub) -> None:
    rep = sub.add_parser(
        "report",
        help="the PDF report of any run (any kind), or an offline HTML page",
        description="A multi-page PDF from a 'simrisk run' result of any kind: page 1 "
        "decides (the rule's verdict, the alternatives, what would change the decision), "
        "page 2 reconciles the source's figures, then distributions, the payers and every "
        "assumption. An output ending in .html writes one self-contained page instead (page 1's "
        "decision, the key charts and a slider where one helps; opens offline; contract, WELLBY, "
        "portfolio and fund results; "
        'needs pip install "simrisk[html]"). Try it on a shipped example: '
        "'simrisk example --list'.",
    )
    rep.add_argument("results", help="NetCDF file written by 'simrisk run' (any kind)")
    rep.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the PDF to write (.pdf), or the offline HTML page (.html)",
    )
    rep.add_argument(
        "--lang", choices=("en", "da"), default="en", help="labels and number format (default en)"
    )
    rep.add_argument("--figures", metavar="DIR", help="also write each page as PNG and SVG")
    rep.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
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
    rep.add_argument(
        "--allow-other-run",
        action="store_true",
        help="take a --design file of another run (another config or seed); its page says so",
    )
    rep.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:

    out = check_out(args.output, "--output")
    if out.suffix.lower() not in (".pdf", ".html", ".htm"):
        raise SimriskError(
            f"--output {out}: the report is a PDF or an offline HTML page; "
            "the name must end in .pdf or .html"
        )
    if args.figures is not None and out.suffix.lower() != ".pdf":
        raise SimriskError(f"--figures {args.figures}: applies to the PDF report only")
    if args.figures is not None:
        check_figures_folder(args.figures)
    inputs = [(f"the result {args.results}", args.results)]
    for flag in ("--wellby", "--design"):
        given = getattr(args, flag[2:])
        inputs.append((f"{flag} {given}", given))
    inputs += [(f"--scenarios {p}", p) for p in args.scenarios or ()]
    figures = ("--figures", args.figures) if args.figures is not None else None
    with guard_outputs([("--output", out)], inputs, notify("report"), figures=figures):
        return _write(args, out)


def _write(args: argparse.Namespace, out) -> int:
    from simrisk import api, kinds
    from simrisk.core.dataset import open_result

    ds = api.report_input(args.results)  # a kind's result or an updated result
    options = {"lang": args.lang, "figures": args.figures}
    if args.wellby:
        wb = open_result(args.wellby, kind=kinds.get("wellby").RESULT_KIND)
        options["wellby"] = api.attached(wb, f"--wellby {args.wellby}", ds, same_run=False)
    if args.design:
        options["design"] = api.attached(
            open_result(args.design, kind="simrisk.design"),
            f"--design {args.design}",
            ds,
            allow_other_run=args.allow_other_run,
        )
    if args.scenarios:  # other configs by design; compare checks their seed and draws
        options["scenarios"] = [
            (p, api.attached(open_result(p), f"--scenarios {p}", ds, same_run=False))
            for p in args.scenarios
        ]
    pages = api.report(ds, out, notify=notify("report"), quiet=args.quiet, **options)
    unit = "pages" if out.suffix.lower() == ".pdf" else "sections"
    print(f"wrote {out}: {len(pages)} {unit} ({', '.join(pages)})")
    return 0
