"""Dutch finite verbs: from the speaker's form ("ik heb", "bent u", "heb je") to the third
person singular a report uses ("heeft", "is").

Only forms this module knows are changed; an unknown word is left as it was, because a
wrong verb is worse than an unchanged one.
"""

from __future__ import annotations

IRREGULAR = {
    "ben": "is", "bent": "is", "heb": "heeft", "hebt": "heeft", "kan": "kan", "kun": "kan",
    "kunt": "kan", "wil": "wil", "wilt": "wil", "zal": "zal", "zul": "zal", "zult": "zal",
    "mag": "mag", "moet": "moet", "ga": "gaat", "sta": "staat", "doe": "doet", "zie": "ziet",
    "sla": "slaat", "weet": "weet", "hoef": "hoeft", "kom": "komt", "word": "wordt",
}
PAST = {
    "was", "had", "zou", "kon", "wou", "wilde", "moest", "mocht", "ging", "kwam", "kreeg", "zag",
    "vond", "deed", "wist", "dacht", "bracht", "kocht", "zocht", "nam", "gaf", "bleef", "liep",
    "schreef", "sprak", "las", "zat", "lag", "stond", "begon", "hield", "viel", "liet", "sliep",
    "at", "dronk", "vroeg", "werd", "hoefde", "belde", "woonde", "werkte", "betaalde", "huurde",
    "leerde", "volgde", "probeerde", "stopte", "ontving", "verdiende", "kende", "trok", "reed",
}
# Present-tense stems (first person singular) of verbs that come up in these conversations.
STEMS = {
    "werk", "woon", "betaal", "huur", "zoek", "vind", "denk", "hoop", "probeer", "breng", "bel",
    "stuur", "maak", "leer", "volg", "help", "koop", "neem", "geef", "laat", "blijf", "hou",
    "houd", "lees", "schrijf", "slaap", "eet", "loop", "rij", "zit", "lig", "spreek", "vraag",
    "verdien", "ontvang", "krijg", "spaar", "leen", "gebruik", "teken", "regel", "begin", "stop",
    "wacht", "zorg", "haal", "kook", "studeer", "solliciteer", "slaag", "mail", "download",
    "snap", "begrijp", "voel", "kies", "hoor", "mis", "zeg", "ken", "leg", "plan", "bezorg",
    "vul", "bekijk", "contacteer", "bespreek", "onderzoek", "verhuis", "trek", "stel",
    "noteer", "schat", "twijfel", "durf", "ga", "kom", "sta", "doe", "zie", "laad", "hang",
    "beloof", "vertel", "bezoek", "vergeet", "herinner", "weet", "heb", "ben", "kan",
    "wil", "zal", "mag", "moet", "hoef", "word", "spring", "zet", "tel", "geloof", "kijk",
}
SEPARABLE_PREFIXES = ("rond", "op", "af", "aan", "mee", "terug", "in", "uit", "door", "na", "voor",
                      "over", "weg", "bij", "toe", "vast", "samen", "binnen", "thuis", "langs")


def is_known_verb(word: str) -> bool:
    """Whether `word` is a finite verb form this module can put in the third person."""
    word = word.lower()
    if word in IRREGULAR or word in PAST or word in STEMS:
        return True
    if word.endswith("t") and word[:-1] in STEMS:
        return True  # "u werkt", "je neemt"
    return any(word.startswith(p) and word[len(p):] in STEMS for p in SEPARABLE_PREFIXES)


def third_person(word: str) -> str:
    """The third-person singular of a known first/second-person form; unknown words unchanged."""
    lower = word.lower()
    result = _third(lower)
    if result is None:
        return word
    return result[0].upper() + result[1:] if word[:1].isupper() else result


def _third(lower: str) -> str | None:
    if lower in IRREGULAR:
        return IRREGULAR[lower]
    if lower in PAST:
        return lower
    if lower in STEMS:
        return lower if lower.endswith("t") else lower + "t"
    if lower.endswith("t") and lower[:-1] in STEMS:
        return lower
    for prefix in SEPARABLE_PREFIXES:
        if lower.startswith(prefix):
            rest = _third(lower[len(prefix):]) if lower[len(prefix):] in STEMS | set(IRREGULAR) else None
            if rest is not None:
                return prefix + rest
    return None
