"""Long decision commands keep their completed work: a rerun after a kill reuses it.

``voi --nested`` and ``variance`` keep each completed block of nested draws
(:class:`simrisk.core.driver.TaskStore`), ``compare`` each scenario's
completed chunks (a checkpoint per scenario); the same command run again
reuses them and gives the same result, bit for bit.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import simrisk.decision._engine as engine
from simrisk.cli import main
from simrisk.core.driver import TaskStore
from simrisk.kinds.contract.loader import load_scenario
from tests.conftest import DSI_CONFIG, interrupt_after


def test_a_task_store_keeps_whole_results_and_refuses_nothing_half_made(tmp_path):
    store = TaskStore(tmp_path / ".x.keep", {"a": 1})
    items = list(range(5))
    seen = []

    def results_of(todo):
        for i in todo:
            seen.append(i)
            if len(seen) == 3:
                raise KeyboardInterrupt
            yield {"v": np.full(3, i)}

    with pytest.raises(KeyboardInterrupt):
        list(store.map(results_of, items))
    again = TaskStore(tmp_path / ".x.keep", {"a": 1})
    seen.clear()
    got = list(again.map(lambda todo: ({"v": np.full(3, i)} for i in todo), items))
    assert again.kept == 2 and [int(g["v"][0]) for g in got] == items
    # another identity: another folder, nothing reused
    other = TaskStore(tmp_path / ".x.keep", {"a": 2})
    assert other.load() == {} and other.path != again.path
    # a folder whose identity was never written (killed while made) is discarded with a note
    (again.path / "identity.json").unlink()
    third = TaskStore(tmp_path / ".x.keep", {"a": 1})
    assert third.load() == {} and "discarded" in third.notes[0]


def test_variance_reuses_the_blocks_of_an_interrupted_run(tmp_path, monkeypatch):
    sc, _ = load_scenario(DSI_CONFIG)
    monkeypatch.setattr(engine, "_TASK_ROWS", 500)
    clean = engine.nested_variance(sc, 4, 40, 50)
    keep = tmp_path / ".v.nc.variance.keep"
    real, calls = engine._theta_block, {"n": 0}

    def failing(*a):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt
        return real(*a)

    with monkeypatch.context() as m:
        m.setattr(engine, "_theta_block", failing)
        with pytest.raises(KeyboardInterrupt):
            engine.nested_variance(sc, 4, 40, 50, keep=keep)
    again = engine.nested_variance(sc, 4, 40, 50, keep=keep)
    assert engine.store_for(keep).kept == 2
    for name in clean.data_vars:
        np.testing.assert_array_equal(again[name].values, clean[name].values, err_msg=name)


def test_voi_nested_reuses_the_outer_draws_of_an_interrupted_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(engine, "_TASK_ROWS", 2000)
    assert main(["run", str(DSI_CONFIG), "--draws", "2000", "--out", "r.nc", "--quiet"]) == 0
    capsys.readouterr()
    argv = ["voi", "r.nc", "--nested", "--parameter", "recruitment", "--outer", "20"]
    argv += ["--inner", "400", "--json"]
    assert main(argv) == 0
    clean = json.loads(capsys.readouterr().out)
    real, calls = engine._held_block, {"n": 0}

    def failing(*a):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt
        return real(*a)

    with monkeypatch.context() as m:
        m.setattr(engine, "_held_block", failing)
        assert main(argv) == 130
    capsys.readouterr()
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "reused 2 blocks of outer draws" in captured.err, captured.err
    assert json.loads(captured.out) == clean
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.nc"]


def test_compare_resumes_each_scenario(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    other = DSI_CONFIG.with_name("dsi_norddjurs_recruitment_shortfall.toml")
    argv = ["compare", str(DSI_CONFIG), str(other), "--draws", "12000", "--json"]
    argv += ["--seed", "2"]
    assert main(argv) == 0
    clean = json.loads(capsys.readouterr().out)
    with monkeypatch.context() as m:
        interrupt_after(m, 3)  # the first scenario (2 chunks), one chunk of the second
        assert main(argv) == 130
    capsys.readouterr()
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "reused" in captured.err and "draws kept by an interrupted run" in captured.err
    assert json.loads(captured.out) == clean
    assert list(tmp_path.iterdir()) == []
