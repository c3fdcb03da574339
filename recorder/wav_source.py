"""A WAV file played as if it were a microphone: demos and tests, optionally faster than real time."""

from __future__ import annotations

import time
import wave
from pathlib import Path

from recorder.errors import AudioFormatError, DeviceUnavailable

WAV_SAMPLE_RATE = 16000
"""The only rate accepted: Whisper needs 16 kHz and this source does not resample."""


class WavSource:
    """Delivers one chunk every `chunk_ms / speedup` milliseconds, like a real microphone.

    Closing and reopening continues where the file stopped, so pause/resume of a demo loses nothing.
    """

    def __init__(self, path: Path, *, speedup: float = 1.0, chunk_ms: int = 30) -> None:
        if speedup <= 0:
            raise ValueError(f"speedup must be > 0, not {speedup}")
        if chunk_ms <= 0:
            raise ValueError(f"chunk_ms must be > 0, not {chunk_ms}")
        self.path = Path(path)
        self.speedup = speedup
        self.chunk_ms = chunk_ms
        # Read the header now so a bad file fails at configuration time, not mid-conversation.
        try:
            with wave.open(str(self.path), "rb") as wav:
                width, rate, channels = wav.getsampwidth(), wav.getframerate(), wav.getnchannels()
                self._total_frames = wav.getnframes()
        except FileNotFoundError as exc:
            raise DeviceUnavailable(f"WAV source {self.path}: file not found") from exc
        except (wave.Error, EOFError) as exc:
            raise AudioFormatError(f"WAV source {self.path}: not a PCM WAV file ({exc})") from exc
        if width != 2:
            raise AudioFormatError(
                f"WAV source {self.path}: {8 * width}-bit samples; only 16-bit PCM is accepted "
                f"(convert with: sox in.wav -b 16 -r 16000 out.wav)"
            )
        if rate != WAV_SAMPLE_RATE:
            raise AudioFormatError(
                f"WAV source {self.path}: {rate} Hz; only 16000 Hz is accepted, this source does not "
                f"resample (convert with: sox in.wav -r 16000 out.wav)"
            )
        self.sample_rate = rate
        self.channels = channels
        self._frames_per_chunk = max(1, rate * chunk_ms // 1000)
        self._period_s = chunk_ms / 1000 / speedup
        self._position = 0
        self._wav: wave.Wave_read | None = None
        self._next_due = 0.0

    @property
    def is_open(self) -> bool:
        """Whether the simulated microphone is open."""
        return self._wav is not None

    def open(self) -> None:
        """Open the file at the position where it was last closed."""
        if self._wav is not None:
            return
        try:
            wav = wave.open(str(self.path), "rb")  # noqa: SIM115 - stays open across reads
        except FileNotFoundError as exc:
            raise DeviceUnavailable(f"WAV source {self.path}: file not found") from exc
        wav.setpos(self._position)
        self._wav = wav
        self._next_due = time.monotonic() + self._period_s

    def read(self) -> bytes | None:
        """Block until the next chunk is due and return it; None at the end of the file."""
        wav = self._wav
        if wav is None:
            raise DeviceUnavailable(f"WAV source {self.path}: read while closed")
        if self._position >= self._total_frames:
            return None
        # Deadlines are absolute so pacing does not drift with the caller's processing time.
        delay = self._next_due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next_due += self._period_s
        data = wav.readframes(self._frames_per_chunk)
        if not data:
            return None
        self._position = wav.tell()
        return data

    def close(self) -> None:
        """Close the file; idempotent."""
        wav, self._wav = self._wav, None
        if wav is not None:
            wav.close()
