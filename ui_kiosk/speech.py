"""Offline read-aloud of kiosk texts with espeak-ng (for clients who read with difficulty).

No network, no model: espeak-ng synthesises locally and writes a WAV to stdout.
"""

from __future__ import annotations

import shutil
import struct
import subprocess

VOICES: dict[str, str] = {
    "nl": "nl",
    "fr": "fr-fr",
    "de": "de",
    "en": "en-gb",
    "ar": "ar",
    "tr": "tr",
    "uk": "uk",
}
"""espeak-ng voice per kiosk language (checked against `espeak-ng --voices`)."""

MAX_TEXT_CHARS = 2000
# A little slower than espeak's default of 175 words per minute: easier to follow at B1 level.
WORDS_PER_MINUTE = 150


class SpeechUnavailable(RuntimeError):
    """Reading aloud is not possible: espeak-ng missing, no voice for the language, or it failed."""


def _espeak() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        raise SpeechUnavailable("espeak-ng is not installed; install the Debian package espeak-ng")
    return path


def _fix_wav_sizes(wav: bytes) -> bytes:
    """Patch the RIFF and data sizes, which espeak-ng leaves as placeholders when writing to a pipe."""
    if len(wav) < 12 or wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise SpeechUnavailable("espeak-ng did not produce a WAV")
    out = bytearray(wav)
    struct.pack_into("<I", out, 4, len(out) - 8)
    pos = 12
    while pos + 8 <= len(out):
        chunk_id = bytes(out[pos : pos + 4])
        if chunk_id == b"data":
            struct.pack_into("<I", out, pos + 4, len(out) - pos - 8)
            return bytes(out)
        (size,) = struct.unpack_from("<I", out, pos + 4)
        pos += 8 + size + (size & 1)
    raise SpeechUnavailable("espeak-ng produced a WAV without audio data")


def speak(text: str, lang: str, timeout_s: float = 10) -> bytes:
    """Read `text` aloud in kiosk language `lang` and return it as WAV bytes.

    Raises `ValueError` for empty or over-long text and `SpeechUnavailable` when the language has
    no voice, espeak-ng is missing, fails, or takes longer than `timeout_s`.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("nothing to read aloud: text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"text too long to read aloud ({len(text)} > {MAX_TEXT_CHARS} characters)")
    voice = VOICES.get(lang)
    if voice is None:
        raise SpeechUnavailable(f"no read-aloud voice for language {lang!r}; known: {', '.join(VOICES)}")
    # Text goes in on stdin, never as an argument, so a text starting with '-' is not an option.
    command = [_espeak(), "-v", voice, "-s", str(WORDS_PER_MINUTE), "--stdout", "--stdin"]
    try:
        done = subprocess.run(
            command, input=text.encode("utf-8"), capture_output=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SpeechUnavailable(f"espeak-ng did not finish within {timeout_s} s") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise SpeechUnavailable(f"espeak-ng failed for voice {voice!r}: {reason}")
    return _fix_wav_sizes(done.stdout)
