"""A question answered "ja" or "nee" becomes a statement built from the question itself.

"Bent u ingeschreven bij de VDAB?" + "Ja, als werkzoekende." ->
"Cliënt is ingeschreven bij de VDAB, als werkzoekende." Only words of the question and
the answer are used, plus "niet"/"geen" for a "nee".
"""

from __future__ import annotations

import re

from appliance.drafting.verbs import is_known_verb

WH_WORDS = {"wat", "wie", "waar", "wanneer", "hoe", "hoeveel", "welk", "welke", "waarom", "waarmee",
            "waarvoor", "waarover", "sinds", "tegen", "bij", "met", "voor", "van", "op", "in", "om"}
SINGLE_SUBJECTS = {"cliënt", "cliënte", "hij", "zij", "ze", "er", "het", "dat", "dit", "die", "men",
                   "iemand", "u", "je"}
DETERMINERS = {"de", "het", "een", "hun", "haar", "zijn", "diens", "uw", "deze", "die", "dat", "jouw"}
ADVERBS = {"al", "nog", "ook", "wel", "sindsdien", "vroeger", "thuis", "daarvoor", "daarna", "altijd", "soms", "daar", "hier", "nu", "zelf", "meer", "veel",
           "goed", "oké", "dan", "dus", "eigenlijk", "momenteel", "zeker", "ooit", "misschien"}
_ANSWER = re.compile(r"^\s*(ja|jawel|jazeker|nee|neen|nog niet|niets|niks|nooit)\b[\s,.!]*(nog niet\b[\s,.!]*)?",
                     re.IGNORECASE)


_DISLOCATED = re.compile(r"(?i)^(?:en |maar |dus )?((?:de|het|uw|zijn|haar|diens|hun)\b[^?]*?), (\w+) "
                         r"(?:die|dat|ze|hij|zij)\b ([^?]*)\?$")


def polarity(answer: str) -> tuple[str | None, bool, str]:
    """('ja'|'nee'|None, whether 'nog niet' was said, the rest of the answer)."""
    match = _ANSWER.match(answer)
    if match is None:
        return None, False, answer
    said = match.group(1).lower()
    word = "ja" if said.startswith("ja") else "nee"
    return word, match.group(2) is not None or said == "nog niet", answer[match.end():].strip()


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
        length = 2
        while length < 4 and len(words) > length and low[length - 1].endswith("e") and low[length].isalpha() \
                and not low[length].startswith("ge") and not is_known_verb(low[length]):
            length += 1  # "de voorbije maand", "de kleine Sara"
        return length
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
            and not first.startswith("ge") and not rest[0][:1].isupper() and first != "andere" \
            and first not in _PREPOSITIONS
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
    dislocated = _DISLOCATED.match(question)
    if dislocated is not None and _is_finite(dislocated.group(2)):
        # "En de kleine, Sara, is die ingeschreven?": the subject stands before the question, a pronoun in it.
        verb, rest = dislocated.group(2).lower(), dislocated.group(3).split()
        subject = dislocated.group(1).replace(",", "").split()  # "de kleine, Sara" -> "de kleine Sara"
    else:
        words = question.rstrip(" ?").split()
        length = _subject_length(words[1:])
        if length == 0:
            return None
        verb, subject, rest = words[0].lower(), words[1:1 + length], words[1 + length:]
    if word == "nee":
        rest = _negate(rest, still)
    sentence = " ".join([*subject, verb, *rest])
    sentence = sentence[0].upper() + sentence[1:]
    if rest_of_answer and rest_of_answer.lower().strip(" .") not in sentence.lower():
        tail = rest_of_answer[0].lower() + rest_of_answer[1:] if not rest_of_answer[:2].isupper() else rest_of_answer
        return f"{sentence}, {tail}"
    return sentence + "."


# Third-person finite forms a question may carry after the person shift ("betaalt cliënt").
FINITE = {"is", "heeft", "kan", "wil", "zal", "mag", "moet", "gaat", "staat", "doet", "ziet", "weet",
          "hoeft", "komt", "wordt", "was", "had", "zijn", "hebben", "bedraagt", "kost", "kosten", "zit"}
_PREPOSITIONS = {"met", "bij", "van", "voor", "op", "in", "tegen", "sinds", "naar", "over", "aan", "om", "tot"}


def _is_finite(word: str) -> bool:
    low = word.lower()
    return low in FINITE or is_known_verb(low) or (low.endswith("t") and is_known_verb(low[:-1]))


_AMBIGUOUS = {"zijn", "huur", "werk", "hebben", "kosten", "vraag", "zorg", "plan", "stop", "begin", "hou"}
_LOWER_START = {"op", "in", "bij", "met", "van", "voor", "ongeveer", "rond", "goed", "slecht", "nog", "al", "sinds",
                "vanaf", "tot", "na", "een", "de", "het", "geen", "niet", "alleen", "elke", "iedere", "zo'n", "niets",
                "veel", "weinig", "soms", "altijd", "nooit", "via", "door", "naar", "aan", "om", "twee", "drie"}


def is_fragment(answer: str) -> bool:
    """An answer without a finite verb of its own ("Bij zijn moeder.", "620 euro.")."""
    words = re.findall(r"[\wëéèïöü'-]+", answer)
    return bool(words) and len(words) <= 20 and not any(
        _is_finite(w) and w.lower() not in _AMBIGUOUS for w in words)


def _verb_and_subject(words: list[str]) -> tuple[int, int] | None:
    """Where the question's finite verb is and how long the subject after it is."""
    for i, word in enumerate(words):
        if _is_finite(word):
            length = _subject_length(words[i + 1:])
            if length:
                return i, length
    return None


def statement_from_wh(question: str, answer: str) -> str | None:
    """A question-word question and a short answer as one statement (both in the third person).

    "Hoeveel huur betaalt cliënt?" + "620 euro." -> "Cliënt betaalt 620 euro huur."
    "Waar woont cliënt nu?" + "Bij zijn moeder." -> "Cliënt woont nu bij zijn moeder."
    None when the question's verb or subject cannot be found.
    """
    words = question.rstrip(" ?").split(":")[-1].replace(",", "").split()
    if not words or not is_fragment(answer):
        return None
    lead: list[str] = []
    while words and words[0].lower() in _PREPOSITIONS:
        lead.append(words.pop(0).lower())
    if not words or words[0].lower() not in WH_WORDS | {"hoelang"} or words[0].lower() in ("welk", "welke") \
            or (words[0].lower() == "wie" and not lead):
        return None
    wh = words.pop(0).lower()
    found = _verb_and_subject(words)
    if found is None:
        return None
    verb_at, length = found
    noun, verb, after = words[:verb_at], words[verb_at], words[verb_at + 1:]
    subject, rest = after[:length], after[length:]
    reply = answer.strip().rstrip(".!")
    first = reply.split(" ", 1)[0].strip(",.;:")
    if first.lower() in _LOWER_START:
        reply = reply[0].lower() + reply[1:]
    money = ("huur", "kost", "bedraagt", "betaalt", "verdient", "inkomen", "loon", "uitkering", "leefloon",
             "pensioen", "schuld", "achterstal", "factuur", "krijgt", "ontvangt", "open")
    if wh == "hoeveel" and re.fullmatch(r"(ongeveer |rond de |zo'n )?(\d+|\[…\])", reply) \
            and any(w.lower().startswith(money) for w in words):
        reply += " euro"
    if subject[0].lower() == "er" and wh == "wat":
        parts = [reply, verb, *rest]  # "Wat was er moeilijk?" - "De vermoeidheid." -> "De vermoeidheid was moeilijk."
    elif wh in ("hoeveel", "welk", "welke"):
        parts = [*subject, verb, reply, *noun, *rest]
    elif wh == "hoe":
        parts = [*subject, verb, reply, *rest]
    else:
        parts = [*subject, verb, *rest, *lead, reply] if not reply.lower().startswith(tuple(lead or ["\0"])) \
            else [*subject, verb, *rest, reply]
    sentence = " ".join(p for p in parts if p)
    return sentence[0].upper() + sentence[1:] + "."


_PURE_WH = {"wat", "wie", "waar", "wanneer", "hoe", "hoeveel", "welk", "welke", "waarom"}


def indirect_question(question: str) -> str | None:
    """'Mag cliënt als vrijwilliger blijven helpen?' -> 'of cliënt als vrijwilliger mag blijven helpen':
    a client's question (already in the third person) as the clause a report sentence can carry.
    None when its verb and subject cannot be told apart."""
    clause = question.rsplit(":", 1)[-1].strip().rstrip(" ?")
    words = clause.split()
    link = "of"
    if words and words[0].lower() in _PURE_WH:
        link, words = words[0].lower(), words[1:]
    if len(words) < 2 or not _is_finite(words[0]):
        return None
    length = _subject_length(words[1:])
    if length == 0:
        return None
    verb, subject, rest = words[0].lower(), words[1:1 + length], words[1 + length:]
    # Subordinate order: the finite verb goes before the infinitives, or to the end of the first clause.
    at = next((i for i, w in enumerate(rest) if _is_infinitive(w) and (i == 0 or rest[i - 1].lower() not in DETERMINERS)),
              None)
    if at is None:
        at = next((i + 1 for i, w in enumerate(rest) if w.endswith(",")), len(rest))
        if at and rest[at - 1].endswith(","):
            rest = [*rest[:at - 1], rest[at - 1].rstrip(","), verb + ",", *rest[at:]]
            return " ".join([link, *subject, *rest])
    return " ".join([link, *subject, *rest[:at], verb, *rest[at:]])


def _is_infinitive(word: str) -> bool:
    low = word.lower().strip(",")
    return low in {"gaan", "doen", "zijn", "staan", "zien", "slaan"} or (
        len(low) >= 5 and low.endswith("en") and low.isalpha() and not word[:1].isupper())
