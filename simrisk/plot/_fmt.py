"""Number formats and words for English and Danish reports.

English: 1,234,567 DKK and 11.5%. Danish: 1.234.567 kr. and 11,5 %.
Axis formatters choose their decimals from the ticks, so a step of 2.5%
is labelled 0%, 2.5%, 5%, 7.5% and never 0, 2, 5, 8.
"""

from __future__ import annotations

from matplotlib.ticker import Formatter

from simrisk.core.numfmt import Numbers

__all__ = ["Fmt", "StepFormatter", "fmt_for", "step_digits"]


def step_digits(values, scale: float = 1.0, most: int = 4) -> int:
    """The fewest decimals that show every tick ``value * scale`` exactly."""
    vals = [float(v) * scale for v in values]
    for d in range(most + 1):
        if all(abs(round(v, d) - v) < 1e-9 * max(1.0, abs(v)) for v in vals):
            return d
    return most


class StepFormatter(Formatter):
    """Tick labels ``fn(x, digits)`` with ``digits`` from all the axis's ticks."""

    def __init__(self, fn, scale: float = 1.0):
        self.fn, self.scale, self.digits, self.ticks = fn, scale, 0, []

    def set_locs(self, locs):
        self.ticks = list(locs)
        self.digits = step_digits(self.ticks, self.scale)

    def __call__(self, x, pos=None):
        return self.fn(x, self.digits)


class Fmt(Numbers):
    """Formats numbers for one language (``"en"`` or ``"da"``), with axis formatters."""

    def mio(self, x: float, digits: int | None = None) -> str:
        """Short money for axes: ``2.5 mio`` / ``2,5 mio.``."""
        if abs(x) >= 1e6:
            if digits is None:
                digits = 1 if abs(x) < 1e7 else 0
            v = self.num(x / 1e6, digits)
            return f"{v} mio" + ("." if self.lang == "da" else "")
        return self.num(x)

    def axis_money(self) -> Formatter:
        def fn(x, digits):
            if any(abs(v) >= 1e6 for v in fmt.ticks) or abs(x) >= 1e6:
                d = step_digits(fmt.ticks, 1e-6) if fmt.ticks else 1
                v = self.num(x / 1e6, d)
                return f"{v} mio" + ("." if self.lang == "da" else "")
            return self.num(x, digits)

        fmt = StepFormatter(fn)
        return fmt

    def axis_pct(self, digits: int | None = None) -> Formatter:
        if digits is not None:
            return StepFormatter(lambda x, d: self.pct(x, max(d, digits)), scale=100)
        return StepFormatter(lambda x, d: self.pct(x, d), scale=100)


def fmt_for(lang: str) -> Fmt:
    """The formatter for ``lang``."""
    return Fmt(lang)
