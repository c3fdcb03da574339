"""A paho-mqtt 2.x client over mutual TLS (1.2+), and how to tell an auth failure from an outage."""

from __future__ import annotations

import re
import ssl
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

# CONNACK reason codes that retrying cannot fix (MQTT 5, section 3.2.2.2).
_AUTH_REFUSALS = {0x86, 0x87, 0x8A, 0x8C, 0x85}
# TLS alerts the broker sends when it rejects our certificate. With TLS 1.3 they only surface on
# the first read after the handshake, which paho reports as a log line, not an exception.
_TLS_AUTH_ALERT = re.compile(
    r"ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_\w+|ACCESS_DENIED|UNSUPPORTED_CERTIFICATE"
    r"|DECRYPT_ERROR)|CERTIFICATE_VERIFY_FAILED"
)


def make_client(
    client_id: str, *, ca_file: Path, cert_file: Path, key_file: Path, timeout_s: float
) -> mqtt.Client:
    """An MQTT 5 client that trusts only `ca_file` and proves itself with a client certificate."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca_file))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(cert_file), str(key_file))
    client.tls_set_context(ctx)
    client.connect_timeout = timeout_s
    return client


def is_auth_refusal(reason: ReasonCode) -> bool:
    """Whether a CONNACK refusal means bad credentials or no permission (do not retry)."""
    return reason.is_failure and reason.value in _AUTH_REFUSALS


def is_tls_auth_failure(text: str) -> bool:
    """Whether an SSL error text (exception or paho log line) means a certificate was rejected."""
    return bool(_TLS_AUTH_ALERT.search(text))
