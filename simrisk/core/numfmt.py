"""Numbers for people, in English and Danish, shared by every kind and the plots.

English: 1,234,567 DKK and 11.5%. Danish: 1.234.567 kr. and 11,5 %. Minus
signs are typographic (U+2212). No matplotlib here, so ledgers and summaries
format numbers without loading it.
"""

from __future__ import annotations

__all__ = ["Numbers"]


class Numbers:
    """Formats numbers for one language (``"en"`` or ``"da"``)."""

    def __init__(self, lang: str = "en"):
        if lang not in ("en", "da"):
            raise ValueError(f"lang must be 'en' or 'da', got {lang!r}")
        self.lang = lang

    def num(self, x: float, digits: int = 0) -> str:
        """A number with thousands separators (``–`` where there is none: NaN, None)."""
        if x is None or x != x or x in (float("inf"), float("-inf")):
            return "–"
        s = f"{x:,.{digits}f}"
        if self.lang == "da":
            s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return s.replace("-", "−")

    def dkk(self, x: float, digits: int = 0) -> str:
        """An amount of money: ``1,234,567 DKK`` / ``1.234.567 kr.``."""
        return f"{self.num(x, digits)} {'kr.' if self.lang == 'da' else 'DKK'}"

    def pct(self, x: float, digits: int = 1) -> str:
        """A share as a percentage: ``11.5%`` / ``11,5 %`` (``–`` where there is none)."""
        if x is None:
            return "–"
        v = self.num(100 * x, digits)
        return f"{v} %" if self.lang == "da" else f"{v}%"

    def pp(self, x: float, digits: int = 1, sign: bool = True) -> str:
        """A difference of probabilities in points: ``+4.2 pp`` / ``+4,2 pct.-point``."""
        if x is None:
            return "–"
        v = self.num(100 * x, digits)
        if sign and x > 0 and v.strip("0,.") != "":
            v = "+" + v
        return f"{v} {'pct.-point' if self.lang == 'da' else 'pp'}"

    def date(self, d) -> str:
        """A date for prose: ``1 June 2029`` / ``1. juni 2029`` (never ISO)."""
        import datetime as dt

        if not isinstance(d, dt.date):
            d = dt.date.fromisoformat(str(d)[:10])
        month = (_MONTHS_DA if self.lang == "da" else _MONTHS_EN)[d.month - 1]
        return f"{d.day}. {month} {d.year}" if self.lang == "da" else f"{d.day} {month} {d.year}"


_MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()
_MONTHS_DA = (
    "januar februar marts april maj juni juli august september oktober november december".split()
)
