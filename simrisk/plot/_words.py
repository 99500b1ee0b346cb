"""The words of plots and reports in English and Danish."""

from __future__ import annotations

__all__ = ["WORDS", "word"]

WORDS = {
    "draws": ("draws", "trækninger"),
    "share_of_draws": ("share of draws", "andel af trækninger"),
    "irr": ("DSI's internal rate of return (IRR)", "DSI's interne rente (IRR)"),
    "irr_axis": ("IRR per year (%)", "IRR pr. år (%)"),
    "npv": ("DSI's net present value at 4%", "DSI's nutidsværdi ved 4 %"),
    "npv_axis": ("NPV (DKK)", "nutidsværdi (kr.)"),
    "hurdle": ("4% hurdle", "4 %-krav"),
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
    "contract_curve": ("contract at 350 measured", "kontrakt ved 350 målte"),
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
        "Dødvægt: andel af tilbagebetalingen for ændringer, der var sket alligevel",
    ),
    "deadweight_axis": ("deadweight share of repayments (%)", "dødvægtsandel (%)"),
    "mean": ("mean", "middel"),
    "mc_se": ("Monte Carlo SE", "Monte Carlo-usikkerhed"),
    # The report's own words (simrisk.report)
    "report.title": ("Risk report", "Risikorapport"),
    "report.answer": ("The answer", "Svaret"),
    "report.p_loss_nominal": (
        "Probability DSI gets back less than its capital",
        "Sandsynlighed for at DSI får mindre end sin kapital tilbage",
    ),
    "report.p_loss_npv": (
        "Probability DSI loses money at its 4% rate (NPV < 0)",
        "Sandsynlighed for tab ved DSI's 4 %-rente (nutidsværdi < 0)",
    ),
    "report.irr": ("Median IRR (90% band)", "Median-IRR (90 %-interval)"),
    "report.es": (
        "Expected NPV in the worst 5% of worlds",
        "Forventet nutidsværdi i de værste 5 %",
    ),
    "report.repay": ("Expected repayment", "Forventet tilbagebetaling"),
    "report.vs_cap": ("cap", "loft"),
    "report.p_cap": ("caps bind in", "loftet nås i"),
    "report.no_cap": ("no cap", "intet loft"),
    "report.capital": ("capital", "kapital"),
    "report.net_saving": (
        "Authorities' expected net saving",
        "Myndighedernes forventede nettobesparelse",
    ),
    "report.net_saving_note": (
        "Net saving, note's method",
        "Nettobesparelse, notatets metode",
    ),
    "report.net_saving_modelled": (
        "Net saving, modelled (discounted)",
        "Nettobesparelse, modelleret (diskonteret)",
    ),
    "report.p_negative": ("P(net < 0)", "P(netto < 0)"),
    "report.per_caused": ("per caused success", "pr. forårsaget succes"),
    "report.deadweight_goal": ("of which", "heraf"),
    "goal.region_use": ("goal 1 (region's use)", "mål 1 (regionens forbrug)"),
    "goal.municipal_use": ("goal 2 (municipality's use)", "mål 2 (kommunens forbrug)"),
    "goal.life_satisfaction": ("goal 3 (life satisfaction)", "mål 3 (livstilfredshed)"),
    "report.deadweight": (
        "Share of repayments paying for changes that would have happened anyway",
        "Andel af tilbagebetalingen for ændringer, der var sket alligevel",
    ),
    "report.se_note": (
        "± is the Monte Carlo standard error of the figure (simulation noise, not the "
        "spread of outcomes).",
        "± er figurens Monte Carlo-standardfejl (simulationsstøj, ikke spredningen i udfaldene).",
    ),
    "report.assumptions": (
        "Assumptions: every prior and its source",
        "Antagelser: alle priors og kilder",
    ),
    "report.tensions": (
        "Where assumptions pull against each other",
        "Hvor antagelserne trækker i hver sin retning",
    ),
    "report.param": ("parameter", "parameter"),
    "report.dist": ("distribution", "fordeling"),
    "report.central": ("central", "central"),
    "report.source": ("source (config comment)", "kilde (kommentar i konfigurationen)"),
    "report.wellby": (
        "WELLBY: the pilot and its projections, with bands",
        "WELLBY: piloten og fremskrivningerne med intervaller",
    ),
    "report.draws": ("draws", "trækninger"),
    "report.seed": ("seed", "seed"),
}


def word(key: str, lang: str) -> str:
    """``WORDS[key]`` in ``lang`` (``"en"`` or ``"da"``)."""
    en, da = WORDS[key]
    return da if lang == "da" else en
