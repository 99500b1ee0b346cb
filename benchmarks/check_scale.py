"""CI's quick scale check (issue 15): ratios measured in one process, never absolute times.

- citizens/s at 70,000 referred over 700 referred must stay >= 0.7. It was
  0.44-0.45 before the faster kernel (2026-11-25): the 20 draws at 70,000
  referred made one block of the parallel loop, so one of two threads did
  all the work. Blocks now shrink so every thread gets several, and the
  ratio is about 1 (docs/scale.md, "Why 70,000 referred was slower");
- a run on 2 local dask workers over the same run threaded must stay <= 3:
  the task overhead stays small against the simulation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmarks"))

MIN_POPULATION_RATIO = 0.7
MAX_DASK_RATIO = 3.0


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
    print(json.dumps({"citizens_per_s_70000_over_700": population, "dask_over_local": dask_ratio}))
    failed = []
    if population < MIN_POPULATION_RATIO:
        failed.append(
            f"citizens/s at 70,000 over 700 referred {population:.2f} < {MIN_POPULATION_RATIO}"
        )
    if dask_ratio > MAX_DASK_RATIO:
        failed.append(f"dask/local wall time {dask_ratio:.2f} > {MAX_DASK_RATIO}")
    for f in failed:
        print(f"FAIL: {f}", file=sys.stderr)
    if not failed:
        print("ok: population and dask ratios within bounds")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
