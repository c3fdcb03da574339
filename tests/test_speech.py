"""Offline read-aloud: real espeak-ng, real WAV out, clear errors."""

from __future__ import annotations

import io
import shutil
import wave

import pytest

from ui_kiosk import speech
from ui_kiosk.speech import SpeechUnavailable, speak
from ui_kiosk.texts import LANGUAGES, load_texts

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def _duration(wav_bytes: bytes) -> float:
    with wave.open(io.BytesIO(wav_bytes)) as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        frames = wav.getnframes()
        audio = wav.readframes(frames)
        assert len(audio) == frames * 2, "header sizes match the audio actually there"
        return frames / wav.getframerate()


@pytest.mark.parametrize("code", [lang.code for lang in LANGUAGES])
def test_every_kiosk_language_has_a_voice(code: str) -> None:
    text = load_texts(code)["question_title"]
    wav_bytes = speak(text, code)
    assert wav_bytes[:4] == b"RIFF" and wav_bytes[8:12] == b"WAVE"
    assert int.from_bytes(wav_bytes[4:8], "little") == len(wav_bytes) - 8
    assert 0.5 < _duration(wav_bytes) < 15


def test_longer_text_gives_longer_audio_in_dutch_and_arabic() -> None:
    for code in ("nl", "ar"):
        t = load_texts(code)
        short = _duration(speak(t["answer_no"], code))
        long = _duration(speak(" ".join([t["question_recorded"], t["question_worker"], t["rights"]]), code))
        assert long > 2 * short


def test_text_that_looks_like_an_option_is_read_not_obeyed() -> None:
    assert _duration(speak("-v xx --help", "nl")) > 0.3


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(SpeechUnavailable, match="no read-aloud voice for language 'xx'"):
        speak("Hallo", "xx")


def test_empty_or_huge_text_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        speak("   ", "nl")
    with pytest.raises(ValueError, match="too long"):
        speak("a" * (speech.MAX_TEXT_CHARS + 1), "nl")


def test_missing_espeak_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    with pytest.raises(SpeechUnavailable, match="espeak-ng is not installed"):
        speak("Hallo", "nl")


def test_voice_missing_from_espeak_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(speech.VOICES, "nl", "zz-nonexistent")
    with pytest.raises(SpeechUnavailable, match="espeak-ng failed for voice 'zz-nonexistent'"):
        speak("Hallo", "nl")


def test_timeout_is_a_clear_error() -> None:
    with pytest.raises(SpeechUnavailable, match="did not finish"):
        speak("Dit is een lange zin. " * 80, "nl", timeout_s=0.001)
