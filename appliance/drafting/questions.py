"""A question answered "ja" or "nee" becomes a statement built from the question itself.

"Bent u ingeschreven bij de VDAB?" + "Ja, als werkzoekende." ->
"Cliënt is ingeschreven bij de VDAB, als werkzoekende." Only words of the question and
the answer are used, plus "niet"/"geen" for a "nee".
"""

from __future__ import annotations

import re

WH_WORDS = {"wat", "wie", "waar", "wanneer", "hoe", "hoeveel", "welk", "welke", "waarom", "waarmee",
            "waarvoor", "waarover", "sinds", "tegen", "bij", "met", "voor", "van", "op", "in", "om"}
SINGLE_SUBJECTS = {"cliënt", "cliënte", "hij", "zij", "ze", "er", "het", "dat", "dit", "die", "men",
                   "iemand", "u", "je"}
DETERMINERS = {"de", "het", "een", "hun", "haar", "zijn", "uw", "deze", "die", "dat", "jouw"}
ADVERBS = {"al", "nog", "ook", "wel", "altijd", "soms", "daar", "hier", "nu", "zelf", "meer", "veel",
           "goed", "oké", "dan", "dus", "eigenlijk", "momenteel", "zeker", "ooit", "misschien"}
_ANSWER = re.compile(r"^\s*(ja|jawel|jazeker|nee|neen)\b[\s,.!]*(nog niet\b[\s,.!]*)?", re.IGNORECASE)


def polarity(answer: str) -> tuple[str | None, bool, str]:
    """('ja'|'nee'|None, whether 'nog niet' was said, the rest of the answer)."""
    match = _ANSWER.match(answer)
    if match is None:
        return None, False, answer
    word = "nee" if match.group(1).lower().startswith("ne") else "ja"
    return word, match.group(2) is not None, answer[match.end():].strip()


def is_yes_no_question(question: str) -> bool:
    """A question that starts with its verb ("Heeft u ...?"), not with a question word."""
    words = question.split()
    return bool(words) and question.rstrip().endswith("?") and words[0].lower().strip(",") not in WH_WORDS


def _subject_length(words: list[str]) -> int:
    """How many words after the verb form the subject; 0 when it cannot be told."""
    if not words:
        return 0
    low = [w.lower().strip(",") for w in words]
    if low[:3] == ["de", "maatschappelijk", "werker"]:
        return 6 if low[3:4] == ["en"] else 3
    if low[0] in SINGLE_SUBJECTS:
        return 1
    if low[0] in DETERMINERS and len(words) > 1:
        return 2
    if words[0][:1].isupper():
        return 1
    return 0


def _negate(rest: list[str], still: bool) -> list[str]:
    """Insert 'geen' or 'niet' where a Dutch speaker would."""
    prefix = ["nog"] if still else []
    if rest and rest[0].lower() == "nog":
        rest = rest[1:]
    if rest and rest[0].lower() == "al":
        return ["nog", "niet", *rest[1:]]
    for i, word in enumerate(rest[:3]):
        if word.lower() == "een":
            return [*rest[:i], *prefix, "geen", *rest[i + 1:]]
    if rest:
        first = rest[0].lower()
        is_noun_like = first.isalpha() and first not in DETERMINERS and first not in ADVERBS \
            and not first.startswith("ge") and not rest[0][:1].isupper() and first != "andere"
        if is_noun_like or first == "andere":
            return [*prefix, "geen", *rest]
    return [*prefix, "niet", *rest]


def statement_from_question(question: str, answer: str) -> str | None:
    """The statement a ja/nee answer makes of a yes/no question (both already in the third person).

    None when the answer is not a plain ja/nee or the question's subject cannot be found;
    the caller then keeps question and answer side by side.
    """
    word, still, rest_of_answer = polarity(answer)
    if word is None or not is_yes_no_question(question):
        return None
    words = question.rstrip(" ?").split()
    length = _subject_length(words[1:])
    if length == 0:
        return None
    verb, subject, rest = words[0].lower(), words[1:1 + length], words[1 + length:]
    if word == "nee":
        rest = _negate(rest, still)
    sentence = " ".join([*subject, verb, *rest])
    sentence = sentence[0].upper() + sentence[1:]
    if rest_of_answer:
        tail = rest_of_answer[0].lower() + rest_of_answer[1:] if not rest_of_answer[:2].isupper() else rest_of_answer
        return f"{sentence}, {tail}"
    return sentence + "."
