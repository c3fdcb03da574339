#!/usr/bin/env bash
# `make run`: broker, central receiver and the appliance in its dev profile, all on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
exec .venv/bin/python scripts/run_dev.py "$@"
