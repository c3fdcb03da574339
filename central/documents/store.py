"""The `documents` table: each version sealed under its dossier's key, validated ones immutable.

Every function runs in the caller's transaction, which has set the organisation for row-level
security. The sealed body holds the working document and the document as built, so the screen's
undo can bring back a deleted sentence with its sources, and the edit counts compare the two.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from central.documents.model import Document, DocumentStamp
from central.documents.sources import ContactReport
from central.dossiers.db import Connection
from central.dossiers.keys import DossierErased, DossierKey, open_dossier
from central.dossiers.reports import read_report
from central.dossiers.sealing import StorageKey, open_sealed, seal

_LATEST = "r.version = (SELECT max(version) FROM reports r2 WHERE r2.report_id = r.report_id)"
_COLUMNS = ("document_id, version, dossier_id, key_generation, kind, status, supersedes, created_by,"
            " created_at, validated_by, validated_name, validated_at, sealed_body")


class DocumentNotFound(Exception):
    """No such document (or dossier) in this organisation, or its dossier was erased."""


class DocumentLocked(Exception):
    """The document is validated: it cannot change; a correction is a new version."""


@dataclass(frozen=True)
class StoredDocument:
    """One version of a document with its clear columns."""

    document: Document
    original: Document
    dossier_id: int
    status: str
    created_by: str
    validated_by: str | None
    validated_name: str | None
    validated_at: dt.datetime | None
    meta: dict[str, Any]

    @property
    def stamp(self) -> DocumentStamp:
        """How a later document of the chain names this one."""
        return DocumentStamp(
            document_id=self.document.document_id, version=self.document.version, kind=self.document.kind,
            validated_at=self.validated_at.isoformat() if self.validated_at else None,
            validated_by=self.validated_name)


def new_document_id() -> str:
    """A random document id; versions of the same document share it."""
    return "doc_" + secrets.token_hex(8)


def open_key(conn: Connection, key: StorageKey, dossier_id: int) -> tuple[DossierKey, str]:
    """The dossier's key and reference; DocumentNotFound when erased or not this organisation's."""
    try:
        return open_dossier(conn, key, dossier_id)
    except DossierErased as exc:
        raise DocumentNotFound(str(exc)) from exc


def dossier_reports(conn: Connection, key: StorageKey, dossier: DossierKey) -> list[ContactReport]:
    """The newest version of every validated report of the dossier's live key generation."""
    rows = conn.execute(
        "SELECT report_id, version FROM reports r WHERE dossier_id = %s AND key_generation = %s AND "
        + _LATEST + " ORDER BY validated_at NULLS FIRST, report_id",
        (dossier.dossier_id, dossier.generation),
    ).fetchall()
    out = []
    for report_id, version in rows:
        body = read_report(conn, key, str(report_id), int(str(version)))
        out.append(ContactReport(str(report_id), int(str(version)), body))
    return out


def insert(conn: Connection, dossier: DossierKey, org: str, document: Document, original: Document,
           created_by: str) -> None:
    """Store a new draft version."""
    based = document.based_on
    conn.execute(
        "INSERT INTO documents (document_id, version, org, dossier_id, key_generation, kind, template_id,"
        " template_version, status, supersedes, based_on_id, based_on_version, created_by, sealed_body)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'draft', %s, %s, %s, %s, %s)",
        (document.document_id, document.version, org, dossier.dossier_id, dossier.generation, document.kind,
         document.template.id, document.template.version, document.supersedes,
         based.document_id if based else None, based.version if based else None, created_by,
         _sealed(dossier, document, original, {})),
    )


def update_draft(conn: Connection, dossier: DossierKey, document: Document, original: Document) -> None:
    """Keep the worker's edits of a draft."""
    conn.execute(
        "UPDATE documents SET sealed_body = %s, updated_at = clock_timestamp()"
        " WHERE document_id = %s AND version = %s AND status = 'draft'",
        (_sealed(dossier, document, original, {}), document.document_id, document.version),
    )


def mark_validated(conn: Connection, dossier: DossierKey, stored: StoredDocument, meta: dict[str, Any],
                   username: str, name: str, at: dt.datetime) -> None:
    """Validate: the final document and its transparency statement, sealed; immutable from now on."""
    doc = stored.document
    conn.execute(
        "UPDATE documents SET status = 'validated', validated_by = %s, validated_name = %s,"
        " validated_at = %s, sealed_body = %s, updated_at = clock_timestamp()"
        " WHERE document_id = %s AND version = %s AND status = 'draft'",
        (username, name, at, _sealed(dossier, doc, stored.original, meta), doc.document_id, doc.version),
    )


def read(conn: Connection, key: StorageKey, document_id: str, version: int, *,
         for_update: bool = False) -> StoredDocument:
    """One version of a document."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM documents WHERE document_id = %s AND version = %s"
        + (" FOR UPDATE" if for_update else ""),
        (document_id, version),
    ).fetchone()
    if row is None:
        raise DocumentNotFound(f"no document {document_id} v{version}")
    return _stored(conn, key, row)


def newest(conn: Connection, key: StorageKey, dossier_id: int, kind: str, *,
           validated: bool) -> StoredDocument | None:
    """The dossier's newest document of `kind` (only validated ones when `validated`)."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM documents WHERE dossier_id = %s AND kind = %s"
        + (" AND status = 'validated'" if validated else "")
        + " ORDER BY created_at DESC, version DESC LIMIT 1",
        (dossier_id, kind),
    ).fetchone()
    return None if row is None else _stored(conn, key, row)


def listing(conn: Connection, dossier_id: int) -> list[dict[str, Any]]:
    """The dossier's documents, every version, newest first (clear columns only)."""
    rows = conn.execute(
        "SELECT document_id, version, kind, status, created_at, validated_name, validated_at, supersedes"
        " FROM documents WHERE dossier_id = %s ORDER BY created_at DESC, version DESC",
        (dossier_id,),
    ).fetchall()
    return [{"document_id": r[0], "version": r[1], "kind": r[2], "status": r[3],
             "created_at": _iso(r[4]), "validated_by": r[5], "validated_at": _iso(r[6]),
             "supersedes": r[7]} for r in rows]


def next_version(conn: Connection, document_id: str) -> int:
    """The version number a correction of this document gets."""
    row = conn.execute("SELECT max(version) FROM documents WHERE document_id = %s", (document_id,)).fetchone()
    return int(str(row[0])) + 1 if row and row[0] is not None else 1


def _stored(conn: Connection, key: StorageKey, row: tuple[object, ...]) -> StoredDocument:
    (document_id, version, dossier_id, generation, _, status, _, created_by, _, _,
     validated_name, validated_at, sealed) = row
    dossier, _ = open_key(conn, key, int(str(dossier_id)))
    if dossier.generation != int(str(generation)) or not isinstance(sealed, bytes):
        raise DocumentNotFound("the document belongs to an erased key generation")
    body = json.loads(open_sealed(dossier.data_key, sealed, _label(str(document_id), int(str(version)))))
    return StoredDocument(
        document=Document.model_validate(body["document"]), original=Document.model_validate(body["original"]),
        dossier_id=int(str(dossier_id)), status=str(status), created_by=str(created_by),
        validated_by=None if row[9] is None else str(row[9]),
        validated_name=None if validated_name is None else str(validated_name),
        validated_at=validated_at if isinstance(validated_at, dt.datetime) else None,
        meta=body.get("meta") or {})


def _sealed(dossier: DossierKey, document: Document, original: Document, meta: dict[str, Any]) -> bytes:
    body = {"document": document.model_dump(mode="json"), "original": original.model_dump(mode="json"),
            "meta": meta}
    return seal(dossier.data_key, json.dumps(body, ensure_ascii=False).encode(),
                _label(document.document_id, document.version))


def _label(document_id: str, version: int) -> str:
    return f"document|{document_id}|{version}"


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.datetime) else None
