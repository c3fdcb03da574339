"""Test helper: a dev PKI in a temporary folder and a real Mosquitto on a free loopback port."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from provisioning.broker import Broker, write_mosquitto_config
from provisioning.pki import DevPki, make_dev_pki
from tests.ports import free_port

ORG = "ocmw-test"
DEVICES = ["room-1", "room-2"]


@dataclass
class RunningBroker:
    """A started broker and the PKI its clients use."""

    broker: Broker
    pki: DevPki
    host: str
    port: int


@pytest.fixture(scope="module")
def mqtt_broker() -> Iterator[RunningBroker]:
    """A fresh PKI and a Mosquitto with TLS client-cert auth and ACLs, shared by one module."""
    # mkdtemp under /tmp, not pytest's tmp_path: the broker drops to the `mosquitto` user, which
    # cannot traverse pytest's 0700 folders.
    root = Path(tempfile.mkdtemp(prefix="spreekkamer-mqtt-"))
    root.chmod(0o711)
    try:
        pki = make_dev_pki(root / "pki", org=ORG, devices=DEVICES)
        port = free_port()
        conf = write_mosquitto_config(root / "broker", pki=pki, port=port)
        broker = Broker(conf, port=port, ca_file=pki.ca_cert)
        broker.start(timeout=10)
        try:
            yield RunningBroker(broker, pki, "127.0.0.1", port)
        finally:
            broker.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
