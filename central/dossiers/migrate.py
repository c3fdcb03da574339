"""Versioned schema migrations: numbered SQL files in `migrations/`, applied in order, once.

Plain SQL rather than Alembic: central talks to PostgreSQL through psycopg without an ORM, so
Alembic would bring SQLAlchemy for nothing, and an OCMW's DBA can read and review each file as
it is. `schema_migrations` records what ran; receivers starting together take an advisory
lock, so exactly one applies a new file.
"""

from __future__ import annotations

import re
from importlib import resources

import psycopg

_LOCK = 0x5350524B  # any constant shared by every central process
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(Exception):
    """A migration file that is misnamed, or a database newer than this code."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration shipped with this code, in order."""
    found = []
    for entry in resources.files("central.dossiers").joinpath("migrations").iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _NAME.match(entry.name)
        if match is None:
            raise MigrationError(f"migration {entry.name!r} is not named NNNN_name.sql")
        found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"migration versions must be 1..n without gaps: {versions}")
    return found


def migrate(conn: psycopg.Connection[tuple[object, ...]]) -> list[int]:
    """Apply what is missing in one transaction (a failing file changes nothing); returns the
    versions applied."""
    applied: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = {int(str(r[0])) for r in conn.execute("SELECT version FROM schema_migrations")}
        known = migrations()
        if done and max(done) > len(known):
            raise MigrationError(
                f"database schema is at version {max(done)}, this code knows {len(known)}"
            )
        for version, name, sql in known:
            if version in done:
                continue
            conn.execute(sql.encode())
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name)
            )
            applied.append(version)
    return applied
