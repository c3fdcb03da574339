"""Recording control: the microphone opens only with this contact's yes, pauses, resumes and
closes for good at stop, when transcription finishes and drafting starts in the background."""

from __future__ import annotations

import threading
import time

from appliance.box.clock import utcnow
from appliance.contact import consent as consent_mod
from appliance.contact import contacts
from appliance.contact.consent import Choice
from appliance.contact.contacts import Contact
from appliance.contact.lifecycle import ContactState, IllegalTransition, can_record
from appliance.contact.room_base import RoomBase, RoomError
from appliance.contact.room_state import KioskScreen, Recording

S = ContactState


class RecordingControl(RoomBase):
    """Opening and closing the microphone for the room's contact."""

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
            if self._kiosk.contact_id != contact_id:  # a new screen: a token only this client saw
                self._kiosk = KioskScreen(contact_id=contact_id, language=self._kiosk.language)
            self._kiosk.outcome = None
        self.changes.notify()
        return contact

    def _begin_capture(self, contact: Contact) -> Recording:
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
        rec = Recording(recorder, writer, streamer, time.monotonic(), contact.recorded_seconds)
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

    def close(self) -> None:
        """Close any open microphone (service shutdown)."""
        with self._lock:
            for rec in self._recording.values():
                rec.recorder.stop()
                with rec.lock:
                    rec.writer.close()
            self._recording.clear()
