"""Per-contact data keys: destroying a contact's key crypto-shreds its audio, transcript and draft."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from appliance.store.db import Store
from appliance.store.errors import KeyExists, KeyShredded
from appliance.store.sealing import KEY_BYTES


class DataKeys:
    """The `data_keys` table: one random 256-bit key per contact."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def create(self, contact_id: str) -> bytes:
        """Make and store a fresh key for a contact; refuses to replace an existing one."""
        key = os.urandom(KEY_BYTES)
        with self._store.transaction() as conn:
            if conn.execute("SELECT 1 FROM data_keys WHERE contact_id = ?", (contact_id,)).fetchone():
                raise KeyExists(f"contact {contact_id}: a data key already exists")
            conn.execute(
                "INSERT INTO data_keys (contact_id, key, created_at) VALUES (?, ?, ?)",
                (contact_id, key, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        return key

    def get(self, contact_id: str) -> bytes:
        """The contact's key; `KeyShredded` when it was destroyed (or never made)."""
        rows = self._store.query("SELECT key FROM data_keys WHERE contact_id = ?", (contact_id,))
        if not rows:
            raise KeyShredded(f"contact {contact_id}: no data key (shredded or never created)")
        return bytes(rows[0]["key"])

    def get_or_create(self, contact_id: str) -> bytes:
        """The contact's key, making one first if it has none yet."""
        with self._store.transaction():
            if self.exists(contact_id):
                return self.get(contact_id)
            return self.create(contact_id)

    def exists(self, contact_id: str) -> bool:
        """Whether the contact still has a key."""
        return bool(self._store.query("SELECT 1 FROM data_keys WHERE contact_id = ?", (contact_id,)))

    def shred(self, contact_id: str) -> None:
        """Destroy the key (secure_delete overwrites the row's page).

        The caller should `store.checkpoint()` afterwards so the old page leaves the WAL too.
        Shredding a contact without a key is not an error (revocation may repeat).
        """
        self._store.execute("DELETE FROM data_keys WHERE contact_id = ?", (contact_id,))
