"""Peak memory and wall time of the contract summary on a lazily opened result (issue 15).

Writes a DSI result of each draw count ONCE (``simrisk run ... --out``; minutes
each, the file is kept and reused), then summarises each file in a fresh
process under ``/usr/bin/time -v``: the file opened lazily
(``xr.open_dataset(path, engine="h5netcdf", cache=False)``) and passed to
``summarize``; and once more with ``drop_variables=["draw"]``, because
xarray loads a dimension's index when it opens a file (8 bytes a draw, and
pandas keeps a second copy). With ``--old REV`` it also runs the summary of git revision REV
(the summary before issue 15 read whole columns), for comparison. Prints one
JSON line per measurement. Measure on a quiet machine; the wall times of a
shared one vary.

Usage::

    python benchmarks/summary_memory.py 1000000 5000000 --old f29a4e6
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "dsi_norddjurs.toml"

_CHILD = """
import sys, importlib.util, xarray as xr
path, module, drop = sys.argv[1], sys.argv[2], sys.argv[3] == "drop"
if module == "-":
    from simrisk.kinds.contract.summary import summarize
else:  # an older revision's summary module, on today's core
    spec = importlib.util.spec_from_file_location("old_summary", module)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    summarize = mod.summarize
ds = xr.open_dataset(
    path, engine="h5netcdf", cache=False, drop_variables=["draw"] if drop else None
)
s = summarize(ds)
print(s["draws"], s["npv"]["p5"], s["npv"]["p5_se"])
"""


def _result(draws: int, folder: Path) -> Path:
    path = folder / f"ssum_{draws}.nc"
    if not path.exists():
        run = ["run", str(CONFIG), "--draws", str(draws), "--out", str(path), "--quiet"]
        subprocess.run([sys.executable, "-m", "simrisk", *run], check=True)
    return path


def _measure(path: Path, module: str, drop: bool) -> dict:
    args = [str(path), module, "drop" if drop else "keep"]
    proc = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-c", _CHILD, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)[1])
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr)[1]
    seconds = sum(float(x) * 60**i for i, x in enumerate(reversed(wall.split(":"))))
    return {"peak_rss_mb": round(rss / 1024, 1), "wall_s": round(seconds, 2), "out": proc.stdout}


def _bare() -> dict:
    # the fixed cost: the same imports and an open file, no summary
    code = "import xarray, simrisk.kinds.contract.summary, scipy.special"
    proc = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-c", code], capture_output=True, text=True
    )
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)[1])
    return {"peak_rss_mb": round(rss / 1024, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("draws", type=int, nargs="+")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--old", help="also measure the summary of this git revision")
    args = ap.parse_args()
    old = None
    if args.old:
        text = subprocess.run(
            ["git", "show", f"{args.old}:simrisk/kinds/contract/summary.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        old = args.dir / f"ssum_summary_{args.old}.py"
        old.write_text(text, encoding="utf-8")
    print(json.dumps({"imports_only": _bare()}))
    for n in args.draws:
        path = _result(n, args.dir)
        runs = [("streaming", "-", False), ("streaming", "-", True)]
        runs += [(args.old, str(old), False)] if old else []
        for label, module, drop in runs:
            row = {"draws": n, "summary": label, "draw_index_dropped": drop}
            print(json.dumps({**row, **_measure(path, module, drop)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
