"""CI's quick check of value of information's speed (issue 24): a CPU-time ratio only.

``simrisk voi``'s work (EVPI, EVPPI of every varying parameter and of the
default groups) on a DSI run's draws, over the CPU time of that run, both in
this process: <= 4. With pygam's GAMs it was about 20 (160 s of CPU for
voi on 300,000 draws against a warm run's 7-8 s); with the regression
splines it is about 1.5 there and 2 at the 50,000 draws checked here.

Usage: python benchmarks/check_voi.py [DRAWS]   (default 50,000)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmarks"))

MAX_VOI_OVER_RUN = 4.0


def main() -> int:
    from voi import voi_over_run

    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    r = voi_over_run(draws)
    print(json.dumps(r))
    if r["ratio"] > MAX_VOI_OVER_RUN:
        print(
            f"FAIL: voi/run CPU time {r['ratio']:.2f} > {MAX_VOI_OVER_RUN} at {draws:,} draws",
            file=sys.stderr,
        )
        return 1
    print("ok: voi's CPU time over its run's is within bounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
