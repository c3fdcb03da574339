"""People in the room: the client, and whoever speaks with them on the client's side.

A partner, a parent, an adult child or an interpreter introduces themself or is
introduced ("dit is Sien, mijn vriendin", "ik ben Farid, de tolk"). The client's gender
comes from how the worker addresses them ("mevrouw Peeters", "dag Kevin"), never from
pronouns alone; when the conversation does not tell, the report says "cliënt" and "diens".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from appliance.drafting.person import Gender
from appliance.drafting.verbs import PAST, is_known_verb
from appliance.transcript import Segment

# Common first names in Flanders and Brussels, by the gender they are usually given.
FEMALE_NAMES = frozenset((
    "anna", "anke", "ann", "anne", "annelies", "amira", "amber", "anouk", "astrid", "aya", "bieke",
    "charlotte", "chloé", "elise", "ella", "els", "emma", "eline", "elien", "evi", "eva", "fatima", "femke",
    "fien", "griet", "hanne", "hannah", "hilde", "ines", "inge", "jana", "jasmien", "jolien", "julie",
    "karen", "katrien", "kim", "laura", "lien", "lies", "liesbeth", "lisa", "lotte", "louise", "lucie",
    "maria", "marie", "marieke", "marleen", "mila", "nadia", "nathalie", "nina", "noor", "olivia", "sara",
    "sarah", "sien", "silke", "sofie", "sophie", "stefanie", "tine", "tinne", "veerle", "vera", "yasmine",
    "yana", "zoë", "zoe", "fatma", "meryem", "khadija", "grace", "aisha", "leen", "nele", "heidi",
    "caroline", "kathleen", "lore", "ilse",
))
MALE_NAMES = frozenset((
    "adam", "ahmed", "ali", "arne", "bart", "ben", "bram", "dirk", "dries", "filip", "frank", "geert",
    "gert", "hans", "jan", "jens", "jeroen", "johan", "jonas", "joris", "karel", "kevin", "koen", "kristof",
    "lars", "lucas", "luc", "marc", "mark", "mathias", "michiel", "mohamed", "mustafa", "niels", "noah",
    "omar", "pieter", "peter", "robbe", "ruben", "sam", "stijn", "thomas", "tim", "tom", "vincent", "wim",
    "wout", "youssef", "yusuf", "farid", "jef", "louis", "milan", "nick", "steven", "stefan", "bert",
    "patrick", "rik", "toon", "walter", "wouter", "seppe", "kobe", "jelle", "simon",
))
RELATIONS: dict[str, tuple[str, Gender]] = {
    "vriendin": ("partner", "f"), "vriend": ("partner", "m"), "lief": ("partner", None),
    "partner": ("partner", None), "man": ("partner", "m"), "vrouw": ("partner", "f"),
    "echtgenoot": ("partner", "m"), "echtgenote": ("partner", "f"), "moeder": ("moeder", "f"),
    "mama": ("moeder", "f"), "ma": ("moeder", "f"), "vader": ("vader", "m"), "papa": ("vader", "m"),
    "pa": ("vader", "m"), "zoon": ("zoon", "m"), "dochter": ("dochter", "f"), "broer": ("broer", "m"),
    "zus": ("zus", "f"), "zuster": ("zus", "f"), "tolk": ("tolk", None),
    "budgetbegeleider": ("budgetbegeleider", None), "schuldbemiddelaar": ("schuldbemiddelaar", None),
    "begeleider": ("begeleider", None),
}
TITLES: dict[str, Gender] = {"meneer": "m", "mijnheer": "m", "monsieur": "m", "mevrouw": "f", "madame": "f"}
_REL = "|".join(sorted(RELATIONS, key=len, reverse=True))
_INTRO = re.compile(rf"\b(?:dit is|dat is|ik ben|hier is|en dit is)\s+(?:((?-i:[A-Z])[\wëéèïö-]+),?\s+)?"
                    rf"(?:(?:mijn|de|onze|ons)\s+)?({_REL})\b", re.IGNORECASE)
_TITLED = re.compile(r"\b(meneer|mijnheer|mevrouw|madame|monsieur)\s+((?:de |van |van de |ver |vanden )?[A-Z][\wëéèïö'-]+)")
_GREETED = re.compile(r"(?i)\b(?:dag|goeiedag|goeiemorgen|goeiemiddag|goedemorgen|goedemiddag|hallo|dag,|tot ziens|"
                      r"tot dan|welkom)\s*,?\s+([A-Z][\wëéèïö-]+)")
_VOCATIVE = re.compile(r"^\s*([A-Z][\wëéèïö-]+)\s*,")


@dataclass(frozen=True)
class Companion:
    """Someone on the client's side: their relation to the client, name and gender if said."""

    relation: str
    name: str | None
    gender: Gender
    introduced_in: str = field(default="", compare=False)

    def label(self, client: str) -> str:
        """How the report names them: "de partner van cliënt (Sien)", "de tolk"."""
        if self.relation in ("tolk", "budgetbegeleider", "schuldbemiddelaar", "begeleider"):
            return f"de {self.relation}" + (f" ({self.name})" if self.name else "")
        return f"de {self.relation} van {client}" + (f" ({self.name})" if self.name else "")


@dataclass(frozen=True)
class People:
    """Who the conversation names: the client's gender and the companions."""

    gender: Gender = None
    client_name: str | None = None
    companions: tuple[Companion, ...] = ()

    @property
    def interpreter(self) -> Companion | None:
        return next((c for c in self.companions if c.relation == "tolk"), None)

    def addressed(self, worker_sentence: str) -> Companion | None:
        """The companion a worker's sentence speaks to ("Sien, werkt gij?"), or None for the client."""
        match = _VOCATIVE.match(worker_sentence)
        if match is None:
            return None
        word = match.group(1)
        for companion in self.companions:
            if companion.name is not None and companion.name.lower() == word.lower():
                return companion
        title = TITLES.get(word.lower())
        if title is None or (title == self.gender and self.client_name is None):
            return None
        same = [c for c in self.companions if c.gender == title and c.relation != "tolk"]
        return same[0] if len(same) == 1 else None


def _name_gender(name: str) -> Gender:
    low = name.lower()
    return "f" if low in FEMALE_NAMES else "m" if low in MALE_NAMES else None


def find_people(segments: tuple[Segment, ...]) -> People:
    """The client's gender and the companions, from introductions and forms of address."""
    companions: list[Companion] = []
    for seg in segments:
        if seg.speaker == "worker":
            continue
        for match in _INTRO.finditer(seg.text):
            name, word = match.group(1), match.group(2).lower()
            if name is not None and name.lower() in ("cliënt", "hier"):
                name = None
            relation, said = RELATIONS[word]
            if said is None and name is not None:
                said = _name_gender(name)
            if not any(c.relation == relation and c.name == name for c in companions):
                companions.append(Companion(relation, name, said, seg.id))
    companion_names = {c.name.lower() for c in companions if c.name}
    titled: dict[Gender, int] = {}
    first_names: dict[str, int] = {}
    for seg in segments:
        if seg.speaker not in ("worker", "unknown"):
            continue
        for title, _surname in _TITLED.findall(seg.text):
            titled[TITLES[title.lower()]] = titled.get(TITLES[title.lower()], 0) + 1
        for name in _GREETED.findall(seg.text) + [m.group(1) for m in [_VOCATIVE.match(seg.text)] if m]:
            if name.lower() not in companion_names and name.lower() not in TITLES and _name_gender(name):
                first_names[name] = first_names.get(name, 0) + 1
    client_name = max(first_names, key=lambda n: first_names[n]) if first_names else None
    gender: Gender = None
    if titled and not client_name:
        gender = max(titled, key=lambda g: titled[g])
    elif client_name:
        gender = _name_gender(client_name)
    else:
        titles = {TITLES[w] for seg in segments if seg.speaker in ("worker", "unknown")
                  for w in re.findall(r"\w+", seg.text.lower()) if w in TITLES}
        titles -= {c.gender for c in companions}
        gender = titles.pop() if len(titles) == 1 else None
    return People(gender, client_name, tuple(companions))


_REPORTED = re.compile(r"^(?:(?:en|ja|nee|neen),?\s+)?(hij|ze|zij|mevrouw|meneer)\s+zegt\b\s*(?:dat\s+|:\s*|,\s*)?(.*)$", re.IGNORECASE)
_ADVERBS = {"goed", "niet", "nog", "al", "wel", "ook", "slecht", "beter", "moeilijk", "zwaar"}
_FINITE_3 = {"is", "heeft", "kan", "wil", "zal", "mag", "moet", "gaat", "staat", "doet", "ziet", "weet", "hoeft",
             "komt", "wordt", "was", "had", "werd", "wist", "kreeg", "ging"}


def _finite(word: str) -> bool:
    low = word.lower().strip(",.;:!?")
    return low in _FINITE_3 or (low.endswith("t") and is_known_verb(low[:-1])) or low in PAST


def reported_speech(sentence: str, client: str) -> str | None:
    """An interpreter's "Hij zegt dat hij sinds februari naar het CVO gaat." as the client's
    statement: "Cliënt gaat sinds februari naar het CVO." None when it is not reported speech."""
    match = _REPORTED.match(sentence)
    if match is None:
        return None
    rest = match.group(2).strip()
    if not rest:
        return ""
    end = rest[-1] if rest[-1] in ".!?" else ""
    words = rest.rstrip(".!?").split()
    if words[0].lower() in ("hij", "ze", "zij"):
        words[0] = client
    subject = 1
    if len(words) > 2 and (words[0].lower() in ("de", "een", "haar", "zijn")
                           or (words[0].lower() == "het" and words[1].lower() not in _ADVERBS)):
        subject = 2
    verb = next((i for i, w in enumerate(words[subject:], subject) if _finite(w)), None)
    if verb is not None and verb > subject and "dat" in sentence.lower().split()[:4]:
        comma = words[verb].endswith(",")
        moved = words.pop(verb).rstrip(",")
        if comma:
            words[verb - 1] += ","
        words.insert(subject, moved)
    words[-1] = words[-1].rstrip(",") + end
    text = " ".join(words)
    return text[0].upper() + text[1:]


def interpreted_subject(sentence: str, client: str) -> str:
    """In an interpreter's turn, "Ze wist niet dat dat moest." is about the client."""
    sentence = re.sub(r"^(Hij|Ze|Zij)\b", client[0].upper() + client[1:], sentence)
    return re.sub(r"\b(en|maar|want) (hij|ze|zij) (?=\w)", rf"\1 {client} ", sentence)
