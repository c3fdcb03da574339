"""The service of a box that is not (fully) provisioned: it records nothing and says why.

The kiosk shows a neutral "not set up" screen, `/health` lists what is missing for IT, and
every worker endpoint answers 503. systemd still gets READY=1, so the unit does not loop.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from appliance import __version__
from ui_kiosk import STATIC_DIR, texts


def create_unprovisioned_app(problems: list[str], default_language: str = "nl") -> FastAPI:
    """A minimal app for a box that must not record until IT finishes provisioning."""
    app = FastAPI(title="Spreekkamer appliance (not provisioned)", version=__version__)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    state = {"state": "out_of_service", "elapsed_seconds": 0.0, "language": default_language,
             "text_version": texts.CONSENT_TEXT_VERSION, "receipt": None, "consent_granted": False}

    @app.get("/health")
    def health() -> JSONResponse:
        return JSONResponse({"status": "not_provisioned", "version": __version__, "problems": problems},
                            status_code=503)

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

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
    def refused(rest: str) -> JSONResponse:
        return JSONResponse({"detail": "this box is not provisioned; see /health", "problems": problems},
                            status_code=503)

    return app
