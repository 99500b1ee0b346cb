"""The assumptions behind a run, readable: plain names, natural units, citations.

Each prior gets a plain name in English and Danish, its central value and
90% range in natural units (a resource-use effect of -0.31 on the log scale
is "a 27% fall"), and its source as citations to ``docs/sources.md`` parsed
from the config line's comment. No matplotlib here: the report's pages and
the workbook both read these rows.
"""

from __future__ import annotations

import math
import re

import numpy as np

from simrisk.core.numfmt import Numbers as Fmt
from simrisk.core.words import CATALOGUE

__all__ = [
    "citation",
    "cohort_rows",
    "contract_rows",
    "correlation_rows",
    "param_label",
    "prior_rows",
    "tensions",
]

_HEADER = re.compile(r"^\s*\[\[?([^\]]+)\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
_ANCHOR = re.compile(r"docs/sources\.md#([a-z0-9-]+)")


def _comments(text: str) -> dict[tuple[str, str], str]:
    """(table, key) -> the comment on that key's line (or on the lines just above it)."""
    out: dict[tuple[str, str], str] = {}
    table = ""
    pending: list[str] = []
    for line in text.splitlines():
        if line.startswith("# ---- "):  # extends: the files' separators
            table = ""
            pending = []
            continue
        m = _HEADER.match(line)
        if m:
            table = m.group(1).strip()
            pending = []
            continue
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("# ").strip())
            continue
        k = _KEY.match(line)
        if k:
            comment = ""
            if "#" in k.group(2):
                comment = k.group(2).split("#", 1)[1].strip()
            out[(table, k.group(1))] = comment or " ".join(pending)
            pending = []
        elif not stripped:
            pending = []
    return out


def citation(comment: str, lang: str = "en") -> str:
    """A config comment as a citation: ``sources.md#a, #b; assumption``.

    Only what a reader can open is kept: the ``docs/sources.md`` anchors the
    comment names, and whether the line says it is calibrated or an
    assumption (``docs/sources.md#assumptions`` lists those with reasons).
    """
    anchors = list(dict.fromkeys(_ANCHOR.findall(comment)))
    low = comment.lower()
    tags = []
    if low.startswith("calibrated"):
        tags.append("kalibreret" if lang == "da" else "calibrated")
    if "assumption" in low:
        tags.append("antagelse" if lang == "da" else "assumption")
    parts = []
    if anchors:
        parts.append("sources.md#" + ", #".join(anchors))
    parts += tags
    return "; ".join(parts) if parts else "—"


def _column(scenario, col_id: str):
    """The payable column (a goal, or a stage ``<goal>.<stage>`` of a staged goal)."""
    return next(c for c in scenario.columns if c.id == col_id)


def _goal_index(scenario, goal_id: str) -> int:
    goal_id = goal_id.split(".", 1)[0]
    return [g.id for g in scenario.goals].index(goal_id) + 1


def _payer_name(scenario, col_id: str) -> str:
    """The payer of a goal or of a stage (``<goal>.<stage>``)."""
    return scenario.payer(_column(scenario, col_id).payer).name


_PLAIN = CATALOGUE["prior"]


def _kind(scenario, name: str) -> tuple[str, str | None]:
    """(what the parameter is, its goal id or None)."""
    if "." not in name:
        return name, None
    goal, key = name.split(".", 1)
    outcome = scenario.goal(goal).outcome
    if outcome == "score_increase" and key in ("effect", "sigma"):
        return f"score_{key}", goal
    if outcome == "staged":
        return f"stage_{key.split('.', 1)[1]}", name.rsplit(".", 1)[0]
    if outcome == "binary":
        return f"binary_{key}", goal
    return key, goal


def param_label(scenario, name: str, lang: str = "en") -> str:
    """A parameter's plain name in ``lang``."""
    key, goal = _kind(scenario, name)
    en, da = _PLAIN.get(key, (name, name))
    text = da if lang == "da" else en
    values = {"referred": Fmt(lang).num(scenario.population.referred)}
    if goal is not None:
        col = _column(scenario, goal)
        values["k"] = _goal_index(scenario, goal)
        values["payer"] = _payer_name(scenario, goal)
        values["goal"] = col.label(lang)
        values["stage"] = col.label(lang).split(": ", 1)[-1]
        gm = (scenario.model.goals or {}).get(goal) if scenario.model else None
        low_max = getattr(gm, "low_max", None)
        if low_max is not None:
            values["low"], values["high"] = low_max, low_max + 1
    try:
        return text.format(**values)
    except (KeyError, IndexError):
        return name


def natural(scenario, name: str, x: float, lang: str = "en") -> str:
    """A parameter value in natural units (a log change as a % change, shares as %)."""
    f = Fmt(lang)
    key, _ = _kind(scenario, name)
    if key in ("drift", "effect"):  # log change of resource use -> % change
        v = math.expm1(x)
        sign = "+" if v > 0 else ""
        return f"{sign}{f.pct(v, 0)}"
    if key in ("recruitment", "retention", "zero_share") or key.startswith(("binary_", "stage_")):
        return f.pct(x, 0)
    if key in ("drift_low", "drift_high", "score_effect"):
        sign = "+" if x > 0 else ""
        return f"{sign}{f.num(x, 2)} " + ("points" if lang == "en" else "point")
    if key == "score_sigma":
        return f"{f.num(x, 2)} " + ("points" if lang == "en" else "point")
    return f.num(x, 2)


_DIST = CATALOGUE["dist"]


def prior_rows(scenario, config_text: str, lang: str = "en", draws=None) -> list[dict]:
    """One row per prior: plain name, distribution, central value, 90% range, citation.

    Parameters
    ----------
    scenario : Scenario
    config_text : str
        The config as run (its comments are the sources).
    lang : {"en", "da"}
    draws : ndarray [draw, parameter], optional
        The run's parameter draws; the 90% range is read from them. Without
        them the range is left empty.
    """
    from simrisk.kinds.contract.priors import build_parameter_space

    comments = _comments(config_text)
    space = build_parameter_space(scenario)
    da = lang == "da"
    rows = []
    for j, (name, prior, central) in enumerate(
        zip(space.names, space.priors, space.central, strict=True)
    ):
        if name.count(".") == 2:  # a stage's: <goal>.<stage>.<parameter>
            goal, stage, key = name.split(".")
            src = comments.get((f"model.goals.{goal}.stages.{stage}", key), "")
        elif "." in name:
            goal, key = name.split(".", 1)
            src = comments.get((f"model.goals.{goal}", key), "")
        else:
            src = comments.get(("model", name), "")
            if not src:
                keys = [v for (t, _k), v in comments.items() if t == f"model.{name}" and v]
                src = " ".join(dict.fromkeys(keys))
        if name.endswith("zero_share") and prior.dist == "fixed" and prior.value == 0:
            src = src or "assumption"
        lo = hi = None
        if draws is not None and prior.dist != "fixed":
            lo, hi = (float(v) for v in np.quantile(draws[:, j], [0.05, 0.95]))
        rows.append(
            {
                "parameter": name,
                "label": param_label(scenario, name, lang),
                "dist": prior.dist,
                "dist_label": _DIST.get(prior.dist, (prior.dist, prior.dist))[1 if da else 0],
                "central": float(central),
                "central_label": natural(scenario, name, float(central), lang),
                "p5": lo,
                "p95": hi,
                "range_label": ""
                if lo is None
                else f"{natural(scenario, name, lo, lang)} … {natural(scenario, name, hi, lang)}",
                "source": citation(src, lang),
                "comment": src,
            }
        )
    return rows


def correlation_rows(scenario, config_text: str, lang: str = "en") -> list[dict]:
    """The parameters' rank (Spearman) correlations with plain names and citations."""
    if scenario.model is None:
        return []
    text = config_text
    # each [[model.correlations]] entry's rho comment, in order
    rho_comments = re.findall(r"^\s*(?:rho|spearman)\s*=\s*[^#\n]*#\s*(.*)$", text, flags=re.M)
    out = []
    for k, c in enumerate(scenario.model.correlations or []):
        src = rho_comments[k] if k < len(rho_comments) else ""
        out.append(
            {
                "a": c.a,
                "b": c.b,
                "label": param_label(scenario, c.a, lang)
                + " ~ "
                + param_label(scenario, c.b, lang),
                "rho": float(c.spearman_rho),
                "source": citation(src, lang),
            }
        )
    return out


def contract_rows(scenario, lang: str = "en") -> list[tuple[str, str]]:
    """The contract's inputs as (label, value) in ``lang``."""
    f = Fmt(lang)
    da = lang == "da"
    inv = scenario.investor
    rows = [
        ("DSI's kapital" if da else "DSI's capital", f.dkk(inv.capital)),
        (
            "diskonteringsrente / afkastkrav" if da else "discount rate / hurdle",
            f"{f.pct(inv.discount_rate, 1)} / {f.pct(inv.hurdle_rate, 1)}",
        ),
        ("værdiansættelsesdato" if da else "valuation date", f.date(scenario.valuation_date)),
    ]
    for d in inv.disbursements:
        rows.append((("udbetaling " if da else "disbursement ") + f.date(d.date), f.dkk(d.amount)))
    for g in scenario.columns:
        payer = scenario.payer(g.payer)
        k = g.goal + 1
        if g.stage >= 0:
            stage = g.label(lang).split(": ", 1)[-1]
            rows.append(
                (
                    f"{'mål' if da else 'goal'} {k}, {stage}: "
                    + (
                        "succes givet trinnet før, pris"
                        if da
                        else "success given stage before, price"
                    ),
                    f"{f.pct(g.success_rate, 0)}, {f.dkk(g.payment_per_success)}",
                )
            )
            continue
        rows.append(
            (
                f"{'mål' if da else 'goal'} {k} ({payer.name}): "
                + (
                    "antaget succes, betaling pr. succes"
                    if da
                    else "assumed success, payment per success"
                ),
                f"{f.pct(g.success_rate, 0)}, {f.dkk(g.payment_per_success)}",
            )
        )
    for p in scenario.payers:
        cap = f.dkk(p.cap) if p.cap is not None else ("intet loft" if da else "no cap")
        rows.append(((f"loft: {p.name}" if da else f"cap: {p.name}"), cap))
    pop = scenario.population
    rows.append(
        (
            "henviste borgere, andel målt" if da else "citizens referred, share measured",
            f"{f.num(pop.referred)}, {f.pct(pop.retention, 0)}"
            f" (= {f.num(pop.referred * pop.retention)} {'målte' if da else 'measured'})",
        )
    )
    return rows


def cohort_rows(scenario, lang: str = "en") -> list[tuple[str, str, str, str]]:
    """(cohort, referral window, share, repayment date) per cohort."""
    f = Fmt(lang)
    return [
        (
            c.id,
            f"{f.date(c.referral_start)} – {f.date(c.referral_end)}",
            f"{f.pct(c.share, 1)} (≈ {f.num(c.share * scenario.population.referred)})",
            f.date(c.repayment_date),
        )
        for c in scenario.cohorts
    ]


def tensions(scenario, summary: dict, lang: str = "en", wellby=None) -> list[str]:
    """One sentence per goal: the contract assumes X; the evidence suggests Y; the model needs Z.

    X is the contract's success rate; Y the success the model gives without
    the intervention (regression to the mean and drift, at central values) —
    or, for a life-satisfaction goal with a WELLBY result, the pilot's
    implied success; Z the intervention effect the model needs on top
    (the effect prior's central value, in natural units).
    """
    f = Fmt(lang)
    da = lang == "da"
    out = []
    goals = list(summary["success_rate"])
    for g in goals:
        d = summary["success_rate"][g]
        col = _column(scenario, g)
        k = col.goal + 1
        if col.stage >= 0:
            k = f"{k}, {col.label(lang).split(': ', 1)[-1]}"
        if da:
            y = f"uden indsatsen giver modellen {f.pct(d['counterfactual_at_central'])}"
            text = (
                f"Mål {k} ({_payer_name(scenario, g)}): kontrakten antager "
                f"{f.pct(d['assumed'])} succes; {y}"
            )
        else:
            y = f"without the intervention the model gives {f.pct(d['counterfactual_at_central'])}"
            text = (
                f"Goal {k} ({_payer_name(scenario, g)}): the contract assumes "
                f"{f.pct(d['assumed'])} success; {y}"
            )
        if col.outcome in ("binary", "staged"):
            # an event's probability: no effect on a latent scale, the gap is the effect
            gap = d["implied_at_central"] - d["counterfactual_at_central"]
            text += (
                f"; indsatsen lægger {f.num(100 * gap, 1)} procentpoint til (simuleret middel "
                f"{f.pct(d['mean'])})."
                if da
                else f"; the intervention adds {f.num(100 * gap, 1)} percentage points "
                f"(simulated mean {f.pct(d['mean'])})."
            )
            out.append(text)
            continue
        effect = natural(scenario, f"{g}.effect", _central_of(scenario, g), lang)
        if scenario.goal(g).outcome == "score_increase" and wellby is not None:
            p = wellby.get("p_at_least")
            c = wellby.get("central")
            if p is not None and c is not None:
                a = f.pct(d["assumed"], 0)
                text += (
                    f", og OPI-AIMS-piloten peger på {f.pct(c)} ({a} eller mere i "
                    f"{f.pct(p)} af trækningerne)"
                    if da
                    else f", and the OPI-AIMS pilot points to {f.pct(c)} ({a} or more in "
                    f"{f.pct(p)} of draws)"
                )
        text += (
            f"; modellen kræver en effekt på {effect} oveni (simuleret middel {f.pct(d['mean'])})."
            if da
            else f"; the model needs an effect of {effect} on top (simulated mean "
            f"{f.pct(d['mean'])})."
        )
        out.append(text)
    return out


def _central_of(scenario, goal: str) -> float:
    from simrisk.core.priors import prior_central

    gm = scenario.model.goals[goal]
    return float(prior_central(gm.effect))
