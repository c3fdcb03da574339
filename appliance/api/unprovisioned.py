"""The service of a box that is not (fully) provisioned: it records nothing and says why.

The kiosk shows a neutral "not set up" screen, `/health` lists what is missing for IT, and
every worker endpoint answers 503. systemd still gets READY=1, so the unit does not loop.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from appliance import __version__
from ui_kiosk import STATIC_DIR, texts

_PATH = re.compile(r"(?:/[^\s/'\"]+)+/([^\s/'\"]+)")


def without_paths(problems: list[str]) -> list[str]:
    """What is missing, by file name only: where the box keeps its keys is not for the network
    (the full text is in the service's log for IT)."""
    return [_PATH.sub(r"\1", p) for p in problems]


def create_unprovisioned_app(problems: list[str], default_language: str = "nl", *, kiosk_side: bool = False) -> FastAPI:
    """A minimal app for a box that must not record until IT finishes provisioning: the worker
    side (health, refusals) or, with `kiosk_side`, the kiosk's neutral "not set up" screen."""
    app = FastAPI(title="Spreekkamer appliance (not provisioned)", version=__version__)
    shown = without_paths(problems)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/health")
    def health() -> JSONResponse:
        return JSONResponse({"status": "not_provisioned", "version": __version__, "problems": shown},
                            status_code=503)

    if kiosk_side:
        _kiosk_routes(app, default_language)

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
    def refused(rest: str) -> JSONResponse:
        return JSONResponse({"detail": "this box is not provisioned; see /health", "problems": shown},
                            status_code=503)

    return app


def _kiosk_routes(app: FastAPI, default_language: str) -> None:
    state = {"state": "out_of_service", "elapsed_seconds": 0.0, "language": default_language,
             "text_version": texts.CONSENT_TEXT_VERSION, "receipt": None, "consent_granted": False}

    @app.get("/kiosk", include_in_schema=False)
    def kiosk() -> FileResponse:
        return FileResponse(STATIC_DIR / "kiosk.html", headers={"Cache-Control": "no-store"})

    @app.get("/api/kiosk/state")
    def kiosk_state() -> dict[str, Any]:
        return state

    @app.get("/api/kiosk/texts/{lang}")
    def kiosk_texts(lang: str) -> Any:
        try:
            return texts.load_texts(lang)
        except texts.UnknownLanguage:
            return JSONResponse({"detail": f"no kiosk texts for language {lang!r}"}, status_code=404)
