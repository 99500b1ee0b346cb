"""The report of an updated result (``simrisk monitor -o UPDATED.nc``).

Page 1 is the decision after the data: the rules' verdicts before and after,
and the contract's summary figures side by side with their Monte Carlo
errors, k̂, the effective sample size and the path taken; page 2 is "what the
data changed" (:func:`simrisk.plot.plot_what_the_data_changed`); page 3 the
observed counts with their prior predictive p-values and the parameters
before and after.
"""

from __future__ import annotations

__all__ = ["OPTIONS", "build"]

#: An updated result's report takes no further results.
OPTIONS: tuple[str, ...] = ()


def build(tree, lang="en"):
    """The pages of an updated result's report (see :func:`simrisk.report.write_report`)."""
    from simrisk.core.words import section
    from simrisk.report._engine import Page, Report, created_of
    from simrisk.report.monitor import _pages as P

    W = section("monitor")
    P.check(tree)
    root = tree.to_dataset() if hasattr(tree, "to_dataset") else tree
    scenario = P.scenario_name(tree, lang)
    pages = [
        Page("verdict", W("p_verdict", lang), lambda: P.verdict_page(tree, lang)),
        Page("what_the_data_changed", W("p_changed", lang), lambda: P.changed_page(tree, lang)),
        Page("observations", W("p_observed", lang), lambda: P.observed_page(tree, lang)),
    ]
    return Report(
        title=W("title", lang, scenario=scenario),
        subject=W("subject", lang),
        pages=pages,
        lang=lang,
        created=created_of(root),
        creator=f"simrisk {root.attrs.get('simrisk_version', '')}",
        result=root,
    )
