"""The one catalogue of simrisk's words in English and Danish.

Every table, plot and report page reads its words here: ``word(section,
key, lang, **values)`` or a section's lookup ``section(name)``. Each entry is
``(English, Danish)``; ``{name}`` placeholders are filled from ``values``.
`tests/test_words.py` checks that every entry has both languages and the
same placeholders in each. No imports: every layer may read it.
"""

from __future__ import annotations

__all__ = ["CATALOGUE", "section", "word"]

#: Words of the plots (simrisk.plot).
_PLOT = {
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
}  # fmt: skip

#: The contract report's pages.
_REPORT = {
    "cohort_note_generic": (
        "Shares of the referrals as the configuration sets them.",
        "Andelene af henvisningerne som sat i konfigurationen.",
    ),
    "year_axis": ("year", "år"),
    "p_decision": ("The decision", "Beslutningen"),
    "p_reconcile": (
        "Reconciliation with the note",
        "Afstemning med notatet",
    ),
    "p_payer_risk": (
        "The payers' risk of a net loss and the deadweight by goal",
        "Betalernes risiko for nettotab og dødvægten pr. mål",
    ),
    "contents": ("Contents", "Indhold"),
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
    "case": ("DSI's own expected case", "DSI's eget forventede forløb"),
    "p_beat_case": (
        "P(IRR at least the expected case's {irr})",
        "P(intern rente mindst det forventede forløbs {irr})",
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
    "decile_low": (
        "parameter in its lowest tenth (its value at the bar's end)",
        "parameteren i sin laveste tiendedel (værdien ved søjlens ende)",
    ),
    "decile_high": (
        "parameter in its highest tenth (its value at the bar's end)",
        "parameteren i sin højeste tiendedel (værdien ved søjlens ende)",
    ),
    "p_answer": ("Key figures and what drives the risk", "Nøgletal og hvad der driver risikoen"),
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
    "accept_case": ("expected case {irr}", "forventet forløb {irr}"),
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
        "Kapitalen hjem: DSI's akkumulerede kasseposition over tid",
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
        "Cohort 1's share (11/35, 220 of 700) follows from the note's yearly cash flows: "
        "11/35 of the repayments fall in 2028, when only cohort 1 is repaid. The note does "
        "not split the other 480 between cohorts 2 and 3; they are split by the windows' "
        "lengths (an assumption; both are repaid in 2029). sources.md#dsi-cohorts, "
        "#dsi-table-9.",
        "Kohorte 1's andel (11/35, 220 af 700) følger af notatets årlige pengestrømme: 11/35 "
        "af tilbagebetalingerne falder i 2028, hvor kun kohorte 1 betales. Notatet fordeler "
        "ikke de øvrige 480 på kohorte 2 og 3; de fordeles efter periodernes længde (en "
        "antagelse; begge tilbagebetales i 2029). sources.md#dsi-cohorts, #dsi-table-9.",
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
}  # fmt: skip

#: The contract-design page.
_DESIGN = {
    "goal.region_use": ("goal 1", "mål 1"),
    "goal.municipal_use": ("goal 2", "mål 2"),
    "goal.life_satisfaction": ("goal 3", "mål 3"),
    "payer.region": ("region", "regionen"),
    "payer.municipality": ("municipality", "kommunen"),
    "payer.ostifterne": ("Østifterne", "Østifterne"),
    "term.threshold": ("threshold, {g} (%)", "tærskel, {g} (%)"),
    "term.payment": ("payment per success, {g} (DKK)", "betaling pr. succes, {g} (kr.)"),
    "term.cap": ("cap, {p} (DKK)", "loft, {p} (kr.)"),
    "term.floor": ("capital floor (% of capital)", "garanteret andel af kapitalen (%)"),
    "term.clause": ("retention clause: {what}", "fastholdelsesklausul: {what}"),
    "term.minimum_measured": ("minimum measured (citizens)", "mindst målte (borgere)"),
    "term.payment_per_missing": ("per missing citizen (DKK)", "pr. manglende borger (kr.)"),
    "term.settlement": ("settlement on early end (DKK)", "forlig ved tidligt ophør (kr.)"),
    "title": (
        "Contract design: DSI's risk against the payers'",
        "Kontraktdesign: DSI's risiko mod betalernes",
    ),
    "page_title": ("Contract design: {name}", "Kontraktdesign: {name}"),
    "candidates": (
        "candidates ({n}, each {draws} draws)",
        "kandidater ({n}, hver {draws} trækninger)",
    ),
    "feasible": ("meets every target by 2 SE", "opfylder alle mål med 2 standardfejl"),
    "frontier": ("Pareto frontier (±2 SE)", "Pareto-front (±2 standardfejl)"),
    "today": ("today's terms", "nuværende vilkår"),
    "chosen": ("chosen terms", "valgte vilkår"),
    "target": ("target: {t}", "mål: {t}"),
    "p_npv_negative": ("DSI's P(NPV < 0) (%)", "DSI's P(nutidsværdi < 0) (%)"),
    "net_saving.modelled.region.p_negative": (
        "region's P(modelled net saving < 0) (%)",
        "regionens P(modelleret nettobesparelse < 0) (%)",
    ),
    "net_saving.note_method.region.p_negative": (
        "region's P(net saving < 0, note's method) (%)",
        "regionens P(nettobesparelse < 0, notens metode) (%)",
    ),
    "payments.total.mean": (
        "payers' expected payment (DKK)",
        "betalernes forventede betaling (kr.)",
    ),
    "npv.mean": ("DSI's mean NPV (DKK)", "DSI's gennemsnitlige nutidsværdi (kr.)"),
    "es5_npv": (
        "DSI's expected shortfall 5% of NPV (DKK)",
        "DSI's forventede underskud 5 % (kr.)",
    ),
    "term": ("term", "vilkår"),
    "col_today": ("today (±2 SE)", "i dag (±2 standardfejl)"),
    "col_chosen": ("chosen (±2 SE)", "valgt (±2 standardfejl)"),
    "none": ("none", "intet"),
    "gives_dsi": (
        "DSI: P(NPV < 0) {a} → {b}; mean NPV {c} → {d}",
        "DSI: P(nutidsværdi < 0) {a} → {b}; gns. nutidsværdi {c} → {d}",
    ),
    "gives_payers": (
        "Payers: expected payment {a} → {b} ({c}); {risk} {d} → {e}",
        "Betalere: forventet betaling {a} → {b} ({c}); {risk} {d} → {e}",
    ),
    "no_choice": (
        "No candidate met every target by 2 SE.",
        "Ingen kandidat opfyldte alle mål med 2 standardfejl.",
    ),
    "region_risk_short": ("region's P(net < 0)", "regionens P(netto < 0)"),
    "outcomes": ("outcome", "resultat"),
    "rescored": (
        "Chosen terms re-scored on {n} fresh draws: {text}",
        "Valgte vilkår genberegnet på {n} nye trækninger: {text}",
    ),
}  # fmt: skip

#: Plain names of the contract's priors; {k} goal number, {payer} the payer's name.
_PRIOR = {
    # parameter -> (English, Danish); {k} goal number, {payer} the payer's name
    "recruitment": (
        "referrals, share of the expected {referred}",
        "henvisninger, andel af {referred}",
    ),
    "retention": (
        "share of referred citizens measured after a year",
        "andel af henviste borgere, der måles efter et år",
    ),
    "outcome_correlation": (
        "correlation of one citizen's changes in regional and municipal use",
        "korrelation mellem en borgers ændring i regionalt og kommunalt forbrug",
    ),
    "drift": (
        "goal {k}: change in use without the intervention ({payer})",
        "mål {k}: ændring i forbruget uden indsatsen ({payer})",
    ),
    "effect": (
        "goal {k}: the intervention's effect on use ({payer})",
        "mål {k}: indsatsens effekt på forbruget ({payer})",
    ),
    "sigma": (
        "goal {k}: spread of one citizen's change (SD, log scale)",
        "mål {k}: spredning i en borgers ændring (standardafvigelse, log-skala)",
    ),
    "zero_share": (
        "goal {k}: share with no use at start (cannot fall)",
        "mål {k}: andel uden forbrug ved start (kan ikke falde)",
    ),
    "drift_low": (
        "goal {k}: change in life satisfaction without the intervention, start 0–{low}",
        "mål {k}: ændring i livstilfredshed uden indsatsen, start 0–{low}",
    ),
    "drift_high": (
        "goal {k}: change in life satisfaction without the intervention, start {high}–10",
        "mål {k}: ændring i livstilfredshed uden indsatsen, start {high}–10",
    ),
    "score_effect": (
        "goal {k}: the intervention's effect on life satisfaction",
        "mål {k}: indsatsens effekt på livstilfredshed",
    ),
    "score_sigma": (
        "goal {k}: SD of one citizen's one-year change",
        "mål {k}: standardafvigelse af en borgers ændring over et år",
    ),
    "binary_probability": (
        "goal {k}: P({goal}) with the intervention",
        "mål {k}: P({goal}) med indsatsen",
    ),
    "binary_counterfactual": (
        "goal {k}: P({goal}) without the intervention",
        "mål {k}: P({goal}) uden indsatsen",
    ),
    "stage_probability": (
        "goal {k}: P({stage} | the stage before) with the intervention",
        "mål {k}: P({stage} | trinnet før) med indsatsen",
    ),
    "stage_counterfactual": (
        "goal {k}: P({stage} | the stage before) without the intervention",
        "mål {k}: P({stage} | trinnet før) uden indsatsen",
    ),
}  # fmt: skip

#: Distribution families.
_DIST = {
    "fixed": ("fixed", "fast"),
    "normal": ("normal", "normal"),
    "truncnormal": ("truncated normal", "afskåret normal"),
    "lognormal": ("lognormal", "lognormal"),
    "beta": ("beta", "beta"),
    "uniform": ("uniform", "ligefordelt"),
    "pert": ("PERT", "PERT"),
    "pilot": ("the pilot's posterior", "pilotens posterior"),
}  # fmt: skip

#: The portfolio report's pages.
_POOL = {
    "subject": (
        "Monte Carlo risk of the AI pool's three budget options, for the regional council",
        "Monte Carlo-risiko ved AI-puljens tre budgetforslag, til regionsrådet",
    ),
    "contents": ("Contents", "Indhold"),
    "p_decision": ("The decision", "Beslutningen"),
    "p_reconcile": ("Reconciliation with the proposal", "Afstemning med forslaget"),
    "p_options": ("The options' key figures", "Forslagenes nøgletal"),
    "p_cumulative": ("Cumulative net benefit over time", "Kumuleret nettogevinst over tid"),
    "p_acceptability": (
        "Which option is best, by the value of a staff hour",
        "Hvilket forslag er bedst efter værdien af en personaletime",
    ),
    "p_voi": ("Value of information", "Informationsværdi"),
    "p_assumptions": ("Assumptions in plain words", "Antagelserne i klart sprog"),
    "rule": (
        "The rule: choose the option with the highest expected net benefit (NPV at {rate}), "
        "and none if no option beats doing nothing (no pool, NPV 0).",
        "Reglen: vælg forslaget med den højeste forventede nettogevinst (nutidsværdi ved "
        "{rate}), og intet, hvis intet forslag slår at lade være (ingen pulje, nutidsværdi 0).",
    ),
    "verdict_best": (
        "Verdict: {name}. Its expected net benefit, {npv} ± {se}, is the highest of the three "
        "and above doing nothing; it is the best option in {p} ± {pse} of simulated worlds "
        "and pays off (net benefit > 0) in {pos}.",
        "Vurdering: {name}. Den forventede nettogevinst, {npv} ± {se}, er den højeste af de "
        "tre og over at lade være; forslaget er bedst i {p} ± {pse} af de simulerede "
        "verdener og betaler sig (nettogevinst > 0) i {pos}.",
    ),
    "verdict_none": (
        "Verdict: no option. None has an expected net benefit above doing nothing.",
        "Vurdering: intet forslag. Intet har en forventet nettogevinst over at lade være.",
    ),
    "alternatives": ("The alternatives side by side", "Alternativerne side om side"),
    "nothing": ("do nothing (no pool)", "lad være (ingen pulje)"),
    "flips": ("What would change the choice", "Hvad der ville ændre valget"),
    "flip_hour": (
        "The value of a staff hour: between {lo} and {hi} per hour the most likely best "
        "option changes from {a} to {b}.",
        "Værdien af en personaletime: mellem {lo} og {hi} pr. time skifter det mest "
        "sandsynligt bedste forslag fra {a} til {b}.",
    ),
    "flip_param": (
        "{label}: for values from {lo} to {hi} ({n} tenths of the simulated worlds) the "
        "best choice on expected net benefit is {choice}.",
        "{label}: for værdier fra {lo} til {hi} ({n} tiendedele af de simulerede verdener) "
        "er det bedste valg efter forventet nettogevinst {choice}.",
    ),
    "flip_param_none": (
        "{label}, the parameter worth most to know: in no tenth of its range is another "
        "choice best.",
        "{label}, den parameter det er mest værd at kende: i ingen tiendedel af dens "
        "udfaldsrum er et andet valg bedst.",
    ),
    "mc_error": (
        "Monte Carlo error, from {n} simulated worlds: each expected net benefit ± at most "
        "{se}; each probability ± at most {p}.",
        "Monte Carlo-fejl, fra {n} simulerede verdener: hver forventet nettogevinst ± højst "
        "{se}; hver sandsynlighed ± højst {p}.",
    ),
    "rec_title": (
        "Reconciliation: the proposal's budgets and algorithms against the model's",
        "Afstemning: forslagets budgetter og algoritmer mod modellens",
    ),
    "rec_intro": (
        "The proposal's budgets (2025–2028) and the algorithms it says each option can fund, "
        "beside the algorithms the pool's rules fund at central costs (simrisk ledger) and "
        "the simulated means (± Monte Carlo error) with screening.",
        "Forslagets budgetter (2025–2028) og de algoritmer, det siger hvert forslag kan "
        "finansiere, ved siden af de algoritmer, puljens regler finansierer ved centrale "
        "priser (simrisk ledger), og de simulerede middelværdier (± Monte Carlo-fejl) med "
        "frasortering.",
    ),
    "rec_option": ("option", "forslag"),
    "rec_budget": ("budget (mio DKK), proposal = model", "budget (mio. kr.), forslag = model"),
    "rec_stated": ("algorithms, the proposal", "algoritmer, forslaget"),
    "rec_funded": ("funded at central costs", "finansieret ved centrale priser"),
    "rec_started": ("started, simulated", "startet, simuleret"),
    "rec_live": ("live, simulated", "i drift, simuleret"),
    "rec_why_budget": (
        "Budgets: the model spends exactly the proposal's wages and other running costs by "
        "year; money never committed returns to the region and is not a cost.",
        "Budgetter: modellen bruger præcis forslagets løn og øvrige drift pr. år; penge, der "
        "aldrig bindes, går tilbage til regionen og er ikke en udgift.",
    ),
    "rec_why_count": (
        "Why more algorithms than the proposal's: it prices one algorithm at {lo}–{hi}, so "
        "one year's {per} buys its stated count; the pool runs {years} years, so the model "
        "funds about {years} times as many over the period.",
        "Hvorfor flere algoritmer end forslagets: det prissætter én algoritme til {lo}–{hi}, "
        "så ét års {per} køber det angivne antal; puljen løber {years} år, så modellen "
        "finansierer omtrent {years} gange så mange over perioden.",
    ),
    "rec_why_screen": (
        "Screening adds more: a tool stopped after local validation has spent only its "
        "validation share, and the rest goes to the next candidate.",
        "Frasortering giver flere: et værktøj, der stoppes efter lokal validering, har kun brugt "
        "sin valideringsandel, og resten går til næste kandidat.",
    ),
    "rec_why_live": (
        "Live is fewer than started: tools stopped by screening never go live, and later "
        "starts may not be live before the horizon ends.",
        "Færre i drift end startet: værktøjer stoppet ved frasortering kommer aldrig i drift, og "
        "sene starter når måske ikke i drift inden horisontens slutning.",
    ),
    "title": ("Region Hovedstaden's AI pool: which option, and when does it pay?",
              "Region Hovedstadens AI-pulje: hvilket forslag, og hvornår betaler det sig?"),
    "sub": ("{n} simulated worlds · seed {seed} · net benefit at {rate} on {date} · staff time "
            "at {wage} per årsværk ({hour} per hour) · patients' time apart",
            "{n} simulerede verdener · startværdi {seed} · nettogevinst ved {rate} pr. {date} · "
            "personaletid til {wage} pr. årsværk ({hour} pr. time) · patienttid for sig"),
    "budget": ("budget 2025–2028", "budget 2025–2028"),
    "p_pos": ("P(net benefit > 0) by the horizon's end",
              "P(nettogevinst > 0) ved horisontens slut"),
    "npv_mean": ("net benefit (NPV), mean", "nettogevinst (nutidsværdi), middel"),
    "npv_band": ("net benefit, P5 … P95", "nettogevinst, P5 … P95"),
    "be": ("median break-even year (if any)", "median år hvor puljen går i nul (hvis nogen)"),
    "live": ("algorithms live (mean)", "algoritmer i drift (middel)"),
    "gain": ("… of which with a measurable gain", "… heraf med målbar gevinst"),
    "stopped": ("stopped by screening (mean)", "stoppet ved frasortering (middel)"),
    "vos": ("value of screening (mean)", "værdi af frasortering (middel)"),
    "best": (
        "P(best, doing nothing included) at the stated wage",
        "P(bedst, at lade være medregnet) ved den angivne løn",
    ),
    "patients": ("patients' hours saved, discounted (not in NPV)",
                 "patienttimer sparet, diskonteret (ikke i nettogevinsten)"),
    "notes": (
        "± is one Monte Carlo standard error. The priors are wide on purpose: no source gives the "
        "share of bought hospital AI tools that deliver measurable savings. Staff time counts as "
        "money at the stated wage; freed staff time is a saving only if it is used for other work "
        "(the acceptability page varies its value). Money the pool never commits returns to the "
        "region and is not a cost. Screening: after local validation a tool that shows no gain "
        "is stopped and the money goes to the next candidate; 'without screening' runs the same "
        "candidates (common random numbers) without the stop rule.",
        "± er én Monte Carlo-standardfejl. Fordelingerne er brede med vilje: ingen kilde "
        "angiver, hvor "
        "stor en andel af indkøbte AI-værktøjer på hospitaler der giver målbare besparelser. "
        "Personaletid tæller som penge til den angivne løn; frigjort tid er kun en besparelse, "
        "hvis den bruges til andet arbejde (acceptabilitetssiden varierer dens værdi). Penge, "
        "puljen aldrig binder, går tilbage til regionen og er ikke en udgift. Frasortering: efter "
        "lokal validering stoppes et værktøj uden gevinst, og pengene går til næste kandidat; "
        "'uden frasortering' kører de samme kandidater (fælles tilfældige tal) uden stopreglen.",
    ),
    "npv_title": ("Net benefit by option (NPV at {rate}, with screening)",
                  "Nettogevinst pr. forslag (nutidsværdi ved {rate}, med frasortering)"),
    "npv_axis": ("net benefit, NPV (mio DKK)", "nettogevinst, nutidsværdi (mio. kr.)"),
    "share": ("share of simulated worlds (%)", "andel af simulerede verdener (%)"),
    "cdf_axis": ("P(net benefit ≤ x) (%)", "P(nettogevinst ≤ x) (%)"),
    "zero": ("break-even (0)", "nul (puljen går i nul)"),
    "cdf_title": ("Cumulative distribution", "Kumuleret fordeling"),
    "year_title": ("P(cumulative net benefit > 0) by year",
                   "P(kumuleret nettogevinst > 0) pr. år"),
    "year": ("year", "år"),
    "p_axis": ("probability (%)", "sandsynlighed (%)"),
    "be_title": ("Break-even year (cumulative net benefit stays above 0 from then on)",
                 "År hvor puljen går i nul (kumuleret nettogevinst forbliver over 0 herfra)"),
    "never": ("not by\n{last}", "ikke inden\n{last}"),
    "cum_title": ("Cumulative net benefit (present value at {rate}): median, P25–P75, P5–P95",
                  "Kumuleret nettogevinst (nutidsværdi ved {rate}): median, P25–P75, P5–P95"),
    "cum_axis": ("cumulative net benefit (mio DKK)", "kumuleret nettogevinst (mio. kr.)"),
    "median": ("median", "median"),
    "alg_title": ("Algorithms per option: with and without screening (mean per world)",
                  "Algoritmer pr. forslag: med og uden frasortering (middel pr. verden)"),
    "alg_axis": ("algorithms (mean)", "algoritmer (middel)"),
    "started": ("started", "startet"),
    "live_bar": ("went live", "i drift"),
    "gain_bar": ("live with gain", "i drift med gevinst"),
    "stopped_bar": ("stopped by screening", "stoppet ved frasortering"),
    "late_bar": ("stopped late", "stoppet sent"),
    "with": ("with screening", "med frasortering"),
    "opt_mode": ("budget option and screening", "budgetforslag og frasortering"),
    "option": ("budget option", "budgetforslag"),
    "without": ("without screening", "uden frasortering"),
    "vos_title": ("Value of screening (same candidates, with minus without)",
                  "Værdi af frasortering (samme kandidater, med minus uden)"),
    "vos_axis": ("NPV with − NPV without screening (mio DKK)",
                 "nutidsværdi med − uden frasortering (mio. kr.)"),
    "acc_title": ("Which option is best? Probability of the highest net benefit by the value "
                  "of a staff hour", "Hvilket forslag er bedst? Sandsynlighed for højeste "
                  "nettogevinst efter værdien af en personaletime"),
    "acc_axis": ("value of one staff hour (DKK per hour)",
                 "værdi af én personaletime (kr. pr. time)"),
    "acc_y": ("P(option has the highest net benefit) (%)",
              "P(forslaget har den højeste nettogevinst) (%)"),
    "voi_title": ("Value of information: what would knowing a parameter be worth to the choice?",
                  "Informationsværdi: hvad er det værd for valget at kende en parameter?"),
    "voi_axis": ("expected value of perfect information (mio DKK, NPV at {rate})",
                 "forventet værdi af fuld information (mio. kr., nutidsværdi ved {rate})"),
    "voi_all": ("everything (EVPI)", "alt (EVPI)"),
    "voi_note": (
        "The council chooses one of the three options. Without more information the best "
        "on average is {best} (expected net benefit {nb}). EVPI = {evpi} ± {se}: what the "
        "region could expect to gain if it knew everything the model treats as uncertain "
        "before choosing, each candidate's luck included. EVPPI of a parameter: what "
        "knowing that parameter alone would be worth, the most a study or pilot that "
        "pinned it down could be worth to this choice. Bars: EVPPI; whiskers: ± 2 standard "
        "errors (regression and Monte Carlo). Nonparametric regression (Strong, Oakley & "
        "Brennan 2014) on {n} draws, {post} posterior draws for the regression's error.",
        "Regionsrådet vælger et af de tre forslag. Uden mere information er {best} bedst i "
        "gennemsnit (forventet nettogevinst {nb}). EVPI = {evpi} ± {se}: hvad regionen "
        "kunne forvente at vinde, hvis den før valget kendte alt, hvad modellen regner som "
        "usikkert, også den enkelte kandidats held. EVPPI for en parameter: hvad det alene "
        "er værd at kende den parameter, dvs. det meste, en undersøgelse eller pilot der "
        "fastlagde den, kunne være værd for valget. Søjler: EVPPI; streger: ± 2 "
        "standardfejl (regression og Monte Carlo). Ikke-parametrisk regression (Strong, "
        "Oakley & Brennan 2014) på {n} trækninger, {post} posteriortrækninger til "
        "regressionens fejl.",
    ),
    "stated": ("stated wage: {v} per hour", "angivet løn: {v} pr. time"),
    "ass_title": ("Assumptions: world-level priors (one draw per simulated world)",
                  "Antagelser: usikre størrelser på verdensniveau "
                  "(én trækning pr. simuleret verden)"),
    "param": ("parameter", "parameter"),
    "dist": ("distribution", "fordeling"),
    "mean_col": ("mean", "middel"),
    "source": ("source / note (from the config)", "kilde / note (fra konfigurationen)"),
    "structure": ("Structure of the model", "Modellens struktur"),
    "structure_text": (
        [
            "Pipeline: {K} candidates, the named cases first ({cases}); each costs {lo}–{hi} "
            "({ws} wages), of which {vs} is spent on local validation ({vy} years) before the "
            "screening decision and the rest on implementation ({iy} years).",
            "Budget: the pool is one pot per year; a candidate starts only when the uncommitted "
            "money covers its cost and its running cost until the pool ends, and a consultant "
            "is free ({per} algorithms per consultant). Unspent money: {unspent}.",
            "Outcomes: a tool has a measurable gain when a latent normal falls below the world's "
            "threshold; the latent is a shared readiness factor plus the tool's own noise. A "
            "tool without gain adds work with a probability (above). Benefits ramp up linearly "
            "after go-live and last {life} years; without screening a tool without gain is "
            "found out and stopped after {late} years live.",
            "Costs and benefits are counted by calendar year {y0}–{y1} and discounted at {rate} "
            "to 1 January {y0}; running costs after 2028 are paid by the ordinary budget and "
            "still count.",
        ],
        [
            "Kandidater: {K}, de navngivne eksempler først ({cases}); hver koster "
            "{lo}–{hi} ({ws} løn), heraf bruges {vs} på lokal validering ({vy} år) før "
            "beslutningen om frasortering og resten på implementering ({iy} år).",
            "Budget: puljen er én pulje pr. år; en kandidat startes kun, når de ubundne midler "
            "dækker dens pris og drift til puljen slutter, og en konsulent er ledig ({per} "
            "algoritmer pr. konsulent). Ubrugte midler: {unspent}.",
            "Udfald: et værktøj har målbar gevinst, når en latent normalvariabel ligger under "
            "verdens tærskel; den latente er en fælles parathedsfaktor plus værktøjets egen støj. "
            "Et værktøj uden gevinst giver merarbejde med en vis sandsynlighed (se ovenfor). "
            "Gevinsten "
            "indfases lineært efter idriftsættelse og varer {life} år; uden frasortering opdages "
            "og stoppes et værktøj uden gevinst efter {late} år i drift.",
            "Udgifter og gevinster tælles pr. kalenderår {y0}–{y1} og diskonteres med {rate} til "
            "1. januar {y0}; drift efter 2028 betales af det almindelige budget og tæller med.",
        ],
    ),
    "carry_over": ("carried over to later pool years, returned after 2028",
                   "overføres til senere puljeår, returneres efter 2028"),
    "lapse": ("returned at the end of each year", "returneres ved hvert års udgang"),
}  # fmt: skip

#: Plain names of the portfolio's priors.
_POOL_PARAM = {
    "p_gain": ("P(a tool shows a measurable net gain)", "P(et værktøj viser målbar nettogevinst)"),
    "p_workload": ("P(a tool without gain adds work)",
                   "P(et værktøj uden gevinst giver merarbejde)"),
    "readiness_correlation": ("shared readiness (correlation between tools)",
                              "fælles parathed (korrelation mellem værktøjer)"),
    "screen_sensitivity": ("P(a tool with gain passes validation)",
                           "P(et værktøj med gevinst består valideringen)"),
    "screen_specificity": ("P(a tool without gain is stopped)",
                           "P(et værktøj uden gevinst stoppes)"),
    "ramp_years": ("years from go-live to full benefit", "år fra idriftsættelse til fuld gevinst"),
    "running_cost_share": ("yearly running cost, share of the tool's price",
                           "årlig drift, andel af værktøjets pris"),
    "benefit_scale": ("size of the benefit where tools work",
                      "gevinstens størrelse, hvor værktøjer virker"),
}  # fmt: skip

#: The portfolio's terminal tables (ledger, summary).
_POOL_TEXT = {
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
    "summary.stopped": ("stopped by screening (mean)", "stoppet ved frasortering (middel)"),
    "summary.vos": ("value of screening (mean)", "værdi af frasortering (middel)"),
    "summary.break_even": ("break-even by horizon end", "tjent hjem inden horisontens slut"),
    "summary.break_even_median": ("break-even year, median of those that do",
                                  "år hvor puljen går i nul, median blandt dem der gør"),
    "summary.p_never": ("never breaks even in horizon", "tjener aldrig hjem i horisonten"),
    "summary.no_pool": ("no pool", "ingen pulje"),
    "summary.p_best": ("P(best option)", "P(bedste forslag)"),
    "summary.by_year": ("P(net benefit > 0) by year", "P(nettogevinst > 0) pr. år"),
    "summary.patients": ("patients' hours saved (not in NPV)",
                         "patienttimer sparet (ikke medregnet)"),
    "summary.se": ("± is one Monte Carlo standard error; {n} draws, seed {seed}",
                   "± er én Monte Carlo-standardfejl; {n} trækninger, startværdi {seed}"),
    "summary.voi": ("Value of information for the choice of option: EVPI {evpi}; EVPPI "
                    "per parameter ({n} draws):",
                    "Informationsværdi for valget af forslag: EVPI {evpi}; EVPPI pr. "
                    "parameter ({n} trækninger):"),
    "summary.never": ("not within the horizon", "ikke inden for horisonten"),
}  # fmt: skip

#: The WELLBY fan chart.
_WELLBY_FAN = {
    "band": ("{p}% band", "{p} %-interval"),
    "central": ("central value (the source's arithmetic)", "central værdi (kildens regnestykke)"),
    "central_net": ("central value, net", "central værdi, netto"),
    "recruited": ("recruited", "rekrutterede"),
    "xlabel": (
        "users recruited; bands from {n} simulated draws",
        "rekrutterede brugere; intervaller fra {n} simulerede trækninger",
    ),
    "ylabel": ("projected WELLBY value (DKK)", "fremskrevet WELLBY-værdi (kr.)"),
    "ylabel_net": ("projected WELLBY value, net (DKK)", "fremskrevet WELLBY-værdi, netto (kr.)"),
    "sub": (
        "value per WELLBY, completion, mean change and persistence uncertain",
        "værdi pr. WELLBY, gennemførelse, gennemsnitlig ændring og varighed er usikre",
    ),
    "title": (
        "OPI-AIMS pilot: projected WELLBY value",
        "OPI-AIMS-piloten: fremskrevet WELLBY-værdi",
    ),
    "title_net": (
        "OPI-AIMS pilot: projected WELLBY value, net\n"
        "(less regression to the mean and the investment)",
        "OPI-AIMS-piloten: fremskrevet WELLBY-værdi, netto\n"
        "(fratrukket regression mod middelværdien og investering)",
    ),
}

#: The report engine (footer, contents, progress).
_ENGINE = {
    "config_hash": ("configuration", "konfiguration"),
    "other_run": (
        "OF ANOTHER RUN than this report's (--allow-other-run)",
        "FRA EN ANDEN KØRSEL end rapportens (--allow-other-run)",
    ),
    "seed": ("random seed", "startværdi"),
    "draws": ("draws", "trækninger"),
    "page": ("page", "side"),
    "contents": ("Contents", "Indhold"),
    "progress": ("report pages", "rapportsider"),
}

#: The contract report's decision, reconciliation and payers' pages.
_DECIDE = {
    "ex_cash_fixed": (
        "DSI's disbursements: fixed by the contract, the same in every world.",
        "DSI's udbetalinger: fastlagt i kontrakten, ens i alle verdener.",
    ),
    "mio": ("mio", "mio."),
    "ex_saving_up": (
        "The note rounds. The simulated mean is above the expected case: by the note's method "
        "the saving grows with every success while the cap stops the repayments; the median "
        "is {median}.",
        "Notatet afrunder. Det simulerede middel er over det forventede forløb: efter "
        "notatets metode vokser besparelsen med hver succes, mens loftet stopper betalingerne; "
        "medianen er {median}.",
    ),
    "rule": (
        "DSI's rule (its note): an investment whose IRR is below {hurdle} is normally not "
        "approved; NPV at {rate}; doing nothing keeps the capital (NPV 0).",
        "DSI's regel (notatet): en investering med en intern rente under {hurdle} godkendes "
        "normalt ikke; nutidsværdi ved {rate}; at lade være beholder kapitalen (nutidsværdi 0).",
    ),
    "verdict_lend": (
        "Verdict: lend. The note's expected case (IRR {case_irr}) and the simulated median "
        "IRR ({median}) clear the {hurdle} hurdle and the expected NPV, {npv} ± {se}, beats "
        "doing nothing, but in {p} ± {pse} of simulated worlds DSI earns less than {hurdle}.",
        "Vurdering: lån ud. Notatets forventede forløb (intern rente {case_irr}) og den "
        "simulerede median ({median}) klarer kravet på {hurdle}, og den forventede "
        "nutidsværdi, {npv} ± {se}, slår at lade være, men i {p} ± {pse} af de simulerede "
        "verdener tjener DSI under {hurdle}.",
    ),
    "verdict_not": (
        "Verdict: do not lend on these terms. The simulated median IRR is {median} against "
        "the {hurdle} hurdle (the note's expected case: {case_irr}), the expected NPV is "
        "{npv} ± {se}, and DSI earns less than {hurdle} in {p} ± {pse} of simulated worlds.",
        "Vurdering: lån ikke ud på disse vilkår. Den simulerede median for den interne rente "
        "er {median} mod kravet på {hurdle} (notatets forventede forløb: {case_irr}), den "
        "forventede nutidsværdi er {npv} ± {se}, og DSI tjener under {hurdle} i {p} ± {pse} "
        "af de simulerede verdener.",
    ),
    "alternatives": ("The alternatives side by side", "Alternativerne side om side"),
    "alt_lend": ("lend on these terms", "lån ud på disse vilkår"),
    "alt_nothing": ("do nothing", "lad være"),
    "row_npv_mean": (
        "expected NPV at {rate} (± MC error)",
        "forventet nutidsværdi ved {rate} (± MC-fejl)",
    ),
    "row_p_npv_neg": (
        "P(NPV < 0: DSI earns less than {rate})",
        "P(nutidsværdi < 0: DSI tjener under {rate})",
    ),
    "row_p_below": (
        "P(IRR below the {hurdle} hurdle)",
        "P(intern rente under kravet på {hurdle})",
    ),
    "row_p_loss": (
        "P(DSI gets back less than its capital)",
        "P(DSI får mindre end kapitalen tilbage)",
    ),
    "row_p5": (
        "NPV, worst 5% of worlds: at most",
        "nutidsværdi, de værste 5 % af verdenerne: højst",
    ),
    "row_p95": (
        "NPV, best 5% of worlds: at least",
        "nutidsværdi, de bedste 5 % af verdenerne: mindst",
    ),
    "row_es1": ("mean NPV in the worst 1% of worlds", "gennemsnitlig nutidsværdi i de værste 1 %"),
    "flips": ("What would change the decision", "Hvad der ville ændre beslutningen"),
    "flip_low": (
        "If {label} is at most {edge} (the lowest {share} of simulated worlds), the expected "
        "NPV is {npv} ± {se}: doing nothing is better, and IRR falls below {hurdle} in {p}.",
        "Hvis {label} højst er {edge} (de laveste {share} af de simulerede verdener), er den "
        "forventede nutidsværdi {npv} ± {se}: det er bedre at lade være, og den interne rente "
        "er under {hurdle} i {p}.",
    ),
    "flip_high": (
        "If {label} is at least {edge} (the highest {share} of simulated worlds), the "
        "expected NPV is {npv} ± {se}: doing nothing is better, and IRR falls below {hurdle} "
        "in {p}.",
        "Hvis {label} mindst er {edge} (de højeste {share} af de simulerede verdener), er den "
        "forventede nutidsværdi {npv} ± {se}: det er bedre at lade være, og den interne rente "
        "er under {hurdle} i {p}.",
    ),
    "flip_none": (
        "No tenth of any main driver's range turns the expected NPV negative.",
        "Ingen tiendedel af en hoveddrivers udfaldsrum gør den forventede nutidsværdi negativ.",
    ),
    "flip_scenario_flips": (
        "Scenario {name}: expected NPV {npv} ± {se}; IRR below {hurdle} in {p} ± {pse}: it "
        "changes the decision.",
        "Scenariet {name}: forventet nutidsværdi {npv} ± {se}; intern rente under {hurdle} i "
        "{p} ± {pse}: det ændrer beslutningen.",
    ),
    "flip_scenario_holds": (
        "Scenario {name}: expected NPV {npv} ± {se}; IRR below {hurdle} in {p} ± {pse}: the "
        "decision holds.",
        "Scenariet {name}: forventet nutidsværdi {npv} ± {se}; intern rente under {hurdle} i "
        "{p} ± {pse}: beslutningen holder.",
    ),
    "flip_more": (
        "Scenario runs (e.g. retention as in the pilot, a recruitment shortfall) are added "
        "here with 'simrisk report RUN.nc --scenarios OTHER.nc ...'.",
        "Scenariekørsler (fx fastholdelse som i piloten eller for få henvisninger) tilføjes "
        "her med 'simrisk report RUN.nc --scenarios ANDEN.nc ...'.",
    ),
    "mc_error": (
        "Monte Carlo error, from {n} simulated worlds: the expected NPV ± {se} DKK; every "
        "probability in this report ± at most {p}, every amount ± at most {m} DKK (the table "
        "is on the last page).",
        "Monte Carlo-fejl, fra {n} simulerede verdener: den forventede nutidsværdi ± {se} "
        "kr.; alle sandsynligheder i rapporten ± højst {p}, alle beløb ± højst {m} kr. "
        "(tabellen er på sidste side).",
    ),
    "chart_title": (
        "Expected NPV by tenth of the main driver (± 2 MC errors)",
        "Forventet nutidsværdi pr. tiendedel af hoveddriveren (± 2 MC-fejl)",
    ),
    "chart_x": (
        "tenth of draws by {label} (1 = lowest)",
        "tiendedel af trækningerne efter {label} (1 = lavest)",
    ),
    "chart_y": ("expected NPV at {rate} (DKK)", "forventet nutidsværdi ved {rate} (kr.)"),
    "rec_title": (
        "Reconciliation: the note's figures, the expected case and the simulation",
        "Afstemning: notatets tal, det forventede forløb og simuleringen",
    ),
    "rec_intro": (
        "The note's figures as it prints them; the expected case is simrisk's ledger at the "
        "note's success rates (it reproduces the note to the krone); the simulation's mean "
        "(median for IRR) with its Monte Carlo error. Amounts in DKK, not discounted unless "
        "stated.",
        "Notatets tal, som det trykker dem; det forventede forløb er simrisks regnskab ved "
        "notatets succesrater (det genskaber notatet til kronen); simuleringens middel "
        "(median for den interne rente) med Monte Carlo-fejl. Beløb i kr., udiskonteret "
        "medmindre andet er angivet.",
    ),
    "rec_intro_nonote": (
        "This scenario is not DSI's note, so there is no note column; the expected case is "
        "simrisk's ledger, beside the simulation's mean (median for IRR) with its Monte Carlo "
        "error. Amounts in DKK.",
        "Scenariet er ikke DSI's notat, så der er ingen notatkolonne; det forventede forløb er "
        "simrisks regnskab ved siden af simuleringens middel (median for den interne rente) "
        "med Monte Carlo-fejl. Beløb i kr.",
    ),
    "rec_figure": ("figure", "tal"),
    "rec_note": ("the note", "notatet"),
    "rec_case": ("expected case", "forventet forløb"),
    "rec_sim": ("simulated (± MC error)", "simuleret (± MC-fejl)"),
    "rec_why": ("why they differ", "hvorfor de er forskellige"),
    "rec_repay": ("repayment: {who}", "tilbagebetaling: {who}"),
    "rec_irr": ("DSI's IRR (simulated: median)", "DSI's interne rente (simuleret: median)"),
    "rec_npv": ("DSI's NPV at {rate}", "DSI's nutidsværdi ved {rate}"),
    "rec_cash": ("DSI's net cash flow {year}", "DSI's nettopengestrøm {year}"),
    "rec_saving": ("net saving, note's method: {who}", "nettobesparelse, notatets metode: {who}"),
    "not_stated": ("not stated", "ikke oplyst"),
    "about": ("about {v}", "ca. {v}"),
    "total": ("total", "i alt"),
    "ex_note_equal": ("Expected case = note.", "Forventet forløb = notatet."),
    "ex_sim_repay": (
        "The simulation differs: {why}.",
        "Simuleringen afviger: {why}.",
    ),
    "ex_recruit": (
        "referrals average {r} of the planned",
        "henvisningerne er i middel {r} af de planlagte",
    ),
    "ex_measured": ("{m} measured on average against {c}", "{m} målte i middel mod {c}"),
    "ex_cap": (
        "the cap binds in {p} of worlds and cuts the upper tail",
        "loftet rammer i {p} af verdenerne og skærer toppen af",
    ),
    "ex_irr": (
        "The note's {note} is the expected case's IRR; the simulated median is lower because "
        "the caps cut good worlds while bad ones fall without a floor.",
        "Notatets {note} er det forventede forløbs interne rente; den simulerede median er "
        "lavere, fordi lofterne skærer de gode verdener, mens de dårlige falder uden bund.",
    ),
    "ex_npv": (
        "The note states no NPV. The simulated mean is below the expected case: fewer "
        "measured citizens on average and caps on the upside; the median is {median}.",
        "Notatet oplyser ingen nutidsværdi. Det simulerede middel er under det forventede "
        "forløb: færre målte borgere i middel og lofter på opsiden; medianen er {median}.",
    ),
    "ex_cash_equal": (
        "Expected case = note; the simulated mean repays less (fewer measured citizens, caps).",
        "Forventet forløb = notatet; det simulerede middel tilbagebetaler mindre (færre målte "
        "borgere, lofter).",
    ),
    "ex_cash": (
        "Disbursements are fixed; repayments vary with successes.",
        "Udbetalinger er faste; tilbagebetalinger varierer med succeserne.",
    ),
    "ex_saving": (
        "The note rounds. The note's method counts every success at 15% of the mean excess "
        "cost, so the saving moves with the repayments; the simulated median is {median}.",
        "Notatet afrunder. Notatets metode tæller hver succes til 15 % af den gennemsnitlige "
        "merudgift, så besparelsen følger tilbagebetalingerne; den simulerede median er {median}.",
    ),
    "rec_foot": (
        "Sources: the note's tables 7 (repayments), 9 (cash flows), its yardsticks section "
        "(IRR and hurdle) and business case (net savings); cited in docs/sources.md "
        "(#dsi-table-7, #dsi-table-9, #dsi-yardsticks, #dsi-business-case).",
        "Kilder: notatets tabel 7 (tilbagebetalinger), 9 (pengestrømme), afsnittet om DSI's "
        "afkast (intern rente og krav) og myndighedernes regnestykke (nettobesparelser); "
        "citeret i docs/sources.md (#dsi-table-7, #dsi-table-9, #dsi-yardsticks, "
        "#dsi-business-case).",
    ),
    "pay_title": (
        "The payers: what they pay, what they save, and what they pay for nothing",
        "Betalerne: hvad de betaler, hvad de sparer, og hvad de betaler for ingenting",
    ),
    "pay_intro": (
        "The region and the municipality repay DSI for successes on their goals; the "
        "foundation (Østifterne) pays for goal 3. Means with their Monte Carlo error; "
        "under each year's mean the range from the worst 5% to the best 5% of worlds.",
        "Regionen og kommunen betaler DSI for succeser på deres mål; fonden (Østifterne) "
        "betaler for mål 3. Middelværdier med Monte Carlo-fejl; under hvert års middel "
        "spændet fra de værste 5 % til de bedste 5 % af verdenerne.",
    ),
    "pay_intro_generic": (
        "The payers ({payers}) repay DSI for successes on their goals. Means with their Monte "
        "Carlo error; under each year's mean the range from the worst 5% to the best 5% of "
        "worlds.",
        "Betalerne ({payers}) betaler DSI for succeser på deres mål. Middelværdier med Monte "
        "Carlo-fejl; under hvert års middel spændet fra de værste 5 % til de bedste 5 % af "
        "verdenerne.",
    ),
    "pay_no_business_case": (
        "Net saving: this contract states no business case ([business_case] in its config), "
        "so the report shows no authority's saving or net saving.",
        "Nettobesparelse: kontrakten angiver ingen myndigheders regnestykke (ingen "
        "tabel for det i dens konfiguration), så rapporten viser ingen myndigheds besparelse "
        "eller nettobesparelse.",
    ),
    "pay_table": ("Payments by year (DKK)", "Betalinger pr. år (kr.)"),
    "payer": ("payer", "betaler"),
    "pay_total": ("total (± MC error)", "i alt (± MC-fejl)"),
    "pay_band_note": (
        "small figures: P5–P95 of the year's payment across simulated worlds",
        "små tal: P5–P95 af årets betaling på tværs af simulerede verdener",
    ),
    "pay_no_effect": (
        "With no effect at all the payers would still pay {none} ± {se} of the {total} they "
        "pay on average ({share}): for successes that would have happened anyway "
        "(deadweight). By payer:",
        "Uden nogen effekt ville betalerne stadig betale {none} ± {se} af de {total}, de i "
        "middel betaler ({share}): for succeser, der ville være sket alligevel (dødvægt). "
        "Pr. betaler:",
    ),
    "pay_bases": (
        "Net saving on both bases, side by side",
        "Nettobesparelse på begge grundlag, side om side",
    ),
    "authority": ("authority", "myndighed"),
    "basis": ("basis", "grundlag"),
    "basis_note_method": ("note's method", "notatets metode"),
    "basis_modelled": ("modelled", "modelleret"),
    "net_mean": ("mean net saving (DKK)", "middel-nettobesparelse (kr.)"),
    "p_net_neg": ("P(net < 0)", "P(netto < 0)"),
    "cost_caused": ("paid per caused success (DKK)", "betalt pr. forårsaget succes (kr.)"),
    "pay_caveat": (
        "Caveat: by the note's method the saving is 15% of the stated excess cost for every "
        "success, so it rises with the repayments and a net loss can hardly occur by "
        "construction; it counts successes that would have happened anyway. The modelled "
        "basis counts only the caused fall in use, discounted; the payers would negotiate on "
        "the price per caused success.",
        "Forbehold: efter notatets metode er besparelsen 15 % af den oplyste merudgift for "
        "hver succes, så den stiger med betalingerne, og et nettotab kan næppe opstå; den "
        "tæller også succeser, der ville være sket alligevel. Det modellerede grundlag tæller "
        "kun det forårsagede fald i forbruget, diskonteret; betalerne ville forhandle om "
        "prisen pr. forårsaget succes.",
    ),
    "pers_title": (
        "Modelled net saving against the persistence of savings (± 2 MC errors)",
        "Modelleret nettobesparelse efter besparelsernes varighed (± 2 MC-fejl)",
    ),
    "pers_x": (
        "share of a year's saving kept the next year (* the configuration's value)",
        "andel af et års besparelse, der holder året efter (* konfigurationens værdi)",
    ),
    "pers_y": ("mean modelled net saving (DKK)", "middel, modelleret nettobesparelse (kr.)"),
}

#: The WELLBY report.
_WELLBY = {
    "title": (
        "The OPI-AIMS pilot: what its WELLBY value is worth, with its uncertainty",
        "OPI-AIMS-piloten: hvad dens WELLBY-værdi er værd, med usikkerheden",
    ),
    "subject": (
        "Monte Carlo bands of a small pilot's WELLBY value and its projections",
        "Monte Carlo-intervaller for en lille pilots WELLBY-værdi og fremskrivninger",
    ),
    "contents": ("Contents", "Indhold"),
    "p_decision": ("The decision", "Beslutningen"),
    "p_reconcile": ("Reconciliation with the case sheet", "Afstemning med casebeskrivelsen"),
    "p_pilot": ("The pilot's figures as bands", "Pilotens tal som intervaller"),
    "p_projections": ("Projections: value", "Fremskrivninger: værdi"),
    "p_projections_net": (
        "Projections: value net of regression to the mean and of the investment",
        "Fremskrivninger: værdi fratrukket regression mod middelværdien og investeringen",
    ),
    "rule": (
        "The rule: scale up if the expected value net of regression to the mean and of the "
        "investment beats doing nothing (0); the sheet's own figures are gross.",
        "Reglen: skalér op, hvis den forventede værdi fratrukket regression mod middelværdien "
        "og investeringen slår at lade være (0); arket selv regner brutto.",
    ),
    "verdict_scale": (
        "Verdict: scaling up is worth trying, with a control group. Net of regression to the "
        "mean and of the investment the pilot's value is {net} ± {se} (90% band {lo} to "
        "{hi}), positive in {p} ± {pse} of simulated worlds, far below the sheet's {gross}.",
        "Vurdering: opskalering er værd at prøve, med en kontrolgruppe. Fratrukket "
        "regression mod middelværdien og investeringen er pilotens værdi {net} ± {se} "
        "(90 %-interval {lo} til {hi}), positiv i {p} ± {pse} af de simulerede verdener, "
        "langt under arkets {gross}",
    ),
    "verdict_wait": (
        "Verdict: do not scale up on this evidence. Net of regression to the mean and of the "
        "investment the pilot's value is {net} ± {se} (90% band {lo} to {hi}), positive in "
        "only {p} ± {pse} of simulated worlds, against the sheet's {gross}.",
        "Vurdering: opskalér ikke på dette grundlag. Fratrukket regression mod middelværdien "
        "og investeringen er pilotens værdi {net} ± {se} (90 %-interval {lo} til {hi}), "
        "positiv i kun {p} ± {pse} af de simulerede verdener, mod arkets {gross}",
    ),
    "alternatives": (
        "The alternatives side by side (net values)",
        "Alternativerne side om side (nettoværdier)",
    ),
    "alt_col_mean": ("expected net value", "forventet nettoværdi"),
    "alt_col_band": ("90% band", "90 %-interval"),
    "alt_col_p": ("P(net value > 0)", "P(nettoværdi > 0)"),
    "alt_nothing": ("do nothing", "lad være"),
    "alt_scale": (
        "scale up, projection {scen}, {n} recruited",
        "opskalér, fremskrivning {scen}, {n} rekrutterede",
    ),
    "flips": ("What would change the decision", "Hvad der ville ændre beslutningen"),
    "flip_change": (
        "If the pilot's true mean change is at most {edge} points (the lowest {share} of "
        "simulated worlds), its net value is negative on average.",
        "Hvis pilotens sande gennemsnitlige ændring højst er {edge} point (de laveste {share} "
        "af de simulerede verdener), er nettoværdien negativ i gennemsnit.",
    ),
    "flip_rtm": (
        "Regression to the mean: the change expected without the intervention is put at "
        "{rtm} points against the pilot's {change}; if it were as large as the pilot's, "
        "nothing would be caused and the investment lost. A control group settles it.",
        "Regression mod middelværdien: ændringen uden indsatsen sættes til {rtm} point mod "
        "pilotens {change}; var den lige så stor som pilotens, var intet forårsaget og "
        "investeringen tabt. En kontrolgruppe afgør det.",
    ),
    "mc_error": (
        "Monte Carlo error, from {n} simulated worlds: the pilot's expected net value "
        "± {se} DKK; the ends of its 90% band ± at most {ends} DKK.",
        "Monte Carlo-fejl, fra {n} simulerede verdener: pilotens forventede nettoværdi "
        "± {se} kr.; enderne af 90 %-intervallet ± højst {ends} kr.",
    ),
    "rec_title": (
        "Reconciliation: the case sheet's figures against simrisk's bands",
        "Afstemning: casebeskrivelsens tal mod simrisks intervaller",
    ),
    "rec_intro": (
        "The sheet's figures as printed; simrisk's central value (the sheet's arithmetic, "
        "unrounded) and the 90% band from the simulation; one line on each difference.",
        "Arkets tal som trykt; simrisks centrale værdi (arkets regnestykke, uafrundet) og "
        "90 %-intervallet fra simuleringen; én linje om hver forskel.",
    ),
    "rec_figure": ("figure", "tal"),
    "rec_sheet": ("the sheet", "arket"),
    "rec_central": ("central", "central"),
    "rec_band": ("90% band", "90 %-interval"),
    "rec_why": ("why they differ", "hvorfor de er forskellige"),
    "rec_total": ("WELLBY points, 22 completers", "WELLBY-point, 22 gennemførte"),
    "rec_mean_change": (
        "mean change per completer (points)",
        "gennemsnitlig ændring pr. gennemført (point)",
    ),
    "rec_value": ("the pilot's value (DKK)", "pilotens værdi (kr.)"),
    "rec_value_net": (
        "value net of regression to the mean and cost",
        "værdi fratrukket regression mod middelværdien og udgift",
    ),
    "rec_proj": ("projection {scen}, {n} recruited", "fremskrivning {scen}, {n} rekrutterede"),
    "ex_total": (
        "Same central value; the band is wide because 22 completers and an unpublished SD "
        "leave the mean change uncertain.",
        "Samme centrale værdi; intervallet er bredt, fordi 22 gennemførte og en "
        "uoplyst spredning gør den gennemsnitlige ændring usikker.",
    ),
    "ex_mean_change": ("The sheet rounds 17 / 22.", "Arket afrunder 17 / 22."),
    "ex_value": (
        "The sheet rounds 17 × 115,700; the band adds the value of a WELLBY (£10k–£16k).",
        "Arket afrunder 17 × 115.700; intervallet lægger usikkerheden om værdien af en "
        "WELLBY (10.000–16.000 £) til.",
    ),
    "ex_value_net": (
        "Not in the sheet: it counts the whole change as caused and ignores the investment.",
        "Ikke i arket: det regner hele ændringen som forårsaget og ser bort fra investeringen.",
    ),
    "ex_proj": (
        "The sheet rounds its completers and WELLBY; net of regression to the mean and cost "
        "the central value is {net}.",
        "Arket afrunder gennemførte og WELLBY; fratrukket regression mod middelværdien og "
        "udgift er den centrale værdi: {net}",
    ),
    "rec_foot": (
        "Source: the OPI-AIMS case sheet, sections on effects and on scaling (docs/sources.md"
        "#opi-aims); the value of a WELLBY: docs/sources.md#wellby-value.",
        "Kilde: OPI-AIMS-casebeskrivelsen, afsnittene om effekter og skalering "
        "(docs/sources.md#opi-aims); værdien af en WELLBY: docs/sources.md#wellby-value.",
    ),
    "pilot_intro": (
        "Each figure as the sheet's arithmetic gives it (central), its simulated mean and "
        "bands from {n} simulated worlds, each with its Monte Carlo error (±): the exact "
        "bootstrap error of a band's end, the standard error of a mean.",
        "Hvert tal som arkets regnestykke giver det (centralt), dets simulerede middel og "
        "intervaller fra {n} simulerede verdener, hver med Monte Carlo-fejl (±): den eksakte "
        "bootstrap-fejl på et intervals ende, standardfejlen på et middel.",
    ),
    "col_figure": ("figure", "tal"),
    "col_central": ("central", "central"),
    "col_mean": ("mean ± MC error", "middel ± MC-fejl"),
    "col_band": ("90% band (ends ± MC error)", "90 %-interval (ender ± MC-fejl)"),
    "col_band95": ("95% band", "95 %-interval"),
    "row_total": ("WELLBY points", "WELLBY-point"),
    "row_value": ("value (DKK)", "værdi (kr.)"),
    "row_value_net": (
        "value net of regression to the mean and cost (DKK)",
        "værdi fratrukket regression mod middelværdien og udgift (kr.)",
    ),
    "p_net": (
        "P(the pilot's net value > 0) = {p} ± {se}.",
        "P(pilotens nettoværdi > 0) = {p} ± {se}.",
    ),
    "g3_head": ("What it means for DSI's goal 3", "Hvad det betyder for DSI's mål 3"),
    "g3": (
        "The pilot's mean change of {have} points implies that {c} of citizens' scores rise "
        "(90% band {lo} to {hi}). DSI's contract assumes {a}; the pilot supports {a} or more "
        "in only {p} of simulated worlds. Reaching {a} needs a mean change of about {need} "
        "points.",
        "Pilotens gennemsnitlige ændring på {have} point giver, at {c} af borgernes score "
        "stiger (90 %-interval {lo} til {hi}). DSI's kontrakt antager {a}; piloten "
        "understøtter {a} eller mere i kun {p} af de simulerede verdener. {a} kræver en "
        "gennemsnitlig ændring på omkring {need} point.",
    ),
    "legend_central_net": ("central value, net", "central værdi, netto"),
    "hist_x": (
        "the pilot's value net of regression to the mean and cost (DKK)",
        "pilotens værdi fratrukket regression mod middelværdien og udgift (kr.)",
    ),
    "hist_y": ("share of simulated worlds (%)", "andel af simulerede verdener (%)"),
}

#: The arguments of a distribution, in words.
_DIST_ARG = {
    "value": ("value", "værdi"),
    "mean": ("mean", "middel"),
    "sd": ("standard deviation", "standardafvigelse"),
    "low": ("low", "lav"),
    "high": ("high", "høj"),
    "median": ("median", "median"),
    "sd_log": ("standard deviation of the log", "standardafvigelse af log"),
    "min": ("least", "mindst"),
    "mode": ("most likely", "mest sandsynlig"),
    "max": ("most", "højst"),
}

#: Words of the fund report (simrisk.report.fund).
_FUND = {
    "title": ("{name}: the fund's risk", "{name}: fondens risiko"),
    "subject": (
        "The fund's loss distribution, who carries its tail, and the candidate deal",
        "Fondens tabsfordeling, hvem der bærer halen, og den foreslåede investering",
    ),
    "contents": ("Contents", "Indhold"),
    "p_decision": (
        "The decision: the fund with and without the deal",
        "Beslutningen: fonden med og uden investeringen",
    ),
    "decision_title": (
        "Does the deal make the fund's tail worse?",
        "Gør investeringen fondens hale værre?",
    ),
    "decision_sub": (
        "The fund with and without the candidate deal in the same {draws} simulated worlds",
        "Fonden med og uden den foreslåede investering i de samme {draws} simulerede verdener",
    ),
    "verdict_lower": (
        "Adding {deal} lowers the fund's worst-1% loss per krone invested from {without} to "
        "{with_} ({diff}, Monte Carlo error ± {se}): it diversifies the fund.",
        "At tilføje {deal} sænker fondens værste-1 %-tab pr. investeret krone fra {without} til "
        "{with_} ({diff}, Monte Carlo-fejl ± {se}): den spreder fondens risiko.",
    ),
    "verdict_higher": (
        "Adding {deal} raises the fund's worst-1% loss per krone invested from {without} to "
        "{with_} ({diff}, Monte Carlo error ± {se}): it concentrates the fund's risk.",
        "At tilføje {deal} hæver fondens værste-1 %-tab pr. investeret krone fra {without} til "
        "{with_} ({diff}, Monte Carlo-fejl ± {se}): den samler fondens risiko.",
    ),
    "verdict_same": (
        "Adding {deal} leaves the fund's worst-1% loss per krone invested where it was "
        "({without} without, {with_} with; {diff} ± {se}, within the Monte Carlo error).",
        "At tilføje {deal} lader fondens værste-1 %-tab pr. investeret krone være uændret "
        "({without} uden, {with_} med; {diff} ± {se}, inden for Monte Carlo-fejlen).",
    ),
    "figure": ("figure", "tal"),
    "fund_col": ("the fund", "fonden"),
    "rule_fund": (
        "The fund's loss in {draws} simulated worlds",
        "Fondens tab i {draws} simulerede verdener",
    ),
    "caveat": ("What these figures rest on", "Hvad tallene bygger på"),
    "without": ("without the deal", "uden investeringen"),
    "with": ("with the deal", "med investeringen"),
    "change": ("change (± MC error)", "ændring (± MC-fejl)"),
    "expected_loss": ("expected loss", "forventet tab"),
    "es_99": ("expected shortfall 99%", "forventet tab i værste 1 %"),
    "var_99": ("value at risk 99%", "tabsgrænse 99 % (VaR)"),
    "es_99_per_capital": (
        "shortfall 99% per krone invested",
        "værste-1 %-tab pr. investeret krone",
    ),
    "p_loss_10": ("P(loss above 10% of fund capital)", "P(tab over 10 % af fondens kapital)"),
    "diversification": (
        "On its own, {deal}'s worst-1% loss is {alone}; inside the fund it carries {contrib} of "
        "the fund's worst-1% loss (its Euler contribution): diversification takes off {share}.",
        "Alene er {deal}s værste-1 %-tab {alone}; i fonden bærer den {contrib} af fondens "
        "værste-1 %-tab (dens Euler-bidrag): spredningen fjerner {share}.",
    ),
    "fund_line": (
        "The fund as configured: expected loss {el}; expected shortfall 99% {es}; "
        "P(loss above 10% of capital) {p10}.",
        "Fonden som angivet: forventet tab {el}; forventet tab i værste 1 % {es}; "
        "P(tab over 10 % af kapitalen) {p10}.",
    ),
    "mc_line": (
        "Monte Carlo error of the 99% shortfall ± {se} from {draws} worlds (batch means).",
        "Monte Carlo-fejl på værste-1 %-tabet ± {se} fra {draws} verdener (batch-gennemsnit).",
    ),
    "judgement_caveat": (
        "Deals simrisk has not modelled enter as judgements of the share repaid (assumptions, "
        "see the last page); losses are undiscounted capital not repaid, after guarantees.",
        "Investeringer, som simrisk ikke har modelleret, indgår som skøn over den "
        "tilbagebetalte andel (antagelser, se sidste side); tab er udiskonteret kapital, der "
        "ikke kommer tilbage, efter garantier.",
    ),
    "loss_title": ("The fund's loss", "Fondens tab"),
    "loss_hist": ("Distribution of the fund's loss", "Fordeling af fondens tab"),
    "loss_axis": (
        "fund loss after guarantees (mio DKK)",
        "fondens tab efter garantier (mio. kr.)",
    ),
    "worlds_axis": ("simulated worlds", "simulerede verdener"),
    "share_axis": (
        "loss threshold: share of fund capital ({capital})",
        "tabsgrænse: andel af fondens kapital ({capital})",
    ),
    "p_axis": ("chance the loss is larger (%)", "sandsynlighed for større tab (%)"),
    "p_above_title": (
        "P(fund loss above the threshold), bars ± 2 MC errors",
        "P(fondens tab over grænsen), søjler ± 2 MC-fejl",
    ),
    "contrib_title": ("Who carries the tail", "Hvem bærer halen"),
    "contrib_legend": (
        "Euler contribution to the 99% shortfall (± 2 MC errors)",
        "Euler-bidrag til værste-1 %-tabet (± 2 MC-fejl)",
    ),
    "el_legend": ("expected loss", "forventet tab"),
    "contrib_sub": (
        "Each deal's mean loss in the fund's worst 1% of worlds; they add up to the shortfall "
        "{es} (sum {total})",
        "Hver investerings gennemsnitlige tab i fondens værste 1 % af verdenerne; de summer til "
        "{es} (sum {total})",
    ),
    "mio_axis": ("mio DKK", "mio. kr."),
    "guarantee_title": ("Guarantees and correlation", "Garantier og sammenhæng"),
    "guarantee_sub": (
        "What each first-loss guarantee is worth to the fund, and how the tail depends on "
        "how strongly deals move together",
        "Hvad hver garanti for første tab er værd for fonden, og hvordan halen afhænger af, "
        "hvor tæt investeringerne følges ad",
    ),
    "deal": ("deal", "investering"),
    "guarantor": ("guarantor", "garant"),
    "amount": ("amount", "beløb"),
    "g_paid": ("expected payment", "forventet udbetaling"),
    "g_called": ("P(called)", "P(udløst)"),
    "g_es": ("lowers the 99% shortfall by", "sænker værste-1 %-tabet med"),
    "none": ("no guarantees", "ingen garantier"),
    "rho_axis": (
        "correlation between deals in the world (asset correlation ρ)",
        "sammenhæng mellem investeringerne i verdenen (korrelation ρ)",
    ),
    "p10_axis": ("P(loss above {share} of capital) (%)", "P(tab over {share} af kapitalen) (%)"),
    "rho_title": (
        "The fund's tail by tenth of the correlation's prior (± 2 MC errors)",
        "Fondens hale pr. tiendedel af korrelationens fordeling (± 2 MC-fejl)",
    ),
    "cash_title": ("The fund's cash flows", "Fondens pengestrømme"),
    "median": ("median", "median"),
    "year_axis": ("calendar year", "kalenderår"),
    "cum_axis": ("cumulative net cash flow (mio DKK)", "akkumuleret nettopengestrøm (mio. kr.)"),
    "cum_title": ("The fund's cumulative cash position", "Fondens akkumulerede kassebeholdning"),
    "npv_axis": ("NPV at {rate} (mio DKK)", "nutidsværdi ved {rate} (mio. kr.)"),
    "npv_title": (
        "NPV: mean {mean}; P(NPV < 0) {p}; median IRR {irr}",
        "Nutidsværdi: gennemsnit {mean}; P(nutidsværdi < 0) {p}; median-IRR {irr}",
    ),
    "assumptions_title": ("The deals and the assumptions", "Investeringerne og antagelserne"),
    "assumptions_sub": (
        "Each deal's origin, capital and risk on its own (after guarantees)",
        "Hver investerings oprindelse, kapital og risiko for sig (efter garantier)",
    ),
    "origin": ("modelled by", "modelleret ved"),
    "origin_result": ("simrisk result", "simrisk-resultat"),
    "origin_config": ("simrisk model", "simrisk-model"),
    "origin_judgement": ("judgement", "skøn"),
    "capital": ("capital", "kapital"),
    "p_loss": ("P(loss)", "P(tab)"),
    "es_alone": ("99% shortfall alone", "værste-1 %-tab alene"),
    "family_gaussian": ("Gaussian", "gaussisk"),
    "family_t": ("Student-t", "Student-t"),
    "copula_text": (
        "Deals move together through one common factor (a {family} copula) whose correlation "
        "is drawn per world: 90% of worlds between {lo} and {hi}. No published correlation of "
        "outcomes across impact bonds exists, so it is an assumption given a wide range. "
        "Concentration: Herfindahl index of capital {h} (as if {k} equal deals).",
        "Investeringerne følges ad gennem én fælles faktor (en {family}-copula), hvis korrelation "
        "trækkes for hver verden: i 90 % af verdenerne mellem {lo} og {hi}. Der findes ingen "
        "offentliggjort korrelation mellem udfaldsbaserede kontrakter, så den er en antagelse "
        "med et bredt spænd. Koncentration: Herfindahl-indeks for kapitalen {h} (som {k} lige "
        "store investeringer).",
    ),
}


#: The offline HTML page (simrisk report RESULT.nc -o page.html).
_HTML = {
    "progress": ("HTML page", "HTML-side"),
    "decision": ("The decision", "Beslutningen"),
    "charts": ("The key charts", "De vigtigste figurer"),
    "offline": (
        "This page works offline: everything it draws is in this one file.",
        "Siden virker uden internetforbindelse: alt, hvad den viser, ligger i denne ene fil.",
    ),
    "more": (
        "Every figure with its Monte Carlo error, the reconciliation with the source and "
        "every assumption: the PDF report ('simrisk report {name} -o report.pdf').",
        "Alle tal med deres Monte Carlo-fejl, afstemningen med kilden og alle antagelser: "
        "PDF-rapporten ('simrisk report {name} -o rapport.pdf').",
    ),
    "bar_share": ("share of draws", "andel af trækninger"),
    "line": ("line", "linje"),
    "npv_mean": ("mean", "gennemsnit"),
    # the contract's control: risk aversion
    "ra_heading": (
        "If DSI is risk averse: the certainty equivalent against r",
        "Hvis DSI er risikoavers: sikkerhedsækvivalenten efter r",
    ),
    "ra_help": (
        "Move the slider to set DSI's risk aversion r (constant absolute risk aversion, "
        "exponential utility). The certainty equivalent is the sure amount DSI would take "
        "instead of the risky NPV; the alternative with the higher one is chosen. The slider "
        "moves log\u2081\u2080 r, from nearly risk neutral (left) to very averse (right).",
        "Flyt skyderen for at sætte DSI's risikoaversion r (konstant absolut risikoaversion, "
        "eksponentiel nytte). Sikkerhedsækvivalenten er det sikre beløb, DSI ville tage i "
        "stedet for den usikre nutidsværdi; alternativet med den højeste vælges. Skyderen "
        "flytter log\u2081\u2080 r, fra næsten risikoneutral (venstre) til meget avers (højre).",
    ),
    "ra_slider": (
        "risk aversion, log\u2081\u2080 r (r per DKK): ",
        "risikoaversion, log\u2081\u2080 r (r pr. kr.): ",
    ),
    "ra_x": ("risk aversion r per DKK (log scale)", "risikoaversion r pr. kr. (logaritmisk)"),
    "ra_y": ("certainty equivalent (DKK)", "sikkerhedsækvivalent (kr.)"),
    "ra_stated": ("the config's r", "konfigurationens r"),
    "ra_at": (
        "At r = {r} per DKK (risk tolerance {tol}): {lend} {ce} ± {se}, {nothing} 0. "
        "Choice: {choice}.",
        "Ved r = {r} pr. kr. (risikotolerance {tol}): {lend} {ce} ± {se}, {nothing} 0. "
        "Valg: {choice}.",
    ),
    "ra_none": (
        "The config states no risk aversion, so the choice is shown over a grid of r.",
        "Konfigurationen angiver ingen risikoaversion, så valget vises over et gitter af r.",
    ),
    # the pool's control: the value of a staff hour
    "hour_heading": (
        "The value of staff time: which option is best?",
        "Værdien af personaletid: hvilket forslag er bedst?",
    ),
    "hour_help": (
        "Move the slider to set what an hour of freed staff time is worth. Left: the "
        "probability that each option (or no pool) has the highest net benefit. Right: each "
        "option's expected net benefit at that value, ± 2 Monte Carlo errors. The dashed line "
        "is the config's value ({hour}).",
        "Flyt skyderen for at sætte, hvad en frigjort personaletime er værd. Til venstre: "
        "sandsynligheden for, at hvert forslag (eller ingen pulje) giver den største "
        "nettogevinst. Til højre: hvert forslags forventede nettogevinst ved den værdi, ± 2 "
        "Monte Carlo-fejl. Den stiplede linje er konfigurationens værdi ({hour}).",
    ),
    "hour_slider": ("value of a staff hour (DKK): ", "værdi af en personaletime (kr.): "),
    "hour_x": ("value of a staff hour (DKK)", "værdi af en personaletime (kr.)"),
    "hour_p": ("P(highest net benefit)", "P(største nettogevinst)"),
    "hour_nb": ("expected net benefit (mio DKK)", "forventet nettogevinst (mio. kr.)"),
    "hour_at": (
        "At {hour} per staff hour: {best} has the highest expected net benefit, {nb} "
        "(P(best) {p}).",
        "Ved {hour} pr. personaletime: {best} har den største forventede nettogevinst, {nb} "
        "(P(bedst) {p}).",
    ),
    "hour_at_none": (
        "At {hour} per staff hour no option's expected net benefit is above doing nothing's 0.",
        "Ved {hour} pr. personaletime er intet forslags forventede nettogevinst over 0 (at "
        "lade være).",
    ),
    "option": ("option", "forslag"),
    "pool_npv": (
        "Net benefit at the config's staff-hour value, by option",
        "Nettogevinst ved konfigurationens værdi af en personaletime, pr. forslag",
    ),
    # the WELLBY page
    "wb_hist": (
        "The pilot's value net of regression to the mean and cost",
        "Pilotens værdi fratrukket regression mod middelværdien og udgift",
    ),
    "wb_mean": ("mean {v}", "gennemsnit {v}"),
    "wb_zero": ("zero: P(net value < 0) = {p}", "nul: P(nettoværdi < 0) = {p}"),
    "wb_tenths": (
        "The pilot's net value by tenth of the mean change (± 2 MC errors)",
        "Pilotens nettoværdi pr. tiendedel af den gennemsnitlige ændring (± 2 MC-fejl)",
    ),
    "wb_tenths_x": (
        "tenth of draws by the mean change in life satisfaction (1 = lowest)",
        "tiendedel af trækningerne efter den gennemsnitlige ændring i livstilfredshed "
        "(1 = lavest)",
    ),
    "wb_tenths_y": ("mean net value (DKK)", "gennemsnitlig nettoværdi (kr.)"),
    "wb_proj_x": (
        "net value, mean and 90% band (mio DKK)",
        "nettoværdi, gennemsnit og 90 %-interval (mio. kr.)",
    ),
    "pool_npv_x": (
        "net benefit, NPV at {rate} (mio DKK)",
        "nettogevinst, nutidsværdi ved {rate} (mio. kr.)",
    ),
}


#: Words of the learning figures (simrisk.plot._learn: what the data changed, EVSI by n).
_LEARN = {
    "shift_axis": ("(mean − prior mean) / prior SD", "(middel − priormiddel) / prior-sd"),
    "title": ("What the data changed: {scenario}", "Hvad data ændrede: {scenario}"),
    "before": ("before (prior)", "før (prior)"),
    "after": ("after (posterior)", "efter (posterior)"),
    "npv": ("Investor's NPV (DKK)", "Investors nutidsværdi (kr.)"),
    "share": ("share of draws", "andel af trækninger"),
    "figures": (
        "Headline figures, before and after (± Monte Carlo SE)",
        "Nøgletal før og efter (± Monte Carlo-standardfejl)",
    ),
    "params": (
        "Parameters that moved most (mean ± SD)",
        "Parametre der flyttede sig mest (middel ± sd)",
    ),
    "path": (
        "path: {path}; k-hat {khat} (threshold {thr}); ESS {ess}",
        "metode: {path}; k-hat {khat} (grænse {thr}); ESS {ess}",
    ),
    "conflict": (
        "Prior-data conflict: a count lies in the prior's 1% tails",
        "Konflikt mellem prior og data: en optælling ligger i priorens 1 %-haler",
    ),
    "p_npv_negative": ("P(NPV < 0)", "P(nutidsværdi < 0)"),
    "p_irr_below_hurdle": ("P(IRR < hurdle)", "P(afkast < minimumsrente)"),
    "p_loss": ("P(received < capital)", "P(modtaget < kapital)"),
    "npv_mean": ("expected NPV", "forventet nutidsværdi"),
    "cap": ("P(cap reached: {p})", "P(loft nået: {p})"),
    "evsi_title": ("Value of a study: {study}", "Værdien af en undersøgelse: {study}"),
    "n": ("sample size n", "stikprøvestørrelse n"),
    "dkk": ("DKK", "kr."),
    "evsi": ("EVSI (± 2 SE)", "EVSI (± 2 standardfejl)"),
    "evppi": ("EVPPI (ceiling)", "EVPPI (loft)"),
    "evpi": ("EVPI (ceiling)", "EVPI (loft)"),
    "enbs": ("ENBS", "ENBS"),
    "opt": ("optimal n = {n}", "optimalt n = {n}"),
    "near": ("ENBS within 5% of the best", "ENBS inden for 5 % af det bedste"),
    "weights": ("Pareto-smoothed weights", "Pareto-udglattede vægte"),
    "resample-move": ("resample-move SMC and re-simulation", "resample-move SMC og ny simulation"),
}

#: Words of an updated result's report (simrisk monitor -o, then simrisk report).
_MONITOR = {
    "title": ("Updated forecast: {scenario}", "Opdateret prognose: {scenario}"),
    "subject": (
        "The forecast of a running contract updated with observed counts",
        "Prognosen for en løbende kontrakt opdateret med observerede optællinger",
    ),
    "p_verdict": ("The decision after the data", "Beslutningen efter data"),
    "p_changed": ("What the data changed", "Hvad data ændrede"),
    "p_observed": ("The observations and the parameters", "Observationerne og parametrene"),
    "sub": (
        "{draws} prior draws updated with {rows} observed counts; path: {path}",
        "{draws} prior-trækninger opdateret med {rows} observerede optællinger; metode: {path}",
    ),
    "weights": ("Pareto-smoothed weights", "Pareto-udglattede vægte"),
    "resample-move": (
        "resample-move SMC and re-simulation",
        "resample-move SMC og ny simulation",
    ),
    "diag": (
        "k-hat {khat} (trusted up to {thr}); effective sample size {ess} (needed {need}); "
        "the after column's errors are those of {eff} independent draws",
        "k-hat {khat} (pålidelig op til {thr}); effektiv stikprøvestørrelse {ess} (krav "
        "{need}); efter-kolonnens fejl svarer til {eff} uafhængige trækninger",
    ),
    "conflict": (
        "Prior-data conflict: an observed count lies in the prior's 1% tails (see page 3)",
        "Konflikt mellem prior og data: en observeret optælling ligger i priorens "
        "1 %-haler (se side 3)",
    ),
    "rule_ev": (
        "Expected value: {choice} (margin {margin} ± {se} kr. over {other})",
        "Forventet værdi: {choice} (margin {margin} ± {se} kr. frem for {other})",
    ),
    "before_rule": ("Before the data", "Før data"),
    "after_rule": ("After the data", "Efter data"),
    "changed": ("The decision changes.", "Beslutningen ændres."),
    "same": ("The decision stands.", "Beslutningen står ved magt."),
    "figure": ("figure", "nøgletal"),
    "before": ("before (prior)", "før (prior)"),
    "after": ("after (posterior)", "efter (posterior)"),
    "change": ("change", "ændring"),
    "npv_mean": ("expected NPV at {rate} (DKK)", "forventet nutidsværdi ved {rate} (kr.)"),
    "p_npv_negative": ("P(NPV at {rate} < 0)", "P(nutidsværdi ved {rate} < 0)"),
    "p_irr_below": ("P(IRR < {hurdle} hurdle)", "P(IRR < {hurdle}-krav)"),
    "p_loss": ("P(received < capital)", "P(modtaget < kapital)"),
    "irr_p50": ("IRR, median", "IRR, median"),
    "irr_p5": ("IRR, 5th percentile", "IRR, 5. percentil"),
    "npv_p5": ("NPV, 5th percentile (DKK)", "nutidsværdi, 5. percentil (kr.)"),
    "es5": ("NPV, mean of the worst 5% (DKK)", "nutidsværdi, gennemsnit af værste 5 % (kr.)"),
    "paid": ("{payer} pays, expected (DKK)", "{payer} betaler, forventet (kr.)"),
    "cap": ("P({payer}'s cap reached)", "P({payer}s loft nået)"),
    "net_saving": (
        "{authority}'s modelled net saving, expected (DKK)",
        "{authority}s modellerede nettobesparelse, forventet (kr.)",
    ),
    "evpi": ("value of perfect information, EVPI (DKK)", "værdi af fuld information, EVPI (kr.)"),
    "se_note": (
        "± is one Monte Carlo standard error. After the data, every figure is the "
        "summary of a posterior sample (the prior draws resampled by their weights, or "
        "re-simulated), its errors widened for the weights' loss of precision.",
        "± er én Monte Carlo-standardfejl. Efter data er hvert nøgletal opgjort på en "
        "stikprøve fra posterior (prior-trækningerne gentrukket efter deres vægte eller "
        "simuleret på ny), med fejlene forøget for vægtenes tab af præcision.",
    ),
    "obs_title": ("The observed counts", "De observerede optællinger"),
    "obs_cols": (
        "cohort|metric|type|period end|base|count|P-value (prior)",
        "kohorte|mål|type|periodeslut|grundlag|antal|P-værdi (prior)",
    ),
    "obs_note": (
        "P-value: two-sided prior predictive tail probability of the count (Box 1980); "
        "below 1% is a prior-data conflict.",
        "P-værdi: tosidet prior-prædiktiv halesandsynlighed for optællingen (Box 1980); "
        "under 1 % er en konflikt mellem prior og data.",
    ),
    "par_title": ("The parameters, before and after", "Parametrene før og efter"),
    "par_cols": (
        "parameter|before: mean|before: SD|after: mean|after: SD",
        "parameter|før: middel|før: sd|efter: middel|efter: sd",
    ),
    "Interim": ("interim", "foreløbig"),
    "Final": ("final", "endelig"),
    "invest": ("invest", "investér"),
    "do_not_invest": ("do not invest", "investér ikke"),
}

#: Words of a contract report's gate page ([gate]).
_GATE = {
    "title": ("The gate: stop or go at {date}", "Porten: stop eller fortsæt pr. {date}"),
    "sub": (
        "On {date} DSI counts the share of the referred citizens of cohort(s) {cohorts} "
        "still engaged {months} months after their start; below {threshold} the remaining "
        "instalments stop (settlement: {settlement}).",
        "Pr. {date} tæller DSI andelen af de henviste borgere i kohorte {cohorts}, der "
        "stadig deltager {months} måneder efter start; under {threshold} stopper de "
        "resterende rater (afregning: {settlement}).",
    ),
    "completed_cohorts": (
        "cohorts referred by then are still paid for",
        "kohorter henvist inden da betales stadig",
    ),
    "nothing": (
        "no outcome payment falls due after the gate",
        "ingen resultatbetaling forfalder efter porten",
    ),
    "verdict_value": (
        "The gate is worth {value} ± {se} kr. to DSI in expected NPV (with less without, "
        "on the same simulated worlds); it stops the contract in {p} ± {p_se} of them.",
        "Porten er {value} ± {se} kr. værd for DSI i forventet nutidsværdi (med minus "
        "uden, på de samme simulerede verdener); den stopper kontrakten i {p} ± {p_se} af "
        "dem.",
    ),
    "figure": ("figure", "nøgletal"),
    "with": ("with the gate", "med porten"),
    "without": ("without the gate", "uden porten"),
    "difference": ("with less without", "med minus uden"),
    "npv_mean": ("DSI's expected NPV (DKK)", "DSI's forventede nutidsværdi (kr.)"),
    "p_npv_negative": ("P(NPV < 0)", "P(nutidsværdi < 0)"),
    "p_stop": ("P(the gate stops the contract)", "P(porten stopper kontrakten)"),
    "payer": ("{payer} pays, expected (DKK)", "{payer} betaler, forventet (kr.)"),
    "saving": (
        "{authority}'s modelled saving, expected (DKK)",
        "{authority}s modellerede besparelse, forventet (kr.)",
    ),
    "share_axis": (
        "share still engaged at the gate's look",
        "andel der stadig deltager ved portens optælling",
    ),
    "share_title": (
        "The look: share engaged per draw",
        "Optællingen: andel der deltager pr. trækning",
    ),
    "threshold": ("threshold {t}", "grænse {t}"),
    "stopped": ("stopped", "stoppet"),
    "continued": ("continued", "fortsat"),
    "npv_axis": (
        "NPV with the gate less without (DKK)",
        "nutidsværdi med porten minus uden (kr.)",
    ),
    "npv_title": (
        "What the gate changes, in the draws it stops",
        "Hvad porten ændrer i de trækninger, den stopper",
    ),
    "note": (
        "± is one Monte Carlo standard error of paired differences (the same worlds with "
        "and without the gate). The dropout model of the look is an assumption: a "
        "constant hazard, so the share still engaged at m months is retention^(m/12).",
        "± er én Monte Carlo-standardfejl for parvise forskelle (de samme verdener med og "
        "uden porten). Frafaldsmodellen bag optællingen er en antagelse: konstant "
        "frafaldsrate, så andelen, der stadig deltager efter m måneder, er "
        "fastholdelse^(m/12).",
    ),
    "count": ("draws", "trækninger"),
}


CATALOGUE: dict[str, dict] = {
    "plot": _PLOT,
    "report": _REPORT,
    "design": _DESIGN,
    "prior": _PRIOR,
    "dist": _DIST,
    "pool": _POOL,
    "pool_param": _POOL_PARAM,
    "pool_text": _POOL_TEXT,
    "wellby_fan": _WELLBY_FAN,
    "engine": _ENGINE,
    "decide": _DECIDE,
    "wellby": _WELLBY,
    "dist_arg": _DIST_ARG,
    "fund": _FUND,
    "monitor": _MONITOR,
    "learn": _LEARN,
    "gate": _GATE,
    "html": _HTML,
}


def word(sect: str, key: str, lang: str = "en", **values):
    """``CATALOGUE[sect][key]`` in ``lang`` (``"en"`` or ``"da"``), ``{name}`` from ``values``."""
    en, da = CATALOGUE[sect][key]
    text = da if lang == "da" else en
    return text.format(**values) if values and isinstance(text, str) else text


def section(sect: str):
    """A lookup ``(key, lang, **values) -> str`` bound to one section."""
    table = CATALOGUE[sect]

    def lookup(key: str, lang: str = "en", **values):
        en, da = table[key]
        text = da if lang == "da" else en
        return text.format(**values) if values and isinstance(text, str) else text

    lookup.table = table  # type: ignore[attr-defined]
    return lookup
