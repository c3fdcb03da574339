"""Contacts as stored: one row per conversation, its state changed only through the lifecycle."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from appliance.contact.lifecycle import ContactState, transition

Path_ = Literal["ai", "manual", "undecided"]


@dataclass(frozen=True)
class Contact:
    """One conversation in this room."""

    id: str
    dossier_ref: str
    template_id: str
    state: ContactState
    path: Path_
    opened_at: datetime
    opened_by: str
    recorded_seconds: float
    recording_started_at: datetime | None
    stopped_at: datetime | None


class ContactNotFound(LookupError):
    """No such contact on this box (or it was purged)."""


_COLUMNS = (
    "id, dossier_ref, template_id, state, path, opened_at, opened_by, recorded_seconds,"
    " recording_started_at, stopped_at"
)


def _from_row(row: Any) -> Contact:
    def ts(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return Contact(
        id=row[0],
        dossier_ref=row[1],
        template_id=row[2],
        state=ContactState(row[3]),
        path=row[4],
        opened_at=datetime.fromisoformat(row[5]),
        opened_by=row[6],
        recorded_seconds=float(row[7]),
        recording_started_at=ts(row[8]),
        stopped_at=ts(row[9]),
    )


def new_contact_id() -> str:
    """Random, so the id says nothing about the client or the dossier."""
    return "c_" + secrets.token_hex(8)


def insert(conn: Any, *, dossier_ref: str, template_id: str, opened_by: str, now: datetime) -> Contact:
    """Open a new contact; every contact starts without consent."""
    cid = new_contact_id()
    conn.execute(
        "INSERT INTO contacts (id, dossier_ref, template_id, state, path, opened_at, opened_by, updated_at)"
        " VALUES (?, ?, ?, ?, 'undecided', ?, ?, ?)",
        (cid, dossier_ref, template_id, ContactState.OPENED.value, now.isoformat(), opened_by, now.isoformat()),
    )
    return get(conn, cid)


def get(conn: Any, contact_id: str) -> Contact:
    """The contact, or ContactNotFound."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    if row is None:
        raise ContactNotFound(contact_id)
    return _from_row(row)


def list_open(conn: Any) -> list[Contact]:
    """Contacts not yet purged, newest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM contacts WHERE state != 'purged' ORDER BY opened_at DESC"
    ).fetchall()
    return [_from_row(r) for r in rows]


def move(conn: Any, contact: Contact, wanted: ContactState, now: datetime, **fields: Any) -> Contact:
    """Change state through the lifecycle (raises on an illegal step) and update extra columns."""
    transition(contact.state, wanted)
    update(conn, contact.id, now, state=wanted.value, **fields)
    return get(conn, contact.id)


_UPDATABLE = {"state", "path", "recorded_seconds", "recording_started_at", "stopped_at"}


def update(conn: Any, contact_id: str, now: datetime, **fields: Any) -> None:
    """Update columns without a state change (the state itself goes through `move`)."""
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    assignments = ", ".join(f"{name} = ?" for name in fields)
    values = [v.isoformat() if isinstance(v, datetime) else v for v in fields.values()]
    conn.execute(
        f"UPDATE contacts SET {assignments}, updated_at = ? WHERE id = ?",
        (*values, now.isoformat(), contact_id),
    )
