"""The workers' screen's API on a real PostgreSQL: login rules, Today, Dossier, marks, and
per-organisation separation by row-level security."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from central.dossiers import db
from central.dossiers.reports import file_report
from central.dossiers.sealing import StorageKey
from central.web.accounts import create_account
from central.web.app import create_app
from central.web.config import WebConfig
from central.web.session import CSRF_HEADER
from tests.postgres import web_database_for
from tests.test_central_store import report

TODAY = dt.date.today()
PASSWORD = "correct horse battery"


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def facts_for_an() -> list[Any]:
    return [
        {"kind": "appointment", "fields": {"date": day(1), "time": "10:30", "place": "OCMW Gent, lokaal 2",
                                           "with_whom": "An Peeters", "purpose": "opvolging leefloon"}},
        {"kind": "appointment", "fields": {"date": day(30), "time": "09:00"}},  # beyond the coming days
        {"kind": "agreement", "fields": {"who": "cliënt", "what": "loonfiches bezorgen", "due": day(-2)}},
        {"kind": "agreement", "fields": {"who": "An Peeters", "what": "huisbezoek plannen", "due": day(5)}},
        {"kind": "document", "fields": {"what": "huurcontract", "due": day(7)}},
        {"kind": "not_decided", "fields": {"what": "huurwaarborg", "who_decides": "BCSD"}},
        {"kind": "request", "fields": {"what": "leefloon", "date": "2026-03-02"}},
        {"kind": "appointment", "fields": {"date": "volgende week"}},
    ]


@pytest.fixture()
def world(central_db: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Two organisations in one database, each with one worker and one dossier."""
    key = StorageKey(secrets.token_bytes(32))
    with db.connect(central_db) as conn:
        with conn.transaction():
            file_report(conn, key, report("r_an", ref="D-GENT-1", facts=facts_for_an()), "ocmw-gent")
            other = report("r_marie", ref="D-BXL-9", facts=[
                {"kind": "appointment", "fields": {"date": day(1), "time": "14:00", "purpose": "secret"}}])
            file_report(conn, key, other, "ocmw-brussel")
            conn.execute("UPDATE reports SET worker_username = 'marie', validated_by = 'Marie Dubois'"
                         " WHERE report_id = 'r_marie'")
        create_account(conn, username="an", org="ocmw-gent", display_name="An Peeters", password=PASSWORD, by="it")
        create_account(conn, username="marie", org="ocmw-brussel", display_name="Marie Dubois",
                       password=PASSWORD, by="it")
        ids = dict(conn.execute("SELECT org, id FROM dossiers").fetchall())
    config = WebConfig(database_url=web_database_for(tmp_path), secure_cookies=False)
    yield {"app": create_app(config, key), "ids": ids, "owner": central_db, "web": config.database_url}


def login(app: Any, username: str) -> TestClient:
    client = TestClient(app)
    r = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers[CSRF_HEADER] = r.json()["csrf"]
    return client


def test_login_follows_the_box_rules_on_back_off_and_cookies(world: dict[str, Any]) -> None:
    client = TestClient(world["app"])
    assert client.get("/api/today").status_code == 401
    for _ in range(3):
        assert client.post("/api/session", json={"username": "an", "password": "wrong password!"}).status_code == 401
    blocked = client.post("/api/session", json={"username": "an", "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
    unknown = client.post("/api/session", json={"username": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401 and unknown.json()["detail"] == "invalid"
    with psycopg.connect(world["owner"]) as conn:
        conn.execute("DELETE FROM login_throttle")
    ok = client.post("/api/session", json={"username": "an", "password": PASSWORD})
    assert ok.status_code == 200
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/api/session").json()["csrf"] == ok.json()["csrf"]


def test_changes_need_the_sessions_csrf_token(world: dict[str, Any]) -> None:
    client = login(world["app"], "an")
    dossier_id = world["ids"]["ocmw-gent"]
    item = client.get(f"/api/dossiers/{dossier_id}").json()["agreements"][0]["source"]
    body = {"report_id": item["report_id"], "sentence_id": item["sentence_id"]}
    client.headers[CSRF_HEADER] = "forged"
    assert client.post(f"/api/dossiers/{dossier_id}/marks", json=body).status_code == 403
    assert client.delete("/api/session").status_code == 403


def test_today_lists_the_workers_coming_appointments_with_their_source(world: dict[str, Any]) -> None:
    items = login(world["app"], "an").get("/api/today").json()["appointments"]
    assert [(i["date"], i["fields"]["time"]) for i in items] == [(day(1), "10:30")]
    assert items[0]["dossier_ref"] == "D-GENT-1" and items[0]["fields"]["place"] == "OCMW Gent, lokaal 2"
    assert items[0]["source"] == {"report_id": "r_an", "version": 1, "sentence_id": "s1", "text": None}


def test_dossier_overview_is_looked_up_from_the_validated_report(world: dict[str, Any]) -> None:
    client = login(world["app"], "an")
    dossier_id = client.get("/api/dossiers", params={"ref": "D-GENT-1"}).json()["dossier_id"]
    d = client.get(f"/api/dossiers/{dossier_id}").json()
    assert d["dossier_ref"] == "D-GENT-1"
    contact = d["contacts"][0]
    assert (contact["date"], contact["template"], contact["validated_by"]) == ("2026-03-02", "intake", "An Peeters")
    assert contact["transparency"].startswith("Opgesteld met hulp van AI") and contact["facts_indexed"] is False
    assert [(a["fields"]["what"], a["overdue"]) for a in d["agreements"]] == [
        ("loonfiches bezorgen", True), ("huisbezoek plannen", False)]
    assert [x["fields"]["what"] for x in d["documents"]] == ["huurcontract"]
    assert [x["fields"]["who_decides"] for x in d["not_decided"]] == ["BCSD"]
    assert [(x["rule"], x["due"]) for x in d["deadlines"]] == [
        ("rmi-decision", "2026-04-01"), ("rmi-notification", "2026-04-09")]
    assert "art. 21" in d["deadlines"][0]["legal_basis"]
    assert [x["source"]["sentence_id"] for x in d["not_indexed"]] == ["s8"]
    assert "is not YYYY-MM-DD" in d["not_indexed"][0]["reason"]
    for item in d["agreements"] + d["documents"] + d["not_decided"] + d["deadlines"]:
        assert item["source"]["report_id"] == "r_an" and item["source"]["text"].startswith("Zin ")
    sentences = client.get("/api/reports/r_an/1").json()["sections"][0]["sentences"]
    assert {s["id"] for s in sentences} >= {i["source"]["sentence_id"] for i in d["agreements"]}
    assert client.get("/api/reports/r_an/1/pdf").content == b"%PDF-1.7"


def test_marking_an_agreement_done_keeps_name_and_time_and_is_audited(world: dict[str, Any]) -> None:
    client = login(world["app"], "an")
    dossier_id = world["ids"]["ocmw-gent"]
    d = client.get(f"/api/dossiers/{dossier_id}").json()
    source = d["agreements"][0]["source"]
    done = client.post(f"/api/dossiers/{dossier_id}/marks",
                       json={"report_id": source["report_id"], "sentence_id": source["sentence_id"]})
    assert done.status_code == 200 and done.json()["by"] == "An Peeters"
    doc = d["documents"][0]["source"]
    client.post(f"/api/dossiers/{dossier_id}/marks", json={"report_id": "r_an", "sentence_id": doc["sentence_id"]})
    after = client.get(f"/api/dossiers/{dossier_id}").json()
    assert after["agreements"][0]["mark"]["mark"] == "done" and after["agreements"][0]["overdue"] is False
    assert after["documents"][0]["mark"]["mark"] == "received"
    not_markable = d["not_decided"][0]["source"]["sentence_id"]
    assert client.post(f"/api/dossiers/{dossier_id}/marks",
                       json={"report_id": "r_an", "sentence_id": not_markable}).status_code == 404
    with psycopg.connect(world["owner"]) as conn:
        audit = conn.execute("SELECT actor, action FROM audit WHERE action LIKE '%%_done' OR action LIKE '%%_received'"
                             " ORDER BY id").fetchall()
    assert audit == [("an", "agreement_done"), ("an", "document_received")]


def test_a_worker_never_sees_another_organisations_dossier(world: dict[str, Any]) -> None:
    marie = login(world["app"], "marie")
    gent = world["ids"]["ocmw-gent"]
    assert marie.get(f"/api/dossiers/{gent}").status_code == 404
    assert marie.get("/api/dossiers", params={"ref": "D-GENT-1"}).status_code == 404
    assert marie.get("/api/reports/r_an/1").status_code == 404
    assert marie.get("/api/reports/r_an/1/pdf").status_code == 404
    assert marie.post(f"/api/dossiers/{gent}/marks", json={"report_id": "r_an", "sentence_id": "s3"}).status_code == 404
    assert [i["dossier_ref"] for i in marie.get("/api/today").json()["appointments"]] == ["D-BXL-9"]
    an = login(world["app"], "an")
    assert an.get(f"/api/dossiers/{world['ids']['ocmw-brussel']}").status_code == 404
    # Not the application's WHERE clauses: the database itself hides the other rows.
    with psycopg.connect(world["web"]) as conn:
        for table in ("dossiers", "reports", "facts"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        conn.execute("SELECT set_config('spreekkamer.org', 'ocmw-brussel', false)")
        assert conn.execute("SELECT DISTINCT org FROM reports").fetchall() == [("ocmw-brussel",)]
        assert conn.execute("SELECT DISTINCT org FROM facts").fetchall() == [("ocmw-brussel",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO fact_marks (org, dossier_id, report_id, sentence_id, mark, by_username,"
                         " by_name) VALUES ('ocmw-gent', %s, 'r_an', 's3', 'done', 'marie', 'Marie')", (gent,))


def test_every_page_carries_a_strict_content_security_policy(world: dict[str, Any]) -> None:
    client = TestClient(world["app"])
    for path in ("/", "/static/app.js", "/api/today"):
        csp = client.get(path).headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
