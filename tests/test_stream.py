"""Streaming a contract run to NetCDF a chunk at a time (issue 15, part 1).

The streamed file must open to the same Dataset as the in-memory run written
by ``write_netcdf``; the partial file is the checkpoint, and a resumed run
gives the same values as one that ran through.
"""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import xarray as xr

from simrisk.core.dataset import (
    DONE_ATTR,
    PartialFile,
    open_result,
    partial_files,
    partial_for,
    write_netcdf,
)
from simrisk.core.driver import RunSpec, stream_chunks
from simrisk.core.errors import SimriskError
from simrisk.kinds.contract.dataset import UNCOMPRESSED
from simrisk.kinds.contract.loader import load_scenario
from simrisk.kinds.contract.simulate import simulate, simulate_to_file
from tests.conftest import interrupt_after

from .conftest import DSI_CONFIG

WHEN = "2025-11-24T16:00:00+00:00"
#: encodings xarray decodes that must agree (chunk shapes may differ)
ENCODING_KEYS = ("dtype", "zlib", "shuffle", "complevel", "_FillValue", "coordinates")


@pytest.fixture(scope="module")
def dsi():
    return load_scenario(DSI_CONFIG)


def _open(path) -> xr.Dataset:
    return xr.open_dataset(path, engine="h5netcdf")


def _written_today(dsi, path, **options):
    scenario, text = dsi
    ds = simulate(scenario, config_text=text, **options)
    ds.attrs["created_at"] = WHEN
    write_netcdf(ds, path)
    return _open(path)


@pytest.mark.parametrize("chunk_size", [257, 1000, 3000, 5000])
def test_the_streamed_file_is_identical_to_the_in_memory_run_written(dsi, chunk_size, tmp_path):
    scenario, text = dsi
    options = {"draws": 3000, "seed": 5, "chunk_size": chunk_size}
    today = _written_today(dsi, tmp_path / "today.nc", **options)
    out = tmp_path / "streamed.nc"
    simulate_to_file(scenario, out, config_text=text, created_at=WHEN, **options)
    with _open(out) as streamed, today:
        assert streamed.identical(today)
        for name, v in today.variables.items():
            for key in ENCODING_KEYS:
                a, b = v.encoding.get(key), streamed[name].encoding.get(key)
                assert (a == b) or (a != a and b != b), (name, key, a, b)  # NaN fill values
        # a per-draw variable that compresses is compressed, in HDF5 chunks along draw
        succ = streamed["successes"].encoding
        assert succ["zlib"] and succ["shuffle"]
        assert succ["chunksizes"][0] == min(chunk_size, 3000)
        # those that barely compress are stored as they are (contract.dataset.UNCOMPRESSED)
        for name in UNCOMPRESSED:
            assert not streamed[name].encoding["zlib"], name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["streamed.nc", "today.nc"]


def test_an_interrupted_run_resumes_from_its_partial_file_with_the_same_values(
    dsi, monkeypatch, tmp_path
):
    scenario, text = dsi
    options = {"draws": 5000, "seed": 8, "config_text": text, "created_at": WHEN}
    out = tmp_path / "r.nc"
    with monkeypatch.context() as m:
        interrupt_after(m, 3)
        with pytest.raises(KeyboardInterrupt):
            simulate_to_file(scenario, out, chunk_size=700, **options)
    (part,) = partial_files(out)
    assert part.name.startswith(".r.nc.") and part.name.endswith(".part.nc")
    assert partial_for(out).done == 2100 and not out.exists()
    with h5py.File(part, "r") as f:
        assert int(f.attrs[DONE_ATTR]) == 2100  # 3 chunks of 700, flushed
    # resumed with another chunk size: the same values as a run that ran through
    writer = simulate_to_file(scenario, out, chunk_size=1500, **options)
    assert writer.resumed_from == 2100 and not partial_files(out)
    whole = tmp_path / "whole.nc"
    simulate_to_file(scenario, whole, chunk_size=1500, **options)
    with _open(out) as a, _open(whole) as b:
        assert set(a.variables) == set(b.variables)
        for name in a.variables:
            assert a[name].equals(b[name]), name
        assert a.identical(b)
        assert DONE_ATTR not in a.attrs


def test_a_partial_file_hdf5_cannot_open_is_discarded_with_a_note(dsi, monkeypatch, tmp_path):
    scenario, text = dsi
    options = {"draws": 3000, "seed": 2, "chunk_size": 500, "config_text": text}
    out = tmp_path / "r.nc"
    with monkeypatch.context() as m:
        interrupt_after(m, 2)
        with pytest.raises(KeyboardInterrupt):
            simulate_to_file(scenario, out, **options)
    (part,) = partial_files(out)
    part.write_bytes(part.read_bytes()[:2000])  # as if killed while HDF5 wrote
    writer = simulate_to_file(scenario, out, created_at=WHEN, **options)
    assert writer.resumed_from == 0
    (note,) = writer.notes
    assert f"discarded {part}" in note and "\n" not in note
    today = _written_today(dsi, tmp_path / "today.nc", draws=3000, seed=2, chunk_size=500)
    with _open(out) as a, today:
        assert a.identical(today)


def test_a_partial_file_of_another_run_is_refused(dsi, monkeypatch, tmp_path):
    scenario, text = dsi
    out = tmp_path / "r.nc"
    with monkeypatch.context() as m:
        interrupt_after(m, 1)
        with pytest.raises(KeyboardInterrupt):
            simulate_to_file(scenario, out, draws=2000, seed=1, chunk_size=500, config_text=text)
    (part,) = partial_files(out)
    with h5py.File(part, "r+") as f:
        f.attrs["simrisk_partial_identity"] = '{"seed": 99}'
    with pytest.raises(SimriskError, match=r"different run.*--restart"):
        simulate_to_file(scenario, out, draws=2000, seed=1, chunk_size=500, config_text=text)
    assert part.exists()


def test_writes_must_come_in_draw_order(tmp_path):
    template = xr.Dataset(
        {"x": (("draw",), np.zeros(0, np.float32), {"units": "1", "long_name": "x"})},
        coords={"draw": np.arange(0, dtype=np.int64)},
        attrs={"simrisk_kind": "simrisk.test"},
    )
    w = PartialFile(tmp_path / "t.nc", template, 10, {"run": 1})
    assert w.open() == 0
    with pytest.raises(ValueError, match="holds draws up to 0"):
        w.write(4, {"x": np.ones(3, np.float32)})
    w.write(0, {"x": np.arange(4, dtype=np.float32)})
    with pytest.raises(ValueError, match="run past 10"):
        w.write(4, {"x": np.ones(7, np.float32)})
    with pytest.raises(ValueError, match="holds 4 of 10"):
        w.finish()
    w.write(4, {"x": np.arange(4, 10, dtype=np.float32)})
    w.finish()
    with _open(tmp_path / "t.nc") as ds:
        np.testing.assert_array_equal(ds["x"].values, np.arange(10, dtype=np.float32))
        np.testing.assert_array_equal(ds["draw"].values, np.arange(10))


@pytest.mark.parametrize(("start", "chunk_size"), [(0, 1000), (0, 8192), (1234, 1000)])
def test_stream_chunks_hands_over_every_draw_once_in_order_on_chunk_boundaries(start, chunk_size):
    seen = []

    def fill(draw0, n, views):
        views["x"][:] = np.arange(draw0, draw0 + n)

    def sink(draw0, n, arrays):
        assert arrays["x"].shape == (n,)
        seen.append((draw0, n, arrays["x"].copy()))

    spec = RunSpec(draws=20_000, seed=0, chunk_size=chunk_size)
    stream_chunks(fill, {"x": ((), "<i8")}, spec, sink, start=start)
    assert [d for d, _, _ in seen] == [start] + [d + n for d, n, _ in seen[:-1]]
    got = np.concatenate([x for _, _, x in seen])
    np.testing.assert_array_equal(got, np.arange(start, 20_000))
    # after the first chunk, full chunks end on multiples of chunk_size (whole HDF5 chunks)
    assert all((d + n) % chunk_size == 0 for d, n, _ in seen[1:-1])
    assert max(n for _, n, _ in seen) <= chunk_size


def test_open_result_lazy_reads_nothing_until_asked(dsi, tmp_path):
    scenario, text = dsi
    out = tmp_path / "r.nc"
    simulate_to_file(scenario, out, draws=2000, seed=1, config_text=text)
    lazy = open_result(out, lazy=True)
    try:
        assert not lazy["irr"].variable._in_memory
        block = lazy["irr"].isel(draw=slice(100, 300)).values
        assert not lazy["irr"].variable._in_memory  # cache=False: the block is not kept
        with _open(out) as eager:
            np.testing.assert_array_equal(block, eager["irr"].values[100:300])
    finally:
        lazy.close()


def test_a_run_too_large_for_the_disk_is_refused_before_simulating(monkeypatch, tmp_path, capsys):
    import shutil
    from collections import namedtuple

    from simrisk.cli import main

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(2**31, 2**30, 2**30))
    monkeypatch.chdir(tmp_path)
    argv = ["run", str(DSI_CONFIG), "--draws", "20000000", "--out", "r.nc", "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--draws 20,000,000: the result file needs up to" in err
    assert "1.0 GiB is free" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_signal_while_the_file_is_renamed_into_place_says_it_is_complete(
    monkeypatch, tmp_path, capsys
):
    from simrisk.cli import main

    finish = PartialFile.finish

    def finish_then_signal(self, attrs=None):
        finish(self, attrs)
        raise KeyboardInterrupt  # as _held_signals raises a signal held during the rename

    monkeypatch.setattr(PartialFile, "finish", finish_then_signal)
    out = tmp_path / "r.nc"
    assert main(["run", str(DSI_CONFIG), "--draws", "1000", "--out", str(out), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert f"{out} is complete, its summary was not printed" in err
    assert out.is_file() and not partial_files(out)
