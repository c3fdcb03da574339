"""The outbox: sealed reports waiting for central's signed ack (table `outbox`, 0001_core.sql).

Every function takes a DB-API connection and never commits: the caller owns the transaction,
so a report and its outbox row are written together or not at all.
Times are stored as UTC ISO-8601 with microseconds, so text order is time order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, Protocol


class Connection(Protocol):
    """The part of a DB-API connection (sqlite3 / sqlcipher3) the outbox uses."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...


class OutboxError(Exception):
    """An outbox operation that cannot be done (duplicate row, unknown row, naive time)."""


@dataclass(frozen=True)
class OutboxRow:
    """One sealed report waiting for (or done with) delivery."""

    report_id: str
    version: int
    envelope: bytes
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    created_at: dt.datetime
    acked_at: dt.datetime | None

    @property
    def envelope_hash(self) -> str:
        """SHA-256 (hex) of the envelope, which central's ack must echo."""
        return hashlib.sha256(self.envelope).hexdigest()


def stamp(when: dt.datetime) -> str:
    """Canonical text form of an aware datetime (UTC, microseconds)."""
    if when.tzinfo is None:
        raise OutboxError("outbox times must be timezone-aware")
    return when.astimezone(dt.UTC).isoformat(timespec="microseconds")


def enqueue(
    conn: Connection, *, report_id: str, version: int, envelope: bytes, now: dt.datetime
) -> None:
    """Add a sealed report, due at once. A second row for the same report id+version is refused."""
    existing = conn.execute(
        "SELECT 1 FROM outbox WHERE report_id = ? AND version = ?", (report_id, version)
    ).fetchone()
    if existing:
        raise OutboxError(f"report {report_id} v{version} is already in the outbox")
    conn.execute(
        "INSERT INTO outbox (report_id, version, envelope, status, attempts, next_attempt_at, created_at)"
        " VALUES (?, ?, ?, 'pending', 0, ?, ?)",
        (report_id, version, envelope, stamp(now), stamp(now)),
    )


def pending(conn: Connection, now: dt.datetime | None = None) -> list[OutboxRow]:
    """Rows still waiting for an ack, oldest first; with `now`, only those due by then."""
    sql = f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending'"
    args: tuple[str, ...] = ()
    if now is not None:
        sql += " AND next_attempt_at <= ?"
        args = (stamp(now),)
    return [_row(r) for r in conn.execute(sql + " ORDER BY created_at, report_id, version", args)]


def get(conn: Connection, report_id: str, version: int) -> OutboxRow | None:
    """One row, whatever its status."""
    r = conn.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE report_id = ? AND version = ?", (report_id, version)
    ).fetchone()
    return None if r is None else _row(r)


def mark_attempt(
    conn: Connection, report_id: str, version: int, *, next_attempt_at: dt.datetime
) -> None:
    """Count one publish attempt and set when the next one is due if no ack arrives."""
    cur = conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?"
        " WHERE report_id = ? AND version = ? AND status = 'pending'",
        (stamp(next_attempt_at), report_id, version),
    )
    if cur.rowcount == 0:
        raise OutboxError(f"no pending outbox row for report {report_id} v{version}")


def mark_done(conn: Connection, report_id: str, version: int, now: dt.datetime) -> bool:
    """Mark a row delivered (central acked it). False when it was already done (a repeat ack)."""
    cur = conn.execute(
        "UPDATE outbox SET status = 'done', acked_at = ?"
        " WHERE report_id = ? AND version = ? AND status = 'pending'",
        (stamp(now), report_id, version),
    )
    if cur.rowcount == 1:
        return True
    if get(conn, report_id, version) is None:
        raise OutboxError(f"no outbox row for report {report_id} v{version}")
    return False


def counts(conn: Connection) -> dict[str, int]:
    """Number of rows per status, always with both keys: {'pending': n, 'done': m}."""
    result = {"pending": 0, "done": 0}
    for status, n in conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status"):
        result[str(status)] = int(n)
    return result


_COLUMNS = "report_id, version, envelope, status, attempts, next_attempt_at, created_at, acked_at"


def _row(r: tuple[Any, ...]) -> OutboxRow:
    return OutboxRow(
        report_id=r[0],
        version=int(r[1]),
        envelope=bytes(r[2]),
        status=r[3],
        attempts=int(r[4]),
        next_attempt_at=dt.datetime.fromisoformat(r[5]),
        created_at=dt.datetime.fromisoformat(r[6]),
        acked_at=None if r[7] is None else dt.datetime.fromisoformat(r[7]),
    )
