"""`spreekkamer-central`: run a receiver, or act on one dossier (erase at the end of its term)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import psycopg

from appliance.secrets import SecretError
from central import __main__ as receiver_main
from central.config import ReceiverConfigError, load_receiver_config
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
    args = parser.parse_args(argv)
    if args.command == "receive":
        return receiver_main.main(["--config", str(args.config)])
    return _erase(args)


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
