"""Plots for people: each takes a result Dataset and ``ax=None`` and returns the Axes.

Matplotlib is imported here only, never by compute modules. Labels come from
the variables' ``long_name`` and ``units``.
"""

from simrisk.plot._design import plot_design, plot_design_frontier
from simrisk.plot._fmt import Fmt
from simrisk.plot._learn import plot_evsi_curve, plot_what_the_data_changed
from simrisk.plot._run import (
    plot_cash_flow_fan,
    plot_deadweight,
    plot_irr,
    plot_net_saving,
    plot_npv,
    plot_npv_cdf,
    plot_repayment_curve,
)
from simrisk.plot._util import save_figure
from simrisk.plot._wellby import plot_wellby_fan

__all__ = [
    "Fmt",
    "plot_cash_flow_fan",
    "plot_deadweight",
    "plot_design",
    "plot_design_frontier",
    "plot_evsi_curve",
    "plot_irr",
    "plot_net_saving",
    "plot_npv",
    "plot_npv_cdf",
    "plot_repayment_curve",
    "plot_wellby_fan",
    "plot_what_the_data_changed",
    "save_figure",
]
