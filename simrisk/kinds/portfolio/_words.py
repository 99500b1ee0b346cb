"""Words and number formats of the portfolio's tables and report pages (en, da).

English: 1,234,567 DKK and 11.5%. Danish: 1.234.567 kr. and 11,5 %.
No matplotlib here: the ledger and the summary use it too.
"""

from __future__ import annotations

from simrisk.core.numfmt import Numbers
from simrisk.core.words import CATALOGUE

__all__ = ["WORDS", "Num", "word"]


class Num(Numbers):
    """Numbers for one language (``"en"`` or ``"da"``), with millions as the tables write them."""

    def mio(self, x: float, digits: int = 1) -> str:
        """Millions: ``2.5 mio DKK`` / ``2,5 mio. kr.``."""
        v = self.num(x / 1e6, digits)
        return f"{v} mio. kr." if self.lang == "da" else f"{v} mio DKK"


WORDS = CATALOGUE["pool_text"]


def word(key: str, lang: str = "en") -> str:
    """The word for ``key`` in ``lang``."""
    en, da = WORDS[key]
    return da if lang == "da" else en
