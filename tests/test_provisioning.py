"""Provisioning from an empty folder: real keys, certificates, sealed credentials and a real Mosquitto."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from appliance.box.config import AppConfig, load_config
from appliance.box.provisioned import provisioning_problems
from appliance.box.secrets import write_secret
from appliance.cli import main as spreekkamer
from appliance.store.db import Store, StoreError
from appliance.sync import outbox, topics
from appliance.sync.envelope import seal_report
from appliance.sync.mqtt_tls import make_client
from appliance.sync.relay import Relay
from central.config import ReceiverConfig, load_receiver_config
from central.dossiers.sealing import STORAGE_KEY
from central.receiver import Receiver
from provisioning.broker import Broker
from provisioning.cli import main as provision
from provisioning.creds import CredentialError, unseal
from tests.broker import free_port
from tests.postgres import database_for
from tests.test_sync import Delivered, wait_until

pytestmark = pytest.mark.timeout(120)
ORG = "ocmw-test"
CREDS = ("db-key", "dossier-key", "tls-key", "signing-key", "x25519-key")


@dataclass
class Fleet:
    """An org made by the CLI, its broker running, and a place for bundles."""

    root: Path
    org: Path
    broker: Broker

    def enrol(self, device: str, profile: str = "dev") -> Path:
        out = self.root / f"bundle-{device}"
        assert provision(["device", "enrol", str(self.org), "--device", device,
                          "--profile", profile, "--out", str(out)]) == 0
        return out


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    root = Path(tempfile.mkdtemp(prefix="spreekkamer-prov-"))
    root.chmod(0o711)  # Mosquitto drops to its own user and must reach the org's broker folder
    port = free_port()
    org = root / "org"
    assert provision(["org", "create", str(org), "--org", ORG, "--broker-host", "127.0.0.1",
                      "--broker-port", str(port), "--broker-listen", "127.0.0.1"]) == 0
    broker = Broker(org / "broker" / "mosquitto.conf", port=port, ca_file=org / "pki" / "ca.crt")
    try:
        yield Fleet(root, org, broker)
    finally:
        broker.stop()
        shutil.rmtree(root, ignore_errors=True)


def unsealed_dir(bundle: Path, target: Path) -> Path:
    """What systemd would put in $CREDENTIALS_DIRECTORY for this bundle."""
    for name in CREDS:
        write_secret(target / name, unseal(bundle, name))
    return target


def seal_for(bundle: Path, creds: Path, report_id: str) -> bytes:
    signing = load_pem_private_key((creds / "signing-key").read_bytes(), password=None)
    central = load_pem_public_key((bundle / "pki" / "central-x25519.pub").read_bytes())
    assert isinstance(signing, Ed25519PrivateKey) and isinstance(central, X25519PublicKey)
    device = json.loads((bundle / "bundle.json").read_text())["device_id"]
    return seal_report(json.dumps({"report_id": report_id}).encode(), pdf=None, device_id=device,
                       report_id=report_id, version=1, signing_key=signing, central_public=central)


def open_box(bundle: Path, creds: Path) -> Store:
    config = load_config(bundle / "config.toml")
    return Store.open(config.store.data_dir / "spreekkamer.db",
                      bytes.fromhex((creds / "db-key").read_text()))


def relay_for(bundle: Path, creds: Path, store: Store, delivered: Delivered) -> Relay:
    config = load_config(bundle / "config.toml")
    verify = load_pem_public_key(config.sync.central_verify_key.read_bytes())
    assert isinstance(verify, Ed25519PublicKey)
    return Relay(db=store, device_id=config.device.device_id, org=config.device.org,
                 broker_host=config.sync.broker_host, broker_port=config.sync.broker_port,
                 ca_file=config.sync.ca_file, cert_file=config.sync.cert_file,
                 key_file=creds / "tls-key", central_verify_key=verify, on_delivered=delivered,
                 timeout_s=5.0, backoff_base_s=0.2, backoff_max_s=1.0)


def connects(bundle: Path, creds: Path, timeout: float = 5.0) -> bool:
    """Whether the device's certificate gets a successful MQTT CONNACK from the broker."""
    ok, done = [False], threading.Event()
    client = make_client(f"probe-{uuid.uuid4().hex[:8]}", ca_file=bundle / "pki" / "ca.crt",
                         cert_file=bundle / "pki" / "device.crt", key_file=creds / "tls-key",
                         timeout_s=timeout)

    def on_connect(_c: object, _u: object, _f: object, reason: object, _p: object) -> None:
        ok[0] = not getattr(reason, "is_failure", True)
        done.set()

    client.on_connect = on_connect
    client.on_disconnect = lambda *_: done.set()
    try:
        client.connect_async("127.0.0.1", load_config(bundle / "config.toml").sync.broker_port)
        client.loop_start()
        done.wait(timeout)
    finally:
        client.disconnect()
        client.loop_stop()
    return ok[0]


def provisioned_receiver_config(fleet: Fleet, tmp_path: Path) -> ReceiverConfig:
    """The receiver config provisioning wrote, on this test's database instead of the org's."""
    config = load_receiver_config(fleet.org / "receiver" / "receiver.toml")
    return config.model_copy(update={"database_url": database_for(tmp_path)})


def test_enrolled_device_syncs_a_report_through_the_provisioned_broker(
    fleet: Fleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = fleet.enrol("room-1")
    creds = unsealed_dir(bundle, tmp_path / "creds")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert provisioning_problems(load_config(bundle / "config.toml")) == []
    fleet.broker.start(timeout=10)
    # Box and receiver share this process, so the receiver's systemd credential sits here too.
    shutil.copyfile(fleet.org / "receiver" / "credentials" / STORAGE_KEY, creds / STORAGE_KEY)
    receiver = Receiver(provisioned_receiver_config(fleet, tmp_path))
    store = open_box(bundle, creds)
    delivered = Delivered()
    relay = relay_for(bundle, creds, store, delivered)
    report_id = f"r-{uuid.uuid4()}"
    with store.transaction() as conn:
        outbox.enqueue(conn, report_id=report_id, version=1,
                       envelope=seal_for(bundle, creds, report_id),
                       now=dt.datetime.now(dt.UTC))
    try:
        receiver.start(timeout=10)
        relay.start()
        wait_until(lambda: delivered.items == [(report_id, 1)], 20, "signed ack from central")
    finally:
        relay.stop()
        receiver.stop()
        store.close()
    filed = fleet.org / "receiver" / "dossier" / f"{report_id}.v1.json"
    assert json.loads(filed.read_bytes())["report_id"] == report_id


@pytest.mark.allow_logged_errors
def test_revoked_device_is_refused_by_the_broker_and_the_receiver(
    fleet: Fleet, tmp_path: Path
) -> None:
    good, bad = fleet.enrol("room-2"), fleet.enrol("room-3")
    good_creds = unsealed_dir(good, tmp_path / "good")
    bad_creds = unsealed_dir(bad, tmp_path / "bad")
    fleet.broker.restart(timeout=10)  # picks up the new ACL entries
    assert connects(bad, bad_creds) and connects(good, good_creds)

    assert provision(["device", "revoke", str(fleet.org), "--device", "room-3"]) == 0
    fleet.broker.restart(timeout=10)  # Mosquitto reads the CRL at start
    assert not connects(bad, bad_creds), "a revoked certificate still connects"
    assert connects(good, good_creds)
    registry = json.loads((fleet.org / "registry.json").read_text())
    assert registry["room-3"]["status"] == "revoked"

    receiver = Receiver(provisioned_receiver_config(fleet, tmp_path))
    try:
        assert receiver.handle(topics.reports(ORG, "room-3"), seal_for(bad, bad_creds, "r-x")) is None
        assert receiver.handle(topics.reports(ORG, "room-2"), seal_for(good, good_creds, "r-y"))
    finally:
        receiver.stop()
    assert provision(["device", "revoke", str(fleet.org), "--device", "room-3"]) == 1


def test_rotation_revokes_the_old_certificate_and_seals_new_keys(fleet: Fleet, tmp_path: Path) -> None:
    bundle = fleet.enrol("room-4")
    old = x509.load_pem_x509_certificate((bundle / "pki" / "device.crt").read_bytes())
    old_signing = unseal(bundle, "signing-key")
    assert provision(["device", "rotate", str(fleet.org), "--device", "room-4",
                      "--out", str(bundle)]) == 0
    new = x509.load_pem_x509_certificate((bundle / "pki" / "device.crt").read_bytes())
    assert new.serial_number != old.serial_number and unseal(bundle, "signing-key") != old_signing
    key = load_pem_private_key(unseal(bundle, "tls-key"), password=None)
    assert key.public_key() == new.public_key()  # type: ignore[union-attr]
    crl = x509.load_pem_x509_crl((fleet.org / "broker" / "crl.pem").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(old.serial_number) is not None
    assert crl.get_revoked_certificate_by_serial_number(new.serial_number) is None
    signing = load_pem_private_key(unseal(bundle, "signing-key"), password=None)
    assert isinstance(signing, Ed25519PrivateKey)
    receiver_key = json.loads((fleet.org / "receiver" / "devices.json").read_text())["room-4"]
    assert load_pem_public_key(receiver_key["public_key"].encode()) == signing.public_key()


def test_decommission_makes_the_box_data_undecryptable(fleet: Fleet, tmp_path: Path) -> None:
    bundle = fleet.enrol("room-5")
    creds = unsealed_dir(bundle, tmp_path / "creds")  # a copy only a test keeps
    os.environ["SPREEKKAMER_NEW_PASSWORD"] = "Zonnebloem-Kwartel-42"
    try:
        assert provision(["users", "add", "--bundle", str(bundle), "an", "An Peeters",
                          "--role", "worker"]) == 0
    finally:
        del os.environ["SPREEKKAMER_NEW_PASSWORD"]
    store = open_box(bundle, creds)
    store.execute("INSERT INTO data_keys (contact_id, key, created_at) VALUES ('c1', ?, 'x')",
                  (os.urandom(32),))
    store.close()
    audio = load_config(bundle / "config.toml").store.data_dir / "audio" / "c1"
    audio.mkdir(parents=True)
    (audio / "000000.chunk").write_bytes(b"sealed audio")

    assert provision(["device", "decommission", "--bundle", str(bundle), "--yes"]) == 0
    with pytest.raises(CredentialError):
        unseal(bundle, "db-key")
    assert not list((bundle / "credstore").glob("*")) and not (bundle / "credentials").exists()
    assert not audio.exists()
    # Even someone who had copied the database key finds no data key left to decrypt content.
    store = open_box(bundle, creds)
    try:
        assert store.query("SELECT count(*) FROM data_keys")[0][0] == 0
    finally:
        store.close()
    with pytest.raises(StoreError):
        Store.open(load_config(bundle / "config.toml").store.data_dir / "spreekkamer.db", os.urandom(32))


def test_a_model_with_the_wrong_checksum_is_refused(
    fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = fleet.enrol("room-6")
    src = tmp_path / "whisper-tiny"
    src.mkdir()
    for name, data in (("model.bin", b"weights" * 100), ("config.json", b"{}"),
                       ("tokenizer.json", b"{}"), ("vocabulary.txt", b"a\n")):
        (src / name).write_bytes(data)
    before = (bundle / "config.toml").read_text()
    assert provision(["models", "install", str(src), "--bundle", str(bundle),
                      "--sha256", "0" * 64]) == 1
    assert "expected" in capsys.readouterr().err
    assert not list(bundle.glob("models/whisper-tiny*"))
    assert (bundle / "config.toml").read_text() == before
    right = hashlib.sha256((src / "model.bin").read_bytes()).hexdigest()
    assert provision(["models", "install", str(src), "--bundle", str(bundle), "--sha256", right]) == 0
    model_dir = load_config(bundle / "config.toml").transcription.model_dir
    assert model_dir is not None and (model_dir / "model.bin").read_bytes() == b"weights" * 100


@pytest.mark.parametrize("profile", ["dev", "nuc-cpu", "jetson-orin", "nuc-gpu"])
def test_enrolled_bundle_passes_check_config(fleet: Fleet, profile: str) -> None:
    bundle = fleet.enrol(f"cfg-{profile}", profile)
    assert spreekkamer(["check-config", str(bundle / "config.toml")]) == 0
    config = load_config(bundle / "config.toml")
    assert config.device.device_id == f"cfg-{profile}" and config.device.org == ORG
    assert config.profile == ("dev" if profile == "dev" else "production")


def test_empty_config_lists_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    sync = {"ca_file": tmp_path / "ca.crt", "cert_file": tmp_path / "device.crt",
            "central_public_key": tmp_path / "x.pub", "central_verify_key": tmp_path / "e.pub"}
    config = AppConfig.model_validate({"credentials_dir": tmp_path / "creds", "sync": sync})
    problems = "\n".join(provisioning_problems(config))
    for expected in (f"no device certificate at {tmp_path / 'device.crt'}", "'db-key'", "'tls-key'",
                     "'signing-key'", "'dossier-key'", "no central X25519 public key",
                     "no central Ed25519 verify key", "no CA certificate"):
        assert expected in problems


def test_usage_and_refusals_are_readable(fleet: Fleet, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        provision(["device", "enrol", str(fleet.org), "--device", "x1", "--profile", "raspi",
                   "--out", "/tmp/nowhere"])
    assert usage.value.code == 2
    assert provision(["org", "create", str(fleet.org), "--org", ORG, "--broker-host", "h"]) == 1
    assert provision(["device", "enrol", str(fleet.org), "--device", "Bad_Id", "--profile", "dev",
                      "--out", str(fleet.root / "bad")]) == 1
    err = capsys.readouterr().err
    assert "already holds an organisation" in err and "a-z, 0-9" in err and "Traceback" not in err
