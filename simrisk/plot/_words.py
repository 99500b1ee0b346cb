"""The words of plots and reports in English and Danish."""

from __future__ import annotations

from simrisk.core.words import CATALOGUE

__all__ = ["WORDS", "word"]

WORDS = CATALOGUE["plot"]


def word(key: str, lang: str, **values) -> str:
    """``WORDS[key]`` in ``lang`` (``"en"`` or ``"da"``), ``{name}`` filled from ``values``."""
    en, da = WORDS[key]
    text = da if lang == "da" else en
    return text.format(**values) if values else text
