"""`reps interview`: planning the questions, the session summary and its patterns, sessions in the
library, and the whole interview through a virtual microphone and the real audio stack, the
interviewer's voice played to a file by ALSA.

The loop tests run in a subprocess (ALSA reads its configuration when PortAudio starts), with the real
tiny.en model; the microphone plays a real recording (samples/jfk.wav).
"""

from __future__ import annotations

import json
import os
import pty
import random
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pytest
from click.testing import CliRunner

from browser import Browser, find_chromium
from interview_reps.cli import cli
from interview_reps.interview import OPENERS, plan_interview, questions_for_job
from interview_reps.models import (
    INTERVIEW_REFLECTION_QUESTIONS,
    Feedback,
    FollowUpAsked,
    Rep,
    Session,
    SessionTag,
    UnsavedAnswer,
)
from interview_reps.questions import Question, load_questions
from interview_reps.sessions import kendall_tau, opening, summarize_session
from interview_reps.store import Library
from test_practice import Reader, recording_with, recordings, reps_cmd, run_reps, wait_for, word_match, words
from test_store import DAY1, make_result, write_wav
from vmic import PacedMic, alsa_env, no_mic, played, virtual_mic

RATE = 16_000
INTERVIEW = ["interview", "--prep-seconds", "0", "--no-reflect"]


# --- planning ----------------------------------------------------------------------------------


def test_an_interview_opens_closes_and_varies_in_between() -> None:
    bank = load_questions()
    by_id = {q.id: q for q in bank}
    for seed in range(10):
        plan = plan_interview(bank, count=5, rng=random.Random(seed))
        assert len(plan) == len({q.id for q in plan}) == 5
        assert plan[0].id in OPENERS and plan[-1].category == "closing"
        middle = [q.category for q in plan[1:-1]]
        assert len(set(middle)) == 3 and "closing" not in middle
        from interview_reps.interview import MIDDLE_ORDER

        assert middle == sorted(middle, key=MIDDLE_ORDER.index)  # the usual order of an interview
    assert [q.id in OPENERS for q in plan_interview(bank, count=1)] == [True]
    two = plan_interview(bank, count=2)
    assert two[0].id in OPENERS and two[1].category == "closing"
    many = plan_interview(bank, count=20, rng=random.Random(1))
    assert len({q.id for q in many}) == 20 and many[-1].category == "closing"
    # fresh questions first: everything but one behavioural question practised
    practised = {q.id: DAY1 for q in bank if q.id != "took-initiative"}
    chosen = plan_interview(bank, count=3, category="behavioural", practised=practised, rng=random.Random(0))
    assert chosen[0].id == "took-initiative" and {q.category for q in chosen} == {"behavioural"}
    assert [
        q.id for q in plan_interview(bank, question_ids=["why-this-company", "tell-me-about-yourself"])
    ] == [
        "why-this-company",
        "tell-me-about-yourself",
    ]
    # a category smaller than the count: every question of it, once
    assert len(plan_interview(bank, count=30, category="closing")) == len(
        [q for q in bank if q.category == "closing"]
    )
    assert by_id  # the bank loaded


def test_questions_that_fit_the_job_come_first(tmp_path: Path) -> None:
    from interview_reps.analyze.content import job_terms_from_file

    bank = load_questions()
    job = tmp_path / "job.txt"
    job.write_text(
        "Site reliability engineer. You will own production incidents and outages, run the postmortem, "
        "and improve our deployment process and monitoring with Kubernetes and Terraform.\n"
    )
    fits = questions_for_job(bank, job_terms_from_file(job))
    assert fits and all(f in {q.id for q in bank} for f in fits)
    for seed in range(5):
        plan = plan_interview(bank, count=5, prefer=fits, rng=random.Random(seed))
        middle = [q.id for q in plan[1:-1]]
        assert sum(q in fits for q in middle) >= min(2, len(fits)), (middle, fits)
    result = CliRunner().invoke(cli, ["interview", "--job", str(tmp_path / "nope.txt"), "--no-speak"])
    assert result.exit_code == 1 and "nope.txt: no such file" in result.stderr


# --- the session summary -----------------------------------------------------------------------


def question(qid: str, target: tuple[float, float] = (60.0, 120.0)) -> Question:
    return Question(qid, f"The {qid} question?", "behavioural", target, "STAR", (), "test")


QUESTIONS = {
    "q1": question("q1"),
    "q2": question("q2"),
    "q3": question("q3", (30.0, 60.0)),
}


def rep(
    n: int, qid: str | None, result, *, number: str | None = None, follow_up: FollowUpAsked | None = None
) -> Rep:
    """The n-th rep saved; ``number``: its number in the interview (default n; "" for none saved)."""
    advice = (Feedback(f"advice for answer {n}"),)
    return Rep(
        id=f"rep-{n}",
        question_id=qid,
        created_at=DAY1 + timedelta(minutes=n),
        result=replace(result, feedback=advice),
        session=SessionTag("s-test", str(n) if number is None else number, follow_up),
    )


def summary_of(reps: list[Rep], *, unsaved: tuple[UnsavedAnswer, ...] = (), ids=("q1", "q2", "q3")):
    session = Session("s-test", DAY1, tuple(ids), unsaved=unsaved)
    return summarize_session(
        session,
        reps,
        question_text=lambda qid: QUESTIONS[qid].text if qid in QUESTIONS else None,
        target_s=lambda qid: QUESTIONS[qid].target_s if qid in QUESTIONS else None,
    )


def test_the_summary_lists_each_answer_with_its_numbers_and_advice() -> None:
    reps = [
        rep(1, "q1", make_result(wpm=140.0, duration_s=91.0, first_word_s=1.5, pauses=[(20.0, 2.5)])),
        rep(
            2,
            None,
            make_result(wpm=150.0, duration_s=31.0),
            number="1a",
            follow_up=FollowUpAsked("q1", "And then?"),
        ),
        rep(3, "q3", make_result(wpm=160.0, duration_s=41.0)),
    ]
    lost = UnsavedAnswer("q2", "too short to judge (0.4 s)", "/r/x.wav", answer="2")
    s = summary_of(list(reversed(reps)), unsaved=(lost,))  # any order in: asked order out
    in_order = [
        ("1", "rep-1", "The q1 question?"),
        ("1a", "rep-2", "And then?"),
        ("3", "rep-3", "The q3 question?"),
    ]
    assert [(a.number, a.rep_id, a.question) for a in s.answers] == in_order
    # reps and unsaved answers with no number (written by hand) are placed by their question
    unnumbered = [replace(r, session=replace(r.session, answer="")) for r in reps]
    again = summary_of(unnumbered, unsaved=(replace(lost, answer=None),))
    assert [(a.number, a.rep_id, a.question) for a in again.answers] == in_order
    assert [u.number for u in again.unsaved] == ["2"]
    first = s.answers[0]
    assert (first.length_s, first.target_s, first.wpm, first.longest_pause_s) == (
        90.0,
        (60.0, 120.0),
        140.0,
        2.5,
    )
    assert first.time_to_first_word_s == 1.5 and first.advice == "advice for answer 1"
    assert s.answers[1].is_follow_up and s.answers[1].target_s is None
    assert [(u.number, u.question, u.answer.reason) for u in s.unsaved] == [
        ("2", "The q2 question?", "too short to judge (0.4 s)")
    ]
    assert s.asked == 3 and s.speaking_s == 90.0 + 30.0 + 40.0
    data = json.loads(json.dumps(s.to_dict()))
    assert data["answers"][0]["rep_id"] == "rep-1" and data["unsaved"][0]["recording"] == "/r/x.wav"
    # the interview's page: the same rows, a link where the rep has a report, the answer not saved
    from interview_reps.report.session import render_session_html

    page = render_session_html(s, links={"rep-3": "../../reps/rep-3/report.html"})
    assert re.findall(r'data-rep="([^"]+)"><td>([^<]+)</td>', page) == [(r, n) for n, r, _ in in_order]
    assert (
        page.count("<a href=") == 1 and '<a href="../../reps/rep-3/report.html">The q3 question?</a>' in page
    )
    assert "<li>2. The q2 question? <strong>not saved</strong>: too short to judge (0.4 s)</li>" in page
    assert "Reflection" not in page


def words_from(*texts: str, start: float = 1.0) -> list[tuple]:
    return [(w, start + i * 0.4, start + i * 0.4 + 0.3) for i, w in enumerate(" ".join(texts).split())]


def test_patterns_across_the_interview() -> None:
    so = words_from("So I led the migration of our billing system")
    well = words_from("Well the team had three weeks")
    reps = [
        rep(
            1,
            "q1",
            make_result(words=so, duration_s=101.0, pauses=[(2.0, 3.0), (40.0, 1.2)], first_word_s=1.0),
        ),
        rep(
            2,
            "q2",
            make_result(words=so, duration_s=71.0, pauses=[(3.5, 2.0), (30.0, 1.0)], first_word_s=1.0),
        ),
        rep(3, "q3", make_result(words=well, duration_s=21.0, pauses=[(1.5, 1.5)], first_word_s=1.0)),
    ]
    patterns = summary_of(reps).patterns
    assert patterns[0] == 'Started 2 of 3 answers with "so" (answers 1 and 2).'
    assert patterns[1] == (
        "Answers got shorter as the interview went on (1:40 → 1:10 → 0:20), also against each question's target."
    )
    assert patterns[2].startswith(
        "The longest pause came in the first 5 s of every answer (3 of 3): 3.0 s at 0:02 (answer 1); "
        "2.0 s at 0:04 (answer 2); 1.5 s at 0:02 (answer 3)."
    )
    # the same lengths against targets they fit do not drift: 100 s of 60-120, 70 s of 60-120, 20 s of
    # 30-60 is shorter; make the last one fit its target and the trend is gone
    even = [reps[0], reps[1], rep(3, "q3", make_result(words=well, duration_s=56.0, pauses=[(30.0, 1.5)]))]
    assert not [p for p in summary_of(even).patterns if "shorter" in p]
    # equal lengths do not drift, even when the targets fall (11 s of 60-120, of 60-120, of 30-60)
    same = [rep(n, q, make_result(words=well, duration_s=12.0)) for n, q in ((1, "q1"), (2, "q2"), (3, "q3"))]
    assert not [p for p in summary_of(same).patterns if "Answers got" in p]
    # one stall in three answers, or one answer, is no pattern
    plain = make_result(words=words_from("I led it"))
    mixed = [rep(1, "q1", make_result(words=so)), rep(2, "q2", plain), rep(3, "q3", plain)]
    assert not [p for p in summary_of(mixed).patterns if p.startswith("Started")]
    two_stalls = [
        rep(1, "q1", make_result(words=so)),
        rep(2, "q2", make_result(words=well)),
        rep(3, "q3", plain),
    ]
    assert (
        'Started 2 of 3 answers with a filler or stall ("so", "well")' in summary_of(two_stalls).patterns[0]
    )
    assert summary_of(reps[:1]).patterns == ()
    # a slow pace is a pattern where there are words enough to judge it, as in the summary's pace column
    slow = [rep(n, q, make_result(wpm=100.0, duration_s=60.0)) for n, q in ((1, "q1"), (2, "q2"), (3, "q3"))]
    assert "Pace below 120 wpm in every answer (3 of 3): 100 wpm (answer 1)" in " ".join(
        summary_of(slow).patterns
    )
    few = [
        replace(r, result=replace(r.result, metrics=replace(r.result.metrics, word_count=9))) for r in slow
    ]
    s = summary_of(few)
    assert [a.wpm for a in s.answers] == [None] * 3 and not [p for p in s.patterns if "wpm" in p]
    two_judged = [*slow[:2], few[2]]
    assert "Pace below 120 wpm in 2 of 3 answers" in " ".join(summary_of(two_judged).patterns)


def test_openings_and_rank_correlation() -> None:
    assert opening(make_result(words=words_from("Um so I think"))) == "um"
    assert (
        opening(make_result(words=words_from("That's a good question, I would say")))
        == "that's a good question"
    )
    assert opening(make_result(words=words_from("You know it was hard"))) == "you know"
    assert opening(make_result(words=words_from("I led a team"))) is None
    assert (
        kendall_tau([3, 2, 1]) == -1.0
        and kendall_tau([1, 2, 3]) == 1.0
        and kendall_tau([1, 3, 2]) == pytest.approx(1 / 3)
    )


# --- sessions in the library -------------------------------------------------------------------


def test_sessions_are_saved_listed_and_found(
    reps_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library()
    first = library.start_session(["q1", "q2"], settings={"count": 2}, started_at=DAY1)
    second = library.start_session(["q3"], started_at=DAY1 + timedelta(days=1))
    assert (
        first.id.startswith("s-20240501-093000-")
        and (reps_home / "sessions" / first.id / "session.json").is_file()
    )
    done = replace(first, ended_at=DAY1 + timedelta(minutes=9), reflection={"stumped": "the second one"})
    library.save_session(done)
    assert [s.id for s in library.sessions()] == [first.id, second.id]
    assert library.get_session(first.id) == done
    assert library.get_session("latest-session").id == second.id
    assert library.get_session("s-20240502").id == second.id  # a unique prefix
    from interview_reps.errors import LibraryError

    with pytest.raises(LibraryError, match="interview id 's-2024' is ambiguous"):
        library.get_session("s-2024")
    with pytest.raises(LibraryError, match="no interview 's-1999'"):
        library.get_session("s-1999")
    # reps tagged with the session: history --json has the id, --session filters
    wav = write_wav(tmp_path / "take.wav")
    tagged = library.save(
        make_result(), question_id="q1", audio=wav, session=SessionTag(first.id, "1"), created_at=DAY1
    )
    library.save(make_result(), question_id="q1", audio=wav, created_at=DAY1 + timedelta(hours=1))
    assert library.get(tagged.id).session_id == first.id
    runner = CliRunner()
    everything = json.loads(runner.invoke(cli, ["history", "--json"]).stdout)
    assert [r["session_id"] for r in everything] == [first.id, None]
    only = json.loads(runner.invoke(cli, ["history", "--session", first.id[:20], "--json"]).stdout)
    assert [r["id"] for r in only] == [tagged.id]
    shown = runner.invoke(cli, ["show", first.id])
    assert shown.exit_code == 0, shown.output
    assert f"Interview {first.id}" in shown.stdout and "1 of 2 questions asked" in shown.stdout
    assert "Which questions stumped me? the second one" in shown.stdout
    # its page: written on demand, opened in the browser, the reflection and the answer linked
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    page = runner.invoke(cli, ["show", first.id, "--open"])
    path = reps_home / "sessions" / first.id / "summary.html"
    assert page.exit_code == 0 and page.stdout == f"{path}\n" and opened == [path.as_uri()]
    html = path.read_text()
    assert "<dt>Which questions stumped me?</dt><dd>the second one</dd>" in html
    assert (
        f'<tr data-rep="{tagged.id}">' in html and (reps_home / "reps" / tagged.id / "report.html").is_file()
    )
    listed = runner.invoke(cli, ["sessions"])
    assert listed.exit_code == 0 and first.id in listed.stdout and second.id in listed.stdout
    as_json = json.loads(runner.invoke(cli, ["sessions", "--json"]).stdout)
    assert [s["session"]["id"] for s in as_json] == [first.id, second.id]
    assert as_json[0]["answers"][0]["rep_id"] == tagged.id
    # deleting an interview deletes its answers and its record (the reflection is personal too)
    kept = runner.invoke(cli, ["delete", first.id, "--audio-only", "--yes"])
    assert kept.exit_code == 0 and library.get_session(first.id) and library.audio_path(tagged.id) is None
    gone = runner.invoke(cli, ["delete", first.id, "--yes"])
    assert gone.exit_code == 0, gone.output
    assert f"{tagged.id}: deleted" in gone.stderr and f"{first.id}: interview deleted" in gone.stderr
    assert [s.id for s in library.sessions()] == [second.id] and len(library.entries()) == 1
    assert runner.invoke(cli, ["delete", "--all", "--yes"]).exit_code == 0
    assert library.sessions() == [] and library.entries() == []


def test_a_v2_index_gains_the_session_of_each_rep(reps_home: Path, tmp_path: Path) -> None:
    import sqlite3

    library = Library()
    wav = write_wav(tmp_path / "take.wav")
    tagged = library.save(
        make_result(), question_id="q1", audio=wav, session=SessionTag("s-20240501-093000-abcd", "1")
    )
    plain = library.save(make_result(), question_id="q1", audio=wav)
    with sqlite3.connect(library.index_path) as conn:  # back to v2: no session column
        conn.execute("DROP INDEX reps_session")
        conn.execute("ALTER TABLE reps DROP COLUMN session_id")
        conn.execute("PRAGMA user_version = 2")
    conn.close()
    entries = {e.id: e.session_id for e in Library().entries()}
    assert entries == {tagged.id: "s-20240501-093000-abcd", plain.id: None}


def test_no_interviews_yet(reps_home: Path) -> None:
    result = CliRunner().invoke(cli, ["sessions"])
    assert result.exit_code == 0 and "No interviews yet" in result.stderr
    result = CliRunner().invoke(cli, ["show", "latest-session"])
    assert result.exit_code == 1 and "no interviews yet" in result.stderr


def test_usage_errors_before_anything_is_recorded() -> None:
    result = CliRunner().invoke(cli, ["interview", "--question", "why-this-company", "--count", "2"])
    assert result.exit_code == 2 and "--count and --question" in result.stderr
    result = CliRunner().invoke(cli, ["interview", "--question", "why-this-company", "--category", "closing"])
    assert result.exit_code == 2 and "--category and --question" in result.stderr


def test_no_microphone_ends_before_the_first_question(tmp_path: Path, reps_home: Path) -> None:
    proc = run_reps(*INTERVIEW, "--no-speak", env=no_mic(tmp_path))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "reps: error: no microphone found: plug one in (or enable it in the system sound settings), "
        "then check with 'reps devices'"
    ]
    assert not (reps_home / "sessions").exists()


def test_an_unknown_speaker_is_an_error(tmp_path: Path, clip: Callable[[str], Path], reps_home: Path) -> None:
    proc = run_reps(*INTERVIEW, "--speaker", "usb headset", env=virtual_mic(tmp_path, clip("jfk.wav")))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "reps: error: no output device matches 'usb headset'; 'reps devices --output' lists them"
    )


def test_devices_output_lists_the_speakers_and_speaker_picks_one(tmp_path: Path) -> None:
    """`reps devices --output` lists the playback devices, the default marked; `--speaker` finds one by
    index or by name; with no playback device at all, one line says so."""
    env = alsa_env(tmp_path, Path("/dev/zero"), playback=tmp_path / "speakers.raw")
    proc = run_reps("devices", "--output", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[:3] == ["*", "0", "default"]
    listed = json.loads(run_reps("devices", "--output", "--json", env=env).stdout)
    assert [(d["index"], d["name"], d["is_default"]) for d in listed] == [(0, "default", True)]
    find = "from interview_reps.speak import find_output_device as f; print(f('0').name, f('DEFAULT').name)"
    found = subprocess.run([sys.executable, "-c", find], env=env, capture_output=True, text=True, timeout=60)
    assert found.stdout.split() == ["default", "default"], found.stderr
    conf = tmp_path / "capture-only.conf"
    conf.write_text(
        'pcm.!default { type asym capture.pcm { type file slave.pcm { type null } infile "/dev/zero" } }\n'
    )
    none = run_reps(
        "devices", "--output", env={**os.environ, "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{conf}"}
    )
    assert none.returncode == 1 and none.stdout == ""
    assert none.stderr == "reps: error: no speakers or headphones found (no audio output device)\n"


def test_silence_and_no_speakers(tmp_path: Path, reps_home: Path) -> None:
    """No speakers: the questions are text, said in one line. Answers with no speech are not reps: the
    summary says why for each, their recordings are kept, and the exit code is 1."""
    silence = tmp_path / "silence.raw"
    silence.write_bytes(bytes(2 * RATE * 3))
    conf = tmp_path / "capture-only.conf"
    conf.write_text(
        "pcm.!default { type asym capture.pcm { type file slave.pcm { type null } "
        f'file "/dev/null" infile "{silence}" format "raw" }} }}\n'
    )
    env = {**os.environ, "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{conf}"}
    proc = run_reps(*INTERVIEW, "--count", "2", "--max-seconds", "2", env=env)
    assert proc.returncode == 1, proc.stderr
    assert (
        "The questions are shown, not read aloud: no speakers or headphones found (no audio output device)."
        in proc.stderr
    )
    kept = recordings(reps_home)
    assert len(kept) == 2 and not (reps_home / "reps").exists()
    out = " ".join(proc.stdout.split())
    assert "2 of 2 questions asked, 0 answers saved" in out
    for n, path in enumerate(kept, start=1):
        assert f"{n}. " in out and f"not saved: no speech detected; the recording is kept at {path}" in out
    assert proc.stderr.strip().splitlines()[-1] == (
        "reps: error: 2 answers could not be saved as reps (see above); the recordings are kept"
    )
    session, _ = session_of(reps_home)
    assert [u["answer"] for u in session["unsaved"]] == ["1", "2"] and "Traceback" not in proc.stderr
    # --json: the summary as data on stdout, nothing else there
    shutil.rmtree(reps_home / "sessions")
    proc = run_reps(*INTERVIEW, "--count", "1", "--max-seconds", "2", "--json", env=env)
    summary = json.loads(proc.stdout)
    assert proc.returncode == 1 and summary["planned"] == summary["asked"] == 1 and summary["saved"] == 0
    [lost] = summary["unsaved"]
    assert lost["number"] == "1" and lost["reason"].startswith(
        "no speech detected; the recording is kept at "
    )
    assert summary["session"]["ended_early"] is False and summary["patterns"] == []


def test_without_piper_espeak_ng_then_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from interview_reps import speak

    monkeypatch.setitem(sys.modules, speak.PIPER_VOICE_PACKAGE, None)  # as if not installed
    voice, line = speak.find_voice()
    if shutil.which("espeak-ng"):
        assert isinstance(voice, speak.EspeakTTS) and line.startswith("The interviewer's voice: espeak-ng")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    voice, line = speak.find_voice()
    assert voice is None
    assert line.startswith(
        "The questions are shown, not read aloud: no voice is installed (Piper or its voice"
    )
    assert "`make setup` installs the Piper voice" in line and "apt-get install espeak-ng" in line


# --- the voice on the real audio stack ---------------------------------------------------------

PLAY = """
import sys
import numpy as np
from interview_reps.speak import Speech, find_output_device, play
tone = (np.sin(np.arange(22050) / 7) * 9000).astype(np.int16)
play(Speech(tone, 22050), find_output_device())
np.save(sys.argv[1], tone)
"""


def test_playback_reaches_the_output_device_sample_for_sample(tmp_path: Path) -> None:
    """ALSA's file plugin records what PortAudio played: every sample, in order, at the voice's rate."""
    out = tmp_path / "played.raw"
    env = alsa_env(tmp_path, Path("/dev/zero"), playback=out)
    proc = subprocess.run(
        [sys.executable, "-c", PLAY, str(tmp_path / "tone.npy")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    [file] = played(out)
    got = np.frombuffer(file.read_bytes(), dtype="<i2")
    tone = np.load(tmp_path / "tone.npy")
    assert len(tone) <= len(got) <= len(tone) + 22050 // 10  # the last period may be padded with silence
    np.testing.assert_array_equal(got[: len(tone)], tone)
    assert not got[len(tone) :].any()


def test_the_voice_says_the_question(clip: Callable[[str], Path]) -> None:
    """Piper with the shipped voice (make setup installs it) or espeak-ng: real speech of the right length."""
    from interview_reps.speak import find_voice, resample_int16

    voice, line = find_voice()
    assert voice is not None, line
    assert line.startswith("The interviewer's voice: ")
    speech = voice.say("Tell me about a time you took the initiative.")
    assert 1.5 < speech.duration_s < 6.0 and speech.samples.dtype == np.int16
    assert 0.3 < np.abs(speech.samples).max() / 32768 < 0.9  # loud enough, never clipped
    half = resample_int16(speech.samples, speech.sample_rate_hz, speech.sample_rate_hz // 2)
    assert abs(len(half) - len(speech.samples) / 2) <= 64


def test_espeak_ng_is_the_fallback() -> None:
    from interview_reps.speak import EspeakTTS

    program = shutil.which("espeak-ng")
    if program is None:
        pytest.skip("espeak-ng is not installed (make system installs it)")
    speech = EspeakTTS(program).say("-n is not an option here. Why this company?")
    assert 1.0 < speech.duration_s < 8.0 and np.abs(speech.samples).max() > 3000


# --- the whole interview through the virtual microphone ----------------------------------------


def session_of(home: Path) -> tuple[dict, list[dict]]:
    """The one session in ``home`` and its reps as saved, in the order they were asked."""
    [folder] = (home / "sessions").iterdir()
    session = json.loads((folder / "session.json").read_text())
    folders = sorted((home / "reps").iterdir()) if (home / "reps").is_dir() else []
    reps = [json.loads((p / "result.json").read_text()) for p in folders if not p.name.startswith(".")]
    number = lambda r: r["rep"]["session_answer"]  # noqa: E731
    return session, sorted(reps, key=lambda r: (int(number(r).rstrip("a")), number(r)))


@pytest.mark.model
def test_done_when_three_questions_three_reps_one_session(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    """Issue 15 as written: `reps interview --count 3 --max-seconds 30 --prep-seconds 0 --no-reflect
    --no-speak` records three answers to three different questions, saves three reps with one session
    id, and prints the session summary."""
    env = virtual_mic(tmp_path, clip("jfk.wav"))
    args = [
        "interview",
        "--count",
        "3",
        "--max-seconds",
        "30",
        "--prep-seconds",
        "0",
        "--no-reflect",
        "--no-speak",
    ]
    proc = run_reps(*args, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    session, reps = session_of(reps_home)
    assert len(reps) == 3 and len({r["rep"]["question_id"] for r in reps}) == 3
    assert [r["rep"]["question_id"] for r in reps] == session["question_ids"]
    assert {r["rep"]["session_id"] for r in reps} == {session["id"]}
    assert session["ended_at"] and not session["ended_early"] and session["unsaved"] == []
    reference = clip("jfk.txt").read_text()
    for r in reps:
        assert word_match(r["transcript"], reference) >= 0.9, r["transcript"]
        assert 29.9 <= r["audio"]["duration_s"] <= 30.0
    assert recordings(reps_home) == []
    # the summary on stdout: every question with its numbers and advice, the patterns
    out = proc.stdout
    bank = {q.id: q for q in load_questions()}
    assert f"Interview {session['id']}" in out and "3 of 3 questions asked, 3 answers saved" in out
    for n, r in enumerate(reps, start=1):
        text = bank[r["rep"]["question_id"]].text
        assert " ".join(text.split()[:3]) in out
        wpm = f"{r['metrics']['wpm']:.0f} wpm"
        assert re.search(rf"^ +{n} .*{wpm}", out, re.M), out
        assert f"{n}. {r['feedback'][0]['message'][:30]}" in " ".join(out.split())
    assert "Across the interview" in out and 'Started 3 of 3 answers with "and"' in out
    assert "Traceback" not in proc.stderr
    history = json.loads(run_reps("history", "--session", session["id"], "--json", env=env).stdout)
    # (in the order given, to the second: an unpaced microphone records three answers in one second)
    assert sorted(h["id"] for h in history) == sorted(r["rep"]["id"] for r in reps)
    assert {h["session_id"] for h in history} == {session["id"]}
    again = run_reps("show", session["id"], env=env)
    assert again.returncode == 0 and again.stdout == proc.stdout
    # the interview's page, in a real browser: nothing from the network, each answer linked to its report
    page_path = reps_home / "sessions" / session["id"] / "summary.html"
    assert f"The interview's page, each answer linked to its report: {page_path}" in proc.stderr
    assert run_reps("show", session["id"], "--html", env=env).stdout.strip() == str(page_path)
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no chromium for the interview's page (make test installs it when run as root)")
    with Browser(chromium) as browser:
        page = browser.new_page()
        page.open(page_path.as_uri())
        assert page.errors == [] and all(u.startswith(("file:", "data:")) for u in page.requests)
        rows = page.js(
            "Array.from(document.querySelectorAll('#answers ~ div tbody tr[data-rep]'))"
            ".map(tr => [tr.dataset.rep, tr.querySelector('a')?.href])"
        )
        assert [r[0] for r in rows] == [r["rep"]["id"] for r in reps]
        for rep_id, href in rows:
            assert unquote(urlparse(href).path) == str(reps_home / "reps" / rep_id / "report.html")
            assert Path(unquote(urlparse(href).path)).is_file()
        assert page.js("document.querySelectorAll('#patterns ~ ul li').length") == len(
            [line for line in out.splitlines() if line.strip().startswith("•")]
        )


FLOW = """
import json, sys
from interview_reps.interview import InterviewCallbacks, InterviewOptions, run_interview

class Events(InterviewCallbacks):
    def __init__(self):
        self.seen = []
    def voice(self, line):
        self.seen.append(["voice", line.split(":")[0]])
    def ask(self, question, number, of):
        self.seen.append(["ask", question.id, number, of])
    def follow_up(self, text, question):
        self.seen.append(["follow_up", text, question.id])
    def recording_started(self, question, capture):
        self.seen.append(["recording", question.id if question else None])
    def recording_stopped(self, recording, capture):
        self.seen.append(["stopped", recording.stopped_by, recording.frames])
    def listening(self):
        self.seen.append(["listening"])
    def summary(self, summary):
        self.seen.append(["summary", [a.number for a in summary.answers]])
    def warn(self, message):
        self.seen.append(["warn", message])

ui = Events()
options = InterviewOptions(
    question_ids=("took-initiative", "questions-for-us"), prep_s=0, max_s=25, follow_ups=True, reflect=False
)
code = run_interview(options, ui)
print(json.dumps({"code": code, "seen": ui.seen, "terminal": [m for m in ("click", "rich") if m in sys.modules]}))
"""


@pytest.mark.model
def test_questions_are_spoken_before_each_recording_starts(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    """With speech on, each question (and the follow-up) reaches the output device, whole, before the
    recording of its answer opens the microphone. A story that never says how it ended gets the
    question's "no result" follow-up; a question with no follow-ups gets none. The flow runs from
    callbacks, without a terminal."""
    out = tmp_path / "speakers.raw"
    snapshot = lambda: [(p.name, p.stat().st_size) for p in played(out)]  # noqa: E731
    story = clip("content/initiative_no_result.flac")  # told without a result (tests/data/content)
    with PacedMic(tmp_path, story, speed=50, playback=out, on_open=snapshot) as mic:
        proc = subprocess.run(
            [sys.executable, "-c", FLOW], env=mic.env, capture_output=True, text=True, timeout=300
        )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["code"] == 0 and got["terminal"] == []
    bank = {q.id: q for q in load_questions()}
    follow = next(f.text for f in bank["took-initiative"].follow_ups if f.when == "no_result")
    assert follow == "What happened in the end? What changed because of what you did?"
    steps = [e for e in got["seen"] if e[0] != "stopped"]
    assert steps == [
        ["voice", "The interviewer's voice"],
        ["ask", "took-initiative", 1, 2],
        ["recording", "took-initiative"],
        ["listening"],
        ["follow_up", follow, "took-initiative"],
        ["recording", None],
        ["ask", "questions-for-us", 2, 2],
        ["recording", "questions-for-us"],  # no follow-ups in the bank: no wait for its analysis
        ["summary", ["1", "1a", "2"]],
    ]
    # what the speakers had played each time the microphone opened: the probes saw nothing; each
    # recording saw one more utterance, complete
    final = [(p.name, p.stat().st_size) for p in played(out)]
    assert len(final) == 3
    assert [len(s) for s in mic.opened[-3:]] == [1, 2, 3]
    assert all(s == final[: len(s)] for s in mic.opened[-3:])
    assert all(not s for s in mic.opened[:-3])
    # the voice said the questions, in order (heard back by the same model)
    import soundfile as sf

    from interview_reps import analyze_file

    said = [bank["took-initiative"].text, follow, bank["questions-for-us"].text]
    for path, text in zip(played(out), said, strict=True):
        wav = path.with_suffix(".wav")
        sf.write(wav, np.frombuffer(path.read_bytes(), dtype="<i2"), 22050)
        heard = analyze_file(wav).transcript
        assert word_match(heard, text) >= 0.8, (heard, text)
    # the follow-up answer is a rep of the session, filed under no question
    session, reps = session_of(reps_home)
    assert [
        (r["rep"]["question_id"], r["rep"]["session_answer"], r["rep"].get("follow_up")) for r in reps
    ] == [
        ("took-initiative", "1", None),
        (None, "1a", {"of": "took-initiative", "text": follow}),
        ("questions-for-us", "2", None),
    ]
    assert "no_result" in reps[0]["content"]["findings"]
    assert {r["rep"]["session_id"] for r in reps} == {session["id"]}
    assert session["settings"]["voice"] == "Piper en_US-joe-medium"


@pytest.mark.model
def test_at_a_terminal_enter_ends_each_answer_then_one_reflection_on_the_interview(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    """`reps interview` as a person runs it, speech on: each question is read aloud, whole, before the
    countdown and the recording; Enter ends an answer and the next question follows; at the end the
    four reflection questions, once, saved with the session, shown again and on the interview's page."""
    ids = ["tell-me-about-yourself", "why-this-company"]
    answers = {
        "stumped": "why this company",
        "weak_or_vague": "",
        "feedback_noticed": "",
        "story_gap": "the <middle> of my story",
    }
    out = tmp_path / "speakers.raw"
    snapshot = lambda: [(p.name, p.stat().st_size) for p in played(out)]  # noqa: E731
    args = [
        "interview",
        "--prep-seconds",
        "1",
        "--max-seconds",
        "60",
        *[a for q in ids for a in ("--question", q)],
    ]
    master, slave = pty.openpty()
    with PacedMic(tmp_path, clip("jfk.wav"), playback=out, on_open=snapshot) as mic:
        proc = subprocess.Popen(
            reps_cmd(*args),
            env=mic.env,
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(slave)
        err, summary = Reader(proc.stderr), Reader(proc.stdout)
        err.start()
        summary.start()
        try:
            first = wait_for(lambda: recording_with(reps_home, 3.0), timeout=120, what="3 s of answer 1")
            os.write(master, b"\n")
            wait_for(
                lambda: [
                    p for p in recordings(reps_home) if p != first and p.stat().st_size >= 44 + 6 * RATE
                ],
                timeout=120,
                what="3 s of answer 2",
            )
            os.write(master, b"\n")
            for key, prompt in INTERVIEW_REFLECTION_QUESTIONS:
                wait_for(lambda p=prompt: p in err.text, timeout=120, what=prompt)
                os.write(master, answers[key].encode() + b"\n")
            proc.wait(timeout=60)
        finally:
            proc.kill()
            os.close(master)
    err.join(5)
    summary.join(5)
    assert proc.returncode == 0, err.text
    text = err.text
    assert text.count("(you stopped it)") == 2 and "Enter ends the answer, Ctrl-C the interview" in text
    assert text.index("Question 2 of 2") > text.index("(you stopped it)")
    assert text.count("Recording starts in 1 s (Enter starts now).") == 2
    # each question reached the speakers whole before the microphone opened for its answer
    assert len(played(out)) == 2
    assert [len(s) for s in mic.opened[-2:]] == [1, 2] and all(not s for s in mic.opened[:-2])
    session, reps = session_of(reps_home)
    assert [r["rep"]["question_id"] for r in reps] == ids
    assert all(2.5 <= r["audio"]["duration_s"] < 30 for r in reps), [r["audio"] for r in reps]
    saved = {k: v for k, v in answers.items() if v}
    assert session["reflection"] == saved and f"Reflection saved with interview {session['id']}" in text
    assert "2 of 2 questions asked, 2 answers saved" in summary.text
    shown = run_reps("show", session["id"], env=mic.env).stdout
    assert "Which questions stumped me? why this company" in shown
    assert "What part of my story didn't connect? the <middle> of my story" in shown
    page = (reps_home / "sessions" / session["id"] / "summary.html").read_text()
    assert "<dd>the &lt;middle&gt; of my story</dd>" in page and "Which questions stumped me?" in page
    assert "Traceback" not in text


@pytest.mark.model
def test_ctrl_c_in_the_second_answer_keeps_the_first_two(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    """The first answer is analyzed and saved while the second is recorded; Ctrl-C in the second
    ends the interview, both answers become reps of the session, the third question is never asked."""
    ids = ["tell-me-about-yourself", "why-this-company", "questions-for-us"]
    # Each answer up to 60 s: the first at 8 x the pace of speech (7.5 s), the second at its pace, so
    # that it is still being recorded when the first one's analysis ends, even on a busy machine. The
    # microphone says the clip over and over: every stretch of the answers has speech.
    args = [*INTERVIEW, "--no-speak", "--max-seconds", "60", *[a for q in ids for a in ("--question", q)]]
    reps_dir = reps_home / "reps"
    with PacedMic(tmp_path, clip("jfk.wav"), speed=8, loop=True) as mic:
        proc = subprocess.Popen(
            reps_cmd(*args),
            env=mic.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            second = wait_for(lambda: recordings(reps_home)[1:], what="answer 2 recording")[0]
            mic.set_speed(1)  # the second answer at the pace of speech: as long as the first's analysis needs
            # answer 1 leaves recordings/ once it is saved as a rep, while answer 2 goes on
            wait_for(lambda: recordings(reps_home) == [second], timeout=55, what="answer 1 saved")
            assert list(reps_dir.glob("2*"))
            size = second.stat().st_size
            # still recording, and long enough to judge (2 s or more)
            wait_for(
                lambda: second.stat().st_size > max(size + RATE, 44 + 2 * 2 * RATE), what="answer 2 going on"
            )
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=120)
        finally:
            proc.kill()
    assert proc.returncode == 130, err
    session, reps = session_of(reps_home)
    assert [r["rep"]["question_id"] for r in reps] == ids[:2]
    assert session["ended_early"] and session["question_ids"] == ids and session["unsaved"] == []
    assert reps[0]["audio"]["duration_s"] == 60.0 and 1.0 <= reps[1]["audio"]["duration_s"] < 60
    vocabulary, said = set(words(clip("jfk.txt").read_text())), words(reps[1]["transcript"])
    assert len(said) >= 5 and sum(w in vocabulary for w in said) >= 0.8 * len(said), said
    assert "Recorded 60.0 s (the 1:00 limit)." in err and "(Ctrl-C)." in err
    assert "Stopped by Ctrl-C: the interview ends here" in err and "Question 3 of 3" not in err
    assert "2 of 3 questions asked (ended early), 2 answers saved" in out
    assert recordings(reps_home) == [] and "Traceback" not in err


@pytest.mark.model
def test_ctrl_c_again_while_the_analyses_finish_keeps_the_recording(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    """A second Ctrl-C while the last answers are analyzed: the analysis under way ends, the ones not
    started are left, their recordings kept and named with the command that makes them reps."""
    ids = ["tell-me-about-yourself", "why-this-company", "questions-for-us"]
    # Answer 1 runs to a 90 s limit (11 s at the mic's 8x pace): its analysis takes seconds even on a
    # fast machine, so the second Ctrl-C (answer 2 is 2 s long) comes while it is under way.
    args = [*INTERVIEW, "--no-speak", "--max-seconds", "90", *[a for q in ids for a in ("--question", q)]]
    with PacedMic(tmp_path, clip("jfk.wav"), speed=8) as mic:
        proc = subprocess.Popen(
            reps_cmd(*args),
            env=mic.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        err_reader, out_reader = Reader(proc.stderr), Reader(proc.stdout)
        err_reader.start()
        out_reader.start()
        try:
            second = wait_for(lambda: recordings(reps_home)[1:], what="answer 2 recording")[0]
            wait_for(
                lambda: second.stat().st_size > 44 + 2 * 2 * RATE, what="2 s of answer 2"
            )  # long enough to judge
            proc.send_signal(signal.SIGINT)  # ends answer 2 while answer 1 is analyzed
            # the recording is over and the interview waits for its analyses (a Ctrl-C sent sooner could
            # still land in the recorder, where it only ends the answer again)
            wait_for(
                lambda: "Analyzing the last 2 answers" in err_reader.text, what="the wait for 2 analyses"
            )
            proc.send_signal(signal.SIGINT)  # while the analyses finish
            proc.wait(timeout=120)
        finally:
            proc.kill()
        err_reader.join(5)
        out_reader.join(5)
        out, err = out_reader.text, err_reader.text
    assert proc.returncode == 130, err
    session, reps = session_of(reps_home)
    assert [r["rep"]["question_id"] for r in reps] == ids[:1]
    [lost] = session["unsaved"]
    assert (lost["answer"], lost["question_id"], lost["recording"]) == ("2", ids[1], str(second))
    assert recordings(reps_home) == [second]
    assert f"(reps analyze {second} --question {ids[1]} makes it a rep)" in out
    assert "Traceback" not in err


@pytest.mark.model
def test_sigterm_in_the_second_answer_keeps_both_and_exits_143(
    tmp_path: Path, clip: Callable[[str], Path], reps_home: Path
) -> None:
    """SIGTERM (a shutdown) ends the interview as Ctrl-C does, but the answer it stopped is not
    analyzed: its recording is kept and named with the command that makes it a rep; the first answer
    is a rep of the session; the summary is printed and reps exits 143."""
    ids = ["tell-me-about-yourself", "why-this-company", "questions-for-us"]
    args = [*INTERVIEW, "--no-speak", "--max-seconds", "40", *[a for q in ids for a in ("--question", q)]]
    with PacedMic(tmp_path, clip("jfk.wav"), speed=8) as mic:
        proc = subprocess.Popen(
            reps_cmd(*args),
            env=mic.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            second = wait_for(lambda: recordings(reps_home)[1:], what="answer 2 recording")[0]
            wait_for(lambda: second.stat().st_size > 44 + 2 * 2 * RATE, what="2 s of answer 2")
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=120)
        finally:
            proc.kill()
    assert proc.returncode == 143, err
    assert err.strip().splitlines()[-1] == "reps: terminated" and "Traceback" not in err
    assert "Stopped by SIGTERM: the interview ends here" in err and "Question 3 of 3" not in err
    session, reps = session_of(reps_home)
    assert [r["rep"]["question_id"] for r in reps] == ids[:1] and session["ended_early"]
    [lost] = session["unsaved"]
    assert (lost["answer"], lost["question_id"], lost["recording"]) == ("2", ids[1], str(second))
    assert lost["reason"].startswith("not analyzed (SIGTERM)") and recordings(reps_home) == [second]
    assert f"(reps analyze {second} --question {ids[1]} makes it a rep)" in " ".join(out.split())
