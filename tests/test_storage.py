"""The NetCDF write's filters: chosen by measurement (issue 15), netCDF-4 standard."""

from __future__ import annotations

import h5py
import numpy as np
import xarray as xr

from simrisk.core.dataset import write_netcdf


def test_large_numeric_variables_are_shuffled_and_deflated(tmp_path):
    ds = xr.Dataset(
        {
            "npv": ("draw", np.linspace(0.0, 1e6, 5000)),
            "counts": (("draw", "goal"), np.arange(15000, dtype=np.int16).reshape(5000, 3)),
            "small": ("goal", np.arange(3.0)),
        }
    )
    path = write_netcdf(ds, tmp_path / "r.nc")
    with h5py.File(path, "r") as f:
        for name in ("npv", "counts"):
            assert f[name].compression == "gzip", name  # zlib: readable by netCDF-C
            assert f[name].compression_opts == 1, name
            assert f[name].shuffle, name
        assert f["small"].compression is None
    with xr.open_dataset(path, engine="h5netcdf") as back:
        assert back.load().equals(ds)
