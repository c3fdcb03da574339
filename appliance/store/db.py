"""The encrypted store: one SQLCipher 4 database opened with a raw 256-bit key.

One connection is shared by all threads of the service and guarded by a re-entrant lock, so
a transaction is never interleaved with another thread's statements.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import sqlcipher3.dbapi2 as sqlcipher

from appliance.store.errors import StoreError
from appliance.store.migrations_runner import apply_migrations

__all__ = ["Params", "Row", "Store", "StoreError"]

log = logging.getLogger(__name__)

KEY_BYTES = 32
BUSY_TIMEOUT_S = 10.0
"""How long a statement waits for another process (e.g. the CLI) to release the write lock."""
LOCK_TIMEOUT_S = 30.0
"""How long a thread waits for another thread's transaction before giving up."""

if TYPE_CHECKING:
    from sqlite3 import Row  # same interface; sqlcipher3 ships no type hints
else:
    Row = sqlcipher.Row
Params = Sequence[Any] | dict[str, Any]


class Store:
    """The appliance's SQLCipher database; use `Store.open` to get one."""

    def __init__(self, conn: sqlcipher.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self._depth = 0
        self.path = path

    @classmethod
    def open(cls, path: Path, key: bytes) -> Store:
        """Open (or create) the database at `path` with a 32-byte key and bring its schema up to date."""
        if not isinstance(key, bytes) or len(key) != KEY_BYTES:
            raise StoreError(f"the database key must be exactly {KEY_BYTES} bytes")
        path = Path(path)
        _make_private_dir(path.parent)
        if not path.exists():
            # Pre-create owner-only; SQLite gives the -wal and -shm files the same mode.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            conn = sqlcipher.connect(
                str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlcipher.Error as exc:
            raise StoreError(f"{path}: cannot open database: {exc}") from exc
        try:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            _verify_key(conn, path)
            conn.execute("PRAGMA journal_mode=WAL").fetchall()
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")
            conn.row_factory = sqlcipher.Row
            store = cls(conn, path)
            apply_migrations(store)
        except BaseException:
            conn.close()
            raise
        return store

    @property
    def data_dir(self) -> Path:
        """The folder holding the database (and, by convention, the encrypted audio)."""
        return self.path.parent

    @contextmanager
    def transaction(self) -> Iterator[sqlcipher.Connection]:
        """`BEGIN IMMEDIATE` … COMMIT, ROLLBACK on exception; nested use joins the outer one.

        A nested block runs inside a savepoint, so an exception caught by the caller undoes
        only the inner block's writes, never half of them.
        """
        with self._locked():
            if self._depth == 0:
                begin, commit, rollback = "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"
            else:
                name = f"sp{self._depth}"
                begin, commit = f"SAVEPOINT {name}", f"RELEASE {name}"
                rollback = f"ROLLBACK TO {name}; RELEASE {name}"
            self._wrap(begin)
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._depth -= 1
                for stmt in rollback.split("; "):
                    self._wrap(stmt)
                raise
            self._depth -= 1
            try:
                self._wrap(commit)
            except BaseException:
                if self._depth == 0 and self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        """Run one statement and return all its rows (name- and index-addressable)."""
        with self._locked():
            try:
                return cast(list[Row], self._conn.execute(sql, params).fetchall())
            except sqlcipher.Error as exc:
                raise StoreError(f"query failed: {exc}") from exc

    def execute(self, sql: str, params: Params = ()) -> sqlcipher.Cursor:
        """Run one writing statement (autocommit, or inside the caller's open transaction).

        The returned cursor's `rowcount` and `lastrowid` are valid; use `query` for RETURNING.
        """
        with self._locked():
            try:
                cur = self._conn.execute(sql, params)
                cur.fetchall()
                return cur
            except sqlcipher.Error as exc:
                raise StoreError(f"statement failed: {exc}") from exc

    def integrity_check(self) -> list[str]:
        """Problems found by SQLCipher's page HMAC check and SQLite's quick_check; empty = fine."""
        problems: list[str] = []
        with self._lock:
            for pragma in ("cipher_integrity_check", "quick_check"):
                try:
                    rows = self._conn.execute(f"PRAGMA {pragma}").fetchall()
                except sqlcipher.Error as exc:
                    problems.append(f"{pragma}: {exc}")
                    continue
                problems += [f"{pragma}: {r[0]}" for r in rows if str(r[0]) != "ok"]
        return problems

    def checkpoint(self) -> bool:
        """Fold the WAL into the database and truncate it (after a shred, old pages go with it).

        Returns False when a reader kept part of the WAL alive; call again later.
        """
        with self._lock:
            busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("WAL checkpoint incomplete: another connection is reading")
        return not busy

    def close(self) -> None:
        """Checkpoint and close the connection; the store cannot be used afterwards."""
        with self._lock:
            try:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlcipher.Error:
                log.warning("checkpoint on close failed", exc_info=True)
            self._conn.close()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # A thread stuck behind a runaway transaction gets an error instead of hanging forever.
        if not self._lock.acquire(timeout=LOCK_TIMEOUT_S):
            raise StoreError(f"store busy: no access within {LOCK_TIMEOUT_S:.0f} s")
        try:
            yield
        finally:
            self._lock.release()

    def _wrap(self, sql: str) -> None:
        try:
            self._conn.execute(sql)
        except sqlcipher.Error as exc:
            raise StoreError(f"{sql}: {exc}") from exc


def _verify_key(conn: sqlcipher.Connection, path: Path) -> None:
    """SQLCipher only notices a wrong key on the first read; make that read now."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        raise StoreError(
            f"{path}: cannot decrypt the database: wrong key, or not a Spreekkamer database ({exc})"
        ) from exc


def _make_private_dir(folder: Path) -> None:
    """Create the data folder owner-only; an existing folder is left as its owner set it."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)
