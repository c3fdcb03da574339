"""What a restart does with contacts that were in flight (after a power cut or `kill -9`).

Documented states after recovery:
- consent_asked → the question is not shown again: the kiosk is idle until the worker asks
  again (the next client must never answer the previous one's question); the worker may also
  withdraw it and write the report by hand.
- granted or paused (consent stands) → the kiosk points at that contact again, with a new
  screen token, so its client keeps the one-touch revoke control.
- recording → paused: the microphone is closed; every sealed audio chunk is kept (at most the
  open, unsealed chunk of ≤ 2 s is lost). The worker resumes or stops as usual; at stop the whole
  stored recording is transcribed.
- stopped → transcription and drafting run again from the stored audio.
- transcribed → drafting runs again from the stored transcript.
- delivered (not yet purged) → purged; reports delivered longer ago than the retention go.
- audio folders whose contact has no data key any more (a crash mid-purge) → deleted.
Validated, sealed reports wait in the outbox; the relay sends them when it connects.
"""

from __future__ import annotations

import logging

from appliance.box.clock import utcnow
from appliance.contact import contacts
from appliance.contact.lifecycle import ContactState
from appliance.contact.pipeline import Pipeline
from appliance.contact.room import Room
from appliance.review.validation import Validation

log = logging.getLogger(__name__)
S = ContactState


def recover(room: Room, pipeline: Pipeline, validation: Validation) -> dict[str, int]:
    """Bring every contact into a clear state; returns counts per action for the log."""
    counts = {"consent_standing": 0, "question_withdrawn": 0, "paused": 0, "retranscribe": 0, "redraft": 0, "purged": 0, "orphans": 0}
    with room.store.transaction() as conn:
        open_contacts = contacts.list_open(conn)
        for c in open_contacts:
            if c.state is S.RECORDING:
                contacts.move(conn, c, S.PAUSED, utcnow())
                room.audit.append("recording.recovered", contact_id=c.id, actor="appliance", state="paused")
                counts["paused"] += 1
    holding = [c for c in open_contacts if c.state in (S.GRANTED, S.RECORDING, S.PAUSED)]  # newest first
    if holding:
        room.show_contact(holding[0].id)
        counts["consent_standing"] = 1
    counts["question_withdrawn"] = sum(c.state is S.CONSENT_ASKED for c in open_contacts)
    for c in open_contacts:
        if c.state is S.STOPPED:
            pipeline.submit(c.id, None)
            counts["retranscribe"] += 1
        elif c.state is S.TRANSCRIBED:
            pipeline.submit_draft(c.id)
            counts["redraft"] += 1
        elif c.state is S.DELIVERED:
            validation.purge(c.id, trigger="delivered")
            counts["purged"] += 1
    for cid in room.audio.contacts_on_disk():
        if not room.keys.exists(cid):
            room.audio.delete(cid)
            counts["orphans"] += 1
    if any(counts.values()):
        log.warning("recovered after an unclean stop: %s", counts)
    return counts
