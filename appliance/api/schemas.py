"""Request and response bodies of the HTTP API (see docs/api.md). No field for a consent reason exists."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from appliance.box.accounts import MAX_PASSWORD_CHARS
from appliance.draft import Draft


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(_Body):
    """Worker login."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class UserOut(BaseModel):
    """Who is logged in."""

    username: str
    display_name: str
    role: str


class NewContact(_Body):
    """Open a contact for a dossier with a template."""

    dossier_ref: str = Field(min_length=1, max_length=64, description="The OCMW's dossier reference.")
    template_id: str = Field(min_length=1, max_length=64)


class AskConsent(_Body):
    """Ask the client. `client_asked_to_opt_in` lets a client with a standing 'no' choose again."""

    client_asked_to_opt_in: bool = False


class KioskConsent(_Body):
    """The client's answer on the kiosk: only the choice, the language and the text version shown."""

    choice: Literal["granted", "declined"]
    language: str = Field(pattern=r"^[a-z]{2}$")
    text_version: str = Field(max_length=40)
    screen: str = Field(min_length=8, max_length=40, description="The `screen` token of the question answered, from /api/kiosk/state.")


class KioskRevoke(_Body):
    """The client withdraws consent on the kiosk screen they see."""

    language: str = Field(pattern=r"^[a-z]{2}$")
    screen: str = Field(min_length=8, max_length=40, description="The `screen` token shown with the revoke control, from /api/kiosk/state.")


class KioskLanguage(_Body):
    """Language shown on the kiosk."""

    language: str = Field(pattern=r"^[a-z]{2}$")


class ButtonPress(_Body):
    """Simulated record button."""

    kind: Literal["short", "long"]


class Revocation(_Body):
    """A revocation the worker registers; only how it reached us, never why."""

    channel: Literal["oral", "phone", "mail", "form"]


class ContactOut(BaseModel):
    """A contact as the worker screen sees it."""

    id: str
    dossier_ref: str
    template_id: str
    state: str
    path: str
    consent: str | None
    recorded_seconds: float
    recording_since: str | None
    report_id: str | None
    busy: bool = Field(description="Transcription or drafting is running for this contact.")


class DraftPair(BaseModel):
    """The engine's draft and the worker's working copy."""

    original: Draft | None
    working: Draft


class WorkingDraft(_Body):
    """The worker's edited copy."""

    working: Draft


class ValidationBody(_Body):
    """Explicit confirmation by the named worker."""

    confirm: Literal[True]
    worker_name: str = Field(min_length=1, max_length=120)


class CorrectionBody(_Body):
    """A corrected version of a validated report, confirmed by the named worker."""

    working: Draft
    confirm: Literal[True]
    worker_name: str = Field(min_length=1, max_length=120)
