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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        with _StopSignals():
            return args.func(args)
    except SimriskError as exc:
        lines = str(exc).splitlines() or [exc.__class__.__name__]
        for line in lines:
            print(f"simrisk {args.command}: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        said = exc.message if isinstance(exc, Stopped) else "interrupted; nothing was written"
        print(f"simrisk {args.command}: {said}", file=sys.stderr)
        return stop_status(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
