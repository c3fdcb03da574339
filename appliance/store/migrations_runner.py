"""Versioned schema migrations: `migrations/NNNN_name.sql`, applied in order, each in one transaction.

Applied migrations are recorded by file name (not only by number), so two migrations that
happen to share a number still both apply, ordered by number and then name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import sqlcipher3.dbapi2 as sqlcipher

from appliance.store.errors import StoreError


class Store(Protocol):
    """What migrating needs of `appliance.store.db.Store` (which runs the migrations as it opens,
    so this module cannot import it)."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def transaction(self) -> AbstractContextManager[Any]: ...

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    """One schema change file."""

    version: int
    name: str
    path: Path


def discover(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """All migration files in `folder`, in the order they must run; odd names are refused."""
    found = []
    for path in folder.iterdir():
        if path.suffix != ".sql":
            continue
        match = _NAME.match(path.name)
        if not match:
            raise StoreError(f"migration file {path.name!r} must be named NNNN_lower_case.sql")
        found.append(Migration(int(match.group(1)), path.stem, path))
    return sorted(found, key=lambda m: (m.version, m.name))


def split_statements(script: str) -> list[str]:
    """Cut a SQL script into complete statements (trigger bodies and comments kept intact)."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlcipher.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                statements.append(pending.strip())
            pending = ""
    if _strip_comments(pending).strip(" \t\r\n;"):
        raise StoreError(f"incomplete SQL statement at the end of the script: {pending.strip()[:80]!r}")
    return statements


def applied(store: Store) -> list[str]:
    """Names of the migrations already applied, in the order they were applied."""
    return [r["name"] for r in store.query("SELECT name FROM schema_migrations ORDER BY rowid")]


def apply_migrations(store: Store, folder: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply every migration not yet recorded; returns the names applied now.

    Each runs in its own IMMEDIATE transaction and re-checks inside it, so two processes
    opening the same database at once cannot both apply a migration.
    """
    store.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name TEXT PRIMARY KEY, version INTEGER NOT NULL, applied_at TEXT NOT NULL)"
    )
    done_now = []
    for mig in discover(folder):
        statements = split_statements(mig.path.read_text(encoding="utf-8"))
        with store.transaction() as conn:
            if conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (mig.name,)).fetchone():
                continue
            for stmt in statements:
                try:
                    conn.execute(stmt)
                except sqlcipher.Error as exc:
                    raise StoreError(f"migration {mig.name}: {exc}\n  in: {stmt[:200]}") from exc
            conn.execute(
                "INSERT INTO schema_migrations (name, version, applied_at) VALUES (?, ?, ?)",
                (mig.name, mig.version, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        done_now.append(mig.name)
    return done_now


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
