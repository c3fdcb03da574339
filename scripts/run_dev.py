"""Run the whole system on this machine with the embedded dev defaults (what `make run` does).

Starts Mosquitto (TLS, client certificates, ACLs) on 127.0.0.1:8883, a PostgreSQL cluster of
its own (.spreekkamer/central/postgres/, Unix socket only), the central receiver (reports are
filed in that database and forwarded to .spreekkamer/central/dossier/), the central workers'
screen on 127.0.0.1:8090 and `spreekkamer serve` on 127.0.0.1:8080 (worker side) and 127.0.0.1:8081 (kiosk). Ctrl-C stops them all.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from appliance.box.config import DEV_HOME, AppConfig
from appliance.box.secrets import write_secret
from appliance.service.devprofile import (
    DEV_WORKER,
    ensure_demo_wav,
    ensure_dev_home,
    ensure_dev_worker,
)
from central.config import DirectorySinkConfig, ReceiverConfig
from central.dossiers import db
from central.dossiers.devcluster import DevCluster
from central.dossiers.sealing import STORAGE_KEY
from central.web.accounts import create_account
from provisioning.broker import Broker, write_mosquitto_config
from provisioning.pki import load_dev_pki


def receiver_config_toml(cfg: ReceiverConfig) -> str:
    """The receiver's config file, written from the validated model."""
    lines = [f"{k} = {v!r}" if isinstance(v, (int, float)) else f'{k} = "{v}"'
             for k, v in cfg.model_dump(exclude={"sink"}).items()]
    lines += ["", "[sink]", 'kind = "directory"', f'path = "{cfg.sink.path}"']  # type: ignore[union-attr]
    return "\n".join(lines) + "\n"


CENTRAL_PORT = 8090


def ensure_central_worker(database_url: str, org: str, username: str, password: str) -> None:
    """The dev worker's account on the central screen too (IT makes these in production)."""
    with db.connect(database_url) as conn:
        if conn.execute("SELECT 1 FROM accounts WHERE username = %s", (username,)).fetchone() is None:
            create_account(conn, username=username, org=org, display_name=DEV_WORKER[1],
                           password=password, by="dev-profile")


def main() -> int:
    # SIGTERM (systemd, `kill`) stops the children too, like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    config = AppConfig()
    login = ensure_dev_home(config)
    ensure_dev_worker(config, login)
    ensure_demo_wav(DEV_HOME / "demo-gesprek-stereo.wav", stereo=True)  # what serve plays
    # The broker drops to the `mosquitto` user, which must be able to reach its folder.
    DEV_HOME.chmod(0o711)
    pki = load_dev_pki(config.sync.ca_file.parent, org=config.device.org)
    broker_dir = (DEV_HOME / "broker").resolve()
    broker = Broker(write_mosquitto_config(broker_dir, pki=pki, port=config.sync.broker_port),
                    port=config.sync.broker_port, ca_file=pki.ca_cert)
    broker.start(timeout=15)
    central = (DEV_HOME / "central").resolve()
    central.mkdir(exist_ok=True, mode=0o700)
    central.chmod(0o711)  # PostgreSQL runs as the `postgres` user and must reach its folder
    postgres = DevCluster(central / "postgres")
    postgres.start()
    database_url = postgres.ensure_database("central")
    creds = central / "credentials"
    if not (creds / STORAGE_KEY).exists():
        write_secret(creds / STORAGE_KEY, secrets.token_hex(32).encode())
    rconf = ReceiverConfig(
        broker_port=config.sync.broker_port, ca_file=pki.ca_cert, cert_file=pki.receiver_cert,
        key_file=pki.receiver_key, central_x25519_key_file=pki.central_x25519_key,
        central_ed25519_key_file=pki.central_ed25519_key, device_registry_file=pki.devices_json,
        database_url=database_url, credentials_dir=creds,
        sink=DirectorySinkConfig(path=central / "dossier"),
    )
    (central / "receiver.toml").write_text(receiver_config_toml(rconf))
    (central / "receiver.toml").chmod(0o600)
    ensure_central_worker(database_url, config.device.org, login.username, login.password)
    (central / "web.toml").write_text(
        f'port = {CENTRAL_PORT}\ndatabase_url = "{postgres.conninfo("central", web=True)}"\n'
        f'credentials_dir = "{creds}"\nsecure_cookies = false  # loopback only\n'
    )
    (central / "web.toml").chmod(0o600)
    procs = [subprocess.Popen([sys.executable, "-m", "central", "--config", str(central / "receiver.toml")]),
             subprocess.Popen([sys.executable, "-m", "central.cli", "web", "--config", str(central / "web.toml")])]
    print(
        "\n  Spreekkamer (dev profile) is starting. Loading the Whisper model takes a few seconds.\n"
        f"  Kiosk (client screen):  http://127.0.0.1:{config.api.kiosk_port}/kiosk\n"
        f"  Worker screen:          http://127.0.0.1:{config.api.port}/worker\n"
        f"  Log in as:              {login.username} / {login.password}\n"
        f"  Central dossiers:       http://127.0.0.1:{CENTRAL_PORT}/ (same login)\n"
        f"  Reports forwarded to:   {central / 'dossier'}\n"
        "  Stop with Ctrl-C.\n",
        flush=True,
    )
    appliance = subprocess.Popen([sys.executable, "-m", "appliance.cli", "serve"])
    procs.append(appliance)
    try:
        return appliance.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        broker.stop()
        postgres.stop()


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parent.parent)
    sys.exit(main())
