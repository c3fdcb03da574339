"""Filed reports: exactly once on report id + version, content sealed under the dossier's key.

A report id+version is stored once; the same content again is a duplicate (acked again, not
re-filed); different content for the same id+version is a conflict, kept in `conflicts`, and
never overwrites what was filed. The primary key decides, inside the caller's transaction, so
receivers sharing one database cannot both file the same report.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Literal

from appliance.sync.envelope import OpenedReport
from central.dossiers import db
from central.dossiers.facts import ReportFact, report_facts
from central.dossiers.keys import DossierErased, DossierKey, ensure_dossier, open_dossier
from central.dossiers.sealing import StorageKey, open_sealed, seal

Outcome = Literal["new", "duplicate", "conflict"]


@dataclass(frozen=True)
class StoredReport:
    """One filed report's clear columns."""

    report_id: str
    version: int
    content_hash: str
    device_id: str
    org: str
    received_at: str


def file_report(conn: db.Connection, key: StorageKey, report: OpenedReport, org: str) -> Outcome:
    """File `report` in the caller's transaction: new, duplicate or conflict."""
    known = _classify(conn, report)
    if known is not None:
        if known == "conflict":
            _record_conflict(conn, report, org)
        return known
    body = _parsed(report.report_json)
    dossier = ensure_dossier(conn, key, org, str(body.get("dossier_ref") or ""))
    facts = report_facts(body)
    validator = _object(body.get("validated_by"))
    template = _object(body.get("template"))
    label = _label(report.report_id, report.version)
    inserted = conn.execute(
        "INSERT INTO reports (report_id, version, content_hash, device_id, org, dossier_id,"
        " key_generation, template_id, validated_at, validated_by, worker_username,"
        " facts_indexed, sealed_body, sealed_pdf)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (report_id, version) DO NOTHING RETURNING 1",
        (report.report_id, report.version, report.content_hash, report.device_id, org,
         dossier.dossier_id, dossier.generation, _text(template.get("id")),
         _time(body.get("validated_at")), _text(validator.get("display_name")),
         _text(validator.get("username")), all(f.indexed for f in facts),
         seal(dossier.data_key, report.report_json, label),
         None if report.pdf is None else seal(dossier.data_key, report.pdf, label + "|pdf")),
    ).fetchone()
    if inserted is None:  # another receiver filed it between our look and our insert
        raced = _classify(conn, report) or "duplicate"
        if raced == "conflict":
            _record_conflict(conn, report, org)
        return raced
    _index_facts(conn, dossier, report, org, facts)
    return "new"


def read_report(conn: db.Connection, key: StorageKey, report_id: str, version: int) -> dict[str, Any]:
    """A filed report's JSON, opened with its dossier's key (DossierErased once erased)."""
    row = conn.execute(
        "SELECT dossier_id, key_generation, sealed_body FROM reports"
        " WHERE report_id = %s AND version = %s",
        (report_id, version),
    ).fetchone()
    if row is None:
        raise KeyError(f"report {report_id} v{version} is not filed")
    dossier, _ = open_dossier(conn, key, int(str(row[0])))
    if dossier.generation != int(str(row[1])):
        raise DossierErased(f"report {report_id} belongs to an erased key generation")
    assert isinstance(row[2], bytes)
    body = open_sealed(dossier.data_key, row[2], _label(report_id, version))
    return _parsed(body)


def stored_reports(url: str) -> list[StoredReport]:
    """All filed reports, oldest first (for tests and operators)."""
    with db.connect(url) as conn:
        rows = conn.execute(
            "SELECT report_id, version, content_hash, device_id, org, received_at FROM reports"
            " ORDER BY received_at, report_id, version"
        ).fetchall()
    return [
        StoredReport(str(r[0]), int(str(r[1])), str(r[2]), str(r[3]), str(r[4]), str(r[5]))
        for r in rows
    ]


def conflict_count(url: str) -> int:
    """How many conflicting resends were refused."""
    with db.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM conflicts").fetchone()
    return int(str(row[0])) if row else 0


def _classify(conn: db.Connection, report: OpenedReport) -> Outcome | None:
    row = conn.execute(
        "SELECT content_hash, device_id FROM reports WHERE report_id = %s AND version = %s",
        (report.report_id, report.version),
    ).fetchone()
    if row is None:
        return None
    return "duplicate" if (row[0], row[1]) == (report.content_hash, report.device_id) else "conflict"


def _record_conflict(conn: db.Connection, report: OpenedReport, org: str) -> None:
    conn.execute(
        "INSERT INTO conflicts (report_id, version, content_hash, device_id, org)"
        " VALUES (%s, %s, %s, %s, %s)",
        (report.report_id, report.version, report.content_hash, report.device_id, org),
    )


def _index_facts(
    conn: db.Connection, dossier: DossierKey, report: OpenedReport, org: str, facts: list[ReportFact]
) -> None:
    for fact in facts:
        payload = {"fields": fact.fields} if fact.indexed else {"problem": fact.problem}
        conn.execute(
            "INSERT INTO facts (org, dossier_id, report_id, version, ordinal, sentence_id, kind,"
            " on_date, indexed, sealed) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (org, dossier.dossier_id, report.report_id, report.version, fact.ordinal,
             fact.sentence_id, fact.kind, fact.on_date, fact.indexed,
             seal(dossier.data_key, json.dumps(payload).encode(),
                  fact_label(report.report_id, report.version, fact.ordinal))),
        )


def fact_label(report_id: str, version: int, ordinal: int) -> str:
    """What a sealed fact is bound to: its report, version and place in the report."""
    return f"fact|{report_id}|{version}|{ordinal}"


def _label(report_id: str, version: int) -> str:
    return f"report|{report_id}|{version}"


def _parsed(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value[:200] if isinstance(value, str) else None


def _time(value: object) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo is not None else None
