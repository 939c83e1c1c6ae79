"""Measured figures of the fault and privacy tests, for the README: with REPS_RELIABILITY_OUT=FILE each
test merges what it measured into FILE (JSON); `make reliability` runs them and prints the table."""

from __future__ import annotations

import json
import os
from pathlib import Path


def record(key: str, value: object) -> None:
    out = os.environ.get("REPS_RELIABILITY_OUT")
    if not out:
        return
    path = Path(out)
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    path.write_text(json.dumps(data, indent=1) + "\n")
