"""The dev profile: everything a laptop needs to run the appliance with no hardware.

Creates, once, under the git-ignored `.spreekkamer/`: a dev CA and certificates, device and
central keys, the database and dossier keys (0600 files), a worker account, and a short
synthetic Dutch conversation to play as the microphone. Never used by a production box.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from appliance.box.config import DEV_HOME, AppConfig
from appliance.box.secrets import write_secret

DEV_WORKER = ("an", "An Peeters")

# A short, fictional intake: worker and client alternate (espeak-ng voices, slowed).
DEMO_TURNS = (
    ("worker", "Goedemorgen. Waarmee kan ik u vandaag helpen?"),
    ("client", "Ik kan mijn huur niet meer betalen. De huur is zevenhonderdvijftig euro per maand."),
    ("worker", "Hoeveel verdient u op dit moment?"),
    ("client", "Ik heb een uitkering van elfhonderd euro. Ik woon alleen met mijn twee kinderen."),
    ("worker", "Goed. We maken een afspraak volgende week dinsdag om de documenten te bekijken."),
)


@dataclass(frozen=True)
class DevLogin:
    """How to log in on the dev worker screen."""

    username: str
    password: str


def ensure_dev_home(config: AppConfig) -> DevLogin:
    """Create whatever of the dev set-up is missing; idempotent."""
    from provisioning.pki import make_dev_pki

    home = DEV_HOME
    creds = config.credentials_dir or home / "credentials"
    pki_dir = config.sync.ca_file.parent
    make_dev_pki(pki_dir, org=config.device.org, devices=[config.device.device_id])
    _secret_once(creds / config.store.key_credential, secrets.token_hex(32).encode())
    _secret_once(creds / "dossier-key", secrets.token_hex(32).encode())
    _copy_secret(pki_dir / f"{config.device.device_id}.key", creds / config.sync.key_credential)
    _copy_secret(pki_dir / f"{config.device.device_id}-signing.key", creds / config.sync.signing_key_credential)
    login_file = home / "dev-login.txt"
    if not login_file.exists():
        write_secret(login_file, f"{DEV_WORKER[0]}\n{secrets.token_urlsafe(12)}\n".encode())
    username, password = login_file.read_text().split("\n")[:2]
    return DevLogin(username, password)


def ensure_dev_worker(config: AppConfig, login: DevLogin) -> None:
    """Create the dev worker account in the store if it is not there."""
    from appliance.box.accounts import create_user
    from appliance.box.keys import open_store

    store, _ = open_store(config)
    try:
        if not store.query("SELECT 1 FROM users WHERE username = ?", (login.username,)):
            create_user(store, login.username, DEV_WORKER[1], "worker", login.password)
    finally:
        store.close()


def ensure_demo_wav(target: Path = DEV_HOME / "demo-gesprek.wav", *, stereo: bool = False) -> Path:
    """Synthesize the demo conversation (16 kHz) with espeak-ng and sox, once. Mono, or with
    `stereo` as two microphones: the worker on the left, the client on the right, each hearing
    the other 15 dB quieter, as a room's two-microphone board does."""
    if target.exists():
        return target
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is needed to make the demo audio; run 'make run' to install it")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, (speaker, text) in enumerate(DEMO_TURNS):
            raw = Path(tmp) / f"{i}.wav"
            # Voices and pace the base model hears best (10 of the 19 long words greedily
            # decoded, against 6 to 8 with the m3/f3 variants at 150 words a minute).
            voice = "nl" if speaker == "worker" else "nl+f4"
            subprocess.run(["espeak-ng", "-v", voice, "-s", "130", "-w", str(raw), text], check=True, timeout=60)
            fixed = Path(tmp) / f"{i}-16k.wav"
            subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(fixed), "pad", "0", "0.6"],
                           check=True, timeout=60)
            if stereo:
                two = Path(tmp) / f"{i}-2ch.wav"
                # remix: the speaker's own microphone at full level, the other one 15 dB down.
                channels = ("1", "1v0.178") if speaker == "worker" else ("1v0.178", "1")
                subprocess.run(["sox", str(fixed), str(two), "remix", *channels], check=True, timeout=60)
                fixed = two
            parts.append(str(fixed))
        tmp_out = target.with_suffix(".tmp.wav")
        subprocess.run(["sox", *parts, str(tmp_out)], check=True, timeout=60)
        os.replace(tmp_out, target)
    return target


def _secret_once(path: Path, data: bytes) -> None:
    if not path.exists():
        write_secret(path, data)


def _copy_secret(src: Path, dst: Path) -> None:
    if not dst.exists() or dst.read_bytes() != src.read_bytes():
        write_secret(dst, src.read_bytes())
