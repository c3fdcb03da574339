"""The outbox relay: publishes sealed reports over MQTT/TLS until central's signed ack arrives.

One background thread owns the MQTT client and all outbox access, so paho callbacks, publishes
and database writes never race. A row is done only on a verified application-level ack; a
PUBACK only means the broker holds the report. An authentication or authorisation refusal stops
the relay (retrying cannot fix a certificate) and shows up in `status()` as an alarm.
Standing-choice flags travel on the same connection (see `flag_relay`).

Over 300 lines on purpose: it is one class because one thread owns the connection, the outbox
rows in flight and their PUBACK and ack timeouts; split, those invariants would span files.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from appliance.sync import outbox, topics
from appliance.sync.ack import AckError, verify_ack
from appliance.sync.backoff import retry_delay
from appliance.sync.flag_message import kind_of
from appliance.sync.flag_relay import FlagCallback, FlagRelay
from appliance.sync.mqtt_tls import (
    is_auth_refusal,
    is_tls_auth_failure,
    make_client,
    probe_tls_identity,
)

log = logging.getLogger(__name__)

_SESSION_EXPIRY_S = 7 * 24 * 3600
_POLL_S = 0.05
_RESCAN_S = 0.5
_PROBE_S = 2.0  # a broker that rejects a certificate says so at once


class TransactionalDb(Protocol):
    """What the relay needs from the store: a transaction yielding a DB-API connection."""

    def transaction(self) -> AbstractContextManager[Any]: ...


@dataclass(frozen=True)
class RelayStatus:
    """What the health endpoint and the worker UI show about sync."""

    connected: bool
    auth_failed: bool
    pending: int
    last_error: str | None


class Relay:
    """Delivers outbox rows to central over MQTT and marks them done on a signed ack."""

    def __init__(
        self,
        *,
        db: TransactionalDb,
        device_id: str,
        org: str,
        broker_host: str,
        broker_port: int,
        ca_file: Path,
        cert_file: Path,
        key_file: Path,
        central_verify_key: Ed25519PublicKey,
        on_delivered: Callable[[str, int], None],
        timeout_s: float = 10.0,
        backoff_base_s: float = 2.0,
        backoff_max_s: float = 300.0,
        signing_key: Ed25519PrivateKey | None = None,
        on_flag: FlagCallback | None = None,
    ) -> None:
        """`signing_key` signs flag notices (without it they wait); `on_flag(dossier_hmac, flag,
        set_at)` hears of every verified standing flag from central, after it was applied."""
        self._db, self._device_id, self._org = db, device_id, org
        self._host, self._port, self._timeout = broker_host, broker_port, timeout_s
        self._verify_key, self._on_delivered = central_verify_key, on_delivered
        self._backoff = (backoff_base_s, backoff_max_s)
        self._rng = random.Random()
        self._flags = FlagRelay(
            org=org,
            device_id=device_id,
            signing_key=signing_key,
            verify_key=central_verify_key,
            on_flag=on_flag,
            backoff=self._backoff,
            report_error=self._set_error,
        )
        self._tls_files = {"ca_file": ca_file, "cert_file": cert_file, "key_file": key_file}
        self._client = make_client(device_id, **self._tls_files, timeout_s=timeout_s)
        self._client.will_set(topics.status(org, device_id), b"offline", qos=1, retain=True)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_publish = self._on_publish
        self._client.on_subscribe = self._on_subscribe
        self._client.on_log = self._on_log

        self._lock = threading.Lock()
        self._connected = False
        self._auth_failed = False
        self._pending = 0
        self._last_error: str | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        # Owned by the relay thread only:
        self._socket_open = False
        self._connack_seen = False
        self._connect_failures = 0
        self._next_connect_at = 0.0
        self._flush_all = False
        self._inflight: dict[int, tuple[str, int, float]] = {}  # mid -> (report, version, sent)

    # -- public ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background thread (connects, publishes, retries, processes acks)."""
        if self._thread is not None:
            raise RuntimeError("relay already started")
        self._refresh_pending()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5) -> None:
        """Say `offline`, disconnect cleanly and stop the thread (waits at most `timeout`)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("relay thread did not stop within %.1fs", timeout)

    def kick(self) -> None:
        """A new outbox row is there: publish it now instead of at the next scan."""
        self._wake.set()

    @property
    def running(self) -> bool:
        """Whether the relay thread is alive (it ends on stop() or on an auth alarm)."""
        return self._thread is not None and self._thread.is_alive()

    def status(self) -> RelayStatus:
        """Current connection state, the auth alarm, rows awaiting an ack, last problem."""
        with self._lock:
            return RelayStatus(self._connected, self._auth_failed, self._pending, self._last_error)

    # -- relay thread ---------------------------------------------------------------------

    def _run(self) -> None:
        next_scan = 0.0
        try:
            while not self._stop.is_set() and not self._auth_failed:
                if not self._socket_open:
                    self._try_connect()
                    continue
                self._client.loop(timeout=_POLL_S)
                if self._connected and (self._wake.is_set() or time.monotonic() >= next_scan):
                    self._wake.clear()
                    self._publish_due()
                    next_scan = time.monotonic() + _RESCAN_S
                self._check_puback_timeouts()
        except Exception as exc:  # a relay that dies silently would strand reports
            log.exception("outbox relay crashed")
            self._set_error(f"relay crashed: {exc!r}")
        finally:
            self._shutdown()

    def _try_connect(self) -> None:
        wait = self._next_connect_at - time.monotonic()
        if wait > 0:
            self._wake.wait(min(wait, 1.0))
            self._wake.clear()
            return
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = _SESSION_EXPIRY_S
        self._connack_seen = False
        try:
            self._client.connect(
                self._host, self._port, keepalive=30, clean_start=False, properties=props
            )
        except (ssl.SSLError, OSError) as exc:
            self._connection_failed(f"connect to {self._host}:{self._port} failed: {exc}")
            return
        self._socket_open = True
        deadline = time.monotonic() + self._timeout
        while (
            self._socket_open
            and not self._connected
            and not self._stop.is_set()
            and not self._auth_failed
        ):
            if time.monotonic() > deadline:
                self._client.disconnect()
                self._socket_open = False
                self._connection_failed(f"no CONNACK within {self._timeout}s", before_connack=True)
                return
            self._client.loop(timeout=_POLL_S)

    def _connection_failed(self, message: str, *, before_connack: bool = False) -> None:
        """Retry later, unless the broker rejected our certificate: that needs IT, not retries.

        `before_connack`: the handshake went through but the broker closed or went quiet before
        answering CONNECT, which is how a TLS 1.3 rejection can look; a probe asks it plainly."""
        rejected = message if is_tls_auth_failure(message) else None
        if rejected is None and before_connack:
            rejected = probe_tls_identity(
                self._host, self._port, **self._tls_files, timeout_s=min(self._timeout, _PROBE_S)
            )
        if rejected is not None:
            self._alarm(f"broker rejected the TLS identity: {rejected}")
            return
        self._set_error(message)
        delay = retry_delay(
            self._connect_failures,
            base_s=self._backoff[0],
            max_s=min(self._backoff[1], 60.0),
            rng=self._rng,
        )
        self._connect_failures += 1
        self._next_connect_at = time.monotonic() + delay
        log.warning("%s; retrying in %.1fs", message, delay)

    def _alarm(self, message: str) -> None:
        log.error("sync stopped, needs IT: %s", message)
        with self._lock:
            self._auth_failed = True
            self._last_error = message

    def _publish_due(self) -> None:
        now = dt.datetime.now(dt.UTC)
        inflight = {(r, v) for r, v, _ in self._inflight.values()}
        with self._db.transaction() as conn:
            flush_all, self._flush_all = self._flush_all, False
            rows = outbox.pending(conn, None if flush_all else now)
            for row in rows:
                if (row.report_id, row.version) in inflight:
                    continue
                info = self._client.publish(
                    topics.reports(self._org, self._device_id), row.envelope, qos=1
                )
                if info.rc != mqtt.MQTT_ERR_SUCCESS:
                    self._set_error(f"publish of {row.report_id} v{row.version} failed: {info.rc}")
                    break
                self._inflight[info.mid] = (row.report_id, row.version, time.monotonic())
                delay = retry_delay(
                    row.attempts, base_s=self._backoff[0], max_s=self._backoff[1], rng=self._rng
                )
                outbox.mark_attempt(
                    conn,
                    row.report_id,
                    row.version,
                    next_attempt_at=now + dt.timedelta(seconds=delay),
                )
            self._flags.publish_due(self._client, conn, now, all_=flush_all)
            self._set_pending(outbox.counts(conn)["pending"])

    def _check_puback_timeouts(self) -> None:
        now = time.monotonic()
        late = [mid for mid, (_, _, sent) in self._inflight.items() if now - sent > self._timeout]
        oldest_flag = self._flags.oldest_unacked_publish()
        if not late and oldest_flag is not None and now - oldest_flag > self._timeout:
            self._set_error(f"no PUBACK for a flag within {self._timeout}s; reconnecting")
            self._flags.reset()
            self._client.disconnect()
            return
        if late:
            report, version, _ = self._inflight[late[0]]
            self._set_error(
                f"no PUBACK for {report} v{version} within {self._timeout}s; reconnecting"
            )
            self._inflight.clear()
            self._flags.reset()
            self._client.disconnect()  # the link is likely dead; reconnect republishes

    def _shutdown(self) -> None:
        if self._connected:
            info = self._client.publish(
                topics.status(self._org, self._device_id), b"offline", qos=1, retain=True
            )
            deadline = time.monotonic() + min(self._timeout, 2.0)
            while not info.is_published() and time.monotonic() < deadline and self._connected:
                self._client.loop(timeout=_POLL_S)
        if self._socket_open:
            self._client.disconnect()
            self._client.loop(timeout=_POLL_S)
        self._socket_open = False
        with self._lock:
            self._connected = False

    def _refresh_pending(self) -> None:
        with self._db.transaction() as conn:
            self._set_pending(outbox.counts(conn)["pending"])

    # -- paho callbacks (run inside self._client.loop on the relay thread) -------------------

    def _on_connect(
        self,
        client: mqtt.Client,
        _u: Any,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        _p: Properties | None,
    ) -> None:
        self._connack_seen = True
        if reason.is_failure:
            # The broker closes the socket next; on_disconnect schedules the retry.
            self._socket_open = False
            if is_auth_refusal(reason):
                self._alarm(f"broker refused this device: {reason}")
            else:
                self._set_error(f"broker refused the connection: {reason}")
            return
        # Subscribe on every connect: a broker that lost our session would otherwise go quiet.
        client.subscribe(
            [(topics.acks(self._org, self._device_id), 1)]
            + [(topic, 1) for topic in self._flags.subscriptions]
        )
        client.publish(topics.status(self._org, self._device_id), b"online", qos=1, retain=True)
        self._connect_failures = 0
        self._flush_all = True  # republish everything pending; central de-duplicates
        self._inflight.clear()
        self._flags.reset()
        self._wake.set()
        with self._lock:
            self._connected = True
        log.info(
            "relay connected to %s:%d (session present: %s)",
            self._host,
            self._port,
            flags.session_present,
        )

    def _on_disconnect(
        self,
        _c: mqtt.Client,
        _u: Any,
        _f: mqtt.DisconnectFlags,
        reason: ReasonCode,
        _p: Properties | None,
    ) -> None:
        self._socket_open = False
        with self._lock:
            self._connected = False
        if not self._stop.is_set() and not self._auth_failed:
            self._connection_failed(
                f"disconnected from broker: {reason}", before_connack=not self._connack_seen
            )

    def _on_subscribe(
        self, _c: mqtt.Client, _u: Any, _mid: int, reasons: list[ReasonCode], _p: Properties | None
    ) -> None:
        refused = [r for r in reasons if r.is_failure]
        if refused:
            self._alarm(f"broker refused a subscription (acks or flags): {refused[0]}")

    def _on_publish(
        self, _c: mqtt.Client, _u: Any, mid: int, reason: ReasonCode, _p: Properties | None
    ) -> None:
        entry = self._inflight.pop(mid, None)
        flag_row = self._flags.on_puback(mid)
        if flag_row is not None and reason.is_failure:
            entry = (f"flag row {flag_row}", 0, 0.0)
        if entry is not None and reason.is_failure:
            message = f"broker refused report {entry[0]} v{entry[1]}: {reason}"
            if is_auth_refusal(reason):
                self._alarm(message)
            else:
                self._set_error(message)

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        payload = bytes(msg.payload)
        if self._flags.is_standing_topic(msg.topic):
            with self._db.transaction() as conn:
                flag = self._flags.take_standing(conn, msg.topic, payload)
            if flag is not None:
                self._flags.notify(flag)
            return
        if kind_of(payload) == "ack":
            with self._db.transaction() as conn:
                self._flags.take_ack(conn, payload)
            return
        self._take_report_ack(msg.topic, payload)

    def _take_report_ack(self, topic: str, payload: bytes) -> None:
        try:
            ack = verify_ack(payload, verify_key=self._verify_key)
        except AckError as exc:
            log.warning("ignored an ack on %s: %s", topic, exc)
            self._set_error(f"ignored an ack: {exc}")
            return
        if ack.device_id != self._device_id:
            self._set_error(f"ignored an ack addressed to {ack.device_id!r}")
            return
        delivered = False
        with self._db.transaction() as conn:
            row = outbox.get(conn, ack.report_id, ack.version)
            if row is None or row.envelope_hash != ack.envelope_hash:
                log.warning("ack for %s v%d does not match our outbox", ack.report_id, ack.version)
                return
            if ack.status == "conflict":
                self._set_error(
                    f"central holds different content for {ack.report_id} "
                    f"v{ack.version}; not overwritten, needs IT"
                )
                return
            delivered = outbox.mark_done(conn, ack.report_id, ack.version, dt.datetime.now(dt.UTC))
            self._set_pending(outbox.counts(conn)["pending"])
        if delivered:
            log.info("report %s v%d delivered", ack.report_id, ack.version)
            try:
                self._on_delivered(ack.report_id, ack.version)
            except Exception:  # the row is done either way; the callback's failure is its own
                log.exception("on_delivered callback failed for %s v%d", ack.report_id, ack.version)

    def _on_log(self, _c: mqtt.Client, _u: Any, level: int, text: str) -> None:
        if level == mqtt.MQTT_LOG_ERR and is_tls_auth_failure(text):
            self._socket_open = False
            self._alarm(f"broker rejected the TLS identity: {text}")

    # -- shared state ---------------------------------------------------------------------

    def _set_error(self, message: str) -> None:
        with self._lock:
            self._last_error = message

    def _set_pending(self, n: int) -> None:
        with self._lock:
            self._pending = n
