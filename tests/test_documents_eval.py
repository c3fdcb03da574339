"""The documents' eval command on evaluation conversations in sequence (turn times laid out from
the text, no audio): the share of placed gold facts that reach the social report, no sentence
without a source, and the figures printed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_drafting_eval import EVAL_DIR, _timed_reference

pytestmark = pytest.mark.skipif(not (EVAL_DIR / "score.py").is_file(), reason="shared/eval is not checked out")
ROOT = Path(__file__).resolve().parents[1]


def test_gold_facts_reach_the_social_report_with_their_citation_chain(tmp_path: Path) -> None:
    for name in ("intake-03", "traject-02", "evaluatie-02", "intake-01", "traject-01"):
        conv = json.loads((EVAL_DIR / f"{name}.json").read_text(encoding="utf-8"))
        shutil.copy(EVAL_DIR / f"{name}.json", tmp_path / f"{name}.json")
        (tmp_path / f"{name}.ref.json").write_text(json.dumps(_timed_reference(conv)), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "central.cli", "documents-eval", str(tmp_path),
                          "--scorer", str(EVAL_DIR / "score.py"), "--cache", str(tmp_path / "cache")],
                         check=False, cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    rows = {line.split()[0]: line.split() for line in run.stdout.splitlines() if re.match(r"^(intake|all)", line)}
    assert set(rows) == {"intake-01+traject-01", "intake-03+traject-02+evaluatie-02", "all"}
    placed, reached, share, unsourced, broken, checklist = rows["all"][1:7]
    assert int(placed) >= 20 and float(share) >= 0.95 and int(reached) <= int(placed)
    assert (unsourced, broken, checklist) == ("0", "0", "0")


def test_a_folder_without_a_whole_dossier_is_refused(tmp_path: Path) -> None:
    shutil.copy(EVAL_DIR / "intake-01.json", tmp_path / "intake-01.json")
    run = subprocess.run([sys.executable, "-m", "central.cli", "documents-eval", str(tmp_path),
                          "--scorer", str(EVAL_DIR / "score.py")], check=False, cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and "no evaluation dossier" in run.stderr
