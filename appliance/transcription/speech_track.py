"""The speech of a live stream with its pauses taken out, ready to be decoded window by window.

faster-whisper's VAD filter cuts the pauses out of a whole recording before decoding it in
30 s windows. `SpeechTrack` does the same while the audio comes in: the same voice activity
(`SpeechSpans`) decides what is kept, the kept audio is held from the start of the next window
on, and a time map turns positions in that audio back into times in the stream. Memory stays
flat: pauses are dropped as they are decided, and decoded audio leaves the front.
"""

from __future__ import annotations

import bisect

import numpy as np

from appliance.transcription.audio import to_mono
from appliance.transcription.vad import WINDOW, SpeechProbabilities, SpeechSpans


class SpeechTrack:
    """Feed frames (n, channels) in order; read the kept speech from `start` on."""

    def __init__(self, *, sample_rate: int = 16000, context: int = 480) -> None:
        """`context`: samples kept before `start`, which steady the spectrogram's first frames."""
        self.sample_rate = sample_rate
        self._context = context
        self._vad = SpeechProbabilities()
        self._spans = SpeechSpans(sample_rate)
        self._raw = _FrameBuffer()  # stream audio not yet decided on
        self._raw_at = 0  # stream sample of self._raw[0]
        self._scored = 0  # stream samples scored for voice activity
        self._speech = _FrameBuffer()  # kept audio from start - context on
        self._speech_at = 0  # kept-audio sample of self._speech[0]
        self._start = 0  # kept-audio sample where the next window begins
        self._map_kept: list[int] = []  # kept-audio sample where each kept range begins …
        self._map_stream: list[int] = []  # … and the stream sample it came from
        self.ended = False

    @property
    def held(self) -> int:
        """Kept samples from `start` on, waiting to be decoded."""
        return self._speech_at + len(self._speech) - self._start

    @property
    def start_s(self) -> float:
        """Where the next window begins, in seconds of kept audio."""
        return self._start / self.sample_rate

    @property
    def held_seconds(self) -> float:
        """All audio held in memory: undecided stream audio and kept audio not yet decoded."""
        return (len(self._raw) + len(self._speech)) / self.sample_rate

    def push(self, frames: np.ndarray) -> None:
        if self.ended:
            raise RuntimeError("audio pushed after the end of the stream")
        if len(frames) == 0:
            return
        self._raw.append(frames)
        end = self._raw_at + len(self._raw)
        n = (end - self._scored) // WINDOW * WINDOW
        if n:
            at = self._scored - self._raw_at
            self._spans.add(self._vad.process(to_mono(self._raw.view(at, at + n))))
            self._scored += n
        self._keep(self._spans.decided)

    def end(self) -> None:
        """The stream is over: decide on its last samples as faster-whisper does for a file
        (the last partial VAD window padded with zeros, a whole one when none is partial)."""
        if self.ended:
            return
        end = self._raw_at + len(self._raw)
        at = self._scored - self._raw_at
        rest = to_mono(self._raw.view(at, len(self._raw))) if len(self._raw) else np.zeros(0, np.float32)
        padded = np.concatenate([rest, np.zeros(WINDOW - len(rest) % WINDOW, dtype=np.float32)])
        self._spans.add(self._vad.process(padded))
        self._spans.end(end)
        self._keep(end)
        self.ended = True

    def window(self, samples: int | None) -> tuple[np.ndarray, int]:
        """(frames, context): up to `samples` kept samples from `start` (None: all held),
        preceded by `context` samples of the audio before it."""
        context = min(self._context, self._start - self._speech_at)
        at = self._start - self._speech_at
        end = len(self._speech) if samples is None else min(len(self._speech), at + samples)
        return self._speech.view(at - context, end).copy(), context

    def advance(self, samples: int) -> None:
        """The next window begins `samples` after the current start."""
        self._start = min(self._start + samples, self._speech_at + len(self._speech))
        drop = self._start - self._context - self._speech_at
        if drop > 0:
            self._speech.drop(drop)
            self._speech_at += drop
        # Forget the time map before the held audio, keeping the range that holds it.
        first = max(0, bisect.bisect_right(self._map_kept, self._speech_at) - 1)
        del self._map_kept[:first], self._map_stream[:first]

    def stream_time(self, seconds: float, *, like: float | None = None) -> float:
        """Time in the stream of a time in kept audio. `like`: take the kept range of that
        time instead (a word's end stays with its start, as faster-whisper maps them)."""
        at = round(seconds * self.sample_rate)
        key = at if like is None else round(like * self.sample_rate)
        i = max(0, bisect.bisect_right(self._map_kept, key) - 1)
        if not self._map_kept:
            return seconds
        return (self._map_stream[i] + at - self._map_kept[i]) / self.sample_rate

    def discard(self) -> None:
        """Forget all audio (revocation, or the stream is done)."""
        self._raw.clear()
        self._speech.clear()
        self._map_kept, self._map_stream = [], []

    def _keep(self, until: int) -> None:
        """Move stream audio before `until` out of the undecided part, keeping the speech."""
        if until <= self._raw_at:
            return
        for a, b in self._spans.kept(self._raw_at, until):
            kept_at = self._speech_at + len(self._speech)
            stream_end = (self._map_stream[-1] + kept_at - self._map_kept[-1]) if self._map_kept else None
            if stream_end != a:  # a new range (not the continuation of the last one)
                self._map_kept.append(kept_at)
                self._map_stream.append(a)
            self._speech.append(self._raw.view(a - self._raw_at, b - self._raw_at))
        self._raw.drop(until - self._raw_at)
        self._raw_at = until


class _FrameBuffer:
    """Frames appended at the end and dropped from the front, without copying the whole
    buffer on every push (re-concatenating a 30 s buffer for each 30 ms frame cost seconds
    of CPU over a conversation)."""

    def __init__(self) -> None:
        self._buf: np.ndarray | None = None
        self._start = self._end = 0

    def __len__(self) -> int:
        return self._end - self._start

    def append(self, frames: np.ndarray) -> None:
        n = len(frames)
        if n == 0:
            return
        if self._buf is None:
            self._buf = np.empty((max(n, 1 << 16), *frames.shape[1:]), dtype=np.float32)
        elif self._buf.shape[1:] != frames.shape[1:]:
            raise ValueError(f"frames of shape {frames.shape} after {self._buf.shape[1:]}")
        if self._end + n > len(self._buf):
            held = self._buf[self._start:self._end]
            if len(held) + n > len(self._buf) // 2:  # grow; else compacting to the front is enough
                grown = np.empty((2 * (len(held) + n), *frames.shape[1:]), dtype=np.float32)
                grown[:len(held)] = held
                self._buf = grown
            else:
                self._buf[:len(held)] = held
            self._start, self._end = 0, len(held)
        self._buf[self._end:self._end + n] = frames
        self._end += n

    def view(self, a: int, b: int) -> np.ndarray:
        """Frames [a, b) without copying (valid until the next append)."""
        assert 0 <= a <= b <= len(self)
        if self._buf is None:
            return np.zeros((0, 1), dtype=np.float32)
        return self._buf[self._start + a:self._start + b]

    def drop(self, n: int) -> None:
        self._start = min(self._end, self._start + n)
        if self._start == self._end:
            self._start = self._end = 0

    def clear(self) -> None:
        self._buf, self._start, self._end = None, 0, 0
