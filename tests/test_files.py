"""Private, contained, whole: the files reps writes (files.py), the library's permissions, clips that stay
in their folder, every audio copy found for deletion, folders that lost their result, bounded questions,
truncated compressed files."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner

from interview_reps import files
from interview_reps.audio import load_audio
from interview_reps.cli import cli
from interview_reps.clips import MANIFEST, write_clips
from interview_reps.errors import QuestionError, RepsError
from interview_reps.models import Audio, Filler, Pause
from interview_reps.pipeline import clip_dirs
from interview_reps.questions import MAX_TEXT_CHARS, load_questions
from interview_reps.store import Library
from test_store import DAY1, make_result, save, write_wav


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask 022, under which files are readable by every user of the machine."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def modes(root: Path) -> dict[str, int]:
    """Permission bits of everything under ``root`` (relative path -> mode)."""
    out = {}
    for path in [root, *root.rglob("*")]:
        out[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return out


def assert_private(root: Path) -> None:
    loose = {name: f"{mode:04o}" for name, mode in modes(root).items() if mode & 0o077}
    assert loose == {}, loose


# ------------------------------------------------------------------------------------ private


def test_the_library_is_private_whatever_the_umask(
    reps_home: Path, tmp_path: Path, loose_umask: None
) -> None:
    """Library API, no CLI: the rep folder, its audio, result, report, reflection, the index (with its
    -wal and -shm), charts and the model stamp are 0700 / 0600 under umask 022."""
    os.rmdir(reps_home)  # made by the library itself
    wav = write_wav(tmp_path / "take.wav")
    library = Library()
    reps = [save(library, wav, day=d) for d in range(2)]
    library.save_reflection(reps[0].id, {"stumped": "the opening"})
    chart = library.chart_path("q1")
    from interview_reps.pipeline import compare_library

    compare_library(library, question_id="q1")
    assert chart.is_file()
    with sqlite3.connect(reps_home / "library.sqlite3") as reader:  # SQLite makes -wal and -shm now
        reader.execute("SELECT COUNT(*) FROM reps").fetchone()
        assert (reps_home / "library.sqlite3-wal").exists() and (reps_home / "library.sqlite3-shm").exists()
        assert_private(reps_home)
    assert stat.S_IMODE(reps_home.stat().st_mode) == 0o700
    assert stat.S_IMODE((reps[0].folder / "audio.wav").stat().st_mode) == 0o600


def test_an_existing_loose_library_is_tightened_at_first_use(
    reps_home: Path, tmp_path: Path, loose_umask: None
) -> None:
    """A library an older reps made under umask 022 is made private by the next command; a file of the
    user's own kept in REPS_HOME is left as it is."""
    wav = write_wav(tmp_path / "take.wav")
    save(Library(), wav)
    for path in [reps_home, *reps_home.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    mine = reps_home / "my-notes.txt"
    mine.write_text("notes")
    mine.chmod(0o644)
    result = CliRunner().invoke(cli, ["history", "--json"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(mine.stat().st_mode) == 0o644
    mine.unlink()
    assert_private(reps_home)


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "take.wav")


def test_replace_is_whole_private_and_leaves_nothing(tmp_path: Path, loose_umask: None) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")
    files.replace(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_a_leftover_is_removed_only_when_no_running_process_holds_it(tmp_path: Path) -> None:
    """A killed writer's temporary folder goes; a live writer's (locked, or just made by a process that
    still runs) stays; a user's hidden file that merely looks temporary is never touched."""
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from interview_reps import files\n"
        "with files.temp_dir(Path(sys.argv[1]), 'save') as tmp:\n"
        "    (tmp / 'audio.wav').write_bytes(b'x' * 5000)\n"
        "    print(tmp, flush=True)\n"
        "    if sys.argv[2] == 'die':\n"
        "        os._exit(9)  # as a kill would: no clean-up at all\n"
        "    time.sleep(60)\n"
    )
    dead = subprocess.run([sys.executable, "-c", code, str(tmp_path), "die"], capture_output=True, text=True)
    assert dead.returncode == 9
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path), "hold"], stdout=subprocess.PIPE, text=True
    )
    try:
        held_path = Path(holder.stdout.readline().strip())
        (tmp_path / ".tmp-mine").mkdir()  # not a name reps makes
        found = {left.path.name: left for left in files.leftovers(tmp_path, remove=True)}
        dead_path = Path(dead.stdout.strip())
        assert found[dead_path.name].removed and found[dead_path.name].size_bytes == 5000
        assert not found[held_path.name].removed and found[held_path.name].in_use
        assert ".tmp-mine" not in found
        assert not dead_path.exists() and held_path.exists() and (tmp_path / ".tmp-mine").exists()
    finally:
        holder.kill()
        holder.wait()
    assert [left.removed for left in files.leftovers(tmp_path, remove=True)] == [True]  # its holder died


# ------------------------------------------------------------------------------------ contained


def test_names_from_input_files_cannot_leave_their_folder() -> None:
    for hostile in ("..", ".", "...", "../../etc", "a/b", "a\\b", "\x00x", " ", ""):
        name = files.safe_name(hostile, fallback="recording")
        assert (
            "/" not in name and "\\" not in name and not name.startswith(".") and name not in ("", ".", "..")
        )
    assert files.safe_name("answer 2", fallback="x") == "answer 2"
    base = Path("/tmp/clips")
    dirs = clip_dirs(
        [Path("...flac"), Path("../x/..wav"), Path("a.wav"), Path("A.wav"), Path("a-2.wav")], base
    )
    assert all(d is not None and d.parent == base for d in dirs)
    assert [d.name for d in dirs if d is not None] == ["recording-1", "recording-2", "a", "A-2", "a-2-2"]


def short_result() -> tuple[Audio, object]:
    samples = (0.1 * np.sin(np.arange(16000 * 6) / 5)).astype(np.float32)
    result = make_result(duration_s=6.0)
    from dataclasses import replace

    result = replace(
        result,
        fillers=(
            Filler("um", 1.0, 1.3, "filled_pause", "transcript"),
            Filler("a/b", 2.0, 2.2, "filled_pause", "transcript"),
        ),
        pauses=(Pause(3.0, 5.5, "sentence"),),
    )
    return Audio("take.wav", samples, 16000), result


def test_clips_never_overwrite_what_reps_did_not_write(tmp_path: Path) -> None:
    audio, result = short_result()
    out = tmp_path / "clips"
    written = write_clips(audio, result, out, long_pause_s=2.0)
    assert {p.name for p in written} == {
        "filler-01-0m01.0s-um.wav",
        "filler-02-0m02.0s-a_b.wav",
        "pause-01-0m03.0s.wav",
        "labels.txt",
    }
    assert all(p.parent == out for p in written)
    assert (out / MANIFEST).read_text().split() == sorted(p.name for p in written)
    # again into the same folder: its own clips are replaced, a file of the user's there is kept
    (out / "my-take.wav").write_bytes(b"mine")
    write_clips(audio, result, out, long_pause_s=10.0)  # the pause is no longer long: its clip goes
    assert not (out / "pause-01-0m03.0s.wav").exists() and (out / "my-take.wav").read_bytes() == b"mine"
    # a folder holding the user's own labels.txt: refused, nothing written
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "labels.txt").write_text("my labels")
    with pytest.raises(RepsError, match="labels.txt: already there and not written by reps"):
        write_clips(audio, result, theirs, long_pause_s=2.0)
    assert (
        sorted(p.name for p in theirs.iterdir()) == ["labels.txt"]
        and (theirs / "labels.txt").read_text() == "my labels"
    )


@pytest.mark.model
def test_a_batch_with_a_file_called_dot_dot_dot_flac_writes_only_inside_its_clips_folder(
    tmp_path: Path, clip: Callable[[str], Path]
) -> None:
    """The issue's case: DIR/.. held the user's filler-01-*.wav and labels.txt, which a batch deleted."""
    parent = tmp_path / "work"
    parent.mkdir()
    (parent / "filler-01-0m01.0s-um.wav").write_bytes(b"the user's own clip")
    (parent / "labels.txt").write_text("the user's labels\n")
    odd = parent / "...flac"
    odd.write_bytes(Path(clip("mfa_um.flac")).read_bytes())
    other = parent / "um.flac"
    other.write_bytes(odd.read_bytes())
    before = {p.name: p.read_bytes() for p in parent.iterdir()}
    result = CliRunner().invoke(
        cli, ["analyze", str(odd), str(other), "--no-save", "--clips", str(parent / "clips")]
    )
    assert result.exit_code == 0, result.output
    after = {p.name: p.read_bytes() for p in parent.iterdir() if p.name != "clips"}
    assert after == before
    outside = [
        p
        for p in parent.rglob("*")
        if p.is_file() and (parent / "clips") not in p.parents and p.parent != parent
    ]
    assert outside == []
    assert sorted(p.name for p in (parent / "clips").iterdir()) == ["recording-1", "um"]
    assert (parent / "clips" / "recording-1" / "labels.txt").exists()


# ------------------------------------------------------------------------ every audio copy goes


def encode(src: Path, dst: Path, codec: str, fmt: str) -> Path:
    with av.open(str(src)) as inp, av.open(str(dst), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=16000)
        for frame in inp.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return dst


@pytest.mark.parametrize(
    ("name", "codec", "fmt"),
    [
        ("take.mp4", "aac", "mp4"),
        ("take.mkv", "pcm_s16le", "matroska"),
        ("take.aif", "pcm_s16be", "aiff"),
        ("take.weird", "libmp3lame", "mp3"),
    ],
)
def test_delete_audio_only_removes_every_format(
    tmp_path: Path, wav: Path, name: str, codec: str, fmt: str
) -> None:
    audio = encode(wav, tmp_path / name, codec, fmt)
    library = Library()
    rep = library.save(make_result(), question_id="q1", created_at=DAY1, audio=audio)
    (rep.folder / "clips").mkdir()
    (rep.folder / "clips" / "filler-01.wav").write_bytes(wav.read_bytes())
    result = CliRunner().invoke(cli, ["delete", "--all", "--audio-only", "--yes"])
    assert result.exit_code == 0, result.output
    assert "deleted 2 audio files" in result.stderr
    left = sorted(p.name for p in rep.folder.rglob("*") if p.is_file())
    assert left == ["report.html", "result.json"]  # the page written again, without the audio
    assert "data:audio" not in (rep.folder / "report.html").read_text()
    assert library.get(rep.id).audio_file is None


def test_a_rep_folder_without_its_result_is_named_and_can_be_deleted(reps_home: Path, wav: Path) -> None:
    library = Library()
    kept = save(library, wav, day=0)
    lost = save(library, wav, day=1)
    (lost.folder / "result.json").unlink()
    assert [e.id for e in library.entries()] == [kept.id]
    [problem] = library.check()
    assert problem.startswith(
        f"{lost.folder}: no result.json, so it is not a rep; it still holds 1 audio file"
    )
    assert f"reps analyze {lost.folder / 'audio.wav'}" in problem and f"reps delete {lost.id}" in problem
    report = library.rebuild()
    assert report.indexed == 1 and [name for name, _ in report.skipped] == [lost.id]
    result = CliRunner().invoke(cli, ["delete", "--all", "--yes"])
    assert result.exit_code == 0, result.output
    assert not (reps_home / "reps").exists() or list((reps_home / "reps").iterdir()) == []


# ------------------------------------------------------------------------------------ bounded


def test_a_huge_question_is_refused_naming_its_file(reps_home: Path) -> None:
    folder = reps_home / "questions"
    folder.mkdir()
    (folder / "mine.toml").write_text(
        '[[question]]\nid = "huge"\ntext = "'
        + "Tell me more. " * 1000
        + '"\ncategory = "about-you"\ntarget_seconds = [30, 60]\n'
    )
    with pytest.raises(
        QuestionError,
        match=rf"mine.toml: question 1 \('huge'\): 'text' is 13,999 characters long; at most {MAX_TEXT_CHARS}",
    ):
        load_questions()
    (folder / "mine.toml").write_bytes(b"#" * 2_000_000)
    with pytest.raises(QuestionError, match="mine.toml: too big for a question file"):
        load_questions()


# ----------------------------------------------------------------------- truncated compressed


@pytest.mark.parametrize(
    ("name", "codec", "fmt"), [("take.flac", "flac", "flac"), ("take.mp3", "libmp3lame", "mp3")]
)
def test_a_truncated_flac_or_mp3_is_analyzed_with_a_warning(
    tmp_path: Path, clip: Callable[[str], Path], name: str, codec: str, fmt: str
) -> None:
    whole = encode(Path(clip("jfk.wav")), tmp_path / name, codec, fmt)
    assert load_audio(whole).warning is None
    cut = tmp_path / f"cut-{name}"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    audio = load_audio(cut)
    assert audio.warning is not None and "truncated: its header promises 11.0 s" in audio.warning
    assert 4.5 < audio.duration_s < 6.5


def test_working_copies_left_by_a_kill_are_removed_or_offered(reps_home: Path) -> None:
    """A resampled working copy (*.16k.wav) whose original is still there goes (it is made again from the
    original); one whose original is gone is the only copy left, so it is offered like any leftover."""
    from interview_reps.wavfile import repair_recordings

    folder = reps_home / "recordings"
    folder.mkdir()
    for name in ("20240101-100000.wav", "20240101-100000.16k.wav", "20240101-110000.16k.wav"):
        write_wav(folder / name)
        os.utime(folder / name, (1e9, 1e9))
    found = [left.path.name for left in repair_recordings(reps_home)]
    assert found == ["20240101-100000.wav", "20240101-110000.16k.wav"]
    assert sorted(p.name for p in folder.iterdir()) == found


def test_recordings_without_a_sound_are_removed_not_offered(reps_home: Path) -> None:
    """A kill before the first block (a header only) or inside the header (a few bytes): nothing said is
    in them, so the next start removes them and their notes instead of offering them for analysis; a
    note whose recording never began goes too. A working copy left alone keeps its original's note."""
    import struct

    from interview_reps.wavfile import WavStreamWriter, note_path, repair_recordings, write_note

    folder = reps_home / "recordings"
    empty, cut, spoken = (folder / f"20240101-1{n}0000.wav" for n in range(3))
    WavStreamWriter(empty, sample_rate_hz=16000).close()
    cut.write_bytes(b"RIFF" + struct.pack("<I", 36) + b"WAVEfm")  # killed inside its header
    write_wav(spoken)
    never = folder / "20240101-130000.wav"  # killed between writing its note and creating it
    copy_only = folder / "20240101-140000.16k.wav"  # a working copy whose original is gone
    write_wav(copy_only)
    for path in (empty, cut, spoken, never, copy_only):
        write_note(path, question_id="q1", started_at=DAY1)
    for path in folder.iterdir():
        os.utime(path, (1e9, 1e9))
    found = repair_recordings(reps_home)
    assert [(left.path, left.question_id) for left in found] == [(spoken, "q1"), (copy_only, "q1")]
    assert sorted(folder.iterdir()) == sorted([spoken, note_path(spoken), copy_only, note_path(copy_only)])
    assert note_path(copy_only).name == "20240101-140000.json"


def test_check_lists_a_recording_not_saved_as_a_rep(reps_home: Path) -> None:
    """An answer a killed `reps practice` kept is audio outside every rep: `check` names it, with the
    command that saves it as the rep it was meant to be (its question, its time) and the one that
    removes it. One that is a rep already (killed after the save) is removed, not listed."""
    from interview_reps.wavfile import write_note

    folder = reps_home / "recordings"
    kept, saved = folder / "20240101-100000.wav", folder / "20240101-110000.wav"
    folder.mkdir(parents=True)
    write_wav(kept)
    write_wav(saved)
    write_note(kept, question_id="q1", started_at=DAY1)
    library = Library()
    library.save(make_result(), question_id="q1", audio=saved, source_path=str(saved.resolve()))
    for path in folder.iterdir():
        os.utime(path, (1e9, 1e9))
    [problem] = library.check()
    when = DAY1.astimezone()
    assert problem == (
        f"{kept}: a recording (0:00) of an answer to q1, not saved as a rep; save it with: "
        f"reps analyze {kept} --question q1 --recorded {when:%Y-%m-%dT%H:%M}  "
        f"(or remove it: rm '{kept}' '{kept.with_suffix('.json')}')"
    )
    assert sorted(folder.iterdir()) == [kept.with_suffix(".json"), kept]
    result = CliRunner().invoke(cli, ["library", "check"])
    assert result.exit_code == 1 and problem in result.stderr.splitlines()


def test_batch_html_pages_never_replace_a_page_reps_did_not_write(tmp_path: Path) -> None:
    from interview_reps.pages import html_page_paths

    (tmp_path / "answer.html").write_text("<p>my own notes</p>")
    (tmp_path / "take.html").write_text("<footer><p>Made by interview-reps on this computer.</p></footer>")
    pages = html_page_paths([Path("answer.wav"), Path("take.wav"), Path("...flac")], tmp_path)
    assert [p.name for p in pages if p is not None] == ["answer-2.html", "take.html", "recording-3.html"]
    assert all(p is not None and p.parent == tmp_path for p in pages)
