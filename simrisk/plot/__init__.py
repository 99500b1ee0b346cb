"""Plots for people: each takes a result Dataset and ``ax=None`` and returns the Axes.

Matplotlib is imported here only, never by compute modules. Labels come from
the variables' ``long_name`` and ``units``.
"""

from simrisk.plot._design import plot_design, plot_design_frontier
from simrisk.plot._fmt import Fmt, StepFormatter, fmt_for, step_digits
from simrisk.plot._learn import plot_evsi_curve, plot_what_the_data_changed
from simrisk.plot._run import (
    clip_note,
    plot_cash_flow_fan,
    plot_deadweight,
    plot_irr,
    plot_net_saving,
    plot_npv,
    plot_npv_cdf,
    plot_repayment_curve,
    rate_words,
)
from simrisk.plot._sensitivity import plot_regional, plot_tornado, save_sensitivity_figure
from simrisk.plot._util import save_figure
from simrisk.plot._wellby import plot_wellby_fan, scenario_labels

__all__ = [
    "Fmt",
    "StepFormatter",
    "clip_note",
    "fmt_for",
    "plot_cash_flow_fan",
    "plot_deadweight",
    "plot_design",
    "plot_design_frontier",
    "plot_evsi_curve",
    "plot_irr",
    "plot_net_saving",
    "plot_npv",
    "plot_npv_cdf",
    "plot_regional",
    "plot_repayment_curve",
    "plot_tornado",
    "plot_wellby_fan",
    "plot_what_the_data_changed",
    "rate_words",
    "save_figure",
    "save_sensitivity_figure",
    "scenario_labels",
    "step_digits",
]
