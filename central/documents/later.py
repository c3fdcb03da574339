"""The proposal to the committee and the decision letter, each from the validated document before it.

The proposal takes the request and a summary from the validated social report and states the
legal basis of that kind of request; its proposal section stays empty for the worker. The letter
takes the request from the validated proposal and words the decision a person entered.
"""

from __future__ import annotations

from central.documents.chain import clause_sentence, matching_clauses, taken_over
from central.documents.decision import CommitteeDecision
from central.documents.model import (
    DocSection,
    DocSentence,
    Document,
    DocumentStamp,
    Source,
    TemplateStamp,
    language,
)
from central.documents.social_report import NothingToBuildFrom
from central.documents.templates import DocumentTemplate


def build_proposal(template: DocumentTemplate, social: Document, stamp: DocumentStamp, *,
                   document_id: str, version: int) -> Document:
    """A draft proposal from a validated social report (its proposal field left empty)."""
    _needs(template, social, stamp)
    lang = social.language
    subject = " ".join(x.text for x in social.section("aanvraag").sentences)
    values = {"dossier_ref": social.dossier_ref}
    sections = _sections(template, social, stamp, lang, subject, None, values, None)
    return Document(document_id=document_id, version=version, kind="voorstel_bcsd", language=lang,
                    dossier_ref=social.dossier_ref, template=template.stamp(lang), sections=sections,
                    reports=social.reports, based_on=stamp)


def build_letter(template: DocumentTemplate, proposal: Document, stamp: DocumentStamp,
                 decision: CommitteeDecision, *, entered_by: str, entered_at: str,
                 document_id: str, version: int, checklist: TemplateStamp) -> Document:
    """A draft decision letter from a validated proposal and the decision a person entered."""
    _needs(template, proposal, stamp)
    lang = proposal.language
    values = decision.fields(lang, proposal.dossier_ref, entered_by, entered_at)
    entered = Source(kind="decision", ref="decision", version=entered_at, sentence_id=decision.outcome,
                     text=decision.model_dump_json(), date=entered_at, by=entered_by)
    sections = _sections(template, proposal, stamp, lang, "", decision.outcome, values, entered)
    return Document(document_id=document_id, version=version, kind="beslissingsbrief",
                    language=language(lang), dossier_ref=proposal.dossier_ref,
                    template=template.stamp(lang), sections=sections, reports=proposal.reports,
                    based_on=stamp, fields=values, checklist=checklist)


def _needs(template: DocumentTemplate, earlier: Document, stamp: DocumentStamp) -> None:
    if earlier.kind != template.based_on:
        raise NothingToBuildFrom(f"a {template.id} is built from a {template.based_on}, not a {earlier.kind}")
    if stamp.validated_at is None:
        raise NothingToBuildFrom(f"the {earlier.kind} is not validated yet")


def _sections(template: DocumentTemplate, earlier: Document, stamp: DocumentStamp, lang: str,
              subject: str, outcome: str | None, values: dict[str, str],
              entered: Source | None) -> tuple[DocSection, ...]:
    numbers = [0]
    out = []
    for section in template.sections:
        sentences: list[DocSentence] = taken_over(section, earlier, stamp, numbers)
        for clause in matching_clauses(section, subject, outcome):
            numbers[0] += 1
            filled = clause_sentence(template, clause, lang, values, f"d{numbers[0]}", entered)
            if filled is not None:
                sentences.append(filled)
        out.append(DocSection(id=section.id, title=section.title(lang), sentences=tuple(sentences),
                              required=section.required, worker_only=section.worker_only,
                              guidance=section.guidance))
    return tuple(out)
