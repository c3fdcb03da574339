"""Seal a box's secrets with `systemd-creds` (TPM2 when present, else the host key).

A sealed credential is `<bundle>/credstore/<name>.cred`, what the unit's
`LoadCredentialEncrypted=<name>:/etc/spreekkamer/credstore/<name>.cred` reads. Where
`systemd-creds` cannot run (a container, no host key), the secret falls back to a 0600 file in
`<bundle>/credentials/<name>` — weaker, so every caller says so loudly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from appliance.box.secrets import write_secret

SealMode = Literal["tpm2", "host", "plain"]
SEALED_DIR = "credstore"
PLAIN_DIR = "credentials"
_TIMEOUT_S = 30.0


class CredentialError(Exception):
    """A credential that cannot be sealed, found or opened."""


@dataclass(frozen=True)
class Sealer:
    """How this machine seals credentials, and why that choice was made."""

    mode: SealMode
    reason: str

    def seal(self, bundle: Path, name: str, secret: bytes) -> Path:
        """Store `secret` as credential `name` in `bundle`; returns the file written."""
        _check_name(name)
        if self.mode == "plain":
            path = bundle / PLAIN_DIR / name
            write_secret(path, secret)
            return path
        out = bundle / SEALED_DIR / f"{name}.cred"
        out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _run(["systemd-creds", "encrypt", f"--with-key={self.mode}", f"--name={name}", "-",
              str(out)], secret)
        out.chmod(0o600)
        return out


def detect_sealer() -> Sealer:
    """TPM2 if systemd-creds finds one, else the host key, else plain 0600 files."""
    if shutil.which("systemd-creds") is None:
        return Sealer("plain", "systemd-creds is not installed")
    try:
        tpm = subprocess.run(["systemd-creds", "has-tpm2"], capture_output=True,
                             timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Sealer("plain", f"systemd-creds cannot run: {exc}")
    if tpm.returncode == 0:
        return Sealer("tpm2", "a TPM2 chip is present")
    # The host key lives in /var/lib/systemd/credential.secret; a trial run creates it if needed
    # and proves that encryption works here at all (it does not in many containers).
    try:
        _run(["systemd-creds", "encrypt", "--with-key=host", "--name=probe", "-", "-"], b"probe")
    except CredentialError as exc:
        return Sealer("plain", f"systemd-creds cannot seal with the host key here: {exc}")
    return Sealer("host", "no TPM2 chip; sealed with the host key (/var/lib/systemd/credential.secret)")


def warn_if_plain(sealer: Sealer) -> None:
    """Tell IT, on stderr and unmissably, that secrets are only protected by file permissions."""
    if sealer.mode == "plain":
        print(
            "WARNING: secrets are NOT sealed: " + sealer.reason + ".\n"
            "WARNING: they are written as owner-only (0600) files; seal them on the box "
            "with systemd-creds before production use.",
            file=sys.stderr,
        )


def credential_file(bundle: Path, name: str) -> tuple[Path, SealMode | None]:
    """Where credential `name` is stored in `bundle` and whether it is sealed; (path, None) if absent."""
    _check_name(name)
    sealed = bundle / SEALED_DIR / f"{name}.cred"
    if sealed.exists():
        return sealed, "host"  # tpm2 vs host is recorded inside the file; decryption finds out
    plain = bundle / PLAIN_DIR / name
    if plain.exists():
        return plain, "plain"
    return sealed, None


def unseal(bundle: Path, name: str) -> bytes:
    """The plaintext of credential `name` from `bundle` (decrypted in memory, never on disk)."""
    path, mode = credential_file(bundle, name)
    if mode is None:
        raise CredentialError(f"credential {name!r} not found in {bundle} "
                              f"(neither {SEALED_DIR}/{name}.cred nor {PLAIN_DIR}/{name})")
    if mode == "plain":
        if path.stat().st_mode & 0o077:
            raise CredentialError(f"{path} is readable by others; run: chmod 600 {path}")
        return path.read_bytes()
    return _run(["systemd-creds", "decrypt", f"--name={name}", str(path), "-"], None)


def destroy(bundle: Path, name: str) -> Path | None:
    """Overwrite and delete credential `name`; returns the file destroyed, None if there was none."""
    path, mode = credential_file(bundle, name)
    if mode is None:
        return None
    size = path.stat().st_size
    # Overwrite first: on a plain file this erases the key bytes, not only the directory entry.
    with path.open("r+b") as fh:
        fh.write(os.urandom(max(size, 1)))
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()
    return path


def _check_name(name: str) -> None:
    if not name or "/" in name or name.startswith("."):
        raise CredentialError(f"credential name {name!r} must be a plain file name")


def _run(cmd: list[str], stdin: bytes | None) -> bytes:
    try:
        done = subprocess.run(cmd, input=stdin, capture_output=True, timeout=_TIMEOUT_S,
                              check=False, stdin=None if stdin is not None else subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CredentialError(f"{cmd[0]} {cmd[1]} failed: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise CredentialError(f"{cmd[0]} {cmd[1]} failed: {message[-1] if message else done.returncode}")
    return done.stdout
