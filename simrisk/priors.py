"""Priors: validation of their keys and supports, sampling through a Gaussian copula.

The engine draws one value per parameter per simulated world. Parameters
are named ``recruitment``, ``retention``, ``outcome_correlation`` and
``<goal id>.<parameter>`` (for example ``region_use.effect``). Uniforms
from the counter-based generator are turned into correlated uniforms by a
Gaussian copula (``model.correlations``, Spearman-like rank dependence via
the normal scores) and then into values by each marginal's inverse CDF.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simrisk.config import GoalModel, Prior, Scenario
from simrisk.errors import ConfigIssue

__all__ = ["ParameterSpace", "build_parameter_space", "model_issues", "prior_support"]

_REQUIRED = {
    "fixed": ("value",),
    "normal": ("mean", "sd"),
    "truncnormal": ("mean", "sd", "low", "high"),
    "lognormal": ("median", "sd_log"),
    "beta": ("mean", "sd"),
    "uniform": ("low", "high"),
    "pert": ("min", "mode", "max"),
    "pilot": (),
}
_KEYS = ("value", "mean", "sd", "low", "high", "median", "sd_log", "min", "mode", "max")

RESOURCE_PARAMS = ("drift", "effect", "sigma", "zero_share")
SCORE_PARAMS = ("drift_low", "drift_high", "effect", "sigma")


def prior_support(p: Prior) -> tuple[float, float]:
    """The closed hull of a valid prior's support."""
    if p.dist == "fixed":
        return p.value, p.value
    if p.dist in ("normal", "pilot"):
        return -math.inf, math.inf
    if p.dist in ("truncnormal", "uniform"):
        return p.low, p.high
    if p.dist == "lognormal":
        return 0.0, math.inf
    if p.dist == "beta":
        return 0.0, 1.0
    return p.min, p.max  # pert


def _prior_issues(
    p: Prior, path: str, lo: float, hi: float, what: str, base: Path | None = None
) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    if p.dist == "pilot":
        return _pilot_issues(p, path, lo, hi, base)
    for k in ("config", "part"):
        if getattr(p, k) is not None:
            issues.append(
                ConfigIssue(f"{path}.{k}", "only applies to dist 'pilot'", getattr(p, k))
            )
    need = _REQUIRED[p.dist]
    for k in need:
        if getattr(p, k) is None:
            issues.append(
                ConfigIssue(f"{path}.{k}", f"is required for dist '{p.dist}'", has_value=False)
            )
    for k in _KEYS:
        if k not in need and getattr(p, k) is not None:
            issues.append(
                ConfigIssue(
                    f"{path}.{k}",
                    f"is not a parameter of dist '{p.dist}' (it takes {', '.join(need)})",
                    getattr(p, k),
                )
            )
    if issues:
        return issues
    if p.dist in ("normal", "truncnormal", "beta") and p.sd <= 0:
        issues.append(ConfigIssue(f"{path}.sd", "must be positive", p.sd))
    if p.dist == "lognormal":
        if p.median <= 0:
            issues.append(ConfigIssue(f"{path}.median", "must be positive", p.median))
        if p.sd_log <= 0:
            issues.append(ConfigIssue(f"{path}.sd_log", "must be positive", p.sd_log))
    if p.dist in ("truncnormal", "uniform") and not p.low < p.high:
        issues.append(ConfigIssue(f"{path}.high", f"must be greater than low ({p.low})", p.high))
    if p.dist == "beta" and not issues:
        if not 0.0 < p.mean < 1.0:
            issues.append(ConfigIssue(f"{path}.mean", "must be in (0, 1) for a beta", p.mean))
        elif p.sd**2 >= p.mean * (1 - p.mean):
            issues.append(
                ConfigIssue(
                    f"{path}.sd",
                    f"is too large for a beta with mean {p.mean}: must be below "
                    f"{math.sqrt(p.mean * (1 - p.mean)):.4f}",
                    p.sd,
                )
            )
    if p.dist == "pert" and not (p.min <= p.mode <= p.max and p.min < p.max):
        issues.append(
            ConfigIssue(f"{path}.mode", "must satisfy min <= mode <= max with min < max", p.mode)
        )
    if issues:
        return issues
    s_lo, s_hi = prior_support(p)
    if s_lo < lo or s_hi > hi:
        issues.append(
            ConfigIssue(
                f"{path}.dist",
                f"{what}: its support [{s_lo:g}, {s_hi:g}] must lie within [{lo:g}, {hi:g}]",
                p.dist,
            )
        )
    if p.central is not None and not (s_lo <= p.central <= s_hi):
        issues.append(
            ConfigIssue(
                f"{path}.central", f"must lie in the support [{s_lo:g}, {s_hi:g}]", p.central
            )
        )
    return issues


def _pilot_issues(p: Prior, path: str, lo: float, hi: float, base: Path | None):
    issues: list[ConfigIssue] = []
    for k in ("config", "part"):
        if getattr(p, k) is None:
            issues.append(
                ConfigIssue(f"{path}.{k}", "is required for dist 'pilot'", has_value=False)
            )
    for k in _KEYS:
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
            ConfigIssue(f"{path}.config", f"file not found (relative to {base})", p.config)
        )
        return issues
    from simrisk.errors import ConfigError

    try:
        _pilot_dist(str(target.resolve()), p.part)
    except ConfigError as exc:
        issues.append(ConfigIssue(f"{path}.config", f"invalid WELLBY config: {exc}", p.config))
    return issues


class _PilotDist:
    """A pilot's mean-change posterior as an empirical distribution (sorted draws)."""

    DRAWS = 200_000

    def __init__(self, config_path: str, part: str):
        from simrisk.wellby import load_wellby, run_wellby

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


_BOUNDS = {
    "recruitment": (1e-9, 10.0, "recruitment is a fraction of population.referred"),
    "retention": (0.0, 1.0, "retention is a probability"),
    "outcome_correlation": (-1.0, 1.0, "a correlation"),
    "drift": (-math.inf, math.inf, ""),
    "effect": (-math.inf, math.inf, ""),
    "drift_low": (-math.inf, math.inf, ""),
    "drift_high": (-math.inf, math.inf, ""),
    "sigma": (1e-12, math.inf, "sigma is a standard deviation, so positive"),
    "zero_share": (0.0, 1.0, "zero_share is a probability"),
}


def parameter_names(s: Scenario) -> list[str]:
    """Names of every model parameter, in the engine's order."""
    names = ["recruitment", "retention", "outcome_correlation"]
    for g in s.goals:
        params = RESOURCE_PARAMS if g.outcome == "resource_use_fall" else SCORE_PARAMS
        names += [f"{g.id}.{p}" for p in params]
    return names


def _goal_prior(gm: GoalModel, name: str) -> Prior:
    p = getattr(gm, name)
    if p is None and name == "zero_share":
        return Prior(dist="fixed", value=0.0)
    return p


def model_issues(s: Scenario) -> list[ConfigIssue]:
    """Cross-checks of the ``[model]`` section against the scenario."""
    m = s.model
    if m is None:
        return []
    issues: list[ConfigIssue] = []
    for name in ("recruitment", "retention", "outcome_correlation"):
        lo, hi, what = _BOUNDS[name]
        issues += _prior_issues(getattr(m, name), f"model.{name}", lo, hi, what)
    goal_ids = [g.id for g in s.goals]
    for gid in m.goals:
        if gid not in goal_ids:
            from simrisk.config import _suggest

            issues.append(
                ConfigIssue(
                    f"model.goals.{gid}",
                    f"unknown goal; allowed: {', '.join(goal_ids)}{_suggest(gid, goal_ids)}",
                    has_value=False,
                )
            )
    for g in s.goals:
        path = f"model.goals.{g.id}"
        gm = m.goals.get(g.id)
        if gm is None:
            issues.append(
                ConfigIssue(path, "is required: every goal needs a model", has_value=False)
            )
            continue
        if g.outcome == "resource_use_fall":
            wanted, unwanted = (
                ("drift",),
                ("start_distribution", "drift_low", "drift_high", "low_max"),
            )
            if gm.zero_share is not None and gm.zero_baseline is None:
                issues.append(
                    ConfigIssue(
                        f"{path}.zero_baseline",
                        "is required with zero_share: say whether a citizen with no use "
                        "at start counts as 'success' or 'fail'",
                        has_value=False,
                    )
                )
        else:
            wanted = ("start_distribution", "drift_low", "drift_high", "low_max")
            unwanted = ("drift", "zero_share", "zero_baseline")
        for k in wanted:
            if getattr(gm, k) is None:
                issues.append(
                    ConfigIssue(
                        f"{path}.{k}", f"is required for outcome '{g.outcome}'", has_value=False
                    )
                )
        for k in unwanted:
            if getattr(gm, k) is not None:
                issues.append(
                    ConfigIssue(
                        f"{path}.{k}", f"does not apply to outcome '{g.outcome}'", getattr(gm, k)
                    )
                )
        if any(i.path.startswith(path) for i in issues):
            continue
        params = RESOURCE_PARAMS if g.outcome == "resource_use_fall" else SCORE_PARAMS
        for name in params:
            lo, hi, what = _BOUNDS[name]
            issues += _prior_issues(_goal_prior(gm, name), f"{path}.{name}", lo, hi, what)
        if g.outcome == "score_increase":
            n = g.scale_max - g.scale_min + 1
            sd = gm.start_distribution
            if len(sd) != n:
                issues.append(
                    ConfigIssue(
                        f"{path}.start_distribution",
                        f"must have {n} probabilities, one per score {g.scale_min}..{g.scale_max}",
                        f"{len(sd)} values",
                    )
                )
            elif abs(sum(sd) - 1.0) > 1e-6:
                issues.append(
                    ConfigIssue(f"{path}.start_distribution", "must sum to 1", round(sum(sd), 9))
                )
            if not g.scale_min <= gm.low_max < g.scale_max:
                issues.append(
                    ConfigIssue(
                        f"{path}.low_max",
                        f"must lie in [{g.scale_min}, {g.scale_max - 1}]",
                        gm.low_max,
                    )
                )
    n_res = sum(g.outcome == "resource_use_fall" for g in s.goals)
    if n_res > 4:
        issues.append(
            ConfigIssue("goals", "the engine supports at most 4 resource_use_fall goals", n_res)
        )
    if s.business_case is not None and m.cost_weights is not None:
        n = len(s.business_case.disease_groups)
        if len(m.cost_weights) != n:
            issues.append(
                ConfigIssue(
                    "model.cost_weights",
                    f"must have {n} weights, one per business_case.disease_groups row",
                    f"{len(m.cost_weights)} values",
                )
            )
        elif abs(sum(m.cost_weights) - 1.0) > 1e-6:
            issues.append(
                ConfigIssue("model.cost_weights", "must sum to 1", round(sum(m.cost_weights), 9))
            )
    if not issues:
        names = parameter_names(s)
        for i, c in enumerate(m.correlations):
            for key in ("a", "b"):
                v = getattr(c, key)
                if v not in names:
                    from simrisk.config import _suggest

                    issues.append(
                        ConfigIssue(
                            f"model.correlations[{i}].{key}",
                            f"unknown parameter{_suggest(v, names)}",
                            v,
                        )
                    )
            if c.a == c.b:
                issues.append(ConfigIssue(f"model.correlations[{i}].b", "must differ from a", c.b))
        if not issues and m.correlations:
            try:
                np.linalg.cholesky(_corr_matrix(s, names))
            except np.linalg.LinAlgError:
                issues.append(
                    ConfigIssue(
                        "model.correlations",
                        "the correlations do not form a positive-definite matrix",
                        has_value=False,
                    )
                )
    return issues


def _corr_matrix(s: Scenario, names: list[str]) -> np.ndarray:
    idx = {n: i for i, n in enumerate(names)}
    c = np.eye(len(names))
    for corr in s.model.correlations:
        i, j = idx[corr.a], idx[corr.b]
        c[i, j] = c[j, i] = corr.rho
    return c


def _frozen(p: Prior):
    from scipy import stats

    if p.dist == "pilot":
        return _pilot_dist(p.config, p.part)
    if p.dist == "normal":
        return stats.norm(loc=p.mean, scale=p.sd)
    if p.dist == "truncnormal":
        return stats.truncnorm(
            (p.low - p.mean) / p.sd, (p.high - p.mean) / p.sd, loc=p.mean, scale=p.sd
        )
    if p.dist == "lognormal":
        return stats.lognorm(s=p.sd_log, scale=p.median)
    if p.dist == "beta":
        k = p.mean * (1 - p.mean) / p.sd**2 - 1
        return stats.beta(p.mean * k, (1 - p.mean) * k)
    if p.dist == "uniform":
        return stats.uniform(loc=p.low, scale=p.high - p.low)
    if p.dist == "pert":
        span = p.max - p.min
        a = 1 + 4 * (p.mode - p.min) / span
        b = 1 + 4 * (p.max - p.mode) / span
        return stats.beta(a, b, loc=p.min, scale=span)
    raise ValueError(p.dist)


def prior_mean(p: Prior) -> float:
    """The prior's mean."""
    return float(p.value) if p.dist == "fixed" else float(_frozen(p).mean())


def prior_central(p: Prior) -> float:
    """The value ``--fixed-parameters`` uses: ``central`` if given, else the mean.

    For a ``pilot`` prior: the pilot's own central figure (its reported mean
    change, less the central no-intervention change for ``part = "net"``).
    """
    if p.dist == "pilot":
        return _pilot_dist(p.config, p.part).central
    return float(p.central) if p.central is not None else prior_mean(p)


# Marginals without a fast closed-form inverse CDF (beta, PERT, truncated
# normal) are tabulated once per run as x(z) = F^-1(Phi(z)) on a fine grid of
# normal scores and interpolated linearly; a test bounds the error against
# scipy's exact ppf. Beyond |z| = 8.5 (probability 2e-17) the end value is used.
_Z_GRID = np.linspace(-8.5, 8.5, 16385)


@dataclass(frozen=True)
class ParameterSpace:
    """Every parameter's prior and the copula that ties them together."""

    names: tuple[str, ...]
    priors: tuple[Prior, ...]
    chol: np.ndarray  # lower Cholesky factor of the copula's correlation matrix
    correlated: bool
    tables: tuple[np.ndarray | None, ...]

    @property
    def central(self) -> np.ndarray:
        """Central values (``--fixed-parameters``)."""
        return np.array([prior_central(p) for p in self.priors])

    def transform(self, u: np.ndarray) -> np.ndarray:
        """Parameter values ``[n, P]`` from independent uniforms ``u[n, P]``."""
        from scipy.special import ndtr, ndtri

        z = ndtri(u)
        if self.correlated:
            # einsum, not `@`: a BLAS call here would start BLAS's own thread
            # pool, which fights the kernel's threads for the cores.
            z = np.einsum("nk,jk->nj", z, self.chol)
        out = np.empty_like(z)
        for k, p in enumerate(self.priors):
            zk = z[:, k]
            if p.dist == "fixed":
                out[:, k] = p.value
            elif p.dist == "normal":
                out[:, k] = p.mean + p.sd * zk
            elif p.dist == "lognormal":
                out[:, k] = p.median * np.exp(p.sd_log * zk)
            elif p.dist == "uniform":
                out[:, k] = p.low + (p.high - p.low) * ndtr(zk)
            else:
                out[:, k] = np.interp(zk, _Z_GRID, self.tables[k])
        return out


def _table(p: Prior) -> np.ndarray | None:
    if p.dist not in ("beta", "pert", "truncnormal", "pilot"):
        return None
    from scipy.special import ndtr

    return _frozen(p).ppf(ndtr(_Z_GRID))


def build_parameter_space(s: Scenario) -> ParameterSpace:
    """The parameter space of a scenario with a ``[model]`` section."""
    m = s.model
    names = parameter_names(s)
    priors: list[Prior] = [m.recruitment, m.retention, m.outcome_correlation]
    for g in s.goals:
        params = RESOURCE_PARAMS if g.outcome == "resource_use_fall" else SCORE_PARAMS
        priors += [_goal_prior(m.goals[g.id], p) for p in params]
    corr = _corr_matrix(s, names)
    return ParameterSpace(
        names=tuple(names),
        priors=tuple(priors),
        chol=np.linalg.cholesky(corr),
        correlated=bool(m.correlations),
        tables=tuple(_table(p) for p in priors),
    )
