"""The reference receiver's one validated config file (TOML); keys are named by file path only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator

from appliance.box.config import load_toml_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DirectorySinkConfig(_Strict):
    """Forward each report as `<report>.v<version>.json` (+ `.pdf`) into a folder the dossier system watches."""

    kind: Literal["directory"] = "directory"
    path: Annotated[Path, Field(description="Folder that receives the report files.")]


class WebhookSinkConfig(_Strict):
    """Forward each report as JSON in a POST to the dossier system."""

    kind: Literal["webhook"] = "webhook"
    url: Annotated[AnyHttpUrl, Field(description="Endpoint that accepts the report (2xx = taken).")]
    timeout_s: Annotated[float, Field(gt=0, le=120, description="Timeout for one POST.")] = 10.0


class ReceiverConfig(_Strict):
    """Everything the central receiver needs, validated at start-up."""

    broker_host: Annotated[str, Field(description="MQTT broker host name or address.")] = (
        "127.0.0.1"
    )
    broker_port: Annotated[int, Field(ge=1, le=65535, description="MQTT broker TLS port.")] = 8883
    client_id: Annotated[
        str,
        Field(
            pattern=r"^[A-Za-z0-9_-]{1,64}$",
            description="MQTT client id; unique per receiver instance, stable across restarts.",
        ),
    ] = "receiver-1"
    ca_file: Annotated[
        Path, Field(description="CA certificate that signed the broker's certificate.")
    ]
    cert_file: Annotated[
        Path, Field(description="The receiver's client certificate (CN = receiver).")
    ]
    key_file: Annotated[Path, Field(description="The receiver's TLS client key (PEM, 0600).")]
    central_x25519_key_file: Annotated[
        Path,
        Field(description="Central X25519 private key (PEM, 0600) that opens report envelopes."),
    ]
    central_ed25519_key_file: Annotated[
        Path, Field(description="Central Ed25519 private key (PEM, 0600) that signs acks.")
    ]
    device_registry_file: Annotated[
        Path, Field(description="JSON: device id -> {org, public_key (Ed25519 PEM)}.")
    ]
    database_url: Annotated[
        str,
        Field(
            min_length=1,
            description="PostgreSQL connection (libpq conninfo or postgresql:// URL), no password:"
            " use a Unix socket with peer authentication, or a client certificate.",
        ),
    ]
    credentials_dir: Annotated[
        Path | None,
        Field(
            description="Folder of 0600 credential files (central-storage-key) when"
            " $CREDENTIALS_DIRECTORY (systemd) is not set."
        ),
    ] = None
    sink: Annotated[
        DirectorySinkConfig | WebhookSinkConfig,
        Field(discriminator="kind", description="Where filed reports are forwarded."),
    ]
    timeout_s: Annotated[
        float, Field(gt=0, le=120, description="Timeout for connecting and for each publish.")
    ] = 10.0

    @model_validator(mode="before")
    @classmethod
    def _no_sqlite(cls, data: Any) -> Any:
        # Configs from before PostgreSQL name a SQLite file; say what replaced it.
        if isinstance(data, dict) and "database_path" in data:
            raise ValueError(
                "database_path is gone: central files reports in PostgreSQL now; set"
                " database_url (see docs/central.md)"
            )
        return data


class ReceiverConfigError(Exception):
    """A receiver config that cannot be used; one line per bad field."""


def load_receiver_config(path: Path) -> ReceiverConfig:
    """Read and validate a TOML receiver config."""
    return load_toml_model(path, ReceiverConfig, ReceiverConfigError)