"""Instructions per draw of the kernel and of the frozen f29a4e6 kernel, under callgrind.

Instruction counts do not depend on the machine's load, so they compare the
two kernels honestly on a shared machine where timings do not. Each kernel
runs in its own process under ``valgrind --tool=callgrind`` with
instrumentation off during start-up (imports, loading the compiled code,
a warm-up run); ``callgrind_control -i on`` switches it on for exactly one
run of ``DRAWS`` draws (one thread: parameters, kernel, chunk driver) and off
again. Slow: about two minutes per kernel. Not run by CI.

    python benchmarks/kernel_instructions.py [draws] [config]
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _child(which: str, draws: int, config: str, d: str) -> None:
    from simrisk.core.driver import run_chunks
    from simrisk.core.rng import key_from_seed
    from simrisk.kinds.contract.bench import frozen_baseline
    from simrisk.kinds.contract.inputs import build_inputs
    from simrisk.kinds.contract.loader import load_scenario
    from simrisk.kinds.contract.simulate import RunSpec, _empty_outputs, simulate_arrays

    frozen_fill = frozen_baseline().frozen_fill

    inp = build_inputs(load_scenario(config)[0])

    def run(spec):
        if which == "kernel":
            return simulate_arrays(inp, spec)
        key, _ = key_from_seed(spec.seed)
        return run_chunks(frozen_fill(inp, key), _empty_outputs(inp, spec.draws), spec)

    run(RunSpec(draws=64, seed=1, chunk_size=64, threads=1))

    def handshake(name: str) -> None:
        Path(d, f"{name}.ready").touch()
        while not Path(d, f"{name}.go").exists():
            time.sleep(0.05)

    handshake("start")
    out = run(RunSpec(draws=draws, seed=2, chunk_size=8192, threads=1))
    handshake("stop")
    Path(d, "measured").write_text(str(int(out["measured"].sum())))


def _count(which: str, draws: int, config: str) -> tuple[int, int]:
    with tempfile.TemporaryDirectory() as d:
        cg = Path(d, "callgrind.out")
        env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
        proc = subprocess.Popen(
            [
                "valgrind", "--tool=callgrind", "--instr-atstart=no",
                f"--callgrind-out-file={cg}",
                sys.executable, __file__, "--child", which, str(draws), config, d,
            ],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for name, switch in (("start", "on"), ("stop", "off")):
            while not Path(d, f"{name}.ready").exists():
                if proc.poll() is not None:
                    raise RuntimeError(f"the {which} run under valgrind ended early")
                time.sleep(0.5)
            subprocess.run(
                ["callgrind_control", "-i", switch, str(proc.pid)],
                check=True,
                capture_output=True,
            )
            Path(d, f"{name}.go").touch()
        proc.wait()
        totals = re.search(r"^totals:\s+(\d+)", cg.read_text(), re.M)
        return int(totals.group(1)), int(Path(d, "measured").read_text())


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
        return 0
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    config = sys.argv[2] if len(sys.argv) > 2 else str(ROOT / "configs" / "dsi_norddjurs.toml")
    res = {}
    for which in ("frozen", "kernel"):
        res[which] = _count(which, draws, config)
        ir, citizens = res[which]
        print(
            f"{which:>7}: {ir:,} instructions for {draws:,} draws "
            f"({ir / draws:,.0f} per draw, {ir / citizens:,.0f} per measured citizen)"
        )
    print(f"frozen / kernel: {res['frozen'][0] / res['kernel'][0]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
