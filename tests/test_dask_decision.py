"""The decision layer on dask.distributed: nested EVPPI, design and compare (issue 15).

Every command run on one shared LocalCluster of 2 workers must give exactly
what it gives in this process: every variable of its Dataset and every
number of its JSON. The CLI tests reach the cluster through ``--scheduler``,
so they exercise the flag and share the module's cluster.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from simrisk.core.backends import map_tasks
from simrisk.core.dataset import write_netcdf
from simrisk.decision import _engine
from simrisk.kinds.contract.simulate import simulate
from tests.conftest import DSI_CONFIG, ROOT, eventually, run_cli

distributed = pytest.importorskip("distributed")

PILOT = ROOT / "configs" / "dsi_norddjurs_retention_pilot.toml"
NESTED = ["--nested", "--outer", "6", "--inner", "40"]


@pytest.fixture(scope="module")
def address(backend) -> str:
    return backend.client.scheduler.address


@pytest.fixture(scope="module")
def run_file(dsi_scenario, tmp_path_factory):
    ds = simulate(dsi_scenario, draws=2000, seed=5)
    return write_netcdf(ds, tmp_path_factory.mktemp("dd") / "run.nc")


class _Tasks:
    """The names of the tasks the cluster ran inside the block (from any client)."""

    def __init__(self, backend):
        self.stream = distributed.get_task_stream(backend.client)

    def __enter__(self):
        self.stream.__enter__()
        return self

    def __exit__(self, *exc):
        self.stream.__exit__(*exc)

    def count(self, name: str) -> int:
        return sum(str(t["key"]).startswith(name + "-") for t in self.stream.data)


def _same_arrays(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def _same_dataset(a: xr.Dataset, b: xr.Dataset) -> None:
    assert set(a.variables) == set(b.variables)
    for name in a.variables:
        assert a[name].dtype == b[name].dtype, name
        assert a[name].equals(b[name]), name
    skip = {"created_at"}
    assert {k: v for k, v in a.attrs.items() if k not in skip} == {
        k: v for k, v in b.attrs.items() if k not in skip
    }


def _exact(x):
    """A JSON value with every number replaced by its repr (exact, and NaN equals NaN)."""
    if isinstance(x, dict):
        return {k: _exact(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_exact(v) for v in x]
    if isinstance(x, float):
        return repr(x)
    return x


def _same_json(a: str, b: str) -> None:
    assert _exact(json.loads(a)) == _exact(json.loads(b))


# --- the generic task stream ----------------------------------------------------------------


def _affine(scale, offset, x):
    return scale * x + offset


def test_map_tasks_on_the_cluster_gives_the_local_results_in_order(backend):
    items = [(np.arange(i, i + 5.0),) for i in range(25)]
    local = list(map_tasks(_affine, items, (3.0, 1.0)))
    remote = list(map_tasks(_affine, items, (3.0, 1.0), backend))
    assert len(remote) == 25
    for a, b in zip(local, remote, strict=True):
        np.testing.assert_array_equal(a, b)
    assert eventually(lambda: not backend.client.futures)


def _fail_on(bad, x):
    if x == bad:
        raise ValueError(f"item {x} fails")
    return x


def test_a_failing_task_stops_the_stream_and_leaves_no_futures(backend):
    got = []
    with pytest.raises(ValueError, match="item 7 fails"):
        for x in map_tasks(_fail_on, [(i,) for i in range(30)], (7,), backend):
            got.append(x)
    assert got == list(range(7))
    assert eventually(lambda: not backend.client.futures)


# --- nested runs ------------------------------------------------------------------------------


def test_nested_evppi_draws_on_the_cluster_equal_local(dsi_scenario, backend):
    params = ["retention", "region_use.effect"]
    local = _engine.nested_evppi(dsi_scenario, 3, params, outer=8, inner=60, first=500)
    with _Tasks(backend) as tasks:
        remote = _engine.nested_evppi(
            dsi_scenario, 3, params, outer=8, inner=60, first=500, backend=backend
        )
    assert tasks.count("held_block") >= 2 * 2  # each parameter's rows in several blocks
    for p in params:
        np.testing.assert_array_equal(local[p][0], remote[p][0])
        np.testing.assert_array_equal(local[p][1], remote[p][1])
        assert remote[p][1].shape == (8, 60)
    # each parameter's run is the one-parameter function's, whatever the blocks
    _, one = _engine.nested_evppi_draws(dsi_scenario, 3, "retention", 8, 60, first=500)
    np.testing.assert_array_equal(one, remote["retention"][1])


def test_held_and_nested_runs_on_the_cluster_equal_local(dsi_scenario, backend):
    held = {"retention": np.array([0.1, 0.5, 0.9]), "recruitment": np.array([0.3, 0.6, 0.2])}
    local = _engine.simulate_held(dsi_scenario, 9, held, inner=70, first=40)
    remote = _engine.simulate_held(dsi_scenario, 9, held, inner=70, first=40, backend=backend)
    _same_arrays(local, remote)
    t1, a1 = _engine.simulate_nested(dsi_scenario, 9, outer=12, inner=25)
    t2, a2 = _engine.simulate_nested(dsi_scenario, 9, outer=12, inner=25, backend=backend)
    np.testing.assert_array_equal(t1, t2)
    _same_arrays(a1, a2)
    assert eventually(lambda: not backend.client.futures)


def test_nested_evsi_on_the_cluster_equals_local(dsi_scenario, backend):
    from simrisk.decision.evsi import nested_evsi

    ds = simulate(dsi_scenario, draws=3_000, seed=4, config_text="")
    for study in ("engaged:c1:months=6", "cohort:c1"):
        local = nested_evsi(ds, study, outer=6, inner=40, seed=2)
        remote = nested_evsi(ds, study, outer=6, inner=40, seed=2, backend=backend)
        assert local == remote
    assert eventually(lambda: not backend.client.futures)


def test_cli_voi_nested_on_the_cluster_equals_local(run_file, backend, address, tmp_path):
    base = ["voi", run_file, "--parameter", "retention", "--parameter", "region_use.effect"]
    a = run_cli(*base, *NESTED, "--json", "--out", tmp_path / "a.nc")
    assert a.returncode == 0, a.stderr
    with _Tasks(backend) as tasks:
        b = run_cli(*base, *NESTED, "--json", "--out", tmp_path / "b.nc", "--scheduler", address)
    assert b.returncode == 0, b.stderr
    assert tasks.count("held_block") >= 2 * 2  # both parameters' rows, each in blocks
    _same_json(a.stdout, b.stdout)
    j = json.loads(a.stdout)
    assert j["nested"] == {"outer": 6, "inner": 40, "first_draw": 2000}
    assert set(j["evppi"]["retention"]["nested"]) == {"value", "se", "bias"}
    with xr.open_dataset(tmp_path / "a.nc") as da, xr.open_dataset(tmp_path / "b.nc") as db:
        _same_dataset(da.load(), db.load())
        assert "evppi_nested" in da


def test_cli_voi_dask_flags_need_nested(run_file):
    r = run_cli("voi", run_file, "--workers", "2")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "simrisk voi: error: --workers: only with --nested (the regression EVPPI simulates "
        "nothing)"
    ]
    r = run_cli("voi", run_file, "--parameter", "retention", "--nested", "--outer", "1")
    assert r.returncode == 2
    assert r.stderr.strip() == "simrisk voi: error: --outer 1: must be at least 2"
    r = run_cli("voi", run_file, "--inner", "5")
    assert r.returncode == 2 and "--inner 5: only with --nested" in r.stderr
    r = run_cli("voi", run_file, "--workers", "0", "--nested")
    assert r.returncode == 2 and "--workers" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("voi", run_file, "--workers", "2", "--scheduler", "tcp://x:1", "--nested")
    assert r.returncode == 2 and "not allowed with argument" in r.stderr


def test_cli_variance_on_the_cluster_equals_local(backend, address, tmp_path):
    base = ["variance", DSI_CONFIG, "--outer", "40", "--inner", "10", "--seed", "3", "--json"]
    a = run_cli(*base, "--out", tmp_path / "a.nc")
    assert a.returncode == 0, a.stderr
    with _Tasks(backend) as tasks:
        b = run_cli(*base, "--out", tmp_path / "b.nc", "--scheduler", address)
    assert b.returncode == 0, b.stderr
    assert tasks.count("theta_block") >= 1  # the nested draws ran on the cluster
    _same_json(a.stdout, b.stdout)
    with xr.open_dataset(tmp_path / "a.nc") as da, xr.open_dataset(tmp_path / "b.nc") as db:
        _same_dataset(da.load(), db.load())


# --- compare and design -----------------------------------------------------------------------


def test_scenarios_on_the_cluster_equal_local(backend):
    paths = [str(DSI_CONFIG), str(PILOT)]
    local = _engine.simulate_scenarios(paths, draws=2500, seed=4)
    remote = _engine.simulate_scenarios(paths, draws=2500, seed=4, backend=backend)
    for (pa, a), (pb, b) in zip(local, remote, strict=True):
        assert pa == pb
        _same_dataset(a, b)


def test_cli_compare_on_the_cluster_equals_local(backend, address, tmp_path):
    base = ["compare", DSI_CONFIG, PILOT, "--draws", "2500", "--seed", "4", "--json"]
    a = run_cli(*base, "--out", tmp_path / "a.nc")
    assert a.returncode == 0, a.stderr
    with _Tasks(backend) as tasks:
        b = run_cli(*base, "--out", tmp_path / "b.nc", "--scheduler", address)
    assert b.returncode == 0, b.stderr
    assert tasks.count("chunk_task") >= 2 * 2  # both scenarios, each in chunks
    _same_json(a.stdout, b.stdout)
    with xr.open_dataset(tmp_path / "a.nc") as da, xr.open_dataset(tmp_path / "b.nc") as db:
        _same_dataset(da.load(), db.load())


def test_cli_design_on_the_cluster_equals_local(backend, address, tmp_path):
    base = [
        "design", DSI_CONFIG, "--target", "p_npv_negative<=0.40", "--json", "--quiet",
        "--candidates", "4", "--draws", "2000", "--rescore-draws", "4000",
    ]  # fmt: skip
    a = run_cli(*base, "-o", tmp_path / "a.toml", "--out", tmp_path / "a.nc")
    assert a.returncode == 0, a.stderr
    with _Tasks(backend) as tasks:
        b = run_cli(
            *base, "-o", tmp_path / "b.toml", "--out", tmp_path / "b.nc", "--scheduler", address
        )
    assert b.returncode == 0, b.stderr
    assert tasks.count("score_terms") == 1 + 4 + 16  # one task per candidate
    assert tasks.count("chunk_task") >= 2  # the re-scoring run, in chunks
    _same_json(a.stdout, b.stdout)
    assert json.loads(a.stdout)["candidates"] == 1 + 4 + 16
    with xr.open_dataset(tmp_path / "a.nc") as da, xr.open_dataset(tmp_path / "b.nc") as db:
        _same_dataset(da.load(), db.load())
    # the same chosen terms, written the same way
    ta = (tmp_path / "a.toml").read_text(encoding="utf-8")
    tb = (tmp_path / "b.toml").read_text(encoding="utf-8")
    assert ta == tb


# --- sensitivity ------------------------------------------------------------------------------


def test_cli_sensitivity_on_the_cluster_equals_local(run_file, backend, address, tmp_path):
    base = ["sensitivity", run_file, "--boot", "4", "--pawn-boot", "2", "--json"]
    a = run_cli(*base, "--out", tmp_path / "a.nc")
    assert a.returncode == 0, a.stderr
    with _Tasks(backend) as tasks:
        b = run_cli(*base, "--out", tmp_path / "b.nc", "--scheduler", address)
    assert b.returncode == 0, b.stderr
    assert tasks.count("pawn_median") == 1 + 2  # the estimate and each subsample
    _same_json(a.stdout, b.stdout)
    with xr.open_dataset(tmp_path / "a.nc") as da, xr.open_dataset(tmp_path / "b.nc") as db:
        _same_dataset(da.load(), db.load())
