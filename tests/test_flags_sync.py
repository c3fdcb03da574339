"""Standing-choice flags: last writer wins on the box, and room to room through central."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from appliance.store.db import Store
from appliance.sync import topics
from appliance.sync.flag_message import FlagMessage, FlagMessageError, sign_flag, verify_flag
from appliance.sync.flags import FlagError, apply_flag, enqueue_flag, pending_flags
from appliance.sync.relay import Relay
from central.dossiers import flags as central_flags
from central.receiver import Receiver
from tests import broker as broker_fixtures
from tests.broker import ORG, RunningBroker
from tests.test_sync import _private, _public, raw_client, receiver_config, wait_until

mqtt_broker = broker_fixtures.mqtt_broker  # the module-scoped real Mosquitto
pytestmark = pytest.mark.timeout(90)
T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


def new_hmac() -> str:
    return secrets.token_hex(32)


def pending(store: Store) -> list[str]:
    with store.transaction() as conn:
        return [row.flag for row in pending_flags(conn)]


def flag_of(store: Store, dossier_hmac: str) -> str | None:
    rows = store.query("SELECT flag FROM dossier_flags WHERE dossier_hmac = ?", (dossier_hmac,))
    return str(rows[0][0]) if rows else None


@pytest.fixture()
def boxes(tmp_path: Path) -> Iterator[dict[str, Store]]:
    made = {
        name: Store.open(tmp_path / name / "spreekkamer.db", os.urandom(32))
        for name in ("room-1", "room-2")
    }
    yield made
    for store in made.values():
        store.close()


class Heard:
    """Collects on_flag calls from a relay thread."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, dt.datetime]] = []
        self.lock = threading.Lock()

    def __call__(self, dossier_hmac: str, flag: str, set_at: dt.datetime) -> None:
        with self.lock:
            self.items.append((dossier_hmac, flag, set_at))

    def has(self, dossier_hmac: str, flag: str) -> bool:
        with self.lock:
            return any(h == dossier_hmac and f == flag for h, f, _ in self.items)


def flag_relay(rb: RunningBroker, store: Store, device: str, heard: Heard | None) -> Relay:
    verify = _public(rb.pki.central_ed25519_pub)
    signing = _private(rb.pki.devices[device].signing_key)
    assert isinstance(verify, Ed25519PublicKey) and isinstance(signing, Ed25519PrivateKey)
    files = rb.pki.devices[device]
    return Relay(
        db=store,
        device_id=device,
        org=ORG,
        broker_host=rb.host,
        broker_port=rb.port,
        ca_file=rb.pki.ca_cert,
        cert_file=files.cert,
        key_file=files.key,
        central_verify_key=verify,
        on_delivered=lambda _r, _v: None,
        timeout_s=5.0,
        backoff_base_s=0.2,
        backoff_max_s=1.0,
        signing_key=signing,
        on_flag=heard,
    )


def set_flag(store: Store, dossier_hmac: str, flag: str, when: dt.datetime) -> None:
    """What the core does: change its own dossier_flags and queue the change, in one transaction."""
    with store.transaction() as conn:
        if flag == "manual_path":
            conn.execute(
                "INSERT OR REPLACE INTO dossier_flags VALUES (?, 'manual_path', ?)",
                (dossier_hmac, when.isoformat()),
            )
        else:
            conn.execute("DELETE FROM dossier_flags WHERE dossier_hmac = ?", (dossier_hmac,))
        enqueue_flag(conn, dossier_hmac=dossier_hmac, flag=flag, set_at=when)  # type: ignore[arg-type]


# -- on the box ------------------------------------------------------------------------------


def test_last_writer_wins_and_a_late_old_flag_does_not_resurrect(boxes: dict[str, Store]) -> None:
    box, h = boxes["room-1"], new_hmac()
    with box.transaction() as conn:
        assert apply_flag(conn, dossier_hmac=h, flag="manual_path", set_at=T0) is True
        assert apply_flag(conn, dossier_hmac=h, flag="manual_path", set_at=T0) is False  # repeat
    assert flag_of(box, h) == "manual_path"
    with box.transaction() as conn:
        later = T0 + dt.timedelta(hours=1)
        assert apply_flag(conn, dossier_hmac=h, flag="cleared", set_at=later) is True
        # A 'manual_path' from before the opt-in arrives late (a box that was offline):
        assert apply_flag(conn, dossier_hmac=h, flag="manual_path", set_at=T0) is False
        assert (
            apply_flag(
                conn, dossier_hmac=h, flag="manual_path", set_at=later - dt.timedelta(seconds=1)
            )
            is False
        )
    assert flag_of(box, h) is None
    with box.transaction() as conn:
        assert (
            apply_flag(conn, dossier_hmac=h, flag="manual_path", set_at=T0 + dt.timedelta(hours=2))
            is True
        )
    assert flag_of(box, h) == "manual_path"


def test_local_change_beats_an_older_flag_from_central(boxes: dict[str, Store]) -> None:
    box, h = boxes["room-1"], new_hmac()
    set_flag(box, h, "manual_path", T0)
    set_flag(box, h, "cleared", T0 + dt.timedelta(minutes=5))  # opted in again at this kiosk
    with box.transaction() as conn:
        assert apply_flag(conn, dossier_hmac=h, flag="manual_path", set_at=T0) is False
        assert [(r.flag, r.attempts) for r in pending_flags(conn)] == [
            ("manual_path", 0),
            ("cleared", 0),
        ]
    assert flag_of(box, h) is None


def test_bad_flags_are_refused_and_roll_back_with_the_caller(boxes: dict[str, Store]) -> None:
    box, h = boxes["room-1"], new_hmac()
    with box.transaction() as conn:
        with pytest.raises(FlagError, match="HMAC"):
            enqueue_flag(conn, dossier_hmac="DOS-2025-0042", flag="manual_path", set_at=T0)
        with pytest.raises(FlagError, match="unknown flag"):
            enqueue_flag(conn, dossier_hmac=h, flag="maybe", set_at=T0)  # type: ignore[arg-type]
        with pytest.raises(FlagError, match="timezone"):
            apply_flag(conn, dossier_hmac=h, flag="cleared", set_at=dt.datetime(2025, 1, 1))
    with pytest.raises(RuntimeError), box.transaction() as conn:
        enqueue_flag(conn, dossier_hmac=h, flag="manual_path", set_at=T0)
        raise RuntimeError("the core's own change failed")
    with box.transaction() as conn:
        assert pending_flags(conn) == []


def test_flag_messages_are_bound_to_key_and_kind() -> None:
    central, device = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    message = FlagMessage(ORG, "room-1", 3, new_hmac(), "manual_path", T0.isoformat())
    standing = sign_flag("standing", message, signing_key=central)
    assert verify_flag("standing", standing, verify_key=central.public_key()) == message
    with pytest.raises(FlagMessageError, match="not signed"):
        verify_flag("standing", standing, verify_key=device.public_key())
    with pytest.raises(FlagMessageError, match="not a flag"):
        verify_flag(
            "standing",
            sign_flag("ack", message, signing_key=central),
            verify_key=central.public_key(),
        )
    with pytest.raises(FlagMessageError):
        verify_flag(
            "standing", standing[:-1] + bytes([standing[-1] ^ 1]), verify_key=central.public_key()
        )
    with pytest.raises(ValueError, match="hex"):
        sign_flag(
            "notice",
            FlagMessage(ORG, "room-1", 1, "DOS-1", "cleared", T0.isoformat()),
            signing_key=device,
        )


# -- room to room through a real broker and receiver ----------------------------------------


def test_flag_from_room_1_reaches_room_2_and_a_later_clear_removes_it(
    mqtt_broker: RunningBroker, boxes: dict[str, Store], tmp_path: Path
) -> None:
    config = receiver_config(mqtt_broker, tmp_path)
    receiver = Receiver(config)
    receiver.start(timeout=10)
    heard1, heard2 = Heard(), Heard()
    room1 = flag_relay(mqtt_broker, boxes["room-1"], "room-1", heard1)
    room2 = flag_relay(mqtt_broker, boxes["room-2"], "room-2", heard2)
    h = new_hmac()
    room1.start()
    room2.start()
    try:
        wait_until(lambda: room2.status().connected, 10, "room-2 connected")
        set_flag(boxes["room-1"], h, "manual_path", dt.datetime.now(dt.UTC))
        room1.kick()
        wait_until(lambda: heard2.has(h, "manual_path"), 15, "room-2 heard the flag")
        assert flag_of(boxes["room-2"], h) == "manual_path"
        wait_until(lambda: pending(boxes["room-1"]) == [], 10, "room-1's row acked by central")
        stored = [
            f for f in central_flags.standing_flags(config.database_url) if f.dossier_hmac == h
        ]
        assert [(f.flag, f.device_id) for f in stored] == [("manual_path", "room-1")]

        set_flag(boxes["room-1"], h, "cleared", dt.datetime.now(dt.UTC))
        room1.kick()
        wait_until(lambda: heard2.has(h, "cleared"), 15, "room-2 heard the clear")
        assert flag_of(boxes["room-2"], h) is None
        # The sender hears central's word too; it changes nothing there.
        wait_until(lambda: heard1.has(h, "cleared"), 10, "room-1 heard central's clear")
        assert flag_of(boxes["room-1"], h) is None
    finally:
        room1.stop()
        room2.stop()
        receiver.stop()
    # Only the HMAC travelled: nothing in central's database looks like a dossier reference.
    assert all(
        len(f.dossier_hmac) == 64 for f in central_flags.standing_flags(config.database_url)
    )


def test_a_box_that_comes_online_later_gets_the_retained_flag(
    mqtt_broker: RunningBroker, boxes: dict[str, Store], tmp_path: Path
) -> None:
    receiver = Receiver(receiver_config(mqtt_broker, tmp_path))
    receiver.start(timeout=10)
    room1 = flag_relay(mqtt_broker, boxes["room-1"], "room-1", None)
    h = new_hmac()
    set_flag(boxes["room-1"], h, "manual_path", dt.datetime.now(dt.UTC))
    room1.start()
    try:
        wait_until(lambda: pending(boxes["room-1"]) == [], 15, "room-1's flag acked")
    finally:
        room1.stop()
        receiver.stop()
    # Everyone central-side is gone; room-2 boots now, with no on_flag wired: it still applies.
    room2 = flag_relay(mqtt_broker, boxes["room-2"], "room-2", None)
    room2.start()
    try:
        wait_until(lambda: flag_of(boxes["room-2"], h) == "manual_path", 15, "retained flag")
    finally:
        room2.stop()


@pytest.mark.allow_logged_errors
def test_forged_flags_are_refused_by_the_acl_or_ignored_by_the_box(
    mqtt_broker: RunningBroker, boxes: dict[str, Store]
) -> None:
    heard = Heard()
    room2 = flag_relay(mqtt_broker, boxes["room-2"], "room-2", heard)
    h = new_hmac()
    message = FlagMessage(ORG, "room-1", 1, h, "manual_path", dt.datetime.now(dt.UTC).isoformat())
    device = raw_client(mqtt_broker, "room-1", f"forger-{uuid.uuid4().hex[:8]}")
    central = raw_client(mqtt_broker, "receiver", f"central-{uuid.uuid4().hex[:8]}")
    room2.start()
    try:
        wait_until(lambda: room2.status().connected, 10, "room-2 connected")
        # 1. A device may not write the org's flag topics at all: the broker says no.
        room1_key = _private(mqtt_broker.pki.devices["room-1"].signing_key)
        assert isinstance(room1_key, Ed25519PrivateKey)
        refused: list[int] = []
        device.on_publish = lambda _c, _u, _mid, rc, _p: refused.append(rc.value)
        device.publish(
            topics.standing_flag(ORG, h),
            sign_flag("standing", message, signing_key=room1_key),
            qos=1,
            retain=True,
        ).wait_for_publish(5)
        wait_until(lambda: refused == [0x87], 5, "PUBACK 'not authorized'")
        # 2. On the right topic but not signed by central (a broker or receiver gone bad): ignored.
        rogue = Ed25519PrivateKey.generate()
        central.publish(
            topics.standing_flag(ORG, h),
            sign_flag("standing", message, signing_key=rogue),
            qos=1,
            retain=True,
        ).wait_for_publish(5)
        wait_until(lambda: "flag" in (room2.status().last_error or ""), 10, "forgery noticed")
        assert flag_of(boxes["room-2"], h) is None
        assert not heard.has(h, "manual_path")
        # 3. The same flag signed by central is taken, so the path itself works.
        real = _private(mqtt_broker.pki.central_ed25519_key)
        assert isinstance(real, Ed25519PrivateKey)
        central.publish(
            topics.standing_flag(ORG, h),
            sign_flag("standing", message, signing_key=real),
            qos=1,
            retain=True,
        ).wait_for_publish(5)
        wait_until(lambda: flag_of(boxes["room-2"], h) == "manual_path", 10, "central's flag")
    finally:
        room2.stop()
        for client in (device, central):
            client.disconnect()
            client.loop_stop()


@pytest.mark.allow_logged_errors
def test_receiver_refuses_a_notice_signed_by_another_device(
    mqtt_broker: RunningBroker, tmp_path: Path
) -> None:
    config = receiver_config(mqtt_broker, tmp_path)
    receiver = Receiver(config)
    room2_key = _private(mqtt_broker.pki.devices["room-2"].signing_key)
    room1_key = _private(mqtt_broker.pki.devices["room-1"].signing_key)
    assert isinstance(room2_key, Ed25519PrivateKey) and isinstance(room1_key, Ed25519PrivateKey)
    message = FlagMessage(ORG, "room-1", 1, new_hmac(), "manual_path", T0.isoformat())
    try:
        topic = topics.flag_notices(ORG, "room-1")
        assert (
            receiver.handle_flag(topic, sign_flag("notice", message, signing_key=room2_key)) is None
        )
        assert (
            receiver.handle_flag(
                topics.flag_notices(ORG, "room-2"),
                sign_flag("notice", message, signing_key=room2_key),
            )
            is None
        )
        reply = receiver.handle_flag(topic, sign_flag("notice", message, signing_key=room1_key))
        assert reply is not None and reply.standing_topic == topics.standing_flag(
            ORG, message.dossier_hmac
        )
        # An older notice for the same dossier is acked, but the newer flag keeps standing.
        older = FlagMessage(
            ORG,
            "room-1",
            2,
            message.dossier_hmac,
            "cleared",
            (T0 - dt.timedelta(days=1)).isoformat(),
        )
        again = receiver.handle_flag(topic, sign_flag("notice", older, signing_key=room1_key))
        verify = _public(mqtt_broker.pki.central_ed25519_pub)
        assert isinstance(verify, Ed25519PublicKey) and again is not None
        assert verify_flag("standing", again.standing, verify_key=verify).flag == "manual_path"
        assert verify_flag("ack", again.ack, verify_key=verify).seq == 2
    finally:
        receiver.stop()


@pytest.mark.allow_logged_errors
def test_a_flag_dated_ahead_of_centrals_clock_cannot_cancel_a_no(
    mqtt_broker: RunningBroker, tmp_path: Path
) -> None:
    receiver = Receiver(receiver_config(mqtt_broker, tmp_path))
    room1_key = _private(mqtt_broker.pki.devices["room-1"].signing_key)
    assert isinstance(room1_key, Ed25519PrivateKey)
    topic = topics.flag_notices(ORG, "room-1")
    now = dt.datetime.now(dt.UTC)
    no = FlagMessage(ORG, "room-1", 1, new_hmac(), "manual_path", now.isoformat())
    try:
        # Nothing stands yet and the notice is dated in the far future: refused, not acked.
        alone = FlagMessage(ORG, "room-1", 1, new_hmac(), "manual_path", "9999-12-31T00:00:00+00:00")
        assert receiver.handle_flag(topic, sign_flag("notice", alone, signing_key=room1_key)) is None
        assert receiver.handle_flag(topic, sign_flag("notice", no, signing_key=room1_key)) is not None
        forged = FlagMessage(ORG, "room-1", 2, no.dossier_hmac, "cleared", "9999-12-31T00:00:00+00:00")
        reply = receiver.handle_flag(topic, sign_flag("notice", forged, signing_key=room1_key))
        verify = _public(mqtt_broker.pki.central_ed25519_pub)
        assert isinstance(verify, Ed25519PublicKey) and reply is not None
        assert verify_flag("standing", reply.standing, verify_key=verify).flag == "manual_path"
    finally:
        receiver.stop()
