"""A real microphone through PortAudio (pyaudio), imported only when a stream is opened."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from recorder.errors import DeviceUnavailable

log = logging.getLogger(__name__)


class PyAudioSource:
    """16-bit PCM from an input device chosen by index or by a substring of its name."""

    def __init__(
        self, *, device: str | None, sample_rate: int, channels: int, chunk_ms: int = 30
    ) -> None:
        if channels not in (1, 2):
            raise ValueError(f"channels must be 1 or 2, not {channels}")
        if chunk_ms <= 0 or sample_rate <= 0:
            raise ValueError("sample_rate and chunk_ms must be positive")
        self.device = device
        self.sample_rate = sample_rate
        self.channels = channels
        self.chunk_ms = chunk_ms
        self._frames_per_chunk = max(1, sample_rate * chunk_ms // 1000)
        self._pa: Any = None
        self._stream: Any = None

    @property
    def is_open(self) -> bool:
        """Whether the capture stream is open."""
        return self._stream is not None

    def open(self) -> None:
        """Open the capture stream; a missing library or device raises `DeviceUnavailable`."""
        if self._stream is not None:
            return
        pyaudio = _import_pyaudio()
        pa = pyaudio.PyAudio()
        try:
            index = _find_input(pa, self.device, self.channels)
            self._stream = pa.open(
                format=pyaudio.paInt16,
                channels=self.channels,
                rate=self.sample_rate,
                input=True,
                input_device_index=index,
                frames_per_buffer=self._frames_per_chunk,
            )
        except DeviceUnavailable:
            pa.terminate()
            raise
        except (OSError, ValueError) as exc:
            pa.terminate()
            raise DeviceUnavailable(
                f"microphone {self.device or '(default)'}: cannot open {self.channels} channel(s) "
                f"at {self.sample_rate} Hz: {exc}. A raw ALSA 'hw:' device may not support this "
                f"rate; use the 'pulse' or a 'plughw:' device, which resample."
            ) from exc
        self._pa = pa

    def read(self) -> bytes | None:
        """Block for one chunk (~chunk_ms) of interleaved 16-bit little-endian PCM."""
        stream = self._stream
        if stream is None:
            raise DeviceUnavailable("microphone read while closed")
        try:
            # An overflow means we were late; losing a few ms beats killing the recording.
            data: bytes = stream.read(self._frames_per_chunk, exception_on_overflow=False)
        except OSError as exc:
            raise DeviceUnavailable(f"microphone {self.device or '(default)'}: read failed: {exc}") from exc
        return data

    def close(self) -> None:
        """Stop and close the stream and release PortAudio; idempotent."""
        stream, self._stream = self._stream, None
        pa, self._pa = self._pa, None
        try:
            if stream is not None:
                stream.stop_stream()
                stream.close()
        except OSError as exc:
            log.warning("closing the microphone stream failed: %s", exc)
        finally:
            if pa is not None:
                pa.terminate()


def _import_pyaudio() -> Any:
    try:
        return importlib.import_module("pyaudio")
    except ImportError as exc:
        raise DeviceUnavailable(
            "the pyaudio library is not installed; install it with: pip install pyaudio "
            "(needs the portaudio19-dev package)"
        ) from exc


def _find_input(pa: Any, device: str | None, channels: int) -> int | None:
    """Index of the wanted input device; None means PortAudio's default input."""
    if device is None or device == "":
        if pa.get_device_count() == 0:
            raise DeviceUnavailable("no audio devices found")
        return None
    inputs: list[tuple[int, str]] = []
    for i in range(pa.get_device_count()):
        info = pa.get_device_info_by_index(i)
        if int(info.get("maxInputChannels", 0)) >= channels:
            inputs.append((i, str(info.get("name", ""))))
    if device.isdigit():
        if any(i == int(device) for i, _ in inputs):
            return int(device)
    else:
        for i, name in inputs:
            if device.lower() in name.lower():
                return i
    available = ", ".join(f"{i}: {name}" for i, name in inputs) or "none"
    raise DeviceUnavailable(
        f"no input device {device!r} with {channels} channel(s); available inputs: {available}"
    )
