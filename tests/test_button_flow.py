"""The record button drives the room: ask, start, pause, resume, stop — and the LED follows the mic."""

from __future__ import annotations

import httpx
import pytest

from tests.stack import Stack


@pytest.mark.slow
def test_button_presses_drive_one_contact(appliance_server: Stack) -> None:
    s = appliance_server
    kiosk = httpx.Client(base_url=s.kiosk_url, timeout=10)
    led = s.appliance.room.led  # type: ignore[attr-defined]
    cid = s.worker.post("/api/contacts", json={"dossier_ref": "D-BUTTON-1", "template_id": "intake"}).json()["id"]

    def press(kind: str = "short") -> str:
        r = kiosk.post("/api/kiosk/button", json={"kind": kind})
        assert r.status_code == 200, r.text
        return str(s.worker.get(f"/api/contacts/{cid}").json()["state"])

    assert press() == "consent_asked"
    assert kiosk.get("/api/kiosk/state").json()["state"] == "question"
    # Pressing again before the client answered does not start anything.
    assert kiosk.post("/api/kiosk/button", json={"kind": "short"}).status_code == 409
    assert not led.is_on
    shown = kiosk.get("/api/kiosk/state").json()
    kiosk.post("/api/kiosk/consent", json={"choice": "granted", "language": "nl",
                                           "text_version": shown["text_version"], "screen": shown["screen"]})
    assert press() == "recording" and led.is_on
    assert press() == "paused" and not led.is_on
    assert press() == "recording" and led.is_on
    assert press("long") in {"stopped", "transcribed", "drafted"} and not led.is_on
    s.wait_state(cid, {"drafted"}, timeout=120)
    # The LED history never shows light without an open microphone (every on has its off).
    states = [on for _, on in led.history]
    assert states[-1] is False
