"""The WELLBY kind's report: the OPI-AIMS pilot's value as bands, on its own.

Page 1 decides (scale up or not, on the value net of regression to the mean
and of the investment, against doing nothing); page 2 reconciles the case
sheet's figures (17 WELLBY points, 0.77 per completer, 1.97 mio DKK and the
projections) with simrisk's bands; then the pilot's bands with their Monte
Carlo errors, the projections gross and net, and what the pilot implies for
DSI's goal 3. Every page reads one summary, computed once.
"""

from __future__ import annotations

__all__ = ["OPTIONS", "build", "page_one"]

#: A WELLBY report takes no further results.
OPTIONS: tuple[str, ...] = ()


def page_one(ds, lang="en") -> dict:
    """Page 1's words as the PDF prints them, for other formats (the HTML page).

    Keys as :func:`simrisk.report.contract.page_one`'s; ``notes`` are the
    projections' scenario labels; ``figures`` the pilot's bands and tenths.
    """
    from simrisk.core.words import section
    from simrisk.report.wellby import _pages as P

    W = section("wellby")
    F = P.figures(ds)
    heads, rows, labels = P.alternative_rows(F, lang)
    return {
        "title": W("title", lang),
        "rule": W("rule", lang),
        "verdict": P.verdict_sentence(F, lang),
        "alternatives": W("alternatives", lang),
        "heads": ["", *heads],
        "rows": [list(r) for r in rows],
        "flips_heading": W("flips", lang),
        "flips": P.flip_lines(F, lang),
        "mc_error": P.mc_error_text(F, lang),
        "notes": labels,
        "figures": F,
    }


def build(ds, lang="en"):
    """The pages of a WELLBY result's report (see :func:`simrisk.report.write_report`)."""
    from simrisk.core.words import section
    from simrisk.report._engine import Page, Report, created_of
    from simrisk.report.wellby import _pages as P

    W = section("wellby")
    F = P.figures(ds)
    makers = [
        ("decision", W("p_decision", lang), lambda: P.decision_page(F, lang)),
        ("reconciliation", W("p_reconcile", lang), lambda: P.reconcile_page(F, lang)),
        ("contents", W("contents", lang), None),
        ("pilot", W("p_pilot", lang), lambda: P.pilot_page(F, lang)),
        ("projections", W("p_projections", lang), lambda: P.fan_page(F, lang, net=False)),
        ("projections_net", W("p_projections_net", lang), lambda: P.fan_page(F, lang, net=True)),
    ]
    return Report(
        title=W("title", lang),
        subject=W("subject", lang),
        pages=[Page(name, title, make) for name, title, make in makers],
        lang=lang,
        created=created_of(ds),
        creator=f"simrisk {ds.attrs.get('simrisk_version', '')}",
        result=ds,
    )
