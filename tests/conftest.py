"""Shared fixtures: every test gets its own REPS_HOME; recordings come from the repository (recordings.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from recordings import clip_path


@pytest.fixture(autouse=True)
def reps_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("reps-home")
    monkeypatch.setenv("REPS_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def clip() -> Callable[[str], Path]:
    """``clip("jfk.wav")``: the path of a recording in samples/ or tests/data/."""
    return clip_path
