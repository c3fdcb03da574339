"""What every part of the room shares: its stores, its lock, what the kiosk points at, and the
contacts themselves (opening one, asking consent, the manual path).

The room is one object (`appliance.contact.room.Room`) assembled from parts, one concern a
module: recording control, revocation and the kiosk's answers build on this base.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from appliance.box.audit import AuditLog
from appliance.box.clock import utcnow
from appliance.box.config import AppConfig
from appliance.box.events import Changes
from appliance.contact import consent as consent_mod
from appliance.contact import contacts
from appliance.contact.consent import Choice
from appliance.contact.contacts import Contact
from appliance.contact.content import save_draft
from appliance.contact.dossier_ref import DossierRefError, normalise_dossier_ref
from appliance.contact.lifecycle import ContactState, IllegalTransition
from appliance.contact.room_state import KioskScreen, Recording
from appliance.draft import Draft
from appliance.store.audio import AudioChunks
from appliance.store.datakeys import DataKeys
from appliance.store.db import Store

S = ContactState


class RoomError(Exception):
    """A request the room cannot honour now; the message is for the person who asked."""


class StaleScreen(RoomError):
    """A kiosk action for a screen that is no longer shown (another question, expired, restarted)."""


# While a contact is in one of these states the room is its: no other contact may ask or record.
HOLDS_THE_ROOM = frozenset({S.GRANTED, S.RECORDING, S.PAUSED})


def empty_draft_for(template_id: str, config: AppConfig) -> Draft:
    """The manual path's starting point: every section of the template, no sentences."""
    from appliance.drafting.templates import empty_draft, load_template

    return empty_draft(load_template(template_id, config.drafting.templates_dir))


class RoomBase:
    """The room's shared state and its contacts; safe to call from any thread."""

    def __init__(
        self,
        *,
        config: AppConfig,
        store: Store,
        audit: AuditLog,
        keys: DataKeys,
        audio: AudioChunks,
        dossier_key: bytes,
        recorder_factory: Callable[[Callable[[bytes], None], Callable[[], None]], Any],
        streamer_factory: Callable[[], Any] | None,
        changes: Changes,
        text_version: str,
    ) -> None:
        self.config = config
        self.store = store
        self.audit = audit
        self.keys = keys
        self.audio = audio
        self._dossier_key = dossier_key
        self._recorder_factory = recorder_factory
        self._streamer_factory = streamer_factory
        self.changes = changes
        self.text_version = text_version
        self._lock = threading.RLock()
        self._kiosk = KioskScreen(language=config.kiosk.default_language)
        self._recording: dict[str, Recording] = {}
        self.on_stopped: Callable[[str, Any | None], None] = lambda cid, streamer: None
        self.on_revoked: Callable[[str], None] = lambda cid: None

    def open_contact(self, dossier_ref: str, template_id: str, actor: str) -> Contact:
        """Start a new conversation; consent is asked anew for every contact."""
        try:
            ref = normalise_dossier_ref(dossier_ref, self.config.device.dossier_ref_pattern)
        except DossierRefError as exc:
            raise RoomError(str(exc)) from exc
        with self._lock, self.store.transaction() as conn:
            contact = contacts.insert(conn, dossier_ref=ref, template_id=template_id, opened_by=actor, now=utcnow())
            self.keys.create(contact.id)
            self.audit.append("contact.opened", contact_id=contact.id, actor=actor, template=template_id)
        if not self._kiosk_busy():
            # The newest contact is the room's active one: the record button acts on it.
            self._kiosk = KioskScreen(contact_id=contact.id, language=self.config.kiosk.default_language)
        self.changes.notify()
        return contact

    def _kiosk_busy(self) -> bool:
        """A question is open, or consent stands and recording goes on: keep that contact on the kiosk."""
        cid = self._kiosk.contact_id
        if cid is None or self._kiosk.outcome is not None:
            return False
        try:
            return self.get(cid).state in (S.CONSENT_ASKED, S.GRANTED, S.RECORDING, S.PAUSED)
        except contacts.ContactNotFound:
            return False

    def show_contact(self, contact_id: str) -> None:
        """Point the kiosk at a contact whose consent stands (after a restart), with a new screen
        token: its client keeps the revoke control. An open question is never shown again this
        way; the worker asks again."""
        self._kiosk = KioskScreen(contact_id=contact_id, language=self.config.kiosk.default_language)
        self.changes.notify()

    def question_open(self, contact_id: str) -> bool:
        """The kiosk shows this contact's question now, and it has not expired."""
        k = self._kiosk
        return (k.contact_id == contact_id and k.outcome is None
                and time.monotonic() - k.shown_at <= self.config.kiosk.question_expiry_s
                and self.get(contact_id).state is S.CONSENT_ASKED)

    def _holder(self, contact_id: str) -> Contact | None:
        """Another contact that has the room: its consent stands, or its question is on the kiosk."""
        for c in self.list():
            if c.id != contact_id and (c.state in HOLDS_THE_ROOM
                                       or (c.state is S.CONSENT_ASKED and self.question_open(c.id))):
                return c
        return None

    def get(self, contact_id: str) -> Contact:
        """The contact as stored (raises ContactNotFound)."""
        with self.store.transaction() as conn:
            return contacts.get(conn, contact_id)

    def list(self) -> list[Contact]:
        """This room's contacts that still exist."""
        with self.store.transaction() as conn:
            return contacts.list_open(conn)

    def consent_of(self, contact_id: str) -> Choice | None:
        """The latest consent decision of a contact."""
        with self.store.transaction() as conn:
            return consent_mod.latest_choice(conn, contact_id)

    def ask_consent(self, contact_id: str, actor: str, *, client_asked_to_opt_in: bool = False) -> Contact:
        """Show the question on the kiosk, unless the dossier has a standing choice for the manual path."""
        with self._lock:
            with self.store.transaction() as conn:
                contact = contacts.get(conn, contact_id)
                flagged = consent_mod.has_manual_flag(conn, self._dossier_key, contact.dossier_ref)
            if flagged and not client_asked_to_opt_in:
                # The client said no for this dossier earlier: no question, same template by hand.
                return self.start_manual(contact_id, actor, trigger="standing_choice")
            holder = self._holder(contact_id)
            if holder is not None:
                raise RoomError("another conversation in this room is waiting for consent or is being recorded: "
                                "stop it, or write its report by hand, before asking here")
            with self.store.transaction() as conn:
                contact = contacts.get(conn, contact_id)
                if contact.state is not S.CONSENT_ASKED:  # asking again just shows the question again
                    contact = contacts.move(conn, contact, S.CONSENT_ASKED, utcnow())
                # Overriding a standing "no" at the client's own request is an event of its own.
                event = "consent.asked_over_standing_choice" if flagged else "consent.asked"
                self.audit.append(event, contact_id=contact_id, actor=actor, text_version=self.text_version)
            self._kiosk = KioskScreen(contact_id=contact_id, language=self.config.kiosk.default_language)
        self.changes.notify()
        return contact

    def start_manual(self, contact_id: str, actor: str, *, trigger: str = "worker") -> Contact:
        """The alternative path: the same template, filled by hand, then the same validation and sync."""
        with self._lock:
            with self.store.transaction() as conn:
                contact = contacts.get(conn, contact_id)
                # From GRANTED too: the worker may decide not to record after all (nothing was).
                if contact.state not in (S.OPENED, S.CONSENT_ASKED, S.GRANTED, S.DECLINED, S.REVOKED):
                    raise IllegalTransition(contact.state, S.DRAFTED)
                contacts.update(conn, contact_id, utcnow(), path="manual")
                self.audit.append("contact.manual_path", contact_id=contact_id, actor=actor, trigger=trigger)
            self._open_manual_draft(contact_id)
            if self._kiosk.contact_id == contact_id:
                self._kiosk = KioskScreen(language=self.config.kiosk.default_language)  # the question is withdrawn
        self.changes.notify()
        return self.get(contact_id)

    def _open_manual_draft(self, contact_id: str) -> None:
        with self.store.transaction() as conn:
            contact = contacts.get(conn, contact_id)
            if contact.state is S.DRAFTED:
                return
            draft = empty_draft_for(contact.template_id, self.config)
            if not self.keys.exists(contact_id):
                self.keys.create(contact_id)
            save_draft(conn, self.keys.get(contact_id), contact_id, original=None, working=draft, now=utcnow())
            contacts.move(conn, contact, S.DRAFTED, utcnow())

    def elapsed(self, contact: Contact) -> float:
        """Recorded seconds so far, live while recording."""
        rec = self._recording.get(contact.id)
        if rec is not None and contact.state is S.RECORDING:
            return rec.seconds_before + (time.monotonic() - rec.started_monotonic)
        return contact.recorded_seconds

    def _set_outcome(self, outcome: str) -> None:
        self._kiosk.outcome = outcome
        self._kiosk.outcome_at = time.monotonic()
        self._kiosk.receipt = None
