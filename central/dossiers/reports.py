"""Central's record of received reports: de-duplication on report id + version + content hash.

A report id+version is stored once; the same content again is a duplicate (acked again, not
re-filed); different content for the same id+version is a conflict, kept in `conflicts` and
never overwrites what was filed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from central.dossiers import flags

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    report_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    org          TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (report_id, version)
);
CREATE TABLE IF NOT EXISTS conflicts (
    id           INTEGER PRIMARY KEY,
    report_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    received_at  TEXT NOT NULL
);
"""

Outcome = Literal["new", "duplicate", "conflict"]


@dataclass(frozen=True)
class StoredReport:
    """One filed report (metadata only; the content went to the sink)."""

    report_id: str
    version: int
    content_hash: str
    device_id: str
    org: str
    received_at: str


def connect(path: Path) -> sqlite3.Connection:
    """Open (and create) the receiver database; transactions are explicit (BEGIN IMMEDIATE)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(_SCHEMA + flags.SCHEMA)
    return conn


def classify(
    conn: sqlite3.Connection, *, report_id: str, version: int, content_hash: str, device_id: str
) -> Outcome:
    """Is this report new, a duplicate of what is filed, or a conflicting different content?"""
    row = conn.execute(
        "SELECT content_hash, device_id FROM reports WHERE report_id = ? AND version = ?",
        (report_id, version),
    ).fetchone()
    if row is None:
        return "new"
    return "duplicate" if (row[0], row[1]) == (content_hash, device_id) else "conflict"


def insert(conn: sqlite3.Connection, report: StoredReport) -> None:
    """File a new report (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO reports (report_id, version, content_hash, device_id, org, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            report.report_id,
            report.version,
            report.content_hash,
            report.device_id,
            report.org,
            report.received_at,
        ),
    )


def record_conflict(
    conn: sqlite3.Connection, *, report_id: str, version: int, content_hash: str, device_id: str
) -> None:
    """Keep evidence of a conflicting resend (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO conflicts (report_id, version, content_hash, device_id, received_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (report_id, version, content_hash, device_id, now_stamp()),
    )


def now_stamp() -> str:
    """UTC ISO-8601 timestamp for `received_at`."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def stored_reports(db_path: Path) -> list[StoredReport]:
    """All filed reports, oldest first (for tests and operators)."""
    conn = sqlite3.connect(db_path, timeout=10.0)
    try:
        rows = conn.execute(
            "SELECT report_id, version, content_hash, device_id, org, received_at FROM reports"
            " ORDER BY received_at, report_id, version"
        ).fetchall()
    finally:
        conn.close()
    return [StoredReport(r[0], int(r[1]), r[2], r[3], r[4], r[5]) for r in rows]


def conflict_count(db_path: Path) -> int:
    """How many conflicting resends were refused."""
    conn = sqlite3.connect(db_path, timeout=10.0)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM conflicts").fetchone()[0])
    finally:
        conn.close()
