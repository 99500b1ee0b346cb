"""`simrisk run`, `simrisk summary` and `simrisk bench` from the outside."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from simrisk.cli import main
from simrisk.core.dataset import open_result, write_netcdf
from simrisk.core.errors import SimriskError
from simrisk.kinds.contract.simulate import simulate
from simrisk.kinds.contract.summary import summarize

from .conftest import DSI_CONFIG
from .conftest import run_cli as _cli


def test_run_writes_netcdf_and_json_summary(tmp_path):
    out = tmp_path / "r.nc"
    proc = _cli(
        "run",
        str(DSI_CONFIG),
        "--draws",
        "3000",
        "--seed",
        "4",
        "--out",
        str(out),
        "--json",
        "--quiet",
    )
    assert proc.returncode == 0, proc.stderr
    s = json.loads(proc.stdout)
    for key in (
        "draws",
        "seed",
        "p_loss_nominal",
        "p_loss_nominal_se",
        "p_npv_negative",
        "p_npv_negative_se",
        "es5_npv",
    ):
        assert key in s
    assert s["draws"] == 3000 and s["seed"] == 4
    for key in ("irr", "npv"):
        assert {"mean", "p5", "p50", "p95"} <= set(s[key])
    assert "mean" in s["deadweight_share"]
    # The authorities' net saving on both bases, labelled, each with SEs.
    assert list(s["net_saving"]) == ["note_method", "modelled"]
    for basis in ("note_method", "modelled"):
        for a in ("region", "municipality"):
            d = s["net_saving"][basis][a]
            for k in ("mean", "p5", "p50", "p95", "p_negative"):
                assert k in d and f"{k}_se" in d, (basis, a, k)
            assert "cost_per_caused_success" in d
        assert basis in s["saving_bases"]
    for g in ("region_use", "municipal_use", "life_satisfaction"):
        assert "mean" in s["deadweight_share_by_goal"][g]
    for payer in ("region", "municipality", "ostifterne", "total"):
        assert {"mean", "p5", "p50", "p95"} <= set(s["repayments"][payer])
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    ds = open_result(out)
    assert ds.sizes["draw"] == 3000
    for attr in ("simrisk_version", "created_at", "config", "seed", "draws", "chunk_size"):
        assert attr in ds.attrs
    assert "[investor]" in ds.attrs["config"]
    again = _cli("summary", str(out), "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout) == s


def test_summary_from_file_equals_summary_in_memory(tmp_path, dsi_scenario):
    ds = simulate(dsi_scenario, draws=2000, seed=1)
    path = write_netcdf(ds, tmp_path / "x.nc")
    assert summarize(open_result(path)) == summarize(ds)


def test_summary_figures_against_the_draws(dsi_scenario):
    ds = simulate(dsi_scenario, draws=5000, seed=12)
    s = summarize(ds)
    npv = ds["npv"].values
    assert s["p_npv_negative"] == pytest.approx((npv < 0).mean())
    p = s["p_npv_negative"]
    assert s["p_npv_negative_se"] == pytest.approx(np.sqrt(p * (1 - p) / 5000))
    assert s["es5_npv"] <= s["var5_npv"] <= s["npv"]["p50"]
    assert s["es5_npv"] == pytest.approx(npv[npv <= np.quantile(npv, 0.05)].mean())
    total = ds["repayments_total"].values
    assert s["p_loss_nominal"] == pytest.approx((total < 5_450_000).mean())


def test_human_summary_and_default_output(tmp_path):
    proc = _cli("run", str(DSI_CONFIG), "--draws", "500", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "P(NPV < 0)" in proc.stdout
    assert (tmp_path / "results" / "dsi_norddjurs.nc").is_file()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", str(DSI_CONFIG), "--draws", "0"], "positive whole number"),
        (["run", str(DSI_CONFIG), "--seed", "-3"], "non-negative"),
        (["run", str(DSI_CONFIG), "--threads", "999", "--draws", "1000"], "threads = 999"),
        (["run", str(DSI_CONFIG), "--out", "/nonexistent/dir/x.nc"], "does not exist"),
        (["summary", str(DSI_CONFIG)], "not a NetCDF file"),
        (["summary", "missing.nc"], "file not found"),
    ],
)
def test_bad_run_arguments(args, fragment, tmp_path):
    proc = _cli(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert fragment in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_not_a_simrisk_result(tmp_path):
    import xarray as xr

    path = tmp_path / "other.nc"
    xr.Dataset({"x": ("t", np.arange(3))}).to_netcdf(path, engine="h5netcdf")
    with pytest.raises(SimriskError, match="not a simrisk result"):
        open_result(path)


def test_config_without_model_cannot_run(tmp_path):
    text = DSI_CONFIG.read_text(encoding="utf-8")
    cut = text.index("# Monte Carlo model")
    path = tmp_path / "nomodel.toml"
    path.write_text(text[:cut], encoding="utf-8")
    proc = _cli("run", str(path), "--draws", "10")
    assert proc.returncode == 2
    assert "no [model] section" in proc.stderr


def test_interrupt_writes_nothing(tmp_path, monkeypatch, capsys):
    import simrisk.kinds.contract.simulate as driver

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    # in the first chunk, once the streamed run's partial file exists
    monkeypatch.setattr(driver, "make_fill", lambda inp, spec: boom)
    out = tmp_path / "r.nc"
    status = main(["run", str(DSI_CONFIG), "--draws", "1000", "--out", str(out)])
    assert status == 130
    assert list(tmp_path.iterdir()) == []
    assert "nothing was written" in capsys.readouterr().err


@pytest.mark.slow(short=False)  # simrisk bench times kernels: a performance run
def test_bench_json_keys():
    proc = _cli("bench", "--draws", "2000", "--json")
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    for key in ("kernel_cohorts_per_s", "reference_cohorts_per_s", "ratio", "threads"):
        assert key in r
    assert r["ratio"] == pytest.approx(r["kernel_cohorts_per_s"] / r["reference_cohorts_per_s"])


def _saved_draws(folder) -> int:
    """Draws saved in the partial file in ``folder``, read without the writer's HDF5 lock."""
    import h5py

    for part in folder.glob(".*.part.nc"):
        try:
            with h5py.File(part, "r", locking=False) as f:
                return int(f.attrs["simrisk_partial_draws_done"])
        except Exception:  # met a write in progress: ask again
            return 0
    return 0


def test_ctrl_c_saves_a_checkpoint_and_the_rerun_resumes(tmp_path):
    import signal
    import time

    def args(out):
        return [
            sys.executable,
            "-m",
            "simrisk",
            "run",
            str(DSI_CONFIG),
            # 49 chunks: the signal comes after the first is saved, long before the last
            "--draws",
            "100000",
            "--seed",
            "3",
            "--chunk-size",
            "2048",
            "--out",
            str(out),
            "--quiet",
            "--json",
        ]

    out = tmp_path / "r.nc"
    proc = subprocess.Popen(args(out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _saved_draws(tmp_path) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # imports, then the first chunk saved
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "run the same command to resume" in err
    assert "Traceback" not in err
    (ckpt,) = tmp_path.glob(".r.nc.*.part.nc")  # the partial file is the checkpoint
    assert not out.exists() and ckpt.is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    # The rerun resumes; its result equals that of the same run done in one go.
    resumed = subprocess.run(args(out), capture_output=True, text=True, check=True)
    assert out.is_file() and not ckpt.exists()
    whole = subprocess.run(args(tmp_path / "whole.nc"), capture_output=True, text=True, check=True)
    assert json.loads(resumed.stdout) == json.loads(whole.stdout)
