"""Output files: refuse an unwritable output before any work, clean what a killed writer left.

Every function raises :class:`~simrisk.core.errors.SimriskError` with one line
naming the flag (or argument), the path and what is wrong.

Every command that writes a file goes through :func:`guard_outputs` before any
work: no output may be an input (a config, any file the config reads through
``extends``, a score or observed-counts file, a result or an attached file;
compared after following links, and as the same file for hard links), no two
outputs may be one file, and each output is held by its lock (one writer per
file) until the command is done.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from simrisk.core.errors import SimriskError

__all__ = [
    "check_figures_folder",
    "check_out",
    "clean_leftovers",
    "config_inputs",
    "created_now",
    "epoch_created_at",
    "epoch_time",
    "guard_outputs",
    "hold",
    "refuse_figures_over_inputs",
    "refuse_overwrite",
    "refuse_replacing",
    "replacing",
    "what_file",
    "writable_folder",
]

#: ``(flag or description, path)``; a path of None, "" or "-" is no file
Named = tuple[str, "str | Path | None"]


def writable_folder(folder: Path, what: str) -> None:
    """Refuse a folder this process cannot create files in (root ignores chmod, not chattr +i)."""
    import uuid

    probe = folder / f".simrisk-probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise SimriskError(
            f"{what}: cannot write in folder {folder} ({exc.strerror or exc.__class__.__name__})"
        ) from None
    os.close(fd)
    probe.unlink(missing_ok=True)


def check_out(path: str | Path, flag: str) -> Path:
    """An output file's path: not empty, not a folder, in a folder that exists and is writable."""
    if not str(path).strip():
        raise SimriskError(f"{flag} {str(path)!r}: empty; give a file name")
    out = Path(path)
    _check_name(out, flag)
    if out.is_dir():
        raise SimriskError(f"{flag} {out}: is a folder; give a file name")
    if out.exists() and not out.is_file():
        raise SimriskError(f"{flag} {out}: exists and is not a regular file")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise SimriskError(f"{flag} {out}: folder {out.parent} does not exist")
    writable_folder(folder, f"{flag} {out}")
    return out


#: bytes the temporary files beside an output add to its name (``.NAME.<pid>.<hex>.part``,
#: ``.NAME.<digest>.part.nc``, ``.NAME.<command>.keep``)
NAME_MARGIN = 40


def _check_name(out: Path, flag: str) -> None:
    """Refuse a name the file system cannot hold, with room for the temporary files beside it."""
    folder = out.parent if str(out.parent) else Path(".")
    try:
        most = os.pathconf(folder if folder.is_dir() else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        most = 255
    size = len(os.fsencode(out.name))
    if size + NAME_MARGIN > most:
        shown = out.name if len(out.name) <= 40 else out.name[:37] + "..."
        raise SimriskError(
            f"{flag} {shown}: the file name is {size} bytes; at most {most - NAME_MARGIN} here "
            f"(the file system allows {most}, and the temporary file beside it adds "
            f"{NAME_MARGIN})"
        )
    try:
        path_max = os.pathconf(folder if folder.is_dir() else ".", "PC_PATH_MAX")
    except (OSError, ValueError):
        path_max = 4096
    if len(os.fsencode(str(out.absolute()))) + NAME_MARGIN > path_max:
        raise SimriskError(f"{flag} {str(out)[:40]}...: the path is longer than {path_max} bytes")


def check_figures_folder(path: str | Path, flag: str = "--figures") -> Path:
    """A folder for figures: made if missing, so its nearest existing parent must be writable."""
    if not str(path).strip():
        raise SimriskError(f"{flag} {str(path)!r}: empty; give a folder")
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise SimriskError(f"{flag} {folder}: is a file; give a folder (made if missing)")
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise SimriskError(f"{flag} {folder}: {existing} is a file, not a folder")
    writable_folder(existing, f"{flag} {folder}")
    return folder


def clean_leftovers(out: Path, notify: Callable[[str], None] | None = None) -> None:
    """Remove the temporary files a killed writer of ``out`` left (the caller holds its lock)."""
    from simrisk.core.dataset import stale_parts

    for part in stale_parts(out):
        part.unlink(missing_ok=True)
        if notify is not None:
            notify(f"removed {part}, left by an interrupted write of {out}")


def epoch_time(epoch: str) -> str:
    """``SOURCE_DATE_EPOCH`` as a ``created_at`` attribute (ValueError, OverflowError if bad)."""
    import datetime as dt

    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def replacing(target: str | Path, flag: str | None = None) -> Iterator[Path]:
    """A temporary name beside ``target`` to write in the block; renamed onto ``target``
    (atomically) when the block ends without an error, removed otherwise.

    The name is ``.NAME.PID.XXXXXXXX.part``: the next writer of NAME removes it if
    this process is killed (:func:`simrisk.core.dataset.stale_parts`). A file-system
    error in the block becomes one line naming ``target`` (and ``flag``), as
    :class:`simrisk.core.errors.writing` words it.
    """
    import uuid

    from simrisk.core.errors import writing

    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")
    try:
        with writing(target, flag):
            yield tmp
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def epoch_created_at() -> str | None:
    """``SOURCE_DATE_EPOCH`` as a ``created_at`` attribute (reproducible files,
    reproducible-builds.org); None where it is unset or not a valid time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        with contextlib.suppress(ValueError, OverflowError):
            return epoch_time(epoch)
    return None


def created_now() -> str:
    """The time a result records as its ``created_at``: :func:`epoch_created_at` where
    it is set, else now, in UTC."""
    import datetime as dt

    return epoch_created_at() or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _is_file_arg(path: object) -> bool:
    return path is not None and str(path).strip() not in ("", "-")


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two names are one file: equal once links are followed, or hard links."""
    a, b = Path(a), Path(b)
    try:
        if a.resolve() == b.resolve():
            return True
    except (OSError, RuntimeError):  # a loop of links
        pass
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def config_inputs(path: str | Path, what: str = "the config") -> list[tuple[str, Path]]:
    """A config file and every file it reads, each with how to name it in a refusal.

    The ``extends`` chain, a ``dist = "pilot"`` prior's config, a WELLBY
    pilot's ``scores`` and a fund's deal configs and results, followed
    through the files they read in turn. A file that cannot be read as TOML
    here is left to the config loader's own error.
    """
    root = Path(path)
    found: list[tuple[str, Path]] = [(f"{what} {root}", root)]
    todo = [root]
    seen: set[Path] = set()
    while todo:
        current = todo.pop()
        try:
            key = current.resolve()
        except (OSError, RuntimeError):
            continue
        if key in seen:
            continue
        seen.add(key)
        for verb, name in config_reads(current):
            read = current.parent / name
            found.append((f"{read}, which {current.name} {verb}", read))
            if read.suffix.lower() == ".toml":
                todo.append(read)
    return found


def config_reads(path: Path) -> list[tuple[str, str]]:
    """(verb, file name) for each file the config at ``path`` names, relative to its folder."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    out: list[tuple[str, str]] = []
    if isinstance(data.get("extends"), str):
        out.append(("extends", data["extends"]))

    def walk(x: object) -> None:
        if isinstance(x, dict):
            if x.get("dist") == "pilot" and isinstance(x.get("config"), str):
                out.append(("reads", x["config"]))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(data)
    pilot = data.get("pilot")
    if isinstance(pilot, dict) and isinstance(pilot.get("scores"), str):
        out.append(("reads", pilot["scores"]))
    for deal in data.get("deals", []) if isinstance(data.get("deals"), list) else []:
        if isinstance(deal, dict):
            named = [deal.get(k) for k in ("config", "result")]
            out += [("reads", n) for n in named if isinstance(n, str)]
    return out


def refuse_overwrite(outputs: Iterable[Named], inputs: Iterable[Named]) -> None:
    """One line if an output is an input, or two outputs are one file; before any work.

    ``outputs`` are ``(flag, path)``; ``inputs`` are ``(description, path)``
    where the description names the file (``"the config c.toml"``,
    ``"--observed obs.csv"``, or what :func:`config_inputs` gives).
    """
    outs = [(flag, Path(str(p))) for flag, p in outputs if _is_file_arg(p)]
    ins = [(what, Path(str(p))) for what, p in inputs if _is_file_arg(p)]
    for flag, out in outs:
        for what, src in ins:
            if same_file(out, src):
                raise SimriskError(
                    f"{flag} {out}: is {what}; an output must not overwrite an input "
                    f"(choose another {flag})"
                )
    for i, (first, a) in enumerate(outs):
        for flag, b in outs[i + 1 :]:
            if same_file(a, b):
                raise SimriskError(
                    f"{flag} {b}: is the same file as {first} {a}; give each output its own file"
                )


#: the ``simrisk_kind`` of a decision analysis file (its ``analysis`` says which)
_DECISION = "simrisk.decision"
#: the ``simrisk_kind`` of a model run's result (the built-in kinds')
_RUNS = {"simrisk.run", "simrisk.wellby", "simrisk.portfolio", "simrisk.fund"}
#: HDF5's signature: a NetCDF-4 result starts with it
_HDF5 = b"\x89HDF\r\n\x1a\n"


def what_file(path: str | Path) -> str | None:
    """What an existing file is to simrisk, as an output's ``writes`` names it; None: neither.

    ``"config"``: a TOML file (any TOML table is a config: ``kind`` defaults
    to the contract). ``"run"``: a model run's result (a built-in kind's
    ``simrisk_kind``). ``"decision:<analysis>"`` (``decision:voi``): a
    decision file; another ``simrisk_kind`` (``simrisk.design``,
    ``simrisk.evsi``, ``simrisk.monitor``, a third party's kind) as it is.
    Anything else (a PDF, a figure, a workbook, an HDF5 file simrisk did not
    write) is None.
    """
    p = Path(path)
    try:
        if not p.is_file():
            return None
        with open(p, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return None
    if head == _HDF5:
        try:
            import h5py

            with h5py.File(p, "r", locking=False) as f:
                kind = f.attrs.get("simrisk_kind")
                analysis = f.attrs.get("analysis", "")
        except Exception:  # h5py's errors on a damaged file vary: not a result we can name
            return None
        kind = kind.decode() if isinstance(kind, bytes) else kind
        analysis = analysis.decode() if isinstance(analysis, bytes) else str(analysis)
        if not isinstance(kind, str) or not kind.startswith("simrisk."):
            return None
        if kind == _DECISION:
            return f"decision:{analysis}"
        return "run" if kind in _RUNS else kind
    try:
        if p.stat().st_size > 10_000_000:  # no config is this large
            return None
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return "config" if data else None


def _said(what: str | None) -> str:
    """A file type as :func:`what_file` names it, in words."""
    if what is None:
        return "neither a config nor a result"
    if what == "config":
        return "a simrisk config"
    if what == "run":
        return "a simrisk result"
    if what.startswith("decision:"):
        return f"a simrisk {what.split(':', 1)[1] or 'decision'} file"
    return f"a simrisk {what.removeprefix('simrisk.')} file"


def refuse_replacing(outputs: Iterable[Named], writes: dict[str, str] | None = None) -> None:
    """One line if an output would replace a config or result of another type.

    ``writes`` maps an output's flag to what it writes (as :func:`what_file`
    names files: ``"config"``, ``"run"``, ``"decision:voi"``, ...); a flag
    not in it writes something else (a figure, a PDF, a workbook). An
    existing config or result is replaced only by an output of its own type,
    so ``voi --out c.toml`` cannot destroy a contract and ``voi --out r.nc``
    cannot destroy a run; any other existing file is replaced as before.
    """
    writes = writes or {}
    for flag, p in outputs:
        if not _is_file_arg(p):
            continue
        found = what_file(p)
        if found is None or found == writes.get(flag):
            continue
        raise SimriskError(
            f"{flag} {p}: exists and is {_said(found)}; this output is "
            f"{_said(writes.get(flag))} and must not replace it (choose another {flag}, "
            "or move the file away)"
        )


#: outputs this process holds the lock of (resolved path -> depth), so a library call
#: inside a command that already holds its output's lock does not take it twice
_HELD: dict[Path, int] = {}


@contextlib.contextmanager
def hold(
    path: str | Path, flag: str, notify: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold ``path``'s output lock (the one ``simrisk run`` takes) and clean what a killed
    writer of it left; a second process asking for it is refused in one line."""
    from simrisk.core.dataset import OutputLock

    target = Path(path)
    key = target.parent.resolve() / target.name
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    lock = OutputLock(target, flag).acquire()
    _HELD[key] = 1
    try:
        clean_leftovers(target, notify)
        yield
    finally:
        del _HELD[key]
        lock.release()


@contextlib.contextmanager
def guard_outputs(
    outputs: Iterable[Named],
    inputs: Iterable[Named] = (),
    notify: Callable[[str], None] | None = None,
    writes: dict[str, str] | None = None,
    figures: Named | None = None,
) -> Iterator[None]:
    """Refuse an output that is an input (:func:`refuse_overwrite`) or would replace a
    config or result of another type (:func:`refuse_replacing`, ``writes``: what each
    flag writes), and a folder of figures (``figures``: ``(flag, folder)``) that is or
    holds an input (:func:`refuse_figures_over_inputs`); then hold every output's lock
    (:func:`hold`; the folder's too) while the command works."""
    outputs = [(flag, p) for flag, p in outputs if _is_file_arg(p)]
    inputs = list(inputs)
    refuse_overwrite(outputs, inputs)
    refuse_replacing(outputs, writes)
    if figures is not None and _is_file_arg(figures[1]):
        refuse_figures_over_inputs(Path(str(figures[1])), inputs, figures[0])
    with contextlib.ExitStack() as stack:
        for flag, p in outputs:
            stack.enter_context(hold(str(p), flag, notify))
        if figures is not None and _is_file_arg(figures[1]):
            folder = Path(str(figures[1]))
            if folder.parent.is_dir():  # one report at a time writes a figures folder
                stack.enter_context(hold(folder, figures[0], notify))
        yield


#: the names a report gives its figures in ``--figures DIR`` (``page_03_npv.png``)
FIGURE_NAME = r"page_\d{2,}_.+\.(png|svg)"


def refuse_figures_over_inputs(folder: Path, inputs: Iterable[Named], flag: str) -> None:
    """One line if the figures folder is an input, or holds an input named as a figure.

    A report writes ``page_NN_<page>.png`` and ``.svg`` into ``folder``; an
    input there of such a name could be written over, and an input that is
    the folder (or a link to it) cannot be one.
    """
    import re

    for what, src in inputs:
        if not _is_file_arg(src):
            continue
        src = Path(str(src))
        if same_file(folder, src):
            raise SimriskError(
                f"{flag} {folder}: is {what}; an output must not overwrite an input "
                f"(choose another {flag})"
            )
        try:
            inside = src.resolve().parent == folder.resolve()
        except (OSError, RuntimeError):
            continue
        if inside and re.fullmatch(FIGURE_NAME, src.name):
            raise SimriskError(
                f"{flag} {folder}: holds {what}, a name the report gives a figure "
                f"(page_NN_<page>.png, .svg), so it could be written over (choose another "
                f"{flag})"
            )
