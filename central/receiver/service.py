"""The central reference receiver: verify, decrypt, de-duplicate, file, then acknowledge.

Several receivers can share the load through the `$share/receivers/...` subscription; they
de-duplicate through one database. The ack is sent only after the report is in the sink and
the database commit succeeded, and a redelivered report gets the same signed ack again.
Standing-choice flag notices take the same road: verified, kept if newest, acked, and the
flag that now stands is re-published retained and signed by central for every room of the org.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from appliance.sync import topics
from appliance.sync.ack import Ack, AckStatus, sign_ack
from appliance.sync.envelope import EnvelopeError, OpenedReport, envelope_hash, open_envelope
from appliance.sync.flag_message import FlagMessageError, sign_flag, verify_flag
from appliance.sync.mqtt_tls import is_auth_refusal, make_client, probe_tls_identity
from central.config import ReceiverConfig
from central.dossiers import flags, reports
from central.dossiers.db import Database, DatabaseUnavailable
from central.dossiers.sealing import StorageKey
from central.receiver.keys import ed25519_key, x25519_key
from central.receiver.registry import DeviceRegistry
from central.receiver.sinks import make_sink

log = logging.getLogger(__name__)

_SESSION_EXPIRY_S = 7 * 24 * 3600
_PROBE_S = 2.0  # a broker that rejects a certificate says so at once


class ReceiverError(Exception):
    """The receiver could not start (keys, broker, or refused credentials)."""


@dataclass(frozen=True)
class FlagReply:
    """What to publish for one flag notice: the device's ack, and the flag that now stands."""

    ack_topic: str
    ack: bytes
    standing_topic: str
    standing: bytes


class Receiver:
    """Subscribes to all devices' reports and files each one exactly once."""

    def __init__(self, config: ReceiverConfig) -> None:
        self.config = config
        self._x25519 = x25519_key(config.central_x25519_key_file)
        self._ed25519 = ed25519_key(config.central_ed25519_key_file)
        self._storage_key = StorageKey.load(config.credentials_dir)
        self._registry = DeviceRegistry.load(config.device_registry_file)
        self._sink = make_sink(config.sink)
        self._db = Database(config.database_url)
        with self._db.transaction():
            pass  # the schema is brought up to date before the first report, not during it
        self._client = make_client(
            config.client_id,
            ca_file=config.ca_file,
            cert_file=config.cert_file,
            key_file=config.key_file,
            timeout_s=config.timeout_s,
        )
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self.auth_failed = False
        self.last_error: str | None = None
        self._outcomes: Counter[str] = Counter()

    def start(self, timeout: float | None = None) -> None:
        """Connect and subscribe in a background thread; returns once subscribed or raises."""
        timeout = self.config.timeout_s if timeout is None else timeout
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = _SESSION_EXPIRY_S  # reports queue for us while we are down
        self._client.connect_async(
            self.config.broker_host,
            self.config.broker_port,
            keepalive=30,
            clean_start=False,
            properties=props,
        )
        self._client.loop_start()
        if not self._ready.wait(timeout):
            self.stop()
            self._ask_whether_certificate_rejected()
            raise ReceiverError(
                f"not subscribed to {self.config.broker_host}:{self.config.broker_port} "
                f"within {timeout}s: {self.last_error or 'no answer'}"
            )

    def _ask_whether_certificate_rejected(self) -> None:
        """Name a rejected certificate instead of "no answer": paho retries a failed TLS
        handshake quietly, and a broker that drops a TLS 1.3 client after the handshake looks
        like one that never answered. Retrying cannot fix a certificate; IT must."""
        if self.auth_failed:
            return
        rejected = probe_tls_identity(
            self.config.broker_host,
            self.config.broker_port,
            ca_file=self.config.ca_file,
            cert_file=self.config.cert_file,
            key_file=self.config.key_file,
            timeout_s=min(self.config.timeout_s, _PROBE_S),
        )
        if rejected is not None:
            self.auth_failed = True
            self.last_error = f"broker rejected the receiver's TLS identity: {rejected}"
            log.error("%s", self.last_error)

    def stop(self) -> None:
        """Disconnect and stop the network thread."""
        self._stopped.set()
        self._client.disconnect()
        self._client.loop_stop()
        self._db.close()

    def outcomes(self) -> dict[str, int]:
        """How many reports this instance filed as new, duplicate or conflict since it started."""
        return dict(self._outcomes)

    def run(self) -> None:
        """Start, then block until SIGTERM/SIGINT (for `python -m central`)."""
        self.start()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self._stopped.set())
        log.info("receiver %s running", self.config.client_id)
        self._stopped.wait()
        self.stop()

    # -- paho callbacks (network thread) ----------------------------------------------------

    def _on_connect(
        self,
        client: mqtt.Client,
        _u: Any,
        _f: mqtt.ConnectFlags,
        reason: ReasonCode,
        _p: Properties | None,
    ) -> None:
        if reason.is_failure:
            self.last_error = f"broker refused the receiver: {reason}"
            log.error("%s", self.last_error)
            if is_auth_refusal(reason):
                self.auth_failed = True
                client.disconnect()  # retrying cannot fix credentials
            return
        # Every connect: a broker that lost our session would otherwise deliver nothing.
        client.subscribe([(topics.SHARED_REPORTS, 1), (topics.SHARED_FLAG_NOTICES, 1)])

    def _on_subscribe(
        self, _c: mqtt.Client, _u: Any, _mid: int, reasons: list[ReasonCode], _p: Properties | None
    ) -> None:
        if any(r.is_failure for r in reasons):
            self.last_error = f"subscription refused: {reasons}"
            log.error("%s", self.last_error)
            return
        self._ready.set()

    def _on_message(self, client: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        if msg.topic.endswith("/flags"):
            self._on_flag_notice(client, msg)
            return
        try:
            ack = self.handle(msg.topic, bytes(msg.payload))
        except DatabaseUnavailable as exc:
            log.error("report on %s not filed, not acked (the device resends): %s", msg.topic, exc)
            return
        except Exception:  # one bad message must not kill the network thread
            log.exception("report on %s not processed; the device will resend", msg.topic)
            return
        if ack is not None:
            org, device_id, _ = topics.parse(msg.topic)
            client.publish(topics.acks(org, device_id), ack, qos=1)

    def _on_flag_notice(self, client: mqtt.Client, msg: mqtt.MQTTMessage) -> None:
        try:
            reply = self.handle_flag(msg.topic, bytes(msg.payload))
        except DatabaseUnavailable as exc:
            log.error("flag notice on %s not kept, not acked (the device resends): %s", msg.topic, exc)
            return
        except Exception:  # one bad message must not kill the network thread
            log.exception("flag notice on %s not processed; the device will resend", msg.topic)
            return
        if reply is not None:
            # Standing flag first: once the device sees its ack, the other rooms can know too.
            client.publish(reply.standing_topic, reply.standing, qos=1, retain=True)
            client.publish(reply.ack_topic, reply.ack, qos=1)

    # -- processing -----------------------------------------------------------------------

    def handle_flag(self, topic: str, payload: bytes) -> FlagReply | None:
        """Process one device flag notice; None if it is not from the device the topic names."""
        try:
            org, device_id, kind = topics.parse(topic)
        except ValueError:
            log.warning("ignored message on unexpected topic %s", topic)
            return None
        if kind != "flags" or device_id not in self._registry:
            log.warning("ignored flag notice on %s: unknown device or topic", topic)
            return None
        try:
            notice = verify_flag("notice", payload, verify_key=self._registry.key(device_id))
        except FlagMessageError as exc:
            log.warning("rejected flag notice on %s: %s", topic, exc)
            return None
        if (notice.device_id, notice.org) != (device_id, org) or self._registry.org(
            device_id
        ) != org:
            log.warning("rejected flag notice on %s: body names another device or org", topic)
            return None
        with self._db.transaction() as conn:
            standing = flags.record_flag(conn, notice)
        if standing is None:
            return None  # refused (its date is ahead of central's clock) and nothing stands
        log.info("flag notice %d from %s: %s stands", notice.seq, device_id, standing.flag)
        return FlagReply(
            ack_topic=topics.acks(org, device_id),
            ack=sign_flag("ack", notice, signing_key=self._ed25519),
            standing_topic=topics.standing_flag(org, standing.dossier_hmac),
            standing=sign_flag("standing", standing, signing_key=self._ed25519),
        )

    def handle(self, topic: str, payload: bytes) -> bytes | None:
        """Process one report message; returns the signed ack to send, or None (not ackable)."""
        try:
            org, device_id, kind = topics.parse(topic)
        except ValueError:
            log.warning("ignored message on unexpected topic %s", topic)
            return None
        if kind != "reports":
            return None
        try:
            report = open_envelope(
                payload, central_private=self._x25519, device_key=self._registry.key
            )
        except EnvelopeError as exc:
            log.warning("rejected envelope on %s: %s", topic, exc)
            return None
        # The broker ACL ties the topic to the TLS certificate; this ties it to the signer too.
        if report.device_id != device_id or self._registry.org(device_id) != org:
            log.warning(
                "rejected report %s: signed by %s but sent on %s",
                report.report_id,
                report.device_id,
                topic,
            )
            return None
        status = self._file(report, org)
        return sign_ack(
            Ack(
                report.device_id,
                report.report_id,
                report.version,
                envelope_hash(payload),
                report.content_hash,
                status,
            ),
            signing_key=self._ed25519,
        )

    def _file(self, report: OpenedReport, org: str) -> AckStatus:
        # The forward to the dossier system happens before the commit, and the ack after it:
        # a crash in between re-files nothing and forwards the same content again.
        with self._db.transaction() as conn:
            outcome = reports.file_report(conn, self._storage_key, report, org)
            if outcome == "new":
                self._sink.deliver(report, org=org)
        if outcome == "conflict":
            log.error(
                "report %s v%d from %s differs from the filed one; kept the filed one",
                report.report_id,
                report.version,
                report.device_id,
            )
        self._outcomes[outcome] += 1
        log.info(
            "report %s v%d from %s: %s", report.report_id, report.version, report.device_id, outcome
        )
        return "conflict" if outcome == "conflict" else "stored"
