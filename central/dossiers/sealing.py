"""Encryption at rest per dossier: each dossier's data key, sealed by the central storage key.

The storage key (32 random bytes, hex, credential `central-storage-key` from systemd
credentials or a 0600 file) never touches the database. Two keys are derived from it: one
seals the dossier data keys (AES-256-GCM), one makes the dossier reference's HMAC, so the
database can find a dossier without holding its reference. Destroying a dossier's sealed data
key makes everything sealed under it unreadable: that is how a dossier is erased.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from appliance.box.secrets import SecretError, read_secret

STORAGE_KEY = "central-storage-key"
_NONCE = 12


class SealError(Exception):
    """A sealed value that does not open: wrong key, erased dossier or altered bytes."""


class StorageKey:
    """The central storage key's two derived keys; made from the credential at start-up."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise SecretError(f"{STORAGE_KEY} must hold at least 32 bytes")
        self._wrap = AESGCM(_derive(secret, b"spreekkamer central dossier-key wrap"))
        self._hmac = _derive(secret, b"spreekkamer central dossier-ref hmac")

    @classmethod
    def load(cls, credentials_dir: Path | None) -> StorageKey:
        """Read `central-storage-key` (hex) from $CREDENTIALS_DIRECTORY or the 0600 fallback."""
        raw = read_secret(STORAGE_KEY, credentials_dir).strip()
        try:
            return cls(bytes.fromhex(raw.decode("ascii")))
        except (UnicodeDecodeError, ValueError) as exc:
            raise SecretError(f"{STORAGE_KEY} must be hex: {exc}") from exc

    def dossier_hmac(self, org: str, dossier_ref: str) -> str:
        """The clear column that finds a dossier: HMAC-SHA256 of org and reference."""
        message = org.encode() + b"\0" + dossier_ref.strip().encode()
        return hmac.new(self._hmac, message, hashlib.sha256).hexdigest()

    def new_data_key(self, org: str, dossier_hmac: str, generation: int) -> tuple[bytes, bytes]:
        """A fresh dossier data key and its sealed form (what the database keeps)."""
        key = AESGCM.generate_key(bit_length=256)
        return key, _seal(self._wrap, key, _key_label(org, dossier_hmac, generation))

    def open_data_key(self, sealed: bytes, org: str, dossier_hmac: str, generation: int) -> bytes:
        """The dossier data key from its sealed form."""
        return _open(self._wrap, sealed, _key_label(org, dossier_hmac, generation))


def seal(data_key: bytes, plaintext: bytes, label: str) -> bytes:
    """AES-256-GCM under a dossier data key; `label` (e.g. report id and version) is bound in."""
    return _seal(AESGCM(data_key), plaintext, label.encode())


def open_sealed(data_key: bytes, sealed: bytes, label: str) -> bytes:
    """The plaintext of `seal`; SealError if key, label or bytes do not match."""
    return _open(AESGCM(data_key), sealed, label.encode())


def _seal(aead: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + aead.encrypt(nonce, plaintext, aad)


def _open(aead: AESGCM, sealed: bytes, aad: bytes) -> bytes:
    try:
        return aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], aad)
    except (InvalidTag, ValueError) as exc:
        raise SealError("sealed value does not open") from exc


def _key_label(org: str, dossier_hmac: str, generation: int) -> bytes:
    return f"dossier-key|{org}|{dossier_hmac}|{generation}".encode()


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)
