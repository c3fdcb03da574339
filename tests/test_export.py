"""Exit-strategy export through `spreekkamer export`, on a real SQLCipher store."""

from __future__ import annotations

import csv
import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from appliance.box.audit import AuditLog
from appliance.box.keys import derived_key
from appliance.box.secrets import write_secret
from appliance.cli import main as spreekkamer
from appliance.drafting.templates import list_templates
from appliance.review.report import canonical_json
from appliance.review.wording import transparency_text
from appliance.store.db import Store

pytestmark = pytest.mark.timeout(120)
SECRET_TEXT = "GEHEIM-TRANSCRIPT-Jansens-woont-in-Gent"


def _report(report_id: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "ai_used": True, "models": [{"name": "whisper-base", "version": "1", "sha256": "ab" * 32}],
        "drafting_engine": "spreekkamer-draft 1.0", "template": {"id": "intake", "version": "1.0.0"},
        "worker_read_and_validated": True,
        "changes": {"draft_sentences": 2, "changed": 1, "added": 0, "deleted": 0},
        "validated_by": "An Peeters", "validated_at": "2026-11-28T10:30:00+01:00",
    }
    meta["text"] = transparency_text(meta, "nl")
    return {
        "report_id": report_id, "version": 1, "supersedes": None, "org": "ocmw-test",
        "device_id": "room-1", "dossier_ref": "D-2026-0042", "language": "nl",
        "template": {"id": "intake", "version": "1.0.0", "title": "Intakeverslag"},
        "sections": [{"id": "huisvesting", "title": "Huisvesting", "sentences": [
            {"text": "Mevrouw huurt een appartement van 650 euro per maand.", "origin": "draft",
             "citations": [{"segment": "s3", "start": 1.0, "end": 4.2}]}]}],
        "validated_by": {"username": "an", "display_name": "An Peeters"},
        "validated_at": "2026-11-28T10:30:00+01:00", "transparency": meta,
    }


@pytest.fixture()
def box(tmp_path: Path) -> tuple[Path, list[str]]:
    """A config file and a store with two reports, audit entries, and content that must stay."""
    key = secrets.token_bytes(32)
    write_secret(tmp_path / "creds" / "db-key", key.hex().encode())
    config = tmp_path / "config.toml"
    config.write_text(f'credentials_dir = "{tmp_path / "creds"}"\n[store]\n'
                      f'data_dir = "{tmp_path / "data"}"\n[device]\norg = "ocmw-test"\n'
                      'device_id = "room-1"\n', encoding="utf-8")
    store = Store.open(tmp_path / "data" / "spreekkamer.db", key)
    audit = AuditLog(store, derived_key(key, "audit-chain"))
    ids = ["r-eerste", "r-tweede"]
    try:
        for report_id in ids:
            body = canonical_json(_report(report_id))
            store.execute(
                "INSERT INTO reports (id, version, contact_id, dossier_ref, report_json, content_hash,"
                " validated_by, validated_at) VALUES (?, 1, 'c1', 'D-2026-0042', ?, ?, 'an', ?)",
                (report_id, body, hashlib.sha256(body).hexdigest(), "2026-11-28T10:30:00+00:00"))
            audit.append("report.validated", contact_id="c1", actor="an", report_id=report_id)
        store.execute("INSERT INTO transcripts (contact_id, sealed_json, created_at) VALUES (?, ?, ?)",
                      ("c1", SECRET_TEXT.encode(), "2026-11-28T10:00:00+00:00"))
        store.execute("INSERT INTO drafts (contact_id, sealed_json, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?)", ("c1", SECRET_TEXT.encode(), "x", "x"))
    finally:
        store.close()
    audio = tmp_path / "data" / "audio" / "c1"
    audio.mkdir(parents=True)
    (audio / "000000.chunk").write_bytes(SECRET_TEXT.encode())
    return config, ids


def test_export_has_reports_audit_templates_and_a_true_manifest(
    box: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, ids = box
    out = tmp_path / "export"
    assert spreekkamer(["export", "--out", str(out), "--config", str(config)]) == 0
    assert "2 report(s)" in capsys.readouterr().out
    for report_id in ids:
        assert json.loads((out / "reports" / f"{report_id}.v1.json").read_bytes())["report_id"] == report_id
        assert (out / "reports" / f"{report_id}.v1.pdf").read_bytes().startswith(b"%PDF-")
    rows = list(csv.DictReader((out / "audit" / "audit-log.csv").open(encoding="utf-8")))
    assert [r["event"] for r in rows] == ["report.validated", "report.validated"]
    entries = json.loads((out / "audit" / "audit-log.json").read_text(encoding="utf-8"))
    assert entries[1]["details"] == {"report_id": "r-tweede"} and entries[1]["prev_hash"] == entries[0]["hash"]
    templates = {t.id for t in list_templates()}
    assert templates and {p.stem for p in (out / "templates").glob("*.toml")} == templates
    assert json.loads((out / "templates" / "intake.json").read_text())["id"] == "intake"

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"reports": 2, "audit_entries": 2, "templates": len(templates)}
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(manifest["sha256"]) == files - {"manifest.json", "SHA256SUMS"}
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    assert (out / "SHA256SUMS").read_text().count("\n") == len(manifest["sha256"])


def test_export_never_contains_audio_transcripts_or_drafts(
    box: tuple[Path, list[str]], tmp_path: Path
) -> None:
    config, _ = box
    out = tmp_path / "export"
    assert spreekkamer(["export", "--out", str(out), "--config", str(config)]) == 0
    for path in out.rglob("*"):
        assert "audio" not in path.parts and "transcript" not in path.name and "draft" not in path.name
        if path.is_file():
            assert SECRET_TEXT.encode() not in path.read_bytes(), path


def test_export_refuses_a_non_empty_folder_and_writes_nothing(
    box: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, _ = box
    out = tmp_path / "export"
    out.mkdir()
    (out / "keep.txt").write_text("van iemand anders")
    assert spreekkamer(["export", "--out", str(out), "--config", str(config)]) == 1
    assert "not an empty folder" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_export_without_the_database_key_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'credentials_dir = "{tmp_path / "none"}"\n[store]\ndata_dir = "{tmp_path}"\n')
    assert spreekkamer(["export", "--out", str(tmp_path / "x"), "--config", str(config)]) == 1
    assert "db-key" in capsys.readouterr().err and not (tmp_path / "x").exists()
