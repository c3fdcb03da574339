"""What the workers' screen shows, looked up from validated reports: nothing is generated.

Every query runs with the signed-in worker's organisation set for row-level security, and
every item carries its source: report id, version and sentence id, with the sentence's text.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from central.dossiers.db import Connection, scoped
from central.dossiers.facts import numbered_sentences
from central.dossiers.keys import DossierErased, DossierKey, open_dossier
from central.dossiers.reports import fact_label, read_report
from central.dossiers.sealing import StorageKey, open_sealed
from central.web.accounts import Account
from central.web.deadlines import deadlines_for

_MARKS = {"agreement": "done", "document": "received"}
_LATEST = "f.version = (SELECT max(version) FROM reports r2 WHERE r2.report_id = f.report_id)"


class NotFound(Exception):
    """No such dossier, report or item for this worker's organisation."""


def today(conn: Connection, key: StorageKey, account: Account, start: dt.date, days: int = 7) -> list[dict[str, Any]]:
    """Appointments from `start` over `days` days in dossiers this worker validated reports for."""
    with scoped(conn, account.org):
        rows = conn.execute(
            "SELECT f.dossier_id, f.report_id, f.version, f.ordinal, f.sentence_id, f.on_date, f.sealed"
            " FROM facts f WHERE f.kind = 'appointment' AND f.indexed"
            " AND f.on_date BETWEEN %s AND %s AND " + _LATEST +
            " AND f.dossier_id IN (SELECT dossier_id FROM reports WHERE worker_username = %s)",
            (start, start + dt.timedelta(days=days), account.username),
        ).fetchall()
        keys = _Keys(conn, key)
        items = []
        for dossier_id, report_id, version, ordinal, sid, on_date, sealed in rows:
            opened = keys.get(int(str(dossier_id)))
            if opened is None:
                continue
            fields = _fields(opened[0], str(report_id), int(str(version)), int(str(ordinal)), sealed)
            items.append({"dossier_id": dossier_id, "dossier_ref": opened[1], "date": str(on_date),
                          **fields, "source": _source(str(report_id), int(str(version)), str(sid))})
    items.sort(key=lambda i: (i["date"], i["fields"].get("time") or "99:99"))
    return items


def dossier(conn: Connection, key: StorageKey, account: Account, dossier_id: int, on: dt.date) -> dict[str, Any]:
    """The dossier's overview: contacts, agreements, documents, open questions, deadlines."""
    with scoped(conn, account.org):
        try:
            dkey, ref = open_dossier(conn, key, dossier_id)
        except DossierErased as exc:
            raise NotFound(str(exc)) from exc
        reports: list[Any] = conn.execute(
            "SELECT report_id, version, template_id, validated_at, validated_by, facts_indexed,"
            " sealed_pdf IS NOT NULL FROM reports f WHERE dossier_id = %s AND key_generation = %s"
            " AND " + _LATEST + " ORDER BY validated_at DESC NULLS LAST",
            (dossier_id, dkey.generation),
        ).fetchall()
        bodies = {str(r[0]): read_report(conn, key, str(r[0]), int(str(r[1]))) for r in reports}
        facts: list[Any] = conn.execute(
            "SELECT report_id, version, ordinal, sentence_id, kind, on_date, indexed, sealed FROM facts f"
            " WHERE dossier_id = %s AND " + _LATEST + " ORDER BY on_date NULLS LAST, report_id, ordinal",
            (dossier_id,),
        ).fetchall()
        found: list[Any] = conn.execute(
            "SELECT report_id, sentence_id, mark, by_name, at FROM fact_marks WHERE dossier_id = %s",
            (dossier_id,),
        ).fetchall()
        marks = {
            (str(m[0]), str(m[1])): {"mark": m[2], "by": m[3], "at": m[4].isoformat()} for m in found
        }
        out: dict[str, Any] = {"dossier_id": dossier_id, "dossier_ref": ref, "today": on.isoformat(),
                               "contacts": [], "agreements": [], "documents": [], "not_decided": [],
                               "deadlines": [], "not_indexed": []}
        for rid, version, template, validated_at, by, indexed, has_pdf in reports:
            body = bodies[str(rid)]
            out["contacts"].append({
                "report_id": rid, "version": version, "template": template,
                "title": (body.get("template") or {}).get("title"), "validated_by": by,
                "date": validated_at.date().isoformat() if validated_at else None,
                "transparency": (body.get("transparency") or {}).get("text"),
                "facts_indexed": indexed, "pdf": bool(has_pdf)})
        for rid, version, ordinal, sid, kind, on_date, indexed, sealed in facts:
            rid, sid = str(rid), str(sid)
            opened = json.loads(open_sealed(dkey.data_key, sealed, fact_label(rid, int(str(version)), int(str(ordinal)))))
            item = {"kind": kind, "date": on_date.isoformat() if on_date else None,
                    "source": _source(rid, int(str(version)), sid, bodies.get(rid))}
            if not indexed:
                out["not_indexed"].append({**item, "reason": opened.get("problem")})
                continue
            item["fields"] = opened.get("fields", {})
            item["mark"] = marks.get((rid, sid))
            if kind == "agreement":
                item["overdue"] = bool(on_date and on_date < on and item["mark"] is None)
                out["agreements"].append(item)
            elif kind == "document":
                out["documents"].append(item)
            elif kind == "not_decided":
                out["not_decided"].append(item)
            elif kind == "request" and on_date is not None:
                out["deadlines"] += deadlines_for(conn, item["fields"].get("what", ""), on_date, item["source"])
    return out


def report_text(conn: Connection, key: StorageKey, account: Account, report_id: str, version: int) -> dict[str, Any]:
    """One report's sentences (with their ids) for the source links, and its statement."""
    with scoped(conn, account.org):
        try:
            body = read_report(conn, key, report_id, version)
        except (KeyError, DossierErased) as exc:
            raise NotFound(str(exc)) from exc
    sections = [{"title": s.get("title"), "sentences": [
        {"id": str(x.get("id") or ""), "text": x.get("text")} for x in s.get("sentences", []) if isinstance(x, dict)]}
        for s in body.get("sections", []) if isinstance(s, dict)]
    return {"report_id": report_id, "version": version, "template": body.get("template"),
            "validated_by": (body.get("validated_by") or {}).get("display_name"),
            "validated_at": body.get("validated_at"), "sections": sections,
            "transparency": (body.get("transparency") or {}).get("text")}


def report_pdf(conn: Connection, key: StorageKey, account: Account, report_id: str, version: int) -> bytes:
    """The report's PDF as the box rendered it."""
    with scoped(conn, account.org):
        row = conn.execute(
            "SELECT dossier_id, key_generation, sealed_pdf FROM reports WHERE report_id = %s AND version = %s",
            (report_id, version),
        ).fetchone()
        if row is None or not isinstance(row[2], bytes):
            raise NotFound(f"report {report_id} v{version} has no PDF")
        try:
            dkey, _ = open_dossier(conn, key, int(str(row[0])))
        except DossierErased as exc:
            raise NotFound(str(exc)) from exc
        if dkey.generation != int(str(row[1])):
            raise NotFound("erased")
        return open_sealed(dkey.data_key, row[2], f"report|{report_id}|{version}|pdf")


def mark(conn: Connection, account: Account, dossier_id: int, report_id: str, sentence_id: str) -> dict[str, Any]:
    """Mark an agreement done or a document received (name and time kept, audited)."""
    with scoped(conn, account.org):
        row = conn.execute(
            "SELECT kind FROM facts f WHERE dossier_id = %s AND report_id = %s AND sentence_id = %s"
            " AND indexed AND " + _LATEST,
            (dossier_id, report_id, sentence_id),
        ).fetchone()
        if row is None or str(row[0]) not in _MARKS:
            raise NotFound("no agreement or requested document with that source in this dossier")
        what = _MARKS[str(row[0])]
        done = conn.execute(
            "INSERT INTO fact_marks (org, dossier_id, report_id, sentence_id, mark, by_username, by_name)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING at",
            (account.org, dossier_id, report_id, sentence_id, what, account.username, account.display_name),
        ).fetchone()
        if done is not None:
            conn.execute(
                "INSERT INTO audit (org, actor, action, dossier_id, detail) VALUES (%s, %s, %s, %s, %s)",
                (account.org, account.username, f"{row[0]}_{what}", dossier_id, f"{report_id} {sentence_id}"),
            )
        stored: Any = conn.execute(
            "SELECT mark, by_name, at FROM fact_marks WHERE dossier_id = %s AND report_id = %s AND sentence_id = %s",
            (dossier_id, report_id, sentence_id),
        ).fetchone()
    assert stored is not None
    return {"mark": stored[0], "by": stored[1], "at": stored[2].isoformat()}


def find(conn: Connection, key: StorageKey, account: Account, dossier_ref: str) -> int:
    """A dossier of this organisation by its reference."""
    with scoped(conn, account.org):
        row = conn.execute(
            "SELECT id FROM dossiers WHERE org = %s AND dossier_hmac = %s AND sealed_key IS NOT NULL",
            (account.org, key.dossier_hmac(account.org, dossier_ref)),
        ).fetchone()
    if row is None:
        raise NotFound("no dossier with that reference")
    return int(str(row[0]))


class _Keys:
    """Open dossier keys for the length of one request."""

    def __init__(self, conn: Connection, key: StorageKey) -> None:
        self._conn, self._key = conn, key
        self._open: dict[int, tuple[DossierKey, str] | None] = {}

    def get(self, dossier_id: int) -> tuple[DossierKey, str] | None:
        if dossier_id not in self._open:
            try:
                self._open[dossier_id] = open_dossier(self._conn, self._key, dossier_id)
            except DossierErased:
                self._open[dossier_id] = None
        return self._open[dossier_id]


def _fields(dkey: DossierKey, report_id: str, version: int, ordinal: int, sealed: object) -> dict[str, Any]:
    assert isinstance(sealed, bytes)
    return {"fields": json.loads(open_sealed(dkey.data_key, sealed, fact_label(report_id, version, ordinal))).get("fields", {})}


def _source(report_id: str, version: int, sentence_id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    text = None
    for _, sid, sentence in numbered_sentences(body or {}):
        if sid == sentence_id:
            text = sentence.get("text")
            break
    return {"report_id": report_id, "version": version, "sentence_id": sentence_id, "text": text}
