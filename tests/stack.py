"""Test helper: the whole system on loopback — a real Mosquitto with TLS, the central receiver,
and the appliance served by uvicorn in a thread, with a logged-in worker client.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import uvicorn

from appliance.api.app import create_apps
from appliance.box.accounts import create_user
from appliance.box.config import (
    ApiConfig,
    AppConfig,
    AudioConfig,
    DeviceConfig,
    StoreConfig,
    SyncConfig,
)
from appliance.box.keys import open_store
from appliance.box.secrets import write_secret
from appliance.service.wiring import Appliance, build_appliance
from central.config import DirectorySinkConfig, ReceiverConfig
from provisioning.broker import Broker, write_mosquitto_config
from provisioning.pki import load_dev_pki, make_dev_pki
from tests.broker import free_port
from tests.postgres import database_for, storage_credentials

ORG = "ocmw-test"
DEVICE = "room-1"
SECOND_ROOM = "room-2"
WORKER = ("an", "An Peeters", "correct horse battery")


@dataclass
class Stack:
    """Everything running; tests talk HTTP to `base_url` and may look inside for proof."""

    root: Path
    base_url: str
    config: AppConfig
    appliance: Appliance
    broker: Broker
    receiver: Any
    receiver_config: ReceiverConfig
    worker: httpx.Client
    worker_credentials: tuple[str, str] = (WORKER[0], WORKER[2])
    kiosk_url: str = ""
    """The kiosk side: its own listener on loopback (the worker side has no kiosk route)."""
    extra: dict[str, Any] = field(default_factory=dict)

    def wait_state(self, contact_id: str, states: set[str], timeout: float = 120.0) -> dict[str, Any]:
        """Poll the API until the contact reaches one of `states` (fails after `timeout`)."""
        deadline = time.monotonic() + timeout
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            r = self.worker.get(f"/api/contacts/{contact_id}")
            if r.status_code == 404 and "purged" in states:
                return {"state": "purged"}
            last = r.json()
            if last.get("state") in states:
                return last
            time.sleep(0.2)
        raise TimeoutError(f"contact {contact_id} stayed in {last.get('state')!r}, wanted {states}")

    @contextmanager
    def other_room(self, device_id: str = SECOND_ROOM) -> Iterator[Appliance]:
        """A second box of the same organisation (same dossier key), without screens or model."""
        pki = load_dev_pki(self.root / "pki", org=ORG)
        dev = pki.devices[device_id]
        creds = self.root / f"credentials-{device_id}"
        write_secret(creds / "db-key", secrets.token_hex(32).encode())
        write_secret(creds / "dossier-key", (self.config.credentials_dir / "dossier-key").read_bytes())  # type: ignore[operator]
        write_secret(creds / "tls-key", dev.key.read_bytes())
        write_secret(creds / "signing-key", dev.signing_key.read_bytes())
        config = self.config.model_copy(update={
            "device": DeviceConfig(org=ORG, device_id=device_id),
            "store": StoreConfig(data_dir=self.root / f"data-{device_id}"),
            "sync": self.config.sync.model_copy(update={"cert_file": dev.cert}),
            "credentials_dir": creds,
        })
        appliance = build_appliance(config, load_model=False)
        try:
            yield appliance
        finally:
            appliance.close()

    def free_room(self) -> None:
        """End whatever a test left holding the room: a recording is withdrawn as a worker
        would register it, a standing yes or an open question goes to the manual path."""
        from appliance.contact.consent import Channel
        from appliance.contact.lifecycle import ContactState as S

        room = self.appliance.room
        for contact in room.list():
            if contact.state in (S.RECORDING, S.PAUSED):
                room.revoke(contact.id, Channel.PHONE, "test")
            elif contact.state in (S.GRANTED, S.CONSENT_ASKED):
                room.start_manual(contact.id, "test")

    def make_drafted_contact(self, dossier_ref: str = "D-2026-0042", template_id: str = "intake") -> str:
        """A contact taken through consent and a real recording to a real draft."""
        c = self.worker.post("/api/contacts", json={"dossier_ref": dossier_ref, "template_id": template_id})
        c.raise_for_status()
        cid = c.json()["id"]
        self.worker.post(f"/api/contacts/{cid}/consent/ask").raise_for_status()
        kiosk = httpx.Client(base_url=self.kiosk_url, timeout=10)
        shown = kiosk.get("/api/kiosk/state").json()
        kiosk.post("/api/kiosk/consent", json={"choice": "granted", "language": "nl",
                                                "text_version": shown["text_version"],
                                                "screen": shown["screen"]}).raise_for_status()
        self.worker.post(f"/api/contacts/{cid}/recording/start").raise_for_status()
        # The WAV source ends by itself, which stops the recording like the button would.
        self.wait_state(cid, {"drafted"}, timeout=240)
        return cid


def _channels(wav: Path) -> Literal[1, 2]:
    """One microphone or the room's two (worker left, client right), as the file says."""
    with wave.open(str(wav), "rb") as w:
        return 2 if w.getnchannels() == 2 else 1


def _server_thread(app: Any, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("appliance did not start")
        time.sleep(0.05)
    return server, thread


@contextmanager
def running_stack(wav: Path, *, speedup: float = 3.0, load_model: bool = True) -> Iterator[Stack]:
    """Start broker, receiver and appliance; tear everything down afterwards."""
    from central.receiver import Receiver

    # Under /tmp with 0711: the broker drops to the `mosquitto` user, which must reach its files.
    root = Path(tempfile.mkdtemp(prefix="spreekkamer-stack-"))
    root.chmod(0o711)
    try:
        pki = make_dev_pki(root / "pki", org=ORG, devices=[DEVICE, SECOND_ROOM])
        mqtt_port = free_port()
        broker = Broker(write_mosquitto_config(root / "broker", pki=pki, port=mqtt_port),
                        port=mqtt_port, ca_file=pki.ca_cert)
        broker.start(timeout=15)
        creds = root / "credentials"
        write_secret(creds / "db-key", secrets.token_hex(32).encode())
        write_secret(creds / "dossier-key", secrets.token_hex(32).encode())
        dev = pki.devices[DEVICE]
        write_secret(creds / "tls-key", dev.key.read_bytes())
        write_secret(creds / "signing-key", dev.signing_key.read_bytes())
        rconf = ReceiverConfig(
            broker_port=mqtt_port, ca_file=pki.ca_cert, cert_file=pki.receiver_cert, key_file=pki.receiver_key,
            central_x25519_key_file=pki.central_x25519_key, central_ed25519_key_file=pki.central_ed25519_key,
            device_registry_file=pki.devices_json, database_url=database_for(root),
            credentials_dir=storage_credentials(root / "central"),
            sink=DirectorySinkConfig(path=root / "central" / "dossier"),
        )
        receiver = Receiver(rconf)
        receiver.start()
        http_port = free_port()
        config = AppConfig(
            device=DeviceConfig(org=ORG, device_id=DEVICE),
            api=ApiConfig(port=http_port, kiosk_port=free_port()),
            store=StoreConfig(data_dir=root / "data"),
            audio=AudioConfig(source="wav", wav_path=wav, speedup=speedup, channels=_channels(wav)),
            sync=SyncConfig(broker_port=mqtt_port, ca_file=pki.ca_cert, cert_file=dev.cert,
                            central_public_key=pki.central_x25519_pub,
                            central_verify_key=pki.central_ed25519_pub, timeout_s=5),
            credentials_dir=creds,
        )
        store, _ = open_store(config)
        create_user(store, WORKER[0], WORKER[1], "worker", WORKER[2])
        store.close()
        holder: dict[str, Appliance] = {}

        def build() -> Appliance:
            holder["a"] = build_appliance(config, load_model=load_model)
            return holder["a"]

        worker_app, kiosk_app = create_apps(build)
        server, thread = _server_thread(worker_app, http_port)
        kiosk_server, kiosk_thread = _server_thread(kiosk_app, config.api.kiosk_port)
        base = f"http://127.0.0.1:{http_port}"
        worker = httpx.Client(base_url=base, timeout=30)
        worker.post("/api/session", json={"username": WORKER[0], "password": WORKER[2]}).raise_for_status()
        try:
            yield Stack(root, base, config, holder["a"], broker, receiver, rconf, worker,
                        kiosk_url=f"http://127.0.0.1:{config.api.kiosk_port}")
        finally:
            worker.close()
            kiosk_server.should_exit = True
            kiosk_thread.join(timeout=15)
            server.should_exit = True
            thread.join(timeout=15)
            receiver.stop()
            broker.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
