"""The encrypted store, sealing and per-contact data keys, on real SQLCipher files."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.store.datakeys import DataKeys
from appliance.store.db import Store
from appliance.store.errors import KeyExists, KeyShredded, StoreError
from appliance.store.migrations_runner import apply_migrations, discover, split_statements
from appliance.store.sealing import SealError, seal, unseal

SECRET = "Mevrouw Janssens, Kerkstraat 12, schuld van 4321 euro"


@pytest.fixture
def key() -> bytes:
    return os.urandom(32)


@pytest.fixture
def store(tmp_path: Path, key: bytes) -> Iterator[Store]:
    s = Store.open(tmp_path / "data" / "spreekkamer.db", key)
    yield s
    s.close()


def test_creates_private_data_dir_and_file(tmp_path: Path, key: bytes) -> None:
    s = Store.open(tmp_path / "new" / "db.sqlite", key)
    s.close()
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "new" / "db.sqlite").stat().st_mode & 0o077 == 0


def test_wrong_key_is_refused_with_a_clear_error(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "db.sqlite"
    Store.open(path, key).close()
    with pytest.raises(StoreError, match="cannot decrypt"):
        Store.open(path, os.urandom(32))
    Store.open(path, key).close()  # the right key still works: nothing was damaged


@pytest.mark.parametrize("bad", [b"", b"x" * 31, b"x" * 33, "a" * 32])
def test_key_must_be_32_bytes(tmp_path: Path, bad: bytes) -> None:
    with pytest.raises(StoreError, match="32 bytes"):
        Store.open(tmp_path / "db.sqlite", bad)
    assert not (tmp_path / "db.sqlite").exists()


def test_content_never_reaches_disk_in_plaintext(store: Store) -> None:
    store.execute(
        "INSERT INTO contacts (id, dossier_ref, template_id, state, opened_at, opened_by, updated_at)"
        " VALUES ('c1', ?, 'intake', 'opened', 'now', 'w', 'now')",
        (SECRET,),
    )
    store.execute(
        "INSERT INTO transcripts (contact_id, sealed_json, created_at) VALUES ('c1', ?, 'now')",
        (SECRET.encode(),),
    )
    wal = Path(f"{store.path}-wal")
    files = [store.path, wal]
    assert wal.stat().st_size > 0, "the rows should be in the WAL before a checkpoint"
    for path in files:
        data = path.read_bytes()
        assert SECRET.encode() not in data, path
        assert b"Kerkstraat" not in data, path
    assert not store.path.read_bytes().startswith(b"SQLite format 3\x00")
    store.checkpoint()
    assert SECRET.encode() not in store.path.read_bytes()
    assert store.query("SELECT dossier_ref FROM contacts")[0]["dossier_ref"] == SECRET


def test_migrations_are_recorded_and_idempotent(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "db.sqlite"
    s = Store.open(path, key)
    names = [r["name"] for r in s.query("SELECT name FROM schema_migrations ORDER BY rowid")]
    assert names == [m.name for m in discover()]
    assert names[0] == "0001_core"
    assert apply_migrations(s) == []
    s.close()
    s = Store.open(path, key)
    assert s.query("SELECT count(*) AS n FROM schema_migrations")[0]["n"] == len(names)
    s.close()


def test_failing_migration_rolls_back_whole_file(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "migs"
    folder.mkdir()
    (folder / "0100_good.sql").write_text("CREATE TABLE extra_a (x INTEGER);\n")
    (folder / "0101_bad.sql").write_text(
        "-- a comment; with a semicolon\nCREATE TABLE extra_b (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n"
    )
    with pytest.raises(StoreError, match="0101_bad"):
        apply_migrations(store, folder)
    tables = {r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "extra_a" in tables and "extra_b" not in tables
    assert not store.query("SELECT 1 FROM schema_migrations WHERE name = '0101_bad'")


def test_split_statements_keeps_trigger_bodies_whole() -> None:
    sql = (
        "CREATE TABLE t (x);\n-- note; here\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;\nCREATE TABLE u (y);"
    )
    stmts = split_statements(sql)
    assert len(stmts) == 3
    assert stmts[1].count("SELECT") == 2
    with pytest.raises(StoreError, match="incomplete"):
        split_statements("CREATE TRIGGER tr2 AFTER INSERT ON t BEGIN SELECT 1;")


def test_transaction_commits_and_rolls_back(store: Store) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT INTO data_keys VALUES ('a', x'01', 'now')")
    with pytest.raises(RuntimeError), store.transaction():
        store.execute("INSERT INTO data_keys VALUES ('b', x'01', 'now')")
        raise RuntimeError("boom")
    assert [r["contact_id"] for r in store.query("SELECT contact_id FROM data_keys")] == ["a"]


def test_nested_transaction_joins_outer(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.execute("INSERT INTO data_keys VALUES ('outer', x'01', 'now')")
        with store.transaction():
            store.execute("INSERT INTO data_keys VALUES ('inner', x'01', 'now')")
        raise RuntimeError("outer fails after inner finished")
    assert store.query("SELECT count(*) AS n FROM data_keys")[0]["n"] == 0
    with store.transaction():
        store.execute("INSERT INTO data_keys VALUES ('kept', x'01', 'now')")
        with pytest.raises(ValueError), store.transaction():
            store.execute("INSERT INTO data_keys VALUES ('undone', x'01', 'now')")
            raise ValueError("inner fails, caller recovers")
    assert [r[0] for r in store.query("SELECT contact_id FROM data_keys")] == ["kept"]


def test_threads_do_not_interleave_inside_a_transaction(store: Store) -> None:
    inside = threading.Event()
    seen: list[int] = []

    def other() -> None:
        inside.wait(timeout=5)
        seen.append(store.query("SELECT count(*) AS n FROM data_keys")[0]["n"])

    t = threading.Thread(target=other)
    t.start()
    with store.transaction():
        store.execute("INSERT INTO data_keys VALUES ('x', x'01', 'now')")
        inside.set()
        t.join(timeout=0.3)
        assert t.is_alive(), "the other thread must wait for the transaction"
        store.execute("INSERT INTO data_keys VALUES ('y', x'01', 'now')")
    t.join(timeout=5)
    assert seen == [2]


def test_waiting_behind_a_stuck_transaction_times_out(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("appliance.store.db.LOCK_TIMEOUT_S", 0.2)
    errors: list[Exception] = []

    def other() -> None:
        try:
            store.query("SELECT 1")
        except StoreError as exc:
            errors.append(exc)

    with store.transaction():
        t = threading.Thread(target=other)
        t.start()
        t.join(timeout=5)
    assert not t.is_alive()
    assert len(errors) == 1 and "busy" in str(errors[0])
    assert store.query("SELECT 1")[0][0] == 1


def test_bad_sql_gives_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        store.query("SELECT * FROM no_such_table")
    with pytest.raises(StoreError):
        store.execute("INSERT INTO data_keys (contact_id) VALUES ('missing not-null columns')")


def test_integrity_check_clean_then_detects_corrupt_page(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "db.sqlite"
    s = Store.open(path, key)
    with s.transaction():
        for i in range(300):
            s.execute("INSERT INTO data_keys VALUES (?, ?, 'now')", (f"c{i}", os.urandom(1000)))
    assert s.integrity_check() == []
    s.close()
    size = path.stat().st_size
    page = 4096
    assert size // page > 20
    with path.open("r+b") as f:  # flip bytes in the middle of the last page (row data)
        f.seek(size - page + 1000)
        f.write(os.urandom(16))
    s = Store.open(path, key)
    try:
        problems = s.integrity_check()
    finally:
        s.close()
    assert problems, "a corrupted page must be reported"
    assert any("cipher_integrity_check" in p for p in problems)


def test_seal_round_trip_and_tamper_detection() -> None:
    k = os.urandom(32)
    blob = seal(k, b"transcript text", b"contact-1")
    assert b"transcript text" not in blob
    assert unseal(k, blob, b"contact-1") == b"transcript text"
    assert seal(k, b"transcript text", b"contact-1") != blob, "nonce must be random"
    for pos in (0, 1, 13, len(blob) - 1):  # version, nonce, ciphertext, tag
        bad = bytearray(blob)
        bad[pos] ^= 0x01
        with pytest.raises(SealError):
            unseal(k, bytes(bad), b"contact-1")
    with pytest.raises(SealError):
        unseal(k, blob, b"contact-2")
    with pytest.raises(SealError):
        unseal(os.urandom(32), blob, b"contact-1")
    with pytest.raises(SealError, match="too short"):
        unseal(k, blob[:20], b"contact-1")
    with pytest.raises(SealError, match="32 bytes"):
        seal(b"short", b"x", b"")


def test_data_keys_create_get_shred(store: Store) -> None:
    keys = DataKeys(store)
    assert not keys.exists("c1")
    k = keys.create("c1")
    assert len(k) == 32 and keys.get("c1") == k and keys.exists("c1")
    with pytest.raises(KeyExists):
        keys.create("c1")
    assert keys.get("c1") == k, "a refused create must not replace the key"
    assert keys.get_or_create("c1") == k
    assert keys.create("c2") != k
    keys.shred("c1")
    store.checkpoint()
    assert not keys.exists("c1")
    with pytest.raises(KeyShredded):
        keys.get("c1")
    keys.shred("c1")  # repeating a revocation is harmless
    assert keys.exists("c2")
    assert store.query("PRAGMA secure_delete")[0][0] == 1, "deleted key rows must be overwritten"
    assert Path(f"{store.path}-wal").stat().st_size == 0, "checkpoint must truncate the WAL"
