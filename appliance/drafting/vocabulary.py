"""General OCMW vocabulary per section id, shared by every template that has the section.

Templates carry the cue words of their own form; these are the words social workers and
clients use for the same topics in any conversation (household, housing, income, debts,
work, health, network, agreements, documents), so that other phrasings land in the right
section too. Matched like template cues: a phrase counts 2, a word (or word start) 1.
"""

from __future__ import annotations

GENERAL_CUES: dict[str, tuple[str, ...]] = {
    "hulpvraag": ("wat brengt jullie", "wat brengt je", "waarom kom", "waarvoor kom", "wil vragen", "vragen of"),
    "gezinssituatie": ("moeder", "stiefvader", "stiefmoeder", "halfzus", "halfbroer", "baby", "zwanger",
        "verblijfskaart", "verblijf", "weduw", "overleden", "wie woont", "met hoeveel", "woont bij", "thuis wonen",
        "samen sinds", "gezinshereniging"),
    "huisvesting": ("sociaal appartement", "huurhuis", "privé-eigenaar", "woonmaatschappij", "sociale huisvesting"),
    "inkomen": ("weduwepensioen", "premie", "toelage", "leefgeld", "bruto", "verdient", "indexering", "pensioen",
        "verrekend", "verdiend", "gekregen", "ziekte-uitkering", "werkloosheid"),
    "uitgaven_schulden": ("incasso", "boete", "achterstallig", "abonnement", "openstaand", "betalingsplan",
        "schuldbemiddel", "afbetal"),
    "werk_opleiding": ("rijbewijs", "getuigschrift", "bso", "tso", "hogeschool", "universiteit", "stage",
        "jobstudent", "chauffeur", "ploegen", "halftijds", "verkoper", "verkoopster",
        "schoonma", "poets", "tweedekans", "studeert", "studeer", "vacature", "nederlands", "nt2", "cvo", "niveau",
        "examen", "solliciteer", "gesolliciteerd", "interimkantoor", "inburgering", "maatschappelijke oriëntatie"),
    "gezondheid": ("kinesist", "behandeling", "arts", "slaap", "slapen", "depressi", "kinderarts", "specialist",
        "medisch", "kind en gezin", "ziekte", "bij een mutualiteit", "bij de mutualiteit", "ziekenfonds", "medische kaart",
        "apotheek"),
    "sociaal_netwerk": ("kan rekenen", "helpt", "beste vriend", "neef", "nicht", "buur"),
    "afspraken": ("gpmi", "ik maak", "neem contact", "ik neem", "verzoekschrift", "pro deo", "pro-deo", "advocaat",
        "verwijs", "deze week", "schrijf je in", "schrijft zich in", "u gaat", "bezorg", "kopie", "laat weten",
        "laat mij weten", "c4", "vakbond", "stageovereenkomst", "huurovereenkomst"),
    "documenten": ("identiteitskaart", "loonbrie", "inschrijvingsbewijs", "bewijs", "c4", "eindafrekening",
        "uittreksels", "breng ik mee", "brief", "loonfiche", "certificaat", "kasticket", "briefje", "stuurt mij",
        "bezorgt"),
    "stand_van_zaken": ("woont", "woning", "gezondheid", "kinderen", "thuis", "huur", "moeilijk", "pijn", "dokter",
        "schulden", "deurwaarder", "rondgekomen", "rond te komen", "komt u rond", "dochter", "zoon", "vrouw",
        "man "),
    "afspraken_nagekomen": ("afgesproken", "zoals afgesproken", "vorige keer spraken", "is dat gebeurd",
        "nagekomen", "ben geweest", "gebeld", "nog niet gedaan", "nog niet gemaakt", "zijt ge", "bent u naar",
        "hebt u de", "heeft u de"),
    "nieuwe_afspraken": ("volgende keer", "deze week", "ge belt", "u belt", "houdt bij", "hou bij", "stel voor",
        "verder zetten", "verderzetten", "ik vraag", "schrijft zich in", "schrijft u in"),
    "evolutie": ("contract loopt", "loopt tot", "ik werk", "gaat beter", "in het begin", "bij de start",
        "stage begint", "studeer", "kinesist", "behandeling", "arts", "jobstudent", "artikel 60", "artikel zestig", "tewerkstelling",
        "ik doe", "sinds de winter", "doet u nu", "doe je nu", "doet ge nu", "momenteel", "op dit moment"),
    "doelen_bereikt": ("gehaald", "nooit te laat", "op tijd", "tevreden", "doel was", "doelen bij de start",
        "doelen waren"),
    "knelpunten": ("lastig", "moeilijkheden", "opvang", "schulden", "niet gehaald", "pijn", "pendel",
        "huurverhoging", "opgetrokken", "schuldbemiddelaar"),
    "voorstel_verder_traject": ("verderzetten", "verder zetten", "vraag aan de vdab", "opleiding als",
        "na het contract", "na juni", "toekomst", "na april", "opvolgen", "blijft het ocmw"),
}
