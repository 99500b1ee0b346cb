"""The fund's Monte Carlo run: the copula, each deal's world, the tranches, the fund's flows.

Per simulated world: the factor's correlation ``rho`` from its prior; the
common factor ``Z``, sector factors ``S`` and each deal's own normal
``e_j``; deal ``j``'s latent ``X_j = sqrt(rho) Z + sqrt(rho_s) S_s(j) +
sqrt(1 - rho - rho_s) e_j`` (divided by ``sqrt(W / df)``, ``W`` chi-square,
for a Student-t copula); its uniform ``U_j = F(X_j)`` picks the deal's
outcome at that rank of its own distribution (low ``U``: low repayment).
A deal's loss is the capital not repaid, ``max(capital - repaid, 0)``,
undiscounted; a guarantee pays the first ``amount`` of it (the guarantor's
tranche), the fund bears the rest. The fund's loss is the sum over deals;
its cash flows by year (deals' flows plus guarantee payments, each year's
flow at 1 July) give its NPV at ``fund.discount_rate`` and its IRR.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math

import numpy as np
import xarray as xr

from simrisk._version import __version__
from simrisk.core.dataset import var
from simrisk.core.priors import build_space
from simrisk.core.rng import key_from_seed
from simrisk.kinds.fund.config import KIND
from simrisk.kinds.fund.inputs import FundInputs, Marginal, year_times

__all__ = ["BYTES_PER_DEAL_DRAW", "copula_uniforms", "simulate_arrays", "to_dataset"]

#: memory per draw and deal while a run is held (8 float64 per deal, with slack)
BYTES_PER_DEAL_DRAW = 96


def _latents(inp: FundInputs, key, n: int, reference: bool = False):
    c = inp.config.copula
    J, S, df = len(inp.deals), len(inp.sectors), int(c.df or 0)
    if reference:
        from simrisk.kinds.fund import reference as ref

        return ref.latents(key, 0, n, J, S, df)
    from simrisk.kinds.fund._kernel import latents

    u_rho, z, chi2 = np.empty(n), np.empty(n), np.empty(n)
    s, eps = np.empty((n, S)), np.empty((n, J))
    latents(key, 0, n, J, S, df, u_rho, z, s, chi2, eps)
    return u_rho, z, s, chi2, eps


def copula_uniforms(inp: FundInputs, key, n: int, reference: bool = False):
    """``rho[n]``, the factor ``z[n]`` and each deal's uniform ``u[n, J]``."""
    from scipy.special import ndtr, stdtr

    c = inp.config.copula
    u_rho, z, s, chi2, eps = _latents(inp, key, n, reference)
    rho = build_space(["rho"], [c.rho]).transform(u_rho[:, None])[:, 0]
    rho = np.clip(rho, 0.0, 1.0 - 1e-12)
    x = np.empty_like(eps)
    sector_rho = [sec.rho for sec in c.sectors]
    for j, d in enumerate(inp.deals):
        rs = sector_rho[d.sector] if d.sector >= 0 else 0.0
        x[:, j] = np.sqrt(rho) * z + np.sqrt(np.clip(1.0 - rho - rs, 0.0, None)) * eps[:, j]
        if d.sector >= 0:
            x[:, j] += math.sqrt(rs) * s[:, d.sector]
    if c.family == "t":
        x /= np.sqrt(chi2 / c.df)[:, None]
        u = stdtr(float(c.df), x)
    else:
        u = ndtr(x)
    return rho, z, u


def _pert_ppf(q: np.ndarray, lo: float, mode: float, hi: float) -> np.ndarray:
    if hi <= lo:
        return np.full_like(q, lo)
    from scipy.special import betaincinv

    a = 1 + 4 * (mode - lo) / (hi - lo)
    b = 1 + 4 * (hi - mode) / (hi - lo)
    return lo + (hi - lo) * betaincinv(a, b, q)


def _deal_flows(m: Marginal, u: np.ndarray):
    """The deal's flows ``[n, Y_d]`` (on its own years), capital paid and capital repaid."""
    n = u.shape[0]
    if m.flows is not None:
        M = m.flows.shape[0]
        k = np.minimum((u * M).astype(np.int64), M - 1)
        flows = m.flows[k]
        capital = np.clip(-flows, 0.0, None).sum(axis=1)
        repaid = np.clip(flows, 0.0, None).sum(axis=1)
        return flows, capital, repaid
    lo, mode, hi, p0, p1, multiple = m.judgement
    share = np.ones(n)  # low u is the worst outcome: total loss, then a shortfall, then full
    share[u < p0] = 0.0
    part = (u >= p0) & (u < p0 + p1)
    if p1 > 0.0:
        share[part] = _pert_ppf(np.minimum((u[part] - p0) / p1, 1.0), lo, mode, hi)
    flows = np.zeros((n, m.years.shape[0]))
    flows[:, 0] -= m.capital
    flows[:, -1] += m.capital * share * multiple
    # the capital lost is the share not repaid; a return on the rest does not offset it
    return flows, np.full(n, m.capital), m.capital * share


def simulate_arrays(inp: FundInputs, draws: int, seed: int, reference: bool = False) -> dict:
    """Every per-draw array of a fund run (see the module's docstring)."""
    key, entropy = key_from_seed(seed)
    f = inp.config.fund
    rho, z, u = copula_uniforms(inp, key, draws, reference)
    J, Y = len(inp.deals), inp.years.shape[0]
    y0 = int(inp.years[0])
    t = year_times(inp.years, f.start)
    disc = (1.0 + f.discount_rate) ** -t
    cf = np.zeros((draws, Y))
    out = {k: np.empty((draws, J)) for k in ("capital", "repaid", "loss_gross", "guaranteed")}
    deal_npv = np.empty((draws, J))
    for j, m in enumerate(inp.deals):
        flows, capital, repaid = _deal_flows(m, u[:, j])
        cols = m.years - y0
        gross = np.maximum(capital - repaid, 0.0)
        paid = np.minimum(gross, m.guarantee)
        own = np.zeros((draws, Y))
        own[:, cols] = flows
        own[:, cols[-1]] += paid
        cf += own
        deal_npv[:, j] = own @ disc
        out["capital"][:, j] = capital
        out["repaid"][:, j] = repaid
        out["loss_gross"][:, j] = gross
        out["guaranteed"][:, j] = paid
    loss = out["loss_gross"] - out["guaranteed"]
    if reference:
        from simrisk.kinds.fund.reference import irr_by_draw as ref_irr

        irr, status = ref_irr(t, cf)
    else:
        from simrisk.kinds.fund._kernel import irr_by_draw

        irr, status = np.empty(draws), np.empty(draws, dtype=np.int8)
        irr_by_draw(t, cf, irr, status)
    return {
        **out,
        "loss": loss,
        "fund_loss": loss.sum(axis=1),
        "deal_npv": deal_npv,
        "rho": rho,
        "factor": z,
        "rank": u,
        "cash_flow_by_year": cf,
        "npv": cf @ disc,
        "irr": irr,
        "irr_status": status,
        "entropy": entropy,
    }


def to_dataset(inp: FundInputs, a: dict, *, seed: int, config_text: str = "") -> xr.Dataset:
    """The run as a Dataset with units, names and provenance."""
    f = inp.config.fund
    dd, dj, dy = ("draw",), ("draw", "deal"), ("draw", "year")
    v = {
        "rho": var(dd, a["rho"], "1", "the common factor's correlation (asset correlation)"),
        "factor": var(dd, a["factor"], "1", "the common factor (standard normal)"),
        "rank": var(dj, a["rank"].astype(np.float32), "1", "deal's copula uniform (its rank)"),
        "capital": var(dj, a["capital"], "DKK", "capital paid out to the deal"),
        "repaid": var(dj, a["repaid"], "DKK", "amount the deal repaid, undiscounted"),
        "loss_gross": var(dj, a["loss_gross"], "DKK", "capital not repaid, before guarantees"),
        "guaranteed": var(dj, a["guaranteed"], "DKK", "guarantor's payment (first loss)"),
        "loss": var(dj, a["loss"], "DKK", "the fund's loss on the deal, after guarantees"),
        "fund_loss": var(dd, a["fund_loss"], "DKK", "the fund's loss, summed over deals"),
        "deal_npv": var(
            dj, a["deal_npv"], "DKK", f"deal's NPV to the fund at {f.discount_rate:.2%}"
        ),
        "cash_flow_by_year": var(dy, a["cash_flow_by_year"], "DKK", "fund's net cash flow"),
        "npv": var(dd, a["npv"], "DKK", f"fund's NPV at {f.discount_rate:.2%} to {f.start}"),
        "irr": var(dd, a["irr"], "1", "fund's internal rate of return (flows at 1 July)"),
        "irr_status": var(dd, a["irr_status"], "1", "IRR status code (simrisk.core.finance)"),
        "deal_capital": var(("deal",), [d.capital for d in inp.deals], "DKK", "nominal capital"),
        "deal_guarantee": var(("deal",), [d.guarantee for d in inp.deals], "DKK", "guarantee"),
    }
    coords = {
        "draw": np.arange(a["fund_loss"].shape[0]),
        "deal": [d.id for d in inp.deals],
        "year": inp.years,
        "deal_name": ("deal", [d.name for d in inp.deals]),
        "deal_name_da": ("deal", [d.name_da or d.name for d in inp.deals]),
        "deal_origin": ("deal", [d.origin for d in inp.deals]),
        "deal_guarantor": ("deal", [d.guarantor for d in inp.deals]),
    }
    attrs = {
        "kind": KIND,
        "simrisk_kind": KIND,
        "simrisk_version": __version__,
        "version": __version__,
        "created_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "name": f.name,
        "name_da": f.name_da or f.name,
        "config": config_text,
        "config_sha256": hashlib.sha256(config_text.encode()).hexdigest(),
        "seed": int(seed),
        "seed_entropy": str(a["entropy"]),
        "draws": int(a["fund_loss"].shape[0]),
        "fund_capital": float(f.capital),
        "discount_rate": float(f.discount_rate),
        "copula": inp.config.copula.family,
        "copula_df": int(inp.config.copula.df or 0),
        "candidate": f.candidate or "",
        "loss_grid": np.asarray(f.loss_grid, dtype=np.float64),
        "chunking_note": "results do not depend on thread count",
    }
    return xr.Dataset(v, coords=coords, attrs=attrs)


def simulate(loaded, *, draws=None, seed=None, config_text="", reference=False) -> xr.Dataset:
    """Run a fund config (:func:`~simrisk.kinds.fund.config.load_fund`) as a Dataset."""
    from simrisk.core.driver import check_memory
    from simrisk.kinds.fund.inputs import build_inputs

    sim = loaded.config.simulation
    draws = sim.draws if draws is None else int(draws)
    seed = sim.seed if seed is None else int(seed)
    check_memory(BYTES_PER_DEAL_DRAW * (len(loaded.deals) + 4), draws)
    inp = build_inputs(loaded, seed)
    a = simulate_arrays(inp, draws, seed, reference=reference)
    return to_dataset(inp, a, seed=seed, config_text=config_text)
