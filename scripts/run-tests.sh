#!/usr/bin/env bash
# Run the test suite. Tests start what they need themselves (Mosquitto, PulseAudio, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 PYTHONDONTWRITEBYTECODE=1
mkdir -p test-artifacts
exec .venv/bin/python -m pytest -q --durations=15 "$@"
