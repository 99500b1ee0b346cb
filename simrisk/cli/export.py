"""simrisk export: the analyst's workbook of a run."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    check_out,
    positive_int,
)
from simrisk.core.errors import SimriskError


def add_parser(sub) -> None:
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
        type=positive_int,
        default=None,
        metavar="N",
        help="at most N draws in the draws sheet (default 100,000)",
    )
    xp.add_argument("--sensitivity", metavar="NC", help="a sensitivity result, as a sheet")
    xp.add_argument("--voi", metavar="NC", help="a value-of-information result, as a sheet")
    xp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk import kinds
    from simrisk.core.dataset import open_result

    out = check_out(args.output, "--output")
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
