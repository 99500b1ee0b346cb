"""Expected value of sample information (``simrisk evsi``).

``EVSI(n) = E_X[max_d E[NB_d | X]] - max_d E[NB_d]``: what a study of size
``n`` with data ``X`` is worth to the decision before it is made.

- **Regression** (Strong, Oakley, Brennan & Breeze 2015, Med Decis Making
  35:570): for each prior draw ``theta_i`` simulate the study's data
  ``X_i`` given ``theta_i``, reduce it to its sufficient statistic
  ``T_i``, and regress the incremental net benefit on ``T_i``; the fitted
  values estimate ``E[NB_d - NB_0 | X_i]``. The regression is a
  penalised regression spline of :mod:`simrisk.core.regression` (the
  project's one smoother, as EVPPI uses; smoothing by GCV). SE: a bootstrap
  over blocks of draws (the blocks' cross-products are kept, so a replicate
  costs one solve and one matrix-vector product).
- **Importance sampling** (Menzies 2016, Med Decis Making 36:308): for
  ``K`` outer draws, data ``X_k`` from ``theta_k``; the posterior mean of
  the net benefit given ``X_k`` is the average over the prior draws
  weighted by the likelihood ``p(X_k | theta_i)``.
- **Nested** (contract studies, :func:`nested_evsi`): outer data sets, and
  for each an inner posterior sample (importance resampling of the prior
  draws) run through the real kernel.

Studies (:func:`parse_study`): ``binomial:PARAM``, ``normal:PARAM:sd=S``,
``cohort:ID``, ``engaged:ID:months=M`` and, for the WELLBY kind, ``pilot``
(optionally ``pilot:control=K``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.decision._common import jsonable, strict_json

__all__ = [
    "Study",
    "closed_form_normal_evsi",
    "enbs",
    "evsi",
    "evsi_dataset",
    "evsi_is",
    "evsi_json",
    "evsi_regression",
    "format_evsi",
    "nested_evsi",
    "parse_n_grid",
    "parse_study",
]

_BLOCKS = 100  # bootstrap blocks of draws
_BOOT = 100  # bootstrap replicates


# ---------------------------------------------------------------------------
# The smoother: the project's penalised regression spline (simrisk.core.regression)
# ---------------------------------------------------------------------------


def _solve_penalised(xtx: np.ndarray, xty: np.ndarray, pens: list[np.ndarray]) -> np.ndarray:
    """``(X'X + S_c)^-1 X'y_c`` per column ``c``, on the range of ``X'X`` (as the core's
    fit: the bases overlap, so ``X'X`` is singular, and a large penalty must not hide
    the directions it leaves free)."""
    w, V = np.linalg.eigh((xtx + xtx.T) / 2)
    keep = w > w.max() * 1e-10
    U = V[:, keep]
    ut = U.T @ xty
    out = np.empty((xtx.shape[0], len(pens)))
    for c, S in enumerate(pens):
        A = np.diag(w[keep]) + U.T @ S @ U
        out[:, c] = U @ np.linalg.solve(A, ut[:, c])
    return out


def _value(f: np.ndarray, weights: np.ndarray | None = None) -> float:
    """EVSI from fitted incremental NB ``f[n, D - 1]`` (option 0 the reference)."""
    if f.shape[1] == 1:  # two options: the common case, without the copies
        x = f[:, 0]
        if weights is None:
            return float(np.maximum(x, 0.0).mean() - max(x.mean(), 0.0))
        w = weights / weights.sum()
        return float(w @ np.maximum(x, 0.0) - max(w @ x, 0.0))
    full = np.concatenate([np.zeros((f.shape[0], 1)), f], axis=1)
    if weights is None:
        return float(full.max(axis=1).mean() - max(full.mean(axis=0).max(), 0.0))
    w = weights / weights.sum()
    return float(w @ full.max(axis=1) - max((w @ full).max(), 0.0))


def evsi_regression(
    T: np.ndarray, inb: np.ndarray, seed: int = 0, n_boot: int = _BOOT, design=None
) -> dict:
    """Regression EVSI (Strong et al. 2015) with a block-bootstrap SE.

    The smoother is the project's one penalised regression spline
    (:class:`simrisk.core.regression.SplineDesign`: cubic B-splines with knots
    at the statistic's quantiles, tensor-product interactions for several
    statistics, smoothing parameters by GCV per column). The bootstrap
    resamples blocks of draws and refits with the smoothing parameters of
    the full fit (their choice is not bootstrapped).

    Parameters
    ----------
    T : float64[N] or [N, k]
        The study's summary statistic, simulated per prior draw.
    inb : float64[N] or [N, D - 1]
        Incremental net benefit of options 1.. over option 0, per draw.
    design : SplineDesign, optional
        Default: a :class:`~simrisk.core.regression.SplineDesign` placed on ``T``.

    Returns
    -------
    dict
        ``value``, ``se`` (bootstrap), ``r2``, ``edf`` (per column).
    """
    from simrisk.core.regression import SplineDesign, fit_moments, single_blas_thread

    T = np.asarray(T, dtype=np.float64)
    inb = np.asarray(inb, dtype=np.float64)
    if inb.ndim == 1:
        inb = inb[:, None]
    N = inb.shape[0]
    design = SplineDesign(T) if design is None else design
    blocks = np.array_split(np.arange(N), _BLOCKS)
    with single_blas_thread():
        X = design(T)
        xtx = np.stack([X[b].T @ X[b] for b in blocks])
        xty = np.stack([X[b].T @ inb[b] for b in blocks])
    yty = (inb * inb).sum(axis=0)
    fit = fit_moments(design, xtx.sum(axis=0), xty.sum(axis=0), yty, N)
    beta = fit.beta
    fitted = X @ beta
    value = _value(fitted)
    # each column's penalty at its chosen smoothing parameters, for the bootstrap refits
    pens = []
    for c in range(inb.shape[1]):
        S = np.zeros((design.p, design.p))
        for g, Sg in design.penalties:
            S += fit.lam[c, g] * Sg
        pens.append(S)
    y = inb[:, -1]
    r2 = 1 - float(((y - fitted[:, -1]) ** 2).sum() / max(((y - y.mean()) ** 2).sum(), 1e-300))
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xB007]))
    starts = np.array([b[0] for b in blocks])
    sizes = np.array([len(b) for b in blocks], dtype=np.float64)
    counts = rng.multinomial(_BLOCKS, np.full(_BLOCKS, 1.0 / _BLOCKS), size=n_boot).astype(float)
    betas = [
        _solve_penalised(np.tensordot(m, xtx, 1), np.tensordot(m, xty, 1), pens) for m in counts
    ]
    vals = []
    for a in range(0, n_boot, 25):
        # the replicates' fitted values at once, summed by block: one product per batch
        B = np.stack(betas[a : a + 25], axis=-1)  # [p, D - 1, r]
        m = counts[a : a + 25]  # [r, blocks]
        F = np.einsum("np,pdr->ndr", X, B, optimize=True)  # [N, D - 1, r]
        full = np.concatenate([np.zeros((N, 1, F.shape[2])), F], axis=1)
        s_max = np.add.reduceat(full.max(axis=1), starts, axis=0)  # [blocks, r]
        s_opt = np.add.reduceat(full, starts, axis=0)  # [blocks, D, r]
        tot = m @ sizes  # [r]
        e_max = np.einsum("rb,br->r", m, s_max) / tot
        e_opt = np.einsum("rb,bdr->rd", m, s_opt) / tot[:, None]
        vals += list(e_max - np.maximum(e_opt.max(axis=1), 0.0))
    return {
        "value": value,
        "se": float(np.std(vals, ddof=1)),
        "r2": r2,
        "edf": [float(e) for e in fit.edf],
    }


# ---------------------------------------------------------------------------
# Studies
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Study:
    """A study: what is observed, on how many, and its likelihood."""

    kind: str  # binomial | normal | cohort | engaged | pilot
    text: str
    parameter: str = ""
    sd: float = 0.0
    cohort: str = ""
    months: int = 0
    control: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def has_n(self) -> bool:
        return self.kind != "cohort"


def parse_study(
    text: str, parameters: Sequence[str], cohorts: Sequence[str] = (), kind="contract"
) -> Study:
    """``--study`` text to a :class:`Study` (one-line errors naming the flag)."""
    parts = text.split(":")
    head = parts[0]
    opts = {}
    for p in parts[2:] if head in ("binomial", "normal", "cohort", "engaged") else parts[1:]:
        if "=" not in p:
            raise SimriskError(f"--study {text!r}: {p!r} is not KEY=VALUE")
        k, v = p.split("=", 1)
        opts[k.strip()] = v.strip()

    def num(key, cast=float, positive=True):
        if key not in opts:
            raise SimriskError(f"--study {text!r}: needs {key}=VALUE")
        try:
            v = cast(opts[key])
        except ValueError:
            raise SimriskError(
                f"--study {text!r}: {key} = {opts[key]!r} is not a number"
            ) from None
        if positive and not v > 0:
            raise SimriskError(f"--study {text!r}: {key} = {opts[key]} (allowed: > 0)")
        return v

    allowed = (
        "binomial:PARAM, normal:PARAM:sd=S, cohort:ID, engaged:ID:months=M, pilot[:control=K|n]"
    )
    if head in ("binomial", "normal"):
        if kind != "contract" and kind != "any":
            raise SimriskError(
                f"--study {text!r}: the {kind} kind takes pilot studies (pilot, pilot:control=K)"
            )
        if len(parts) < 2 or parts[1] not in parameters:
            name = parts[1] if len(parts) > 1 else ""
            raise SimriskError(
                f"--study {text!r}: {name!r} is not a varying parameter of the result "
                f"(allowed: {', '.join(parameters)})"
            )
        if head == "normal":
            return Study("normal", text, parameter=parts[1], sd=num("sd"))
        return Study("binomial", text, parameter=parts[1])
    if head in ("cohort", "engaged"):
        if kind != "contract":
            raise SimriskError(f"--study {text!r}: a {head} study needs a contract result")
        if len(parts) < 2 or parts[1] not in cohorts:
            name = parts[1] if len(parts) > 1 else ""
            raise SimriskError(
                f"--study {text!r}: {name!r} is not a cohort (allowed: {', '.join(cohorts)})"
            )
        if head == "cohort":
            return Study("cohort", text, cohort=parts[1])
        m = num("months", int)
        if m > 12:
            raise SimriskError(f"--study {text!r}: months = {m} (allowed: 1..12)")
        return Study("engaged", text, cohort=parts[1], months=m)
    if head == "pilot":
        if kind != "wellby":
            raise SimriskError(f"--study {text!r}: a pilot study needs a WELLBY result")
        if opts.get("control") == "n":  # a control group as large as the treated one
            return Study("pilot", text, control=-1)
        k = num("control", int) if "control" in opts else 0
        return Study("pilot", text, control=k)
    raise SimriskError(f"--study {text!r}: unknown study (allowed: {allowed})")


def parse_n_grid(text: str) -> list[int]:
    """``--n 10,50,100``: positive whole numbers."""
    from simrisk.core.numbers import parse_number

    out = []
    for p in text.split(","):
        v = parse_number(p, "--n", whole=True, low=1, what="a whole number >= 1", context=text)
        out.append(int(v))
    if not out:
        raise SimriskError("--n: no sample size given")
    return sorted(set(out))


# ---------------------------------------------------------------------------
# The decision problems: net benefit and the study's data per prior draw
# ---------------------------------------------------------------------------


@dataclass
class Problem:
    """A result's decision and what a study would see, per prior draw."""

    nb: np.ndarray  # [N, D]
    options: list[str]
    names: list[str]
    theta: dict  # name -> float64[N]
    simulate: Callable  # (study, n, rng) -> T [N, k]
    loglik: Callable  # (study, n, T_k [k], idx) -> float64[len(idx)]
    default_n: Callable  # study -> int or None
    evppi_of: Callable  # study -> list of parameter arrays for the EVPPI bound
    kind: str
    ds: xr.Dataset | None = None
    extra: dict = field(default_factory=dict)


def _generic_sim(theta, study, n, rng):
    x = theta[study.parameter]
    if study.kind == "binomial":
        if (x < 0).any() or (x > 1).any():
            raise SimriskError(
                f"--study {study.text!r}: {study.parameter} takes values outside 0..1, so it "
                "cannot be a binomial probability"
            )
        return (rng.binomial(n, x) / n)[:, None]
    return (x + study.sd / math.sqrt(n) * rng.standard_normal(x.shape[0]))[:, None]


def _generic_ll(theta, study, n, t, idx):
    from scipy.stats import binom

    x = theta[study.parameter][idx]
    if study.kind == "binomial":
        return binom.logpmf(round(t[0] * n), n, np.clip(x, 0, 1))
    s = study.sd / math.sqrt(n)
    return -0.5 * ((t[0] - x) / s) ** 2


def _lgamma_diff(n: np.ndarray, m: int) -> np.ndarray:
    """``log Gamma(n - m + 1)`` (with ``log Gamma(m + 1)`` left out: constant over draws)."""
    from scipy.special import gammaln

    return gammaln(np.maximum(n - m, 0) + 1)


def contract_problem(ds: xr.Dataset) -> Problem:
    """DSI's decision (lend, or not: NB = NPV or 0) and its studies."""
    from simrisk.decision._common import varying_parameters
    from simrisk.decision.monitor import scenario_of
    from simrisk.decision.voi import net_benefit

    names, _ = varying_parameters(ds)
    nb, options = net_benefit(ds)
    all_names = [str(n) for n in ds["parameter"].values]
    P = ds["parameters"].values.astype(np.float64)
    theta = {n: P[:, all_names.index(n)] for n in all_names}
    extra: dict = {}
    try:
        scenario = scenario_of(ds)
    except SimriskError:
        scenario = None
    cohorts = [str(c) for c in ds["cohort"].values] if "cohort" in ds.coords else []

    def inputs():
        if "inp" not in extra:
            from simrisk.kinds.contract import build_inputs

            if scenario is None:
                raise SimriskError("this study needs the result's scenario (scenario_json)")
            extra["inp"] = build_inputs(scenario)
            extra["p_goal"] = None
        return extra["inp"]

    def p_goal():
        inputs()
        if extra["p_goal"] is None:
            from simrisk.kinds.contract.observed import success_probabilities_batch

            extra["p_goal"] = success_probabilities_batch(extra["inp"], P)
        return extra["p_goal"]

    def planned(cid):
        inp = inputs()
        k = cohorts.index(cid)
        return round(inp.contract.referred * inp.contract.cohort_share[k])

    def simulate(study, n, rng):
        if study.kind in ("binomial", "normal"):
            return _generic_sim(theta, study, n, rng)
        k = cohorts.index(study.cohort)
        if study.kind == "engaged":
            from simrisk.kinds.contract.observed import engaged_share

            return (rng.binomial(n, engaged_share(theta["retention"], study.months)) / n)[:, None]
        # cohort: the draw's own counts, as the contract will see them
        m = ds["measured"].values[:, k].astype(np.float64)
        s = ds["successes"].values[:, k, :].astype(np.float64)
        return np.column_stack([m, s / np.maximum(m, 1)[:, None]])

    def loglik(study, n, t, idx):
        from scipy.stats import binom

        if study.kind in ("binomial", "normal"):
            return _generic_ll(theta, study, n, t, idx)
        k = cohorts.index(study.cohort)
        ret = np.clip(theta["retention"][idx], 0, 1)
        if study.kind == "engaged":
            from simrisk.kinds.contract.observed import engaged_share

            return binom.logpmf(round(t[0] * n), n, engaged_share(ret, study.months))
        # Binomial log-likelihoods up to terms constant over the draws, from logs of
        # the probabilities computed once (an outer loop calls this many times)
        m = round(t[0])
        logs = cohort_logs(k)
        with np.errstate(invalid="ignore"):
            ll = (
                logs["lchoose_base"][idx]
                - _lgamma_diff(logs["n_ref"][idx], m)
                + m * logs["lq"][idx]
                + logs["n_ref"][idx] * logs["l1q"][idx]
                - m * logs["l1q"][idx]
            )
        ll = np.where(logs["n_ref"][idx] >= m, ll, -np.inf)
        for g in range(logs["lp"].shape[1]):
            s_g = round(t[1 + g] * max(m, 1))
            ll = ll + s_g * logs["lp"][idx, g] + (m - s_g) * logs["l1p"][idx, g]
        return np.nan_to_num(ll, nan=-np.inf)

    def cohort_logs(k):
        key = ("logs", k)
        if key not in extra:
            from scipy.special import gammaln

            inp = inputs()
            q = np.clip(theta["retention"], 0, 1) * inp.contract.cohort_share[k]
            pg = np.clip(p_goal(), 0, 1)
            n_ref = np.floor(inp.contract.referred * theta["recruitment"] + 0.5)
            with np.errstate(divide="ignore"):
                extra[key] = {
                    "n_ref": n_ref,
                    "lchoose_base": gammaln(n_ref + 1),
                    "lq": np.log(q),
                    "l1q": np.log1p(-q),
                    "lp": np.log(pg),
                    "l1p": np.log1p(-pg),
                }
        return extra[key]

    def default_n(study):
        if study.kind == "engaged":
            return planned(study.cohort)
        return None

    def evppi_of(study):
        if study.kind in ("binomial", "normal"):
            return [study.parameter]
        if study.kind == "engaged":
            return ["retention"]
        # the cohort's own counts settle its payments too: chance is learned as well as
        # the parameters, so the ceiling is the EVPI
        return None

    return Problem(
        nb, options, names, theta, simulate, loglik, default_n, evppi_of, "contract", ds, extra
    )


def wellby_problem(ds: xr.Dataset) -> Problem:
    """The WELLBY kind's decision: scale up as the first projection (first size), or not.

    Net benefit of scaling up, per draw: ``size x completion x (mu - mu0) x
    persistence x value - investment``, with ``mu`` the mean change per
    completer and ``mu0`` the change without the intervention (regression to
    the mean); the draws are re-made from the result's config and seed
    (:func:`simrisk.kinds.wellby.simulate.run_wellby` is a pure function of them).
    """
    import tomllib

    from simrisk.core.config import validate_model
    from simrisk.kinds.wellby.config import WellbyConfig
    from simrisk.kinds.wellby.simulate import pilot_draws

    text = ds.attrs.get("config", "")
    if not text:
        raise SimriskError("the WELLBY result lacks its config text (rerun it with this version)")
    cfg = validate_model(WellbyConfig, tomllib.loads(text))
    n = int(ds.attrs["draws"])
    seed = int(ds.attrs["seed"])
    # the same draws of every quantity as the run's (run_wellby without scores)
    got = pilot_draws(cfg, n, seed)
    mu, sd, m_hat = got["mean_change"], got["sd_change"], cfg.mean_change
    completion, value = got["completion_rate"], got["value_per_wellby"]
    persist, mu0 = got["persistence"], got["no_intervention_change"]
    if "draws_mean_change" in ds and not np.allclose(
        ds["draws_mean_change"].values, mu.astype(np.float32), rtol=1e-6, atol=1e-6
    ):
        raise SimriskError(
            "the WELLBY result's draws cannot be re-made from its config and seed "
            "(written by another version?): rerun it"
        )
    proj = cfg.projections[0]
    size = proj.recruited[0]
    inv = size * proj.investment_per_recruited
    c_draw = completion if proj.completion == "pilot" else np.full(n, proj.completion)
    m_draw = mu if proj.mean_change == "pilot" else proj.mean_change + (mu - m_hat)
    nb_scale = size * c_draw * (m_draw - mu0) * persist * value - inv
    nb = np.column_stack([np.zeros(n), nb_scale])
    theta = {"mean_change": mu, "no_intervention_change": mu0, "sd_change": sd}

    def control(study, nn):
        return nn if study.control == -1 else study.control

    def simulate(study, nn, rng):
        t = mu + sd / math.sqrt(nn) * rng.standard_normal(n)
        if study.control:
            c = mu0 + sd / math.sqrt(control(study, nn)) * rng.standard_normal(n)
            return np.column_stack([t, c])
        return t[:, None]

    def loglik(study, nn, t, idx):
        s = sd[idx] / math.sqrt(nn)
        ll = -0.5 * ((t[0] - mu[idx]) / s) ** 2 - np.log(s)
        if study.control:
            sc = sd[idx] / math.sqrt(control(study, nn))
            ll = ll - 0.5 * ((t[1] - mu0[idx]) / sc) ** 2 - np.log(sc)
        return ll

    def evppi_of(study):
        return ["mean_change", "no_intervention_change"] if study.control else ["mean_change"]

    return Problem(
        nb,
        ["do not scale up", f"scale up: {proj.scenario}, {size:,} recruited"],
        list(theta),
        theta,
        simulate,
        loglik,
        lambda study: cfg.pilot.completers,
        evppi_of,
        "wellby",
        ds,
        {"size": size, "scenario": proj.scenario},
    )


def problem_for(ds: xr.Dataset) -> Problem:
    kind = ds.attrs.get("simrisk_kind", "")
    if kind == "simrisk.wellby":
        return wellby_problem(ds)
    return contract_problem(ds)


# ---------------------------------------------------------------------------
# EVSI over n
# ---------------------------------------------------------------------------


def evsi_is(
    prob: Problem, study: Study, n: int, outer: int = 400, inner: int = 50_000, seed: int = 0
) -> dict:
    """Importance-sampling EVSI (Menzies 2016) with the SE over outer data sets."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, n, 0x15]))
    N = prob.nb.shape[0]
    inb = prob.nb[:, 1:] - prob.nb[:, :1]
    pool = rng.choice(N, size=min(inner, N), replace=False)
    ks = rng.choice(N, size=min(outer, N), replace=False)
    T = prob.simulate(study, n, rng)
    means = np.empty((len(ks), inb.shape[1]))
    for j, k in enumerate(ks):
        ll = prob.loglik(study, n, T[k], pool)
        w = np.exp(ll - np.max(ll))
        w /= w.sum()
        means[j] = w @ inb[pool]
    full = np.concatenate([np.zeros((len(ks), 1)), means], axis=1)
    best = int(np.argmax(np.concatenate([[0.0], inb.mean(axis=0)])))
    h = full.max(axis=1) - full[:, best]
    return {
        "value": float(h.mean()),
        "se": float(h.std(ddof=1) / math.sqrt(len(ks))),
        "outer": len(ks),
        "inner": len(pool),
    }


def evppi_bound(prob: Problem, study: Study, seed: int = 0) -> dict:
    """EVPPI of the study's parameters (the ceiling EVSI rises toward); EVPI for a cohort."""
    from simrisk.decision.voi import evpi, evppi

    if prob.evppi_of(study) is None:
        value, se = evpi(prob.nb)
        return {"value": value, "se": se}
    cols = [prob.theta[n] for n in prob.evppi_of(study)]
    X = np.column_stack(cols)
    keep = [j for j in range(X.shape[1]) if np.ptp(X[:, j]) > 0]
    if not keep:
        return {"value": 0.0, "se": 0.0}
    X = X[:, keep]
    if X.shape[1] == 1:
        r = evsi_regression(X[:, 0], prob.nb[:, 1:] - prob.nb[:, :1], seed=seed, n_boot=30)
        return {"value": r["value"], "se": r["se"]}
    r = evppi(prob.nb, X, n_post=0, seed=seed)
    return {"value": r["value"], "se": r["se"]}


def evsi(
    ds: xr.Dataset,
    study: str,
    n: Sequence[int] | None = None,
    seed: int = 0,
    check_is: bool = False,
    is_outer: int = 400,
    is_inner: int = 50_000,
) -> dict:
    """EVSI of ``study`` for the result's decision, for each ``n``.

    Returns a dict: ``study``, ``method``, ``options``, ``evsi`` (list of
    ``{n, value, se}``), ``evppi`` (the bound), and ``is_check`` when asked.
    """
    prob = problem_for(ds)
    cohorts = [str(c) for c in ds["cohort"].values] if "cohort" in ds.coords else []
    names = prob.names if prob.kind == "contract" else []
    st = parse_study(study, names, cohorts, prob.kind)
    if n is not None and not st.has_n:
        raise SimriskError(
            f"--n: the study {study!r} observes the cohort as the contract defines it; "
            "its size is not chosen"
        )
    if n is None:
        d = prob.default_n(st)
        n = [d] if d is not None else [None]
    for v in n:
        if v is not None and v <= 0:
            raise SimriskError(f"--n: {v} (allowed: n >= 1)")
    inb = prob.nb[:, 1:] - prob.nb[:, :1]
    rows = []
    checks = []
    for i, nn in enumerate(n):
        rng = np.random.default_rng(np.random.SeedSequence([seed, i, 0xE5]))
        T = prob.simulate(st, nn if nn is not None else 1, rng)
        r = evsi_regression(T, inb, seed=seed + i)
        rows.append({"n": nn, "value": r["value"], "se": r["se"], "r2": r["r2"]})
        if check_is:
            c = evsi_is(prob, st, nn if nn is not None else 1, is_outer, is_inner, seed=seed + i)
            checks.append({"n": nn, **c})
    bound = evppi_bound(prob, st, seed)
    out = {
        "scenario": ds.attrs.get("scenario", ds.attrs.get("name", "")),
        "draws": int(prob.nb.shape[0]),
        "study": study,
        "method": (
            "regression (Strong et al. 2015), penalised cubic regression spline (GCV), "
            "block-bootstrap SE"
        ),
        "options": prob.options,
        "expected_nb": prob.nb.mean(axis=0).tolist(),
        "evsi": rows,
        "evppi": {"parameters": prob.evppi_of(st) or ["everything (EVPI)"], **bound},
    }
    if checks:
        out["is_check"] = {"method": "importance sampling (Menzies 2016)", "evsi": checks}
    return strict_json(out)


def closed_form_normal_evsi(a: float, b: float, S: float, n: int) -> float:
    """EVSI of ``normal:X:sd=S`` for ``NB = a + b X + e``, ``X ~ N(0, 1)``:
    ``E[max(Y, 0)] - max(a, 0)`` with ``Y ~ N(a, b^2 n / (n + S^2))``."""
    from scipy.stats import norm

    s = abs(b) * math.sqrt(n / (n + S * S))
    return float(a * norm.cdf(a / s) + s * norm.pdf(a / s) - max(a, 0.0))


# ---------------------------------------------------------------------------
# Net benefit of sampling
# ---------------------------------------------------------------------------


def enbs(
    result: dict,
    cost_fixed: float = 0.0,
    cost_per_unit: float = 0.0,
    population: float = 1.0,
    horizon: float = 1.0,
) -> dict:
    """ENBS(n) = EVSI(n) x population x horizon - (fixed + per-unit x n); the optimum.

    The optimal ``n`` and the range of ``n`` whose ENBS is within 5% of the
    best (as voi's ``enbs_opt``) are read from a monotone (PCHIP) interpolation
    of EVSI in ``log n`` over the grid.
    """
    from scipy.interpolate import PchipInterpolator

    rows = [r for r in result["evsi"] if r["n"] is not None]
    if len(rows) < 2:
        raise SimriskError(
            "--cost-*: the net benefit of sampling needs at least two values of --n"
        )
    scale = population * horizon
    table = []
    for r in rows:
        v = r["value"] * scale - cost_fixed - cost_per_unit * r["n"]
        table.append({"n": r["n"], "value": v, "se": r["se"] * scale})
    ns = np.array([r["n"] for r in rows], dtype=float)
    ev = np.maximum.accumulate(np.array([r["value"] for r in rows]))
    f = PchipInterpolator(np.log(ns), ev)
    grid = np.unique(np.round(np.exp(np.linspace(np.log(ns[0]), np.log(ns[-1]), 2000))))
    e = f(np.log(grid)) * scale - cost_fixed - cost_per_unit * grid
    best = int(np.argmax(e))
    cut = e[best] - 0.05 * abs(e[best])
    near = grid[e >= cut]
    return {
        "enbs": table,
        "optimal_n": int(grid[best]),
        "optimal_enbs": float(e[best]),
        "n_within_5pct": [int(near.min()), int(near.max())],
        "costs": {
            "fixed": cost_fixed,
            "per_unit": cost_per_unit,
            "population": population,
            "horizon": horizon,
        },
    }


def evsi_json(result: dict) -> dict:
    return strict_json(result)


def evsi_dataset(result: dict) -> xr.Dataset:
    """The EVSI table (and ENBS) as a Dataset over ``n``, the result's JSON in ``attrs``."""
    import json

    rows = result["evsi"]
    n = [-1 if r["n"] is None else r["n"] for r in rows]
    data = {
        "evsi": (("n",), [r["value"] for r in rows], {"units": "DKK", "long_name": "EVSI"}),
        "evsi_se": (("n",), [r["se"] for r in rows], {"units": "DKK", "long_name": "SE of EVSI"}),
    }
    if "enbs" in result:
        e = {r["n"]: r for r in result["enbs"]["enbs"]}
        data["enbs"] = (
            ("n",),
            [e[k]["value"] if k in e else np.nan for k in n],
            {"units": "DKK", "long_name": "expected net benefit of sampling"},
        )
    attrs = {
        "simrisk_kind": "simrisk.evsi",
        "study": result["study"],
        "method": result["method"],
        "result_json": json.dumps(jsonable(result)),
    }
    return xr.Dataset(data, coords={"n": np.array(n, dtype=np.int64)}, attrs=attrs)


def format_evsi(result: dict) -> str:
    """EVSI by n, with SEs, the EVPPI ceiling, and ENBS when costs were given."""
    lines = [
        f"{result['scenario']}: {result['draws']:,} draws; study {result['study']}",
        f"decision: {' / '.join(result['options'])}; method: {result['method']}",
        (
            "EVPI (the ceiling: the cohort's counts settle its payments, so chance is learned too)"
            if result["evppi"]["parameters"] == ["everything (EVPI)"]
            else f"EVPPI of {', '.join(result['evppi']['parameters'])} (the ceiling)"
        )
        + f": {result['evppi']['value']:,.0f} (SE {result['evppi']['se']:,.0f})",
        "",
        f"{'n':>8}{'EVSI':>14}{'SE':>12}{'R2':>8}",
    ]
    for r in result["evsi"]:
        n = "own" if r["n"] is None else f"{r['n']:,}"
        lines.append(f"{n:>8}{r['value']:>14,.0f}{r['se']:>12,.0f}{r['r2']:>8.3f}")
    if "is_check" in result:
        lines += ["", "importance-sampling check (Menzies 2016):"]
        for r in result["is_check"]["evsi"]:
            n = "own" if r["n"] is None else f"{r['n']:,}"
            lines.append(f"{n:>8}{r['value']:>14,.0f}{r['se']:>12,.0f}")
    if "nested" in result:
        lines += [
            "",
            "nested Monte Carlo on the kernel (outer data sets x inner posterior draws):",
        ]
        nested = result["nested"]
        for m in nested if isinstance(nested, list) else [nested]:
            n = "own" if m["n"] is None else f"{m['n']:,}"
            lines.append(
                f"{n:>8}{m['value']:>14,.0f}{m['se']:>12,.0f}   ({m['outer']:,} x {m['inner']:,}; "
                f"inner-noise bias about {m['bias']:,.0f})"
            )
    if "enbs" in result:
        e = result["enbs"]
        lines += ["", f"{'n':>8}{'ENBS':>14}{'SE':>12}"]
        for r in e["enbs"]:
            lines.append(f"{r['n']:>8,}{r['value']:>14,.0f}{r['se']:>12,.0f}")
        lo, hi = e["n_within_5pct"]
        lines.append(
            f"optimal n {e['optimal_n']:,} (ENBS {e['optimal_enbs']:,.0f}); "
            f"within 5% of the best: n = {lo:,} to {hi:,}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Nested Monte Carlo on the kernel: the check of the regression
# ---------------------------------------------------------------------------


def _nested_block(inp, key, hurdle, cohort, first, a, theta, fixed) -> np.ndarray:
    """NPV of nested rows ``a ..`` (a task: a pure function of its arguments).

    ``theta[r]`` are row ``a + r``'s parameters; ``fixed[r]`` (for a cohort
    study) the cohort's measured count and successes the row is settled with.
    """
    from simrisk.decision._engine import _run
    from simrisk.decision.monitor import settle

    n = theta.shape[0]
    arrays = _run(inp, key, np.arange(first + a, first + a + n, dtype=np.int64), theta)
    if cohort < 0:
        return arrays["npv"].astype(np.float64)
    m = arrays["measured"].astype(np.float64)
    s = arrays["successes"].astype(np.float64)
    m[:, cohort] = fixed[:, 0]
    s[:, cohort, :] = fixed[:, 1:]
    return settle(inp, m, s, hurdle)["npv"]


def nested_evsi(
    ds: xr.Dataset,
    study: str,
    n: int | None = None,
    outer: int = 400,
    inner: int = 1000,
    seed: int = 0,
    backend=None,
) -> dict:
    """EVSI of a contract study by two-level Monte Carlo on the real kernel.

    Outer: ``outer`` data sets, each from one prior draw of the result (the
    draw's own cohort counts for ``cohort:ID``; simulated given its
    parameters otherwise). Inner: ``inner`` parameter sets from the
    posterior given that data set (importance resampling of the result's
    prior draws by the study's likelihood), each simulated by the kernel on
    fresh draw indices after the run's own; for ``cohort:ID`` the cohort's
    counts are the data set's and its payments are settled from them. With
    a ``backend`` (:class:`simrisk.core.backends.DaskBackend`) the kernel
    runs as tasks over blocks of rows, with the same results. The value, its
    SE and the upward bias of the inner means' noise are
    :func:`simrisk.decision.voi.evppi_nested`'s.
    """
    from simrisk.core.backends import close_when_done, map_tasks
    from simrisk.core.rng import key_from_seed
    from simrisk.decision.monitor import scenario_of
    from simrisk.decision.voi import evppi_nested
    from simrisk.kinds.contract import build_inputs

    if outer < 2 or inner < 2:
        raise SimriskError(f"--outer {outer} / --inner {inner}: both must be at least 2")
    prob = problem_for(ds)
    if prob.kind != "contract":
        raise SimriskError("--nested: only for a contract run (it runs the contract's kernel)")
    cohorts = [str(c) for c in ds["cohort"].values]
    st = parse_study(study, prob.names, cohorts, "contract")
    nn = n if n is not None else (prob.default_n(st) or 1)
    inp = build_inputs(scenario_of(ds))
    key, _ = key_from_seed(int(ds.attrs["seed"]))
    N = prob.nb.shape[0]
    P = ds["parameters"].values.astype(np.float64)
    rng = np.random.default_rng(np.random.SeedSequence([seed, nn, 0xAE5]))
    T = prob.simulate(st, nn, rng)
    ks = rng.choice(N, size=min(outer, N), replace=False)
    K = len(ks)
    first = int(ds.attrs.get("first_draw", 0)) + N
    hurdle = float(ds.attrs["hurdle_rate"])
    pool = np.arange(N)
    idx = np.empty(K * inner, np.int64)
    for j, k in enumerate(ks):
        ll = prob.loglik(st, nn, T[k], pool)
        w = np.exp(ll - ll.max())
        idx[j * inner : (j + 1) * inner] = rng.choice(N, size=inner, p=w / w.sum())
    cohort = cohorts.index(st.cohort) if st.kind == "cohort" else -1
    fixed = None
    if cohort >= 0:
        m = T[ks, 0]
        fixed = np.column_stack([m, np.round(T[ks, 1:] * np.maximum(m, 1)[:, None])])
        fixed = np.repeat(fixed, inner, axis=0)
    rows = K * inner
    size = 65_536 if backend is None else backend.chunk_size(rows, 65_536)
    items = [
        (a, P[idx[a : a + size]], None if fixed is None else fixed[a : a + size])
        for a in range(0, rows, size)
    ]
    parts = map_tasks(_nested_block, items, (inp, key, hurdle, cohort, first), backend)
    npv = np.concatenate(close_when_done(parts)).reshape(K, inner)
    r = evppi_nested(npv)
    return {
        "value": r["value"],
        "se": r["se"],
        "bias": r["bias"],
        "outer": int(K),
        "inner": int(inner),
        "n": n,
        "first_draw": first,
    }
