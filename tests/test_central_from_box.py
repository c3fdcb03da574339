"""From the box to the central screen: a conversation validated on the box, with the facts the
worker validated, appears in the dossier overview, each item linked to its sentence."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from central.dossiers import db
from central.dossiers.sealing import StorageKey
from central.web.accounts import create_account
from central.web.app import create_app
from central.web.config import WebConfig
from central.web.session import CSRF_HEADER
from tests.postgres import web_database_for
from tests.stack import WORKER, Stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
REF = "D-2026-0777"


def test_validated_conversation_reaches_the_central_dossier_with_its_facts(appliance_server: Stack) -> None:
    s = appliance_server
    cid = s.make_drafted_contact(dossier_ref=REF)
    working: dict[str, Any] = s.worker.get(f"/api/contacts/{cid}/draft").json()["working"]
    sentences = [x for sec in working["sections"] for x in sec["sentences"]]
    assert len(sentences) >= 2, "the demo draft has at least two sentences"
    # A cited passage can be heard; a span that is not a stretch of seconds is refused plainly.
    heard = s.worker.get(f"/api/contacts/{cid}/audio", params={"start": 1.0, "end": 3.0})
    assert heard.status_code == 200 and heard.content[:4] == b"RIFF"
    for start, end in (("inf", "inf"), ("nan", "2"), ("3", "1"), ("2", "2")):
        refused = s.worker.get(f"/api/contacts/{cid}/audio", params={"start": start, "end": end})
        assert refused.status_code == 422, (start, end, refused.status_code)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    # The worker states what the conversation agreed, as typed facts on two sentences.
    sentences[0]["fact"] = {"kind": "appointment", "fields": {"date": tomorrow, "time": "09:30",
                                                              "purpose": "documenten bekijken"}}
    sentences[1]["fact"] = {"kind": "agreement", "fields": {"who": "cliënt", "what": "huurcontract meebrengen",
                                                            "due": tomorrow}}
    s.worker.put(f"/api/contacts/{cid}/draft", json={"working": working}).raise_for_status()
    validated = s.worker.post(f"/api/contacts/{cid}/validation", json={"confirm": True, "worker_name": WORKER[1]})
    assert validated.status_code == 200, validated.text
    report_id = validated.json()["report_id"]
    s.wait_state(cid, {"purged"}, timeout=60)  # purged on the box only after central's signed ack

    url = s.receiver_config.database_url
    with db.connect(url) as conn:
        create_account(conn, username=WORKER[0], org="ocmw-test", display_name=WORKER[1],
                       password=WORKER[2], by="it")
    key = StorageKey.load(s.receiver_config.credentials_dir)
    app = create_app(WebConfig(database_url=web_database_for(s.root), secure_cookies=False), key)
    client = TestClient(app)
    login = client.post("/api/session", json={"username": WORKER[0], "password": WORKER[2]})
    assert login.status_code == 200, login.text
    client.headers[CSRF_HEADER] = login.json()["csrf"]

    deadline = time.monotonic() + 30
    while (found := client.get("/api/dossiers", params={"ref": REF})).status_code == 404:
        assert time.monotonic() < deadline, "the dossier never reached central"
        time.sleep(0.2)
    overview = client.get(f"/api/dossiers/{found.json()['dossier_id']}").json()
    assert [c["report_id"] for c in overview["contacts"]] == [report_id]
    assert overview["contacts"][0]["validated_by"] == WORKER[1]
    assert [a["fields"]["what"] for a in overview["agreements"]] == ["huurcontract meebrengen"]
    assert overview["agreements"][0]["source"] == {"report_id": report_id, "version": 1,
                                                   "sentence_id": sentences[1]["id"], "text": sentences[1]["text"]}
    today = client.get("/api/today").json()["appointments"]
    assert [(a["dossier_ref"], a["date"], a["fields"]["time"]) for a in today] == [(REF, tomorrow, "09:30")]
    assert today[0]["source"]["sentence_id"] == sentences[0]["id"]
