"""After the worker presses stop: finish the transcript, draft the report, store both.

One worker thread runs the model work in order, so two rooms' worth of Whisper never fight over
two cores and the event loop never blocks. A revoked contact's job is cancelled; whatever it was
about to store fails anyway, because the contact's data key is gone.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from appliance.box.clock import utcnow
from appliance.contact import contacts
from appliance.contact.content import load_transcript, save_draft, save_transcript
from appliance.contact.lifecycle import ContactState
from appliance.contact.room import Room
from appliance.store.errors import NoAudio
from appliance.transcript import Transcript

log = logging.getLogger(__name__)
S = ContactState


class Pipeline:
    """Runs transcription finishing and drafting for stopped contacts, one at a time."""

    def __init__(self, room: Room, transcriber: Any | None) -> None:
        self.room = room
        self.transcriber = transcriber
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline")
        self._cancelled: set[str] = set()
        self._jobs: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        room.on_stopped = self._on_stopped
        room.on_revoked = self.cancel

    def _on_stopped(self, contact_id: str, streamer: Any | None) -> None:
        self.submit(contact_id, streamer)

    def submit(self, contact_id: str, streamer: Any | None) -> Future[None]:
        """Queue the work for a stopped contact."""
        fut = self._pool.submit(self._run, contact_id, streamer)
        with self._lock:
            self._jobs[contact_id] = fut
        return fut

    def submit_draft(self, contact_id: str) -> Future[None]:
        """Recovery: the transcript is stored, only drafting is missing."""
        fut = self._pool.submit(self._draft_guarded, contact_id)
        with self._lock:
            self._jobs[contact_id] = fut
        return fut

    def _draft_guarded(self, contact_id: str) -> None:
        try:
            self._draft(contact_id)
        except Exception:
            if self._live(contact_id):
                log.exception("drafting failed for contact %s", contact_id)
        finally:
            with self._lock:
                self._jobs.pop(contact_id, None)
            self.room.changes.notify()

    def cancel(self, contact_id: str) -> None:
        """Revocation: drop the job; a running model call finishes but its result is discarded."""
        with self._lock:
            self._cancelled.add(contact_id)
            fut = self._jobs.pop(contact_id, None)
        if fut is not None:
            fut.cancel()

    def wait(self, contact_id: str, timeout: float) -> None:
        """For tests and the CLI: block until the contact's job is done."""
        with self._lock:
            fut = self._jobs.get(contact_id)
        if fut is not None:
            fut.result(timeout=timeout)

    def _live(self, contact_id: str) -> bool:
        with self._lock:
            return contact_id not in self._cancelled

    def _run(self, contact_id: str, streamer: Any | None) -> None:
        room = self.room
        try:
            transcript = self._transcript(contact_id, streamer)
            if not self._live(contact_id):
                return
            key = room.keys.get(contact_id)
            with room.store.transaction() as conn:
                contact = contacts.get(conn, contact_id)
                save_transcript(conn, key, contact_id, transcript, utcnow())
                contacts.move(conn, contact, S.TRANSCRIBED, utcnow())
                stamp = transcript.model
                room.audit.append("model.transcription", contact_id=contact_id, actor="appliance",
                                  model=stamp.name if stamp else "none", version=stamp.version if stamp else "",
                                  segments=len(transcript.segments))
            room.changes.notify()
            self._draft(contact_id)
        except Exception:
            if self._live(contact_id):
                log.exception("pipeline failed for contact %s", contact_id)
        finally:
            with self._lock:
                self._jobs.pop(contact_id, None)
            room.changes.notify()

    def _transcript(self, contact_id: str, streamer: Any | None) -> Transcript:
        if streamer is not None:
            return streamer.finish(timeout=600.0)  # type: ignore[no-any-return]
        return self.transcribe_stored(contact_id)

    def transcribe_stored(self, contact_id: str) -> Transcript:
        """Recovery path: transcribe the contact's encrypted audio chunks directly."""
        try:
            clip = self.room.audio.read(contact_id)
        except NoAudio:
            # A kill -9 before the first chunk was sealed leaves a paused contact with no audio;
            # an empty transcript gives the worker the template to fill instead of a stuck contact.
            log.warning("contact %s: no audio stored; drafting from an empty transcript", contact_id)
            return Transcript(segments=(), language=self.room.config.transcription.language)
        if clip.damaged:
            log.warning("contact %s: %d damaged audio chunk(s) skipped", contact_id, len(clip.damaged))
        pcm = np.frombuffer(clip.pcm, dtype="<i2").astype(np.float32) / 32768.0
        if clip.channels == 2:
            pcm = pcm.reshape(-1, 2).mean(axis=1)
        if self.transcriber is None:
            return Transcript(segments=(), language=self.room.config.transcription.language)
        segments = self.transcriber.transcribe(pcm)
        return Transcript(segments=tuple(segments), language=self.room.config.transcription.language,
                          model=self.transcriber.stamp(), audio_seconds=len(pcm) / clip.sample_rate)

    def _draft(self, contact_id: str) -> None:
        from appliance.drafting.engine import draft_report
        from appliance.drafting.templates import load_template

        room = self.room
        key = room.keys.get(contact_id)
        with room.store.transaction() as conn:
            contact = contacts.get(conn, contact_id)
            transcript = load_transcript(conn, key, contact_id)
        if transcript is None:
            raise RuntimeError("no transcript to draft from")
        template = load_template(contact.template_id, room.config.drafting.templates_dir)
        draft = draft_report(template, transcript)
        if not self._live(contact_id):
            return
        with room.store.transaction() as conn:
            contact = contacts.get(conn, contact_id)
            save_draft(conn, key, contact_id, original=draft, working=draft, now=utcnow())
            contacts.move(conn, contact, S.DRAFTED, utcnow())
            room.audit.append("model.drafting", contact_id=contact_id, actor="appliance",
                              engine=draft.engine or "spreekkamer-draft", template=template.id,
                              template_version=str(template.version))

    def close(self, timeout: float = 10.0) -> None:
        """Stop taking work; wait briefly for a running job, so that it does not find the store
        closed under it (a job cut off by a stop is redone at the next start: recovery)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            running = [f for f in self._jobs.values() if not f.done()]
        for fut in running:
            try:
                fut.result(timeout=timeout)
            except Exception:  # noqa: BLE001 - its own failure is logged by the job; we only wait
                log.warning("a pipeline job was still running at shutdown")
