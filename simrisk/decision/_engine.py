"""Every call the decision layer makes into the Monte Carlo engine, in one place.

The decision functions themselves (:mod:`~simrisk.decision.sensitivity`,
:mod:`~simrisk.decision.voi`, ...) only read Datasets and arrays. What needs
new simulations lives here:

- :func:`simulate_range`: draws ``first .. first + n - 1`` of a run;
- :func:`simulate_held`: draws with some parameters held at given prior
  quantiles and the others drawn from their prior *given* the held ones
  (the Gaussian copula's conditional, so correlated parameters stay
  consistent): the inner loop of nested Monte Carlo;
- :func:`simulate_nested`: outer parameter draws, each with inner draws of
  the citizens' chance (the law-of-total-variance design);
- :func:`simulate_until`: precision-based stopping;
- :func:`simulate_scenarios`: several configs on common random numbers.

It uses the driver's own building blocks (``draw_parameters``,
``run_kernel``), so a draw here is bit-identical to the same draw of
``simrisk run`` (a test checks it). Nothing in :mod:`simrisk.kinds.contract` is
changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import xarray as xr

from simrisk._version import __version__
from simrisk.core.driver import RunSpec, check_spec
from simrisk.core.errors import SimriskError
from simrisk.core.finance import IRR_REASONS
from simrisk.core.rng import key_from_seed, param_uniforms
from simrisk.kinds.contract._inputs import EngineInputs, build_inputs
from simrisk.kinds.contract.analytic import success_probabilities
from simrisk.kinds.contract.config import Scenario
from simrisk.kinds.contract.dataset import to_dataset
from simrisk.kinds.contract.engine import (
    RNG_DESCRIPTION,
    _empty_outputs,
    draw_parameters,
    run_kernel,
)
from simrisk.kinds.contract.loader import load_scenario

__all__ = [
    "conditional_parameters",
    "nested_evppi_draws",
    "nested_variance",
    "simulate_held",
    "simulate_nested",
    "simulate_range",
    "simulate_scenarios",
    "simulate_until",
]

_INNER_CHUNK = 8192


def _run(
    inp: EngineInputs,
    key,
    draw_index: np.ndarray,
    params: np.ndarray | None,
    chunk: int = _INNER_CHUNK,
) -> dict[str, np.ndarray]:
    """Kernel outputs for the draws ``draw_index`` (contiguous runs are fastest).

    ``params`` (``[n, P]``) overrides the parameters; ``None`` draws them
    from the prior as ``simrisk run`` does.
    """
    n = draw_index.shape[0]
    out = _empty_outputs(inp, n)
    for a in range(0, n, chunk):
        b = min(a + chunk, n)
        idx = draw_index[a:b]
        # The kernel takes a first draw index and numbers draws consecutively
        # from it: split the block where indices are not consecutive.
        breaks = np.flatnonzero(np.diff(idx) != 1) + 1
        for lo, hi in zip(
            np.concatenate([[0], breaks]), np.concatenate([breaks, [b - a]]), strict=True
        ):
            d0 = int(idx[lo])
            m = int(hi - lo)
            sl = slice(a + lo, a + hi)
            p = draw_parameters(inp, d0, m, key, False) if params is None else params[sl]
            p = np.ascontiguousarray(p, dtype=np.float64)
            out["parameters"][sl] = p
            run_kernel(inp, d0, p, key, {k: v[sl] for k, v in out.items()})
    return out


def _dataset(inp, arrays, spec: RunSpec, config_text: str, first: int = 0) -> xr.Dataset:
    p1, p0 = success_probabilities(inp, inp.space.central)
    sha = hashlib.sha256(config_text.encode()).hexdigest()
    ds = to_dataset(
        inp,
        arrays,
        spec,
        config_text=config_text,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        version=__version__,
        implied=(p1, p0),
        config_sha256=sha,
        irr_reasons=IRR_REASONS,
        rng=RNG_DESCRIPTION,
    )
    if first:
        ds = ds.assign_coords(draw=np.arange(first, first + spec.draws, dtype=np.int64))
        ds.attrs["first_draw"] = int(first)
    return ds


def simulate_range(
    scenario: Scenario, seed: int, first: int, n: int, config_text: str = ""
) -> xr.Dataset:
    """Draws ``first .. first + n - 1`` of the run with this seed, as a Dataset.

    Equal, draw for draw, to the same slice of a plain ``simulate`` run
    (draws are a pure function of seed, config and index).
    """
    spec = RunSpec(draws=n, seed=seed, chunk_size=_INNER_CHUNK)
    check_spec(spec)
    if first < 0 or first + n > 2**31 - 1:
        raise SimriskError(f"first draw = {first}: must be in [0, {2**31 - 1 - n}]")
    inp = build_inputs(scenario)
    key, _ = key_from_seed(seed)
    arrays = _run(inp, key, np.arange(first, first + n, dtype=np.int64), None)
    return _dataset(inp, arrays, spec, config_text, first)


def _index(inp: EngineInputs, names: Sequence[str]) -> list[int]:
    known = list(inp.space.names)
    out = []
    for nm in names:
        if nm not in known:
            raise SimriskError(f"parameter {nm!r}: not in this model (it has {', '.join(known)})")
        out.append(known.index(nm))
    return out


def conditional_parameters(
    inp: EngineInputs, u: np.ndarray, held: Mapping[str, np.ndarray]
) -> np.ndarray:
    """Parameter values ``[n, P]`` with some parameters held at given prior quantiles.

    Parameters
    ----------
    inp : EngineInputs
    u : ndarray, shape (n, P)
        Independent uniforms, as the engine draws them per draw.
    held : mapping of str to ndarray, shape (n,)
        For each held parameter its quantile in (0, 1) per draw.

    Returns
    -------
    ndarray, shape (n, P)
        A draw of all parameters from the prior given the held ones. In the
        Gaussian copula's normal scores ``z = L e``, the others are moved by
        ``Sigma_OS Sigma_SS^-1 (z_S* - z_S)`` ("conditioning by kriging"),
        which is an exact draw from the conditional normal; independent
        parameters are left as drawn.
    """
    from scipy.linalg import solve_triangular
    from scipy.special import ndtr, ndtri

    space = inp.space
    S = _index(inp, list(held))
    L = space.chol
    z = ndtri(u) @ L.T
    target = np.column_stack([np.asarray(held[k], dtype=np.float64) for k in held])
    if np.any((target <= 0) | (target >= 1)):
        raise SimriskError("held quantiles must lie strictly between 0 and 1")
    zs = ndtri(target)
    sigma = L @ L.T
    rest = [k for k in range(len(space.names)) if k not in S]
    if rest:
        gain = sigma[np.ix_(rest, S)] @ np.linalg.inv(sigma[np.ix_(S, S)])
        z[:, rest] += (zs - z[:, S]) @ gain.T
    z[:, S] = zs
    e = solve_triangular(L, z.T, lower=True).T
    tiny = np.finfo(np.float64).eps
    return space.transform(np.clip(ndtr(e), tiny, 1 - tiny))


def simulate_held(
    scenario: Scenario,
    seed: int,
    held: Mapping[str, np.ndarray],
    inner: int,
    first: int = 0,
) -> dict[str, np.ndarray]:
    """Nested Monte Carlo's inner runs: ``inner`` draws for each held value.

    Parameters
    ----------
    scenario : Scenario
    seed : int
    held : mapping of str to ndarray, shape (K,)
        Prior quantiles of the held parameters, one per outer value.
    inner : int
        Draws per outer value; outer value ``k`` uses draw indices
        ``first + k * inner + j``, so every inner draw has its own citizens
        and its own draw of the other parameters.

    Returns
    -------
    dict of str to ndarray
        The engine's per-draw arrays, first axis ``K * inner`` (outer-major).
    """
    inp = build_inputs(scenario)
    K = len(next(iter(held.values())))
    if inner < 1 or K < 1:
        raise SimriskError(f"outer = {K}, inner = {inner}: both must be at least 1")
    key, _ = key_from_seed(seed)
    n = K * inner
    idx = np.arange(first, first + n, dtype=np.int64)
    P = len(inp.space.names)
    u = np.empty((n, P))
    param_uniforms(key, np.int64(first), n, P, u)
    rep = {k: np.repeat(np.asarray(v, dtype=np.float64), inner) for k, v in held.items()}
    params = conditional_parameters(inp, u, rep)
    return _run(inp, key, idx, params)


def simulate_nested(
    scenario: Scenario, seed: int, outer: int, inner: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Outer parameter draws, each run with ``inner`` draws of the citizens' chance.

    Outer draw ``k`` takes the parameters of draw ``k`` of the plain run with
    this seed; its inner draws use the citizens of draws ``outer + k * inner
    + j`` (never one of the outer draws' own indices).

    Returns
    -------
    params : ndarray, shape (outer, P)
    arrays : dict of str to ndarray
        Per-draw arrays with first axis ``outer * inner`` (outer-major).
    """
    if outer < 2 or inner < 2:
        raise SimriskError(f"outer = {outer}, inner = {inner}: both must be at least 2")
    inp = build_inputs(scenario)
    key, _ = key_from_seed(seed)
    theta = draw_parameters(inp, 0, outer, key, False)
    params = np.repeat(theta, inner, axis=0)
    idx = np.arange(outer, outer + outer * inner, dtype=np.int64)
    return theta, _run(inp, key, idx, params)


def simulate_until(
    scenario: Scenario,
    seed: int,
    check: Callable[[xr.Dataset], bool],
    step: int,
    max_draws: int,
    min_draws: int = 10_000,
    config_text: str = "",
    progress: Callable[[int], None] | None = None,
    growth: float = 0.1,
) -> xr.Dataset:
    """Simulate in blocks of ``step`` draws until ``check(dataset)`` is true.

    The check runs once ``min_draws`` are done, then after the first block
    that takes the draw count ``growth`` (10%) past the last check (so a
    long run is not summarised after every block); the run also stops at
    ``max_draws``. The schedule depends only on these numbers, so the
    stopping point is reproducible. The result is the first N draws of the
    plain run with this seed (N a multiple of ``step``, or ``max_draws``),
    bit for bit, because each draw depends only on seed, config and index.
    """
    for name, v in (("step", step), ("max_draws", max_draws)):
        if v < 1:
            raise SimriskError(f"{name} = {v}: must be a positive whole number")
    inp = build_inputs(scenario)
    key, _ = key_from_seed(seed)
    parts: list[dict[str, np.ndarray]] = []
    done = 0
    last = 0
    while done < max_draws:
        n = min(step, max_draws - done)
        parts.append(_run(inp, key, np.arange(done, done + n, dtype=np.int64), None))
        done += n
        if progress is not None:
            progress(n)
        if done >= max_draws or (done >= min_draws and done >= last * (1 + growth)):
            last = done
            ds = _assemble(inp, parts, seed, done, config_text)
            if check(ds):
                return ds
    return _assemble(inp, parts, seed, done, config_text)


def _assemble(inp, parts, seed, n, config_text) -> xr.Dataset:
    arrays = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    parts[:] = [arrays]
    spec = RunSpec(draws=n, seed=seed, chunk_size=_INNER_CHUNK)
    return _dataset(inp, arrays, spec, config_text)


def simulate_scenarios(
    paths: Sequence[str], draws: int | None, seed: int | None
) -> list[tuple[str, xr.Dataset]]:
    """Run several configs with one seed and draw count: common random numbers.

    Draw ``i`` of every scenario uses the same parameter uniforms and the
    same citizens' noise, so differences between scenarios are paired.
    The first config's ``[simulation]`` gives the defaults.
    """
    from simrisk.kinds.contract import simulate

    loaded = [(p, *load_scenario(p)) for p in paths]
    first = loaded[0][1].simulation
    draws = first.draws if draws is None else draws
    seed = first.seed if seed is None else seed
    out = []
    for path, sc, text in loaded:
        ds = simulate(sc, draws=draws, seed=seed, config_text=text)
        ds.attrs["config_path"] = str(path)
        out.append((str(path), ds))
    return out


def nested_evppi_draws(
    scenario: Scenario, seed: int, parameter: str, outer: int, inner: int, first: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Outer quantiles and inner NPVs ``[outer, inner]`` for nested EVPPI of one parameter.

    The parameter is drawn once per equal-probability stratum of its prior,
    at quantile ``(k + v_k) / outer`` with ``v_k`` uniform (seeded): the
    outer loop is stratified and its error can be estimated from adjacent
    strata. The other parameters are drawn from the prior given it. Inner
    draws use indices ``first + k * inner + j``.
    """
    rng = np.random.default_rng([seed, outer, inner])
    q = (np.arange(outer) + rng.uniform(size=outer)) / outer
    arrays = simulate_held(scenario, seed, {parameter: q}, inner, first=first)
    return q, arrays["npv"].astype(np.float64).reshape(outer, inner)


def nested_variance(scenario: Scenario, seed: int, outer: int, inner: int, **kw) -> xr.Dataset:
    """The variance split of NPV from a nested run (see :mod:`simrisk.decision.variance`)."""
    from simrisk.decision.variance import variance_split

    _, arrays = simulate_nested(scenario, seed, outer, inner)
    v = variance_split(arrays["npv"].astype(np.float64).reshape(outer, inner), seed=seed, **kw)
    v.attrs.update(scenario=scenario.name, seed=int(seed), draws_total=int(outer * inner))
    return v


def default_step(scenario: Scenario) -> int:
    """The block size for ``--until``: the config's chunk size."""
    return int(scenario.simulation.chunk_size)
