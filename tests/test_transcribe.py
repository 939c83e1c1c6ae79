"""Model resolution: a folder is loaded from disk and nothing else; only a model name may be downloaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Run in a fresh process with HF_HUB_OFFLINE=1 (read when huggingface_hub is imported), so a download
# attempt fails at once instead of reaching for the network. WhisperModel is wrapped to record how
# it is called; the real one still does the work.
SPY = """
import json, sys
import faster_whisper
from interview_reps.errors import ModelError
from interview_reps import transcribe

calls = []
real = faster_whisper.WhisperModel
def spy(source, **kw):
    calls.append({"source": str(source), "local_only": kw.get("local_files_only", False)})
    return real(source, **kw)
faster_whisper.WhisperModel = spy
try:
    transcribe.load_model(sys.argv[1])
    error = None
except ModelError as exc:
    error = str(exc)
print(json.dumps({"calls": calls, "error": error}))
"""


def load(name: str, cache: Path) -> dict:
    """Load ``name`` with an empty Hugging Face cache at ``cache``: what was tried, and the error."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(cache)}
    proc = subprocess.run(
        [sys.executable, "-c", SPY, name], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.model
def test_a_broken_model_folder_is_never_followed_by_a_download(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"not a model")
    (folder / "config.json").write_text("{}")
    got = load(str(folder), tmp_path / "hf")
    assert got["calls"] == [{"source": str(folder), "local_only": True}]
    assert got["error"].startswith(f"{folder}: not a faster-whisper model folder (")


def test_a_missing_folder_is_not_taken_for_a_model_name(tmp_path: Path) -> None:
    got = load("./no-such-model-folder", tmp_path / "hf")
    assert got == {"calls": [], "error": "./no-such-model-folder: no such model folder"}
    got = load(str(tmp_path), tmp_path / "hf")  # a folder, but no model in it
    assert (
        got["calls"] == []
        and got["error"] == f"{tmp_path}: not a faster-whisper model folder (no model.bin in it)"
    )


def test_a_model_name_is_looked_up_locally_then_downloaded(tmp_path: Path) -> None:
    got = load("small.en", tmp_path / "hf")  # not shipped, not in the (empty) cache
    assert got["calls"] == [
        {"source": "small.en", "local_only": True},
        {"source": "small.en", "local_only": False},
    ]
    assert got["error"].startswith("model 'small.en' is not on this computer and could not be downloaded")


@pytest.mark.model
def test_the_embedded_model_loads_from_its_folder(tmp_path: Path) -> None:
    got = load("tiny.en", tmp_path / "hf")
    assert got["error"] is None and len(got["calls"]) == 1 and got["calls"][0]["local_only"] is True
    assert got["calls"][0]["source"].endswith("model")
