"""The fund kind's report: DSI's fund, for the investment committee.

Page 1 decides on the candidate deal (the fund with and without it on the
same worlds); then the fund's loss distribution, who carries its tail,
guarantees and correlation, the fund's cash flows and the deals. Every page
reads one summary, computed once.
"""

from __future__ import annotations

__all__ = ["OPTIONS", "build", "page_one"]

#: A fund report takes no further results.
OPTIONS: tuple[str, ...] = ()


def _fund_name(ds, lang: str) -> str:
    name = str(ds.attrs.get("name", ""))
    return str(ds.attrs.get("name_da") or name) if lang == "da" else name


def page_one(ds, lang="en") -> dict:
    """Page 1's words as the PDF prints them, for other formats (the HTML page).

    Keys as :func:`simrisk.report.contract.page_one`'s. With a candidate deal
    the verdict and the table with and without it; without one, the fund's
    own line and figures. ``flips`` are the caveat (what the figures rest
    on); ``figures`` holds the summary, the deals' names and the
    Euler contributions' subtitle (the PDF's tail page's).
    """
    from simrisk.core.numfmt import Numbers
    from simrisk.core.words import section
    from simrisk.kinds.fund.summary import summarize
    from simrisk.report.fund import _pages as P

    W = section("fund")
    s = summarize(ds)
    names = P._names(ds, lang)
    draws = Numbers(lang).num(s["draws"])
    if "candidate" in s:
        rule = W("decision_sub", lang, draws=draws)
        verdict = P.verdict(s, names, lang)
        rows = P.decision_rows(s, lang)
        notes = [P.diversification_note(s, names, lang), P.fund_line(s, lang)]
    else:
        rule = W("rule_fund", lang, draws=draws)
        verdict = P.fund_line(s, lang)
        rows = P.fund_rows(s, lang)
        notes = []
    return {
        "title": W("title", lang, name=_fund_name(ds, lang)),
        "rule": rule,
        "verdict": verdict,
        "alternatives": W("decision_title", lang),
        "heads": rows[0],
        "rows": rows[1:],
        "flips_heading": W("caveat", lang),
        "flips": [W("judgement_caveat", lang)],
        "mc_error": P.mc_line(s, lang),
        "notes": notes,
        "figures": {"s": s, "names": names, "contrib_sub": P.contrib_subtitle(s, lang)},
    }


def build(ds, lang="en"):
    """The pages of a fund result's report (see :func:`simrisk.report.write_report`)."""
    from simrisk.core.words import section
    from simrisk.kinds.fund.summary import summarize
    from simrisk.report._engine import Page, Report, created_of
    from simrisk.report.fund import _pages as P

    s = summarize(ds)
    W = section("fund")
    makers = [
        ("decision", W("p_decision", lang), lambda: P.decision_page(ds, s, lang)),
        ("contents", W("contents", lang), None),
        ("loss", W("loss_title", lang), lambda: P.loss_page(ds, s, lang)),
        ("contributions", W("contrib_title", lang), lambda: P.contributions_page(ds, s, lang)),
        ("guarantees", W("guarantee_title", lang), lambda: P.guarantees_page(ds, s, lang)),
        ("cash_flows", W("cash_title", lang), lambda: P.cash_page(ds, s, lang)),
        ("deals", W("assumptions_title", lang), lambda: P.assumptions_page(ds, s, lang)),
    ]
    if "candidate" not in s:
        makers = makers[1:]
    return Report(
        title=W("title", lang, name=_fund_name(ds, lang)),
        subject=W("subject", lang),
        pages=[Page(name, title, make) for name, title, make in makers],
        lang=lang,
        created=created_of(ds),
        creator=f"simrisk {ds.attrs.get('version', '')}",
        result=ds,
    )
