# interview-reps: `make demo` and `make test` work on a fresh machine. `make help` lists every target.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Hashed pins of every package, one file per supported Python (make lock regenerates them).
LOCKS := requirements/py310.txt requirements/py311.txt
# Debian packages: PortAudio for the microphone, sox to build the virtual microphone's raw file in tests,
# espeak-ng: the interviewer's voice when Piper (the `voice` extra) is missing; chromium for the browser
# tests of the HTML reports (headless, driven over the DevTools protocol); strace for the test that
# traces an analysis for network use (tests/test_offline.py).
SYSTEM_PACKAGES := libportaudio2 sox espeak-ng chromium strace
# make eval speaks the labelled answers of tests/data/content/ with espeak-ng to score content through ASR.
EVAL_PACKAGES := espeak-ng
# The demo's own practice library, emptied at every run: the demo never touches your REPS_HOME.
DEMO_HOME := $(CURDIR)/.demo-library
# make eval: the in-repo development set, plus REPS_EVAL_DIR (a folder of NAME.wav|flac + NAME.txt) if set.
EVAL_DIRS := samples tests/data $(REPS_EVAL_DIR)

.DEFAULT_GOAL := help
.PHONY: help setup system demo test test-fast lint format eval bench bench-jobs reliability screenshots lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

system: ## install missing system packages (apt-get as root, else print the command)
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ ! -x $(BIN)/python ] && ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then missing="$$missing python3-venv"; fi; \
	missing=$$(echo $$missing); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing system packages: $$missing" >&2; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "missing system packages; run:  sudo apt-get install -y $$missing" >&2; exit 1; \
	fi

$(STAMP): pyproject.toml $(LOCKS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@lock=$$($(BIN)/python -c 'import sys; v = sys.version_info[:2]; sys.exit("interview-reps needs Python 3.10 or newer") if v < (3, 10) else print("requirements/py310.txt" if v == (3, 10) else "requirements/py311.txt")') || exit 1; \
	echo "installing the pinned packages of $$lock into $(VENV)" >&2; \
	$(BIN)/python -m pip install -q --require-hashes --no-deps -r $$lock && \
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e . && \
	$(BIN)/python -m pip check >/dev/null
	@touch $(STAMP)

setup: system $(STAMP) ## create .venv and install the project from the hashed pins in requirements/

demo: setup ## analyze the recordings in samples/ into a fresh demo library and print their reports
	@rm -rf $(DEMO_HOME)
	REPS_HOME=$(DEMO_HOME) $(BIN)/reps analyze samples/*.wav samples/*.flac
	@echo >&2
	REPS_HOME=$(DEMO_HOME) $(BIN)/reps history

test: setup ## run the whole test suite (real model, real audio stack)
	$(BIN)/python -m pytest -q

test-fast: setup ## the suite without the tests that run the real Whisper model, for quick loops
	$(BIN)/python -m pytest -q -m "not model"

lint: setup ## ruff check and format check; mypy type check of src/
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy

format: setup ## ruff format in place
	$(BIN)/ruff check --fix src tests scripts
	$(BIN)/ruff format src tests scripts

eval: setup ## accuracy: fillers, WER, pauses, pace (in-repo recordings + REPS_EVAL_DIR); content vs hand labels
	$(BIN)/python scripts/evaluate.py $(EVAL_DIRS) --long
	@$(MAKE) --no-print-directory system SYSTEM_PACKAGES="$(EVAL_PACKAGES)"
	$(BIN)/python scripts/evaluate_content.py --speech

bench: setup ## cost of `reps analyze` on a 60 s answer as a ratio to bare faster-whisper
	$(BIN)/python scripts/bench.py

bench-jobs: setup ## throughput of `reps analyze --jobs 1` and `--jobs 2` on 20 files
	$(BIN)/python scripts/bench.py --batch 20

reliability: setup ## the README's reliability figures: the fault suite, and a 10-minute analysis traced for network use
	@rm -f .reliability.json
	REPS_RELIABILITY_OUT=$(CURDIR)/.reliability.json REPS_OFFLINE_TRACE_S=600 \
	  $(BIN)/python -m pytest -q tests/test_faults.py tests/test_offline.py
	$(BIN)/python scripts/reliability.py .reliability.json --readme README.md

screenshots: setup ## redraw the README's screenshots of the HTML pages (docs/*.png) in headless chromium
	$(BIN)/python scripts/screenshots.py docs

lock: ## regenerate the hashed pins in requirements/ from pyproject.toml (needs the network), then make setup
	@test -x $(BIN)/uv || { test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); $(BIN)/python -m pip install -q "uv>=0.9,<0.14"; }
	for v in 3.10 3.11; do \
	  $(BIN)/uv pip compile -q pyproject.toml requirements/build.in --extra dev --extra voice --universal \
	    --generate-hashes --python-version $$v -o requirements/py$${v/./}.txt || exit 1; \
	done

clean: ## remove the virtualenv and build leftovers
	rm -rf $(VENV) $(DEMO_HOME) .reliability.json build src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
