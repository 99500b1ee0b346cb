"""The contract kind's interface (:class:`simrisk.kinds.ModelKind`), which the library calls.

Each function imports what it needs when called, so ``simrisk ledger`` does
not load the engine.
"""

from __future__ import annotations

from simrisk.core.results import Estimate
from simrisk.core.results import Summary as _Summary
from simrisk.kinds._interface import Capabilities, RunOptions

__all__ = [
    "CAPABILITIES",
    "EXAMPLE",
    "MIN_DRAWS",
    "MIN_DRAWS_WHY",
    "NAME",
    "RESULT_KIND",
    "Summary",
    "bytes_per_draw",
    "check",
    "compile_notice",
    "file_bytes_per_draw",
    "format_summary",
    "ledger",
    "load",
    "simulate",
    "simulate_to_file",
    "summarize",
]

NAME = "contract"
RESULT_KIND = "simrisk.run"
EXAMPLE = "dsi_norddjurs.toml"
CAPABILITIES = Capabilities(
    commands=frozenset(
        {
            "ledger",
            "run",
            "summary",
            "report",
            "export",
            "design",
            "sensitivity",
            "voi",
            "acceptability",
            "variance",
            "compare",
            "monitor",
            "evsi",
        }
    ),
    options=frozenset(
        {"chunk_size", "threads", "fixed_parameters", "checkpoint", "stream", "until", "backend"}
    ),
    methods=frozenset({"voi.nested"}),
    title="contract",
)

#: The fewest draws a summary can use: the expected shortfall's standard
#: error takes batch means over 20 batches, and each batch needs at least
#: one draw in its 5% tail, so 20 x 20.
MIN_DRAWS = 400
MIN_DRAWS_WHY = "the expected shortfall's error needs 20 batches with a 5% tail each"
#: Peak memory per draw over the per-draw arrays' size: the Dataset, the
#: summary's sorted copies and the NetCDF write (measured: about 1.5 at
#: 100k-400k draws; 3 leaves room).
MEMORY_FACTOR = 3.0
#: Compiling the kernel when Numba's cache is cold (the first run after an
#: install or an upgrade): the first run of DSI's config (only its own citizen
#: loop compiles) took 22 s of CPU time on this project's 2-core machine at
#: load average 16, against 26 s for the previous kernel (both loops, parallel=True)
#: in the same session (benchmarks/compile_time.py; docs/scale.md). Measured
#: again after the kernel's split (2026-12-07, load 6-8): `simrisk run
#: configs/dsi_norddjurs.toml --draws 1000` with an empty NUMBA_CACHE_DIR took
#: 24.3 s and 23.8 s of CPU (user + sys), the same run warm 2.9 s and 2.5 s, so
#: compiling costs 21.4 s; at load 2 the same: 24.0 s and 21.0 s cold, 2.3 s
#: and 3.0 s warm (compiling 18-22 s), the cold runs 24.5 s and 21.2 s of wall
#: time; said as "about 20 s". Compiling is single-threaded, so on an idle
#: machine the wait is about the CPU time (at load 6-8 the cold runs took
#: 39-45 s of wall time).
COMPILE_SECONDS = 20


def bytes_per_draw(cfg) -> float:
    """About how many bytes of memory one draw of a run of ``cfg`` takes at peak."""
    from simrisk.kinds.contract.inputs import build_inputs
    from simrisk.kinds.contract.simulate import _empty_outputs

    one = _empty_outputs(build_inputs(cfg), 1)
    return MEMORY_FACTOR * sum(v.nbytes for v in one.values())


def file_bytes_per_draw(cfg) -> float:
    """Bytes per draw of a result file of ``cfg`` before compression (a bound on disk use)."""
    import numpy as np

    from simrisk.core.finance import IRR_REASONS
    from simrisk.kinds.contract.dataset import per_draw_variables
    from simrisk.kinds.contract.inputs import build_inputs
    from simrisk.kinds.contract.simulate import _empty_outputs

    inp = build_inputs(cfg)
    zeros = {k: np.zeros_like(v) for k, v in _empty_outputs(inp, 1).items()}
    one = per_draw_variables(inp, zeros, IRR_REASONS)
    return float(sum(v.values.nbytes for v in one.values()) + 8)  # and the draw coordinate


def load(path):
    """The validated scenario and the config's text."""
    from simrisk.kinds.contract.loader import load_scenario

    return load_scenario(path)


def ledger(cfg, *, success_rate=None, retention=None, goal_rates=None) -> tuple[dict, str]:
    """The expected case as a JSON-ready dict and as text."""
    from simrisk.kinds.contract._text import format_ledger
    from simrisk.kinds.contract.ledger import run_ledger

    res = run_ledger(cfg, success_rate=success_rate, retention=retention, goal_rates=goal_rates)
    return res.to_dict(), format_ledger(res)


def check(cfg, options: RunOptions) -> None:
    """Nothing to read before a contract run (its config is the whole input)."""


def simulate(cfg, options: RunOptions):
    """The Monte Carlo run as a Dataset (see :func:`simrisk.kinds.contract.simulate.simulate`).

    Unless ``options.quiet``, says on stderr when the kernel must first be compiled.
    """
    from simrisk.kinds.contract.simulate import simulate as run

    compile_notice(options.quiet, cfg)
    return run(
        cfg,
        draws=options.draws,
        seed=options.seed,
        chunk_size=options.chunk_size,
        threads=options.threads,
        fixed_parameters=options.fixed_parameters,
        aggregate=options.aggregate,
        config_text=options.config_text,
        quiet=options.quiet,
        checkpoint_path=options.checkpoint_path,
        backend=options.backend,
    )


def compile_notice(quiet: bool = False, cfg=None) -> None:
    """Unless ``quiet``, say on stderr when the kernel must first be compiled.

    Every command that simulates a contract calls it before its first draw.
    The kernel checked is the one of ``cfg``'s goal shape (without a config:
    DSI's shape, two resource goals and one score goal).
    """
    if not quiet:
        from simrisk.core import compile_notice as notice
        from simrisk.kinds.contract._kernel import chunk_kernel

        shape = (2, 1, 0) if cfg is None else goal_shape(cfg)
        notice(chunk_kernel(*shape), COMPILE_SECONDS)


def goal_shape(cfg) -> tuple[int, int, int, int]:
    """The numbers of resource, score and binary goals, and of staged goals' stages."""
    return (
        *(
            sum(g.outcome == kind for g in cfg.goals)
            for kind in ("resource_use_fall", "score_increase", "binary")
        ),
        sum(len(g.stages) for g in cfg.goals if g.outcome == "staged"),
    )


def simulate_to_file(cfg, out, options: RunOptions):
    """The Monte Carlo run streamed to ``out`` a chunk at a time (bounded memory).

    See :func:`simrisk.kinds.contract.simulate.simulate_to_file`. Unless
    ``options.quiet``, says on stderr when the kernel must first be compiled.
    """
    from simrisk.kinds.contract.simulate import simulate_to_file as run

    compile_notice(options.quiet, cfg)
    writer = run(
        cfg,
        out,
        draws=options.draws,
        seed=options.seed,
        chunk_size=options.chunk_size,
        threads=options.threads,
        fixed_parameters=options.fixed_parameters,
        aggregate=options.aggregate,
        config_text=options.config_text,
        quiet=options.quiet,
        backend=options.backend,
        created_at=options.created_at,
        summary=True,
    )
    if writer.summary is not None:
        _FED[_key(out)] = writer.summary
    return writer


#: summaries whose first pass was fed while their file was written, by file
#: (:func:`summarize` takes each once)
_FED: dict = {}


def _key(path) -> str:
    import os

    return os.path.realpath(str(path))


def summarize(ds) -> dict:
    """Every figure of a run with its Monte Carlo error.

    For the file a streamed run of this process just wrote, the summary
    whose first pass was fed as the chunks were written (the same figures,
    bit for bit, reading back only the quantile windows).
    """
    from simrisk.kinds.contract.summary import summarize as summ

    source = ds.encoding.get("source")
    fed = _FED.pop(_key(source), None) if source else None
    if fed is not None and fed.n == ds.sizes.get("draw"):
        return fed.finish(ds)
    return summ(ds)


class ContractSummary(_Summary):
    """A contract run's summary: IRR, NPV, repayments, the payers' savings, tails."""

    kind = NAME

    @property
    def p_npv_negative(self) -> Estimate:
        """P(NPV < 0) for the lender, with its SE."""
        return self.estimate("p_npv_negative")

    @property
    def npv_mean(self) -> Estimate:
        """Mean NPV (DKK), with its SE."""
        return self.estimate("npv.mean")

    @property
    def irr_p50(self) -> Estimate:
        """Median IRR, with its SE."""
        return self.estimate("irr.p50")


#: the kind's typed summary (:class:`simrisk.kinds.ModelKind`)
Summary = ContractSummary


def format_summary(summary: dict) -> str:
    """The summary as the terminal table."""
    from simrisk.kinds.contract.summary import format_summary as fmt

    return fmt(summary)
