"""asv benchmark of issue 24 item 3: the analyst's workbook in seconds.

The figure judged is a ratio measured in one process: the CPU time of
``simrisk.api.export`` (every sheet, the draws sheet capped at 10,000 rows,
every draw to Parquet) over the CPU time of the in-memory contract run that
made the result, on the same draws. Reading the result file is left out of
both (it is the same for every command that reads one).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "dsi_norddjurs.toml"


def export_over_run(draws: int, seed: int = 7) -> dict:
    """CPU seconds of a DSI run of ``draws`` and of exporting its workbook, and their ratio."""
    from simrisk import api
    from simrisk.kinds.contract import simulate
    from simrisk.kinds.contract.loader import load_scenario

    sc, text = load_scenario(CONFIG)
    c0 = time.process_time()
    ds = simulate(sc, draws=draws, seed=seed, config_text=text)
    run = time.process_time() - c0
    with tempfile.TemporaryDirectory() as d:
        c0 = time.process_time()
        api.export(ds, Path(d) / "book.xlsx")
        export = time.process_time() - c0
    return {"draws": draws, "run_cpu": run, "export_cpu": export, "ratio": export / run}


class Export:
    """``simrisk export`` CPU over ``simrisk run`` CPU on 100,000 draws."""

    timeout = 600

    def setup(self):
        export_over_run(2_000)  # compile and import outside the measurement

    def track_export_over_run(self):
        return export_over_run(100_000)["ratio"]

    track_export_over_run.unit = "ratio"
