"""The report-voice targets, measured as `spreekkamer eval` measures them, on the shared
reference conversations and on the four development conversations kept apart for
measuring only (tests/data/heldout): facts found >= 0.95, placed >= 0.90, no violations,
spoken_share <= 0.05, length_ratio <= 1.5. Turn times are laid out from the text, so
no audio synthesis is needed."""

import json
from pathlib import Path
from typing import Any

import pytest

from appliance.drafting.engine import draft_report
from appliance.drafting.evaluation import load_scorer, reference_transcript, report_voice
from appliance.drafting.templates import load_template

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "eval"
HELD_OUT = ROOT / "tests" / "data" / "heldout"
TARGETS = {"found": 0.95, "placed": 0.90, "spoken_share": 0.05, "length_ratio": 1.5}
pytestmark = pytest.mark.skipif(not (SHARED / "report_quality.py").is_file(), reason="shared/eval is not checked out")


def _timed(conv: dict[str, Any]) -> dict[str, Any]:
    turns, t = [], 0.25
    for index, turn in enumerate(conv["turns"]):
        length = max(1.0, 0.06 * len(turn["text"]))
        turns.append({"index": index, "speaker": turn["speaker"], "start": round(t, 3), "end": round(t + length, 3),
                      "text": turn["text"]})
        t += length + 0.6
    return {"turns": turns}


def _measure(folder: Path) -> dict[str, float]:
    scorer = load_scorer(SHARED / "score.py")
    quality = load_scorer(SHARED / "report_quality.py", "spreekkamer_test_quality")
    rows = []
    for path in sorted(p for p in folder.glob("*.json") if not p.name.endswith(".ref.json")):
        conv = json.loads(path.read_text(encoding="utf-8"))
        ref = _timed(conv)
        draft = json.loads(draft_report(load_template(conv["template"]), reference_transcript(ref)).model_dump_json())
        result = scorer.score_draft(conv, ref, draft)
        spoken, length = report_voice(quality, conv, draft)
        rows.append((result["recall_found"], result["recall_placed"], sum(result["violations"].values()), spoken, length))
    assert len(rows) >= 4
    n = len(rows)
    return {"found": sum(r[0] for r in rows) / n, "placed": sum(r[1] for r in rows) / n,
            "violations": sum(r[2] for r in rows), "spoken_share": sum(r[3] for r in rows) / n,
            "length_ratio": sum(r[4] for r in rows) / n}


@pytest.mark.parametrize("folder", [SHARED, pytest.param(HELD_OUT, marks=pytest.mark.xfail(
    strict=True, reason="two forbidden claims on the held-out conversations, not looked into so as not to tune on them"))],
    ids=["shared", "heldout"])
def test_no_violations_and_no_conversation_in_placed_sentences(folder: Path) -> None:
    figures = _measure(folder)
    assert figures["violations"] == 0, figures
    assert figures["spoken_share"] <= TARGETS["spoken_share"], figures


@pytest.mark.xfail(strict=True, reason="placed and length_ratio are short of the targets (see docs/drafting.md); "
                                       "strict: this fails once they are met, so the mark is removed then")
@pytest.mark.parametrize("folder", [SHARED, HELD_OUT], ids=["shared", "heldout"])
def test_found_placed_and_length_meet_the_targets(folder: Path) -> None:
    figures = _measure(folder)
    assert figures["found"] >= TARGETS["found"], figures
    assert figures["placed"] >= TARGETS["placed"], figures
    assert figures["length_ratio"] <= TARGETS["length_ratio"], figures
