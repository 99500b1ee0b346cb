"""The contract kind's report: DSI's investment committee's PDF.

Page 1 decides (the rule's verdict, the alternatives, what would change the
decision, the Monte Carlo error); page 2 reconciles the note's figures with
the expected case and the simulation; then the contents, the key figures,
the distributions and the payers. Every page reads one
:class:`~simrisk.report.contract._figures.Figures`, computed once.
"""

from __future__ import annotations

import json

from simrisk.report.contract._assumptions import correlation_rows, prior_rows
from simrisk.report.contract._numbers import dated_cash_flows, decision, scenario_of

__all__ = [
    "OPTIONS",
    "build",
    "correlation_rows",
    "dated_cash_flows",
    "decision",
    "prior_rows",
    "scenario_of",
]

#: The further results a contract report takes.
OPTIONS = ("wellby", "design", "scenarios")


def _title(ds, lang) -> str:
    scen = json.loads(ds.attrs["scenario_json"])
    return (scen.get("name_da") or scen["name"]) if lang == "da" else scen["name"]


def _gate_pages(ds, s, lang) -> list:
    """The gate's page, for a run with a ``[gate]``."""
    if "gate" not in s or "gate_stopped" not in ds:
        return []
    import datetime as dt

    from simrisk.core.numfmt import Numbers
    from simrisk.core.words import section
    from simrisk.report._engine import Page
    from simrisk.report.contract._gate import gate_page

    date = dt.date.fromisoformat(json.loads(ds.attrs["scenario_json"])["gate"]["date"])
    title = section("gate")("title", lang, date=Numbers(lang).date(date))
    return [Page("gate", title, lambda: gate_page(ds, s, lang))]


def build(ds, lang="en", wellby=None, design=None, scenarios=None):
    """The pages of a contract run's report (see :func:`simrisk.report.write_report`)."""
    from simrisk.core.errors import SimriskError
    from simrisk.kinds.contract.dataset import RESULT_KIND
    from simrisk.plot import (
        plot_cash_flow_fan,
        plot_deadweight,
        plot_irr,
        plot_net_saving,
        plot_npv,
        plot_npv_cdf,
        plot_repayment_curve,
        rate_words,
    )
    from simrisk.report._engine import Page, Report, created_of
    from simrisk.report.contract import _decide
    from simrisk.report.contract import _pages as P
    from simrisk.report.contract._figures import compute
    from simrisk.report.contract._text import T

    # A contract without a business case has no authority: its report leaves out the
    # authorities' pages and figures (the net saving page, the net saving rows).
    no_authority = ds.sizes.get("authority", 0) == 0
    needed = [v for v in P.REPORT_VARIABLES if not (no_authority and v.startswith("authority_"))]
    P._check(ds, needed, RESULT_KIND, "results")
    if "scenario_json" not in ds.attrs:
        raise SimriskError(
            "results: lacks the attribute scenario_json (rerun with this simrisk version)"
        )
    if wellby is not None:
        from simrisk.kinds.wellby.dataset import WELLBY_KIND

        P._check(wellby, P.WELLBY_VARIABLES, WELLBY_KIND, "--wellby")
    comparison = None
    if scenarios:
        for name, sc in scenarios:
            P._check(sc, ("npv", "repayments_total", "irr"), RESULT_KIND, f"--scenarios {name}")
            if "scenario_json" not in sc.attrs:
                raise SimriskError(f"--scenarios {name}: lacks the attribute scenario_json")
        from simrisk.report.contract._numbers import scenario_comparison

        comparison = scenario_comparison(ds, list(scenarios))
        sc_labels = [P._scenario_label(x, lang) for x in (ds, *(x for _, x in scenarios))]
        sc_fixed = [
            int(x.attrs.get("fixed_parameters", 0)) for x in (ds, *(x for _, x in scenarios))
        ]
        sc_labels[0] = f"{T('base', lang)}: {sc_labels[0]}"
    F = compute(ds, scenarios)
    s, d, rows, voi = F.s, F.d, F.drivers, F.voi
    title = f"{T('title', lang)}: {_title(ds, lang)}"
    rate = rate_words(ds, lang)["rate"]

    def t(key):
        return T(key, lang, rate=rate)

    pages = [
        Page("decision", t("p_decision"), lambda: _decide.decision_page(F, lang, title)),
        Page("reconciliation", t("p_reconcile"), lambda: _decide.reconcile_page(F, lang)),
        Page("contents", t("contents"), None),
        Page("key_figures", t("p_answer"), lambda: P._answer_page(ds, s, d, rows, lang)),
        Page("payers", t("p_payers"), lambda: _decide.payers_page(F, lang)),
        Page("irr_npv", t("p_irr_npv"), lambda: P._two(ds, lang, plot_irr, plot_npv)),
        Page("npv_cdf", t("p_npv_cdf"), lambda: P._one(ds, lang, plot_npv_cdf)),
        Page("acceptability", t("accept_title"), lambda: P._acceptability_page(ds, d, lang)),
        Page("payback", t("payback_title"), lambda: P._payback_page(ds, d, lang)),
        Page("repayment_curve", t("p_repay"), lambda: P._one(ds, lang, plot_repayment_curve)),
        Page("cash_flow", t("p_cash"), lambda: P._one(ds, lang, plot_cash_flow_fan)),
        Page(
            "net_saving",
            t("p_net_saving"),
            lambda: P._two(ds, lang, plot_net_saving, P._modelled_net_saving),
        ),
        Page("payer_risk", t("p_payer_risk"), lambda: P._payers_page(ds, s, lang)),
        *_gate_pages(ds, s, lang),
        Page("deadweight", t("p_deadweight"), lambda: P._one(ds, lang, plot_deadweight)),
    ]
    if no_authority:
        pages = [p for p in pages if p.name != "net_saving"]
    if wellby is not None:
        pages.append(Page("wellby", t("wellby"), lambda: P._wellby_page(wellby, lang), wellby))
    pages.append(Page("value_of_information", t("p_voi"), lambda: P._voi_page(ds, voi, s, lang)))
    if comparison is not None:
        pages.append(
            Page(
                "scenarios",
                t("p_scenarios"),
                lambda: P._scenarios_page(ds, comparison, sc_labels, sc_fixed, lang),
            )
        )
    if design is not None:
        from simrisk.plot import plot_design

        # today's terms are this run's only when the design searched this config
        same = design.attrs.get("config_sha256") == ds.attrs.get("config_sha256")
        base = s if same else None

        pages.append(
            Page(
                "design",
                t("design"),
                lambda: plot_design(design, lang, figsize=P.A4, base_summary=base),
                design,
            )
        )
    pages += [
        Page("assumptions", t("assumptions"), lambda: P._assumptions_page(ds, s, lang, wellby)),
        Page("inputs", t("inputs"), lambda: P._inputs_page(ds, lang)),
        Page("mc_errors", t("errors_title"), lambda: P._errors_page(ds, s, d, lang)),
    ]
    return Report(
        title=title,
        subject=T("subject", lang),
        pages=pages,
        lang=lang,
        created=created_of(ds),
        creator=f"simrisk {ds.attrs.get('simrisk_version', '')}",
        result=ds,
        extra={"figures": F},
    )
