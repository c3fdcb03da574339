"""Measure the chain on the evaluation conversations: do the gold facts reach the social report?

A dossier is two or three conversations in sequence (an intake, then a follow-up). Each is
drafted by the box's own engine from its reference transcript and taken as validated, as a
worker would validate it unchanged. A gold fact counts when a report sentence places it (the
scorer's rule: its keywords, in its section, citing its turns) and a sentence of the social
report cites that very report sentence with the same text: a citation chain from the social
report to the report sentence to the spoken turns. The three documents are built and timed.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from appliance.draft import Draft
from appliance.drafting.engine import draft_report
from appliance.drafting.evaluation import ensure_reference, reference_transcript
from appliance.drafting.templates import load_template
from appliance.review.report import Validator, build_report
from central.documents.checklist import check, load_checklist, missing
from central.documents.decision import CommitteeDecision
from central.documents.later import build_letter, build_proposal
from central.documents.model import DocSentence, Document, DocumentStamp
from central.documents.review import EditedSection, EditedSentence, apply_edits
from central.documents.social_report import build_social_report
from central.documents.sources import ContactReport
from central.documents.templates import load_document_template

DOSSIERS: tuple[tuple[str, ...], ...] = (
    ("intake-01", "traject-01"), ("intake-02", "evaluatie-01"),
    ("intake-03", "traject-02", "evaluatie-02"), ("intake-04", "traject-01", "evaluatie-01"),
)
_DECISION = CommitteeDecision(
    outcome="granted", decided_on=dt.date(2026, 4, 1), amount=Decimal("1263.17"),
    start_date=dt.date(2026, 4, 1), motivation="Het Comité stelt vast dat de aanvrager geen bestaansmiddelen heeft.",
    court_address="Arbeidsrechtbank, Opgeëistenlaan 401, 9000 Gent", service="OCMW", contact_name="Evaluatie",
    contact_phone="09 000 00 00")


@dataclass(frozen=True)
class DossierRow:
    """The figures of one dossier."""

    name: str
    placed: int
    """Gold facts that the contact reports place."""
    reached: int
    """Of those, facts that reach the social report through a valid citation chain."""
    unsourced: int
    """Sentences of the three documents, other than the worker's, without a source."""
    broken: int
    """Citations to a report sentence that is not in the dossier as cited."""
    checklist_missing: int
    seconds: float


@dataclass(frozen=True)
class _Conversation:
    conv: dict[str, Any]
    ref: dict[str, Any]
    report: ContactReport


def evaluate(folder: Path, scorer: ModuleType, cache: Path, synth: Path) -> list[DossierRow]:
    """Build and measure every dossier whose conversations are all in `folder`."""
    rows = []
    for number, names in enumerate(DOSSIERS, start=1):
        if not all((folder / f"{n}.json").is_file() for n in names):
            continue
        convs = [_drafted(folder / f"{n}.json", cache, synth, number, day) for day, n in enumerate(names)]
        start = time.perf_counter()
        social, proposal, letter = _chain([c.report for c in convs], f"D-EVAL-{number}")
        seconds = time.perf_counter() - start
        placed = reached = 0
        for c in convs:
            for fact in c.conv["facts"]:
                sentences = _placing(scorer, fact, c)
                if sentences:
                    placed += 1
                    reached += _reaches(scorer, fact, social, c.report.report_id, sentences)
        documents = (social, proposal, letter)
        rows.append(DossierRow(
            name="+".join(names), placed=placed, reached=reached,
            unsourced=sum(1 for d in documents for _, x in d.all_sentences() if x.origin != "worker" and not x.sources),
            broken=sum(_broken(d, [c.report for c in convs]) for d in documents),
            checklist_missing=len(missing(check(load_checklist("beslissingsbrief"), letter))), seconds=seconds))
    return rows


def _drafted(path: Path, cache: Path, synth: Path, dossier: int, day: int) -> _Conversation:
    conv = json.loads(path.read_text(encoding="utf-8"))
    ref_path, _ = ensure_reference(path, cache, synth, need_audio=False)
    ref = json.loads(ref_path.read_text(encoding="utf-8"))
    template = load_template(conv["template"])
    draft: Draft = draft_report(template, reference_transcript(ref))
    when = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC) + dt.timedelta(days=14 * day)
    body = build_report(
        report_id=f"r_{dossier}_{conv['id']}", version=1, supersedes=None, org="ocmw-eval", device_id="eval",
        dossier_ref=f"D-EVAL-{dossier}", template_title=template.title(), original=draft, final=draft,
        ai_used=True, models=[], validator=Validator("eval", "Evaluatie"), validated_at=when, stopped_at=None)
    return _Conversation(conv, ref, ContactReport(body["report_id"], 1, body))


def _chain(reports: list[ContactReport], ref: str) -> tuple[Document, Document, Document]:
    """The three documents, the worker's part typed as a worker would, each taken as validated."""
    social = _with_own(build_social_report(load_document_template("sociaal_verslag"), reports,
                                           document_id="doc_sv", version=1, dossier_ref=ref),
                       "bevindingen", "Bevindingen van de maatschappelijk werker.")
    proposal = _with_own(build_proposal(load_document_template("voorstel_bcsd"), social, _stamp(social),
                                        document_id="doc_vs", version=1), "voorstel", "Voorstel van de maatschappelijk werker.")
    letter = build_letter(load_document_template("beslissingsbrief"), proposal, _stamp(proposal), _DECISION,
                          entered_by="Evaluatie", entered_at="2026-04-01T16:00:00+00:00", document_id="doc_bb",
                          version=1, checklist=load_checklist("beslissingsbrief").stamp)
    return social, proposal, letter


def _with_own(doc: Document, section_id: str, text: str) -> Document:
    edits = [EditedSection(id=s.id, sentences=[EditedSentence(id=x.id, text=x.text) for x in s.sentences]
                           + ([EditedSentence(text=text)] if s.id == section_id else []))
             for s in doc.sections]
    return apply_edits(doc, doc, edits, "eval")


def _stamp(doc: Document) -> DocumentStamp:
    return DocumentStamp(document_id=doc.document_id, version=doc.version, kind=doc.kind,
                         validated_at="2026-03-31T10:00:00+00:00", validated_by="Evaluatie")


def _turns(scorer: ModuleType, c: _Conversation, citations: list[dict[str, Any]]) -> set[int]:
    hits = set()
    for cite in citations:
        for turn in c.ref["turns"]:
            if scorer.overlaps(cite["start"], cite["end"], turn["start"], turn["end"]):
                hits.add(turn["index"])
    return hits


def _carries(scorer: ModuleType, fact: dict[str, Any], text: str) -> bool:
    found_words = scorer.words(text)
    return all(scorer.group_present(g, found_words, text.lower()) for g in fact["keywords"])


def _placing(scorer: ModuleType, fact: dict[str, Any], c: _Conversation) -> dict[str, str]:
    """sentence id -> text of the report sentences that place the fact (scorer's rule)."""
    out = {}
    for section in c.report.body["sections"]:
        if section["id"] != fact["section"]:
            continue
        for x in section["sentences"]:
            if _turns(scorer, c, x["citations"]) & set(fact["turns"]) and _carries(scorer, fact, x["text"]):
                out[x["id"]] = x["text"]
    return out


def _reaches(scorer: ModuleType, fact: dict[str, Any], social: Document, report_id: str,
             placing: dict[str, str]) -> bool:
    for _, x in social.all_sentences():
        for s in x.sources:
            if (s.kind == "report" and s.ref == report_id and placing.get(s.sentence_id) == s.text
                    and _carries(scorer, fact, x.text)):
                return True
    return False


def _broken(doc: Document, reports: list[ContactReport]) -> int:
    texts = {(r.report_id, str(r.version), s.sentence_id): s.text for r in reports for s in r.sentences()}
    cited: list[DocSentence] = [x for _, x in doc.all_sentences()]
    return sum(1 for x in cited for s in x.sources
               if s.kind == "report" and texts.get((s.ref, s.version, s.sentence_id)) != s.text)


def format_rows(rows: list[DossierRow]) -> str:
    """A plain-text table, one line per dossier and the total."""
    header = (f"{'dossier':<40}{'placed':>7}{'reached':>8}{'share':>7}{'unsourced':>10}{'broken':>7}"
              f"{'checklist':>10}{'ms':>8}")
    lines = [header, "-" * len(header)]

    def line(name: str, placed: int, reached: int, unsourced: int, broken: int, miss: int, ms: float) -> str:
        share = reached / placed if placed else 0.0
        return (f"{name:<40}{placed:>7}{reached:>8}{share:>7.3f}{unsourced:>10}{broken:>7}{miss:>10}"
                f"{ms:>8.1f}")

    for r in rows:
        lines.append(line(r.name, r.placed, r.reached, r.unsourced, r.broken, r.checklist_missing, r.seconds * 1000))
    if rows:
        lines.append("-" * len(header))
        lines.append(line("all", sum(r.placed for r in rows), sum(r.reached for r in rows),
                          sum(r.unsourced for r in rows), sum(r.broken for r in rows),
                          sum(r.checklist_missing for r in rows), max(r.seconds for r in rows) * 1000)
                     + "  (ms: slowest dossier)")
    return "\n".join(lines)
