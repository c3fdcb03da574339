"""Decoding one 30 s window at a time, the way faster-whisper decodes that window of a file.

faster-whisper decodes a recording (after its VAD filter) window by window: each window starts
where the text of the one before was complete, and windows do not share text
(`condition_on_previous_text=False`). A stream can follow the same windows if two things
match, and `WindowHooks` sees to them:

- where the next window starts: faster-whisper works this out after each window (from the
  timestamps and the last word); the hook reads it (the loop's `seek`) when the next window is
  about to be encoded and stops there, so only one window is decoded per call;
- the spectrogram: its first frames need the audio just before the window (`context`), and its
  floor must not depend on audio outside the window. faster-whisper floors the spectrogram of
  the whole recording 8 decades below its loudest moment, which a stream cannot know yet (and
  on which the base model's words turned); here each window is floored below its own loudest
  moment, as Whisper's 30 s training clips were, in files and streams alike.

A window whose text fails faster-whisper's checks is decoded again by sampling (temperature
fallback). CTranslate2 seeds each of its threads' random generators once, so such a window can
read differently from one run to the next, in a file as in a stream.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

HOP = 160
"""Samples per spectrogram frame (10 ms); faster-whisper counts window positions in frames."""
FLOOR = 2.0
"""The spectrogram floor below a window's loudest bin: 8 decades, 2.0 after Whisper's scaling."""


class WindowDone(Exception):
    """Raised inside faster-whisper's loop when the one window asked for is decoded."""


class WindowHooks:
    """Installed on one WhisperModel; `begin` sets up each call (under the model's lock), and
    after it `next_seek` (frames; None when the call decoded to the end) tells where the next
    window starts."""

    def __init__(self, model: Any) -> None:
        self._encode = model.encode
        model.encode = self._encode_window
        model.feature_extractor = _Features(model.feature_extractor, self)
        self.begin()

    def begin(self, *, context: int = 0, windows: int | None = None) -> None:
        if context % HOP:
            raise ValueError(f"context must be whole spectrogram frames ({HOP} samples)")
        self.context_frames = context // HOP
        self.windows = windows
        self.encoded = 0
        self.next_seek: int | None = None

    def _encode_window(self, features: np.ndarray) -> Any:
        self.encoded += 1
        if self.windows is not None and self.encoded > self.windows:
            self.next_seek = _window_position()
            raise WindowDone
        # The window as faster-whisper cut it (padded to 30 s with zeros, which stay zeros
        # unless the window is louder than Whisper's scale expects): floored by its own peak.
        return self._encode(np.maximum(features, features.max() - FLOOR))


class _Features:
    """faster-whisper's feature extractor without the whole-recording floor (applied per window
    in `encode`), and without the context frames a stream puts before its window."""

    def __init__(self, inner: Any, hooks: WindowHooks) -> None:
        self._inner = inner
        self._hooks = hooks

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __call__(self, waveform: np.ndarray, padding: int = 160, chunk_length: int | None = None) -> np.ndarray:
        if chunk_length is not None:
            raise ValueError("a chunk length other than Whisper's 30 s is not supported")
        # faster-whisper 1.2's FeatureExtractor.__call__, up to its floor.
        inner = self._inner
        waveform = np.pad(waveform.astype(np.float32), (0, padding)) if padding else waveform
        window = np.hanning(inner.n_fft + 1)[:-1].astype("float32")
        stft = inner.stft(waveform, inner.n_fft, inner.hop_length, window=window, return_complex=True)
        magnitudes = np.abs(stft.astype("complex64")[..., :-1]) ** 2
        log_spec = np.log10(np.clip(inner.mel_filters @ magnitudes, a_min=1e-10, a_max=None))
        features: np.ndarray = (log_spec + 4.0) / 4.0
        return features[:, self._hooks.context_frames:]


def _window_position() -> int:
    """The `seek` (in frames) of faster-whisper's decoding loop that is calling encode."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_name != "generate_segments":
        frame = frame.f_back  # type: ignore[assignment]
    seek = frame.f_locals.get("seek") if frame is not None else None
    if not isinstance(seek, int):
        raise TypeError("this faster-whisper version's decoding loop is not the one expected")
    return seek
