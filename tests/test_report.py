"""The committee's PDF report: pages, languages, figures, bad input."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from simrisk.core.dataset import write_netcdf
from simrisk.core.errors import SimriskError
from simrisk.kinds.contract.simulate import simulate
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


@pytest.fixture(scope="module")
def built(run_ds, wellby_ds, tmp_path_factory):
    """Each report is built once per module and read by every test that checks it:
    en and da with the WELLBY page and the figures, en without --wellby."""

    def build(lang, wellby, figures):
        d = tmp_path_factory.mktemp(f"report_{lang}")
        pdf = d / f"report_{lang}.pdf"
        figs = d / "figs" if figures else None
        pages = build_report(
            run_ds, pdf, lang=lang, figures=figs, wellby=wellby_ds if wellby else None
        )
        return {"pdf": pdf, "figs": figs, "pages": pages, "dir": d}

    cache = {}

    def get(lang, wellby=True, figures=True):
        key = (lang, wellby, figures)
        if key not in cache:
            cache[key] = build(lang, wellby, figures)
        return cache[key]

    return get


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


# Danish by default (its words are checked too); English with figures in the full run
@pytest.mark.parametrize("lang", ["da", pytest.param("en", marks=pytest.mark.slow(short=False))])
def test_report_pages_and_figures(built, lang):
    b = built(lang)
    pdf, figs, pages = b["pdf"], b["figs"], b["pages"]
    assert pages == [
        "decision",
        "reconciliation",
        "contents",
        "key_figures",
        "payers",
        "irr_npv",
        "npv_cdf",
        "acceptability",
        "payback",
        "repayment_curve",
        "cash_flow",
        "net_saving",
        "payer_risk",
        "deadweight",
        "wellby",
        "value_of_information",
        "assumptions",
        "inputs",
        "mc_errors",
    ]
    assert _pages(pdf) == len(pages)
    for k, name in enumerate(pages, start=1):
        for ext in ("png", "svg"):
            assert (figs / f"page_{k:02d}_{name}.{ext}").stat().st_size > 5000
    assert not list(b["dir"].glob(".*.part"))


def test_report_without_wellby_has_no_wellby_page(built):
    assert "wellby" not in built("en", wellby=False, figures=False)["pages"]


def test_danish_text_in_svg(built):
    figs = built("da")["figs"]
    svg = (figs / "page_01_decision.svg").read_text(encoding="utf-8")
    assert "Vurdering" in svg and "kr." in svg


def test_missing_variable_is_named_and_nothing_is_written(run_ds, tmp_path):
    bad = run_ds.drop_vars("deadweight_share")
    out = tmp_path / "r.pdf"
    with pytest.raises(SimriskError, match="lacks variables the report needs: deadweight_share"):
        build_report(bad, out)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_wrong_kind_of_file(run_ds, wellby_ds, tmp_path):
    # a WELLBY result has a report of its own, which takes no --wellby
    with pytest.raises(SimriskError, match=r"--wellby: does not apply to a report"):
        build_report(wellby_ds, tmp_path / "r.pdf", wellby=wellby_ds)
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
    assert out.is_file() and "18 pages" in proc.stdout
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


# --- the decision page and its numbers (issue 13) ---------------------------------

ENGLISH_WORDS = (
    # words of English prose that must not appear in the Danish report
    "the",
    "and",
    "of",
    "with",
    "without",
    "draws",
    "seed",
    "prior",
    "priors",
    "NPV",
    "share",
    "prescribing",
    "assumption",
    "calibrated",
    "expected",
    "repayment",
    "saving",
    "worst",
    "payback",
    "whole",
    "goal",
    "value",
    "band",
    "fixed",
    "config",
    "which",
    "between",
)


def _pdf_text(path) -> list[str]:
    """The text of each page: pdftotext (poppler) where installed, else pypdf."""
    import shutil

    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def test_dated_flows_reproduce_the_runs_npv_and_repayments(run_ds):
    import numpy as np

    from simrisk.report.contract._numbers import dated_cash_flows

    flows = dated_cash_flows(run_ds)
    rate = float(run_ds.attrs["discount_rate"])
    # the engine's NPV is stored as float32: agree to well under a krone per million
    np.testing.assert_allclose(flows.npv(rate), run_ds["npv"].values, rtol=1e-6, atol=1.0)
    np.testing.assert_allclose(
        flows.cf.sum(axis=1) + run_ds.attrs["capital"],
        run_ds["repayments_total"].values,
        rtol=1e-6,
    )
    # and the yearly sums are the run's own cash_flow_by_year
    years = run_ds["year"].values
    by_year = np.stack(
        [flows.cf[:, [d.year == y for d in flows.dates]].sum(axis=1) for y in years], axis=1
    )
    np.testing.assert_allclose(by_year, run_ds["cash_flow_by_year"].values, rtol=1e-5, atol=1.0)


def test_acceptability_is_npv_at_r_and_payback_ends_at_the_nominal_loss(run_ds):
    import numpy as np

    from simrisk.kinds.contract.summary import summarize
    from simrisk.report.contract._numbers import acceptability, payback

    a = acceptability(run_ds)
    # one sign change in DSI's flows: IRR >= r and NPV(r) >= 0 are the same event;
    # draws exactly at a grid rate may differ by rounding, a handful at most
    assert np.abs(a["p"] - a["npv_check"]).max() <= 3 / run_ds.sizes["draw"]
    assert np.all(np.diff(a["p"]) <= 0)
    s = summarize(run_ds)
    hurdle_idx = int(np.argmin(np.abs(a["rates"] - s["hurdle_rate"])))
    assert a["p"][hurdle_idx] == pytest.approx(1 - s["p_irr_below_hurdle"], abs=1e-12)
    pb = payback(run_ds)
    assert pb["p_whole"][-1] == pytest.approx(1 - s["p_loss_nominal"], abs=1e-12)
    assert np.all(pb["p_whole"][: len(pb["dates"]) - len(pb["repayment_dates"])] == 0)


def _synthetic_run(n=20_000, seed=5):
    """A run-like Dataset where only the first of three parameters drives NPV."""
    import numpy as np
    import xarray as xr

    rng = np.random.default_rng(seed)
    params = rng.standard_normal((n, 3))
    npv = params[:, 0] + 0.1 * rng.standard_normal(n)
    return xr.Dataset(
        {"npv": ("draw", npv), "parameters": (("draw", "parameter"), params)},
        coords={"parameter": ["driver", "noise_a", "noise_b"]},
    )


def test_drivers_find_a_parameter_that_moves_the_loss():
    """The decision layer's tornado on a synthetic run: the driver tops it, noise stays flat."""
    from simrisk.report.contract._numbers import drivers

    rows = drivers(_synthetic_run())
    assert rows[0]["parameter"] == "driver"
    assert rows[0]["low"] > 0.95 and rows[0]["high"] < 0.05
    for r in rows[1:]:
        # noise parameters: decile shares within 4 SE of the overall share
        assert abs(r["low"] - r["base"]) < 4 * r["se"] and abs(r["high"] - r["base"]) < 4 * r["se"]


def test_value_of_information_matches_the_analytic_evppi():
    """NB = (0, X + noise), X ~ N(0, 1): EVPPI(X) = E[max(X, 0)] = 1/sqrt(2 pi); noise: 0."""
    import math

    from simrisk.report.contract._numbers import value_of_information

    v = value_of_information(_synthetic_run(n=40_000), max_draws=30_000, n_post=30)
    assert v.attrs["subsample"] == 30_000
    ev = dict(zip(map(str, v["target"].values), v["evppi"].values, strict=True))
    se = dict(zip(map(str, v["target"].values), v["evppi_se"].values, strict=True))
    truth = 1 / math.sqrt(2 * math.pi)
    assert abs(ev["driver"] - truth) < 4 * se["driver"] + 0.005
    for p in ("noise_a", "noise_b"):
        assert ev[p] < 4 * se[p] + 0.005
    # EVPI: E[max(X + e, 0)] with sd sqrt(1.01)
    assert abs(float(v["evpi"]) - math.sqrt(1.01) * truth) < 4 * float(v["evpi_se"])


def test_page_one_states_the_verdict_and_the_expected_case(run_ds, built):
    from simrisk.kinds.contract.ledger import run_ledger
    from simrisk.report.contract._numbers import scenario_of

    case = run_ledger(scenario_of(run_ds))
    assert case.irr == pytest.approx(0.115, abs=5e-4)  # the note's 11.5%
    assert round(case.npv) == 937_935  # with table 9's cohort split (issue 10)
    text = _pdf_text(built("en", wellby=False, figures=False)["pdf"])
    page1 = " ".join(text[0].split())
    assert "(IRR 11.5%)" in page1 and "Verdict: " in page1 and "do nothing" in page1
    assert "± at most" in page1
    key = " ".join(text[3].split())  # the key figures
    assert "IRR 11.5%" in key and "937,935 DKK" in key
    assert "On these assumptions it is" in key and "earns less than 4%" in key


def test_pdf_has_metadata_bookmarks_and_contents(built):
    from pypdf import PdfReader

    b = built("da")
    pdf, pages = b["pdf"], b["pages"]
    reader = PdfReader(pdf)
    meta = reader.metadata
    assert meta.title.startswith("Risikorapport: DSI: sociale henvisninger")
    assert meta.subject and meta.creation_date is not None
    outline = [o.title for o in reader.outline]
    assert len(outline) == len(pages) == len(reader.pages)
    assert outline[0].startswith("1. ") and "Indhold" in outline[2]
    contents = _pdf_text(pdf)[2]
    assert "Antagelser" in contents and "Monte Carlo-fejl" in contents


def test_danish_report_has_no_english_words(built):
    import re as _re

    pdf = built("da")["pdf"]
    found = {}
    for k, text in enumerate(_pdf_text(pdf), start=1):
        # citations name docs/sources.md anchors (identifiers, not prose): drop them
        text = _re.sub(r"#[a-z0-9-]+", " ", text)
        words = set(_re.findall(r"[A-Za-zÆØÅæøå]+", text))
        bad = sorted(w for w in ENGLISH_WORDS if w in words)
        if bad:
            found[k] = bad
    assert not found, f"English words in the Danish report (page: words): {found}"
    # the wording fixes of issue 13
    text = " ".join(" ".join(_pdf_text(pdf)).split())
    for phrase in (
        "tallets Monte Carlo-standardfejl",
        "ville være sket alligevel",
        "i de værste 5 % af verdenerne",
        "95 %-interval",
        "nutidsværdi ved 4 % pr. 1. februar 2026 (kr.)",
        "sociale henvisninger",
    ):
        assert phrase in text, phrase


@pytest.fixture(scope="module")
def scenario_runs(dsi_scenario):
    """The base run's seed and draws: the goal-3-from-the-pilot config, and fixed parameters."""
    from simrisk.kinds.contract.loader import load_scenario

    cfg = ROOT / "configs" / "dsi_norddjurs_pilot_goal3.toml"
    pilot, text = load_scenario(cfg)
    return [
        ("pilot.nc", simulate(pilot, draws=4000, seed=3, config_text=text)),
        (
            "fixed.nc",
            simulate(
                dsi_scenario,
                draws=4000,
                seed=3,
                fixed_parameters=True,
                config_text=DSI_CONFIG.read_text(encoding="utf-8"),
            ),
        ),
    ]


@pytest.mark.parametrize("lang", ["en", "da"])
def test_scenario_page_shows_each_runs_figures(run_ds, scenario_runs, tmp_path, lang):
    from simrisk.kinds.contract.summary import summarize

    pdf = tmp_path / "r.pdf"
    pages = build_report(run_ds, pdf, lang=lang, scenarios=scenario_runs)
    assert pages.index("scenarios") == pages.index("value_of_information") + 1
    text = " ".join(_pdf_text(pdf)[pages.index("scenarios")].split())
    f = Fmt(lang)
    base = summarize(run_ds)
    for _, ds in scenario_runs:
        s = summarize(ds)
        # each run's own P(NPV < 0) and nominal loss, and the paired difference
        assert f.pct(s["p_npv_negative"]) in text
        assert f.pct(s["p_loss_nominal"]) in text
        d = s["p_npv_negative"] - base["p_npv_negative"]
        assert f.pp(d) in text  # a difference of probabilities: percentage points
    # with the parameters fixed, only the citizens' chance is left: far less risk
    fixed = summarize(scenario_runs[1][1])
    assert fixed["p_npv_negative"] < base["p_npv_negative"] / 2
    assert ("parametre låst" if lang == "da" else "parameters fixed") in text


def test_scenarios_must_share_seed_and_draws(run_ds, dsi_scenario, tmp_path):
    other = simulate(dsi_scenario, draws=4000, seed=4, config_text="")
    out = tmp_path / "r.pdf"
    with pytest.raises(SimriskError, match=r"other\.nc: 4,000 draws with seed 4"):
        build_report(run_ds, out, scenarios=[("other.nc", other)])
    assert not out.exists()
