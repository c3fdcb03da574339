"""WAV and PyAudio sources: pacing, clear errors for bad files and devices, the config factory."""

from __future__ import annotations

import time
import wave
from pathlib import Path

import pytest

from appliance.box.config import AudioConfig
from recorder.errors import AudioFormatError, DeviceUnavailable, RecorderError
from recorder.sources import PyAudioSource, WavSource, build_source
from tests.test_recorder import write_wav


def read_all(source: WavSource) -> tuple[int, float]:
    """Chunks read and seconds taken."""
    source.open()
    started = time.monotonic()
    count = 0
    while source.read() is not None:
        count += 1
    source.close()
    return count, time.monotonic() - started


def test_real_time_pacing(tmp_path: Path) -> None:
    count, took = read_all(WavSource(write_wav(tmp_path / "a.wav", 0.6)))
    assert count == 20
    # Never faster than a microphone; generous upper bound so a busy machine does not fail it.
    assert 0.55 <= took < 3.0


def test_speedup_is_honoured(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "a.wav", 3.0)
    count, took = read_all(WavSource(wav, speedup=10))
    assert count == 100
    assert 0.28 <= took < 1.5, "3 s of audio at 10x takes ~0.3 s (order of magnitude)"


def test_chunks_are_30_ms_of_pcm(tmp_path: Path) -> None:
    source = WavSource(write_wav(tmp_path / "a.wav", 0.1), speedup=100)
    source.open()
    assert len(source.read() or b"") == 480 * 2
    source.close()


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DeviceUnavailable, match="file not found"):
        WavSource(tmp_path / "nope.wav")


def test_8_bit_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "8bit.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(16000)
        wav.writeframes(bytes(1600))
    with pytest.raises(AudioFormatError, match="8-bit.*only 16-bit"):
        WavSource(path)


def test_wrong_rate_is_refused_not_resampled(tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match="44100 Hz; only 16000 Hz.*does not resample"):
        WavSource(write_wav(tmp_path / "cd.wav", 0.1, rate=44100))


def test_garbage_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.wav"
    path.write_bytes(b"definitely not RIFF")
    with pytest.raises(AudioFormatError, match="not a PCM WAV"):
        WavSource(path)


def test_build_source_wav(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "a.wav", 0.1, channels=2)
    factory = build_source(AudioConfig(source="wav", wav_path=wav, speedup=5, channels=2))
    first, second = factory(), factory()
    assert first is not second
    assert isinstance(first, WavSource) and first.speedup == 5 and first.channels == 2


def test_build_source_checks_the_wav_against_the_config(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "a.wav", 0.1, channels=2)
    with pytest.raises(AudioFormatError, match="2 channel.*audio.channels is 1"):
        build_source(AudioConfig(source="wav", wav_path=wav))
    with pytest.raises(RecorderError, match="wav_path: required"):
        build_source(AudioConfig(source="wav"))


def test_build_source_pyaudio_opens_nothing_until_asked() -> None:
    factory = build_source(AudioConfig(source="pyaudio", device="pulse", channels=2))
    source = factory()
    assert isinstance(source, PyAudioSource)
    assert (source.device, source.channels, source.sample_rate) == ("pulse", 2, 16000)
    assert not source.is_open


def test_pyaudio_without_the_library_is_device_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyaudio", None)  # what a box without pyaudio sees
    with pytest.raises(DeviceUnavailable, match="pyaudio library is not installed"):
        PyAudioSource(device=None, sample_rate=16000, channels=1).open()
