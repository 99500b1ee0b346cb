"""CI's quick check of the decision layer on dask (issue 15): ratios only, never absolute times.

Nested EVPPI and the design search on 2 local dask workers, each over the
same work in this process, must stay <= 3 (the bound benchmarks/check_scale.py
puts on a run's chunks): the task overhead stays small against the
simulation. On a dedicated 2-core machine the ratio should be near or below
1; the bound leaves room for a shared CI runner.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmarks"))

MAX_DASK_RATIO = 3.0


def main() -> int:
    import decision_dask

    ratios = {}
    for name in ("NestedEvppi", "Design"):
        bench = getattr(decision_dask, name)()
        bench.setup()
        try:
            ratios[name] = bench.track_dask_over_local()
        finally:
            bench.teardown()
    print(json.dumps({f"{k}_dask_over_local": v for k, v in ratios.items()}))
    failed = [
        f"{k}: dask/local wall time {v:.2f} > {MAX_DASK_RATIO}"
        for k, v in ratios.items()
        if v > MAX_DASK_RATIO
    ]
    for f in failed:
        print(f"FAIL: {f}", file=sys.stderr)
    if not failed:
        print("ok: the decision layer's dask ratios are within bounds")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
