"""The chain of documents on a real PostgreSQL through the screen's API: build, review, validate,
immutability, corrections, exports, and the organisations kept apart by row-level security."""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from appliance.sync.envelope import OpenedReport, content_hash
from central.dossiers import db
from central.dossiers.reports import file_report
from central.dossiers.sealing import StorageKey
from central.web.accounts import create_account
from central.web.app import create_app
from central.web.config import WebConfig
from tests.postgres import web_database_for
from tests.test_central_web import PASSWORD, login

GENT, BXL = "ocmw-gent", "ocmw-brussel"
DECISION = {
    "outcome": "granted", "decided_on": "2026-04-01", "amount": "1263.17", "start_date": "2026-03-02",
    "motivation": "De aanvrager heeft geen bestaansmiddelen en is bereid te werken.",
    "court_address": "Arbeidsrechtbank Gent, Opgeëistenlaan 401, 9000 Gent", "service": "OCMW Gent",
    "contact_name": "An Peeters", "contact_phone": "09 266 99 00",
}
CHECKLIST_WORDS = ("Het Bijzonder Comité voor de Sociale Dienst heeft op 1 april 2026 beslist",
                   "geen bestaansmiddelen", "arbeidsrechtbank", "Opgeëistenlaan 401", "drie maanden",
                   "verzoekschrift", "728", "1017", "D-GENT-7", "OCMW Gent", "An Peeters", "09 266 99 00")


def contact(report_id: str, template: str, when: str, sections: dict[str, list[str]], *, ref: str,
            ai: bool, org: str = GENT) -> OpenedReport:
    """A validated report as it is filed (AI or manual path: the same shape)."""
    body = json.dumps({
        "report_id": report_id, "version": 1, "org": org, "device_id": "room-1", "dossier_ref": ref,
        "template": {"id": template, "version": "1.0.0", "title": template},
        "sections": [{"id": k, "title": k, "sentences": [
            {"id": f"s{i}", "text": t, "origin": "draft" if ai else "worker", "citations": []}
            for i, t in enumerate(v, start=1)]} for k, v in sections.items()],
        "validated_by": {"username": "an", "display_name": "An Peeters"}, "validated_at": when,
        "transparency": {"ai_used": ai, "text": "..."},
    }).encode()
    return OpenedReport("room-1", report_id, 1, body, None, content_hash(body, None))


INTAKE = {"hulpvraag": ["Cliënt vraagt een leefloon aan."],
          "gezinssituatie": ["Cliënt woont alleen."],
          "huisvesting": ["Cliënt huurt een studio voor 650 euro per maand."],
          "inkomen": ["Zijn werkloosheidsuitkering stopt op 1 april 2026."]}
TRAJECT = {"stand_van_zaken": ["Cliënt volgt een cursus bij VDAB."],
           "inkomen": ["Cliënt heeft sinds april geen inkomen meer."]}


@pytest.fixture()
def chain(central_db: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    key = StorageKey(secrets.token_bytes(32))
    with db.connect(central_db) as conn:
        with conn.transaction():
            file_report(conn, key, contact("r_intake", "intake", "2026-03-02T10:00:00+00:00", INTAKE,
                                           ref="D-GENT-7", ai=True), GENT)
            file_report(conn, key, contact("r_traject", "trajectverslag", "2026-04-10T10:00:00+00:00", TRAJECT,
                                           ref="D-GENT-7", ai=False), GENT)
            file_report(conn, key, contact("r_bxl", "intake", "2026-03-02T10:00:00+00:00", INTAKE,
                                           ref="D-BXL-1", ai=True, org=BXL), BXL)
        create_account(conn, username="an", org=GENT, display_name="An Peeters", password=PASSWORD, by="it")
        create_account(conn, username="marie", org=BXL, display_name="Marie Dubois", password=PASSWORD, by="it")
        ids = dict(conn.execute("SELECT org, id FROM dossiers").fetchall())
    config = WebConfig(database_url=web_database_for(tmp_path), secure_cookies=False)
    yield {"app": create_app(config, key), "ids": ids, "owner": central_db}


def keep_all(view: dict[str, Any], extra: dict[str, str] | None = None) -> dict[str, Any]:
    """The draft's sections as the screen sends them, with one sentence added per named section."""
    sections = []
    for s in view["document"]["sections"]:
        sentences = [{"id": x["id"], "text": x["text"]} for x in s["sentences"]]
        if extra and s["id"] in extra:
            sentences.append({"id": None, "text": extra[s["id"]]})
        sections.append({"id": s["id"], "sentences": sentences})
    return {"sections": sections}


def validated(client: TestClient, view: dict[str, Any], extra: dict[str, str] | None = None) -> dict[str, Any]:
    doc = view["document"]
    url = f"/api/documents/{doc['document_id']}/{doc['version']}"
    saved = client.put(url, json=keep_all(view, extra))
    assert saved.status_code == 200, saved.text
    done = client.post(url + "/validate")
    assert done.status_code == 200, done.text
    return done.json()


def test_the_chain_from_reports_to_the_decision_letter(chain: dict[str, Any], tmp_path: Path) -> None:
    client = login(chain["app"], "an")
    dossier = chain["ids"][GENT]
    assert client.post(f"/api/dossiers/{dossier}/documents", json={"kind": "voorstel_bcsd"}).status_code == 409
    built = client.post(f"/api/dossiers/{dossier}/documents", json={"kind": "sociaal_verslag"})
    assert built.status_code == 201, built.text
    view = built.json()
    assert view["status"] == "draft" and any("Bevindingen" in p for p in view["blocking"])
    income = next(s for s in view["document"]["sections"] if s["id"] == "inkomen_middelen")["sentences"]
    assert [x["sources"][0]["ref"] for x in income] == ["r_intake", "r_traject"]  # untyped: both carried
    assert income[0]["sources"][0]["by"] == "An Peeters" and income[0]["sources"][0]["date"].startswith("2026-03-02")
    url = f"/api/documents/{view['document']['document_id']}/1"
    assert client.post(url + "/validate").status_code == 409
    social = validated(client, view, {"bevindingen": "Cliënt heeft geen bestaansmiddelen."})
    assert social["status"] == "validated" and social["validated_by"] == "An Peeters"
    text = social["transparency"]["text"]
    assert "sociaal_verslag 1.0.0" in text and "r_intake v1" in text and "r_traject v1" in text
    assert "1 van de bronverslagen werden met hulp van AI opgesteld, 1 zonder" in text
    assert client.put(url, json=keep_all(view)).status_code == 409  # validated: immutable

    proposal = client.post(f"/api/dossiers/{dossier}/documents", json={"kind": "voorstel_bcsd"}).json()
    field = next(s for s in proposal["document"]["sections"] if s["id"] == "voorstel")
    assert field["sentences"] == [] and field["worker_only"]
    assert client.post(f"/api/dossiers/{dossier}/documents",
                       json={"kind": "beslissingsbrief", "decision": DECISION}).status_code == 409
    validated(client, proposal, {"voorstel": "Ik stel voor het leefloon toe te kennen vanaf 2 maart 2026."})

    refused_wrongly = {**DECISION, "outcome": "refused"}
    assert client.post(f"/api/dossiers/{dossier}/documents",
                       json={"kind": "beslissingsbrief", "decision": refused_wrongly}).status_code == 422
    letter = client.post(f"/api/dossiers/{dossier}/documents", json={"kind": "beslissingsbrief", "decision": DECISION})
    assert letter.status_code == 201, letter.text
    letter_view = letter.json()
    assert all(item["present"] for item in letter_view["checklist"]) and letter_view["blocking"] == []
    lurl = f"/api/documents/{letter_view['document']['document_id']}/1"
    # Deleting the appeal term blocks validation; undo (sending it again) restores it with its source.
    without = keep_all(letter_view)
    beroep = next(s for s in without["sections"] if s["id"] == "beroep")
    kept = beroep["sentences"]
    beroep["sentences"] = [x for x in kept if "drie maanden" not in x["text"]]
    blocked = client.put(lurl, json=without).json()
    assert [c["id"] for c in blocked["checklist"] if not c["present"]] == ["appeal_time_limit"]
    assert client.post(lurl + "/validate").json()["problems"][0].startswith("De beroepstermijn van drie maanden")
    assert client.get(lurl + "/pdf").status_code == 409  # drafts are not exported
    final = validated(client, letter_view)
    assert final["transparency"]["checklist"]["version"] == "1.0.0"

    pdf, odt = client.get(lurl + "/pdf"), client.get(lurl + "/odt")
    assert pdf.status_code == odt.status_code == 200
    (tmp_path / "letter.pdf").write_bytes(pdf.content)
    (tmp_path / "letter.odt").write_bytes(odt.content)
    ours = _pdftotext(tmp_path / "letter.pdf")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "lo-out"), str(tmp_path / "letter.odt")],
                   check=True, timeout=180, capture_output=True)
    theirs = _pdftotext(tmp_path / "lo-out" / "letter.pdf")
    for words in CHECKLIST_WORDS:
        assert words in ours, words
        assert words in theirs, words

    corrected = client.post(lurl + "/correct")
    assert corrected.status_code == 201
    assert corrected.json()["document"]["version"] == 2 and corrected.json()["document"]["supersedes"] == 1
    assert client.get(lurl).json()["status"] == "validated"
    with psycopg.connect(chain["owner"]) as conn:
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation):
            conn.execute("UPDATE documents SET sealed_body = 'x' WHERE status = 'validated'")
        conn.rollback()
        actions = [r[0] for r in conn.execute("SELECT action FROM audit WHERE action LIKE '%%_validated' ORDER BY id")]
    assert actions == ["sociaal_verslag_validated", "voorstel_bcsd_validated", "beslissingsbrief_validated"]


def test_worker_text_is_marked_as_theirs_and_sources_cannot_be_forged(chain: dict[str, Any]) -> None:
    client = login(chain["app"], "an")
    view = client.post(f"/api/dossiers/{chain['ids'][GENT]}/documents", json={"kind": "sociaal_verslag"}).json()
    body = keep_all(view, {"bevindingen": "Eigen vaststelling."})
    first = body["sections"][0]["sentences"][0]
    first["text"] = first["text"] + " (bevestigd)"
    url = f"/api/documents/{view['document']['document_id']}/1"
    saved = client.put(url, json=body).json()["document"]
    mine = next(s for s in saved["sections"] if s["id"] == "bevindingen")["sentences"][0]
    assert (mine["origin"], mine["author"], mine["sources"]) == ("worker", "an", [])
    edited = saved["sections"][0]["sentences"][0]
    assert edited["edited"] and edited["sources"][0]["ref"] == "r_intake"
    forged = keep_all(view)
    forged["sections"][0]["sentences"].append({"id": "d999", "text": "Verzonnen.", "sources": []})
    assert client.put(url, json=forged).status_code == 422  # no field for sources


def test_another_organisation_sees_no_document(chain: dict[str, Any]) -> None:
    an = login(chain["app"], "an")
    view = an.post(f"/api/dossiers/{chain['ids'][GENT]}/documents", json={"kind": "sociaal_verslag"}).json()
    marie = login(chain["app"], "marie")
    url = f"/api/documents/{view['document']['document_id']}/1"
    assert marie.get(url).status_code == 404
    assert marie.put(url, json=keep_all(view)).status_code == 404
    assert marie.post(f"/api/dossiers/{chain['ids'][GENT]}/documents", json={"kind": "sociaal_verslag"}).status_code == 404
    assert marie.get(f"/api/dossiers/{chain['ids'][GENT]}/documents").json() == {"documents": []}
    with psycopg.connect(web_database_for_owner(chain)) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone() == (0,)


def web_database_for_owner(chain: dict[str, Any]) -> str:
    url: str = chain["app"].state.config.database_url
    return url


def _pdftotext(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, timeout=60, capture_output=True)
    return " ".join(out.stdout.decode().split())
