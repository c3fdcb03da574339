"""Workers' accounts at central: made by IT, argon2id, with the box's back-off and lockout.

The rules are the box's own (appliance.box.accounts): the same hasher and parameters, password
length, back-off doubling after 3 failures and a 15-minute lock after 10, counted per attempted
name so that neither answers nor timing tell which accounts exist. Sessions keep only the
SHA-256 of their token and of their CSRF token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2.exceptions import InvalidHashError, VerificationError

from appliance.box.accounts import (
    HASHER,
    LOCK_AFTER,
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    SESSION_TTL,
    AccountError,
    LoginRefused,
    backoff,
)
from central.dossiers.db import Connection

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


@dataclass(frozen=True)
class Account:
    """A signed-in worker: name, organisation, the name shown on reports."""

    username: str
    org: str
    display_name: str


@dataclass(frozen=True)
class Session:
    """A new login session: the cookie token and the CSRF token the screen sends back."""

    token: str
    csrf: str


def create_account(
    conn: Connection, *, username: str, org: str, display_name: str, password: str, by: str
) -> Account:
    """IT makes an account (audited); names as on the boxes, passwords by the box's rules."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise AccountError("username: 2-40 of a-z 0-9 . _ -, starting with a letter or digit")
    if not display_name.strip():
        raise AccountError("display name: required")
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS or name in password.lower():
        raise AccountError(
            f"password: {MIN_PASSWORD_CHARS}-{MAX_PASSWORD_CHARS} characters, without the username"
        )
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO accounts (username, org, display_name, password_hash, created_by)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
            (name, org, display_name.strip(), HASHER.hash(password), by),
        ).fetchone()
        if row is None:
            raise AccountError(f"account {name!r} exists already")
        conn.execute(
            "INSERT INTO audit (org, actor, action, detail) VALUES (%s, %s, 'account_created', %s)",
            (org, by, name),
        )
    return Account(name, org, display_name.strip())


def authenticate(conn: Connection, username: str, password: str, now: datetime | None = None) -> Account:
    """The account for a correct name and password; LoginRefused otherwise (code says why)."""
    now = now or datetime.now(UTC)
    name = username.strip().lower()
    name_hash = hashlib.sha256(f"spreekkamer-central/login/{name}".encode()).hexdigest()
    with conn.transaction():
        throttle = conn.execute(
            "SELECT failures, blocked_until FROM login_throttle WHERE name_hash = %s", (name_hash,)
        ).fetchone()
        if throttle is not None and isinstance(throttle[1], datetime) and throttle[1] > now:
            wait = (throttle[1] - now).total_seconds()
            code = "locked" if int(str(throttle[0])) >= LOCK_AFTER else "backoff"
            raise LoginRefused("blocked", wait, code)
        row = conn.execute(
            "SELECT username, org, display_name, password_hash FROM accounts WHERE username = %s",
            (name,),
        ).fetchone()
    stored = str(row[3]) if row is not None else _dummy_hash()
    try:
        ok = HASHER.verify(stored, password[:MAX_PASSWORD_CHARS]) and row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    with conn.transaction():
        if not ok:
            failures = int(str(throttle[0])) + 1 if throttle is not None else 1
            delay = backoff(failures)
            conn.execute(
                "INSERT INTO login_throttle (name_hash, failures, blocked_until, last_failure)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (name_hash) DO UPDATE SET"
                " failures = excluded.failures, blocked_until = excluded.blocked_until,"
                " last_failure = excluded.last_failure",
                (name_hash, failures, now + delay if delay else None, now),
            )
        else:
            conn.execute("DELETE FROM login_throttle WHERE name_hash = %s", (name_hash,))
    if not ok:  # raised after the commit: a rolled-back count would throttle nobody
        raise LoginRefused("invalid")
    assert row is not None
    return Account(str(row[0]), str(row[1]), str(row[2]))


def open_session(conn: Connection, account: Account, *, ttl: timedelta = SESSION_TTL) -> Session:
    """Start a session; only hashes of its tokens are stored."""
    now = datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    session = Session(token, csrf_for(token))
    with conn.transaction():
        conn.execute("DELETE FROM sessions WHERE expires_at <= %s", (now,))
        conn.execute(
            "INSERT INTO sessions (token_hash, username, csrf_hash, created_at, expires_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            (_hash(session.token), account.username, _hash(session.csrf), now, now + ttl),
        )
    return session


def session_account(conn: Connection, token: str, csrf: str | None = None) -> Account | None:
    """The account of a live session; with `csrf`, only if it is that session's CSRF token."""
    if not 20 <= len(token) <= 200:
        return None
    with conn.transaction():
        row = conn.execute(
            "SELECT a.username, a.org, a.display_name, s.csrf_hash FROM sessions s"
            " JOIN accounts a ON a.username = s.username"
            " WHERE s.token_hash = %s AND s.expires_at > now()",
            (_hash(token),),
        ).fetchone()
    if row is None:
        return None
    if csrf is not None and not secrets.compare_digest(_hash(csrf), str(row[3])):
        return None
    return Account(str(row[0]), str(row[1]), str(row[2]))


def close_session(conn: Connection, token: str) -> None:
    """End a session (logout); an unknown token changes nothing."""
    with conn.transaction():
        conn.execute("DELETE FROM sessions WHERE token_hash = %s", (_hash(token),))


def csrf_for(token: str) -> str:
    """The session's CSRF token: derived from the HttpOnly cookie, so the screen can ask for it
    again after a reload, and another site can neither read nor compute it."""
    return hashlib.sha256(f"spreekkamer-central/csrf/{token}".encode()).hexdigest()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@cache
def _dummy_hash() -> str:
    """A hash with the real parameters, so an unknown name costs the same time."""
    return HASHER.hash(secrets.token_urlsafe(24))
