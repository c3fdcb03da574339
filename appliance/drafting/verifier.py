"""The verifier: a draft sentence may only say what its cited segments say.

Checks, each giving a `Violation`:
- uncited   no citation, or one that names no segment of the transcript
- number    a number (amount, date, count) not said in the cited segments
- name      a capitalised word (name, place, organisation) not in the cited segments
- term      any other word that is not in the cited segments and not a word the
            rewriting rules add ("cliënt", "niet", a third-person verb form, ...)
- modality  a decision or certainty word the source only says negated or hedged
            ("nog niet beslist") that the sentence states without the negation
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from appliance.draft import Sentence
from appliance.drafting.forms import FORM_WORDS
from appliance.drafting.numbers import cardinal, numbers_in, ordinal
from appliance.drafting.people import RELATIONS
from appliance.drafting.register import report_equivalents
from appliance.drafting.verbs import third_person
from appliance.transcript import Transcript

ViolationKind = Literal["uncited", "number", "name", "term", "modality"]

# Words the rewriting rules may add: person shift, yes/no statements, joins.
REWRITE_WORDS = {
    "cliënt", "cliënte", "de", "maatschappelijk", "werker", "en", "zijn", "haar", "of", "hun", "men",
    "zichzelf", "zij", "het", "geen", "niet", "nog", "er", "is", "heeft", "kan", "wil", "zal",
    "gaat", "staat", "doet", "ziet", "hoeft", "komt", "wordt", "hem", "hij", "ste", "euro",
    "diens", "van", "al", "dan", "zich", "vraagt",
}
DECISION_WORDS = ("beslist", "beslissen", "beslissing", "beloven", "beloofd", "toegekend", "goedgekeurd",
                  "geweigerd", "afgewezen", "toegestaan", "aanvaard", "zeker", "geregeld", "gelukt",
                  "lukt", "definitief", "gegarandeerd", "krijgt", "recht")
NEGATIONS = ("niet", "geen", "nooit", "nog niet", "misschien", "weet niet", "weten", "onzeker", "of")


@dataclass(frozen=True)
class Violation:
    """One reason a sentence is not backed by its source."""

    kind: ViolationKind
    detail: str


def _words(text: str) -> list[str]:
    return re.findall(r"[0-9A-Za-zÀ-ÿ]+", text)


def _negated(words: list[str], index: int) -> bool:
    window = " ".join(words[max(0, index - 5):index]).lower()
    return any(re.search(rf"\b{n}\b", window) for n in NEGATIONS)


def _allowed_words(source: str, form: bool = False) -> set[str]:
    allowed = set(REWRITE_WORDS) | (FORM_WORDS if form else set()) | report_equivalents(source)
    for word in _words(source.lower()):
        allowed |= {word, word + "t", third_person(word).lower()}
        if word in RELATIONS:
            allowed.add(RELATIONS[word][0])
        if word.endswith("t"):
            allowed.add(word[:-1])
    return allowed


def _is_number_word(word: str) -> bool:
    return word.isdigit() or cardinal(word) is not None or ordinal(word) is not None \
        or re.fullmatch(r"\d+(ste|de|e|u|h)", word) is not None


def verify_text(text: str, source: str, form: bool = False) -> list[Violation]:
    """Check a sentence's text against the text of the segments it cites; `form`: the text is
    a fixed sentence form, whose own words are allowed (its values must still be in the source)."""
    violations: list[Violation] = []
    extra = numbers_in(text) - numbers_in(source)
    if extra:
        violations.append(Violation("number", f"niet gezegd in de bron: {sorted(extra)}"))
    allowed = _allowed_words(source, form)
    sentence_words = _words(text)
    for index, word in enumerate(sentence_words):
        low = word.lower()
        if low in allowed or _is_number_word(low):
            continue
        kind: ViolationKind = "name" if word[:1].isupper() and index > 0 else "term"
        violations.append(Violation(kind, f"niet in de bron: {word!r}"))
    source_words = [w.lower() for w in _words(source)]
    lowered = [w.lower() for w in sentence_words]
    for index, word in enumerate(lowered):
        if word not in DECISION_WORDS or _negated(lowered, index) or (form and word in FORM_WORDS):
            continue  # a form's own "beslist" says who decides what is not decided
        positions = [i for i, w in enumerate(source_words) if w == word]
        if positions and all(_negated(source_words, i) for i in positions):
            violations.append(Violation("modality", f"{word!r} is in de bron ontkend of onzeker"))
    return violations


def verify_sentence(sentence: Sentence, transcript: Transcript, form: bool = False) -> list[Violation]:
    """All violations of one draft sentence against the transcript segments it cites."""
    if not sentence.citations:
        return [Violation("uncited", "geen bronvermelding")]
    sources = []
    for citation in sentence.citations:
        try:
            segment = transcript.segment(citation.segment)
        except KeyError:
            return [Violation("uncited", f"onbekend segment {citation.segment!r}")]
        if citation.end <= citation.start:
            return [Violation("uncited", f"ongeldige tijdspanne voor {citation.segment!r}")]
        sources.append(segment.text)
    return verify_text(sentence.text, " ".join(sources), form)
