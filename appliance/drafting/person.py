"""From speech to report language, step two: first and second person to third person.

The client's "ik" becomes "cliënt" (or "cliënte" when the worker said "mevrouw"), the
worker's "ik" becomes "de maatschappelijk werker", and the verb follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from appliance.drafting.verbs import is_known_verb, third_person

Role = Literal["worker", "client"]
Gender = Literal["m", "f"] | None

WORKER = "de maatschappelijk werker"
SUBORDINATORS = {"dat", "of", "als", "omdat", "wanneer", "zodat", "hoe", "wat", "waar", "wie", "tot",
                 "voordat", "nadat", "terwijl", "hoewel", "sinds", "zoals", "waarmee", "waarvoor",
                 "waarop", "die", "zodra", "indien", "mits", "welke", "hoeveel"}
MAIN_CONJUNCTIONS = {"en", "maar", "dus", "want", "of", "ja", "nee", "oké", "dan"}
PREPOSITIONS = {"van", "voor", "met", "in", "op", "aan", "bij", "over", "na", "tijdens", "uit", "naar",
                "om", "tegen", "zonder", "door", "onder", "sinds", "vanaf", "rond"}
_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")


@dataclass(frozen=True)
class Persons:
    """How this contact's client is named in the report."""

    gender: Gender = None
    me: str | None = None
    """Who "ik" is on the client's side when it is not the client (a partner, a parent)."""
    me_gender: Gender = None
    you: str | None = None
    """Who the worker's "u" or "je" is when it is not the client."""
    you_gender: Gender = None

    @property
    def client(self) -> str:
        return {"m": "cliënt", "f": "cliënte"}.get(self.gender or "", "cliënt")

    @property
    def possessive(self) -> str:
        # "diens": the report's own possessive for a person whose gender was not said.
        return _possessive(self.gender)

    def speaker(self, role: Role) -> tuple[str, str]:
        """(name, possessive) for the speaker's own "ik" and "mijn"."""
        if role == "worker":
            return WORKER, "het"
        return (self.me, _possessive(self.me_gender)) if self.me else (self.client, self.possessive)

    def addressee(self) -> tuple[str, str]:
        """(name, possessive) for the worker's "u"/"je" and "uw"/"jouw"."""
        return (self.you, _possessive(self.you_gender)) if self.you else (self.client, self.possessive)

    @property
    def plural_with_worker(self) -> str:
        return f"{WORKER} en {self.client}"


def _possessive(gender: Gender) -> str:
    return {"m": "zijn", "f": "haar"}.get(gender or "", "diens")


def guess_gender(worker_texts: list[str]) -> Gender:
    """'meneer' or 'mevrouw' in the worker's words; None when not said or both."""
    joined = " ".join(worker_texts).lower()
    he, she = "meneer" in joined, "mevrouw" in joined
    return "m" if he and not she else "f" if she and not he else None


def to_third_person(sentence: str, role: Role, persons: Persons) -> str:
    """Rewrite one sentence spoken by `role` in the third person."""
    tokens = _TOKEN.findall(sentence)
    words = [i for i, t in enumerate(tokens) if t[0].isalnum()]
    me, my = persons.speaker(role)
    you, your = persons.addressee()
    subject_seen = -1
    for pos, index in enumerate(words):
        low = tokens[index].lower()
        prev = tokens[words[pos - 1]].lower() if pos > 0 and _same_clause(tokens, words[pos - 1], index) else None
        if low == "ik":
            _shift_verb(tokens, words, pos, prev)
            tokens[index] = me
        elif low in ("mij", "me", "mezelf", "mijzelf"):
            tokens[index] = "zichzelf" if "zelf" in low and role == "client" else me
        elif low == "mijn":
            tokens[index] = my
        elif low in ("we", "wij"):
            tokens[index] = persons.plural_with_worker if role == "worker" else "zij"
        elif low in ("ons", "onze"):
            tokens[index] = "hun"
        elif low == "jullie":
            tokens[index] = "zij" if role == "worker" else WORKER
        elif low in ("u", "jij", "jou", "je", "ge", "gij"):
            if role == "client":
                if low in ("u", "ge", "gij", "jij"):
                    _shift_verb(tokens, words, pos, prev)
                    tokens[index] = WORKER
                continue
            if low == "je" and subject_seen == pos - 1 and prev is not None and is_known_verb(prev):
                tokens[index] = "zich"  # "je schrijft je in": reflexive
                continue
            if low == "je" and _is_possessive_je(tokens, words, pos, prev):
                tokens[index] = your
                continue
            if low != "jou":
                _shift_verb(tokens, words, pos, prev)
                subject_seen = pos + 1  # the verb right after a "je" subject
            tokens[index] = you
        elif low in ("uw", "jouw") and role == "worker":
            tokens[index] = your
    text = "".join(tokens)
    return text[0].upper() + text[1:] if text else text


def _same_clause(tokens: list[str], left: int, right: int) -> bool:
    return all(t.isspace() for t in tokens[left + 1:right])


def _shift_verb(tokens: list[str], words: list[int], pos: int, prev: str | None) -> None:
    """Put the verb that goes with the subject at words[pos] in the third person."""
    if prev is not None and prev not in SUBORDINATORS and prev not in MAIN_CONJUNCTIONS \
            and prev not in PREPOSITIONS and is_known_verb(prev):
        target = words[pos - 1]  # inversion: "Nu woon ik", "bent u"
        tokens[target] = third_person(tokens[target])
        return
    scan = words[pos + 1:] if prev in SUBORDINATORS else words[pos + 1:pos + 2]
    for index in scan:
        if any(p in tokens[i] for i in range(words[pos], index) for p in ",.;:!?"):
            break
        if is_known_verb(tokens[index]):
            tokens[index] = third_person(tokens[index])
            break


def _is_possessive_je(tokens: list[str], words: list[int], pos: int, prev: str | None) -> bool:
    """'je' as 'your' ("je bezorgt mij je puntenlijst": the second one)."""
    nxt = tokens[words[pos + 1]].lower() if pos + 1 < len(words) else ""
    if prev in PREPOSITIONS:
        return True
    if prev is not None and is_known_verb(prev) and not prev.endswith("en"):
        return False  # "heb je", "neem je"
    if prev is not None and prev.endswith("en") and prev not in SUBORDINATORS and prev not in MAIN_CONJUNCTIONS \
            and prev not in ("ben", "kunnen", "moeten", "willen", "zullen", "mogen"):
        return True  # "zijn je examens"
    if nxt and is_known_verb(nxt):
        return False
    if prev in (WORKER, "cliënt", "cliënte") or (prev is not None and prev.startswith("de ")):
        return False  # "zie ik je": the object, after a subject the shift already wrote
    if prev is None and pos + 2 < len(words) and tokens[words[pos + 1] + 1:words[pos + 2]] \
            and "," in "".join(tokens[words[pos + 1] + 1:words[pos + 2]]):
        return True  # "Je identiteitskaart, het huurcontract, ..."
    return prev is not None and prev not in SUBORDINATORS and prev not in MAIN_CONJUNCTIONS
