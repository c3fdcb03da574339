"""The FastAPI application: kiosk, worker and health endpoints around one `Appliance`."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from appliance import __version__
from appliance.api import kiosk, session, worker
from appliance.contact.contacts import ContactNotFound
from appliance.contact.lifecycle import IllegalTransition
from appliance.contact.room_base import RoomError
from ui_kiosk import STATIC_DIR

log = logging.getLogger(__name__)


INTEGRITY_EVERY_S = 60.0
_last_integrity: dict[int, tuple[float, list[str]]] = {}


def _integrity(appliance: Any) -> list[str]:
    """cipher_integrity_check reads every page: run it at most once a minute, not on every probe."""
    now = time.monotonic()
    cached = _last_integrity.get(id(appliance))
    if cached is None or now - cached[0] > INTEGRITY_EVERY_S or cached[1]:
        cached = (now, appliance.store.integrity_check())
        _last_integrity[id(appliance)] = cached
    return cached[1]


def create_app(build: Callable[[], Any], *, on_ready: Callable[[], None] | None = None) -> FastAPI:
    """`build` makes the Appliance (loading models) before the app reports ready."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.appliance = build()
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            app.state.appliance.close()

    app = FastAPI(title="Spreekkamer appliance", version=__version__, lifespan=lifespan)
    app.include_router(kiosk.router)
    app.include_router(session.router)
    app.include_router(worker.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/worker")

    @app.get("/health", tags=["health"])
    def health(request: Request) -> JSONResponse:
        """Store integrity, model, sync link; 503 when the box cannot do its work."""
        a = request.app.state.appliance
        problems = _integrity(a)
        relay = a.relay.status() if a.relay is not None else None
        body = {
            "status": "ok",
            "version": __version__,
            "store": {"ok": not problems, "problems": problems},
            "model": a.transcriber.stamp().model_dump() if a.transcriber is not None else None,
            "sync": None if relay is None else {
                "connected": relay.connected, "auth_failed": relay.auth_failed,
                "pending": relay.pending, "last_error": relay.last_error},
        }
        bad = bool(problems) or (relay is not None and relay.auth_failed)
        if bad:
            body["status"] = "failing"
        return JSONResponse(body, status_code=503 if bad else 200)

    @app.exception_handler(IllegalTransition)
    async def illegal(_: Request, exc: IllegalTransition) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(RoomError)
    async def room_error(_: Request, exc: RoomError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(ContactNotFound)
    async def not_found(_: Request, exc: ContactNotFound) -> JSONResponse:
        return JSONResponse({"detail": f"no contact {exc}"}, status_code=404)

    @app.exception_handler(KeyError)
    async def key_error(_: Request, exc: KeyError) -> JSONResponse:
        return JSONResponse({"detail": f"not found: {exc}"}, status_code=404)

    return app
