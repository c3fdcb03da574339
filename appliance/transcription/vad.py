"""Silero voice activity, computed incrementally as audio arrives (the model ships with faster-whisper).

faster-whisper's own `get_speech_timestamps` needs the whole recording. `SpeechProbabilities`
keeps the model's recurrent state and the 64-sample context between calls, so a stream is
scored window by window with the probabilities a whole-file pass gives; `SpeechSpans` runs the
same decision rules over them as they come, so the stream keeps exactly the audio that
faster-whisper's VAD filter would keep from the whole file.
"""

from __future__ import annotations

import numpy as np

WINDOW = 512
"""Samples per VAD window at 16 kHz (32 ms)."""

THRESHOLD = 0.5
NEG_THRESHOLD = THRESHOLD - 0.15
MIN_SILENCE_MS = 500
"""Pauses shorter than this stay inside one speech span (turn gaps are usually longer)."""
SPEECH_PAD_MS = 400
"""faster-whisper's default: kept audio around each span, so no word is clipped."""

_CONTEXT = 64


class SpeechProbabilities:
    """Speech probability per 512-sample window of a 16 kHz mono stream, fed in pieces."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model  # deferred: loads onnxruntime

        self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Probabilities for `samples` (a whole number of windows), continuing the stream."""
        if len(samples) % WINDOW:
            raise ValueError(f"expected a multiple of {WINDOW} samples, got {len(samples)}")
        if len(samples) == 0:
            return np.zeros(0, dtype=np.float32)
        windows = np.asarray(samples, dtype=np.float32).reshape(-1, WINDOW)
        context = np.concatenate([self._context[None, :], windows[:-1, -_CONTEXT:]], axis=0)
        batch = np.concatenate([context, windows], axis=1)
        probs, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        self._context = windows[-1, -_CONTEXT:].copy()
        return np.asarray(probs, dtype=np.float32).reshape(-1)


class SpeechSpans:
    """Which samples of a stream are speech, decided as probabilities arrive.

    The rules are faster-whisper's `get_speech_timestamps` (threshold 0.5, silence below 0.35,
    `MIN_SILENCE_MS`, no length limit) followed by its padding, which amounts to widening each
    speech span by `SPEECH_PAD_MS` on both sides. `decided` says up to which sample the answer
    is final; `kept(a, b)` lists the kept ranges in [a, b) of the decided part."""

    def __init__(self, sample_rate: int = 16000) -> None:
        self._pad = sample_rate * SPEECH_PAD_MS // 1000
        self._min_silence = sample_rate * MIN_SILENCE_MS / 1000
        self._scored = 0  # samples scored so far
        self._start: int | None = None  # start of the span in progress
        self._quiet_since = 0  # first quiet window after speech (0: none, as faster-whisper)
        self._spans: list[tuple[int, int]] = []  # finished spans, padded, not yet forgotten
        self._last_end = 0  # padded end of the last finished span
        self._length: int | None = None  # stream length once ended

    @property
    def decided(self) -> int:
        """Samples before this are known to be kept or dropped."""
        if self._length is not None:
            return self._length
        if self._start is None:
            return max(min(self._scored, self._last_end), self._scored - self._pad)
        if self._quiet_since:
            return min(self._scored, self._quiet_since + self._pad)
        return self._scored

    def add(self, probs: np.ndarray) -> None:
        """Probabilities of the next windows."""
        for p in probs.tolist():
            i = self._scored
            self._scored += WINDOW
            if p >= THRESHOLD and self._quiet_since:
                self._quiet_since = 0
            if p >= THRESHOLD and self._start is None:
                self._start = i
                continue
            if p < NEG_THRESHOLD and self._start is not None:
                if not self._quiet_since:
                    self._quiet_since = i
                if i - self._quiet_since >= self._min_silence:
                    self._close(self._quiet_since)

    def end(self, length: int) -> None:
        """The stream ended after `length` samples (its last windows already added)."""
        if self._start is not None:
            self._close(length, padded=False)
        self._spans = [(s, min(e, length)) for s, e in self._spans]
        self._length = length

    def kept(self, a: int, b: int) -> list[tuple[int, int]]:
        """Kept ranges within [a, b), which must lie in the decided part."""
        if b > self.decided:
            raise ValueError(f"samples up to {b} are not decided yet (only {self.decided})")
        spans = list(self._spans)
        if self._start is not None:
            spans.append((max(0, self._start - self._pad), b))
        out: list[tuple[int, int]] = []
        for s, e in spans:
            s, e = max(a, s), min(b, e)
            if s >= e:
                continue
            if out and s <= out[-1][1]:  # the padding of neighbours overlaps: one range
                out[-1] = (out[-1][0], max(e, out[-1][1]))
            else:
                out.append((s, e))
        self._spans = [(s, e) for s, e in self._spans if e > b]  # what lies before b is done
        return out

    def _close(self, end: int, *, padded: bool = True) -> None:
        assert self._start is not None
        start = max(0, self._start - self._pad)
        stop = end + self._pad if padded else end
        self._spans.append((start, stop))
        self._last_end = stop
        self._start, self._quiet_since = None, 0
