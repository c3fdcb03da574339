"""Append-only, hash-chained audit log: who did what to which contact, and when — never content.

Each entry's hash is HMAC-SHA256(chain_key, prev_hash || canonical JSON of the entry); the chain's
tip is also kept (MAC'd) in `audit_head`, so an edited, removed, reordered or truncated log fails
`verify()`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from appliance.store.db import Row, Store

Detail = str | int | float | bool | None
GENESIS = "0" * 64
MAX_DETAIL_CHARS = 200
"""Longer values smell of content (a transcript sentence, a note) and are refused."""

_EVENT = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_DETAIL_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class AuditError(ValueError):
    """An audit entry that would break the log's rules (bad event name, content in details)."""


@dataclass(frozen=True)
class AuditEntry:
    """One recorded event."""

    seq: int
    at: str
    event: str
    contact_id: str | None
    actor: str | None
    details: Mapping[str, Detail]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditVerdict:
    """Outcome of checking the whole chain; `problems` is empty when `ok`."""

    ok: bool
    entries: int
    problems: list[str] = field(default_factory=list)


class AuditLog:
    """The `audit_log` table with its hash chain; `chain_key` should be a key used for nothing else."""

    def __init__(self, store: Store, chain_key: bytes) -> None:
        if len(chain_key) < 32:
            raise AuditError("the audit chain key must be at least 32 bytes")
        self._store, self._key = store, chain_key

    def append(
        self, event: str, *, contact_id: str | None = None, actor: str | None = None, **details: Detail
    ) -> AuditEntry:
        """Record an event; inside an open `store.transaction()` it commits (or not) with the caller."""
        _check_event(event, contact_id, actor, details)
        at = datetime.now(UTC).isoformat(timespec="milliseconds")
        with self._store.transaction() as conn:
            head = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
            seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
            digest = self._entry_hash(prev, seq, at, event, contact_id, actor, details)
            conn.execute(
                "INSERT INTO audit_log (seq, at, event, contact_id, actor, details, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, at, event, contact_id, actor, _canonical(details), prev, digest),
            )
            conn.execute(
                "INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac",
                (seq, digest, self._head_mac(seq, digest)),
            )
        return AuditEntry(seq, at, event, contact_id, actor, dict(details), prev, digest)

    def entries(self, contact_id: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """The newest `limit` entries (of one contact, or all), newest first."""
        if contact_id is None:
            rows = self._store.query("SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?", (limit,))
        else:
            rows = self._store.query(
                "SELECT * FROM audit_log WHERE contact_id = ? ORDER BY seq DESC LIMIT ?", (contact_id, limit)
            )
        return [_entry(r) for r in rows]

    def verify(self) -> AuditVerdict:
        """Recompute the whole chain and compare it with the stored hashes and the head."""
        with self._store.transaction() as conn:  # one consistent snapshot of log and head
            rows = conn.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
            head = conn.execute("SELECT seq, hash, mac FROM audit_head WHERE id = 1").fetchone()
        problems: list[str] = []
        prev, expected = GENESIS, 1
        for r in rows:
            if r["seq"] != expected:
                problems.append(f"entries {expected}..{r['seq'] - 1} are missing (deleted)")
            if r["prev_hash"] != prev:
                problems.append(f"entry {r['seq']} does not follow the entry before it (removed or reordered)")
            try:
                details = json.loads(r["details"])
                recomputed = self._entry_hash(
                    r["prev_hash"], r["seq"], r["at"], r["event"], r["contact_id"], r["actor"], details
                )
            except (ValueError, TypeError, AttributeError):
                recomputed = ""
            if not hmac.compare_digest(recomputed, r["hash"]):
                problems.append(f"entry {r['seq']} ({r['event']}) was altered after it was written")
            prev, expected = r["hash"], r["seq"] + 1
        problems += self._check_head(head, rows[-1] if rows else None)
        return AuditVerdict(not problems, len(rows), problems)

    def _check_head(self, head: Row | None, last: Row | None) -> list[str]:
        if head is None:
            return ["the chain head is missing although entries exist"] if last is not None else []
        if not hmac.compare_digest(self._head_mac(head["seq"], head["hash"]), head["mac"]):
            return ["the chain head was altered"]
        if last is None:
            return [f"all {head['seq']} entries were deleted"]
        if (last["seq"], last["hash"]) != (head["seq"], head["hash"]):
            if last["seq"] < head["seq"]:
                return [f"the newest entries {last['seq'] + 1}..{head['seq']} were deleted"]
            return [f"the last entry ({last['seq']}) is not the recorded chain head ({head['seq']})"]
        return []

    def _entry_hash(
        self, prev: str, seq: int, at: str, event: str, contact_id: str | None,
        actor: str | None, details: Mapping[str, Any],
    ) -> str:
        body = {"seq": seq, "at": at, "event": event, "contact_id": contact_id, "actor": actor,
                "details": dict(details)}
        return hmac.new(self._key, prev.encode() + _canonical(body).encode(), hashlib.sha256).hexdigest()

    def _head_mac(self, seq: int, digest: str) -> str:
        return hmac.new(self._key, f"audit-head\n{seq}\n{digest}".encode(), hashlib.sha256).hexdigest()


def verify_command(store: Store, chain_key: bytes) -> int:
    """`spreekkamer audit verify`: print a readable verdict; exit code 0 when intact, 1 otherwise."""
    verdict = AuditLog(store, chain_key).verify()
    if verdict.ok:
        print(f"Audit log intact: {verdict.entries} entries, hash chain and head verified.")
        return 0
    print(f"Audit log NOT intact ({verdict.entries} entries present), {len(verdict.problems)} problem(s):")
    for problem in verdict.problems:
        print(f"  - {problem}")
    return 1


def _check_event(event: str, contact_id: str | None, actor: str | None, details: Mapping[str, Any]) -> None:
    if len(event) > 64 or not _EVENT.match(event):
        raise AuditError(f"audit event name {event!r} must look like 'consent.granted'")
    for name, value in (("contact_id", contact_id), ("actor", actor)):
        if value is not None and (not isinstance(value, str) or len(value) > MAX_DETAIL_CHARS):
            raise AuditError(f"audit {name} must be a short string")
    for key, value in details.items():
        if not _DETAIL_KEY.match(key):
            raise AuditError(f"audit detail name {key!r} must be lower_snake_case")
        if value is not None and not isinstance(value, str | int | float | bool):
            raise AuditError(f"audit detail {key!r}: only plain values, not {type(value).__name__}")
        if isinstance(value, str) and len(value) > MAX_DETAIL_CHARS:
            raise AuditError(f"audit detail {key!r} is {len(value)} characters: metadata only, no content")
        if isinstance(value, float) and not math.isfinite(value):
            raise AuditError(f"audit detail {key!r} must be a finite number")


def _canonical(obj: Mapping[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _entry(r: Row) -> AuditEntry:
    return AuditEntry(r["seq"], r["at"], r["event"], r["contact_id"], r["actor"],
                      json.loads(r["details"]), r["prev_hash"], r["hash"])
