"""A paho-mqtt 2.x client over mutual TLS (1.2+), and how to tell an auth failure from an outage."""

from __future__ import annotations

import re
import socket
import ssl
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

# CONNACK reason codes that retrying cannot fix (MQTT 5, section 3.2.2.2).
_AUTH_REFUSALS = {0x86, 0x87, 0x8A, 0x8C, 0x85}
# TLS alerts the broker sends when it rejects our certificate. With TLS 1.3 they only surface on
# the first read after the handshake, which paho reports as a log line, not an exception; and
# since paho writes CONNECT straight after the handshake, the broker may close on unread data and
# the alert is lost (the client sees only EOF). `probe_tls_identity` asks again without writing.
_TLS_AUTH_ALERT = re.compile(
    r"ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_\w+|ACCESS_DENIED|UNSUPPORTED_CERTIFICATE"
    r"|DECRYPT_ERROR)|CERTIFICATE_VERIFY_FAILED"
)


def make_client(
    client_id: str, *, ca_file: Path, cert_file: Path, key_file: Path, timeout_s: float
) -> mqtt.Client:
    """An MQTT 5 client that trusts only `ca_file` and proves itself with a client certificate."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.tls_set_context(_tls_context(ca_file, cert_file, key_file))
    client.connect_timeout = timeout_s
    return client


def probe_tls_identity(
    host: str, port: int, *, ca_file: Path, cert_file: Path, key_file: Path, timeout_s: float
) -> str | None:
    """The TLS error text if the broker rejects our certificate, else None.

    Completes a handshake, sends nothing and waits up to `timeout_s` for the broker: one that
    rejects the certificate answers with an alert, which nothing we wrote can overtake; one that
    accepted it waits for CONNECT, so a quiet timeout means accepted. Any other failure (broker
    down, reset) cannot tell, and gives None too."""
    ctx = _tls_context(ca_file, cert_file, key_file)
    try:
        with (
            socket.create_connection((host, port), timeout=timeout_s) as raw,
            ctx.wrap_socket(raw, server_hostname=host) as tls,
        ):
            tls.recv(1)
    except ssl.SSLError as exc:
        return str(exc) if is_tls_auth_failure(str(exc)) else None
    except OSError:
        return None
    return None


def _tls_context(ca_file: Path, cert_file: Path, key_file: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca_file))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(cert_file), str(key_file))
    return ctx


def is_auth_refusal(reason: ReasonCode) -> bool:
    """Whether a CONNACK refusal means bad credentials or no permission (do not retry)."""
    return reason.is_failure and reason.value in _AUTH_REFUSALS


def is_tls_auth_failure(text: str) -> bool:
    """Whether an SSL error text (exception or paho log line) means a certificate was rejected."""
    return bool(_TLS_AUTH_ALERT.search(text))
