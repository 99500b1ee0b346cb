"""asv benchmarks of the bounded-memory summary (issue 15) on a lazily opened result.

``setup_cache`` writes a DSI result of each size once; each benchmark opens
it lazily (``xr.open_dataset(..., engine="h5netcdf", cache=False)``, the
``draw`` index dropped: xarray would load it, 8 bytes a draw and a pandas
copy, whatever the summary does) and runs ``summarize``. What CI can judge
is the ratio ``track_peak_rss_large_over_small``: the peak RSS of a process
that summarises 400,000 draws over one that summarises 100,000, which stays
near 1 when the summary's memory does not grow with the draws (before
issue 15 it read whole columns and sorted copies of them).
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import xarray as xr

from simrisk.core.dataset import write_netcdf
from simrisk.kinds.contract.loader import load_scenario
from simrisk.kinds.contract.simulate import simulate
from simrisk.kinds.contract.summary import summarize

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "dsi_norddjurs.toml"
SIZES = (100_000, 400_000)

_CHILD = """
import resource, sys, xarray as xr
from simrisk.kinds.contract.summary import summarize
ds = xr.open_dataset(sys.argv[1], engine="h5netcdf", cache=False, drop_variables=["draw"])
summarize(ds)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _open(path):
    return xr.open_dataset(path, engine="h5netcdf", cache=False, drop_variables=["draw"])


def _child_rss_kb(path) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, check=True
    )
    return int(out.stdout.split()[-1])


class LazySummary:
    """``summarize`` of a lazily opened DSI result at 100,000 and 400,000 draws."""

    params = list(SIZES)  # noqa: RUF012 (asv reads these class attributes)
    param_names = ["draws"]  # noqa: RUF012
    timeout = 900

    def setup_cache(self):
        scenario = load_scenario(CONFIG)[0]
        folder = Path(tempfile.mkdtemp(prefix="simrisk-asv-summary-"))
        paths = {}
        for draws in SIZES:
            paths[draws] = folder / f"dsi_{draws}.nc"
            write_netcdf(simulate(scenario, draws=draws, seed=2), paths[draws])
        return paths

    def setup(self, paths, draws):
        self.path = paths[draws]
        with _open(paths[SIZES[0]]) as ds:  # imports (scipy.special) and the file format
            summarize(ds.isel(draw=slice(0, 1000)))

    def time_summarize(self, paths, draws):
        with _open(self.path) as ds:
            summarize(ds)

    def peakmem_summarize(self, paths, draws):
        with _open(self.path) as ds:
            summarize(ds)


class LazySummaryRatio:
    """Peak RSS of summarising 400,000 draws over 100,000, in fresh processes."""

    timeout = 900

    def setup_cache(self):
        return LazySummary().setup_cache()

    def track_peak_rss_large_over_small(self, paths):
        return _child_rss_kb(paths[SIZES[1]]) / _child_rss_kb(paths[SIZES[0]])

    track_peak_rss_large_over_small.unit = "ratio (peak RSS)"
