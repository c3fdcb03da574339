"""A client's turn read as statements: the answer to the worker's question made one
statement with it, asides and conditions set apart, an interpreter's reported speech
made the client's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appliance.drafting.people import interpreted_subject, reported_speech
from appliance.drafting.questions import (
    is_fragment,
    is_yes_no_question,
    polarity,
    statement_from_question,
    statement_from_wh,
)
from appliance.drafting.register import is_hypothetical, is_small_talk, trails_off
from appliance.drafting.sections import SectionCues
from appliance.drafting.speech import content_words, is_acknowledgement

ASIDE = "Terzijde zonder gegeven voor een rubriek van het sjabloon."
HYPOTHETICAL = "Een veronderstelling ('als ... zou'), geen vaststelling."
CLIENT_QUESTION = "Vraag van cliënt aan de maatschappelijk werker."
INTERPRETER = "Woorden van de tolk zelf, geen gegeven over cliënt."
SMALL_TALK = "Begroeting, dank of afscheid."
BARE = "Kort antwoord zonder gegeven voor het verslag."


_ASIDE_MARK = re.compile(r"(?i)\b(trouwens|haha|hihi|overigens)\b|!$")


@dataclass
class Statement:
    """One statement from a client turn, or a reason why it is left out."""

    text: str
    uses_question: bool = False
    left_out: str | None = None
    spoken: str = ""


_TAG_QUESTION = re.compile(r"^(?:[^:?]*:\s*)?(.+?),\s*(?:klopt dat|is dat juist|is dat zo|toch|niet)\s*\?$", re.IGNORECASE)
_OTHER_PERSON = re.compile(r"(?i)\b(partner|man|vrouw|moeder|vader|zoon|dochter|kinderen|broer|zus|hij|zij|ze)\b")
_NONE_OF = re.compile(r"^(?:(?:nee|neen),?\s+)?((?:nog |helemaal )?geen\s+[\w\s-]+?)\.?$", re.IGNORECASE)


def answer_statement(question: str, answer: str, client: str = "cliënt") -> tuple[str, bool]:
    """(statement, whether the question's words are in it) for the first sentence of an answer."""
    none_of = _NONE_OF.match(answer)
    to_client = not is_yes_no_question(question) or re.match(r"(?i)^\w+ cliënte?\b", question) is not None
    if none_of is not None and len(none_of.group(1).split()) <= 5 and to_client \
            and not _OTHER_PERSON.search(question) and not re.search(r"(?i)\bgeen (idee|probleem|dank)", answer):
        # "Geen nieuwe schulden." - the client has none: a statement of its own, not the question's verb.
        return f"{client[0].upper()}{client[1:]} heeft {none_of.group(1).lower()}.", False
    word, _still, rest = polarity(answer)
    tagged = _TAG_QUESTION.match(question)
    if word == "ja" and tagged is not None and not is_fragment(tagged.group(1)):
        # "U heeft in februari vier dagen gewerkt, klopt dat?" - "Ja.": the worker's statement, confirmed.
        said = tagged.group(1)
        confirmed = f"{said[0].upper()}{said[1:]}" + (f", {rest[0].lower()}{rest[1:]}" if rest else ".")
        return confirmed if confirmed.endswith(".") else confirmed + ".", True
    anaphoric = re.match(r"(?i)(dat|die|dit|het|daar|ze|hij)\b", rest or "") is not None
    if word is not None and rest and not is_fragment(rest) and not anaphoric:
        return rest[0].upper() + rest[1:], False  # "Ja, ik werk halftijds." stands on its own
    made = statement_from_question(question, answer) or statement_from_wh(question, answer)
    if made is not None:
        return re.sub(r"\b(\d+) er\b", r"er \1", made), True  # "heeft er 4 gedaan", not "heeft 4 er gedaan"
    head, comma, tail = answer.partition(", ")
    if comma and is_fragment(head):
        made = statement_from_wh(question, head + ".")
        if made is not None:  # "Goed, dat is in orde." -> "Het gaat goed met ..., dat is in orde."
            return f"{made.rstrip('.')}, {tail}", True
    return answer, False


_DATES = re.compile(r"(?i)\b(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
                    r"december|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)\b")
_CONTINUES = re.compile(r"(?i)^(en\s+)?(met|in|bij|op|voor|van|sinds|tot|via|tegen|vanaf|zonder|rond|na)\b")


LONG_WORDS = True


def _is_bare(sentence: str, cues: SectionCues) -> bool:
    """'Ah, daarom.', 'Dat lukt.': a few words that state nothing on their own."""
    return len(re.findall(r"\w+", sentence)) <= 5 and not _has_substance(sentence, cues) \
        and re.match(r"(?i)\W*(dat|dit|die|het|ah|oh|ja|nee|zo|goed|da|ik hoop|hij hoopt|ze hoopt)\b", sentence) is not None


def _has_substance(sentence: str, cues: SectionCues) -> bool:
    """A cue word, a number, a date, a name or a long (domain) word: something a report may need."""
    words = re.findall(r"[\wëéèïö-]+", sentence)
    return bool(cues.score(sentence)) or re.search(r"\d|(?i:\b(niets|niks|geen)\b)", sentence) is not None \
        or _DATES.search(sentence) is not None \
        or any(w[:1].isupper() for w in words[1:]) or (LONG_WORDS and any(len(w) >= 8 for w in words))


ANAPHORIC_QUESTION = re.compile(r"(?i)^(?:(?:is|was|heeft|hebt|lukt|lukte|ging) (?:dat|die)\b|(?:is|was) het gelukt"
                                r"|hoe (?:is|was|staat|ging|gaat) (?:het|dat) (?:daar)?mee\b|hoe (?:is|was) dat gegaan)")


_FRONTED = re.compile(r"^(Die|Dat|Dit) (is|heeft|was|had) (cliënte?|hij|zij) (\w+)([.,].*)?$")


def subject_first(text: str) -> str:
    """'Die is cliënte vergeten.' -> 'Cliënte is die vergeten.': the report names the subject first."""
    match = _FRONTED.match(text)
    if match is None:
        return text
    subject = match.group(3)
    return f"{subject[0].upper()}{subject[1:]} {match.group(2)} {match.group(1).lower()} {match.group(4)}{match.group(5) or '.'}"


def client_statements(sentences: list[str], shifted: list[str], question: str | None, cues: SectionCues,
                      interpreter: bool, client: str) -> list[Statement]:
    """Statements of one client turn: `sentences` as spoken (cleaned), `shifted` in the third person."""
    if len(sentences) > 1 and trails_off(sentences[0]) and re.match(r"(?i)(ja|nee|neen)\b", sentences[1]):
        sentences, shifted = sentences[1:], shifted[1:]  # "Mutualiteit... nee.": the echo goes, the answer stays
    leans_back = question is not None and ANAPHORIC_QUESTION.match(question) is not None
    out: list[Statement] = []
    first = True
    for position, (spoken, text) in enumerate(zip(sentences, shifted, strict=True)):
        if interpreter:
            reported = reported_speech(text, client)
            if reported is None and re.match(r"(?i)^((ja|nee|oké|goed),?\s+)?(ik|mijn)\b", spoken):
                out.append(Statement(text, left_out=INTERPRETER, spoken=spoken))
                continue
            text = interpreted_subject(reported, client) if reported is not None else interpreted_subject(text, client)
            if not text or is_acknowledgement(text):
                continue
        if text.endswith("?"):
            out.append(Statement(text, left_out=CLIENT_QUESTION, spoken=spoken))
            continue
        if is_small_talk(spoken) or is_small_talk(text):
            out.append(Statement(text, left_out=SMALL_TALK, spoken=spoken))
            continue
        if is_hypothetical(spoken):
            out.append(Statement(text, left_out=HYPOTHETICAL, spoken=spoken))
            continue
        if first and question is not None:
            made, uses = answer_statement(question, text, client)
            if is_small_talk(made):
                out.append(Statement(made, left_out=SMALL_TALK, spoken=spoken))
                first = False
                continue
            if not uses and _is_bare(spoken, cues) and not leans_back:
                out.append(Statement(text, left_out=BARE, spoken=spoken))
                continue
            out.append(Statement(made, uses, spoken=spoken))
            first = False
            continue
        if is_acknowledgement(spoken):
            continue
        if _is_bare(spoken, cues):
            out.append(Statement(text, left_out=BARE, spoken=spoken))
            continue
        continues = (_CONTINUES.match(spoken) and is_fragment(text)) or re.match(r"\d", text) is not None \
            or (re.match(r"(?i)^(of|en|maar ook)\s+\w+", text) is not None and len(text.split()) <= 3) \
            or re.match(r"(?i)^(het|dat) (is|was) (nu )?(ongeveer )?\d", text) is not None
        if out and out[-1].left_out is None and continues and not trails_off(spoken) and not _ASIDE_MARK.search(spoken):
            # "Mijn uitkering is gestopt. Op één maart.": the fragment completes the sentence before.
            out[-1].text = f"{out[-1].text.rstrip('.')}, {text[0].lower()}{text[1:]}"
            continue
        if not first and (trails_off(spoken) or _ASIDE_MARK.search(spoken) or not _has_substance(spoken, cues)):
            out.append(Statement(text, left_out=ASIDE, spoken=spoken))
            continue
        first = False
        out.append(Statement(text, spoken=spoken))
    return out


def echoes(sentence: str, source: str, share: float = 0.6) -> bool:
    """Whether a sentence only repeats what `source` said (a worker's summary, a client's read-back)."""
    words = content_words(sentence) - {"cliënt", "cliënte", "de", "het", "een", "van", "is", "en", "euro"}
    if not words:
        return True
    return len(words & content_words(source)) / len(words) >= share
