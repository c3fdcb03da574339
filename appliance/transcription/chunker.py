"""Cuts a live audio stream into chunks at pauses, keeping only the not-yet-transcribed tail.

Whisper's encoder always reads a 30 s window and every call has a fixed cost, so many short
chunks cost far more than the whole file at once. A chunk therefore gathers audio from the
first speech on until it holds `target_chunk_s`, and is cut in the middle of the next pause; it
never holds more than `max_chunk_s` (one Whisper window: a chunk a little over 30 s costs two);
a long pause (`long_pause_s`) ends a chunk early, since the conversation is idle anyway. The streaming
transcriber sets the target from the measured decoding speed, so the last chunk — the one a
worker waits for after pressing stop — stays within a latency budget. Memory stays flat: silence
without speech is dropped as it comes, and cut chunks leave the tail.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from appliance.transcription.audio import to_mono
from appliance.transcription.vad import WINDOW, SpeechProbabilities

SPEECH_THRESHOLD = 0.5
SILENCE_THRESHOLD = 0.35


@dataclass(frozen=True)
class Chunk:
    """A stretch of audio ready to transcribe; `start_sample` is its place in the stream,
    `speech_s` the spoken (not quiet) seconds in it."""

    frames: np.ndarray
    start_sample: int
    speech_s: float


class StreamChunker:
    """Feed frames (n, channels) in order; get back chunks ending in a pause."""

    def __init__(
        self,
        *,
        sample_rate: int = 16000,
        target_chunk_s: float = 20.0,
        max_chunk_s: float = 29.0,
        pause_s: float = 0.4,
        long_pause_s: float = 3.0,
        keep_silence_s: float = 0.5,
    ) -> None:
        self.sample_rate = sample_rate
        self._vad = SpeechProbabilities()
        self._max_windows = int(max_chunk_s * sample_rate / WINDOW)
        self._target_windows = 1
        self.target_chunk_s = target_chunk_s
        self._pause_windows = max(1, int(pause_s * sample_rate / WINDOW))
        self._long_pause_windows = max(1, int(long_pause_s * sample_rate / WINDOW))
        self._keep_windows = max(1, int(keep_silence_s * sample_rate / WINDOW))
        self._parts: list[np.ndarray] = []  # frames not yet scored (less than one window)
        self._tail = _FrameBuffer()  # scored frames not yet handed out
        self._tail_start = 0
        self._probs = np.zeros(0, dtype=np.float32)

    @property
    def target_chunk_s(self) -> float:
        """Chunk length (from the first speech on) after which the next pause ends the chunk."""
        return self._target_windows * WINDOW / self.sample_rate

    @target_chunk_s.setter
    def target_chunk_s(self, seconds: float) -> None:
        windows = int(seconds * self.sample_rate / WINDOW)
        self._target_windows = max(1, min(windows, self._max_windows))

    @property
    def tail_seconds(self) -> float:
        """Audio held back, waiting for a pause (what memory holds besides text)."""
        return (len(self._tail) + sum(len(p) for p in self._parts)) / self.sample_rate

    def push(self, frames: np.ndarray) -> list[Chunk]:
        """Add frames; return the chunks completed by them (usually none or one)."""
        if len(frames) == 0:
            return []
        self._parts.append(frames)
        pending = np.concatenate(self._parts, axis=0)
        usable = len(pending) - len(pending) % WINDOW
        self._parts = [pending[usable:]] if usable < len(pending) else []
        if usable == 0:
            return []
        scored = pending[:usable]
        self._probs = np.concatenate([self._probs, self._vad.process(to_mono(scored))])
        self._tail.append(scored)
        chunks = []
        while (chunk := self._next_chunk()) is not None:
            chunks.append(chunk)
        return chunks

    def flush(self) -> Chunk | None:
        """Everything still held, as a last chunk (None when it holds no speech)."""
        for part in self._parts:
            self._tail.append(part)
        self._parts = []
        if len(self._tail) == 0 or not (self._probs >= SPEECH_THRESHOLD).any():
            self._tail.clear()
            return None
        return self._cut(len(self._tail) // WINDOW + 1)

    def discard(self) -> None:
        """Forget all held audio (revocation, or the stream is done)."""
        self._parts, self._probs = [], np.zeros(0, dtype=np.float32)
        self._tail.clear()

    def _next_chunk(self) -> Chunk | None:
        if not (self._probs >= SPEECH_THRESHOLD).any():
            # Nothing said yet: drop old silence, keep a little lead-in for the first word.
            self._drop(len(self._probs) - self._keep_windows)
            return None
        if len(self._probs) >= self._target_windows:
            cut = self._pause_cut()
            if cut is not None:
                return self._cut(cut)
        if self._long_pause_at_end():
            # The conversation went quiet: use the idle moment, and hold no silence in memory.
            return self._cut(len(self._probs) - self._long_pause_windows // 2)
        if len(self._probs) >= self._max_windows:
            # No pause in time: cut where voice activity is lowest in the second half.
            half = self._max_windows // 2
            return self._cut(half + int(np.argmin(self._probs[half:self._max_windows])) + 1)
        return None

    def _long_pause_at_end(self) -> bool:
        tail = self._probs[-self._long_pause_windows:]
        return len(tail) == self._long_pause_windows and bool((tail < SILENCE_THRESHOLD).all())

    def _pause_cut(self) -> int | None:
        """Window index in the middle of the first pause once the target length is reached."""
        quiet = self._probs < SILENCE_THRESHOLD
        run = 0
        for i in range(self._target_windows - 1, min(len(quiet), self._max_windows)):
            run = run + 1 if quiet[i] else 0
            if run >= self._pause_windows:
                return i - run // 2 + 1
        return None

    def _cut(self, windows: int) -> Chunk:
        end = min(len(self._tail), windows * WINDOW)
        speech_s = float((self._probs[:windows] >= SILENCE_THRESHOLD).sum()) * WINDOW / self.sample_rate
        chunk = Chunk(self._tail.head(end), self._tail_start, speech_s)
        self._drop(windows)
        return chunk

    def _drop(self, windows: int) -> None:
        if windows <= 0 or len(self._tail) == 0:
            return
        end = min(len(self._tail), windows * WINDOW)
        self._tail.drop(end)
        self._tail_start += end
        self._probs = self._probs[windows:]


class _FrameBuffer:
    """Frames appended at the end and dropped from the front, without copying the whole
    tail on every push (at 30 ms pushes, re-concatenating a 29 s tail cost seconds of CPU
    over a conversation)."""

    def __init__(self) -> None:
        self._buf: np.ndarray | None = None
        self._start = self._end = 0

    def __len__(self) -> int:
        return self._end - self._start

    def append(self, frames: np.ndarray) -> None:
        n = len(frames)
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

    def head(self, n: int) -> np.ndarray:
        """A copy of the first `n` frames."""
        assert self._buf is not None
        return self._buf[self._start:self._start + n].copy()

    def drop(self, n: int) -> None:
        self._start = min(self._end, self._start + n)
        if self._start == self._end:
            self._start = self._end = 0

    def clear(self) -> None:
        self._buf, self._start, self._end = None, 0, 0
