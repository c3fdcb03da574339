"""What the client's screen shows and what the client answers on it: the question, the
outcome, the language, and one-touch revocation. Nothing about the client is ever shown."""

from __future__ import annotations

import secrets
import time
from typing import Any

from appliance.box.clock import utcnow
from appliance.contact import consent as consent_mod
from appliance.contact import contacts
from appliance.contact.consent import Channel, Choice, ConsentDecision
from appliance.contact.lifecycle import ContactState, IllegalTransition
from appliance.contact.revocation import Revocation
from appliance.contact.room_base import RoomError, StaleScreen
from appliance.contact.room_state import KIOSK_OUTCOME_SECONDS, KIOSK_RECEIPT_SECONDS
from appliance.sync.flags import enqueue_flag

S = ContactState


class KioskAnswers(Revocation):
    """The kiosk's view of the room and the client's answers."""

    def _on_screen(self, screen: str) -> str:
        """The contact of the screen the kiosk action was made on, if that screen is still shown."""
        k = self._kiosk
        # The thanks screen after stop still carries the revoke control, while it is shown.
        finished = k.outcome == "finished" and time.monotonic() - k.outcome_at <= KIOSK_OUTCOME_SECONDS
        if (k.contact_id is None or (k.outcome is not None and not finished)
                or not secrets.compare_digest(screen, k.token)):
            raise StaleScreen("this screen is no longer shown on the kiosk; please look again")
        return k.contact_id

    def kiosk_decide(self, choice: Choice, language: str, text_version: str, screen: str) -> None:
        """The client answered the question on the kiosk screen `screen`."""
        if choice not in (Choice.GRANTED, Choice.DECLINED):
            raise RoomError("the kiosk answers 'granted' or 'declined'")
        if text_version != self.text_version:
            raise RoomError("the consent text changed; please show the question again")
        with self._lock:
            cid = self._on_screen(screen)
            if not self.question_open(cid):
                raise StaleScreen("the question has expired; the social worker will ask again")
            now = utcnow()
            with self.store.transaction() as conn:
                contact = contacts.get(conn, cid)
                if contact.state is not S.CONSENT_ASKED:
                    raise IllegalTransition(contact.state, S.GRANTED if choice is Choice.GRANTED else S.DECLINED)
                consent_mod.record_decision(conn, ConsentDecision(cid, choice, now, language, text_version, Channel.KIOSK))
                if choice is Choice.GRANTED:
                    contacts.move(conn, contact, S.GRANTED, now, path="ai")
                    if consent_mod.has_manual_flag(conn, self._dossier_key, contact.dossier_ref):
                        consent_mod.clear_manual_flag(conn, self._dossier_key, contact.dossier_ref)
                        enqueue_flag(conn, dossier_hmac=consent_mod.dossier_hmac(self._dossier_key, contact.dossier_ref),
                                     flag="cleared", set_at=now)
                else:
                    contact = contacts.move(conn, contact, S.DECLINED, now, path="manual")
                self.audit.append(f"consent.{choice.value}", contact_id=cid, actor="client", channel="kiosk",
                                  language=language, text_version=text_version)
            self._kiosk.language = language
            if choice is Choice.DECLINED:
                self._set_outcome("declined")
                self._open_manual_draft(cid)
        self.changes.notify()

    def kiosk_revoke(self, language: str, screen: str) -> dict[str, Any]:
        """The client touched 'Stop — ik trek mijn toestemming in' on screen `screen`."""
        with self._lock:
            cid = self._on_screen(screen)
            if self.consent_of(cid) is not Choice.GRANTED:
                raise RoomError("there is no consent to withdraw at this moment")
            return self.revoke(cid, Channel.KIOSK, "client", language)

    def set_kiosk_language(self, language: str) -> None:
        """The client switched language on the kiosk."""
        self._kiosk.language = language
        self.changes.notify()

    def kiosk_state(self) -> dict[str, Any]:
        """What the client's screen shows: the room's state, never anything about the client."""
        k = self._kiosk
        # Idle always speaks the room's default language: the next client never inherits the last one's.
        base: dict[str, Any] = {"state": "idle", "elapsed_seconds": 0.0,
                                "language": self.config.kiosk.default_language,
                                "text_version": self.text_version, "receipt": None, "consent_granted": False,
                                "screen": None}
        if k.contact_id is None:
            return base
        if k.outcome is not None:
            ttl = KIOSK_RECEIPT_SECONDS if k.outcome == "revoked" else KIOSK_OUTCOME_SECONDS
            if time.monotonic() - k.outcome_at > ttl:
                return base
            base["state"] = k.outcome
            base["language"] = k.language
            base["receipt"] = k.receipt
            if k.outcome == "finished":
                base["consent_granted"] = self.consent_of(k.contact_id) is Choice.GRANTED
                base["screen"] = k.token if base["consent_granted"] else None
            return base
        try:
            contact = self.get(k.contact_id)
        except contacts.ContactNotFound:
            return base
        if contact.state is S.CONSENT_ASKED:
            if not self.question_open(contact.id):
                return base  # expired: the neutral idle screen until the worker asks again
            base["state"] = "question"
        elif contact.state in (S.GRANTED, S.RECORDING, S.PAUSED):
            base["state"] = {S.GRANTED: "ready", S.RECORDING: "recording", S.PAUSED: "paused"}[contact.state]
            base["elapsed_seconds"] = round(self.elapsed(contact), 1)
            base["consent_granted"] = True
        else:
            return base
        base["language"] = k.language
        base["screen"] = k.token  # what the kiosk sends back with an answer or a revocation
        return base
