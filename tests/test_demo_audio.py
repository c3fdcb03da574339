"""The dev profile's demo conversation is two microphones: the worker left, the client right."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from appliance.box.config import AppConfig
from appliance.cli import _with_dev_audio
from appliance.service.devprofile import DEMO_TURNS, ensure_demo_wav
from appliance.transcription.audio import read_wav


def test_the_demo_is_stereo_with_each_speaker_louder_on_their_own_side(tmp_path: Path) -> None:
    frames = read_wav(ensure_demo_wav(tmp_path / "demo.wav", stereo=True))
    assert frames.shape[1] == 2
    # Turns are separated by at least 0.6 s of silence: find them on a 10 ms loudness envelope.
    hop = 160
    envelope = np.sqrt((frames[: len(frames) // hop * hop] ** 2).reshape(-1, hop, 2).mean(axis=(1, 2)))
    loud = np.flatnonzero(envelope > 0.01)
    turns: list[tuple[int, int]] = []
    for f in loud:
        if turns and f - turns[-1][1] < 50:  # a pause under 0.5 s is inside a turn
            turns[-1] = (turns[-1][0], int(f))
        else:
            turns.append((int(f), int(f)))
    sides = []  # the louder microphone of each stretch of speech, and by how much
    for a, b in turns:
        left, right = (float(np.sqrt(np.mean(frames[a * hop:(b + 1) * hop, c] ** 2))) for c in (0, 1))
        assert abs(20 * np.log10(left / right)) > 12, (a, left, right)  # about 15 dB apart
        side = "worker" if left > right else "client"
        if not sides or sides[-1] != side:  # a turn of several sentences is one side
            sides.append(side)
    assert sides == [speaker for speaker, _ in DEMO_TURNS]

def test_the_dev_profile_plays_the_stereo_demo_as_two_microphones(tmp_path: Path, monkeypatch: object) -> None:
    import appliance.box.config as config_mod

    monkeypatch.setattr(config_mod, "DEV_HOME", tmp_path)  # type: ignore[attr-defined]
    config = _with_dev_audio(AppConfig())
    assert config.audio.channels == 2 and config.audio.wav_path is not None
    assert read_wav(config.audio.wav_path).shape[1] == 2
