"""Consent through the real API: per contact, no reason stored, revocation destroys at once,
the standing choice, and the manual path with the same steps."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from tests.stack import Stack

REASONY = re.compile(r"reason|why|motiv|reden|waarom|explain", re.IGNORECASE)


def _kiosk(s: Stack) -> httpx.Client:
    return httpx.Client(base_url=s.kiosk_url, timeout=10)


def _open_and_ask(s: Stack, dossier: str) -> str:
    r = s.worker.post("/api/contacts", json={"dossier_ref": dossier, "template_id": "intake"})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    s.worker.post(f"/api/contacts/{cid}/consent/ask").raise_for_status()
    return cid


def _answer(s: Stack, choice: str, language: str = "nl") -> httpx.Response:
    k = _kiosk(s)
    shown = k.get("/api/kiosk/state").json()
    return k.post("/api/kiosk/consent", json={"choice": choice, "language": language,
                                              "text_version": shown["text_version"], "screen": shown["screen"]})


@pytest.mark.slow
def test_no_field_for_a_reason_in_api_or_database(appliance_server: Stack) -> None:
    s = appliance_server
    schema = httpx.get(f"{s.base_url}/openapi.json").json()
    kiosk_schema = httpx.get(f"{s.kiosk_url}/openapi.json").json()  # the kiosk side has its own
    schema = {"paths": {**schema["paths"], **kiosk_schema["paths"]},
              "components": {"schemas": {**schema["components"]["schemas"], **kiosk_schema["components"]["schemas"]}}}
    consent_paths = [p for p in schema["paths"] if "consent" in p or "revo" in p]
    assert consent_paths
    components = schema["components"]["schemas"]
    for path in consent_paths:
        for op in schema["paths"][path].values():
            ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            name = ref.get("$ref", "").rsplit("/", 1)[-1] or (ref.get("anyOf", [{}])[0].get("$ref", "").rsplit("/", 1)[-1])
            if not name:
                continue
            props = components[name].get("properties", {})
            assert not [p for p in props if REASONY.search(p)], (path, props)
            assert components[name].get("additionalProperties") is False, f"{name} must refuse extra fields"
    with s.appliance.store.transaction() as conn:
        for table in ("consent_decisions", "dossier_flags", "contacts"):
            cols = [row[1] for row in conn.execute(f"PRAGMA table_info({table})").fetchall()]
            assert cols and not [c for c in cols if REASONY.search(c)], (table, cols)
    # A reason smuggled into the body is refused, not stored.
    cid = _open_and_ask(s, "D-REASON-1")
    k = _kiosk(s)
    shown = k.get("/api/kiosk/state").json()
    r = k.post("/api/kiosk/consent", json={"choice": "declined", "language": "nl", "text_version": shown["text_version"],
                                           "screen": shown["screen"], "reason": "wil niet"})
    assert r.status_code == 422
    assert _answer(s, "declined").status_code == 200
    assert s.worker.get(f"/api/contacts/{cid}").json()["consent"] == "declined"


@pytest.mark.slow
def test_consent_is_asked_for_every_contact(appliance_server: Stack) -> None:
    s = appliance_server
    first = _open_and_ask(s, "D-EVERY-1")
    assert _answer(s, "granted").status_code == 200
    second = s.worker.post("/api/contacts", json={"dossier_ref": "D-EVERY-1", "template_id": "intake"}).json()
    assert second["consent"] is None and second["state"] == "opened"
    assert s.worker.post(f"/api/contacts/{second['id']}/recording/start").status_code == 409
    # Answering twice is refused: the question is closed once answered.
    assert _answer(s, "declined").status_code == 409
    assert s.worker.get(f"/api/contacts/{first}").json()["consent"] == "granted"


@pytest.mark.slow
def test_revocation_during_recording_destroys_everything(appliance_server: Stack) -> None:
    s = appliance_server
    cid = _open_and_ask(s, "D-REVOKE-1")
    assert _answer(s, "granted", "fr").status_code == 200
    s.worker.post(f"/api/contacts/{cid}/recording/start").raise_for_status()
    led = s.appliance.room.led  # type: ignore[attr-defined]
    time.sleep(0.5)
    assert led.is_on
    began = time.monotonic()
    shown = _kiosk(s).get("/api/kiosk/state").json()
    r = _kiosk(s).post("/api/kiosk/revoke", json={"language": "fr", "screen": shown["screen"]})
    took = time.monotonic() - began
    assert r.status_code == 200, r.text
    assert not led.is_on, "the microphone closes with the revocation"
    print(f"revocation took {took:.3f} s")
    receipt = r.json()["receipt"]
    assert receipt["language"] == "fr"
    assert "recording" in receipt["stopped"]
    assert "audio" in receipt["deleted"]
    assert receipt["contact_info"]
    contact = s.worker.get(f"/api/contacts/{cid}").json()
    assert contact["state"] == "revoked" and contact["consent"] == "revoked"
    audio_dir = s.config.store.data_dir / "audio" / cid
    assert not audio_dir.exists() or not any(audio_dir.iterdir())
    with s.appliance.store.transaction() as conn:
        assert conn.execute("SELECT count(*) FROM data_keys WHERE contact_id = ?", (cid,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM audio_chunks WHERE contact_id = ?", (cid,)).fetchone()[0] == 0
    assert s.worker.get(f"/api/contacts/{cid}/transcript").status_code == 404
    kiosk = _kiosk(s).get("/api/kiosk/state").json()
    assert kiosk["state"] == "revoked" and kiosk["receipt"]["deleted"]
    events = [e.event for e in s.appliance.audit.entries(contact_id=cid, limit=100)]
    assert "consent.revoked" in events and "contact.purged" in events
    # The pipeline job, if any, was cancelled: nothing reappears.
    time.sleep(1.0)
    assert s.worker.get(f"/api/contacts/{cid}").json()["state"] == "revoked"

    # Standing choice: the same dossier now takes the manual path in this room without asking.
    nxt = s.worker.post("/api/contacts", json={"dossier_ref": "d-revoke-1 ", "template_id": "intake"}).json()
    asked = s.worker.post(f"/api/contacts/{nxt['id']}/consent/ask").json()
    assert asked["state"] == "drafted" and asked["path"] == "manual"
    assert _kiosk(s).get("/api/kiosk/state").json()["state"] != "question"
    with s.appliance.store.transaction() as conn:
        flags = [r[0] for r in conn.execute("SELECT dossier_hmac FROM dossier_flags").fetchall()]
    assert flags and all("REVOKE" not in f.upper() for f in flags), "the flag never carries the reference"
    # Until the client opts in again at the kiosk.
    again = s.worker.post("/api/contacts", json={"dossier_ref": "D-REVOKE-1", "template_id": "intake"}).json()
    r = s.worker.post(f"/api/contacts/{again['id']}/consent/ask", json={"client_asked_to_opt_in": True})
    assert r.json()["state"] == "consent_asked"
    assert _answer(s, "granted").status_code == 200
    with s.appliance.store.transaction() as conn:
        assert conn.execute("SELECT count(*) FROM dossier_flags").fetchone()[0] == len(flags) - 1


@pytest.mark.slow
def test_worker_registers_revocation_by_phone(appliance_server: Stack) -> None:
    s = appliance_server
    cid = _open_and_ask(s, "D-PHONE-1")
    assert _answer(s, "granted").status_code == 200
    r = s.worker.post(f"/api/contacts/{cid}/revocations", json={"channel": "phone"})
    assert r.status_code == 200, r.text
    assert r.json()["contact"]["state"] == "revoked"
    with s.appliance.store.transaction() as conn:
        row = conn.execute("SELECT choice, channel FROM consent_decisions WHERE contact_id = ? ORDER BY id DESC",
                           (cid,)).fetchone()
    assert tuple(row) == ("revoked", "phone")
    assert s.worker.post(f"/api/contacts/{cid}/revocations", json={"channel": "phone", "why": "x"}).status_code == 422


@pytest.mark.slow
def test_declined_contact_gets_the_same_template_validation_and_sync(appliance_server: Stack) -> None:
    s = appliance_server
    cid = _open_and_ask(s, "D-MANUAL-1")
    assert _answer(s, "declined").status_code == 200
    assert _kiosk(s).get("/api/kiosk/state").json()["state"] == "declined"
    contact = s.worker.get(f"/api/contacts/{cid}").json()
    assert contact["state"] == "drafted" and contact["path"] == "manual"
    pair = s.worker.get(f"/api/contacts/{cid}/draft").json()
    assert pair["original"] is None
    working = pair["working"]
    template = next(t for t in s.worker.get("/api/templates").json() if t["id"] == "intake")
    assert [sec["id"] for sec in working["sections"]] == [sec["id"] for sec in template["sections"]]
    working["sections"][0]["sentences"] = [{"text": "Cliënt vraagt hulp bij de huur.", "origin": "worker"}]
    assert s.worker.put(f"/api/contacts/{cid}/draft", json={"working": working}).status_code == 200
    report = s.worker.post(f"/api/contacts/{cid}/validation", json={"confirm": True, "worker_name": "An Peeters"})
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["transparency"]["ai_used"] is False and body["transparency"]["models"] == []
    assert "zonder AI" in body["transparency"]["text"]
    s.wait_state(cid, {"purged"}, timeout=60)
    dropped = list(s.receiver_config.sink.path.glob(f"{body['report_id']}*.json"))  # type: ignore[union-attr]
    assert dropped
    assert "Cliënt vraagt hulp bij de huur." in json.dumps(json.loads(dropped[0].read_text()), ensure_ascii=False)


@pytest.mark.slow
def test_open_question_survives_a_new_contact_and_can_be_withdrawn(appliance_server: Stack) -> None:
    s = appliance_server
    cid = _open_and_ask(s, "D-QUESTION-1")
    # Opening another contact does not take the open question off the kiosk.
    other = s.worker.post("/api/contacts", json={"dossier_ref": "D-QUESTION-2", "template_id": "intake"}).json()
    assert _kiosk(s).get("/api/kiosk/state").json()["state"] == "question"
    # Asking again is harmless; withdrawing the question leads to the manual path.
    assert s.worker.post(f"/api/contacts/{cid}/consent/ask").status_code == 200
    shown = _kiosk(s).get("/api/kiosk/state").json()
    manual = s.worker.post(f"/api/contacts/{cid}/manual").json()
    assert manual["state"] == "drafted" and manual["path"] == "manual"
    assert _kiosk(s).get("/api/kiosk/state").json()["state"] == "idle"
    # A touch on the withdrawn question (a stale screen) is refused.
    late = _kiosk(s).post("/api/kiosk/consent", json={"choice": "granted", "language": "nl",
                                                      "text_version": shown["text_version"], "screen": shown["screen"]})
    assert late.status_code == 409, late.text
    assert s.worker.get(f"/api/contacts/{other['id']}").json()["state"] == "opened"
