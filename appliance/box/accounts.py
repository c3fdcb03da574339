"""Worker accounts: argon2id passwords, login back-off and lockout, and login sessions.

Failed logins are counted per attempted name (known or not) in `login_throttle`, and an unknown
name is checked against a dummy hash, so neither the answers nor their timing reveal which
accounts exist.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Literal, cast, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from appliance.store.db import Store

Role = Literal["worker", "admin"]
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256
"""The same bound at account creation and at login (a longer one could be set but never typed in)."""
BACKOFF_AFTER = 3
"""Failures before each further attempt has to wait (1 s, 2 s, 4 s, … doubling)."""
LOCK_AFTER = 10
LOCK_TIME = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=8)
FAILURE_MEMORY = timedelta(hours=24)
"""Failures older than this no longer count; their throttle rows are deleted."""
HASHING_AT_ONCE = 2
HASHING_WAIT_S = 10.0

HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)
_HASHING = threading.BoundedSemaphore(HASHING_AT_ONCE)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


class AccountError(ValueError):
    """An account request that breaks a rule (bad name, weak password, duplicate user)."""


class LoginRefused(Exception):
    """A refused login. `reason` is shown to the worker; `retry_after_s` > 0 means wait that long.

    `code` is 'invalid' (wrong name or password), 'backoff' (too many tries, wait a little),
    'locked' (locked for `LOCK_TIME` after `LOCK_AFTER` failures) or 'busy' (too many logins at
    once: try again in a moment).
    """

    def __init__(self, reason: str, retry_after_s: float = 0.0, code: str = "invalid") -> None:
        super().__init__(reason)
        self.reason, self.retry_after_s, self.code = reason, retry_after_s, code


@dataclass(frozen=True)
class User:
    """A worker (or admin) as the rest of the appliance sees them; no secrets."""

    username: str
    display_name: str
    role: Role


def create_user(store: Store, username: str, display_name: str, role: Role, password: str) -> User:
    """Add an account; the password is stored only as an argon2id hash."""
    name = _normalise(username)
    if not _USERNAME.match(name):
        raise AccountError("username: 2-40 characters, letters, digits, '.', '_' or '-'")
    if not display_name.strip() or len(display_name) > 80:
        raise AccountError("display name: 1-80 characters")
    if role not in get_args(Role):
        raise AccountError(f"role must be 'worker' or 'admin', not {role!r}")
    _check_password(password, name)
    with _hashing():
        digest = HASHER.hash(password)
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM users WHERE username = ?", (name,)).fetchone():
            raise AccountError(f"user {name!r} already exists")
        conn.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
            (name, display_name.strip(), role, digest, _iso(datetime.now(UTC))),
        )
    return User(name, display_name.strip(), role)


def set_password(store: Store, username: str, password: str) -> None:
    """Replace a user's password (same policy as on creation), clear their failed logins and end
    every session they have open: whoever knew the old password is logged out too."""
    name = _normalise(username)
    _check_password(password, name)
    with _hashing():
        digest = HASHER.hash(password)
    with store.transaction() as conn:
        cur = conn.execute("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL"
                           " WHERE username = ?", (digest, name))
        if cur.rowcount != 1:
            raise AccountError(f"no user {name!r}")
        conn.execute("DELETE FROM login_throttle WHERE name_hash = ?", (_name_hash(name),))
        conn.execute("DELETE FROM sessions WHERE username = ?", (name,))


def get_user(store: Store, username: str) -> User | None:
    """The account, or None."""
    rows = store.query("SELECT username, display_name, role FROM users WHERE username = ?", (_normalise(username),))
    return User(rows[0][0], rows[0][1], rows[0][2]) if rows else None


def authenticate(store: Store, username: str, password: str, now: datetime | None = None) -> User:
    """The user for a correct name and password; otherwise `LoginRefused` (same for unknown names)."""
    now = _now(now)
    name, name_hash = _normalise(username), _name_hash(_normalise(username))
    _take_attempt(store, name, name_hash, now)
    rows = store.query("SELECT username, display_name, role, password_hash FROM users WHERE username = ?", (name,))
    stored_hash = rows[0]["password_hash"] if rows else _dummy_hash()
    with _hashing():
        try:
            ok = HASHER.verify(stored_hash, password) and bool(rows)
        except (VerificationError, InvalidHashError):
            ok = False
        rehash = HASHER.hash(password) if ok and HASHER.check_needs_rehash(stored_hash) else None
    if not ok:
        raise LoginRefused("Gebruikersnaam of wachtwoord is onjuist.")  # the attempt is already counted
    with store.transaction() as conn:
        conn.execute("DELETE FROM login_throttle WHERE name_hash = ?", (name_hash,))
        conn.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?", (name,))
        if rehash is not None:
            conn.execute("UPDATE users SET password_hash = ? WHERE username = ?", (rehash, name))
    return User(rows[0]["username"], rows[0]["display_name"], cast(Role, rows[0]["role"]))


def unlock(store: Store, username: str) -> bool:
    """Lift a lockout (IT, after checking who asks); False for an account that does not exist."""
    name = _normalise(username)
    with store.transaction() as conn:
        conn.execute("DELETE FROM login_throttle WHERE name_hash = ?", (_name_hash(name),))
        found = conn.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?", (name,))
        return bool(found.rowcount)


def open_session(store: Store, username: str, *, ttl: timedelta = SESSION_TTL, now: datetime | None = None) -> str:
    """Start a login session and return its token; only the token's SHA-256 is stored."""
    now = _now(now)
    token = secrets.token_urlsafe(32)
    with store.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (_iso(now),))
        conn.execute(
            "INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (_token_hash(token), _normalise(username), _iso(now), _iso(now + ttl)),
        )
    return token


def session_user(store: Store, token: str, now: datetime | None = None) -> User | None:
    """The user of a live session; None for an unknown, closed or expired token."""
    if not isinstance(token, str) or not 20 <= len(token) <= 200:
        return None
    now = _now(now)
    rows = store.query(
        "SELECT u.username, u.display_name, u.role, s.expires_at FROM sessions s"
        " JOIN users u ON u.username = s.username WHERE s.token_hash = ?",
        (_token_hash(token),),
    )
    if not rows:
        return None
    if datetime.fromisoformat(rows[0]["expires_at"]) <= now:
        close_session(store, token)
        return None
    return User(rows[0]["username"], rows[0]["display_name"], cast(Role, rows[0]["role"]))


def close_session(store: Store, token: str) -> None:
    """End a session (logout); unknown tokens are ignored."""
    store.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


def backoff(failures: int) -> timedelta:
    """How long to refuse further attempts after `failures` consecutive failures."""
    if failures >= LOCK_AFTER:
        return LOCK_TIME
    if failures >= BACKOFF_AFTER:
        return timedelta(seconds=2 ** (failures - BACKOFF_AFTER))
    return timedelta(0)


def _take_attempt(store: Store, name: str, name_hash: str, now: datetime) -> None:
    """Count this attempt as a failure before the password is checked, in one write transaction,
    so parallel guesses cannot all pass the check; a success clears the count afterwards.

    The count decays: a lock that has run out leaves the count at the back-off threshold (the
    next failures wait seconds, not another lock at once), and failures older than
    `FAILURE_MEMORY` are forgotten, their rows pruned."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM login_throttle WHERE last_failure < ?", (_iso(now - FAILURE_MEMORY),))
        row = conn.execute("SELECT failures, blocked_until FROM login_throttle WHERE name_hash = ?",
                           (name_hash,)).fetchone()
        failures = int(row[0]) if row else 0
        until = datetime.fromisoformat(row[1]) if row and row[1] else None
        if until is not None and until > now:
            refused = _blocked(failures, (until - now).total_seconds())
        else:
            refused = None
            if failures >= LOCK_AFTER:
                failures = BACKOFF_AFTER
            failures += 1
            delay = backoff(failures)
            blocked = _iso(now + delay) if delay else None
            conn.execute(
                "INSERT INTO login_throttle (name_hash, failures, blocked_until, last_failure) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (name_hash) DO UPDATE SET failures = excluded.failures,"
                " blocked_until = excluded.blocked_until, last_failure = excluded.last_failure",
                (name_hash, failures, blocked, _iso(now)),
            )
            # Mirrored on the account so an admin screen can show who is locked out.
            conn.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE username = ?",
                         (failures, blocked, name))
    if refused is not None:
        raise refused


@contextmanager
def _hashing() -> Iterator[None]:
    """At most `HASHING_AT_ONCE` argon2 computations (64 MiB each) at a time; a login that cannot
    get a turn within `HASHING_WAIT_S` is asked to try again instead of piling up memory."""
    if not _HASHING.acquire(timeout=HASHING_WAIT_S):
        raise LoginRefused("Het toestel is even bezet. Probeer opnieuw over enkele seconden.", 2.0, "busy")
    try:
        yield
    finally:
        _HASHING.release()


def _blocked(failures: int, wait_s: float) -> LoginRefused:
    if failures >= LOCK_AFTER:
        minutes = max(1, round(wait_s / 60))
        return LoginRefused(f"Te veel mislukte pogingen: aanmelden is {minutes} minuten geblokkeerd.",
                            wait_s, "locked")
    return LoginRefused(f"Te veel mislukte pogingen: probeer opnieuw over {max(1, round(wait_s))} seconden.",
                        wait_s, "backoff")


def _check_password(password: str, name: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"password: at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"password: at most {MAX_PASSWORD_CHARS} characters")
    if name in password.lower():
        raise AccountError("password: must not contain the username")


@cache
def _dummy_hash() -> str:
    """A hash with the real parameters, so checking an unknown name costs the same time."""
    return HASHER.hash(secrets.token_urlsafe(24))


def _normalise(username: str) -> str:
    return username.strip().lower()


def _name_hash(name: str) -> str:
    return hashlib.sha256(f"spreekkamer/login/{name}".encode()).hexdigest()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    return now
