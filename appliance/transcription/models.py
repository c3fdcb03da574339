"""Which Whisper model this box uses: the bundled base model or any CTranslate2 folder by path.

A model is identified by the SHA-256 of its `model.bin` and a version, so every report can
cite exactly what transcribed it. A `spreekkamer-model.json` manifest beside `model.bin`
(written by `provisioning.models`) names the model; without one the checksum is computed.
"""

from __future__ import annotations

import json
import logging
import platform
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from appliance.box.config import TranscriptionConfig
from appliance.transcription.checksum import sha256_file

log = logging.getLogger(__name__)

MANIFEST = "spreekkamer-model.json"
BUNDLED_NAME = "whisper-base"
BUNDLED_VERSION = "1.0.0"
BUNDLED_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BUNDLED_SIZE = 145_217_532
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")


class ModelError(Exception):
    """A model folder that cannot be used; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class ModelInfo:
    """A verified-or-verifiable Whisper model folder and what it can do."""

    name: str
    version: str
    path: Path
    sha256: str
    languages: tuple[str, ...] = ()
    compute_types: tuple[str, ...] = ()


def bundled_model_dir() -> Path:
    """Where the install step assembles the bundled model (inside the virtual environment)."""
    return Path(sys.prefix) / "share" / "spreekkamer" / "models" / BUNDLED_NAME


def read_languages(path: Path) -> tuple[str, ...]:
    """Language codes the model's tokenizer knows (empty for an English-only model)."""
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        vocab = (path / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return ()
    codes = []
    for token_id in config.get("lang_ids", []):
        if 0 <= token_id < len(vocab):
            match = re.fullmatch(r"<\|([a-z]{2,3})\|>", vocab[token_id])
            if match:
                codes.append(match.group(1))
    return tuple(codes)


def _box_compute_types() -> tuple[str, ...]:
    """Compute types CTranslate2 can run on this box (CPU, and CUDA when it sees a GPU)."""
    import ctranslate2  # deferred: native library

    types = set(ctranslate2.get_supported_compute_types("cpu"))
    if ctranslate2.get_cuda_device_count() > 0:
        types |= set(ctranslate2.get_supported_compute_types("cuda"))
    return tuple(sorted(types))


def _runnable_here(listed: object) -> tuple[str, ...]:
    here = _box_compute_types()
    if not listed:
        return here
    if not isinstance(listed, list):
        raise TypeError("compute_types must be a list")
    return tuple(t for t in map(str, listed) if t in here)


def describe(path: Path) -> ModelInfo:
    """ModelInfo for a CTranslate2 Whisper folder; checks files are there, does not verify."""
    path = path.expanduser().resolve()
    if not path.is_dir():
        raise ModelError(f"{path}: model folder does not exist")
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise ModelError(f"{path}: not a CTranslate2 Whisper model, missing {', '.join(missing)}")
    manifest_path = path / MANIFEST
    if manifest_path.is_file():
        try:
            meta = json.loads(manifest_path.read_text(encoding="utf-8"))
            return ModelInfo(
                name=str(meta["name"]),
                version=str(meta["version"]),
                path=path,
                sha256=str(meta["sha256"]).lower(),
                languages=tuple(meta.get("languages") or read_languages(path)),
                # The manifest says what the model can be loaded as anywhere; list only
                # what this box can run (no float16 on a CPU-only box).
                compute_types=_runnable_here(meta.get("compute_types")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{manifest_path}: unreadable manifest: {exc}") from exc
    digest = sha256_file(path / "model.bin")
    return ModelInfo(
        name=path.name,
        version=f"sha256:{digest[:12]}",
        path=path,
        sha256=digest,
        languages=read_languages(path),
        compute_types=_box_compute_types(),
    )


def verify(model: ModelInfo) -> bool:
    """True when `model.bin` still has the checksum the model is known by (hashed afresh)."""
    try:
        return sha256_file(model.path / "model.bin", use_cache=False) == model.sha256
    except OSError:
        return False


def resolve_model(cfg: TranscriptionConfig) -> ModelInfo:
    """The configured model (or the bundled one), checked against its checksum and language."""
    path = cfg.model_dir if cfg.model_dir is not None else bundled_model_dir()
    if cfg.model_dir is None and not (path / "model.bin").is_file():
        raise ModelError(
            f"{path}: the bundled model is not assembled; run `python -m provisioning.models assemble`"
        )
    model = describe(path)
    if sha256_file(model.path / "model.bin") != model.sha256:
        raise ModelError(f"{model.path}: model.bin does not match its checksum {model.sha256}")
    if cfg.model_dir is None and model.sha256 != BUNDLED_SHA256:
        raise ModelError(f"{model.path}: not the bundled model (checksum {model.sha256})")
    if model.languages and cfg.language not in model.languages:
        raise ModelError(f"{model.path}: model does not know language {cfg.language!r}")
    return model


def choose_device(cfg: TranscriptionConfig) -> tuple[str, str]:
    """(device, compute_type): CUDA + float16 when CTranslate2 sees a GPU, else CPU + int8."""
    import ctranslate2  # deferred: native library, crashes some Jetson images at import

    gpus = ctranslate2.get_cuda_device_count()
    if cfg.device == "cuda" and gpus == 0:
        raise ModelError("transcription.device: 'cuda' asked but CTranslate2 sees no CUDA device")
    if gpus == 0 and cfg.device != "cpu" and platform.machine() == "aarch64":
        log.warning(
            "no CUDA device visible to CTranslate2 on aarch64; on a Jetson, build CTranslate2 "
            "with CUDA (WITH_CUDA=ON, WITH_CUDNN=ON) to use the GPU; using the CPU now"
        )
    device = "cuda" if cfg.device == "cuda" or (cfg.device == "auto" and gpus > 0) else "cpu"
    compute_type = cfg.compute_type
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    supported = ctranslate2.get_supported_compute_types(device)
    if compute_type not in supported and compute_type != "default":
        raise ModelError(
            f"transcription.compute_type: {compute_type!r} not supported on {device} "
            f"(supported: {', '.join(sorted(supported))})"
        )
    return device, compute_type
