"""`python -m central --config FILE`: run the reference receiver until SIGTERM (or `documents-eval DIR`)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from appliance.box.secrets import SecretError
from central.config import ReceiverConfigError, load_receiver_config
from central.dossiers.db import DatabaseUnavailable
from central.dossiers.migrate import MigrationError
from central.receiver import Receiver, ReceiverError
from central.receiver.registry import RegistryError


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, validate the config, run; exit code 2 for a bad config, 1 for a failure.

    `python -m central documents-eval DIR` measures the derived documents instead."""
    args_given = sys.argv[1:] if argv is None else argv
    if args_given[:1] == ["documents-eval"]:
        from central.documents.command import main as documents_eval

        return documents_eval(args_given[1:])
    parser = argparse.ArgumentParser(prog="python -m central", description=__doc__)
    parser.add_argument("--config", type=Path, required=True, help="receiver config (TOML)")
    parser.add_argument("--check-config", action="store_true", help="validate and exit")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING, ...")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = load_receiver_config(args.config)
    except ReceiverConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.check_config:
        print(f"{args.config}: ok")
        return 0
    try:
        Receiver(config).run()
    except (
        ReceiverError, SecretError, RegistryError, DatabaseUnavailable, MigrationError, OSError
    ) as exc:
        logging.getLogger("central").error("receiver stopped: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
