"""The cost of saving every chunk: a run with a checkpoint over the same run without.

Run from the repository root (a few tens of seconds on 2 cores)::

    .venv/bin/python benchmarks/checkpoint_overhead.py [--draws 200000] [--repeat 3]

Prints the wall time of each variant (best of ``--repeat``, the two variants
alternating so machine load hits both alike) and their ratio. Speed is
reported only as a ratio on this machine; nothing here is a test.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from simrisk.core.driver import Checkpoint
from simrisk.kinds.contract.inputs import build_inputs
from simrisk.kinds.contract.loader import load_scenario
from simrisk.kinds.contract.simulate import RunSpec, simulate_arrays

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "dsi_norddjurs.toml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    scenario, _ = load_scenario(CONFIG)
    inp = build_inputs(scenario)
    spec = RunSpec(draws=args.draws, seed=1, chunk_size=8192)
    simulate_arrays(inp, RunSpec(draws=2000, seed=1, chunk_size=1000))  # compile
    best = {"without": float("inf"), "with": float("inf")}
    size = 0
    for i in range(args.repeat):
        # alternate which variant runs first, so warm-up and load hit both alike
        for variant in ("without", "with") if i % 2 == 0 else ("with", "without"):
            with tempfile.TemporaryDirectory() as tmp:
                ck = None
                if variant == "with":
                    ck = Checkpoint(Path(tmp) / ".r.nc.checkpoint", {"bench": True})
                t0 = time.perf_counter()
                simulate_arrays(inp, spec, checkpoint=ck)
                best[variant] = min(best[variant], time.perf_counter() - t0)
                if ck is not None:
                    size = sum(f.stat().st_size for f in ck.path.iterdir())
    print(f"draws {args.draws:,}, chunk 8,192, best of {args.repeat}")
    print(f"  without checkpoint  {best['without']:.2f} s")
    print(f"  with checkpoint     {best['with']:.2f} s  ({size / 2**20:,.0f} MiB of chunks)")
    print(f"  ratio               {best['with'] / best['without']:.3f}")


if __name__ == "__main__":
    main()
