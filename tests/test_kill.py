"""SIGKILL at any moment of a run, then the same command: it finishes and equals a clean run.

Issue 25: a kill -9 must never need a manual fix. Each case starts a real
``simrisk`` process, kills it with SIGKILL at one moment of its life, runs the
same command again, and checks that the rerun exits 0, that its result is the
uninterrupted run's (``SOURCE_DATE_EPOCH`` fixes the one timestamp), and that
nothing is left in the folder but the result.

Moments are spread over the whole life of a run: before the first chunk
(while Python imports and the config loads), while the partial file is being
created (its temporary file exists), just after, after each tenth of the
draws, once every draw is on disk (the final attributes and the rename), and
while the summary is computed after the rename. A moment is reached by
watching the folder every few milliseconds, so the kill lands there or just
after, on any machine load. The default run takes one moment per command
(a contract run creating its partial file, a portfolio run half-way, a
``design`` with half its candidates kept); ``SIMRISK_SLOW=1`` (marked slow)
takes 31 each, several at a time (``SIMRISK_KILL_WORKERS``, default 3: each
moment has its own folder, and a moment is found by watching that folder, so
running them side by side moves no kill off its moment).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import pytest
import xarray as xr

from tests.conftest import DSI_CONFIG, ROOT

PORTFOLIO = ROOT / "configs" / "regionh_ai_pool.toml"
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}
WORKERS = int(os.environ.get("SIMRISK_KILL_WORKERS", "3"))


def _each(check, moments, full: bool) -> int:
    """``check(k, moment)`` for every moment (side by side in the full form); kills counted."""
    if not full:
        return sum(check(k, m) for k, m in enumerate(moments))
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return sum(pool.map(check, range(len(moments)), moments))


def _done(folder: Path) -> int:
    """Leading draws on disk in the partial file (-1: none; 0 if unreadable now)."""
    found = sorted(folder.glob(".*.part.nc"))
    if not found:
        return -1
    try:
        with h5py.File(found[0], "r", locking=False) as f:
            return int(f.attrs["simrisk_partial_draws_done"])
    except Exception:
        return 0


def _creating(folder: Path) -> bool:
    return any(p.name.endswith(".part") for p in folder.iterdir())


def _moments(draws: int, full: bool) -> list[tuple[str, float]]:
    """(trigger, then wait seconds): where in a run's life to kill it."""
    if not full:
        return [("creating", 0.0)]  # the moment that once needed a manual fix
    moments = [("start", s) for s in (0.0, 0.3, 0.6, 1.0, 1.5, 2.5)]
    moments += [("creating", 0.0), ("creating", 0.002), ("creating", 0.01), ("created", 0.0)]
    moments += [("done", f * draws) for f in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)]
    moments += [("finishing", 0.0), ("finishing", 0.002), ("finishing", 0.01)]
    moments += [("finishing", 0.03), ("summary", 0.0), ("summary", 0.02), ("summary", 0.1)]
    moments += [("summary", 0.3), ("summary", 0.6), ("summary", 1.0), ("summary", 2.0)]
    return moments


def _reached(trigger: str, arg: float, folder: Path, out: Path, t0: float, draws: int) -> bool:
    if trigger == "start":
        return time.monotonic() - t0 >= arg
    if trigger == "creating":
        return _creating(folder) or _done(folder) >= 0 or out.exists()
    if trigger == "created":
        return _done(folder) >= 0 or out.exists()
    if trigger == "done":
        return _done(folder) >= arg or out.exists()
    if trigger == "finishing":
        return _done(folder) >= draws or out.exists()
    return out.exists()  # summary: the result is in place, the summary is being computed


def _kill_at(argv, folder: Path, out: Path, moment, draws: int, reached=None) -> bool:
    """Start ``argv`` in ``folder``, SIGKILL it at ``moment``; True if it was killed.

    ``reached(trigger, arg, folder, t0)`` says whether the moment has come
    (default: a run's moments, :func:`_reached`).
    """
    trigger, arg = moment
    proc = subprocess.Popen(
        argv, cwd=folder, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    t0 = time.monotonic()
    try:
        while proc.poll() is None:
            if reached is not None:
                now, wait = reached(trigger, arg, folder, t0), 0.0
            else:
                now = _reached(trigger, arg, folder, out, t0, draws)
                wait = arg if trigger in ("creating", "finishing", "summary") else 0.0
            if now:
                if wait:
                    time.sleep(wait)
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.001)
        proc.wait(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode == -signal.SIGKILL


def _same(a: Path, b: Path) -> None:
    with xr.open_dataset(a, engine="h5netcdf") as x, xr.open_dataset(b, engine="h5netcdf") as y:
        assert set(x.variables) == set(y.variables)
        for name in x.variables:
            assert x[name].equals(y[name]), name
        assert x.identical(y)


def _kill_test(tmp_path: Path, argv_for, draws: int, full: bool, at=None) -> int:
    clean = tmp_path / "clean"
    clean.mkdir()
    done = subprocess.run(argv_for(clean), cwd=clean, env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    reference = clean / "r.nc"

    def check(k: int, moment) -> bool:
        folder = tmp_path / f"m{k}"
        folder.mkdir()
        out = folder / "r.nc"
        argv = argv_for(folder)
        killed = _kill_at(argv, folder, out, moment, draws)
        again = subprocess.run(argv, cwd=folder, env=ENV, capture_output=True, text=True)
        assert again.returncode == 0, (moment, again.stderr)
        assert "Traceback" not in again.stderr, (moment, again.stderr)
        assert sorted(p.name for p in folder.iterdir()) == ["r.nc"], moment
        _same(out, reference)
        shutil.rmtree(folder)
        return killed

    return _each(check, at or _moments(draws, full), full)


def _run_argv(config: Path, draws: int, chunk: int):
    def argv(folder: Path) -> list[str]:
        return [
            sys.executable, "-m", "simrisk", "run", str(config), "--draws", str(draws),
            "--seed", "9", "--chunk-size", str(chunk), "--out", str(folder / "r.nc"),
            "--quiet", "--json",
        ]  # fmt: skip

    return argv


@pytest.mark.slow(short=False)  # 31 kills and reruns each, 10-60 minutes: SIMRISK_SLOW=1
@pytest.mark.parametrize("config, draws, chunk", [(DSI_CONFIG, 60_000, 4096)])
def test_sigkill_at_thirty_moments_of_a_contract_run(tmp_path, config, draws, chunk):
    killed = _kill_test(tmp_path, _run_argv(config, draws, chunk), draws, full=True)
    assert killed >= 30 - 4  # a moment may come after the run ended on a fast machine


@pytest.mark.slow(short=False)  # 31 kills and reruns each, 10-60 minutes: SIMRISK_SLOW=1
def test_sigkill_at_thirty_moments_of_a_portfolio_run(tmp_path):
    draws = 8_000
    killed = _kill_test(tmp_path, _run_argv(PORTFOLIO, draws, 512), draws, full=True)
    assert killed >= 30 - 4


def test_sigkill_while_a_contract_run_creates_its_partial_file(tmp_path):
    draws = 24_000  # three chunks: the kill lands before the first
    killed = _kill_test(tmp_path, _run_argv(DSI_CONFIG, draws, 8192), draws, full=False)
    assert killed == 1


def test_sigkill_half_way_through_a_portfolio_run(tmp_path):
    draws = 4_000
    moment = [("done", 0.5 * draws)]
    killed = _kill_test(tmp_path, _run_argv(PORTFOLIO, draws, 1024), draws, full=False, at=moment)
    assert killed == 1


def _design_argv(folder: Path) -> list[str]:
    return [
        sys.executable, "-m", "simrisk", "design", str(DSI_CONFIG),
        "--target", "p_npv_negative<=0.49", "-o", str(folder / "best.toml"),
        "--out", str(folder / "r.nc"), "--draws", "400", "--candidates", "4",
        "--rescore-draws", "400", "--seed", "4", "--quiet", "--json",
    ]  # fmt: skip


#: the candidates design scores with the argv above: today's terms, 4 Sobol points and the
#: config's 16 refining points, each kept as ``.best.toml.design.keep.<stage>-<id>/task-*.npz``
DESIGN_TASKS = 1 + 4 + 16


def _design_kept(folder: Path) -> int:
    return len(list(folder.glob(".best.toml.design.keep.*-*/task-*.npz")))


def _design_reached(trigger: str, arg: float, folder: Path, t0: float) -> bool:
    """Whether a ``design`` run in ``folder`` has reached the moment ``(trigger, arg)``."""
    if trigger == "start":  # imports, the config, the first candidate's simulation
        return time.monotonic() - t0 >= arg
    done = (folder / "best.toml").exists()
    if trigger == "store":  # the first store's folder and identity are being made
        return bool(list(folder.glob(".best.toml.design.keep.*"))) or done
    if trigger == "kept":  # ``arg`` candidates kept (the last: the re-score begins)
        return _design_kept(folder) >= arg or (folder / "r.nc").exists() or done
    if trigger == "rescore":  # every candidate kept, ``arg`` seconds into the re-score
        if _design_kept(folder) < DESIGN_TASKS and not (folder / "r.nc").exists():
            return False
        time.sleep(arg)
        return True
    if trigger == "writing":  # the output ``arg`` (r.nc, best.toml) is in its temporary file
        name = {0: "r.nc", 1: "best.toml"}[int(arg)]
        later = (folder / "best.toml") if int(arg) == 0 else None
        return (
            any(folder.glob(f".{name}.*.part"))
            or (folder / name).exists()
            or (later is not None and later.exists())
        )
    if trigger == "written":  # the output is in place (best.toml: the stores are removed next)
        name = {0: "r.nc", 1: "best.toml"}[int(arg)]
        return (folder / name).exists()
    raise AssertionError(trigger)


def _design_moments(full: bool) -> list[tuple[str, float]]:
    """Where in a design's life to kill it: by what is in its folder, not by the clock."""
    if not full:
        return [("kept", DESIGN_TASKS // 2)]  # half the candidates kept
    moments = [("start", s) for s in (0.0, 0.4, 1.0)] + [("store", 0)]
    moments += [("kept", n) for n in range(1, DESIGN_TASKS + 1)]
    moments += [("rescore", s) for s in (0.01, 0.05)]
    moments += [("writing", 0), ("written", 0), ("writing", 1), ("written", 1)]
    return moments


def _design_kill_test(tmp_path: Path, moments, full: bool = False) -> int:
    """Killed at any moment, the same ``design`` finishes, reusing the candidates it kept."""
    clean = tmp_path / "clean"
    clean.mkdir()
    done = subprocess.run(_design_argv(clean), cwd=clean, env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

    def check(k: int, moment) -> bool:
        folder = tmp_path / f"m{k}"
        folder.mkdir()
        argv = _design_argv(folder)
        killed = _kill_at(argv, folder, folder / "r.nc", moment, 0, reached=_design_reached)
        # what a rerun can reuse: the tasks of each store whose identity is whole
        stores = [
            d for d in folder.glob(".best.toml.design.keep.*-*") if (d / "identity.json").exists()
        ]
        kept = sum(len(list(d.glob("task-*.npz"))) for d in stores)
        again = subprocess.run(argv, cwd=folder, env=ENV, capture_output=True, text=True)
        assert again.returncode == 0, (moment, again.stderr)
        assert "Traceback" not in again.stderr, (moment, again.stderr)
        if kept:  # what the killed run scored is not scored again
            assert f"reused {kept:,} candidates" in again.stderr, (moment, kept, again.stderr)
        assert sorted(p.name for p in folder.iterdir()) == ["best.toml", "r.nc"], moment
        assert (folder / "best.toml").read_text() == (clean / "best.toml").read_text()
        assert again.stdout == done.stdout, moment
        with (
            xr.open_dataset(folder / "r.nc", engine="h5netcdf") as x,
            xr.open_dataset(clean / "r.nc", engine="h5netcdf") as y,
        ):
            x.attrs.pop("created_at")  # design's file is stamped with the time it is written
            y.attrs.pop("created_at")
            assert x.identical(y), moment
        shutil.rmtree(folder)
        return killed

    return _each(check, moments, full)


@pytest.mark.slow(short=False)  # 31 kills and reruns, 5-15 minutes: SIMRISK_SLOW=1
def test_sigkill_at_thirty_moments_of_design(tmp_path):
    moments = _design_moments(full=True)
    assert len(moments) >= 31
    killed = _design_kill_test(tmp_path, moments, full=True)
    print(f"design: {killed} of {len(moments)} kills hit a live process")
    assert killed >= len(moments) - 4


def test_sigkill_half_way_through_design(tmp_path):
    assert _design_kill_test(tmp_path, _design_moments(full=False)) == 1
