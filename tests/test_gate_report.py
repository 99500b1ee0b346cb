"""The contract report's gate page: a run with a [gate] gets it (en and da), and its
figures are the summary's (value with SE, P(stop), each payer) and paired differences."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import ROOT

GATE_CONFIG = ROOT / "configs" / "dsi_norddjurs_gate.toml"


@pytest.fixture(scope="module")
def gated():
    from simrisk.kinds.contract.engine import simulate
    from simrisk.kinds.contract.loader import load_scenario
    from simrisk.kinds.contract.summary import summarize

    sc, text = load_scenario(GATE_CONFIG)
    ds = simulate(sc, draws=4_000, seed=3, config_text=text)
    return ds, summarize(ds)


@pytest.mark.parametrize("lang", ["en", "da"])
def test_gate_page_is_in_the_report_and_shows_the_summary(gated, lang):
    import matplotlib.pyplot as plt

    from simrisk.core.numfmt import Numbers
    from simrisk.report.contract import _gate_pages
    from simrisk.report.contract._gate import _paired, gate_page, gate_rows

    ds, s = gated
    assert [p.name for p in _gate_pages(ds, s, lang)] == ["gate"]
    g = s["gate"]
    n = Numbers(lang)
    rows = gate_rows(ds, s, lang)
    # the value: NPV with less without, paired, with its SE
    assert rows[1][3] == f"{n.num(g['value'])} ± {n.num(g['value_se'])}"
    npv, npv0 = ds["npv"].values, ds["npv_without_gate"].values
    assert g["value"] == pytest.approx(float(np.mean(npv - npv0)), rel=1e-9)
    # P(NPV < 0): the paired difference is the difference of the two shares
    d, d_se = _paired((npv < 0).astype(float) - (npv0 < 0))
    assert d == pytest.approx(float(np.mean(npv < 0) - np.mean(npv0 < 0)), abs=1e-12)
    assert rows[2][3] == f"{n.pp(d, 2)} ± {n.num(100 * d_se, 2)}"
    assert rows[3][1] == f"{n.pct(g['p_stop'])} ± {n.pct(g['p_stop_se'], 2)}"
    payers = [str(p) for p in ds["payer"].values]
    assert len(rows) >= 4 + len(payers)
    for k, p in enumerate(payers):
        eff = g["payments_effect"][p]
        assert rows[4 + k][3] == f"{n.num(eff['mean'])} ± {n.num(eff['mean_se'])}"
    fig = gate_page(ds, s, lang)
    text = " ".join(t.get_text() for t in fig.texts)
    assert n.num(g["value"]) in text and n.pct(g["p_stop"]) in text
    assert all(ax.get_xlabel() for ax in fig.axes if ax.get_visible() and not ax.tables)
    plt.close(fig)


def test_no_gate_no_gate_page():
    from simrisk.kinds.contract.engine import simulate
    from simrisk.kinds.contract.loader import load_scenario
    from simrisk.kinds.contract.summary import summarize
    from simrisk.report.contract import _gate_pages

    sc, text = load_scenario(ROOT / "configs" / "dsi_norddjurs.toml")
    ds = simulate(sc, draws=1_000, seed=3, config_text=text)
    assert _gate_pages(ds, summarize(ds), "en") == []


def test_monitor_of_a_gated_run(gated, tmp_path):
    """Interim counts update a gated run (the gate's figures recomputed with the rest);
    Final counts, which would need the gate settled from counts, are refused in one line."""
    from simrisk.core.errors import SimriskError
    from simrisk.decision.monitor import monitor

    ds, s = gated
    obs = tmp_path / "o.csv"
    obs.write_text(
        "cohort,outcome_metric_id,result_type,period_end,"
        "number_engaged_in_impact_bond,number_with_positive_social_outcomes\n"
        "c1,engaged_at_2m,Interim,2027-04-30,230,185\n",
        encoding="utf-8",
    )
    r = monitor(ds, obs)
    post = r.posterior["summary"]["gate"]
    assert 0 <= post["p_stop"] <= 1 and post["p_stop_se"] > 0
    # fewer engaged than the prior expects: the gate stops more often after the data
    assert post["p_stop"] > s["gate"]["p_stop"] + 2 * post["p_stop_se"]
    with pytest.raises(SimriskError, match=r"Final counts with a \[gate\]") as err:
        monitor(ds, ROOT / "configs" / "dsi_norddjurs_observed.csv")
    assert "\n" not in str(err.value)
