"""The report's words in English and Danish, and page 1's verdict.

The verdict is generated from the numbers, never written by hand: the same
run always gives the same sentences.
"""

from __future__ import annotations

from simrisk.core.numfmt import Numbers as Fmt
from simrisk.core.words import CATALOGUE

__all__ = ["WORDS", "T", "verdict"]

WORDS = CATALOGUE["report"]


def T(key: str, lang: str, **values) -> str:
    """``WORDS[key]`` in ``lang``, ``{name}`` filled from ``values``."""
    en, da = WORDS[key]
    text = da if lang == "da" else en
    return text.format(**values) if values else text


def _odds(p_earn: float, lang: str) -> str:
    """How likely DSI is to earn at least its rate, in words."""
    cuts = (0.2, 0.45, 0.55, 0.8, 1.01)
    en = (
        "unlikely",
        "less likely than not",
        "about as likely as not",
        "more likely than not",
        "very likely",
    )
    da = (
        "usandsynligt",
        "mindre sandsynligt end ikke",
        "omtrent lige så sandsynligt som ikke",
        "mere sandsynligt end ikke",
        "meget sandsynligt",
    )
    k = next(i for i, c in enumerate(cuts) if p_earn < c)
    return da[k] if lang == "da" else en[k]


def verdict(d, drivers: list[str], lang: str = "en") -> str:
    """The key-figures page's paragraph from a :class:`~._numbers.Decision`."""
    f = Fmt(lang)
    rate = f.pct(d.rate, 0)
    drv = drivers[:3]
    if lang == "da":
        text = (
            f"På disse antagelser er det {_odds(1 - d.p_npv_negative, 'da')}, at DSI tjener "
            f"sin rente på {rate}: "
            f"DSI tjener mindre end {rate} (nutidsværdi < 0) i {f.pct(d.p_npv_negative)} af de "
            f"simulerede verdener og får mindre end sin kapital på {f.dkk(d.capital)} tilbage i "
            f"{f.pct(d.p_nominal_loss)}. Den forventede nutidsværdi er {f.dkk(d.npv_mean)} "
            f"(median {f.dkk(d.npv_median)}). DSI's eget forventede forløb – intern rente "
            f"{f.pct(d.case_irr)}, nutidsværdi {f.dkk(d.case_npv)} – nås eller overgås kun i "
            f"{f.pct(d.p_beat_case_irr)} af verdenerne. Opsiden er loftet (pengemultiplens P95 "
            f"er {f.num(d.moic_p95, 2)}), mens nutidsværdien i de værste 1 % er "
            f"{f.dkk(d.npv_p1)} eller lavere, og når DSI får mindre end kapitalen tilbage, "
            f"mangler der i gennemsnit {f.dkk(d.loss_given_loss)} af kapitalen."
        )
        if drv:
            text += " Risikoen drives mest af: " + "; ".join(drv) + "."
        return text
    joined = "; ".join(drv)
    text = (
        f"On these assumptions it is {_odds(1 - d.p_npv_negative, 'en')} that DSI earns its "
        f"{rate} rate: it earns "
        f"less than {rate} (NPV < 0) in {f.pct(d.p_npv_negative)} of simulated worlds and gets "
        f"back less than its capital of {f.dkk(d.capital)} in {f.pct(d.p_nominal_loss)}. The "
        f"expected NPV is {f.dkk(d.npv_mean)} (median {f.dkk(d.npv_median)}). DSI's own "
        f"expected case – IRR {f.pct(d.case_irr)}, NPV {f.dkk(d.case_npv)} – is reached or "
        f"beaten in only {f.pct(d.p_beat_case_irr)} of worlds. The upside is capped (the money "
        f"multiple's P95 is {f.num(d.moic_p95, 2)}), while in the worst 1% of worlds NPV is "
        f"{f.dkk(d.npv_p1)} or less, and when DSI gets back less than its capital it is short "
        f"by {f.dkk(d.loss_given_loss)} on average."
    )
    if drv:
        text += f" The risk is driven most by: {joined}."
    return text
