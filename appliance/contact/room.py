"""The interview room: one active contact, its consent, its recording, and what the kiosk shows.

Every worker or client action arrives here and becomes a lifecycle step, stored together with
its audit entry in one transaction. Heavy work (transcription, drafting) runs in
`appliance.contact.pipeline` off the request path; the recorder is a device adapter we command.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from appliance.box.audit import AuditLog
from appliance.box.config import AppConfig
from appliance.box.events import Changes
from appliance.contact import consent as consent_mod
from appliance.contact import contacts
from appliance.contact.consent import Channel, Choice, ConsentDecision
from appliance.contact.contacts import Contact
from appliance.contact.content import save_draft
from appliance.contact.lifecycle import REVOCABLE, ContactState, IllegalTransition, can_record
from appliance.contact.purge import purge_contact_data
from appliance.store.audio import AudioChunks
from appliance.store.datakeys import DataKeys
from appliance.store.db import Store
from appliance.sync.flags import enqueue_flag

log = logging.getLogger(__name__)
S = ContactState

# How long the kiosk keeps showing an outcome before it returns to its neutral idle screen.
KIOSK_OUTCOME_SECONDS = 30.0
KIOSK_RECEIPT_SECONDS = 120.0
_REPORT_STATES = frozenset({S.VALIDATED, S.SEALED, S.DELIVERED})


def utcnow() -> datetime:
    """Timestamps are stored in UTC."""
    return datetime.now(UTC)


class RoomError(Exception):
    """A request the room cannot honour now; the message is for the person who asked."""


@dataclass
class _Kiosk:
    contact_id: str | None = None
    outcome: str | None = None  # 'finished' | 'declined' | 'revoked'
    outcome_at: float = 0.0
    language: str = "nl"
    receipt: dict[str, Any] | None = None


@dataclass
class _Recording:
    """What is open while the microphone may be open for a contact."""

    recorder: Any
    writer: Any
    streamer: Any | None
    started_monotonic: float
    seconds_before: float
    lock: threading.Lock = field(default_factory=threading.Lock)


class Room:
    """Everything that happens in one interview room, safe to call from any thread."""

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
        self._kiosk = _Kiosk(language=config.kiosk.default_language)
        self._recording: dict[str, _Recording] = {}
        self.on_stopped: Callable[[str, Any | None], None] = lambda cid, streamer: None
        self.on_revoked: Callable[[str], None] = lambda cid: None

    # ---- contacts -------------------------------------------------------------------------

    def open_contact(self, dossier_ref: str, template_id: str, actor: str) -> Contact:
        """Start a new conversation; consent is asked anew for every contact."""
        ref = dossier_ref.strip()
        if not ref or len(ref) > 64:
            raise RoomError("dossier reference must be 1 to 64 characters")
        with self._lock, self.store.transaction() as conn:
            contact = contacts.insert(conn, dossier_ref=ref, template_id=template_id, opened_by=actor, now=utcnow())
            self.keys.create(contact.id)
            self.audit.append("contact.opened", contact_id=contact.id, actor=actor, template=template_id)
        if not self._kiosk_busy():
            # The newest contact is the room's active one: the record button acts on it.
            self._kiosk = _Kiosk(contact_id=contact.id, language=self.config.kiosk.default_language)
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

    def show_question_again(self, contact_id: str) -> None:
        """Put an open question back on the kiosk (after a restart, or when the worker asks again)."""
        self._kiosk = _Kiosk(contact_id=contact_id, language=self.config.kiosk.default_language)
        self.changes.notify()

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

    # ---- consent --------------------------------------------------------------------------

    def ask_consent(self, contact_id: str, actor: str, *, client_asked_to_opt_in: bool = False) -> Contact:
        """Show the question on the kiosk, unless the dossier has a standing choice for the manual path."""
        with self._lock:
            with self.store.transaction() as conn:
                contact = contacts.get(conn, contact_id)
                flagged = consent_mod.has_manual_flag(conn, self._dossier_key, contact.dossier_ref)
            if flagged and not client_asked_to_opt_in:
                # The client said no for this dossier earlier: no question, same template by hand.
                return self.start_manual(contact_id, actor, trigger="standing_choice")
            with self.store.transaction() as conn:
                contact = contacts.get(conn, contact_id)
                if contact.state is not S.CONSENT_ASKED:  # asking again just shows the question again
                    contact = contacts.move(conn, contact, S.CONSENT_ASKED, utcnow())
                self.audit.append("consent.asked", contact_id=contact_id, actor=actor, text_version=self.text_version)
            self._kiosk = _Kiosk(contact_id=contact_id, language=self.config.kiosk.default_language)
        self.changes.notify()
        return contact

    def kiosk_decide(self, choice: Choice, language: str, text_version: str) -> None:
        """The client answered the question on the kiosk."""
        if choice not in (Choice.GRANTED, Choice.DECLINED):
            raise RoomError("the kiosk answers 'granted' or 'declined'")
        if text_version != self.text_version:
            raise RoomError("the consent text changed; please show the question again")
        with self._lock:
            cid = self._kiosk.contact_id
            if cid is None:
                raise IllegalTransition(S.OPENED, S.GRANTED)
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

    def start_manual(self, contact_id: str, actor: str, *, trigger: str = "worker") -> Contact:
        """The alternative path: the same template, filled by hand, then the same validation and sync."""
        with self._lock:
            with self.store.transaction() as conn:
                contact = contacts.get(conn, contact_id)
                if contact.state not in (S.OPENED, S.CONSENT_ASKED, S.DECLINED, S.REVOKED):
                    raise IllegalTransition(contact.state, S.DRAFTED)
                contacts.update(conn, contact_id, utcnow(), path="manual")
                self.audit.append("contact.manual_path", contact_id=contact_id, actor=actor, trigger=trigger)
            self._open_manual_draft(contact_id)
            if self._kiosk.contact_id == contact_id:
                self._kiosk = _Kiosk(language=self.config.kiosk.default_language)  # the question is withdrawn
        self.changes.notify()
        return self.get(contact_id)

    def _open_manual_draft(self, contact_id: str) -> None:
        from appliance.contact.pipeline import empty_draft_for

        with self.store.transaction() as conn:
            contact = contacts.get(conn, contact_id)
            if contact.state is S.DRAFTED:
                return
            draft = empty_draft_for(contact.template_id, self.config)
            if not self.keys.exists(contact_id):
                self.keys.create(contact_id)
            save_draft(conn, self.keys.get(contact_id), contact_id, original=None, working=draft, now=utcnow())
            contacts.move(conn, contact, S.DRAFTED, utcnow())

    # ---- recording ------------------------------------------------------------------------

    def start_recording(self, contact_id: str, actor: str) -> Contact:
        """Open the microphone for this contact: only with the client's yes for this very contact."""
        with self._lock:
            with self.store.transaction() as conn:
                contact = contacts.get(conn, contact_id)
                granted = consent_mod.latest_choice(conn, contact_id) is Choice.GRANTED
            if not granted or not can_record(contact.state):
                raise IllegalTransition(contact.state, S.RECORDING)
            rec = self._recording.get(contact_id)
            if rec is None:
                rec = self._begin_capture(contact)
            else:
                rec.recorder.resume()
                rec.started_monotonic = time.monotonic()
            with self.store.transaction() as conn:
                contact = contacts.move(conn, contacts.get(conn, contact_id), S.RECORDING, utcnow(),
                                        recording_started_at=utcnow())
                self.audit.append("recording.started", contact_id=contact_id, actor=actor)
            self._kiosk.contact_id = contact_id
            self._kiosk.outcome = None
        self.changes.notify()
        return contact

    def _begin_capture(self, contact: Contact) -> _Recording:
        ac = self.config.audio
        writer = self.audio.writer(contact.id, ac.sample_rate, ac.channels, chunk_seconds=ac.chunk_seconds)
        # After a restart mid-recording the live transcript is gone; stop then transcribes all stored audio.
        resumed_after_crash = self.audio.seconds(contact.id) > 0
        streamer = self._streamer_factory() if self._streamer_factory and not resumed_after_crash else None
        cid = contact.id

        def on_audio(pcm: bytes) -> None:
            rec = self._recording.get(cid)
            if rec is None:
                return
            with rec.lock:
                rec.writer.write(pcm)
                if rec.streamer is not None:
                    rec.streamer.feed(pcm)

        def on_end() -> None:
            # The WAV source ran out: behave like a worker pressing stop.
            threading.Thread(target=self._stop_quietly, args=(cid,), daemon=True).start()

        recorder = self._recorder_factory(on_audio, on_end)
        rec = _Recording(recorder, writer, streamer, time.monotonic(), contact.recorded_seconds)
        self._recording[cid] = rec
        try:
            recorder.start()
        except Exception:
            del self._recording[cid]
            writer.close()
            raise
        return rec

    def _stop_quietly(self, contact_id: str) -> None:
        try:
            self.stop_recording(contact_id, "recorder")
        except (IllegalTransition, RoomError, contacts.ContactNotFound):
            pass

    def pause_recording(self, contact_id: str, actor: str) -> Contact:
        """Close the microphone for a while; the LED goes off with it."""
        with self._lock:
            rec = self._recording.get(contact_id)
            contact = self.get(contact_id)
            if rec is None or contact.state is not S.RECORDING:
                raise IllegalTransition(contact.state, S.PAUSED)
            rec.recorder.pause()
            with rec.lock:
                rec.writer.flush()
            # What is stored counts, not the wall clock (a WAV source may play faster than real time).
            seconds = self.audio.seconds(contact_id)
            rec.seconds_before = seconds
            with self.store.transaction() as conn:
                contact = contacts.move(conn, contact, S.PAUSED, utcnow(), recorded_seconds=seconds)
                self.audit.append("recording.paused", contact_id=contact_id, actor=actor)
        self.changes.notify()
        return contact

    def resume_recording(self, contact_id: str, actor: str) -> Contact:
        """Open the microphone again after a pause."""
        return self.start_recording(contact_id, actor)

    def stop_recording(self, contact_id: str, actor: str) -> Contact:
        """Close the microphone for good; transcription finishes and drafting starts in the background."""
        with self._lock:
            contact = self.get(contact_id)
            if contact.state not in (S.RECORDING, S.PAUSED):
                raise IllegalTransition(contact.state, S.STOPPED)
            rec = self._recording.pop(contact_id, None)
            streamer = None
            if rec is not None:
                rec.recorder.stop()
                with rec.lock:
                    rec.writer.flush()
                    rec.writer.close()
                streamer = rec.streamer
            seconds = self.audio.seconds(contact_id)
            with self.store.transaction() as conn:
                contact = contacts.move(conn, contact, S.STOPPED, utcnow(), recorded_seconds=seconds, stopped_at=utcnow())
                self.audit.append("recording.stopped", contact_id=contact_id, actor=actor,
                                  seconds=round(seconds, 1))
            if self._kiosk.contact_id == contact_id:
                self._set_outcome("finished")
        self.changes.notify()
        self.on_stopped(contact_id, streamer)
        return contact

    def elapsed(self, contact: Contact) -> float:
        """Recorded seconds so far, live while recording."""
        rec = self._recording.get(contact.id)
        if rec is not None and contact.state is S.RECORDING:
            return rec.seconds_before + (time.monotonic() - rec.started_monotonic)
        return contact.recorded_seconds

    # ---- button ---------------------------------------------------------------------------

    def button(self, kind: str) -> None:
        """The record button: short press asks/starts/pauses/resumes, long press stops."""
        cid = self._kiosk.contact_id
        if cid is None:
            raise RoomError("no active contact: open one on the worker screen first")
        contact = self.get(cid)
        if kind == "long":
            self.stop_recording(cid, "button")
        elif contact.state is S.OPENED:
            self.ask_consent(cid, "button")
        elif contact.state is S.GRANTED or contact.state is S.PAUSED:
            self.start_recording(cid, "button")
        elif contact.state is S.RECORDING:
            self.pause_recording(cid, "button")
        else:
            raise IllegalTransition(contact.state, S.RECORDING)

    # ---- revocation -----------------------------------------------------------------------

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

    def kiosk_revoke(self, language: str) -> dict[str, Any]:
        """The client touched 'Stop — ik trek mijn toestemming in'."""
        cid = self._kiosk.contact_id
        if cid is None or self.consent_of(cid) is not Choice.GRANTED:
            raise RoomError("there is no consent to withdraw at this moment")
        return self.revoke(cid, Channel.KIOSK, "client", language)

    # ---- kiosk view -----------------------------------------------------------------------

    def _set_outcome(self, outcome: str) -> None:
        self._kiosk.outcome = outcome
        self._kiosk.outcome_at = time.monotonic()
        self._kiosk.receipt = None

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
                                "text_version": self.text_version, "receipt": None, "consent_granted": False}
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
            return base
        try:
            contact = self.get(k.contact_id)
        except contacts.ContactNotFound:
            return base
        if contact.state is not S.OPENED:
            base["language"] = k.language
        if contact.state is S.CONSENT_ASKED:
            base["state"] = "question"
        elif contact.state in (S.GRANTED, S.RECORDING, S.PAUSED):
            base["state"] = {S.GRANTED: "ready", S.RECORDING: "recording", S.PAUSED: "paused"}[contact.state]
            base["elapsed_seconds"] = round(self.elapsed(contact), 1)
            base["consent_granted"] = True
        return base

    def close(self) -> None:
        """Close any open microphone (service shutdown)."""
        with self._lock:
            for rec in self._recording.values():
                rec.recorder.stop()
                with rec.lock:
                    rec.writer.close()
            self._recording.clear()
