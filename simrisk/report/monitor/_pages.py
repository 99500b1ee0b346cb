"""The pages of an updated result's report: the decision after the data, what the data
changed, and the observations with the parameters before and after."""

from __future__ import annotations

import json
import textwrap

import matplotlib.pyplot as plt
import numpy as np

from simrisk.core.errors import SimriskError
from simrisk.core.numfmt import Numbers
from simrisk.core.words import section
from simrisk.report._table import axes_table

__all__ = ["changed_page", "check", "observed_page", "scenario_name", "verdict_page"]

A4 = (11.69, 8.27)
W = section("monitor")
GROUPS = ("prior", "posterior", "observed_data", "sample_stats", "decision")


def check(tree) -> None:
    """One line if ``tree`` is not an updated result with its five groups."""
    children = set(getattr(tree, "children", {}) or {})
    missing = [g for g in GROUPS if g not in children]
    if missing:
        raise SimriskError(
            f"results: an updated result lacks the group(s) {', '.join(missing)} "
            "(write it again with 'simrisk monitor -o')"
        )


def scenario_name(tree, lang: str) -> str:
    if lang == "da" and tree.attrs.get("scenario_da"):
        return str(tree.attrs["scenario_da"])
    return str(tree.attrs.get("scenario", ""))


def _summaries(tree) -> tuple[dict, dict]:
    a = tree["decision"].attrs
    return (
        json.loads(a.get("summary_prior_json", "{}")),
        json.loads(a.get("summary_posterior_json", "{}")),
    )


def _title(fig, text: str, sub: str | None = None) -> None:
    fig.text(0.05, 0.945, text, fontsize=15, weight="bold")
    if sub:
        fig.text(0.05, 0.915, sub, fontsize=9.5, color="#444444")


def _table(ax, rows, widths, size=9.0, right_from=1):
    axes_table(ax, rows, widths, size=size, row_scale=1.38, right_from=right_from)


def _payer(p: str, lang: str) -> str:
    """A payer's or authority's name in ``lang`` where the catalogue has it."""
    plot = section("plot")
    return plot(p, lang) if p in plot.table else p


def _choice(key: str, lang: str) -> str:
    try:
        return W(key, lang)
    except KeyError:
        return key.replace("_", " ")


def _ev_line(summary: dict, lang: str, n: Numbers) -> tuple[str, str | None]:
    """The expected-value rule's verdict in words, and its choice."""
    ev = ((summary.get("decision") or {}).get("rules") or {}).get("expected_value") or {}
    if not ev.get("choice"):
        return "—", None
    m = ev.get("margin") or {}
    return (
        W(
            "rule_ev",
            lang,
            choice=_choice(ev["choice"], lang),
            margin=n.num(m.get("value", float("nan"))),
            se=n.num(m.get("se", float("nan"))),
            other=_choice(str(m.get("runner_up", "")), lang),
        ),
        ev["choice"],
    )


def _diag(tree, lang: str, n: Numbers, post: dict) -> str:
    ss = tree["sample_stats"]
    eff = post.get("draws_effective", float(ss["ess"]))
    return W(
        "diag",
        lang,
        khat=n.num(float(ss["khat"]), 2),
        thr=n.num(float(ss.attrs.get("khat_threshold", np.nan)), 2),
        ess=n.num(float(ss["ess"])),
        need=n.num(float(ss.attrs.get("ess_min", np.nan))),
        eff=n.num(eff),
    )


def _path(tree, lang: str) -> str:
    path = str(tree["sample_stats"].attrs.get("path", ""))
    return W(path, lang) if path in ("weights", "resample-move") else path


def _rows(tree, prior: dict, post: dict, lang: str, n: Numbers) -> list[list[str]]:
    """Figure, before, after, change: from the two summaries (and the caps' headline)."""
    rate = n.pct(float(prior.get("discount_rate", tree.attrs.get("discount_rate", 0.04))), 0)
    hurdle = n.pct(float(prior.get("hurdle_rate", tree.attrs.get("hurdle_rate", 0.04))), 0)

    def pct(v, se):
        return f"{n.pct(v)} ± {n.pct(se, 2)}"

    def dkk(v, se):
        return f"{n.num(v)} ± {n.num(se)}"

    def chg_pct(a, b):
        return n.pp(b - a)

    def chg_dkk(a, b):
        d = b - a
        return ("+" if d > 0 else "") + n.num(d)

    rows = [[W("figure", lang), W("before", lang), W("after", lang), W("change", lang)]]

    def add(label, get, kind):
        try:
            a, sa = get(prior)
            b, sb = get(post)
        except (KeyError, TypeError):
            return
        if a is None or b is None:
            return
        if kind == "pct":
            rows.append([label, pct(a, sa), pct(b, sb), chg_pct(a, b)])
        else:
            rows.append([label, dkk(a, sa), dkk(b, sb), chg_dkk(a, b)])

    add(W("npv_mean", lang, rate=rate), lambda s: (s["npv"]["mean"], s["npv"]["mean_se"]), "dkk")
    add(
        W("p_npv_negative", lang, rate=rate),
        lambda s: (s["p_npv_negative"], s["p_npv_negative_se"]),
        "pct",
    )
    add(
        W("p_irr_below", lang, hurdle=hurdle),
        lambda s: (s["p_irr_below_hurdle"], s["p_irr_below_hurdle_se"]),
        "pct",
    )
    add(W("p_loss", lang), lambda s: (s["p_loss_nominal"], s["p_loss_nominal_se"]), "pct")
    add(W("irr_p50", lang), lambda s: (s["irr"]["p50"], s["irr"]["p50_se"]), "pct")
    add(W("irr_p5", lang), lambda s: (s["irr"]["p5"], s["irr"]["p5_se"]), "pct")
    add(W("npv_p5", lang), lambda s: (s["npv"]["p5"], s["npv"]["p5_se"]), "dkk")
    add(W("es5", lang), lambda s: (s["es5_npv"], s["es5_npv_se"]), "dkk")
    for p in [k for k in prior.get("payments", {}) if k not in ("total",)]:
        if isinstance(prior["payments"][p], dict) and "p_paid" in prior["payments"][p]:
            continue  # the clauses' entries
        add(
            W("paid", lang, payer=_payer(p, lang)),
            lambda s, p=p: (s["payments"][p]["mean"], s["payments"][p]["mean_se"]),
            "dkk",
        )
    dec = tree["decision"]
    figs = [str(k) for k in dec["figure"].values]
    for j, k in enumerate(figs):
        if k.startswith("p_cap_reached_"):
            v, se = dec["value"].values[:, j], dec["se"].values[:, j]
            rows.append(
                [
                    W("cap", lang, payer=_payer(k.removeprefix("p_cap_reached_"), lang)),
                    pct(v[0], se[0]),
                    pct(v[1], se[1]),
                    chg_pct(v[0], v[1]),
                ]
            )
    for a in (prior.get("net_saving") or {}).get("modelled", {}):
        add(
            W("net_saving", lang, authority=_payer(a, lang)),
            lambda s, a=a: (
                s["net_saving"]["modelled"][a]["mean"],
                s["net_saving"]["modelled"][a]["mean_se"],
            ),
            "dkk",
        )
    add(
        W("evpi", lang),
        lambda s: (s["decision"]["evpi"]["value"], s["decision"]["evpi"]["se"]),
        "dkk",
    )
    return rows


def verdict_page(tree, lang: str):
    """Page 1: the rules' verdict before and after, every key figure side by side."""
    n = Numbers(lang)
    prior, post = _summaries(tree)
    fig = plt.figure(figsize=A4)
    _title(
        fig,
        f"{W('p_verdict', lang)}: {scenario_name(tree, lang)}",
        W(
            "sub",
            lang,
            draws=n.num(int(tree.attrs.get("draws", 0))),
            rows=len(tree["observed_data"]["observation"]),
            path=_path(tree, lang),
        ),
    )
    fig.text(0.05, 0.89, _diag(tree, lang, n, post), fontsize=8.5, color="#444444")
    y = 0.85
    if int(tree["sample_stats"].attrs.get("prior_data_conflict", 0)):
        fig.text(0.05, y, W("conflict", lang), fontsize=9.5, color="#b22222", weight="bold")
        y -= 0.03
    before, c0 = _ev_line(prior, lang, n)
    after, c1 = _ev_line(post, lang, n)
    fig.text(0.05, y, f"{W('before_rule', lang)}: {before}", fontsize=11)
    y -= 0.033
    fig.text(0.05, y, f"{W('after_rule', lang)}: {after}", fontsize=11, weight="bold")
    y -= 0.033
    if c0 is not None and c1 is not None:
        fig.text(
            0.05,
            y,
            W("changed" if c0 != c1 else "same", lang),
            fontsize=11,
            weight="bold",
            color="#b22222" if c0 != c1 else "#2e7d32",
        )
        y -= 0.02
    rows = _rows(tree, prior, post, lang, n)
    ax = fig.add_axes((0.05, 0.08, 0.9, y - 0.1))
    _table(ax, rows, [0.43, 0.2, 0.2, 0.13], size=8.8)
    for k, line in enumerate(textwrap.wrap(W("se_note", lang), 170)):
        fig.text(0.05, 0.055 - 0.018 * k, line, fontsize=7.5, color="#444444")
    return fig


def changed_page(tree, lang: str):
    """Page 2: NPV before and after, the headline figures, the parameters that moved."""
    from simrisk.plot import plot_what_the_data_changed

    fig = plt.figure(figsize=A4)
    plot_what_the_data_changed(fig, tree, lang)
    fig.subplots_adjust(top=0.88, bottom=0.1)
    return fig


def observed_page(tree, lang: str):
    """Page 3: the observed counts with their prior predictive p-values; the parameters."""
    n = Numbers(lang)
    obs = tree["observed_data"]
    fig = plt.figure(figsize=A4)
    _title(fig, W("obs_title", lang))
    cols = W("obs_cols", lang).split("|")
    rows = [cols]

    def col(name):
        return obs[name].values if name in obs else [""] * obs.sizes["observation"]

    metric, kind = col("outcome_metric_id"), col("result_type")
    for i in range(obs.sizes["observation"]):
        k = str(kind[i])
        rows.append(
            [
                str(col("cohort")[i]),
                str(metric[i]),
                W(k, lang) if k in ("Interim", "Final") else k,
                str(col("period_end")[i]),
                n.num(float(col("number_engaged_in_impact_bond")[i])),
                n.num(float(col("number_with_positive_social_outcomes")[i])),
                n.pct(float(obs["predictive_pvalue"].values[i])),
            ]
        )
    h = min(0.42, 0.05 + 0.035 * len(rows))
    ax = fig.add_axes((0.05, 0.88 - h, 0.9, h))
    _table(ax, rows, [0.1, 0.24, 0.1, 0.14, 0.12, 0.1, 0.14], size=8.5, right_from=4)
    y = 0.86 - h
    fig.text(0.05, y, W("obs_note", lang), fontsize=8, color="#444444")
    y -= 0.05
    fig.text(0.05, y, W("par_title", lang), fontsize=13, weight="bold")
    prior, post = tree["prior"], tree["posterior"]
    w = tree["sample_stats"]["weights"].values
    X0 = prior["parameters"].values.astype(np.float64)
    X1 = post["parameters"].values.astype(np.float64)
    m0, s0 = X0.mean(axis=0), X0.std(axis=0)
    m1 = w @ X1
    s1 = np.sqrt(np.maximum(w @ (X1 - m1) ** 2, 0.0))
    names = [str(x) for x in prior["parameter"].values]
    live = [i for i in range(len(names)) if s0[i] > 0]
    order = sorted(live, key=lambda i: -abs(m1[i] - m0[i]) / s0[i])[:12]
    prow = [W("par_cols", lang).split("|")]
    for i in order:
        prow.append([names[i], n.num(m0[i], 3), n.num(s0[i], 3), n.num(m1[i], 3), n.num(s1[i], 3)])
    ax2 = fig.add_axes((0.05, 0.04, 0.9, y - 0.07))
    _table(ax2, prow, [0.4, 0.15, 0.15, 0.15, 0.15], size=8.3)
    return fig
