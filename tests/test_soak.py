"""A few cycles of the crash soak: SIGKILL during recording and validation loses nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SOAK = Path(__file__).resolve().parent.parent / "scripts" / "soak.py"


def run_soak(*args: str, timeout: float) -> tuple[int, dict[str, Any], str]:
    """Run scripts/soak.py; returns its exit status, the printed JSON and stderr."""
    proc = subprocess.run([sys.executable, str(SOAK), "--quiet", *args],
                          capture_output=True, text=True, timeout=timeout, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert lines, f"no JSON result; stderr:\n{proc.stderr[-3000:]}"
    return proc.returncode, json.loads(lines[-1]), proc.stderr


@pytest.mark.timeout(150)
def test_kills_in_recording_and_validation_lose_nothing() -> None:
    code, fig, err = run_soak("--cycles", "4", "--seed", "20261128", "--phases", "recording,validation",
                              "--drain-timeout", "60", timeout=140)
    assert fig["cycles"] == 4
    assert fig["kills_by_phase"] == {"recording": 2, "validation": 2, "sync": 0, "idle": 0}
    assert fig["corrupt_stores"] == 0
    assert fig["broken_audit_chains"] == 0
    assert fig["lost_validated_reports"] == 0
    assert fig["unaccounted_reports"] == 0
    assert fig["duplicated_reports"] == 0
    assert fig["recording_after_restart"] == 0
    # The measure must have measured: recordings were cut and their surviving audio read back.
    assert fig["audio_checks"] >= 2
    assert 0.0 <= fig["max_audio_lost_s"] <= 2.5
    assert sum(fig["recovered_states"].values()) >= 2
    assert fig["error_count"] == 0, fig["errors"]
    assert code == 0, err[-2000:]


def test_rejects_an_unknown_phase() -> None:
    proc = subprocess.run([sys.executable, str(SOAK), "--phases", "lunch"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert "--phases" in proc.stderr and "lunch" in proc.stderr


def test_inspection_reports_a_damaged_database_instead_of_raising() -> None:
    # The soak's corrupt_stores figure is only worth something if damage is actually seen.
    from tests.soak_env import SoakWorld

    world = SoakWorld(speedup=2.0)
    try:
        assert world.inspect_store().problems == []
        db = world.config.store.data_dir / "spreekkamer.db"
        data = bytearray(db.read_bytes())
        last = len(data) // 4096 - 1
        assert last >= 2
        data[last * 4096 + 200 : last * 4096 + 232] = bytes(32)  # one page not read at open
        db.write_bytes(bytes(data))
        problems = world.inspect_store().problems
        assert any(p.startswith("cipher_integrity_check: HMAC verification failed") for p in problems), problems
    finally:
        world.close()
