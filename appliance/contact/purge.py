"""Destroying a contact's recorded data: crypto-shredding plus deletion, audited.

Used on delivery (data no longer needed) and at once on revocation. Validated reports are the
legal record and are never touched here.
"""

from __future__ import annotations

from dataclasses import dataclass

from appliance.box.audit import AuditLog
from appliance.contact.content import delete_content
from appliance.store.audio import AudioChunks
from appliance.store.datakeys import DataKeys
from appliance.store.db import Store


@dataclass(frozen=True)
class PurgeResult:
    """What was destroyed (kinds only, for the receipt and the audit log)."""

    deleted: tuple[str, ...]


def purge_contact_data(
    store: Store, audit: AuditLog, keys: DataKeys, audio: AudioChunks, contact_id: str, *, trigger: str, actor: str | None
) -> PurgeResult:
    """Delete audio chunks, transcript and draft of one contact and destroy its data key."""
    had_audio = audio.seconds(contact_id) > 0
    with store.transaction() as conn:
        had_transcript = conn.execute("SELECT 1 FROM transcripts WHERE contact_id = ?", (contact_id,)).fetchone()
        had_draft = conn.execute("SELECT 1 FROM drafts WHERE contact_id = ?", (contact_id,)).fetchone()
        delete_content(conn, contact_id)
        if keys.exists(contact_id):
            keys.shred(contact_id)
        deleted = tuple(
            kind for kind, present in (("audio", had_audio), ("transcript", had_transcript), ("draft", had_draft))
            if present
        )
        audit.append("contact.purged", contact_id=contact_id, actor=actor, trigger=trigger, deleted=",".join(deleted))
    # Files after the key: a crash in between leaves only undecryptable chunks, which a restart removes.
    audio.delete(contact_id)
    # Push deleted pages out of the WAL so nothing of the contact lingers beside the database.
    store.checkpoint()
    return PurgeResult(deleted)
