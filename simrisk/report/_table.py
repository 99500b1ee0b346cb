"""The reports' table drawn on an axes: grey rules, a bold tinted header row, numbers right."""

from __future__ import annotations

__all__ = ["axes_table"]


def axes_table(ax, rows, widths, *, size=9.0, row_scale=1.4, right_from=1, header=True):
    """Draw ``rows`` (the first is the header when ``header``) as a table filling ``ax``.

    Columns ``right_from`` onwards (None: none) are right-aligned in monospace, so
    figures line up; ``row_scale`` stretches the rows. Returns the matplotlib table.
    """
    ax.axis("off")
    tab = ax.table(cellText=rows, colWidths=widths, loc="upper left", cellLoc="left")
    tab.auto_set_font_size(False)
    tab.set_fontsize(size)
    tab.scale(1, row_scale)
    for (r, c), cell in tab.get_celld().items():
        cell.set_edgecolor("#cccccc")
        if header and r == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("#eef2f7")
        elif right_from is not None and c >= right_from:
            cell.set_text_props(ha="right", family="monospace")
            cell._loc = "right"
    return tab
