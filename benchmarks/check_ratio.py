"""CI's quick performance check: fail when the kernel/reference ratio drops below 3x.

Both run in this process on the same machine, so the ratio is meaningful on
any hardware; absolute times are printed but never judged.
"""

from __future__ import annotations

import json
import sys

from simrisk.kinds.contract.bench import run_bench

MIN_RATIO = 3.0


def main() -> int:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    r = run_bench(draws=draws)
    print(json.dumps(r, indent=2))
    if r["ratio"] < MIN_RATIO:
        print(f"FAIL: kernel/reference ratio {r['ratio']:.1f} < {MIN_RATIO}", file=sys.stderr)
        return 1
    print(f"ok: kernel/reference ratio {r['ratio']:.1f} >= {MIN_RATIO}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
