"""Dataset conventions and atomic NetCDF I/O, shared by every model kind.

Conventions (after ArviZ's schema): sample dimension ``draw``; every
dimension has a coordinate; every variable has ``units`` and ``long_name``;
provenance in the Dataset's attributes, with ``simrisk_kind`` naming the
kind of result (``simrisk.run`` for a contract, ``simrisk.kinds.wellby``,
``simrisk.portfolio``).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import xarray as xr

from simrisk.core.errors import SimriskError

__all__ = ["open_result", "result_kind", "var", "write_netcdf"]


def var(dims, data, units, long_name, **extra) -> xr.Variable:
    """A Dataset variable with the ``units`` and ``long_name`` every variable carries."""
    return xr.Variable(dims, data, attrs={"units": units, "long_name": long_name, **extra})


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise SimriskError(f"--out {path}: folder {folder} does not exist")
    tmp = folder / f".{target.name}.{uuid.uuid4().hex[:8]}.part"
    try:
        encoding = {
            name: {"zlib": True, "complevel": 1}
            for name, v in ds.data_vars.items()
            if v.ndim >= 1 and v.size > 1024 and v.dtype.kind in "fiu"
        }
        ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def open_result(path: str | Path, kind: str | None = None) -> xr.Dataset:
    """Open a simrisk result, with a clear error when it is not one (of ``kind``)."""
    p = Path(path)
    if not p.is_file():
        raise SimriskError(f"{path}: file not found")
    try:
        ds = xr.load_dataset(p, engine="h5netcdf")
    except Exception as exc:  # h5py/netCDF raise many kinds
        raise SimriskError(f"{path}: not a NetCDF file ({exc.__class__.__name__})") from None
    found = ds.attrs.get("simrisk_kind")
    if not isinstance(found, str) or not found.startswith("simrisk.") or (kind and found != kind):
        what = f"of kind {kind!r}" if kind else "(no simrisk_kind attribute)"
        raise SimriskError(f"{path}: not a simrisk result {what}")
    return ds


def result_kind(ds: xr.Dataset) -> str:
    """The kind of a result Dataset (``simrisk.run``, ``simrisk.kinds.wellby``, ...)."""
    return str(ds.attrs.get("simrisk_kind", ""))
