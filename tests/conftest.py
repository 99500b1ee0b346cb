"""Shared fixtures: paths, the shipped scenario, a seeded generator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DSI_CONFIG = ROOT / "configs" / "dsi_norddjurs.toml"

# A seed that can rotate: SIMRISK_TEST_SEED=random (or a number) checks that the
# statistical tests do not pass only for one lucky seed.
_seed_env = os.environ.get("SIMRISK_TEST_SEED", "20261123")
TEST_SEED = (
    int(np.random.SeedSequence().entropy % 2**32) if _seed_env == "random" else int(_seed_env)
)


# Long statistical and performance tests carry one mark, ``@pytest.mark.slow``. By
# default (and in CI) they run in their short form: a test reads ``SLOW`` to choose
# its size. A test with no short form says so as ``@pytest.mark.slow(short=False)``
# and then runs only with SIMRISK_SLOW=1, which also gives every slow test its full size.
SLOW = bool(os.environ.get("SIMRISK_SLOW"))


def pytest_report_header(config):
    form = "full" if SLOW else "short (SIMRISK_SLOW=1 for the full form)"
    return [
        f"simrisk test seed: {TEST_SEED} (set SIMRISK_TEST_SEED to change)",
        f"slow tests: {form}",
    ]


def pytest_collection_modifyitems(config, items):
    if SLOW:
        return
    skip = pytest.mark.skip(reason="no short form: SIMRISK_SLOW=1 runs it")
    for item in items:
        mark = item.get_closest_marker("slow")
        if mark is not None and mark.kwargs.get("short", True) is False:
            item.add_marker(skip)


@pytest.fixture
def rng():
    """A fresh, seeded generator per test."""
    return np.random.default_rng(TEST_SEED)


@pytest.fixture(scope="session")
def dsi_scenario():
    from simrisk.kinds.contract.loader import load_scenario

    scenario, _ = load_scenario(DSI_CONFIG)
    return scenario


def run_cli(*args, cwd=None) -> subprocess.CompletedProcess:
    """``python -m simrisk ARGS`` in a subprocess, output captured, never raising."""
    return subprocess.run(
        [sys.executable, "-m", "simrisk", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def interrupt_after(monkeypatch, chunks: int) -> None:
    """Make the contract engine raise KeyboardInterrupt in chunk number ``chunks + 1``."""
    import simrisk.kinds.contract.simulate as engine

    real = engine.make_fill
    seen = {"n": 0}

    def make_fill(inp, spec):
        fill = real(inp, spec)

        def counting(draw0, n, views):
            seen["n"] += 1
            if seen["n"] > chunks:
                raise KeyboardInterrupt
            fill(draw0, n, views)

        return counting

    monkeypatch.setattr(engine, "make_fill", make_fill)


@pytest.fixture(scope="module")
def backend():
    """A LocalCluster of 2 worker processes (one thread each) behind a DaskBackend, per module."""
    distributed = pytest.importorskip("distributed")
    from simrisk.core.backends import DaskBackend, local_cluster

    cluster = local_cluster(2)
    client = distributed.Client(cluster)
    with DaskBackend(client, cluster=cluster, threads=1) as b:
        yield b


def eventually(condition, seconds=10.0) -> bool:
    """Wait up to ``seconds`` for ``condition()``: releasing and cancelling futures reach the
    client's event loop asynchronously."""
    import time

    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The fuzz corpus's cases per family and its Traceback count (tests/test_fuzz.py)."""
    import sys

    corpus = next(
        (m.CORPUS for name, m in list(sys.modules.items()) if name.endswith("test_fuzz")
         and hasattr(m, "CORPUS") and m.CORPUS),
        None,
    )  # fmt: skip
    if not corpus:
        return
    tr = terminalreporter
    tr.section("fuzz corpus: cases per family")
    for family, (cases, tracebacks) in sorted(corpus.items()):
        tr.write_line(
            f"{cases:6d}  {family}" + (f"  ({tracebacks} with a Traceback)" if tracebacks else "")
        )
    total = sum(c for c, _ in corpus.values())
    bad = sum(t for _, t in corpus.values())
    tr.write_line(f"{total:6d}  cases in {len(corpus)} families; {bad} outputs with a Traceback")
