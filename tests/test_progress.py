"""Progress on a terminal, quiet elsewhere: a long command under a pseudo-terminal.

``simrisk report RUN.nc -o page.html`` runs once with its stderr on a
pseudo-terminal (as a person at a terminal sees it): a tqdm progress line
appears. Once with stderr on a pipe (a script, a log, CI): no progress line
and no carriage returns. The output is the same file either way.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("altair", reason="the HTML page needs the extra simrisk[html]")

CMD = [sys.executable, "-m", "simrisk", "report"]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    import simrisk

    out = tmp_path_factory.mktemp("progress") / "pool.nc"
    simrisk.run(ROOT / "configs" / "regionh_ai_pool.toml", draws=400, seed=1, out=out)
    return out


def _on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal; returns the exit code and what the terminal got."""
    master, slave = pty.openpty()
    # a terminal has a size (tqdm draws nothing on a 0-column one)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, cwd=cwd
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal's other end closed: the process is done
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    proc.stdout.read()
    proc.stdout.close()
    return proc.wait(timeout=300), seen.decode("utf-8", "replace")


def test_progress_on_a_terminal_only(result, tmp_path):
    code, terminal = _on_a_terminal([*CMD, str(result), "-o", "a.html"], tmp_path)
    assert code == 0, terminal
    # tqdm's line: the description, a counter and the elapsed time, redrawn with \r
    assert "HTML page:" in terminal and "\r" in terminal, terminal
    piped = subprocess.run(
        [*CMD, str(result), "-o", "b.html"], capture_output=True, text=True, cwd=tmp_path
    )
    assert piped.returncode == 0, piped.stderr
    assert "HTML page" not in piped.stderr and "\r" not in piped.stderr, piped.stderr
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
