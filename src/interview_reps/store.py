"""The practice library in REPS_HOME: a folder per rep (audio copy, result.json, report.md)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import LibraryError
from .settings import reps_home


@dataclass(frozen=True)
class SavedRep:
    id: str
    folder: Path
    created_at: str  # ISO 8601, UTC


class Library:
    """A folder per rep under ``home/reps``. Each rep folder appears whole or not at all."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = Path(home) if home is not None else reps_home()
        self.reps_dir = self.home / "reps"

    def save_rep(
        self,
        result: dict[str, Any],
        *,
        audio_src: Path,
        report_md: str,
        question_id: str | None = None,
        source_path: str | None = None,
        created_at: datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> SavedRep:
        """Copy the audio and write result.json and report.md into a new rep folder, atomically."""
        when = (created_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
        rep_id = f"{when:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        created = when.isoformat(timespec="seconds")
        record = dict(result)
        record["rep"] = {
            "id": rep_id,
            "question_id": question_id,
            "created_at": created,
            "source_path": source_path or result.get("audio", {}).get("path"),
            **(extra or {}),
        }
        try:
            self.reps_dir.mkdir(parents=True, exist_ok=True)
            tmp = self.reps_dir / f".tmp-{rep_id}"
            tmp.mkdir()
            try:
                suffix = Path(audio_src).suffix.lower() or ".wav"
                shutil.copyfile(audio_src, tmp / f"audio{suffix}")
                record["rep"]["audio_file"] = f"audio{suffix}"
                (tmp / "result.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
                (tmp / "report.md").write_text(report_md, encoding="utf-8")
                final = self.reps_dir / rep_id
                os.replace(tmp, final)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        except OSError as exc:
            raise LibraryError(f"{self.home}: cannot save the rep: {exc.strerror or exc}") from exc
        return SavedRep(id=rep_id, folder=final, created_at=created)


def save_reflection(folder: Path, answers: dict[str, str]) -> None:
    """Write the rep's reflection answers to ``reflection.json`` atomically (replace on rename)."""
    tmp = folder / ".reflection.json.tmp"
    try:
        tmp.write_text(json.dumps(answers, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, folder / "reflection.json")
    except OSError as exc:
        raise LibraryError(f"{folder}: cannot save the reflection: {exc.strerror or exc}") from exc
