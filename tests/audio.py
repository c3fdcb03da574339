"""Short synthetic Dutch test clips (espeak-ng + sox via the evaluation's synth.py), cached per session.

Each clip comes with its `.ref.json` (turn speaker, start, end, text) so tests can check
words and timing. Also a WER function shared with the evaluation scorer.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path
from types import ModuleType

EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"
SYNTH = EVAL_DIR / "synth.py"
SCORE = EVAL_DIR / "score.py"

Turn = tuple[str, str]
"""(speaker, text) with speaker 'worker' or 'client'."""


@functools.cache
def _cache_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="spreekkamer-test-audio-"))


def clip(turns: tuple[Turn, ...], *, stereo: bool = False) -> tuple[Path, dict]:
    """WAV path and reference of a conversation of `turns`, synthesized once per session."""
    key = hashlib.sha256(json.dumps([turns, stereo]).encode()).hexdigest()[:12]
    wav, ref = _cache_dir() / f"c{key}.wav", _cache_dir() / f"c{key}.ref.json"
    if not wav.exists():
        conv = {"id": f"c{key}", "language": "nl-BE",
                "turns": [{"speaker": s, "text": t} for s, t in turns]}
        conv_path = _cache_dir() / f"c{key}.json"
        conv_path.write_text(json.dumps(conv, ensure_ascii=False), encoding="utf-8")
        cmd = [sys.executable, str(SYNTH), str(conv_path), "-o", str(_cache_dir()), "--jobs", "2"]
        subprocess.run(cmd + (["--stereo"] if stereo else []), check=True, timeout=120,
                       capture_output=True)
    return wav, json.loads(ref.read_text(encoding="utf-8"))


def silence(seconds: float, *, noise: float = 0.0) -> Path:
    """A mono 16 kHz WAV of silence (or faint white noise of the given amplitude, 0..1)."""
    import numpy as np

    path = _cache_dir() / f"silence-{seconds}-{noise}.wav"
    if not path.exists():
        rng = np.random.default_rng(0)
        samples = (rng.standard_normal(int(seconds * 16000)) * noise * 32767).astype("<i2")
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(samples.tobytes())
    return path


@functools.cache
def _score() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_score", SCORE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def normalised_words(text: str) -> list[str]:
    """Words as the evaluation scorer counts them (lower case, numbers as digits, no fillers)."""
    return list(_score().words(text))


def wer(reference_text: str, hypothesis_text: str) -> float:
    """Word error rate of a hypothesis against a reference, as the evaluation scores it."""
    ref = normalised_words(reference_text)
    errors, length = _score().wer(ref, normalised_words(hypothesis_text))
    return float(errors) / max(int(length), 1)
