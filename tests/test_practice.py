"""`reps practice`: choosing the question, and the whole loop through a virtual microphone.

The loop tests run the CLI in a subprocess (ALSA reads its configuration when PortAudio starts)
with ALSA's ``file`` plugin as the microphone, playing a real recording, and the real tiny.en model.
Two kinds of virtual microphone: a plain raw file (unpaced: the recorder gets audio far faster than
real time, so limits count frames) and a FIFO that this test fills at a steady pace, for stopping
mid-answer with Ctrl-C or Enter.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from interview_reps.console.practice import EnterKey, LevelMeter, ask_reflection
from interview_reps.practice import REFLECTION_QUESTIONS
from interview_reps.questions import Question, pick_question
from interview_reps.record import LevelUpdate
from interview_reps.store import Library
from interview_reps.wavfile import WavStreamWriter
from vmic import PacedMic, virtual_mic

QUESTION = "tell-me-about-yourself"
RATE = 16_000


# --- helpers ---------------------------------------------------------------------------------


def reps_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "interview_reps.cli", *args]


def run_reps(*args: str, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        reps_cmd(*args), env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
    )


def practice_args(*extra: str) -> list[str]:
    return ["practice", "--question", QUESTION, "--prep-seconds", "0", *extra]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def word_match(transcript: str, reference: str) -> float:
    return difflib.SequenceMatcher(None, words(transcript), words(reference)).ratio()


def the_rep(home: Path) -> tuple[Path, dict]:
    folders = [p for p in (home / "reps").iterdir() if not p.name.startswith(".")]
    assert len(folders) == 1, folders
    return folders[0], json.loads((folders[0] / "result.json").read_text())


def recordings(home: Path) -> list[Path]:
    folder = home / "recordings"
    return sorted(folder.glob("*.wav")) if folder.is_dir() else []


def assert_valid_wav(path: Path) -> int:
    """Header sizes agree with the file (never claim more than is there); returns the frames."""
    size = path.stat().st_size
    head = path.read_bytes()[:44]
    riff, data = struct.unpack_from("<I", head, 4)[0], struct.unpack_from("<I", head, 40)[0]
    assert head[:4] == b"RIFF" and head[36:40] == b"data"
    assert riff == 36 + data and 44 + data <= size <= 44 + data + 3200
    info = sf.info(path)
    assert info.frames == data // 2
    return info.frames


def wait_for(condition: Callable[[], object], *, timeout: float = 60, what: str = "") -> object:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def recording_with(home: Path, seconds: float) -> Path | None:
    found = recordings(home)
    if found and found[0].stat().st_size >= 44 + 2 * RATE * seconds:
        return found[0]
    return None


class Reader(threading.Thread):
    """Collects a pipe's text as it arrives."""

    def __init__(self, stream: io.TextIOBase) -> None:
        super().__init__(daemon=True)
        self.stream, self.text = stream, ""

    def run(self) -> None:
        for chunk in iter(lambda: self.stream.read(1), ""):
            self.text += chunk


# --- choosing the question -------------------------------------------------------------------


def question(qid: str, category: str = "about-you") -> Question:
    return Question(qid, f"{qid}?", category, (60.0, 120.0), "STAR", ("a point",), "test")


def write_rep(home: Path, folder: str, rep: dict) -> None:
    path = home / "reps" / folder
    path.mkdir(parents=True)
    (path / "result.json").write_text(json.dumps({"schema": 1, "rep": rep}))


def test_last_practised_reads_the_rep_folders(reps_home: Path) -> None:
    """From the index, which picks up folders it lacks: even hand-made ones with nothing but a "rep"."""
    write_rep(reps_home, "a", {"question_id": "q1", "created_at": "2024-05-01T09:00:00+00:00"})
    write_rep(reps_home, "b", {"question_id": "q1", "created_at": "2024-05-03T09:00:00+00:00"})
    write_rep(reps_home, "c", {"question_id": "q2", "created_at": "2024-05-02T09:00:00Z"})
    write_rep(reps_home, "d", {"question_id": None, "created_at": "2024-05-04T09:00:00+00:00"})
    write_rep(reps_home, ".tmp-e", {"question_id": "q3", "created_at": "2024-05-04T09:00:00+00:00"})
    (reps_home / "reps" / "broken").mkdir()
    (reps_home / "reps" / "broken" / "result.json").write_text("{not json")

    assert Library(reps_home).last_practised() == {
        "q1": datetime(2024, 5, 3, 9, tzinfo=timezone.utc),
        "q2": datetime(2024, 5, 2, 9, tzinfo=timezone.utc),
    }


def test_pick_question_prefers_new_then_the_longest_ago() -> None:
    import random

    bank = [question("q1"), question("q2"), question("q3"), question("q4", "closing")]
    may = lambda day: datetime(2024, 5, day, tzinfo=timezone.utc)  # noqa: E731
    practised = {"q1": may(3), "q3": may(1)}
    picks = {pick_question(bank, practised=practised, rng=random.Random(seed)).id for seed in range(20)}
    assert picks == {"q2", "q4"}  # never practised, at random
    assert pick_question(bank, category="about-you", practised=practised).id == "q2"
    practised["q2"] = may(2)
    assert pick_question(bank, category="about-you", practised=practised).id == "q3"  # longest ago
    assert pick_question(bank, question_id="q1", practised=practised).id == "q1"


def test_pick_question_errors_name_the_choices() -> None:
    from interview_reps.errors import QuestionError
    from interview_reps.questions import load_questions

    bank = load_questions()
    with pytest.raises(QuestionError, match="unknown category 'nope'; choose from: about-you"):
        pick_question(bank, category="nope")
    with pytest.raises(QuestionError, match="did you mean 'tell-me-about-yourself'"):
        pick_question(bank, question_id="tell-me-about-yourslf")


def test_no_prompts_when_stdin_is_not_a_terminal() -> None:
    from rich.console import Console

    out = io.StringIO()
    assert ask_reflection(Console(file=out), REFLECTION_QUESTIONS, stream=io.StringIO("an answer\n")) == {}
    assert out.getvalue() == ""
    enter = EnterKey(io.StringIO("\n"))
    assert not enter.active and not enter.pressed()


def test_meter_shows_elapsed_time_against_the_target() -> None:
    from rich.console import Console

    meter = LevelMeter(Console(file=io.StringIO()), target_s=(60, 120))
    line = meter.render(LevelUpdate(elapsed_s=65.2, level_dbfs=-30.0, peak_dbfs=-12.0, silence_s=0)).plain
    assert line.startswith("● REC 1:05 / 1:00-2:00 in target") and line.endswith("-30 dBFS")
    assert line.count("█") == 12  # -30 dBFS is half way up a -60..0 bar
    under = meter.render(LevelUpdate(elapsed_s=5, level_dbfs=-100.0, peak_dbfs=-100.0, silence_s=0)).plain
    assert "0:05 / 1:00-2:00 under" in under and "█" not in under


# --- the whole loop through the virtual microphone -------------------------------------------


@pytest.mark.model
def test_practice_from_the_microphone(tmp_path: Path, clip: Callable[[str], Path], reps_home: Path) -> None:
    """No keyboard: stdin is not a terminal, the limit stops the recording, nothing is asked."""
    env = virtual_mic(tmp_path, clip("jfk.wav"))
    proc = run_reps(*practice_args("--max-seconds", "11", "--no-reflect"), env=env)
    assert proc.returncode == 0, proc.stderr

    folder, record = the_rep(reps_home)
    reference = (clip("jfk.txt")).read_text()
    assert word_match(record["transcript"], reference) >= 0.9, record["transcript"]
    assert record["rep"]["question_id"] == QUESTION
    audio, rate = sf.read(folder / record["rep"]["audio_file"], dtype="int16")
    clip, _ = sf.read(clip("jfk.wav"), dtype="int16")
    assert rate == RATE
    np.testing.assert_array_equal(audio, clip[: 11 * RATE])  # every sample the microphone played
    assert recordings(reps_home) == []  # removed once the rep holding its copy was saved
    assert not (folder / "reflection.json").exists()
    # the question was shown; the report went to stdout
    assert "Tell me about yourself." in proc.stderr and "aim for 60-120 s" in proc.stderr
    assert "Present-Past-Future" in proc.stderr and "Your current role and what you own in it" in proc.stderr
    assert "Recorded 11.0 s (the 0:11 limit)." in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout.strip()


FLOW = """
import json, sys
from interview_reps.practice import PracticeCallbacks, PracticeOptions, run_practice

class Events(PracticeCallbacks):
    def __init__(self):
        self.seen, self.levels = [], 0
    def question(self, question):
        self.seen.append(["question", question.id])
    def recording_started(self, question, capture):
        self.seen.append(["recording", capture.sample_rate_hz, capture.max_s])
    def level(self, update):
        self.levels += 1
    def recording_stopped(self, recording, capture):
        self.seen.append(["stopped", recording.stopped_by, recording.frames])
    def progress(self, message):
        self.seen.append(["progress", message.split()[0]])
    def report(self, report, question):
        self.seen.append(["report", report.rep.id, report.report_path.is_file()])
    def reflect(self, questions):
        return {questions[0][0]: "the opening"}
    def reflection_saved(self, rep):
        self.seen.append(["reflection", rep.id])

ui = Events()
code = run_practice(PracticeOptions(question_id="tell-me-about-yourself", prep_s=0, max_s=5), ui)
print(json.dumps({"code": code, "seen": ui.seen, "levels": ui.levels,
                  "terminal": [m for m in ("click", "rich") if m in sys.modules]}))
"""


@pytest.mark.model
def test_the_practice_flow_is_driven_by_callbacks(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    """The flow without the CLI: the callbacks see each step, supply the reflection, and neither
    click nor rich is ever imported."""
    env = virtual_mic(tmp_path, clip("jfk.wav"))
    proc = subprocess.run([sys.executable, "-c", FLOW], env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    folder, record = the_rep(reps_home)
    assert got["code"] == 0 and got["terminal"] == []
    assert got["seen"] == [
        ["question", QUESTION],
        ["recording", RATE, 5.0],
        ["stopped", "max", 5 * RATE],
        ["progress", "transcribing"],
        ["report", folder.name, True],
        ["reflection", folder.name],
    ]
    assert got["levels"] == 50  # one per 100 ms block
    assert json.loads((folder / "reflection.json").read_text()) == {"stumped": "the opening"}
    assert record["rep"]["question_id"] == QUESTION and recordings(reps_home) == []
    page = (folder / "report.html").read_text()  # written again once the reflection was saved
    assert "<dt>What stumped me?</dt><dd>the opening</dd>" in page


@pytest.mark.model
def test_practice_resamples_and_stops_on_silence(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    """A device recorded at 44.1 kHz: resampled to 16 kHz for analysis; 2 s of silence ends the take."""
    env = virtual_mic(tmp_path, clip("jfk.wav"), rate=44_100, pad_s=5.0)
    args = practice_args(
        "--sample-rate", "44100", "--stop-on-silence", "2", "--max-seconds", "60", "--no-reflect"
    )
    proc = run_reps(*args, env=env)
    assert proc.returncode == 0, proc.stderr

    recorded_s = float(re.search(r"Recorded ([\d.]+) s \(2 s of silence\)", proc.stderr).group(1))
    assert 12.0 <= recorded_s <= 13.5  # the clip's last word ends at ~10.5 s
    folder, record = the_rep(reps_home)
    info = sf.info(folder / record["rep"]["audio_file"])
    assert (info.samplerate, info.channels) == (16_000, 1)
    assert info.duration == pytest.approx(recorded_s, abs=0.01)
    assert word_match(record["transcript"], (clip("jfk.txt")).read_text()) >= 0.9, record["transcript"]
    assert recordings(reps_home) == [] and list((reps_home / "recordings").iterdir()) == []


@pytest.mark.model
def test_ctrl_c_mid_answer_keeps_a_valid_wav_and_analyzes_it(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    with PacedMic(tmp_path, clip("jfk.wav")) as mic:
        proc = subprocess.Popen(
            reps_cmd(*practice_args("--max-seconds", "60")),
            env=mic.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            for seconds in (0.5, 2.0, 3.5):  # valid while it grows, as a crash would leave it
                wav = wait_for(lambda s=seconds: recording_with(reps_home, s), what=f"{seconds} s recorded")
                assert_valid_wav(wav)
            wait_for(lambda: recording_with(reps_home, 4.5), what="4.5 s recorded")
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=120)
        finally:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Recorded" in err and "(Ctrl-C)" in err and str(wav) in err
    assert "Traceback" not in err

    folder, record = the_rep(reps_home)
    audio_path = folder / record["rep"]["audio_file"]
    frames = assert_valid_wav(audio_path)
    assert 4.5 * RATE <= frames <= 6.5 * RATE  # stopped promptly, nothing said before Ctrl-C lost
    clip, _ = sf.read(clip("jfk.wav"), dtype="int16")
    np.testing.assert_array_equal(sf.read(audio_path, dtype="int16")[0], clip[:frames])
    assert "fellow americans" in " ".join(words(record["transcript"])), record["transcript"]
    # no terminal to ask on: nothing saved, and the line says how to add it later
    assert not (folder / "reflection.json").exists()
    assert "No reflection asked (stdin is not a terminal)" in err and "reps reflect latest" in err


def test_ctrl_c_right_away_keeps_the_short_recording(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    with PacedMic(tmp_path, clip("jfk.wav")) as mic:
        proc = subprocess.Popen(
            reps_cmd(*practice_args()),
            env=mic.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wav = wait_for(lambda: recording_with(reps_home, 0.2), what="0.2 s recorded")
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
    assert proc.returncode == 130, err
    assert "too short to judge" in err and f"the recording is kept at {wav}" in err
    assert recordings(reps_home) == [wav] and 0.2 * RATE <= assert_valid_wav(wav) < RATE
    assert not (reps_home / "reps").exists()


def test_a_crash_mid_answer_leaves_a_playable_wav(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    """SIGKILL (no clean-up at all): the WAV on disk still plays everything up to the last block."""
    with PacedMic(tmp_path, clip("jfk.wav")) as mic:
        proc = subprocess.Popen(
            reps_cmd(*practice_args("--max-seconds", "60")),
            env=mic.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wav = wait_for(lambda: recording_with(reps_home, 2.0), what="2 s recorded")
            proc.kill()
            proc.wait(timeout=30)
        finally:
            proc.kill()
    frames = assert_valid_wav(wav)
    assert frames >= 2.0 * RATE - 1600
    clip, _ = sf.read(clip("jfk.wav"), dtype="int16")
    np.testing.assert_array_equal(sf.read(wav, dtype="int16")[0], clip[:frames])


@pytest.mark.model
def test_enter_stops_and_the_reflection_is_saved(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    """With a terminal on stdin: Enter ends the answer, then the four reflection questions."""
    answers = {
        "stumped": "the opening",
        "weak_or_vague": "",
        "feedback_noticed": "a long pause",
        "story_gap": "",
    }
    master, slave = pty.openpty()
    with PacedMic(tmp_path, clip("jfk.wav")) as mic:
        proc = subprocess.Popen(
            reps_cmd(*practice_args("--max-seconds", "60")),
            env=mic.env,
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(slave)
        err, out = Reader(proc.stderr), Reader(proc.stdout)
        err.start()
        out.start()
        try:
            wait_for(lambda: recording_with(reps_home, 4.0), what="4 s recorded")
            os.write(master, b"\n")
            for (_, prompt), (_, answer) in zip(REFLECTION_QUESTIONS, answers.items(), strict=True):
                wait_for(lambda p=prompt: p in err.text, timeout=120, what=prompt)
                time.sleep(0.05)
                os.write(master, answer.encode() + b"\n")
            proc.wait(timeout=60)
        finally:
            proc.kill()
            os.close(master)
    err.join(5)
    assert proc.returncode == 0, err.text
    assert "(you stopped it)" in err.text and "Enter or Ctrl-C stops" in err.text
    folder, record = the_rep(reps_home)
    # the answers given are saved; a question skipped with Enter is left out
    assert json.loads((folder / "reflection.json").read_text()) == {k: v for k, v in answers.items() if v}
    assert "- what stumped me: the opening" in (folder / "report.md").read_text()
    assert 4.0 * RATE <= sf.info(folder / record["rep"]["audio_file"]).frames <= 6.0 * RATE
    assert "fellow americans" in " ".join(words(record["transcript"]))


@pytest.mark.model
def test_after_ctrl_c_the_reflection_is_still_offered(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    """On a terminal: Enter ends a 30 s countdown at once, "Last time" shows the earlier reflection of
    the question, and after Ctrl-C mid-answer the four questions are still asked and saved."""
    from interview_reps.pipeline import save_and_report, save_reflection
    from interview_reps.questions import get_question
    from test_store import make_result, write_wav

    earlier = save_and_report(
        make_result(),
        library=Library(reps_home),
        question=get_question(QUESTION),
        audio=write_wav(tmp_path / "a.wav"),
    )
    save_reflection(Library(reps_home), earlier.rep.id, {"weak_or_vague": "the result was vague"})
    master, slave = pty.openpty()
    with PacedMic(tmp_path, clip("jfk.wav")) as mic:
        proc = subprocess.Popen(
            reps_cmd("practice", "--question", QUESTION, "--prep-seconds", "30", "--max-seconds", "60"),
            env=mic.env,
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(slave)
        err, out = Reader(proc.stderr), Reader(proc.stdout)
        err.start()
        out.start()
        try:
            wait_for(lambda: "Last time (" in err.text, timeout=60, what="Last time")
            started = time.monotonic()
            os.write(master, b"\n")  # ready: no need to wait out the 30 s
            wait_for(lambda: recording_with(reps_home, 3.0), timeout=20, what="3 s recorded")
            assert time.monotonic() - started < 15
            proc.send_signal(signal.SIGINT)
            for (_, prompt), answer in zip(REFLECTION_QUESTIONS, ["the start", "", "", ""], strict=True):
                wait_for(lambda p=prompt: p in err.text, timeout=120, what=prompt)
                time.sleep(0.05)
                os.write(master, answer.encode() + b"\n")
            proc.wait(timeout=60)
        finally:
            proc.kill()
            os.close(master)
    err.join(5)
    assert proc.returncode == 130, err.text
    assert "Last time (" in err.text and "what felt weak: the result was vague." in err.text
    assert "(Ctrl-C)" in err.text and "Traceback" not in err.text
    reps = Library(reps_home).reps(QUESTION)
    assert reps[-1].reflection is not None and reps[-1].reflection.get("stumped") == "the start"


def test_failed_analysis_keeps_the_recording_and_names_it(tmp_path: Path, reps_home: Path) -> None:
    hum = tmp_path / "room.wav"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            str(hum),
            "synth",
            "3",
            "whitenoise",
            "vol",
            "0.002",
        ],
        check=True,
    )
    env = virtual_mic(tmp_path, hum)
    proc = run_reps(*practice_args("--max-seconds", "3", "--no-reflect"), env=env)
    assert proc.returncode == 1, proc.stderr
    [wav] = recordings(reps_home)
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("reps: error: ") and "no speech detected" in last
    # kept, under a name that is not offered again as a leftover to analyze (it would fail again)
    assert wav.name.endswith(".no-speech.wav")
    assert last.endswith(f"the recording is kept at {wav} (not listed again at the next start)")
    assert assert_valid_wav(wav) == 3 * RATE and "Traceback" not in proc.stderr
    from interview_reps.wavfile import repair_recordings

    os.utime(wav, (time.time() - 600, time.time() - 600))
    assert repair_recordings(reps_home) == []


def test_no_microphone_and_a_broken_leftover(
    tmp_path: Path, reps_home: Path, clip: Callable[[str], Path]
) -> None:
    """A recording cut off by a crash is repaired at the next start, even when the mic is missing; a
    leftover with no speech in it is set aside once, never suggested for `reps analyze`."""
    folder = reps_home / "recordings"
    folder.mkdir()
    wav = folder / "20240501-093000.wav"
    samples = sf.read(clip("jfk.wav"), dtype="int16")[0][: 2 * RATE]
    silent = folder / "20240501-083000.wav"
    with WavStreamWriter(silent, sample_rate_hz=RATE) as writer:
        writer.write(np.zeros(3 * RATE, dtype=np.int16))
    os.utime(silent, (time.time() - 600, time.time() - 600))
    with WavStreamWriter(wav, sample_rate_hz=RATE) as writer:
        writer.write(samples[:RATE])
    with open(wav, "ab") as f:  # the crash: a block appended, the header not yet updated
        f.write(samples[RATE:].tobytes())
    os.utime(wav, (time.time() - 600, time.time() - 600))
    conf = tmp_path / "no-capture.conf"
    conf.write_text("pcm.!default { type asym playback.pcm { type null } }\n")

    proc = run_reps(*practice_args(), env={**os.environ, "ALSA_CONFIG_PATH": str(conf)})

    assert proc.returncode == 1
    aside, first, last = proc.stderr.strip().splitlines()
    assert "no speech in it (3 s)" in aside and "20240501-083000.no-speech.wav" in aside
    assert "reps analyze" not in aside and not silent.exists()
    assert str(wav) in first and "0:02; its header was repaired" in first and f"reps analyze {wav}" in first
    assert last.startswith("reps: error: no microphone found")
    again = run_reps(*practice_args(), env={**os.environ, "ALSA_CONFIG_PATH": str(conf)})
    assert "no speech" not in again.stderr  # said once
    assert assert_valid_wav(wav) == 2 * RATE
    np.testing.assert_array_equal(sf.read(wav, dtype="int16")[0], samples)


def test_unknown_device_stops_before_the_question(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    env = virtual_mic(tmp_path, clip("jfk.wav"))
    proc = run_reps(*practice_args("--device", "usb headset"), env=env)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "reps: error: no input device matches 'usb headset'; 'reps devices' lists them"
    ]
    assert recordings(reps_home) == []


@pytest.mark.model
def test_practice_with_a_job_description(tmp_path: Path, reps_home: Path) -> None:
    """`reps practice --job FILE`: a question that fits the job, and the answer checked for its terms."""
    from interview_reps.analyze.content import job_terms_from_file, questions_for_job
    from interview_reps.questions import load_questions

    job = tmp_path / "job.txt"
    job.write_text(
        "Site Reliability Engineer\n- Run our Kubernetes clusters and CI pipelines\n"
        "- Lead production incidents and write postmortems\n- Cut build and deploy times\n",
        encoding="utf-8",
    )
    fits = {q.id for q, shared in questions_for_job(load_questions(), job_terms_from_file(job)) if shared}
    env = virtual_mic(tmp_path, Path(__file__).parent / "data" / "content" / "initiative_result.flac")
    proc = run_reps(
        "practice", "--job", str(job), "--prep-seconds", "0", "--max-seconds", "24", "--no-reflect", env=env
    )
    assert proc.returncode == 0, proc.stderr
    _folder, record = the_rep(reps_home)
    assert record["rep"]["question_id"] in fits
    terms = {j["term"]: j for j in record["content"]["job_terms"]}
    assert "Kubernetes clusters" in terms and "production incidents" in terms
    assert terms["build"]["covered"] and terms["build"]["at_s"] is not None  # "we cut the build time"
    assert "What you said" in (reps_home / "reps" / record["rep"]["id"] / "report.md").read_text(
        encoding="utf-8"
    )
