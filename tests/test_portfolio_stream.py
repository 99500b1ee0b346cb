"""The portfolio kind on the core: extends, streamed runs, checkpoints and resume, memory check.

A portfolio run with an output file streams it a chunk at a time through
the core's driver, like a contract run; the partial file is the checkpoint.
"""

from __future__ import annotations

import re
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

from simrisk.cli import main
from simrisk.core.dataset import write_netcdf
from simrisk.kinds.portfolio import load_portfolio
from tests.conftest import ROOT

CONFIG = ROOT / "configs" / "regionh_ai_pool.toml"
EPOCH = "1764000000"


def _same_result(a: Path, b: Path) -> None:
    with xr.open_dataset(a, engine="h5netcdf") as x, xr.open_dataset(b, engine="h5netcdf") as y:
        assert set(x.variables) == set(y.variables)
        for name in x.variables:
            assert x[name].dtype == y[name].dtype, name
            assert x[name].equals(y[name]), name
        assert x.identical(y)


def _interrupt_portfolio_after(monkeypatch, chunks: int) -> None:
    """Make the portfolio's fill raise KeyboardInterrupt in chunk number ``chunks + 1``."""
    import simrisk.kinds.portfolio.simulate as sim

    real = sim.make_fill
    seen = {"n": 0}

    def make_fill(inp, seed):
        fill = real(inp, seed)

        def counting(draw0, n, views):
            seen["n"] += 1
            if seen["n"] > chunks:
                raise KeyboardInterrupt
            fill(draw0, n, views)

        return counting

    monkeypatch.setattr(sim, "make_fill", make_fill)


def test_a_two_line_child_config_extends_the_shipped_one(tmp_path, capsys):
    """Issue 20: ``extends`` works for the portfolio kind (it was refused with nine errors)."""
    import shutil

    shutil.copy(CONFIG, tmp_path / "regionh_ai_pool.toml")
    child = tmp_path / "child.toml"
    child.write_text('extends = "regionh_ai_pool.toml"\nsimulation.seed = 7\n', encoding="utf-8")
    base, _ = load_portfolio(CONFIG)
    cfg, text = load_portfolio(child)
    assert cfg.simulation.seed == 7 and base.simulation.seed != 7
    assert cfg.model_copy(update={"simulation": base.simulation}) == base
    assert "extends" in text  # both files' text is kept for provenance
    out = tmp_path / "r.nc"
    assert main(["run", str(child), "--draws", "600", "--out", str(out), "--quiet"]) == 0
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert int(ds.attrs["seed"]) == 7 and ds.sizes["draw"] == 600
    capsys.readouterr()


def test_a_streamed_run_equals_one_held_in_memory(tmp_path, monkeypatch, capsys):
    """``run --out`` streams in chunks (here of 700 draws); the file is the in-memory run's."""
    from simrisk.kinds.portfolio.simulate import simulate

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "s.nc"
    argv = ["run", str(CONFIG), "--draws", "3000", "--seed", "4", "--chunk-size", "700"]
    assert main([*argv, "--out", str(out), "--quiet", "--json"]) == 0
    capsys.readouterr()
    with h5py.File(out, "r") as f:  # HDF5 chunks of chunk_size draws: it was streamed
        assert f["npv"].chunks[0] == 700
    cfg, text = load_portfolio(CONFIG)
    ds = simulate(cfg, draws=3000, seed=4, chunk_size=700, config_text=text)
    ds.attrs["created_at"] = "2025-11-24T16:00:00+00:00"  # SOURCE_DATE_EPOCH's time
    write_netcdf(ds, tmp_path / "m.nc")
    _same_result(out, tmp_path / "m.nc")


def test_an_interrupted_run_resumes_and_equals_a_clean_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(tmp_path)
    argv = ["run", str(CONFIG), "--draws", "2500", "--seed", "5", "--quiet", "--json"]
    argv += ["--chunk-size", "500"]
    assert main([*argv, "--out", "clean.nc"]) == 0
    with monkeypatch.context() as m:
        _interrupt_portfolio_after(m, 2)
        assert main([*argv, "--out", "r.nc"]) == 130
    err = capsys.readouterr().err
    assert "draws are saved in" in err and not Path("r.nc").exists()
    (part,) = tmp_path.glob(".r.nc.*.part.nc")
    with h5py.File(part, "r") as f:
        assert int(f.attrs["simrisk_partial_draws_done"]) > 0
    assert main([*argv, "--out", "r.nc"]) == 0
    err = capsys.readouterr().err
    m = re.search(r"resumed ([\d,]+) of 2,500 draws", err)
    assert m and int(m.group(1).replace(",", "")) > 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.nc", "r.nc"]
    _same_result(tmp_path / "r.nc", tmp_path / "clean.nc")


def test_the_in_memory_run_keeps_a_checkpoint_and_resumes(tmp_path):
    """The library's in-memory run resumes from its checkpoint folder, bit for bit."""
    import simrisk.kinds.portfolio.simulate as sim
    from simrisk.core.driver import checkpoint_for

    cfg, _ = load_portfolio(CONFIG)
    prefix = tmp_path / ".r.nc.checkpoint"
    real = sim.make_fill

    def failing(inp, seed):
        fill, seen = real(inp, seed), {"n": 0}

        def f(draw0, n, views):
            seen["n"] += 1
            if seen["n"] > 2:
                raise KeyboardInterrupt
            fill(draw0, n, views)

        return f

    sim.make_fill = failing
    try:
        with pytest.raises(KeyboardInterrupt):
            sim.simulate(cfg, draws=2000, seed=3, chunk_size=400, checkpoint_path=prefix)
    finally:
        sim.make_fill = real
    saved = checkpoint_for(prefix).saved
    assert saved == 800
    ds = sim.simulate(cfg, draws=2000, seed=3, chunk_size=400, checkpoint_path=prefix)
    assert checkpoint_for(prefix).resumed_from == 800
    clean = sim.simulate(cfg, draws=2000, seed=3, chunk_size=400)
    for name in ds.data_vars:
        np.testing.assert_array_equal(ds[name].values, clean[name].values)


@pytest.mark.parametrize("out", ["r.nc", "-"])
def test_too_many_draws_are_refused_before_anything_runs(out, tmp_path, monkeypatch, capsys):
    """Issue 25: ``--draws 1,000,000,000`` was an ArrayMemoryError (59.6 GiB); now one line."""
    import simrisk.core.memory as memory

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(memory, "memory_limits", lambda: {"MemAvailable": 8 * 2**30})
    assert main(["run", str(CONFIG), "--draws", "1000000000", "--out", out]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "GiB of memory" in err, err
    assert "Traceback" not in err and "--draws 1,000,000,000" in err
    assert list(tmp_path.iterdir()) == []
