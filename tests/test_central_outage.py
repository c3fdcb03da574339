"""A PostgreSQL outage: the receiver stops acknowledging, reports wait, and it resumes by itself."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from appliance.store.db import Store
from central.dossiers.devcluster import DevCluster
from central.receiver import Receiver
from tests import broker as broker_fixtures
from tests import test_sync as sync_tests
from tests.broker import RunningBroker
from tests.test_sync import (
    Delivered,
    enqueue,
    filed,
    make_relay,
    receiver_config,
    row,
    seal,
    wait_until,
)

mqtt_broker = broker_fixtures.mqtt_broker  # the module-scoped real Mosquitto
box = sync_tests.box  # the box's real SQLCipher store
pytestmark = pytest.mark.timeout(120)


@pytest.mark.allow_logged_errors  # the receiver says loudly that it cannot file
def test_receiver_stops_acking_while_the_database_is_down_and_resumes_by_itself(
    mqtt_broker: RunningBroker, box: Store, tmp_path: Path, pg_cluster: DevCluster
) -> None:
    config = receiver_config(mqtt_broker, tmp_path)
    receiver = Receiver(config)
    receiver.start(timeout=10)
    delivered = Delivered()
    relay = make_relay(mqtt_broker, box, delivered)
    relay.start()
    before, during = f"r-{uuid.uuid4()}", [f"r-{uuid.uuid4()}" for _ in range(3)]
    try:
        enqueue(box, before, seal(mqtt_broker, "room-1", before))
        relay.kick()
        wait_until(lambda: delivered.items == [(before, 1)], 20, "filed while the database is up")
        pg_cluster.stop()
        try:
            for report_id in during:
                enqueue(box, report_id, seal(mqtt_broker, "room-1", report_id))
                relay.kick()
            wait_until(lambda: all(row(box, r).attempts >= 2 for r in during), 30, "resent")
            time.sleep(1.0)
            assert delivered.items == [(before, 1)], "acked a report that was never filed"
            assert all(row(box, r).acked_at is None for r in during)
        finally:
            pg_cluster.start()
        wait_until(lambda: sorted(delivered.items) == sorted([(before, 1)] + [(r, 1) for r in during]),
                   60, "every report filed and acked once the database is back")
        for report_id in [before, *during]:
            assert len(filed(config, report_id)) == 1
    finally:
        relay.stop()
        receiver.stop()
