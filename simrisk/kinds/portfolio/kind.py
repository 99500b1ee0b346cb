"""The portfolio kind's uniform interface, which the CLI dispatches to.

Same functions as every kind (:mod:`simrisk.kinds`); options that belong to
the outcome-contract model (``--fixed-parameters``, ``--wellby``, the
ledger's rate overrides) are refused with one line.
"""

from __future__ import annotations

from simrisk.core.errors import SimriskError

__all__ = [
    "bytes_per_draw",
    "file_bytes_per_draw",
    "format_summary",
    "ledger",
    "load",
    "report",
    "simulate",
    "simulate_to_file",
    "summarize",
    "summary_bytes_per_draw",
]

#: Compiling the kernel when Numba's cache is cold (first run after an install
#: or upgrade): measured 6 s of CPU time on this project's 2-core machine (the
#: cold run took 9.5 s of CPU, a warm one 3.1 s; 21 s of wall time at load 5).
COMPILE_SECONDS = 10


#: Peak memory per draw over the stored per-draw arrays' size, for a run held
#: in memory: the Dataset's derived variables, the summary's copies and the
#: NetCDF write (measured: about 1.6 at 20,000-100,000 draws; 3 leaves room).
MEMORY_FACTOR = 3.0


def _outputs_bytes(cfg) -> float:
    from simrisk.kinds.portfolio.inputs import build_inputs
    from simrisk.kinds.portfolio.simulate import outputs

    return float(sum(v.nbytes for v in outputs(build_inputs(cfg), 1).values()))


def bytes_per_draw(cfg) -> float:
    """About how many bytes of memory one draw of a run held in memory takes at peak."""
    return MEMORY_FACTOR * _outputs_bytes(cfg)


def summary_bytes_per_draw(cfg) -> float:
    """Bytes per draw the summary of a streamed result holds at peak.

    The summary reads a few per-draw series whole: the options' net
    benefits (with and without screening, float64), one option's
    cumulative net benefit by year and the net benefit at each staff-hour
    value; twice that for copies and sorting.
    """
    n_opt, years = len(cfg.options), cfg.horizon.last_year - cfg.horizon.first_year + 1
    return 2.0 * 8.0 * (4 * n_opt + years + 8)


def file_bytes_per_draw(cfg) -> float:
    """Bytes per draw of a result file of ``cfg`` before compression (a bound on disk use)."""
    import numpy as np

    from simrisk.kinds.portfolio.dataset import per_draw_variables
    from simrisk.kinds.portfolio.inputs import build_inputs
    from simrisk.kinds.portfolio.simulate import outputs

    inp = build_inputs(cfg)
    zeros = {k: np.zeros_like(v) for k, v in outputs(inp, 1).items()}
    one = per_draw_variables(inp, zeros)
    return float(sum(v.values.nbytes for v in one.values()) + 8)  # and the draw coordinate


def _refuse(options: dict, what: str) -> None:
    given = sorted(k for k, v in options.items() if v not in (None, False, [], {}))
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise SimriskError(f"{flags}: does not apply to a portfolio {what}")


def load(path):
    """The validated portfolio config and its text."""
    from simrisk.kinds.portfolio.config import load_portfolio

    return load_portfolio(path)


def ledger(cfg, **options) -> tuple[dict, str]:
    """Budgets by year and option, and the algorithms funded at central costs."""
    from simrisk.kinds.portfolio.ledger import format_ledger, run_ledger

    _refuse(options, "config")
    res = run_ledger(cfg)
    return res.to_json(), format_ledger(res)


def simulate(
    cfg,
    *,
    draws=None,
    seed=None,
    chunk_size=None,
    threads=None,
    config_text="",
    quiet=True,
    checkpoint_path=None,
    created_at=None,
    **unsupported,
):
    """Every budget option on common random numbers, as a Dataset held in memory.

    Unless ``quiet``, says on stderr when the kernel must first be compiled.
    With ``checkpoint_path``, completed chunks are saved and a matching
    checkpoint resumed (:func:`simrisk.kinds.portfolio.simulate.simulate`).
    """
    from simrisk.kinds.portfolio.simulate import simulate as run

    _refuse(unsupported, "config")
    _compile_notice(quiet)
    return run(
        cfg,
        draws=draws,
        seed=seed,
        chunk_size=chunk_size,
        threads=threads,
        config_text=config_text,
        quiet=quiet,
        checkpoint_path=checkpoint_path,
        created_at=created_at,
    )


def simulate_to_file(
    cfg,
    out,
    *,
    draws=None,
    seed=None,
    chunk_size=None,
    threads=None,
    config_text="",
    quiet=True,
    created_at=None,
    **unsupported,
):
    """The run streamed to ``out`` a chunk at a time; the partial file is the checkpoint.

    See :func:`simrisk.kinds.portfolio.simulate.simulate_to_file`.
    """
    from simrisk.kinds.portfolio.simulate import simulate_to_file as run

    _refuse(unsupported, "config")
    _compile_notice(quiet)
    return run(
        cfg,
        out,
        draws=draws,
        seed=seed,
        chunk_size=chunk_size,
        threads=threads,
        config_text=config_text,
        quiet=quiet,
        created_at=created_at,
    )


def _compile_notice(quiet: bool) -> None:
    if not quiet:
        from simrisk.core._numba import compile_notice
        from simrisk.kinds.portfolio._kernel import simulate_chunk

        compile_notice(simulate_chunk, COMPILE_SECONDS)


def summarize(ds) -> dict:
    """Per-option answers with Monte Carlo standard errors."""
    from simrisk.kinds.portfolio.summary import summarize as summ

    return summ(ds)


def format_summary(summary: dict) -> str:
    """The summary as the terminal table."""
    from simrisk.kinds.portfolio.summary import format_summary as fmt

    return fmt(summary)


def report(ds, out, *, lang="en", figures=None, **unsupported) -> list[str]:
    """The portfolio report (PDF, en/da); returns the page names."""
    from simrisk.kinds.portfolio.report import write_report

    _refuse(unsupported, "result")
    return write_report(ds, out, lang=lang, figures=figures)
