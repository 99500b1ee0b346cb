"""The fund kind's report: DSI's fund, for the investment committee.

Page 1 decides on the candidate deal (the fund with and without it on the
same worlds); then the fund's loss distribution, who carries its tail,
guarantees and correlation, the fund's cash flows and the deals. Every page
reads one summary, computed once.
"""

from __future__ import annotations

__all__ = ["OPTIONS", "build"]

#: A fund report takes no further results.
OPTIONS: tuple[str, ...] = ()


def _fund_name(ds, lang: str) -> str:
    name = str(ds.attrs.get("name", ""))
    return str(ds.attrs.get("name_da") or name) if lang == "da" else name


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
