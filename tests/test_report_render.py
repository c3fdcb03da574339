"""Report rendering: HTML and PDF carry every sentence, the worker and the transparency statement."""

from __future__ import annotations

import copy
import shutil
import subprocess
from typing import Any

import pytest

from appliance.review.render import render_html, render_pdf
from appliance.review.wording import transparency_text


def _report(ai_used: bool = True) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "ai_used": ai_used,
        "models": [{"name": "whisper-base", "version": "ct2-int8 1.0", "sha256": "ab" * 32}] if ai_used else [],
        "drafting_engine": "spreekkamer-draft 1.0" if ai_used else "",
        "template": {"id": "intake", "version": "1.0.0"},
        "worker_read_and_validated": True,
        "changes": {"draft_sentences": 12, "changed": 3, "added": 1, "deleted": 2},
        "validated_by": "An Peeters",
        "validated_at": "2026-11-28T10:30:00+01:00",
    }
    meta["text"] = transparency_text(meta, "nl")
    return {
        "report_id": "r_0001", "version": 1, "supersedes": None, "org": "dev-ocmw",
        "device_id": "dev-room-1", "dossier_ref": "D-2026-0042", "language": "nl",
        "template": {"id": "intake", "version": "1.0.0", "title": "Intakeverslag"},
        "sections": [
            {"id": "huisvesting", "title": "Huisvesting", "sentences": [
                {"text": "Mevrouw huurt een appartement van 650 euro per maand.", "origin": "draft",
                 "citations": [{"segment": "s3", "start": 1.0, "end": 4.2}]},
                {"text": "De verwarming is kapot <sinds> oktober & niet hersteld.", "origin": "worker",
                 "citations": []},
            ]},
            {"id": "financien", "title": "Financiën", "sentences": [
                {"text": "Ze ontvangt een leefloon en heeft schulden bij de energieleverancier (geïnd).",
                 "origin": "draft", "citations": [{"segment": "s7", "start": 30.0, "end": 41.5}]},
            ]},
            {"id": "hulpvraag", "title": "Hulpvraag", "sentences": []},
        ],
        "validated_by": {"username": "an", "display_name": "An Peeters"},
        "validated_at": "2026-11-28T10:30:00+01:00",
        "transparency": meta,
        "metrics": {"stop_to_validation_s": 540.0, "changed_share": 0.25},
    }


def _pdf_text(pdf: bytes, tmp_path: Any) -> str:
    """Text of a PDF via poppler's pdftotext (fpdf2 writes subset glyph ids, not plain text)."""
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext missing: install the poppler-utils package")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          timeout=30, check=True)
    return done.stdout.decode("utf-8")


def test_html_has_every_sentence_escaped_and_the_statement() -> None:
    report = _report()
    html = render_html(report)
    assert "Mevrouw huurt een appartement van 650 euro per maand." in html
    assert "De verwarming is kapot &lt;sinds&gt; oktober &amp; niet hersteld." in html
    assert "<sinds>" not in html
    assert "(geïnd)" in html
    assert "D-2026-0042" in html and "Intakeverslag" in html and "1.0.0" in html
    assert "An Peeters" in html
    assert "Dit verslag werd opgesteld met hulp van AI" in html
    assert "3 zinnen aangepast" in html
    assert "Niets genoteerd." in html  # an empty section is shown, not hidden
    assert '"ai_used": true' in html  # machine-readable metadata travels along


def test_html_escapes_markup_in_every_field() -> None:
    report = _report()
    report["dossier_ref"] = "D-<script>alert(1)</script>"
    report["transparency"]["validated_by"] = "</script><b>x"
    html = render_html(report)
    assert "<script>alert(1)" not in html
    assert "</script><b>x" not in html


def test_statement_is_worded_from_metadata_when_text_is_absent() -> None:
    report = _report()
    del report["transparency"]["text"]
    html = render_html(report)
    assert "Maatschappelijk werker An Peeters heeft het gelezen, 3 zinnen aangepast" in html
    assert "28 november 2026 om 10.30 uur" in html


def test_pdf_is_a_real_pdf_with_accents_and_worker(tmp_path: Any) -> None:
    pdf = render_pdf(_report())
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 5000
    text = _pdf_text(pdf, tmp_path)
    assert "Financiën" in text
    assert "geïnd" in text
    assert "An Peeters" in text
    assert "D-2026-0042" in text
    assert "met hulp van AI" in text


def test_pdf_in_french(tmp_path: Any) -> None:
    report = _report()
    report["language"] = "fr"
    report["transparency"]["text"] = transparency_text(report["transparency"], "fr")
    text = _pdf_text(render_pdf(report), tmp_path)
    assert "Validé par" in text
    assert "avec l'aide de l'IA" in text.replace("\u2019", "'")
    assert "modifié 3 phrases" in text


def test_manual_path_wording() -> None:
    meta = _report(ai_used=False)["transparency"]
    nl = transparency_text(meta, "nl")
    assert nl.startswith("Dit verslag werd zonder AI opgesteld")
    assert "met hulp van AI" not in nl and "whisper" not in nl
    assert "An Peeters" in nl and "28 november 2026" in nl
    fr = transparency_text(meta, "fr")
    assert fr.startswith("Ce rapport a été rédigé sans IA")
    assert "28 novembre 2026 à 10 h 30" in fr


def test_ai_wording_names_models_template_and_changes() -> None:
    meta = _report()["transparency"]
    nl = transparency_text(meta, "nl")
    assert "whisper-base ct2-int8 1.0" in nl
    assert "spreekkamer-draft 1.0" in nl
    assert "intake 1.0.0" in nl
    assert "1 zin toegevoegd" in nl and "2 zinnen geschrapt" in nl


def test_single_change_uses_singular() -> None:
    meta = copy.deepcopy(_report()["transparency"])
    meta["changes"] = {"changed": 1, "added": 0, "deleted": 0}
    assert "1 zin aangepast en gevalideerd" in transparency_text(meta, "nl")


def test_unusable_report_gives_a_clear_error() -> None:
    report = _report()
    del report["dossier_ref"]
    report["sections"][0]["sentences"][0].pop("text")
    with pytest.raises(ValueError) as err:
        render_html(report)
    assert "dossier_ref" in str(err.value)
    assert "sections.0.sentences.0.text" in str(err.value)
    with pytest.raises(ValueError):
        render_pdf({"report_id": "x"})
