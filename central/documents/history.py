"""Newest value wins: when a later report states the same typed fact again, it replaces the older.

Two sentences state the same fact when their typed facts share a kind and the fields that name
what the fact is about (whose income from which source, which creditor, ...). The older sentence
is not dropped: it stays with the newer one as history. Sentences without a typed fact cannot be
compared safely and are all carried, oldest first.
"""

from __future__ import annotations

from central.documents.sources import ReportSentence

# For each kind, the fields that say what the fact is about; the others are its value.
IDENTITY: dict[str, tuple[str, ...]] = {
    "request": ("what",),
    "household_member": ("person",),
    "residence": (),
    "income": ("person", "source"),
    "housing_cost": ("kind",),
    "debt": ("creditor",),
    "work_study": ("person", "activity"),
    "health": ("person",),
    "network": ("person",),
}


def fact_key(sentence: ReportSentence) -> tuple[str, ...] | None:
    """The identity of the sentence's typed fact, or None when it has none that compares."""
    fact = sentence.fact
    if fact is None or fact.get("kind") not in IDENTITY:
        return None
    fields = fact.get("fields") if isinstance(fact.get("fields"), dict) else {}
    assert isinstance(fields, dict)
    kind = str(fact["kind"])
    return (kind, *(str(fields.get(name, "")).strip().lower() for name in IDENTITY[kind]))


def newest_first_with_history(
    sentences: list[ReportSentence],
) -> list[tuple[ReportSentence, list[ReportSentence]]]:
    """Each current sentence with the older ones it replaced (oldest first); input oldest first.

    The current sentence takes the place of its newest statement, so the order still follows
    the reports."""
    latest: dict[tuple[str, ...], int] = {}
    for index, sentence in enumerate(sentences):
        key = fact_key(sentence)
        if key is not None:
            latest[key] = index
    out: list[tuple[ReportSentence, list[ReportSentence]]] = []
    older: dict[tuple[str, ...], list[ReportSentence]] = {}
    for index, sentence in enumerate(sentences):
        key = fact_key(sentence)
        if key is None:
            out.append((sentence, []))
        elif latest[key] == index:
            out.append((sentence, older.pop(key, [])))
        else:
            older.setdefault(key, []).append(sentence)
    return out
