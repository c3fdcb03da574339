"""A device's config bundle: what `device enrol` writes for one box (normally to /etc/spreekkamer).

    config.toml          validated by appliance.box.config.load_config
    bundle.json          org, device id, profile, how the secrets are sealed, certificate serial
    pki/                 ca.crt, device.crt, central-x25519.pub, central-ed25519.pub
    credstore/NAME.cred  sealed secrets (systemd-creds), or credentials/NAME (0600) as fallback
    models/              Whisper models installed with `models install`
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from appliance.box.config import AppConfig, format_errors
from provisioning.org import ProvisioningError

CREDENTIAL_NAMES = ("db-key", "dossier-key", "tls-key", "signing-key", "x25519-key")
"""Every secret a bundle holds; the first four are what spreekkamer.service loads."""


@dataclass(frozen=True)
class Bundle:
    """Paths inside one bundle folder."""

    folder: Path

    @property
    def config_file(self) -> Path:
        """The appliance config."""
        return self.folder / "config.toml"

    @property
    def meta_file(self) -> Path:
        """Facts about the enrolment (no secrets)."""
        return self.folder / "bundle.json"

    @property
    def pki_dir(self) -> Path:
        """Public certificates and keys."""
        return self.folder / "pki"

    @property
    def cert_file(self) -> Path:
        """The device's client certificate."""
        return self.pki_dir / "device.crt"

    def meta(self) -> dict[str, Any]:
        """bundle.json, or a readable error when this is not a bundle."""
        try:
            data: dict[str, Any] = json.loads(self.meta_file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ProvisioningError(f"{self.folder} is not a device bundle (no bundle.json); "
                                    "run: spreekkamer-provision device enrol") from exc
        except ValueError as exc:
            raise ProvisioningError(f"{self.meta_file} is damaged: {exc}") from exc
        return data

    def write_meta(self, data: dict[str, Any]) -> None:
        """Replace bundle.json."""
        self.meta_file.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    def config_dict(self) -> dict[str, Any]:
        """config.toml as a dict."""
        try:
            return tomllib.loads(self.config_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ProvisioningError(f"{self.config_file}: cannot read: {exc}") from exc

    def config(self) -> AppConfig:
        """The validated appliance config of this bundle."""
        return validate_config(self.config_dict(), self.config_file)

    def write_config(self, data: dict[str, Any]) -> AppConfig:
        """Validate, then write config.toml; an invalid dict is refused and nothing is written."""
        config = validate_config(data, self.config_file)
        tmp = self.config_file.with_name("config.toml.tmp")
        tmp.write_text(to_toml(data), encoding="utf-8")
        tmp.replace(self.config_file)
        return config


def validate_config(data: dict[str, Any], path: Path) -> AppConfig:
    """AppConfig from a dict, with field-path errors as a ProvisioningError."""
    try:
        return AppConfig.model_validate(data)
    except ValidationError as exc:
        raise ProvisioningError(format_errors(path, exc)) from exc


def to_toml(data: dict[str, Any]) -> str:
    """A small TOML writer for the config's shape: top-level scalars, then one table per section."""
    head = ["# Written by spreekkamer-provision; validated by `spreekkamer check-config`."]
    tables: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables += ["", f"[{key}]"] + [f"{k} = {_value(v)}" for k, v in value.items() if v is not None]
        elif value is not None:
            head.append(f"{key} = {_value(value)}")
    return "\n".join(head + tables) + "\n"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(str(value), ensure_ascii=False)
