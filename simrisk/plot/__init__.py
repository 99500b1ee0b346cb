"""Plots for people: each takes a result Dataset and ``ax=None`` and returns the Axes.

Matplotlib is imported here only, never by compute modules. Labels come from
the variables' ``long_name`` and ``units``.
"""

from simrisk.plot._util import save_figure
from simrisk.plot._wellby import plot_wellby_fan

__all__ = ["plot_wellby_fan", "save_figure"]
