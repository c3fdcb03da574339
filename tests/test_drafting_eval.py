"""The project's quality targets, measured with the shared scorer on the four reference
conversations (no audio: turn times are laid out from the text), and drafting speed."""

import json
import time
from pathlib import Path

import pytest

from appliance.drafting.engine import draft_report
from appliance.drafting.evaluation import load_scorer, reference_transcript
from appliance.drafting.templates import load_template
from appliance.transcript import Segment, Transcript

EVAL_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval"
CONVERSATIONS = sorted(p for p in EVAL_DIR.glob("*.json") if not p.name.endswith(".ref.json"))
pytestmark = pytest.mark.skipif(not (EVAL_DIR / "score.py").is_file(), reason="shared/eval is not checked out")


def _timed_reference(conv: dict) -> dict:
    turns, t = [], 0.25
    for index, turn in enumerate(conv["turns"]):
        length = max(1.0, 0.06 * len(turn["text"]))
        turns.append({"index": index, "speaker": turn["speaker"], "start": round(t, 3),
                      "end": round(t + length, 3), "text": turn["text"]})
        t += length + 0.6
    return {"turns": turns}


def _scores() -> list[dict]:
    scorer = load_scorer(EVAL_DIR / "score.py")
    results = []
    for path in CONVERSATIONS:
        conv = json.loads(path.read_text(encoding="utf-8"))
        ref = _timed_reference(conv)
        draft = draft_report(load_template(conv["template"]), reference_transcript(ref))
        results.append(scorer.score_draft(conv, ref, json.loads(draft.model_dump_json()), verbose=True))
    return results


def test_reference_conversations_meet_the_targets() -> None:
    results = _scores()
    assert len(results) >= 4
    facts = sum(r["facts"] for r in results)
    assert sum(r["found"] for r in results) / facts >= 0.95, results
    assert sum(r["placed"] for r in results) / facts >= 0.85, results
    for r in results:
        assert r["recall_placed"] >= 0.85, r
        assert r["violations"] == {"uncited": 0, "number": 0, "forbidden": 0, "private": 0}, r


def test_sixty_minute_transcript_drafts_in_under_a_second() -> None:
    turns = [t for p in CONVERSATIONS for t in json.loads(p.read_text(encoding="utf-8"))["turns"]]
    segments, t = [], 0.0
    while t < 3600:
        for turn in turns:
            length = max(1.0, 0.06 * len(turn["text"]))
            segments.append(Segment(id=f"s{len(segments) + 1}", start=t, end=t + length,
                                    speaker=turn["speaker"], text=turn["text"]))
            t += length + 0.6
    transcript = Transcript(segments=tuple(segments))
    template = load_template("intake")
    draft_report(template, transcript)  # warm caches the way a running service has them
    start = time.perf_counter()
    draft_report(template, transcript)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"{len(segments)} segments took {elapsed:.2f} s"
