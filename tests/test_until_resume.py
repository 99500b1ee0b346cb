"""``--until`` runs keep a checkpoint and resume it; the stopping rule continues where it was.

Issue 25: an interrupted ``simrisk run --until`` started from zero. Its
blocks are now saved as they complete, and a rerun takes them back, replays
the schedule of checks to where they end and goes on: it stops at the same
draw count as an uninterrupted run, with the same draws, bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from simrisk.core.driver import checkpoint_for
from simrisk.decision._engine import _last_check, simulate_until
from simrisk.kinds.contract.loader import load_scenario
from tests.conftest import DSI_CONFIG

STEP, MIN, MAX = 1000, 3000, 20_000


def _stop_at(n: int):
    """A check that is met once ``n`` draws are done, counting its calls."""
    calls: list[int] = []

    def check(ds) -> bool:
        calls.append(ds.sizes["draw"])
        return ds.sizes["draw"] >= n

    return check, calls


def _until(sc, text, check, prefix=None, progress=None):
    return simulate_until(
        sc, 5, check, STEP, MAX, min_draws=MIN, config_text=text, progress=progress,
        checkpoint_path=prefix,
    )  # fmt: skip


def test_the_replayed_schedule_is_the_run_s():
    done, last, checks = 0, 0, []
    while done < MAX:
        done += min(STEP, MAX - done)
        if done >= MAX or (done >= MIN and done >= last * 1.1):
            last = done
            checks.append(done)
    for d in range(0, MAX + 1, STEP):
        expect = max([c for c in checks if c <= d], default=0)
        assert _last_check(d, STEP, MAX, MIN, 0.1) == expect


@pytest.mark.parametrize("blocks", [2, 4, 7])
def test_an_interrupted_until_run_resumes_to_the_same_result(tmp_path, blocks):
    sc, text = load_scenario(DSI_CONFIG)
    check, clean_calls = _stop_at(8000)
    clean = _until(sc, text, check)
    prefix = tmp_path / ".r.nc.checkpoint"
    seen = {"n": 0}

    def stop_after(n: int) -> None:
        seen["n"] += 1
        if seen["n"] >= blocks:
            raise KeyboardInterrupt

    check1, _ = _stop_at(8000)
    with pytest.raises(KeyboardInterrupt):
        _until(sc, text, check1, prefix, progress=stop_after)
    saved = checkpoint_for(prefix).saved
    assert saved == blocks * STEP
    check2, calls = _stop_at(8000)
    resumed = _until(sc, text, check2, prefix)
    assert checkpoint_for(prefix).resumed_from == saved
    assert resumed.sizes["draw"] == clean.sizes["draw"] == 8000
    # the checks after the resume are the uninterrupted run's (and one again where it stopped)
    assert calls == [c for c in clean_calls if c >= saved]
    for name in clean.data_vars:
        np.testing.assert_array_equal(resumed[name].values, clean[name].values, err_msg=name)


def test_a_checkpoint_of_another_schedule_is_refused(tmp_path):
    from simrisk.core.errors import SimriskError

    sc, text = load_scenario(DSI_CONFIG)
    prefix = tmp_path / ".r.nc.checkpoint"
    check, _ = _stop_at(10**9)
    seen = {"n": 0}

    def stop(n):
        seen["n"] += 1
        if seen["n"] >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _until(sc, text, check, prefix, progress=stop)
    # the same prefix, another seed: another identity, so another folder; nothing shared
    other = simulate_until(
        sc, 6, _stop_at(3000)[0], STEP, MAX, min_draws=MIN, config_text=text,
        checkpoint_path=prefix,
    )  # fmt: skip
    assert checkpoint_for(prefix).resumed_from == 0 and other.sizes["draw"] == 3000
    # a folder under this run's name with another identity inside is refused
    ck = checkpoint_for(prefix)
    (ck.path / "identity.json").write_text('{"seed": 1}', encoding="utf-8")
    with pytest.raises(SimriskError, match="different run"):
        simulate_until(
            sc, 6, _stop_at(3000)[0], STEP, MAX, min_draws=MIN, config_text=text,
            checkpoint_path=prefix,
        )  # fmt: skip


@pytest.mark.parametrize("out", ["r.nc", "-"])
def test_run_until_resumes_from_the_command_line(out, tmp_path, monkeypatch, capsys):
    import json

    import simrisk.decision._engine as engine
    from simrisk.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    argv = ["run", str(DSI_CONFIG), "--until", "p_npv_negative:se<0.004", "--seed", "3"]
    argv += ["--chunk-size", "2000", "--quiet", "--json", "--out", out]
    clean = tmp_path / "clean"
    clean.mkdir()
    monkeypatch.chdir(clean)
    assert main([*argv[:-1], "c.nc"]) == 0
    first = json.loads(capsys.readouterr().out)
    monkeypatch.chdir(tmp_path)
    real, calls = engine._run, {"n": 0}

    def failing(*a, **k):
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt
        return real(*a, **k)

    with monkeypatch.context() as m:
        m.setattr(engine, "_run", failing)
        assert main(argv) == 130
    err = capsys.readouterr().err
    assert "6,000 draws are saved in" in err, err
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "resumed 6,000 draws" in captured.err, captured.err
    again = json.loads(captured.out)
    assert again["until"] == first["until"] and again["draws"] == first["draws"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["clean", *(["r.nc"] if out != "-" else [])]
    )
    if out != "-":
        import xarray as xr

        with (
            xr.open_dataset(tmp_path / "r.nc", engine="h5netcdf") as x,
            xr.open_dataset(clean / "c.nc", engine="h5netcdf") as y,
        ):
            x.attrs.pop("created_at")  # the --until path stamps the time it ran
            y.attrs.pop("created_at")
            assert x.identical(y)
