"""The WELLBY result as readable lines."""

from __future__ import annotations

__all__ = ["format_wellby"]


def _fmt(b: dict, f) -> str:
    return (
        f"{f(b['central']):>14}  {f(b['lower80']):>13} – {f(b['upper80']):<13}"
        f"{f(b['lower90']):>13} – {f(b['upper90']):<13}"
        f"{f(b['lower95']):>13} – {f(b['upper95']):<13}"
    )


def format_wellby(s: dict) -> str:
    """Central values and 80/90/95% bands of a :func:`run_wellby` summary."""
    dkk = lambda v: f"{v:,.0f}"  # noqa: E731
    wb = lambda v: f"{v:,.1f}"  # noqa: E731
    pct = lambda v: f"{100 * v:.1f}%"  # noqa: E731
    p = s["pilot"]
    head = f"{'':<34}{'central':>14}  {'80% band':^29}{'90% band':^29}{'95% band':^29}"
    lines = [
        f"{s['name']}: {s['draws']:,} draws, seed {s['seed']}",
        f"mean change: {s['method']}",
        "",
        f"Pilot: {p['completers']} of {p['recruited']} completed; investment "
        f"{dkk(p['investment_dkk'])} DKK",
        head,
        f"{'  mean change per completer':<34}" + _fmt(p["mean_change"], lambda v: f"{v:.2f}"),
        f"{'  WELLBY per completer':<34}" + _fmt(p["per_completer_wellby"], lambda v: f"{v:.2f}"),
        f"{'  total WELLBY':<34}" + _fmt(p["total_wellby"], wb),
        f"{'  value (DKK)':<34}" + _fmt(p["value_dkk"], dkk),
        f"{'  value net of regression (DKK)':<34}" + _fmt(p["value_dkk_net"], dkk),
        f"{'  completion rate':<34}" + _fmt(p["completion_rate"], pct),
        f"  P(value net of regression to the mean > 0) = {pct(p['p_value_net_positive'])}",
        "",
        "Projections (DKK)",
        f"{'':<34}{'central':>14}  {'80% band':^29}{'90% band':^29}{'95% band':^29}",
    ]
    for pr in s["projections"]:
        name = f"  {pr['scenario'][:20]}, {pr['recruited']:,}"
        lines.append(f"{name:<34}" + _fmt(pr["value_dkk"], dkk))
    if "goal3_success_probability" in s:
        g = s["goal3_success_probability"]
        lines += [
            "",
            "Goal 3 (DSI): P(a citizen's 0-10 score strictly rises), from the pilot's change",
            f"{'  P(strict rise)':<34}" + _fmt(g, pct),
            f"  DSI assumes {pct(g['dsi_assumed'])}; P(pilot supports >= that) = "
            f"{pct(g['p_at_least_dsi_assumed'])}; it needs a mean change of about "
            f"{g['mean_change_needed_for_dsi_assumed']:.2f} points (the pilot: "
            f"{p['mean_change']['central']:.2f})",
        ]
    return "\n".join(lines)
