"""A small run of the sync benchmark: faults injected (PostgreSQL too), nothing lost, nothing
filed twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(300)


def test_small_bench_with_broker_and_postgres_restart_receiver_kill_and_cut_off_devices() -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "bench_sync.py"),
            "--devices",
            "10",
            "--reports",
            "100",
            "--seed",
            "7",
            "--workers",
            "2",
            "--drain",
            "120",
        ],
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["reports_sent"] == 100 and result["devices"] == 10
    assert result["stored"] == 100
    assert result["lost"] == 0
    assert result["duplicated"] == 0
    assert result["acked_on_device"] == 100  # every device saw central's ack, not just a PUBACK
    assert {f["fault"] for f in result["faults"]} == {
        "broker_restart",
        "receiver_sigkill",
        "devices_cut_off",
        "postgres_restart",
    }
    assert result["publishes"] >= 100
    assert (
        result["latency_p50_s"] is not None and result["latency_p50_s"] <= result["latency_p95_s"]
    )
