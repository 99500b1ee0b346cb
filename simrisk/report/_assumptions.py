"""The assumptions behind a run: each prior with the source its config line gives."""

from __future__ import annotations

import re

__all__ = ["prior_rows"]

_HEADER = re.compile(r"^\s*\[\[?([^\]]+)\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


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


def _describe(prior) -> str:
    p = prior
    if p.dist == "fixed":
        return f"fixed {p.value:g}"
    if p.dist == "normal":
        return f"normal(mean {p.mean:g}, sd {p.sd:g})"
    if p.dist == "truncnormal":
        return f"truncated normal({p.mean:g}, {p.sd:g}) on [{p.low:g}, {p.high:g}]"
    if p.dist == "lognormal":
        return f"lognormal(median {p.median:g}, sd of log {p.sd_log:g})"
    if p.dist == "beta":
        return f"beta(mean {p.mean:g}, sd {p.sd:g})"
    if p.dist == "uniform":
        return f"uniform({p.low:g}, {p.high:g})"
    if p.dist == "pert":
        return f"PERT({p.min:g}, {p.mode:g}, {p.max:g})"
    if p.dist == "pilot":
        return f"pilot posterior ({p.part}) from {p.config.rsplit('/', 1)[-1]}"
    return p.dist


def prior_rows(scenario, config_text: str) -> list[tuple[str, str, float, str]]:
    """(parameter, distribution, central value, source comment) for every prior."""
    from simrisk.kinds.contract.priors import build_parameter_space

    comments = _comments(config_text)
    space = build_parameter_space(scenario)
    rows = []
    for name, prior, central in zip(space.names, space.priors, space.central, strict=True):
        if "." in name:
            goal, key = name.split(".", 1)
            table = f"model.goals.{goal}"
            src = comments.get((table, key), "")
        else:
            src = comments.get(("model", name), "")
            if not src:
                keys = [v for (t, _k), v in comments.items() if t == f"model.{name}" and v]
                src = "; ".join(dict.fromkeys(keys))
        if name.endswith("zero_share") and prior.dist == "fixed" and prior.value == 0:
            src = src or "none: every citizen has some use at start (default)"
        rows.append((name, _describe(prior), float(central), src))
    return rows
