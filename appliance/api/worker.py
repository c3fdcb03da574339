"""Worker endpoints: contacts, recording, review, validation. Every one needs a login."""

from __future__ import annotations

import io
import json
import math
import wave
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from appliance.api.auth import SESSION_COOKIE, Worker
from appliance.api.schemas import (
    AskConsent,
    ContactOut,
    CorrectionBody,
    DraftPair,
    NewContact,
    Revocation,
    ValidationBody,
    WorkingDraft,
)
from appliance.api.sse import sse_response
from appliance.box.accounts import session_user
from appliance.contact.consent import Channel
from appliance.contact.contacts import Contact
from appliance.draft import Draft
from appliance.review.report import Validator, report_as_draft
from appliance.store.errors import KeyShredded, NoAudio
from ui_kiosk import STATIC_DIR
from ui_kiosk.texts import I18N_DIR

router = APIRouter(tags=["worker"])
WORKER_LANGUAGES = ("nl", "fr")


def _app(request: Request) -> Any:
    return request.app.state.appliance


def contact_out(appliance: Any, contact: Contact) -> ContactOut:
    """The contact with its consent and report, for the worker screen."""
    room = appliance.room
    consent = room.consent_of(contact.id)
    return ContactOut(
        id=contact.id, dossier_ref=contact.dossier_ref, template_id=contact.template_id,
        state=contact.state.value, path=contact.path, consent=consent.value if consent else None,
        recorded_seconds=round(room.elapsed(contact), 1),
        recording_since=contact.recording_started_at.isoformat() if contact.recording_started_at else None,
        report_id=appliance.validation.report_id_of(contact.id),
        busy=contact.state.value in ("stopped", "transcribed"),
    )


@router.get("/worker", include_in_schema=False)
def worker_page() -> FileResponse:
    """The worker screen (it holds no data; everything comes through the API after login)."""
    return FileResponse(STATIC_DIR / "worker.html", headers={"Cache-Control": "no-store"})


@router.get("/api/worker/texts/{lang}")
def worker_texts(lang: str) -> dict[str, Any]:
    """The worker screen's texts (no client data, so no login needed)."""
    if lang not in WORKER_LANGUAGES:
        raise HTTPException(status_code=404, detail=f"no worker texts for language {lang!r}")
    return json.loads((I18N_DIR / f"worker-{lang}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@router.get("/api/templates")
def templates(request: Request, user: Worker) -> list[dict[str, Any]]:
    """Templates a contact can use."""
    from appliance.drafting.templates import list_templates

    out = []
    for t in list_templates(_app(request).config.drafting.templates_dir):
        out.append({
            "id": t.id, "version": str(t.version), "title_nl": t.title("nl"), "title_fr": t.title("fr"),
            "sections": [{"id": s.id, "title_nl": s.title("nl"), "title_fr": s.title("fr"),
                          "guidance": s.guidance, "required": s.required} for s in t.sections],
        })
    return out


@router.get("/api/contacts")
def list_contacts(request: Request, user: Worker) -> list[ContactOut]:
    """This room's contacts that still exist."""
    app = _app(request)
    return [contact_out(app, c) for c in app.room.list()]


@router.post("/api/contacts", status_code=201)
def open_contact(body: NewContact, request: Request, user: Worker) -> ContactOut:
    """Open a contact; nothing is recorded until the client says yes."""
    from appliance.drafting.templates import TemplateError, load_template

    app = _app(request)
    try:
        load_template(body.template_id, app.config.drafting.templates_dir)
    except TemplateError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return contact_out(app, app.room.open_contact(body.dossier_ref, body.template_id, user.username))


@router.get("/api/contacts/{contact_id}")
def get_contact(contact_id: str, request: Request, user: Worker) -> ContactOut:
    """One contact."""
    app = _app(request)
    return contact_out(app, app.room.get(contact_id))


@router.get("/api/contacts/{contact_id}/events")
def contact_events(contact_id: str, request: Request, user: Worker) -> Response:
    """Live contact state (SSE)."""
    app = _app(request)
    app.room.get(contact_id)

    def snapshot() -> dict[str, Any]:
        try:
            return contact_out(app, app.room.get(contact_id)).model_dump()
        except LookupError:
            return {"id": contact_id, "state": "purged"}

    token = request.cookies.get(SESSION_COOKIE, "")
    return sse_response(request, app.room.changes, snapshot, lambda: session_user(app.store, token) is not None)


@router.post("/api/contacts/{contact_id}/consent/ask")
def ask_consent(contact_id: str, request: Request, user: Worker, body: AskConsent | None = None) -> ContactOut:
    """Put the question on the kiosk (or go to the manual path for a standing choice)."""
    app = _app(request)
    opt_in = body.client_asked_to_opt_in if body else False
    return contact_out(app, app.room.ask_consent(contact_id, user.username, client_asked_to_opt_in=opt_in))


@router.post("/api/contacts/{contact_id}/recording/{action}")
def recording(contact_id: str, action: str, request: Request, user: Worker) -> ContactOut:
    """Start, pause, resume or stop the recording."""
    app = _app(request)
    room = app.room
    steps = {"start": room.start_recording, "pause": room.pause_recording,
             "resume": room.resume_recording, "stop": room.stop_recording}
    if action not in steps:
        raise HTTPException(status_code=404, detail="action is start, pause, resume or stop")
    return contact_out(app, steps[action](contact_id, user.username))


@router.post("/api/contacts/{contact_id}/revocations")
def revoke(contact_id: str, body: Revocation, request: Request, user: Worker) -> dict[str, Any]:
    """Register a revocation received orally, by phone, mail or form."""
    app = _app(request)
    receipt = app.room.revoke(contact_id, Channel(body.channel), user.username)
    return {"contact": contact_out(app, app.room.get(contact_id)), "receipt": receipt}


@router.post("/api/contacts/{contact_id}/manual")
def manual(contact_id: str, request: Request, user: Worker) -> ContactOut:
    """Write the report by hand in the same template."""
    app = _app(request)
    return contact_out(app, app.room.start_manual(contact_id, user.username))


@router.get("/api/contacts/{contact_id}/transcript")
def transcript(contact_id: str, request: Request, user: Worker) -> dict[str, Any]:
    """The transcript with word times, for citations."""
    from appliance.contact.content import load_transcript

    app = _app(request)
    room = app.room
    room.get(contact_id)
    if not room.keys.exists(contact_id):
        raise HTTPException(status_code=404, detail="no transcript (manual path or deleted)")
    with room.store.transaction() as conn:
        t = load_transcript(conn, room.keys.get(contact_id), contact_id)
    if t is None:
        raise HTTPException(status_code=404, detail="no transcript yet")
    return t.model_dump(mode="json")


@router.get("/api/contacts/{contact_id}/audio")
def audio(contact_id: str, request: Request, user: Worker,
          start: float = Query(0.0, ge=0), end: float = Query(..., gt=0)) -> Response:
    """A stretch of the recording as WAV, to hear a cited passage."""
    app = _app(request)
    app.room.get(contact_id)
    if not (math.isfinite(start) and math.isfinite(end)) or end <= start:
        raise HTTPException(status_code=422, detail="start and end must be seconds, with start before end")
    if end - start > 600:
        raise HTTPException(status_code=400, detail="at most 10 minutes at a time")
    try:
        clip = app.room.audio.read_span(contact_id, start, end)
    except NoAudio as exc:
        raise HTTPException(status_code=404, detail="no audio for this contact") from exc
    except KeyShredded as exc:
        raise HTTPException(status_code=410, detail="the audio of this contact was destroyed") from exc
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(clip.channels)
        w.setsampwidth(2)
        w.setframerate(clip.sample_rate)
        w.writeframes(clip.pcm)
    return Response(buf.getvalue(), media_type="audio/wav", headers={"Cache-Control": "no-store"})


@router.get("/api/contacts/{contact_id}/draft")
def get_draft(contact_id: str, request: Request, user: Worker) -> DraftPair:
    """The draft to review."""
    original, working = _app(request).validation.drafts(contact_id)
    return DraftPair(original=original, working=working)


@router.put("/api/contacts/{contact_id}/draft")
def put_draft(contact_id: str, body: WorkingDraft, request: Request, user: Worker) -> DraftPair:
    """Save the worker's edits."""
    original, working = _app(request).validation.save_working(contact_id, body.working, user.username)
    return DraftPair(original=original, working=working)


@router.post("/api/contacts/{contact_id}/validation")
def validate(contact_id: str, body: ValidationBody, request: Request, user: Worker) -> dict[str, Any]:
    """The named worker validates; the report is sealed and queued for central."""
    return _app(request).validation.validate(  # type: ignore[no-any-return]
        contact_id, Validator(user.username, user.display_name), body.worker_name)


@router.get("/api/reports/{report_id}")
def report(report_id: str, request: Request, user: Worker) -> dict[str, Any]:
    """A validated report (latest version)."""
    return _app(request).validation.report(report_id)  # type: ignore[no-any-return]


@router.get("/api/reports/{report_id}/draft")
def report_draft(report_id: str, request: Request, user: Worker) -> Draft:
    """A validated report as an editable draft, to start a correction."""
    return report_as_draft(_app(request).validation.report(report_id))


@router.post("/api/reports/{report_id}/corrections")
def correct_report(report_id: str, body: CorrectionBody, request: Request, user: Worker) -> dict[str, Any]:
    """A new version that references the old one; the validated version itself never changes."""
    return _app(request).validation.correct(  # type: ignore[no-any-return]
        report_id, body.working, Validator(user.username, user.display_name), body.worker_name)


@router.get("/api/reports/{report_id}/html", response_class=HTMLResponse)
def report_html(report_id: str, request: Request, user: Worker) -> HTMLResponse:
    """The report rendered for reading and printing."""
    from appliance.review.render import render_html

    return HTMLResponse(render_html(_app(request).validation.report(report_id)))


@router.get("/api/reports/{report_id}/pdf")
def report_pdf(report_id: str, request: Request, user: Worker) -> Response:
    """The report as PDF."""
    from appliance.review.render import render_pdf

    pdf = render_pdf(_app(request).validation.report(report_id))
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{report_id}.pdf"'})
