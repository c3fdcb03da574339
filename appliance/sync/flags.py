"""The standing-choice flags: a local outbox towards central and last-writer-wins application.

Tables `flag_outbox` and `flag_clock` (0004_flag_outbox.sql) next to the core's `dossier_flags`.
Like the report outbox, nothing here commits: the caller owns the transaction, so the core's own
`dossier_flags` change and the row that tells the other rooms are written together or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import get_args

from appliance.sync.flag_message import FlagValue, is_dossier_hmac, parse_time, supersedes
from appliance.sync.outbox import Connection, OutboxError, stamp


class FlagError(Exception):
    """A flag that cannot be queued or applied (unknown value, bad HMAC, naive time)."""


@dataclass(frozen=True)
class FlagRow:
    """One queued flag change waiting for central's ack."""

    id: int
    dossier_hmac: str
    flag: FlagValue
    set_at: str
    attempts: int


def enqueue_flag(
    conn: Connection, *, dossier_hmac: str, flag: FlagValue, set_at: dt.datetime
) -> None:
    """Queue a flag change for central, due at once (call inside the core's transaction).

    Also advances the local clock, so a stale flag from central cannot undo this change.
    """
    when = _checked(dossier_hmac, flag, set_at)
    conn.execute(
        "INSERT INTO flag_outbox (dossier_hmac, flag, set_at, status, attempts, next_attempt_at)"
        " VALUES (?, ?, ?, 'pending', 0, ?)",
        (dossier_hmac, flag, when, stamp(dt.datetime.now(dt.UTC))),
    )
    if supersedes((set_at, flag), _known(conn, dossier_hmac)):
        _set_clock(conn, dossier_hmac, flag, when)


def apply_flag(
    conn: Connection, *, dossier_hmac: str, flag: FlagValue, set_at: dt.datetime
) -> bool:
    """Apply a flag from central to `dossier_flags` if it is newer than what this box knows.

    'manual_path' inserts or replaces the row, 'cleared' deletes it. Returns whether anything
    changed; an older or repeated flag changes nothing.
    """
    when = _checked(dossier_hmac, flag, set_at)
    if not supersedes((set_at, flag), _known(conn, dossier_hmac)):
        return False
    if flag == "manual_path":
        conn.execute(
            "INSERT OR REPLACE INTO dossier_flags (dossier_hmac, flag, set_at)"
            " VALUES (?, 'manual_path', ?)",
            (dossier_hmac, when),
        )
    else:
        conn.execute("DELETE FROM dossier_flags WHERE dossier_hmac = ?", (dossier_hmac,))
    _set_clock(conn, dossier_hmac, flag, when)
    return True


def pending_flags(conn: Connection, now: dt.datetime | None = None) -> list[FlagRow]:
    """Flag rows still waiting for central's ack, oldest first; with `now`, only those due."""
    sql = (
        "SELECT id, dossier_hmac, flag, set_at, attempts FROM flag_outbox WHERE status = 'pending'"
    )
    args: tuple[str, ...] = ()
    if now is not None:
        sql += " AND next_attempt_at <= ?"
        args = (stamp(now),)
    rows = conn.execute(sql + " ORDER BY id", args).fetchall()
    return [FlagRow(int(r[0]), r[1], r[2], r[3], int(r[4])) for r in rows]


def mark_flag_attempt(conn: Connection, row_id: int, *, next_attempt_at: dt.datetime) -> None:
    """Count one publish of a flag row and set when to try again if no ack arrives."""
    conn.execute(
        "UPDATE flag_outbox SET attempts = attempts + 1, next_attempt_at = ?"
        " WHERE id = ? AND status = 'pending'",
        (stamp(next_attempt_at), row_id),
    )


def mark_flag_done(
    conn: Connection, row_id: int, *, dossier_hmac: str, flag: str, set_at: str
) -> bool:
    """Mark a row acked by central if the ack names exactly this row; False otherwise."""
    cur = conn.execute(
        "UPDATE flag_outbox SET status = 'done' WHERE id = ? AND status = 'pending'"
        " AND dossier_hmac = ? AND flag = ? AND set_at = ?",
        (row_id, dossier_hmac, flag, set_at),
    )
    return bool(cur.rowcount == 1)


def pending_flag_count(conn: Connection) -> int:
    """How many flag rows still wait for central's ack."""
    return int(
        conn.execute("SELECT COUNT(*) FROM flag_outbox WHERE status = 'pending'").fetchone()[0]
    )


def _checked(dossier_hmac: str, flag: str, set_at: dt.datetime) -> str:
    if flag not in get_args(FlagValue):
        raise FlagError(f"unknown flag {flag!r}; expected 'manual_path' or 'cleared'")
    if not isinstance(dossier_hmac, str) or not is_dossier_hmac(dossier_hmac):
        raise FlagError("dossier_hmac must be 64 lower-case hex digits (an HMAC, not a reference)")
    try:
        return stamp(set_at)
    except OutboxError as exc:
        raise FlagError("flag times must be timezone-aware") from exc


def _known(conn: Connection, dossier_hmac: str) -> tuple[dt.datetime, str] | None:
    """The newest event this box knows for the dossier: its clock or its current flag row."""
    found: list[tuple[dt.datetime, str]] = []
    for table in ("flag_clock", "dossier_flags"):
        row = conn.execute(
            f"SELECT set_at, flag FROM {table} WHERE dossier_hmac = ?", (dossier_hmac,)
        ).fetchone()
        if row is not None:
            found.append((parse_time(row[0]), str(row[1])))
    return max(found, key=lambda e: (e[0], e[1] == "manual_path")) if found else None


def _set_clock(conn: Connection, dossier_hmac: str, flag: str, when: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO flag_clock (dossier_hmac, flag, set_at) VALUES (?, ?, ?)",
        (dossier_hmac, flag, when),
    )
