"""The boot-time device self-test (`python -m recorder check`)."""

from __future__ import annotations

import math
import subprocess
import sys
import wave
from pathlib import Path

from appliance.box.config import AppConfig, AudioConfig, ButtonConfig
from recorder.selftest import rms_dbfs, self_test
from tests.test_recorder import write_wav

REPO = Path(__file__).resolve().parent.parent


def test_level_of_silence_and_full_scale() -> None:
    assert rms_dbfs(b"") == -math.inf
    assert rms_dbfs(bytes(960)) == -math.inf
    assert abs(rms_dbfs(b"\xff\x7f" * 480) - 0.0) < 0.01


def test_self_test_passes_with_sound(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "a.wav", 1.0)
    lines: list[str] = []
    cfg = AppConfig(audio=AudioConfig(source="wav", wav_path=wav, speedup=5))
    assert self_test(cfg, seconds=0.3, report=lines.append)
    assert any(line.startswith("microfoon:") and "dBFS" in line for line in lines)


def test_self_test_fails_on_digital_silence(tmp_path: Path) -> None:
    path = tmp_path / "silent.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(bytes(32000))
    lines: list[str] = []
    cfg = AppConfig(audio=AudioConfig(source="wav", wav_path=path, speedup=5))
    assert not self_test(cfg, seconds=0.3, report=lines.append)
    assert any("geen signaal" in line for line in lines)


def test_self_test_reports_a_missing_button_board(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "a.wav", 1.0)
    lines: list[str] = []
    cfg = AppConfig(audio=AudioConfig(source="wav", wav_path=wav),
                    button=ButtonConfig(backend="serial", path=str(tmp_path / "ttyACM9")))
    assert not self_test(cfg, seconds=0.1, report=lines.append)
    assert any("cannot open" in line for line in lines)


def run_check(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "recorder", "check", "--config", str(config)],
                          cwd=REPO, check=False, capture_output=True, text=True, timeout=60)


def test_command_line_exit_status(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    missing.write_text('[audio]\nsource = "wav"\nwav_path = "/nonexistent.wav"\n')
    done = run_check(missing)
    assert done.returncode == 1 and "file not found" in done.stdout
    invalid = tmp_path / "invalid.toml"
    invalid.write_text('[audio]\nsource = "cassette"\n')
    done = run_check(invalid)
    assert done.returncode == 2 and "audio.source" in done.stdout
