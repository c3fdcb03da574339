"""The device registry: which devices exist, their org, and the Ed25519 key their reports carry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key


class RegistryError(Exception):
    """A registry file that cannot be used."""


@dataclass(frozen=True)
class RegisteredDevice:
    """One enrolled device."""

    device_id: str
    org: str
    public_key: Ed25519PublicKey


class DeviceRegistry:
    """Device id -> org and signing key, loaded from the JSON written by provisioning."""

    def __init__(self, devices: dict[str, RegisteredDevice]) -> None:
        self._devices = devices

    @classmethod
    def load(cls, path: Path) -> DeviceRegistry:
        """Parse `{device_id: {"org": ..., "public_key": PEM}}`; errors name the device."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RegistryError(f"{path}: cannot read device registry: {exc}") from exc
        if not isinstance(raw, dict):
            raise RegistryError(f"{path}: expected an object of devices")
        devices = {}
        for device_id, entry in raw.items():
            try:
                key = load_pem_public_key(entry["public_key"].encode())
                org = entry["org"]
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                raise RegistryError(f"{path}: device {device_id!r}: {exc}") from exc
            if not isinstance(key, Ed25519PublicKey) or not isinstance(org, str):
                raise RegistryError(
                    f"{path}: device {device_id!r}: needs an Ed25519 key and an org"
                )
            devices[device_id] = RegisteredDevice(device_id, org, key)
        return cls(devices)

    def key(self, device_id: str) -> Ed25519PublicKey:
        """The device's signing key; KeyError for an unknown device."""
        return self._devices[device_id].public_key

    def org(self, device_id: str) -> str:
        """The device's org; KeyError for an unknown device."""
        return self._devices[device_id].org

    def __contains__(self, device_id: object) -> bool:
        return device_id in self._devices
