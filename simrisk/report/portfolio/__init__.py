"""The portfolio kind's report: Region Hovedstaden's AI pool, for the regional council.

Page 1 decides (the rule's verdict, the options and doing nothing side by
side, what would change the choice, the Monte Carlo error); page 2
reconciles the proposal's budgets and algorithm counts with the model's;
then the distributions, the algorithms, acceptability, the value of
information and the assumptions in plain words. Every page reads one
summary, computed once.
"""

from __future__ import annotations

__all__ = ["OPTIONS", "build", "page_one"]

#: A portfolio report takes no further results.
OPTIONS: tuple[str, ...] = ()


def page_one(ds, lang="en") -> dict:
    """Page 1's words as the PDF prints them, for other formats (the HTML page).

    Keys as :func:`simrisk.report.contract.page_one`'s, with ``summary`` (the
    pool's summary, computed once) and ``figures`` (the rule's verdict and
    what would change it) instead of a driver.
    """
    from simrisk.core.words import section
    from simrisk.kinds.portfolio.summary import check_result, summarize
    from simrisk.report.portfolio import _decide

    check_result(ds)
    W = section("pool")
    s = summarize(ds)
    F = _decide.figures(ds, s)
    heads, rows = _decide.alternative_rows(ds, s, F, lang)
    return {
        "title": W("title", lang),
        "rule": _decide.rule_line(s, lang),
        "verdict": _decide.verdict_sentence(ds, s, F, lang),
        "alternatives": W("alternatives", lang),
        "heads": ["", *heads],
        "rows": [[label, *cells] for label, cells in rows],
        "flips_heading": W("flips", lang),
        "flips": _decide.flip_lines(ds, s, F, lang),
        "mc_error": _decide.mc_error_text(s, F, lang),
        "notes": [],
        "summary": s,
        "figures": F,
    }


def build(ds, lang="en"):
    """The pages of a portfolio result's report (see :func:`simrisk.report.write_report`)."""
    from simrisk.core.words import section
    from simrisk.kinds.portfolio.summary import check_result, summarize
    from simrisk.report._engine import Page, Report, created_of
    from simrisk.report.portfolio import _decide
    from simrisk.report.portfolio import _pages as P

    check_result(ds)
    s = summarize(ds)
    W = section("pool")
    F = _decide.figures(ds, s)
    rate = P.Num(lang).pct(s["discount_rate"])
    makers = [
        ("decision", W("p_decision", lang), lambda: _decide.decision_page(ds, s, F, lang)),
        ("reconciliation", W("p_reconcile", lang), lambda: _decide.reconcile_page(ds, s, F, lang)),
        ("contents", W("contents", lang), None),
        ("options", W("p_options", lang), lambda: P._answer_page(ds, s, lang)),
        ("npv", W("npv_title", lang, rate=rate), lambda: P._npv_page(ds, s, lang)),
        ("by_year", W("year_title", lang), lambda: P._by_year_page(ds, s, lang)),
        ("cumulative", W("p_cumulative", lang), lambda: P._cumulative_page(ds, s, lang)),
        ("algorithms", W("alg_title", lang), lambda: P._algorithms_page(ds, s, lang)),
        ("acceptability", W("p_acceptability", lang), lambda: P._acceptability_page(ds, s, lang)),
        ("value_of_information", W("p_voi", lang), lambda: P._voi_page(ds, s, lang)),
        ("assumptions", W("p_assumptions", lang), lambda: P._assumptions_page(ds, s, lang)),
    ]
    return Report(
        title=W("title", lang),
        subject=W("subject", lang),
        pages=[Page(name, title, make) for name, title, make in makers],
        lang=lang,
        created=created_of(ds),
        creator=f"simrisk {ds.attrs.get('version', ds.attrs.get('simrisk_version', ''))}",
        result=ds,
    )
