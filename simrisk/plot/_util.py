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
    import os
    import uuid
    from pathlib import Path

    import matplotlib.pyplot as plt

    target = Path(path)
    # .NAME.PID.XXXXXXXX.part: the next writer of NAME finds it if we are killed
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")
    from simrisk.core.errors import writing

    try:
        with writing(target):
            fig.savefig(tmp, dpi=150, format=target.suffix.lstrip(".").lower() or None)
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        plt.close(fig)
