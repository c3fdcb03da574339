"""Reading recordings and PCM frames into the float32 16 kHz arrays Whisper expects."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000


class AudioFormatError(ValueError):
    """Audio that cannot be transcribed as is (wrong rate, width or channel count)."""


def pcm16_to_float(pcm: bytes, channels: int) -> np.ndarray:
    """Little-endian 16-bit PCM to float32 in [-1, 1], shape (frames, channels)."""
    if len(pcm) % (2 * channels):
        raise AudioFormatError(f"{len(pcm)} bytes is not a whole number of {channels}-channel frames")
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    return samples.reshape(-1, channels)


def read_wav(path: Path) -> np.ndarray:
    """A 16 kHz 16-bit WAV (mono or stereo) as float32, shape (frames, channels)."""
    try:
        with wave.open(str(path), "rb") as w:
            rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
            raw = w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise AudioFormatError(f"{path}: not a readable WAV file: {exc}") from exc
    if width != 2:
        raise AudioFormatError(f"{path}: expected 16-bit PCM, got {8 * width}-bit")
    if rate != SAMPLE_RATE:
        raise AudioFormatError(f"{path}: expected {SAMPLE_RATE} Hz, got {rate} Hz")
    if channels not in (1, 2):
        raise AudioFormatError(f"{path}: expected 1 or 2 channels, got {channels}")
    return pcm16_to_float(raw, channels)


def to_mono(frames: np.ndarray) -> np.ndarray:
    """Mix (frames, channels) down to one contiguous float32 channel."""
    if frames.ndim == 1:
        return np.ascontiguousarray(frames, dtype=np.float32)
    return np.ascontiguousarray(frames.mean(axis=1), dtype=np.float32)
