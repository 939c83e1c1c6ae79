# interview-reps: `make demo` and `make test` work on a fresh machine. `make help` lists every target.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages: PortAudio for the microphone, sox to build the virtual microphone's raw file in tests.
SYSTEM_PACKAGES := libportaudio2 sox
export REPS_EVAL_DIR ?= $(abspath ../shared/eval)

.DEFAULT_GOAL := help
.PHONY: help setup system demo test lint format eval bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

system: ## install missing system packages (apt-get as root, else print the command)
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing system packages: $$missing" >&2; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "missing system packages; run:  sudo apt-get install -y $$missing" >&2; exit 1; \
	fi

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@# requirements.lock is resolved on Python 3.11; on 3.10 the pins in pyproject.toml alone apply.
	if $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
	  $(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'; \
	else $(BIN)/python -m pip install -q -e '.[dev]'; fi
	@touch $(STAMP)

setup: system $(STAMP) ## create .venv and install the project with pinned dependencies

demo: setup ## analyze the recordings in samples/ and print their reports
	REPS_HOME=$${REPS_HOME:-$(CURDIR)/.demo-library} $(BIN)/reps analyze samples/*.wav samples/*.flac

test: setup ## run the whole test suite
	$(BIN)/python -m pytest -q

lint: setup ## ruff check and format check
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

format: setup ## ruff format in place
	$(BIN)/ruff check --fix src tests scripts
	$(BIN)/ruff format src tests scripts

eval: setup ## accuracy against ../shared/eval (fillers, WER, pauses, pace)
	$(BIN)/python scripts/evaluate.py $(REPS_EVAL_DIR) --long

bench: setup ## cost of `reps analyze` on a 60 s answer as a ratio to bare faster-whisper
	$(BIN)/python scripts/bench.py

clean: ## remove the virtualenv and build leftovers
	rm -rf $(VENV) .demo-library build src/*.egg-info .pytest_cache .ruff_cache
