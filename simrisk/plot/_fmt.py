"""Number formats and words for English and Danish reports.

English: 1,234,567 DKK and 11.5%. Danish: 1.234.567 kr. and 11,5 %.
"""

from __future__ import annotations

from matplotlib.ticker import FuncFormatter

from simrisk.core.numfmt import Numbers

__all__ = ["Fmt", "fmt_for"]


class Fmt(Numbers):
    """Formats numbers for one language (``"en"`` or ``"da"``), with axis formatters."""

    def mio(self, x: float) -> str:
        """Short money for axes: ``2.5 mio`` / ``2,5 mio.``."""
        if abs(x) >= 1e6:
            v = self.num(x / 1e6, 1 if abs(x) < 1e7 else 0)
            return f"{v} mio" + ("." if self.lang == "da" else "")
        return self.num(x)

    def axis_money(self) -> FuncFormatter:
        return FuncFormatter(lambda x, _pos: self.mio(x))

    def axis_pct(self, digits: int = 0) -> FuncFormatter:
        return FuncFormatter(lambda x, _pos: self.pct(x, digits))


def fmt_for(lang: str) -> Fmt:
    """The formatter for ``lang``."""
    return Fmt(lang)
