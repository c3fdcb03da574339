"""Secrets from systemd credentials or owner-only files — never from the config file."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class SecretError(Exception):
    """A credential that is missing, unreadable or too widely readable."""


def credential_path(name: str, fallback_dir: Path | None) -> Path:
    """Where credential `name` lives: `$CREDENTIALS_DIRECTORY` first, then the fallback folder."""
    if "/" in name or name.startswith("."):
        raise SecretError(f"credential name {name!r} must be a plain file name")
    env_dir = os.environ.get("CREDENTIALS_DIRECTORY")
    if env_dir:
        return Path(env_dir) / name
    if fallback_dir is None:
        raise SecretError(f"credential {name!r}: $CREDENTIALS_DIRECTORY is not set and no credentials_dir is configured")
    return fallback_dir / name


def read_secret(name: str, fallback_dir: Path | None) -> bytes:
    """Read a credential; a fallback file must be owner-only (0600 or stricter)."""
    path = credential_path(name, fallback_dir)
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise SecretError(f"credential {name!r} not found at {path}") from exc
    if not os.environ.get("CREDENTIALS_DIRECTORY") and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(f"credential {name!r} at {path} is readable by others; run: chmod 600 {path}")
    return path.read_bytes()


def write_secret(path: Path, data: bytes) -> None:
    """Create a 0600 secret file atomically (used by provisioning and the dev profile)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
