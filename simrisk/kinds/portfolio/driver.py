"""The driver: validates the run, seeds, allocates, streams chunks, builds the Dataset.

Draws are split into chunks only for memory; every random number is keyed
by the draw's global index (:mod:`simrisk.core.rng`), so a run is a pure
function of config and seed: the same for any chunk size and thread count,
and the first N draws of a longer run equal a run of N draws.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import xarray as xr

from simrisk._version import __version__
from simrisk.core.dataset import var
from simrisk.core.driver import RunSpec, check_spec, run_chunks
from simrisk.core.rng import key_from_seed, param_uniforms
from simrisk.kinds.portfolio._inputs import (
    COUNTS,
    SCREENING,
    PortfolioInputs,
    build_inputs,
    transform,
)
from simrisk.kinds.portfolio._kernel import simulate_chunk
from simrisk.kinds.portfolio.config import KIND, PARAMETERS, PortfolioConfig

__all__ = ["KIND", "draw_parameters", "simulate", "simulate_arrays", "to_dataset"]

RNG_DESCRIPTION = (
    "SplitMix64 by position: draw * 2**24 + candidate * 256 + slot; state from SeedSequence(seed)"
)


def draw_parameters(inp: PortfolioInputs, draw0: int, n: int, key) -> np.ndarray:
    """World-level parameters ``[n, P]`` of draws ``draw0 .. draw0 + n - 1``."""
    u = np.empty((n, inp.n_params))
    param_uniforms(key, np.int64(draw0), n, inp.n_params, u)
    return transform(inp.priors, u)


def first_word(inp: PortfolioInputs) -> int:
    """The per-draw word after the parameters' (the shared readiness factor)."""
    return (inp.n_params + 1) // 2


def empty_chunk(inp: PortfolioInputs, n: int) -> dict[str, np.ndarray]:
    """The kernel's float64/int64 output buffers for ``n`` draws."""
    n_opt, Y = len(inp.option_ids), len(inp.years)
    return {
        "cost": np.empty((n, n_opt, 2, Y)),
        "money": np.empty((n, n_opt, 2, Y)),
        "staff": np.empty((n, n_opt, 2, Y)),
        "patients": np.empty((n, n_opt, 2, Y)),
        "totals": np.empty((n, n_opt, 2, 4)),
        "counts": np.empty((n, n_opt, 2, len(COUNTS)), np.int64),
        "unspent": np.empty((n, n_opt, 2)),
    }


def run_kernel(inp: PortfolioInputs, draw0: int, params: np.ndarray, key) -> dict:
    """One chunk through the Numba kernel; returns its output buffers."""
    out = empty_chunk(inp, params.shape[0])
    simulate_chunk(
        np.int64(draw0),
        key,
        np.int64(first_word(inp)),
        params,
        inp.cost_low,
        inp.cost_high,
        inp.validation_share,
        inp.case_scale,
        inp.benefit,
        inp.budget,
        inp.capacity,
        np.int64(inp.pool_offset),
        np.int64(inp.val_periods),
        np.int64(inp.impl_periods),
        np.int64(inp.life_periods),
        np.int64(inp.late_periods),
        bool(inp.lapse),
        float(inp.rate),
        inp.t_years,
        out["cost"],
        out["money"],
        out["staff"],
        out["patients"],
        out["totals"],
        out["counts"],
        out["unspent"],
    )
    return out


def simulate_arrays(
    inp: PortfolioInputs, draws: int, seed: int, chunk_size: int, threads: int | None = None
) -> dict[str, np.ndarray]:
    """Run the kernel over all draws; per-draw arrays (float64 totals, float32 years)."""
    spec = RunSpec(draws=draws, seed=seed, chunk_size=chunk_size, threads=threads)
    check_spec(spec)
    key, _ = key_from_seed(seed)
    n_opt, Y = len(inp.option_ids), len(inp.years)
    out = {
        "parameters": np.empty((draws, inp.n_params)),
        "cost": np.empty((draws, n_opt, 2, Y), np.float32),
        "money": np.empty((draws, n_opt, 2, Y), np.float32),
        "staff": np.empty((draws, n_opt, 2, Y), np.float32),
        "patients": np.empty((draws, n_opt, 2, Y), np.float32),
        "cum_value": np.empty((draws, n_opt, 2, Y), np.float32),
        "totals": np.empty((draws, n_opt, 2, 4)),
        "counts": np.empty((draws, n_opt, 2, len(COUNTS)), np.int16),
        "unspent": np.empty((draws, n_opt, 2)),
    }
    b = inp.cfg.benefits
    disc = (1.0 + inp.rate) ** -inp.t_years

    def fill(draw0: int, n: int, views: dict[str, np.ndarray]) -> None:
        params = draw_parameters(inp, draw0, n, key)
        res = run_kernel(inp, draw0, params, key)
        views["parameters"][...] = params
        for k in ("cost", "money", "staff", "patients", "totals", "counts", "unspent"):
            views[k][...] = res[k]
        value = res["money"] - res["cost"] + b.wage_per_fte * res["staff"]
        if b.include_patient_time:
            value = value + b.patient_hour_value * res["patients"]
        views["cum_value"][...] = np.cumsum(value * disc, axis=-1)

    return run_chunks(fill, out, spec)


def break_even_year(cum: np.ndarray, years: np.ndarray) -> np.ndarray:
    """First year from which the cumulative net benefit stays above zero (NaN: never).

    ``cum[..., Y]``; the result has the leading shape, as float (a year or NaN).
    """
    pos = cum > 0
    # stays positive from year i on: all of pos[..., i:]
    stays = np.flip(np.logical_and.accumulate(np.flip(pos, -1), axis=-1), -1)
    first = np.argmax(stays, axis=-1)
    ok = stays.any(axis=-1)
    return np.where(ok, years[first].astype(np.float64), np.nan)


def to_dataset(
    inp: PortfolioInputs, arrays: dict, *, seed: int, chunk_size: int, config_text: str
) -> xr.Dataset:
    """Assemble the result Dataset from :func:`simulate_arrays`' arrays."""
    cfg = inp.cfg
    b = cfg.benefits
    tot = arrays["totals"]
    value_of_hours = b.patient_hour_value if b.include_patient_time else 0.0
    npv_all = (
        tot[..., 1] - tot[..., 0] + b.wage_per_fte * tot[..., 2] + value_of_hours * tot[..., 3]
    )
    cum = arrays["cum_value"]
    years = inp.years
    rate = f"{cfg.horizon.discount_rate:.1%}"
    base = f"1 Jan {cfg.horizon.first_year}"
    staff_note = f"staff årsværk valued at {b.wage_per_fte:,.0f} DKK"
    pat_note = (
        f"patients' hours at {b.patient_hour_value:,.0f} DKK included"
        if b.include_patient_time
        else "patients' time not included"
    )
    c = arrays["counts"]
    n_opt = len(inp.option_ids)
    budget_total = inp.budget.sum(axis=1)
    dims3 = ("draw", "option", "screening")
    data_vars = {
        "parameters": var(
            ("draw", "parameter"),
            arrays["parameters"],
            "1",
            "world-level parameters (one draw per simulated world)",
        ),
        "npv": var(
            ("draw", "option"),
            npv_all[:, :, 0],
            "DKK",
            f"net benefit (NPV at {rate} on {base}), with screening",
            note=f"{staff_note}; {pat_note}",
        ),
        "npv_without_screening": var(
            ("draw", "option"),
            npv_all[:, :, 1],
            "DKK",
            f"net benefit (NPV at {rate}) without the stop rule",
        ),
        "npv_money": var(
            dims3,
            tot[..., 1] - tot[..., 0],
            "DKK",
            f"money saved less money spent (NPV at {rate})",
        ),
        "npv_cost": var(dims3, tot[..., 0], "DKK", f"money spent (present value at {rate})"),
        "staff_fte_years": var(
            dims3, tot[..., 2], "årsværk", f"staff årsværk freed less added (discounted at {rate})"
        ),
        "patient_hours": var(
            dims3,
            tot[..., 3],
            "hours",
            f"patients' hours saved (discounted at {rate}; kept apart)",
        ),
        "cumulative_net_benefit": var(
            ("draw", "option", "screening", "year"),
            cum,
            "DKK",
            f"cumulative net benefit to the end of each year (present value at {rate})",
        ),
        "cost_by_year": var(
            ("draw", "option", "screening", "year"),
            arrays["cost"],
            "DKK",
            "money spent in the year (validation, implementation, running)",
        ),
        "staff_fte_by_year": var(
            ("draw", "option", "screening", "year"),
            arrays["staff"],
            "årsværk",
            "staff årsværk freed less added in the year",
        ),
        "break_even_year": var(
            ("draw", "option"),
            break_even_year(cum[:, :, 0], years).astype(np.float32),
            "year",
            "first year from which cumulative net benefit stays above 0",
            note="NaN: not within the horizon",
        ),
        "algorithms_started": var(
            dims3, c[..., 0], "algorithms", "candidates started (validation begun)"
        ),
        "algorithms_live": var(
            dims3, c[..., 1], "algorithms", "algorithms that went live (implemented)"
        ),
        "algorithms_stopped": var(
            dims3,
            c[..., 2],
            "algorithms",
            "algorithms stopped by screening after local validation",
        ),
        "algorithms_stopped_late": var(
            dims3, c[..., 3], "algorithms", "algorithms without gain stopped after going live"
        ),
        "algorithms_live_with_gain": var(
            dims3, c[..., 4], "algorithms", "algorithms live with a measurable gain"
        ),
        "pool_unspent": var(
            dims3,
            arrays["unspent"],
            "DKK",
            "pool money never committed (returned to the region, not a cost)",
        ),
    }
    coords = {
        "draw": np.arange(tot.shape[0], dtype=np.int64),
        "option": list(inp.option_ids),
        "option_name": ("option", [o.name for o in cfg.options]),
        "option_name_da": ("option", [o.name_da or o.name for o in cfg.options]),
        "budget_total": ("option", budget_total),
        "screening": list(SCREENING),
        "year": years,
        "parameter": list(PARAMETERS),
    }
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    sha = hashlib.sha256(config_text.encode()).hexdigest()
    attrs = {
        "kind": KIND,
        "simrisk_kind": KIND,
        "simrisk_version": __version__,
        "version": __version__,
        "created_at": created,
        "name": cfg.name,
        "config": config_text,
        "config_sha256": sha,
        "seed": int(seed),
        "draws": int(tot.shape[0]),
        "chunk_size": int(chunk_size),
        "chunking_note": "results do not depend on chunk_size or thread count",
        "rng": RNG_DESCRIPTION,
        "discount_rate": float(cfg.horizon.discount_rate),
        "valuation_date": f"{cfg.horizon.first_year}-01-01",
        "wage_per_fte": float(b.wage_per_fte),
        "hours_per_fte": float(b.hours_per_fte),
        "patient_hour_value": float(b.patient_hour_value),
        "include_patient_time": int(b.include_patient_time),
        "staff_hour_values": np.asarray(cfg.analysis.staff_hour_values, dtype=np.float64),
        "currency": cfg.currency,
        "config_json": cfg.model_dump_json(),
        "n_options": n_opt,
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def simulate(
    cfg: PortfolioConfig,
    *,
    draws: int | None = None,
    seed: int | None = None,
    chunk_size: int | None = None,
    threads: int | None = None,
    config_text: str = "",
    quiet: bool = True,
) -> xr.Dataset:
    """Simulate every budget option of a portfolio config.

    Parameters
    ----------
    cfg : PortfolioConfig
        A validated config (:func:`~simrisk.kinds.portfolio.load_portfolio`).
    draws, seed, chunk_size : int, optional
        Defaults from the config's ``[simulation]``.
    threads : int, optional
        Numba threads (default: all). Results do not depend on it.
    config_text : str
        The config file's text, kept in the Dataset for provenance.
    quiet : bool
        Accepted for the generic interface; the portfolio run prints nothing.

    Returns
    -------
    xarray.Dataset
        Sample dimension ``draw``; ``option``, ``screening`` (``with``,
        ``without``: the same candidates on common random numbers), ``year``
        and ``parameter`` dimensions. ``npv[draw, option]`` is the net
        benefit at the region's rate; ``parameters[draw, parameter]`` the
        world-level parameters (for EVPPI).

    Examples
    --------
    >>> from simrisk.kinds.portfolio import load_portfolio, simulate
    >>> cfg, text = load_portfolio("configs/regionh_ai_pool.toml")  # doctest: +SKIP
    >>> ds = simulate(cfg, draws=1000, seed=1, config_text=text)  # doctest: +SKIP
    >>> ds.npv.sizes  # doctest: +SKIP
    Frozen({'draw': 1000, 'option': 3})
    """
    sim = cfg.simulation
    draws = sim.draws if draws is None else draws
    seed = sim.seed if seed is None else seed
    chunk_size = sim.chunk_size if chunk_size is None else chunk_size
    inp = build_inputs(cfg)
    arrays = simulate_arrays(inp, draws, seed, chunk_size, threads)
    return to_dataset(inp, arrays, seed=seed, chunk_size=chunk_size, config_text=config_text)
