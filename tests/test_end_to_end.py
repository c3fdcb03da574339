"""One conversation from consent to a report stored centrally, through the HTTP API, with a real
Whisper model, real SQLCipher, a real Mosquitto with TLS and the real receiver — and then proof
that the box kept nothing it should not have.
"""

from __future__ import annotations

import json
import time
import wave
from pathlib import Path

import httpx
import pytest

from appliance.service.devprofile import DEMO_TURNS
from central.dossiers.reports import stored_reports
from tests.stack import Stack


def _all_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _assert_nowhere(folder: Path, needles: list[bytes]) -> None:
    for path in _all_files(folder):
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, f"plaintext {needle[:20]!r} found in {path}"


def _pcm_sample(wav: Path) -> bytes:
    with wave.open(str(wav), "rb") as w:
        frames = w.readframes(w.getnframes())
    middle = len(frames) // 2
    return frames[middle:middle + 4096]


@pytest.mark.slow
def test_conversation_end_to_end(appliance_server: Stack, demo_wav: Path) -> None:
    s = appliance_server
    kiosk = httpx.Client(base_url=s.kiosk_url, timeout=10)

    contact = s.worker.post("/api/contacts", json={"dossier_ref": "D-2026-0001", "template_id": "intake"})
    assert contact.status_code == 201, contact.text
    cid = contact.json()["id"]
    assert contact.json()["state"] == "opened"
    assert kiosk.get("/api/kiosk/state").json()["state"] == "idle"

    # Recording is impossible before the client said yes.
    assert s.worker.post(f"/api/contacts/{cid}/recording/start").status_code == 409

    s.worker.post(f"/api/contacts/{cid}/consent/ask").raise_for_status()
    state = kiosk.get("/api/kiosk/state").json()
    assert state["state"] == "question"
    assert "D-2026-0001" not in json.dumps(state), "the kiosk must not show the dossier"
    granted = kiosk.post("/api/kiosk/consent", json={"choice": "granted", "language": "nl",
                                                     "text_version": state["text_version"],
                                                     "screen": state["screen"]})
    assert granted.status_code == 200, granted.text

    led = s.appliance.room.led  # type: ignore[attr-defined]
    assert not led.is_on
    s.worker.post(f"/api/contacts/{cid}/recording/start").raise_for_status()
    assert led.is_on, "the LED is on while the microphone is open"
    assert kiosk.get("/api/kiosk/state").json()["state"] == "recording"

    drafted = s.wait_state(cid, {"drafted"}, timeout=240)
    assert not led.is_on
    assert drafted["recorded_seconds"] > 0

    transcript = s.worker.get(f"/api/contacts/{cid}/transcript").json()
    assert transcript["segments"], "the model heard the conversation"
    assert transcript["model"]["sha256"]
    said = " ".join(seg["text"] for seg in transcript["segments"]).lower()
    spoken = {w.strip(".,?").lower() for _, text in DEMO_TURNS for w in text.split() if len(w) >= 6}
    heard = {w.strip(".,?") for w in said.split()}
    # Robotic synthetic voices and a small model: demand a fair share of the words, not all.
    assert len(spoken & heard) >= 0.3 * len(spoken), (sorted(spoken & heard), said)

    draft = s.worker.get(f"/api/contacts/{cid}/draft").json()["working"]
    sentences = [x for sec in draft["sections"] for x in sec["sentences"]]
    assert sentences, "the draft has content"
    assert all(x["citations"] for x in sentences), "every draft sentence cites the transcript"

    # Nothing readable of the conversation lies in the data folder: database, WAL, audio, temp files.
    words = [w.encode() for w in said.split() if len(w) >= 6][:8]
    _assert_nowhere(s.config.store.data_dir, words + [_pcm_sample(demo_wav)])

    # The worker's working copy may change; then a named worker validates.
    refused = s.worker.post(f"/api/contacts/{cid}/validation", json={"confirm": True, "worker_name": "Iemand Anders"})
    assert refused.status_code == 409
    report = s.worker.post(f"/api/contacts/{cid}/validation", json={"confirm": True, "worker_name": "An Peeters"})
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["transparency"]["ai_used"] is True
    assert body["transparency"]["models"][0]["sha256"] == transcript["model"]["sha256"]
    assert "An Peeters" in body["transparency"]["text"]

    # Delivered only after the receiver's signed application-level ack; then purged.
    s.wait_state(cid, {"purged"}, timeout=60)
    with s.appliance.store.transaction() as conn:
        row = conn.execute("SELECT status FROM outbox WHERE report_id = ?", (body["report_id"],)).fetchone()
        assert row[0] == "done"
        assert conn.execute("SELECT count(*) FROM transcripts WHERE contact_id = ?", (cid,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM drafts WHERE contact_id = ?", (cid,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM data_keys WHERE contact_id = ?", (cid,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM audio_chunks WHERE contact_id = ?", (cid,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM reports WHERE contact_id = ?", (cid,)).fetchone()[0] == 1
    assert not (s.config.store.data_dir / "audio" / cid).exists() or not _all_files(
        s.config.store.data_dir / "audio" / cid)
    assert s.worker.get(f"/api/contacts/{cid}/transcript").status_code == 404

    # The central side has it exactly once, readable, and handed to the dossier system.
    rows = [(r.report_id, r.version) for r in stored_reports(s.receiver_config.database_url)
            if r.report_id == body["report_id"]]
    assert rows == [(body["report_id"], 1)]
    dropped = list(s.receiver_config.sink.path.glob(f"{body['report_id']}*.json"))  # type: ignore[union-attr]
    assert dropped, "the dossier system received the report"
    stored = json.loads(dropped[0].read_text())
    stored_report = stored.get("report", stored)
    assert stored_report["dossier_ref"] == "D-2026-0001"

    events = [e.event for e in s.appliance.audit.entries(contact_id=cid, limit=200)]
    for expected in ("consent.granted", "recording.started", "recording.stopped", "model.transcription",
                     "model.drafting", "report.validated", "sync.sealed", "sync.delivered", "contact.purged"):
        assert expected in events, f"audit log lacks {expected}: {events}"
    assert s.appliance.audit.verify().ok


@pytest.mark.slow
def test_health_and_schema(appliance_server: Stack) -> None:
    s = appliance_server
    health = httpx.get(f"{s.base_url}/health", timeout=30)
    assert health.status_code == 200, health.text
    assert health.json()["store"]["ok"] is True
    deadline = time.monotonic() + 20
    while not httpx.get(f"{s.base_url}/health", timeout=30).json()["sync"]["connected"]:
        assert time.monotonic() < deadline, "relay never connected"
        time.sleep(0.2)
    schema = httpx.get(f"{s.kiosk_url}/openapi.json", timeout=10).json()
    assert "/api/kiosk/consent" in schema["paths"]


@pytest.mark.slow
def test_no_client_data_without_login(appliance_server: Stack) -> None:
    anon = httpx.Client(base_url=appliance_server.base_url, timeout=10)
    for path in ("/api/contacts", "/api/templates", "/api/session"):
        assert anon.get(path).status_code == 401, path
