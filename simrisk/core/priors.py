"""Priors shared by every model kind: validation, central values, a Gaussian copula.

A model kind names its parameters and gives each a :class:`~simrisk.core.config.Prior`.
:class:`ParameterSpace` turns independent uniforms from the counter-based
generator (:mod:`simrisk.core.rng`) into correlated uniforms through a
Gaussian copula and then into values by each marginal's inverse CDF.

A model kind can add a prior family of its own with :func:`register_family`
(the WELLBY kind adds ``dist = "pilot"``): the core never imports a kind.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from simrisk.core.config import Correlation, Prior
from simrisk.core.errors import ConfigIssue

__all__ = [
    "PARAMETER_KEYS",
    "REQUIRED_KEYS",
    "ParameterSpace",
    "build_space",
    "correlation_issues",
    "correlation_matrix",
    "frozen",
    "prior_central",
    "prior_issues",
    "prior_mean",
    "prior_support",
    "register_family",
]

#: the keys each prior family takes
REQUIRED_KEYS = {
    "fixed": ("value",),
    "normal": ("mean", "sd"),
    "truncnormal": ("mean", "sd", "low", "high"),
    "lognormal": ("median", "sd_log"),
    "beta": ("mean", "sd"),
    "uniform": ("low", "high"),
    "pert": ("min", "mode", "max"),
}
PARAMETER_KEYS = ("value", "mean", "sd", "low", "high", "median", "sd_log", "min", "mode", "max")


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


def prior_issues(
    p: Prior, path: str, lo: float, hi: float, what: str, base: Path | None = None
) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    if p.dist in _FAMILIES:
        return _FAMILIES[p.dist].issues(p, path, lo, hi, base)
    for k in ("config", "part"):
        if getattr(p, k) is not None:
            issues.append(
                ConfigIssue(f"{path}.{k}", "only applies to dist 'pilot'", getattr(p, k))
            )
    need = REQUIRED_KEYS[p.dist]
    for k in need:
        if getattr(p, k) is None:
            issues.append(
                ConfigIssue(f"{path}.{k}", f"is required for dist '{p.dist}'", has_value=False)
            )
    for k in PARAMETER_KEYS:
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


@dataclass(frozen=True)
class _Family:
    issues: Callable[[Prior, str, float, float, Path | None], list[ConfigIssue]]
    distribution: Callable[[Prior], object]


#: Prior families that model kinds add (``dist`` -> how to validate and draw it).
_FAMILIES: dict[str, _Family] = {}


def register_family(dist: str, *, issues, distribution) -> None:
    """Add a prior family defined by a model kind.

    Parameters
    ----------
    dist : str
        The ``dist`` value it answers to (one of :class:`Prior`'s literals).
    issues : callable
        ``issues(prior, path, low, high, base)``: the config problems, as
        :class:`ConfigIssue` lines.
    distribution : callable
        ``distribution(prior)``: an object with ``ppf(q)``, ``mean()`` and a
        ``central`` attribute.
    """
    _FAMILIES[dist] = _Family(issues, distribution)


def _family(p: Prior) -> _Family:
    try:
        return _FAMILIES[p.dist]
    except KeyError:
        raise ValueError(
            f"prior family {p.dist!r} is not available: import the model kind that defines it"
        ) from None


def frozen(p: Prior):
    from scipy import stats

    if p.dist in _FAMILIES:
        return _family(p).distribution(p)
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


def _phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _truncnormal_mean(p: Prior) -> float:
    a, b = (p.low - p.mean) / p.sd, (p.high - p.mean) / p.sd
    # The mass between a and b from the tail it lies nearer, so that it does
    # not cancel: Phi(b) - Phi(a), or Q(a) - Q(b) above 0.
    if a > 0.0:
        mass = 0.5 * (math.erfc(a / math.sqrt(2.0)) - math.erfc(b / math.sqrt(2.0)))
    else:
        mass = 0.5 * (math.erfc(-b / math.sqrt(2.0)) - math.erfc(-a / math.sqrt(2.0)))
    if not mass > 1e-3:
        # A truncation far in a tail or very narrow: scipy's log-space formulas.
        return float(frozen(p).mean())
    return p.mean + p.sd * (_phi(a) - _phi(b)) / mass


def prior_mean(p: Prior) -> float:
    """The prior's mean.

    In closed form, without scipy.stats (so that loading a config stays
    fast), by the formulas scipy.stats uses; a test checks them against
    scipy. A truncated normal far in a tail falls back on scipy.
    """
    if p.dist in _FAMILIES:
        return float(_family(p).distribution(p).mean())
    if p.dist == "fixed":
        return float(p.value)
    if p.dist == "normal":
        return float(p.mean)
    if p.dist == "truncnormal":
        return _truncnormal_mean(p)
    if p.dist == "lognormal":
        return float(np.sqrt(np.exp(p.sd_log * p.sd_log)) * p.median)
    if p.dist == "beta":
        k = p.mean * (1 - p.mean) / p.sd**2 - 1
        a, b = p.mean * k, (1 - p.mean) * k
        return float(a / (a + b))
    if p.dist == "uniform":
        return float(0.5 * (p.high - p.low) + p.low)
    if p.dist == "pert":
        span = p.max - p.min
        a = 1 + 4 * (p.mode - p.min) / span
        b = 1 + 4 * (p.max - p.mode) / span
        return float(a / (a + b) * span + p.min)
    raise ValueError(p.dist)


def prior_central(p: Prior) -> float:
    """The value ``--fixed-parameters`` uses: ``central`` if given, else the mean.

    For a family added by a model kind: that family's own central figure
    (for ``pilot``, the pilot's reported mean change).
    """
    if p.dist in _FAMILIES:
        return _family(p).distribution(p).central
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

    @cached_property
    def tables(self) -> tuple[np.ndarray | None, ...]:
        """Inverse-CDF tables of the marginals without a closed form, by :data:`_Z_GRID`.

        Built on first use (they need scipy.stats), so that loading and
        checking a config, which only needs :attr:`central`, stays fast.
        """
        return tuple(_table(p) for p in self.priors)

    @property
    def central(self) -> np.ndarray:
        """Central values (``--fixed-parameters``)."""
        return np.array([prior_central(p) for p in self.priors])

    def transform(self, u: np.ndarray) -> np.ndarray:
        """Parameter values ``[n, P]`` from independent uniforms ``u[n, P]``."""
        from scipy.special import ndtr, ndtri

        from simrisk.core._copula import copula_chunk

        z = ndtri(u)
        out = np.empty_like(z)
        kind, c0, c1, row, tables = self._plan
        # One compiled pass: the correlated scores (einsum's sums, bit for bit;
        # not `@`, whose BLAS thread pool would fight the kernel's threads),
        # fixed, normal and tabulated marginals; uniform and lognormal scores
        # are finished below with NumPy's ndtr and exp, as before.
        copula_chunk(z, self.chol, self.correlated, kind, c0, c1, row, tables, _Z_GRID, out)
        for k, p in enumerate(self.priors):
            if p.dist == "lognormal":
                out[:, k] = p.median * np.exp(p.sd_log * out[:, k])
            elif p.dist == "uniform":
                out[:, k] = p.low + (p.high - p.low) * ndtr(out[:, k])
        return out

    @cached_property
    def _plan(self):
        """:func:`simrisk.core._copula.copula_chunk`'s per-column arrays."""
        from simrisk.core._copula import FIXED, KEEP_Z, NORMAL, TABLE

        P = len(self.priors)
        kind = np.full(P, KEEP_Z, np.int64)
        c0 = np.zeros(P)
        c1 = np.zeros(P)
        row = np.zeros(P, np.int64)
        stack = []
        for k, p in enumerate(self.priors):
            if p.dist == "fixed":
                kind[k], c0[k] = FIXED, p.value
            elif p.dist == "normal":
                kind[k], c0[k], c1[k] = NORMAL, p.mean, p.sd
            elif p.dist not in ("lognormal", "uniform"):
                kind[k], row[k] = TABLE, len(stack)
                stack.append(self.tables[k])
        tables = np.array(stack) if stack else np.zeros((1, _Z_GRID.shape[0]))
        return kind, c0, c1, row, tables


def _table(p: Prior) -> np.ndarray | None:
    if p.dist not in ("beta", "pert", "truncnormal") and p.dist not in _FAMILIES:
        return None
    if p.dist in _FAMILIES:  # a kind's family may depend on more than the prior's fields
        return _build_table(p)
    path = _table_path(p)
    if path is not None:
        try:
            table = np.load(path, allow_pickle=False)
            if table.shape == _Z_GRID.shape and table.dtype == np.float64:
                return table
        except (OSError, ValueError):
            pass
    table = _build_table(p)
    if path is not None:
        _save_table(path, table)
    return table


def _build_table(p: Prior) -> np.ndarray:
    from scipy.special import ndtr

    return frozen(p).ppf(ndtr(_Z_GRID))


#: Where inverse-CDF tables are kept between processes: ``$SIMRISK_CACHE_DIR``, else
#: ``$XDG_CACHE_HOME/simrisk`` or ``~/.cache/simrisk``; ``SIMRISK_CACHE_DIR=""`` turns
#: the cache off. Building the tables needs scipy.stats (about 0.6 s of CPU per
#: process, issue 24); a cached table is the very same array, so results do not change.
_TABLE_CACHE_VERSION = 1


def _cache_dir():
    import os
    from pathlib import Path

    env = os.environ.get("SIMRISK_CACHE_DIR")
    if env is not None:
        return Path(env) if env else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "simrisk"


def _table_path(p: Prior):
    """The cache file of ``p``'s table: named by a digest of everything its values depend on."""
    import hashlib
    import json

    import scipy

    folder = _cache_dir()
    if folder is None:
        return None
    what = {
        "prior": p.model_dump(mode="json"),
        "grid": [float(_Z_GRID[0]), float(_Z_GRID[-1]), int(_Z_GRID.shape[0])],
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "version": _TABLE_CACHE_VERSION,
    }
    digest = hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:32]
    return folder / "tables" / f"{p.dist}-{digest}.npy"


def _save_table(path, table: np.ndarray) -> None:
    """Write atomically (a file of its own, renamed into place); a cache that cannot
    be written is skipped."""
    import os
    import uuid

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, table, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        return


def correlation_matrix(names: Sequence[str], correlations: Sequence[Correlation]) -> np.ndarray:
    """The copula's correlation matrix over ``names`` from pairwise ``correlations``.

    Each entry is the copula's own correlation of normal scores
    (:attr:`Correlation.copula_rho`), converted from a Spearman rank
    correlation where the config gives one.
    """
    idx = {n: i for i, n in enumerate(names)}
    c = np.eye(len(names))
    for corr in correlations:
        i, j = idx[corr.a], idx[corr.b]
        c[i, j] = c[j, i] = corr.copula_rho
    return c


def build_space(
    names: Sequence[str], priors: Sequence[Prior], correlations: Sequence[Correlation] = ()
) -> ParameterSpace:
    """A :class:`ParameterSpace` from parameter names, their priors and correlations."""
    corr = correlation_matrix(names, correlations)
    return ParameterSpace(
        names=tuple(names),
        priors=tuple(priors),
        chol=np.linalg.cholesky(corr),
        correlated=bool(correlations),
    )


def correlation_issues(correlations: Sequence[Correlation], path: str) -> list[ConfigIssue]:
    """Each correlation must give exactly one of ``spearman`` and ``rho``."""
    issues: list[ConfigIssue] = []
    for i, c in enumerate(correlations):
        given = [k for k in ("spearman", "rho") if getattr(c, k) is not None]
        if len(given) != 1:
            issues.append(
                ConfigIssue(
                    f"{path}[{i}]",
                    "give exactly one of spearman (a rank correlation, converted for the "
                    "copula) and rho (the Gaussian copula's correlation of normal scores)",
                    has_value=False,
                )
            )
    return issues
