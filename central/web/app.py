"""The workers' screen at central: FastAPI around the dossier store, static assets, strict CSP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from appliance.box.accounts import LoginRefused
from central.dossiers import db
from central.dossiers.sealing import StorageKey
from central.web import documents, overview
from central.web.accounts import (
    Account,
    authenticate,
    close_session,
    csrf_for,
    open_session,
)
from central.web.config import WebConfig
from central.web.session import COOKIE, Worker, connection_for

STATIC = Path(__file__).resolve().parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
       " frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


class LoginBody(BaseModel):
    """A login attempt."""

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)


class MarkBody(BaseModel):
    """Which agreement or document, by its source sentence."""

    report_id: str = Field(min_length=1, max_length=200)
    sentence_id: str = Field(min_length=1, max_length=200)


def create_app(config: WebConfig, key: StorageKey | None = None) -> FastAPI:
    """The screen's app; `key` defaults to the central storage key from the credentials."""
    storage = key or StorageKey.load(config.credentials_dir)
    app = FastAPI(title="Spreekkamer central", version="1")
    app.state.config = config
    app.state.storage = storage

    def connection() -> AbstractContextManager[db.Connection]:
        return connection_for(config)

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.url.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.post("/api/session")
    def login(body: LoginBody, response: Response) -> dict[str, Any]:
        """Check the password (back-off and lockout as on the box) and set the session cookie."""
        with connection() as conn:
            try:
                account = authenticate(conn, body.username, body.password)
            except LoginRefused as exc:
                headers = {"Retry-After": str(int(exc.retry_after_s) + 1)} if exc.retry_after_s else None
                status = {"locked": 423, "backoff": 429}.get(exc.code, 401)
                raise HTTPException(status, exc.code, headers=headers) from exc
            session = open_session(conn, account, ttl=dt.timedelta(hours=config.session_hours))
        response.set_cookie(COOKIE, session.token, httponly=True, samesite="strict", path="/",
                            secure=config.secure_cookies, max_age=int(config.session_hours * 3600))
        return {**_who(account), "csrf": session.csrf}

    @app.get("/api/session")
    def whoami(request: Request, account: Worker) -> dict[str, Any]:
        """The signed-in worker and the session's CSRF token."""
        return {**_who(account), "csrf": csrf_for(request.cookies[COOKIE])}

    @app.delete("/api/session", status_code=204)
    def logout(request: Request, response: Response, _: Worker) -> None:
        """End the session."""
        with connection() as conn:
            close_session(conn, request.cookies[COOKIE])
        response.delete_cookie(COOKIE, path="/")

    @app.get("/api/today")
    def today(account: Worker, start: dt.date | None = None) -> dict[str, Any]:
        """Appointments for today and the coming days in this worker's dossiers."""
        first = start or dt.date.today()
        with connection() as conn:
            items = overview.today(conn, storage, account, first, config.days_ahead)
        return {"from": first.isoformat(), "days": config.days_ahead, "appointments": items}

    @app.get("/api/dossiers")
    def find(account: Worker, ref: str) -> dict[str, int]:
        """A dossier of this worker's organisation by its reference."""
        with connection() as conn:
            return {"dossier_id": overview.find(conn, storage, account, ref)}

    @app.get("/api/dossiers/{dossier_id}")
    def dossier(account: Worker, dossier_id: int, on: dt.date | None = None) -> dict[str, Any]:
        """The dossier's overview."""
        with connection() as conn:
            return overview.dossier(conn, storage, account, dossier_id, on or dt.date.today())

    @app.post("/api/dossiers/{dossier_id}/marks")
    def mark(account: Worker, dossier_id: int, body: MarkBody) -> dict[str, Any]:
        """Mark an agreement done or a requested document received."""
        with connection() as conn:
            return overview.mark(conn, account, dossier_id, body.report_id, body.sentence_id)

    @app.get("/api/reports/{report_id}/{version}")
    def report(account: Worker, report_id: str, version: int) -> dict[str, Any]:
        """A report's sentences, for the links from each item to its source."""
        with connection() as conn:
            return overview.report_text(conn, storage, account, report_id, version)

    @app.get("/api/reports/{report_id}/{version}/pdf")
    def pdf(account: Worker, report_id: str, version: int) -> Response:
        """The report's PDF as the box rendered it."""
        with connection() as conn:
            data = overview.report_pdf(conn, storage, account, report_id, version)
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{report_id}.v{version}.pdf"'})

    @app.get("/health")
    def health() -> dict[str, str]:
        """Whether the dossier store answers."""
        with connection() as conn:
            conn.execute("SELECT 1")
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.exception_handler(overview.NotFound)
    async def not_found(_: Request, exc: overview.NotFound) -> JSONResponse:
        return JSONResponse({"detail": "not found"}, status_code=404)

    app.include_router(documents.router)
    documents.errors(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _who(account: Account) -> dict[str, Any]:
    return {"username": account.username, "display_name": account.display_name, "org": account.org}
