"""The crash-soak's world: a real broker, a central receiver process, and the appliance as a
process that can be killed with SIGKILL at any moment, all on loopback in one temp folder.

`SoakWorld` owns the processes; `inspect_store` opens the box's SQLCipher store directly
(while the service is dead) and reports what a forensic look after the kill finds.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlcipher3.dbapi2 import DatabaseError
from sqlcipher3.dbapi2 import connect as sqlcipher_connect

from appliance.box.accounts import create_user
from appliance.box.config import AppConfig, load_config
from appliance.box.keys import database_key, open_store
from appliance.box.secrets import write_secret
from appliance.store.audio import AudioChunks, audio_root
from appliance.store.datakeys import DataKeys
from appliance.store.errors import NoAudio, StoreError
from central.dossiers.devcluster import DevCluster
from central.dossiers.reports import conflict_count, stored_reports
from provisioning.broker import Broker, write_mosquitto_config
from provisioning.pki import make_dev_pki
from tests.ports import free_port
from tests.postgres import storage_credentials

ORG = "ocmw-soak"
DEVICE = "room-soak"
WORKER = ("an", "An Peeters", "correct horse battery")
REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SOAK_SENTENCES = (
    "Goedemorgen. Ik kan mijn huur van zevenhonderd euro niet meer betalen.",
    "We maken een afspraak volgende week dinsdag om de documenten te bekijken.",
)


def make_soak_wav(target: Path) -> float:
    """Synthesize a short Dutch conversation (16 kHz mono, 16-bit) once; returns its seconds."""
    if not target.exists():
        for tool in ("espeak-ng", "sox"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is needed to make the soak's audio")
        with tempfile.TemporaryDirectory() as tmp:
            parts = []
            for i, text in enumerate(SOAK_SENTENCES):
                raw, fixed = Path(tmp) / f"{i}.wav", Path(tmp) / f"{i}-16k.wav"
                subprocess.run(["espeak-ng", "-v", "nl", "-s", "160", "-w", str(raw), text],
                               check=True, timeout=60, capture_output=True)
                subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(fixed),
                                "pad", "0", "0.4"], check=True, timeout=60, capture_output=True)
                parts.append(str(fixed))
            tmp_out = target.with_name(target.name + ".tmp.wav")
            subprocess.run(["sox", *parts, str(tmp_out)], check=True, timeout=60, capture_output=True)
            os.replace(tmp_out, target)
    with wave.open(str(target), "rb") as w:
        return w.getnframes() / w.getframerate()


@dataclass
class StoreFindings:
    """What the store holds right after a kill, before the service starts again."""

    problems: list[str]
    audit_ok: bool
    audit_problems: list[str]
    states: dict[str, str]
    """contact id -> state as stored (before recovery ran)."""
    reports: dict[str, str]
    """report id -> contact id, every report this box ever validated."""
    pending: set[str]
    """report ids still waiting in the outbox for central's ack."""
    audio_seconds: dict[str, float] = field(default_factory=dict)
    """contact id -> seconds of audio that can be read back (asked-for contacts only)."""


@dataclass
class CentralFindings:
    """What the central receiver has filed."""

    stored: list[tuple[str, int]]
    conflicts: int


class SoakWorld:
    """Broker, receiver and appliance for the soak, in a fresh folder under /tmp."""

    def __init__(self, *, speedup: float, model: bool = False) -> None:
        # Under /tmp with 0711: the broker drops to the `mosquitto` user, which must reach its files.
        self.root = Path(tempfile.mkdtemp(prefix="spreekkamer-soak-"))
        self.root.chmod(0o711)
        self.model = model
        self.wav = self.root / "soak-gesprek.wav"
        self.wav_seconds = make_soak_wav(self.wav)
        self.pki = make_dev_pki(self.root / "pki", org=ORG, devices=[DEVICE])
        self.mqtt_port = free_port()
        self.broker = Broker(write_mosquitto_config(self.root / "broker", pki=self.pki, port=self.mqtt_port),
                             port=self.mqtt_port, ca_file=self.pki.ca_cert)
        self.creds = self.root / "credentials"
        write_secret(self.creds / "db-key", secrets.token_hex(32).encode())
        write_secret(self.creds / "dossier-key", secrets.token_hex(32).encode())
        dev = self.pki.devices[DEVICE]
        write_secret(self.creds / "tls-key", dev.key.read_bytes())
        write_secret(self.creds / "signing-key", dev.signing_key.read_bytes())
        self.postgres = DevCluster(self.root / "postgres")
        self.postgres.start()
        self.central_db = self.postgres.create_database("central")
        self.central_creds = storage_credentials(self.root / "central")
        self.receiver_toml = self._write_receiver_config()
        self.config_path = self.root / "appliance.toml"
        self.config = self.write_config(speedup=speedup, port=free_port())
        store, _ = open_store(self.config)
        try:
            create_user(store, WORKER[0], WORKER[1], "worker", WORKER[2])
        finally:
            store.close()
        self.receiver: subprocess.Popen[bytes] | None = None
        self.service: subprocess.Popen[bytes] | None = None
        self.kiosk_url = ""
        self.service_log = self.root / "service.log"

    # ---- configuration --------------------------------------------------------------------

    def write_config(self, *, speedup: float, port: int, kiosk_port: int = 0) -> AppConfig:
        """The appliance's TOML config for the next start (new port, new WAV speed-up)."""
        p, dev = self.pki, self.pki.devices[DEVICE]
        text = "\n".join([
            'profile = "dev"', f'credentials_dir = "{self.creds}"', "",
            "[device]", f'org = "{ORG}"', f'device_id = "{DEVICE}"', "",
            "[api]", 'host = "127.0.0.1"', f"port = {port}", f"kiosk_port = {kiosk_port or free_port()}", "",
            "[store]", f'data_dir = "{self.root / "data"}"', "",
            "[audio]", 'source = "wav"', f'wav_path = "{self.wav}"', f"speedup = {speedup:.3f}",
            "chunk_seconds = 2.0", "",
            "[sync]", 'broker_host = "127.0.0.1"', f"broker_port = {self.mqtt_port}",
            f'ca_file = "{p.ca_cert}"', f'cert_file = "{dev.cert}"',
            f'central_public_key = "{p.central_x25519_pub}"', f'central_verify_key = "{p.central_ed25519_pub}"',
            "timeout_s = 5", "",
        ])
        self.config_path.write_text(text, encoding="utf-8")
        self.config = load_config(self.config_path)
        return self.config

    def _write_receiver_config(self) -> Path:
        p = self.pki
        text = "\n".join([
            'broker_host = "127.0.0.1"', f"broker_port = {self.mqtt_port}", 'client_id = "receiver-soak"',
            f'ca_file = "{p.ca_cert}"', f'cert_file = "{p.receiver_cert}"', f'key_file = "{p.receiver_key}"',
            f'central_x25519_key_file = "{p.central_x25519_key}"',
            f'central_ed25519_key_file = "{p.central_ed25519_key}"',
            f'device_registry_file = "{p.devices_json}"', f'database_url = "{self.central_db}"',
            f'credentials_dir = "{self.central_creds}"',
            "timeout_s = 5", "", "[sink]", 'kind = "directory"', f'path = "{self.root / "central" / "dossier"}"', "",
        ])
        path = self.root / "receiver.toml"
        path.write_text(text, encoding="utf-8")
        return path

    # ---- broker and receiver --------------------------------------------------------------

    def start_broker(self) -> None:
        """Start Mosquitto if it is not running (returns once it speaks TLS)."""
        if not self.broker.running:
            self.broker.start(timeout=15)

    def restart_broker(self) -> None:
        """Stop and start Mosquitto on the same port and persistence."""
        self.broker.restart(timeout=15)

    def start_receiver(self, timeout: float = 30.0) -> None:
        """Start `python -m central` if it is not running; returns once it is subscribed."""
        if self.receiver is not None and self.receiver.poll() is None:
            return
        log_path = self.root / "receiver.log"
        offset = log_path.stat().st_size if log_path.exists() else 0
        with open(log_path, "ab") as log:
            self.receiver = subprocess.Popen(
                [PYTHON, "-m", "central", "--config", str(self.receiver_toml)], cwd=REPO,
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.receiver.poll() is not None:
                raise RuntimeError(f"receiver exited with {self.receiver.returncode}: {_tail(log_path, offset)}")
            if b" running" in log_path.read_bytes()[offset:]:
                return
            time.sleep(0.05)
        self.kill_receiver()
        raise RuntimeError(f"receiver not subscribed within {timeout}s: {_tail(log_path, offset)}")

    def kill_receiver(self) -> None:
        """SIGKILL the receiver (and anything it started)."""
        _kill_group(self.receiver)
        self.receiver = None

    # ---- the appliance --------------------------------------------------------------------

    def start_service(self, *, speedup: float) -> str:
        """Start `spreekkamer serve` in its own process group on a new port; returns its base URL."""
        if self.service is not None and self.service.poll() is None:
            raise RuntimeError("the service is already running")
        port, kiosk_port = free_port(), free_port()
        self.write_config(speedup=speedup, port=port, kiosk_port=kiosk_port)
        self.kiosk_url = f"http://127.0.0.1:{kiosk_port}"  # the kiosk side's own loopback listener
        cmd = [PYTHON, "-m", "appliance.cli", "serve", "--config", str(self.config_path)]
        if not self.model:
            cmd.append("--no-model")
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        with open(self.service_log, "ab") as log:
            # cwd = root: the dev profile keeps its login file under ./.spreekkamer there.
            self.service = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        return f"http://127.0.0.1:{port}"

    def wait_ready(self, base_url: str, timeout: float) -> httpx.Client:
        """Poll /health until the service answers, then log the worker in."""
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=base_url, timeout=5) as probe:
            while True:
                if self.service is None or self.service.poll() is not None:
                    raise RuntimeError(f"service exited during start-up: {_tail(self.service_log, -3000)}")
                try:
                    if probe.get("/health").status_code in (200, 503):
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"service not ready within {timeout}s: {_tail(self.service_log, -3000)}")
                time.sleep(0.05)
        client = httpx.Client(base_url=base_url, timeout=15)
        client.post("/api/session", json={"username": WORKER[0], "password": WORKER[2]}).raise_for_status()
        return client

    def kill_service(self) -> float:
        """SIGKILL the whole service process group; returns when the signal went out (epoch s)."""
        at = time.time()
        _kill_group(self.service)
        self.service = None
        return at

    @property
    def service_running(self) -> bool:
        """Whether the appliance process is alive."""
        return self.service is not None and self.service.poll() is None

    def close(self, *, keep: bool = False) -> None:
        """Stop everything; the folder goes too unless `keep` (for a post-mortem)."""
        _kill_group(self.service)
        _kill_group(self.receiver)
        self.broker.stop()
        self.postgres.stop()
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)

    # ---- looking inside -------------------------------------------------------------------

    def inspect_store(self, audio_of: Iterable[str] = ()) -> StoreFindings:
        """Open the store directly (service dead): integrity, audit chain, states, reports, audio.

        A store that cannot be opened or read is reported in `problems`, never raised.
        """
        try:
            store, audit = open_store(self.config)
        except (StoreError, DatabaseError) as exc:
            return StoreFindings([f"open: {exc}"], False, [], {}, {}, set())
        problems: list[str] = []
        try:
            problems += store.integrity_check()
            verdict = audit.verify()
            states = {r["id"]: r["state"] for r in store.query("SELECT id, state FROM contacts")}
            reports = {r["id"]: r["contact_id"] for r in store.query("SELECT id, contact_id FROM reports")}
            pending = {r["report_id"] for r in store.query("SELECT report_id FROM outbox WHERE status = 'pending'")}
            keys = DataKeys(store)
            chunks = AudioChunks(store, keys, audio_root(store.data_dir))
            audio: dict[str, float] = {}
            for cid in audio_of:
                if not keys.exists(cid):
                    continue  # purged on purpose (delivered or revoked): nothing to measure
                try:
                    audio[cid] = chunks.read(cid).seconds
                except NoAudio:
                    audio[cid] = 0.0
            return StoreFindings(problems, verdict.ok, list(verdict.problems), states,
                                 reports, pending, audio)
        except (StoreError, DatabaseError) as exc:
            return StoreFindings([*problems, f"read: {exc}"], False, [], {}, {}, set())
        finally:
            store.close()

    def watch_reports(self) -> ReportWatch:
        """A read-only look at the live store's `reports` table, to time a kill right after a commit."""
        return ReportWatch(self.config.store.data_dir / "spreekkamer.db", database_key(self.config))

    def inspect_central(self) -> CentralFindings:
        """Reports filed by the receiver, and refused conflicting resends."""
        return CentralFindings([(r.report_id, r.version) for r in stored_reports(self.central_db)],
                               conflict_count(self.central_db))


class ReportWatch:
    """A second, read-only SQLCipher connection that sees the service's commits as they happen."""

    def __init__(self, path: Path, key: bytes) -> None:
        self._conn = sqlcipher_connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
        self._conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")

    def has_report(self, contact_id: str) -> bool:
        """Whether a validated report of this contact is committed."""
        row = self._conn.execute("SELECT 1 FROM reports WHERE contact_id = ?", (contact_id,)).fetchone()
        return row is not None

    def close(self) -> None:
        """Let go of the database."""
        self._conn.close()


def _kill_group(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def _tail(path: Path, offset: int) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[offset:].decode("utf-8", errors="replace")[-2000:]
