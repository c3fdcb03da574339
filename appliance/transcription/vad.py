"""Silero voice activity, computed incrementally as audio arrives (the model ships with faster-whisper).

faster-whisper's own `get_speech_timestamps` needs the whole recording; this keeps the
model's recurrent state and the 64-sample context between calls, so a stream can be scored
window by window with the same probabilities a whole-file pass would give.
"""

from __future__ import annotations

import numpy as np

WINDOW = 512
"""Samples per VAD window at 16 kHz (32 ms)."""

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
