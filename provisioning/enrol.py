"""Enrol a device: its own identity (TLS key + certificate, Ed25519 and X25519 keys), a config
bundle, sealed secrets, a registry entry, and a regenerated broker ACL.

Device private keys are made here and go only into the bundle (sealed); the org folder keeps
public keys and certificate serials. No password or key is shared between devices.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from appliance.sync import topics
from provisioning.bundle import Bundle, validate_config
from provisioning.creds import Sealer
from provisioning.org import (
    CERT_DAYS,
    DeviceRecord,
    Org,
    ProvisioningError,
    check_id,
    load_registry,
    now_stamp,
    save_registry,
)
from provisioning.org_broker import write_org_broker
from provisioning.pki import RECEIVER_CN

PROFILES = ("jetson-orin", "nuc-cpu", "nuc-gpu", "dev")
PROFILE_DIR = Path(__file__).resolve().parent.parent / "firmware_config" / "profiles"
# Hardware profiles whose file is named after the board variant rather than the CLI choice.
_PROFILE_FILES = {"jetson-orin": "jetson-orin-nano", "nuc-gpu": "nuc-nvidia"}


@dataclass(frozen=True)
class DeviceIdentity:
    """Freshly made private keys and the certificate for one device."""

    tls_key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    signing_key: Ed25519PrivateKey
    x25519_key: X25519PrivateKey

    def record_fields(self) -> dict[str, Any]:
        """The public parts the registry keeps."""
        pem = serialization.Encoding.PEM
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        return {
            "public_key": self.signing_key.public_key().public_bytes(pem, spki).decode(),
            "x25519_public": self.x25519_key.public_key().public_bytes(pem, spki).decode(),
            "cert_serial": self.cert.serial_number,
        }


def _names(device_id: str, addresses: tuple[str, ...]) -> list[x509.GeneralName]:
    """The device id, its mDNS name, and each extra host name or IP address IT gives."""
    names: list[x509.GeneralName] = [x509.DNSName(device_id), x509.DNSName(f"{device_id}.local")]
    for address in addresses:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(address)))
        except ValueError:
            names.append(x509.DNSName(address))
    return names


def new_identity(org: Org, device_id: str, addresses: tuple[str, ...] = ()) -> DeviceIdentity:
    """New keys and a certificate (CN = device id) signed by the org CA: the box's MQTT client
    identity and its HTTPS server certificate for the worker screen."""
    ca_key = serialization.load_pem_private_key(org.pki.ca_key.read_bytes(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ProvisioningError(f"{org.pki.ca_key} is not the org's EC CA key")
    ca = x509.load_pem_x509_certificate(org.pki.ca_cert.read_bytes())
    tls_key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org.org),
                                 x509.NameAttribute(NameOID.COMMON_NAME, device_id)]))
        .issuer_name(ca.subject)
        .public_key(tls_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CERT_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                       critical=True)
        # The same identity authenticates the box to the broker and serves its worker screen
        # over HTTPS: the names workers' browsers reach it by are in the certificate.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .add_extension(x509.SubjectAlternativeName(_names(device_id, addresses)), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return DeviceIdentity(tls_key, cert, Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


def write_identity(bundle: Bundle, identity: DeviceIdentity, sealer: Sealer) -> None:
    """Seal the identity's private keys into the bundle and write its certificate."""
    pkcs8, none = serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    pem = serialization.Encoding.PEM
    sealer.seal(bundle.folder, "tls-key", identity.tls_key.private_bytes(pem, pkcs8, none))
    sealer.seal(bundle.folder, "signing-key", identity.signing_key.private_bytes(pem, pkcs8, none))
    sealer.seal(bundle.folder, "x25519-key", identity.x25519_key.private_bytes(pem, pkcs8, none))
    bundle.pki_dir.mkdir(parents=True, exist_ok=True)
    tmp = bundle.cert_file.with_name("device.crt.tmp")
    tmp.write_bytes(identity.cert.public_bytes(pem))
    tmp.chmod(0o644)
    tmp.replace(bundle.cert_file)


def profile_settings(profile: str) -> dict[str, Any]:
    """The hardware profile's settings from firmware_config/profiles, or {} when there is none."""
    if profile not in PROFILES:
        raise ProvisioningError(f"profile {profile!r}: choose one of {', '.join(PROFILES)}")
    for name in (profile, _PROFILE_FILES.get(profile)):
        path = PROFILE_DIR / f"{name}.toml"
        if name and path.is_file():
            try:
                return tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ProvisioningError(f"{path}: not valid TOML: {exc}") from exc
    return {}


def enrol_device(org: Org, device_id: str, out: Path, *, profile: str, sealer: Sealer,
                 room: str = "Spreekkamer", data_dir: Path | None = None,
                 addresses: tuple[str, ...] = ()) -> Bundle:
    """Enrol `device_id` into `org`, writing its bundle to `out` (a new or empty folder)."""
    check_id("device id", device_id)
    if device_id == RECEIVER_CN:
        raise ProvisioningError(f"device id {RECEIVER_CN!r} is reserved for the central receiver")
    if device_id in topics.RESERVED_SEGMENTS:
        raise ProvisioningError(f"device id {device_id!r} is reserved: it names central's topics")
    registry = load_registry(org)
    if device_id in registry:
        state = registry[device_id].status
        hint = "use 'device rotate' for new keys" if state == "active" else "use a new device id"
        raise ProvisioningError(f"device {device_id!r} is already enrolled ({state}); {hint}")
    if out.exists() and any(out.iterdir()):
        raise ProvisioningError(f"{out} is not empty; a bundle needs an empty or new folder")
    bundle = Bundle(out.resolve())
    config = _bundle_config(org, bundle, device_id, profile, room, data_dir)
    validate_config(config, bundle.config_file)  # before anything is written
    identity = new_identity(org, device_id, addresses)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    bundle.pki_dir.mkdir(exist_ok=True)
    for src, name in ((org.pki.ca_cert, "ca.crt"), (org.pki.central_x25519_pub, "central-x25519.pub"),
                      (org.pki.central_ed25519_pub, "central-ed25519.pub")):
        shutil.copyfile(src, bundle.pki_dir / name)
    write_identity(bundle, identity, sealer)
    sealer.seal(bundle.folder, "db-key", secrets.token_hex(32).encode())
    sealer.seal(bundle.folder, "dossier-key", org.dossier_key.read_bytes())
    bundle.write_config(config)
    bundle.write_meta({"org": org.org, "device_id": device_id, "profile": profile,
                       "seal_mode": sealer.mode, "seal_reason": sealer.reason,
                       "addresses": list(addresses),
                       "cert_serial": identity.cert.serial_number, "enrolled_at": now_stamp()})
    registry[device_id] = DeviceRecord(device_id=device_id, org=org.org, profile=profile,
                                       enrolled_at=now_stamp(), **identity.record_fields())
    save_registry(org, registry)
    write_org_broker(org)
    return bundle


def _bundle_config(org: Org, bundle: Bundle, device_id: str, profile: str, room: str,
                   data_dir: Path | None) -> dict[str, Any]:
    config = profile_settings(profile)
    config["profile"] = "dev" if profile == "dev" else "production"
    config["credentials_dir"] = str(bundle.folder / "credentials")
    config["device"] = {**config.get("device", {}), "org": org.org, "device_id": device_id,
                        "room": room}
    store = dict(config.get("store", {}))
    if data_dir is not None or "data_dir" not in store:
        store["data_dir"] = str((data_dir or bundle.folder / "data").resolve())
    config["store"] = store
    config["sync"] = {
        **config.get("sync", {}),
        "broker_host": org.broker_host,
        "broker_port": org.broker_port,
        "ca_file": str(bundle.pki_dir / "ca.crt"),
        "cert_file": str(bundle.cert_file),
        "central_public_key": str(bundle.pki_dir / "central-x25519.pub"),
        "central_verify_key": str(bundle.pki_dir / "central-ed25519.pub"),
    }
    return config
