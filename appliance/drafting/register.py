"""From speech to report language, step three: the register of a social report.

Colloquial words get their report word ("ma" -> "moeder"), interjections and vocatives go,
and a sentence that still reads as conversation (a question, first or second person, a
placeholder for a person) is recognised, so it is never placed as if it were a statement.
"""

from __future__ import annotations

import re

# Spoken Flemish -> the word a report uses. Only whole words; the verifier accepts the
# report word wherever the source has the spoken one.
LEXICON = {
    "ma": "moeder", "mama": "moeder", "moeke": "moeder", "pa": "vader", "papa": "vader",
    "vake": "vader", "bomma": "grootmoeder", "oma": "grootmoeder", "meme": "grootmoeder",
    "bompa": "grootvader", "opa": "grootvader", "pepe": "grootvader", "nonkel": "oom",
    "tante": "tante", "lief": "partner", "vriendje": "partner", "maten": "vrienden",
    "maat": "vriend", "kuis": "schoonmaak", "poets": "schoonmaak", "niks": "niets",
    "iets of wat": "iets", "goesting": "zin", "rap": "snel", "efkes": "even", "eens": "eens",
    "centen": "geld", "da's": "dat is", "'t": "het", "zijt": "bent", "hebde": "hebt",
    "kunde": "kunt", "ne": "een", "nen": "een", "den": "de", "ons ma": "moeder",
    "ons pa": "vader", "seffens": "straks", "nu en dan": "soms", "denk ik": "vermoedelijk",
    "denk ik toch": "vermoedelijk", "ik denk": "vermoedelijk", "normaal": "gewoonlijk",
}
INTERJECTIONS = ("haha", "hahaha", "hihi", "oké", "okee", "ok", "hé", "he", "tja", "ach", "oei", "pff",
                 "goh", "awel", "amai", "allee", "ja hoor", "dus ja", "merci", "bon", "voilà",
                 "ocharme", "zulle", "trouwens", "eigenlijk", "of zo", "en zo", "ofzo", "zeker weten",
                 "natuurlijk", "gewoon", "eerlijk gezegd", "weet je", "weet ge", "zie je")
_INTERJECTION = re.compile(r"(?i)(?<![\w-])(?:" + "|".join(re.escape(w) for w in INTERJECTIONS) + r")(?![\w-])[ ,!]*")
_WORD = re.compile(r"(?i)(?<![\w'])(" + "|".join(sorted((re.escape(k) for k in LEXICON), key=len, reverse=True))
                   + r")(?![\w'])")
# What report_quality-style reading counts as conversation, and a report never carries.
SPOKEN = {
    "question": re.compile(r"\?"),
    "filler": re.compile(r"(?i)\b(euh|ehm|amai|allee|hé|he|zeg|oké|okee|ja hoor|tja|ach|oei|merci|pff|goh|awel"
                         r"|dus ja|haha)\b"),
    "person": re.compile(r"(?i)\b(ik|mij|me|mijn|we|wij|ons|onze|jij|je|jou|jouw|u|uw|jullie|gij|ge)\b"),
    "placeholder": re.compile(r"(?i)\b(zijn of haar|hij of zij|men)\b"),
    "self_correction": re.compile(r"(?i)\b(nee,? wacht|ik bedoel|sorry,)\b"),
}
HYPOTHETICAL = re.compile(r"(?i)\b(als|indien|mocht)\b[^.!?]*\b(zou|zouden|zou ik|zou hij|zou ze)\b"
                          r"|\b(zou|zouden)\b[^.!?]*\bals\b")


_LEVEL = re.compile(r"\b([ABC]) ?-?(1|2|een|één|twee)\b")
_LEVEL_DIGIT = {"1": "1", "een": "1", "één": "1", "2": "2", "twee": "2"}


def report_words(text: str) -> str:
    """Colloquial words replaced by their report word, case kept at the start; language levels
    written as levels ("A twee" -> "A2")."""
    text = _LEVEL.sub(lambda m: m.group(1) + _LEVEL_DIGIT[m.group(2)], text)
    def swap(match: re.Match[str]) -> str:
        word = LEXICON[match.group(1).lower()]
        return word[0].upper() + word[1:] if match.group(1)[:1].isupper() else word
    return _WORD.sub(swap, text)


def report_equivalents(source: str) -> set[str]:
    """The report words that may stand for what a source says (for the verifier)."""
    levels = {m.group(1).lower() + _LEVEL_DIGIT[m.group(2)] for m in _LEVEL.finditer(source)}
    return levels | {w for match in _WORD.finditer(source) for w in LEXICON[match.group(1).lower()].split()}


def drop_interjections(text: str) -> str:
    """Remove interjections and discourse words ("amai", "oké", "haha") from a sentence."""
    text = _INTERJECTION.sub(" ", text)
    text = re.sub(r"(?i)^zeg\b[, ]*|,\s*zeg\s*(?=[.!?]|$)", "", text)  # "zeg" as interjection, not as verb
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = re.sub(r"([,;:])\s*(?=[,.!?;:])", "", text)
    text = re.sub(r"\s{2,}", " ", text)
    text = re.sub(r"^[\s,;:.!]+", "", text).strip(" ,;:")
    return text[0].upper() + text[1:] if text else text


def spoken_marks(text: str) -> list[str]:
    """Which marks of conversation a sentence still carries; empty for report language."""
    return [name for name, pattern in SPOKEN.items() if pattern.search(text)]


def is_hypothetical(sentence: str) -> bool:
    """'Als ik dat werk zou krijgen, ...': a condition, never a fact for the report."""
    return HYPOTHETICAL.search(sentence) is not None


def trails_off(sentence: str) -> bool:
    """A sentence broken off ("die kan zelf de deur opendoen als hij...")."""
    return sentence.rstrip().endswith(("...", "…"))


SMALL_TALK = re.compile(
    r"(?i)^(?:(?:ja|nee|oké|goed)[,.]?\s+)?(?:dag|daag|goeiemorgen|goeiedag|goeiemiddag|goedemorgen|goedemiddag|hallo|"
    r"salut|welkom|tot (?:dan|ziens|straks|later|de \w+|\d+ \w+|volgende \w+|maandag|dinsdag|woensdag|donderdag|"
    r"vrijdag|zaterdag)|dank\b|bedankt|merci|komt? .{0,20}binnen|proficiat|"
    r"\w+ heeft (?:\w+ ){0,3}(?:geen|niet) (?:\w+ ){0,3}vragen|heb(?:t|ben)? .{0,20}nog vragen)")


def is_small_talk(sentence: str) -> bool:
    """Greetings, thanks and goodbyes ("Tot dan, mevrouw Claeys."): nothing for the report."""
    return SMALL_TALK.match(sentence.strip()) is not None
