"""Is this box provisioned? The reasons a production box must refuse to record, in plain words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.x509.oid import NameOID

from appliance.box.config import AppConfig
from appliance.box.secrets import SecretError, read_secret

PLACEHOLDER_IDS = {("ocmw-voorbeeld", "room-0001")}
"""The device identity the hardware profiles ship with, before enrolment replaces it."""


def provisioning_problems(config: AppConfig) -> list[str]:
    """Empty when credentials, certificate, central keys and identity are in place; else why not."""
    problems: list[str] = []
    if (config.device.org, config.device.device_id) in PLACEHOLDER_IDS:
        problems.append(f"device identity {config.device.org}/{config.device.device_id} is the "
                        "profile's placeholder: this box was never enrolled")
    secrets: dict[str, bytes] = {}
    for name in (config.store.key_credential, config.sync.key_credential,
                 config.sync.signing_key_credential, "dossier-key"):
        try:
            secrets[name] = read_secret(name, config.credentials_dir)
        except SecretError as exc:
            problems.append(f"no usable credential: {exc}")
    ca = _cert(config.sync.ca_file, "CA certificate", problems)
    cert = _cert(config.sync.cert_file, "device certificate", problems)
    if cert is not None:
        problems += _check_device_cert(cert, ca, config, secrets.get(config.sync.key_credential))
    signing = secrets.get(config.sync.signing_key_credential)
    if signing is not None and not isinstance(_private(signing), Ed25519PrivateKey):
        problems.append(f"credential {config.sync.signing_key_credential!r} is not an Ed25519 key")
    _public(config.sync.central_public_key, X25519PublicKey, "central X25519 public key", problems)
    _public(config.sync.central_verify_key, Ed25519PublicKey, "central Ed25519 verify key", problems)
    return problems


def _check_device_cert(cert: x509.Certificate, ca: x509.Certificate | None, config: AppConfig,
                       tls_key: bytes | None) -> list[str]:
    problems = []
    where = config.sync.cert_file
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    cn = str(cns[0].value) if cns else ""
    if cn != config.device.device_id:
        problems.append(f"device certificate at {where} is for {cn!r}, not for "
                        f"{config.device.device_id!r}")
    now = dt.datetime.now(dt.UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        problems.append(f"device certificate at {where} is not valid now (valid "
                        f"{cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d})")
    if ca is not None:
        try:
            cert.verify_directly_issued_by(ca)
        except (InvalidSignature, ValueError, TypeError):
            problems.append(f"device certificate at {where} was not issued by the CA at "
                            f"{config.sync.ca_file}")
    if tls_key is not None:
        key = _private(tls_key)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
            problems.append(f"credential {config.sync.key_credential!r} does not match the device "
                            f"certificate at {where}")
    return problems


def _cert(path: Path, what: str, problems: list[str]) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except FileNotFoundError:
        problems.append(f"no {what} at {path}")
    except (OSError, ValueError) as exc:
        problems.append(f"{what} at {path} cannot be read: {exc}")
    return None


def _public(path: Path, kind: type, what: str, problems: list[str]) -> None:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except FileNotFoundError:
        problems.append(f"no {what} at {path}")
        return
    except (OSError, ValueError) as exc:
        problems.append(f"{what} at {path} cannot be read: {exc}")
        return
    if not isinstance(key, kind):
        problems.append(f"{what} at {path} is not a {kind.__name__.removesuffix('PublicKey')} key")


def _private(data: bytes) -> object:
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        return None
