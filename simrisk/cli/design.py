"""simrisk design: search contract terms against targets."""

from __future__ import annotations

import argparse
import sys

from simrisk.cli._common import (
    add_dask_flags,
    check_figure,
    check_out,
    dask_spec,
    keep_prefix,
    non_negative_int,
    notify,
    positive_int,
    print_json,
)
from simrisk.core.errors import SimriskError


def add_parser(sub) -> None:
    des = sub.add_parser(
        "design",
        help="search contract terms that hold DSI's and the payers' risks to targets",
        description="Search the free terms named in the config's [design] table (payments "
        "per success, caps, threshold, capital floor, retention clause) for the contract "
        "that meets every --target by at least 2 Monte Carlo SE with the best objective. "
        "Every candidate is scored on the same seed (common random numbers). Writes the "
        "chosen terms as a config that extends the input, and the Pareto frontier of DSI's "
        "P(NPV < 0) against the payers' risk.",
    )
    des.add_argument("config", help="contract TOML with a [design] table")
    des.add_argument(
        "--target",
        action="append",
        default=[],
        required=True,
        metavar="EXPR",
        help="KEY<=V or KEY>=V on a summary key or a party's figure, e.g. "
        "'p_npv_negative<=0.25', 'region.note_method.p_negative<=0.05' (repeatable)",
    )
    des.add_argument(
        "--minimize",
        action="append",
        dest="objectives",
        type=lambda key: ("minimize", key),
        metavar="KEY",
        help="objective (default payments.total.mean); a party's key such as "
        "region.note_method.mean works too; repeatable: later ones break ties",
    )
    des.add_argument(
        "--maximize",
        action="append",
        dest="objectives",
        type=lambda key: ("maximize", key),
        metavar="KEY",
        help="an objective to maximise; repeatable like --minimize",
    )
    des.add_argument(
        "-o", "--output", required=True, metavar="BEST.toml", help="the chosen terms' config"
    )
    des.add_argument("--draws", type=positive_int, metavar="N", help="draws per candidate")
    des.add_argument("--seed", type=non_negative_int, metavar="S", help="the common seed")
    des.add_argument(
        "--candidates", type=positive_int, metavar="N", help="Sobol candidates (default: config)"
    )
    des.add_argument(
        "--rescore-draws", type=positive_int, metavar="N", help="draws to re-score the choice"
    )
    des.add_argument(
        "--payer-risk",
        metavar="KEY",
        default=None,
        help="the frontier's payer axis (default net_saving.modelled.region.p_negative)",
    )
    des.add_argument("--out", metavar="NC", help="write every candidate and the frontier (NetCDF)")
    des.add_argument("--plot", metavar="PNG", help="write the frontier and the trade-off (PNG)")
    des.add_argument("--lang", choices=("en", "da"), default="en", help="the plot's language")
    des.add_argument("--json", action="store_true", help="print one JSON object")
    des.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    add_dask_flags(des, "score the candidates (one task each)")
    des.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simrisk import api
    from simrisk.core.outputs import config_inputs, guard_outputs
    from simrisk.kinds.contract import design

    cfg = api.config_for(args.config, "design")
    best = check_out(args.output, "--output")
    if best.suffix.lower() != ".toml":
        raise SimriskError(f"--output {best}: must end in .toml")
    out = check_out(args.out, "--out") if args.out else None
    plot = check_out(args.plot, "--plot") if args.plot else None
    outputs = [("--output", best), ("--out", out), ("--plot", plot)]
    keep = keep_prefix(best, args.config, "design")  # scored candidates, for a rerun after a kill
    # a design killed while writing left its temporary files: taking the locks removes them
    writes = {"--output": "config", "--out": "simrisk.design"}
    with guard_outputs(outputs, config_inputs(args.config), notify("design"), writes):
        if plot is not None:  # its format, before the search (an output clash comes first)
            check_figure(args.plot, "--plot")
        res = api.design(
            cfg,
            args.target,
            objectives=args.objectives,
            draws=args.draws,
            seed=args.seed,
            candidates=args.candidates,
            rescore_draws=args.rescore_draws,
            payer_risk=args.payer_risk or design.DEFAULT_PAYER_RISK,
            # progress lines on a terminal only (not in a pipe, a log or a test)
            progress=None
            if args.quiet or not sys.stderr.isatty()
            else lambda line: print(line, file=sys.stderr),
            backend=dask_spec(args),
            quiet=args.quiet,
            keep=keep,
        )
        _said_kept(res.stores)
        _write(res, cfg.text, out, plot, args.lang)
        missed = _missed_on_rescore(res)
        if res.chosen is not None and not missed:
            design.write_best_toml(res, args.config, best)
        for store in res.stores:  # the outputs are written: the search is done
            store.remove()
    summary = res.to_dict()
    print_json(summary) if args.json else print(design.format_design(summary))
    for line in (res.parties or {}).get("warnings", []):
        print(f"simrisk design: warning: {line}", file=sys.stderr)
    if res.chosen is None:
        closest = summary.get("closest", {})
        short = "; ".join(
            f"{s['target']} short by {s['shortfall']:.4g}"
            for s in closest.get("shortfalls", [])
            if not s["met_by_2se"]
        )
        print(
            f"simrisk design: no candidate meets every target by {design.SE_MARGIN:g} SE; "
            f"{best} was not written (widen the [design] ranges or relax a target); closest: "
            f"candidate #{closest.get('candidate')} ({short})",
            file=sys.stderr,
        )
        return 1
    if missed:
        print(
            f"simrisk design: the chosen terms do not meet {'; '.join(missed)} by "
            f"{design.SE_MARGIN:g} SE on the re-score ({res.rescore_draws:,} fresh draws); "
            f"{best} was not written (give more --draws or --rescore-draws, or relax a target)",
            file=sys.stderr,
        )
        return 1
    if not args.json:
        print(f"\nwrote {best}" + "".join(f", {p}" for p in (out, plot) if p is not None))
    return 0


def _said_kept(stores) -> None:
    """What an interrupted search's kept candidates gave back (one line, or none)."""
    for store in stores:
        for note in store.notes:
            print(f"simrisk design: {note}", file=sys.stderr)
    reused = sum(store.kept for store in stores)
    if reused:
        print(
            f"simrisk design: reused {reused:,} candidates scored by an interrupted run",
            file=sys.stderr,
        )


def _missed_on_rescore(res) -> list[str]:
    """The targets the chosen terms miss by 2 SE on the re-score's fresh draws."""
    return [
        f"{t['target']} (value {t['value']:.4g}, SE {t['se']:.2g})"
        for t in res.rescored_targets or []
        if not t["met_by_2se"]
    ]


def _write(res, text: str, out, plot, lang: str) -> None:
    """The candidates and frontier as NetCDF (``--out``) and as a figure (``--plot``)."""
    from simrisk.kinds.contract import design

    if out is not None:
        from simrisk.core.dataset import write_netcdf

        write_netcdf(design.to_dataset(res, text), out)
    if plot is not None:
        from simrisk.plot import plot_design, save_figure

        save_figure(plot_design(design.to_dataset(res, text), lang=lang), plot)
