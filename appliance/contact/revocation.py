"""Revocation: stop, cancel, destroy the contact's recorded data, keep validated reports, and
tell the client what happened — at once, from the kiosk or registered by the worker."""

from __future__ import annotations

from typing import Any

from appliance.box.clock import utcnow
from appliance.contact import consent as consent_mod
from appliance.contact import contacts
from appliance.contact.consent import Channel, Choice, ConsentDecision
from appliance.contact.lifecycle import REVOCABLE, ContactState
from appliance.contact.purge import purge_contact_data
from appliance.contact.room_base import RoomBase, RoomError
from appliance.sync.flags import enqueue_flag

S = ContactState
_REPORT_STATES = frozenset({S.VALIDATED, S.SEALED, S.DELIVERED})


class Revocation(RoomBase):
    """Withdrawing consent for a contact."""

    def revoke(self, contact_id: str, channel: Channel, actor: str, language: str | None = None) -> dict[str, Any]:
        """Withdraw consent: stop, cancel, destroy the recorded data, keep validated reports, say so."""
        lang = language or self._kiosk.language
        stopped: list[str] = []
        with self._lock:
            contact = self.get(contact_id)
            if contact.path == "manual" and contact.state is not S.CONSENT_ASKED:
                raise RoomError("this contact was never recorded; nothing to revoke")
            rec = self._recording.pop(contact_id, None)
            if rec is not None:
                rec.recorder.stop()  # first: the microphone closes before anything else happens
                stopped.append("recording")
                with rec.lock:
                    rec.writer.close()
                if rec.streamer is not None:
                    # A Whisper window in progress cannot be interrupted; its result is dropped
                    # when it returns, so the client's receipt does not wait for it.
                    rec.streamer.cancel(timeout=0.5)
                    stopped.append("transcription")
            if contact.state in (S.STOPPED, S.TRANSCRIBED):
                stopped += ["transcription", "drafting"]
            self.on_revoked(contact_id)
            now = utcnow()
            with self.store.transaction() as conn:
                contact = contacts.get(conn, contact_id)
                consent_mod.record_decision(
                    conn, ConsentDecision(contact_id, Choice.REVOKED, now, lang, self.text_version, channel))
                digest = consent_mod.set_manual_flag(conn, self._dossier_key, contact.dossier_ref, now)
                # The standing choice travels to every room via central, as the HMAC only.
                enqueue_flag(conn, dossier_hmac=digest, flag="manual_path", set_at=now)
                # A validated report is the legal record: it goes on to the dossier; only the rest goes.
                if contact.state in REVOCABLE and contact.state not in _REPORT_STATES:
                    contacts.move(conn, contact, S.REVOKED, now, path="manual")
                self.audit.append("consent.revoked", contact_id=contact_id, actor=actor, channel=channel.value,
                                  language=lang)
            result = purge_contact_data(self.store, self.audit, self.keys, self.audio, contact_id,
                                        trigger="revoked", actor=actor)
            receipt = {
                "at": now.isoformat(),
                "language": lang,
                "stopped": sorted(set(stopped)),
                "deleted": list(result.deleted),
                "kept": ["consent_record"] + (["validated_reports"] if self._has_reports(contact_id) else []),
                "contact_info": self.config.kiosk.contact_info,
            }
            if self._kiosk.contact_id == contact_id:
                self._set_outcome("revoked")
                self._kiosk.receipt = receipt
        self.changes.notify()
        return receipt

    def _has_reports(self, contact_id: str) -> bool:
        with self.store.transaction() as conn:
            return conn.execute("SELECT 1 FROM reports WHERE contact_id = ?", (contact_id,)).fetchone() is not None
