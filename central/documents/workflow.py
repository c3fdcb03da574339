"""The chain as a worker walks it: build a document, review it, validate it, correct it.

Each step runs in one transaction scoped to the worker's organisation (row-level security) and
is audited with ids only, never client content. A social report is built from the dossier's
validated reports, a proposal from the newest validated social report, a letter from the newest
validated proposal and the decision a person entered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from central.documents import store
from central.documents.checklist import Checklist, check, load_checklist
from central.documents.decision import CommitteeDecision
from central.documents.later import build_letter, build_proposal
from central.documents.model import KINDS, Document
from central.documents.review import EditedSection, apply_edits, count_edits
from central.documents.social_report import NothingToBuildFrom, build_social_report
from central.documents.templates import load_document_template
from central.documents.validation import blocking, transparency
from central.dossiers.db import Connection, scoped
from central.dossiers.sealing import StorageKey

_CHECKLIST = {"beslissingsbrief": "beslissingsbrief"}


@dataclass(frozen=True)
class Worker:
    """Who acts: account name, organisation, the name shown on documents."""

    username: str
    org: str
    display_name: str


class NotValidatable(Exception):
    """Validation refused; `problems` says what is missing."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def create(conn: Connection, key: StorageKey, worker: Worker, dossier_id: int, kind: str, *,
           lang: str = "nl", decision: CommitteeDecision | None = None) -> dict[str, Any]:
    """Build a new draft document of `kind` for the dossier."""
    if kind not in KINDS:
        raise NothingToBuildFrom(f"no document kind {kind!r}")
    template = load_document_template(kind)
    document_id = store.new_document_id()
    with scoped(conn, worker.org):
        dossier, ref = store.open_key(conn, key, dossier_id)
        if kind == "sociaal_verslag":
            doc = build_social_report(template, store.dossier_reports(conn, key, dossier),
                                      document_id=document_id, version=1, dossier_ref=ref, lang=lang)
        else:
            earlier = store.newest(conn, key, dossier_id, str(template.based_on), validated=True)
            if earlier is None:
                raise NothingToBuildFrom(f"validate a {template.based_on} first")
            if kind == "voorstel_bcsd":
                doc = build_proposal(template, earlier.document, earlier.stamp, document_id=document_id, version=1)
            else:
                if decision is None:
                    raise NothingToBuildFrom("enter the committee's decision first")
                doc = build_letter(template, earlier.document, earlier.stamp, decision,
                                   entered_by=worker.display_name, entered_at=_now().isoformat(),
                                   document_id=document_id, version=1,
                                   checklist=load_checklist(_CHECKLIST[kind]).stamp)
        store.insert(conn, dossier, worker.org, doc, doc, worker.username)
        _audit(conn, worker, dossier_id, f"{kind}_built", f"{document_id} v1")
        return _view(store.read(conn, key, document_id, 1))


def read(conn: Connection, key: StorageKey, worker: Worker, document_id: str, version: int) -> dict[str, Any]:
    """A document version as the screen shows it, with what still blocks validation."""
    with scoped(conn, worker.org):
        return _view(store.read(conn, key, document_id, version))


def stored(conn: Connection, key: StorageKey, worker: Worker, document_id: str, version: int) -> store.StoredDocument:
    """A document version (for export)."""
    with scoped(conn, worker.org):
        return store.read(conn, key, document_id, version)


def listing(conn: Connection, worker: Worker, dossier_id: int) -> list[dict[str, Any]]:
    """The dossier's documents, all versions."""
    with scoped(conn, worker.org):
        return store.listing(conn, dossier_id)


def save(conn: Connection, key: StorageKey, worker: Worker, document_id: str, version: int,
         edits: list[EditedSection]) -> dict[str, Any]:
    """Keep the worker's edits of a draft (DocumentLocked once validated)."""
    with scoped(conn, worker.org):
        current = _draft(conn, key, document_id, version)
        dossier, _ = store.open_key(conn, key, current.dossier_id)
        edited = apply_edits(current.original, current.document, edits, worker.username)
        store.update_draft(conn, dossier, edited, current.original)
        return _view(store.read(conn, key, document_id, version))


def validate(conn: Connection, key: StorageKey, worker: Worker, document_id: str, version: int) -> dict[str, Any]:
    """Validate the draft as this worker: refused with the reasons while something is missing."""
    with scoped(conn, worker.org):
        current = _draft(conn, key, document_id, version)
        problems = blocking(current.document, _checklist(current.document))
        if problems:
            raise NotValidatable(problems)
        at = _now()
        meta = transparency(current.document, count_edits(current.original, current.document),
                            validated_by=worker.display_name, validated_at=at.isoformat())
        dossier, _ = store.open_key(conn, key, current.dossier_id)
        store.mark_validated(conn, dossier, current, meta, worker.username, worker.display_name, at)
        _audit(conn, worker, current.dossier_id, f"{current.document.kind}_validated", f"{document_id} v{version}")
        return _view(store.read(conn, key, document_id, version))


def correct(conn: Connection, key: StorageKey, worker: Worker, document_id: str, version: int) -> dict[str, Any]:
    """A new draft version that starts from a validated one; the validated one stays as it was."""
    with scoped(conn, worker.org):
        current = store.read(conn, key, document_id, version)
        if current.status != "validated":
            raise store.DocumentLocked("only a validated document is corrected by a new version")
        dossier, _ = store.open_key(conn, key, current.dossier_id)
        number = store.next_version(conn, document_id)
        doc = current.document.model_copy(update={"version": number, "supersedes": version})
        store.insert(conn, dossier, worker.org, doc, doc, worker.username)
        _audit(conn, worker, current.dossier_id, f"{doc.kind}_corrected", f"{document_id} v{number}")
        return _view(store.read(conn, key, document_id, number))


def _draft(conn: Connection, key: StorageKey, document_id: str, version: int) -> store.StoredDocument:
    current = store.read(conn, key, document_id, version, for_update=True)
    if current.status != "draft":
        raise store.DocumentLocked(f"document {document_id} v{version} is validated; correct it with a new version")
    return current


def _checklist(document: Document) -> Checklist | None:
    name = _CHECKLIST.get(document.kind)
    return load_checklist(name) if name else None


def _view(current: store.StoredDocument) -> dict[str, Any]:
    doc = current.document
    checklist = _checklist(doc)
    return {
        "document": doc.model_dump(mode="json"), "status": current.status,
        "dossier_id": current.dossier_id, "created_by": current.created_by,
        "validated_by": current.validated_name,
        "validated_at": current.validated_at.isoformat() if current.validated_at else None,
        "blocking": [] if current.status == "validated" else blocking(doc, checklist),
        "checklist": [r.as_json(doc.language) for r in check(checklist, doc)] if checklist else [],
        "transparency": current.meta or None,
    }


def _audit(conn: Connection, worker: Worker, dossier_id: int, action: str, detail: str) -> None:
    conn.execute(
        "INSERT INTO audit (org, actor, action, dossier_id, detail) VALUES (%s, %s, %s, %s, %s)",
        (worker.org, worker.username, action, dossier_id, detail),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
