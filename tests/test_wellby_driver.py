"""The WELLBY kind through the core driver: chunks, checkpoints, resume, a real SIGKILL.

A WELLBY run draws its quantities from one sequential PCG64 stream (the
pinned results of tests/test_pinned.py). ``Lanes`` cuts that stream into
one lane per quantity and positions each lane at any draw, so the run can be
cut into chunks without changing a bit: these tests check that the samplers
split as the lanes assume, that no chunk size, resume point or BLAS thread
count changes a result, and that a run killed part-way resumes to the clean
run's file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from tests.conftest import ROOT, SLOW

CONFIG = ROOT / "configs" / "opi_aims_wellby.toml"
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}


def _cfg(**pilot):
    from simrisk.kinds.wellby import load_wellby
    from simrisk.kinds.wellby.config import WellbyConfig

    cfg, _ = load_wellby(CONFIG)
    if not pilot:
        return cfg
    d = cfg.model_dump()
    d["pilot"].update(pilot)
    return WellbyConfig.model_validate(d)


def _scores(k: int = 22) -> np.ndarray:
    rng = np.random.default_rng(3)
    return np.column_stack([rng.integers(0, 11, k), rng.integers(0, 11, k)])


SAMPLERS = {
    "dirichlet": lambda g, n: g.dirichlet(np.ones(22), size=n),
    "standard_t": lambda g, n: g.standard_t(21, n),
    "standard_normal": lambda g, n: g.standard_normal(n),
    "beta (gamma ratio)": lambda g, n: g.beta(23.0, 29.0, n),
    "beta (Johnk)": lambda g, n: g.beta(0.5, 0.7, n),
    "triangular": lambda g, n: g.triangular(1.0, 2.0, 4.0, n),
    "uniform": lambda g, n: g.uniform(1.0, 2.0, n),
    "random": lambda g, n: g.random(n),
    "binomial (vector p)": lambda g, n: g.binomial(2500, np.linspace(0.01, 0.99, n), n),
    "binomial (small n)": lambda g, n: g.binomial(5, np.full(n, 0.6), n),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_each_sampler_splits_like_one_call(name):
    # n draws then m more are the n + m draws of one call, and leave the same state:
    # what lets a lane continue from chunk to chunk
    f = SAMPLERS[name]
    if name.startswith("binomial (vector"):  # p must follow the draws, as completion does

        def f(g, n, lo=0):
            return g.binomial(2500, p[lo : lo + n], n)

        p = np.random.default_rng(1).random(5003)
    one = np.random.default_rng(np.random.SeedSequence(5))
    two = np.random.default_rng(np.random.SeedSequence(5))
    whole = f(one, 5003)
    if name.startswith("binomial (vector"):
        split = np.concatenate([f(two, 1234), f(two, 5003 - 1234, 1234)])
    else:
        split = np.concatenate([f(two, 1234), f(two, 5003 - 1234)])
    assert np.array_equal(whole, split)
    assert one.bit_generator.state == two.bit_generator.state


@pytest.mark.parametrize("name", ["random", "uniform", "triangular"])
def test_one_word_samplers_are_skipped_by_advance(name):
    a = np.random.default_rng(np.random.SeedSequence(5))
    b = np.random.default_rng(np.random.SeedSequence(5))
    SAMPLERS[name](a, 777)
    b.bit_generator.advance(777)
    assert a.bit_generator.state == b.bit_generator.state


def _same_result(a, b) -> None:
    assert a.draws.keys() == b.draws.keys()
    for k in a.draws:
        assert np.array_equal(a.draws[k], b.draws[k]), k
    assert a.summary == b.summary


@pytest.mark.parametrize(
    "variant", ["shipped", "scores", "reported sd"], ids=["shipped", "scores", "reported-sd"]
)
def test_chunk_size_changes_no_bit(variant):
    from simrisk.kinds.wellby import run_wellby

    cfg = _cfg(sd_change=1.4) if variant == "reported sd" else _cfg()
    scores = _scores() if variant == "scores" else None
    whole = run_wellby(cfg, scores=scores, draws=601, seed=7, chunk_size=10**6)
    for chunk in (7, 250, 600):
        _same_result(whole, run_wellby(cfg, scores=scores, draws=601, seed=7, chunk_size=chunk))
    one = run_wellby(cfg, scores=scores, draws=60, seed=7, chunk_size=1)
    _same_result(run_wellby(cfg, scores=scores, draws=60, seed=7), one)


def test_lanes_start_at_any_draw():
    from simrisk.kinds.wellby.simulate import Lanes, _lanes, _model

    cfg = _cfg()
    mdl = _model(cfg, None)
    lanes = _lanes(cfg, None, mdl.completers, mdl.recruited)
    seq = Lanes(lanes, 2000, 11)
    parts = [seq.take(d, 250) for d in range(0, 2000, 250)]
    whole = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    for d0, n in [(1999, 1), (250, 250), (1, 1000), (0, 2000), (1337, 600)]:
        got = Lanes(lanes, 2000, 11).take(d0, n)
        for k, v in got.items():
            assert np.array_equal(v, whole[k][d0 : d0 + n]), (k, d0)


def test_blas_thread_count_changes_no_bit():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from simrisk.kinds.wellby import run_wellby

    cfg = _cfg()
    free = run_wellby(cfg, scores=_scores(60), draws=3000, seed=2, chunk_size=999)
    with threadpoolctl.threadpool_limits(1):
        one = run_wellby(cfg, scores=_scores(60), draws=3000, seed=2, chunk_size=999)
    _same_result(free, one)


def test_an_interrupted_run_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    import simrisk.kinds.wellby.simulate as sim
    from simrisk.core.driver import Checkpoint
    from simrisk.kinds.wellby import run_wellby

    cfg = _cfg()
    clean = run_wellby(cfg, draws=5000, seed=3, chunk_size=1000)
    ident = sim.run_identity(cfg, None, 5000, 3, "text")
    real = sim.make_fill
    calls = {"n": 0}

    def stopping(mdl, draws, seed):
        fill = real(mdl, draws, seed)

        def counted(draw0, n, views):
            calls["n"] += 1
            if calls["n"] > 3:
                raise KeyboardInterrupt
            fill(draw0, n, views)

        return counted

    monkeypatch.setattr(sim, "make_fill", stopping)
    with pytest.raises(KeyboardInterrupt):
        run_wellby(
            cfg, draws=5000, seed=3, chunk_size=1000, checkpoint=Checkpoint(tmp_path / "c", ident)
        )
    monkeypatch.setattr(sim, "make_fill", real)
    ck = Checkpoint(tmp_path / "c", ident)
    resumed = run_wellby(cfg, draws=5000, seed=3, chunk_size=1000, checkpoint=ck)
    assert ck.resumed_from == 3000  # the first chunk is 1,000 draws here, then 1,000 each
    _same_result(clean, resumed)
    other = Checkpoint(tmp_path / "c", {**ident, "seed": 4})
    assert other.path != ck.path  # another run never reads this one's chunks


# --- a real SIGKILL of `simrisk run` on the WELLBY example --------------------------------


def _argv(folder: Path, draws: int, chunk: int) -> list[str]:
    return [
        sys.executable, "-m", "simrisk", "run", str(CONFIG), "--draws", str(draws),
        "--seed", "9", "--chunk-size", str(chunk), "--out", str(folder / "r.nc"),
        "--quiet", "--json",
    ]  # fmt: skip


def _chunks_saved(folder: Path) -> int:
    return sum(1 for _ in folder.glob(".r.nc.checkpoint-*/chunk-*.npz"))


def _kill_after(argv, folder: Path, chunks: int, wait: float = 0.0) -> bool:
    """Start ``argv``; SIGKILL it once ``chunks`` chunks are saved (or r.nc exists, + wait)."""
    proc = subprocess.Popen(
        argv, cwd=folder, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while proc.poll() is None:
            if _chunks_saved(folder) >= chunks or (folder / "r.nc").exists():
                time.sleep(wait)
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
        proc.wait(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode == -signal.SIGKILL


def _same_file(a: Path, b: Path) -> None:
    with xr.open_dataset(a, engine="h5netcdf") as x, xr.open_dataset(b, engine="h5netcdf") as y:
        assert set(x.variables) == set(y.variables)
        for name in x.variables:
            assert x[name].equals(y[name]), name
        assert x.identical(y)


def test_a_killed_wellby_run_resumes_and_equals_a_clean_run(tmp_path, monkeypatch):
    # the default run kills once, part-way; SIMRISK_SLOW=1 at 15 moments over the run
    import simrisk

    draws, chunk = 20_000, 1_000
    moments = [(3, 0.0)] if not SLOW else [(c, 0.0) for c in range(1, 20, 2)]
    if SLOW:  # and once the result is in place, while the summary is computed
        moments += [(10**9, w) for w in (0.0, 0.05, 0.2, 0.5, 1.0)]
    clean = tmp_path / "clean.nc"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", ENV["SOURCE_DATE_EPOCH"])
    simrisk.run(CONFIG, draws=draws, seed=9, chunk_size=chunk, out=clean).close()
    killed = resumed = 0
    for k, (chunks, wait) in enumerate(moments):
        folder = tmp_path / f"m{k}"
        folder.mkdir()
        killed += _kill_after(_argv(folder, draws, chunk), folder, chunks, wait)
        saved = _chunks_saved(folder)
        again = subprocess.run(
            _argv(folder, draws, chunk), cwd=folder, env=ENV, capture_output=True, text=True
        )
        assert again.returncode == 0, again.stderr
        assert "Traceback" not in again.stderr
        if chunks < 10**9 and saved:  # killed between chunks: every saved chunk is resumed
            assert f"resumed {saved * chunk:,} of {draws:,} draws" in again.stderr, again.stderr
            resumed += 1
        # killed once the result was written, while the checkpoint was being removed: what
        # is left of it is resumed, or discarded with a note (no identity), or has lost its
        # first chunks (resumes nothing); the result is the same in every case
        assert sorted(p.name for p in folder.iterdir()) == ["r.nc"]
        _same_file(folder / "r.nc", clean)
    assert killed >= len(moments) - 1 and resumed >= 1
