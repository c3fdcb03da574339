"""Two receivers on the shared subscription, one central database: every report filed once."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from appliance.sync import topics
from central.dossiers import reports as central_store
from central.receiver import Receiver
from provisioning.pki import issue_device, load_dev_pki
from tests import broker as broker_fixtures
from tests.broker import ORG, RunningBroker
from tests.test_sync import raw_client, receiver_config, seal, subscribe, wait_until

mqtt_broker = broker_fixtures.mqtt_broker  # the module-scoped real Mosquitto
pytestmark = pytest.mark.timeout(120)
DEVICES = ["room-1", "room-2", "room-3"]
REPORTS = 50


def test_two_receivers_file_each_report_once_even_when_sent_twice(
    mqtt_broker: RunningBroker, tmp_path: Path
) -> None:
    issue_device(mqtt_broker.pki.folder, "room-3", org=ORG)  # ACL patterns cover it at once
    rb = RunningBroker(
        mqtt_broker.broker,
        load_dev_pki(mqtt_broker.pki.folder, org=ORG),
        mqtt_broker.host,
        mqtt_broker.port,
    )
    receivers = [Receiver(receiver_config(rb, tmp_path, client_id=f"receiver-{n}")) for n in (1, 2)]
    assert receivers[0].config.database_url == receivers[1].config.database_url
    for receiver in receivers:
        receiver.start(timeout=10)

    acked: dict[str, set[str]] = {device: set() for device in DEVICES}
    lock = threading.Lock()
    clients: dict[str, mqtt.Client] = {}
    for device in DEVICES:
        client = raw_client(rb, device, f"{device}-{uuid.uuid4().hex[:6]}")

        def on_message(_c: object, _u: object, msg: mqtt.MQTTMessage, device: str = device) -> None:
            with lock:
                acked[device].add(msg.payload.decode("latin-1"))

        client.on_message = on_message
        subscribe(client, topics.acks(ORG, device))
        clients[device] = client

    sent: dict[str, str] = {}  # report id -> device
    try:
        envelopes = []
        for n in range(REPORTS):
            device = DEVICES[n % len(DEVICES)]
            report_id = f"r-{n:03d}-{uuid.uuid4().hex[:8]}"
            sent[report_id] = device
            envelopes.append((device, seal(rb, device, report_id)))
        # Each envelope twice, back to back: the copies race through different receivers.
        infos = [
            clients[device].publish(topics.reports(ORG, device), envelope, qos=1)
            for device, envelope in envelopes
            for _ in range(2)
        ]
        for info in infos:
            info.wait_for_publish(10)

        def acks_for_all() -> bool:
            with lock:
                return all(
                    any(report_id in ack for ack in acked[device])
                    for report_id, device in sent.items()
                )

        wait_until(acks_for_all, 60, "an ack for every report")
        wait_until(
            lambda: sum(sum(r.outcomes().values()) for r in receivers) == 2 * REPORTS,
            30,
            "both copies of every report processed",
        )
    finally:
        for client in clients.values():
            client.disconnect()
            client.loop_stop()
        for receiver in receivers:
            receiver.stop()

    stored = central_store.stored_reports(receivers[0].config.database_url)
    assert sorted(r.report_id for r in stored) == sorted(sent)  # all of them, each once
    assert all(r.device_id == sent[r.report_id] for r in stored)
    outcomes = [r.outcomes() for r in receivers]
    assert sum(o.get("new", 0) for o in outcomes) == REPORTS
    assert sum(o.get("duplicate", 0) for o in outcomes) == REPORTS
    assert all(o.get("new", 0) > 0 for o in outcomes), f"one receiver did all the work: {outcomes}"
    assert central_store.conflict_count(receivers[0].config.database_url) == 0
    dossier = receivers[0].config.sink.path  # type: ignore[union-attr]
    assert len(list(dossier.glob("*.json"))) == REPORTS
