"""Run the drafting engine over a folder of evaluation conversations and score it.

Each conversation (`<id>.json`, as in shared/eval) needs its reference timing
(`<id>.ref.json`); when absent it is synthesised with espeak-ng into a cache folder. In
audio mode the synthesised speech (mono, or stereo with the worker left and the client
right, as from a box's two microphones) is transcribed by the project's own Whisper.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import wave
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import ValidationError

from appliance.drafting.engine import draft_report
from appliance.drafting.templates import load_template
from appliance.transcript import Segment, Transcript

SYNTH_TIMEOUT_S = 900


@dataclass(frozen=True)
class EvalRow:
    """The scores of one conversation."""

    id: str
    wer: float | None
    found: float
    placed: float
    violations: dict[str, int]
    spoken_share: float = 0.0
    length_ratio: float = 0.0


def load_scorer(path: Path, name: str = "spreekkamer_eval_score") -> ModuleType:
    """Import score.py (or report_quality.py) from a path (a script, not a package)."""
    if not path.is_file():
        raise FileNotFoundError(f"scorer not found: {path}")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report_voice(quality: ModuleType, conv: dict[str, Any], draft: dict[str, Any]) -> tuple[float, float]:
    """(spoken_share, length_ratio) of a draft, measured as report_quality.py measures them."""
    placed = [s["text"] for sec in draft.get("sections", []) for s in sec.get("sentences", [])]
    gold_words = sum(quality.words(f["statement"]) for f in conv["facts"])
    draft_words = sum(quality.words(text) for text in placed)
    spoken = sum(1 for text in placed if any(rx.search(text) for rx in quality.SPOKEN.values()))
    return round(spoken / max(len(placed), 1), 3), round(draft_words / max(gold_words, 1), 2)


def reference_transcript(ref: dict[str, Any]) -> Transcript:
    """The reference timing file as a transcript: one segment per turn."""
    segments = tuple(Segment(id=f"s{t['index'] + 1}", start=t["start"], end=t["end"],
                             speaker=t["speaker"], text=t["text"]) for t in ref["turns"])
    return Transcript(segments=segments)


def _channels(wav: Path) -> int:
    try:
        with wave.open(str(wav), "rb") as f:
            return f.getnchannels()
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"{wav}: not a readable WAV file: {exc}") from exc


def ensure_reference(conv_path: Path, cache: Path, synth: Path, need_audio: bool,
                     stereo: bool = False) -> tuple[Path, Path]:
    """(ref.json, wav) for a conversation, synthesising into `cache` when missing.

    A WAV is only taken when it has the asked channel layout; a cached one with the
    other layout is an error rather than something to overwrite.
    """
    conv_id = conv_path.stem
    channels = 2 if stereo else 1
    for folder in (conv_path.parent, cache):
        ref, wav = folder / f"{conv_id}.ref.json", folder / f"{conv_id}.wav"
        if ref.is_file() and not need_audio:
            return ref, wav
        if ref.is_file() and wav.is_file() and _channels(wav) == channels:
            return ref, wav
    if (cache / f"{conv_id}.wav").is_file():
        raise ValueError(f"{cache / f'{conv_id}.wav'} is not {'stereo' if stereo else 'mono'}; "
                         "choose another --cache folder")
    cache.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(synth), str(conv_path), "-o", str(cache), *(["--stereo"] if stereo else [])]
    subprocess.run(command, check=True, timeout=SYNTH_TIMEOUT_S, capture_output=True)
    return cache / f"{conv_id}.ref.json", cache / f"{conv_id}.wav"


def evaluate(folder: Path, scorer: ModuleType, cache: Path, synth: Path, mode: str = "reference",
             model: Path | None = None, templates_dir: Path | None = None, stereo: bool = False,
             transcripts: Path | None = None) -> list[EvalRow]:
    """Draft and score every conversation in `folder`.

    In audio mode `transcripts` is a folder of `<id>.json` transcripts: one found there is
    used as it is, one made is written there, so a second run needs no transcription.
    """
    quality = load_scorer(Path(str(scorer.__file__)).with_name("report_quality.py"), "spreekkamer_eval_quality")
    rows = []
    for conv_path in sorted(p for p in folder.glob("*.json") if not p.name.endswith(".ref.json")):
        conv = json.loads(conv_path.read_text(encoding="utf-8"))
        cached = transcripts / f"{conv_path.stem}.json" if transcripts else None
        need_audio = mode == "audio" and not (cached is not None and cached.is_file())
        ref_path, wav = ensure_reference(conv_path, cache, synth, need_audio=need_audio, stereo=stereo)
        ref = json.loads(ref_path.read_text(encoding="utf-8"))
        wer = None
        if mode == "audio":
            transcript = _own_transcript(wav, model, cached)
            wer = scorer.score_wer(conv, ref, json.loads(transcript.model_dump_json()))["wer"]
        else:
            transcript = reference_transcript(ref)
        draft = draft_report(load_template(conv["template"], templates_dir), transcript)
        as_json = json.loads(draft.model_dump_json())
        result = scorer.score_draft(conv, ref, as_json)
        spoken, length = report_voice(quality, conv, as_json)
        rows.append(EvalRow(conv["id"], wer, result["recall_found"], result["recall_placed"], result["violations"],
                            spoken, length))
    return rows


def _own_transcript(wav: Path, model: Path | None, cached: Path | None) -> Transcript:
    if cached is not None and cached.is_file():
        try:
            return Transcript.model_validate_json(cached.read_text(encoding="utf-8"))
        except ValidationError as exc:
            raise ValueError(f"{cached} is not a transcript: {exc}") from exc
    transcript = _transcribe(wav, model)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(cached.name + ".tmp")
        tmp.write_text(transcript.model_dump_json(), encoding="utf-8")
        tmp.replace(cached)
    return transcript


def _transcribe(wav: Path, model: Path | None) -> Transcript:
    # Imported here: transcription pulls in CTranslate2, which drafting alone does not need.
    from appliance.box.config import TranscriptionConfig
    from appliance.transcription.models import ModelError  # type: ignore[import-not-found,unused-ignore]
    from appliance.transcription.whisper import transcribe_file  # type: ignore[import-not-found,unused-ignore]

    try:
        result: Transcript = transcribe_file(wav, TranscriptionConfig(model_dir=model))
    except ModelError as exc:  # a missing or wrong model is bad input, said in one line
        raise ValueError(str(exc)) from exc
    return result


def format_table(rows: list[EvalRow]) -> str:
    """A plain-text table, one line per conversation and the mean."""
    kinds = sorted({k for r in rows for k in r.violations}) or ["uncited", "number", "forbidden", "private"]
    header = f"{'conversation':<16}{'WER':>7}{'found':>8}{'placed':>8}" + "".join(f"{k:>11}" for k in kinds) \
        + f"{'spoken_share':>14}{'length_ratio':>14}"
    lines = [header, "-" * len(header)]

    def line(name: str, wer: float | None, found: float, placed: float, counts: list[float],
             spoken: float, length: float) -> str:
        wer_text = "-" if wer is None else f"{wer:.3f}"
        return f"{name:<16}{wer_text:>7}{found:>8.3f}{placed:>8.3f}" + "".join(f"{c:>11g}" for c in counts) \
            + f"{spoken:>14.3f}{length:>14.2f}"

    for r in rows:
        lines.append(line(r.id, r.wer, r.found, r.placed, [r.violations.get(k, 0) for k in kinds],
                          r.spoken_share, r.length_ratio))
    if rows:
        n = len(rows)
        wers = [r.wer for r in rows if r.wer is not None]
        lines.append("-" * len(header))
        lines.append(line("mean", sum(wers) / len(wers) if wers else None, sum(r.found for r in rows) / n,
                          sum(r.placed for r in rows) / n,
                          [round(sum(r.violations.get(k, 0) for r in rows) / n, 3) for k in kinds],
                          sum(r.spoken_share for r in rows) / n, sum(r.length_ratio for r in rows) / n))
    return "\n".join(lines)
