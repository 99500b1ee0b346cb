"""The library's front door: what ``simrisk`` does on the command line, as functions.

Every function takes a config (a path, or what :func:`load` returned) or a
result (a Dataset, or the path of a result file) of any model kind, asks the
kind (:mod:`simrisk.kinds`) whether it supports the job, and does it; the
command line (:mod:`simrisk.cli`) parses arguments, calls these and prints.
In a notebook::

    import simrisk
    ds = simrisk.run("configs/regionh_ai_pool.toml", draws=2000, seed=1)
    simrisk.summary(ds)["options"]

Errors a user can cause raise :class:`simrisk.SimriskError` with one line
naming the file, key or argument, the value and what is allowed; a run
stopped by Ctrl-C or a signal raises :class:`simrisk.core.errors.Stopped`
(a ``KeyboardInterrupt``) whose message says what was kept.

``report`` is :func:`simrisk.api.report`, not ``simrisk.report``: that name
is the report package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simrisk.core.errors import SimriskError
from simrisk.kinds import Config

if TYPE_CHECKING:
    import xarray as xr

    from simrisk.core.results import Summary
    from simrisk.core.targets import Precision
    from simrisk.kinds import ModelKind

__all__ = [
    "Config",
    "Ledger",
    "acceptability",
    "compare",
    "decision",
    "design",
    "evsi",
    "export",
    "ledger",
    "load",
    "monitor",
    "report",
    "run",
    "sensitivity",
    "summary",
    "variance",
    "voi",
]

PathLike = str | Path
Result = "xr.Dataset | PathLike"


@dataclass(frozen=True)
class Ledger(Mapping[str, Any]):
    """A kind's deterministic expected case: read it as a mapping (the JSON), print it as text."""

    data: dict[str, Any] = field(repr=False)
    text: str = field(repr=False)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``simrisk ledger --json`` prints."""
        return self.data

    def __str__(self) -> str:
        return self.text


# --- finding the kind ---------------------------------------------------------------------


def load(config: PathLike | Config) -> Config:
    """Read and validate a config file of any kind (``kind = "..."``, default ``contract``)."""
    if isinstance(config, Config):
        return config
    from simrisk import kinds

    name, kind = kinds.for_config(config)
    model, text = kind.load(config)
    return Config(kind=name, model=model, text=text, source=str(config))


def kind_of(item: Config | xr.Dataset) -> ModelKind:
    """The interface of a config's or a result's kind."""
    from simrisk import kinds

    if isinstance(item, Config):
        return kinds.get(item.kind)
    return kinds.for_result(item)[1]


def open_result(result: xr.Dataset | PathLike, lazy: bool = False) -> xr.Dataset:
    """A result Dataset: ``result`` itself, or the simrisk result file at that path."""
    if isinstance(result, str | Path):
        from simrisk.core.dataset import open_result as read

        return read(result, lazy=lazy)
    return result


def _source(result: object) -> str:
    return str(result) if isinstance(result, str | Path) else "result"


def _refuse(kind: ModelKind, name: str, command: str, source: str, what: str) -> None:
    """One line if ``simrisk <command>`` does not take this kind's configs or results."""
    from simrisk import kinds

    caps = kind.CAPABILITIES
    if caps.supports(command):
        return
    if command in caps.why_not:
        raise SimriskError(caps.why_not[command])
    able = [k.CAPABILITIES.title for k in kinds.kinds() if k.CAPABILITIES.supports(command)]
    noun = "run" if what == "result" else "config"
    raise SimriskError(
        f"{source}: a {name} {what}; 'simrisk {command}' takes a {' or '.join(able)} {noun}"
    )


def result_for(result: xr.Dataset | PathLike, command: str) -> tuple[xr.Dataset, ModelKind]:
    """A result Dataset that ``simrisk <command>`` takes, and its kind; one line if not."""
    from simrisk import kinds
    from simrisk._runner import refuse_few_draws

    ds = open_result(result)
    name, kind = kinds.for_result(ds, _source(result))
    _refuse(kind, name, command, _source(result), "result")
    check_result(ds, name, command, _source(result))
    refuse_few_draws(kind, ds.sizes.get("draw", kind.MIN_DRAWS), _source(result), held=True)
    return ds, kind


#: what each command reads of a result, beyond what its kind's summary reads
_READS: dict[str, dict[str, tuple[str, ...]]] = {
    "contract": {
        "export": ("parameters", "cash_flow_by_year", "repayments"),
        "report": ("parameters", "cash_flow_by_year", "repayments"),
        "sensitivity": ("parameters",),
        "voi": ("parameters",),
        "evsi": ("parameters",),
        "monitor": ("parameters",),
        "acceptability": ("repayments",),
    },
    "portfolio": {"sensitivity": ("parameters",), "voi": ("parameters",)},
}
#: the per-draw figures a result must hold as finite numbers (an IRR may be NaN: no IRR)
_FINITE = {
    "contract": ("npv", "repayments_total", "moic"),
    "portfolio": ("npv",),
    "wellby": ("draws_projection_net", "draws_pilot_value_dkk"),
}


def _summary_reads(name: str, ds: xr.Dataset) -> tuple[str, ...]:
    """The variables a kind's summary reads (its ``REQUIRED_VARIABLES``)."""
    if name == "contract":
        from simrisk.kinds.contract.summary import REQUIRED_VARIABLES

        no_authority = ds.sizes.get("authority", 0) == 0
        return tuple(
            v for v in REQUIRED_VARIABLES if not (no_authority and v.startswith("authority_"))
        )
    if name == "portfolio":
        from simrisk.kinds.portfolio.summary import REQUIRED_VARIABLES as PORTFOLIO

        return tuple(PORTFOLIO)
    if name == "wellby":
        return ("draws_projection_net", "draws_pilot_value_dkk")
    return ()


def check_result(ds: xr.Dataset, name: str, command: str, source: str = "result") -> None:
    """One line, before any work, if ``ds`` lacks what ``simrisk <command>`` reads.

    Checks the ``draw`` dimension, the variables the kind's summary and the
    command read (naming the first missing one), the attributes the kind
    keeps its figures in, and that the key per-draw figures are finite
    (naming the variable and how many values are NaN or infinite).
    """
    import numpy as np

    needs = (*_summary_reads(name, ds), *_READS.get(name, {}).get(command, ()))
    if needs and "draw" not in ds.dims:
        found = ", ".join(map(str, ds.dims)) or "none"
        raise SimriskError(
            f"{source}: has no 'draw' dimension (dimensions: {found}); not a simrisk result "
            f"that 'simrisk {command}' can read"
        )
    missing = [v for v in dict.fromkeys(needs) if v not in ds.variables]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise SimriskError(
            f"{source}: lacks the variable {missing[0]!r}{more} that 'simrisk {command}' "
            f"reads; is it a {name} result written by 'simrisk run'?"
        )
    if name == "wellby" and "summary_json" not in ds.attrs:
        raise SimriskError(
            f"{source}: lacks the attribute 'summary_json' a WELLBY result keeps its figures in; "
            "is it a WELLBY result written by 'simrisk run'?"
        )
    for v in _FINITE.get(name, ()):
        if v not in ds.variables or ds[v].dtype.kind not in "fc":
            continue
        values = ds[v].values
        bad = int(values.size - np.count_nonzero(np.isfinite(values)))
        if bad:
            raise SimriskError(
                f"{source}: variable {v!r} holds {bad:,} NaN or infinite value(s) of "
                f"{values.size:,}; a simrisk run writes none (rerun it)"
            )


def _inputs(config: Config | None = None, **named: Any) -> list[tuple[str, Any]]:
    """The files a command reads, named for a refusal: the config and every file it
    reads (``extends`` ...), then ``flag=path`` pairs (a result path, a scores file)."""
    from simrisk.core.outputs import config_inputs

    found: list[tuple[str, Any]] = []
    if config is not None and config.source:
        found += config_inputs(config.source)
    for what, path in named.items():
        if isinstance(path, str | Path):
            found.append((f"the {what.replace('_', ' ')} {path}", path))
    return found


def attached(
    att: xr.Dataset,
    flag: str,
    to: xr.Dataset,
    *,
    same_run: bool = True,
    allow_other_run: bool = False,
) -> xr.Dataset:
    """A file attached to ``to``'s report or workbook (``flag`` names it), checked first.

    Its draws meet the one minimum-draw rule (a run's by its own kind; a
    decision or design file's by the kind of ``to``). With ``same_run`` (a
    sensitivity, VOI or design file) it must come from the run of ``to``:
    the same config hash and seed, unless ``allow_other_run``, which marks it
    (``simrisk_other_run``, and for an analysis an ``other_run`` row) so the
    page or sheet says so.
    """
    from simrisk import kinds
    from simrisk._runner import refuse_few_draws

    if "draw" in att.dims:
        refuse_few_draws(kinds.for_result(att, flag)[1], att.sizes["draw"], flag, held=True)
    else:
        n = att.attrs.get("source_draws", att.attrs.get("draws"))
        if n is not None:
            refuse_few_draws(kind_of(to), int(n), flag, held=True)
    if not same_run:
        return att
    seed = att.attrs.get("source_seed", att.attrs.get("seed"))  # an analysis has its own seed
    theirs = (str(att.attrs.get("config_sha256", "")), seed)
    ours = (str(to.attrs.get("config_sha256", "")), to.attrs.get("seed"))
    if theirs == ours:
        return att
    other = f"config {theirs[0][:12] or '?'}, seed {theirs[1]}"
    if not allow_other_run:
        raise SimriskError(
            f"{flag}: of another run ({other}; this run: config {ours[0][:12] or '?'}, seed "
            f"{ours[1]}); attach this run's file, or give --allow-other-run"
        )
    att = att.copy()
    att.attrs["simrisk_other_run"] = other
    if "analysis" in att.attrs:
        import xarray as xr

        att["other_run"] = xr.DataArray(
            f"from another run ({other}), attached with --allow-other-run"
        )
    return att


def report_input(result: Any) -> Any:
    """What ``simrisk report`` shows: a kind's result, or an updated result of
    ``simrisk monitor -o`` (a DataTree)."""
    from simrisk.decision.monitor import open_updated

    tree = open_updated(result)
    return tree if tree is not None else result_for(result, "report")[0]


def config_for(config: PathLike | Config, command: str) -> Config:
    """A config that ``simrisk <command>`` takes; one line if not."""
    cfg = load(config)
    _refuse(kind_of(cfg), cfg.kind, command, cfg.source, "config")
    return cfg


# --- the commands -------------------------------------------------------------------------


def ledger(
    config: PathLike | Config,
    *,
    success_rate: float | None = None,
    retention: float | None = None,
    goal_rates: Mapping[str, float] | None = None,
) -> Ledger:
    """The config's deterministic expected case (the rate overrides are a contract's only)."""
    cfg = config_for(config, "ledger")
    overrides: dict[str, Any] = {}
    if success_rate is not None or retention is not None or goal_rates:
        if cfg.kind != "contract":
            raise SimriskError("--success-rate, --retention and --goal-rate: only for a contract")
        overrides = {
            "success_rate": success_rate,
            "retention": retention,
            "goal_rates": dict(goal_rates or {}),
        }
    data, text = kind_of(cfg).ledger(cfg.model, **overrides)
    return Ledger(data, text)


def run(
    config: PathLike | Config,
    draws: int | None = None,
    seed: int | None = None,
    out: PathLike | None = None,
    until: Sequence[str | Precision] | str | None = None,
    resume: bool = True,
    backend: Any = None,
    *,
    fixed_parameters: bool = False,
    scores: PathLike | None = None,
    chunk_size: int | None = None,
    threads: int | None = None,
    max_draws: int = 10_000_000,
    quiet: bool = True,
    make_folder: bool = False,
    notify: Callable[[str], None] | None = None,
    aggregate: bool | None = None,
) -> xr.Dataset:
    """The Monte Carlo run of a config of any kind, as a Dataset.

    Parameters
    ----------
    config : path or Config
    draws, seed : int, optional
        Default: the config's ``[simulation]``.
    out : path, optional
        Write the result there (a kind that streams writes it a chunk at a
        time) and return it lazily opened from the file. The output's lock
        keeps a second writer out; the progress of an interrupted run is kept
        next to it and the same call resumes from it (``resume=False``
        discards it), with results identical to a run that ran through.
    until : targets, optional
        ``"p_npv_negative:se<0.001"`` and the like (:mod:`simrisk.core.targets`):
        run in blocks until every figure's Monte Carlo SE is below its bound,
        or ``max_draws``; ``draws`` is then ignored.
    backend : optional
        Where the chunks run: a backend object (:mod:`simrisk.core.backends`),
        or ``{"workers": N}`` / ``{"scheduler": "tcp://..."}`` to start one
        for this run (needs ``simrisk[dask]``).
    fixed_parameters, scores, chunk_size, threads
        As the ``simrisk run`` flags; a kind refuses those it cannot honour.
    quiet : bool
        No progress bar and no compile notice.
    make_folder : bool
        Make ``out``'s folder if it is missing (after every check passed).
    notify : callable, optional
        Called with a line for what the run did beside its result (resumed
        from a checkpoint, removed a killed writer's leftovers).
    aggregate : bool, optional
        Contracts only: cell counts per cohort instead of citizens (exact in
        distribution, docs/model.md); None takes it from 2,000 referred
        citizens on, False never.
    """
    from simrisk._runner import run_config
    from simrisk.core.outputs import check_out
    from simrisk.kinds import RunOptions

    cfg = config_for(config, "run")
    if aggregate is not None and cfg.kind != "contract":
        flag = "--aggregate" if aggregate else "--no-aggregate"
        raise SimriskError(f"{flag}: only for a contract config; {cfg.path} is a {cfg.kind}")
    if aggregate and until:
        raise SimriskError("--aggregate: cannot be combined with --until")
    options = RunOptions(
        draws=draws,
        seed=seed,
        chunk_size=chunk_size,
        threads=threads,
        fixed_parameters=fixed_parameters,
        scores=scores,
        config_path=cfg.path,
        config_text=cfg.text,
        quiet=quiet,
        aggregate=aggregate,
    )
    target = None
    if out is not None:
        from simrisk.core.outputs import refuse_overwrite, refuse_replacing

        target = Path(out)
        if not (make_folder and not target.parent.exists()):
            target = check_out(out, "--out")
        refuse_overwrite([("--out", target)], _inputs(cfg, scores_file=scores))
        refuse_replacing([("--out", target)], {"--out": "run"})
    return run_config(
        kind_of(cfg),
        cfg,
        options,
        target,
        until=until,
        max_draws=max_draws,
        resume=resume,
        backend=backend,
        make_folder=make_folder,
        notify=notify,
    )


def summary(result: xr.Dataset | PathLike, *, decision: bool = True) -> Summary:
    """Every figure of a run with its Monte Carlo error: a mapping over the JSON of
    ``simrisk summary``, with each figure also as an :class:`~simrisk.core.results.Estimate`.

    With ``decision`` (the default) it ends with ``decision``: the kind's
    alternatives, doing nothing first, and every rule of the config's
    ``[decision]`` table applied (:func:`decision`, docs/model.md#decision-rules).
    """
    ds, kind = result_for(result, "summary")
    out = kind.summarize(ds)
    if decision:
        from simrisk.decision.rules import with_decision

        with_decision(out, ds)
    return kind.Summary(out)


def decision(result: xr.Dataset | PathLike, spec: Any = None) -> dict[str, Any]:
    """The decision of a result: alternatives (doing nothing first), each rule's verdict with
    its Monte Carlo error and margin to flipping, EVPI, and every other party's decision.

    ``spec`` (a :class:`simrisk.core.decision_spec.DecisionSpec`) overrides the
    ``[decision]`` table stored with the result (docs/model.md#decision-rules).
    """
    from simrisk.decision.rules import decide

    ds, _ = result_for(result, "summary")
    return decide(ds, spec)


def sensitivity(
    result: xr.Dataset | PathLike,
    *,
    n_boot: int = 100,
    pawn_boot: int = 30,
    seed: int = 0,
    backend: Any = None,
) -> xr.Dataset:
    """Which priors drive a run's loss (see :mod:`simrisk.decision.sensitivity`)."""
    from simrisk._runner import make_backend
    from simrisk.decision.sensitivity import sensitivity as run_sensitivity

    ds, _ = result_for(result, "sensitivity")
    made, close = make_backend(backend, None)
    try:
        s = run_sensitivity(ds, n_boot=n_boot, pawn_boot=pawn_boot, seed=seed, backend=made)
    finally:
        close()
    return _of_run(s, ds)


def _of_run(analysis: xr.Dataset, ds: xr.Dataset) -> xr.Dataset:
    """A decision file names the run it was computed from (its ``seed`` may be its own)."""
    if "seed" in ds.attrs:
        analysis.attrs["source_seed"] = int(ds.attrs["seed"])
    return analysis


def voi(
    result: xr.Dataset | PathLike,
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    parameters: Sequence[str] | None = None,
    seed: int = 0,
    nested: bool = False,
    outer: int = 400,
    inner: int = 1000,
    backend: Any = None,
    quiet: bool = True,
    keep: PathLike | None = None,
) -> xr.Dataset:
    """EVPI and EVPPI by regression, each with its SE; ``nested`` checks each single
    parameter's EVPPI by nested Monte Carlo (kinds with the ``voi.nested`` method);
    with ``keep`` (a path prefix) its completed blocks are kept and a rerun reuses them.

    ``groups`` default to the kind's (for a contract: population, each goal,
    effects; with ``parameters`` and no ``groups``, none).
    """
    ds, kind = result_for(result, "voi")
    name = kind.NAME
    if nested and "voi.nested" not in kind.CAPABILITIES.methods:
        raise SimriskError(
            f"--nested: only for a contract run; {_source(result)} is a {name} result"
        )
    if name == "portfolio":
        from simrisk.kinds.portfolio.summary import value_of_information

        return _of_run(
            value_of_information(
                ds,
                max_draws=ds.sizes["draw"],
                n_post=100,
                parameters=parameters,
                groups=dict(groups or {}),
                seed=seed,
            ),
            ds,
        )
    from simrisk.decision.voi import voi as run_voi

    if groups is None and parameters:
        groups = {}
    v = run_voi(ds, groups=groups, parameters=parameters, seed=seed)
    if nested:
        v = _add_nested(v, ds, outer, inner, backend, quiet, keep)
    return _of_run(v, ds)


def _add_nested(
    v: xr.Dataset,
    ds: xr.Dataset,
    outer: int,
    inner: int,
    backend: Any,
    quiet: bool,
    keep: PathLike | None = None,
) -> xr.Dataset:
    from simrisk._runner import make_backend
    from simrisk.decision import nested_check
    from simrisk.decision.voi import add_nested

    singles = [
        str(t)
        for t, k in zip(v["target"].values, v["target_kind"].values, strict=True)
        if k == "parameter"
    ]
    if not singles:
        raise SimriskError("--nested: no single parameter to check (give --parameter P)")
    for flag, n in (("--outer", outer), ("--inner", inner)):
        if n < 2:
            raise SimriskError(f"{flag} {n}: must be at least 2")
    kind_of(ds).compile_notice(quiet)
    made, close = make_backend(backend, None)
    try:
        return add_nested(v, nested_check(ds, singles, outer, inner, backend=made, keep=keep))
    finally:
        close()


def acceptability(
    result: xr.Dataset | PathLike, rates: Sequence[float] | None = None
) -> xr.Dataset:
    """P(IRR >= r) and P(NPV at r >= 0) over investor rates ``r`` (default 0 to 15%)."""
    from simrisk.decision.acceptability import acceptability as run_acceptability

    ds, _ = result_for(result, "acceptability")
    return run_acceptability(ds, rates=rates)


def monitor(
    result: xr.Dataset | PathLike,
    observed: PathLike,
    *,
    out: PathLike | None = None,
    force_fallback: bool = False,
    seed: int = 0,
    quiet: bool = True,
):
    """Update a contract run's forecast from observed counts (``simrisk monitor``).

    Returns a :class:`simrisk.decision.monitor.MonitorResult` (``.to_json()``
    gives the JSON ``--json`` prints); with ``out``, also writes it as an
    ArviZ-grouped DataTree file. ``quiet=False`` says on stderr when the
    kernel (the fallback's re-simulation) must first be compiled.
    """
    import contextlib

    from simrisk.core.outputs import guard_outputs
    from simrisk.decision.monitor import monitor as run_monitor
    from simrisk.decision.monitor import write_monitor

    ds, kind = result_for(result, "monitor")
    inputs = _inputs(result=result if isinstance(result, str | Path) else None)
    inputs.append((f"--observed {observed}", observed))
    writes = {"--out": "simrisk.monitor"}
    with (
        guard_outputs([("--out", out)], inputs, writes=writes) if out else contextlib.nullcontext()
    ):
        kind.compile_notice(quiet)
        r = run_monitor(ds, observed, force_fallback=force_fallback, seed=seed)
        if out is not None:
            write_monitor(r, out)
    return r


def evsi(
    result: xr.Dataset | PathLike,
    study: str,
    *,
    n: Sequence[int] | None = None,
    seed: int = 0,
    check_is: bool = False,
    nested: bool = False,
    outer: int = 400,
    inner: int = 1000,
    cost_fixed: float | None = None,
    cost_per_unit: float | None = None,
    population: float | None = None,
    horizon: float | None = None,
    backend: Any = None,
    quiet: bool = True,
) -> dict:
    """Expected value of sample information of ``study`` (``simrisk evsi``), as its JSON dict.

    ``n`` the sample sizes (default: the study's own); ``check_is`` adds the
    importance-sampling EVSI, ``nested`` the nested Monte Carlo check on the
    kernel (contract runs; on ``backend`` when given: a DaskBackend, or
    ``{"workers": N}`` / ``{"scheduler": ADDRESS}`` as the other commands
    take); any of the costs adds ENBS and the optimal n.
    """
    from simrisk._runner import make_backend
    from simrisk.decision.evsi import enbs, nested_evsi
    from simrisk.decision.evsi import evsi as run_evsi

    ds, kind = result_for(result, "evsi")
    for what, v in (("outer", outer), ("inner", inner)):
        if v < 2:
            raise SimriskError(f"--{what} {v}: must be at least 2")
    r = run_evsi(ds, study, n=n, seed=seed, check_is=check_is)
    if nested:
        if kind.NAME != "contract":
            raise SimriskError("--nested: only for a contract run (it runs the contract's kernel)")
        kind.compile_notice(quiet)
        made, close = make_backend(backend, None)
        try:
            r["nested"] = [
                nested_evsi(
                    ds, study, n=row["n"], outer=outer, inner=inner, seed=seed, backend=made
                )
                for row in r["evsi"]
            ]
        finally:
            close()
    costs = (cost_fixed, cost_per_unit, population, horizon)
    if any(c is not None for c in costs):
        r["enbs"] = enbs(
            r,
            cost_fixed=cost_fixed or 0.0,
            cost_per_unit=cost_per_unit or 0.0,
            population=1.0 if population is None else population,
            horizon=1.0 if horizon is None else horizon,
        )
    return r


def variance(
    config: PathLike | Config,
    *,
    outer: int = 2000,
    inner: int = 50,
    seed: int | None = None,
    backend: Any = None,
    quiet: bool = True,
    keep: PathLike | None = None,
) -> xr.Dataset:
    """NPV's variance split into parameter uncertainty and chance, from a nested run of
    ``outer`` parameter draws with ``inner`` sets of citizens each. With ``keep`` (a path
    prefix), completed blocks are kept and a rerun reuses them."""
    from simrisk._runner import make_backend
    from simrisk.decision import nested_variance

    cfg = config_for(config, "variance")
    seed = cfg.model.simulation.seed if seed is None else seed
    kind_of(cfg).compile_notice(quiet)
    made, close = make_backend(backend, None)
    try:
        return nested_variance(cfg.model, seed, outer, inner, backend=made, keep=keep)
    finally:
        close()


def compare(
    configs: Sequence[PathLike],
    *,
    draws: int | None = None,
    seed: int | None = None,
    backend: Any = None,
    quiet: bool = True,
    keep: PathLike | None = None,
) -> xr.Dataset:
    """Scenarios on common random numbers (one seed, one draw count), each against the first:
    difference, paired SE, unpaired SE. With ``keep`` (a path prefix), each scenario keeps
    a checkpoint ``<keep>.<i>`` and a rerun resumes it."""
    from simrisk._runner import make_backend
    from simrisk.decision import simulate_scenarios
    from simrisk.decision.compare import compare as run_compare

    if len(configs) < 2:
        raise SimriskError(f"compare: give at least two configs, got {len(configs)}")
    cfgs = [config_for(path, "compare") for path in configs]
    for cfg in cfgs if draws is None else cfgs[:1]:
        _check_draws(cfg, draws)
    kind_of(cfgs[0]).compile_notice(quiet)
    made, close = make_backend(backend, None)
    try:
        return run_compare(
            simulate_scenarios([str(p) for p in configs], draws, seed, backend=made, keep=keep)
        )
    finally:
        close()


def _check_draws(cfg: Config, draws: int | None) -> None:
    """``--draws`` (or the config's ``simulation.draws``) against the kind's minimum."""
    from simrisk._runner import refuse_few_draws

    where = "--draws" if draws is not None else f"{cfg.source}: simulation.draws ="
    n = (
        draws
        if draws is not None
        else getattr(getattr(cfg.model, "simulation", None), "draws", None)
    )
    if n is not None:
        refuse_few_draws(kind_of(cfg), n, where)


def design(
    config: PathLike | Config,
    targets: Sequence[str],
    *,
    minimize: str | None = None,
    maximize: str | None = None,
    objectives: Sequence[tuple[str, str]] | None = None,
    backend: Any = None,
    quiet: bool = True,
    **options: Any,
) -> Any:
    """Search a contract's ``[design]`` terms for the contract that meets every target
    (``"p_npv_negative<=0.25"``: :mod:`simrisk.core.targets`) by 2 SE with the best objective.

    A target or objective may name a party's figure on a saving basis
    (``"region.note_method.p_negative<=0.05"``, docs/cli.md#simrisk-design).
    ``objectives``: ``[("minimize" | "maximize", key), ...]``, the first ranks,
    the next break ties within 2 SE (``minimize``/``maximize``: one objective).
    ``options`` are those of :func:`simrisk.kinds.contract.design.run_design`
    (``draws``, ``seed``, ``candidates``, ``rescore_draws``, ``payer_risk``,
    ``progress``); returns its ``DesignResult``.
    """
    from simrisk._runner import make_backend, refuse_few_draws
    from simrisk.kinds.contract import design as search

    cfg = config_for(config, "design")
    kind = kind_of(cfg)
    spec = getattr(cfg.model, "design", None)
    for flag, key in (("--draws", "draws"), ("--rescore-draws", "rescore_draws")):
        n = options.get(key)
        where = flag if n else f"{cfg.source}: design.{key} ="
        n = n or getattr(spec, key, None)
        if n is not None:
            refuse_few_draws(kind, n, where)
    parsed = [search.parse_target(t) for t in targets]
    objective = list(objectives or [])
    if minimize:
        objective.insert(0, ("minimize", minimize))
    elif maximize:
        objective.insert(0, ("maximize", maximize))
    # party keys checked before any work: an unknown party, basis or statistic is one line
    parsed = [search.resolve_target(cfg.model, t) for t in parsed]
    for sense, key in objective:
        search.resolve_key(cfg.model, key, f"--{sense}")
    if options.get("payer_risk"):
        search.resolve_key(cfg.model, options["payer_risk"], "--payer-risk")
    kind_of(cfg).compile_notice(quiet)
    made, close = make_backend(backend, None)
    try:
        return search.run_design(cfg.model, parsed, objective or None, backend=made, **options)
    finally:
        close()


def report(result: xr.Dataset | PathLike, out: PathLike, **options: Any) -> list[str]:
    """The PDF report of a run, its kind's pages; returns the page names.

    ``options``: ``lang`` (``"en"``/``"da"``), ``figures`` (a folder for each
    page as PNG and SVG), and for a contract ``wellby``, ``design`` and
    ``scenarios`` (other results for their pages). The output's lock keeps a
    second writer out. An ``out`` ending in ``.html`` writes the offline HTML
    page instead (:func:`simrisk.report.html.write_html`; returns its
    sections; needs the extra ``simrisk[html]``).
    """
    from simrisk.core.outputs import guard_outputs
    from simrisk.report import write_report

    # the kind says whether it has a report; the report layer has its pages
    ds = report_input(result)
    target = Path(out)
    inputs = _inputs(result=result if isinstance(result, str | Path) else None)
    figures = ("figures", options["figures"]) if options.get("figures") is not None else None
    notify = options.pop("notify", None)
    with guard_outputs([("--output", target)], inputs, notify, figures=figures):
        if target.suffix.lower() in (".html", ".htm"):
            from simrisk.report.html import write_html

            return write_html(ds, target, **options)
        return write_report(ds, target, **options)


def export(result: xr.Dataset | PathLike, out: PathLike, **options: Any) -> list[str]:
    """The analyst's Excel workbook of a run; returns the sheet names.

    Sheets: summary, inputs and ledger (the expected case as Excel formulas over
    named input cells), payers, charts, draws, cash_flows, assumptions, the
    optional sensitivity and voi, provenance (``docs/cli.md#simrisk-export``);
    every draw also goes to ``<name>.draws.parquet`` beside ``out``.

    ``options``: ``lang``, ``extra`` (``{"sensitivity": ds, "voi": ds}``, as
    sheets), ``draws_limit``.
    """
    from simrisk.core.outputs import guard_outputs
    from simrisk.workbook import DRAWS_LIMIT, write_workbook

    ds, _ = result_for(result, "export")
    if options.get("draws_limit") is None:
        options["draws_limit"] = DRAWS_LIMIT
    target = Path(out)
    inputs = _inputs(result=result if isinstance(result, str | Path) else None)
    with guard_outputs([("--output", target)], inputs, options.pop("notify", None)):
        return write_workbook(ds, target, **options)
