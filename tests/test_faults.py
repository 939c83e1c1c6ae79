"""Fault injection: real `reps` processes killed (SIGKILL) and stopped (SIGTERM) while they record and
while they save, libraries on read-only and full disks, damaged indexes, many writers at once, a broken
sound setup, an unreadable file in a batch. Each case says what is kept.

Recording runs through the real PortAudio/ALSA stack with a virtual microphone paced at real time
(vmic.RealTimeMic), so "audio lost on a kill" is measured against what the microphone had delivered.
Saving is stopped at each named point of a save (failpoints.POINTS) with a real signal. Read-only and
full disks are real mounts (a read-only bind mount, a small tmpfs): root only, skipped otherwise.

The measured figures go to the README through figures.record (`make reliability`).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import stat
import struct
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from figures import record
from interview_reps import files
from interview_reps.cli import cli
from interview_reps.store import Library
from recordings import clip_path
from test_store import save, write_wav
from vmic import RealTimeMic, raw_clip, virtual_mic

RATE = 16_000
QUESTION = "tell-me-about-yourself"
MAX_LOSS_S = 0.5  # the target for audio lost on kill -9 mid-recording, at real time
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="real read-only and full disks need mounts: run as root")

# ------------------------------------------------------------------------------------------ helpers


def reps_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "interview_reps.cli", *args]


def run_reps(*args: str, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        reps_cmd(*args), env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
    )


def home_env(home: Path, base: dict | None = None, **extra: str) -> dict:
    return {**(base or os.environ), "REPS_HOME": str(home), **extra}


def assert_one_clear_line(stderr: str, *, starts: str = "reps: error: ") -> str:
    """No traceback; the last line says what happened."""
    assert "Traceback" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(starts), stderr
    return last


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) if folder.is_dir() else []


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def wav_sizes(path: Path) -> tuple[int, int, int]:
    """(RIFF size, data size, file size) of a 44-byte-header PCM WAV."""
    head = path.read_bytes()[:44]
    return struct.unpack_from("<I", head, 4)[0], struct.unpack_from("<I", head, 40)[0], path.stat().st_size


def assert_exact_prefix(wav: Path, clip: Path, *, killed: bool = False) -> int:
    """The WAV's header agrees with its length, and its samples are the clip's first ones, bit for bit.
    Returns the frames.

    ``killed`` (SIGKILL): the writer appends a block, then rewrites the RIFF size, then the data size,
    each a system call, so a kill between them leaves a header that claims less than the file holds
    (never more): still a valid WAV of what it claims, and the next start's repair takes the rest. Then
    the sizes may lag the file, and every sample in the file is checked and counted."""
    riff, data, size = wav_sizes(wav)
    if killed:
        sizes = (riff, data, size)
        assert 44 + data <= size and 36 + data <= riff <= size - 8 and (size - 44) % 2 == 0, sizes
        recorded = np.frombuffer(wav.read_bytes()[44:], dtype="<i2")
        with sf.SoundFile(wav) as f:
            assert f.samplerate == RATE and f.frames == data // 2  # what the header claims, playable
    else:
        assert riff == 36 + data and size == 44 + data, (riff, data, size)
        recorded, rate = sf.read(wav, dtype="int16")
        assert rate == RATE
    played = np.frombuffer(raw_clip(clip, pad_s=30.0), dtype="<i2")
    np.testing.assert_array_equal(recorded, played[: len(recorded)])
    return len(recorded)


def wait_for(condition: Callable[[], object], *, timeout: float = 60, what: str = "") -> object:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.002)
    raise AssertionError(f"timed out waiting for {what}")


def recording_in(home: Path) -> Path | None:
    found = sorted((home / "recordings").glob("*.wav")) if (home / "recordings").is_dir() else []
    return found[0] if found else None


@contextlib.contextmanager
def mounted(*args: str) -> Iterator[None]:
    target = args[-1]
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount {' '.join(args)} failed: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", target], check=False)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` on a read-only bind mount of itself: writes fail with EROFS, even for root."""
    with mounted("--bind", str(folder), str(folder)):
        done = subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only: {done.stderr.strip()}")
        yield


def fill(folder: Path, *, leave_bytes: int) -> None:
    """Fill the disk holding ``folder`` until about ``leave_bytes`` are free."""
    free = shutil.disk_usage(folder).free
    with open(folder / "filler.bin", "wb") as f:
        f.write(b"\0" * max(0, free - leave_bytes))
    assert shutil.disk_usage(folder).free <= leave_bytes + 8192


# --------------------------------------------------------------------------- killed while recording


def practice(env: dict, *extra: str, stderr: int = subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen(
        reps_cmd("practice", "--question", QUESTION, "--prep-seconds", "0", "--no-reflect", *extra),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
    )


def test_kill_9_mid_recording_loses_under_half_a_second(tmp_path: Path, reps_home: Path) -> None:
    """SIGKILL at three moments of an answer spoken at real time. Kept: a valid WAV holding every sample
    up to within MAX_LOSS_S of the moment (bit for bit the microphone's), found at the next start with
    its question, so the advice to save it names the question too."""
    clip = clip_path("jfk.wav")
    losses = []
    for n, kill_at_s in enumerate((1.2, 2.35, 3.5)):
        home, mic_dir = tmp_path / f"home-{n}", tmp_path / f"mic-{n}"
        mic_dir.mkdir()
        with RealTimeMic(mic_dir, clip) as mic:
            proc = practice(home_env(home, mic.env), "--max-seconds", "60", stderr=subprocess.DEVNULL)
            try:
                wait_for(lambda: recording_in(home) and mic.delivered_s() >= kill_at_s, what="the answer")  # noqa: B023
                delivered_s = mic.delivered_s()
                proc.kill()
                proc.wait(timeout=30)
            finally:
                proc.kill()
        wav = recording_in(home)
        assert wav is not None and proc.returncode == -signal.SIGKILL
        assert stat.S_IMODE(wav.stat().st_mode) == 0o600 and stat.S_IMODE(wav.parent.stat().st_mode) == 0o700
        frames = assert_exact_prefix(wav, clip, killed=True)
        losses.append(round(delivered_s - frames / RATE, 3))
    assert max(losses) <= MAX_LOSS_S, losses
    record("kill9_recording_loss_s", losses)
    record("kill9_load", {"load_average_1min": round(os.getloadavg()[0], 1), "cores": os.cpu_count()})
    # the next start: the leftover, with its question and time, and the command that saves it as a rep
    no_mic = tmp_path / "no-capture.conf"
    no_mic.write_text("pcm.!default { type asym playback.pcm { type null } }\n")
    home = tmp_path / "home-0"
    os.utime(recording_in(home), (time.time() - 60, time.time() - 60))  # not being written any more
    proc = run_reps("practice", "--question", QUESTION, env=home_env(home, ALSA_CONFIG_PATH=str(no_mic)))
    first = proc.stderr.splitlines()[0]
    assert "an earlier recording was not saved as a rep (0:01" in first
    assert f"reps analyze {recording_in(home)} --question {QUESTION} --recorded " in first


def test_sigterm_mid_recording_keeps_every_sample(tmp_path: Path, reps_home: Path) -> None:
    """SIGTERM (a shutdown, a supervisor) stops the recording like Ctrl-C, keeps every block already
    captured, skips the analysis and says where the recording is: exit 143."""
    clip = clip_path("jfk.wav")
    with RealTimeMic(tmp_path, clip) as mic:
        proc = practice(home_env(reps_home, mic.env), "--max-seconds", "60")
        try:
            wait_for(lambda: recording_in(reps_home) and mic.delivered_s() >= 2.0, what="2 s of the answer")
            delivered_s = mic.delivered_s()
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
    wav = recording_in(reps_home)
    assert proc.returncode == 143, err
    assert assert_one_clear_line(err, starts="reps: terminated") == "reps: terminated"
    assert f"stopped by SIGTERM before the analysis; the recording (0:02) is kept at {wav}" in err
    frames = assert_exact_prefix(wav, clip)
    # Nothing the recorder had taken is lost (PortAudio hands over what it holds: stop, not abort); only
    # a block still in the test's pipe, not yet read by ALSA, may be missing.
    assert frames / RATE >= delivered_s - 0.1
    assert not (reps_home / "reps").exists()
    record("sigterm_recording_loss_s", max(0.0, round(delivered_s - frames / RATE, 3)))


@pytest.mark.model
def test_sigterm_during_the_analysis_keeps_the_recording(tmp_path: Path, reps_home: Path) -> None:
    env = home_env(reps_home, virtual_mic(tmp_path, clip_path("jfk.wav")))
    proc = practice(env, "--max-seconds", "8")
    text = ""
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            text += line
            if "transcribing and measuring" in line:
                proc.send_signal(signal.SIGTERM)
                break
        text += proc.communicate(timeout=60)[1]
    finally:
        proc.kill()
    wav = recording_in(reps_home)
    assert proc.returncode == 143 and wav is not None, text
    assert f"reps: the recording is kept at {wav}" in text
    assert assert_one_clear_line(text, starts="reps: terminated") == "reps: terminated"
    assert assert_exact_prefix(wav, clip_path("jfk.wav")) == 8 * RATE
    assert visible(reps_home / "reps") == [] and hidden(reps_home / "reps") == []
    record("recording_kept_sigterm_during_the_analysis", "whole")


def leftovers_at_next_start(home: Path) -> list:
    """What the next `reps practice` offers to save (recordings/ as its start sees it, a minute on)."""
    from interview_reps.practice import _leftovers

    for path in (home / "recordings").iterdir():
        os.utime(path, (time.time() - 60, time.time() - 60))  # not being written any more
    return _leftovers(Library(home))


def test_kill_9_as_the_recording_begins_leaves_a_valid_file_or_nothing(
    tmp_path: Path, reps_home: Path
) -> None:
    """SIGKILL the moment the recording file appears (its header just written, perhaps a first block,
    or, rarely, not even the whole header). Kept: a valid WAV, bit for bit the microphone's; the next
    start offers it with its question if it holds any sound, and removes it with its note if it holds
    none (there is nothing in it to keep)."""
    clip = clip_path("jfk.wav")
    with RealTimeMic(tmp_path, clip) as mic:
        proc = practice(home_env(reps_home, mic.env), "--max-seconds", "60", stderr=subprocess.DEVNULL)
        try:
            wav = wait_for(lambda: recording_in(reps_home), what="the recording file")
            proc.kill()
            proc.wait(timeout=30)
        finally:
            proc.kill()
    assert isinstance(wav, Path) and proc.returncode == -signal.SIGKILL
    # killed between creating the file and writing its 44-byte header, it holds part of a header only
    whole_header = wav.stat().st_size >= 44
    frames = assert_exact_prefix(wav, clip, killed=True) if whole_header else 0
    found = leftovers_at_next_start(reps_home)
    if frames:
        assert [(f.path, f.question_id) for f in found] == [(wav, QUESTION)]
    else:
        assert found == [] and list((reps_home / "recordings").iterdir()) == []
    record(
        "recording_kept_kill9_as_it_begins",
        (f"a valid WAV of {frames / RATE:.1f} s, " if whole_header else "a header cut short, ")
        + (
            "offered at the next start with its question"
            if frames
            else "no sound in it: removed at the next start"
        ),
    )


def test_sigterm_as_the_recording_begins_keeps_what_was_said_or_leaves_nothing(
    tmp_path: Path, reps_home: Path
) -> None:
    """SIGTERM the moment the recording file appears. Kept: what the microphone had given, said where;
    or, when that was nothing yet, nothing at all (no empty recording, no note) and a line saying so."""
    clip = clip_path("jfk.wav")
    with RealTimeMic(tmp_path, clip) as mic:
        proc = practice(home_env(reps_home, mic.env), "--max-seconds", "60")
        try:
            wait_for(lambda: recording_in(reps_home), what="the recording file")
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
    assert proc.returncode == 143, err
    assert assert_one_clear_line(err, starts="reps: terminated") == "reps: terminated"
    wav = recording_in(reps_home)
    if wav is not None:
        frames = assert_exact_prefix(wav, clip)
        assert frames > 0 and f"is kept at {wav}" in err
        kept = f"{frames / RATE:.1f} s kept, its place said"
    else:
        assert list((reps_home / "recordings").iterdir()) == [] and "kept at" not in err
        kept = "nothing recorded yet: nothing left behind"
    record("recording_kept_sigterm_as_it_begins", kept)


@pytest.mark.model
def test_kill_9_during_the_analysis_keeps_the_whole_recording(tmp_path: Path, reps_home: Path) -> None:
    """SIGKILL while the finished answer is transcribed: no clean-up runs at all. Kept: the whole
    recording, its header final; no rep, not even a hidden half of one; the next start offers it with
    its question."""
    env = home_env(reps_home, virtual_mic(tmp_path, clip_path("jfk.wav")))
    proc = practice(env, "--max-seconds", "8")
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "transcribing and measuring" in line:
                proc.kill()
                break
        proc.wait(timeout=60)
    finally:
        proc.kill()
    wav = recording_in(reps_home)
    assert proc.returncode == -signal.SIGKILL and wav is not None
    assert assert_exact_prefix(wav, clip_path("jfk.wav")) == 8 * RATE
    assert visible(reps_home / "reps") == [] and hidden(reps_home / "reps") == []
    [found] = leftovers_at_next_start(reps_home)
    assert found.path == wav and found.question_id == QUESTION and found.duration_s == 8.0
    record("recording_kept_kill9_during_the_analysis", "whole")


# ------------------------------------------------------------------------------ killed while saving

SAVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from interview_reps.cli import _sigterm_raises
    from interview_reps.errors import Terminated
    from interview_reps.pipeline import save_and_report
    from interview_reps.store import Library
    sys.path.insert(0, sys.argv[3])
    from test_store import make_result

    home, audio = Path(sys.argv[1]), Path(sys.argv[2])
    library = Library(home)
    try:
        with _sigterm_raises():
            if sys.argv[4] == "delete":
                library.delete("latest")
            else:
                report = save_and_report(make_result(), library=library, audio=audio, source_path=str(audio))
                print(report.rep.id)
    except Terminated:
        sys.exit(143)
    """
)


def saver(
    home: Path, audio: Path, *, point: str, signame: str = "KILL", action: str = "save"
) -> subprocess.CompletedProcess:
    env = home_env(home, REPS_FAILPOINT=f"{point}:{signame}")
    tests = str(Path(__file__).parent)
    return subprocess.run(
        [sys.executable, "-c", SAVER, str(home), str(audio), tests, action],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def index_rows(home: Path) -> int:
    """Rows in the index as it is on disk (0 when there is none yet)."""
    if not (home / "library.sqlite3").is_file():
        return 0
    uri = f"{(home / 'library.sqlite3').as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'reps'").fetchone():
            return 0
        return conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0]


@pytest.fixture
def big_audio(tmp_path: Path) -> Path:
    """A 40 s recording (1.3 MB): the copy takes more than one 1 MB write, so it can be cut mid-way."""
    t = np.arange(40 * RATE) / RATE
    path = tmp_path / "answer.wav"
    sf.write(path, (0.1 * np.sin(2 * np.pi * 220 * t)).astype("float32"), RATE, subtype="PCM_16")
    return path


# point -> (a rep is visible afterwards, it is in the index, its report is there)
SAVE_POINTS = {
    "save.folder-created": (False, False, False),
    "save.audio-copying": (False, False, False),
    "save.audio-copied": (False, False, False),
    "save.published": (True, False, False),
    "save.indexed": (True, True, False),
    "replace.written": (True, True, False),
}


@pytest.mark.parametrize("signame", ["KILL", "TERM"])
def test_a_save_stopped_at_any_point_leaves_a_whole_rep_or_none(
    tmp_path: Path, big_audio: Path, signame: str
) -> None:
    """Kept at every point: the recording untouched; a rep either whole (folder, result, audio copy of
    the same size) or invisible; the next start removes what the killed save left (a hidden .tmp-
    folder holding a partial audio copy), indexes a rep the index missed, and `reps show` writes a
    report that was cut off. SIGTERM cleans up at once."""
    original = big_audio.read_bytes()
    survived = 0
    for point, (shows, indexed, reported) in SAVE_POINTS.items():
        home = tmp_path / f"{signame}-{point}"
        done = saver(home, big_audio, point=point, signame=signame)
        assert done.returncode == (-signal.SIGKILL if signame == "KILL" else 143), (point, done.stderr)
        assert "Traceback" not in done.stderr
        reps_dir = home / "reps"
        left = hidden(reps_dir) + [f"{r}/{n}" for r in visible(reps_dir) for n in hidden(reps_dir / r)]
        if signame == "TERM":
            assert left == [], (point, left)  # cleaned up before the exit
        elif not shows:
            assert len(left) == 1 and left[0].startswith(".tmp-"), (point, left)
        assert big_audio.read_bytes() == original
        assert len(visible(reps_dir)) == int(shows), point
        if shows:
            rep = reps_dir / visible(reps_dir)[0]
            assert json.loads((rep / "result.json").read_text())["rep"]["audio_file"] == "audio.wav"
            assert (rep / "audio.wav").read_bytes() == original
            assert index_rows(home) == int(indexed)
            assert (rep / "report.md").exists() == reported
        # the next start
        library = Library(home)
        assert [e.id for e in library.entries()] == visible(reps_dir)
        assert hidden(reps_dir) == [] and library.check() == []
        if shows:
            show = CliRunner().invoke(cli, ["show", "latest"], env={"REPS_HOME": str(home)})
            assert show.exit_code == 0 and "# " in show.stdout
            assert (reps_dir / visible(reps_dir)[0] / "report.md").is_file()
            library.rebuild()  # also removes a report's temporary file cut off mid-replace
            assert [n for r in visible(reps_dir) for n in hidden(reps_dir / r)] == []
        survived += 1
    record(f"save_points_{signame.lower()}", f"{survived} of {len(SAVE_POINTS)}")


def test_a_leftover_that_cannot_be_removed_is_reported_with_its_size(tmp_path: Path, big_audio: Path) -> None:
    """A killed save's copy that the next start cannot remove (here a folder it may not write in, as one
    left by `sudo reps` would be): every start warns with its size and the command that removes it, and
    `library check` lists it (exit 1) instead of saying ok."""
    home = tmp_path / "home"
    assert saver(home, big_audio, point="save.audio-copied").returncode == -signal.SIGKILL
    [left] = [home / "reps" / name for name in hidden(home / "reps")]
    left.chmod(0o500)  # its files cannot be unlinked
    # root may remove anything: run without the capabilities that let it (it then obeys the mode)
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if IS_ROOT else []
    if IS_ROOT and shutil.which("setpriv") is None:
        pytest.skip("as root, an unremovable folder needs setpriv (util-linux) to drop the override")
    try:
        check = subprocess.run(
            [*prefix, *reps_cmd("library", "check")], env=home_env(home), capture_output=True, text=True
        )
        history = subprocess.run(
            [*prefix, *reps_cmd("history")], env=home_env(home), capture_output=True, text=True
        )
    finally:
        left.chmod(0o700)
    line = (
        f"{left}: left by a killed reps (1.3 MB) and cannot be removed; "
        f"remove it with: chmod -R u+w {left} && rm -r {left}"
    )
    assert check.returncode == 1 and "Traceback" not in check.stderr, check.stderr
    assert f"reps: warning: {line}" in check.stderr.splitlines()  # the start's warning
    assert line in check.stderr.splitlines() and "ok" not in check.stderr.splitlines()[-1]  # check's own line
    assert history.returncode == 0 and f"reps: warning: {line}" in history.stderr.splitlines()
    assert left.is_dir() and Library(home).check() == [] and not left.exists()  # removable again: gone
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    if IS_ROOT:  # one a `sudo reps` left, seen by its user
        os.chown(theirs, 65534, 65534)
        assert files.removal_command(theirs) == f"sudo rm -r {theirs}"


def test_a_delete_stopped_half_way_finishes_at_the_next_start(tmp_path: Path, wav: Path) -> None:
    library = Library(tmp_path / "home")
    kept, doomed = save(library, wav, day=0), save(library, wav, day=1)
    done = saver(library.home, wav, point="delete.hidden", action="delete")
    assert done.returncode == -signal.SIGKILL
    reps_dir = library.reps_dir
    assert visible(reps_dir) == [kept.id] and len(hidden(reps_dir)) == 1  # gone at once; its files not yet
    fresh = Library(library.home)
    assert [e.id for e in fresh.entries()] == [kept.id] and hidden(reps_dir) == [] and fresh.check() == []
    assert doomed.id not in {e.id for e in fresh.entries()}


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "take.wav")


@pytest.mark.model
def test_killed_after_saving_before_removing_the_recording(tmp_path: Path, reps_home: Path) -> None:
    """The rep is saved, the recording not yet removed: the next start knows it is a rep already and
    removes it instead of offering it again (which would make the same rep twice)."""
    env = home_env(reps_home, virtual_mic(tmp_path, clip_path("jfk.wav")), REPS_FAILPOINT="practice.saved")
    proc = practice(env, "--max-seconds", "6")
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    wav = recording_in(reps_home)
    assert wav is not None and len(visible(reps_home / "reps")) == 1
    os.utime(wav, (time.time() - 60, time.time() - 60))
    no_mic = tmp_path / "no-capture.conf"
    no_mic.write_text("pcm.!default { type asym playback.pcm { type null } }\n")
    again = run_reps(
        "practice", "--question", QUESTION, env=home_env(reps_home, ALSA_CONFIG_PATH=str(no_mic))
    )
    assert "earlier recording" not in again.stderr
    assert again.stderr.strip().splitlines() == [
        "reps: error: no microphone found: plug one in (or enable it in the system sound settings), "
        "then check with 'reps devices'"
    ]
    assert recording_in(reps_home) is None and not list((reps_home / "recordings").iterdir())
    record("recording_kept_kill9_after_the_save", "in its rep, the recording removed at the next start")


@pytest.mark.model
def test_a_leftover_saved_as_the_advice_says_leaves_recordings(tmp_path: Path, reps_home: Path) -> None:
    """`reps analyze LEFTOVER --question ID`: the rep gets the question, the leftover and its note go."""
    folder = reps_home / "recordings"
    folder.mkdir(parents=True)
    wav = folder / "20240501-093000.wav"
    shutil.copyfile(clip_path("jfk.wav"), wav)
    (folder / "20240501-093000.json").write_text(
        json.dumps({"question_id": QUESTION, "started_at": "2024-05-01T09:30:00+00:00"})
    )
    (folder / "20240501-093000.16k.wav").write_bytes(wav.read_bytes())  # a working copy a kill left
    os.utime(folder / "20240501-093000.16k.wav", (time.time() - 60, time.time() - 60))
    result = CliRunner().invoke(
        cli, ["analyze", str(wav), "--question", QUESTION, "--recorded", "2024-05-01T09:30"]
    )
    assert result.exit_code == 0, result.output
    [entry] = Library().entries()
    assert entry.question_id == QUESTION and list(folder.iterdir()) == []


# ---------------------------------------------------------------------------- read-only and full


@pytest.fixture
def library_of_two(tmp_path: Path, wav: Path) -> Path:
    home = tmp_path / "lib"
    library = Library(home)
    for day in range(2):
        save(library, wav, day=day, question=QUESTION)
    return home


def invoke(home: Path, *args: str) -> object:
    return CliRunner().invoke(cli, list(args), env={"REPS_HOME": str(home)})


@needs_root
@pytest.mark.model
def test_a_read_only_library_is_read_and_says_why_nothing_is_saved(
    tmp_path: Path, library_of_two: Path
) -> None:
    """Kept: every read (history, show, compare without its chart, check); analyze prints the whole
    report (and --json) and says it is not saved, or saves it in --fallback-dir; practice refuses before
    the question unless it has a fallback. Never "the index is damaged"."""
    home = library_of_two
    home.chmod(0o755)  # as an older reps left it: check names it, as it cannot fix it here
    (home / "recordings").mkdir(mode=0o700)
    kept = write_wav(home / "recordings" / "20240501-093000.wav")  # an answer not saved yet
    os.utime(kept, (time.time() - 60, time.time() - 60))
    answer = clip_path("mfa_um.flac")
    fallback = tmp_path / "elsewhere"
    with read_only(home):
        history = invoke(home, "history", "--json")
        assert history.exit_code == 0 and len(json.loads(history.stdout)) == 2
        assert invoke(home, "show", "latest").exit_code == 0
        compare = invoke(home, "compare", "--json")
        assert compare.exit_code == 0 and "no trend chart" in compare.stderr and "read-only" in compare.stderr
        check = invoke(home, "library", "check")
        assert (
            "damaged" not in check.stderr and "other users can open the library (mode 0755)" in check.stderr
        )
        assert f"{kept}: a recording (0:00) of an answer, not saved as a rep" in check.stderr
        analyzed = invoke(home, "analyze", str(answer), "--json")
        printed = json.loads(analyzed.stdout)  # the whole analysis, only without a "rep"
        assert analyzed.exit_code == 1 and printed["metrics"]["word_count"] > 0 and "rep" not in printed
        line = assert_one_clear_line(analyzed.stderr)
        assert f"{answer}: not saved (cannot save the rep: {home} is on a read-only file system)" in line
        saved = invoke(home, "analyze", str(answer), "--fallback-dir", str(fallback), "--json")
        assert saved.exit_code == 0 and json.loads(saved.stdout)["rep"]["id"]
        assert f"Saved in the library at {fallback}" in saved.stderr
        env = home_env(home, virtual_mic(tmp_path, clip_path("jfk.wav")))
        refused = run_reps("practice", "--question", QUESTION, "--prep-seconds", "0", env=env)
        assert refused.returncode == 1 and "Tell me about yourself" not in refused.stderr
        assert f"cannot record: {home} cannot be written" in assert_one_clear_line(refused.stderr)
        deleted = invoke(home, "delete", "latest", "--yes")
        assert deleted.exit_code == 1 and "read-only file system" in deleted.stderr
    assert len(Library(fallback).entries()) == 1 and len(Library(home).entries()) == 2
    record(
        "read_only_library",
        'history, show, compare, check all read it (never "damaged"); analyze printed the whole analysis '
        "and saved it with --fallback-dir; practice refused before the question",
    )


ASKED_FOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from interview_reps.practice import PracticeCallbacks, PracticeOptions, run_practice

    class AsksWhere(PracticeCallbacks):
        def save_elsewhere(self, reason):
            print("asked:", reason, file=sys.stderr)
            return Path(sys.argv[1])  # the person names a folder

    options = PracticeOptions(question_id=sys.argv[2], prep_s=0, max_s=10, reflect=False)
    sys.exit(run_practice(options, AsksWhere()))
    """
)


@needs_root
@pytest.mark.model
def test_a_full_disk_mid_answer_keeps_the_recording_and_the_report(tmp_path: Path) -> None:
    """The disk fills while the answer is recorded (it said beforehand how little room was left). Kept:
    the recording up to that moment (header matching its data, samples bit for bit), the report printed,
    and a line saying the rep is not saved and where the recording is. Saved elsewhere on request: with
    --fallback-dir, or in the folder the person names when asked; the recording then leaves the disk."""
    clip = clip_path("jfk.wav")
    practice_args = [
        "practice",
        "--question",
        QUESTION,
        "--prep-seconds",
        "0",
        "--no-reflect",
        "--max-seconds",
        "10",
    ]
    kept_s = 0.0
    for n, how in enumerate(("kept", "--fallback-dir", "asked")):
        disk, elsewhere = tmp_path / f"disk-{n}", tmp_path / f"elsewhere-{n}"
        disk.mkdir()
        with mounted("-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(disk)):
            home = disk / "lib"
            Library(home).entries()  # an existing library, its index made while there was room
            fill(disk, leave_bytes=120_000)
            env = home_env(home, virtual_mic(tmp_path, clip, pad_s=0.0))
            if how == "asked":
                command = [sys.executable, "-c", ASKED_FOLDER, str(elsewhere), QUESTION]
            else:
                command = reps_cmd(
                    *practice_args, *(["--fallback-dir", str(elsewhere)] if how != "kept" else [])
                )
            proc = subprocess.run(
                command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180
            )
            assert "Traceback" not in proc.stderr, proc.stderr
            if how != "asked":  # the terminal says it all (a script's callbacks are quiet)
                assert "only 0.1 MB free on the disk holding" in proc.stderr
                assert "if it fills, recording stops and what was said is kept" in proc.stderr
                assert "the recording stopped: the disk holding" in proc.stderr and "is full" in proc.stderr
                assert "Fillers" in proc.stdout  # the report
            if how == "kept":
                wav = recording_in(home)
                assert proc.returncode == 1 and wav is not None
                last = assert_one_clear_line(proc.stderr)
                assert (
                    "cannot save the rep: the disk holding" in last
                    and f"the recording is kept at {wav}" in last
                )
                frames = assert_exact_prefix(wav, clip)
                assert 2 * RATE < frames < 4 * RATE
                kept_s = frames / RATE
                assert hidden(home / "reps") == []
                history = invoke(home, "history", "--json")  # reading still works on the full disk
                assert history.exit_code == 0 and json.loads(history.stdout) == []
                analyzed = invoke(home, "analyze", str(clip_path("mfa_um.flac")), "--json")
                assert analyzed.exit_code == 1 and json.loads(analyzed.stdout)["metrics"]
                assert "is full" in analyzed.stderr and "not saved" in analyzed.stderr
            else:
                assert proc.returncode == 0, proc.stderr
                assert recording_in(home) is None  # its copy is in the rep, elsewhere
                [entry] = Library(elsewhere).entries()
                assert entry.question_id == QUESTION
                if how == "asked":
                    assert "asked: cannot save the rep: the disk holding" in proc.stderr
    record(
        "full_disk_mid_answer",
        f"the {kept_s:.1f} s recorded until the disk filled kept (header matching its data) and the report "
        "printed; saved as a rep with --fallback-dir or in the folder named when asked",
    )


# --------------------------------------------------------------------------------- damaged indexes


def corrupt_garbage(index: Path) -> None:
    index.write_bytes(b"this is not a database" * 200)


def corrupt_truncated(index: Path) -> None:
    data = index.read_bytes()
    index.write_bytes(data[: len(data) // 2])


def corrupt_zeroed_page(index: Path) -> None:
    data = bytearray(index.read_bytes())
    page = 4096
    data[page : 2 * page] = bytes(page)  # the second page: a table's b-tree
    index.write_bytes(bytes(data))


def corrupt_header(index: Path) -> None:
    data = bytearray(index.read_bytes())
    data[:100] = random.Random(7).randbytes(100)  # SQLite's 100-byte file header
    index.write_bytes(bytes(data))


def corrupt_wal(index: Path) -> None:
    Path(f"{index}-wal").write_bytes(b"\x37\x7f\x06\x82" + os.urandom(8000))


def corrupt_folder(index: Path) -> None:
    index.unlink()
    index.mkdir()


def corrupt_empty(index: Path) -> None:
    index.write_bytes(b"")


def corrupt_stale_rows(index: Path) -> None:
    with contextlib.closing(sqlite3.connect(index)) as conn:
        conn.execute("DELETE FROM reps WHERE rowid = (SELECT MIN(rowid) FROM reps)")
        conn.execute(
            "INSERT INTO reps (id, created_at) VALUES ('20200101-000000-dead', '2020-01-01T00:00:00+00:00')"
        )
        conn.commit()


CORRUPTIONS = {
    "garbage instead of the index": corrupt_garbage,
    "the index cut in half": corrupt_truncated,
    "a page of the index zeroed": corrupt_zeroed_page,
    "the file header overwritten": corrupt_header,
    "a garbage write-ahead log": corrupt_wal,
    "a folder where the index was": corrupt_folder,
    "an empty index file": corrupt_empty,
    "rows missing and rows of reps long gone": corrupt_stale_rows,
}


def test_every_rep_survives_a_damaged_index(tmp_path: Path, wav: Path) -> None:
    """Kept: every rep, listed by the very next command, which rebuilds the index from the folders when
    it is damaged (keeping the damaged file aside) and says so in one warning line."""
    survived = []
    for n, (name, corrupt) in enumerate(CORRUPTIONS.items()):
        home = tmp_path / f"lib-{n}"
        library = Library(home)
        ids = [save(library, wav, day=d, question=f"q{d % 2}").id for d in range(12)]
        for side in ("-wal", "-shm"):
            Path(f"{library.index_path}{side}").unlink(missing_ok=True)
        corrupt(library.index_path)
        history = invoke(home, "history", "--json")
        assert history.exit_code == 0, (name, history.output)
        assert [r["id"] for r in json.loads(history.stdout)] == ids, name
        assert "Traceback" not in history.stderr and len(history.stderr.splitlines()) <= 1, (
            name,
            history.stderr,
        )
        compare = invoke(home, "compare", "--question", "q0", "--json", "--no-chart")
        assert compare.exit_code == 0 and len(json.loads(compare.stdout)["reps"]) == 6, name
        check = invoke(home, "library", "check")
        assert check.exit_code == 0, (name, check.stderr)
        survived.append(name)
    record("index_corruptions_survived", f"{len(survived)} of {len(CORRUPTIONS)}")


def test_damaged_rep_folders_cost_only_themselves(tmp_path: Path, wav: Path) -> None:
    """A result cut off, a result gone, an audio copy gone: each is named by `check` with what to do,
    and every other rep is listed."""
    library = Library(tmp_path / "lib")
    reps = [save(library, wav, day=d) for d in range(5)]
    (reps[1].folder / "result.json").write_text((reps[1].folder / "result.json").read_text()[:200])
    (reps[2].folder / "result.json").unlink()
    (reps[3].folder / "audio.wav").unlink()
    fresh = Library(library.home)
    assert [r.id for r in fresh.reps()] == [reps[0].id, reps[3].id, reps[4].id]
    assert reps[2].id not in [e.id for e in fresh.entries()]  # the index follows the folders
    problems = fresh.check()
    assert len(problems) == 3, problems
    assert any(reps[1].id in p and "unreadable result" in p for p in problems)
    assert any(reps[2].id in p and "no result.json" in p and "reps delete" in p for p in problems)
    assert any(reps[3].id in p and "audio audio.wav is missing" in p for p in problems)
    record("rep_folder_damage_named", "3 of 3")


# -------------------------------------------------------------------------------- many writers

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    sys.path.insert(0, sys.argv[5])
    from test_store import make_result
    from interview_reps.store import Library

    home, wav, tag, count = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    library = Library(home)
    start = datetime(2024, 5, 1, tzinfo=timezone.utc)
    for i in range(count):
        rep = library.save(make_result(wpm=100 + i), question_id=tag, created_at=start + timedelta(seconds=i), audio=wav)
        library.write_report(rep.id, "# r")
        if i % 3 == 0:
            library.entries(tag)  # readers and writers interleaved
    """
)


def test_eight_writers_at_once_lose_nothing(tmp_path: Path, wav: Path) -> None:
    writers, saves = 8, 10
    home = tmp_path / "lib"
    tests = str(Path(__file__).parent)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(home), str(wav), f"w{n}", str(saves), tests],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(writers)
    ]
    errors = [p.communicate(timeout=240)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * writers, errors
    library = Library(home)
    entries = library.entries()
    assert len(entries) == writers * saves
    assert sorted({e.question_id for e in entries}) == [f"w{n}" for n in range(writers)]
    assert index_rows(home) == writers * saves  # written by the writers, not filled in by this read
    assert library.check() == [] and hidden(home / "reps") == []
    record("concurrent_writers", {"writers": writers, "reps_saved": writers * saves, "reps_lost": 0})


# ---------------------------------------------------------------------------- the sound system


def test_a_broken_sound_setup_is_one_line_not_an_abort(tmp_path: Path) -> None:
    """An empty ALSA configuration makes PortAudio abort (exit 134, no output) while it lists devices;
    the probe runs in a child process, so each command says so in one line."""
    empty = tmp_path / "empty.conf"
    empty.write_text("")
    env = {**os.environ, "ALSA_CONFIG_PATH": str(empty)}
    crash = subprocess.run([sys.executable, "-c", "import sounddevice"], env=env, capture_output=True)
    assert crash.returncode == -signal.SIGABRT  # what the probe protects from
    for command in (["devices"], ["mic-check"], ["practice", "--question", QUESTION]):
        proc = run_reps(*command, env=env)
        assert proc.returncode == 1, (command, proc.returncode, proc.stderr)
        [line] = proc.stderr.strip().splitlines()
        assert line.startswith("reps: error: the sound system crashed while listing the microphones")
        assert "SIGABRT" in line and str(empty) in line


# ---------------------------------------------------------------------------- one bad file


@pytest.mark.model
def test_an_unreadable_file_costs_only_itself_in_a_batch(tmp_path: Path) -> None:
    good = tmp_path / "a.flac"
    shutil.copyfile(clip_path("librispeech_61-70968-0000.flac"), good)
    secret = tmp_path / "secret.flac"
    shutil.copyfile(good, secret)
    secret.chmod(0)
    other = tmp_path / "b.flac"
    shutil.copyfile(good, other)
    # root reads any file: run without the capabilities that let it (it then obeys the mode like anyone)
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if IS_ROOT else []
    if IS_ROOT and shutil.which("setpriv") is None:
        pytest.skip("as root, an unreadable file needs setpriv (util-linux) to drop the override")
    proc = subprocess.run(
        [*prefix, *reps_cmd("analyze", str(good), str(secret), str(other), "--no-save", "--json")],
        env=home_env(tmp_path / "lib"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 1, proc.stderr
    assert len(proc.stdout.splitlines()) == 2  # both readable files analyzed
    assert f"reps: error: {secret}: cannot read: permission denied" in proc.stderr.splitlines()
    assert "Traceback" not in proc.stderr and proc.stderr.strip().endswith("reps: 1 of 3 files failed")


@needs_root
@pytest.mark.model
def test_a_full_disk_ends_a_mock_interview_with_every_answer_kept(tmp_path: Path) -> None:
    """The disk fills during the first answer of a mock interview (it said beforehand how little room
    there was for its answers). The interview ends there instead of asking a question whose answer
    could not be kept; the answer is analyzed, the summary says it is not saved and where its
    recording is, the last line says why, and the index is not taken for damaged."""
    clip = clip_path("jfk.wav")
    disk = tmp_path / "disk"
    disk.mkdir()
    with mounted("-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(disk)):
        home = disk / "lib"
        Library(home).entries()
        fill(disk, leave_bytes=120_000)
        env = home_env(home, virtual_mic(tmp_path, clip, pad_s=0.0))
        args = ["interview", "--count", "2", "--max-seconds", "10", "--prep-seconds", "0"]
        proc = subprocess.run(
            reps_cmd(*args, "--no-reflect", "--no-speak"),
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=240,
        )
        wav = recording_in(home)
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.returncode == 1 and wav is not None
        assert "(2 answers of up to 0:10 need" in proc.stderr and "what was said is kept" in proc.stderr
        assert "Question 2 of 2" not in proc.stderr
        assert "The interview ends here: the recording could not go on" in proc.stderr
        assert "damaged" not in proc.stderr
        assert f"not saved: cannot save the rep: the disk holding {home} is full" in proc.stdout
        assert f"the recording is kept at {wav}" in proc.stdout
        last = assert_one_clear_line(proc.stderr)
        assert "is full" in last and f"kept at {wav}" in last
        assert sf.info(str(wav)).duration > 1.0
