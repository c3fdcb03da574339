"""What the recorder reads audio from: the `AudioSource` protocol and a factory per config."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from appliance.box.config import AudioConfig
from recorder.errors import AudioFormatError, RecorderError
from recorder.pyaudio_source import PyAudioSource
from recorder.wav_source import WavSource

__all__ = ["AudioSource", "PyAudioSource", "WavSource", "build_source"]

CHUNK_MS = 30
"""One chunk of audio per read, like a real microphone's period."""


class AudioSource(Protocol):
    """A microphone-like stream of 16-bit little-endian PCM chunks."""

    sample_rate: int
    channels: int

    def open(self) -> None:
        """Open the device; raises `DeviceUnavailable` when it cannot."""

    def read(self) -> bytes | None:
        """Block for one chunk (~30 ms); None means the stream has ended."""

    def close(self) -> None:
        """Close the device; idempotent."""


def build_source(cfg: AudioConfig) -> Callable[[], AudioSource]:
    """A factory giving each recording a fresh source; a bad config fails here, at start-up."""
    if cfg.source == "wav":
        path = cfg.wav_path
        if path is None:
            raise RecorderError("audio.wav_path: required when audio.source is 'wav'")
        probe = WavSource(path, speedup=cfg.speedup, chunk_ms=CHUNK_MS)
        if probe.channels != cfg.channels:
            raise AudioFormatError(
                f"audio.wav_path: {path} has {probe.channels} channel(s) but audio.channels is "
                f"{cfg.channels}"
            )
        if cfg.sample_rate != probe.sample_rate:
            raise AudioFormatError(
                f"audio.sample_rate: the WAV source plays 16000 Hz only, not {cfg.sample_rate}"
            )
        return lambda: WavSource(path, speedup=cfg.speedup, chunk_ms=CHUNK_MS)
    return lambda: PyAudioSource(
        device=cfg.device, sample_rate=cfg.sample_rate, channels=cfg.channels, chunk_ms=CHUNK_MS
    )
