"""Numbers of the pool's pages: millions as the portfolio's tables write them."""

from __future__ import annotations

from simrisk.core.numfmt import Numbers

__all__ = ["Num"]


class Num(Numbers):
    """Numbers for one language (``"en"`` or ``"da"``), with millions as the tables write them."""

    def mio(self, x: float, digits: int = 1) -> str:
        """Millions: ``2.5 mio DKK`` / ``2,5 mio. kr.``."""
        v = self.num(x / 1e6, digits)
        return f"{v} mio. kr." if self.lang == "da" else f"{v} mio DKK"
