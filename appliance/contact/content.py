"""Transcripts and drafts at rest, sealed under the contact's own data key.

SQLCipher already encrypts the whole database; the extra per-contact layer is what makes
revocation final: once the data key is gone, no leftover page or backup can be read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from appliance.draft import Draft
from appliance.store.sealing import seal, unseal
from appliance.transcript import Transcript


def _aad(kind: str, contact_id: str) -> bytes:
    return f"spreekkamer/{kind}/{contact_id}".encode()


def save_transcript(conn: Any, key: bytes, contact_id: str, transcript: Transcript, now: datetime) -> None:
    """Store (or replace) the contact's transcript."""
    blob = seal(key, transcript.model_dump_json().encode(), _aad("transcript", contact_id))
    model = transcript.model.name if transcript.model else None
    conn.execute(
        "INSERT OR REPLACE INTO transcripts (contact_id, sealed_json, model_name, created_at) VALUES (?, ?, ?, ?)",
        (contact_id, blob, model, now.isoformat()),
    )


def load_transcript(conn: Any, key: bytes, contact_id: str) -> Transcript | None:
    """The contact's transcript, or None when there is none (manual path, or purged)."""
    row = conn.execute("SELECT sealed_json FROM transcripts WHERE contact_id = ?", (contact_id,)).fetchone()
    if row is None:
        return None
    return Transcript.model_validate_json(unseal(key, bytes(row[0]), _aad("transcript", contact_id)))


def save_draft(conn: Any, key: bytes, contact_id: str, *, original: Draft | None, working: Draft, now: datetime) -> None:
    """Store the engine's original draft (once) and the worker's working copy."""
    sealed_work = seal(key, working.model_dump_json().encode(), _aad("draft-working", contact_id))
    exists = conn.execute("SELECT 1 FROM drafts WHERE contact_id = ?", (contact_id,)).fetchone()
    if exists:
        conn.execute(
            "UPDATE drafts SET sealed_edit = ?, updated_at = ? WHERE contact_id = ?",
            (sealed_work, now.isoformat(), contact_id),
        )
        return
    sealed_orig = (
        seal(key, original.model_dump_json().encode(), _aad("draft-original", contact_id)) if original else b""
    )
    conn.execute(
        "INSERT INTO drafts (contact_id, sealed_json, sealed_edit, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        (contact_id, sealed_orig, sealed_work, now.isoformat(), now.isoformat()),
    )


def load_draft(conn: Any, key: bytes, contact_id: str) -> tuple[Draft | None, Draft] | None:
    """(original, working) or None when no draft exists."""
    row = conn.execute(
        "SELECT sealed_json, sealed_edit FROM drafts WHERE contact_id = ?", (contact_id,)
    ).fetchone()
    if row is None:
        return None
    orig_blob, work_blob = bytes(row[0]), bytes(row[1])
    original = (
        Draft.model_validate_json(unseal(key, orig_blob, _aad("draft-original", contact_id))) if orig_blob else None
    )
    working = Draft.model_validate_json(unseal(key, work_blob, _aad("draft-working", contact_id)))
    return original, working


def delete_content(conn: Any, contact_id: str) -> None:
    """Delete transcript and draft rows (the data key is shredded separately)."""
    conn.execute("DELETE FROM transcripts WHERE contact_id = ?", (contact_id,))
    conn.execute("DELETE FROM drafts WHERE contact_id = ?", (contact_id,))
