"""The central private keys a receiver holds: X25519 opens envelopes, Ed25519 signs acks."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from appliance.box.secrets import SecretError


def _load_private(path: Path) -> object:
    """A PEM private key from an owner-only file."""
    if path.exists() and path.stat().st_mode & 0o077:
        raise SecretError(f"key {path} is readable by others; run: chmod 600 {path}")
    try:
        return load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise SecretError(f"cannot load key {path}: {exc}") from exc


def x25519_key(path: Path) -> X25519PrivateKey:
    """The X25519 key that opens report envelopes."""
    key = _load_private(path)
    if not isinstance(key, X25519PrivateKey):
        raise SecretError(f"{path} is not an X25519 private key")
    return key


def ed25519_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 key that signs acks and standing flags."""
    key = _load_private(path)
    if not isinstance(key, Ed25519PrivateKey):
        raise SecretError(f"{path} is not an Ed25519 private key")
    return key
