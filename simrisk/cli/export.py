"""simrisk export: the analyst's workbook of a run."""

from __future__ import annotations

import argparse

from simrisk.cli._common import (
    add_quiet,
    busy,
    check_out,
    guard_outputs,
    notify,
    positive_int,
    without_dask,
)
from simrisk.core.errors import SimriskError


def add_parser(sub) -> None:
    xp = sub.add_parser(
        "export",
        help="the analyst's Excel workbook of a run",
        description="An .xlsx workbook from a 'simrisk run' result: sheets summary (every "
        "figure with its Monte Carlo SE), inputs and ledger (the expected case as formulas "
        "over named input cells: change an input and it recalculates), payers, charts, "
        "draws (up to 10,000 draws of every per-draw variable and parameter), cash_flows, "
        "assumptions and provenance; sensitivity and voi when those results are given; "
        "every draw in a Parquet file beside it. Sheet names and headers: docs/cli.md in "
        "simrisk's source.",
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
        help="at most N draws in the draws sheet (default 10,000); every draw goes to "
        "NAME.draws.parquet beside the workbook",
    )
    xp.add_argument("--sensitivity", metavar="NC", help="a sensitivity result, as a sheet")
    xp.add_argument("--voi", metavar="NC", help="a value-of-information result, as a sheet")
    xp.add_argument(
        "--allow-other-run",
        action="store_true",
        help="take a --sensitivity or --voi file of another run (another config or seed); "
        "its sheet says so",
    )
    add_quiet(xp)
    xp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk import api

    out = check_out(args.output, "--output")
    if out.suffix.lower() != ".xlsx":
        raise SimriskError(f"--output {out}: must end in .xlsx")
    # every draw goes to NAME.draws.parquet beside the workbook: an output too
    outputs = [
        ("--output", out),
        ("--output's draws file", out.with_name(f"{out.stem}.draws.parquet")),
    ]
    inputs = [(f"the result {args.results}", args.results)]
    inputs += [
        (f"--{key} {getattr(args, key)}", getattr(args, key)) for key in ("sensitivity", "voi")
    ]
    with without_dask(), guard_outputs(outputs, inputs, notify("export")):
        ds, _ = api.result_for(args.results, "export")
        extra = {}
        for key in ("sensitivity", "voi"):
            path = getattr(args, key)
            if path:
                extra[key] = api.attached(
                    _analysis(key, path),
                    f"--{key} {path}",
                    ds,
                    allow_other_run=args.allow_other_run,
                )
        with busy("workbook", args.quiet):
            sheets = api.export(ds, out, lang=args.lang, extra=extra, draws_limit=args.max_draws)
    print(f"wrote {out}: sheets {', '.join(sheets)}")
    return 0


def _analysis(key: str, path: str | None):
    """A ``simrisk sensitivity/voi --out`` result for a sheet, or None if not given."""
    if not path:
        return None
    import xarray as xr

    from simrisk.core.inputs import regular_file

    regular_file(path, f"--{key}")  # a FIFO would block
    try:
        ds = xr.load_dataset(path)
    except (OSError, ValueError) as exc:
        raise SimriskError(f"--{key} {path}: not a readable NetCDF file ({exc})") from None
    found = ds.attrs.get("analysis")
    if found != key:
        raise SimriskError(
            f"--{key} {path}: not a 'simrisk {key} --out' result (analysis = {found!r})"
        )
    return ds
