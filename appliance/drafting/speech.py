"""From speech to report language, step one: drop fillers and repetitions, resolve
self-corrections, write numbers as digits and split an utterance into sentences.

Each step removes or rewrites only what the speaker said; nothing is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from appliance.drafting.numbers import MONTHS, to_digits

FILLERS = ("euh", "eh", "uh", "ehm", "uhm", "uhu", "hm", "hmm", "mm", "mmm")
DISCOURSE_FILLERS = ("eerlijk gezegd", "ge weet wel", "weet je wel", "zeg maar", "allee", "amai",
                     "awel", "enfin", "hè", "zulle", "ofzo", "of zo")
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
# Words that, on their own, only greet, thank or agree.
ACK_WORDS = {
    "ja", "nee", "oké", "ok", "goed", "merci", "dank", "u", "wel", "dag", "daag", "tot", "ziens", "prima",
    "perfect", "fijn", "akkoord", "natuurlijk", "graag", "gedaan", "zeker", "dat", "is", "klopt", "juist",
    "inderdaad", "mevrouw", "meneer", "welkom", "hallo", "goeiemorgen", "goeiemiddag", "goedemorgen",
    "herkenbaar", "begrijp", "het", "ik", "ken", "snap", "oei", "ah", "oh", "bedankt", "dankjewel", "weet",
    "zet", "maar", "te", "horen", "om", "proficiat", "super", "mooi", "hoor", "oeps", "sorry",
}
# Words that may stand twice in a row in correct Dutch ("dat dat", "die die").
_MAY_REPEAT = {"dat", "die", "had", "was", "is", "en", "van", "de", "het"}
_STOP = {"dus", "hè", "ja", "nee", "zeg", "toch", "hoor", "ook", "wel", "maar", "en", "he", "zo"}
# "nee, wacht," also when recognition mishears the "nee" ("nij, wacht,"): a short word and
# "wacht" set off by commas still take the value back; "ik wacht 2 weken" does not.
_MARKER = (r"(?:\b(?:nee|neen|sorry|pardon|ik bedoel|of nee)\b[,.!]?\s*(?:wacht\b[,.!]?\s*)?"
           r"|(?:\b\w{1,4}[,.!]?\s+)?\bwacht[,.!]\s*)")
_NUMBER_FIX = re.compile(_MARKER + r"(?=\d)", re.IGNORECASE)
_WORD_FIX = re.compile(r"\b(\w+)\b(?:\.\.\.|,)?\s*" + _MARKER + r"(\w+)\b", re.IGNORECASE)
_FALSE_START = re.compile(r"(^|(?<=[.!?])\s+)([^.!?]{1,40}?)\.\.\.\s*(?:nee|neen)\b[,.!]?\s*(?:wacht\b[,.!]?\s*)?",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Correction:
    """A value the speaker took back and the value that replaced it."""

    retracted: str
    replacement: str
    unit: str | None = None


@dataclass
class CleanUtterance:
    """An utterance in report-ready words: its sentences, and what was taken back."""

    sentences: list[str] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)


def drop_fillers(text: str) -> str:
    """Remove hesitations ("euh") and empty discourse words ("allee", "hè"), keep the rest."""
    words = "|".join(re.escape(w) for w in FILLERS + DISCOURSE_FILLERS)
    text = re.sub(rf"(?i)(?<![\w-])(?:{words})(?![\w-])[ ,]*", "", text)
    text = re.sub(r"(?i),\s*zeg\s*([.!?])", r"\1", text)  # "het is warm, zeg."
    text = re.sub(r"(?i),?\s*en zo\s*([.!?])", r"\1", text)
    return _tidy(text)


def drop_repetitions(text: str) -> str:
    """Collapse a word said twice in a row ("rap rap", "goed, goed") to one."""
    def once(match: re.Match[str]) -> str:
        return match.group(0) if match.group(1).lower() in _MAY_REPEAT else match.group(1)
    return re.sub(r"(?i)\b(\w+)\b[ ,]+\1\b", once, text)


def resolve_corrections(text: str) -> tuple[str, list[Correction]]:
    """Keep only the corrected value: "800, nee wacht, 750 euro" -> "750 euro"."""
    corrections: list[Correction] = []
    while True:
        marker = _NUMBER_FIX.search(text)
        if marker is None:
            break
        before = list(re.finditer(r"\d+", text[: marker.start()]))
        after = re.match(r"\d+", text[marker.end():])
        if not before or after is None or marker.start() - before[-1].end() > 60:
            text = text[: marker.start()] + text[marker.end():]
            continue
        num1, num2 = before[-1], after.group()
        between = text[num1.end(): marker.start()]
        between_words = re.findall(r"\w+", between)
        rest = text[marker.end() + len(num2):]
        if between_words:
            head = between.rstrip(" .,;!?")
            for word in between_words:
                rest = re.sub(rf"(?i)^\s*{re.escape(word)}\b", "", rest, count=1)
        else:
            head = ""
        corrections.append(Correction(num1.group(), num2, between_words[0].lower() if between_words else None))
        text = text[: num1.start()] + num2 + head + rest
    text, word_fixes = _resolve_word_corrections(text)
    return _tidy(text), corrections + word_fixes


def _resolve_word_corrections(text: str) -> tuple[str, list[Correction]]:
    """A weekday or month taken back for another: "dinsdag, nee wacht, woensdag" -> "woensdag"."""
    fixes: list[Correction] = []

    def swap(match: re.Match[str]) -> str:
        old, new = match.group(1).lower(), match.group(2).lower()
        for kind in (WEEKDAYS, MONTHS):
            if old in kind and new in kind:
                fixes.append(Correction(old, new))
                return match.group(2)
        return match.group(0)

    text = _WORD_FIX.sub(swap, text)
    text = _FALSE_START.sub(lambda m: m.group(1), text)
    return text, fixes


def split_sentences(text: str) -> list[str]:
    """Split on sentence ends; each sentence starts with a capital letter."""
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    sentences = []
    for part in parts:
        part = part.strip(" ,;")
        if re.search(r"\w", part):
            sentences.append(part[0].upper() + part[1:])
    return sentences


def content_words(sentence: str) -> set[str]:
    """Lower-case words that carry content (discourse particles left out)."""
    return {w for w in re.findall(r"\w+", sentence.lower()) if w not in _STOP}


def is_acknowledgement(sentence: str) -> bool:
    """A sentence that only greets, thanks or agrees ("Ja, dat klopt."): nothing for a report."""
    words = content_words(sentence)
    return not words or words <= ACK_WORDS


def clean_utterance(text: str) -> CleanUtterance:
    """All cleaning steps on one utterance, in order."""
    text = re.sub(r"(?<!\[)…", "...", text)  # "[…]" is a gap left for an unsure number
    text = drop_repetitions(drop_fillers(text))
    text, corrections = resolve_corrections(to_digits(text))
    result = CleanUtterance(corrections=corrections)
    seen: set[str] = set()
    for sentence in split_sentences(text):
        words = content_words(sentence)
        if any(_restates(sentence, c) for c in corrections):
            result.superseded.append(sentence)
            continue
        if words and len(words) <= 4 and words <= seen:
            continue  # a repetition ("Zevenhonderdvijftig." after "750 euro")
        seen |= words
        result.sentences.append(sentence)
    return result


def _restates(sentence: str, correction: Correction) -> bool:
    """Whether a later sentence repeats the value that was taken back, with its unit."""
    if correction.unit is None:
        return False
    return re.search(rf"(?i)\b{re.escape(correction.retracted)}\s+{re.escape(correction.unit)}\b", sentence) is not None


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([,.!?])", r"\1", text)
    text = re.sub(r",\s*([,.!?])", r"\1", text)
    text = re.sub(r"([.!?])\s*,", r"\1", text)
    text = re.sub(r"^[\s,]+", "", text)
    return re.sub(r"\s{2,}", " ", text).strip()
