"""The screen's routes for derived documents: build, review, validate, correct, export.

The routes only translate HTTP to the documents workflow; what may be built, changed or
validated is decided there, inside the organisation's row-level security.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from central.documents import workflow
from central.documents.decision import CommitteeDecision
from central.documents.export_odt import document_odt
from central.documents.export_pdf import document_pdf
from central.documents.model import Kind
from central.documents.review import EditedSection, ReviewError
from central.documents.social_report import NothingToBuildFrom
from central.documents.store import DocumentLocked, DocumentNotFound
from central.dossiers.db import Connection
from central.dossiers.sealing import StorageKey
from central.web.accounts import Account
from central.web.session import Worker, connection_for


class BuildBody(BaseModel):
    """Which document to build; a decision letter needs the committee's decision."""

    model_config = ConfigDict(extra="forbid")
    kind: Kind
    lang: Literal["nl", "fr"] = "nl"
    decision: CommitteeDecision | None = None


class EditBody(BaseModel):
    """The draft's sections as the worker left them."""

    model_config = ConfigDict(extra="forbid")
    sections: list[EditedSection] = Field(max_length=60)


_MEDIA = {"pdf": "application/pdf", "odt": "application/vnd.oasis.opendocument.text"}
router = APIRouter()


@contextmanager
def _store(request: Request) -> Iterator[tuple[Connection, StorageKey]]:
    with connection_for(request.app.state.config) as conn:
        yield conn, request.app.state.storage


def _who(account: Account) -> workflow.Worker:
    return workflow.Worker(account.username, account.org, account.display_name)


@router.get("/api/dossiers/{dossier_id}/documents")
def documents(request: Request, dossier_id: int, account: Worker) -> dict[str, Any]:
    """The dossier's documents, every version."""
    with _store(request) as (conn, _):
        return {"documents": workflow.listing(conn, _who(account), dossier_id)}


@router.post("/api/dossiers/{dossier_id}/documents", status_code=201)
def build(request: Request, dossier_id: int, body: BuildBody, account: Worker) -> dict[str, Any]:
    """Build a draft from the dossier's validated reports or its validated earlier document."""
    with _store(request) as (conn, key):
        return workflow.create(conn, key, _who(account), dossier_id, body.kind, lang=body.lang,
                               decision=body.decision)


@router.get("/api/documents/{document_id}/{version}")
def document(request: Request, document_id: str, version: int, account: Worker) -> dict[str, Any]:
    """One version with its sources, checklist and what blocks validation."""
    with _store(request) as (conn, key):
        return workflow.read(conn, key, _who(account), document_id, version)


@router.put("/api/documents/{document_id}/{version}")
def save(request: Request, document_id: str, version: int, body: EditBody, account: Worker) -> dict[str, Any]:
    """Keep the worker's edits of a draft."""
    with _store(request) as (conn, key):
        return workflow.save(conn, key, _who(account), document_id, version, body.sections)


@router.post("/api/documents/{document_id}/{version}/validate")
def validate(request: Request, document_id: str, version: int, account: Worker) -> dict[str, Any]:
    """Validate as the signed-in worker; 409 with the reasons while something is missing."""
    with _store(request) as (conn, key):
        return workflow.validate(conn, key, _who(account), document_id, version)


@router.post("/api/documents/{document_id}/{version}/correct", status_code=201)
def correct(request: Request, document_id: str, version: int, account: Worker) -> dict[str, Any]:
    """Start a new version from a validated one."""
    with _store(request) as (conn, key):
        return workflow.correct(conn, key, _who(account), document_id, version)


@router.get("/api/documents/{document_id}/{version}/{fmt}")
def export(request: Request, document_id: str, version: int, fmt: Literal["pdf", "odt"],
           account: Worker) -> Response:
    """The validated document as PDF or ODT."""
    with _store(request) as (conn, key):
        found = workflow.stored(conn, key, _who(account), document_id, version)
    if found.status != "validated":
        raise DocumentLocked("only a validated document is exported")
    data = (document_pdf if fmt == "pdf" else document_odt)(found)
    name = f"{found.document.kind}-{document_id}.v{version}.{fmt}"
    return Response(data, media_type=_MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def errors(app: FastAPI) -> None:
    """How the workflow's refusals reach the screen."""
    statuses: dict[type[Exception], int] = {
        DocumentNotFound: 404, DocumentLocked: 409, NothingToBuildFrom: 409, ReviewError: 422}

    async def refusal(_: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, workflow.NotValidatable):
            return JSONResponse({"detail": "not validatable", "problems": exc.problems}, status_code=409)
        status = next(code for kind, code in statuses.items() if isinstance(exc, kind))
        return JSONResponse({"detail": "not found" if status == 404 else str(exc)}, status_code=status)

    for kind in (*statuses, workflow.NotValidatable):
        app.add_exception_handler(kind, refusal)
