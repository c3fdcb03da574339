"""An organisation's (OCMW's) provisioning folder: CA, central keys, device registry, receiver config.

Layout of the folder `spreekkamer-provision org create` makes:

    org.json                 org id, broker address and listen address
    pki/                     CA, broker and receiver certificates, central X25519 + Ed25519 keys (0700)
    dossier-key              the org-wide dossier key (0600), copied into every device bundle
    registry.json            every device ever enrolled: keys, certificate serials, active/revoked
    receiver/devices.json    the receiver's view: active devices only (revoked ones are left out)
    receiver/receiver.toml   a config for `python -m central`
    broker/                  mosquitto.conf, per-device ACL, CRL (see provisioning.org_broker)

The folder is 0711 so that a Mosquitto dropped to its own user can reach `broker/`; every secret
in it is an owner-only file.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from appliance.box.secrets import write_secret
from provisioning.pki import DevPki, load_dev_pki, make_dev_pki

ID_PATTERN = re.compile(r"^[a-z0-9-]{2,40}$")
CERT_DAYS = 825


class ProvisioningError(Exception):
    """An expected provisioning failure with a message for IT (no traceback needed)."""


@dataclass
class DeviceRecord:
    """One device in the org registry (public material only: no device private key lives here)."""

    device_id: str
    org: str
    profile: str
    public_key: str
    x25519_public: str
    cert_serial: int
    status: str = "active"
    enrolled_at: str = ""
    revoked_at: str | None = None
    revoked_serials: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Org:
    """Paths and settings of one org folder."""

    folder: Path
    org: str
    broker_host: str
    broker_port: int
    broker_listen: str

    @property
    def pki_dir(self) -> Path:
        """CA, server certificates and central keys."""
        return self.folder / "pki"

    @property
    def pki(self) -> DevPki:
        """The CA and central key files."""
        return load_dev_pki(self.pki_dir, org=self.org)

    @property
    def registry_file(self) -> Path:
        """The org's full device registry."""
        return self.folder / "registry.json"

    @property
    def receiver_dir(self) -> Path:
        """The receiver's config, registry, database and dossier drop folder."""
        return self.folder / "receiver"

    @property
    def receiver_registry(self) -> Path:
        """Active devices in the format `central.registry.DeviceRegistry` reads."""
        return self.receiver_dir / "devices.json"

    @property
    def broker_dir(self) -> Path:
        """The generated Mosquitto configuration."""
        return self.folder / "broker"

    @property
    def dossier_key(self) -> Path:
        """The org-wide dossier key (hex, 0600)."""
        return self.folder / "dossier-key"


def check_id(what: str, value: str) -> str:
    """`value` if it is a valid org/device id, else a ProvisioningError naming the rule."""
    if not ID_PATTERN.match(value):
        raise ProvisioningError(f"{what} {value!r}: use 2-40 characters a-z, 0-9 and '-'")
    return value


def create_org(folder: Path, *, org: str, broker_host: str, broker_port: int = 8883,
               broker_listen: str = "0.0.0.0") -> Org:
    """Create a new org folder; refuses a folder that already holds one (keys are never replaced)."""
    check_id("org", org)
    if not 1 <= broker_port <= 65535:
        raise ProvisioningError(f"broker port {broker_port} is not a TCP port")
    if (folder / "org.json").exists():
        raise ProvisioningError(f"{folder} already holds an organisation; keys are never replaced")
    if folder.exists() and any(folder.iterdir()):
        raise ProvisioningError(f"{folder} is not empty; org create needs an empty or new folder")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o711)
    make_dev_pki(folder / "pki", org=org, devices=[])
    (folder / "pki").chmod(0o700)
    (folder / "pki" / "devices.json").unlink()  # the org registry replaces the dev one
    _issue_broker_cert(folder / "pki", broker_host)
    write_secret(folder / "dossier-key", secrets.token_hex(32).encode())
    result = Org(folder, org, broker_host, broker_port, broker_listen)
    _write_json(folder / "org.json", {"org": org, "broker_host": broker_host,
                                      "broker_port": broker_port, "broker_listen": broker_listen})
    save_registry(result, {})
    _write_receiver_config(result)
    return result


def load_org(folder: Path) -> Org:
    """The org in `folder`; a readable error when it is not one."""
    try:
        raw = json.loads((folder / "org.json").read_text(encoding="utf-8"))
        return Org(folder, raw["org"], raw["broker_host"], int(raw["broker_port"]),
                   raw.get("broker_listen", "0.0.0.0"))
    except FileNotFoundError as exc:
        raise ProvisioningError(f"{folder} is not an org folder (no org.json); "
                                "run: spreekkamer-provision org create") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ProvisioningError(f"{folder}/org.json is damaged: {exc}") from exc


def load_registry(org: Org) -> dict[str, DeviceRecord]:
    """Every device ever enrolled, by id."""
    try:
        raw = json.loads(org.registry_file.read_text(encoding="utf-8"))
        return {k: DeviceRecord(**v) for k, v in raw.items()}
    except (OSError, ValueError, TypeError) as exc:
        raise ProvisioningError(f"{org.registry_file}: cannot read the device registry: {exc}") from exc


def save_registry(org: Org, registry: dict[str, DeviceRecord]) -> None:
    """Write the org registry and the receiver's registry (active devices only)."""
    _write_json(org.registry_file, {k: asdict(v) for k, v in sorted(registry.items())})
    active = {k: {"org": v.org, "public_key": v.public_key}
              for k, v in sorted(registry.items()) if v.status == "active"}
    org.receiver_dir.mkdir(exist_ok=True)
    _write_json(org.receiver_registry, active)


def now_stamp() -> str:
    """UTC time, seconds precision, for registry entries."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _issue_broker_cert(pki_dir: Path, broker_host: str) -> None:
    """Re-issue the broker certificate for the real broker name (the dev one only names loopback)."""
    ca_key = serialization.load_pem_private_key((pki_dir / "ca.key").read_bytes(), password=None)
    key = serialization.load_pem_private_key((pki_dir / "broker.key").read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey) and isinstance(key, ec.EllipticCurvePrivateKey)
    ca = x509.load_pem_x509_certificate((pki_dir / "ca.crt").read_bytes())
    names: list[x509.GeneralName] = [x509.DNSName("localhost"),
                                     x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                     x509.IPAddress(ipaddress.ip_address("::1"))]
    try:
        address = ipaddress.ip_address(broker_host)
        if not address.is_loopback:
            names.append(x509.IPAddress(address))
    except ValueError:
        names.append(x509.DNSName(broker_host))
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "broker")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CERT_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                       critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    (pki_dir / "broker.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _write_receiver_config(org: Org) -> None:
    pki = org.pki
    lines = [
        "# Generated by spreekkamer-provision org create; run: python -m central --config <this file>",
        f'broker_host = "{org.broker_host}"',
        f"broker_port = {org.broker_port}",
        'client_id = "receiver-1"',
        f'ca_file = "{pki.ca_cert.resolve()}"',
        f'cert_file = "{pki.receiver_cert.resolve()}"',
        f'key_file = "{pki.receiver_key.resolve()}"',
        f'central_x25519_key_file = "{pki.central_x25519_key.resolve()}"',
        f'central_ed25519_key_file = "{pki.central_ed25519_key.resolve()}"',
        f'device_registry_file = "{org.receiver_registry.resolve()}"',
        "# PostgreSQL of this organisation's central service (docs/central.md).",
        'database_url = "host=/run/postgresql dbname=spreekkamer_central"',
        f'credentials_dir = "{(org.receiver_dir / "credentials").resolve()}"',
        "",
        "[sink]",
        'kind = "directory"',
        f'path = "{(org.receiver_dir / "dossier").resolve()}"',
        "",
    ]
    key = org.receiver_dir / "credentials" / "central-storage-key"
    if not key.exists():  # seals every dossier's data key: made once, never replaced
        write_secret(key, secrets.token_hex(32).encode())
    (org.receiver_dir / "receiver.toml").write_text("\n".join(lines), encoding="utf-8")


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
