"""Derived documents built from validated contact reports: citations, newest value, history,
no decision from the software, the decision letter's checklist, review edits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from central.documents.checklist import check, load_checklist, missing
from central.documents.decision import CommitteeDecision
from central.documents.later import build_letter, build_proposal
from central.documents.model import DocSentence, Document, DocumentStamp
from central.documents.review import EditedSection, EditedSentence, ReviewError, apply_edits
from central.documents.social_report import NothingToBuildFrom, build_social_report
from central.documents.sources import ContactReport
from central.documents.templates import load_document_template
from central.documents.validation import blocking, transparency


def sentence(sid: str, text: str, fact: dict[str, Any] | None = None, origin: str = "draft") -> dict[str, Any]:
    return {"id": sid, "text": text, "origin": origin, "citations": [], **({"fact": fact} if fact else {})}


def contact(report_id: str, template: str, when: str, sections: dict[str, list[dict[str, Any]]],
            *, ai: bool = True, by: str = "An Peeters") -> ContactReport:
    """A validated report in the shape a box sends (or a hand-written one on the manual path)."""
    return ContactReport(report_id, 1, {
        "report_id": report_id, "version": 1, "dossier_ref": "D-1",
        "template": {"id": template, "version": "1.0.0", "title": template},
        "sections": [{"id": k, "title": k, "sentences": v} for k, v in sections.items()],
        "validated_by": {"username": "an", "display_name": by}, "validated_at": when,
        "transparency": {"ai_used": ai, "text": "..."},
    })


INTAKE = contact("r_intake", "intake", "2026-03-02T10:00:00+00:00", {
    "hulpvraag": [sentence("s1", "Cliënt vraagt een leefloon aan.", {"kind": "request", "fields": {"what": "leefloon"}})],
    "inkomen": [sentence("s2", "Cliënt ontvangt een werkloosheidsuitkering van 1.100 euro per maand.",
                         {"kind": "income", "fields": {"person": "cliënt", "source": "werkloosheidsuitkering",
                                                       "amount": "1100"}}),
                sentence("s3", "Zijn partner werkt halftijds.")],
    "uitgaven_schulden": [sentence("s4", "Er is een achterstal bij Fluvius van 640 euro.")],
    "afspraken": [sentence("s5", "Cliënt bezorgt zijn loonfiches tegen 16 maart.")],
})
FOLLOW_UP = contact("r_traject", "trajectverslag", "2026-03-20T09:00:00+00:00", {
    "inkomen": [sentence("s1", "De werkloosheidsuitkering van cliënt is gestopt; hij heeft geen inkomen meer.",
                         {"kind": "income", "fields": {"person": "cliënt", "source": "werkloosheidsuitkering",
                                                       "amount": "0"}})],
    "stand_van_zaken": [sentence("s2", "Cliënt volgt sinds maart een cursus bij VDAB.")],
    "onbekend": [sentence("s3", "Iets dat in geen onderdeel past.")],
}, ai=False, by="Bart Claes")


def social() -> Document:
    return build_social_report(load_document_template("sociaal_verslag"), [FOLLOW_UP, INTAKE],
                               document_id="doc_sv", version=1, dossier_ref="D-1")


def validated(doc: Document) -> DocumentStamp:
    return DocumentStamp(document_id=doc.document_id, version=doc.version, kind=doc.kind,
                         validated_at="2026-03-21T10:00:00+00:00", validated_by="An Peeters")


def with_sentence(doc: Document, section_id: str, text: str) -> Document:
    edits = [EditedSection(id=s.id, sentences=[EditedSentence(id=x.id, text=x.text) for x in s.sentences])
             for s in doc.sections]
    for e in edits:
        if e.id == section_id:
            e.sentences.append(EditedSentence(text=text))
    return apply_edits(doc, doc, edits, "an")


DECISION = CommitteeDecision(
    outcome="granted", decided_on=dt.date(2026, 4, 1), amount=Decimal("1263.17"),
    start_date=dt.date(2026, 3, 2), motivation="De aanvrager heeft geen bestaansmiddelen en is werkbereid.",
    court_address="Arbeidsrechtbank Gent, Opgeëistenlaan 401, 9000 Gent", service="OCMW Gent",
    contact_name="An Peeters", contact_phone="09 266 99 00")


def letter_from(doc: Document) -> Document:
    proposal = with_sentence(build_proposal(load_document_template("voorstel_bcsd"), with_sentence(
        doc, "bevindingen", "Ik stel vast dat cliënt geen inkomen heeft."), validated(doc),
        document_id="doc_vs", version=1), "voorstel", "Ik stel voor het leefloon toe te kennen.")
    checklist = load_checklist("beslissingsbrief")
    return build_letter(load_document_template("beslissingsbrief"), proposal, validated(proposal), DECISION,
                        entered_by="Els Secretaris", entered_at="2026-04-01T16:00:00+00:00",
                        document_id="doc_bb", version=1, checklist=checklist.stamp)


def test_every_sentence_is_a_report_sentence_with_its_citation() -> None:
    doc = social()
    texts = {x.text for r in (INTAKE, FOLLOW_UP) for x in r.sentences()}
    for _, x in doc.all_sentences():
        assert x.origin == "report" and x.text in texts and len(x.sources) == 1
        src = x.sources[0]
        assert src.kind == "report" and src.text == x.text and src.date and src.by
    assert [x.text for x in doc.section("aanvraag").sentences] == ["Cliënt vraagt een leefloon aan."]
    assert doc.section("verloop").sentences[0].sources[0].by == "Bart Claes"
    assert [x.text for x in doc.unassigned] == ["Iets dat in geen onderdeel past."]  # shown, not dropped
    assert [r.report_id for r in doc.reports] == ["r_intake", "r_traject"]
    assert doc.section("bevindingen").sentences == ()  # the worker's own findings


def test_the_newest_value_wins_and_the_older_one_is_history() -> None:
    income = social().section("inkomen_middelen").sentences
    assert [x.text for x in income] == ["Zijn partner werkt halftijds.",
                                        "De werkloosheidsuitkering van cliënt is gestopt; hij heeft geen inkomen meer."]
    assert income[1].sources[0].ref == "r_traject"
    assert [(h.text, h.source.ref, h.source.sentence_id) for h in income[1].history] == [
        ("Cliënt ontvangt een werkloosheidsuitkering van 1.100 euro per maand.", "r_intake", "s2")]


def test_a_dossier_without_reports_has_nothing_to_build_from() -> None:
    with pytest.raises(NothingToBuildFrom):
        build_social_report(load_document_template("sociaal_verslag"), [], document_id="x", version=1, dossier_ref="D")


def test_the_manual_path_gets_the_same_document() -> None:
    manual = [ContactReport(r.report_id, r.version, {**r.body, "transparency": {"ai_used": False}})
              for r in (INTAKE, FOLLOW_UP)]
    hand = build_social_report(load_document_template("sociaal_verslag"), manual, document_id="doc_sv",
                               version=1, dossier_ref="D-1")
    assert hand.sections == social().sections and hand.unassigned == social().unassigned


def test_the_social_report_needs_the_workers_findings_to_be_validated() -> None:
    doc = social()
    assert any("Bevindingen" in p for p in blocking(doc, None))
    done = with_sentence(doc, "bevindingen", "Cliënt is werkbereid en heeft geen bestaansmiddelen.")
    assert blocking(done, None) == ["leeg onderdeel: Gezinssamenstelling", "leeg onderdeel: Huisvesting"]
    done = with_sentence(with_sentence(done, "gezinssituatie", "Alleenstaand."), "huisvesting", "Huurt een studio.")
    assert blocking(done, None) == []
    mine = done.section("bevindingen").sentences[0]
    assert (mine.origin, mine.author, mine.sources) == ("worker", "an", ())


def test_review_keeps_sources_by_id_marks_edits_and_undo_restores_a_deleted_sentence() -> None:
    doc = social()
    target = doc.section("schulden").sentences[0]
    edits = [EditedSection(id=s.id, sentences=[EditedSentence(id=x.id, text=x.text) for x in s.sentences])
             for s in doc.sections]
    schulden = next(e for e in edits if e.id == "schulden")
    afspraken = next(e for e in edits if e.id == "afspraken")
    moved = afspraken.sentences.pop()
    schulden.sentences = [EditedSentence(id=target.id, text="Er is een achterstal bij Fluvius van 640 euro (gas)."),
                          moved]
    after = apply_edits(doc, doc, edits, "an")
    first, second = after.section("schulden").sentences
    assert first.edited and first.sources == target.sources and first.author == "an"
    assert not second.edited and second.sources[0].sentence_id == "s5"
    deleted = apply_edits(doc, after, [e if e.id != "schulden" else EditedSection(id="schulden") for e in edits], "an")
    assert deleted.section("schulden").sentences == ()
    undone = apply_edits(doc, deleted, edits, "an")
    assert undone.section("schulden").sentences[1].sources == second.sources
    with pytest.raises(ReviewError):
        apply_edits(doc, doc, edits[:-1], "an")  # a section missing


def test_the_proposal_takes_the_validated_report_and_never_proposes_a_decision() -> None:
    doc = with_sentence(social(), "bevindingen", "Ik stel vast dat cliënt geen inkomen heeft.")
    proposal = build_proposal(load_document_template("voorstel_bcsd"), doc, validated(doc),
                              document_id="doc_vs", version=1)
    assert proposal.section("voorstel").sentences == () and proposal.section("voorstel").worker_only
    assert any("Voorstel" in p for p in blocking(proposal, None))
    request = proposal.section("aanvraag").sentences[0]
    assert request.origin == "document" and [s.kind for s in request.sources] == ["document", "report"]
    assert request.sources[1].ref == "r_intake"
    assert "maatschappelijke integratie" in proposal.section("wettelijke_basis").sentences[0].text
    summary = [x.text for x in proposal.section("samenvatting").sentences]
    assert "Ik stel vast dat cliënt geen inkomen heeft." in summary
    # Only the worker's own text may stand in the proposal field.
    edits = [EditedSection(id=s.id, sentences=[EditedSentence(id=x.id, text=x.text) for x in s.sentences])
             for s in proposal.sections]
    next(e for e in edits if e.id == "voorstel").sentences.append(EditedSentence(id=request.id, text=request.text))
    next(e for e in edits if e.id == "aanvraag").sentences.clear()
    with pytest.raises(ReviewError, match="only the worker"):
        apply_edits(proposal, proposal, edits, "an")
    unvalidated = DocumentStamp(document_id="doc_sv", version=1, kind="sociaal_verslag",
                                validated_at=None, validated_by=None)
    with pytest.raises(NothingToBuildFrom):
        build_proposal(load_document_template("voorstel_bcsd"), doc, unvalidated, document_id="x", version=1)


def test_the_letter_carries_every_checklist_item_and_a_missing_one_blocks() -> None:
    letter = letter_from(social())
    checklist = load_checklist("beslissingsbrief")
    assert missing(check(checklist, letter)) == [] and blocking(letter, checklist) == []
    text = " ".join(x.text for _, x in letter.all_sentences())
    for words in ("arbeidsrechtbank", "Opgeëistenlaan 401", "drie maanden", "728", "1017", "D-1", "OCMW Gent",
                  "09 266 99 00", "1.263,17 euro", "2 maart 2026", "1 april 2026", "geen bestaansmiddelen"):
        assert words in text
    motivation = letter.section("motivering").sentences[0]
    assert motivation.origin == "decision" and motivation.sources[1].by == "Els Secretaris"
    appeal = letter.section("beroep")
    edits = [EditedSection(id=s.id, sentences=[EditedSentence(id=x.id, text=x.text) for x in s.sentences
                                                if not (s.id == "beroep" and x.element == "appeal_time_limit")])
             for s in letter.sections]
    without = apply_edits(letter, letter, edits, "an")
    assert [r.item.id for r in missing(check(checklist, without))] == ["appeal_time_limit"]
    assert any("drie maanden" in p for p in blocking(without, checklist))
    reworded = [EditedSection(id=s.id, sentences=[EditedSentence(id=x.id, text=x.text.replace("Opgeëistenlaan 401", ""))
                                                   for x in s.sentences]) for s in letter.sections]
    assert [r.item.id for r in missing(check(checklist, apply_edits(letter, letter, reworded, "an")))] == ["appeal_court"]
    assert appeal.sentences[0].sources[0].kind == "template"


def test_a_refusal_has_no_amount_and_a_grant_needs_its_start() -> None:
    with pytest.raises(ValueError):
        CommitteeDecision.model_validate({**DECISION.model_dump(), "outcome": "refused"})
    with pytest.raises(ValueError):
        CommitteeDecision.model_validate({**DECISION.model_dump(), "start_date": None})
    refusal = CommitteeDecision.model_validate({**DECISION.model_dump(), "outcome": "refused", "amount": None,
                                                "start_date": None})
    assert refusal.fields("nl", "D-1", "x", "y").get("amount") is None


def test_the_transparency_statement_names_templates_reports_and_checklist() -> None:
    from central.documents.review import count_edits

    letter = letter_from(social())
    meta = transparency(letter, count_edits(letter, letter), validated_by="An Peeters",
                        validated_at="2026-04-02T09:00:00+00:00")
    assert meta["generated_text"] is False and meta["checklist"]["version"] == "1.0.0"
    assert [r["report_id"] for r in meta["source_reports"]] == ["r_intake", "r_traject"]
    for words in ("beslissingsbrief 1.0.0", "r_intake v1", "r_traject v1", "checklist beslissingsbrief 1.0.0",
                  "Els Secretaris", "Gelezen en gevalideerd door An Peeters op 2 april 2026",
                  "1 van de bronverslagen werden met hulp van AI opgesteld, 1 zonder"):
        assert words in meta["text"]


def test_french_documents_use_the_french_wording() -> None:
    doc = build_social_report(load_document_template("sociaal_verslag"), [INTAKE], document_id="d", version=1,
                              dossier_ref="D-1", lang="fr")
    assert doc.section("inkomen_middelen").title == "Revenus et moyens d'existence"
    assert isinstance(doc.section("aanvraag").sentences[0], DocSentence)
