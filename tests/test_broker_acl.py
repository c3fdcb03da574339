"""Mosquitto ACLs and TLS: a device certificate only reaches its own topics; no anonymous access."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.reasoncodes import ReasonCode

from appliance.sync import topics
from appliance.sync.mqtt_tls import make_client
from provisioning.pki import issue_device, make_dev_pki
from tests import broker as broker_fixtures
from tests.broker import ORG, RunningBroker

mqtt_broker = broker_fixtures.mqtt_broker  # the module-scoped real Mosquitto
pytestmark = pytest.mark.timeout(60)


class Peer:
    """A connected test client that records what it receives and the broker's PUBACK codes."""

    def __init__(self, rb: RunningBroker, identity: str) -> None:
        if identity == "receiver":
            cert, key = rb.pki.receiver_cert, rb.pki.receiver_key
        else:
            cert, key = rb.pki.devices[identity].cert, rb.pki.devices[identity].key
        self.client = make_client(
            f"acl-{identity}-{uuid.uuid4().hex[:8]}",
            ca_file=rb.pki.ca_cert,
            cert_file=cert,
            key_file=key,
            timeout_s=5,
        )
        self.received: list[tuple[str, bytes]] = []
        self.pubacks: dict[int, ReasonCode] = {}
        self._events = {"connect": threading.Event(), "suback": threading.Event()}
        self.client.on_connect = lambda *_a: self._events["connect"].set()
        self.client.on_subscribe = lambda *_a: self._events["suback"].set()
        self.client.on_message = lambda _c, _u, m: self.received.append((m.topic, bytes(m.payload)))
        self.client.on_publish = self._on_publish
        self.client.connect(rb.host, rb.port, keepalive=30)
        self.client.loop_start()
        assert self._events["connect"].wait(5), f"{identity} did not connect"

    def _on_publish(
        self, _c: mqtt.Client, _u: object, mid: int, rc: ReasonCode, _p: object
    ) -> None:
        self.pubacks[mid] = rc

    def subscribe(self, topic: str) -> None:
        self._events["suback"].clear()
        self.client.subscribe(topic, qos=1)
        assert self._events["suback"].wait(5), f"no SUBACK for {topic}"

    def publish(self, topic: str, payload: bytes) -> ReasonCode:
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(5)
        return self.pubacks[info.mid]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture()
def peers(mqtt_broker: RunningBroker) -> Iterator[dict[str, Peer]]:
    made = {name: Peer(mqtt_broker, name) for name in ("room-1", "room-2", "receiver")}
    yield made
    for peer in made.values():
        peer.close()


def _settle(peer: Peer, expected: int, timeout: float = 5.0) -> None:
    """Wait until `peer` has `expected` messages (a control message proves the path works)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(peer.received) < expected:
        time.sleep(0.05)


def test_device_cannot_publish_under_another_device(peers: dict[str, Peer]) -> None:
    receiver = peers["receiver"]
    receiver.subscribe(f"spreekkamer/v1/{ORG}/+/reports")
    denied = peers["room-1"].publish(topics.reports(ORG, "room-2"), b"forged")
    assert denied.is_failure and denied.value == 0x87  # Not authorized
    allowed = peers["room-1"].publish(topics.reports(ORG, "room-1"), b"own")
    assert not allowed.is_failure
    _settle(receiver, 1)
    assert receiver.received == [(topics.reports(ORG, "room-1"), b"own")]


def test_device_cannot_forge_its_own_acks_or_publish_in_another_org(peers: dict[str, Peer]) -> None:
    assert peers["room-1"].publish(topics.acks(ORG, "room-1"), b"fake ack").value == 0x87
    assert peers["room-1"].publish(topics.reports("other-org", "room-1"), b"x").value == 0x87
    assert peers["receiver"].publish(topics.reports(ORG, "room-1"), b"x").value == 0x87


def test_device_does_not_receive_another_devices_acks(peers: dict[str, Peer]) -> None:
    # Mosquitto grants the SUBSCRIBE but checks read access per message: nothing arrives.
    peers["room-1"].subscribe(topics.acks(ORG, "room-2"))
    peers["room-1"].subscribe(f"spreekkamer/v1/{ORG}/+/reports")
    peers["room-2"].subscribe(topics.acks(ORG, "room-2"))
    assert not peers["receiver"].publish(topics.acks(ORG, "room-2"), b"ack-for-2").is_failure
    assert not peers["room-2"].publish(topics.reports(ORG, "room-2"), b"report-2").is_failure
    _settle(peers["room-2"], 1)
    assert peers["room-2"].received == [(topics.acks(ORG, "room-2"), b"ack-for-2")]
    _settle(peers["room-1"], 1, timeout=1.0)
    assert peers["room-1"].received == []


def test_receiver_reads_reports_through_the_shared_subscription(peers: dict[str, Peer]) -> None:
    peers["receiver"].subscribe(topics.SHARED_REPORTS)
    assert not peers["room-2"].publish(topics.reports(ORG, "room-2"), b"r").is_failure
    _settle(peers["receiver"], 1)
    assert peers["receiver"].received == [(topics.reports(ORG, "room-2"), b"r")]


def test_connection_without_client_certificate_is_refused(mqtt_broker: RunningBroker) -> None:
    ctx = ssl.create_default_context(cafile=str(mqtt_broker.pki.ca_cert))
    with (
        socket.create_connection((mqtt_broker.host, mqtt_broker.port), timeout=5) as raw,
        pytest.raises((ssl.SSLError, ConnectionError)),
        ctx.wrap_socket(raw, server_hostname=mqtt_broker.host) as tls,
    ):
        # MQTT CONNECT (3.1.1, clean session, no credentials): never answered with a CONNACK.
        tls.sendall(bytes.fromhex("101000044d5154540402003c000461636c31"))
        if not tls.recv(4):
            raise ConnectionError("closed without a CONNACK")


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion:DeprecationWarning")
def test_tls_below_1_2_is_refused(mqtt_broker: RunningBroker) -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(mqtt_broker.pki.ca_cert))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_1
    ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    with (
        socket.create_connection((mqtt_broker.host, mqtt_broker.port), timeout=5) as raw,
        pytest.raises(ssl.SSLError),
    ):
        ctx.wrap_socket(raw, server_hostname=mqtt_broker.host)
    # The refusal is the broker's (tls_version tlsv1.2), not just our local OpenSSL policy.
    deadline = time.monotonic() + 3
    while "unsupported protocol" not in mqtt_broker.broker.log_tail(4000):
        assert time.monotonic() < deadline, "broker did not log the refused TLS version"
        time.sleep(0.05)


def test_dev_pki_is_idempotent_private_and_extensible(tmp_path: Path) -> None:
    first = make_dev_pki(tmp_path, org="ocmw-x", devices=["room-1"])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    again = make_dev_pki(tmp_path, org="ocmw-x", devices=["room-1"])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before and again == first
    added = issue_device(tmp_path, "room-9")
    assert added.cert.exists() and set(json.loads(first.devices_json.read_text())) == {
        "room-1",
        "room-9",
    }
    for path in tmp_path.iterdir():
        private = path.suffix == ".key"
        assert (path.stat().st_mode & 0o077 == 0) if private else path.stat().st_mode & 0o004
    with pytest.raises(ValueError, match="reserved"):
        issue_device(tmp_path, "receiver")
    with pytest.raises(ValueError):
        issue_device(tmp_path, "Room 1!")
