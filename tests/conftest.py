"""Shared fixtures: every test gets its own REPS_HOME; the eval clips live in ../shared/eval."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = Path(os.environ.get("REPS_EVAL_DIR", ROOT.parent / "shared" / "eval")).resolve()
SAMPLES_DIR = ROOT / "samples"


@pytest.fixture(autouse=True)
def reps_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("reps-home")
    monkeypatch.setenv("REPS_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    if not EVAL_DIR.is_dir():
        pytest.fail(f"eval clips not found at {EVAL_DIR}; set REPS_EVAL_DIR")
    return EVAL_DIR
