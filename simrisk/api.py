"""The library's front door: what ``simrisk`` does on the command line, as functions.

Every function takes a config (a path, or what :func:`load` returned) or a
result (a Dataset, or the path of a result file) of any model kind, finds
the kind and calls it; the command line (:mod:`simrisk.cli`) parses
arguments, calls these and prints. In a notebook::

    import simrisk
    ds = simrisk.run("configs/regionh_ai_pool.toml", draws=2000, seed=1)
    simrisk.summary(ds)["options"]

Errors a user can cause raise :class:`simrisk.SimriskError` with one line
naming the file, key or argument, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simrisk.core.errors import SimriskError

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "Config",
    "Ledger",
    "acceptability",
    "compare",
    "design",
    "export",
    "ledger",
    "load",
    "report",
    "run",
    "sensitivity",
    "summary",
    "variance",
    "voi",
]

PathLike = str | Path


@dataclass(frozen=True)
class Config:
    """A validated config of some model kind, with its text and where it was read from."""

    kind: str
    #: the kind's validated model (a pydantic model: ``Scenario``, ``WellbyConfig``, ...)
    model: Any
    #: the config's text as read (kept in results for provenance)
    text: str = field(repr=False)
    path: Path | None = None


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


def load(config: PathLike | Config) -> Config:
    """Read and validate a config file of any kind (``kind = "..."``, default ``contract``)."""
    if isinstance(config, Config):
        return config
    from simrisk import kinds

    name, kind = kinds.for_config(config)
    model, text = kind.load(config)
    return Config(kind=name, model=model, text=text, path=Path(config))


def _kind_of(cfg: Config) -> Any:
    from simrisk import kinds

    return kinds.get(cfg.kind)


def _result(result: xr.Dataset | PathLike) -> xr.Dataset:
    if isinstance(result, str | Path):
        from simrisk.core.dataset import open_result

        return open_result(result)
    return result


def _result_kind(ds: xr.Dataset, source: str = "result") -> tuple[str, Any]:
    from simrisk import kinds

    return kinds.for_result(ds, source)


def ledger(
    config: PathLike | Config,
    *,
    success_rate: float | None = None,
    retention: float | None = None,
    goal_rates: Mapping[str, float] | None = None,
) -> Ledger:
    """The config's deterministic expected case (the rate overrides are a contract's only)."""
    cfg = load(config)
    options: dict[str, Any] = {}
    if cfg.kind == "contract":
        options = {
            "success_rate": success_rate,
            "retention": retention,
            "goal_rates": dict(goal_rates or {}),
        }
    elif success_rate is not None or retention is not None or goal_rates:
        raise SimriskError("--success-rate, --retention and --goal-rate: only for a contract")
    data, text = _kind_of(cfg).ledger(cfg.model, **options)
    return Ledger(data, text)


def run(
    config: PathLike | Config,
    draws: int | None = None,
    seed: int | None = None,
    out: PathLike | None = None,
    *,
    fixed_parameters: bool = False,
    scores: PathLike | None = None,
    chunk_size: int | None = None,
    threads: int | None = None,
    quiet: bool = True,
    backend: Any = None,
) -> xr.Dataset:
    """The Monte Carlo run of a config as a Dataset.

    ``draws`` and ``seed`` default to the config's ``[simulation]``. With
    ``out``, the result is written there (a contract run streams it a chunk
    at a time) and returned lazily opened from the file.
    """
    cfg = load(config)
    kind = _kind_of(cfg)
    options: dict[str, Any] = {"draws": draws, "seed": seed, "config_text": cfg.text}
    if fixed_parameters:
        options["fixed_parameters"] = True
    if cfg.kind == "wellby":
        options["config_path"] = cfg.path
        if scores is not None:
            options["scores"] = scores
    else:
        if scores is not None:
            raise SimriskError("--scores: only for a WELLBY config")
        options["quiet"] = quiet
    options.update({k: v for k, v in (("chunk_size", chunk_size), ("threads", threads)) if v})
    if backend is not None:
        options["backend"] = backend
    from simrisk.core.dataset import open_result, write_netcdf

    if out is None:
        return kind.simulate(cfg.model, **options)
    out = Path(out)
    if hasattr(kind, "simulate_to_file"):
        kind.simulate_to_file(cfg.model, out, **options)
    else:
        write_netcdf(kind.simulate(cfg.model, **options), out)
    return open_result(out, lazy=True)


def summary(result: xr.Dataset | PathLike) -> dict[str, Any]:
    """Every figure of a run with its Monte Carlo error (the JSON of ``simrisk summary``)."""
    ds = _result(result)
    _, kind = _result_kind(ds, str(result) if isinstance(result, str | Path) else "result")
    return kind.summarize(ds)


def _contract_run(result: xr.Dataset | PathLike, command: str) -> xr.Dataset:
    ds = _result(result)
    name, _ = _result_kind(ds, str(result) if isinstance(result, str | Path) else "result")
    if name != "contract":
        raise SimriskError(f"a {name} result; '{command}' takes a contract run")
    return ds


def sensitivity(
    result: xr.Dataset | PathLike,
    *,
    n_boot: int = 100,
    pawn_boot: int = 30,
    seed: int = 0,
    backend: Any = None,
) -> xr.Dataset:
    """Which priors drive a contract run's loss (see :mod:`simrisk.decision.sensitivity`)."""
    from simrisk.decision.sensitivity import sensitivity as run_sensitivity

    ds = _contract_run(result, "sensitivity")
    return run_sensitivity(ds, n_boot=n_boot, pawn_boot=pawn_boot, seed=seed, backend=backend)


def voi(
    result: xr.Dataset | PathLike,
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    parameters: Sequence[str] | None = None,
    seed: int = 0,
) -> xr.Dataset:
    """EVPI and EVPPI by regression: a contract run's lend-or-not, a portfolio's options."""
    ds = _result(result)
    name, _ = _result_kind(ds)
    if name == "portfolio":
        from simrisk.kinds.portfolio.summary import value_of_information

        return value_of_information(
            ds,
            max_draws=ds.sizes["draw"],
            n_post=100,
            parameters=parameters,
            groups=dict(groups or {}),
            seed=seed,
        )
    if name != "contract":
        raise SimriskError(f"a {name} result; 'voi' takes a contract or a portfolio run")
    from simrisk.decision.voi import voi as run_voi

    return run_voi(ds, groups=groups, parameters=parameters, seed=seed)


def acceptability(result: xr.Dataset | PathLike, rates: Sequence[float] | None = None):
    """P(IRR >= r) and P(NPV at r >= 0) over investor rates ``r`` of a contract run."""
    from simrisk.decision.acceptability import acceptability as run_acceptability

    return run_acceptability(_contract_run(result, "acceptability"), rates=rates)


def _contract_config(config: PathLike | Config, command: str) -> Config:
    cfg = load(config)
    if cfg.kind != "contract":
        raise SimriskError(f"{cfg.path}: a {cfg.kind} config; '{command}' takes contracts")
    return cfg


def variance(
    config: PathLike | Config,
    *,
    outer: int = 2000,
    inner: int = 50,
    seed: int | None = None,
    backend: Any = None,
) -> xr.Dataset:
    """NPV's variance split into parameter uncertainty and chance, from a nested run."""
    from simrisk.decision._engine import nested_variance

    cfg = _contract_config(config, "variance")
    seed = cfg.model.simulation.seed if seed is None else seed
    return nested_variance(cfg.model, seed, outer, inner, backend=backend)


def compare(
    configs: Sequence[PathLike],
    *,
    draws: int | None = None,
    seed: int | None = None,
    backend: Any = None,
) -> xr.Dataset:
    """Contract scenarios on common random numbers, each against the first."""
    from simrisk.decision._engine import simulate_scenarios
    from simrisk.decision.compare import compare as run_compare

    if len(configs) < 2:
        raise SimriskError(f"compare: give at least two configs, got {len(configs)}")
    for path in configs:
        _contract_config(path, "compare")
    paths = [str(p) for p in configs]
    return run_compare(simulate_scenarios(paths, draws, seed, backend=backend))


def design(config: PathLike | Config, targets: Sequence[str], **options: Any) -> Any:
    """Search a contract's ``[design]`` terms against ``targets`` (``'KEY<=V'`` strings).

    ``options`` are those of :func:`simrisk.kinds.contract.design.run_design`;
    returns its ``DesignResult``.
    """
    from simrisk.kinds.contract import design as search

    cfg = _contract_config(config, "design")
    parsed = [search.parse_target(t) for t in targets]
    objective = options.pop("objective", None)
    return search.run_design(cfg.model, parsed, objective, **options)


def report(result: xr.Dataset | PathLike, out: PathLike, **options: Any) -> list[str]:
    """The PDF report of a run (the kind's pages); returns the page names."""
    ds = _result(result)
    _, kind = _result_kind(ds)
    return kind.report(ds, Path(out), **options)


def export(result: xr.Dataset | PathLike, out: PathLike, **options: Any) -> list[str]:
    """The analyst's Excel workbook of a run; returns the sheet names."""
    ds = _result(result)
    name, kind = _result_kind(ds)
    write = getattr(kind, "export", None)
    if write is None:
        raise SimriskError(f"a {name} result; 'export' takes a contract run")
    return write(ds, Path(out), **options)
