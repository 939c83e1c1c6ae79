"""The practice library in REPS_HOME: a folder per rep (the truth) and an SQLite index of every rep.

Only this module knows how the library lays out its files; the rest of the package asks it for paths.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import errno
import json
import os
import re
import secrets
import sqlite3
import stat
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import failpoints, files
from .errors import LibraryError, LibraryWriteError, RepsWarning
from .models import Metrics, Reflection, Rep, Result, Session, SessionTag, iso_utc, parse_time
from .settings import reps_home

if TYPE_CHECKING:
    from .wavfile import WavRepair

INDEX_NAME = "library.sqlite3"
# Held while a damaged index is moved aside and rebuilt, so two processes never both do it.
LOCK_NAME = ".index.lock"
# PRAGMA user_version of the index. v1: one row per rep with the metrics as a JSON text column.
# v2: metrics in their own table (one row per rep and metric), the audio file name per rep.
# v3: the mock interview (session) each rep was given in.
INDEX_VERSION = 3
# Another `reps` may hold the write lock while it saves a rep; saving takes milliseconds, so 15 s is
# generous and still lets a stuck process surface as an error instead of a hang.
BUSY_TIMEOUT_S = 15.0
# `Library.reps("")` / `entries("")`: the reps saved without a question id.
NO_QUESTION = ""
# Mock interviews are kept in sessions/<id>/session.json; their ids start with this, so a session id
# never reads as a rep id (`reps show ID` takes either).
SESSION_PREFIX = "s-"
# `reps show latest-session`: the most recent mock interview.
LATEST_SESSION = "latest-session"
# What the library itself keeps in REPS_HOME. A library made by an older reps under a loose umask is
# made private at first use: these entries (and everything under them), never other files kept there.
LIBRARY_ENTRIES = (
    "reps",
    "recordings",
    "charts",
    "progress",
    "progress.html",
    "cache",
    "questions",
    "sessions",
    INDEX_NAME,
    LOCK_NAME,
)
# The folders where a killed reps may leave hidden .tmp- entries (files.leftovers), relative to REPS_HOME
# (glob patterns: a joined built-in model is written into cache/models/NAME-VERSION/).
LEFTOVER_FOLDERS = (".", "reps", "sessions", "charts", "progress", "cache", "cache/models/*")
# Audio kept inside a rep folder may have any format the decoder reads (the copy keeps the recording's
# own suffix); `delete_audio` knows it by these suffixes or by its first bytes (_is_media).
AUDIO_SUFFIXES = frozenset(
    {
        ".wav",
        ".wave",
        ".flac",
        ".mp3",
        ".m4a",
        ".mp4",
        ".m4b",
        ".mov",
        ".ogg",
        ".oga",
        ".opus",
        ".webm",
        ".weba",
        ".mkv",
        ".mka",
        ".aac",
        ".aif",
        ".aiff",
        ".aifc",
        ".caf",
        ".wma",
        ".asf",
        ".amr",
        ".3gp",
        ".wv",
        ".ape",
        ".au",
        ".snd",
        ".avi",
        ".mpeg",
        ".mpg",
        ".spx",
    }
)
# Files of a rep folder that are never audio.
_REP_TEXT_FILES = frozenset({"result.json", "report.md", "reflection.json"})


@dataclass(frozen=True)
class RepEntry:
    """One row of the index: what `history` and `export` show without opening the rep folder."""

    id: str
    question_id: str | None
    created_at: datetime  # timezone-aware (UTC)
    source_path: str | None
    model: str | None
    audio_file: str | None  # None once the audio was deleted for privacy
    metrics: dict[str, float | int | None] = field(default_factory=dict)
    reflection: Reflection | None = None  # the rep's reflection.json, if the person wrote one
    session_id: str | None = None  # the mock interview it was given in

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question_id": self.question_id,
            "created_at": iso_utc(self.created_at),
            "source_path": self.source_path,
            "model": self.model,
            "audio_file": self.audio_file,
            "session_id": self.session_id,
            "metrics": dict(self.metrics),
            "reflection": self.reflection.to_dict() if self.reflection else None,
        }


@dataclass(frozen=True)
class RebuildReport:
    indexed: int
    skipped: tuple[tuple[str, str], ...] = ()  # (folder name, reason)
    moved_aside: Path | None = None  # a damaged index file kept for inspection
    leftovers_removed: int = 0


class Library:
    """Rep folders under ``home/reps`` (each appears whole or not at all) and their index ``home/library.sqlite3``.

    The folders are the source of truth. The index is rebuilt from them on demand (`rebuild`), and every
    read first reconciles it with the folders, so a rep whose index write was lost (killed process,
    locked or damaged index) still shows up.
    """

    def __init__(self, home: Path | str | None = None) -> None:
        self.home = Path(home).expanduser() if home is not None else reps_home()
        self.reps_dir = self.home / "reps"
        self.sessions_dir = self.home / "sessions"
        self.index_path = self.home / INDEX_NAME
        self.read_only = False  # set once the index had to be read from a copy in memory
        self.repaired: list[str] = []  # what the first use repaired (a damaged index), for `check`
        self._started = False
        self._checked = False  # the index passed SQLite's quick check

    # ------------------------------------------------------------------------------------ first use

    def _start(self) -> None:
        """Once per Library, before its first read or write: an existing library made under a loose
        umask is made private, and what killed saves and deletes left behind is removed."""
        if self._started:
            return
        self._started = True
        try:
            if not self.home.is_dir() or not files.writable(self.home):
                return
            if os.lstat(self.home).st_mode & 0o077:
                self.tighten()
            stuck = [left for left in self.leftovers(remove=True) if not left.in_use and not left.removed]
        except OSError:
            return  # a library that cannot be tidied can still be read; `check` says what is wrong
        for left in stuck:
            warnings.warn(
                f"{left.path}: left by a killed reps ({files.megabytes(left.size_bytes)}) and cannot be "
                f"removed; remove it with: {files.removal_command(left.path)}",
                RepsWarning,
                stacklevel=3,
            )

    def _writable_dir(self, folder: Path) -> Path:
        """``folder`` (REPS_HOME or one inside it), created private if it is missing."""
        files.private_dir(folder)
        return folder

    # ----------------------------------------------------------------------------------------- writing

    def save(
        self,
        result: Result,
        *,
        question_id: str | None = None,
        created_at: datetime | None = None,
        audio: Path | str | None = None,
        source_path: str | None = None,
        session: SessionTag | None = None,
    ) -> Rep:
        """Save ``result`` as a new rep: a copy of the recording and result.json, in a folder that appears
        whole or not at all, then indexed.

        ``audio`` is the recording to keep (default: the file the result was made from); ``created_at``
        when the answer was given (default: now); ``source_path`` the recording to name as its source;
        ``session`` the mock interview it was given in and its place there.
        If the index cannot be written the rep is still saved; the next read (or a rebuild) indexes it.
        """
        when = (created_at or _now()).astimezone(timezone.utc)
        audio_src = Path(audio if audio is not None else result.audio_path)
        record = result.to_dict()
        record["rep"] = {
            "id": "",
            "question_id": question_id or None,
            "created_at": iso_utc(when),
            "source_path": source_path or result.audio_path,
        }
        if session is not None:
            record["rep"]["session_id"] = session.session_id
            record["rep"]["session_answer"] = session.answer
            if session.follow_up is not None:
                record["rep"]["follow_up"] = session.follow_up.to_dict()
        self._start()
        try:
            with files.temp_dir(self._writable_dir(self.reps_dir), f"{when:%Y%m%d-%H%M%S}") as tmp:
                failpoints.reached("save.folder-created")
                suffix = _audio_suffix(audio_src)
                try:
                    files.copy_new(audio_src, tmp / f"audio{suffix}", failpoint="save.audio-copying")
                except OSError as exc:
                    if not os.path.isfile(audio_src):  # the recording is the problem, not the library
                        raise LibraryError(
                            f"{audio_src}: cannot copy the recording: {exc.strerror or exc}"
                        ) from exc
                    raise
                failpoints.reached("save.audio-copied")
                record["rep"]["audio_file"] = f"audio{suffix}"
                rep_id, final = self._publish(tmp, record, when)
        except OSError as exc:
            raise files.write_error(exc, self.home, "cannot save the rep") from exc
        failpoints.reached("save.published")
        try:
            with self._db() as conn, _write(conn):
                _upsert(conn, record)
        except LibraryError:
            pass  # the rep is safe in its folder; the next read (or a rebuild) indexes it
        failpoints.reached("save.indexed")
        return Rep.from_dict(record, folder=final)

    def write_report(self, rep_id: str, markdown: str) -> Path:
        """Write (or replace) the rep's Markdown report, whole or not at all. Returns its path."""
        path = self.report_path(rep_id)
        _replace_durably(path, markdown)
        return path

    def write_html_report(self, rep_id: str, html: str) -> Path:
        """Write (or replace) the rep's HTML report, whole or not at all. Returns its path."""
        path = self.html_report_path(rep_id)
        _replace_durably(path, html, what="the HTML report")
        return path

    def save_reflection(self, rep_id: str, answers: Mapping[str, str]) -> Path:
        """Write the rep's reflection answers to ``reflection.json``, whole or not at all."""
        path = self.reps_dir / self.resolve(rep_id) / "reflection.json"
        _replace_durably(path, json.dumps(dict(answers), indent=1) + "\n", what="the reflection")
        return path

    def _publish(self, tmp: Path, record: dict[str, Any], when: datetime) -> tuple[str, Path]:
        """Give the rep an unused id and rename its folder into place (the rename is the commit point)."""
        for _ in range(20):
            rep_id = f"{when:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
            final = self.reps_dir / rep_id
            if final.exists():
                continue
            record["rep"]["id"] = rep_id
            result_json = tmp / "result.json"
            result_json.unlink(missing_ok=True)  # written for an id another process took meanwhile
            files.write_new(result_json, json.dumps(record, indent=1) + "\n")
            files.sync_dir(tmp)
            try:
                os.rename(tmp, final)  # fails on an existing non-empty folder: never overwrites a rep
            except OSError as exc:
                if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                    continue  # another process took this id a moment ago
                raise
            files.sync_dir(self.reps_dir)
            return rep_id, final
        raise OSError(errno.EEXIST, "no free rep id")

    def delete(self, rep_id: str) -> str:
        """Delete a rep: its folder (audio, result, report) and its index row. Returns the full id.

        A folder without result.json (its analysis lost, `check` names it) is deleted by its exact name.
        """
        rid = rep_id.strip() if rep_id.strip() in self.orphans() else self.resolve(rep_id)
        folder = self.reps_dir / rid
        try:
            # The rep disappears at once (renamed to a hidden, locked name); its files go after, and
            # a kill part-way leaves a leftover the next start removes.
            with files.removing(folder), self._db() as conn, _write(conn):
                conn.execute("DELETE FROM reps WHERE id = ?", (rid,))
        except OSError as exc:
            raise files.write_error(exc, folder, f"{folder}: cannot delete the rep") from exc
        return rid

    def delete_audio(self, rep_id: str) -> tuple[str, int]:
        """Delete the rep's audio (the copy and any clips) but keep its metrics, transcript and report.

        Returns the full id and the number of audio files removed.
        """
        if rep_id.strip() in self.orphans():  # a folder that lost its result: only its audio to remove
            folder = self.reps_dir / rep_id.strip()
            try:
                found = audio_files(folder)
                for path in found:
                    path.unlink()
            except OSError as exc:
                raise files.write_error(exc, folder, f"{folder}: cannot delete the audio") from exc
            return folder.name, len(found)
        rid = self.resolve(rep_id)
        folder = self.reps_dir / rid
        record = self._read_record(rid)
        removed = 0
        try:
            for path in audio_files(folder, record):
                path.unlink()
                removed += 1
            rep = dict(record.get("rep") or {})
            if rep.get("audio_file") is not None or removed:
                rep["audio_file"] = None
                rep["audio_deleted_at"] = iso_utc(_now())
                record["rep"] = rep
                files.replace(folder / "result.json", json.dumps(record, indent=1) + "\n")
        except OSError as exc:
            raise files.write_error(exc, folder, f"{folder}: cannot delete the audio") from exc
        with self._db() as conn, _write(conn):
            conn.execute("UPDATE reps SET audio_file = NULL WHERE id = ?", (rid,))
        return rid, removed

    def rebuild(self) -> RebuildReport:
        """Recreate the index from the rep folders; a damaged index file is moved aside first. Also makes
        the library private and removes every leftover of a killed save or delete."""
        self._start()
        if not files.writable(self.home):
            raise LibraryWriteError(f"cannot rebuild the index: {self.home} is not writable (read-only?)")
        moved: Path | None = None
        with files.locked(self.home / LOCK_NAME):
            problem = self._index_problem()
            if problem is not None and self.index_path.exists():
                moved = self._move_index_aside()
            records, skipped = self._records()
            with self._db() as conn:
                _reindex(conn, records)
        removed = [left for left in self.leftovers(remove=True, deep=True) if left.removed]
        try:
            self.tighten()
        except OSError as exc:
            raise files.write_error(exc, self.home, "cannot make the library private") from exc
        return RebuildReport(
            indexed=len(records), skipped=tuple(skipped), moved_aside=moved, leftovers_removed=len(removed)
        )

    def _records(self) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
        """Every rep folder's record, and (folder, reason) for those that cannot be read."""
        records, skipped = [], []
        for name in sorted(self._folder_ids()):
            try:
                records.append(self._read_record(name))
            except LibraryError as exc:
                skipped.append((name, str(exc)))
        for name in sorted(self.orphans()):
            skipped.append((name, _orphan_problem(self.reps_dir / name, name)))
        return records, skipped

    def check(self) -> list[str]:
        """Problems with the library, one line each: index integrity, folders the index disagrees with,
        folders that lost their result (and the audio they still hold), missing audio, leftovers of a
        killed save that could not be removed, recordings not saved as reps, and a library other users
        can read."""
        problems: list[str] = list(self.repaired)
        with self._db() as conn:
            problems += [
                f"index: {row[0]}" for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"
            ]
            indexed = {row[0] for row in conn.execute("SELECT id FROM reps")}
        on_disk = self._folder_ids()
        unreadable: list[str] = []
        missing_audio: list[str] = []
        for rid in sorted(on_disk):
            try:
                rep = self._read_rep(rid)
            except LibraryError as exc:
                unreadable.append(rid)
                problems.append(str(exc))
                continue
            if rep.audio_file and rep.folder is not None and not (rep.folder / rep.audio_file).is_file():
                missing_audio.append(f"{rep.folder}: its audio {rep.audio_file} is missing")
        # an unreadable folder is never indexed: its own line says why
        problems += [f"{rid}: folder not in the index" for rid in sorted(on_disk - indexed - set(unreadable))]
        orphans = self.orphans()  # their own line says what is left of them
        problems += [
            f"{rid}: in the index but its folder is gone" for rid in sorted(indexed - on_disk - orphans)
        ]
        problems += missing_audio
        problems += [_orphan_problem(self.reps_dir / name, name) for name in sorted(orphans)]
        for left in self.leftovers(remove=False):
            if not left.in_use:
                problems.append(
                    f"{left.path}: left by a killed reps ({files.megabytes(left.size_bytes)}) and cannot be "
                    f"removed; remove it with: {files.removal_command(left.path)}"
                )
        problems += [_unsaved_problem(rec) for rec in self.unsaved_recordings()]
        mode = stat.S_IMODE(os.lstat(self.home).st_mode) if self.home.is_dir() else 0
        if mode & 0o077:
            problems.append(
                f"{self.home}: other users can open the library (mode {mode:04o}); "
                f"`reps library rebuild` makes it private (or: chmod 700 '{self.home}')"
            )
        return problems

    def orphans(self) -> set[str]:
        """Names of folders in reps/ that are not hidden and hold files but no result.json: a rep whose
        analysis was lost (deleted by hand, a copy cut short), its audio often still inside. (An empty
        folder is nobody's loss and is left alone.)"""
        try:
            return {
                entry.name
                for entry in os.scandir(self.reps_dir)
                if not entry.name.startswith(".")
                and entry.is_dir(follow_symlinks=False)
                and not os.path.lexists(os.path.join(entry.path, "result.json"))
                and files.size_bytes(Path(entry.path)) > 0
            }
        except (FileNotFoundError, NotADirectoryError):
            return set()
        except OSError as exc:
            raise LibraryError(f"{self.reps_dir}: cannot list the reps: {exc.strerror or exc}") from exc

    def leftovers(self, *, remove: bool, deep: bool = False) -> list[files.Leftover]:
        """Hidden temporary entries that a killed reps left in the library (files.leftovers); with
        ``remove``, those no running reps holds are deleted. ``deep`` also looks inside every rep folder
        (a report cut off while it was replaced: a few kB, so only `rebuild` goes there)."""
        found: list[files.Leftover] = []
        for pattern in LEFTOVER_FOLDERS:
            for folder in self.home.glob(pattern) if "*" in pattern else [self.home / pattern]:
                found += files.leftovers(folder, remove=remove)
        for rid in sorted(self._folder_ids()) if deep else ():
            found += files.leftovers(self.reps_dir / rid, remove=remove)
        return found

    def tighten(self) -> int:
        """Make REPS_HOME 0700 and what the library keeps in it (LIBRARY_ENTRIES) 0700 / 0600. Returns
        how many entries changed."""
        changed = int(files.make_private(self.home))
        for name in os.listdir(self.home):
            if name in LIBRARY_ENTRIES or name.startswith((f"{INDEX_NAME}-", f"{INDEX_NAME}.")):
                changed += files.tighten(self.home / name)
        return changed

    # ----------------------------------------------------------------------------------------- reading

    def entries(
        self,
        question_id: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        session_id: str | None = None,
    ) -> list[RepEntry]:
        """Index rows, oldest first. ``question_id`` None: every rep; ``NO_QUESTION``: reps without one.

        ``since`` is inclusive, ``until`` exclusive (naive datetimes are local time); ``limit`` keeps the
        most recent reps; ``session_id`` only the reps of that mock interview.
        """
        where, args = [], []
        if session_id is not None:
            where.append("session_id = ?")
            args.append(session_id)
        if question_id == NO_QUESTION:
            where.append("question_id IS NULL")
        elif question_id is not None:
            where.append("question_id = ?")
            args.append(question_id)
        if since is not None:
            where.append("created_at >= ?")
            args.append(iso_utc(since))
        if until is not None:
            where.append("created_at < ?")
            args.append(iso_utc(until))
        sql = "SELECT id, question_id, created_at, source_path, model, audio_file, session_id FROM reps"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {max(int(limit), 0)}"
        with self._reading() as conn:
            rows = conn.execute(sql, args).fetchall()[::-1]
            metrics: dict[str, dict[str, Any]] = {row[0]: {} for row in rows}
            if rows:
                for rid, name, value in _metric_rows(conn, [row[0] for row in rows]):
                    metrics[rid][name] = value
        return [
            RepEntry(
                id=rid,
                question_id=qid,
                created_at=parse_time(created),
                source_path=source,
                model=model,
                audio_file=audio_file,
                metrics=_ordered_metrics(metrics[rid]),
                reflection=self.reflection(rid),
                session_id=session,
            )
            for rid, qid, created, source, model, audio_file, session in rows
        ]

    def reps(
        self,
        question_id: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        session_id: str | None = None,
    ) -> list[Rep]:
        """The saved reps, oldest first; same filters as `entries`. A folder that cannot be read is left
        out (`check` names it)."""
        out = []
        for entry in self.entries(question_id, since=since, until=until, limit=limit, session_id=session_id):
            try:
                out.append(self._read_rep(entry.id))
            except LibraryError:
                continue  # deleted by another process a moment ago, or unreadable
        return out

    def get(self, rep_id: str) -> Rep:
        """One saved rep; ``rep_id`` may be a unique prefix or "latest"."""
        return self._read_rep(self.resolve(rep_id))

    def reflection(self, rep_id: str) -> Reflection | None:
        """The rep's reflection (``reflection.json``), None when it has none or it cannot be read."""
        path = self.reps_dir / rep_id / "reflection.json"
        try:
            answers = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if not isinstance(answers, dict):
            return None
        return Reflection.of({str(k): str(v) for k, v in answers.items() if isinstance(v, str)}) or None

    def rep_chart_path(self, rep_id: str) -> Path:
        """The rep's own copy of its question's trend chart, as it was when the rep was saved."""
        return self.reps_dir / self.resolve(rep_id) / "chart.png"

    def report_path(self, rep_id: str) -> Path:
        """Where the rep's Markdown report is kept (the file may be missing after a crash)."""
        return self.reps_dir / self.resolve(rep_id) / "report.md"

    def report_text(self, rep_id: str) -> str | None:
        """The rep's Markdown report as it was written; None if it has none."""
        path = self.report_path(rep_id)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise LibraryError(f"{path}: cannot read the report: {exc}") from exc

    def html_report_path(self, rep_id: str) -> Path:
        """Where the rep's HTML report is kept, beside report.md (missing for reps saved before it existed)."""
        return self.reps_dir / self.resolve(rep_id) / "report.html"

    def page_path(self, name: str) -> Path:
        """Where the progress page called ``name`` is kept: ``progress.html`` for the whole library, else
        ``progress/<name>.html`` (a question id, or a span of rep ids)."""
        if not name:
            return self.home / "progress.html"
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "reps"
        return self.home / "progress" / f"{safe}.html"

    def audio_path(self, rep_id: str) -> Path | None:
        """The rep's copy of the recording, or None when it was deleted."""
        rep = self.get(rep_id)
        path = rep.folder / rep.audio_file if rep.folder is not None and rep.audio_file else None
        return path if path is not None and path.is_file() else None

    def chart_path(self, name: str) -> Path:
        """Where the trend chart called ``name`` (a question id, or a span of rep ids) is kept."""
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "reps"
        return self.home / "charts" / f"{safe}.png"

    def last_practised(self) -> dict[str, datetime]:
        """Question id -> time of its latest rep."""
        return {e.question_id: e.created_at for e in self.entries() if e.question_id}  # oldest first

    def unsaved_recordings(self) -> list[WavRepair]:
        """Recordings in ``recordings/`` that are not reps yet (answers a killed, failed or refused
        `reps practice` kept), headers repaired, with their question and time. One that is a rep already
        (the process was killed after saving it, before removing it) is removed."""
        from .wavfile import discard_recording, repair_recordings, working_copy_path

        found = repair_recordings(self.home)
        if not found:
            return []
        try:
            saved = self.source_paths()
        except LibraryError:
            return found
        left = []
        for repair in found:
            if {str(repair.path.resolve()), str(working_copy_path(repair.path).resolve())} & saved:
                with contextlib.suppress(OSError):
                    discard_recording(repair.path)
            else:
                left.append(repair)
        return left

    def source_paths(self) -> set[str]:
        """The recording each rep was made from, as saved (``source_path``)."""
        with self._reading() as conn:
            return {row[0] for row in conn.execute("SELECT source_path FROM reps") if row[0]}

    def question_ids(self) -> list[str]:
        """Every question id with at least one rep, most recently practised last."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT question_id FROM reps WHERE question_id IS NOT NULL "
                "GROUP BY question_id ORDER BY MAX(created_at)"
            ).fetchall()
        return [row[0] for row in rows]

    def resolve(self, rep_id: str) -> str:
        """The full id of a rep from an id, a unique prefix of one, or "latest"."""
        wanted = rep_id.strip()
        ids = sorted(self._folder_ids())
        if wanted in ids:
            return wanted
        if wanted.lower() in ("latest", "last"):
            entries = self.entries(limit=1)
            if not entries:
                raise LibraryError(f"no reps yet in {self.home}; `reps analyze FILE` adds one")
            return entries[0].id
        matches = [rid for rid in ids if wanted and rid.startswith(wanted)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            shown = ", ".join(matches[:4]) + (", ..." if len(matches) > 4 else "")
            raise LibraryError(f"rep id '{wanted}' is ambiguous: {shown}; give more of the id")
        close = difflib.get_close_matches(wanted, ids, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        raise LibraryError(f"no rep '{wanted}' in {self.reps_dir}; {hint}`reps history` lists your reps")

    def export_csv(self, out: IO[str], question_id: str | None = None) -> int:
        """Write every rep's metrics as CSV (one row per rep, oldest first). Returns the row count."""
        entries = self.entries(question_id)
        names = _ordered_names({name for entry in entries for name in entry.metrics})
        writer = csv.writer(out, lineterminator="\n")
        from .models import REFLECTION_QUESTIONS

        keys = [key for key, _ in REFLECTION_QUESTIONS]
        writer.writerow(
            [
                "id",
                "question_id",
                "created_at",
                "source_path",
                "model",
                "has_audio",
                *names,
                *(f"reflection_{key}" for key in keys),
            ]
        )
        for e in entries:
            writer.writerow(
                [
                    e.id,
                    e.question_id or "",
                    iso_utc(e.created_at),
                    e.source_path or "",
                    e.model or "",
                    int(e.audio_file is not None),
                    *(_csv_value(e.metrics.get(n)) for n in names),
                    *((e.reflection.get(key) or "") if e.reflection else "" for key in keys),
                ]
            )
        return len(entries)

    # ----------------------------------------------------------------------------------------- sessions

    def start_session(
        self,
        question_ids: Iterable[str],
        *,
        settings: Mapping[str, Any] | None = None,
        started_at: datetime | None = None,
    ) -> Session:
        """A new mock interview with a fresh id, saved at once (so even a crash leaves its record)."""
        when = (started_at or _now()).astimezone(timezone.utc)
        for _ in range(20):
            session_id = f"{SESSION_PREFIX}{when:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
            try:
                (self.sessions_dir / session_id).mkdir(parents=True)
            except FileExistsError:
                continue  # taken a moment ago
            except OSError as exc:
                raise LibraryError(
                    f"{self.sessions_dir}: cannot save the interview: {exc.strerror or exc}"
                ) from exc
            session = Session(session_id, when, tuple(question_ids), settings=dict(settings or {}))
            self.save_session(session)
            return session
        raise LibraryError(f"{self.sessions_dir}: no free interview id")

    def save_session(self, session: Session) -> Path:
        """Write (or replace) the session's ``session.json``, whole or not at all. Returns its path."""
        folder = self.sessions_dir / session.id
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(f"{folder}: cannot save the interview: {exc.strerror or exc}") from exc
        path = folder / "session.json"
        _replace_durably(path, json.dumps(session.to_dict(), indent=1) + "\n", what="the interview")
        return path

    def sessions(self) -> list[Session]:
        """Every mock interview, oldest first. One whose file cannot be read is left out."""
        out = []
        for session_id in self._session_ids():
            with contextlib.suppress(LibraryError):
                out.append(self._read_session(session_id))
        return sorted(out, key=lambda s: (s.started_at, s.id))

    def get_session(self, session_id: str) -> Session:
        """One mock interview; ``session_id`` may be a unique prefix of its id, or "latest-session"."""
        return self._read_session(self.resolve_session(session_id))

    def resolve_session(self, session_id: str) -> str:
        """The full id of a session from its id, a unique prefix of one, or "latest-session"."""
        wanted = session_id.strip()
        ids = sorted(self._session_ids())
        if wanted in ids:
            return wanted
        if wanted.lower() == LATEST_SESSION:
            found = self.sessions()
            if not found:
                raise LibraryError(f"no interviews yet in {self.home}; `reps interview` starts one")
            return found[-1].id
        matches = [sid for sid in ids if wanted and sid.startswith(wanted)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            shown = ", ".join(matches[:4]) + (", ..." if len(matches) > 4 else "")
            raise LibraryError(f"interview id '{wanted}' is ambiguous: {shown}; give more of the id")
        close = difflib.get_close_matches(wanted, ids, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        raise LibraryError(
            f"no interview '{wanted}' in {self.sessions_dir}; {hint}`reps sessions` lists your interviews"
        )

    def delete_session(self, session_id: str) -> str:
        """Delete a mock interview's record (its reflection and plan; its reps are deleted one by one
        with ``delete``). Returns the full id."""
        sid = self.resolve_session(session_id)
        folder = self.sessions_dir / sid
        try:
            # gone at once (a hidden, locked name); its files go after, a kill part-way leaves a leftover
            with files.removing(folder):
                pass
        except OSError as exc:
            raise files.write_error(exc, folder, f"{folder}: cannot delete the interview") from exc
        return sid

    def session_page_path(self, session_id: str) -> Path:
        """Where the session's HTML page is kept (written by ``pages.write_session_page``)."""
        return self.sessions_dir / self.resolve_session(session_id) / "summary.html"

    def _session_ids(self) -> set[str]:
        try:
            return {
                entry.name
                for entry in os.scandir(self.sessions_dir)
                if entry.name.startswith(SESSION_PREFIX)
                and entry.is_dir(follow_symlinks=False)
                and os.path.isfile(os.path.join(entry.path, "session.json"))
            }
        except FileNotFoundError:
            return set()
        except OSError as exc:
            raise LibraryError(
                f"{self.sessions_dir}: cannot list the interviews: {exc.strerror or exc}"
            ) from exc

    def _read_session(self, session_id: str) -> Session:
        path = self.sessions_dir / session_id / "session.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return Session.from_dict({**data, "id": session_id})
        except FileNotFoundError as exc:
            raise LibraryError(f"{path.parent}: the interview is gone (deleted?)") from exc
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise LibraryError(
                f"{path}: unreadable interview ({exc}); delete the folder or restore it"
            ) from exc

    # ---------------------------------------------------------------------------------------- internals

    def _folder_ids(self) -> set[str]:
        """Names of the complete rep folders (hidden .tmp-/.trash- folders are never reps)."""
        try:
            return {
                entry.name
                for entry in os.scandir(self.reps_dir)
                if not entry.name.startswith(".")
                and entry.is_dir(follow_symlinks=False)
                and os.path.isfile(os.path.join(entry.path, "result.json"))
            }
        except FileNotFoundError:
            return set()
        except OSError as exc:
            raise LibraryError(f"{self.reps_dir}: cannot list the reps: {exc.strerror or exc}") from exc

    def _read_rep(self, rep_id: str) -> Rep:
        record = self._read_record(rep_id)
        folder = self.reps_dir / rep_id
        reflection = self.reflection(rep_id)
        if reflection:
            record["rep"]["reflection"] = reflection.to_dict()
        try:
            return Rep.from_dict(record, folder=folder)
        except ValueError as exc:
            raise LibraryError(
                f"{folder / 'result.json'}: unreadable result ({exc}); delete the folder or restore it"
            ) from exc

    def _read_record(self, rep_id: str) -> dict[str, Any]:
        """result.json as saved (the index is built from these), its "rep" object filled in."""
        path = self.reps_dir / rep_id / "result.json"
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            if path.parent.is_dir():
                raise LibraryError(_orphan_problem(path.parent, rep_id)) from exc
            raise LibraryError(f"{path.parent}: the rep is gone (deleted?)") from exc
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise LibraryError(f"{path}: unreadable result ({exc}); delete the folder or restore it") from exc
        if not isinstance(record, dict):
            raise LibraryError(f"{path}: not a result object")
        # Folders written before the "rep" object existed, or edited by hand: fill it from the folder name.
        rep = dict(record.get("rep") or {})
        rep["id"] = rep_id
        rep.setdefault("question_id", None)
        rep["created_at"] = _normal_time(rep.get("created_at"), rep_id)
        rep.setdefault("source_path", (record.get("audio") or {}).get("path"))
        rep.setdefault("audio_file", None)
        record["rep"] = rep
        return record

    def _sync(self, conn: sqlite3.Connection) -> None:
        """Bring the index in line with the folders: add reps it lacks, drop reps whose folder is gone."""
        indexed = {row[0] for row in conn.execute("SELECT id FROM reps")}  # read before listing: see below
        if indexed == self._folder_ids():
            return
        with _write(conn):
            # Under the write lock, read the index before listing folders: a save renames its folder
            # before it writes its row, so a row can never be seen without its folder while it is saved.
            indexed = {row[0] for row in conn.execute("SELECT id FROM reps")}
            on_disk = self._folder_ids()
            for rid in indexed - on_disk:
                conn.execute("DELETE FROM reps WHERE id = ?", (rid,))
            for rid in sorted(on_disk - indexed):
                try:
                    _upsert(conn, self._read_record(rid))
                except LibraryError:
                    continue  # unreadable folder: `reps library check` names it

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The index in line with the folders, to read from. When it cannot be written to (a full disk),
        a copy in memory is brought in line instead: every rep is still listed."""
        with self._db() as conn:
            reader = conn
            try:
                self._sync(conn)
            except sqlite3.OperationalError as exc:
                if not _cannot_write(exc):
                    raise
                reader = _in_memory(conn)
                self._sync(reader)
            try:
                yield reader
            finally:
                if reader is not conn:
                    reader.close()

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection to the index: WAL, busy timeout, schema migrated to INDEX_VERSION.

        A library that cannot be written (a read-only disk or folder) is read through a copy of its
        index in memory (``read_only`` turns True). A damaged index is moved aside and rebuilt from the
        rep folders, which hold everything it holds, with a RepsWarning saying so.
        """
        self._start()
        conn = self._connect()
        try:
            yield conn
        except sqlite3.OperationalError as exc:
            raise self._error(exc) from exc
        except sqlite3.DatabaseError as exc:
            raise LibraryError(_damaged(self.index_path, exc)) from exc
        finally:
            conn.close()

    def _connect(self) -> sqlite3.Connection:
        if self.read_only or (self.home.exists() and not files.writable(self.home)):
            return self._snapshot()
        try:
            return self._open()
        except _Damaged as damaged:
            if self.repaired:  # rebuilt once already by this Library: say so rather than loop
                raise LibraryError(_damaged(self.index_path, damaged.cause)) from damaged.cause
            self._recover(damaged.cause)
            return self._open()

    def _open(self) -> sqlite3.Connection:
        if os.path.lexists(self.index_path) and not self.index_path.is_file():  # a folder, a dangling link
            raise _Damaged(sqlite3.DatabaseError("not a file"))
        try:
            files.private_dir(self.home)
            if not self.index_path.exists():
                # Made private here: SQLite gives its -wal and -shm files the mode of the index.
                with contextlib.suppress(FileExistsError):
                    os.close(files.open_new(self.index_path))
            conn = sqlite3.connect(self.index_path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except OSError as exc:
            if _read_only_os_error(exc):
                return self._snapshot()
            raise LibraryError(
                f"{self.index_path}: cannot open the library index: {exc.strerror or exc}"
            ) from exc
        except sqlite3.Error as exc:
            raise LibraryError(f"{self.index_path}: cannot open the library index: {exc}") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            # WAL: readers never block the writer, and a killed writer leaves the last commit intact.
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; the folders are the real record
            conn.execute("PRAGMA foreign_keys = ON")
            _migrate(conn, self.index_path)
            if not self._checked:  # once per Library: damage found now is repaired before any read
                self._checked = True
                rows = [row[0] for row in conn.execute("PRAGMA quick_check")]
                if rows != ["ok"]:
                    raise sqlite3.DatabaseError("; ".join(rows[:3]))
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if _cannot_write(exc) or _disk_full(self.home, exc):
                return self._snapshot()
            if _busy(exc):
                raise self._error(exc) from exc
            raise _Damaged(exc) from exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _Damaged(exc) from exc
        except BaseException:
            conn.close()
            raise

    def _snapshot(self) -> sqlite3.Connection:
        """The index copied into memory, for a library that cannot be written: every read works (and is
        brought in line with the folders in memory); nothing is written."""
        self.read_only = True
        mem = sqlite3.connect(":memory:", isolation_level=None)
        if self.index_path.is_file():
            try:
                # immutable: no -shm or lock file is needed, which a read-only folder could not hold
                disk = sqlite3.connect(f"{self.index_path.resolve().as_uri()}?immutable=1", uri=True)
                try:
                    disk.backup(mem)
                finally:
                    disk.close()
            except sqlite3.DatabaseError:  # damaged too: the folders alone
                mem.close()
                mem = sqlite3.connect(":memory:", isolation_level=None)
        try:
            _migrate(mem, self.index_path)
        except BaseException:
            mem.close()
            raise
        return mem

    def _error(self, exc: sqlite3.OperationalError) -> LibraryError:
        if _busy(exc):
            return LibraryError(
                f"{self.index_path}: the library is busy (another reps is writing); try again"
            )
        if "full" in str(exc):
            return LibraryWriteError(
                f"cannot write the library index: the disk holding {self.home} is full "
                f"({files.megabytes(files.free_bytes(self.home))} free)"
            )
        if _cannot_write(exc):
            return LibraryWriteError(f"cannot write the library index: {self.index_path} is read-only")
        return LibraryError(_damaged(self.index_path, exc))

    def _index_problem(self) -> str | None:
        """What is wrong with the index file (None: it opens and passes SQLite's quick check, or there
        is none yet)."""
        if not os.path.lexists(self.index_path):
            return None
        try:
            conn = sqlite3.connect(self.index_path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                rows = [row[0] for row in conn.execute("PRAGMA quick_check")]
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and _busy(exc):
                return None  # busy is not damage
            return str(exc)
        return None if rows == ["ok"] else "; ".join(rows[:3])

    def _move_index_aside(self) -> Path:
        moved = self.home / f"{INDEX_NAME}.damaged-{_now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        try:
            os.replace(self.index_path, moved)
            for side in ("-wal", "-shm"):  # a stale WAL must never be replayed onto the new file
                with contextlib.suppress(FileNotFoundError):
                    os.remove(f"{self.index_path}{side}")
        except OSError as exc:
            raise files.write_error(
                exc, self.home, f"{self.index_path}: cannot move the damaged index aside"
            ) from exc
        return moved

    def _recover(self, cause: Exception) -> None:
        """Move a damaged index aside and rebuild it from the rep folders (under the index lock, so that
        of two processes finding the damage only one rebuilds)."""
        moved = None
        with files.locked(self.home / LOCK_NAME):
            if self._index_problem() is not None:
                moved = self._move_index_aside()
                records, _ = self._records()
                conn = self._open()
                try:
                    _reindex(conn, records)
                finally:
                    conn.close()
        if moved is None:
            return  # another reps rebuilt it a moment ago
        message = (
            f"{self.index_path}: the library index was damaged ({_first_line(cause)}); it was rebuilt from "
            f"the rep folders, so nothing is lost (the damaged file is kept at {moved})"
        )
        self.repaired.append(message)
        warnings.warn(message, RepsWarning, stacklevel=2)


class _Damaged(Exception):
    def __init__(self, cause: sqlite3.DatabaseError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _busy(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _cannot_write(exc: sqlite3.Error) -> bool:
    """A write the index refused for want of permission or space (not damage)."""
    text = str(exc)
    return "readonly" in text or "read-only" in text or "full" in text or "unable to open" in text


# SQLite reports a write that found no room as "disk I/O error" when it was its -wal or -shm file
# (SQLITE_IOERR, not SQLITE_FULL): with less room than this left, that is the disk full, not damage.
_FULL_DISK_BYTES = 1_000_000


def _disk_full(folder: Path, exc: sqlite3.Error) -> bool:
    return "disk I/O error" in str(exc) and files.free_bytes(folder) < _FULL_DISK_BYTES


def _read_only_os_error(exc: OSError) -> bool:
    return exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC)


def _in_memory(conn: sqlite3.Connection) -> sqlite3.Connection:
    mem = sqlite3.connect(":memory:", isolation_level=None)
    conn.backup(mem)
    return mem


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _audio_suffix(path: Path) -> str:
    """The suffix the rep's copy of the recording keeps: the recording's own when it is a sane one."""
    suffix = path.suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ".wav"


def audio_files(folder: Path, record: Mapping[str, Any] | None = None) -> list[Path]:
    """Every audio file in a rep folder, whatever its format: the copy the rep names, anything called
    audio.*, everything in clips/, and any other file whose suffix or first bytes say audio or video."""
    named = (record or {}).get("rep", {}).get("audio_file") if record else None
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        relative = path.relative_to(folder)
        if relative.parts[0] in _REP_TEXT_FILES or files.is_temporary(path.name):
            continue
        if (
            (named and relative.as_posix() == named)
            or path.name.startswith("audio.")
            or relative.parts[0] == "clips"
            or path.suffix.lower() in AUDIO_SUFFIXES
            or _is_media(path)
        ):
            found.append(path)
    return found


# First bytes of the containers the decoder reads (RIFF: WAV/AVI; FORM: AIFF; EBML: MKV/WebM; ...).
_MEDIA_MAGIC = (
    b"RIFF",
    b"fLaC",
    b"ID3",
    b"OggS",
    b"FORM",
    b"\x1aE\xdf\xa3",
    b"#!AMR",
    b"caff",
    b"wvpk",
    b"MAC ",
    b".snd",
    b"0&\xb2u\x8ef\xcf\x11",
)


def _is_media(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        return False
    if head.startswith(_MEDIA_MAGIC) or head[4:8] == b"ftyp":  # ftyp: MP4, M4A, MOV, 3GP
        return True
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0  # an MPEG audio frame (MP3, AAC)


def _unsaved_problem(rec: WavRepair) -> str:
    """`check`'s line for a recording that is not a rep yet: what it is, how to save or remove it."""
    from .text import clock
    from .wavfile import note_path, save_command

    question = f" to {rec.question_id}" if rec.question_id else ""
    remove = " ".join(f"'{p}'" for p in (rec.path, note_path(rec.path)) if p.exists())
    return (
        f"{rec.path}: a recording ({clock(rec.duration_s)}) of an answer{question}, not saved as a rep; "
        f"save it with: {save_command(rec)}  (or remove it: rm {remove})"
    )


def _orphan_problem(folder: Path, name: str) -> str:
    audio = audio_files(folder)
    held = (
        f"; it still holds {len(audio)} audio file{'s' if len(audio) != 1 else ''} ({files.megabytes(sum(p.stat().st_size for p in audio))})"
        if audio
        else ""
    )
    hint = f"analyze it again with `reps analyze {audio[0]}`, or " if audio else ""
    return f"{folder}: no result.json, so it is not a rep{held}; {hint}remove it with `reps delete {name}`"


def day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Local calendar days to [start, end) datetimes: ``until`` includes that whole day."""
    start = datetime.combine(since, dtime()).astimezone() if since is not None else None
    end = datetime.combine(until + timedelta(days=1), dtime()).astimezone() if until is not None else None
    return start, end


# -------------------------------------------------------------------------------------------- schema

_V1 = """
CREATE TABLE reps (
    id TEXT PRIMARY KEY,
    question_id TEXT,
    created_at TEXT NOT NULL,
    source_path TEXT,
    model TEXT,
    metrics_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX reps_question_time ON reps (question_id, created_at);
"""

_V2 = """
CREATE TABLE reps_v2 (
    id TEXT PRIMARY KEY,
    question_id TEXT,
    created_at TEXT NOT NULL,
    source_path TEXT,
    model TEXT,
    audio_file TEXT
);
INSERT INTO reps_v2 (id, question_id, created_at, source_path, model)
    SELECT id, question_id, created_at, source_path, model FROM reps;
-- no declared type on value: integers stay integers (counts), floats stay floats
CREATE TABLE metrics (
    rep_id TEXT NOT NULL REFERENCES reps (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value,
    PRIMARY KEY (rep_id, name)
) WITHOUT ROWID;
CREATE TEMP TABLE v1_metrics AS SELECT id, metrics_json FROM reps;
DROP TABLE reps;
ALTER TABLE reps_v2 RENAME TO reps;
CREATE INDEX reps_question_time ON reps (question_id, created_at);
CREATE INDEX reps_time ON reps (created_at);
"""


def _migrate_v2(conn: sqlite3.Connection, index_path: Path) -> None:
    _run_script(conn, _V2)
    # Metrics move from the JSON column into their own table (parsed here: JSON1 is not everywhere).
    for rid, text in conn.execute("SELECT id, metrics_json FROM temp.v1_metrics").fetchall():
        try:
            metrics = json.loads(text or "{}")
        except ValueError:
            metrics = {}
        _insert_metrics(conn, rid, metrics if isinstance(metrics, dict) else {})
    conn.execute("DROP TABLE temp.v1_metrics")
    # v1 did not record the audio file; the rep folders know it.
    reps_dir = index_path.parent / "reps"
    for (rid,) in conn.execute("SELECT id FROM reps").fetchall():
        audio = _saved_rep_field(reps_dir, rid, "audio_file")
        conn.execute("UPDATE reps SET audio_file = ? WHERE id = ?", (audio, rid))


def _saved_rep_field(reps_dir: Path, rep_id: str, key: str) -> Any:
    """``key`` of the "rep" part of a rep folder's result.json (None when it cannot be read): what an
    index migration learns from the folders."""
    try:
        record = json.loads((reps_dir / rep_id / "result.json").read_text(encoding="utf-8"))
        return (record.get("rep") or {}).get(key)
    except (OSError, ValueError, AttributeError):
        return None


def _migrate_v1(conn: sqlite3.Connection, index_path: Path) -> None:
    _run_script(conn, _V1)


def _migrate_v3(conn: sqlite3.Connection, index_path: Path) -> None:
    conn.execute("ALTER TABLE reps ADD COLUMN session_id TEXT")
    conn.execute("CREATE INDEX reps_session ON reps (session_id)")
    # Reps saved before v3 were given outside any interview, unless a newer reps wrote them.
    reps_dir = index_path.parent / "reps"
    for (rid,) in conn.execute("SELECT id FROM reps").fetchall():
        session = _saved_rep_field(reps_dir, rid, "session_id")
        if session:
            conn.execute("UPDATE reps SET session_id = ? WHERE id = ?", (str(session), rid))


# Each step takes the index from version n-1 to n, inside the caller's transaction.
_MIGRATIONS = {1: _migrate_v1, 2: _migrate_v2, 3: _migrate_v3}


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT the open transaction; run statement by statement instead.
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    for statement in "\n".join(lines).split(";"):
        if statement.strip():
            conn.execute(statement)


def _migrate(conn: sqlite3.Connection, index_path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == INDEX_VERSION:
        return
    if version > INDEX_VERSION:
        raise LibraryError(
            f"{index_path}: written by a newer reps (index version {version}, this reps knows {INDEX_VERSION}); "
            "upgrade reps, or run `reps library rebuild`"
        )
    with _write(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated it
        for step in range(version + 1, INDEX_VERSION + 1):
            _MIGRATIONS[step](conn, index_path)
        conn.execute(f"PRAGMA user_version = {INDEX_VERSION}")


@contextlib.contextmanager
def _write(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction; BEGIN IMMEDIATE takes the write lock up front (waits out the busy timeout)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _reindex(conn: sqlite3.Connection, records: Iterable[dict[str, Any]]) -> None:
    """Replace every row of the index with these records (the rep folders' result.json), in one
    transaction: `rebuild`, and the repair of a damaged index."""
    with _write(conn):
        conn.execute("DELETE FROM metrics")
        conn.execute("DELETE FROM reps")
        for record in records:
            _upsert(conn, record)


def _upsert(conn: sqlite3.Connection, record: dict[str, Any]) -> None:
    rep = record.get("rep") or {}
    rid = rep["id"]
    conn.execute(
        "INSERT INTO reps (id, question_id, created_at, source_path, model, audio_file, session_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET question_id = excluded.question_id, "
        "created_at = excluded.created_at, source_path = excluded.source_path, model = excluded.model, "
        "audio_file = excluded.audio_file, session_id = excluded.session_id",
        (
            rid,
            rep.get("question_id") or None,
            _normal_time(rep.get("created_at"), rid),
            rep.get("source_path"),
            (record.get("model") or {}).get("name"),
            rep.get("audio_file"),
            rep.get("session_id") or None,
        ),
    )
    conn.execute("DELETE FROM metrics WHERE rep_id = ?", (rid,))
    _insert_metrics(conn, rid, record.get("metrics") or {})


def _insert_metrics(conn: sqlite3.Connection, rid: str, metrics: dict[str, Any]) -> None:
    rows = [
        (rid, str(name), value)
        for name, value in metrics.items()
        if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
    ]
    conn.executemany("INSERT OR REPLACE INTO metrics (rep_id, name, value) VALUES (?, ?, ?)", rows)


def _metric_rows(conn: sqlite3.Connection, ids: list[str]) -> Iterable[tuple[str, str, Any]]:
    for i in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        yield from conn.execute(f"SELECT rep_id, name, value FROM metrics WHERE rep_id IN ({marks})", chunk)


def _ordered_names(names: Iterable[str]) -> list[str]:
    """Metric names in the order of ``models.Metrics``, unknown ones (newer versions) after, sorted."""
    known = [f.name for f in fields(Metrics)]
    names = set(names)
    return [n for n in known if n in names] + sorted(names - set(known))


def _ordered_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    return {name: metrics[name] for name in _ordered_names(metrics)}


def _csv_value(value: Any) -> str:
    return "" if value is None else str(value)


def _damaged(path: Path, exc: Exception) -> str:
    return f"{path}: the library index is damaged ({exc}); run `reps library rebuild` (your reps are safe in their folders)"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _normal_time(value: Any, rep_id: str) -> str:
    """An ISO 8601 UTC time for the index; falls back to the time in the rep id (YYYYmmdd-HHMMSS-...)."""
    if isinstance(value, str) and value:
        try:
            return iso_utc(parse_time(value))
        except ValueError:
            pass
    try:
        return iso_utc(datetime.strptime(rep_id[:15], "%Y%m%d-%H%M%S").replace(tzinfo=timezone.utc))
    except ValueError:
        return "1970-01-01T00:00:00+00:00"


def _replace_durably(path: Path, text: str, *, what: str = "") -> None:
    """Write ``path`` (a file of the library) whole or not at all, private, synced (files.replace);
    a failure is one LibraryWriteError naming the folder and why."""
    try:
        files.replace(path, text)
    except OSError as exc:
        raise files.write_error(exc, path.parent, f"cannot save {what or path.name}") from exc
