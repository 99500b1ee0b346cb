"""What a cold first run of the contract kernel costs: the figure behind the compile notice.

Each measurement runs in a fresh process with an empty ``NUMBA_CACHE_DIR``, so
nothing is loaded from Numba's cache. The child times (CPU and wall) the first
``simulate_arrays`` of a few draws, which compiles the parameter draws' and the
kernel's code, and subtracts a second, warm call of the same size. Both are
reported: CPU time does not depend on the machine's load, wall time is what
the user waits for (on an idle machine about the CPU time, as compiling is
single-threaded). Then the same with the cache written by the first process,
which is what every later run pays.

    python benchmarks/compile_time.py [config ...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [str(ROOT / "configs" / "dsi_norddjurs.toml")]


def _child(config: str) -> None:
    t0 = time.process_time()
    from simrisk.kinds.contract.inputs import build_inputs
    from simrisk.kinds.contract.loader import load_scenario
    from simrisk.kinds.contract.simulate import RunSpec, simulate_arrays

    inp = build_inputs(load_scenario(config)[0])
    spec = RunSpec(draws=64, seed=1, chunk_size=64)
    t1, w1 = time.process_time(), time.perf_counter()
    simulate_arrays(inp, spec)
    t2, w2 = time.process_time(), time.perf_counter()
    simulate_arrays(inp, spec)
    t3, w3 = time.process_time(), time.perf_counter()
    print(
        json.dumps(
            {
                "import_cpu": t1 - t0,
                "first_cpu": (t2 - t1) - (t3 - t2),
                "first_wall": (w2 - w1) - (w3 - w2),
            }
        )
    )


def measure(config: str, cache: str) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    out = subprocess.run(
        [sys.executable, __file__, "--child", config],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(configs: list[str]) -> None:
    print(f"load: {os.getloadavg()[0]:.2f} (1-min average), {os.cpu_count()} cores")
    for config in configs:
        with tempfile.TemporaryDirectory() as cache:
            cold = measure(config, cache)
            warm = measure(config, cache)
        print(
            f"{Path(config).name}: cold first run {cold['first_cpu']:.1f} s CPU "
            f"({cold['first_wall']:.1f} s wall); from the cache {warm['first_cpu']:.2f} s CPU "
            f"({warm['first_wall']:.2f} s wall)"
        )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2])
    else:
        main(sys.argv[1:] or DEFAULT)
