"""Connections to central's PostgreSQL, each with timeouts, and the schema brought up to date."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from central.dossiers.migrate import migrate as apply_migrations

Connection = psycopg.Connection[tuple[object, ...]]

CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 15_000


def connect(url: str, *, migrate: bool = True) -> Connection:
    """Open a connection (libpq conninfo or URL); with `migrate`, apply missing migrations."""
    conn = psycopg.connect(
        url,
        connect_timeout=CONNECT_TIMEOUT_S,
        options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={STATEMENT_TIMEOUT_MS}",
        autocommit=True,  # transactions are explicit: `with conn.transaction():`
    )
    if migrate:
        apply_migrations(conn)
    return conn


@contextmanager
def scoped(conn: Connection, org: str) -> Iterator[Connection]:
    """One transaction that sees only `org`'s rows (row-level security on the screen's role)."""
    with conn.transaction():
        conn.execute("SELECT set_config('spreekkamer.org', %s, true)", (org,))
        yield conn


class DatabaseUnavailable(Exception):
    """The database did not answer or the connection broke; nothing was committed."""


class Database:
    """One process's connection that comes back by itself after an outage.

    A broken connection is dropped and the next `transaction()` connects again, so a receiver
    stops acknowledging while PostgreSQL is away and resumes on its own when it is back."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection inside one transaction; DatabaseUnavailable if the server is away."""
        with self._lock:
            try:
                if self._conn is not None and not self._alive(self._conn):
                    self._drop()  # e.g. ended by a server restart while idle: not an outage
                if self._conn is None or self._conn.closed or self._conn.broken:
                    self._conn = connect(self.url)
                with self._conn.transaction():
                    yield self._conn
            except psycopg.OperationalError as exc:
                self._drop()
                raise DatabaseUnavailable(f"database unavailable: {exc}".strip()) from exc

    @staticmethod
    def _alive(conn: Connection) -> bool:
        """A kept connection still answers (one round trip on the local socket)."""
        if conn.closed or conn.broken:
            return False
        try:
            conn.execute("SELECT 1")
        except psycopg.OperationalError:
            return False
        return True

    def close(self) -> None:
        """Close the connection (a later transaction opens a new one)."""
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
