"""What the worker deleted in review, and the engine's unvalidated draft, never leave the box:
the sealed report carries the validated text and counts of what changed, nothing more."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization

from appliance.box.clock import utcnow
from appliance.contact.content import load_draft, save_draft
from appliance.draft import Citation, Sentence
from appliance.sync.envelope import open_envelope
from central.dossiers import db
from central.dossiers.reports import read_report
from central.dossiers.sealing import StorageKey
from provisioning.pki import load_dev_pki
from tests.stack import ORG, Stack

CANARY = "Cliënt vroeg dit weg te laten: kanarie-7f3a."
REPLACED = "Cliënt woont in kanarie-ab12."


def _texts(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


@pytest.mark.slow
def test_a_sentence_deleted_in_review_is_nowhere_outside_the_box_nor_in_it_after_purge(
    appliance_server: Stack,
) -> None:
    s = appliance_server
    cid = s.make_drafted_contact("D-CANARY-1")
    room = s.appliance.room
    # The engine's draft holds a sentence the client asked to leave out, and one the worker rewrites.
    with room.store.transaction() as conn:
        original, _ = load_draft(conn, room.keys.get(cid), cid)  # type: ignore[misc]
        cite = (Citation(segment="s1", start=0.0, end=1.0),)
        first = original.sections[0]
        first = first.model_copy(update={"sentences": first.sentences + (
            Sentence(id="canary", text=CANARY, citations=cite), Sentence(id="rewritten", text=REPLACED, citations=cite))})
        original = original.model_copy(update={"sections": (first, *original.sections[1:])})
        conn.execute("DELETE FROM drafts WHERE contact_id = ?", (cid,))  # stored as the engine wrote it
        save_draft(conn, room.keys.get(cid), cid, original=original, working=original, now=utcnow())
    working = s.worker.get(f"/api/contacts/{cid}/draft").json()["working"]
    kept = []
    for x in working["sections"][0]["sentences"]:
        if x["id"] == "canary":
            continue  # deleted in review
        kept.append({**x, "text": "Cliënt woont in Genk."} if x["id"] == "rewritten" else x)
    working["sections"][0]["sentences"] = kept
    s.worker.put(f"/api/contacts/{cid}/draft", json={"working": working}).raise_for_status()
    report = s.worker.post(f"/api/contacts/{cid}/validation", json={"confirm": True, "worker_name": "An Peeters"})
    assert report.status_code == 200, report.text
    body = report.json()
    s.wait_state(cid, {"purged"}, timeout=60)

    # The report states counts and kinds of change, never the text.
    changes = body["transparency"]["changes"]
    assert changes["deleted"] == 1 and changes["changed"] == 1
    assert "edits" not in body
    for secret in ("kanarie-7f3a", "kanarie-ab12"):
        assert secret not in _texts(body)

    # The envelope as sent, opened with central's own key.
    pki = load_dev_pki(s.root / "pki", org=ORG)
    central_private = serialization.load_pem_private_key(pki.central_x25519_key.read_bytes(), password=None)
    with room.store.transaction() as conn:
        blob = conn.execute("SELECT envelope FROM outbox WHERE report_id = ?", (body["report_id"],)).fetchone()[0]
    signing = serialization.load_pem_private_key(pki.devices["room-1"].signing_key.read_bytes(), password=None)
    device_public = signing.public_key()
    opened = open_envelope(bytes(blob), central_private=central_private,  # type: ignore[arg-type]
                           device_key=lambda _d: device_public)  # type: ignore[arg-type,return-value]
    sent = opened.report_json.decode()
    # What central filed, decrypted under the dossier's key, and what it forwarded.
    key = StorageKey.load(s.receiver_config.credentials_dir)
    with db.connect(s.receiver_config.database_url) as conn:
        filed = _texts(read_report(conn, key, body["report_id"], 1))
    forwarded = "".join(p.read_text() for p in s.receiver_config.sink.path.glob(f"{body['report_id']}*.json"))  # type: ignore[union-attr]
    # The box after purge: every table, decrypted.
    with room.store.transaction() as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
        on_box = _texts([[list(map(str, row)) for row in conn.execute(f"SELECT * FROM {t}").fetchall()] for t in tables])
    assert "Cliënt woont in Genk." in sent and "Cliënt woont in Genk." in filed  # the validated text went
    for where, text in (("envelope", sent), ("central store", filed), ("forward", forwarded), ("box", on_box)):
        for secret in ("kanarie-7f3a", "kanarie-ab12"):
            assert secret not in text, (where, secret)
