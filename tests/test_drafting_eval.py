"""The project's quality targets, measured with the shared scorer on the four reference
conversations (no audio: turn times are laid out from the text), and drafting speed."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from appliance.drafting.engine import draft_report
from appliance.drafting.evaluation import evaluate, load_scorer, reference_transcript
from appliance.drafting.templates import load_template
from appliance.transcript import Segment, Transcript

EVAL_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval"
CONVERSATIONS = sorted(p for p in EVAL_DIR.glob("*.json") if not p.name.endswith(".ref.json"))
pytestmark = pytest.mark.skipif(not (EVAL_DIR / "score.py").is_file(), reason="shared/eval is not checked out")


def _timed_reference(conv: dict[str, Any]) -> dict[str, Any]:
    turns, t = [], 0.25
    for index, turn in enumerate(conv["turns"]):
        length = max(1.0, 0.06 * len(turn["text"]))
        turns.append({"index": index, "speaker": turn["speaker"], "start": round(t, 3),
                      "end": round(t + length, 3), "text": turn["text"]})
        t += length + 0.6
    return {"turns": turns}


def _scores() -> list[dict[str, Any]]:
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


def test_draft_bench_drafts_a_long_transcript_and_prints_its_time() -> None:
    """The 60-minute speed target is measured by `spreekkamer draft-bench`; here only that it runs."""
    command = [sys.executable, "-m", "appliance.cli", "draft-bench", str(EVAL_DIR), "--minutes", "10"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    figure = re.fullmatch(r"draft-bench: 10-minute transcript, (\d+) segments, (\d+) sentences placed: ([\d.]+) s\n",
                          done.stdout)
    assert figure is not None, done.stdout
    assert int(figure[1]) > 50 and int(figure[2]) > 0 and float(figure[3]) > 0.0


def _cached_eval_folder(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A conversation, its reference timing and a cached own transcript, laid out as eval reads them."""
    fixture = json.loads((Path(__file__).parent / "data" / "own-transcript-intake-02-mono.json").read_text(encoding="utf-8"))
    convs, cache, transcripts = tmp_path / "convs", tmp_path / "cache", tmp_path / "transcripts"
    for folder in (convs, cache, transcripts):
        folder.mkdir()
    conv_id = fixture["conversation"]
    (convs / f"{conv_id}.json").write_text((EVAL_DIR / f"{conv_id}.json").read_text(encoding="utf-8"), encoding="utf-8")
    (cache / f"{conv_id}.ref.json").write_text(json.dumps(fixture["reference"]), encoding="utf-8")
    (transcripts / f"{conv_id}.json").write_text(json.dumps(fixture["transcript"]), encoding="utf-8")
    return convs, cache, transcripts


def test_audio_eval_reuses_cached_transcripts_and_prints_the_table(tmp_path: Path) -> None:
    convs, cache, transcripts = _cached_eval_folder(tmp_path)
    command = [str(Path(sys.executable).with_name("spreekkamer")), "eval", str(convs), "--transcripts-from", "audio",
               "--cache", str(cache), "--transcripts", str(transcripts), "--synth", str(tmp_path / "no-synth.py")]
    # The checkout under test, not whichever one the console script was installed from.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["conversation", "WER", "found", "placed", "forbidden", "number", "private", "uncited",
                                "spoken_share", "length_ratio"]
    row = next(line.split() for line in lines if line.startswith("intake-02"))
    assert 0.0 < float(row[1]) < 1.5  # a word error rate was measured on the cached transcript
    assert row[4:8] == ["0", "0", "0", "0"]
    assert 0.0 <= float(row[8]) <= 1.0 and float(row[9]) > 0.0
    assert any(line.startswith("mean") for line in lines)


def test_audio_eval_refuses_a_cached_file_that_is_no_transcript(tmp_path: Path) -> None:
    convs, cache, transcripts = _cached_eval_folder(tmp_path)
    (transcripts / "intake-02.json").write_text('{"segments": "none"}', encoding="utf-8")
    scorer = load_scorer(EVAL_DIR / "score.py")
    with pytest.raises(ValueError, match="is not a transcript"):
        evaluate(convs, scorer, cache, tmp_path / "no-synth.py", mode="audio", transcripts=transcripts)
    assert (transcripts / "intake-02.json").read_text(encoding="utf-8") == '{"segments": "none"}'  # nothing lost


def _as_recognised(ref: dict[str, Any], labelled: bool) -> Transcript:
    """The reference cut into one segment per sentence, as Whisper cuts speech; speakers kept or not."""
    segments: list[Segment] = []
    for turn in ref["turns"]:
        parts = re.split(r"(?<=[.!?])\s+", turn["text"])
        t, per_char = turn["start"], (turn["end"] - turn["start"]) / sum(len(p) for p in parts)
        for part in parts:
            segments.append(Segment(id=f"s{len(segments) + 1}", start=round(t, 3), end=round(t + per_char * len(part), 3),
                                    speaker=turn["speaker"] if labelled else "unknown", text=part))
            t += per_char * len(part)
    return Transcript(segments=tuple(segments))


@pytest.mark.parametrize("labelled", [True, False], ids=["stereo", "mono"])
def test_sentence_segments_with_or_without_speakers_give_no_violations(labelled: bool) -> None:
    """A correction, a request to keep something out and its reach may all span segments."""
    scorer = load_scorer(EVAL_DIR / "score.py")
    for path in CONVERSATIONS:
        conv = json.loads(path.read_text(encoding="utf-8"))
        ref = _timed_reference(conv)
        draft = draft_report(load_template(conv["template"]), _as_recognised(ref, labelled))
        result = scorer.score_draft(conv, ref, json.loads(draft.model_dump_json()), verbose=True)
        assert result["violations"] == {"uncited": 0, "number": 0, "forbidden": 0, "private": 0}, result
        assert result["recall_found"] >= 0.75, result
