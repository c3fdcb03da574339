"""Authenticated encryption of content under a contact's data key (AES-256-GCM).

Blob layout: version byte (0x01) | 96-bit random nonce | ciphertext + 128-bit tag.
The version byte is authenticated too (it is prefixed to the caller's AAD).
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES
"""Bytes a sealed blob has on top of its plaintext."""


class SealError(Exception):
    """A blob that cannot be opened: tampered, truncated, wrong key or wrong context (AAD)."""


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate `plaintext`, bound to the context `aad` (not stored in the blob)."""
    _check_key(key)
    nonce = os.urandom(NONCE_BYTES)
    header = bytes([VERSION])
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + aad)


def unseal(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Decrypt a blob made by `seal` with the same key and AAD; anything else raises `SealError`."""
    _check_key(key)
    if len(blob) < OVERHEAD:
        raise SealError(f"sealed blob too short ({len(blob)} bytes): truncated")
    if blob[0] != VERSION:
        raise SealError(f"unknown sealed blob version {blob[0]}")
    nonce = blob[1 : 1 + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[1 + NONCE_BYTES :], blob[:1] + aad)
    except InvalidTag as exc:
        raise SealError("sealed blob failed authentication: tampered, wrong key or wrong context") from exc


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise SealError(f"a sealing key must be exactly {KEY_BYTES} bytes")
