"""Interruptions, leftovers and competing writers (issue 16), with real processes.

A contract run streams its result to a partial file named by the run's
identity (``.<out>.<digest>.part.nc``, issue 15), which records how many
leading draws are complete and is the checkpoint: a run stopped by any
signal, SIGKILL included, loses at most the chunk in progress; the rerun
resumes and its file holds the same Dataset as an uninterrupted run's
(``SOURCE_DATE_EPOCH`` fixes the one timestamp; the bytes may differ).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

from simrisk.cli import main
from tests.conftest import interrupt_after

from .conftest import DSI_CONFIG

CHUNK = 8192
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}


def _argv(out: Path, draws: int, seed: int = 3) -> list[str]:
    return [
        sys.executable, "-m", "simrisk", "run", str(DSI_CONFIG), "--draws", str(draws),
        "--seed", str(seed), "--chunk-size", str(CHUNK), "--out", str(out), "--quiet", "--json",
    ]  # fmt: skip


def _default_stop_signals() -> None:
    """In the child: SIGHUP, SIGTERM and SIGINT as a fresh shell leaves them, whatever the test
    runner inherited (under ``nohup`` SIGHUP is ignored, and an ignored signal stays ignored
    in a child, so the run would not see the hangup the test sends)."""
    for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)


def _start(out: Path, draws: int, seed: int = 3) -> subprocess.Popen:
    return subprocess.Popen(
        _argv(out, draws, seed),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        preexec_fn=_default_stop_signals,
    )


def _run(out: Path, draws: int, seed: int = 3) -> subprocess.CompletedProcess:
    return subprocess.run(
        _argv(out, draws, seed), capture_output=True, text=True, env=ENV, timeout=600
    )


def _partials(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.part.nc"))


def _saved(folder: Path) -> int:
    """Leading draws complete in the partial file in ``folder`` (0 if none or unreadable).

    The running writer holds the file, so it is read without HDF5's file lock;
    a read that meets a write in progress counts as 0 and the caller asks again.
    """
    found = _partials(folder)
    if not found:
        return 0
    try:
        with h5py.File(found[0], "r", locking=False) as f:
            return int(f.attrs["simrisk_partial_draws_done"])
    except Exception:
        return 0


def _same_result(a: Path, b: Path) -> None:
    with xr.open_dataset(a, engine="h5netcdf") as x, xr.open_dataset(b, engine="h5netcdf") as y:
        assert set(x.variables) == set(y.variables)
        for name in x.variables:
            assert x[name].equals(y[name]), name
        assert x.identical(y)


def _wait_for(cond, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    t0 = time.monotonic()
    while not cond():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended first: {proc.communicate()}")
        if time.monotonic() - t0 > timeout:
            proc.kill()
            raise AssertionError("timed out")
        time.sleep(0.02)


def _parts(folder: Path) -> list[Path]:
    """Temporary files of a write (not the partial file, which is the checkpoint)."""
    return [p for p in folder.iterdir() if p.name.endswith(".part")]


def test_sigkill_part_way_then_rerun_is_identical(tmp_path):
    """Must show (issue 16): SIGKILL, rerun, same result, at most one chunk recomputed."""
    draws = 80_000  # ten chunks: the kill after two leaves eight to resume
    out = tmp_path / "r.nc"
    proc = _start(out, draws)
    # chunks of 4,096, 4,096 (to the chunk boundary), then CHUNK: wait for three on disk
    _wait_for(lambda: _saved(tmp_path) >= 2 * CHUNK, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists() and len(_partials(tmp_path)) == 1
    on_disk = _saved(tmp_path)
    # whole chunks from draw 0, ending on multiples of CHUNK
    assert 0 < on_disk < draws and on_disk % CHUNK == 0

    resumed = _run(out, draws)
    assert resumed.returncode == 0, resumed.stderr
    m = re.search(r"resumed ([\d,]+) of ([\d,]+) draws", resumed.stderr)
    assert m, resumed.stderr
    n_resumed = int(m.group(1).replace(",", ""))
    # Every draw the killed run had saved is used; what it lost is what it had not
    # saved: the chunk in progress, at most CHUNK draws.
    assert n_resumed == on_disk
    assert f"simulated {draws - on_disk:,}" in resumed.stderr
    assert not _partials(tmp_path), "partial file not renamed into place"
    assert not list(tmp_path.glob(".*.lock")), "lock not released"

    whole = _run(tmp_path / "whole.nc", draws)
    assert whole.returncode == 0, whole.stderr
    assert "resumed" not in whole.stderr
    _same_result(out, tmp_path / "whole.nc")
    assert resumed.stdout == whole.stdout  # the same summary


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_stop_like_ctrl_c(sig, status, tmp_path):
    out = tmp_path / "r.nc"
    proc = _start(out, 400_000)
    _wait_for(lambda: _saved(tmp_path) >= CHUNK, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == status, err
    assert "Traceback" not in err
    assert "run the same command to resume" in err
    saved = int(re.search(r"([\d,]+) of 400,000 draws are saved", err).group(1).replace(",", ""))
    (part,) = _partials(tmp_path)
    assert f"saved in {part}" in err
    assert saved == _saved(tmp_path) >= CHUNK
    assert not out.exists() and not _parts(tmp_path)
    assert not list(tmp_path.glob(".*.lock"))


def test_signals_mid_run_stop_cleanly_and_leftovers_are_removed(tmp_path):
    out = tmp_path / "r.nc"
    draws = 100_000  # twelve chunks: each signal lands after one more is saved
    # Ctrl-C while chunks are being written: exit 130, no output, the partial file kept.
    proc = _start(out, draws)
    _wait_for(lambda: _saved(tmp_path) > 0, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "run the same command to resume" in err and "Traceback" not in err
    assert not out.exists() and not _parts(tmp_path)
    (part,) = _partials(tmp_path)
    ctrl_c = _saved(tmp_path)
    # SIGKILL leaves the partial file (and the lock of a dead pid) ...
    proc = _start(out, draws)
    _wait_for(lambda: _saved(tmp_path) > ctrl_c, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert _partials(tmp_path) == [part]
    assert list(tmp_path.glob(".r.nc.lock"))  # a stale lock of a dead pid
    # ... and a write killed half-way leaves a file HDF5 cannot open, and maybe the
    # temporary file of a killed creation: the next run removes both, and says so.
    part.write_bytes(part.read_bytes()[:4096])
    left = tmp_path / f".r.nc.{_dead_pid()}.0123abcd.part"
    left.write_bytes(b"half a file")
    done = _run(out, draws)
    assert done.returncode == 0, done.stderr
    assert f"removed {left}" in done.stderr
    assert f"discarded {part}: HDF5 cannot open it" in done.stderr
    assert "resumed" not in done.stderr
    assert out.is_file() and not _parts(tmp_path) and not _partials(tmp_path)
    assert not list(tmp_path.glob(".r.nc.lock"))


def test_a_second_writer_of_the_same_out_is_refused(tmp_path):
    out = tmp_path / "r.nc"
    first = _start(out, 2_000_000, seed=1)
    try:
        _wait_for(lambda: (tmp_path / ".r.nc.lock").exists(), first)
        second = _run(out, 2000, seed=2)
        assert second.returncode == 2, second.stderr
        assert f"another simrisk process (pid {first.pid})" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=120)
    assert first.returncode == 143


# ---------------------------------------------------------------------------
# In-process: locks, checkpoints, memory, read-only folders
# ---------------------------------------------------------------------------


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_stale_lock_is_taken_over_and_a_live_one_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.nc"
    lock = tmp_path / ".r.nc.lock"
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock.write_text(f"{live.pid}\n")
        argv = ["run", str(DSI_CONFIG), "--draws", "1000", "--out", str(out), "--quiet"]
        assert main(argv) == 2
        assert f"pid {live.pid}" in capsys.readouterr().err
        assert not out.exists() and lock.read_text() == f"{live.pid}\n"
    finally:
        live.kill()
        live.wait()
    lock.write_text(f"{_dead_pid()}\n")
    assert main(argv) == 0
    assert out.is_file() and not lock.exists()


def test_resume_with_another_chunk_size_is_identical(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    base = ["run", str(DSI_CONFIG), "--draws", "5000", "--seed", "8", "--quiet"]
    with monkeypatch.context() as m:
        interrupt_after(m, 3)
        assert main([*base, "--chunk-size", "700", "--out", "r.nc"]) == 130
    err = capsys.readouterr().err
    assert "2,100 of 5,000 draws are saved" in err  # 3 chunks of 700
    assert main([*base, "--chunk-size", "1500", "--out", "r.nc"]) == 0
    assert "resumed 2,100 of 5,000 draws" in capsys.readouterr().err
    # the file records the chunk size it was asked for (1,500), so the whole run asks too
    assert main([*base, "--chunk-size", "1500", "--out", "whole.nc"]) == 0
    _same_result(Path("r.nc"), Path("whole.nc"))


def test_two_runs_never_share_a_checkpoint(tmp_path):
    from simrisk.core.driver import Checkpoint

    ident = {"config_sha256": "x", "seed": 1, "draws": 10, "fixed_parameters": False}
    a = Checkpoint(tmp_path / ".r.nc.checkpoint", ident)
    b = Checkpoint(tmp_path / ".r.nc.checkpoint", {**ident, "seed": 2})
    c = Checkpoint(tmp_path / ".r.nc.checkpoint", {**ident, "draws": 11})
    assert len({a.path, b.path, c.path}) == 3
    out = {"x": np.arange(10.0)}
    a.save_chunk(out, 0, 4)
    got = {"x": np.zeros(10)}
    assert Checkpoint(tmp_path / ".r.nc.checkpoint", ident).resume(got) == 4
    assert (got["x"][:4] == np.arange(4.0)).all()
    assert b.resume({"x": np.zeros(10)}) == 0


def test_two_runs_never_share_a_partial_file(tmp_path):
    from simrisk.core.dataset import PartialFile

    ident = {"config_sha256": "x", "seed": 1, "draws": 10, "fixed_parameters": False}
    template = xr.Dataset({"x": (("draw",), np.zeros(0))})
    paths = {
        PartialFile(tmp_path / "r.nc", template, 10, i).path
        for i in (ident, {**ident, "seed": 2}, {**ident, "draws": 11}, dict(ident))
    }
    assert len(paths) == 3


def _interrupted_partial(monkeypatch, capsys, argv) -> Path:
    with monkeypatch.context() as m:
        interrupt_after(m, 2)
        assert main(argv) == 130
    capsys.readouterr()
    (part,) = _partials(Path("."))
    return part.resolve()


def test_a_partial_file_of_another_run_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    base = ["run", str(DSI_CONFIG), "--draws", "3000", "--seed", "8", "--quiet"]
    argv = [*base, "--chunk-size", "500", "--out", "r.nc"]
    part = _interrupted_partial(monkeypatch, capsys, argv)
    with h5py.File(part, "r+") as f:
        f.attrs["simrisk_partial_identity"] = '{"seed": 1}'
    before = sorted((p.name, p.stat().st_size) for p in tmp_path.rglob("*"))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "--restart" in err and part.name in err
    assert len(err.strip().splitlines()) == 1
    assert sorted((p.name, p.stat().st_size) for p in tmp_path.rglob("*")) == before
    assert main([*argv, "--restart"]) == 0
    assert not _partials(tmp_path) and Path("r.nc").is_file()


@pytest.mark.parametrize("damage", ["no identity", "no draws done", "no variable"])
def test_a_half_made_partial_file_is_discarded_and_the_run_starts_over(
    damage, tmp_path, monkeypatch, capsys
):
    """Issue 25: an interrupted first write is not a foreign run; no manual fix is needed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", ENV["SOURCE_DATE_EPOCH"])
    base = ["run", str(DSI_CONFIG), "--draws", "3000", "--seed", "8", "--quiet"]
    base += ["--chunk-size", "500"]
    argv = [*base, "--out", "r.nc"]
    assert main([*base, "--out", "clean.nc"]) == 0
    part = _interrupted_partial(monkeypatch, capsys, argv)
    with h5py.File(part, "r+") as f:
        if damage == "no identity":
            del f.attrs["simrisk_partial_identity"]
        elif damage == "no draws done":
            del f.attrs["simrisk_partial_draws_done"]
        else:
            del f["npv"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if "discarded" in line]
    assert len(notes) == 1 and part.name in notes[0] and "starting again" in notes[0], err
    assert "resumed" not in err
    assert not _partials(tmp_path)
    _same_result(tmp_path / "r.nc", tmp_path / "clean.nc")


def test_too_many_draws_for_memory_are_refused_before_allocating(monkeypatch, tmp_path, capsys):
    import simrisk.core.memory as memory

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(memory, "memory_limits", lambda: {"MemAvailable": 2**30})  # 1 GiB
    # held in memory only without an output file (a file is streamed; see test_stream.py)
    argv = ["run", str(DSI_CONFIG), "--draws", "20000000", "--out", "-", "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--draws 20,000,000: needs about" in err and "1.0 GiB is available" in err
    most = int(re.search(r"at most about ([\d,]+) draws", err).group(1).replace(",", ""))
    assert 100_000 < most < 20_000_000
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def immutable_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("chattr is not available")
    if subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not permitted here")
    yield folder
    subprocess.run([chattr, "-i", str(folder)], check=True)


@pytest.mark.parametrize("command", ["run", "wellby", "report"])
def test_an_unwritable_folder_is_refused_before_simulating(
    command, immutable_folder, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    wellby = DSI_CONFIG.parent / "opi_aims_wellby.toml"
    target = immutable_folder / "x.pdf"
    argv = {
        "run": ["run", str(DSI_CONFIG), "--draws", "2000000", "--out", str(target)],
        "wellby": ["wellby", str(wellby), "--out", str(target)],
        "report": ["report", "missing.nc", "-o", str(target)],
    }[command]
    import simrisk.kinds.contract.kind as contract
    import simrisk.kinds.wellby.kind as wellby_kind

    def never(*args, **kwargs):
        raise AssertionError("simulated before checking the output folder")

    monkeypatch.setattr(contract, "simulate", never)
    monkeypatch.setattr(wellby_kind, "simulate", never)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"cannot write in folder {immutable_folder}" in err and "Traceback" not in err


@pytest.mark.parametrize(("seconds_per_draw", "later"), [(0.0, 5000), (1.0, 10), (0.5, 20)])
def test_chunks_shrink_so_one_takes_at_most_ten_seconds(seconds_per_draw, later, monkeypatch):
    """A chunk of work is what an interruption can lose: the driver keeps it under 10 s."""
    import simrisk.core.driver as driver

    now = [0.0]
    monkeypatch.setattr(driver, "_clock", lambda: now[0])
    sizes = []

    def fill(draw0, n, views):
        sizes.append(n)
        views["x"][:] = np.arange(draw0, draw0 + n)
        now[0] += seconds_per_draw * n  # a machine this slow

    out = {"x": np.zeros(30_000)}
    spec = driver.RunSpec(draws=30_000, seed=0, chunk_size=5000)
    driver.run_chunks(fill, out, spec)
    assert (out["x"] == np.arange(30_000)).all()
    assert sizes[0] == min(5000, driver.FIRST_CHUNK)
    assert driver.CHUNK_SECONDS == 10.0
    assert max(sizes[1:-1]) == min(sizes[1:-1]) == later  # 10 s / (s per draw), at most 5,000


def test_an_ignored_sighup_stays_ignored(tmp_path):
    """Under nohup (SIGHUP ignored) a hangup must not stop the run."""
    out = tmp_path / "r.nc"
    proc = subprocess.Popen(
        ["nohup", *_argv(out, 60_000)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=tmp_path,
    )
    _wait_for(lambda: _saved(tmp_path) > 0, proc)
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert out.is_file()
