"""Later documents of the chain: what they take over from the earlier one, and fixed clauses.

A sentence taken over from the validated earlier document keeps that document's citation and,
behind it, the report sentences it came from, so the chain reaches the contact report. A clause
is the template's own wording; its placeholders are filled only with entered values.
"""

from __future__ import annotations

import re

from central.documents.model import DocSentence, Document, DocumentStamp, Source
from central.documents.templates import Clause, DocumentSection, DocumentTemplate

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def taken_over(section: DocumentSection, earlier: Document, stamp: DocumentStamp,
               numbers: list[int]) -> list[DocSentence]:
    """The earlier document's sentences of the sections this one takes, each citing it."""
    out = []
    for section_id in section.document_sections:
        try:
            sentences = earlier.section(section_id).sentences
        except KeyError:
            continue  # a section the earlier template version did not have
        for x in sentences:
            numbers[0] += 1
            cite = Source(kind="document", ref=earlier.document_id, version=str(earlier.version),
                          sentence_id=x.id, text=x.text, date=stamp.validated_at,
                          by=stamp.validated_by, template=f"{earlier.template.id} {earlier.template.version}")
            out.append(DocSentence(id=f"d{numbers[0]}", text=x.text, origin="document",
                                   sources=(cite, *x.sources), history=x.history))
    return out


def clause_sentence(template: DocumentTemplate, clause: Clause, lang: str, values: dict[str, str],
                    sentence_id: str, decision: Source | None = None) -> DocSentence | None:
    """The clause filled with `values`; None when a value it needs was not entered."""
    wording = clause.text(lang)
    if any(not values.get(name) for name in clause.placeholders()):
        return None
    text = _PLACEHOLDER.sub(lambda m: values[m.group(1)], wording)
    cite = Source(kind="template", ref=template.id, version=template.version,
                  sentence_id=clause.id, text=wording, date=template.date, by=template.owner)
    uses_decision = decision is not None and bool(clause.placeholders() - {"dossier_ref"})
    sources = (cite, decision) if uses_decision and decision is not None else (cite,)
    return DocSentence(id=sentence_id, text=text, origin="decision" if uses_decision else "template",
                       sources=sources, element=clause.element)


def matching_clauses(section: DocumentSection, subject: str, outcome: str | None) -> list[Clause]:
    """The section's clauses that apply: by outcome, and by the request's words where they say so.

    Clauses with `matches` form a group: those whose pattern is found in `subject` apply, and the
    group's fallback only when none did."""
    out: list[Clause] = []
    matched = False
    for clause in section.clauses:
        if clause.outcome and outcome not in clause.outcome:
            continue
        if clause.matches is not None:
            if re.search(clause.matches, subject, re.IGNORECASE):
                out.append(clause)
                matched = True
        elif not clause.fallback:
            out.append(clause)
    if not matched:
        out += [c for c in section.clauses if c.fallback]
    return out
