"""The committee's PDF report: pages, languages, figures, bad input."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from simrisk.core.dataset import write_netcdf
from simrisk.core.errors import SimriskError
from simrisk.kinds.contract import simulate
from simrisk.kinds.wellby import load_wellby, run_wellby
from simrisk.kinds.wellby.dataset import wellby_dataset
from simrisk.plot import Fmt
from simrisk.report import build_report

from .conftest import DSI_CONFIG, ROOT


@pytest.fixture(scope="module")
def run_ds(dsi_scenario):
    return simulate(
        dsi_scenario, draws=4000, seed=3, config_text=DSI_CONFIG.read_text(encoding="utf-8")
    )


@pytest.fixture(scope="module")
def wellby_ds():
    cfg, text = load_wellby(ROOT / "configs" / "opi_aims_wellby.toml")
    return wellby_dataset(run_wellby(cfg, draws=4000, seed=1), config_text=text)


def _pages(pdf) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


def test_number_formats():
    en, da = Fmt("en"), Fmt("da")
    assert en.dkk(1234567) == "1,234,567 DKK"
    assert da.dkk(1234567) == "1.234.567 kr."
    assert en.pct(0.115) == "11.5%"
    assert da.pct(0.115) == "11,5 %"
    assert da.dkk(-2500) == "−2.500 kr."
    with pytest.raises(ValueError):
        Fmt("de")


@pytest.mark.parametrize("lang", ["en", "da"])
def test_report_pages_and_figures(run_ds, wellby_ds, tmp_path, lang):
    pdf = tmp_path / f"report_{lang}.pdf"
    figs = tmp_path / "figs"
    pages = build_report(run_ds, pdf, lang=lang, figures=figs, wellby=wellby_ds)
    assert pages == [
        "answer",
        "irr_npv",
        "npv_cdf",
        "repayment_curve",
        "cash_flow",
        "net_saving",
        "deadweight",
        "wellby",
        "assumptions",
    ]
    assert _pages(pdf) == len(pages)
    for k, name in enumerate(pages, start=1):
        for ext in ("png", "svg"):
            assert (figs / f"page_{k:02d}_{name}.{ext}").stat().st_size > 5000
    assert not list(tmp_path.glob(".*.part"))


def test_report_without_wellby_has_no_wellby_page(run_ds, tmp_path):
    pages = build_report(run_ds, tmp_path / "r.pdf")
    assert "wellby" not in pages


def test_danish_text_in_svg(run_ds, tmp_path):
    figs = tmp_path / "figs"
    build_report(run_ds, tmp_path / "r.pdf", lang="da", figures=figs)
    svg = (figs / "page_01_answer.svg").read_text(encoding="utf-8")
    assert "Svaret" in svg and "kr." in svg


def test_missing_variable_is_named_and_nothing_is_written(run_ds, tmp_path):
    bad = run_ds.drop_vars("deadweight_share")
    out = tmp_path / "r.pdf"
    with pytest.raises(SimriskError, match="lacks variables the report needs: deadweight_share"):
        build_report(bad, out)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_wrong_kind_of_file(run_ds, wellby_ds, tmp_path):
    with pytest.raises(SimriskError, match=r"not a simrisk result of kind 'simrisk\.run'"):
        build_report(wellby_ds, tmp_path / "r.pdf")
    with pytest.raises(SimriskError, match=r"--wellby: not a simrisk result"):
        build_report(run_ds, tmp_path / "r.pdf", wellby=run_ds)


def test_cli_report(run_ds, tmp_path):
    nc = write_netcdf(run_ds, tmp_path / "r.nc")
    out = tmp_path / "r.pdf"
    proc = subprocess.run(
        [sys.executable, "-m", "simrisk", "report", str(nc), "-o", str(out), "--lang", "da"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and "8 pages" in proc.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "simrisk",
            "report",
            str(DSI_CONFIG),
            "-o",
            str(tmp_path / "x.pdf"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "not a NetCDF file" in bad.stderr
    assert not (tmp_path / "x.pdf").exists()
