"""Typed facts read from what was said: appointments, documents to bring, what is not
decided, and amounts (income, housing costs, debts), each with the words it came from.

Only patterns of general OCMW talk are read; a sentence that fits none stays a cleaned
statement. A negated or hypothetical amount ("geen schulden bij de bank") is no fact.
"""

from __future__ import annotations

import re
from datetime import date

from appliance.draft import Fact
from appliance.drafting.forms import MONTHS_NL, WEEKDAYS_NL
from appliance.drafting.numbers import cardinal
from appliance.drafting.register import is_hypothetical

_DATE = re.compile(r"\b(?:(" + "|".join(WEEKDAYS_NL) + r")\s+)?(\d{1,2})\s+(" + "|".join(MONTHS_NL) + r")\b",
                   re.IGNORECASE)
_CLOCK = re.compile(r"\bom\s+(?:(half|kwart na|kwart voor)\s+)?(\w+)(?:\s+uur)?(?:\s+(\w+))?", re.IGNORECASE)
_MEETING = re.compile(r"\b(afspraak|afspreken|spreken .*af|spreken we af|zien (we )?elkaar|zie ik|kom ik|kom .* langs|"
                      r"huisbezoek|op bezoek|volgende keer|terug op|terug af|zien .* terug|langs|terugkomen|terug komen|komt .* terug)\b",
                      re.IGNORECASE)
_HOME = re.compile(r"\b(thuis|huisbezoek|op bezoek|langs bij)\b", re.IGNORECASE)
_UNDECIDED = re.compile(r"\b(nog niet beslist|niets over beslist|nog niet zeker|niet zeker|weet .* nog niet|"
                        r"nog niet weten|weten we niet|weet ik nog niet|moet .* nog (beslissen|nakijken)|"
                        r"beslist (het|de) |dat beslist|is nog niet beslist|moet .* nakijken)", re.IGNORECASE)
_WHO = re.compile(r"\b(?:beslist|beslissen|bepaalt|nakijken|beslist dat)\s+((?:het|de)\s+(?:bijzonder\s+)?[\w-]+)"
                  r"|\b((?:het|de)\s+(?:bijzonder\s+)?(?:comité|rechter|RVA|directie|stad|rechtbank|vakbond))\b",
                  re.IGNORECASE)
_DOC_VERB = re.compile(r"\b(nodig|meebrengen|brengt|bezorgt|bezorg|breng|klaarleggen|legt .* klaar|stuurt|"
                       r"doorsturen|binnenbrengen|mee)\b", re.IGNORECASE)
_DOC_NOUN = re.compile(r"(brief|brieven|attest|contract|uittreksel|loonfiche|loonbrie|factuur|bewijs|kaart|c4|"
                       r"afrekening|formulier|kopie|overeenkomst|getuigschrift|document|fiche|briefje|"
                       r"beslissing|aanslagbiljet|ticket|rekening)", re.IGNORECASE)
_AMOUNT = re.compile(r"(\d[\d.]*)\s*(?:euro|€)?", re.IGNORECASE)
_PERIOD = re.compile(r"\bper (maand|week|jaar|dag)\b", re.IGNORECASE)
MONEY_KINDS = {
    "housing_cost": ("huur", "kot", "studio", "woning", "appartement", "waarborg", "kosten", "thuis", "kostgeld"),
    "debt": ("schuld", "achterstal", "openstaand", "open", "factuur", "afbetal", "lening", "deurwaarder",
             "incasso", "rekening", "boete"),
    "income": ("inkomen", "loon", "verdien", "uitkering", "leefloon", "pensioen", "groeipakket", "toelage",
               "netto", "onderhoudsgeld", "leefgeld", "premie", "gekregen", "ontvang", "verdiend"),
}


def _hour(word: str) -> int | None:
    return int(word) if word.isdigit() else cardinal(word)


def appointment(sentence: str, on: date, context: str = "") -> Fact | None:
    """An appointment: a meeting word (in the sentence or the turn around it), a day and month,
    and mostly an hour."""
    found = _DATE.search(sentence)
    if found is None or (_MEETING.search(sentence) is None and _MEETING.search(context) is None):
        return None
    weekday, day, month = (found.group(1) or "").lower(), int(found.group(2)), MONTHS_NL.index(found.group(3).lower()) + 1
    year = on.year + (1 if (month, day) < (on.month, on.day) else 0)
    try:
        when = date(year, month, day)
    except ValueError:
        return None
    fields = {"date": when.isoformat()}
    if weekday:
        fields["weekday"] = weekday
    clock = _CLOCK.search(sentence[found.end():]) or _CLOCK.search(sentence)
    if clock is not None:
        hour = _hour(clock.group(2).lower())
        if hour is not None and 0 < hour <= 23:
            minute = 0
            if clock.group(1):
                part = clock.group(1).lower()
                hour, minute = (hour - 1, 30) if part == "half" else (hour, 15) if part == "kwart na" else (hour - 1, 45)
            elif clock.group(3) and _hour(clock.group(3).lower()) is not None:
                minute = _hour(clock.group(3).lower()) or 0
            hour = hour + 12 if 1 <= hour <= 7 else hour  # "om vier uur" in an office day is 16 h
            if minute < 60:
                fields["time"] = f"{hour:02d}:{minute:02d}"
    if _HOME.search(sentence) or _HOME.search(context):
        fields["place"] = "thuis"
    if re.search(r"\btolk\b", sentence, re.IGNORECASE):
        fields["with_whom"] = "tolk"
    return Fact(kind="appointment", fields=fields)


def said_date(sentence: str, on: date) -> str | None:
    """The ISO date of the first day and month a sentence says, in the year the appointment falls."""
    found = _DATE.search(sentence)
    if found is None:
        return None
    day, month = int(found.group(2)), MONTHS_NL.index(found.group(3).lower()) + 1
    try:
        return date(on.year + (1 if (month, day) < (on.month, on.day) else 0), month, day).isoformat()
    except ValueError:
        return None


def _al_dan_niet(clause: str) -> str:
    """'of het voorschot wordt toegekend' -> 'of het voorschot al dan niet wordt toegekend'."""
    words = clause.split()
    if not words or words[0].lower() != "of" or "niet" in (w.lower() for w in words):
        return clause
    at = len(words)
    verbs = {"wordt", "worden", "is", "heeft", "krijgt", "kan", "mag", "moet", "betaalt", "aanwerft", "herziet",
             "neemt", "komt", "gaat", "tussenkomt", "toekent", "geeft", "zal"}
    for i in range(len(words) - 1, 0, -1):
        if words[i].lower().strip(",") in verbs:
            at = i
            break
    if at == len(words):
        return clause
    return " ".join([*words[:at], "al", "dan", "niet", *words[at:]])


def not_decided(sentences: list[str], index: int) -> tuple[Fact, list[int]] | None:
    """What is explicitly not decided, and who decides; with the sentences it takes."""
    sentence = sentences[index]
    if _UNDECIDED.search(sentence) is None:
        return None
    used = [index]
    of_clause = re.search(r"(?i)\b(of [^,;.]+?)(?:,|;| is | dat )", sentence + " ")
    if of_clause is None and index > 0 and re.match(r"(?i)^(dat|dit)\b", sentence):
        of_clause = re.search(r"(?i)\b(of [^,;.]+?)(?:,|;| is | dat |\.|$)", sentences[index - 1])
        if of_clause is None:
            return None
        used.insert(0, index - 1)
    if of_clause is not None and len(of_clause.group(1).split()) < 4:
        of_clause = None
    if of_clause is None:
        main = re.split(r"(?i),?\s+(?:maar|want)\s+(?:dat|dit)\b", sentence)[0]
        what = main.rstrip(" .;,")
        if what == sentence.rstrip(" .;,"):
            return None
    else:
        what = _al_dan_niet(of_clause.group(1).strip())
        what = what[0].lower() + what[1:]
    who = None
    for text in (sentences[i] for i in used):
        match = _WHO.search(text)
        if match is not None:
            who = (match.group(1) or match.group(2)).strip()
            break
    if index + 1 < len(sentences) and re.match(r"(?i)^(dat|dit)\b", sentences[index + 1]) \
            and _UNDECIDED.search(sentences[index + 1]):
        used.append(index + 1)  # "Dat is nog niet beslist." says it again
    fields = {"what": what[0].lower() + what[1:] if of_clause else what}
    if who:
        fields["who_decides"] = who
    return Fact(kind="not_decided", fields=fields), used


_RECALLED = re.compile(r"(?i)\b(afspraak was|hadden (?:we )?afgesproken|spraken we (?:af|vorige keer)|"
                       r"vorige keer (?:spraken|hadden) we)\b")


def recalls_agreement(sentence: str) -> bool:
    """'De derde afspraak was dat u ... zou meebrengen.': an agreement of an earlier contact, recalled."""
    return _RECALLED.search(sentence) is not None


def document(sentence: str, asked: str = "") -> Fact | None:
    """Documents the client brings: a bring/need verb (or the client's question "wat moet ik
    meebrengen?" just before) and document nouns; not an earlier agreement recalled."""
    if recalls_agreement(sentence) or (_DOC_VERB.search(sentence) is None and _DOC_VERB.search(asked) is None) \
            or _DOC_NOUN.search(sentence) is None or "?" in sentence or re.match(r"(?i)\s*als\b", sentence):
        return None
    what = sentence.split(":", 1)[1] if ":" in sentence else sentence
    what = re.sub(r"(?i)^\s*(en\s+)?(de maatschappelijk werker|cliënte?|zij|hij|ze)\s+"
                  r"(heeft|brengt|bezorgt|stuurt|legt|moet)\s+(wel\s+|ook\s+|nog\s+)*", "", what)
    what = re.sub(r"(?i)\s+(nodig|mee|klaar|binnen|door)\b", "", what)
    what = re.sub(r"(?i),?\s+(en\s+)?(zij|hij|ze|cliënte?)\s+(brengt|bezorgt|stuurt|legt)\b.*$", "", what)
    due = re.search(r"(?i)\b(voor het huisbezoek|voor de volgende afspraak|deze week|voor eind \w+)\b", what)
    what = what.strip(" .,;")
    what = re.sub(r",\s+en\s+", " en ", what)
    if not _DOC_NOUN.search(what) or len(what.split()) > 30 or "maatschappelijk werker" in what.lower():
        return None
    fields = {"what": what[0].lower() + what[1:] if what[:2] != what[:2].upper() else what}
    if due is not None:
        fields["what"] = fields["what"].replace(due.group(0), "").strip(" ,")
        fields["due"] = due.group(0).lower()
    return Fact(kind="document", fields=fields)


_YEAR_BEFORE = re.compile(r"(?i)\b(in|tot|sinds|sedert|van|vanaf|tegen|begin|eind|midden)\s+$")


def _is_year(sentence: str, match: re.Match[str]) -> bool:
    """'in 2022', 'tot 2030': a year, not an amount (an amount in euro says so)."""
    value = match.group(1).replace(".", "")
    return value.isdigit() and 1950 <= int(value) <= 2099 and _YEAR_BEFORE.search(sentence[:match.start()]) is not None \
        and not re.match(r"\s*(euro|eur|€)", sentence[match.end():], re.IGNORECASE)


def amount(sentence: str, context: str = "") -> Fact | None:
    """An amount of money and what it is (income, housing cost, debt); None when negated or hypothetical."""
    if is_hypothetical(sentence):
        return None
    found = [m for m in _AMOUNT.finditer(sentence) if m.group(1).replace(".", "").isdigit()
             and int(m.group(1).replace(".", "")) >= 20 and not re.search(
                 r"(?i)\b(geen|niet)\s+(\w+\s+){0,1}$", sentence[:m.start()])]
    found = [m for m in found if not _DATE.match(sentence, m.start())
             and not re.match(r"\s*(jaar|maanden|dagen|weken|uur|studiepunten|kilometer)", sentence[m.end():])
             and not _is_year(sentence, m)]
    if not found:
        return None
    low = (sentence + " " + context).lower()
    kind = next((k for k, cues in MONEY_KINDS.items() if any(c in sentence.lower() for c in cues)), None) \
        or next((k for k, cues in MONEY_KINDS.items() if any(c in low for c in cues)), None)
    if kind is None:
        return None
    value = found[-1].group(1).replace(".", "")
    fields = {"amount": value}
    period = _PERIOD.search(sentence)
    if period is not None:
        fields["period"] = period.group(0).lower()
    cue = next((w for w in re.findall(r"[\wë-]+", sentence.lower()) if any(c in w for c in MONEY_KINDS[kind])), None)
    if cue is not None:
        if re.search(rf"(?i)\b(niet|geen)\s+(\w+\s+)?{re.escape(cue)}", sentence):
            return None  # "2 maanden niet ontvangen, samen 300 euro": what did not come is no income
        fields[{"income": "source", "housing_cost": "kind", "debt": "creditor"}[kind]] = cue
    if re.search(r"(?i)\b(ongeveer|rond de|zowat|bijna|ruim|een goeie|een goede)\s+$", sentence[:found[-1].start()]):
        fields["approximate"] = "ja"
    return Fact(kind=kind, fields=fields)


_ACTION = (r"(bel|belt|breng|brengt|bezorg|bezorgt|schrijf|schrijft|stuur|stuurt|ga|gaat|kom|komt|maak|maakt|vraag|"
           r"vraagt|zoek|zoekt|hou|houdt|volg|volgt|blijf|blijft|neem|neemt|leg|legt|doe|doet|lever|levert|meld|"
           r"meldt|laat|contacteer|contacteert|regel|regelt|dien|dient|teken|tekent|help|helpt|kijk|kijkt)")
_CLIENT_AGREES = re.compile(rf"(?i)^(?:(?:en|dan|ook|verder|ten (?:eerste|tweede|derde|vierde)|afspraken)[,:]?\s+)*"
                            rf"(?:(?:u|je|jij|ge|gij)\s+{_ACTION}\b|{_ACTION}\s+(?:u|je|ge)\b)")
_INVERTED = re.compile(rf"(?i)^(?:voor|tegen|na|deze|morgen|volgende|tot)\b[^,]{{0,30}}?\b{_ACTION}\s+(?:u|je|ge)\b")
_WORKER_ACTS = re.compile(r"(?i)^(?:(?:en|dan|ook|verder)[,]?\s+)*ik\s+(neem|vraag|maak|contacteer|bel|stuur|zoek|help|"
                          r"bekijk|kijk|ga|doe|regel|schrijf|verwijs|probeer|geef|bezorg|stuur|zorg|informeer)\b")
_WORKER_TODO = re.compile(r"(?i)\b(?:moet ik (?:dat |het )?(?:nog )?(?:nakijken|bekijken|navragen|uitzoeken|nagaan|vragen)"
                          r"|wat ik wel kan doen|ik laat (?:het )?(?:u|je) (?:dat |het )?weten)\b")
"""The worker's own to-do said another way: 'dat moet ik nog nakijken', 'wat ik wel kan doen, is ...'."""
_DUE = re.compile(r"(?i)\b(deze week|morgen|vandaag|volgende week|voor (?:het|de|eind|die) [\w ]+?|tegen [\w ]+?)(?=[,.]|$)")


def is_worker_todo(spoken: str) -> bool:
    """'Dat moet ik nog nakijken.', 'Ik laat het u weten.': something the worker will check and report back."""
    return _WORKER_TODO.search(spoken) is not None


def agreement(spoken: str, text: str, client: str) -> Fact | None:
    """Who does what by when: the worker's "u belt deze week de tandarts", "ik neem contact op met ..."."""
    if spoken.rstrip().endswith("?") or re.match(r"(?i)\s*(als|indien|of)\b", spoken):
        return None
    if _CLIENT_AGREES.match(spoken) or _INVERTED.match(spoken):
        who = client
    elif (_WORKER_ACTS.match(spoken) or _WORKER_TODO.search(spoken)) and not re.search(r"(?i)\bstel\b.*\bvoor\b", spoken):
        who = "de maatschappelijk werker"
    else:
        return None
    fields = {"who": who, "what": text.rstrip(".")}
    due = _DUE.search(spoken)
    if due is not None:
        fields["due"] = due.group(1).lower()
    return Fact(kind="agreement", fields=fields)


_MEMBER = re.compile(r"(?i)\b(?:(zijn|haar|diens|hun|de)\s+)?(?:(?:kleine|grote|jongste|oudste|twee|drie)\s+)?"
                     r"(moeder|vader|broer|broers|zus|zussen|zoon|zonen|dochter|dochters|kinderen|partner|vriendin|"
                     r"man|vrouw|stiefvader|stiefmoeder|halfzus|halfbroer|grootmoeder|grootvader|baby)\b"
                     r"(?:,?\s+((?-i:[A-Z])[\wëéï-]+))?(?:,?\s+(?:die|ze|hij)?\s*is\s+(\d{1,2})\b)?")
_NAMED_AGE = re.compile(r"\b((?-i:[A-Z])[\wëéï-]+) is (\d{1,2})\b")
_LIVING = re.compile(r"(?i)\b(woon|woont|wonen|met hoeveel|met wie|gezin|in huis|thuis wonen)\b")


def household(statement: str, context: str, possessive: str) -> Fact | None:
    """Who lives with the client, from an answer about living ("bij mijn moeder, met mijn broer, die is 16")."""
    if not (_LIVING.search(statement) or _LIVING.search(context)) or re.search(r"(?i)\b(niet meer bij|geen)\b", statement):
        return None
    members: list[tuple[str, str]] = []
    for match in _MEMBER.finditer(statement):
        owner, relation, name, age = match.group(1), match.group(2).lower(), match.group(3), match.group(4)
        if owner and owner.lower() in ("de", "hun"):
            continue  # "de vader van de baby", "hun vader": someone else's relation
        label = f"{possessive} {relation}" + (f" {name}" if name else "") + (f" ({age})" if age else "")
        members.append((relation, label))
    named = [m for m in _NAMED_AGE.finditer(statement) if not any(m.group(1) in label for _, label in members)]
    members += [("kind", f"{m.group(1)} ({m.group(2)})") for m in named if m.group(1) not in ("Cliënt", "Cliënte")]
    if not members:
        return None
    return Fact(kind="household_member", fields={"relation": "; ".join(r for r, _ in members),
                                                 "person": "; ".join(label for _, label in members)})
