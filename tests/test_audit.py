"""The hash-chained audit log on a real SQLCipher store: clean logs verify, every tampering shows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from appliance.box.audit import AuditError, AuditLog, verify_command
from appliance.store.db import Store
from appliance.store.errors import StoreError

CHAIN_KEY = b"k" * 32


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "db.sqlite", os.urandom(32))
    yield s
    s.close()


@pytest.fixture
def log(store: Store) -> AuditLog:
    audit = AuditLog(store, CHAIN_KEY)
    audit.append("contact.opened", contact_id="c1", actor="an", template="intake")
    audit.append("consent.granted", contact_id="c1", actor="client", channel="kiosk", language="nl")
    audit.append("recording.started", contact_id="c1", actor="an")
    audit.append("recording.stopped", contact_id="c1", actor="an", seconds=312.5)
    audit.append("worker.login", actor="bert", ok=True, attempts=1, note=None)
    return audit


def tamper(store: Store, sql: str, params: tuple[object, ...] = ()) -> None:
    """What someone holding the database key could do: drop the guards, then change rows."""
    with store.transaction() as conn:
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        conn.execute(sql, params)


def test_clean_log_verifies(log: AuditLog) -> None:
    verdict = log.verify()
    assert verdict.ok and verdict.entries == 5 and verdict.problems == []


def test_empty_log_verifies(store: Store) -> None:
    assert AuditLog(store, CHAIN_KEY).verify().ok


def test_entries_are_chained_and_filterable(log: AuditLog) -> None:
    newest = log.entries()
    assert [e.seq for e in newest] == [5, 4, 3, 2, 1]
    assert newest[0].event == "worker.login" and newest[0].details == {"ok": True, "attempts": 1, "note": None}
    assert all(a.prev_hash == b.hash for a, b in pairwise(newest))
    assert newest[-1].prev_hash == "0" * 64
    assert [e.event for e in log.entries("c1", limit=2)] == ["recording.stopped", "recording.started"]
    assert log.entries("nobody") == []


def test_edited_entry_is_detected(store: Store, log: AuditLog) -> None:
    tamper(store, "UPDATE audit_log SET details = ? WHERE seq = 4", ('{"seconds":12.5}',))
    verdict = log.verify()
    assert not verdict.ok
    assert verdict.problems == ["entry 4 (recording.stopped) was altered after it was written"]


def test_edited_actor_is_detected(store: Store, log: AuditLog) -> None:
    tamper(store, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1")
    assert any("entry 1" in p for p in log.verify().problems)


def test_deleted_middle_entry_is_detected(store: Store, log: AuditLog) -> None:
    tamper(store, "DELETE FROM audit_log WHERE seq = 3")
    verdict = log.verify()
    assert not verdict.ok and verdict.entries == 4
    assert any("3..3 are missing" in p for p in verdict.problems)
    assert any("entry 4 does not follow" in p for p in verdict.problems)


def test_deleted_tail_is_detected(store: Store, log: AuditLog) -> None:
    tamper(store, "DELETE FROM audit_log WHERE seq >= 4")
    verdict = log.verify()
    assert verdict.problems == ["the newest entries 4..5 were deleted"]


def test_head_wound_back_to_an_older_entry_is_detected(store: Store, log: AuditLog) -> None:
    tamper(store, "DELETE FROM audit_log WHERE seq = 5")
    tamper(store, "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)")
    assert log.verify().problems == ["the chain head was altered"]


def test_all_entries_deleted_is_detected(store: Store, log: AuditLog) -> None:
    tamper(store, "DELETE FROM audit_log")
    assert log.verify().problems == ["all 5 entries were deleted"]


def test_reordered_entries_are_detected(store: Store, log: AuditLog) -> None:
    tamper(store, "UPDATE audit_log SET seq = -1 WHERE seq = 2")
    tamper(store, "UPDATE audit_log SET seq = 2 WHERE seq = 3")
    tamper(store, "UPDATE audit_log SET seq = 3 WHERE seq = -1")
    verdict = log.verify()
    assert not verdict.ok
    assert any("entry 2 does not follow" in p for p in verdict.problems)


def test_wrong_chain_key_fails_verification(store: Store, log: AuditLog) -> None:
    assert not AuditLog(store, b"x" * 32).verify().ok


def test_log_is_append_only_for_the_service(store: Store, log: AuditLog) -> None:
    with pytest.raises(StoreError, match="append-only"):
        store.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
    with pytest.raises(StoreError, match="append-only"):
        store.execute("DELETE FROM audit_log WHERE seq = 5")
    assert log.verify().ok


def test_append_joins_the_callers_transaction(store: Store, log: AuditLog) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.execute("INSERT INTO data_keys VALUES ('c9', x'01', 'now')")
        log.append("contact.opened", contact_id="c9", actor="an")
        raise RuntimeError("state change failed")
    assert log.entries("c9") == []
    assert not store.query("SELECT 1 FROM data_keys WHERE contact_id = 'c9'")
    with store.transaction():
        log.append("contact.opened", contact_id="c9", actor="an")
    assert log.verify().ok and log.verify().entries == 6


@pytest.mark.parametrize(
    ("event", "details"),
    [
        ("Consent Granted", {}),
        ("consent.granted", {"text": "x" * 201}),
        ("consent.granted", {"segments": ["a", "b"]}),
        ("consent.granted", {"Bad-Key": 1}),
        ("consent.granted", {"score": float("nan")}),
    ],
)
def test_guard_refuses_content_and_bad_names(log: AuditLog, event: str, details: dict[str, object]) -> None:
    with pytest.raises(AuditError):
        log.append(event, contact_id="c1", **details)  # type: ignore[arg-type]
    assert log.verify().entries == 5, "a refused entry leaves no trace and no gap"
    assert log.verify().ok


def test_short_chain_key_refused(store: Store) -> None:
    with pytest.raises(AuditError):
        AuditLog(store, b"short")


def test_verify_command_prints_and_exits(store: Store, log: AuditLog, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_command(store, CHAIN_KEY) == 0
    assert "intact: 5 entries" in capsys.readouterr().out
    tamper(store, "DELETE FROM audit_log WHERE seq = 5")
    assert verify_command(store, CHAIN_KEY) == 1
    out = capsys.readouterr().out
    assert "NOT intact" in out and "entries 5..5 were deleted" in out
