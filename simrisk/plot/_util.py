"""Shared helpers: number formats and labels from variable attributes."""

from __future__ import annotations

__all__ = ["label", "save_figure"]


def label(var) -> str:
    """``long_name (units)`` from a DataArray's attributes."""
    name = var.attrs.get("long_name", var.name)
    units = var.attrs.get("units")
    return f"{name} ({units})" if units and units != "1" else str(name)


def save_figure(fig, path) -> None:
    """Save atomically (temporary file in the same folder, then rename) and close."""
    from pathlib import Path

    import matplotlib.pyplot as plt

    from simrisk.core.outputs import replacing

    target = Path(path)
    try:
        with replacing(target) as tmp:
            fig.savefig(tmp, dpi=150, format=target.suffix.lstrip(".").lower() or None)
    finally:
        plt.close(fig)
