"""The ``dist = "pilot"`` prior family: a pilot's mean change as a prior.

A contract's effect prior can come from a WELLBY pilot (``config`` names the
pilot's WELLBY config, ``part`` says ``"gross"``: the pilot's mean change, or
``"net"``: less its no-intervention change). Importing this module registers
the family with :func:`simrisk.core.priors.register_family`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from simrisk.core.config import Prior
from simrisk.core.errors import ConfigError, ConfigIssue
from simrisk.core.priors import PARAMETER_KEYS, prior_central, register_family

__all__ = ["pilot_distribution"]


def _pilot_issues(p: Prior, path: str, lo: float, hi: float, base: Path | None):
    issues: list[ConfigIssue] = []
    for k in ("config", "part"):
        if getattr(p, k) is None:
            issues.append(
                ConfigIssue(f"{path}.{k}", "is required for dist 'pilot'", has_value=False)
            )
    for k in PARAMETER_KEYS:
        if getattr(p, k) is not None:
            issues.append(
                ConfigIssue(
                    f"{path}.{k}",
                    "is not a parameter of dist 'pilot' (it takes config, part)",
                    getattr(p, k),
                )
            )
    if issues:
        return issues
    if (lo, hi) != (-math.inf, math.inf):
        issues.append(
            ConfigIssue(
                f"{path}.dist",
                "a pilot's mean change can be any number; use it only for effects",
                p.dist,
            )
        )
    target = (base or Path()) / p.config  # parse_scenario has made it absolute
    if not target.is_file():
        issues.append(
            ConfigIssue(
                f"{path}.config",
                f"file not found: {target} (a file name is relative to the config that names it)",
                p.config,
            )
        )
        return issues
    try:
        _pilot_dist(str(target.resolve()), p.part)
    except ConfigError as exc:
        issues.append(ConfigIssue(f"{path}.config", f"invalid WELLBY config: {exc}", p.config))
    return issues


class _PilotDist:
    """A pilot's mean-change posterior as an empirical distribution (sorted draws)."""

    DRAWS = 200_000

    def __init__(self, config_path: str, part: str):
        from simrisk.kinds.wellby.config import load_wellby
        from simrisk.kinds.wellby.simulate import run_wellby

        cfg, _ = load_wellby(config_path)
        res = run_wellby(cfg, draws=self.DRAWS, seed=cfg.simulation.seed)
        mu = res.draws["mean_change"]
        central = res.summary["pilot"]["mean_change"]["central"]
        if part == "net":
            u = cfg.uncertainty.no_intervention_change
            if u is not None:
                mu = mu - res.draws["no_intervention_change"]
                central = central - prior_central(u)
        self.draws = np.sort(mu)
        self.central = float(central)

    def ppf(self, q):
        return np.quantile(self.draws, q)

    def mean(self):
        return float(self.draws.mean())


_PILOT_CACHE: dict[tuple[str, str], _PilotDist] = {}


def _pilot_dist(config_path: str, part: str) -> _PilotDist:
    key = (config_path, part)
    if key not in _PILOT_CACHE:
        _PILOT_CACHE[key] = _PilotDist(config_path, part)
    return _PILOT_CACHE[key]


def pilot_distribution(p: Prior) -> _PilotDist:
    """The pilot prior's distribution (cached per config and part)."""
    return _pilot_dist(p.config, p.part)


register_family("pilot", issues=_pilot_issues, distribution=pilot_distribution)
