"""A box of its own for a test: real store, real wiring, a quiet WAV microphone, no model and no
broker (for room and review logic that needs neither)."""

from __future__ import annotations

import secrets
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from appliance.box.config import AppConfig, AudioConfig, DeviceConfig, StoreConfig, SyncConfig
from appliance.box.secrets import write_secret
from appliance.service.wiring import Appliance, build_appliance
from provisioning.pki import make_dev_pki


def silence(path: Path, seconds: int) -> Path:
    """A WAV microphone that stays open for the whole test (a long quiet room)."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * 16000 * seconds)
    return path


def box_config(root: Path, **sync: Any) -> AppConfig:
    """A dev box's config under `root`: its own keys, a quiet microphone; `sync` overrides."""
    pki = make_dev_pki(root / "pki", org="ocmw-test", devices=["room-1"])
    creds = root / "credentials"
    write_secret(creds / "db-key", secrets.token_hex(32).encode())
    write_secret(creds / "dossier-key", secrets.token_hex(32).encode())
    write_secret(creds / "signing-key", pki.devices["room-1"].signing_key.read_bytes())
    write_secret(creds / "tls-key", pki.devices["room-1"].key.read_bytes())
    return AppConfig(
        device=DeviceConfig(org="ocmw-test", device_id="room-1"),
        store=StoreConfig(data_dir=root / "data"),
        audio=AudioConfig(source="wav", wav_path=silence(root / "quiet.wav", 900), speedup=1.0),
        sync=SyncConfig(ca_file=pki.ca_cert, cert_file=pki.devices["room-1"].cert,
                        central_public_key=pki.central_x25519_pub, central_verify_key=pki.central_ed25519_pub, **sync),
        credentials_dir=creds,
    )


@contextmanager
def running_box(config: AppConfig) -> Iterator[Appliance]:
    """The wired appliance, closed afterwards."""
    appliance = build_appliance(config, load_model=False, start_sync=False)
    try:
        yield appliance
    finally:
        appliance.close()


