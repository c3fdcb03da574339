"""`spreekkamer`: the one console script, with subcommands for the service, IT and measurements."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from appliance.box.config import AppConfig, ConfigError, load_config


def _config(args: argparse.Namespace) -> AppConfig:
    return load_config(Path(args.config) if getattr(args, "config", None) else None)


def _with_dev_audio(config: AppConfig) -> AppConfig:
    """The dev profile plays a synthetic conversation when no WAV is configured: two
    microphones (worker left, client right), so the transcript names who spoke."""
    if config.profile != "dev" or config.audio.source != "wav" or config.audio.wav_path is not None:
        return config
    from appliance.box.config import DEV_HOME
    from appliance.service.devprofile import ensure_demo_wav

    demo = ensure_demo_wav(DEV_HOME / "demo-gesprek-stereo.wav", stereo=True)
    audio = config.audio.model_copy(update={"wav_path": demo, "channels": 2})
    return config.model_copy(update={"audio": audio})


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the appliance (dev profile: worker side on 127.0.0.1:8080, kiosk on 127.0.0.1:8081)."""
    from appliance.api.app import create_apps
    from appliance.api.listeners import serve
    from appliance.api.unprovisioned import create_unprovisioned_app
    from appliance.box.provisioned import provisioning_problems
    from appliance.box.systemd import notify_ready, start_watchdog
    from appliance.service.wiring import build_appliance

    config = _config(args)
    given = (("host", args.host), ("port", args.port), ("kiosk_port", args.kiosk_port))
    api = config.api.model_copy(update={k: v for k, v in given if v})
    config = _with_dev_audio(config.model_copy(update={"api": api}))
    AppConfig.model_validate(config.model_dump())  # re-check: --host must respect the profile too
    if config.profile == "dev":
        from appliance.service.devprofile import ensure_dev_home, ensure_dev_worker

        login = ensure_dev_home(config)
        ensure_dev_worker(config, login)
    problems = provisioning_problems(config) if config.profile == "production" else []
    if args.config:
        warn_about_sealing(Path(args.config).parent / "bundle.json")
    if problems:
        # Refuse to record, say why (health for IT, a neutral screen for the client), stay up.
        logging.getLogger(__name__).error("not provisioned: %s", "; ".join(problems))
        worker_app = create_unprovisioned_app(problems, config.kiosk.default_language)
        kiosk_app = create_unprovisioned_app(problems, config.kiosk.default_language, kiosk_side=True)
        notify_ready()
    else:
        worker_app, kiosk_app = create_apps(lambda: build_appliance(config, load_model=not args.no_model),
                                            on_ready=notify_ready)
    start_watchdog()
    serve(config, worker_app, kiosk_app)
    return 0


def warn_about_sealing(bundle_json: Path) -> str | None:
    """Say at start-up when the box's secrets are not sealed by a TPM2: with the host key (or as
    plain files) they are only as safe as the disk they are on. Returns the warning, if any."""
    try:
        mode = json.loads(bundle_json.read_text(encoding="utf-8")).get("seal_mode")
    except (OSError, ValueError, AttributeError):
        return None  # not an enrolled bundle (a dev or hand-made config): nothing to say
    if mode == "tpm2":
        return None
    warning = (f"secrets are sealed with {mode!r}, not a TPM2: whoever has this disk can unseal them "
               "(see docs/provisioning.md)")
    logging.getLogger(__name__).warning(warning)
    return warning


def cmd_check_config(args: argparse.Namespace) -> int:
    """Validate a config file and print readable errors with field paths."""
    try:
        load_config(Path(args.file))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.file}: ok")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Check the audit log's hash chain."""
    from appliance.box.audit import verify_command
    from appliance.box.keys import database_key, derived_key, open_store

    config = _config(args)
    store, _ = open_store(config)
    try:
        return verify_command(store, derived_key(database_key(config), "audit-chain"))
    finally:
        store.close()


def cmd_users_add(args: argparse.Namespace) -> int:
    """Create a worker or admin account (IT)."""
    from appliance.box.accounts import create_user
    from appliance.box.keys import open_store

    password = os.environ.get("SPREEKKAMER_NEW_PASSWORD") or getpass.getpass("Password (12+ characters): ")
    store, audit = open_store(_config(args))
    try:
        create_user(store, args.username, args.display_name, args.role, password)
        audit.append("account.created", actor="it", username=args.username, role=args.role)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"account {args.username!r} ({args.role}) created")
    return 0


def cmd_users_unlock(args: argparse.Namespace) -> int:
    """Lift a login lockout (IT, once they know the worker is the one asking)."""
    from appliance.box.accounts import unlock
    from appliance.box.keys import open_store

    store, audit = open_store(_config(args))
    try:
        if not unlock(store, args.username):
            print(f"error: no account {args.username!r}", file=sys.stderr)
            return 1
        audit.append("account.unlocked", actor="it", username=args.username)
    finally:
        store.close()
    print(f"account {args.username!r} unlocked")
    return 0


def cmd_users_password(args: argparse.Namespace) -> int:
    """Set a new password; every open session of the account ends."""
    from appliance.box.accounts import set_password
    from appliance.box.keys import open_store

    password = os.environ.get("SPREEKKAMER_NEW_PASSWORD") or getpass.getpass("New password (12+ characters): ")
    store, audit = open_store(_config(args))
    try:
        set_password(store, args.username, password)
        audit.append("account.password_set", actor="it", username=args.username)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"password of {args.username!r} set; its sessions have ended")
    return 0


def cmd_dev_init(args: argparse.Namespace) -> int:
    """Prepare the dev profile (keys, certificates, demo audio, worker) and print how to log in."""
    from appliance.service.devprofile import ensure_demo_wav, ensure_dev_home, ensure_dev_worker

    config = _config(args)
    login = ensure_dev_home(config)
    ensure_dev_worker(config, login)
    ensure_demo_wav()
    print(f"worker login: {login.username} / {login.password}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """All subcommands, including those the transcription and drafting packages register."""
    parser = argparse.ArgumentParser(prog="spreekkamer", description="Spreekkamer interview-room appliance")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the appliance")
    p.add_argument("--config", help="TOML config file (default: embedded dev profile)")
    p.add_argument("--host", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="worker-side port (default 8080)")
    p.add_argument("--kiosk-port", type=int, help="kiosk-side port, on 127.0.0.1 only (default 8081)")
    p.add_argument("--no-model", action="store_true", help="do not load Whisper (screens only)")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("check-config", help="validate a config file")
    p.add_argument("file")
    p.set_defaults(handler=cmd_check_config)

    audit = sub.add_parser("audit", help="the audit log").add_subparsers(dest="audit_command", required=True)
    p = audit.add_parser("verify", help="verify the hash chain")
    p.add_argument("--config")
    p.set_defaults(handler=cmd_audit_verify)

    users = sub.add_parser("users", help="worker accounts").add_subparsers(dest="users_command", required=True)
    p = users.add_parser("add", help="create an account (password from a prompt or $SPREEKKAMER_NEW_PASSWORD)")
    p.add_argument("username")
    p.add_argument("display_name")
    p.add_argument("--role", choices=["worker", "admin"], default="worker")
    p.add_argument("--config")
    p.set_defaults(handler=cmd_users_add)
    p = users.add_parser("unlock", help="lift a login lockout")
    p.add_argument("username")
    p.add_argument("--config")
    p.set_defaults(handler=cmd_users_unlock)
    p = users.add_parser("password", help="set a new password (prompt or $SPREEKKAMER_NEW_PASSWORD); ends its sessions")
    p.add_argument("username")
    p.add_argument("--config")
    p.set_defaults(handler=cmd_users_password)

    p = sub.add_parser("dev-init", help="prepare the dev profile and print the dev login")
    p.add_argument("--config")
    p.set_defaults(handler=cmd_dev_init)

    from appliance.drafting import commands as drafting_commands
    from appliance.transcription import commands as transcription_commands

    transcription_commands.register(sub)
    drafting_commands.register(sub)
    from appliance.service import export; export.register(sub)  # noqa: I001
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler: Any = args.handler
    from appliance.box.secrets import SecretError

    try:
        return int(handler(args))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except SecretError as exc:  # a box not provisioned (or a wrong --config): say which secret
        print(f"error: {exc} (is this box provisioned? pass --config, or run 'spreekkamer dev-init')",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
