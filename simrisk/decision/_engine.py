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

The nested runs and the scenario comparison take a ``backend``
(:class:`simrisk.core.backends.DaskBackend`): the nested runs' rows are then
split into blocks, each a task that is a pure function of (model inputs,
seed, held values, row range), computed on the cluster with
:func:`simrisk.core.backends.map_tasks`; the scenarios' runs go through the
driver's chunks on the cluster. Every row's arithmetic is the same whatever
block it falls in (:func:`conditional_parameters` works row by row), so the
results are bit-identical to a run in this process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import xarray as xr

from simrisk._version import __version__
from simrisk.core.backends import close_when_done, map_tasks
from simrisk.core.driver import RunSpec, check_spec
from simrisk.core.errors import SimriskError
from simrisk.core.finance import IRR_REASONS
from simrisk.core.rng import key_from_seed, param_uniforms
from simrisk.kinds.contract import EngineInputs, build_inputs
from simrisk.kinds.contract.analytic import success_probabilities
from simrisk.kinds.contract.config import Scenario
from simrisk.kinds.contract.dataset import to_dataset
from simrisk.kinds.contract.loader import load_scenario
from simrisk.kinds.contract.simulate import (
    RNG_DESCRIPTION,
    _empty_outputs,
    draw_parameters,
    run_kernel,
)

__all__ = [
    "conditional_parameters",
    "nested_check",
    "nested_evppi",
    "nested_evppi_draws",
    "nested_variance",
    "simulate_held",
    "simulate_nested",
    "simulate_range",
    "simulate_scenarios",
    "simulate_until",
]

_INNER_CHUNK = 8192
#: rows per task of a nested run (a smaller block when a cluster needs more tasks to stay busy)
_TASK_ROWS = 65_536


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
    from scipy.special import ndtr, ndtri

    space = inp.space
    S = _index(inp, list(held))
    L = space.chol
    z = _times_t(ndtri(u), L)
    target = np.column_stack([np.asarray(held[k], dtype=np.float64) for k in held])
    if np.any((target <= 0) | (target >= 1)):
        raise SimriskError("held quantiles must lie strictly between 0 and 1")
    zs = ndtri(target)
    sigma = L @ L.T  # [P, P]: the same on any machine block size
    rest = [k for k in range(len(space.names)) if k not in S]
    if rest:
        gain = sigma[np.ix_(rest, S)] @ np.linalg.inv(sigma[np.ix_(S, S)])
        z[:, rest] += _times_t(zs - z[:, S], gain)
    z[:, S] = zs
    e = _forward_solve(L, z)
    tiny = np.finfo(np.float64).eps
    return space.transform(np.clip(ndtr(e), tiny, 1 - tiny))


# Row-wise linear algebra. BLAS and LAPACK choose their kernels and blocking by
# the matrix sizes, so a row's result may depend on how many rows are computed
# with it; these column loops do the same arithmetic, in the same order, for
# every row however the rows are split into tasks (P is a dozen or two).


def _times_t(a: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``a @ m.T`` row by row: ``out[:, j] = sum_k a[:, k] * m[j, k]`` in order of k."""
    out = np.empty((a.shape[0], m.shape[0]))
    for j in range(m.shape[0]):
        acc = a[:, 0] * m[j, 0]
        for k in range(1, m.shape[1]):
            acc += a[:, k] * m[j, k]
        out[:, j] = acc
    return out


def _forward_solve(L: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``e`` with ``e @ L.T = z`` for lower-triangular ``L``, row by row."""
    e = np.empty_like(z)
    for i in range(L.shape[0]):
        acc = z[:, i].copy()
        for k in range(i):
            acc -= L[i, k] * e[:, k]
        e[:, i] = acc / L[i, i]
    return e


def simulate_held(
    scenario: Scenario,
    seed: int,
    held: Mapping[str, np.ndarray],
    inner: int,
    first: int = 0,
    outputs: Sequence[str] | None = None,
    backend=None,
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
    outputs : list of str, optional
        Only these per-draw arrays (default: all).
    backend : simrisk.core.backends.DaskBackend, optional
        Compute blocks of rows as tasks on its cluster (bit-identical).

    Returns
    -------
    dict of str to ndarray
        The engine's per-draw arrays, first axis ``K * inner`` (outer-major).
    """
    inp = build_inputs(scenario)
    held = {k: np.asarray(v, dtype=np.float64) for k, v in held.items()}
    K = len(next(iter(held.values())))
    if inner < 1 or K < 1:
        raise SimriskError(f"outer = {K}, inner = {inner}: both must be at least 1")
    _index(inp, list(held))
    _check_last_draw(first, K * inner)
    key, _ = key_from_seed(seed)
    blocks = _blocks(K * inner, backend)
    items = [(held, inner, first, a, b, outputs) for a, b in blocks]
    return _gather(map_tasks(_held_block, items, (inp, key), backend))


def _blocks(n: int, backend) -> list[tuple[int, int]]:
    """Row ranges of a nested run's tasks (the results do not depend on them)."""
    size = _TASK_ROWS if backend is None else backend.chunk_size(n, _TASK_ROWS)
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def _gather(parts) -> dict[str, np.ndarray]:
    """Concatenate the blocks' arrays, in order, as they arrive."""
    got = close_when_done(parts)
    return {k: np.concatenate([p[k] for p in got]) for k in got[0]}


def _check_last_draw(first: int, n: int) -> None:
    if first < 0 or first + n > 2**31 - 1:
        raise SimriskError(
            f"draws {first:,} .. {first + n - 1:,}: draw indices must lie in [0, {2**31 - 2:,}]"
        )


def _held_block(inp, key, held, inner, first, a, b, outputs) -> dict[str, np.ndarray]:
    """Rows ``a .. b - 1`` of :func:`simulate_held` (a task: a pure function of its arguments)."""
    n = b - a
    P = len(inp.space.names)
    u = np.empty((n, P))
    param_uniforms(key, np.int64(first + a), n, P, u)
    outer = np.arange(a, b) // inner
    params = conditional_parameters(inp, u, {k: v[outer] for k, v in held.items()})
    arrays = _run(inp, key, np.arange(first + a, first + b, dtype=np.int64), params)
    return arrays if outputs is None else {k: arrays[k] for k in outputs}


def _theta_block(inp, key, theta, inner, first, a, b) -> dict[str, np.ndarray]:
    """Rows ``a .. b - 1`` of :func:`simulate_nested` (a task)."""
    params = theta[np.arange(a, b) // inner]
    return _run(inp, key, np.arange(first + a, first + b, dtype=np.int64), params)


def simulate_nested(
    scenario: Scenario, seed: int, outer: int, inner: int, backend=None, keep=None
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Outer parameter draws, each run with ``inner`` draws of the citizens' chance.

    Outer draw ``k`` takes the parameters of draw ``k`` of the plain run with
    this seed; its inner draws use the citizens of draws ``outer + k * inner
    + j`` (never one of the outer draws' own indices). With a ``backend``,
    blocks of rows are tasks on its cluster (bit-identical). With ``keep``
    (a path prefix), completed blocks are kept and a rerun reuses them.

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
    _check_last_draw(outer, outer * inner)
    theta = draw_parameters(inp, 0, outer, key, False)
    items = [(theta, inner, outer, a, b) for a, b in _blocks(outer * inner, backend)]
    ident = {"what": "simulate_nested", "seed": int(seed), "outer": outer, "inner": inner}
    ident["rows"] = [it[3:5] for it in items]
    return theta, _gather(_map_kept(_theta_block, items, (inp, key), backend, keep, ident))


#: the :class:`~simrisk.core.driver.TaskStore` of each ``keep`` prefix used in this process
_STORES: dict[str, object] = {}


def store_for(keep):
    """The task store this process made for the prefix ``keep`` (its notes, what it kept)."""
    return _STORES.get(str(keep))


def _map_kept(func, items, shared, backend, keep, identity):
    """:func:`map_tasks`, keeping each result under the prefix ``keep`` (None: not kept)."""
    if keep is None:
        return map_tasks(func, items, shared, backend)
    from simrisk.core.driver import TaskStore

    inp = shared[0]
    identity = {
        **identity,
        "config_sha256": hashlib.sha256(inp.scenario.model_dump_json().encode()).hexdigest(),
        "version": __version__,
    }
    store = TaskStore(keep, identity)
    _STORES[str(keep)] = store
    return store.map(lambda todo: map_tasks(func, todo, shared, backend), items)


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
    checkpoint_path=None,
) -> xr.Dataset:
    """Simulate in blocks of ``step`` draws until ``check(dataset)`` is true.

    The check runs once ``min_draws`` are done, then after the first block
    that takes the draw count ``growth`` (10%) past the last check (so a
    long run is not summarised after every block); the run also stops at
    ``max_draws``. The schedule depends only on these numbers, so the
    stopping point is reproducible. The result is the first N draws of the
    plain run with this seed (N a multiple of ``step``, or ``max_draws``),
    bit for bit, because each draw depends only on seed, config and index.

    With ``checkpoint_path`` every block is saved as it completes
    (:class:`simrisk.core.driver.Checkpoint`, identified by config, seed and
    the stopping schedule), and a matching checkpoint is resumed: its blocks
    are taken back, the schedule of checks is replayed to where they end
    (the check is rerun if they end on a check), and the run continues, so
    it stops where an uninterrupted run stops, with the same draws.
    """
    from simrisk.core.driver import Checkpoint

    for name, v in (("step", step), ("max_draws", max_draws)):
        if v < 1:
            raise SimriskError(f"{name} = {v}: must be a positive whole number")
    inp = build_inputs(scenario)
    key, _ = key_from_seed(seed)
    parts: list[dict[str, np.ndarray]] = []
    done = 0
    last = 0
    ckpt = None
    if checkpoint_path is not None:
        ident = until_identity(seed, config_text, step, max_draws, min_draws, growth)
        ckpt = Checkpoint(checkpoint_path, identity=ident)
        parts = ckpt.blocks(_empty_outputs(inp, 0))
        done = min(ckpt.resumed_from, max_draws)
        last = _last_check(done, step, max_draws, min_draws, growth)
        if done and progress is not None:
            progress(done)
        if done and (last == done or done >= max_draws):
            ds = _assemble(inp, parts, seed, done, config_text)
            if done >= max_draws or check(ds):
                return ds
    while done < max_draws:
        n = min(step, max_draws - done)
        block = _run(inp, key, np.arange(done, done + n, dtype=np.int64), None)
        parts.append(block)
        if ckpt is not None:
            ckpt.save_arrays(done, block)
        done += n
        if progress is not None:
            progress(n)
        if done >= max_draws or (done >= min_draws and done >= last * (1 + growth)):
            last = done
            ds = _assemble(inp, parts, seed, done, config_text)
            if check(ds):
                return ds
    return _assemble(inp, parts, seed, done, config_text)


def _last_check(done: int, step: int, max_draws: int, min_draws: int, growth: float) -> int:
    """Where :func:`simulate_until`'s last check before ``done`` draws came (0: none yet)."""
    d = last = 0
    while d < done:
        d += min(step, max_draws - d)
        if d >= max_draws or (d >= min_draws and d >= last * (1 + growth)):
            last = d
    return last


def until_identity(seed, config_text, step, max_draws, min_draws, growth) -> dict:
    """What makes two ``--until`` runs the same run: their checkpoint is shared only then."""
    return {
        "mode": "until",
        "config_sha256": hashlib.sha256(config_text.encode()).hexdigest(),
        "seed": int(seed),
        "step": int(step),
        "max_draws": int(max_draws),
        "min_draws": int(min_draws),
        "growth": float(growth),
        "version": __version__,
    }


def _assemble(inp, parts, seed, n, config_text) -> xr.Dataset:
    arrays = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    parts[:] = [arrays]
    spec = RunSpec(draws=n, seed=seed, chunk_size=_INNER_CHUNK)
    return _dataset(inp, arrays, spec, config_text)


def simulate_scenarios(
    paths: Sequence[str], draws: int | None, seed: int | None, backend=None, keep=None
) -> list[tuple[str, xr.Dataset]]:
    """Run several configs with one seed and draw count: common random numbers.

    Draw ``i`` of every scenario uses the same parameter uniforms and the
    same citizens' noise, so differences between scenarios are paired.
    The first config's ``[simulation]`` gives the defaults. With a
    ``backend``, each scenario's chunks are tasks on its cluster
    (bit-identical); the scenarios run one after another, since the
    comparison needs every draw of each. Every scenario takes the same path:
    the aggregated one (quantile-coupled counts) only when each of them
    would take it by default (:func:`~simrisk.kinds.contract.simulate.resolve_aggregate`).
    With ``keep`` (a path prefix), each scenario's run keeps a checkpoint
    (``<keep>.<i>``) of its completed chunks and a rerun resumes them.
    """
    from simrisk.kinds.contract.simulate import aggregate_by_default, simulate

    loaded = [(p, *load_scenario(p)) for p in paths]
    first = loaded[0][1].simulation
    draws = first.draws if draws is None else draws
    seed = first.seed if seed is None else seed
    aggregate = all(aggregate_by_default(sc) for _, sc, _ in loaded)
    out = []
    for i, (path, sc, text) in enumerate(loaded):
        ckpt = None if keep is None else f"{keep}.{i}"
        ds = simulate(
            sc,
            draws=draws,
            seed=seed,
            config_text=text,
            backend=backend,
            aggregate=aggregate,
            checkpoint_path=ckpt,
        )
        ds.attrs["config_path"] = str(path)
        out.append((str(path), ds))
    return out


def nested_evppi_draws(
    scenario: Scenario,
    seed: int,
    parameter: str,
    outer: int,
    inner: int,
    first: int = 0,
    backend=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Outer quantiles and inner NPVs ``[outer, inner]`` for nested EVPPI of one parameter.

    The parameter is drawn once per equal-probability stratum of its prior,
    at quantile ``(k + v_k) / outer`` with ``v_k`` uniform (seeded): the
    outer loop is stratified and its error can be estimated from adjacent
    strata. The other parameters are drawn from the prior given it. Inner
    draws use indices ``first + k * inner + j``.
    """
    return nested_evppi(scenario, seed, [parameter], outer, inner, first, backend)[parameter]


def nested_evppi(
    scenario: Scenario,
    seed: int,
    parameters: Sequence[str],
    outer: int,
    inner: int,
    first: int = 0,
    backend=None,
    keep=None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`nested_evppi_draws` for several parameters in one stream of tasks.

    Every parameter's nested run uses the same draw indices and stratum
    offsets (common random numbers across parameters). With a ``backend``,
    the blocks of all parameters' runs are tasks on its cluster, submitted
    as one stream so the workers never wait between parameters. With
    ``keep`` (a path prefix), every completed block of outer draws is kept
    (:class:`simrisk.core.driver.TaskStore`) and a rerun of the same
    command reuses them: the result is the same, bit for bit.

    Returns
    -------
    dict
        For each parameter, its outer quantiles ``[outer]`` and inner NPVs
        ``[outer, inner]``.
    """
    if outer < 2 or inner < 2:
        raise SimriskError(f"outer = {outer}, inner = {inner}: both must be at least 2")
    inp = build_inputs(scenario)
    _index(inp, list(parameters))
    _check_last_draw(first, outer * inner)
    key, _ = key_from_seed(seed)
    rng = np.random.default_rng([seed, outer, inner])
    q = (np.arange(outer) + rng.uniform(size=outer)) / outer
    blocks = _blocks(outer * inner * len(parameters), backend)  # block size for the whole stream
    size = blocks[0][1] - blocks[0][0]
    items = [
        ({p: q}, inner, first, a, min(a + size, outer * inner), ("npv",))
        for p in parameters
        for a in range(0, outer * inner, size)
    ]
    ident = {"what": "nested_evppi", "seed": int(seed), "parameters": list(parameters)}
    ident.update(outer=outer, inner=inner, first=first, rows=[it[3:5] for it in items])
    results = close_when_done(_map_kept(_held_block, items, (inp, key), backend, keep, ident))
    out: dict[str, list[np.ndarray]] = {p: [] for p in parameters}
    for (held, *_), part in zip(items, results, strict=True):
        out[next(iter(held))].append(part["npv"])
    return {
        p: (q, np.concatenate(v).astype(np.float64).reshape(outer, inner)) for p, v in out.items()
    }


def nested_variance(
    scenario: Scenario, seed: int, outer: int, inner: int, backend=None, keep=None, **kw
) -> xr.Dataset:
    """The variance split of NPV from a nested run (see :mod:`simrisk.decision.variance`).

    With ``keep`` (a path prefix) the nested run's completed blocks are kept
    and a rerun reuses them (:func:`simulate_nested`).
    """
    from simrisk.decision.variance import variance_split

    _, arrays = simulate_nested(scenario, seed, outer, inner, backend=backend, keep=keep)
    v = variance_split(arrays["npv"].astype(np.float64).reshape(outer, inner), seed=seed, **kw)
    v.attrs.update(scenario=scenario.name, seed=int(seed), draws_total=int(outer * inner))
    return v


def default_step(scenario: Scenario) -> int:
    """The block size for ``--until``: the config's chunk size."""
    return int(scenario.simulation.chunk_size)


def nested_check(
    ds: xr.Dataset,
    parameters: Sequence[str],
    outer: int,
    inner: int,
    backend=None,
    keep=None,
) -> dict[str, dict]:
    """Nested Monte Carlo EVPPI of each parameter for the run ``ds``, on fresh draws.

    With ``keep`` (a path prefix), completed blocks of outer draws are kept
    and a rerun reuses them (:func:`nested_evppi`).

    The scenario and seed are the run's own (its ``scenario_json`` and
    ``seed``); the nested runs use the draw indices after the run's last
    draw, so they share no draw with the regression they check. See
    :func:`nested_evppi` and :func:`simrisk.decision.voi.evppi_nested`.

    Returns
    -------
    dict
        For each parameter, :func:`~simrisk.decision.voi.evppi_nested`'s
        ``value``, ``se``, ``bias``, ``outer`` and ``inner``, and
        ``first_draw``.
    """
    from simrisk.decision.voi import evppi_nested

    if "scenario_json" not in ds.attrs or "seed" not in ds.attrs:
        raise SimriskError(
            "--nested: the result lacks its scenario_json or seed (rerun it with this version)"
        )
    if int(ds.attrs.get("fixed_parameters", 0)):
        raise SimriskError("--nested: the run has fixed parameters, so there is nothing to learn")
    scenario = Scenario.model_validate_json(ds.attrs["scenario_json"], strict=False)
    first = int(ds.attrs.get("first_draw", 0)) + int(ds.sizes["draw"])
    seed = int(ds.attrs["seed"])
    runs = nested_evppi(scenario, seed, parameters, outer, inner, first, backend, keep)
    return {p: {**evppi_nested(y), "first_draw": first} for p, (_, y) in runs.items()}
