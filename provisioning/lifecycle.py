"""A device after enrolment: rotate its keys, revoke it, decommission the box (crypto-erase)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from appliance.box.audit import AuditLog
from appliance.box.keys import derived_key
from appliance.store.db import Store, StoreError
from provisioning.bundle import CREDENTIAL_NAMES, Bundle
from provisioning.creds import CredentialError, Sealer, destroy, unseal
from provisioning.enrol import new_identity, write_identity
from provisioning.org import Org, ProvisioningError, load_registry, now_stamp, save_registry
from provisioning.org_broker import write_org_broker

DB_NAME = "spreekkamer.db"


def open_bundle_store(bundle: Bundle) -> tuple[Store, AuditLog]:
    """The box's store, opened with the bundle's (unsealed) database key."""
    config = bundle.config()
    try:
        key = bytes.fromhex(unseal(bundle.folder, config.store.key_credential).decode().strip())
    except (CredentialError, ValueError) as exc:
        raise ProvisioningError(f"cannot read the database key: {exc}") from exc
    try:
        store = Store.open(config.store.data_dir / DB_NAME, key)
    except StoreError as exc:
        raise ProvisioningError(str(exc)) from exc
    return store, AuditLog(store, derived_key(key, "audit-chain"))


def pending_reports(bundle: Bundle) -> int:
    """Reports in the box's outbox that central has not acknowledged (0 when there is no store)."""
    if not (bundle.config().store.data_dir / DB_NAME).exists():
        return 0
    store, _ = open_bundle_store(bundle)
    try:
        return int(store.query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0])
    finally:
        store.close()


def rotate_device(org: Org, device_id: str, bundle: Bundle, *, sealer: Sealer,
                  force: bool = False) -> int:
    """New TLS key, certificate, signing and X25519 keys; the old certificate is revoked.

    Returns the revoked serial. Refuses while reports wait in the outbox (they are signed with
    the old key, which central stops accepting), unless `force`.
    """
    registry = load_registry(org)
    record = registry.get(device_id)
    if record is None or record.status != "active":
        raise ProvisioningError(f"device {device_id!r} is not an active device of {org.org}")
    meta = bundle.meta()
    if meta.get("device_id") != device_id:
        raise ProvisioningError(f"{bundle.folder} is the bundle of {meta.get('device_id')!r}, "
                                f"not of {device_id!r}")
    waiting = pending_reports(bundle)
    if waiting and not force:
        raise ProvisioningError(f"{waiting} report(s) still wait for central's ack; they are signed "
                                "with the current key. Let them sync first, or pass --force.")
    identity = new_identity(org, device_id, tuple(meta.get("addresses", ())))  # the same names, renewed
    write_identity(bundle, identity, sealer)
    old = record.cert_serial
    fields = identity.record_fields()
    record.public_key, record.x25519_public = fields["public_key"], fields["x25519_public"]
    record.cert_serial = fields["cert_serial"]
    record.revoked_serials.append(old)
    save_registry(org, registry)
    write_org_broker(org)
    bundle.write_meta({**meta, "cert_serial": record.cert_serial, "rotated_at": now_stamp(),
                       "seal_mode": sealer.mode, "seal_reason": sealer.reason})
    return old


def revoke_device(org: Org, device_id: str) -> int:
    """Mark the device revoked: its certificate goes on the CRL and its reports are refused."""
    registry = load_registry(org)
    record = registry.get(device_id)
    if record is None:
        raise ProvisioningError(f"no device {device_id!r} in {org.registry_file}")
    if record.status == "revoked":
        raise ProvisioningError(f"device {device_id!r} was already revoked at {record.revoked_at}")
    record.status, record.revoked_at = "revoked", now_stamp()
    save_registry(org, registry)
    write_org_broker(org)
    return record.cert_serial


@dataclass
class Erasure:
    """What decommissioning destroyed, for the confirmation IT keeps."""

    data_keys: int = 0
    audio_files: int = 0
    credentials: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable confirmation."""
        return [
            (f"shredded {self.data_keys} contact data key(s): their audio, transcripts and "
             "drafts can no longer be decrypted"),
            f"deleted {self.audio_files} encrypted audio file(s)",
            *(f"destroyed credential {c}" for c in self.credentials),
            "the database can no longer be opened: its key is gone",
        ]


def decommission(bundle: Bundle, *, force: bool = False) -> Erasure:
    """Crypto-erase the box: shred every data key, delete audio, then destroy every credential."""
    config = bundle.config()
    erased = Erasure()
    if (config.store.data_dir / DB_NAME).exists():
        store, audit = open_bundle_store(bundle)
        try:
            waiting = int(store.query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0])
            if waiting and not force:
                raise ProvisioningError(
                    f"{waiting} validated report(s) have not reached central yet; let them sync "
                    "or export them (spreekkamer export), then pass --force to erase anyway")
            with store.transaction() as conn:
                erased.data_keys = conn.execute("SELECT count(*) FROM data_keys").fetchone()[0]
                conn.execute("DELETE FROM data_keys")
            audit.append("device.decommissioned", actor="it", data_keys=erased.data_keys)
            if not store.checkpoint():
                raise ProvisioningError("the database is in use; stop spreekkamer.service first")
        finally:
            store.close()
    audio = config.store.data_dir / "audio"
    if audio.exists():
        erased.audio_files = sum(1 for p in audio.rglob("*") if p.is_file())
        shutil.rmtree(audio)
    # The database key last: until here a failure leaves a box that can still be erased again.
    names = [*(n for n in CREDENTIAL_NAMES if n != "db-key"), config.store.key_credential]
    for name in names:
        if destroy(bundle.folder, name) is not None:
            erased.credentials.append(name)
    return erased


def bundle_at(folder: Path) -> Bundle:
    """A Bundle for `folder`, checked to be one."""
    bundle = Bundle(folder.resolve())
    bundle.meta()
    return bundle
