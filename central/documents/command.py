"""`documents-eval DIR`: build the derived documents for evaluation dossiers and print the figures."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from appliance.drafting.evaluation import load_scorer
from central.documents.evaluation import evaluate, format_rows

HELP = ("build the derived documents for evaluation dossiers and print what reaches the social report,"
        " and how fast")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments (shared by `python -m central` and `spreekkamer-central`)."""
    parser.add_argument("dir", type=Path, help="folder of evaluation conversations (shared/eval)")
    parser.add_argument("--scorer", type=Path, default=None, help="score.py (default: in the folder)")
    parser.add_argument("--cache", type=Path, default=Path(".spreekkamer") / "eval-cache" / "mono",
                        help="folder for the synthesised reference timing")


def main(argv: list[str]) -> int:
    """Parse `argv` (after the command's name) and run."""
    parser = argparse.ArgumentParser(prog="python -m central documents-eval", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Evaluate and print the table; 2 when the folder or the scorer cannot be used."""
    folder = Path(args.dir)
    scorer_path = Path(args.scorer) if args.scorer else folder / "score.py"
    try:
        rows = evaluate(folder, load_scorer(scorer_path), Path(args.cache), scorer_path.with_name("synth.py"))
    except (OSError, ImportError, ValueError, KeyError, subprocess.SubprocessError) as exc:
        print(f"documents-eval: {exc}", file=sys.stderr)
        return 2
    if not rows:
        print(f"documents-eval: no evaluation dossier's conversations are all in {folder}", file=sys.stderr)
        return 2
    print(format_rows(rows))
    return 0
