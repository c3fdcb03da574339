"""Real capture through PyAudio -> ALSA 'pulse' plugin -> PulseAudio null sink monitor.

The recording must *be* the played signal (normalised cross-correlation >= 0.9), not just bytes.
"""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from recorder.led import SimulatedLed
from recorder.pyaudio_source import PyAudioSource
from recorder.recorder import Recorder
from tests.pulse import VirtualMicrophone, virtual_microphone

RATE = 16000
pytest.importorskip("pyaudio", reason="pyaudio is not installed (pip install pyaudio)")


@pytest.fixture
def mic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualMicrophone]:
    # A short path: unix socket paths are limited to 108 bytes.
    with virtual_microphone(tmp_path_factory.mktemp("pa")) as virtual:
        yield virtual


def band_noise(seconds: float, seed: int) -> np.ndarray:
    """Speech-band noise (200-3400 Hz): no periodicity, so a correlation peak means a match."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(int(seconds * RATE)))
    freqs = np.fft.rfftfreq(int(seconds * RATE), 1 / RATE)
    spectrum[(freqs < 200) | (freqs > 3400)] = 0
    signal = np.fft.irfft(spectrum, int(seconds * RATE))
    return signal / np.abs(signal).max() * 0.5


def write_pcm(path: Path, channels: list[np.ndarray]) -> Path:
    """The signal with 0.5 s of silence around it: a null sink's monitor only produces audio
    while something plays, so the lead-in keeps the signal's first chunk from being lost."""
    pad = np.zeros((RATE // 2, len(channels)))
    data = np.concatenate([pad, np.stack(channels, axis=1), pad])
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(len(channels))
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes((data * 32767).astype("<i2").tobytes())
    return path


def peak_correlation(recorded: np.ndarray, reference: np.ndarray) -> float:
    """Best normalised correlation of `reference` against any window of `recorded`."""
    n, m = len(reference), len(recorded)
    assert m >= n, "recording shorter than the played signal"
    size = 1 << (m + n).bit_length()
    corr = np.fft.irfft(np.fft.rfft(recorded, size) * np.conj(np.fft.rfft(reference, size)), size)[: m - n + 1]
    energy = np.concatenate([[0.0], np.cumsum(recorded.astype(np.float64) ** 2)])
    window = np.sqrt(np.maximum(energy[n:] - energy[:-n], 1e-12))
    return float(np.max(corr / (window * np.linalg.norm(reference))))


def capture_while_playing(mic: VirtualMicrophone, wav: Path, *, device: str | None,
                          channels: int) -> tuple[np.ndarray, SimulatedLed]:
    """Record through the Recorder (LED and all) while the WAV plays into the room."""
    chunks: list[bytes] = []
    led = SimulatedLed()
    recorder = Recorder(
        source_factory=lambda: PyAudioSource(device=device, sample_rate=RATE, channels=channels),
        led=led, on_audio=chunks.append,
    )
    recorder.start()
    try:
        time.sleep(0.3)  # the stream is running before the sound starts
        player = threading.Thread(target=mic.play, args=(wav,))
        player.start()
        player.join(30)
        assert not player.is_alive(), "paplay did not finish"
        time.sleep(0.5)
    finally:
        recorder.stop()
    assert not led.is_on and [on for _, on in led.history] == [True, False]
    pcm = np.frombuffer(b"".join(chunks), dtype="<i2").astype(np.float64) / 32767
    return pcm.reshape(-1, channels), led


def test_mono_capture_matches_what_was_played(mic: VirtualMicrophone, tmp_path: Path) -> None:
    reference = band_noise(2.0, seed=1)
    wav = write_pcm(tmp_path / "noise.wav", [reference])
    recorded, _ = capture_while_playing(mic, wav, device="pulse", channels=1)
    assert len(recorded) >= 2.5 * RATE, "about 3 s of audio expected"
    score = peak_correlation(recorded[:, 0], reference)
    assert score >= 0.9, f"recording does not match the played signal (peak {score:.3f})"
    silence = peak_correlation(recorded[:, 0], band_noise(2.0, seed=99))
    assert silence < 0.3, "an unrelated signal must not match"


def test_stereo_capture_keeps_worker_left_and_client_right(mic: VirtualMicrophone, tmp_path: Path) -> None:
    left, right = band_noise(2.0, seed=2), band_noise(2.0, seed=3)
    wav = write_pcm(tmp_path / "stereo.wav", [left, right])
    recorded, _ = capture_while_playing(mic, wav, device=None, channels=2)
    assert peak_correlation(recorded[:, 0], left) >= 0.9
    assert peak_correlation(recorded[:, 1], right) >= 0.9
    assert peak_correlation(recorded[:, 0], right) < 0.3, "channels must not be mixed or swapped"


def test_unknown_device_lists_what_exists(mic: VirtualMicrophone) -> None:
    from recorder.errors import DeviceUnavailable

    with pytest.raises(DeviceUnavailable, match=r"no input device 'usb-array'.*available inputs:.*pulse"):
        PyAudioSource(device="usb-array", sample_rate=RATE, channels=1).open()
