"""Central's record of standing-choice flags: the newest flag per (org, dossier HMAC).

Last writer wins by the time the flag was set on the box (ties go to 'manual_path', as on the
boxes), so notices arriving out of order, twice, or through two receivers end in one answer.
The row is locked while the two are compared, so two receivers cannot both win. A flag dated
more than `MAX_AHEAD` after central's own clock is refused: a box with a wrong (or forged)
clock cannot date a 'cleared' in 9999 and so cancel every later choice.
"""

from __future__ import annotations

import datetime as dt
import logging

from appliance.sync.flag_message import FlagMessage, parse_time, supersedes
from central.dossiers import db

MAX_AHEAD = dt.timedelta(minutes=5)
log = logging.getLogger(__name__)


def record_flag(conn: db.Connection, notice: FlagMessage) -> FlagMessage | None:
    """Keep `notice` if it is newer than the stored flag (caller's transaction); returns the
    flag that now stands for this dossier, which is what central re-publishes (None when the
    notice was refused and nothing stands yet)."""
    row = conn.execute("SELECT clock_timestamp()").fetchone()
    central_now = row[0] if row else None
    if isinstance(central_now, dt.datetime) and notice.when > central_now + MAX_AHEAD:
        log.warning("refused flag notice %d from %s: dated %s, ahead of central's clock",
                    notice.seq, notice.device_id, notice.set_at)
        return _latest(conn, notice.org, notice.dossier_hmac, lock=False)
    conn.execute(
        "INSERT INTO standing_flags (org, dossier_hmac, flag, set_at, device_id, seq)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (org, dossier_hmac) DO NOTHING",
        (notice.org, notice.dossier_hmac, notice.flag, notice.set_at, notice.device_id, notice.seq),
    )
    current = _latest(conn, notice.org, notice.dossier_hmac, lock=True)
    assert current is not None  # inserted above or already there
    if current == notice or not supersedes((notice.when, notice.flag), (current.when, current.flag)):
        return current
    conn.execute(
        "UPDATE standing_flags SET flag = %s, set_at = %s, device_id = %s, seq = %s,"
        " received_at = clock_timestamp() WHERE org = %s AND dossier_hmac = %s",
        (notice.flag, notice.set_at, notice.device_id, notice.seq, notice.org, notice.dossier_hmac),
    )
    return notice


def latest_flag(conn: db.Connection, org: str, dossier_hmac: str) -> FlagMessage | None:
    """The flag that stands for one dossier, or None if central never heard of it."""
    return _latest(conn, org, dossier_hmac, lock=False)


def _latest(conn: db.Connection, org: str, dossier_hmac: str, *, lock: bool) -> FlagMessage | None:
    row = conn.execute(
        "SELECT org, device_id, seq, dossier_hmac, flag, set_at FROM standing_flags"
        " WHERE org = %s AND dossier_hmac = %s" + (" FOR UPDATE" if lock else ""),
        (org, dossier_hmac),
    ).fetchone()
    if row is None:
        return None
    parse_time(str(row[5]))  # a corrupt stored time must fail here, not on a box
    return FlagMessage(str(row[0]), str(row[1]), int(str(row[2])), str(row[3]), str(row[4]), str(row[5]))  # type: ignore[arg-type]


def standing_flags(url: str) -> list[FlagMessage]:
    """Every stored flag (for tests and operators)."""
    with db.connect(url) as conn:
        rows = conn.execute(
            "SELECT org, device_id, seq, dossier_hmac, flag, set_at FROM standing_flags"
            " ORDER BY org, dossier_hmac"
        ).fetchall()
    return [FlagMessage(str(r[0]), str(r[1]), int(str(r[2])), str(r[3]), str(r[4]), str(r[5])) for r in rows]  # type: ignore[arg-type]
