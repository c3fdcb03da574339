"""The social report, built from the dossier's validated contact reports without retyping.

Every sentence is a report sentence as it was validated, placed by its report section, citing
that sentence; nothing is generated. A typed fact stated again later shows its newest value, with
the older ones as history. A sentence whose section the template does not take is unassigned:
shown to the worker, never dropped. The worker's findings are left for the worker to write.
"""

from __future__ import annotations

from central.documents.history import newest_first_with_history
from central.documents.model import DocSection, DocSentence, Document, OlderValue, language
from central.documents.sources import ContactReport, ReportSentence, in_order
from central.documents.templates import DocumentTemplate


class NothingToBuildFrom(Exception):
    """The dossier has no validated report (or no earlier document) to build from."""


def build_social_report(
    template: DocumentTemplate, reports: list[ContactReport], *, document_id: str, version: int,
    dossier_ref: str, lang: str = "nl",
) -> Document:
    """A draft social report from `reports` (any order; the newest value wins)."""
    if not reports:
        raise NothingToBuildFrom("the dossier has no validated contact report")
    ordered = in_order(reports)
    placed: dict[str, list[ReportSentence]] = {s.id: [] for s in template.sections}
    unplaced: list[ReportSentence] = []
    for report in ordered:
        for sentence in report.sentences():
            target = template.target_for(sentence.section_id)
            (placed[target] if target is not None else unplaced).append(sentence)
    counter = iter(range(1, 1_000_000))
    sections = []
    for section in template.sections:
        sentences = tuple(
            _copied(f"d{next(counter)}", current, older)
            for current, older in newest_first_with_history(placed[section.id])
        )
        sections.append(DocSection(id=section.id, title=section.title(lang), sentences=sentences,
                                   required=section.required, worker_only=section.worker_only,
                                   guidance=section.guidance))
    unassigned = tuple(_copied(f"d{next(counter)}", s, []) for s in unplaced)
    return Document(
        document_id=document_id, version=version, kind="sociaal_verslag", language=language(lang),
        dossier_ref=dossier_ref, template=template.stamp(lang), sections=tuple(sections),
        unassigned=unassigned, reports=tuple(r.stamp() for r in ordered),
    )


def _copied(sentence_id: str, current: ReportSentence, older: list[ReportSentence]) -> DocSentence:
    history = tuple(OlderValue(text=o.text, source=o.source()) for o in older)
    return DocSentence(id=sentence_id, text=current.text, origin="report",
                       sources=(current.source(),), history=history)
