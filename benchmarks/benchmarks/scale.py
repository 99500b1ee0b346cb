"""asv benchmarks of scale (issue 15): population size, peak memory, dask, warm start.

Absolute times depend on the machine; what CI judges are the ratios
(``track_*``), each measured in one process on one machine: citizens/s at
70,000 referred over 700 referred (the per-citizen kernel should cost the
same per citizen at any size), a dask run on 2 local workers over a threaded
run of the same draws, and ``simrisk ledger``'s warm wall time over a bare
``python -c pass`` and over ``python -c "import numpy, pydantic"``.
"""

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simrisk.kinds.contract.inputs import build_inputs
from simrisk.kinds.contract.loader import load_scenario
from simrisk.kinds.contract.simulate import RunSpec, simulate, simulate_arrays, simulate_to_file

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "dsi_norddjurs.toml"


def _scenario(referred: int):
    text = re.sub(r"(?m)^referred = 700\b", f"referred = {referred}", CONFIG.read_text())
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "scale.toml"
        path.write_text(text, encoding="utf-8")
        scenario, _ = load_scenario(path)
    return scenario


def _citizens_per_s(inp, draws: int) -> float:
    t0 = time.perf_counter()
    out = simulate_arrays(inp, RunSpec(draws=draws, seed=2, chunk_size=8192))
    took = time.perf_counter() - t0
    return float(out["measured"].sum()) / took


class Population:
    """Measured citizens per second at 700 and 70,000 referred (about 700k citizens each)."""

    params = [700, 70_000]  # noqa: RUF012 (asv reads these class attributes)
    param_names = ["referred"]  # noqa: RUF012
    timeout = 300

    def setup(self, referred):
        self.inp = build_inputs(_scenario(referred))
        self.draws = max(10, 1_400_000 // referred)
        simulate_arrays(self.inp, RunSpec(draws=8, seed=1, chunk_size=8))  # compile / load

    def time_population(self, referred):
        simulate_arrays(self.inp, RunSpec(draws=self.draws, seed=2, chunk_size=8192))

    def track_citizens_per_s(self, referred):
        return _citizens_per_s(self.inp, self.draws)

    track_citizens_per_s.unit = "citizens/s"


class PopulationRatio:
    """Citizens/s at 70,000 referred over 700 referred, in one process (CI judges this)."""

    timeout = 300

    def setup(self):
        self.small = build_inputs(_scenario(700))
        self.large = build_inputs(_scenario(70_000))
        # Both: 70,000 referred counts in int32, a specialization of its own to load.
        simulate_arrays(self.small, RunSpec(draws=8, seed=1, chunk_size=8))
        simulate_arrays(self.large, RunSpec(draws=2, seed=1, chunk_size=2))

    def track_large_over_small(self):
        return _citizens_per_s(self.large, 20) / _citizens_per_s(self.small, 2000)

    track_large_over_small.unit = "ratio"


class PeakMemory:
    """Peak memory of a whole run held in memory (simulate: the Dataset) at 1e5 and 1e6 draws."""

    params = [100_000, 1_000_000]  # noqa: RUF012
    param_names = ["draws"]  # noqa: RUF012
    timeout = 600

    def setup(self, draws):
        self.scenario = load_scenario(CONFIG)[0]
        simulate(self.scenario, draws=64, seed=1)

    def peakmem_run(self, draws):
        simulate(self.scenario, draws=draws, seed=2, chunk_size=100_000)


#: 5e6 draws take minutes and about a GB of disk: only with SIMRISK_BENCH_5E6=1
_STREAM_DRAWS = [100_000, 1_000_000] + (
    [5_000_000] if os.environ.get("SIMRISK_BENCH_5E6") == "1" else []
)


def _stream(scenario, draws: int, folder, chunk_size: int = 8192) -> float:
    """Stream ``draws`` to a file in ``folder``; seconds spent in the file's writes."""
    import simrisk.core.dataset as core_dataset

    spent = [0.0]
    write = core_dataset.PartialFile.write

    def timed(self, draw0, values):
        t0 = time.perf_counter()
        write(self, draw0, values)
        spent[0] += time.perf_counter() - t0

    core_dataset.PartialFile.write = timed
    try:
        simulate_to_file(scenario, Path(folder) / "run.nc", draws=draws, seed=2,
                         chunk_size=chunk_size)  # fmt: skip
    finally:
        core_dataset.PartialFile.write = write
    return spent[0]


class PeakMemoryStreamed:
    """Peak memory of a run streamed to NetCDF (simulate_to_file, no summary): flat in N.

    5e6 draws only with ``SIMRISK_BENCH_5E6=1``.
    """

    params = _STREAM_DRAWS
    param_names = ["draws"]  # noqa: RUF012
    timeout = 1800

    def setup(self, draws):
        self.scenario = load_scenario(CONFIG)[0]
        self.folder = tempfile.TemporaryDirectory()
        _stream(self.scenario, 64, self.folder.name)  # compile / load

    def teardown(self, draws):
        self.folder.cleanup()

    def peakmem_stream(self, draws):
        _stream(self.scenario, draws, self.folder.name)


class WriteShare:
    """The file's writes (zlib mostly) as a share of a streamed run's wall time."""

    timeout = 600

    def setup(self):
        self.scenario = load_scenario(CONFIG)[0]
        self.folder = tempfile.TemporaryDirectory()
        _stream(self.scenario, 64, self.folder.name)

    def teardown(self):
        self.folder.cleanup()

    def track_write_share(self):
        t0 = time.perf_counter()
        spent = _stream(self.scenario, 300_000, self.folder.name)
        return spent / (time.perf_counter() - t0)

    track_write_share.unit = "share of wall time"


class Dask:
    """The same draws threaded and on a LocalCluster of 2 worker processes."""

    timeout = 300
    draws = 40_000

    def setup(self):
        from simrisk.core.backends import dask_backend

        self.scenario = load_scenario(CONFIG)[0]
        self.backend = dask_backend(workers=2)
        simulate(self.scenario, draws=64, seed=1)
        simulate(self.scenario, draws=64, seed=1, backend=self.backend)  # workers load kernels

    def teardown(self):
        self.backend.close()

    def _run(self, backend=None):
        t0 = time.perf_counter()
        simulate(self.scenario, draws=self.draws, seed=2, chunk_size=5000, backend=backend)
        return time.perf_counter() - t0

    def time_local(self):
        self._run()

    def time_dask_2_workers(self):
        self._run(self.backend)

    def track_dask_over_local(self):
        return self._run(self.backend) / self._run()

    track_dask_over_local.unit = "ratio (wall time)"


def _wall(*args) -> float:
    # A warm start has byte-code: pip compiles it on install, so write it here
    # even where PYTHONDONTWRITEBYTECODE is set (otherwise every start would
    # compile simrisk's sources, about 0.1 s).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True, env=env)
    return time.perf_counter() - t0


def _fastest_over(a: tuple, b: tuple, repeat: int = 9) -> float:
    """The fastest start of ``a`` over the fastest of ``b`` (a start-up time only grows with
    other load), their starts taken in turn.

    Taken in turn, both see the same machine: five of ``a`` then five of ``b``
    let a change of load or clock between the two batches move the ratio (on an
    idle machine 2.41-3.19 for the ledger over numpy and pydantic, 2.21-2.37 in turn).
    """
    fa, fb = float("inf"), float("inf")
    for _ in range(repeat):
        fa = min(fa, _wall(*a))
        fb = min(fb, _wall(*b))
    return fa / fb


LEDGER = ("-m", "simrisk", "ledger", str(CONFIG))


class WarmStart:
    """``simrisk ledger`` and ``simrisk --help`` once byte-code and caches exist (warm start).

    The ratios divide by a bare ``python -c pass`` (the interpreter's own
    start) and by ``python -c "import numpy, pydantic"`` (the two libraries
    the ledger needs: what no change to simrisk can remove), each started the
    same way in the same process, the fastest of nine starts each, taken in turn.
    """

    timeout = 300

    def setup(self):
        _wall(*LEDGER)  # byte-code and caches

    def time_ledger(self):
        _wall(*LEDGER)

    def time_help(self):
        _wall("-m", "simrisk", "--help")

    def track_ledger_over_bare_python(self):
        return _fastest_over(LEDGER, ("-c", "pass"))

    track_ledger_over_bare_python.unit = "ratio (wall time)"

    def track_ledger_over_numpy_pydantic(self):
        return _fastest_over(LEDGER, ("-c", "import numpy, pydantic"))

    track_ledger_over_numpy_pydantic.unit = "ratio (wall time)"

    def track_help_over_bare_python(self):
        return _fastest_over(("-m", "simrisk", "--help"), ("-c", "pass"))

    track_help_over_bare_python.unit = "ratio (wall time)"
