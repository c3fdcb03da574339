"""What stands in the way of validating a document, and its transparency statement once validated.

A document can be validated when every required section has a sentence, every sentence that
the worker did not type has a source, worker-only sections hold only the worker's text (the
proposal), and a decision letter carries every item of its checklist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from central.documents.checklist import Checklist, check, missing
from central.documents.decision import long_date
from central.documents.model import Document
from central.documents.review import EditCounts, empty_sections


def blocking(document: Document, checklist: Checklist | None) -> list[str]:
    """Why the document cannot be validated yet (empty when it can)."""
    lang = document.language
    out = [f"{'section vide' if lang == 'fr' else 'leeg onderdeel'}: {s.title}" for s in empty_sections(document)]
    for section in document.sections:
        for x in section.sentences:
            if x.origin != "worker" and not x.sources:
                out.append(f"sentence {x.id} has no source")
            if section.worker_only and x.origin != "worker":
                out.append(f"sentence {x.id} in {section.title!r} was not written by the worker")
    if document.kind == "beslissingsbrief":
        if checklist is None:
            out.append("a decision letter needs its checklist")
        else:
            for result in missing(check(checklist, document)):
                out.append(f"{result.item.label(lang)}: {result.problem}")
    return out


def transparency(document: Document, edits: EditCounts, *, validated_by: str,
                 validated_at: str) -> dict[str, Any]:
    """Machine-readable statement (templates, sources, edits, who validated) and its wording."""
    origins: dict[str, int] = {}
    for _, x in document.all_sentences():
        origins[x.origin] = origins.get(x.origin, 0) + 1
    meta: dict[str, Any] = {
        "generated_text": False,
        "template": document.template.model_dump(),
        "checklist": document.checklist.model_dump() if document.checklist else None,
        "source_reports": [r.model_dump() for r in document.reports],
        "based_on": document.based_on.model_dump() if document.based_on else None,
        "sentences_by_origin": origins,
        "changes": edits.as_json(),
        "decision_entered_by": document.fields.get("entered_by"),
        "validated_by": validated_by,
        "validated_at": validated_at,
    }
    meta["text"] = _wording(document, meta, origins.get("worker", 0))
    return meta


def _wording(document: Document, meta: dict[str, Any], own: int) -> str:
    fr = document.language == "fr"
    t = document.template
    reports = ", ".join(
        f"{r.report_id} v{r.version} ({r.template}, "
        + (f"validé par {r.validated_by} le " if fr else f"gevalideerd door {r.validated_by} op ")
        + (_day(r.validated_at, document.language)) + ")"
        for r in document.reports)
    ai = [r for r in document.reports if r.ai_used]
    parts = [
        (f"Document établi avec le modèle {t.title} ({t.id} {t.version} du {t.date}) à partir des rapports"
         f" d'entretien validés {reports}." if fr else
         f"Opgesteld met het sjabloon {t.title} ({t.id} {t.version} van {t.date}) uit de gevalideerde"
         f" gespreksverslagen {reports}."),
        ("Chaque phrase renvoie à la phrase dont elle provient ; aucun texte n'a été généré et le logiciel"
         " ne propose aucune décision." if fr else
         "Elke zin verwijst naar de zin waaruit ze komt; er werd geen tekst gegenereerd en de software"
         " stelt geen beslissing voor."),
        (f"{len(ai)} des rapports source ont été rédigés avec l'aide de l'IA, {len(document.reports) - len(ai)} sans."
         if fr else f"{len(ai)} van de bronverslagen werden met hulp van AI opgesteld, "
         f"{len(document.reports) - len(ai)} zonder."),
        (f"{own} phrase(s) écrite(s) par le travailleur social." if fr else
         f"{own} zin(nen) schreef de maatschappelijk werker zelf."),
    ]
    if document.based_on is not None:
        b = document.based_on
        parts.append(f"Basé sur {b.kind} {b.document_id} v{b.version}." if fr else
                     f"Gebaseerd op {b.kind} {b.document_id} v{b.version}.")
    if document.checklist is not None:
        c = document.checklist
        parts.append(f"Contrôlé avec la liste {c.id} {c.version} du {c.date}." if fr else
                     f"Gecontroleerd met de checklist {c.id} {c.version} van {c.date}.")
    if meta["decision_entered_by"]:
        parts.append(f"Décision du Comité encodée par {meta['decision_entered_by']}." if fr else
                     f"De beslissing van het Comité werd ingevoerd door {meta['decision_entered_by']}.")
    day = _day(meta["validated_at"], document.language)
    parts.append(f"Lu et validé par {meta['validated_by']} le {day}." if fr else
                 f"Gelezen en gevalideerd door {meta['validated_by']} op {day}.")
    return " ".join(parts)


def _day(iso: str | None, lang: str) -> str:
    if not iso:
        return "?"
    try:
        return long_date(dt.datetime.fromisoformat(iso).date(), lang)
    except ValueError:
        return iso
