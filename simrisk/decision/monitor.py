"""Update a contract's forecast from observed counts (``simrisk monitor``).

A result's draws are a sample from the prior. Observed counts of the running
contract (:mod:`simrisk.kinds.contract.observed`) reweight them by their
likelihood at each draw's parameters. The weights are Pareto-smoothed
(:mod:`simrisk.core.psis`); when they can be trusted (``k̂`` within Vehtari
et al.'s threshold and an effective sample size of at least ``max(1000,
N/20)``) every headline figure is recomputed with them. Otherwise the
posterior is drawn afresh by resample-move sequential Monte Carlo (Chopin
2002's IBIS, here tempered from prior to posterior): reweight by a power of
the likelihood chosen so that the ESS halves, resample, and move each
particle with preconditioned Crank-Nicolson Metropolis steps in the copula's
normal-score space (which leave the prior invariant, so the acceptance ratio
is the likelihood ratio alone); the new parameter sets are then simulated by
the kernel on the original run's random numbers (common random numbers: the
same draw indices, so the citizens' noise is the run's own).

Cohorts whose goal counts are Final are no longer uncertain: their payments
are computed from the observed successes (caps in repayment order as
always, :func:`settle`); the other cohorts keep each draw's simulated counts.

Every figure of the kind's summary (payers, caps, IRR quantiles, the
authorities' savings, the decision rules' verdicts) is recomputed for the
posterior by the kind's own summary of a posterior sample: on the weights
path the prior draws resampled systematically by their smoothed weights
(:func:`resample_indices`), on the fallback path the re-simulated
particles; in both the Final cohorts' counts are put into every draw and
everything that follows from counts is recomputed (:func:`with_final_counts`).
The summary's SEs assume independent draws, so they are scaled
(:func:`scale_errors`): by ``sqrt(N / ESS + 1)`` for resampled weights (the
importance-sampling error plus the resampling's), by ``sqrt(N / n_eff)`` for
the particles. The headline figures are also given exactly weighted (the
self-normalised estimate over the prior draws, :func:`headline`);
``tests/test_monitor_summary.py`` checks that the two agree.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.core.psis import PsisResult, psis, weighted_mean_sd
from simrisk.decision._common import jsonable

__all__ = [
    "MonitorResult",
    "format_monitor",
    "full_summary",
    "headline",
    "monitor",
    "monitor_json",
    "open_updated",
    "resample_indices",
    "scale_errors",
    "settle",
    "smc_posterior",
    "with_final_counts",
    "write_monitor",
]

#: the ``simrisk_kind`` of an updated result (a DataTree)
MONITOR_KIND = "simrisk.monitor"

#: figures of the ``decision`` group: name -> (long name, units)
FIGURES = {
    "p_npv_negative": ("P(NPV < 0)", "1"),
    "npv_mean": ("expected NPV", "DKK"),
    "p_irr_below_hurdle": ("P(IRR < hurdle rate)", "1"),
    "p_loss": ("P(received < capital)", "1"),
    "received_mean": ("expected total received", "DKK"),
}


def scenario_of(ds: xr.Dataset):
    """The validated scenario stored in a contract result."""
    from simrisk.kinds.contract.config import Scenario

    if "scenario_json" not in ds.attrs or "seed" not in ds.attrs:
        raise SimriskError(
            "the result lacks its scenario_json or seed (rerun it with this version)"
        )
    return Scenario.model_validate_json(ds.attrs["scenario_json"], strict=False)


# ---------------------------------------------------------------------------
# Payments from counts
# ---------------------------------------------------------------------------


def settle(inp, measured: np.ndarray, successes: np.ndarray, hurdle: float) -> dict:
    """The contract's money from counts per draw: caps in repayment order, clauses, NPV.

    Parameters
    ----------
    inp : EngineInputs
    measured : float64[n, C]
    successes : float64[n, C, G]
    hurdle : float
        The investor's hurdle rate: ``npv_hurdle < 0`` exactly when the IRR is
        below it (every disbursement precedes every repayment: one sign change).

    Returns
    -------
    dict
        ``repaid[n, C, G]``, ``by_payer[n, P]`` (repayments and clause
        payments), ``received[n]``, ``npv[n]``, ``npv_hurdle[n]``.
    """
    c = inp.contract
    measured = np.asarray(measured, dtype=np.float64)
    successes = np.asarray(successes, dtype=np.float64)
    n = successes.shape[0]
    uncapped = successes * c.payment_cg[None, :, :]
    counted = measured @ c.ret_count
    short = counted < c.ret_min
    if c.ret_mode == 1:
        ret_pay = np.where(short, c.ret_amount * (c.ret_min - counted), 0.0)
    elif c.ret_mode == 2:
        ret_pay = np.where(short, c.ret_amount, 0.0)
        uncapped = np.where(short[:, None, None] & (c.ret_void[None, :, None] > 0), 0.0, uncapped)
    else:
        ret_pay = np.zeros(n)
    if np.isfinite(c.goal_cap).any():  # each goal's maximum price, cumulated in repayment order
        room = np.tile(c.goal_cap, (n, 1))
        for cc in c.repay_order:
            uncapped[:, cc, :] = np.minimum(uncapped[:, cc, :], room)
            room = room - uncapped[:, cc, :]
    repaid = np.zeros_like(uncapped)
    paid = np.zeros((n, len(c.payer_ids)))
    for cc in c.repay_order:
        for p in range(len(c.payer_ids)):
            goals = c.goal_payer == p
            due = uncapped[:, cc, goals].sum(axis=1)
            room = np.maximum(c.cap[p] - paid[:, p], 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                scale = np.where(due > room, room / due, 1.0)
            repaid[:, cc, goals] = uncapped[:, cc, goals] * scale[:, None]
            paid[:, p] += np.minimum(due, room)
    total = repaid.sum(axis=(1, 2))
    floor_pay = np.maximum(c.floor_amount - total - ret_pay, 0.0)
    extra = [f for f, on in ((ret_pay, c.ret_flow >= 0), (floor_pay, c.floor_flow >= 0)) if on]
    flows = np.concatenate(
        [np.tile(-c.disb_amount, (n, 1)), repaid.sum(axis=2)] + [f[:, None] for f in extra],
        axis=1,
    )
    t = inp.flow_t
    by_payer = paid + ret_pay[:, None] * (c.ret_payer_share if c.ret_flow >= 0 else 0.0)
    by_payer = by_payer + floor_pay[:, None] * (c.floor_payer_share if c.floor_flow >= 0 else 0.0)
    received = total + (ret_pay if c.ret_flow >= 0 else 0.0)
    received = received + (floor_pay if c.floor_flow >= 0 else 0.0)
    return {
        "flows": flows,
        "ret_pay": ret_pay,
        "floor_pay": floor_pay,
        "repaid": repaid,
        "by_payer": by_payer,
        "repaid_by_payer": paid,
        "received": received,
        "npv": flows @ (1.0 + inp.rate) ** (-t),
        "npv_hurdle": flows @ (1.0 + hurdle) ** (-t),
    }


#: attributes of the prior result that the updated result's root keeps
_SOURCE_ATTRS = (
    "simrisk_version",
    "config_sha256",
    "created_at",
    "capital",
    "discount_rate",
    "hurdle_rate",
    "valuation_date",
)

#: attributes of a run that a re-simulated posterior sample keeps (its identity and terms)
_KEEP_ATTRS = ("scenario", "config", "config_sha256", "seed", "simrisk_version", "created_at")


def _spec_of(ds: xr.Dataset, n: int):
    from simrisk.core.driver import RunSpec

    return RunSpec(
        draws=n,
        seed=int(ds.attrs["seed"]),
        chunk_size=int(ds.attrs.get("chunk_size", 8192)),
        threads=1,
        fixed_parameters=False,
    )


def _money(ds, inp, measured, successes, hurdle: float, final: bool = False) -> dict:
    """The money :func:`headline` reads: from counts (:func:`settle`), or for a gated
    contract without Final counts the run's own variables (settle knows no gate)."""
    if not inp.contract.gate_on or final:
        return settle(inp, measured, successes, hurdle)
    from simrisk.kinds.contract.summary import received_total

    irr = ds["irr"].values.astype(np.float64)
    paid = ds["payments_by_payer" if "payments_by_payer" in ds else "repayments_by_payer"]
    return {
        "npv": ds["npv"].values.astype(np.float64),
        # only its sign is read: negative exactly when the IRR is below the hurdle
        "npv_hurdle": np.where(np.isfinite(irr) & (irr < hurdle), -1.0, 1.0),
        "received": received_total(ds),
        "by_payer": paid.values.astype(np.float64),
        "repaid_by_payer": ds["repayments_by_payer"].values.astype(np.float64),
    }


def _with_final(measured, successes, final_measured, final_successes):
    m = measured.astype(np.float64, copy=True)
    s = successes.astype(np.float64, copy=True)
    cols = np.isfinite(final_measured)
    m[:, cols] = final_measured[cols][None, :]
    fs = np.isfinite(final_successes)
    s[:, fs] = final_successes[fs][None, :]
    return m, s


# ---------------------------------------------------------------------------
# Every summary figure of the posterior: the kind's own summary of a posterior sample
# ---------------------------------------------------------------------------


def resample_indices(w: np.ndarray, seed: int) -> np.ndarray:
    """``N`` draw indices drawn systematically with probabilities ``w``, in random order.

    Systematic resampling (Kitagawa 1996) keeps each draw ``floor(N w)`` or
    ``ceil(N w)`` times; the order is then shuffled so that a draw's copies are
    not neighbours (a batch-means SE sees independent-looking blocks).
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x2E5]))
    idx = _systematic(w / w.sum(), rng)
    return rng.permutation(idx)


def se_factor_weights(n: int, ess: float) -> float:
    """How much a figure's SE over ``n`` resampled draws understates its error.

    A figure of the resampled draws has the variance of the self-normalised
    importance-sampling estimate, ``sigma^2 / ESS`` (Kong 1992's
    approximation, with ESS the smoothed weights' ``1 / sum(w^2)``), plus at
    most the resampling's own ``sigma^2 / n`` (multinomial; systematic
    resampling adds less). The summary reports ``sigma / sqrt(n)``, so its SEs
    are multiplied by ``sqrt(n / ESS + 1)``.
    """
    return math.sqrt(n / ess + 1.0)


def scale_errors(d, f: float):
    """A copy of the summary ``d`` with every Monte Carlo SE multiplied by ``f``.

    SEs are the values of keys ``se`` and ``*_se`` (numbers or lists of numbers);
    ``z`` and ``margin_z`` (a margin over its SE) are divided by ``f``.
    """
    if isinstance(d, dict):
        out = {}
        for k, v in d.items():
            key = str(k)
            if key == "se" or key.endswith("_se"):
                out[k] = _times(v, f)
            elif key in ("z", "margin_z"):
                out[k] = _times(v, 1.0 / f)
            else:
                out[k] = scale_errors(v, f)
        return out
    if isinstance(d, list):
        return [scale_errors(v, f) for v in d]
    return d


def _times(v, f):
    if isinstance(v, list):
        return [_times(x, f) for x in v]
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v * f
    return v


def full_summary(ds: xr.Dataset) -> dict:
    """The contract kind's summary of ``ds`` with the decision rules' verdicts."""
    from simrisk.decision.rules import with_decision
    from simrisk.kinds.contract.summary import summarize

    return with_decision(summarize(ds), ds)


def _kernel_arrays(ds: xr.Dataset) -> dict:
    """The kernel's per-draw outputs that :func:`simrisk.kinds.contract.dataset` derives the
    Dataset's variables from, read back from a result ``ds`` (without a gate)."""
    n = ds.sizes["draw"]
    clause = np.zeros((n, 2))
    for k, name in enumerate(("retention_clause_payment", "floor_payment")):
        if name in ds:
            clause[:, k] = ds[name].values.sum(axis=1, dtype=np.float64)
    saving = (
        ds["authority_saving_modelled"].values
        if "authority_saving_modelled" in ds
        else np.zeros((n, 0), np.float32)
    )
    return {
        "parameters": ds["parameters"].values,
        "referred": ds["referred"].values,
        "measured": ds["measured"].values,
        "successes": ds["successes"].values,
        "deadweight": ds["deadweight_successes"].values,
        "repaid": ds["repayments"].values,
        "cash_year": ds["cash_flow_by_year"].values,
        "irr": ds["irr"].values,
        "irr_status": ds["irr_status"].values,
        "npv": ds["npv"].values,
        "moic": ds["moic"].values,
        "saving": saving,
        "dw_share": ds["deadweight_share"].values,
        "clause": clause,
        "gate": np.zeros((n, 0)),
        "gate_paid": np.zeros((n, 0)),
        "gate_saving": np.zeros((n, 0)),
    }


def with_final_counts(ds: xr.Dataset, inp, final_measured, final_successes, hurdle: float):
    """``ds`` with the Final cohorts' observed counts in every draw, and every variable that
    follows from counts recomputed: the repayments (caps in repayment order), the clauses,
    the investor's flows, NPV, IRR and money multiple, the cash by year, the payers'
    payments and the authorities' note-method savings and net savings.

    Not observed, so kept from each draw: the authorities' modelled savings (the
    caused fall in use of measured citizens) and, for a Final cohort, the deadweight
    successes, rescaled to the observed successes by the draw's deadweight share in
    that cohort and goal (its share over all cohorts where the draw has no success
    there).
    """
    from simrisk.core.finance import IRR_REASONS
    from simrisk.kinds.contract.dataset import _per_draw
    from simrisk.kinds.fund._kernel import irr_by_draw

    c = inp.contract
    if c.gate_on:
        raise SimriskError(
            "Final counts with a [gate]: the update cannot settle a gated contract from "
            "counts yet; give the gated cohorts' counts as Interim"
        )
    a = _kernel_arrays(ds)
    m, s = _with_final(a["measured"], a["successes"], final_measured, final_successes)
    money = settle(inp, m, s, hurdle)
    # deadweight of a Final cell: the draw's deadweight share there, times the observed count
    sim_s = a["successes"].astype(np.float64)
    dw = a["deadweight"].astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_all = dw.sum(axis=1) / sim_s.sum(axis=1)  # [n, G]
        share = np.where(sim_s > 0, dw / sim_s, share_all[:, None, :])
    share = np.nan_to_num(share, nan=0.0)
    new_dw = np.minimum(np.floor(share * s + 0.5), s)
    fs = np.isfinite(final_successes)
    dw[:, fs] = new_dw[:, fs]
    flows = money["flows"]
    n = flows.shape[0]
    t_sorted = inp.flow_t[inp.flow_order]
    irr = np.empty(n)
    status = np.empty(n, np.int64)
    irr_by_draw(t_sorted, np.ascontiguousarray(flows[:, inp.flow_order]), irr, status)
    cash_year = np.zeros((n, len(inp.years)))
    np.add.at(cash_year.T, inp.flow_year, flows.T)
    total = money["repaid"].sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        part = np.where(s > 0, money["repaid"] * dw / s, 0.0).sum(axis=(1, 2))
        dw_share = np.where(total > 0, part / total, np.nan)
    inflow = np.where(flows > 0, flows, 0.0).sum(axis=1)
    outflow = -np.where(flows < 0, flows, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        moic = np.where(outflow > 0, inflow / outflow, np.nan)  # moic_core's definition
    arrays = {
        **a,
        "measured": m.astype(a["measured"].dtype),
        "successes": s.astype(a["successes"].dtype),
        "deadweight": dw.astype(a["deadweight"].dtype),
        "repaid": money["repaid"].astype(np.float32),
        "cash_year": cash_year.astype(np.float32),
        "irr": irr.astype(np.float32),
        "irr_status": status.astype(np.int8),
        "npv": money["npv"],
        "moic": moic.astype(np.float32),
        "dw_share": dw_share.astype(np.float32),
        "clause": np.stack([money["ret_pay"], money["floor_pay"]], axis=1),
    }
    first, clause_vars = _per_draw(inp, arrays, IRR_REASONS)
    first.pop("parameters", None)
    return ds.assign({**first, **clause_vars})


# ---------------------------------------------------------------------------
# Figures with weights
# ---------------------------------------------------------------------------


def _wquantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(w[order])
    return float(x[order][min(np.searchsorted(cw, q * cw[-1]), len(x) - 1)])


def headline(money: dict, w: np.ndarray, capital: float, caps, payer_ids, n_eff=None) -> dict:
    """Headline figures with self-normalised importance-sampling SEs.

    ``w`` are normalised weights (``1/N`` each for an equally weighted sample);
    ``n_eff`` overrides the SE's sample size for a sample whose draws are not
    independent (SMC particles): ``se = sd / sqrt(n_eff)``.
    """
    out = {}
    events = {
        "p_npv_negative": money["npv"] < 0,
        "npv_mean": money["npv"],
        "p_irr_below_hurdle": money["npv_hurdle"] < 0,
        "p_loss": money["received"] < capital,
        "received_mean": money["received"],
    }
    for i, p in enumerate(payer_ids):
        out_key = f"repayments_{p}_mean"
        events[out_key] = money["by_payer"][:, i]
        if np.isfinite(caps[i]):
            events[f"p_cap_reached_{p}"] = money["repaid_by_payer"][:, i] >= caps[i] * (1 - 1e-9)
    for k, x in events.items():
        m, sd, se = weighted_mean_sd(np.asarray(x, dtype=np.float64), w)
        if n_eff is not None:
            se = sd / math.sqrt(n_eff)
        out[k] = {"value": m, "se": se}
    for q in (0.05, 0.5, 0.95):
        out[f"npv_p{round(q * 100)}"] = {"value": _wquantile(money["npv"], w, q), "se": None}
    return out


def _param_summary(names, X, w, n_eff=None) -> dict:
    out = {}
    for k, name in enumerate(names):
        m, sd, se = weighted_mean_sd(X[:, k], w)
        ne = n_eff if n_eff is not None else 1.0 / float((w**2).sum())
        out[name] = {
            "mean": m,
            "sd": sd,
            "mean_se": se if n_eff is None else sd / math.sqrt(ne),
            "sd_se": sd / math.sqrt(2 * ne),
        }
    return out


# ---------------------------------------------------------------------------
# The fallback: resample-move SMC in the copula's normal scores
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SmcResult:
    params: np.ndarray  # float64[N, P]
    z: np.ndarray
    loglik: np.ndarray
    stages: int
    acceptance: float
    unique: int
    n_eff: float


def _ess(lw: np.ndarray) -> float:
    w = np.exp(lw - lw.max())
    return float(w.sum() ** 2 / (w**2).sum())


def _systematic(w: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = w.shape[0]
    pos = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(w), pos), n - 1)


def smc_posterior(space, z0, loglik_fn, seed: int = 0, moves: int = 5, max_stages: int = 60):
    """Resample-move SMC from the prior sample ``z0`` (normal scores) to the posterior.

    Parameters
    ----------
    space : ParameterSpace
        ``transform(ndtr(z))`` gives parameter values.
    z0 : float64[N, P]
        Independent standard normals: the prior draws' normal scores.
    loglik_fn : callable
        ``params[N, P] -> float64[N]``.

    Returns
    -------
    SmcResult
        Equally weighted particles; ``n_eff`` a conservative effective sample
        size (the unique particles after the last move, times the move's
        acceptance rate over the number of moves, at most N).
    """
    from scipy.special import ndtr

    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EC]))
    N = z0.shape[0]

    def theta(z):
        return space.transform(np.clip(ndtr(z), 1e-16, 1 - 1e-16))

    z = z0.copy()
    ll = loglik_fn(theta(z))
    if not np.isfinite(ll).any():
        raise SimriskError(
            "the observations are impossible under every prior draw (the prior cannot explain "
            "them): check the counts against the config"
        )
    phi = 0.0
    beta = 0.5
    stages = 0
    acc = 1.0
    while phi < 1.0:
        stages += 1
        if stages > max_stages:
            raise SimriskError(
                f"the posterior could not be reached in {max_stages} tempering stages: the "
                "observations are far outside what the prior allows (prior-data conflict)"
            )
        finite = np.where(np.isfinite(ll), ll, -np.inf)
        if _ess((1.0 - phi) * finite) >= N / 2:
            delta = 1.0 - phi
        else:
            lo, hi = 0.0, 1.0 - phi
            for _ in range(50):
                mid = 0.5 * (lo + hi)
                if _ess(mid * finite) >= N / 2:
                    lo = mid
                else:
                    hi = mid
            delta = max(lo, 1e-12)
        lw = delta * finite
        w = np.exp(lw - lw.max())
        w /= w.sum()
        phi = min(1.0, phi + delta)
        idx = _systematic(w, rng)
        z, ll = z[idx], ll[idx]
        accepted = 0
        for _ in range(moves):
            prop = math.sqrt(1 - beta**2) * z + beta * rng.standard_normal(z.shape)
            llp = loglik_fn(theta(prop))
            with np.errstate(invalid="ignore"):
                log_a = phi * (llp - ll)
            log_a = np.where(np.isfinite(llp), np.nan_to_num(log_a, nan=-np.inf), -np.inf)
            ok = np.log(rng.random(N)) < log_a
            z = np.where(ok[:, None], prop, z)
            ll = np.where(ok, llp, ll)
            rate = float(ok.mean())
            accepted += ok.sum()
            # keep the acceptance rate near 0.3 by scaling the step
            beta = float(np.clip(beta * math.exp(rate - 0.3), 0.01, 0.99))
        acc = accepted / (moves * N)
    # a few more moves at the posterior so that duplicates from the last resampling spread
    accepted = 0
    extra = 2 * moves
    for _ in range(extra):
        prop = math.sqrt(1 - beta**2) * z + beta * rng.standard_normal(z.shape)
        llp = loglik_fn(theta(prop))
        with np.errstate(invalid="ignore"):
            log_a = np.where(np.isfinite(llp), llp - ll, -np.inf)
        ok = np.log(rng.random(N)) < np.nan_to_num(log_a, nan=-np.inf)
        z = np.where(ok[:, None], prop, z)
        ll = np.where(ok, llp, ll)
        accepted += ok.sum()
        beta = float(np.clip(beta * math.exp(ok.mean() - 0.3), 0.01, 0.99))
    acc = accepted / (extra * N)
    if acc < 1e-3:
        raise SimriskError(
            "the posterior sampler could not move (acceptance below 0.1%): the observations "
            "are far outside what the prior allows (prior-data conflict)"
        )
    unique = int(np.unique(z[:, 0]).shape[0])
    n_eff = min(float(N), unique * min(1.0, acc * extra / 4))
    return SmcResult(theta(z), z, ll, stages, float(acc), unique, n_eff)


def _prior_scores(inp, seed: int, n: int, first: int = 0) -> np.ndarray:
    from scipy.special import ndtri

    from simrisk.core.rng import key_from_seed, param_uniforms

    key, _ = key_from_seed(seed)
    P = len(inp.space.names)
    u = np.empty((n, P))
    param_uniforms(key, np.int64(first), n, P, u)
    return ndtri(u)


# ---------------------------------------------------------------------------
# Prior-data conflict: the prior predictive tail probability of each count
# ---------------------------------------------------------------------------


def predictive_pvalues(inp, obs, params: np.ndarray) -> list[float]:
    """Two-sided prior predictive p-value of each observed count (Box 1980).

    ``2 min(P(Y <= y), P(Y >= y))`` with ``Y`` the count the model predicts
    for that row, mixing its binomial over the prior draws.
    """
    from scipy.stats import binom

    from simrisk.kinds.contract.observed import engaged_share, success_probabilities_batch

    names = inp.space.names
    rec = params[:, names.index("recruitment")]
    ret = np.clip(params[:, names.index("retention")], 0, 1)
    n_ref = np.floor(inp.contract.referred * rec + 0.5)
    goals = None
    out = []
    for o in obs.rows:
        if o.metric == "referred":
            n, p = n_ref, inp.contract.cohort_share[o.cohort]
        elif o.metric == "engaged":
            n, p = o.engaged, engaged_share(ret, o.months)
        elif o.metric == "measured":
            n, p = o.engaged, ret
        else:
            if goals is None:
                goals = success_probabilities_batch(inp, params)
            n, p = o.engaged, goals[:, o.goal]
        lo = float(binom.cdf(o.positive, n, p).mean())
        hi = float(binom.sf(o.positive - 1, n, p).mean())
        out.append(min(1.0, 2 * min(lo, hi)))
    return out


# ---------------------------------------------------------------------------
# The update
# ---------------------------------------------------------------------------


@dataclass
class MonitorResult:
    """What :func:`monitor` found; :func:`write_monitor` writes it as a DataTree."""

    scenario: str
    names: list[str]
    prior_params: np.ndarray
    post_params: np.ndarray
    weights: np.ndarray  # posterior weights over post_params' rows
    loglik: np.ndarray
    psis: PsisResult
    path: str
    reason: str
    prior: dict
    posterior: dict
    prior_money: dict
    post_money: dict
    observed: dict
    pvalues: list[float]
    conflict: bool
    smc: SmcResult | None
    draws: int
    seed: int
    ess_min: float
    scenario_da: str = ""
    #: the prior result's identity and terms (version, config hash, rates), for the report
    source_attrs: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return monitor_json(self)


def monitor(
    ds: xr.Dataset,
    observed,
    force_fallback: bool = False,
    seed: int = 0,
    backend=None,
) -> MonitorResult:
    """Update the result ``ds`` (a contract run) with the observed counts in file ``observed``.

    Parameters
    ----------
    ds : xarray.Dataset
        A ``simrisk run`` result (prior draws).
    observed : path
        The observed-counts CSV (:func:`simrisk.kinds.contract.observed.read_observed`).
    force_fallback : bool
        Take the resample-move path even when the weights are trustworthy
        (for checking one path against the other).
    seed : int
        Seed of the SMC's resampling and moves.
    backend : DaskBackend, optional
        Where the fallback's re-simulation runs.
    """
    from simrisk.core.rng import key_from_seed
    from simrisk.decision._engine import _dataset, _run
    from simrisk.kinds.contract import build_inputs
    from simrisk.kinds.contract.observed import log_likelihood, read_observed

    scenario = scenario_of(ds)
    if int(ds.attrs.get("fixed_parameters", 0)):
        raise SimriskError("the run has fixed parameters: there is no uncertainty to update")
    obs = read_observed(observed, scenario)
    inp = build_inputs(scenario)
    c = inp.contract
    N = int(ds.sizes["draw"])
    names = list(inp.space.names)
    X = ds["parameters"].values.astype(np.float64)
    hurdle = float(ds.attrs["hurdle_rate"])
    capital = float(ds.attrs["capital"])
    measured = ds["measured"].values
    successes = ds["successes"].values
    C, G = len(c.cohort_ids), len(c.goal_ids)
    fm, fs = obs.final_measured(C), obs.final_successes(C, G)

    ll = log_likelihood(inp, obs, X)
    if not np.isfinite(ll).any():
        raise SimriskError(
            f"{obs.path}: the observations are impossible under every one of the {N:,} prior "
            "draws (the prior cannot explain them)"
        )
    ps = psis(ll)
    ess_min = max(1000.0, N / 20)
    uniform = np.full(N, 1.0 / N)
    if c.gate_on and np.isfinite(fs).any():
        with_final_counts(ds, inp, fm, fs, hurdle)  # refuses in one line
    prior_money = _money(ds, inp, measured, successes, hurdle)
    prior = {
        "parameters": _param_summary(names, X, uniform),
        "figures": headline(prior_money, uniform, capital, c.cap, c.payer_ids),
    }
    pv = predictive_pvalues(inp, obs, X)
    conflict = bool(min(pv) < 0.01 or ps.khat > 0.7)
    trusted = ps.reliable and ps.ess >= ess_min
    smc = None
    if trusted and not force_fallback:
        path = "weights"
        reason = (
            f"Pareto-smoothed weights: k-hat {ps.khat:.2f} <= {ps.threshold:.2f} and ESS "
            f"{ps.ess:,.0f} >= {ess_min:,.0f}"
        )
        m, s = _with_final(measured, successes, fm, fs)
        post_money = _money(ds, inp, m, s, hurdle, final=np.isfinite(fs).any())
        post_params, w, n_eff = X, ps.weights, None
        post_source = ds.isel(draw=resample_indices(w, seed))
        se_factor = se_factor_weights(N, ps.ess)
    else:
        path = "resample-move"
        if force_fallback:
            reason = "resample-move SMC and re-simulation (forced)"
        else:
            why = []
            if not ps.reliable:
                why.append(f"k-hat {ps.khat:.2f} > {ps.threshold:.2f}")
            if ps.ess < ess_min:
                why.append(f"ESS {ps.ess:,.0f} < {ess_min:,.0f}")
            reason = f"resample-move SMC and re-simulation, since {' and '.join(why)}"
        seed_run = int(ds.attrs["seed"])
        z0 = _prior_scores(inp, seed_run, N, int(ds.attrs.get("first_draw", 0)))
        smc = smc_posterior(inp.space, z0, lambda p: log_likelihood(inp, obs, p), seed=seed)
        key, _ = key_from_seed(seed_run)
        first = int(ds.attrs.get("first_draw", 0))
        arrays = _run(inp, key, np.arange(first, first + N, dtype=np.int64), smc.params)
        post_source = _dataset(inp, arrays, _spec_of(ds, N), ds.attrs.get("config", ""), first)
        post_source.attrs.update({k: ds.attrs[k] for k in _KEEP_ATTRS if k in ds.attrs})
        m, s = _with_final(arrays["measured"], arrays["successes"], fm, fs)
        post_money = _money(post_source, inp, m, s, hurdle, final=np.isfinite(fs).any())
        post_params, w, n_eff = smc.params, uniform, smc.n_eff
        # the summary's SEs are over N independent draws; the particles are worth n_eff
        se_factor = math.sqrt(N / smc.n_eff)
    post_source = post_source.assign_coords(draw=np.arange(N, dtype=np.int64))
    if np.isfinite(fs).any():
        post_source = with_final_counts(post_source, inp, fm, fs, hurdle)
    prior_summary = full_summary(ds)
    post_summary = scale_errors(full_summary(post_source), se_factor)
    post_summary["draws_effective"] = float(N / se_factor**2)
    posterior = {
        "parameters": _param_summary(names, post_params, w, n_eff),
        "figures": headline(post_money, w, capital, c.cap, c.payer_ids, n_eff),
        "summary": post_summary,
    }
    prior["summary"] = prior_summary
    return MonitorResult(
        scenario=str(ds.attrs.get("scenario", "")),
        names=names,
        prior_params=X,
        post_params=post_params,
        weights=w,
        loglik=ll,
        psis=ps,
        path=path,
        reason=reason,
        prior=prior,
        posterior=posterior,
        prior_money=prior_money,
        post_money=post_money,
        observed=obs.as_table(c.cohort_ids, c.goal_ids),
        pvalues=pv,
        conflict=conflict,
        smc=smc,
        draws=N,
        seed=int(ds.attrs["seed"]),
        ess_min=ess_min,
        scenario_da=str(getattr(scenario, "name_da", "") or ""),
        source_attrs={
            **{k: ds.attrs[k] for k in _SOURCE_ATTRS if k in ds.attrs},
            "created_at": _now(),
        },
    )


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def monitor_json(r: MonitorResult) -> dict:
    """``prior``/``posterior`` (``parameters.<name>.{mean, sd}``, figures), ``sample_stats``."""
    ss = {
        "khat": r.psis.khat,
        "khat_threshold": r.psis.threshold,
        "ess": r.psis.ess,
        "ess_min": r.ess_min,
        "path": r.path,
        "reason": r.reason,
        "prior_data_conflict": r.conflict,
        "predictive_pvalues": r.pvalues,
    }
    if r.smc is not None:
        ss["smc"] = {
            "stages": r.smc.stages,
            "acceptance": r.smc.acceptance,
            "unique_particles": r.smc.unique,
            "n_eff": r.smc.n_eff,
        }
    return jsonable(
        {
            "scenario": r.scenario,
            "draws": r.draws,
            "prior": r.prior,
            "posterior": r.posterior,
            "sample_stats": ss,
            "observed_data": r.observed,
        }
    )


def _fig(x: dict | None) -> str:
    return "n/a" if x is None or x["value"] is None else f"{x['value']:.4g}"


def _verdict(summary: dict | None) -> str:
    """The expected-value rule's verdict of a summary, or ''."""
    rules = ((summary or {}).get("decision") or {}).get("rules") or {}
    return str((rules.get("expected_value") or {}).get("verdict") or "")


def format_monitor(r: MonitorResult) -> str:
    """Before and after, the path taken and why, in a few lines."""
    pr, po = r.prior["figures"], r.posterior["figures"]
    lines = [
        f"{r.scenario}: {r.draws:,} prior draws updated with {len(r.observed['cohort'])} "
        "observed counts",
        f"path: {r.path} ({r.reason})",
        f"k-hat {r.psis.khat:.3f} (threshold {r.psis.threshold:.2f}), ESS {r.psis.ess:,.0f}"
        + ("; PRIOR-DATA CONFLICT: a count lies in the prior's 1% tails" if r.conflict else ""),
        "",
        f"{'':<30}{'before':>16}{'after':>16}",
    ]

    def row(label, a, b, money=False):
        def f(x):
            if x["value"] is None:
                return "n/a"
            if money:
                s = f"{x['value']:,.0f}"
                return s + (f" ±{x['se']:,.0f}" if x["se"] is not None else "")
            s = f"{100 * x['value']:.1f}%"
            return s + (f" ±{100 * x['se']:.1f}" if x["se"] is not None else "")

        lines.append(f"{label:<30}{f(a):>16}{f(b):>16}")

    row("P(NPV < 0)", pr["p_npv_negative"], po["p_npv_negative"])
    row("P(IRR < hurdle)", pr["p_irr_below_hurdle"], po["p_irr_below_hurdle"])
    row("P(received < capital)", pr["p_loss"], po["p_loss"])
    row("expected NPV (DKK)", pr["npv_mean"], po["npv_mean"], money=True)
    for k in pr:
        if k.startswith("p_cap_reached_"):
            row(f"P(cap reached: {k.removeprefix('p_cap_reached_')})", pr[k], po[k])
    for stage, part in (("before", r.prior), ("after", r.posterior)):
        verdict = _verdict(part.get("summary"))
        if verdict:
            lines.append(f"verdict {stage}: {verdict}")
    lines += ["", f"{'parameter':<30}{'before mean (sd)':>22}{'after mean (sd)':>22}"]
    for name in r.names:
        a, b = r.prior["parameters"][name], r.posterior["parameters"][name]
        if a["sd"] == 0:
            continue
        lines.append(
            f"{name:<30}{a['mean']:>14.4g} ({a['sd']:.3g}){b['mean']:>14.4g} ({b['sd']:.3g})"
        )
    return "\n".join(lines)


def to_datatree(r: MonitorResult):
    """The ArviZ groups (prior, posterior, observed_data, sample_stats) and decision."""
    draw_attrs = {"standard_name": "realization", "long_name": "Monte Carlo draw"}
    N = r.draws
    draw = xr.Variable(("draw",), np.arange(N, dtype=np.int64), draw_attrs)

    def group(params, money, extra=None):
        d = {
            "parameters": (("draw", "parameter"), params.astype(np.float32)),
            "npv": (("draw",), money["npv"]),
            "received": (("draw",), money["received"].astype(np.float32)),
        }
        d.update(extra or {})
        g = xr.Dataset(d, coords={"draw": draw, "parameter": r.names})
        g["npv"].attrs.update(units="DKK", long_name="investor's NPV")
        g["received"].attrs.update(units="DKK", long_name="total received by the investor")
        g["parameters"].attrs.update(units="1", long_name="model parameters")
        return g

    prior = group(r.prior_params, r.prior_money)
    posterior = group(r.post_params, r.post_money)
    posterior.attrs["weighted"] = int(r.path == "weights")
    obs = xr.Dataset(
        {k: (("observation",), np.asarray(v)) for k, v in r.observed.items()},
        coords={"observation": np.arange(len(r.observed["cohort"]))},
    )
    obs["predictive_pvalue"] = (("observation",), np.asarray(r.pvalues))
    ss = xr.Dataset(
        {
            "weights": (("draw",), r.weights),
            "log_likelihood": (("draw",), r.loglik),
            "khat": ((), r.psis.khat),
            "ess": ((), r.psis.ess),
        },
        coords={"draw": draw},
        attrs={
            "path": r.path,
            "reason": r.reason,
            "khat_threshold": r.psis.threshold,
            "ess_min": r.ess_min,
            "prior_data_conflict": int(r.conflict),
        },
    )
    ss["weights"].attrs.update(units="1", long_name="posterior weight of each draw (sum 1)")
    keys = list(r.prior["figures"])
    dec = xr.Dataset(
        {
            "value": (
                ("stage", "figure"),
                [
                    [
                        np.nan
                        if r.prior["figures"][k]["value"] is None
                        else r.prior["figures"][k]["value"]
                        for k in keys
                    ],
                    [
                        np.nan
                        if r.posterior["figures"][k]["value"] is None
                        else r.posterior["figures"][k]["value"]
                        for k in keys
                    ],
                ],
            ),
            "se": (
                ("stage", "figure"),
                [
                    [
                        np.nan
                        if r.prior["figures"][k]["se"] is None
                        else r.prior["figures"][k]["se"]
                        for k in keys
                    ],
                    [
                        np.nan
                        if r.posterior["figures"][k]["se"] is None
                        else r.posterior["figures"][k]["se"]
                        for k in keys
                    ],
                ],
            ),
        },
        coords={"stage": ["prior", "posterior"], "figure": keys},
        attrs={"scenario": r.scenario, "simrisk_kind": "simrisk.monitor"},
    )
    # every figure of the kind's summary (with the rules' verdicts), before and after
    for stage, part in (("prior", r.prior), ("posterior", r.posterior)):
        if "summary" in part:
            dec.attrs[f"summary_{stage}_json"] = json.dumps(jsonable(part["summary"]))
    root_attrs = {"scenario_da": r.scenario_da} if r.scenario_da else {}
    root = xr.Dataset(
        attrs={
            "simrisk_kind": "simrisk.monitor",
            "scenario": r.scenario,
            "seed": r.seed,
            "draws": N,
            **r.source_attrs,
            **root_attrs,
        }
    )
    return xr.DataTree.from_dict(
        {
            "/": root,
            "prior": prior,
            "posterior": posterior,
            "observed_data": obs,
            "sample_stats": ss,
            "decision": dec,
        }
    )


def open_updated(result):
    """The DataTree of an updated result (``simrisk monitor -o``), or None for anything else.

    ``result`` is a path or an object; a path is opened only far enough to read
    the root's ``simrisk_kind`` (a file that is no result at all is left to the
    caller's own one-line error).
    """
    if isinstance(result, xr.DataTree):
        return result if result.attrs.get("simrisk_kind") == MONITOR_KIND else None
    if isinstance(result, xr.Dataset) or not isinstance(result, (str, os.PathLike)):
        return None
    p = Path(result)
    if not p.is_file():
        return None
    try:
        with xr.open_dataset(p, engine="h5netcdf") as root:
            kind = root.attrs.get("simrisk_kind")
    except Exception:  # not NetCDF: the caller says so
        return None
    if kind != MONITOR_KIND:
        return None
    return xr.open_datatree(p, engine="h5netcdf").load()


def write_monitor(r: MonitorResult, out) -> None:
    """Write the DataTree atomically (a temporary file renamed into place)."""
    out = Path(out)
    tree = to_datatree(r)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part.nc", dir=out.parent or ".")
    os.close(fd)
    try:
        tree.to_netcdf(tmp, engine="h5netcdf")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
