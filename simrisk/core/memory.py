"""How much memory a new allocation may take, and the one check before allocating.

Every command that allocates in proportion to a flag (``--draws``,
``--max-draws``, ``--rates``, a file's size) calls :func:`check_memory`
first, so that a request that cannot fit is refused in one line before any
work, rather than ending in ``MemoryError`` (or the kernel's OOM killer)
after minutes. :func:`memory_available` is the smallest of what limits this
process:

- the machine's ``MemAvailable`` (``/proc/meminfo``);
- the address-space limit ``ulimit -v`` (``RLIMIT_AS``) less the address
  space already mapped (``VmSize``);
- the cgroup's limit (v2 ``memory.max`` or v1 ``memory.limit_in_bytes``, of
  this process's group and every group above it) less its current use,
  which is what an HPC batch job or a container is held to.
"""

from __future__ import annotations

import os
from pathlib import Path

from simrisk.core.errors import SimriskError

__all__ = ["check_memory", "memory_available", "memory_limits"]

_UNLIMITED = 2**60  # cgroup v1 writes 9223372036854771712 for "no limit"


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text or text == "max":
        return None
    try:
        value = int(text.split()[0])
    except ValueError:
        return None
    return value if value < _UNLIMITED else None


def _meminfo() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _address_space() -> int | None:
    """Bytes ``ulimit -v`` still allows this process to map, or None without a limit."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return None
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        return None
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    used = 0
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    used = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    return max(soft - used, 0)


def _cgroup(root: Path = Path("/sys/fs/cgroup"), proc: Path = Path("/proc/self/cgroup")):
    """Bytes the cgroup limits still allow (the tightest over this group and its parents)."""
    try:
        lines = proc.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    best = None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        if controllers == "":  # v2: one unified hierarchy
            base, limit_name, usage_name = root, "memory.max", "memory.current"
        elif "memory" in controllers.split(","):
            base, limit_name, usage_name = (
                root / "memory",
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            )
        else:
            continue
        group = base / rel.lstrip("/")
        seen = set()
        while True:
            if group in seen:
                break
            seen.add(group)
            limit = _read_int(group / limit_name)
            if limit is not None:
                usage = _read_int(group / usage_name) or 0
                room = max(limit - usage, 0)
                best = room if best is None else min(best, room)
            if group == base or base not in group.parents:
                break
            group = group.parent
    return best


def memory_limits() -> dict[str, int]:
    """Each limit found, in bytes: ``available`` (the machine), ``ulimit -v``, ``cgroup``."""
    found = {
        "MemAvailable": _meminfo(),
        "ulimit -v": _address_space(),
        "cgroup": _cgroup(),
    }
    return {k: v for k, v in found.items() if v is not None}


def memory_available() -> int | None:
    """Bytes a new allocation may take: the tightest of :func:`memory_limits`, or None."""
    limits = memory_limits()
    return min(limits.values()) if limits else None


def check_memory(
    need: float,
    flag: str,
    value: object,
    *,
    unit: float | None = None,
    noun: str = "draws",
    what: str = "the results",
) -> None:
    """Refuse ``flag value`` in one line if ``need`` bytes will not fit.

    ``unit`` (bytes per ``noun``) lets the line say how many would fit.
    """
    limits = memory_limits()
    if not limits:
        return
    source, have = min(limits.items(), key=lambda kv: kv[1])
    if need <= have:
        return
    shown = f"{value:,}" if isinstance(value, int) else str(value)
    hint = ""
    if unit:
        hint = f"; use at most about {int(have / unit):,} {noun}"
    where = "is available" if source == "MemAvailable" else f"is allowed by {source}"
    raise SimriskError(
        f"{flag} {shown}: needs about {_gib(need)} of memory for {what}, "
        f"{_gib(have)} {where}{hint}"
    )


def _gib(n: float) -> str:
    if n >= 2**27:
        return f"{n / 2**30:,.1f} GiB"
    return f"{n / 2**20:,.0f} MiB" if n >= 2**20 else f"{n / 2**10:,.0f} KiB"


def file_limits(folder) -> tuple[int | None, int | None]:
    """Free bytes on the disk of ``folder`` and ``ulimit -f``'s soft limit on a file's size
    (each None where it cannot be read or there is none)."""
    import shutil

    free = limit = None
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        pass
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
        if soft != resource.RLIM_INFINITY and soft >= 0:
            limit = soft
    except (ImportError, OSError, ValueError):
        pass
    return free, limit


def file_room(folder) -> tuple[int, str] | None:
    """Bytes a new file in ``folder`` may grow to: free disk space or ``ulimit -f``, the less."""
    free, limit = file_limits(folder)
    found = []
    if free is not None:
        found.append((free, f"free in {folder}"))
    if limit is not None:
        found.append((limit, "allowed by ulimit -f"))
    return min(found) if found else None


def check_file_room(folder, need: float, where: str) -> None:
    """Refuse in one line (naming ``where``, e.g. ``--out r.nc``) a file of ``need`` bytes
    that the disk or ``ulimit -f`` cannot take.

    HDF5 cannot fail a write cleanly (it prints tracebacks from freed objects and may
    crash the interpreter), so a NetCDF write is checked before it starts.
    """
    room = file_room(folder)
    if room is None or need <= room[0]:
        return
    have, what = room
    raise SimriskError(
        f"{where}: cannot write: the file needs up to {_gib(need)}, {_gib(have)} is {what}"
    )
