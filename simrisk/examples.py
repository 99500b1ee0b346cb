"""The example configs shipped with simrisk, and copying them out to run.

The configs live in the checkout's ``configs/`` folder; the package reaches
them through ``simrisk/_examples`` (a link in the checkout, real files in the
wheel), so a user who only installed the wheel has every scenario to start
from: ``simrisk example --list``, then ``simrisk example NAME -o DIR``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from simrisk.core.errors import SimriskError

__all__ = ["EXAMPLES_DIR", "copy_example", "example_files", "example_path", "list_examples"]

EXAMPLES_DIR = Path(__file__).resolve().parent / "_examples"


def list_examples() -> dict[str, str]:
    """Each shipped example's name and its one-line description (the config's ``name``)."""
    out = {}
    for p in sorted(EXAMPLES_DIR.glob("*.toml")):
        data = tomllib.loads(p.read_text(encoding="utf-8"))
        kind = data.get("kind", "contract")
        # a fund names itself under [fund]
        fund = data.get("fund") if isinstance(data.get("fund"), dict) else {}
        out[p.stem] = f"{data.get('name', fund.get('name', ''))} [{kind}]"
    return out


def example_path(name: str) -> Path:
    """The path of the shipped example ``name`` (with or without ``.toml``)."""
    stem = name.removesuffix(".toml")
    p = EXAMPLES_DIR / f"{stem}.toml"
    if not p.is_file():
        known = ", ".join(list_examples())
        raise SimriskError(f"example {name!r}: no such example; shipped: {known}")
    return p


def _needs(path: Path) -> list[Path]:
    """The files a config reads: what it ``extends``, pilot configs, score files, and a
    fund's deal configs and results (one list with the output checks':
    :func:`simrisk.core.outputs.config_reads`)."""
    from simrisk.core.outputs import config_reads

    return [path.parent / name for _, name in config_reads(path)]


def _same(a: Path, b: Path) -> bool:
    """Whether two regular files hold the same bytes."""
    try:
        return (
            a.is_file()
            and a.stat().st_size == b.stat().st_size
            and a.read_bytes() == b.read_bytes()
        )
    except OSError:
        return False


def example_files(name: str) -> list[Path]:
    """Example ``name``'s config and every file it reads, with its example observed counts
    (``<name>_observed.csv``) where one is shipped: what :func:`copy_example` copies."""
    todo: list[Path] = []
    stack = [example_path(name)]
    while stack:
        p = stack.pop()
        if p in todo:
            continue
        todo.append(p)
        stack.extend(q for q in _needs(p) if q.is_file())
    # the example observed counts shipped beside the config (for simrisk monitor)
    observed = todo[0].with_name(f"{todo[0].stem}_observed.csv")
    if observed.is_file():
        todo.append(observed)
    return todo


def copy_example(name: str, folder: str | Path = ".", force: bool = False) -> list[Path]:
    """Write example ``name`` and every file it reads into ``folder``, with its example
    observed counts (``<name>_observed.csv``) where one is shipped; the files written.

    Refuses (nothing written) when a target file exists, unless ``force``.
    """
    target = Path(folder)
    if not target.is_dir():
        raise SimriskError(f"-o {folder}: folder does not exist")
    todo = example_files(name)
    outs = [target / p.name for p in todo]
    # a file identical to the one it would write is no clash: writing it again changes nothing
    clash = [str(o) for o, p in zip(outs, todo, strict=True) if o.exists() and not _same(o, p)]
    if clash and not force:
        raise SimriskError(
            f"{', '.join(clash)}: exists and differs from the example; use --force to overwrite"
        )
    from simrisk.core.errors import writing
    from simrisk.core.inputs import special_kind

    for o in outs:
        if o.is_dir() or special_kind(o):
            raise SimriskError(f"-o {folder}: {o} exists and is not a regular file")
    # every file to a temporary name first, then the renames: a failure writes nothing
    tmps = [dst.with_name(f".{dst.name}.{os.getpid()}.part") for dst in outs]
    try:
        for src, tmp, dst in zip(todo, tmps, outs, strict=True):
            with writing(dst, "-o"):
                tmp.write_bytes(src.read_bytes())
        for tmp, dst in zip(tmps, outs, strict=True):
            os.replace(tmp, dst)
    finally:
        for tmp in tmps:
            tmp.unlink(missing_ok=True)
    return outs
