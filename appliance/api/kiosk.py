"""Kiosk endpoints: the client's screen. They expose the room's state and nothing about clients."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response

from appliance.api.schemas import ButtonPress, KioskConsent, KioskLanguage, KioskRevoke
from appliance.api.sse import sse_response
from appliance.contact.consent import Choice
from ui_kiosk import STATIC_DIR, texts
from ui_kiosk.speech import SpeechUnavailable, speak


def kiosk_on_this_box(request: Request) -> None:
    """The kiosk screen runs on the box itself; answers from elsewhere on the network are refused."""
    host = request.client.host if request.client else ""
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host == "testclient"
    if not local:
        raise HTTPException(status_code=403, detail="the consent screen only answers from this box")


router = APIRouter(tags=["kiosk"])
_local = [Depends(kiosk_on_this_box)]


def _room(request: Request) -> Any:
    return request.app.state.appliance.room


@router.get("/kiosk", include_in_schema=False)
def kiosk_page() -> FileResponse:
    """The consent screen."""
    return FileResponse(STATIC_DIR / "kiosk.html", headers={"Cache-Control": "no-store"})


@router.get("/api/kiosk/state")
def kiosk_state(request: Request) -> dict[str, Any]:
    """What the kiosk shows now."""
    return _room(request).kiosk_state()  # type: ignore[no-any-return]


@router.get("/api/kiosk/events")
def kiosk_events(request: Request) -> Response:
    """Live kiosk state (SSE)."""
    room = _room(request)
    return sse_response(request, room.changes, room.kiosk_state)


@router.post("/api/kiosk/consent", dependencies=_local)
def kiosk_consent(body: KioskConsent, request: Request) -> dict[str, Any]:
    """The client's answer to the question on the screen."""
    room = _room(request)
    room.kiosk_decide(Choice(body.choice), body.language, body.text_version, body.screen)
    return room.kiosk_state()  # type: ignore[no-any-return]


@router.post("/api/kiosk/revoke", dependencies=_local)
def kiosk_revoke(body: KioskRevoke, request: Request) -> dict[str, Any]:
    """One touch withdraws consent; the answer is the receipt."""
    return {"receipt": _room(request).kiosk_revoke(body.language, body.screen)}


@router.post("/api/kiosk/language", dependencies=_local)
def kiosk_language(body: KioskLanguage, request: Request) -> dict[str, Any]:
    """The client switched language."""
    texts.load_texts(body.language)
    room = _room(request)
    room.set_kiosk_language(body.language)
    return room.kiosk_state()  # type: ignore[no-any-return]


@router.get("/api/kiosk/languages")
def kiosk_languages() -> list[dict[str, str]]:
    """Languages the client can choose, named in their own script."""
    return [{"code": lang.code, "name": lang.name, "dir": lang.direction} for lang in texts.LANGUAGES]


@router.get("/api/kiosk/texts/{lang}")
def kiosk_texts(lang: str) -> dict[str, Any]:
    """All kiosk texts in one language."""
    try:
        return texts.load_texts(lang)
    except texts.UnknownLanguage as exc:
        raise HTTPException(status_code=404, detail=f"no kiosk texts for language {lang!r}") from exc


@lru_cache(maxsize=256)
def _spoken(text: str, lang: str) -> bytes:
    """espeak-ng runs once per text and language (the kiosk's texts are a fixed set); failures
    are not cached."""
    return speak(text, lang)


@router.get("/api/kiosk/speech/{lang}/{key}")
def kiosk_speech(lang: str, key: str) -> Response:
    """A kiosk text read aloud, made offline with espeak-ng."""
    try:
        table = texts.load_texts(lang)
    except texts.UnknownLanguage as exc:
        raise HTTPException(status_code=404, detail=f"no kiosk texts for language {lang!r}") from exc
    text = table.get(key)
    if not isinstance(text, str):
        raise HTTPException(status_code=404, detail=f"no text {key!r}")
    try:
        wav = _spoken(text, lang)
    except SpeechUnavailable as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc
    return Response(wav, media_type="audio/wav", headers={"Cache-Control": "max-age=3600"})


@router.post("/api/kiosk/button", dependencies=_local)
def kiosk_button(body: ButtonPress, request: Request) -> dict[str, Any]:
    """The simulated record button (dev profile, or a worker tablet without a physical button)."""
    appliance = request.app.state.appliance
    if appliance.config.button.backend != "simulated":
        raise HTTPException(status_code=404, detail="this room has a physical button")
    appliance.room.button(body.kind)
    return appliance.room.kiosk_state()  # type: ignore[no-any-return]
