"""Outbox, relay and central receiver through a real Mosquitto with TLS client certificates."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from appliance.store.db import Store
from appliance.sync import outbox, topics
from appliance.sync.envelope import Ack, seal_report, sign_ack, verify_ack
from appliance.sync.mqtt_tls import make_client, probe_tls_identity
from appliance.sync.relay import Relay
from central.__main__ import main as central_main
from central.config import DirectorySinkConfig, ReceiverConfig, WebhookSinkConfig
from central.dossiers import reports as central_store
from central.receiver import Receiver, ReceiverError
from provisioning.pki import make_dev_pki
from tests import broker as broker_fixtures
from tests.broker import ORG, RunningBroker, free_port
from tests.postgres import database_for, storage_credentials

mqtt_broker = broker_fixtures.mqtt_broker  # the module-scoped real Mosquitto
pytestmark = pytest.mark.timeout(90)
NOW = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll until `predicate()` holds; fail the test with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for: {what}")


def _private(path: Path) -> object:
    return load_pem_private_key(path.read_bytes(), password=None)


def _public(path: Path) -> object:
    return load_pem_public_key(path.read_bytes())


def seal(
    rb: RunningBroker, device: str, report_id: str, *, body: bytes | None = None, version: int = 1
) -> bytes:
    signing = _private(rb.pki.devices[device].signing_key)
    central = _public(rb.pki.central_x25519_pub)
    assert isinstance(signing, Ed25519PrivateKey) and isinstance(central, X25519PublicKey)
    report = body or json.dumps({"report_id": report_id, "tekst": "Cliënt woont in Gent."}).encode()
    return seal_report(
        report,
        pdf=b"%PDF-1.7 test",
        device_id=device,
        report_id=report_id,
        version=version,
        signing_key=signing,
        central_public=central,
    )


@pytest.fixture()
def box(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "box" / "spreekkamer.db", os.urandom(32))
    yield store
    store.close()


class Delivered:
    """Collects on_delivered calls from the relay thread."""

    def __init__(self) -> None:
        self.items: list[tuple[str, int]] = []

    def __call__(self, report_id: str, version: int) -> None:
        self.items.append((report_id, version))


def make_relay(
    rb: RunningBroker,
    store: Store,
    delivered: Delivered,
    *,
    device: str = "room-1",
    cert: Path | None = None,
    key: Path | None = None,
) -> Relay:
    verify = _public(rb.pki.central_ed25519_pub)
    assert isinstance(verify, Ed25519PublicKey)
    files = rb.pki.devices[device]
    return Relay(
        db=store,
        device_id=device,
        org=ORG,
        broker_host=rb.host,
        broker_port=rb.port,
        ca_file=rb.pki.ca_cert,
        cert_file=cert or files.cert,
        key_file=key or files.key,
        central_verify_key=verify,
        on_delivered=delivered,
        timeout_s=5.0,
        backoff_base_s=0.2,
        backoff_max_s=1.0,
    )


def receiver_config(
    rb: RunningBroker, tmp_path: Path, *, sink: object = None, client_id: str = "receiver-1"
) -> ReceiverConfig:
    return ReceiverConfig(
        broker_host=rb.host,
        broker_port=rb.port,
        client_id=client_id,
        ca_file=rb.pki.ca_cert,
        cert_file=rb.pki.receiver_cert,
        key_file=rb.pki.receiver_key,
        central_x25519_key_file=rb.pki.central_x25519_key,
        central_ed25519_key_file=rb.pki.central_ed25519_key,
        device_registry_file=rb.pki.devices_json,
        database_url=database_for(tmp_path),
        credentials_dir=storage_credentials(tmp_path),
        sink=sink or DirectorySinkConfig(path=tmp_path / "central" / "dossier"),
        timeout_s=5.0,
    )


def enqueue(store: Store, report_id: str, envelope: bytes, version: int = 1) -> None:
    with store.transaction() as conn:
        outbox.enqueue(
            conn,
            report_id=report_id,
            version=version,
            envelope=envelope,
            now=dt.datetime.now(dt.UTC),
        )


def row(store: Store, report_id: str) -> outbox.OutboxRow:
    with store.transaction() as conn:
        found = outbox.get(conn, report_id, 1)
    assert found is not None
    return found


def filed(config: ReceiverConfig, report_id: str) -> list[central_store.StoredReport]:
    return [
        r for r in central_store.stored_reports(config.database_url) if r.report_id == report_id
    ]


# -- outbox table ---------------------------------------------------------------------------


def test_outbox_lifecycle_and_due_times(box: Store) -> None:
    with box.transaction() as conn:
        outbox.enqueue(conn, report_id="r-a", version=1, envelope=b"sealed-a", now=NOW)
        outbox.enqueue(conn, report_id="r-b", version=1, envelope=b"sealed-b", now=NOW)
        assert [r.report_id for r in outbox.pending(conn, NOW)] == ["r-a", "r-b"]
        outbox.mark_attempt(conn, "r-a", 1, next_attempt_at=NOW + dt.timedelta(seconds=30))
        assert [r.report_id for r in outbox.pending(conn, NOW)] == ["r-b"]
        assert [r.report_id for r in outbox.pending(conn, NOW + dt.timedelta(seconds=30))] == [
            "r-a",
            "r-b",
        ]
        assert outbox.get(conn, "r-a", 1).attempts == 1  # type: ignore[union-attr]
        assert outbox.mark_done(conn, "r-a", 1, NOW) is True
        assert outbox.mark_done(conn, "r-a", 1, NOW) is False  # a repeated ack changes nothing
        assert outbox.counts(conn) == {"pending": 1, "done": 1}
        assert outbox.get(conn, "r-a", 1).acked_at == NOW  # type: ignore[union-attr]


def test_outbox_refuses_duplicates_naive_times_and_unknown_rows(box: Store) -> None:
    with box.transaction() as conn:
        outbox.enqueue(conn, report_id="r-a", version=1, envelope=b"x", now=NOW)
        with pytest.raises(outbox.OutboxError, match="already"):
            outbox.enqueue(conn, report_id="r-a", version=1, envelope=b"y", now=NOW)
        with pytest.raises(outbox.OutboxError, match="timezone"):
            outbox.enqueue(
                conn, report_id="r-b", version=1, envelope=b"y", now=dt.datetime(2025, 1, 1)
            )
        with pytest.raises(outbox.OutboxError):
            outbox.mark_done(conn, "nope", 1, NOW)
        assert outbox.get(conn, "r-a", 1).envelope == b"x"  # type: ignore[union-attr]


def test_outbox_row_rolls_back_with_the_callers_transaction(box: Store) -> None:
    with pytest.raises(RuntimeError), box.transaction() as conn:
        outbox.enqueue(conn, report_id="r-a", version=1, envelope=b"x", now=NOW)
        raise RuntimeError("validation failed after enqueue")
    with box.transaction() as conn:
        assert outbox.counts(conn) == {"pending": 0, "done": 0}


# -- relay + receiver through the real broker ------------------------------------------------


def test_report_is_filed_once_and_done_only_after_the_signed_ack(
    mqtt_broker: RunningBroker,
    box: Store,
    tmp_path: Path,
) -> None:
    config = receiver_config(mqtt_broker, tmp_path)
    receiver = Receiver(config)
    delivered = Delivered()
    relay = make_relay(mqtt_broker, box, delivered)
    report_id = f"r-{uuid.uuid4()}"
    envelope = seal(mqtt_broker, "room-1", report_id)
    enqueue(box, report_id, envelope)
    relay.start()
    try:
        # Receiver not there yet: the broker takes the report (PUBACK) but the row stays pending.
        wait_until(lambda: row(box, report_id).attempts >= 2, 15, "two publish attempts")
        assert row(box, report_id).status == "pending" and delivered.items == []
        assert relay.status().connected and relay.status().pending == 1
        receiver.start(timeout=10)
        wait_until(lambda: delivered.items == [(report_id, 1)], 20, "on_delivered")
        done = row(box, report_id)
        assert done.status == "done" and done.acked_at is not None
        assert relay.status().pending == 0
        stored = filed(config, report_id)
        assert len(stored) == 1 and stored[0].device_id == "room-1" and stored[0].org == ORG
        dossier = config.sink.path  # type: ignore[union-attr]
        assert json.loads((dossier / f"{report_id}.v1.json").read_bytes())["report_id"] == report_id
        assert (dossier / f"{report_id}.v1.pdf").read_bytes() == b"%PDF-1.7 test"
    finally:
        relay.stop()
        receiver.stop()
    assert len(filed(config, report_id)) == 1  # retries before the receiver came did not double it


def test_status_topic_is_retained_online_then_offline(
    mqtt_broker: RunningBroker,
    box: Store,
) -> None:
    seen: list[bytes] = []
    watcher = raw_client(mqtt_broker, "receiver", f"status-watch-{uuid.uuid4().hex[:8]}")
    watcher.on_message = lambda _c, _u, msg: seen.append(bytes(msg.payload))
    relay = make_relay(mqtt_broker, box, Delivered(), device="room-2")
    relay.start()
    try:
        wait_until(lambda: relay.status().connected, 10, "relay connected")
        subscribe(watcher, topics.status(ORG, "room-2"))
        wait_until(lambda: seen[-1:] == [b"online"], 10, "retained online")
    finally:
        relay.stop()
    wait_until(lambda: seen[-1:] == [b"offline"], 10, "offline after stop")
    assert not relay.status().connected
    watcher.disconnect()
    watcher.loop_stop()


def test_same_envelope_twice_is_filed_once_and_acked_twice(
    mqtt_broker: RunningBroker,
    tmp_path: Path,
) -> None:
    config = receiver_config(mqtt_broker, tmp_path)
    receiver = Receiver(config)
    receiver.start(timeout=10)
    acks: list[bytes] = []
    device = raw_client(mqtt_broker, "room-2", "room-2-raw")
    device.on_message = lambda _c, _u, msg: acks.append(bytes(msg.payload))
    try:
        subscribe(device, topics.acks(ORG, "room-2"))
        report_id = f"r-{uuid.uuid4()}"
        envelope = seal(mqtt_broker, "room-2", report_id)
        for _ in range(2):
            device.publish(topics.reports(ORG, "room-2"), envelope, qos=1).wait_for_publish(5)
        wait_until(lambda: len([a for a in acks if _ack_for(a, report_id)]) >= 2, 15, "two acks")
        mine = [a for a in acks if _ack_for(a, report_id)]
        assert mine[0] == mine[1]  # byte-identical: a redelivery gets the same ack
        verify = _public(mqtt_broker.pki.central_ed25519_pub)
        assert isinstance(verify, Ed25519PublicKey)
        assert verify_ack(mine[0], verify_key=verify).status == "stored"
        assert len(filed(config, report_id)) == 1
    finally:
        device.disconnect()
        device.loop_stop()
        receiver.stop()


@pytest.mark.allow_logged_errors
def test_different_content_for_the_same_id_is_refused_not_overwritten(
    mqtt_broker: RunningBroker,
    tmp_path: Path,
) -> None:
    config = receiver_config(mqtt_broker, tmp_path)
    receiver = Receiver(config)
    report_id = f"r-{uuid.uuid4()}"
    first = seal(mqtt_broker, "room-1", report_id, body=b'{"tekst": "eerste"}')
    second = seal(mqtt_broker, "room-1", report_id, body=b'{"tekst": "andere"}')
    try:
        ack1 = receiver.handle(topics.reports(ORG, "room-1"), first)
        ack2 = receiver.handle(topics.reports(ORG, "room-1"), second)
    finally:
        receiver.stop()
    verify = _public(mqtt_broker.pki.central_ed25519_pub)
    assert isinstance(verify, Ed25519PublicKey) and ack1 and ack2
    assert verify_ack(ack1, verify_key=verify).status == "stored"
    assert verify_ack(ack2, verify_key=verify).status == "conflict"
    stored = filed(config, report_id)
    assert len(stored) == 1 and central_store.conflict_count(config.database_url) == 1
    dossier = config.sink.path  # type: ignore[union-attr]
    assert (dossier / f"{report_id}.v1.json").read_bytes() == b'{"tekst": "eerste"}'


def test_report_on_another_devices_topic_is_not_filed(
    mqtt_broker: RunningBroker,
    tmp_path: Path,
) -> None:
    receiver = Receiver(receiver_config(mqtt_broker, tmp_path))
    envelope = seal(mqtt_broker, "room-1", f"r-{uuid.uuid4()}")
    try:
        # Even if an ACL were wrong: the signer must be the device the topic names.
        assert receiver.handle(topics.reports(ORG, "room-2"), envelope) is None
        assert receiver.handle(topics.reports("other-org", "room-1"), envelope) is None
        assert receiver.handle(topics.reports(ORG, "room-1"), envelope[:-1] + b"\x00") is None
        assert receiver.handle(topics.reports(ORG, "room-1"), envelope) is not None
    finally:
        receiver.stop()


def test_forged_ack_does_not_mark_done_but_a_real_one_does(
    mqtt_broker: RunningBroker,
    box: Store,
) -> None:
    delivered = Delivered()
    relay = make_relay(mqtt_broker, box, delivered, device="room-2")
    report_id = f"r-{uuid.uuid4()}"
    enqueue(box, report_id, seal(mqtt_broker, "room-2", report_id))
    central = raw_client(mqtt_broker, "receiver", f"ack-forger-{uuid.uuid4().hex[:8]}")
    relay.start()
    try:
        wait_until(lambda: row(box, report_id).attempts >= 1, 10, "published")
        pending_row = row(box, report_id)
        ack = Ack("room-2", report_id, 1, pending_row.envelope_hash, "0" * 64, "stored")
        forged = sign_ack(ack, signing_key=Ed25519PrivateKey.generate())
        central.publish(topics.acks(ORG, "room-2"), forged, qos=1).wait_for_publish(5)
        wait_until(lambda: "ack" in (relay.status().last_error or ""), 10, "forged ack noticed")
        assert row(box, report_id).status == "pending" and delivered.items == []

        real_key = _private(mqtt_broker.pki.central_ed25519_key)
        assert isinstance(real_key, Ed25519PrivateKey)
        central.publish(
            topics.acks(ORG, "room-2"), sign_ack(ack, signing_key=real_key), qos=1
        ).wait_for_publish(5)
        wait_until(lambda: row(box, report_id).status == "done", 10, "done after real ack")
        assert delivered.items == [(report_id, 1)]
    finally:
        relay.stop()
        central.disconnect()
        central.loop_stop()


def test_broker_restart_while_pending_still_delivers(
    mqtt_broker: RunningBroker,
    box: Store,
    tmp_path: Path,
) -> None:
    config = receiver_config(mqtt_broker, tmp_path)
    delivered = Delivered()
    relay = make_relay(mqtt_broker, box, delivered)
    report_id = f"r-{uuid.uuid4()}"
    enqueue(box, report_id, seal(mqtt_broker, "room-1", report_id))
    relay.start()
    receiver = Receiver(config)
    try:
        wait_until(lambda: row(box, report_id).attempts >= 1, 10, "first publish")
        mqtt_broker.broker.restart(timeout=10)
        wait_until(
            lambda: not relay.status().connected or row(box, report_id).attempts >= 2,
            10,
            "relay noticed the restart",
        )
        receiver.start(timeout=15)
        wait_until(lambda: delivered.items == [(report_id, 1)], 30, "delivered after restart")
        assert relay.status().connected and not relay.status().auth_failed
        assert len(filed(config, report_id)) == 1
    finally:
        relay.stop()
        receiver.stop()


def test_receiver_down_while_publishing_is_delivered_after_it_returns(
    mqtt_broker: RunningBroker,
    box: Store,
    tmp_path: Path,
) -> None:
    config = receiver_config(mqtt_broker, tmp_path)
    first = Receiver(config)
    first.start(timeout=10)
    first.stop()  # subscribed once, now down: its persistent session queues for it
    delivered = Delivered()
    relay = make_relay(mqtt_broker, box, delivered)
    report_ids = [f"r-{uuid.uuid4()}" for _ in range(3)]
    relay.start()
    for report_id in report_ids:
        enqueue(box, report_id, seal(mqtt_broker, "room-1", report_id))
        relay.kick()
    again = Receiver(config)
    try:
        wait_until(lambda: all(row(box, r).attempts >= 1 for r in report_ids), 10, "published")
        assert delivered.items == []
        again.start(timeout=10)
        wait_until(
            lambda: sorted(delivered.items) == sorted((r, 1) for r in report_ids),
            30,
            "all delivered",
        )
        for report_id in report_ids:
            assert len(filed(config, report_id)) == 1
    finally:
        relay.stop()
        again.stop()


@pytest.mark.allow_logged_errors
def test_certificate_from_another_ca_raises_the_alarm_and_stops(
    mqtt_broker: RunningBroker,
    box: Store,
    tmp_path: Path,
) -> None:
    rogue = make_dev_pki(tmp_path / "rogue", org=ORG, devices=["room-1"]).devices["room-1"]
    relay = make_relay(mqtt_broker, box, Delivered(), cert=rogue.cert, key=rogue.key)
    relay.start()
    try:
        wait_until(lambda: relay.status().auth_failed, 15, "auth alarm")
        wait_until(lambda: not relay.running, 5, "relay thread stopped retrying")
        status = relay.status()
        assert not status.connected and "UNKNOWN_CA" in (status.last_error or "")
    finally:
        relay.stop()


@pytest.mark.allow_logged_errors
def test_a_receiver_with_a_certificate_from_another_ca_says_so_at_start(
    mqtt_broker: RunningBroker, tmp_path: Path
) -> None:
    rogue = make_dev_pki(tmp_path / "rogue", org=ORG, devices=[])
    config = receiver_config(mqtt_broker, tmp_path).model_copy(
        update={"cert_file": rogue.receiver_cert, "key_file": rogue.receiver_key}
    )
    receiver = Receiver(config)
    with pytest.raises(ReceiverError, match="rejected the receiver's TLS identity.*UNKNOWN_CA"):
        receiver.start(timeout=3)
    assert receiver.auth_failed


def test_probe_tells_a_rejected_certificate_from_an_accepted_one(
    mqtt_broker: RunningBroker, tmp_path: Path
) -> None:
    # paho writes CONNECT right after the handshake, and a broker closing on that unread data can
    # lose its TLS 1.3 alert; the probe writes nothing, so the alert always reaches it.
    rogue = make_dev_pki(tmp_path / "rogue", org=ORG, devices=["room-1"]).devices["room-1"]
    genuine = mqtt_broker.pki.devices["room-1"]
    where = (mqtt_broker.host, mqtt_broker.port)
    for _ in range(20):
        rejected = probe_tls_identity(
            *where,
            ca_file=mqtt_broker.pki.ca_cert,
            cert_file=rogue.cert,
            key_file=rogue.key,
            timeout_s=5,
        )
        assert rejected is not None and "UNKNOWN_CA" in rejected
    accepted = probe_tls_identity(
        *where,
        ca_file=mqtt_broker.pki.ca_cert,
        cert_file=genuine.cert,
        key_file=genuine.key,
        timeout_s=0.5,
    )
    assert accepted is None
    assert (
        probe_tls_identity(
            "127.0.0.1",
            free_port(),
            ca_file=mqtt_broker.pki.ca_cert,
            cert_file=rogue.cert,
            key_file=rogue.key,
            timeout_s=0.5,
        )
        is None
    )  # no broker there: an outage, not a rejection


@pytest.mark.allow_logged_errors
def test_webhook_sink_failure_means_no_ack_and_nothing_filed(
    mqtt_broker: RunningBroker,
    tmp_path: Path,
) -> None:
    answers = [500, 200]
    posts: list[tuple[str, dict[str, object]]] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            posts.append((self.headers["Idempotency-Key"], body))
            self.send_response(answers.pop(0))
            self.end_headers()

        def log_message(self, *_a: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/reports"
    config = receiver_config(mqtt_broker, tmp_path, sink=WebhookSinkConfig(url=url, timeout_s=5))
    receiver = Receiver(config)
    report_id = f"r-{uuid.uuid4()}"
    envelope = seal(mqtt_broker, "room-1", report_id)
    try:
        with pytest.raises(Exception, match="500"):
            receiver.handle(topics.reports(ORG, "room-1"), envelope)
        assert filed(config, report_id) == []
        assert receiver.handle(topics.reports(ORG, "room-1"), envelope) is not None
        assert len(filed(config, report_id)) == 1
    finally:
        receiver.stop()
        server.shutdown()
        server.server_close()
    assert len(posts) == 2 and posts[0][0] == posts[1][0]  # same idempotency key
    assert posts[1][1]["report_id"] == report_id and posts[1][1]["report"]["report_id"] == report_id  # type: ignore[index]


def test_cli_checks_the_config(
    mqtt_broker: RunningBroker,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = receiver_config(mqtt_broker, tmp_path)
    lines = [
        f"{k} = {json.dumps(str(v) if isinstance(v, Path) else v)}"
        for k, v in good.model_dump(exclude={"sink"}).items()
    ]
    text = "\n".join(lines) + f'\n[sink]\nkind = "directory"\npath = "{tmp_path / "d"}"\n'
    path = tmp_path / "receiver.toml"
    path.write_text(text)
    assert central_main(["--config", str(path), "--check-config"]) == 0
    path.write_text(text + "surprise = 1\n")
    assert central_main(["--config", str(path), "--check-config"]) == 2
    assert "sink.directory.surprise" in capsys.readouterr().err


# -- helpers for raw MQTT clients --------------------------------------------------------------


def raw_client(rb: RunningBroker, identity: str, client_id: str) -> mqtt.Client:
    """A connected paho client using the certificate of `identity` (device id or 'receiver')."""
    if identity == "receiver":
        cert, key = rb.pki.receiver_cert, rb.pki.receiver_key
    else:
        cert, key = rb.pki.devices[identity].cert, rb.pki.devices[identity].key
    client = make_client(
        client_id, ca_file=rb.pki.ca_cert, cert_file=cert, key_file=key, timeout_s=5
    )
    connected = threading.Event()
    client.on_connect = lambda *_a: connected.set()
    client.connect(rb.host, rb.port, keepalive=30)
    client.loop_start()
    assert connected.wait(5), "raw client did not connect"
    return client


def subscribe(client: mqtt.Client, topic: str) -> None:
    """Subscribe and wait for the SUBACK."""
    done = threading.Event()
    client.on_subscribe = lambda *_a: done.set()
    client.subscribe(topic, qos=1)
    assert done.wait(5), f"no SUBACK for {topic}"


def _ack_for(blob: bytes, report_id: str) -> bool:
    return report_id.encode() in blob
