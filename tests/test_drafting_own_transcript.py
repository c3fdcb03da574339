"""Drafting from the project's own transcription of synthesised speech: no violations.

The fixtures are cuts of real output of the bundled Whisper model (see each file's
"about"), with the synthesiser's reference timing, so the shared scorer can judge the
draft exactly as `spreekkamer eval --transcripts-from audio` does, with no audio here.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from appliance.drafting.engine import draft_report
from appliance.drafting.evaluation import load_scorer
from appliance.drafting.templates import load_template
from appliance.transcript import Transcript

EVAL_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval"
DATA = Path(__file__).resolve().parent / "data"
FIXTURES = sorted(DATA.glob("own-transcript-*.json"))
pytestmark = pytest.mark.skipif(not (EVAL_DIR / "score.py").is_file(), reason="shared/eval is not checked out")


def _load(path: Path) -> tuple[dict[str, Any], dict[str, Any], Transcript]:
    fixture = json.loads(path.read_text(encoding="utf-8"))
    conv = json.loads((EVAL_DIR / f"{fixture['conversation']}.json").read_text(encoding="utf-8"))
    return conv, fixture["reference"], Transcript.model_validate(fixture["transcript"])


def test_there_are_fixtures() -> None:
    assert len(FIXTURES) >= 1


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_the_fixture_holds_the_traps_it_is_meant_to_test(path: Path) -> None:
    """Misheard numbers and a not-for-report request: without them a clean score says little."""
    scorer = load_scorer(EVAL_DIR / "score.py")
    conv, ref, transcript = _load(path)
    misheard = 0
    for seg in transcript.segments:
        said: set[str] = set()
        for turn in ref["turns"]:
            if scorer.overlaps(seg.start, seg.end, turn["start"], turn["end"]):
                said |= scorer.numbers_in(turn["text"], one_from_article=True)
        misheard += bool(scorer.numbers_in(seg.text) - said)
    assert misheard >= 2
    private = {i for item in conv["not_for_report"] for i in item["turns"]}
    assert private and all(i < len(ref["turns"]) for i in private)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_a_draft_from_own_transcription_has_no_violations(path: Path) -> None:
    scorer = load_scorer(EVAL_DIR / "score.py")
    conv, ref, transcript = _load(path)
    draft = draft_report(load_template(conv["template"]), transcript)
    result = scorer.score_draft(conv, ref, json.loads(draft.model_dump_json()), verbose=True)
    assert result["violations"] == {"uncited": 0, "number": 0, "forbidden": 0, "private": 0}, result
    assert result["sentences"] > 0
    # What the client asked to keep out is shown to the worker as excluded, not dropped.
    private = {i for item in conv["not_for_report"] for i in item["turns"]}
    excluded_turns = {t["index"] for item in draft.excluded for c in item.citations for t in ref["turns"]
                      if t["index"] in private and scorer.overlaps(c.start, c.end, t["start"], t["end"])}
    assert excluded_turns == private
