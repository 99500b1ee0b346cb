"""Dataset conventions and atomic NetCDF I/O, shared by every model kind.

Conventions (after ArviZ's schema): sample dimension ``draw``; every
dimension has a coordinate; every variable has ``units`` and ``long_name``;
provenance in the Dataset's attributes, with ``simrisk_kind`` naming the
kind of result (``simrisk.run`` for a contract, ``simrisk.kinds.wellby``,
``simrisk.portfolio``).
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from pathlib import Path

import numpy as np
import xarray as xr

from simrisk.core.errors import Interrupted, SimriskError, write_failure

__all__ = [
    "Interrupted",
    "OutputLock",
    "PartialFile",
    "open_result",
    "partial_files",
    "partial_for",
    "pid_alive",
    "result_kind",
    "run_digest",
    "stale_parts",
    "var",
    "write_netcdf",
]


def var(dims, data, units, long_name, **extra) -> xr.Variable:
    """A Dataset variable with the ``units`` and ``long_name`` every variable carries."""
    return xr.Variable(dims, data, attrs={"units": units, "long_name": long_name, **extra})


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` atomically (temporary file in the same folder, then rename).

    Interrupting signals (SIGINT, SIGTERM, SIGHUP) are held while HDF5 writes,
    since HDF5 would swallow the ``KeyboardInterrupt`` half-way; after the
    write the temporary file is removed and the interruption goes on as
    ``KeyboardInterrupt``, so nothing is written. A second signal during the
    write removes the temporary file and exits at once (status 128 + signal).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise SimriskError(f"--out {path}: folder {folder} does not exist")
    from simrisk.core.memory import check_file_room

    # an upper bound (before compression): HDF5 cannot fail a write cleanly
    check_file_room(folder, ds.nbytes * 1.05 + 2**20, f"--out {path}")
    tmp = folder / f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part"
    # zlib level 1 after HDF5's byte shuffle (issue 15): measured on 300,000 DSI
    # draws, the write took 1.15 s instead of 1.50 s for zlib alone (lzf 0.69 s,
    # none 0.13 s) and the file was 50 MiB instead of 48 (lzf 58, none 74).
    # Both filters are netCDF-4 standard, so ncdump, R and netCDF-C read the
    # file; lzf is h5py's own and they could not.
    encoding = {
        name: dict(COMPRESSION)
        for name, v in ds.data_vars.items()
        if _compressed(v.size, v.ndim, v.dtype, v.encoding)
    }
    with _held_signals(tmp) as held:
        try:
            ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)
            if not held:
                os.replace(tmp, target)
        except Exception as exc:  # OSError, or HDF5's errors with an errno inside
            why = write_failure(exc)
            if why is None:
                raise
            raise SimriskError(f"--out {path}: cannot write ({why})") from None
        finally:
            tmp.unlink(missing_ok=True)
    return target


#: The compression every numeric data variable of more than 1,024 values gets,
#: unless its ``encoding`` says ``zlib: False`` (a kind's variable that barely
#: compresses, such as the contract's ``parameters``: 60 -> 49 bytes a draw for
#: 31% of the zlib time, measured on 200,000 DSI draws).
COMPRESSION = {"zlib": True, "complevel": 1, "shuffle": True}


def _compressed(size: int, ndim: int, dtype, encoding=None) -> bool:
    """Whether :func:`write_netcdf` compresses a data variable of this size and type."""
    if encoding is not None and encoding.get("zlib") is False:
        return False
    return ndim >= 1 and size > 1024 and np.dtype(dtype).kind in "fiu"


#: Signals that stop a run the way Ctrl-C does (saving its progress).
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


class _held_signals:
    """Hold the stop signals inside the block; a list of those received is yielded.

    On leaving the block, a held signal is raised as :class:`Interrupted`. A
    second signal removes ``cleanup`` (if given) and exits at once. Outside the main
    thread (where handlers cannot be set) nothing is held.
    """

    def __init__(self, cleanup: Path | None):
        self.cleanup = cleanup
        self.got: list[int] = []
        self.saved: dict[int, object] = {}

    def _handler(self, signum, frame):
        if self.got:
            if self.cleanup is not None:
                self.cleanup.unlink(missing_ok=True)
            os._exit(128 + signum)
        self.got.append(signum)

    def __enter__(self) -> list[int]:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for name in STOP_SIGNALS:
                sig = getattr(signal, name, None)
                if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:
                    self.saved[sig] = signal.signal(sig, self._handler)
        return self.got

    def __exit__(self, *exc) -> None:
        import signal

        for sig, old in self.saved.items():
            signal.signal(sig, old)
        if self.got and exc[0] is None:
            raise Interrupted(self.got[0])


def stale_parts(path: str | Path) -> list[Path]:
    """Temporary files (``.NAME.*.part``) that writers of ``path`` left when killed.

    Only files whose writer (the pid in the name) is no longer running count;
    files of older versions without a pid count when older than an hour.
    """
    import re
    import time

    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        return []
    prefix = f".{target.name}."
    out = []
    for f in folder.iterdir():
        if not (f.name.startswith(prefix) and f.name.endswith(".part")):
            continue
        m = re.fullmatch(r"(\d+)\.[0-9a-f]{8}", f.name[len(prefix) : -len(".part")])
        if m:
            if not pid_alive(int(m.group(1))):
                out.append(f)
        else:
            try:
                if time.time() - f.stat().st_mtime > 3600:
                    out.append(f)
            except OSError:
                pass
    return sorted(out)


def pid_alive(pid: int) -> bool:
    """Whether a process with id ``pid`` is running (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


class OutputLock:
    """A lock file ``.NAME.lock`` next to an output: one writer per output path.

    The file holds the holder's pid. A second process asking for the same
    output is refused with a message naming the pid; a lock whose pid is no
    longer running (a killed run) is taken over.
    """

    def __init__(self, path: str | Path, flag: str = "--out"):
        target = Path(path)
        self.flag = flag
        self.target = target
        self.path = target.with_name(f".{target.name}.lock")
        self.held = False

    def acquire(self) -> OutputLock:
        if self.path.is_dir() or (self.path.exists() and not self.path.is_file()):
            raise SimriskError(
                f"{self.flag} {self.target}: its lock {self.path} is a folder or a special "
                "file, not a lock simrisk wrote; remove it"
            )
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder is not None and holder != os.getpid() and pid_alive(holder):
                    raise SimriskError(
                        f"{self.flag} {self.target}: another simrisk process (pid {holder}) is "
                        f"writing it; wait for it to finish or choose another {self.flag}"
                    ) from None
                self.path.unlink(missing_ok=True)  # stale: its holder is gone
                continue
            except OSError as exc:
                raise SimriskError(
                    f"{self.flag} {self.target}: cannot write in folder "
                    f"{self.target.parent} ({exc.strerror or exc.__class__.__name__})"
                ) from None
            with os.fdopen(fd, "w") as fh:
                fh.write(f"{os.getpid()}\n")
            self.held = True
            return self
        raise SimriskError(f"{self.flag} {self.target}: could not take the lock {self.path}")

    def _holder(self) -> int | None:
        try:
            return int(self.path.read_text(encoding="ascii").split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def release(self) -> None:
        if self.held and self._holder() == os.getpid():
            self.path.unlink(missing_ok=True)
        self.held = False

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


_SIZES_LOCK = threading.Lock()


@contextlib.contextmanager
def _read_only_sizes_cached():
    """While opening a result, each dimension's size is found once per file opened read-only.

    A streamed result's ``draw`` dimension is unlimited, and h5netcdf answers
    every ``Variable.shape`` by asking each variable on an unlimited dimension
    for its length (``Dimension.size``): about 9,000 HDF5 look-ups and 0.5 s of
    CPU to open a 300,000-draw DSI result, more than reading its data (issue
    24). A file opened read-only cannot change size under its reader in this
    process, so the answer is kept per dimension while the file is opened;
    writable files, and every use outside this block, ask h5netcdf as before.
    Does nothing if h5netcdf's ``Dimension.size`` is not the property this
    expects.
    """
    try:
        from h5netcdf.dimensions import Dimension
    except ImportError:  # pragma: no cover - h5netcdf is a dependency
        yield
        return
    prop = Dimension.__dict__.get("size")
    if not isinstance(prop, property) or not _SIZES_LOCK.acquire(blocking=False):
        yield  # another thread holds the patch: open without it
        return
    known: dict[int, tuple[object, int]] = {}

    def size(dim):
        root = getattr(dim, "_root", None)
        if root is None or getattr(root, "_writable", True):
            return prop.fget(dim)
        got = known.get(id(dim))
        if got is None:
            got = known[id(dim)] = (dim, prop.fget(dim))  # the object kept: its id stays its own
        return got[1]

    try:
        Dimension.size = property(size, doc=prop.__doc__)
        yield
    finally:
        Dimension.size = prop
        _SIZES_LOCK.release()


def open_result(path: str | Path, kind: str | None = None, lazy: bool = False) -> xr.Dataset:
    """Open a simrisk result, with a clear error when it is not one (of ``kind``).

    With ``lazy=True`` nothing is read but the metadata: the variables stay
    on disk (``cache=False``, so reading a block of draws does not keep it),
    and the caller reads them a block at a time
    (``ds[v].isel(draw=slice(a, b)).values``) and closes the Dataset. The
    ``draw`` coordinate is left out (the dimension stays), so that opening a
    file does not load an index as long as the run.
    """
    from simrisk.core.inputs import special_kind

    p = Path(path)
    special = special_kind(p)  # opening a FIFO would block
    if special is not None:
        raise SimriskError(f"{path}: is {special}, not a result file")
    if p.is_dir():
        raise SimriskError(f"{path}: is a folder, not a result file")
    if not p.is_file():
        raise SimriskError(f"{path}: file not found")
    try:
        with _read_only_sizes_cached():
            if lazy:
                # The draw index (0 .. N-1) is not read: xarray would load it whole
                # (40 MB at 5e6 draws), and a block is found by position anyway.
                ds = xr.open_dataset(p, engine="h5netcdf", cache=False, drop_variables=["draw"])
            else:
                ds = xr.load_dataset(p, engine="h5netcdf")
    except Exception as exc:  # h5py/netCDF raise many kinds
        raise SimriskError(f"{path}: not a NetCDF file ({exc.__class__.__name__})") from None
    found = ds.attrs.get("simrisk_kind")
    if not isinstance(found, str) or not found.startswith("simrisk.") or (kind and found != kind):
        ds.close()
        what = f"of kind {kind!r}" if kind else "(no simrisk_kind attribute)"
        raise SimriskError(f"{path}: not a simrisk result {what}")
    return ds


def result_kind(ds: xr.Dataset) -> str:
    """The kind of a result Dataset (``simrisk.run``, ``simrisk.kinds.wellby``, ...)."""
    return str(ds.attrs.get("simrisk_kind", ""))


# ---------------------------------------------------------------------------
# Streaming: a result written a chunk of draws at a time
# ---------------------------------------------------------------------------

#: Draws per HDF5 chunk of a streamed file's per-draw variables (a block read
#: of 65,536 draws touches one chunk per variable).
CHUNK_DRAWS = 65_536
#: The partial file's global attributes while it is being written.
DONE_ATTR = "simrisk_partial_draws_done"
IDENTITY_ATTR = "simrisk_partial_identity"

#: Partial files this process is writing, by their output path (see :func:`partial_for`).
_ACTIVE_PARTIAL: dict[str, PartialFile] = {}


def partial_for(out) -> PartialFile | None:
    """The :class:`PartialFile` this process made for the output ``out``, if any."""
    return _ACTIVE_PARTIAL.get(str(out))


def run_digest(identity: dict) -> str:
    """The 16 hex digits naming a run: a digest of its ``identity`` (config, seed, draws, ...)."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


class PartialFile:
    """A result streamed to NetCDF a chunk of draws at a time; the partial file is the checkpoint.

    The file ``.<out name>.<run digest>.part.nc`` next to ``out`` is created
    from ``template``: a Dataset with the result's coordinates, variables
    without a ``draw`` dimension and global attributes, and its per-draw
    variables with a ``draw`` dimension of length 0 (their dims, dtypes and
    attributes). xarray writes the template, so the encoding (fill values,
    the ``coordinates`` attributes, compression) is exactly that of
    :func:`write_netcdf`; ``draw`` is then sized to ``draws`` and each
    chunk's per-draw values are written into their slice, in draw order.
    After every chunk the global attribute :data:`DONE_ATTR` (the leading
    draws complete) is updated and the file flushed, with the stop signals
    held, so a run stopped at any moment leaves a file that holds every
    chunk finished before the one in progress. :meth:`finish` sets the final
    attributes and renames the file into place.

    Parameters
    ----------
    out : path
        The result file to produce.
    template : xarray.Dataset
        See above; its ``draw`` dimension has length 0.
    draws : int
        The run's draw count.
    identity : dict
        What makes two runs the same run (config hash, seed, draws, mode,
        version); its digest names the partial file, and a file with another
        identity is refused.
    chunk_draws : int
        Draws per HDF5 chunk.
    """

    def __init__(self, out, template: xr.Dataset, draws: int, identity: dict, chunk_draws=None):
        import json

        self.out = Path(out)
        self.template = template
        self.draws = int(draws)
        self.identity = identity
        self._ident_text = json.dumps(identity, sort_keys=True)
        self.path = self.out.with_name(f".{self.out.name}.{run_digest(identity)}.part.nc")
        self.per_draw = [k for k, v in template.data_vars.items() if "draw" in v.dims]
        rows = CHUNK_DRAWS if chunk_draws is None else int(chunk_draws)
        self.chunk_draws = max(1, min(rows, self.draws))
        self.done = 0
        self.resumed_from = 0
        self.notes: list[str] = []
        self._file = None
        self._vars: dict = {}
        _ACTIVE_PARTIAL[str(self.out)] = self

    # -- opening ----------------------------------------------------------
    def open(self) -> int:
        """Create the partial file, or resume the one on disk; the leading draws it holds.

        A partial file that cannot be read, was left half-created, or lacks
        its run identity (a run killed while creating or finishing it) is
        discarded with a note in :attr:`notes`, and the run starts over; only
        a readable partial file of a different run is refused.
        """
        if self.path.exists():
            try:
                self._open_h5()
            except Exception as exc:  # killed mid-write: HDF5 cannot open it
                self._discard(f"HDF5 cannot open it ({exc.__class__.__name__})")
            else:
                done = self._check()
                if done is not None:
                    self.done = self.resumed_from = done
                    return self.done
        self._create()
        self._open_h5()
        return 0

    def _discard(self, why: str) -> None:
        self.close()
        self.notes.append(
            f"discarded {self.path}: {why}, left by a run killed part-way; starting again"
        )
        self.path.unlink(missing_ok=True)

    def _open_h5(self) -> None:
        # Chunks are written through h5py, with no HDF5 chunk cache: the driver
        # hands over whole HDF5 chunks (stream_chunks ends chunks on multiples of
        # chunk_size), which go straight to zlib and the disk, and a cache would
        # grow the process by several MB per variable (measured: 8 MB each).
        import h5py

        self._file = f = h5py.File(self.path, "r+", rdcc_nbytes=0)
        self._vars = {name: f[name] for name in [*self.per_draw, "draw"]}

    def _check(self) -> int | None:
        """The draws a partial file on disk holds, after checking it is this run's.

        None (and the file discarded) when it is unreadable or lacks its
        identity; a :class:`SimriskError` when it is readable and of another run.
        """
        import json

        f = self._file
        try:
            text = f.attrs[IDENTITY_ATTR]
            ident = json.loads(text.decode() if isinstance(text, bytes) else str(text))
            done = int(f.attrs[DONE_ATTR])
            shapes = {
                name: (self._vars[name].shape, self._vars[name].dtype) for name in self.per_draw
            }
        except Exception as exc:  # a missing attribute, variable or dimension
            self._discard(f"unreadable or half-created ({exc.__class__.__name__})")
            return None
        shapes_ok = all(
            shape[0] == self.draws
            and len(shape) == self.template[name].ndim
            and dtype == self.template[name].dtype
            for name, (shape, dtype) in shapes.items()
        )
        if ident != self.identity or not shapes_ok or not 0 <= done <= self.draws:
            self.close()
            raise SimriskError(
                f"partial result {self.path}: a partial result of a different run (config, "
                "seed, draws or mode differ); delete it or run with --restart"
            )
        return done

    def _create(self) -> None:
        import uuid

        import h5netcdf

        folder = self.path.parent
        # the name stale_parts() knows, so a creation killed half-way is cleaned up
        tmp = folder / f".{self.out.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part"
        encoding = {}
        for name in self.per_draw:
            v = self.template[name]
            full = self.draws * int(np.prod([n for d, n in v.sizes.items() if d != "draw"]))
            rows = [self.chunk_draws if d == "draw" else n for d, n in v.sizes.items()]
            enc = {"chunksizes": tuple(rows)}
            if _compressed(full, v.ndim, v.dtype, v.encoding):
                enc.update(COMPRESSION)
            encoding[name] = enc
        for name, v in self.template.data_vars.items():
            if name not in encoding and _compressed(v.size, v.ndim, v.dtype, v.encoding):
                encoding[name] = dict(COMPRESSION)
        encoding["draw"] = {"chunksizes": (self.chunk_draws,)}
        need = self.template.nbytes + 2**20  # the file without draws; see _check_room
        short = _room_short(tmp, need)
        if short:
            raise SimriskError(
                f"--out {self.out}: no room to create the result file (up to {_size(need)}; "
                f"{short}); free some space or choose another folder"
            )
        with _held_signals(tmp):
            try:
                # xarray writes the template with `draw` unlimited (length 0), so every
                # per-draw variable is created with its final encoding; then `draw` is sized.
                self.template.to_netcdf(
                    tmp, engine="h5netcdf", encoding=encoding, unlimited_dims=["draw"]
                )
                with h5netcdf.File(tmp, "r+") as f:
                    f.resize_dimension("draw", self.draws)
                    f.attrs[IDENTITY_ATTR] = self._ident_text
                    f.attrs[DONE_ATTR] = np.int64(0)
                os.replace(tmp, self.path)
            except OSError as exc:
                raise SimriskError(
                    f"--out {self.out}: cannot write ({exc.strerror or exc.__class__.__name__})"
                ) from None
            finally:
                tmp.unlink(missing_ok=True)

    # -- writing ----------------------------------------------------------
    def write(self, draw0: int, values: dict[str, np.ndarray]) -> None:
        """Write draws ``draw0 ..`` of every per-draw variable; ``draw0`` must follow the last."""
        if draw0 != self.done:
            raise ValueError(f"chunk at draw {draw0}: the file holds draws up to {self.done}")
        missing = set(self.per_draw) - set(values)
        if missing:
            raise ValueError(f"chunk at draw {draw0}: no values for {sorted(missing)}")
        n = len(next(iter(values.values())))
        if draw0 + n > self.draws:
            raise ValueError(f"chunk at draw {draw0}: {n} draws run past {self.draws}")
        self._check_room(n)
        with _held_signals(None):
            for name in self.per_draw:
                target = self._vars[name]
                target[draw0 : draw0 + n] = np.asarray(values[name], dtype=target.dtype)
            self._vars["draw"][draw0 : draw0 + n] = np.arange(draw0, draw0 + n, dtype=np.int64)
            self._file.attrs[DONE_ATTR] = np.int64(draw0 + n)
            self._file.flush()
        self.done = draw0 + n

    def _check_room(self, n: int) -> None:
        """Refuse, before HDF5 writes it, a chunk of ``n`` draws the disk or ``ulimit -f``
        has no room for (another process may have filled the disk since the run began).

        HDF5 cannot fail a write cleanly: a write that runs out of room leaves its
        objects broken, and freeing them can crash the interpreter (a segfault in a
        library call, where nothing outside catches it). So each chunk is checked
        against an upper bound of its size (uncompressed, plus 1 MiB of metadata),
        and a run stopped here keeps every chunk written so far: free some space and
        run the same command to resume.
        """
        need = n * self._draw_bytes() + 2**20
        short = _room_short(self.path, need)
        if short:
            saved = (
                f"{self.done:,} of {self.draws:,} draws are saved in {self.path}"
                if self.done
                else "no draw is saved yet"
            )
            raise SimriskError(
                f"--out {self.out}: no room for the next {n:,} draws (up to {_size(need)}; "
                f"{short}); {saved}: free some space and run the same command to resume"
            )

    def _draw_bytes(self) -> int:
        """Bytes one draw of every per-draw variable takes before compression."""
        total = 8  # the draw coordinate
        for name in self.per_draw:
            v = self.template[name]
            total += v.dtype.itemsize * int(
                np.prod([k for d, k in v.sizes.items() if d != "draw"])
            )
        return total

    def finish(self, attrs: dict | None = None) -> Path:
        """Set the final global attributes (``attrs`` over the template's); rename into place."""
        import h5netcdf

        if self.done != self.draws:
            raise ValueError(f"{self.path}: holds {self.done:,} of {self.draws:,} draws")
        final = {**self.template.attrs, **(attrs or {})}
        need = sum(len(str(v)) for v in final.values()) + 2**16  # see _check_room
        short = _room_short(self.path, need)
        if short:
            raise SimriskError(
                f"--out {self.out}: no room for the final attributes ({short}); every draw "
                f"is saved in {self.path}: free some space and run the same command to finish"
            )
        with _held_signals(None):
            self.close()
            with h5netcdf.File(self.path, "r+") as f:
                for key in (DONE_ATTR, IDENTITY_ATTR):
                    if key in f.attrs:
                        del f.attrs[key]
                for key, value in final.items():
                    if not _same_attr(f.attrs.get(key), value):
                        f.attrs[key] = value
            os.replace(self.path, self.out)
        return self.out  # it stays in partial_for(): done == draws says it is complete

    def close(self) -> None:
        """Close the file (it stays on disk as the checkpoint)."""
        self._vars = {}
        if self._file is not None:
            self._file.close()
            self._file = None

    def remove(self) -> None:
        """Close and delete the partial file."""
        self.close()
        self.path.unlink(missing_ok=True)


def _room_short(path: Path, need: float) -> str:
    """What lacks room for ``need`` more bytes in file ``path`` (the disk, ``ulimit -f``); ""."""
    from simrisk.core.memory import file_limits

    size = path.stat().st_size if path.exists() else 0
    free, limit = file_limits(path.parent)
    short = []
    if free is not None and need > free:
        short.append(f"{_size(free)} is free")
    if limit is not None and size + need > limit:
        short.append(f"ulimit -f allows {_size(max(limit - size, 0))} more")
    return " and ".join(short)


def _size(n: float) -> str:
    return f"{n / 2**20:,.1f} MiB" if n >= 2**20 else f"{n / 2**10:,.0f} KiB"


def _same_attr(a, b) -> bool:
    try:
        return bool(np.all(np.asarray(a) == np.asarray(b))) and type(a) is not type(None)
    except Exception:
        return False


def partial_files(out) -> list[Path]:
    """The partial files (of any run) next to the output ``out``."""
    target = Path(out)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        return []
    import glob

    return sorted(folder.glob(f".{glob.escape(target.name)}.*.part.nc"))
