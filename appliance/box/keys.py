"""The box's keys: the SQLCipher key from its credential, separate keys derived from it per
purpose, and the encrypted store opened with them (by the service and by CLI commands)."""

from __future__ import annotations

import hashlib
import hmac

from appliance.box.audit import AuditLog
from appliance.box.config import AppConfig
from appliance.box.secrets import read_secret
from appliance.store.db import Store


def database_key(config: AppConfig) -> bytes:
    """The 32-byte SQLCipher key, stored as 64 hex characters."""
    raw = read_secret(config.store.key_credential, config.credentials_dir).strip()
    key = bytes.fromhex(raw.decode("ascii"))
    if len(key) != 32:
        raise ValueError(f"credential {config.store.key_credential!r} must hold 32 bytes as hex")
    return key


def derived_key(db_key: bytes, purpose: str) -> bytes:
    """Separate keys for separate purposes, all tied to the box's database key."""
    return hmac.new(db_key, f"spreekkamer/{purpose}".encode(), hashlib.sha256).digest()


def open_store(config: AppConfig) -> tuple[Store, AuditLog]:
    """Open the encrypted store and its audit log (used by the service and by CLI commands)."""
    key = database_key(config)
    store = Store.open(config.store.data_dir / "spreekkamer.db", key)
    return store, AuditLog(store, derived_key(key, "audit-chain"))
