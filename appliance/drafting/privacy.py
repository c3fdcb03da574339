""""Not for the report": the client asks to keep something out, and what that refers to.

The request and what it points back at go to the draft's `excluded` list with the
reason; they never land in a section, so the worker has to put them back on purpose.
"""

from __future__ import annotations

import re

REQUEST_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\bniet in (?:het|mijn|m'n|uw|dat|mijn) (?:verslag|dossier|rapport)",
    r"\b(?:niet|nie) op papier\b",
    r"\bop papier\b.*\bniet\b",
    r"\b(?:schrijf|zet|noteer|neem) (?:dat|dit|het) (?:maar |liever |alstublieft )?niet\b",
    r"\bniet (?:op)?(?:schrijven|noteren|opnemen)\b",
    r"\blaat (?:dat|dit|het) (?:maar |liever )?weg\b",
    r"\bhou(?:d)? (?:dat|dit|het) (?:maar |liever )?(?:voor u|voor jou|tussen ons)",
    r"\btussen (?:ons|u en mij)\b",
    r"\boff the record\b",
    r"\b(?:moet|hoeft) (?:dat|dit|daar) (?:niet|nie) in\b",
    r"\bhoeft niet (?:in|op) (?:het|de|mijn)\b",
    r"\b(?:mag|kan) (?:dat|dit) (?:eruit|eraf)\b",
    r"\bliever niet dat (?:u|je|jij) (?:dat|dit) (?:opschrijft|noteert)",
))


def is_request(sentence: str) -> bool:
    """Whether a client sentence asks to keep something out of the report."""
    return any(p.search(sentence) for p in REQUEST_PATTERNS)


def reason(request: str) -> str:
    """The reason recorded with each excluded item, in the product's language."""
    return f"De cliënt vroeg dit niet in het verslag op te nemen (\u201c{request.strip()}\u201d)."
