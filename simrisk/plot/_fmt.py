"""Number formats and words for English and Danish reports.

English: 1,234,567 DKK and 11.5%. Danish: 1.234.567 kr. and 11,5 %.
"""

from __future__ import annotations

from matplotlib.ticker import FuncFormatter

__all__ = ["Fmt", "fmt_for"]


class Fmt:
    """Formats numbers for one language (``"en"`` or ``"da"``)."""

    def __init__(self, lang: str = "en"):
        if lang not in ("en", "da"):
            raise ValueError(f"lang must be 'en' or 'da', got {lang!r}")
        self.lang = lang

    def num(self, x: float, digits: int = 0) -> str:
        """A number with thousands separators."""
        s = f"{x:,.{digits}f}"
        if self.lang == "da":
            s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return s.replace("-", "−")

    def dkk(self, x: float, digits: int = 0) -> str:
        """An amount of money: ``1,234,567 DKK`` / ``1.234.567 kr.``."""
        return f"{self.num(x, digits)} {'kr.' if self.lang == 'da' else 'DKK'}"

    def mio(self, x: float) -> str:
        """Short money for axes: ``2.5 mio`` / ``2,5 mio.``."""
        if abs(x) >= 1e6:
            v = self.num(x / 1e6, 1 if abs(x) < 1e7 else 0)
            return f"{v} mio" + ("." if self.lang == "da" else "")
        return self.num(x)

    def pct(self, x: float, digits: int = 1) -> str:
        """A share as a percentage: ``11.5%`` / ``11,5 %``."""
        v = self.num(100 * x, digits)
        return f"{v} %" if self.lang == "da" else f"{v}%"

    def axis_money(self) -> FuncFormatter:
        return FuncFormatter(lambda x, _pos: self.mio(x))

    def axis_pct(self, digits: int = 0) -> FuncFormatter:
        return FuncFormatter(lambda x, _pos: self.pct(x, digits))


def fmt_for(lang: str) -> Fmt:
    """The formatter for ``lang``."""
    return Fmt(lang)
