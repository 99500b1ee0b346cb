"""The ``simrisk`` commands for a portfolio config or result.

:mod:`simrisk.cli` hands over here when a config's top-level ``kind`` is
``"portfolio"`` (or a result's ``kind`` attribute is ``simrisk.portfolio``).
Options that belong to the outcome-contract model are refused with one line.
"""

from __future__ import annotations

import json
from pathlib import Path

from simrisk.errors import SimriskError

__all__ = ["config_kind", "ledger", "report", "result_kind", "run", "summary"]


def config_kind(path: str) -> str | None:
    """The top-level ``kind`` of a TOML config (None when absent or unreadable)."""
    from simrisk.config import read_toml
    from simrisk.errors import ConfigError

    try:
        data, _ = read_toml(path)
    except ConfigError:
        return None  # the kind's own loader reports the problem
    kind = data.get("kind")
    return kind if isinstance(kind, str) else None


def result_kind(path: str) -> str | None:
    """The ``kind`` attribute of a NetCDF result (None when absent or unreadable)."""
    import xarray as xr

    if not Path(path).is_file():
        return None
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            return ds.attrs.get("kind")
    except Exception:  # h5py/netCDF raise many kinds; the caller reports it
        return None


def _refuse(args, flags: dict[str, object]) -> None:
    for flag, default in flags.items():
        if getattr(args, flag.lstrip("-").replace("-", "_"), default) not in (default, None):
            raise SimriskError(f"{flag}: does not apply to a portfolio config ({args.config})")


def ledger(args) -> int:
    from simrisk.portfolio import load_portfolio
    from simrisk.portfolio.ledger import format_ledger, run_ledger

    _refuse(args, {"--success-rate": None, "--retention": None, "--goal-rate": []})
    cfg, _ = load_portfolio(args.config)
    res = run_ledger(cfg)
    print(json.dumps(res.to_json(), indent=2, ensure_ascii=False) if args.json
          else format_ledger(res))  # fmt: skip
    return 0


def run(args, out: Path | None) -> int:
    from simrisk.engine.dataset import write_netcdf
    from simrisk.portfolio import load_portfolio, simulate
    from simrisk.portfolio.summary import format_summary, summarize

    _refuse(args, {"--fixed-parameters": False})
    cfg, text = load_portfolio(args.config)
    ds = simulate(cfg, draws=args.draws, seed=args.seed, chunk_size=args.chunk_size,
                  threads=args.threads, config_text=text, quiet=args.quiet)  # fmt: skip
    if out is not None:
        write_netcdf(ds, out)
    s = summarize(ds)
    if args.json:
        print(json.dumps(s, indent=2, ensure_ascii=False))
    else:
        print(format_summary(s))
        if out is not None:
            print(f"\nwrote {out}")
    return 0


def _open(path: str):
    from simrisk.engine.dataset import open_result
    from simrisk.portfolio.driver import KIND

    return open_result(path, kind=KIND)


def summary(args) -> int:
    from simrisk.portfolio.summary import format_summary, summarize

    s = summarize(_open(args.path))
    print(json.dumps(s, indent=2, ensure_ascii=False) if args.json else format_summary(s))
    return 0


def report(args, out: Path) -> int:
    from simrisk.portfolio.report import write_report

    if getattr(args, "wellby", None):
        raise SimriskError(f"--wellby: does not apply to a portfolio result ({args.results})")
    pages = write_report(_open(args.results), out, lang=args.lang, figures=args.figures)
    print(f"wrote {out}: {len(pages)} pages ({', '.join(pages)})")
    return 0
