"""The typed facts of a validated report, as central indexes them per dossier.

A sentence of the report may carry `"fact": {"kind": ..., "fields": {...}}` as the worker
validated it. Central indexes the kinds a worker's overview needs; a fact that does not parse
is kept as 'unparsed' with the reason, and the report is filed all the same.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# The wire contract with the boxes (a subset of the box's fact kinds; a test keeps them equal).
INDEXED_KINDS: dict[str, tuple[str, ...]] = {
    "appointment": ("date", "time", "place", "with_whom", "purpose", "weekday"),
    "agreement": ("who", "what", "due"),
    "document": ("what", "due"),
    "not_decided": ("what", "who_decides"),
    "request": ("what", "date"),
}
_DATE_FIELD = {"appointment": "date", "agreement": "due", "document": "due", "request": "date"}
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_MAX_FIELD = 2000


@dataclass(frozen=True)
class ReportFact:
    """One sentence's fact: indexed (kind, fields, date) or not (kind 'unparsed', reason)."""

    ordinal: int
    sentence_id: str
    kind: str
    fields: dict[str, str]
    on_date: dt.date | None
    problem: str | None = None

    @property
    def indexed(self) -> bool:
        """False when the fact did not parse; `problem` then says why."""
        return self.problem is None


def numbered_sentences(report: dict[str, Any]) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(ordinal, sentence id, sentence) for every sentence of the report, counted from 1."""
    ordinal = 0
    sections = report.get("sections")
    for section in sections if isinstance(sections, list) else []:
        sentences = section.get("sentences") if isinstance(section, dict) else None
        for sentence in sentences if isinstance(sentences, list) else []:
            ordinal += 1
            item = sentence if isinstance(sentence, dict) else {}
            yield ordinal, str(item.get("id") or f"#{ordinal}"), item


def report_facts(report: dict[str, Any]) -> list[ReportFact]:
    """Every sentence fact of an indexed kind (or unparseable), in report order."""
    found: list[ReportFact] = []
    for ordinal, sid, sentence in numbered_sentences(report):
        if sentence.get("fact") is None:
            continue
        fact = _parse(ordinal, sid, sentence["fact"])
        if fact is not None:
            found.append(fact)
    return found


def _parse(ordinal: int, sid: str, raw: object) -> ReportFact | None:
    try:
        if not isinstance(raw, dict):
            raise TypeError("the fact is not an object")
        kind, fields = raw.get("kind"), raw.get("fields", {})
        if not isinstance(kind, str) or not isinstance(fields, dict):
            raise TypeError("a fact needs a kind and an object of fields")
        if kind not in INDEXED_KINDS:
            return None  # other kinds stay in the sealed body, not in the index
        unknown = sorted(set(fields) - set(INDEXED_KINDS[kind]))
        if unknown:
            raise ValueError(f"fields {unknown} are not fields of a {kind!r} fact")
        for name, value in fields.items():
            if not isinstance(value, str) or len(value) > _MAX_FIELD:
                raise TypeError(f"field {name!r} must be text of at most {_MAX_FIELD} characters")
        return ReportFact(ordinal, sid, kind, dict(fields), _date(kind, fields))
    except (TypeError, ValueError) as exc:
        return ReportFact(ordinal, sid, "unparsed", {}, None, f"sentence {sid}: {exc}")


def _date(kind: str, fields: dict[str, str]) -> dt.date | None:
    if kind == "appointment" and fields.get("time") and not _TIME.match(fields["time"]):
        raise ValueError(f"appointment time {fields['time']!r} is not HH:MM")
    name = _DATE_FIELD.get(kind)
    value = fields.get(name) if name else None
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{kind} {name} {value!r} is not YYYY-MM-DD") from None
