"""The report's words in English and Danish, and page 1's verdict.

The verdict is generated from the numbers, never written by hand: the same
run always gives the same sentences.
"""

from __future__ import annotations

from simrisk.plot._fmt import Fmt

__all__ = ["WORDS", "T", "verdict"]

WORDS = {
    "title": ("Risk report", "Risikorapport"),
    "subject": (
        "Monte Carlo risk of an outcome-based loan, for the investment committee",
        "Monte Carlo-risiko ved et resultatbaseret lån, til investeringskomitéen",
    ),
    "draws": ("draws", "trækninger"),
    "seed": ("seed", "startværdi"),
    "config": ("config", "konfiguration"),
    "page": ("page", "side"),
    "fixed_parameters": (
        "parameters fixed at their central values",
        "parametre låst på deres centrale værdier",
    ),
    "verdict": ("The decision in brief", "Beslutningen kort"),
    "dsi_block": ("DSI's return", "DSI's afkast"),
    "payer_block": ("Repayments and the payers", "Tilbagebetalinger og betalerne"),
    "p_loss_nominal": (
        "P(DSI gets back less than its capital)",
        "P(DSI får mindre end sin kapital tilbage)",
    ),
    "p_npv_negative": (
        "P(DSI earns less than its {rate} rate: NPV < 0)",
        "P(DSI tjener mindre end sin rente på {rate}: nutidsværdi < 0)",
    ),
    "p_irr_hurdle": ("P(IRR below the {rate} hurdle)", "P(intern rente under kravet på {rate})"),
    "npv_mean": ("expected (mean) NPV", "forventet nutidsværdi (middel)"),
    "npv_median": ("median NPV", "median-nutidsværdi"),
    "case": ("DSI's own expected case", "DSI's egen forventede case"),
    "p_beat_case": (
        "P(IRR at least the expected case's {irr})",
        "P(intern rente mindst den forventede cases {irr})",
    ),
    "moic_p95": ("money multiple, P95 (capped upside)", "pengemultipel, P95 (loftet opside)"),
    "max": ("max", "højst"),
    "npv_p1": (
        "NPV in the worst 1% of worlds: at most",
        "nutidsværdi i de værste 1 % af verdenerne: højst",
    ),
    "npv_es1": (
        "mean NPV in the worst 1% of worlds",
        "gennemsnitlig nutidsværdi i de værste 1 % af verdenerne",
    ),
    "npv_es5": (
        "mean NPV in the worst 5% of worlds",
        "gennemsnitlig nutidsværdi i de værste 5 % af verdenerne",
    ),
    "loss_given_loss": (
        "shortfall against capital, given DSI gets back less (mean)",
        "manko mod kapitalen, når DSI får mindre tilbage (middel)",
    ),
    "irr_median": ("median IRR", "median for den interne rente"),
    "repay": ("expected repayment", "forventet tilbagebetaling"),
    "p_cap": ("cap reached in", "loftet nås i"),
    "net_saving": (
        "authority's expected net saving",
        "myndighedens forventede nettobesparelse",
    ),
    "net_saving_note": ("net saving, note's method", "nettobesparelse, notatets metode"),
    "net_saving_modelled": (
        "net saving, modelled (discounted)",
        "nettobesparelse, modelleret (diskonteret)",
    ),
    "p_negative": ("P(net < 0)", "P(netto < 0)"),
    "per_caused": ("per caused success", "pr. forårsaget succes"),
    "deadweight_goal": ("of which", "heraf"),
    "deadweight": (
        "share of repayments for changes that would have happened anyway",
        "andel af tilbagebetalingen for ændringer, der ville være sket alligevel",
    ),
    "total": ("total", "i alt"),
    "convergence": (
        "All figures ± at most {p} percentage points or {m} DKK (Monte Carlo standard error; "
        "the table is on the last page).",
        "Alle tal ± højst {p} procentpoint eller {m} kr. (Monte Carlo-standardfejl; "
        "tabellen står på sidste side).",
    ),
    "tornado_title": (
        "What drives the risk: P(NPV < 0) in each parameter's lowest and highest tenth",
        "Hvad driver risikoen: P(nutidsværdi < 0) i hver parameters laveste og højeste tiendedel",
    ),
    "tornado_x": (
        "P(DSI earns less than {rate}: NPV < 0) (%)",
        "P(DSI tjener mindre end {rate}: nutidsværdi < 0) (%)",
    ),
    "decile_low": ("parameter in its lowest 10%", "parameteren i sine laveste 10 %"),
    "decile_high": ("parameter in its highest 10%", "parameteren i sine højeste 10 %"),
    "contents": ("Contents", "Indhold"),
    "p_answer": ("The decision", "Beslutningen"),
    "p_irr_npv": ("DSI's return: IRR and NPV", "DSI's afkast: intern rente og nutidsværdi"),
    "p_npv_cdf": ("Cumulative distribution of NPV", "Nutidsværdiens kumulerede fordeling"),
    "p_repay": ("Repayment against the success rate", "Tilbagebetaling efter succesrate"),
    "p_cash": ("DSI's net cash flow by year", "DSI's nettopengestrøm pr. år"),
    "p_net_saving": ("The authorities' net saving", "Myndighedernes nettobesparelse"),
    "p_deadweight": ("Deadweight", "Dødvægt"),
    "accept_title": (
        "Acceptability: the chance DSI earns at least a given rate",
        "Acceptabilitet: sandsynligheden for at DSI tjener mindst en given rente",
    ),
    "accept_curve": ("P(IRR ≥ r)", "P(intern rente ≥ r)"),
    "accept_rate": ("DSI's rate {rate}", "DSI's rente {rate}"),
    "accept_case": ("expected case {irr}", "forventet case {irr}"),
    "accept_x": ("required rate r per year (%)", "krævet rente r pr. år (%)"),
    "accept_y": ("share of simulated worlds (%)", "andel af simulerede verdener (%)"),
    "accept_note": (
        "DSI's cash flows change sign once (payments out, then repayments in), so "
        "IRR ≥ r is the same event as NPV at r ≥ 0; both are computed from each draw's "
        "dated cash flows. Draws with no defined IRR count as not reaching r. Shaded: ± 2 "
        "Monte Carlo standard errors.",
        "DSI's pengestrømme skifter fortegn én gang (udbetalinger først, så "
        "tilbagebetalinger), så intern rente ≥ r er samme hændelse som nutidsværdi ved r ≥ 0; "
        "begge beregnes af hver træknings daterede pengestrømme. Trækninger uden defineret "
        "intern rente tæller som under r. Skravering: ± 2 Monte Carlo-standardfejl.",
    ),
    "payback_title": (
        "Payback: DSI's cumulative cash position over time",
        "Tilbagebetaling: DSI's akkumulerede kasseposition over tid",
    ),
    "payback_y": (
        "cumulative net cash position (DKK, not discounted)",
        "akkumuleret nettokasse (kr., ikke diskonteret)",
    ),
    "date": ("date", "dato"),
    "whole": ("whole", "kapitalen tilbage"),
    "median": ("median", "median"),
    "mean": ("mean", "middel"),
    "payback_note": (
        "P(DSI is whole by the last repayment, {date}) = {p} ± {se}: its repayments at least "
        "match its capital. In present value at {rate} it is whole in {pv} of worlds.",
        "P(DSI har fået hele kapitalen tilbage ved sidste tilbagebetaling, {date}) = {p} ± {se}. "
        "I nutidsværdi ved {rate} får DSI kapitalen tilbage i {pv} af verdenerne.",
    ),
    "design": (
        "Contract design: the frontier and the chosen terms",
        "Kontraktdesign: fronten og de valgte vilkår",
    ),
    "wellby": (
        "WELLBY: the OPI-AIMS pilot and its projections",
        "WELLBY: OPI-AIMS-piloten og fremskrivningerne",
    ),
    "wb_total": ("the pilot's total WELLBY", "pilotens WELLBY i alt"),
    "wb_value": ("the pilot's value (DKK)", "pilotens værdi (kr.)"),
    "wb_value_net": (
        "the pilot's value net of regression to the mean (DKK)",
        "pilotens værdi fratrukket regression mod middelværdien (kr.)",
    ),
    "wb_goal3_head": ("What it means for DSI's goal 3", "Hvad det betyder for DSI's mål 3"),
    "wb_goal3": (
        "The pilot's mean change of {have} points implies that {c} of citizens' scores rise "
        "(90% band {lo} to {hi}). The contract assumes {a}; the pilot supports {a} or more "
        "in only {p} of draws. Reaching {a} needs a mean change of about {need} points.",
        "Pilotens gennemsnitlige ændring på {have} point giver, at {c} af borgernes score "
        "stiger (90 %-interval {lo} til {hi}). Kontrakten antager {a}; piloten understøtter "
        "{a} eller mere i kun {p} af trækningerne. {a} kræver en gennemsnitlig ændring på "
        "omkring {need} point.",
    ),
    "wb_net_note": (
        "The fan shows each projection net of regression to the mean (the change expected "
        "without the intervention) and of its investment, as the pilot's net value above.",
        "Viften viser hver fremskrivning fratrukket regression mod middelværdien (den "
        "ændring, der ventes uden indsatsen) og investeringen, som pilotens nettoværdi ovenfor.",
    ),
    "assumptions": (
        "Assumptions: every uncertain parameter and its source",
        "Antagelser: alle usikre parametre og deres kilder",
    ),
    "param": ("parameter", "parameter"),
    "dist": ("distribution", "fordeling"),
    "central": ("central", "central"),
    "range90": ("90% of draws", "90 % af trækningerne"),
    "source": ("source (docs/sources.md)", "kilde (docs/sources.md)"),
    "correlations": (
        "Rank correlations between parameters (Gaussian copula)",
        "Rangkorrelationer mellem parametre (gaussisk copula)",
    ),
    "tensions": (
        "Where assumptions pull against each other",
        "Hvor antagelserne trækker i hver sin retning",
    ),
    "inputs": ("The contract's inputs and the cohorts", "Kontraktens input og kohorterne"),
    "cohorts": ("Referral cohorts", "Henvisningskohorter"),
    "cohort": ("cohort", "kohorte"),
    "window": ("referral window", "henvisningsperiode"),
    "share": ("share of referrals", "andel af henvisninger"),
    "repaid_on": ("repayment date", "tilbagebetalingsdato"),
    "cohort_note": (
        "Shares follow the windows' lengths (an assumption: the note does not split the "
        "referrals between cohorts; sources.md#dsi-cohorts).",
        "Andelene følger periodernes længde (en antagelse: notatet fordeler ikke "
        "henvisningerne på kohorter; sources.md#dsi-cohorts).",
    ),
    "start_x": ("life satisfaction at start (0–10)", "livstilfredshed ved start (0–10)"),
    "share_citizens": ("share of citizens (%)", "andel af borgere (%)"),
    "start_title": (
        "Goal 3: assumed start scores (mean {mean})",
        "Mål 3: antagne startscorer (middel {mean})",
    ),
    "errors_title": ("Monte Carlo errors of every figure", "Monte Carlo-fejl på alle tal"),
    "se_note": (
        "± is the Monte Carlo standard error of the figure: simulation noise, which more draws "
        "shrink, not the spread of outcomes.",
        "± er tallets Monte Carlo-standardfejl: simulationsstøj, som flere trækninger "
        "mindsker, ikke spredningen i udfaldene.",
    ),
    # --- pages fed by the decision layer (simrisk.decision) ---
    "p_payers": (
        "The payers: risk of a net loss, cost per caused success, deadweight",
        "Betalerne: risiko for nettotab, pris pr. forårsaget succes, dødvægt",
    ),
    "payers_intro": (
        "Each authority repays DSI for successes on its goal and saves on the citizens' use "
        "of its services. Its net saving is shown on two bases: the note's method "
        "(threshold × stated excess cost × successes, undiscounted, every success counted) "
        "and the modelled one (the caused fall in use, discounted at the authority's own "
        "rate). A caused success is one that would not have happened without the "
        "intervention.",
        "Hver myndighed betaler DSI for succeser på sit mål og sparer på borgernes brug af "
        "dens ydelser. Nettobesparelsen vises på to grundlag: notatets metode "
        "(tærskel × oplyst merudgift × succeser, udiskonteret, alle succeser talt med) og "
        "den modellerede (det forårsagede fald i forbruget, diskonteret med myndighedens "
        "egen rente). En forårsaget succes er en, der ikke ville være sket uden indsatsen.",
    ),
    "authority": ("authority", "myndighed"),
    "basis": ("basis", "grundlag"),
    "basis_note": ("note's method", "notatets metode"),
    "basis_modelled": ("modelled", "modelleret"),
    "p_net_negative": ("P(net saving < 0)", "P(nettobesparelse < 0)"),
    "net_mean": ("mean net saving", "middel-nettobesparelse"),
    "cost_caused": ("repaid per caused success", "betalt pr. forårsaget succes"),
    "deadweight_by_goal": (
        "Deadweight by goal: share of the goal's repayments for successes that would have "
        "happened anyway",
        "Dødvægt pr. mål: andel af målets tilbagebetaling for succeser, der ville være sket "
        "alligevel",
    ),
    "goal": ("goal", "mål"),
    "payer": ("payer", "betaler"),
    "dw_share": ("deadweight (mean)", "dødvægt (middel)"),
    "payers_chart": (
        "P(the authority's net saving < 0) (%)",
        "P(myndighedens nettobesparelse < 0) (%)",
    ),
    "payers_foot": (
        "± is one Monte Carlo standard error. The cost per caused success is the mean "
        "repayment over the mean number of caused successes (its SE by the delta method); "
        "on the modelled basis repayments are in present value.",
        "± er én Monte Carlo-standardfejl. Prisen pr. forårsaget succes er den gennemsnitlige "
        "tilbagebetaling delt med det gennemsnitlige antal forårsagede succeser (standardfejl "
        "ved deltametoden); på det modellerede grundlag er betalingerne i nutidsværdi.",
    ),
    "p_voi": (
        "Value of information: what would knowing a parameter be worth?",
        "Informationsværdi: hvad er det værd at kende en parameter?",
    ),
    "voi_x": (
        "expected value of perfect information (DKK, NPV at {rate})",
        "forventet værdi af fuld information (kr., nutidsværdi ved {rate})",
    ),
    "voi_all": ("everything (EVPI)", "alt (EVPI)"),
    "voi_note": (
        "DSI's decision is to lend (net benefit: NPV at {rate}) or not (0); without more "
        "information the better choice is to {best} (expected net benefit {nb}). EVPI = "
        "{evpi} ± {evpi_se}: what DSI could expect to gain if it knew, before lending, "
        "everything the model treats as uncertain, the citizens' chance included. EVPPI of "
        "a parameter: what knowing that parameter alone would be worth, the most a study "
        "that pinned it down could be worth to this decision. Bars: EVPPI; whiskers: ± 2 "
        "standard errors (regression and Monte Carlo). Estimated by nonparametric "
        "regression (Strong, Oakley & Brennan 2014) on {n} draws, {post} posterior draws "
        "for the regression's error.",
        "DSI's beslutning er at låne ud (nettogevinst: nutidsværdi ved {rate}) eller lade "
        "være (0); uden mere information er det bedste valg at {best} (forventet "
        "nettogevinst {nb}). EVPI = {evpi} ± {evpi_se}: hvad DSI kunne forvente at vinde, "
        "hvis det før udlånet kendte alt, hvad modellen regner som usikkert, også "
        "borgernes tilfældigheder. EVPPI for en parameter: hvad det alene er værd at kende "
        "den parameter, dvs. det meste, en undersøgelse der fastlagde den, kunne være værd "
        "for denne beslutning. Søjler: EVPPI; streger: ± 2 standardfejl (regression og "
        "Monte Carlo). Beregnet ved ikke-parametrisk regression (Strong, Oakley & Brennan "
        "2014) på {n} trækninger, {post} posteriortrækninger til regressionens fejl.",
    ),
    "lend": ("lend", "låne ud"),
    "not_lend": ("not lend", "lade være med at låne ud"),
    "p_scenarios": (
        "Scenarios on common random numbers",
        "Scenarier på fælles tilfældige tal",
    ),
    "scenario": ("scenario", "scenarie"),
    "base": ("Base case", "Grundscenarie"),
    "diff": ("difference from the base (± SE)", "forskel fra grundscenariet (± standardfejl)"),
    "sc_npv_neg": ("P(NPV < 0)", "P(nutidsværdi < 0)"),
    "sc_npv_mean": ("mean NPV", "middel-nutidsværdi"),
    "sc_loss": ("P(nominal loss)", "P(nominelt tab)"),
    "sc_note": (
        "Every scenario was run with the base's seed and number of draws, so draw i of each "
        "shares the parameter uniforms and the citizens' chance: the differences and their "
        "standard errors are paired, far smaller than for independent runs. NPV at {rate}; "
        "nominal loss: DSI gets back less than its capital. ± is one Monte Carlo standard "
        "error.",
        "Hvert scenarie er kørt med grundscenariets startværdi og antal trækninger, så "
        "trækning i deler parametrenes tilfældige tal og borgernes tilfældigheder: "
        "forskellene og deres standardfejl er parrede og langt mindre end for uafhængige "
        "kørsler. Nutidsværdi ved {rate}; nominelt tab: DSI får mindre end sin kapital "
        "tilbage. ± er én Monte Carlo-standardfejl.",
    ),
    "sc_fixed_note": (
        "With every parameter fixed at its central value only the citizens' chance "
        "remains: P(NPV < 0) falls from {base} to {fixed}. The rest of the risk comes from "
        "not knowing the parameters.",
        "Med alle parametre låst på deres centrale værdier er kun borgernes tilfældigheder "
        "tilbage: P(nutidsværdi < 0) falder fra {base} til {fixed}. Resten af risikoen "
        "skyldes, at parametrene ikke kendes.",
    ),
    "sc_fixed_note_up": (
        "With every parameter fixed at its central value only the citizens' chance "
        "remains: P(NPV < 0) is {fixed} against {base} in the base case.",
        "Med alle parametre låst på deres centrale værdier er kun borgernes tilfældigheder "
        "tilbage: P(nutidsværdi < 0) er {fixed} mod {base} i grundscenariet.",
    ),
    "figure": ("figure", "tal"),
    "value": ("value", "værdi"),
}


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
    """Page 1's plain-language paragraph from :class:`~simrisk.report._numbers.Decision`."""
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
            f"(median {f.dkk(d.npv_median)}). DSI's egen forventede case – intern rente "
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
