"""The workers' screen's one validated config file (TOML)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from appliance.box.config import load_toml_model


class WebConfig(BaseModel):
    """Where the screen listens and how it reaches the dossier store."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    host: Annotated[str, Field(description="Listen address (behind the OCMW's TLS proxy).")] = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8090
    database_url: Annotated[
        str,
        Field(min_length=1, description="PostgreSQL as the screen's own role (spreekkamer_web),"
              " to which row-level security applies."),
    ]
    credentials_dir: Annotated[
        Path | None, Field(description="Fallback folder of central-storage-key (0600).")
    ] = None
    secure_cookies: Annotated[
        bool, Field(description="Send the session cookie over HTTPS only; false only on loopback.")
    ] = True
    session_hours: Annotated[float, Field(gt=0, le=24)] = 8.0
    days_ahead: Annotated[int, Field(ge=1, le=60, description="How far 'Today' looks ahead.")] = 7


class WebConfigError(Exception):
    """A screen config that cannot be used; one line per bad field."""


def load_web_config(path: Path) -> WebConfig:
    """Read and validate a TOML screen config."""
    return load_toml_model(path, WebConfig, WebConfigError)
