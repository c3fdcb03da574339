"""The flag half of the relay: publish queued flag changes, take central's acks and flags.

Runs on the relay thread only (called from `Relay`), so it shares the relay's MQTT client and
database without locks. A flag row is done on central's signed flag ack, like a report.
A standing flag from central is applied only after its signature checks out against the
central key: the broker ACL already keeps devices off that topic, this makes sure of it.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from appliance.sync import flags, topics
from appliance.sync.backoff import retry_delay
from appliance.sync.flag_message import FlagMessage, FlagMessageError, sign_flag, verify_flag

log = logging.getLogger(__name__)

FlagCallback = Callable[[str, str, dt.datetime], None]


class FlagRelay:
    """Flag outbox publishing and standing-flag intake for one device."""

    def __init__(
        self,
        *,
        org: str,
        device_id: str,
        signing_key: Ed25519PrivateKey | None,
        verify_key: Ed25519PublicKey,
        on_flag: FlagCallback | None,
        backoff: tuple[float, float],
        report_error: Callable[[str], None],
    ) -> None:
        self._org, self._device_id = org, device_id
        self._signing_key, self._verify_key, self._on_flag = signing_key, verify_key, on_flag
        self._backoff, self._report_error = backoff, report_error
        self._rng = random.Random()
        self._inflight: dict[int, tuple[int, float]] = {}  # mid -> (flag row id, sent)
        self._warned_no_key = False

    @property
    def subscriptions(self) -> list[str]:
        """Topics to (re)subscribe on every connect."""
        return [topics.standing_flags(self._org)]

    def is_standing_topic(self, topic: str) -> bool:
        """Whether `topic` is one of central's standing-flag topics for our org."""
        return topic.startswith(topics.standing_flags(self._org)[:-1])

    def reset(self) -> None:
        """Forget in-flight publishes (after a reconnect everything pending goes out again)."""
        self._inflight.clear()

    def oldest_unacked_publish(self) -> float | None:
        """Monotonic send time of the oldest publish without a PUBACK, or None."""
        return min((sent for _, sent in self._inflight.values()), default=None)

    def publish_due(self, client: mqtt.Client, conn: Any, now: dt.datetime, *, all_: bool) -> bool:
        """Publish due flag rows (all pending ones with `all_`); False if a publish failed."""
        rows = flags.pending_flags(conn, None if all_ else now)
        if not rows:
            return True
        if self._signing_key is None:
            if not self._warned_no_key:
                self._warned_no_key = True
                self._report_error("flag changes wait: the relay has no device signing key")
            return True
        busy = {row_id for row_id, _ in self._inflight.values()}
        for row in rows:
            if row.id in busy:
                continue
            message = FlagMessage(
                self._org, self._device_id, row.id, row.dossier_hmac, row.flag, row.set_at
            )
            payload = sign_flag("notice", message, signing_key=self._signing_key)
            info = client.publish(topics.flag_notices(self._org, self._device_id), payload, qos=1)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                self._report_error(f"publish of flag row {row.id} failed: {info.rc}")
                return False
            self._inflight[info.mid] = (row.id, time.monotonic())
            delay = retry_delay(
                row.attempts, base_s=self._backoff[0], max_s=self._backoff[1], rng=self._rng
            )
            flags.mark_flag_attempt(conn, row.id, next_attempt_at=now + dt.timedelta(seconds=delay))
        return True

    def on_puback(self, mid: int) -> int | None:
        """Forget an acknowledged publish; returns its flag row id if it was ours."""
        entry = self._inflight.pop(mid, None)
        return None if entry is None else entry[0]

    def take_ack(self, conn: Any, payload: bytes) -> None:
        """Central's signed ack for one of our flag notices: mark that row done."""
        try:
            ack = verify_flag("ack", payload, verify_key=self._verify_key)
        except FlagMessageError as exc:
            self._report_error(f"ignored a flag ack: {exc}")
            log.warning("ignored a flag ack: %s", exc)
            return
        if ack.device_id != self._device_id or ack.org != self._org:
            self._report_error(f"ignored a flag ack addressed to {ack.device_id!r}")
            return
        if flags.mark_flag_done(
            conn, ack.seq, dossier_hmac=ack.dossier_hmac, flag=ack.flag, set_at=ack.set_at
        ):
            log.info("flag row %d delivered to central", ack.seq)

    def take_standing(self, conn: Any, topic: str, payload: bytes) -> FlagMessage | None:
        """Central's retained flag for a dossier: verify, then apply if newer. None if refused."""
        try:
            message = verify_flag("standing", payload, verify_key=self._verify_key)
        except FlagMessageError as exc:
            self._report_error(f"ignored a flag on {topic}: {exc}")
            log.warning("ignored a flag on %s: %s", topic, exc)
            return None
        if message.org != self._org or topic != topics.standing_flag(
            self._org, message.dossier_hmac
        ):
            self._report_error(f"ignored a flag for another dossier or org on {topic}")
            log.warning("ignored a flag whose body does not match its topic %s", topic)
            return None
        if flags.apply_flag(
            conn, dossier_hmac=message.dossier_hmac, flag=message.flag, set_at=message.when
        ):
            log.info("standing flag %s applied from central", message.flag)
        return message

    def notify(self, message: FlagMessage) -> None:
        """Tell the core (after the flag is applied and committed); its failure is its own."""
        if self._on_flag is None:
            return
        try:
            self._on_flag(message.dossier_hmac, message.flag, message.when)
        except Exception:
            log.exception("on_flag callback failed")
