"""After a revocation the dossier takes the manual path in every room, until the client opts in
again — the flag travels through central as an HMAC, never as the dossier reference."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from appliance.contact.consent import Choice, has_manual_flag
from tests.postgres import database_text
from tests.stack import Stack


def _eventually(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.2)


@pytest.mark.slow
def test_revocation_in_one_room_sets_manual_path_in_another(appliance_server: Stack) -> None:
    s = appliance_server
    kiosk = httpx.Client(base_url=s.kiosk_url, timeout=10)
    key = (s.config.credentials_dir / "dossier-key").read_bytes().strip()  # type: ignore[operator]
    with s.other_room() as room2:
        cid = s.worker.post("/api/contacts", json={"dossier_ref": "D-TRAVEL-7", "template_id": "intake"}).json()["id"]
        s.worker.post(f"/api/contacts/{cid}/consent/ask").raise_for_status()
        shown = kiosk.get("/api/kiosk/state").json()
        kiosk.post("/api/kiosk/consent", json={"choice": "granted", "language": "nl",
                                                "text_version": shown["text_version"], "screen": shown["screen"]})
        s.worker.post(f"/api/contacts/{cid}/revocations", json={"channel": "mail"}).raise_for_status()

        def flagged_in_room2() -> bool:
            with room2.store.transaction() as conn:
                return has_manual_flag(conn, key, "D-TRAVEL-7")

        _eventually(flagged_in_room2)
        central_dump = database_text(s.receiver_config.database_url)
        assert "D-TRAVEL-7" not in central_dump.upper(), "central never sees the dossier reference"

        other = room2.room.open_contact("D-TRAVEL-7", "intake", "jan")
        asked = room2.room.ask_consent(other.id, "jan")
        assert asked.state.value == "drafted" and asked.path == "manual"

        # The client opts in again at a kiosk in room 2: the flag is cleared everywhere.
        again = room2.room.open_contact("D-TRAVEL-7", "intake", "jan")
        room2.room.ask_consent(again.id, "jan", client_asked_to_opt_in=True)
        # Overriding the standing "no" at the client's request is audited as an event of its own.
        asked = [e.event for e in room2.audit.entries(contact_id=again.id, limit=10)]
        assert "consent.asked_over_standing_choice" in asked and "consent.asked" not in asked
        room2.room.kiosk_decide(Choice.GRANTED, "nl", room2.room.text_version, room2.room.kiosk_state()["screen"])

        def cleared_in_room1() -> bool:
            with s.appliance.store.transaction() as conn:
                return not has_manual_flag(conn, key, "D-TRAVEL-7")

        _eventually(cleared_in_room1)
