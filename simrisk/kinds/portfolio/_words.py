"""Words and number formats of the portfolio's tables and report pages (en, da).

English: 1,234,567 DKK and 11.5%. Danish: 1.234.567 kr. and 11,5 %.
No matplotlib here: the ledger and the summary use it too.
"""

from __future__ import annotations

from simrisk.core.numfmt import Numbers

__all__ = ["WORDS", "Num", "word"]


class Num(Numbers):
    """Numbers for one language (``"en"`` or ``"da"``), with millions as the tables write them."""

    def mio(self, x: float, digits: int = 1) -> str:
        """Millions: ``2.5 mio DKK`` / ``2,5 mio. kr.``."""
        v = self.num(x / 1e6, digits)
        return f"{v} mio. kr." if self.lang == "da" else f"{v} mio DKK"


WORDS = {
    "total": ("total", "i alt"),
    "ledger.head": (
        "Budget by year as the proposal's tables state it (DKK), and algorithms funded",
        "Budget pr. år som i forslagets tabeller (kr.) og finansierede algoritmer",
    ),
    "ledger.wages": ("wages", "løn"),
    "ledger.other_running": ("other running costs", "øvrig drift"),
    "ledger.budget": ("budget", "udgifter i alt"),
    "ledger.staff": ("staff (årsværk)", "årsværk"),
    "ledger.funded": ("algorithms started", "algoritmer startet"),
    "ledger.stated": ("the proposal's own estimate of algorithms",
                      "forslagets eget skøn over algoritmer"),
    "ledger.wage_share": ("wages' share of the budget", "løns andel af budgettet"),
    "ledger.note": (
        "Algorithms started: the pool's rules at central values with none stopped "
        "(cost the middle of {lo}-{hi} DKK, {share} wages; running cost {run} of the cost a "
        "year, reserved until the pool ends; {per} algorithms per consultant).",
        "Algoritmer startet: puljens regler ved centrale værdier, uden at nogen stoppes "
        "(pris midt i {lo}-{hi} kr., {share} løn; drift {run} af prisen om året, reserveret "
        "til puljen slutter; {per} algoritmer pr. konsulent).",
    ),
    "summary.head": (
        "Net benefit at {rate} (NPV on {date}; staff årsværk at {wage}; patients' time apart)",
        "Nettogevinst ved {rate} (nutidsværdi pr. {date}; årsværk til {wage}; patienttid for sig)",
    ),
    "summary.budget": ("budget 2025-2028", "budget 2025-2028"),
    "summary.p_pos": ("P(net benefit > 0)", "P(nettogevinst > 0)"),
    "summary.npv_mean": ("NPV, mean", "nutidsværdi, middel"),
    "summary.npv_band": ("NPV, P5 / P50 / P95", "nutidsværdi, P5 / P50 / P95"),
    "summary.live": ("algorithms live (mean)", "algoritmer i drift (middel)"),
    "summary.stopped": ("stopped by screening (mean)", "stoppet ved visitation (middel)"),
    "summary.vos": ("value of screening (mean)", "værdi af visitation (middel)"),
    "summary.break_even": ("break-even by horizon end", "tjent hjem inden horisontens slut"),
    "summary.break_even_median": (
        "break-even year, median of those that do",
        "år for break-even, median blandt dem der gør",
    ),
    "summary.p_never": ("never breaks even in horizon", "tjener aldrig hjem i horisonten"),
    "summary.no_pool": ("no pool", "ingen pulje"),
    "summary.p_best": ("P(best option)", "P(bedste forslag)"),
    "summary.by_year": ("P(net benefit > 0) by year", "P(nettogevinst > 0) pr. år"),
    "summary.patients": ("patients' hours saved (not in NPV)",
                         "patienttimer sparet (ikke medregnet)"),
    "summary.se": ("± is one Monte Carlo standard error; {n} draws, seed {seed}",
                   "± er én Monte Carlo-standardfejl; {n} trækninger, seed {seed}"),
    "summary.voi": ("Value of information for the choice of option: EVPI {evpi}; EVPPI "
                    "per parameter ({n} draws):",
                    "Informationsværdi for valget af forslag: EVPI {evpi}; EVPPI pr. "
                    "parameter ({n} trækninger):"),
    "summary.never": ("not within the horizon", "ikke inden for horisonten"),
}  # fmt: skip


def word(key: str, lang: str = "en") -> str:
    """The word for ``key`` in ``lang``."""
    en, da = WORDS[key]
    return da if lang == "da" else en
