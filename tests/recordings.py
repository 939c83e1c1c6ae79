"""The recordings the tests use: all inside the repository, credited in samples/README.md and tests/data/README.md."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = ROOT / "samples"
TEST_DATA_DIR = ROOT / "tests" / "data"
DATA_DIRS = (SAMPLES_DIR, TEST_DATA_DIR)


def clip_path(name: str) -> Path:
    """A recording of the repository by file name, from samples/ or tests/data/."""
    for folder in DATA_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name} is in neither {SAMPLES_DIR} nor {TEST_DATA_DIR}")
