"""Dossier rows and their data keys: created on a dossier's first report, destroyed on erasure."""

from __future__ import annotations

from dataclasses import dataclass

from central.dossiers.db import Connection
from central.dossiers.sealing import StorageKey, open_sealed, seal


class DossierErased(Exception):
    """The dossier's data key was destroyed: what was sealed under it is gone for good."""


@dataclass(frozen=True)
class DossierKey:
    """An open dossier: its row id, key generation and data key (kept in memory only)."""

    dossier_id: int
    generation: int
    data_key: bytes


def ensure_dossier(conn: Connection, key: StorageKey, org: str, dossier_ref: str) -> DossierKey:
    """The dossier's open key, creating the dossier (or a new key after erasure) if needed.

    Runs in the caller's transaction; two receivers creating the same dossier at once end
    with one row and one key, because the loser waits on the unique (org, hmac) and reads it."""
    hmac = key.dossier_hmac(org, dossier_ref)
    data_key, sealed = key.new_data_key(org, hmac, 1)
    row = conn.execute(
        "INSERT INTO dossiers (org, dossier_hmac, key_generation, sealed_key, sealed_ref)"
        " VALUES (%s, %s, 1, %s, %s) ON CONFLICT (org, dossier_hmac) DO NOTHING RETURNING id",
        (org, hmac, sealed, seal(data_key, dossier_ref.encode(), _ref_label(org, hmac, 1))),
    ).fetchone()
    if row is not None:
        return DossierKey(int(str(row[0])), 1, data_key)
    found = conn.execute(
        "SELECT id, key_generation, sealed_key FROM dossiers"
        " WHERE org = %s AND dossier_hmac = %s FOR UPDATE",
        (org, hmac),
    ).fetchone()
    assert found is not None  # the insert above conflicted with this very row
    dossier_id, generation = int(str(found[0])), int(str(found[1]))
    if isinstance(found[2], bytes):
        return DossierKey(dossier_id, generation, key.open_data_key(found[2], org, hmac, generation))
    # Erased: a later report starts a new generation; the erased one stays unreadable.
    generation += 1
    data_key, sealed = key.new_data_key(org, hmac, generation)
    conn.execute(
        "UPDATE dossiers SET key_generation = %s, sealed_key = %s, sealed_ref = %s,"
        " erased_at = NULL WHERE id = %s",
        (generation, sealed, seal(data_key, dossier_ref.encode(), _ref_label(org, hmac, generation)),
         dossier_id),
    )
    return DossierKey(dossier_id, generation, data_key)


def open_dossier(conn: Connection, key: StorageKey, dossier_id: int) -> tuple[DossierKey, str]:
    """An existing dossier's key and its reference; DossierErased once its key is destroyed."""
    row = conn.execute(
        "SELECT org, dossier_hmac, key_generation, sealed_key, sealed_ref FROM dossiers"
        " WHERE id = %s",
        (dossier_id,),
    ).fetchone()
    if row is None or not isinstance(row[3], bytes) or not isinstance(row[4], bytes):
        raise DossierErased(f"dossier {dossier_id} has no key")
    org, hmac, generation = str(row[0]), str(row[1]), int(str(row[2]))
    data_key = key.open_data_key(row[3], org, hmac, generation)
    ref = open_sealed(data_key, row[4], _ref_label(org, hmac, generation)).decode()
    return DossierKey(dossier_id, generation, data_key), ref


def find_dossier(conn: Connection, key: StorageKey, org: str, dossier_ref: str) -> int | None:
    """The row id of a dossier by its reference (through the HMAC), or None."""
    row = conn.execute(
        "SELECT id FROM dossiers WHERE org = %s AND dossier_hmac = %s",
        (org, key.dossier_hmac(org, dossier_ref)),
    ).fetchone()
    return None if row is None else int(str(row[0]))


def erase_dossier(conn: Connection, key: StorageKey, org: str, dossier_ref: str, *, actor: str) -> int:
    """Destroy the dossier's data key and its fact index, audited; returns how many reports
    became unreadable. Raises DossierErased if there is no live key to destroy."""
    with conn.transaction():
        row = conn.execute(
            "UPDATE dossiers SET sealed_key = NULL, sealed_ref = NULL, erased_at = now()"
            " WHERE org = %s AND dossier_hmac = %s AND sealed_key IS NOT NULL"
            " RETURNING id, key_generation",
            (org, key.dossier_hmac(org, dossier_ref)),
        ).fetchone()
        if row is None:
            raise DossierErased("no such dossier, or it was erased already")
        dossier_id, generation = int(str(row[0])), int(str(row[1]))
        conn.execute("DELETE FROM facts WHERE dossier_id = %s", (dossier_id,))
        count = conn.execute(
            "SELECT count(*) FROM reports WHERE dossier_id = %s AND key_generation = %s",
            (dossier_id, generation),
        ).fetchone()
        reports = int(str(count[0])) if count else 0
        conn.execute(
            "INSERT INTO audit (org, actor, action, dossier_id, detail)"
            " VALUES (%s, %s, 'dossier_erased', %s, %s)",
            (org, actor, dossier_id,
             f"data key generation {generation} destroyed; {reports} reports unreadable"),
        )
    return reports


def _ref_label(org: str, hmac: str, generation: int) -> str:
    return f"dossier-ref|{org}|{hmac}|{generation}"
