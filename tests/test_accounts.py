"""Worker accounts on a real SQLCipher store: argon2id, back-off, lockout, sessions."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appliance.box import accounts
from appliance.box.accounts import (
    AccountError,
    LoginRefused,
    User,
    authenticate,
    close_session,
    create_user,
    get_user,
    open_session,
    session_user,
    set_password,
    unlock,
)
from appliance.store.db import Store

PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "db.sqlite", os.urandom(32))
    create_user(s, "an.peeters", "An Peeters", "worker", PASSWORD)
    yield s
    s.close()


def refused(store: Store, username: str, password: str, now: datetime) -> LoginRefused:
    with pytest.raises(LoginRefused) as info:
        authenticate(store, username, password, now)
    return info.value


def test_password_is_stored_as_argon2id(store: Store) -> None:
    digest = store.query("SELECT password_hash FROM users WHERE username = 'an.peeters'")[0][0]
    assert digest.startswith("$argon2id$")
    assert PASSWORD not in digest


def test_correct_login_returns_the_user(store: Store) -> None:
    assert authenticate(store, "An.Peeters ", PASSWORD, T0) == User("an.peeters", "An Peeters", "worker")
    assert get_user(store, "an.peeters") == User("an.peeters", "An Peeters", "worker")


@pytest.mark.parametrize(
    ("username", "password", "match"),
    [
        ("bert", "short", "at least 12"),
        ("x", "long enough password", "username"),
        ("bad name!", "long enough password", "username"),
        ("bert", "bert-is-my-password", "username"),
    ],
)
def test_account_rules_give_clear_errors(store: Store, username: str, password: str, match: str) -> None:
    with pytest.raises(AccountError, match=match):
        create_user(store, username, "Bert", "worker", password)
    assert get_user(store, username) is None


def test_duplicate_and_bad_role_refused(store: Store) -> None:
    with pytest.raises(AccountError, match="already exists"):
        create_user(store, "AN.PEETERS", "Other", "worker", "another long password")
    with pytest.raises(AccountError, match="role"):
        create_user(store, "bert", "Bert", "boss", "another long password")  # type: ignore[arg-type]


def test_unknown_user_and_wrong_password_look_the_same(store: Store) -> None:
    wrong = refused(store, "an.peeters", "wrong password!!", T0)
    unknown = refused(store, "nobody.here", "wrong password!!", T0)
    assert (wrong.reason, wrong.retry_after_s, wrong.code) == (unknown.reason, unknown.retry_after_s, unknown.code)
    assert wrong.code == "invalid" and wrong.retry_after_s == 0

    def timed(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(LoginRefused):
            authenticate(store, name, "wrong password!!", T0)
        return time.perf_counter() - start

    known_s = min(timed("an.peeters") for _ in range(2))
    unknown_s = min(timed(f"ghost{i}") for i in range(2))
    assert unknown_s > known_s / 3, "an unknown name must cost a full hash check too"


def test_backoff_after_three_failures_and_lockout_after_ten(store: Store) -> None:
    now = T0
    for _ in range(3):
        assert refused(store, "an.peeters", "wrong password!!", now).code == "invalid"
    blocked = refused(store, "an.peeters", PASSWORD, now)  # even the right password must wait
    assert blocked.code == "backoff" and blocked.retry_after_s == pytest.approx(1.0)
    waits = []
    for _ in range(6):  # failures 4..9: the wait doubles each time
        now += timedelta(seconds=blocked.retry_after_s + 0.001)
        refused(store, "an.peeters", "wrong password!!", now)
        blocked = refused(store, "an.peeters", PASSWORD, now)
        waits.append(round(blocked.retry_after_s))
    assert waits == [2, 4, 8, 16, 32, 64]
    now += timedelta(seconds=blocked.retry_after_s + 0.001)
    refused(store, "an.peeters", "wrong password!!", now)  # the 10th failure
    locked = refused(store, "an.peeters", PASSWORD, now + timedelta(minutes=14))
    assert locked.code == "locked" and 0 < locked.retry_after_s <= 60
    assert "geblokkeerd" in locked.reason
    row = store.query("SELECT failed_logins, locked_until FROM users WHERE username = 'an.peeters'")[0]
    assert row["failed_logins"] == 10 and row["locked_until"]
    user = authenticate(store, "an.peeters", PASSWORD, now + timedelta(minutes=15, seconds=1))
    assert user.username == "an.peeters"
    assert refused(store, "an.peeters", "wrong password!!", now + timedelta(minutes=16)).code == "invalid"
    assert authenticate(store, "an.peeters", PASSWORD, now + timedelta(minutes=16))  # counter was reset


def test_unknown_names_are_throttled_like_known_ones(store: Store) -> None:
    for _ in range(3):
        refused(store, "ghost", "wrong password!!", T0)
    assert refused(store, "ghost", "wrong password!!", T0).code == "backoff"
    assert authenticate(store, "an.peeters", PASSWORD, T0), "one name's failures do not block another"


def test_set_password_replaces_and_unblocks(store: Store) -> None:
    for _ in range(3):
        refused(store, "an.peeters", "wrong password!!", T0)
    set_password(store, "an.peeters", "a brand new passphrase")
    assert authenticate(store, "an.peeters", "a brand new passphrase", T0)
    assert refused(store, "an.peeters", PASSWORD, T0).code == "invalid"
    with pytest.raises(AccountError):
        set_password(store, "an.peeters", "short")


def test_session_round_trip_and_no_plaintext_token(store: Store) -> None:
    token = open_session(store, "an.peeters", now=T0)
    assert len(token) >= 40
    stored = [r[0] for r in store.query("SELECT token_hash FROM sessions")]
    assert stored and token not in stored and all(token not in s for s in stored)
    assert session_user(store, token, now=T0 + timedelta(hours=1)) == User("an.peeters", "An Peeters", "worker")
    assert session_user(store, token + "x", now=T0) is None
    assert session_user(store, "", now=T0) is None
    close_session(store, token)
    assert session_user(store, token, now=T0) is None


def test_session_expires(store: Store) -> None:
    token = open_session(store, "an.peeters", ttl=timedelta(hours=8), now=T0)
    assert session_user(store, token, now=T0 + timedelta(hours=7, minutes=59)) is not None
    assert session_user(store, token, now=T0 + timedelta(hours=8)) is None
    assert not store.query("SELECT 1 FROM sessions"), "an expired session is removed when seen"


def test_session_defaults_to_the_real_clock(store: Store) -> None:
    token = open_session(store, "an.peeters")
    assert session_user(store, token) is not None
    with pytest.raises(ValueError, match="timezone"):
        session_user(store, token, now=datetime(2026, 1, 1))


def test_a_password_is_bounded_alike_at_creation_and_at_login(store: Store) -> None:
    from pydantic import ValidationError

    from appliance.api.schemas import LoginBody
    from appliance.box.accounts import MAX_PASSWORD_CHARS

    longest = "x" * (MAX_PASSWORD_CHARS - 8) + "Aa1!Bb2@"
    create_user(store, "jan.claes", "Jan Claes", "worker", longest)
    LoginBody(username="jan.claes", password=longest)  # what can be set can be typed in
    assert authenticate(store, "jan.claes", longest, T0).username == "jan.claes"
    with pytest.raises(AccountError, match="at most"):
        create_user(store, "els.maes", "Els Maes", "worker", longest + "z")
    with pytest.raises(ValidationError):
        LoginBody(username="jan.claes", password=longest + "z")


def _lock(store: Store, now: datetime) -> datetime:
    """Ten failures, each once the wait the one before asked for is over; returns when the lock ends."""
    for _ in range(accounts.LOCK_AFTER):
        assert refused(store, "an.peeters", "wrong password!!", now).code == "invalid"
        until = store.query("SELECT blocked_until FROM login_throttle")[0]["blocked_until"]
        now = datetime.fromisoformat(until) + timedelta(milliseconds=1) if until else now
    return now


def test_a_lock_that_ran_out_is_not_renewed_by_one_wrong_attempt(store: Store) -> None:
    # Someone trying one wrong password every 15 minutes must not keep the worker out for good.
    now = _lock(store, T0)
    assert refused(store, "an.peeters", PASSWORD, now - timedelta(minutes=1)).code == "locked"
    for _ in range(3):
        assert refused(store, "an.peeters", "wrong password!!", now).code == "invalid"
        now += accounts.LOCK_TIME
    assert authenticate(store, "an.peeters", PASSWORD, now).username == "an.peeters"


def test_failures_are_forgotten_after_a_day_and_their_rows_pruned(store: Store) -> None:
    for name in ("ghost", "nobody", "an.peeters"):
        refused(store, name, "wrong password!!", T0)
    assert len(store.query("SELECT 1 FROM login_throttle")) == 3
    authenticate(store, "an.peeters", PASSWORD, T0 + accounts.FAILURE_MEMORY + timedelta(seconds=1))
    assert store.query("SELECT 1 FROM login_throttle") == []


def test_parallel_guesses_are_counted_before_any_is_checked(store: Store) -> None:
    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(lambda _: refused(store, "an.peeters", "wrong password!!", T0).code, range(12)))
    # Three attempts are free; the third starts a wait that every other parallel one runs into.
    assert codes.count("invalid") == accounts.BACKOFF_AFTER
    assert codes.count("backoff") == 12 - accounts.BACKOFF_AFTER


def test_it_unlocks_a_locked_account(store: Store) -> None:
    now = _lock(store, T0) - timedelta(minutes=5)
    assert refused(store, "an.peeters", PASSWORD, now).code == "locked"
    assert unlock(store, "AN.Peeters") is True
    assert authenticate(store, "an.peeters", PASSWORD, now).username == "an.peeters"
    assert unlock(store, "nobody") is False


def test_a_new_password_ends_every_open_session(store: Store) -> None:
    tokens = [open_session(store, "an.peeters") for _ in range(2)]
    set_password(store, "an.peeters", "a brand new passphrase")
    assert [session_user(store, t) for t in tokens] == [None, None]


def test_password_hashing_is_bounded_and_a_login_over_the_bound_is_told_to_retry(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "HASHING_WAIT_S", 0.2)
    held = [accounts._HASHING.acquire(timeout=1) for _ in range(accounts.HASHING_AT_ONCE)]
    try:
        assert all(held)
        busy = refused(store, "an.peeters", PASSWORD, T0)
        assert busy.code == "busy" and busy.retry_after_s > 0
    finally:
        for _ in held:
            accounts._HASHING.release()
    assert authenticate(store, "an.peeters", PASSWORD, T0 + timedelta(seconds=2)).username == "an.peeters"
