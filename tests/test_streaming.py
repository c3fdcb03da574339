"""Streaming transcription while recording: same result as whole-file, prompt cancel, flat memory."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from appliance.config import TranscriptionConfig
from appliance.transcript import Segment
from appliance.transcription.audio import pcm16_to_float, read_wav
from appliance.transcription.bench import run_direct
from appliance.transcription.chunker import StreamChunker
from appliance.transcription.models import bundled_model_dir, resolve_model
from appliance.transcription.streaming import StreamClosed, StreamingTranscriber, float_to_pcm16
from appliance.transcription.whisper import WhisperTranscriber
from tests.audio import clip, wer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

# About 20 s of conversation: long enough that the stream is cut into more than one chunk.
CONVERSATION = (
    ("worker", "Goedemiddag, ik ben uw maatschappelijk werker."),
    ("client", "Ik heb een probleem met mijn huur."),
    ("worker", "Hoeveel betaalt u elke maand voor de huur?"),
    ("client", "Ik betaal zevenhonderd euro per maand."),
    ("worker", "Dan maken we een afspraak voor volgende week dinsdag."),
    ("client", "Dat is goed, dank u wel."),
)
# About 50 s: long enough to be cut into chunks the way a real conversation is.
LONGER = CONVERSATION + (
    ("worker", "Hoeveel kinderen wonen er bij u thuis?"),
    ("client", "Ik woon samen met mijn twee kinderen van zes en negen jaar."),
    ("worker", "Heeft u op dit moment werk of een uitkering?"),
    ("client", "Ik werk halftijds in een winkel en ik krijg kinderbijslag."),
    ("worker", "Brengt u de loonbrieven van de laatste drie maanden mee?"),
    ("client", "Ja, die breng ik volgende week mee."),
)
FRAME = 480  # 30 ms at 16 kHz, as the recorder delivers


@pytest.fixture(scope="module")
def transcriber() -> Iterator[WhisperTranscriber]:
    if not (bundled_model_dir() / "model.bin").is_file():
        pytest.fail("bundled model not assembled: run `python -m provisioning.models assemble`")
    cfg = TranscriptionConfig()
    yield WhisperTranscriber(resolve_model(cfg), cfg)


def frames_of(audio: np.ndarray) -> Iterator[bytes]:
    for start in range(0, len(audio), FRAME):
        yield float_to_pcm16(audio[start:start + FRAME])


def _wait_for(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return True
        time.sleep(0.05)
    return False


def test_streaming_matches_direct_within_the_wer_bound(transcriber: WhisperTranscriber) -> None:
    wav, ref = clip(LONGER, stereo=True)
    reference = " ".join(t["text"] for t in ref["turns"])
    audio = read_wav(wav)
    assert 35 < len(audio) / 16000 < 70
    direct, _, _ = run_direct(transcriber, wav)

    heard: list[Segment] = []
    stream = StreamingTranscriber(transcriber, channels=2, on_segment=heard.append, target_chunk_s=20.0)
    frames = list(frames_of(audio))
    split = int(len(frames) * 0.75)
    for pcm in frames[:split]:
        stream.feed(pcm)
    # Speech already complete is transcribed during the conversation, before stop.
    assert _wait_for(lambda: len(heard) > 0, timeout=60), "nothing transcribed while streaming"
    for pcm in frames[split:]:
        stream.feed(pcm)
    streamed = stream.finish(timeout=60)

    direct_wer = wer(reference, " ".join(s.text for s in direct.segments))
    stream_wer = wer(reference, " ".join(s.text for s in streamed.segments))
    # The bound (streaming WER <= 1.05 x direct) is measured by `spreekkamer bench
    # transcribe` over whole conversations. On one 50 s clip of robotic synthetic speech the
    # decoder is so unsure that a different window end flips words either way (seen: -0.03 to
    # +0.12 on the same clip synthesized anew), so here the check is that streaming loses nothing:
    # no gross drop in accuracy and every turn heard.
    assert stream_wer <= direct_wer + 0.15, (direct_wer, stream_wer)
    for turn in ref["turns"]:
        assert any(min(s.end, turn["end"]) > max(s.start, turn["start"]) for s in streamed.segments), turn
    assert [s.id for s in streamed.segments] == [f"s{i}" for i in range(1, len(streamed.segments) + 1)]
    assert list(streamed.segments) == heard  # callback saw each segment once, in order
    starts = [s.start for s in streamed.segments]
    assert starts == sorted(starts) and streamed.segments[-1].end <= ref["duration_s"] + 0.5
    for seg in streamed.segments:  # absolute times: each segment lies on a turn of its speaker
        turn = max(ref["turns"], key=lambda t: min(seg.end, t["end"]) - max(seg.start, t["start"]))
        assert min(seg.end, turn["end"]) > max(seg.start, turn["start"]), seg
        assert seg.speaker == turn["speaker"], (seg, turn)
    assert streamed.audio_seconds == pytest.approx(len(audio) / 16000, abs=0.01)
    with pytest.raises(StreamClosed):
        stream.feed(frames[0])


class _CallLog:
    """The real transcriber, noting when each Whisper call starts."""

    def __init__(self, inner: WhisperTranscriber) -> None:
        self.inner = inner
        self.started: list[float] = []

    def transcribe(self, audio: np.ndarray, **kwargs: Any) -> list[Segment]:
        self.started.append(time.monotonic())
        return self.inner.transcribe(audio, **kwargs)


def test_cancel_stops_promptly_and_forgets_everything(transcriber: WhisperTranscriber) -> None:
    wav, _ = clip(CONVERSATION)
    audio = read_wav(wav)[:, 0]
    calls = _CallLog(transcriber)
    stream = StreamingTranscriber(calls, target_chunk_s=3.0)  # type: ignore[arg-type]
    for pcm in frames_of(audio):
        stream.feed(pcm)
    assert _wait_for(lambda: len(calls.started) >= 2, timeout=60)  # deep in transcription
    cancelled = time.monotonic()
    stream.cancel(timeout=0.5)  # as revocation does: it never waits for a Whisper window
    assert time.monotonic() - cancelled < 1.5
    assert stream.segments == ()
    # The window in progress runs out, then the worker stops: no queued chunk is started.
    assert stream.cancel(timeout=30)
    # (10 ms: a call may begin between the clock read and the flag being set.)
    assert all(t < cancelled + 0.01 for t in calls.started), "a chunk was transcribed after cancel"
    assert stream.segments == ()
    stream.feed(b"\x00\x00" * FRAME)  # frames still in flight after a revocation are dropped
    with pytest.raises(StreamClosed):
        stream.finish(timeout=1)


def test_silent_stream_gives_an_empty_transcript(transcriber: WhisperTranscriber) -> None:
    stream = StreamingTranscriber(transcriber)
    silence = np.zeros(16000 * 5, dtype=np.float32)
    for pcm in frames_of(silence):
        stream.feed(pcm)
    transcript = stream.finish(timeout=30)
    assert transcript.segments == () and transcript.audio_seconds == pytest.approx(5.0, abs=0.01)


def test_feed_from_another_thread_and_odd_frame_boundaries(transcriber: WhisperTranscriber) -> None:
    wav, _ = clip(CONVERSATION[:2])
    pcm = float_to_pcm16(read_wav(wav)[:, 0])
    stream = StreamingTranscriber(transcriber)
    # A recorder thread that hands over bytes at arbitrary boundaries (not whole frames).
    feeder = threading.Thread(
        target=lambda: [stream.feed(pcm[i:i + 1001]) for i in range(0, len(pcm), 1001)]
    )
    feeder.start()
    feeder.join(timeout=30)
    transcript = stream.finish(timeout=60)
    assert transcript.segments
    assert transcript.audio_seconds == pytest.approx(len(pcm) / 32000, abs=0.01)


def test_memory_stays_flat_over_a_long_stream() -> None:
    """Ten minutes of talk and long silences: the held tail never grows past one chunk."""
    wav, _ = clip(CONVERSATION)
    speech = read_wav(wav)
    pause = np.zeros((16000 * 40, 1), dtype=np.float32)
    chunker = StreamChunker(target_chunk_s=10.0)
    held, cut = 0.0, 0.0
    total = 0
    while total < 16000 * 600:
        for block in (speech, pause):
            for start in range(0, len(block), 16000):
                piece = block[start:start + 16000]
                total += len(piece)
                cut += sum(len(c.frames) for c in chunker.push(piece)) / 16000
                held = max(held, chunker.tail_seconds)
    assert held <= 29.0
    assert cut > 0
    assert cut < 0.6 * total / 16000  # long silences were dropped, not handed to Whisper


def test_pcm_round_trip_is_exact() -> None:
    """The benchmark and tests stream a WAV as PCM: the worker must get the file's own samples."""
    wav, _ = clip(CONVERSATION[:1])
    audio = read_wav(wav)
    assert np.array_equal(pcm16_to_float(float_to_pcm16(audio), 1), audio)
