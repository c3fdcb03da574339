"""Sealed-report envelopes: signed by the device (Ed25519), encrypted to central (X25519).

Layout (all integers big-endian):

    b"SKE1" | u16 header_len | header (canonical JSON) | 32-byte ephemeral X25519 public | ciphertext

The header (device id, report id, version) travels in clear so the receiver knows which device
key to use, and is bound as AEAD associated data together with the magic, so any change to it
breaks decryption. The plaintext is the framed report JSON + optional PDF + the device's Ed25519
signature over (domain, header, recipient key, content hash) — signing the recipient key stops an
opened envelope from being re-sealed to someone else under the device's name.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# Acks live in their own module; re-exported here because callers treat them as envelope API.
from appliance.sync.ack import Ack, AckError, sign_ack, verify_ack

MAGIC = b"SKE1"
_SIGN_DOMAIN = b"spreekkamer/v1/report-signature"
_KDF_INFO = b"spreekkamer/v1/report-envelope"
# A fresh ephemeral key per envelope makes each derived key single-use, so a fixed nonce is safe.
_NONCE = bytes(12)
_NO_PDF = 0xFFFFFFFF
_MAX_HEADER = 1024


class EnvelopeError(Exception):
    """An envelope that is malformed, tampered with, or from a device we do not know."""


@dataclass(frozen=True)
class OpenedReport:
    """A verified, decrypted report as the receiver sees it."""

    device_id: str
    report_id: str
    version: int
    report_json: bytes
    pdf: bytes | None
    content_hash: str


def content_hash(report_json: bytes, pdf: bytes | None) -> str:
    """SHA-256 (hex) over the framed report JSON and PDF: the de-duplication key's second half."""
    return hashlib.sha256(_frame_content(report_json, pdf)).hexdigest()


def envelope_hash(blob: bytes) -> str:
    """SHA-256 (hex) of a whole envelope, which acks echo so a device can match them to its row."""
    return hashlib.sha256(blob).hexdigest()


def seal_report(
    report_json: bytes,
    *,
    pdf: bytes | None,
    device_id: str,
    report_id: str,
    version: int,
    signing_key: Ed25519PrivateKey,
    central_public: X25519PublicKey,
) -> bytes:
    """Sign a validated report with the device key and encrypt it to the central public key."""
    header = _encode_header(device_id, report_id, version)
    central_raw = _raw_public(central_public)
    chash = content_hash(report_json, pdf)
    signature = signing_key.sign(_signed_bytes(header, central_raw, chash))
    plaintext = _frame_content(report_json, pdf) + signature

    ephemeral = X25519PrivateKey.generate()
    eph_raw = _raw_public(ephemeral.public_key())
    key = _derive_key(ephemeral.exchange(central_public), eph_raw, central_raw)
    aad = MAGIC + struct.pack(">H", len(header)) + header
    return aad + eph_raw + ChaCha20Poly1305(key).encrypt(_NONCE, plaintext, aad)


def open_envelope(
    blob: bytes,
    *,
    central_private: X25519PrivateKey,
    device_key: Callable[[str], Ed25519PublicKey],
) -> OpenedReport:
    """Decrypt and verify an envelope; `device_key` maps a device id to its key or raises KeyError."""
    if len(blob) < 6 or blob[:4] != MAGIC:
        raise EnvelopeError("not a Spreekkamer report envelope (bad magic)")
    (header_len,) = struct.unpack(">H", blob[4:6])
    if header_len > _MAX_HEADER or len(blob) < 6 + header_len + 32 + 16:
        raise EnvelopeError("envelope truncated or header too long")
    header = blob[6 : 6 + header_len]
    device_id, report_id, version = _decode_header(header)
    eph_raw = blob[6 + header_len : 6 + header_len + 32]
    ciphertext = blob[6 + header_len + 32 :]

    central_raw = _raw_public(central_private.public_key())
    try:
        shared = central_private.exchange(X25519PublicKey.from_public_bytes(eph_raw))
        key = _derive_key(shared, eph_raw, central_raw)
        plaintext = ChaCha20Poly1305(key).decrypt(_NONCE, ciphertext, blob[: 6 + header_len])
    except (InvalidTag, ValueError) as exc:
        raise EnvelopeError("envelope does not decrypt: tampered or not addressed to us") from exc

    report_json, pdf, signature = _unframe(plaintext)
    chash = content_hash(report_json, pdf)
    try:
        public = device_key(device_id)
    except KeyError as exc:
        raise EnvelopeError(f"unknown device {device_id!r}") from exc
    try:
        public.verify(signature, _signed_bytes(header, central_raw, chash))
    except InvalidSignature as exc:
        raise EnvelopeError(f"signature does not verify for device {device_id!r}") from exc
    return OpenedReport(device_id, report_id, version, report_json, pdf, chash)


def _encode_header(device_id: str, report_id: str, version: int) -> bytes:
    if not device_id or not report_id or version < 1:
        raise ValueError("device_id and report_id must be non-empty and version >= 1")
    header = json.dumps(
        {"device_id": device_id, "report_id": report_id, "version": version},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    if len(header) > _MAX_HEADER:
        raise ValueError("device_id/report_id too long for an envelope header")
    return header


def _decode_header(header: bytes) -> tuple[str, str, int]:
    try:
        fields = json.loads(header)
        device_id, report_id, version = fields["device_id"], fields["report_id"], fields["version"]
    except (ValueError, TypeError, KeyError) as exc:
        raise EnvelopeError("envelope header is not valid") from exc
    if not (isinstance(device_id, str) and isinstance(report_id, str) and type(version) is int):
        raise EnvelopeError("envelope header has wrong field types")
    return device_id, report_id, version


def _frame_content(report_json: bytes, pdf: bytes | None) -> bytes:
    pdf_part = struct.pack(">I", _NO_PDF) if pdf is None else struct.pack(">I", len(pdf)) + pdf
    return struct.pack(">I", len(report_json)) + report_json + pdf_part


def _unframe(plaintext: bytes) -> tuple[bytes, bytes | None, bytes]:
    try:
        (json_len,) = struct.unpack_from(">I", plaintext, 0)
        report_json = plaintext[4 : 4 + json_len]
        (pdf_len,) = struct.unpack_from(">I", plaintext, 4 + json_len)
        rest = 8 + json_len
        pdf = None if pdf_len == _NO_PDF else plaintext[rest : rest + pdf_len]
        signature = plaintext[rest + (0 if pdf is None else pdf_len) :]
    except struct.error as exc:
        raise EnvelopeError("envelope content is badly framed") from exc
    if len(report_json) != json_len or (pdf is not None and len(pdf) != pdf_len):
        raise EnvelopeError("envelope content is truncated")
    if len(signature) != 64:
        raise EnvelopeError("envelope signature has the wrong length")
    return report_json, pdf, signature


def _signed_bytes(header: bytes, central_raw: bytes, chash: str) -> bytes:
    return _SIGN_DOMAIN + struct.pack(">H", len(header)) + header + central_raw + chash.encode()


def _derive_key(shared: bytes, eph_raw: bytes, central_raw: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=eph_raw + central_raw, info=_KDF_INFO)
    return hkdf.derive(shared)


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


__all__ = [
    "Ack",
    "AckError",
    "EnvelopeError",
    "OpenedReport",
    "content_hash",
    "envelope_hash",
    "open_envelope",
    "seal_report",
    "sign_ack",
    "verify_ack",
]
