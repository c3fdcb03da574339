"""Dev PKI: a local CA, broker/receiver/device TLS certificates and the report-sealing keys.

EC P-256 for TLS (what Mosquitto and OpenSSL accept everywhere); Ed25519 for report and ack
signatures; X25519 for report encryption. Idempotent: existing files are kept, so re-running
never silently rotates a key that devices or central already trust.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from appliance.box.secrets import write_secret

RECEIVER_CN = "receiver"
_ID_PATTERN = re.compile(r"^[a-z0-9-]{2,40}$")
_VALID_DAYS = 825


@dataclass(frozen=True)
class DeviceFiles:
    """One device's TLS identity and report-signing key."""

    device_id: str
    cert: Path
    key: Path
    signing_key: Path


@dataclass(frozen=True)
class DevPki:
    """Paths of everything `make_dev_pki` wrote."""

    folder: Path
    org: str
    ca_cert: Path
    ca_key: Path
    broker_cert: Path
    broker_key: Path
    receiver_cert: Path
    receiver_key: Path
    central_x25519_key: Path
    central_x25519_pub: Path
    central_ed25519_key: Path
    central_ed25519_pub: Path
    devices_json: Path
    devices: dict[str, DeviceFiles]


def make_dev_pki(folder: Path, *, org: str, devices: list[str]) -> DevPki:
    """Create (or complete) a dev PKI in `folder` for `org` and the given device ids."""
    _check_id("org", org)
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = _ec_key(folder / "ca.key")
    ca_cert = _ca_cert(folder / "ca.crt", ca_key, org)
    _leaf(folder, "broker", ca_key, ca_cert, server=True)
    _leaf(folder, RECEIVER_CN, ca_key, ca_cert, server=False)
    x_key = _x25519_key(folder / "central-x25519.key")
    _write_public(
        folder / "central-x25519.pub",
        x_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
    e_key = _ed25519_key(folder / "central-ed25519.key")
    _write_public(
        folder / "central-ed25519.pub",
        e_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
    for device_id in devices:
        issue_device(folder, device_id, org=org)
    if not (folder / "devices.json").exists():
        _write_registry(folder / "devices.json", {})
    return load_dev_pki(folder, org=org)


def issue_device(folder: Path, device_id: str, *, org: str | None = None) -> DeviceFiles:
    """Add one device (TLS certificate with CN = device id, signing key, registry entry)."""
    _check_id("device_id", device_id)
    if device_id in (RECEIVER_CN, "flags"):
        raise ValueError(f"device_id {device_id!r} is reserved (central receiver / org flags topic)")
    registry = _read_registry(folder / "devices.json")
    if org is None:
        orgs = {entry["org"] for entry in registry.values()}
        if len(orgs) != 1:
            raise ValueError("org is needed: the registry does not name exactly one org")
        org = orgs.pop()
    ca_key = _ec_key(folder / "ca.key", create=False)
    ca_cert = x509.load_pem_x509_certificate((folder / "ca.crt").read_bytes())
    # A box is an MQTT client and serves the worker screen over HTTPS with the same identity.
    _leaf(folder, device_id, ca_key, ca_cert, server=True, client=True)
    signing = _ed25519_key(folder / f"{device_id}-signing.key")
    public_pem = (
        signing.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    if registry.get(device_id) != {"org": org, "public_key": public_pem}:
        registry[device_id] = {"org": org, "public_key": public_pem}
        _write_registry(folder / "devices.json", registry)
    return _device_files(folder, device_id)


def load_dev_pki(folder: Path, *, org: str) -> DevPki:
    """The DevPki of an existing folder (devices taken from its registry)."""
    registry = _read_registry(folder / "devices.json")
    return DevPki(
        folder=folder,
        org=org,
        ca_cert=folder / "ca.crt",
        ca_key=folder / "ca.key",
        broker_cert=folder / "broker.crt",
        broker_key=folder / "broker.key",
        receiver_cert=folder / "receiver.crt",
        receiver_key=folder / "receiver.key",
        central_x25519_key=folder / "central-x25519.key",
        central_x25519_pub=folder / "central-x25519.pub",
        central_ed25519_key=folder / "central-ed25519.key",
        central_ed25519_pub=folder / "central-ed25519.pub",
        devices_json=folder / "devices.json",
        devices={d: _device_files(folder, d) for d in sorted(registry)},
    )


def _device_files(folder: Path, device_id: str) -> DeviceFiles:
    return DeviceFiles(
        device_id,
        folder / f"{device_id}.crt",
        folder / f"{device_id}.key",
        folder / f"{device_id}-signing.key",
    )


def _check_id(what: str, value: str) -> None:
    if not _ID_PATTERN.match(value):
        raise ValueError(f"{what} {value!r} must match {_ID_PATTERN.pattern}")


def _ec_key(path: Path, *, create: bool = True) -> ec.EllipticCurvePrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{path} is not an EC private key")
        return key
    if not create:
        raise FileNotFoundError(f"{path} missing: run make_dev_pki first")
    new = ec.generate_private_key(ec.SECP256R1())
    write_secret(path, _private_pem(new))
    return new


def _ed25519_key(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return key
    new = Ed25519PrivateKey.generate()
    write_secret(path, _private_pem(new))
    return new


def _x25519_key(path: Path) -> X25519PrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, X25519PrivateKey):
            raise ValueError(f"{path} is not an X25519 private key")
        return key
    new = X25519PrivateKey.generate()
    write_secret(path, _private_pem(new))
    return new


def _private_pem(key: ec.EllipticCurvePrivateKey | Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_public(path: Path, data: bytes) -> None:
    if not path.exists():
        path.write_bytes(data)
        path.chmod(0o644)


def _ca_cert(path: Path, key: ec.EllipticCurvePrivateKey, org: str) -> x509.Certificate:
    if path.exists():
        return x509.load_pem_x509_certificate(path.read_bytes())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Spreekkamer dev CA ({org})"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=_VALID_DAYS * 2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path.chmod(0o644)
    return cert


def _leaf(
    folder: Path,
    cn: str,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    *,
    server: bool,
    client: bool = False,
) -> None:
    cert_path = folder / f"{cn}.crt"
    key = _ec_key(folder / f"{cn}.key")
    if cert_path.exists():
        return
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                ([ExtendedKeyUsageOID.SERVER_AUTH] if server else [])
                + ([ExtendedKeyUsageOID.CLIENT_AUTH] if client or not server else [])
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    cert_path.chmod(0o644)


def _read_registry(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _write_registry(path: Path, registry: dict[str, dict[str, str]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(registry, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.chmod(0o644)
    tmp.replace(path)
