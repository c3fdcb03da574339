"""A named worker validates: the report is built, sealed for central, and put in the outbox.

The sealed report and its outbox row are written in one transaction, so a crash either loses
nothing or has both. After the central receiver's signed acknowledgement the contact's recorded
data is purged (or kept for the configured retention).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from appliance.box.clock import utcnow
from appliance.contact import contacts
from appliance.contact.content import load_draft, load_transcript, save_draft
from appliance.contact.lifecycle import ContactState, IllegalTransition
from appliance.contact.purge import purge_contact_data
from appliance.contact.room import Room
from appliance.contact.room_base import RoomError
from appliance.draft import Draft
from appliance.review.report import (
    Validator,
    build_report,
    canonical_json,
    content_hash,
    new_report_id,
    report_as_draft,
)
from appliance.sync import outbox
from appliance.sync.envelope import seal_report
from appliance.sync.outbox import stamp
from appliance.transcript import ModelStamp

log = logging.getLogger(__name__)
S = ContactState


@dataclass(frozen=True)
class DeviceKeys:
    """The keys a box needs to seal reports."""

    signing_key: Ed25519PrivateKey
    central_public: X25519PublicKey


class Validation:
    """Draft editing, validation, sealing, and what happens once central has the report."""

    def __init__(self, room: Room, keys: DeviceKeys, kick_relay: Callable[[], None]) -> None:
        self.room = room
        self.device_keys = keys
        self.kick_relay = kick_relay

    def drafts(self, contact_id: str) -> tuple[Draft | None, Draft]:
        """(original, working) for the review screen."""
        room = self.room
        with room.store.transaction() as conn:
            contact = contacts.get(conn, contact_id)
            found = load_draft(conn, room.keys.get(contact_id), contact_id) if room.keys.exists(contact_id) else None
        if found is None:
            raise IllegalTransition(contact.state, S.DRAFTED)
        return found

    def save_working(self, contact_id: str, working: Draft, actor: str) -> tuple[Draft | None, Draft]:
        """Keep the worker's edits; only while the contact is a draft."""
        room = self.room
        with room.store.transaction() as conn:
            contact = contacts.get(conn, contact_id)
            if contact.state is not S.DRAFTED:
                raise IllegalTransition(contact.state, S.DRAFTED)
            key = room.keys.get(contact_id)
            original, _ = load_draft(conn, key, contact_id) or (None, working)
            if working.template != (original.template if original else working.template):
                raise RoomError("the draft's template cannot change during review")
            save_draft(conn, key, contact_id, original=original, working=working, now=utcnow())
        room.changes.notify()
        return original, working

    def validate(self, contact_id: str, validator: Validator, worker_name: str) -> dict[str, Any]:
        """Build, seal and queue the report; the explicit confirmation must name the worker."""
        if worker_name.strip().casefold() != validator.display_name.strip().casefold():
            raise RoomError("to validate, type your own name exactly as it is on your account")
        room = self.room
        cfg = room.config
        now = utcnow()
        with room.store.transaction() as conn:
            contact = contacts.get(conn, contact_id)
            if contact.state is not S.DRAFTED:
                raise IllegalTransition(contact.state, S.VALIDATED)
            key = room.keys.get(contact_id)
            original, working = load_draft(conn, key, contact_id) or (None, None)
            if working is None:
                raise IllegalTransition(contact.state, S.VALIDATED)
            transcript = load_transcript(conn, key, contact_id)
        from appliance.drafting.templates import load_template

        template = load_template(contact.template_id, cfg.drafting.templates_dir)
        ai_used = contact.path == "ai" and original is not None
        models = [transcript.model] if ai_used and transcript and transcript.model else []
        report = build_report(
            report_id=new_report_id(), version=1, supersedes=None, org=cfg.device.org,
            device_id=cfg.device.device_id, dossier_ref=contact.dossier_ref, template_title=template.title("nl"),
            original=original if ai_used else None, final=working, ai_used=ai_used, models=models,
            validator=validator, validated_at=now, stopped_at=contact.stopped_at,
        )
        self._seal_and_queue(contact, report, validator)
        return report

    def correct(self, report_id: str, corrected: Draft, validator: Validator, worker_name: str) -> dict[str, Any]:
        """A validated report never changes; a correction is a new version that references the old one."""
        if worker_name.strip().casefold() != validator.display_name.strip().casefold():
            raise RoomError("to validate, type your own name exactly as it is on your account")
        previous = self.report(report_id)
        before = report_as_draft(previous)
        if corrected.template != before.template:
            raise RoomError("a correction keeps the template of the report it corrects")
        meta = previous["transparency"]
        models = [ModelStamp(name=m["name"], version=m["version"], sha256=m["sha256"]) for m in meta["models"]]
        with self.room.store.transaction() as conn:
            contact_id = conn.execute("SELECT contact_id FROM reports WHERE id = ? AND version = ?",
                                      (report_id, previous["version"])).fetchone()[0]
        report = build_report(
            report_id=report_id, version=previous["version"] + 1, supersedes=previous["version"],
            org=previous["org"], device_id=previous["device_id"], dossier_ref=previous["dossier_ref"],
            template_title=previous["template"]["title"], original=before, final=corrected,
            ai_used=bool(meta["ai_used"]), models=models, validator=validator, validated_at=utcnow(),
            stopped_at=None,
        )
        self._queue(contact_id, previous["dossier_ref"], report, validator, event="report.corrected")
        return report

    def _seal_and_queue(self, contact: contacts.Contact, report: dict[str, Any], validator: Validator) -> None:
        body, envelope = self._seal(report)
        now = utcnow()
        with self.room.store.transaction() as conn:
            current = contacts.move(conn, contacts.get(conn, contact.id), S.VALIDATED, now)
            self._write(conn, contact.id, contact.dossier_ref, report, body, envelope, validator,
                        event="report.validated")
            contacts.move(conn, current, S.SEALED, now)
        self.room.changes.notify()
        self.kick_relay()

    def _queue(self, contact_id: str, dossier_ref: str, report: dict[str, Any], validator: Validator,
               *, event: str) -> None:
        body, envelope = self._seal(report)
        with self.room.store.transaction() as conn:
            self._write(conn, contact_id, dossier_ref, report, body, envelope, validator, event=event)
        self.room.changes.notify()
        self.kick_relay()

    def _seal(self, report: dict[str, Any]) -> tuple[bytes, bytes]:
        """Render and seal outside any transaction: it takes a moment, and holds no lock."""
        from appliance.review.render import render_pdf

        body = canonical_json(report)
        envelope = seal_report(
            body, pdf=render_pdf(report), device_id=self.room.config.device.device_id,
            report_id=report["report_id"], version=report["version"],
            signing_key=self.device_keys.signing_key, central_public=self.device_keys.central_public,
        )
        return body, envelope

    def _write(self, conn: Any, contact_id: str, dossier_ref: str, report: dict[str, Any], body: bytes,
               envelope: bytes, validator: Validator, *, event: str) -> None:
        """The report row and its outbox row, in the caller's transaction."""
        now = utcnow()
        conn.execute(
            "INSERT INTO reports (id, version, contact_id, dossier_ref, report_json, content_hash,"
            " validated_by, validated_at, supersedes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (report["report_id"], report["version"], contact_id, dossier_ref, body,
             content_hash(report), validator.username, now.isoformat(), report["supersedes"]),
        )
        self.room.audit.append(event, contact_id=contact_id, actor=validator.username,
                               report_id=report["report_id"], version=report["version"],
                               ai_used=report["transparency"]["ai_used"])
        outbox.enqueue(conn, report_id=report["report_id"], version=report["version"], envelope=envelope, now=now)
        self.room.audit.append("sync.sealed", contact_id=contact_id, actor="appliance",
                               report_id=report["report_id"], version=report["version"])

    def report(self, report_id: str) -> dict[str, Any]:
        """The latest version of a validated report."""
        import json

        with self.room.store.transaction() as conn:
            row = conn.execute(
                "SELECT report_json FROM reports WHERE id = ? ORDER BY version DESC LIMIT 1", (report_id,)
            ).fetchone()
        if row is None:
            raise KeyError(report_id)
        return json.loads(bytes(row[0]))  # type: ignore[no-any-return]

    def report_id_of(self, contact_id: str) -> str | None:
        """The report made from a contact, if validated."""
        with self.room.store.transaction() as conn:
            row = conn.execute("SELECT id FROM reports WHERE contact_id = ? LIMIT 1", (contact_id,)).fetchone()
        return row[0] if row else None

    def on_delivered(self, report_id: str, version: int) -> None:
        """Central acknowledged: mark delivered and purge what is no longer needed."""
        room = self.room
        with room.store.transaction() as conn:
            row = conn.execute("SELECT contact_id FROM reports WHERE id = ? AND version = ?",
                               (report_id, version)).fetchone()
            if row is None:
                log.error("acknowledgement for unknown report %s v%s", report_id, version)
                return
            contact = contacts.get(conn, row[0])
            first_delivery = contact.state is S.SEALED
            if first_delivery:
                contacts.move(conn, contact, S.DELIVERED, utcnow())
            room.audit.append("sync.delivered", contact_id=contact.id, actor="central",
                              report_id=report_id, version=version)
        if first_delivery:  # audio, transcript and draft are no longer needed
            self.purge(contact.id, trigger="delivered")
        if room.config.sync.retention_days == 0:
            self.purge_expired()
        room.changes.notify()

    def purge(self, contact_id: str, *, trigger: str) -> None:
        """Crypto-shred and delete the contact's recorded data, then mark it purged."""
        room = self.room
        purge_contact_data(room.store, room.audit, room.keys, room.audio, contact_id, trigger=trigger, actor="appliance")
        with room.store.transaction() as conn:
            contact = contacts.get(conn, contact_id)
            if contact.state is S.DELIVERED:
                contacts.move(conn, contact, S.PURGED, utcnow())

    def purge_expired(self) -> int:
        """Retention sweep: delete delivered reports and their envelopes once central has held
        them for `sync.retention_days` (0: at once). The dossier keeps them; the box need not."""
        room = self.room
        cutoff = utcnow() - timedelta(days=room.config.sync.retention_days)
        with room.store.transaction() as conn:
            # A report goes when every version of it was acknowledged before the cutoff.
            due = conn.execute(
                "SELECT r.id, r.contact_id, max(o.acked_at) FROM reports r"
                " JOIN outbox o ON o.report_id = r.id AND o.version = r.version"
                " GROUP BY r.id, r.contact_id"
                " HAVING sum(o.status <> 'done') = 0 AND max(o.acked_at) <= ?",
                (stamp(cutoff),),
            ).fetchall()
            for report_id, contact_id, _acked in due:
                conn.execute("DELETE FROM outbox WHERE report_id = ?", (report_id,))
                conn.execute("DELETE FROM reports WHERE id = ?", (report_id,))
                room.audit.append("report.removed_after_retention", contact_id=contact_id, actor="appliance",
                                  report_id=report_id, retention_days=room.config.sync.retention_days)
        return len(due)
