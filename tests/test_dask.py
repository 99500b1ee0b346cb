"""Chunks as tasks on dask.distributed: bit-identical to a threaded run (issue 15)."""

from __future__ import annotations

import time

import numpy as np
import pytest
import xarray as xr

from simrisk.core.driver import Checkpoint, RunSpec
from simrisk.kinds.contract.inputs import build_inputs
from simrisk.kinds.contract.simulate import simulate, simulate_arrays
from tests.conftest import DSI_CONFIG, eventually, run_cli

distributed = pytest.importorskip("distributed")


def _same(a: xr.Dataset, b: xr.Dataset) -> None:
    assert set(a.variables) == set(b.variables)
    for name in a.variables:
        assert a[name].dtype == b[name].dtype, name
        assert a[name].equals(b[name]), name


def test_a_run_on_two_dask_workers_equals_a_threaded_run(dsi_scenario, backend):
    local = simulate(dsi_scenario, draws=3000, seed=11, chunk_size=1000)
    remote = simulate(dsi_scenario, draws=3000, seed=11, chunk_size=450, backend=backend)
    assert backend.workers == 2
    _same(local, remote)
    # Every finished future was released: the client holds none.
    assert eventually(lambda: not backend.client.futures)


def test_a_dask_run_resumes_a_checkpoint_bit_identically(dsi_scenario, backend, tmp_path):
    inp = build_inputs(dsi_scenario)
    spec = RunSpec(draws=2000, seed=4, chunk_size=500)
    local = simulate_arrays(inp, spec)
    ck = Checkpoint(tmp_path / "ck", identity={"run": 1})
    ck.save_chunk(local, 0, 700)  # as if a run had stopped after 700 draws
    ck2 = Checkpoint(tmp_path / "ck", identity={"run": 1})
    resumed = simulate_arrays(inp, spec, checkpoint=ck2, backend=backend)
    assert ck2.resumed_from == 700
    for k, v in local.items():
        np.testing.assert_array_equal(resumed[k], v, err_msg=k)
        assert resumed[k].dtype == v.dtype


def _template():
    return {"x": ((), "<f8")}


def test_closing_the_stream_cancels_the_tasks_in_flight(backend, tmp_path):
    started = tmp_path / "started"
    started.mkdir()

    def slow(draw0, n, views):
        (started / str(draw0)).touch()
        time.sleep(0.5)
        views["x"][...] = draw0 + np.arange(n)

    chunks = [(d, 10) for d in range(0, 200, 10)]
    stream = backend.run(slow, _template(), chunks)
    draw0, n, arrays = next(stream)
    assert (draw0, n) == (0, 10)
    np.testing.assert_array_equal(arrays["x"], np.arange(10))
    stream.close()  # what Ctrl-C in the driver's loop does (contextlib.closing)
    assert eventually(lambda: not backend.client.futures)
    # Nothing is left running on the cluster.
    assert eventually(lambda: not any(backend.client.processing().values()))
    # Only the window's tasks were ever submitted, and none starts later.
    time.sleep(1.0)
    assert 1 <= len(list(started.iterdir())) <= 1 + backend.window < len(chunks)


def test_results_come_back_in_draw_order_and_a_failing_task_stops_the_run(backend):
    def fill(draw0, n, views):
        if draw0 == 50:
            raise ValueError("chunk 50 fails")
        time.sleep(0.05 if draw0 % 20 else 0.3)  # later chunks finish first
        views["x"][...] = draw0 + np.arange(n)

    chunks = [(d, 10) for d in range(0, 100, 10)]
    got = []
    with pytest.raises(ValueError, match="chunk 50 fails"):
        for draw0, _, arrays in backend.run(fill, _template(), chunks):
            got.append(draw0)
            np.testing.assert_array_equal(arrays["x"], draw0 + np.arange(10))
    assert got == [0, 10, 20, 30, 40]
    assert eventually(lambda: not backend.client.futures)


def test_cli_workers_equals_a_threaded_run(tmp_path):
    base = ["run", DSI_CONFIG, "--draws", "2500", "--seed", "3", "--quiet"]
    a = run_cli(*base, "--out", tmp_path / "a.nc", "--workers", "2")
    assert a.returncode == 0, a.stderr
    b = run_cli(*base, "--out", tmp_path / "b.nc")
    assert b.returncode == 0, b.stderr
    with xr.open_dataset(tmp_path / "a.nc") as da, xr.open_dataset(tmp_path / "b.nc") as db:
        _same(da.load(), db.load())


def test_cli_refuses_workers_for_other_kinds_and_with_until():
    wellby = DSI_CONFIG.with_name("opi_aims_wellby.toml")
    r = run_cli("run", wellby, "--workers", "2", "--out", "-")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"simrisk run: error: --workers: only for a contract config; {wellby} is a wellby"
    ]
    r = run_cli("run", DSI_CONFIG, "--workers", "2", "--until", "npv.mean:se<1000", "--out", "-")
    assert r.returncode == 2
    assert "--workers: cannot be combined with --until" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_streamed_run_on_dask_writes_the_same_file(dsi_scenario, backend, tmp_path):
    from simrisk.kinds.contract.simulate import simulate_to_file

    options = {"draws": 3000, "seed": 11, "created_at": "2025-11-24T16:00:00+00:00"}
    simulate_to_file(dsi_scenario, tmp_path / "local.nc", chunk_size=700, **options)
    dask_out = tmp_path / "dask.nc"
    simulate_to_file(dsi_scenario, dask_out, chunk_size=700, backend=backend, **options)
    local = xr.open_dataset(tmp_path / "local.nc", engine="h5netcdf")
    remote = xr.open_dataset(tmp_path / "dask.nc", engine="h5netcdf")
    with local, remote:
        _same(local, remote)
        assert local.identical(remote)
    assert eventually(lambda: not backend.client.futures)


def test_a_dask_run_resumes_a_partial_file(dsi_scenario, backend, tmp_path, monkeypatch):
    import simrisk.kinds.contract.simulate as engine
    from simrisk.kinds.contract.simulate import simulate_to_file

    options = {"draws": 3000, "seed": 4, "chunk_size": 500, "created_at": "2025-11-24T16:00:00"}
    real = engine.make_fill

    def stopping(inp, spec):
        fill = real(inp, spec)

        def once(draw0, n, views):
            if draw0 >= 1000:
                raise KeyboardInterrupt
            fill(draw0, n, views)

        return once

    with monkeypatch.context() as m:
        m.setattr(engine, "make_fill", stopping)
        with pytest.raises(KeyboardInterrupt):
            simulate_to_file(dsi_scenario, tmp_path / "r.nc", **options)
    writer = simulate_to_file(dsi_scenario, tmp_path / "r.nc", backend=backend, **options)
    assert writer.resumed_from == 1000
    simulate_to_file(dsi_scenario, tmp_path / "whole.nc", **options)
    a = xr.open_dataset(tmp_path / "r.nc", engine="h5netcdf")
    b = xr.open_dataset(tmp_path / "whole.nc", engine="h5netcdf")
    with a, b:
        _same(a, b)


def test_a_local_cluster_needs_no_free_well_known_port():
    # Port 8787 taken (another cluster, a notebook's dashboard, a second test worker):
    # the scheduler's HTTP server must not try it, or dask warns (an error in this suite).
    import socket

    from simrisk.core.backends import local_cluster

    held = socket.socket()
    try:
        held.bind(("127.0.0.1", 8787))
        held.listen()
    except OSError:
        pass  # someone else holds it: the same test
    try:
        with local_cluster(1) as cluster:
            assert cluster.scheduler.http_server.port != 8787
    finally:
        held.close()
