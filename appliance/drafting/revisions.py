"""What was said, not what was said first: amounts the speaker revised, and repeats.

"Rond de 1400 euro. Allee, 1400 was in januari, nu is het 1380." keeps 1380 only; a
statement that only repeats an earlier one in the same section is left out as a repeat.
Both go to `excluded`, with the reason, never silently.
"""

from __future__ import annotations

import re

from appliance.draft import Citation, ExcludedItem
from appliance.drafting.numbers import numbers_in
from appliance.drafting.speech import content_words
from appliance.drafting.units import Unit

REVISED = "Bedrag dat de spreker zelf bijstelde of beperkte; het bijgestelde bedrag staat in het verslag."
REPEAT = "Herhaalt een zin die al in dezelfde rubriek staat."
# A later amount that replaces an earlier one: "nu is het", "zonder de premie is het", "na de ... betaling".
_REVISES = re.compile(r"(?i)\b(?:nu is (?:het|dat)|is (?:het|dat) nu|(?:het|dat) is nu|zonder (?:de |het )?[\w-]+ is (?:het|dat)|"
                      r"eigenlijk|allee|dus het vaste \w+ is)\W+(?:\w+\W+){0,1}?(\d+)")
_SAME_MAGNITUDE = (0.5, 2.0)
LOOKBACK = 4


def _amounts(text: str) -> set[int]:
    return {n for n in numbers_in(text) if n >= 20 and not 1900 <= n <= 2100}


def _cites(unit: Unit) -> tuple[Citation, ...]:
    return tuple(Citation(segment=s.id, start=s.start, end=max(s.end, s.start + 0.01)) for s in unit.segments)


def _drop_clause(text: str, value: int) -> str:
    """The sentence without the clause that states `value` (clauses split at commas)."""
    clauses = re.split(r",\s*", text.rstrip("."))
    kept = [c for c in clauses if value not in numbers_in(c)]
    return ", ".join(kept) + "." if kept else ""


def drop_revised_amounts(units: list[Unit], excluded: list[ExcludedItem]) -> list[Unit]:
    """Take back an amount the client revised in a later sentence of the same stretch."""
    out: list[Unit] = []
    for unit in units:
        revising = _REVISES.search(unit.text)
        new = {int(revising.group(1))} & _amounts(unit.text) if revising else set()
        if unit.role == "client" and new:
            for earlier in reversed(out[-LOOKBACK:]):
                if earlier.role != "client":
                    continue
                for old in _amounts(earlier.text) - new:
                    if any(_SAME_MAGNITUDE[0] <= n / old <= _SAME_MAGNITUDE[1] for n in new):
                        excluded.append(ExcludedItem(text=earlier.text, reason=REVISED, citations=_cites(earlier)))
                        earlier.text = _drop_clause(earlier.text, old)
            for old in list(_amounts(unit.text)):
                later = [n for n in new if n != old and unit.text.find(str(n)) > unit.text.find(str(old))]
                if later and any(_SAME_MAGNITUDE[0] <= n / old <= _SAME_MAGNITUDE[1] for n in later):
                    excluded.append(ExcludedItem(text=unit.text, reason=REVISED, citations=_cites(unit)))
                    unit.text = _drop_clause(unit.text, old)
        out.append(unit)
    return [u for u in out if re.search(r"\w", u.text)]


def drop_repeats(units: list[Unit], excluded: list[ExcludedItem]) -> list[Unit]:
    """Leave out a statement whose words and numbers an earlier one in its section already holds."""
    kept: list[Unit] = []
    for unit in units:
        words = content_words(unit.text)
        repeat = next((k for k in kept if k.section == unit.section and words and not unit.form
                       and len(words & content_words(k.text)) / len(words) >= 0.8
                       and numbers_in(unit.text) <= numbers_in(k.text)), None)
        if repeat is not None:
            excluded.append(ExcludedItem(text=unit.text, reason=REPEAT, citations=_cites(unit)))
            continue
        kept.append(unit)
    return kept
