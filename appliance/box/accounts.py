"""Worker accounts: argon2id passwords, login back-off and lockout, and login sessions.

Failed logins are counted per attempted name (known or not) in `login_throttle`, and an unknown
name is checked against a dummy hash, so neither the answers nor their timing reveal which
accounts exist.
"""

from __future__ import annotations

import hashlib
import re
import secrets
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

HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


class AccountError(ValueError):
    """An account request that breaks a rule (bad name, weak password, duplicate user)."""


class LoginRefused(Exception):
    """A refused login. `reason` is shown to the worker; `retry_after_s` > 0 means wait that long.

    `code` is 'invalid' (wrong name or password), 'backoff' (too many tries, wait a little) or
    'locked' (locked for `LOCK_TIME` after `LOCK_AFTER` failures).
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
    """Replace a user's password (same policy as on creation) and clear their failed logins."""
    name = _normalise(username)
    _check_password(password, name)
    with store.transaction() as conn:
        cur = conn.execute("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL"
                           " WHERE username = ?", (HASHER.hash(password), name))
        if cur.rowcount != 1:
            raise AccountError(f"no user {name!r}")
        conn.execute("DELETE FROM login_throttle WHERE name_hash = ?", (_name_hash(name),))


def get_user(store: Store, username: str) -> User | None:
    """The account, or None."""
    rows = store.query("SELECT username, display_name, role FROM users WHERE username = ?", (_normalise(username),))
    return User(rows[0][0], rows[0][1], rows[0][2]) if rows else None


def authenticate(store: Store, username: str, password: str, now: datetime | None = None) -> User:
    """The user for a correct name and password; otherwise `LoginRefused` (same for unknown names)."""
    now = _now(now)
    name, name_hash = _normalise(username), _name_hash(_normalise(username))
    throttle = store.query("SELECT failures, blocked_until FROM login_throttle WHERE name_hash = ?", (name_hash,))
    if throttle and throttle[0]["blocked_until"]:
        wait = (datetime.fromisoformat(throttle[0]["blocked_until"]) - now).total_seconds()
        if wait > 0:
            raise _blocked(throttle[0]["failures"], wait)
    rows = store.query("SELECT username, display_name, role, password_hash FROM users WHERE username = ?", (name,))
    stored_hash = rows[0]["password_hash"] if rows else _dummy_hash()
    try:
        ok = HASHER.verify(stored_hash, password) and bool(rows)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        _record_failure(store, name, name_hash, now)
        raise LoginRefused("Gebruikersnaam of wachtwoord is onjuist.")
    with store.transaction() as conn:
        conn.execute("DELETE FROM login_throttle WHERE name_hash = ?", (name_hash,))
        conn.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?", (name,))
        if HASHER.check_needs_rehash(stored_hash):
            conn.execute("UPDATE users SET password_hash = ? WHERE username = ?", (HASHER.hash(password), name))
    return User(rows[0]["username"], rows[0]["display_name"], cast(Role, rows[0]["role"]))


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


def _record_failure(store: Store, name: str, name_hash: str, now: datetime) -> None:
    with store.transaction() as conn:
        row = conn.execute("SELECT failures FROM login_throttle WHERE name_hash = ?", (name_hash,)).fetchone()
        failures = (row[0] if row else 0) + 1
        delay = backoff(failures)
        until = _iso(now + delay) if delay else None
        conn.execute(
            "INSERT INTO login_throttle (name_hash, failures, blocked_until, last_failure) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (name_hash) DO UPDATE SET failures = excluded.failures,"
            " blocked_until = excluded.blocked_until, last_failure = excluded.last_failure",
            (name_hash, failures, until, _iso(now)),
        )
        # Mirrored on the account so an admin screen can show who is locked out.
        conn.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE username = ?",
                     (failures, until, name))


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
