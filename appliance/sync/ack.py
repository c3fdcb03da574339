"""Application-level acknowledgements, signed by the central receiver's Ed25519 key.

A broker PUBACK only means the broker has a report; this ack means central has stored it.
Layout: b"SKA1" | u16 body_len | body (canonical JSON) | 64-byte Ed25519 signature.
The body carries no timestamp, so a redelivered report gets byte-for-byte the same ack.
"""

from __future__ import annotations

import json
import struct
from dataclasses import asdict, dataclass
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ACK_MAGIC = b"SKA1"
_ACK_DOMAIN = b"spreekkamer/v1/ack"
AckStatus = Literal["stored", "conflict"]


class AckError(Exception):
    """An ack that is malformed or not signed by the central key."""


@dataclass(frozen=True)
class Ack:
    """Central's word on one envelope: `stored` (now or before) or `conflict` (same id+version,
    different content; never overwritten)."""

    device_id: str
    report_id: str
    version: int
    envelope_hash: str
    content_hash: str
    status: AckStatus


def sign_ack(ack: Ack, *, signing_key: Ed25519PrivateKey) -> bytes:
    """Encode and sign an ack with the central Ed25519 key."""
    body = json.dumps(asdict(ack), sort_keys=True, separators=(",", ":")).encode()
    return ACK_MAGIC + struct.pack(">H", len(body)) + body + signing_key.sign(_ACK_DOMAIN + body)


def verify_ack(blob: bytes, *, verify_key: Ed25519PublicKey) -> Ack:
    """Check an ack's signature against the central key and decode it; raises AckError."""
    if len(blob) < 6 + 64 or blob[:4] != ACK_MAGIC:
        raise AckError("not a Spreekkamer ack")
    (body_len,) = struct.unpack(">H", blob[4:6])
    body, signature = blob[6 : 6 + body_len], blob[6 + body_len :]
    if len(body) != body_len or len(signature) != 64:
        raise AckError("ack is truncated")
    try:
        verify_key.verify(signature, _ACK_DOMAIN + body)
    except InvalidSignature as exc:
        raise AckError("ack is not signed by the central key") from exc
    try:
        fields = json.loads(body)
        ack = Ack(**fields)
    except (ValueError, TypeError) as exc:
        raise AckError("ack body is not valid") from exc
    if ack.status not in ("stored", "conflict") or type(ack.version) is not int:
        raise AckError("ack body has wrong field values")
    return ack
