"""The ``simrisk`` command line.

The CLI only parses arguments, calls the library and prints. Every error a
user can cause (bad config, bad argument, unreadable file) is printed as one
line on stderr with exit status 2, never a traceback.

One module per command (or command group), each with ``add_parser(sub)``
and ``run(args)``; :data:`COMMANDS` lists them in the order ``--help``
shows them. Each imports what it needs when run, so ``simrisk --help`` and
``simrisk ledger`` start without numba, xarray or scipy.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from simrisk._version import __version__
from simrisk.cli import (
    acceptability,
    bench,
    compare,
    design,
    evsi,
    example,
    export,
    ledger,
    monitor,
    report,
    run,
    sensitivity,
    summary,
    variance,
    voi,
    wellby,
)
from simrisk.cli._common import EXIT_USAGE, Parser, stop_status
from simrisk.core.errors import SimriskError, Stopped

__all__ = ["COMMANDS", "main"]

#: the command modules, in the order of ``simrisk --help``
COMMANDS = (
    ledger,
    run,
    summary,
    wellby,
    report,
    export,
    design,
    example,
    sensitivity,
    voi,
    acceptability,
    variance,
    compare,
    monitor,
    evsi,
    bench,
)


def _build_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="simrisk",
        description="Monte Carlo risk simulation for outcome-based social investments.",
        epilog="Start with the shipped examples: 'simrisk example --list', then e.g. "
        "'simrisk example dsi_norddjurs -o .' and 'simrisk run dsi_norddjurs.toml'. The "
        "documentation (every command, the model, the config keys) is the docs/ folder of "
        "simrisk's source.",
    )
    p.add_argument("--version", action="version", version=f"simrisk {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(sub)
    return p


class _StopSignals:
    """SIGTERM and SIGHUP stop a command the way Ctrl-C does (progress saved, exit 128 + n).

    Installed only in the main thread, and the previous handlers are put back,
    so calling :func:`main` from a test or a notebook leaves no trace.
    """

    def __enter__(self):
        import signal
        import threading

        from simrisk.core.errors import Interrupted

        def stop(signum, frame):
            raise Interrupted(signum)

        self.saved = {}
        if threading.current_thread() is threading.main_thread():
            for name in ("SIGTERM", "SIGHUP"):
                sig = getattr(signal, name, None)
                # an ignored signal stays ignored (nohup ignores SIGHUP on purpose)
                if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:
                    self.saved[sig] = signal.signal(sig, stop)
        return self

    def __exit__(self, *exc):
        import signal

        for sig, old in self.saved.items():
            signal.signal(sig, old)


#: exit status after a broken pipe on stdout (``simrisk ... | head -1``): 128 + SIGPIPE,
#: what a shell shows for a program the pipe stopped, with nothing said
EXIT_PIPE = 141


class _StdoutFailed(Exception):
    """Writing standard output failed (broken pipe, disk full): not a file the user named."""

    def __init__(self, exc: OSError):
        super().__init__(exc)
        self.exc = exc


class _GuardedStdout:
    """``sys.stdout`` whose write and flush errors are told apart from the commands' own."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise _StdoutFailed(exc) from None

    def flush(self):
        try:
            return self._stream.flush()
        except OSError as exc:
            raise _StdoutFailed(exc) from None

    def __getattr__(self, name):
        return getattr(self._stream, name)


_ASCII = {
    "æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa", "é": "e",
    "≥": ">=", "≤": "<=", "−": "-", "–": "-", "—": "--", "·": ".", "×": "x", "…": "...",
    "±": "+/-", "≈": "~", "→": "->", "‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " ",
    "\u202f": " ", "\u2009": " ", "²": "2", "³": "3", "½": "1/2", "°": " deg",
}  # fmt: skip


def _transliterate(err: UnicodeEncodeError):
    text = err.object[err.start : err.end]
    return "".join(_ASCII.get(c, "?") for c in text), err.end


def _plain_text_streams() -> None:
    """A stdout or stderr that cannot encode Danish letters (``PYTHONIOENCODING=ascii``, a
    Latin-1 terminal) gets them spelled out (ø as oe, ≥ as >=) instead of a UnicodeEncodeError."""
    import codecs

    try:
        codecs.lookup_error("simrisk-plain")
    except LookupError:
        codecs.register_error("simrisk-plain", _transliterate)
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            "æøå≥−·–".encode(encoding)
            continue
        except (UnicodeEncodeError, LookupError):
            pass
        try:
            stream.reconfigure(errors="simrisk-plain")
        except (AttributeError, ValueError, OSError):
            pass


def _quiet_stdout() -> None:
    """Point the stdout file descriptor at /dev/null so the interpreter's exit flush is quiet."""
    import os

    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _say(command: str | None, line: str) -> None:
    try:
        print(f"simrisk {command or ''}: error: {line}".replace("simrisk :", "simrisk:"),
              file=sys.stderr)  # fmt: skip
    except (OSError, ValueError):
        pass


def _unraisable(hook):
    """A ``sys.unraisablehook`` that drops h5py's errors while freeing a file a failed write
    left behind (they would print tracebacks; the write's own error says it in one line)."""

    def drop(info) -> None:
        from simrisk.core.errors import write_failure

        text = f"{info.exc_value!r} {info.object!r}"
        if "h5py" in text or (info.exc_value is not None and "errno = " in str(info.exc_value)):
            write_failure(info.exc_value)
            return
        hook(info)

    return drop


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    status = _main(argv)
    from simrisk.core.errors import HDF5_WRITE_FAILED

    if argv is None and HDF5_WRITE_FAILED[0]:
        # HDF5 failed a write (disk full, ulimit -f) and would crash the interpreter's exit
        # (a segmentation fault while it closes its files): end the process here, quietly
        import os

        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(status)
    return status


def _main(argv: Sequence[str] | None) -> int:
    _plain_text_streams()
    saved_hook = sys.unraisablehook
    sys.unraisablehook = _unraisable(saved_hook)
    try:
        return _main_guarded(argv)
    finally:
        sys.unraisablehook = saved_hook


def _main_guarded(argv: Sequence[str] | None) -> int:
    real = sys.stdout
    guarded = _GuardedStdout(real)
    sys.stdout = guarded
    command = None
    try:
        try:
            parser = _build_parser()
            args = parser.parse_args(argv)
            command = args.command
            status = _run(args, guarded)
            guarded.flush()
            return status
        finally:
            if sys.stdout is guarded:
                sys.stdout = real
    except _StdoutFailed as failed:
        import errno

        if isinstance(failed.exc, BrokenPipeError) or failed.exc.errno == errno.EPIPE:
            _quiet_stdout()  # `simrisk ... | head -1`: the reader has all it wanted
            return EXIT_PIPE
        _quiet_stdout()
        why = failed.exc.strerror or failed.exc.__class__.__name__
        _say(command, f"cannot write to standard output ({why})")
        return EXIT_USAGE


def _run(args, stdout) -> int:
    """The command, with its errors as one line each."""
    from simrisk.cli import _common

    json_mode = bool(getattr(args, "json", False))
    try:
        with _StopSignals():
            if not json_mode:
                return args.func(args)
            # --json: only the JSON on stdout; anything else a library prints goes to stderr
            _common.JSON_STDOUT.append(stdout)
            sys.stdout = sys.stderr
            try:
                return args.func(args)
            finally:
                sys.stdout = stdout
                _common.JSON_STDOUT.pop()
    except SimriskError as exc:
        lines = str(exc).splitlines() or [exc.__class__.__name__]
        for line in lines:
            _say(args.command, line)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        said = exc.message if isinstance(exc, Stopped) else "interrupted; nothing was written"
        print(f"simrisk {args.command}: {said}", file=sys.stderr)
        return stop_status(exc)
    except _StdoutFailed:
        raise
    except MemoryError:
        _say(
            args.command,
            "out of memory; ask for fewer draws (--draws, --max-draws) or run where more "
            "memory is allowed (ulimit -v, the batch job's memory)",
        )
        return EXIT_USAGE
    except Exception as exc:
        # the last guard: a file-system error (or HDF5's, with an errno inside) that no
        # writer turned into its own line naming its file
        from simrisk.core.errors import write_failure

        why = write_failure(exc)
        if why is None:
            raise
        where = getattr(exc, "filename", None)
        _say(args.command, f"{where}: {why}" if where else why)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
