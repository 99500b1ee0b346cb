"""The fund report's words (moved into simrisk.core.words' catalogue as section "fund")."""

FUND = {
    "title": ("{name}: the fund's risk", "{name}: fondens risiko"),
    "subject": (
        "The fund's loss distribution, who carries its tail, and the candidate deal",
        "Fondens tabsfordeling, hvem der bærer halen, og den foreslåede investering",
    ),
    "contents": ("Contents", "Indhold"),
    "p_decision": ("The decision: the fund with and without the deal", "Beslutningen: fonden med og uden investeringen"),
    "decision_title": ("Does the deal make the fund's tail worse?", "Gør investeringen fondens hale værre?"),
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
    "without": ("without the deal", "uden investeringen"),
    "with": ("with the deal", "med investeringen"),
    "change": ("change (± MC error)", "ændring (± MC-fejl)"),
    "expected_loss": ("expected loss", "forventet tab"),
    "es_99": ("expected shortfall 99%", "forventet tab i værste 1 %"),
    "var_99": ("value at risk 99%", "tabsgrænse 99 % (VaR)"),
    "es_99_per_capital": ("shortfall 99% per krone invested", "værste-1 %-tab pr. investeret krone"),
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
        "Investeringer, som simrisk ikke har modelleret, indgår som skøn over den tilbagebetalte "
        "andel (antagelser, se sidste side); tab er udiskonteret kapital, der ikke kommer tilbage, "
        "efter garantier.",
    ),
    "loss_title": ("The fund's loss", "Fondens tab"),
    "loss_hist": ("Distribution of the fund's loss", "Fordeling af fondens tab"),
    "loss_axis": ("fund loss after guarantees (mio DKK)", "fondens tab efter garantier (mio. kr.)"),
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
    "p10_axis": ("P(loss above 10% of capital) (%)", "P(tab over 10 % af kapitalen) (%)"),
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
