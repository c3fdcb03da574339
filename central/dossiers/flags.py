"""Central's record of standing-choice flags: the newest flag per (org, dossier HMAC).

Last writer wins by the time the flag was set on the box (ties go to 'manual_path', as on the
boxes), so notices arriving out of order, twice, or through two receivers end in one answer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from appliance.sync.flag_message import FlagMessage, parse_time, supersedes

SCHEMA = """
CREATE TABLE IF NOT EXISTS standing_flags (
    org          TEXT NOT NULL,
    dossier_hmac TEXT NOT NULL,
    flag         TEXT NOT NULL CHECK (flag IN ('manual_path', 'cleared')),
    set_at       TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (org, dossier_hmac)
);
"""


def record_flag(conn: sqlite3.Connection, notice: FlagMessage, *, received_at: str) -> FlagMessage:
    """Keep `notice` if it is newer than the stored flag (caller's transaction); returns the
    flag that now stands for this dossier, which is what central re-publishes."""
    current = latest_flag(conn, notice.org, notice.dossier_hmac)
    if current is not None and not supersedes(
        (notice.when, notice.flag), (current.when, current.flag)
    ):
        return current
    conn.execute(
        "INSERT OR REPLACE INTO standing_flags"
        " (org, dossier_hmac, flag, set_at, device_id, seq, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            notice.org,
            notice.dossier_hmac,
            notice.flag,
            notice.set_at,
            notice.device_id,
            notice.seq,
            received_at,
        ),
    )
    return notice


def latest_flag(conn: sqlite3.Connection, org: str, dossier_hmac: str) -> FlagMessage | None:
    """The flag that stands for one dossier, or None if central never heard of it."""
    row = conn.execute(
        "SELECT org, device_id, seq, dossier_hmac, flag, set_at FROM standing_flags"
        " WHERE org = ? AND dossier_hmac = ?",
        (org, dossier_hmac),
    ).fetchone()
    if row is None:
        return None
    parse_time(row[5])  # a corrupt stored time must fail here, not on a box
    return FlagMessage(row[0], row[1], int(row[2]), row[3], row[4], row[5])


def standing_flags(db_path: Path) -> list[FlagMessage]:
    """Every stored flag (for tests and operators)."""
    conn = sqlite3.connect(db_path, timeout=10.0)
    try:
        rows = conn.execute(
            "SELECT org, device_id, seq, dossier_hmac, flag, set_at FROM standing_flags"
            " ORDER BY org, dossier_hmac"
        ).fetchall()
    finally:
        conn.close()
    return [FlagMessage(r[0], r[1], int(r[2]), r[3], r[4], r[5]) for r in rows]
