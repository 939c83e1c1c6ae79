"""The practice library: rep folders, the SQLite index, migration, concurrency and crash safety."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime, timedelta, timezone
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from interview_reps import store
from interview_reps.errors import LibraryError
from interview_reps.models import Filler, Metrics, PaceWindow, Pause, Rep, Result, Word
from interview_reps.store import INDEX_VERSION, NO_QUESTION, Library

DAY1 = datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc)


def make_result(
    *,
    wpm: float = 150.0,
    fillers: Sequence[tuple[str, float]] = (),
    pauses: Sequence[tuple[float, float]] = (),
    words: Sequence[tuple] = (),
    pace: Sequence[float] = (),
    first_word_s: float = 0.5,
    duration_s: float = 60.0,
    **metrics: float,
) -> Result:
    """A plausible result built with the real dataclasses.

    ``fillers``: (text, start); ``pauses``: (start, duration); ``words``: (text, start, end[, filler]);
    ``pace``: wpm of consecutive 15 s windows; ``metrics``: overrides of any Metrics field.
    """
    filler_objs = tuple(
        Filler(
            text,
            start,
            start + 0.3,
            "filled_pause" if text in ("um", "uh") else "discourse_marker",
            "transcript",
        )
        for text, start in fillers
    )
    pause_objs = tuple(Pause(start, start + length, "clause") for start, length in pauses)
    word_objs = tuple(
        Word(w[0], w[1], w[2], kind="filled_pause" if w[3:4] and w[3] else "word") for w in words
    )
    minutes = duration_s / 60
    values = {
        "duration_s": duration_s,
        "speaking_time_s": duration_s * 0.8,
        "time_to_first_word_s": first_word_s,
        "word_count": int(wpm * minutes),
        "wpm": wpm,
        "articulation_rate": 4.5,
        "filled_pause_count": sum(f.kind == "filled_pause" for f in filler_objs),
        "discourse_marker_count": sum(f.kind == "discourse_marker" for f in filler_objs),
        "fillers_per_min": round(len(filler_objs) / minutes, 3),
        "pause_count": len(pause_objs),
        "long_pause_count": sum(p.duration_s >= 2.0 for p in pause_objs),
        "longest_pause_s": max((p.duration_s for p in pause_objs), default=0.0),
        "pitch_variation_st": 3.0,
        "speaking_span_s": duration_s - first_word_s - 1.0,
        "answer_length_s": duration_s - 1.0,  # first word + speaking span: the last word ends 1 s early
    }
    values.update(metrics)
    windows = tuple(PaceWindow(i * 15.0, (i + 1) * 15.0, w) for i, w in enumerate(pace))
    result = Result(
        audio_path="/recordings/take.wav",
        duration_s=duration_s,
        model_name="tiny.en",
        transcript=" ".join(w.text for w in word_objs),
        words=word_objs,
        fillers=filler_objs,
        pauses=pause_objs,
        metrics=Metrics(**values),
        feedback=(),
        pace_windows=windows,
    )
    return result


def write_wav(path: Path) -> Path:
    """A real, tiny WAV: 0.2 s of a 220 Hz tone at 16 kHz."""
    t = np.arange(3200) / 16000
    sf.write(path, (0.1 * np.sin(2 * np.pi * 220 * t)).astype("float32"), 16000)
    return path


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "take.wav")


def save(
    library: Library,
    wav: Path,
    result: Result | None = None,
    *,
    day: int = 0,
    question: str | None = "q1",
    **kw,
) -> Rep:
    """Save a rep on day ``day`` with a one-line report, as the pipeline does (save, then report)."""
    rep = library.save(
        result or make_result(**kw), question_id=question, created_at=DAY1 + timedelta(days=day), audio=wav
    )
    library.write_report(rep.id, f"# Rep on day {day}\n")
    return rep


def test_save_rep_writes_the_folder_and_the_index(reps_home: Path, wav: Path) -> None:
    library = Library()
    saved = save(library, wav, wpm=141.25, fillers=[("um", 3.0), ("like", 9.0)])
    assert saved.folder == reps_home / "reps" / saved.id
    assert saved.created_at == DAY1 and saved.question_id == "q1" and saved.result.metrics.wpm == 141.25
    assert sorted(p.name for p in saved.folder.iterdir()) == ["audio.wav", "report.md", "result.json"]
    assert (saved.folder / "audio.wav").read_bytes() == wav.read_bytes()
    record = json.loads((saved.folder / "result.json").read_text())
    assert record["schema"] == 1
    assert record["rep"] == {
        "id": saved.id,
        "question_id": "q1",
        "created_at": "2024-05-01T09:30:00+00:00",
        "source_path": "/recordings/take.wav",
        "audio_file": "audio.wav",
    }
    with sqlite3.connect(reps_home / "library.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == INDEX_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        row = conn.execute("SELECT id, question_id, created_at, model, audio_file FROM reps").fetchone()
        assert row == (saved.id, "q1", "2024-05-01T09:30:00+00:00", "tiny.en", "audio.wav")
    [entry] = library.entries()
    # every metric is in the index, counts stay integers
    assert entry.metrics == record["metrics"]
    assert entry.metrics["wpm"] == 141.25
    assert entry.metrics["filled_pause_count"] == 1 and isinstance(entry.metrics["filled_pause_count"], int)


def test_a_saved_rep_reads_back_as_it_was_saved(
    wav: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    library = Library("~/reps")  # any folder, ~ expanded
    assert library.home == tmp_path / "reps"
    saved = save(library, wav, wpm=141.25, fillers=[("um", 3.0)], pauses=[(2.0, 1.6)], pace=[150, 170])
    again = library.get(saved.id)
    assert again.to_dict() == saved.to_dict() == json.loads((saved.folder / "result.json").read_text())
    assert again.folder == saved.folder and again.created_at == DAY1
    assert Result.from_dict(again.to_dict()).to_dict() == again.result.to_dict()
    path = library.save_reflection(saved.id[:11], {"stumped": "the opening", "story_gap": ""})
    assert json.loads(path.read_text()) == {"stumped": "the opening", "story_gap": ""}
    assert sorted(p.name for p in saved.folder.iterdir()) == [
        "audio.wav",
        "reflection.json",
        "report.md",
        "result.json",
    ]


def test_a_folder_that_is_not_a_rep_is_named_by_check(wav: Path) -> None:
    library = Library()
    save(library, wav)
    odd = library.reps_dir / "20240502-000000-beef"
    odd.mkdir()
    (odd / "result.json").write_text(json.dumps({"schema": 1, "rep": {"id": odd.name}}))
    assert len(library.entries()) == 2  # the index lists it ...
    assert len(library.reps()) == 1  # ... but it holds no result
    [problem] = library.check()
    assert problem.startswith(
        f"{odd / 'result.json'}: unreadable result (not a schema-1 result (missing 'audio'))"
    )


def test_results_are_oldest_first_and_filter_by_question_date_and_limit(wav: Path) -> None:
    library = Library()
    ids = [
        save(library, wav, day=d, question=q, wpm=100 + d).id
        for d, q in [(2, "q1"), (0, "q1"), (1, "q2"), (3, None)]
    ]
    assert [e.id for e in library.entries()] == [ids[1], ids[2], ids[0], ids[3]]
    assert [r.id for r in library.reps("q1")] == [ids[1], ids[0]]
    assert [r.result.metrics.wpm for r in library.reps(question_id="q1")] == [100, 102]
    assert [r.id for r in library.reps(NO_QUESTION)] == [ids[3]]
    assert [e.id for e in library.entries(NO_QUESTION)] == [ids[3]]
    assert [e.id for e in library.entries(since=DAY1 + timedelta(days=1))] == [ids[2], ids[0], ids[3]]
    assert [e.id for e in library.entries(until=DAY1 + timedelta(days=1))] == [ids[1]]
    # limit keeps the most recent, still oldest first
    assert [e.id for e in library.entries(limit=2)] == [ids[0], ids[3]]
    assert library.question_ids() == ["q2", "q1"]


def test_day_range_includes_the_whole_until_day() -> None:
    start, end = store.day_range(datetime(2024, 5, 1).date(), datetime(2024, 5, 3).date())
    assert start == datetime(2024, 5, 1).astimezone()
    assert end == datetime(2024, 5, 4).astimezone()


def test_get_by_prefix_latest_and_helpful_errors(wav: Path) -> None:
    library = Library()
    a = save(library, wav, day=0).id
    b = save(library, wav, day=1).id
    assert library.get(a).id == a
    assert library.get(b[:11]).id == b  # "20240502-09" is unique
    assert library.get("latest").id == b
    assert library.report_path(a).read_text() == "# Rep on day 0\n"
    assert library.report_text(b) == "# Rep on day 1\n"
    assert library.audio_path(a) == library.reps_dir / a / "audio.wav"
    with pytest.raises(LibraryError, match="ambiguous"):
        library.get("2024050")
    with pytest.raises(LibraryError, match=rf"did you mean {a}\?.*reps history"):
        library.get(a[:-1] + "x")
    with pytest.raises(LibraryError, match="no rep"):
        library.get("../../etc/passwd")


def test_a_folder_missing_from_the_index_is_picked_up_on_read(reps_home: Path, wav: Path) -> None:
    library = Library()
    a = save(library, wav, day=0).id
    b = save(library, wav, day=1).id
    with sqlite3.connect(reps_home / "library.sqlite3") as conn:  # as if the process died after the rename
        conn.execute("DELETE FROM reps WHERE id = ?", (b,))
    assert [e.id for e in library.entries()] == [a, b]
    assert library.entries()[1].metrics["wpm"] == 150
    # and a folder removed by hand leaves the index too
    import shutil

    shutil.rmtree(reps_home / "reps" / a)
    assert [e.id for e in library.entries()] == [b]
    assert library.check() == []


def test_ids_never_collide(monkeypatch: pytest.MonkeyPatch, reps_home: Path, wav: Path) -> None:
    library = Library()
    first = save(library, wav)
    tokens = iter([first.id[-4:], first.id[-4:], "beef"])
    real = store.secrets.token_hex
    monkeypatch.setattr(store.secrets, "token_hex", lambda n: next(tokens) if n == 2 else real(n))
    second = save(library, wav, wpm=120)
    assert second.id == first.id[:-4] + "beef"
    assert library.get(first.id).result.metrics.wpm == 150
    assert library.get(second.id).result.metrics.wpm == 120


def test_delete_and_delete_audio(reps_home: Path, wav: Path) -> None:
    library = Library()
    a = save(library, wav, day=0).id
    b = save(library, wav, day=1).id
    clips = library.reps_dir / b / "clips"
    clips.mkdir()
    (clips / "filler-1.wav").write_bytes(wav.read_bytes())
    assert library.delete_audio(b) == (b, 2)
    assert not (library.reps_dir / b / "audio.wav").exists() and not (clips / "filler-1.wav").exists()
    assert library.audio_path(b) is None
    kept = library.get(b)
    assert kept.result.metrics.wpm == 150 and kept.audio_file is None and kept.audio_deleted_at is not None
    assert (library.reps_dir / b / "report.md").exists()
    assert [e.audio_file for e in library.entries()] == ["audio.wav", None]
    assert library.delete(a) == a
    assert not (library.reps_dir / a).exists()
    assert [e.id for e in library.entries()] == [b]
    assert [p.name for p in library.reps_dir.iterdir()] == [b]
    with pytest.raises(LibraryError, match="no rep"):
        library.get(a)


def test_export_csv(wav: Path) -> None:
    library = Library()
    a = save(library, wav, day=0, wpm=130.5, fillers=[("um", 2.0)]).id
    save(library, wav, day=1, question=None)
    out = StringIO()
    assert library.export_csv(out) == 2
    import csv

    rows = list(csv.DictReader(StringIO(out.getvalue())))
    assert list(rows[0])[:7] == [
        "id",
        "question_id",
        "created_at",
        "source_path",
        "model",
        "has_audio",
        "duration_s",
    ]
    assert rows[0]["id"] == a and rows[0]["wpm"] == "130.5" and rows[0]["filled_pause_count"] == "1"
    assert rows[0]["has_audio"] == "1" and rows[1]["question_id"] == ""
    assert rows[0]["pitch_variation_st"] == "3.0" and rows[0]["loudness_variation_db"] == ""


def test_rebuild_recreates_the_index_from_the_folders(reps_home: Path, wav: Path) -> None:
    library = Library()
    ids = [save(library, wav, day=d).id for d in range(3)]
    for name in os.listdir(reps_home):
        if name.startswith("library.sqlite3"):
            os.remove(reps_home / name)
    (library.reps_dir / "notes").mkdir()  # not a rep: no result.json
    report = library.rebuild()
    assert report.indexed == 3 and report.moved_aside is None and report.skipped == ()
    assert [e.id for e in library.entries()] == ids


def test_a_damaged_index_is_rebuilt_from_the_folders_at_first_use(reps_home: Path, wav: Path) -> None:
    """The folders hold everything the index holds: a damaged index is moved aside (kept for
    inspection) and rebuilt, with a warning, and nothing is lost."""
    library = Library()
    ids = [save(library, wav, day=d).id for d in range(2)]
    for name in os.listdir(reps_home):
        if name.startswith("library.sqlite3-"):
            os.remove(reps_home / name)
    (reps_home / "library.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.warns(store.RepsWarning, match="index was damaged.*rebuilt from the rep folders.*kept at"):
        assert [e.id for e in library.entries()] == ids
    [aside] = reps_home.glob("library.sqlite3.damaged-*")
    assert aside.read_bytes().startswith(b"this is not")
    assert [p for p in library.check() if "damaged" in p]  # check says what the first use repaired
    saved = save(library, wav, day=5)
    fresh = Library()
    assert [e.id for e in fresh.entries()] == [*ids, saved.id] and fresh.check() == []


def test_unreadable_rep_folder_is_skipped_and_named(wav: Path) -> None:
    library = Library()
    good = save(library, wav, day=0).id
    bad = library.reps_dir / "20240502-000000-dead"
    bad.mkdir()
    (bad / "result.json").write_text("{not json")
    assert [e.id for e in library.entries()] == [good]
    assert any("20240502-000000-dead" in p and "unreadable" in p for p in library.check())
    report = library.rebuild()
    assert report.indexed == 1 and report.skipped[0][0] == bad.name


# ------------------------------------------------------------------------------------------ migration

V1_SCHEMA = """
CREATE TABLE reps (
    id TEXT PRIMARY KEY,
    question_id TEXT,
    created_at TEXT NOT NULL,
    source_path TEXT,
    model TEXT,
    metrics_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX reps_question_time ON reps (question_id, created_at);
PRAGMA user_version = 1;
"""


def test_a_v1_index_is_migrated_and_its_data_survives(reps_home: Path, wav: Path) -> None:
    # The rep folders as an older reps wrote them, and a v1 index of them written by hand.
    library = Library()
    ids = [save(library, wav, day=d, wpm=120 + d, question="q1" if d else None).id for d in range(2)]
    for name in os.listdir(reps_home):
        if name.startswith("library.sqlite3"):
            os.remove(reps_home / name)
    conn = sqlite3.connect(reps_home / "library.sqlite3")
    conn.executescript(V1_SCHEMA)
    for rid in ids:
        record = json.loads((library.reps_dir / rid / "result.json").read_text())
        conn.execute(
            "INSERT INTO reps VALUES (?, ?, ?, ?, ?, ?)",
            (
                rid,
                record["rep"]["question_id"],
                record["rep"]["created_at"],
                "/old/path.wav",
                "tiny.en",
                json.dumps(record["metrics"]),
            ),
        )
    conn.commit()
    conn.close()

    entries = Library().entries()

    assert [e.id for e in entries] == ids
    assert [e.question_id for e in entries] == [None, "q1"]
    assert [e.metrics["wpm"] for e in entries] == [120, 121]
    assert entries[0].metrics["filled_pause_count"] == 0
    assert [e.source_path for e in entries] == ["/old/path.wav"] * 2  # from the v1 rows, not re-read
    assert [e.audio_file for e in entries] == ["audio.wav"] * 2  # filled from the folders
    with sqlite3.connect(reps_home / "library.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == INDEX_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        columns = [row[1] for row in conn.execute("PRAGMA table_info(reps)")]
        assert "metrics_json" not in columns and "audio_file" in columns
    # and the migrated index keeps working
    save(Library(), wav, day=3)
    assert len(Library().entries()) == 3


def test_an_index_from_a_newer_version_is_refused_clearly(reps_home: Path) -> None:
    with sqlite3.connect(reps_home / "library.sqlite3") as conn:
        conn.execute(f"PRAGMA user_version = {INDEX_VERSION + 1}")
    with pytest.raises(LibraryError, match="newer reps.*upgrade reps"):
        Library().entries()


# ------------------------------------------------------------------------------ concurrency and crashes

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from interview_reps.models import Metrics, Result
    from interview_reps.store import Library

    home, wav, tag, count = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    metrics = Metrics(duration_s=1.0, speaking_time_s=1.0, time_to_first_word_s=0.0, word_count=2, wpm=150.0,
                      articulation_rate=4.0, filled_pause_count=2, discourse_marker_count=0, fillers_per_min=0.0,
                      pause_count=0, long_pause_count=0, longest_pause_s=0.0, pitch_variation_st=None)
    result = Result("take.wav", 1.0, "tiny.en", "", (), (), (), metrics, ())
    library = Library(Path(home))
    start = datetime(2024, 5, 1, tzinfo=timezone.utc)
    i = 0
    while count < 0 or i < count:
        rep = library.save(result, question_id=tag, created_at=start + timedelta(seconds=i), audio=wav)
        library.write_report(rep.id, "# r")
        i += 1
    """
)


def _writer(home: Path, wav: Path, tag: str, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(home), str(wav), tag, str(count)])


def test_two_processes_saving_at_once(reps_home: Path, wav: Path) -> None:
    writers = [_writer(reps_home, wav, tag, 15) for tag in ("a", "b")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    library = Library()
    entries = library.entries()
    assert len(entries) == 30
    assert sorted(e.question_id for e in entries) == ["a"] * 15 + ["b"] * 15
    assert all(e.metrics["wpm"] == 150.0 and e.metrics["filled_pause_count"] == 2 for e in entries)
    with sqlite3.connect(reps_home / "library.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # every row was written by the savers themselves, not filled in by the read above
        assert conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == 30
        assert conn.execute("SELECT COUNT(*) FROM metrics").fetchone()[0] == 30 * len(fields(Metrics))
    assert library.check() == []


@pytest.mark.parametrize("after_reps", [3, 12])
def test_killing_a_writer_mid_write_leaves_the_library_readable(
    reps_home: Path, wav: Path, after_reps: int
) -> None:
    writer = _writer(reps_home, wav, "q1", -1)  # saves until killed
    reps_dir = reps_home / "reps"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (
            reps_dir.is_dir()
            and len([n for n in os.listdir(reps_dir) if not n.startswith(".")]) >= after_reps
        ):
            break
        time.sleep(0.005)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    assert writer.returncode == -signal.SIGKILL

    library = Library()
    entries = library.entries()
    assert len(entries) >= after_reps
    visible = sorted(n for n in os.listdir(reps_dir) if not n.startswith("."))
    assert visible == sorted(e.id for e in entries)  # no half rep folder is visible
    for rep in library.reps():
        assert rep.result.metrics.wpm == 150.0
        assert (reps_dir / rep.id / "audio.wav").stat().st_size == wav.stat().st_size
    assert library.check() == []
    with sqlite3.connect(reps_home / "library.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # a leftover of the killed save is hidden, and gone at the next start: its process is dead
    assert not [n for n in os.listdir(reps_dir) if n.startswith(".")]
    # and the library takes new reps
    save(library, wav, day=30)
    assert len(library.entries()) == len(entries) + 1
