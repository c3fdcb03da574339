"""The stream's speech track keeps exactly what faster-whisper's VAD filter keeps of a file."""

from __future__ import annotations

import numpy as np
import pytest
from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

from appliance.transcription.audio import read_wav, to_mono
from appliance.transcription.speech_track import SpeechTrack
from appliance.transcription.vad import MIN_SILENCE_MS
from tests.audio import clip

TURNS = (
    ("worker", "Goedemiddag, waarmee kan ik u helpen?"),
    ("client", "Ik kan mijn energiefactuur niet betalen."),
    ("worker", "Hoeveel bedraagt die factuur?"),
    ("client", "Het is bijna vierhonderd euro."),
    ("worker", "Dan bekijken we samen een afbetalingsplan."),
)


def _with_pauses(frames: np.ndarray, pauses: list[float]) -> np.ndarray:
    """The recording with silences of `pauses` seconds inserted at even places."""
    parts = np.array_split(frames, len(pauses) + 1)
    out = [parts[0]]
    for part, pause in zip(parts[1:], pauses, strict=True):
        out += [np.zeros((int(pause * 16000), frames.shape[1]), np.float32), part]
    return np.concatenate(out)


@pytest.mark.parametrize("stereo", [False, True])
def test_kept_audio_is_what_the_vad_filter_keeps(stereo: bool) -> None:
    wav, _ = clip(TURNS, stereo=stereo)
    # Pauses shorter than the padding, just over the minimum silence, and long ones; an odd
    # length so the last VAD window is partial.
    frames = _with_pauses(read_wav(wav), [0.7, 3.1, 12.0, 0.95])[:-333]
    mono = to_mono(frames)
    chunks = get_speech_timestamps(mono, VadOptions(min_silence_duration_ms=MIN_SILENCE_MS))
    expected = np.concatenate(collect_chunks(mono, chunks)[0])

    track = SpeechTrack(context=0)
    rng = np.random.default_rng(7)
    at = 0
    while at < len(frames):  # pieces of any length, as a recorder hands them over
        n = int(rng.integers(1, 9000))
        track.push(frames[at:at + n])
        at += n
    track.end()
    kept, context = track.window(None)
    assert context == 0 and kept.shape[1] == frames.shape[1]
    assert np.array_equal(to_mono(kept), expected)

    # Each kept range maps back to where it was in the stream, and long silences were dropped.
    offset = 0
    for chunk in chunks:
        assert track.stream_time(offset / 16000) == pytest.approx(chunk["start"] / 16000, abs=1e-4)
        offset += chunk["end"] - chunk["start"]
    assert len(expected) < len(mono) - 14 * 16000


def test_nothing_is_kept_of_silence() -> None:
    track = SpeechTrack()
    for _ in range(20):
        track.push(np.zeros((16000, 1), np.float32))
    assert track.held == 0 and track.held_seconds < 1.0  # only the undecided last 0.4 s
    track.end()
    assert track.held == 0


def test_audio_after_the_end_is_refused() -> None:
    track = SpeechTrack()
    track.end()
    with pytest.raises(RuntimeError):
        track.push(np.zeros((480, 1), np.float32))
