"""`spreekkamer-central`: run a receiver or the workers' screen, make accounts, erase a dossier."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import psycopg

from appliance.box.secrets import SecretError
from central import __main__ as receiver_main
from central.config import ReceiverConfigError, load_receiver_config
from central.documents import command as documents_command
from central.dossiers import db
from central.dossiers.keys import DossierErased, erase_dossier
from central.dossiers.sealing import StorageKey


def main(argv: list[str] | None = None) -> int:
    """Parse the subcommand; exit 0 done, 1 refused or failed, 2 bad arguments or config."""
    parser = argparse.ArgumentParser(prog="spreekkamer-central", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    receive = sub.add_parser("receive", help="run a receiver until SIGTERM")
    receive.add_argument("--config", type=Path, required=True)
    dossier = sub.add_parser("dossier", help="act on one dossier")
    dossier_sub = dossier.add_subparsers(dest="action", required=True)
    erase = dossier_sub.add_parser(
        "erase", help="destroy the dossier's data key: its reports become unreadable for good"
    )
    erase.add_argument("--config", type=Path, required=True, help="central config (TOML)")
    erase.add_argument("--org", required=True)
    erase.add_argument("--dossier", required=True, help="the dossier reference")
    erase.add_argument("--by", required=True, help="who erases (kept in the audit)")
    erase.add_argument("--yes", action="store_true", help="do it (without: say what would go)")
    web = sub.add_parser("web", help="serve the workers' screen")
    web.add_argument("--config", type=Path, required=True, help="screen config (TOML)")
    account = sub.add_parser("account", help="workers' accounts (IT)")
    account_sub = account.add_subparsers(dest="action", required=True)
    create = account_sub.add_parser("create", help="make an account; the password is read from stdin")
    create.add_argument("--config", type=Path, required=True, help="central config (TOML)")
    create.add_argument("--org", required=True)
    create.add_argument("--username", required=True, help="the worker's name on the boxes")
    create.add_argument("--display-name", required=True)
    create.add_argument("--by", required=True, help="who makes it (kept in the audit)")
    documents_command.add_arguments(sub.add_parser("documents-eval", help=documents_command.HELP))
    args = parser.parse_args(argv)
    if args.command == "documents-eval":
        return documents_command.run(args)
    if args.command == "receive":
        return receiver_main.main(["--config", str(args.config)])
    if args.command == "web":
        return _web(args.config)
    if args.command == "account":
        return _create_account(args)
    return _erase(args)


def _web(path: Path) -> int:
    import uvicorn

    from central.web.app import create_app
    from central.web.config import WebConfigError, load_web_config

    try:
        config = load_web_config(path)
        app = create_app(config)
    except (WebConfigError, SecretError) as exc:
        print(exc, file=sys.stderr)
        return 2
    uvicorn.run(app, host=config.host, port=config.port, log_level="info")
    return 0


def _create_account(args: argparse.Namespace) -> int:
    from appliance.box.accounts import AccountError
    from central.web.accounts import create_account

    try:
        config = load_receiver_config(args.config)
    except ReceiverConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\n")
    try:
        with db.connect(config.database_url) as conn:
            create_account(conn, username=args.username, org=args.org,
                           display_name=args.display_name, password=password, by=args.by)
    except AccountError as exc:
        print(exc, file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"database: {exc}", file=sys.stderr)
        return 1
    print(f"account {args.username!r} made for {args.org}")
    return 0


def _erase(args: argparse.Namespace) -> int:
    try:
        config = load_receiver_config(args.config)
        key = StorageKey.load(config.credentials_dir)
    except (ReceiverConfigError, SecretError) as exc:
        print(exc, file=sys.stderr)
        return 2
    if not args.yes:
        print(f"would erase dossier {args.dossier!r} of {args.org}; add --yes to do it")
        return 1
    try:
        with db.connect(config.database_url) as conn:
            reports = erase_dossier(conn, key, args.org, args.dossier, actor=args.by)
    except DossierErased as exc:
        print(f"not erased: {exc}", file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"database: {exc}", file=sys.stderr)
        return 1
    print(f"erased: the data key is destroyed; {reports} reports of this dossier are unreadable")
    return 0


if __name__ == "__main__":
    sys.exit(main())
