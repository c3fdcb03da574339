"""Model folders: the bundled model assembles and verifies; tampered or foreign copies are refused."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import ctranslate2
import pytest

from appliance.box.config import TranscriptionConfig
from appliance.transcription.commands import register
from appliance.transcription.models import (
    BUNDLED_SHA256,
    BUNDLED_SIZE,
    MANIFEST,
    ModelError,
    choose_device,
    describe,
    resolve_model,
    verify,
)
from provisioning.models import assemble_bundled, install_model


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return assemble_bundled(tmp_path_factory.mktemp("models") / "whisper-base")


def _tampered_copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    with (dest / "model.bin").open("r+b") as fh:
        fh.seek(BUNDLED_SIZE // 2)
        byte = fh.read(1)
        fh.seek(BUNDLED_SIZE // 2)
        fh.write(bytes([byte[0] ^ 0xFF]))
    return dest


def test_bundled_model_assembles_with_published_size_and_checksum(bundled: Path) -> None:
    assert (bundled / "model.bin").stat().st_size == BUNDLED_SIZE
    for name in ("config.json", "tokenizer.json", "vocabulary.txt", MANIFEST):
        assert (bundled / name).is_file()
    info = describe(bundled)
    assert info.sha256 == BUNDLED_SHA256
    assert "nl" in info.languages and "fr" in info.languages
    assert verify(info)


def test_assemble_is_idempotent_and_replaces_a_tampered_copy(bundled: Path) -> None:
    mtime = (bundled / "model.bin").stat().st_mtime_ns
    assert assemble_bundled(bundled) == bundled
    assert (bundled / "model.bin").stat().st_mtime_ns == mtime  # verified, not rewritten

    _tampered_copy(bundled, bundled.parent / "broken")
    fixed = assemble_bundled(bundled.parent / "broken")
    assert verify(describe(fixed))


def test_tampered_model_fails_verification_and_is_refused(bundled: Path, tmp_path: Path) -> None:
    bad = _tampered_copy(bundled, tmp_path / "bad")
    info = describe(bad)  # the manifest still claims the published checksum
    assert not verify(info)
    with pytest.raises(ModelError, match="does not match its checksum"):
        resolve_model(TranscriptionConfig(model_dir=bad))


def test_install_refuses_checksum_mismatch_and_leaves_nothing(bundled: Path, tmp_path: Path) -> None:
    bad = _tampered_copy(bundled, tmp_path / "src")
    root = tmp_path / "installed"
    with pytest.raises(ModelError, match="expected"):
        install_model(bad, root, name="whisper-x", version="1", expected_sha256=BUNDLED_SHA256)
    assert not root.exists() or list(root.iterdir()) == []


def test_install_and_resolve_a_model_by_path(bundled: Path, tmp_path: Path) -> None:
    info = install_model(bundled, tmp_path, name="whisper-big", version="2.3",
                         expected_sha256=BUNDLED_SHA256)
    assert info.path == (tmp_path / "whisper-big-2.3").resolve()
    manifest = json.loads((info.path / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["name"] == "whisper-big" and manifest["sha256"] == BUNDLED_SHA256
    resolved = resolve_model(TranscriptionConfig(model_dir=info.path))
    assert (resolved.name, resolved.version, resolved.sha256) == ("whisper-big", "2.3", BUNDLED_SHA256)


def test_folder_without_manifest_is_identified_by_checksum(bundled: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(bundled, plain)
    (plain / MANIFEST).unlink()
    info = resolve_model(TranscriptionConfig(model_dir=plain))
    assert info.sha256 == BUNDLED_SHA256
    assert info.version == f"sha256:{BUNDLED_SHA256[:12]}"


def test_unusable_folders_and_languages_give_clear_errors(bundled: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        resolve_model(TranscriptionConfig(model_dir=tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="missing model.bin"):
        resolve_model(TranscriptionConfig(model_dir=tmp_path / "empty"))
    with pytest.raises(ModelError, match="language 'xx'"):
        resolve_model(TranscriptionConfig(model_dir=bundled, language="xx"))


def test_device_choice_on_this_machine() -> None:
    import ctranslate2

    gpus = ctranslate2.get_cuda_device_count()
    device, compute = choose_device(TranscriptionConfig())
    assert (device, compute) == (("cuda", "float16") if gpus else ("cpu", "int8"))
    assert choose_device(TranscriptionConfig(device="cpu", compute_type="float32")) == ("cpu", "float32")
    if not gpus:
        with pytest.raises(ModelError, match="no CUDA device"):
            choose_device(TranscriptionConfig(device="cuda"))
    with pytest.raises(ModelError, match="not supported"):
        choose_device(TranscriptionConfig(device="cpu", compute_type="bogus"))


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    status = args.handler(args)
    out, err = capsys.readouterr()
    return status, out, err


def _box_config(folder: Path, model_dir: Path) -> Path:
    conf = folder / "box.toml"
    conf.write_text(f'[transcription]\nmodel_dir = "{model_dir}"\n', encoding="utf-8")
    return conf


def test_models_list_shows_the_bundled_the_configured_and_the_installed(
    bundled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "models"
    big = install_model(bundled, root, name="whisper-big", version="2", expected_sha256=BUNDLED_SHA256)
    install_model(bundled, root, name="whisper-spare", version="1", expected_sha256=BUNDLED_SHA256)
    status, out, _ = _cli(["models", "list"], capsys)
    assert status == 0
    [only] = [json.loads(line) for line in out.splitlines()]
    assert only["name"] == "whisper-base" and only["in_use"] and only["state"] == "ready"

    status, out, _ = _cli(["models", "list", "--config", str(_box_config(tmp_path, big.path))], capsys)
    models = {m["name"]: m for m in map(json.loads, out.splitlines())}
    assert status == 0 and set(models) == {"whisper-base", "whisper-big", "whisper-spare"}
    assert [name for name, m in models.items() if m["in_use"]] == ["whisper-big"]
    assert models["whisper-big"]["sha256"] == BUNDLED_SHA256
    assert "nl" in models["whisper-big"]["languages"]
    assert "int8" in models["whisper-big"]["compute_types"]
    # The manifest lists float16 too; only what this box can run is shown.
    here = set(ctranslate2.get_supported_compute_types("cpu"))
    if ctranslate2.get_cuda_device_count() > 0:
        here |= set(ctranslate2.get_supported_compute_types("cuda"))
    assert set(models["whisper-big"]["compute_types"]) <= here


def test_models_verify_hashes_the_configured_model_afresh(
    bundled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _cli(["models", "verify", str(bundled)], capsys)
    assert status == 0 and f"sha256 {BUNDLED_SHA256}" in out
    bad = _tampered_copy(bundled, tmp_path / "bad")
    status, _, err = _cli(["models", "verify", "--config", str(_box_config(tmp_path, bad))], capsys)
    assert status == 1 and "MISMATCH" in err
    status, _, err = _cli(["models", "verify", str(tmp_path / "nowhere")], capsys)
    assert status == 2 and "does not exist" in err
