"""A validated report never changes; a correction is a new version that references the old one."""

from __future__ import annotations

import time

import httpx
import pytest

from central.dossiers.reports import stored_reports
from tests.stack import Stack


def _validated_manual_report(s: Stack, dossier: str) -> str:
    kiosk = httpx.Client(base_url=s.kiosk_url, timeout=10)
    cid = s.worker.post("/api/contacts", json={"dossier_ref": dossier, "template_id": "intake"}).json()["id"]
    s.worker.post(f"/api/contacts/{cid}/manual").raise_for_status()
    working = s.worker.get(f"/api/contacts/{cid}/draft").json()["working"]
    working["sections"][0]["sentences"] = [{"id": "w1", "text": "Cliënt vraagt een huurwaarborg.", "origin": "worker"}]
    s.worker.put(f"/api/contacts/{cid}/draft", json={"working": working}).raise_for_status()
    r = s.worker.post(f"/api/contacts/{cid}/validation", json={"confirm": True, "worker_name": "An Peeters"})
    assert r.status_code == 200, r.text
    assert kiosk.get("/api/kiosk/state").json()["state"] in {"idle", "declined", "finished"}
    s.wait_state(cid, {"purged"}, timeout=60)
    return str(r.json()["report_id"])


@pytest.mark.slow
def test_correction_is_a_new_version(appliance_server: Stack) -> None:
    s = appliance_server
    rid = _validated_manual_report(s, "D-CORR-1")
    draft = s.worker.get(f"/api/reports/{rid}/draft").json()
    assert draft["sections"][0]["sentences"][0]["text"] == "Cliënt vraagt een huurwaarborg."
    draft["sections"][0]["sentences"][0]["text"] = "Cliënt vraagt een huurwaarborg van 1 maand."
    bad = s.worker.post(f"/api/reports/{rid}/corrections", json={"working": draft, "confirm": True,
                                                                  "worker_name": "Niet Ik"})
    assert bad.status_code == 409
    r = s.worker.post(f"/api/reports/{rid}/corrections", json={"working": draft, "confirm": True,
                                                                "worker_name": "An Peeters"})
    assert r.status_code == 200, r.text
    v2 = r.json()
    assert v2["version"] == 2 and v2["supersedes"] == 1
    assert v2["transparency"]["changes"]["changed"] == 1
    # Version 1 is untouched on the box and both versions reach central, each once.
    with s.appliance.store.transaction() as conn:
        rows = conn.execute("SELECT version, supersedes FROM reports WHERE id = ? ORDER BY version", (rid,)).fetchall()
    assert [tuple(x) for x in rows] == [(1, None), (2, 1)]
    deadline = time.monotonic() + 30
    while True:
        got = sorted(r.version for r in stored_reports(s.receiver_config.database_url) if r.report_id == rid)
        if got == [1, 2]:
            break
        assert time.monotonic() < deadline, got
        time.sleep(0.2)
    assert s.worker.get(f"/api/reports/{rid}").json()["version"] == 2

