"""WELLBY bands: the source's central figures, coverage, scores input, CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from simrisk.core.errors import SimriskError
from simrisk.kinds.wellby import load_wellby, read_scores, run_wellby
from simrisk.kinds.wellby.simulate import (
    bootstrap_mean_draws,
    expansion_factor,
    persistence_factor,
)

from .conftest import ROOT

WELLBY_CONFIG = ROOT / "configs" / "opi_aims_wellby.toml"


@pytest.fixture(scope="module")
def result():
    cfg, _ = load_wellby(WELLBY_CONFIG)
    return run_wellby(cfg, draws=40_000, seed=1)


def test_central_figures_are_the_source_arithmetic(result):
    s = result.summary
    assert s["pilot"]["total_wellby"]["central"] == pytest.approx(17)
    assert s["pilot"]["value_dkk"]["central"] == pytest.approx(17 * 115_700)
    assert s["pilot"]["per_completer_wellby"]["central"] == pytest.approx(17 / 22)
    want = {"a": 0.44 * 0.77, "b": 0.60 * 1.1}
    for p in s["projections"]:
        factor = want[p["scenario"][0]]
        assert p["value_dkk"]["central"] == pytest.approx(p["recruited"] * factor * 115_700)
        assert p["investment_dkk"] == 480 * p["recruited"]
    # The source's largest projection: 2,500 x 60% x 1.1 x 115,700 = 190,905,000 DKK.
    assert max(p["value_dkk"]["central"] for p in s["projections"]) == pytest.approx(190_905_000)


def test_bands_are_ordered_and_contain_the_centre(result):
    s = result.summary
    blocks = [
        s["pilot"]["total_wellby"],
        s["pilot"]["value_dkk"],
        s["goal3_success_probability"],
        *[p["value_dkk"] for p in s["projections"]],
    ]
    for b in blocks:
        assert b["lower95"] <= b["lower90"] <= b["lower80"] <= b["median"]
        assert b["median"] <= b["upper80"] <= b["upper90"] <= b["upper95"]
        assert b["lower95"] <= b["central"] <= b["upper95"]


def test_goal3_probability_closed_form(result):
    g = result.summary["goal3_success_probability"]
    # Latent change N(17/22, 1.5); a rise needs >= 0.5 from below the top (6% at 10).
    assert g["central"] == pytest.approx(0.94 * stats.norm.cdf((17 / 22 - 0.5) / 1.5))
    assert g["upper90"] < g["dsi_assumed"]


def test_completion_band_is_the_beta_posterior(result):
    b = result.summary["pilot"]["completion_rate"]
    lo, hi = stats.beta(23, 29).ppf([0.05, 0.95])
    se = 0.01  # 40,000 draws: quantile error far below 1 point
    assert b["lower90"] == pytest.approx(lo, abs=se)
    assert b["upper90"] == pytest.approx(hi, abs=se)


def test_persistence_factor():
    assert persistence_factor([1.0], 0.0, 0.0)[0] == 1.0
    assert persistence_factor([2.0], 0.0, 0.015)[0] == pytest.approx(1 + 1 / 1.015)
    assert persistence_factor([1.5], 0.5, 0.0)[0] == pytest.approx(1 + 0.5 * 0.5)
    assert persistence_factor([0.5], 0.0, 0.0)[0] == 0.5


def _truth(w, mu, sig):
    # E[end - start] for end = clip(round(start + N(mu, sig)), 0, 10).
    total = 0.0
    ks = np.arange(11)
    for s0 in range(11):
        lo = stats.norm.cdf((ks - 0.5 - s0 - mu) / sig)
        hi = stats.norm.cdf((ks + 0.5 - s0 - mu) / sig)
        p = hi - lo
        p[0] = hi[0]
        p[-1] = 1 - lo[-1]
        total += w[s0] * ((ks - s0) * p).sum()
    return total


def test_coverage_of_the_90_percent_interval_at_n_22():
    # Synthetic integer 0-10 data, n = 22; 2,000 repetitions. Expanded Bayesian
    # bootstrap (the method used for paired scores). Coverage SE ~ 0.7 points.
    rng = np.random.default_rng(20261123)
    w = np.array([0.02, 0.02, 0.04, 0.07, 0.09, 0.16, 0.14, 0.15, 0.17, 0.08, 0.06])
    mu, sig, n, reps = 0.77, 1.5, 22, 2000
    truth = _truth(w, mu, sig)
    hits = 0
    for _ in range(reps):
        start = rng.choice(11, size=n, p=w)
        end = np.clip(np.floor(start + mu + sig * rng.standard_normal(n) + 0.5), 0, 10)
        draws, _ = bootstrap_mean_draws(end - start, 4000, rng)
        lo, hi = np.quantile(draws, [0.05, 0.95])
        hits += lo <= truth <= hi
    coverage = hits / reps
    assert 0.88 <= coverage <= 0.92, coverage


def test_expansion_factor():
    assert expansion_factor(22) == pytest.approx(
        np.sqrt(22 / 21) * stats.t.ppf(0.95, 21) / stats.norm.ppf(0.95)
    )
    assert expansion_factor(10_000) == pytest.approx(1.0, abs=1e-3)


def test_scores_csv_drives_the_mean(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text(
        "id,before,after\n"
        + "".join(
            f"{i},{b},{a}\n" for i, (b, a) in enumerate([(5, 7), (8, 8), (3, 5), (6, 6), (7, 9)])
        ),
        encoding="utf-8",
    )
    scores = read_scores(path)
    assert scores.shape == (5, 2)
    cfg, _ = load_wellby(WELLBY_CONFIG)
    res = run_wellby(cfg, scores=scores, draws=5000, seed=2)
    assert res.summary["pilot"]["mean_change"]["central"] == pytest.approx(6 / 5)
    assert "Bayesian bootstrap of 5 paired changes" in res.summary["method"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("id,before,after\n1,5,7\n2,11,3\n", "line 3: before = 11: must be from 0 to 10"),
        ("id,before,after\n1,5,x\n2,4,3\n", "line 2: after = 'x': must be a whole number"),
        ("id,before,after\n1,5,7\n2,4.5,3\n", "line 3: before = '4.5'"),
        ("id,pre,post\n1,5,7\n", "line 1: the header needs columns before,after"),
        ("id,before,after\n1,5,7\n", "needs at least 2 participants"),
    ],
)
def test_bad_scores_are_reported_with_line_numbers(tmp_path, text, fragment):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SimriskError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        read_scores(path)


def test_cli_json_keys_netcdf_and_plot(tmp_path):
    out, png = tmp_path / "w.nc", tmp_path / "fan.png"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "simrisk",
            "wellby",
            str(WELLBY_CONFIG),
            "--json",
            "--draws",
            "20000",
            "--out",
            str(out),
            "--plot",
            str(png),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    s = json.loads(proc.stdout)
    for key in ("total_wellby", "value_dkk"):
        assert {"central", "lower90", "upper90"} <= set(s["pilot"][key])
    p0 = s["projections"][0]
    assert {"scenario", "recruited"} <= set(p0)
    assert {"central", "lower90", "upper90"} <= set(p0["value_dkk"])
    assert {"central", "lower90", "upper90"} <= set(s["goal3_success_probability"])
    import xarray as xr

    ds = xr.load_dataset(out, engine="h5netcdf")
    assert list(ds["ci_bound"].values) == ["lower", "upper"]
    assert list(ds["ci_prob"].values) == [0.8, 0.9, 0.95]
    assert ds["pilot_value_band"].sel(ci_prob=0.9, ci_bound="lower") == pytest.approx(
        s["pilot"]["value_dkk"]["lower90"]
    )
    assert png.stat().st_size > 10_000


def test_cli_bad_scores_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("before,after\n3,4\n12,4\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "simrisk", "wellby", str(WELLBY_CONFIG), "--scores", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "line 3: before = 12" in proc.stderr
    assert "Traceback" not in proc.stderr
