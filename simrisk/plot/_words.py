"""The words of plots and reports in English and Danish."""

from __future__ import annotations

__all__ = ["WORDS", "word"]

WORDS = {
    "draws": ("draws", "trækninger"),
    "share_of_draws": ("share of draws", "andel af trækninger"),
    "irr": ("DSI's internal rate of return (IRR)", "DSI's interne rente (IRR)"),
    "irr_axis": ("IRR per year (%)", "IRR pr. år (%)"),
    "npv": ("DSI's net present value at {rate}", "DSI's nutidsværdi ved {rate}"),
    "npv_axis": (
        "NPV at {rate} on {date} (DKK)",
        "nutidsværdi ved {rate} pr. {date} (kr.)",
    ),
    "hurdle": ("{rate} hurdle", "{rate}-krav"),
    "zero": ("zero", "nul"),
    "median": ("median", "median"),
    "npv_cdf": ("Cumulative distribution of NPV", "Fordeling af nutidsværdien (kumuleret)"),
    "p_npv_below": ("P(NPV below x)", "P(nutidsværdi under x)"),
    "p_loss_read": ("P(NPV < 0)", "P(nutidsværdi < 0)"),
    "repay_curve": (
        "Repayment per payer against the success rate",
        "Tilbagebetaling pr. betaler efter succesrate",
    ),
    "success_rate_axis": (
        "success rate among measured citizens (%)",
        "succesrate blandt målte borgere (%)",
    ),
    "repayment_axis": ("repayment (DKK)", "tilbagebetaling (kr.)"),
    "cap": ("cap", "loft"),
    "simulated": ("simulated draws", "simulerede trækninger"),
    "contract_curve": ("contract at {measured} measured", "kontrakt ved {measured} målte"),
    "cash_fan": ("DSI's net cash flow by year", "DSI's nettopengestrøm pr. år"),
    "cash_axis": ("net cash flow (DKK)", "nettopengestrøm (kr.)"),
    "year": ("calendar year", "kalenderår"),
    "band_90": ("P5–P95", "P5–P95"),
    "band_50": ("P25–P75", "P25–P75"),
    "net_saving": (
        "Authorities' net saving (saving less repayments)",
        "Myndighedernes nettobesparelse (besparelse minus tilbagebetaling)",
    ),
    "net_saving_axis": ("net saving (DKK)", "nettobesparelse (kr.)"),
    "net_saving_note": (
        "Authorities' net saving, the note's method:\nthreshold x BIS mean excess cost x "
        "successes, less repayments (undiscounted)",
        "Myndighedernes nettobesparelse, notatets metode:\ntærskel x BIS-merudgift "
        "x succeser minus tilbagebetaling (udiskonteret)",
    ),
    "net_saving_modelled": (
        "Authorities' net saving, modelled (beside the note's):\ncaused fall in use, "
        "less repayments, discounted at {rate}",
        "Myndighedernes nettobesparelse, modelleret (ved siden af notatets):\nforårsaget "
        "fald i forbrug minus tilbagebetaling, diskonteret med {rate}",
    ),
    "net_saving_axis_note_method": (
        "net saving, note's method (DKK)",
        "nettobesparelse, notatets metode (kr.)",
    ),
    "net_saving_axis_modelled": (
        "net saving, modelled, present value (DKK)",
        "nettobesparelse, modelleret, nutidsværdi (kr.)",
    ),
    "region": ("region", "region"),
    "municipality": ("municipality", "kommune"),
    "ostifterne": ("Østifterne", "Østifterne"),
    "total": ("total", "i alt"),
    "deadweight": (
        "Deadweight: share of repayments for changes that would have happened anyway",
        "Dødvægt: andel af tilbagebetalingen for ændringer, der ville være sket alligevel",
    ),
    "deadweight_axis": ("deadweight share of repayments (%)", "dødvægtsandel (%)"),
    "mean": ("mean", "middel"),
    "mc_se": ("Monte Carlo SE", "Monte Carlo-usikkerhed"),
    "p_npv_neg": ("P(NPV < 0)", "P(nutidsværdi < 0)"),
    "clipped": (
        "axis shows P0.5–P99.5; {share} of draws lie outside",
        "aksen viser P0,5–P99,5; {share} af trækningerne ligger udenfor",
    ),
    "goal.region_use": ("goal 1 (region's use)", "mål 1 (regionens forbrug)"),
    "goal.municipal_use": ("goal 2 (municipality's use)", "mål 2 (kommunens forbrug)"),
    "goal.life_satisfaction": ("goal 3 (life satisfaction)", "mål 3 (livstilfredshed)"),
}


def word(key: str, lang: str, **values) -> str:
    """``WORDS[key]`` in ``lang`` (``"en"`` or ``"da"``), ``{name}`` filled from ``values``."""
    en, da = WORDS[key]
    text = da if lang == "da" else en
    return text.format(**values) if values else text
