"""The FastAPI applications around one `Appliance`: the worker side (worker screen, its API and
health), served to the LAN over TLS, and the kiosk side (the client's consent screen and its
API), served on loopback only, to the Chromium kiosk on the box itself. Two listeners, two
apps: a kiosk route simply does not exist on the LAN listener."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appliance import __version__
from appliance.api import kiosk, session, worker
from appliance.api.limits import KIOSK_BODY_BYTES, WORKER_BODY_BYTES, BodyLimit
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


_META_POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def page_policy(page: str) -> str:
    """The policy a screen's page declares in its meta tag, plus what only a header can say."""
    found = _META_POLICY.search((STATIC_DIR / page).read_text(encoding="utf-8"))
    if found is None:
        raise RuntimeError(f"{page} declares no Content-Security-Policy")
    return f"{found.group(1)}; frame-ancestors 'none'"


class PagePolicy:
    """Sends each screen's Content-Security-Policy as a response header as well: the browser then
    holds to it from the first byte, and the header can forbid framing, which a meta tag cannot."""

    def __init__(self, app: ASGIApp, policies: dict[str, str]) -> None:
        self.app = app
        self.policies = {path: policy.encode() for path, policy in policies.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        policy = self.policies.get(scope["path"]) if scope["type"] == "http" else None
        if policy is None:
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-security-policy", policy)]
            await send(message)

        await self.app(scope, receive, send_with_policy)


def _handlers(app: FastAPI) -> None:
    """The room's refusals as HTTP answers, alike on both listeners."""

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


def create_kiosk_app() -> FastAPI:
    """The kiosk side, for the loopback listener; `state.appliance` is set once the worker side
    has built the Appliance (until then every kiosk request answers 503)."""

    def ready(request: Request) -> None:
        if getattr(request.app.state, "appliance", None) is None:
            raise HTTPException(status_code=503, detail="the appliance is starting")

    app = FastAPI(title="Spreekkamer kiosk", version=__version__, dependencies=[Depends(ready)])
    app.state.appliance = None
    app.include_router(kiosk.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(PagePolicy, policies={"/kiosk": page_policy("kiosk.html")})
    app.add_middleware(BodyLimit, max_bytes=KIOSK_BODY_BYTES)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/kiosk")

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """The kiosk side is up and the appliance built (the kiosk launcher waits for this)."""
        return {"status": "ok", "version": __version__}

    _handlers(app)
    return app


def create_apps(build: Callable[[], Any], *, on_ready: Callable[[], None] | None = None) -> tuple[FastAPI, FastAPI]:
    """The worker app (which builds the Appliance, loading models, before it reports ready) and
    the kiosk app on the same Appliance."""
    kiosk_app = create_kiosk_app()
    worker_app: FastAPI

    def ready() -> None:
        kiosk_app.state.appliance = worker_app.state.appliance
        if on_ready is not None:
            on_ready()

    worker_app = create_app(build, on_ready=ready)
    return worker_app, kiosk_app


def create_app(build: Callable[[], Any], *, on_ready: Callable[[], None] | None = None) -> FastAPI:
    """The worker side; `build` makes the Appliance (loading models) before the app reports ready."""

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
    app.include_router(session.router)
    app.include_router(worker.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(PagePolicy, policies={"/worker": page_policy("worker.html")})
    app.add_middleware(BodyLimit, max_bytes=WORKER_BODY_BYTES)

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

    _handlers(app)
    return app
