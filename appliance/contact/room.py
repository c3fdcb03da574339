"""The interview room: one active contact, its consent, its recording, and what the kiosk shows.

Every worker or client action arrives here and becomes a lifecycle step, stored together with
its audit entry in one transaction. Heavy work (transcription, drafting) runs in
`appliance.contact.pipeline` off the request path; the recorder is a device adapter we command.
The room is assembled from one part per concern: the contacts and consent questions
(`room_base`), recording control (`recording`), revocation (`revocation`) and the kiosk's view
and answers (`kiosk`).
"""

from __future__ import annotations

from appliance.contact.kiosk import KioskAnswers
from appliance.contact.lifecycle import ContactState, IllegalTransition
from appliance.contact.recording import RecordingControl
from appliance.contact.room_base import RoomError

S = ContactState


class Room(RecordingControl, KioskAnswers):
    """Everything that happens in one interview room, safe to call from any thread."""

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
