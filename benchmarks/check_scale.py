"""CI's quick scale check (issue 15): ratios measured in one process, never absolute times.

- citizens/s at 70,000 referred over 700 referred must stay >= 0.7. It was
  0.44-0.45 before the faster kernel (2026-11-25): the 20 draws at 70,000
  referred made one block of the parallel loop, so one of two threads did
  all the work. Blocks now shrink so every thread gets several, and the
  ratio is about 1 (docs/scale.md, "Why 70,000 referred was slower");
- a run on 2 local dask workers over the same run threaded must stay <= 3:
  the task overhead stays small against the simulation;
- ``simrisk ledger``'s warm start over ``python -c "import numpy, pydantic"``
  (the libraries it needs) must stay <= 3. Measured 1.8-2.3 on the shared
  machine at load 5-6 (2026-11-25), 7-18 before the fast start; numba alone
  would add about 1, scipy.stats about 2.5.
- the peak RSS of a run streamed to NetCDF at 200,000 draws over that at
  50,000 must stay <= 1.2: memory does not grow with the draw count (held in
  memory, the same runs measured 1.28, and it grows with the sizes).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmarks"))

MIN_POPULATION_RATIO = 0.7
MAX_DASK_RATIO = 3.0
MAX_LEDGER_RATIO = 3.0
MAX_STREAM_PEAK_RATIO = 1.2
STREAM_DRAWS = (50_000, 200_000)

_PEAK = """
import resource, sys, tempfile
from pathlib import Path
from simrisk.kinds.contract.simulate import simulate_to_file
from simrisk.kinds.contract.loader import load_scenario
scenario, text = load_scenario(sys.argv[1])
with tempfile.TemporaryDirectory() as d:
    simulate_to_file(scenario, Path(d) / "r.nc", draws=int(sys.argv[2]), seed=2, chunk_size=8192)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def stream_peak_ratio() -> float:
    """Peak RSS (each in a fresh process) of a streamed run at 4x the draws over 1x."""
    import subprocess

    config = Path(__file__).resolve().parents[1] / "configs" / "dsi_norddjurs.toml"
    peaks = []
    for draws in STREAM_DRAWS:
        done = subprocess.run(
            [sys.executable, "-c", _PEAK, str(config), str(draws)],
            capture_output=True,
            text=True,
            check=True,
        )
        peaks.append(int(done.stdout.split()[-1]))
    return peaks[1] / peaks[0]


def main() -> int:
    import scale

    pop = scale.PopulationRatio()
    pop.setup()
    population = pop.track_large_over_small()
    dask = scale.Dask()
    dask.setup()
    try:
        dask_ratio = dask.track_dask_over_local()
    finally:
        dask.teardown()
    start = scale.WarmStart()
    start.setup()
    ledger = start.track_ledger_over_numpy_pydantic()
    stream = stream_peak_ratio()
    print(
        json.dumps(
            {
                "citizens_per_s_70000_over_700": population,
                "dask_over_local": dask_ratio,
                "ledger_over_numpy_pydantic": ledger,
                "stream_peak_200000_over_50000": stream,
            }
        )
    )
    failed = []
    if population < MIN_POPULATION_RATIO:
        failed.append(
            f"citizens/s at 70,000 over 700 referred {population:.2f} < {MIN_POPULATION_RATIO}"
        )
    if dask_ratio > MAX_DASK_RATIO:
        failed.append(f"dask/local wall time {dask_ratio:.2f} > {MAX_DASK_RATIO}")
    if ledger > MAX_LEDGER_RATIO:
        failed.append(
            f"simrisk ledger's warm start over importing numpy and pydantic "
            f"{ledger:.2f} > {MAX_LEDGER_RATIO}"
        )
    if stream > MAX_STREAM_PEAK_RATIO:
        failed.append(f"streamed peak RSS at 4x the draws {stream:.2f}x > {MAX_STREAM_PEAK_RATIO}")
    for f in failed:
        print(f"FAIL: {f}", file=sys.stderr)
    if not failed:
        print("ok: population, dask, warm-start and streamed-memory ratios within bounds")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
