"""Hardware profiles load as production configs and agree with the udev, ALSA and unit files."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from appliance.box.config import load_config

FIRMWARE = Path(__file__).resolve().parent.parent / "firmware_config"
PROFILES = sorted((FIRMWARE / "profiles").glob("*.toml"))


def test_every_box_has_a_profile() -> None:
    names = {p.stem for p in PROFILES}
    assert {"jetson-orin-nano", "jetson-orin-nx", "nuc-cpu", "nuc-nvidia"} <= names


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_profile_is_a_valid_production_config(path: Path) -> None:
    cfg = load_config(path)
    assert cfg.profile == "production"
    assert cfg.audio.source == "pyaudio" and cfg.audio.sample_rate == 16000
    assert cfg.button.backend == "serial"
    assert cfg.transcription.model_dir is not None
    expected_device = "cpu" if "cpu" in path.stem else "cuda"
    assert cfg.transcription.device == expected_device
    if expected_device == "cpu":
        assert cfg.transcription.compute_type == "int8"


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_profile_names_devices_that_udev_and_alsa_create(path: Path) -> None:
    cfg = load_config(path)
    button_rules = (FIRMWARE / "udev" / "70-spreekkamer-button.rules").read_text()
    assert cfg.button.path is not None
    assert f'SYMLINK+="{cfg.button.path.removeprefix("/dev/")}"' in button_rules
    alsa = (FIRMWARE / "alsa" / "spreekkamer-mic.conf").read_text()
    assert f"pcm.{cfg.audio.device} " in alsa
    card = re.search(r'CARD=(\w+)', alsa)
    assert card is not None
    assert f'ATTR{{id}}="{card.group(1)}"' in (FIRMWARE / "udev" / "71-spreekkamer-mic.rules").read_text()
    for unit in ("spreekkamer.service", "spreekkamer-recorder.service"):
        text = (FIRMWARE / "systemd" / unit).read_text()
        assert "DevicePolicy=closed" in text
        assert f"DeviceAllow={cfg.button.path} rw" in text and "DeviceAllow=char-alsa rw" in text


def test_core_unit_has_the_required_hardening() -> None:
    text = (FIRMWARE / "systemd" / "spreekkamer.service").read_text()
    for directive in ("Type=notify", "WatchdogSec=", "ProtectSystem=strict", "PrivateTmp=yes",
                      "NoNewPrivileges=yes", "SystemCallFilter=", "LoadCredentialEncrypted=",
                      "StateDirectory=spreekkamer", "User=spreekkamer", "MemorySwapMax=0"):
        assert directive in text, directive


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_check_units_scores_the_core_at_most_2() -> None:
    done = subprocess.run([str(FIRMWARE / "check_units.sh")], check=False, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    scores = dict(re.findall(r"^(\S+): ([0-9.]+)$", done.stdout, re.MULTILINE))
    assert float(scores["spreekkamer.service"]) <= 2.0
    assert float(scores["spreekkamer-recorder.service"]) <= 2.0


def test_firmware_main_parses_and_protocol_needs_no_board() -> None:
    ast.parse((FIRMWARE / "button_board" / "main.py").read_text())
    source = (FIRMWARE / "button_board" / "protocol.py").read_text()
    tree = ast.parse(source)
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
    assert not imported & {"machine", "micropython", "dataclasses", "typing"}


def test_the_kiosk_browser_has_no_developer_tools_and_no_other_address() -> None:
    policy = json.loads((FIRMWARE / "kiosk" / "chromium-policy.json").read_text())
    assert policy["DeveloperToolsAvailability"] == 2 and policy["URLBlocklist"] == ["*"]
    assert policy["URLAllowlist"] == ["http://127.0.0.1:8081"]
    launcher = (FIRMWARE / "kiosk" / "spreekkamer-kiosk.sh").read_text()
    assert "/etc/chromium/policies/managed/spreekkamer-kiosk.json" in launcher and "exit 1" in launcher
