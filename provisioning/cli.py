"""`spreekkamer-provision`: IT's tool for an organisation, its devices, their models and accounts.

    spreekkamer-provision org create DIR --org ID --broker-host HOST [--broker-port 8883]
    spreekkamer-provision broker write DIR [--port N] [--listen ADDR]
    spreekkamer-provision device enrol DIR --device ID --profile P --out BUNDLE_DIR
    spreekkamer-provision device rotate DIR --device ID --out BUNDLE_DIR
    spreekkamer-provision device revoke DIR --device ID
    spreekkamer-provision device decommission --bundle BUNDLE_DIR
    spreekkamer-provision models install SRC --bundle BUNDLE_DIR [--sha256 HEX]
    spreekkamer-provision users add --bundle BUNDLE_DIR USERNAME "Display Name" --role worker|admin

Exit status: 0 done, 1 refused or failed (the message says why), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from provisioning.creds import Sealer
from provisioning.org import ProvisioningError

_SEAL_CHOICES = ("auto", "tpm2", "host", "plain")


def cmd_org_create(args: argparse.Namespace) -> int:
    """Create the organisation's CA, central keys, registry, receiver and broker config."""
    from provisioning.org import create_org
    from provisioning.org_broker import write_org_broker

    org = create_org(args.dir, org=args.org, broker_host=args.broker_host,
                     broker_port=args.broker_port, broker_listen=args.broker_listen)
    conf = write_org_broker(org)
    print(f"organisation {org.org} created in {org.folder}")
    print(f"  broker config:   {conf}")
    print(f"  receiver config: {org.receiver_dir / 'receiver.toml'}")
    print(f"  keep {org.pki_dir} (the CA key) and {org.dossier_key} offline and backed up")
    return 0


def cmd_broker_write(args: argparse.Namespace) -> int:
    """Regenerate the broker config, ACL and CRL from the registry."""
    from provisioning.org import load_org
    from provisioning.org_broker import write_org_broker

    conf = write_org_broker(load_org(args.dir), port=args.port, listen=args.listen)
    print(f"{conf} written; restart mosquitto to apply the ACL and CRL")
    return 0


def cmd_device_enrol(args: argparse.Namespace) -> int:
    """Give a new box its identity and config bundle."""
    from provisioning.enrol import enrol_device
    from provisioning.org import load_org

    sealer = _sealer(args.seal)
    bundle = enrol_device(load_org(args.dir), args.device, args.out, profile=args.profile,
                          sealer=sealer, room=args.room, data_dir=args.data_dir,
                          addresses=tuple(args.address))
    print(f"device {args.device} enrolled; bundle in {bundle.folder}")
    print(f"  secrets: {sealer.mode} ({sealer.reason})")
    print("  restart mosquitto on the broker host so the new ACL applies")
    return 0


def cmd_device_rotate(args: argparse.Namespace) -> int:
    """New keys and certificate for an enrolled device; the old certificate is revoked."""
    from provisioning.lifecycle import bundle_at, rotate_device
    from provisioning.org import load_org

    sealer = _sealer(args.seal)
    old = rotate_device(load_org(args.dir), args.device, bundle_at(args.out), sealer=sealer,
                        force=args.force)
    print(f"device {args.device}: new keys and certificate in {args.out}; "
          f"old certificate {old:x} revoked")
    print("  restart mosquitto (CRL) and the receiver (registry), then spreekkamer.service")
    return 0


def cmd_device_revoke(args: argparse.Namespace) -> int:
    """Put the device's certificate on the CRL and stop accepting its reports."""
    from provisioning.lifecycle import revoke_device
    from provisioning.org import load_org

    serial = revoke_device(load_org(args.dir), args.device)
    print(f"device {args.device} revoked (certificate {serial:x} on the CRL)")
    print("  restart mosquitto (CRL, ACL) and the receiver (registry) to apply")
    return 0


def cmd_device_decommission(args: argparse.Namespace) -> int:
    """Crypto-erase this box: data keys, audio, then the database key itself."""
    from provisioning.lifecycle import bundle_at, decommission

    bundle = bundle_at(args.bundle)
    device_id = bundle.meta().get("device_id", "?")
    if not args.yes:
        answer = input(f"This destroys all data on {device_id} for good. Type the device id: ")
        if answer.strip() != device_id:
            print("not confirmed; nothing was erased", file=sys.stderr)
            return 1
    erased = decommission(bundle, force=args.force)
    print(f"device {device_id} decommissioned:")
    for line in erased.lines():
        print(f"  - {line}")
    return 0


def cmd_models_install(args: argparse.Namespace) -> int:
    """Copy a CTranslate2 Whisper model into the bundle, checksum verified, and point the config at it."""
    from appliance.transcription.models import MANIFEST, ModelError
    from provisioning.lifecycle import bundle_at
    from provisioning.models import install_model

    bundle = bundle_at(args.bundle)
    meta = _model_manifest(args.src / MANIFEST)
    name = args.name or str(meta.get("name") or args.src.resolve().name)
    version = args.version or str(meta.get("version") or "local")
    try:
        info = install_model(args.src, bundle.folder / "models", name=name, version=version,
                             expected_sha256=args.sha256)
    except ModelError as exc:
        raise ProvisioningError(str(exc)) from exc
    config = bundle.config_dict()
    config["transcription"] = {**config.get("transcription", {}), "model_dir": str(info.path)}
    bundle.write_config(config)
    print(f"model {info.name} {info.version} installed at {info.path} (sha256 {info.sha256})")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    """Create a worker or admin account in the box's store."""
    from appliance.box.accounts import AccountError, create_user
    from provisioning.lifecycle import bundle_at, open_bundle_store

    password = os.environ.get("SPREEKKAMER_NEW_PASSWORD") or getpass.getpass(
        "Password (12+ characters): ")
    store, audit = open_bundle_store(bundle_at(args.bundle))
    try:
        create_user(store, args.username, args.display_name, args.role, password)
        audit.append("account.created", actor="it", username=args.username, role=args.role)
    except AccountError as exc:
        raise ProvisioningError(str(exc)) from exc
    finally:
        store.close()
    print(f"account {args.username!r} ({args.role}) created")
    return 0


def _sealer(choice: str) -> Sealer:
    from provisioning.creds import detect_sealer, warn_if_plain

    if choice == "auto":
        sealer = detect_sealer()
    else:
        sealer = Sealer(choice, f"chosen with --seal {choice}")  # type: ignore[arg-type]
    warn_if_plain(sealer)
    return sealer


def _model_manifest(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand with its help text."""
    parser = argparse.ArgumentParser(
        prog="spreekkamer-provision", description="Provision Spreekkamer organisations and devices.",
        epilog="Exit status: 0 done, 1 refused or failed, 2 wrong usage.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    org = sub.add_parser("org", help="the organisation (OCMW)").add_subparsers(
        dest="org_command", required=True, metavar="ACTION")
    p = org.add_parser("create", help="CA, central keys, empty registry, broker and receiver config")
    p.add_argument("dir", type=Path, metavar="DIR", help="new or empty folder for the organisation")
    p.add_argument("--org", required=True, help="organisation id, e.g. ocmw-gent (a-z, 0-9, '-')")
    p.add_argument("--broker-host", required=True, help="broker host name devices connect to")
    p.add_argument("--broker-port", type=int, default=8883, help="broker TLS port (default 8883)")
    p.add_argument("--broker-listen", default="0.0.0.0",
                   help="address the broker listens on (default 0.0.0.0)")
    p.set_defaults(handler=cmd_org_create)

    broker = sub.add_parser("broker", help="the MQTT broker config").add_subparsers(
        dest="broker_command", required=True, metavar="ACTION")
    p = broker.add_parser("write", help="regenerate mosquitto.conf, ACL and CRL from the registry")
    p.add_argument("dir", type=Path, metavar="DIR", help="the organisation folder")
    p.add_argument("--port", type=int, help="listener port (default: the org's broker port)")
    p.add_argument("--listen", help="listen address (default: the org's)")
    p.set_defaults(handler=cmd_broker_write)

    device = sub.add_parser("device", help="enrol, rotate, revoke, decommission").add_subparsers(
        dest="device_command", required=True, metavar="ACTION")
    p = device.add_parser("enrol", help="new identity, certificate, sealed secrets, config bundle")
    p.add_argument("dir", type=Path, metavar="DIR", help="the organisation folder")
    p.add_argument("--device", required=True, help="device id, e.g. gent-kamer-1")
    p.add_argument("--profile", required=True, choices=["jetson-orin", "nuc-cpu", "nuc-gpu", "dev"])
    p.add_argument("--out", type=Path, required=True, metavar="BUNDLE_DIR",
                   help="new or empty folder for the bundle (on the box: /etc/spreekkamer)")
    p.add_argument("--room", default="Spreekkamer", help="room name shown to workers")
    p.add_argument("--address", action="append", default=[],
                   help="a host name or IP address workers reach the box at (repeat); its HTTPS certificate names it")
    p.add_argument("--data-dir", type=Path, help="store folder (default: the profile's, else BUNDLE_DIR/data)")
    p.add_argument("--seal", choices=_SEAL_CHOICES, default="auto",
                   help="how to seal secrets (default: TPM2, else host key, else plain files)")
    p.set_defaults(handler=cmd_device_enrol)

    p = device.add_parser("rotate", help="new keys and certificate; the old one is revoked")
    p.add_argument("dir", type=Path, metavar="DIR", help="the organisation folder")
    p.add_argument("--device", required=True)
    p.add_argument("--out", type=Path, required=True, metavar="BUNDLE_DIR", help="the device's bundle")
    p.add_argument("--seal", choices=_SEAL_CHOICES, default="auto")
    p.add_argument("--force", action="store_true", help="rotate even with reports still unsent")
    p.set_defaults(handler=cmd_device_rotate)

    p = device.add_parser("revoke", help="revoke the certificate and refuse the device's reports")
    p.add_argument("dir", type=Path, metavar="DIR", help="the organisation folder")
    p.add_argument("--device", required=True)
    p.set_defaults(handler=cmd_device_revoke)

    p = device.add_parser("decommission", help="crypto-erase the box (run on the box)")
    p.add_argument("--bundle", type=Path, required=True, metavar="BUNDLE_DIR")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--force", action="store_true", help="erase even with reports not yet at central")
    p.set_defaults(handler=cmd_device_decommission)

    models = sub.add_parser("models", help="speech models").add_subparsers(
        dest="models_command", required=True, metavar="ACTION")
    p = models.add_parser("install", help="copy a CTranslate2 Whisper model into a bundle")
    p.add_argument("src", type=Path, metavar="SRC", help="model folder (model.bin, config.json, ...)")
    p.add_argument("--bundle", type=Path, required=True, metavar="BUNDLE_DIR")
    p.add_argument("--sha256", help="expected SHA-256 of model.bin; a mismatch is refused")
    p.add_argument("--name", help="model name (default: from its manifest or folder name)")
    p.add_argument("--version", help="model version (default: from its manifest, else 'local')")
    p.set_defaults(handler=cmd_models_install)

    users = sub.add_parser("users", help="worker accounts on a box").add_subparsers(
        dest="users_command", required=True, metavar="ACTION")
    p = users.add_parser("add", help="create an account (password from a prompt or "
                                     "$SPREEKKAMER_NEW_PASSWORD)")
    p.add_argument("--bundle", type=Path, required=True, metavar="BUNDLE_DIR")
    p.add_argument("username")
    p.add_argument("display_name", metavar="DISPLAY_NAME")
    p.add_argument("--role", choices=["worker", "admin"], required=True)
    p.set_defaults(handler=cmd_users_add)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    from appliance.box.secrets import SecretError
    from provisioning.creds import CredentialError

    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (ProvisioningError, CredentialError, SecretError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
