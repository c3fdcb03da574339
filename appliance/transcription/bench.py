"""Transcription benchmark: whole-file versus streaming on the same recording and model.

The streaming run plays the file through a source paced like a microphone (30 ms frames,
`speedup` times faster than real time) and measures the wait between the end of the stream
and the final transcript — what a worker waits for after pressing stop.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from appliance.transcript import Transcript
from appliance.transcription.audio import SAMPLE_RATE, read_wav, to_mono
from appliance.transcription.speakers import label_speakers
from appliance.transcription.streaming import StreamingTranscriber, float_to_pcm16
from appliance.transcription.whisper import WhisperTranscriber

FRAME_S = 0.03
DEFAULT_SCORE = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "score.py"
"""`../shared/eval/score.py` relative to the repository root."""


@dataclass
class BenchResult:
    """Figures printed as one JSON object; `*_compute_s` are CPU seconds of all threads."""

    audio_seconds: float
    direct_compute_s: float
    direct_wall_s: float
    streaming_compute_s: float
    stop_to_transcript_s: float
    peak_rss_mb: float
    speedup: float
    direct_segments: int
    streaming_segments: int
    device: str = "cpu"
    compute_type: str = "int8"
    temperature_fallback: bool = False
    repetition_penalty: float = 1.0
    stop_beam_size: int = 5
    """Beam width of the streaming run's decode after stop (the direct run uses beam_size)."""
    streaming_windows: int = 0
    """Windows decoded while the stream played (the last one, after stop, not counted)."""
    shortest_window_s: float = 30.0
    """Under 30 s: this box was too slow for full windows within the latency budget."""
    direct_wer: float | None = None
    streaming_wer: float | None = None
    reference_words: int | None = None
    """Words in the reference: weights a WER when several conversations are pooled."""


def _process_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_direct(
    transcriber: WhisperTranscriber, audio_path: Path, *, fallback: bool = True
) -> tuple[Transcript, float, float]:
    """Whole-file transcription: (transcript, CPU seconds of all threads, wall seconds)."""
    frames = read_wav(audio_path)
    before, t0 = _process_cpu_s(), time.monotonic()
    segments = transcriber.transcribe(to_mono(frames), fallback=fallback)
    cpu, wall = _process_cpu_s() - before, time.monotonic() - t0
    if frames.shape[1] == 2:
        segments = label_speakers(segments, frames)
    return Transcript(segments=tuple(segments), model=transcriber.stamp(),
                      audio_seconds=len(frames) / SAMPLE_RATE), cpu, wall


def run_streaming(
    transcriber: WhisperTranscriber, audio_path: Path, speedup: float
) -> tuple[Transcript, float, float, list[float]]:
    """Paced streaming run: (transcript, CPU seconds, seconds from end of stream to transcript,
    seconds of speech in each window decoded before stop)."""
    frames = read_wav(audio_path)
    channels = frames.shape[1]
    stream = StreamingTranscriber(transcriber, channels=channels,
                                  stop_beam_size=transcriber.stop_beam_size)
    step = int(FRAME_S * SAMPLE_RATE)
    before = _process_cpu_s()
    t0 = time.monotonic()
    for i, start in enumerate(range(0, len(frames), step)):
        due = t0 + i * FRAME_S / speedup
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        stream.feed(float_to_pcm16(frames[start:start + step]))
    stopped = time.monotonic()
    transcript = stream.finish(timeout=max(600.0, len(frames) / SAMPLE_RATE))
    waited = time.monotonic() - stopped
    cpu = _process_cpu_s() - before
    return transcript, cpu, waited, stream.window_lengths


def score_wer(
    score_py: Path, conversation: Path, ref: Path, transcript: Transcript
) -> tuple[float, int]:
    """(WER, reference words) by the evaluation's own scorer (a subprocess, with a timeout)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        fh.write(transcript.model_dump_json())
    try:
        done = subprocess.run(
            [sys.executable, str(score_py), "wer", str(conversation), str(ref), fh.name],
            capture_output=True, text=True, timeout=120, check=True,
        )
    finally:
        Path(fh.name).unlink(missing_ok=True)
    scored = json.loads(done.stdout)
    return float(scored["wer"]), int(scored["reference_words"])


def run_bench(
    transcriber: WhisperTranscriber,
    audio_path: Path,
    *,
    speedup: float = 1.0,
    ref: Path | None = None,
    conversation: Path | None = None,
    score_py: Path = DEFAULT_SCORE,
) -> BenchResult:
    """Both runs on one loaded model; WER of each when a reference is given."""
    direct, direct_cpu, direct_wall = run_direct(transcriber, audio_path)
    streamed, stream_cpu, waited, windows = run_streaming(transcriber, audio_path, speedup)
    result = BenchResult(
        audio_seconds=round(direct.audio_seconds or 0.0, 2),
        direct_compute_s=round(direct_cpu, 2),
        direct_wall_s=round(direct_wall, 2),
        streaming_compute_s=round(stream_cpu, 2),
        stop_to_transcript_s=round(waited, 2),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        speedup=speedup,
        direct_segments=len(direct.segments),
        streaming_segments=len(streamed.segments),
        device=transcriber.device,
        compute_type=transcriber.compute_type,
        temperature_fallback=transcriber.fallback,
        repetition_penalty=transcriber.cfg.repetition_penalty,
        stop_beam_size=transcriber.stop_beam_size or transcriber.cfg.beam_size,
        streaming_windows=len(windows),
        shortest_window_s=min(windows, default=30.0),
    )
    if ref is not None:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            conv = conversation if conversation is not None else _conversation_stub(ref, Path(tmp))
            result.direct_wer, result.reference_words = score_wer(score_py, conv, ref, direct)
            result.streaming_wer, _ = score_wer(score_py, conv, ref, streamed)
    return result


def _conversation_stub(ref: Path, folder: Path) -> Path:
    """The WER scorer wants the conversation file but only reads its id."""
    conv_id = json.loads(ref.read_text(encoding="utf-8")).get("id", ref.stem)
    stub = folder / "conversation.json"
    stub.write_text(json.dumps({"id": conv_id, "turns": []}), encoding="utf-8")
    return stub


def as_json(result: BenchResult) -> str:
    """One JSON object, as the `bench transcribe` command prints it."""
    return json.dumps(asdict(result))

