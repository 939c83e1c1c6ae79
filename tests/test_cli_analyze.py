"""`reps analyze` as a user runs it: JSON on stdout, one clear line per bad file, reps saved whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from interview_reps.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.model
def test_json_one_object_per_file_and_rep_saved(reps_home: Path) -> None:
    code, out, err = run("analyze", str(SAMPLES / "jfk.wav"), str(SAMPLES / "mfa_uhum.flac"), "--json")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["schema"] == 1 and first["audio"]["path"].endswith("jfk.wav")
    assert 5 <= second["metrics"]["filled_pause_count"] <= 6
    assert "Analyzing" in err and "Analyzing" not in out
    reps = sorted((reps_home / "reps").iterdir())
    assert len(reps) == 2
    for folder in reps:
        assert {p.name for p in folder.iterdir()} >= {"result.json", "report.md", "report.html"}
        assert any(p.name.startswith("audio.") for p in folder.iterdir())
    saved = json.loads((reps[0] / "result.json").read_text())
    assert saved["schema"] == 1 and saved["rep"]["id"] == reps[0].name


@pytest.mark.model
def test_bad_files_one_line_each_others_still_analyzed(tmp_path: Path, reps_home: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("not audio at all")
    truncated = tmp_path / "cut.wav"
    truncated.write_bytes((SAMPLES / "jfk.wav").read_bytes()[:3000])
    silent = tmp_path / "silent.wav"
    import soundfile as sf

    sf.write(silent, np.zeros(16000 * 5, np.float32), 16000)
    missing = tmp_path / "nope.wav"
    code, out, err = run(
        "analyze",
        str(missing),
        str(empty),
        str(text),
        str(truncated),
        str(silent),
        str(SAMPLES / "jfk.wav"),
        "--json",
    )
    assert code == 1
    assert len(out.strip().splitlines()) == 1  # jfk still analyzed
    errors = [line for line in err.splitlines() if line.startswith("reps: error:")]
    assert len(errors) == 5
    assert f"{missing}: no such file" in err
    assert f"{empty}: empty file" in err
    assert f"{text}: not a readable audio file" in err
    assert f"{truncated}: too short to judge" in err
    assert f"{silent}: no speech detected" in err
    assert "Traceback" not in err
    assert len(list((reps_home / "reps").iterdir())) == 1
    assert not [p for p in (reps_home / "reps").iterdir() if p.name.startswith(".")]


@pytest.mark.model
def test_no_save_leaves_library_empty(reps_home: Path) -> None:
    code, out, _ = run("analyze", str(SAMPLES / "jfk.wav"), "--no-save")
    assert code == 0
    assert "Pace" in out and "Advice" in out
    assert not (reps_home / "reps").exists() or not list((reps_home / "reps").iterdir())


@pytest.mark.model
def test_clips_and_audacity_labels(tmp_path: Path) -> None:
    out_dir = tmp_path / "clips"
    code, _, err = run(
        "analyze", str(SAMPLES / "mfa_uhum.flac"), "--no-save", "--clips", str(out_dir), "--long-pause", "1.0"
    )
    assert code == 0, err
    labels = (out_dir / "labels.txt").read_text().splitlines()
    fillers = [line for line in labels if "filled pause" in line]
    assert 5 <= len(fillers) <= 6
    for line in labels:
        start, end, _label = line.split("\t")
        assert 0 <= float(start) <= float(end) <= 8.1
    wavs = sorted(out_dir.glob("filler-*.wav"))
    assert len(wavs) == len(fillers)
    import soundfile as sf

    assert all(0.3 < sf.info(str(w)).duration < 3.0 for w in wavs)


def test_unknown_model_offline_is_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "interview_reps.cli",
            "analyze",
            str(SAMPLES / "jfk.wav"),
            "--no-save",
            "--model",
            "no-such-model-xyz",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("reps: error: model 'no-such-model-xyz'")
    assert "Traceback" not in proc.stderr


@pytest.mark.model
def test_local_model_folder_accepted() -> None:
    from interview_reps.model_files import embedded_model_dir

    code, out, err = run(
        "analyze", str(SAMPLES / "jfk.wav"), "--no-save", "--json", "--model", str(embedded_model_dir())
    )
    assert code == 0, err
    assert "country" in json.loads(out)["transcript"]


@pytest.mark.model
@pytest.mark.parametrize("fmt", ["mp3", "ogg", "m4a", "webm"])
def test_common_formats_decoded(tmp_path: Path, fmt: str) -> None:
    import av

    codec = {"mp3": "mp3", "ogg": "libopus", "m4a": "aac", "webm": "libopus"}[fmt]
    src = SAMPLES / "jfk.wav"
    dst = tmp_path / f"answer.{fmt}"
    with av.open(str(src)) as inp, av.open(str(dst), "w") as outp:
        stream = outp.add_stream(codec, rate=48000 if codec == "libopus" else 44100)
        stream.layout = "stereo"
        resampler = av.AudioResampler(
            format=stream.format.name if hasattr(stream, "format") else "fltp",
            layout="stereo",
            rate=stream.rate,
        )
        for frame in inp.decode(audio=0):
            frame.pts = None
            for rframe in resampler.resample(frame):
                for packet in stream.encode(rframe):
                    outp.mux(packet)
        for packet in stream.encode(None):
            outp.mux(packet)
    code, out, err = run("analyze", str(dst), "--no-save", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["audio"]["duration_s"] == pytest.approx(11.0, abs=0.3)
    assert "ask not what your country" in result["transcript"].lower().replace(",", "")


def test_help_is_light_and_has_examples() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from interview_reps.cli import cli;"
        "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0, r.output;"
        "heavy = [m for m in ('numpy', 'faster_whisper', 'librosa', 'sounddevice', 'matplotlib', 'ctranslate2')"
        " if m in sys.modules]; print(','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
    code_, out, _ = run("analyze", "--help")
    assert code_ == 0 and "Examples" in out and "--json" in out


def _commands(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand of ``reps``, as the words that name it (``()`` for ``reps``)."""
    found = [path]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += _commands(sub, (*path, name))
    return found


def test_every_help_fits_an_80_column_terminal() -> None:
    """Examples blocks are not rewrapped (click's \\b), so each of their lines must fit by itself."""
    commands = _commands(cli)
    assert len(commands) > 15 and ("library",) in commands
    for words in commands:
        result = CliRunner().invoke(cli, [*words, "--help"], env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        too_long = [line for line in result.stdout.splitlines() if len(line) > 80]
        assert not too_long, f"reps {' '.join(words)} --help: {too_long}"
        assert "\b" not in result.stdout  # a marker click did not take shows as a control character


@pytest.mark.model
def test_recorded_date_for_past_answers(tmp_path: Path) -> None:
    code, _, err = run(
        "analyze",
        str(SAMPLES / "jfk.wav"),
        "--question",
        "tell-me-about-yourself",
        "--recorded",
        "2026-11-20T09:30",
    )
    assert code == 0, err
    old = tmp_path / "old.wav"
    old.write_bytes((SAMPLES / "jfk.wav").read_bytes())
    os.utime(old, (1_700_000_000, 1_700_000_000))  # 2023-11-14
    code, _, err = run("analyze", str(old), "--question", "tell-me-about-yourself", "--recorded", "file")
    assert code == 0, err
    code, out, _ = run("history", "--json")
    days = [rep["created_at"][:10] for rep in json.loads(out)]
    assert days == ["2023-11-14", "2026-11-20"]  # oldest first


def test_future_recorded_date_is_refused_today_and_file_are_not(tmp_path: Path) -> None:
    """A date more than a day ahead would sort last in the history forever: one line, before any work."""
    from datetime import date, datetime, timedelta

    from interview_reps.pipeline import recorded_times

    code, _, err = run("analyze", str(SAMPLES / "jfk.wav"), "--recorded", "2099-01-01")
    assert code == 1
    assert err.strip().splitlines() == [
        f"reps: error: --recorded: '2099-01-01' is in the future (today is {date.today():%Y-%m-%d}); "
        "give the day the answer was given, or 'file'"
    ]
    in_two_days = (datetime.now() + timedelta(days=2)).isoformat(timespec="minutes")
    assert run("analyze", str(SAMPLES / "jfk.wav"), "--recorded", in_two_days)[0] == 1
    # Today, later today (a day's leeway for time zones) and 'file' still work.
    wav = tmp_path / "take.wav"
    wav.write_bytes(b"")
    os.utime(wav, (1_700_000_000, 1_700_000_000))
    later_today = (datetime.now() + timedelta(hours=20)).isoformat(timespec="minutes")
    for given in (date.today().isoformat(), later_today):
        (when,) = recorded_times([wav], given)
        assert when is not None and when.tzinfo is not None
    (when,) = recorded_times([wav], "file")
    assert when is not None and when.timestamp() == 1_700_000_000


def test_m_ss_with_60_seconds_or_more_is_one_clear_line() -> None:
    """0:70 is no time in m:ss: refused before any work, with what was likely meant."""
    code, out, err = run("analyze", str(SAMPLES / "jfk.wav"), "--no-save", "--end", "0:70")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        "reps: error: --end: '0:70': the seconds of m:ss go up to 59; write 1:10 (or 70)"
    ]
    for bad in ("1:60", "0:99.5"):
        code, _, err = run("analyze", str(SAMPLES / "jfk.wav"), "--no-save", "--start", bad)
        assert code == 1 and err.startswith(f"reps: error: --start: '{bad}': the seconds of m:ss")
    for bad in ("nan", "inf", "-0:30", "1:-5"):  # float() reads the first two; the others are no m:ss
        code, _, err = run("analyze", str(SAMPLES / "jfk.wav"), "--no-save", "--start", bad)
        assert code == 1
        assert err.strip().splitlines() == [f"reps: error: --start: '{bad}' is not a time like 7.5 or 1:05"]


def test_an_end_before_the_start_is_one_clear_line() -> None:
    code, out, err = run("analyze", str(SAMPLES / "jfk.wav"), "--no-save", "--start", "5", "--end", "4")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        "reps: error: --end 4 is not after --start 5: give the range the answer is in"
    ]


def test_start_after_the_end_says_both_times() -> None:
    """--start past an 11-second file: both times as m:ss, on one line naming the file."""
    jfk = SAMPLES / "jfk.wav"
    code, out, err = run("analyze", str(jfk), "--no-save", "--start", "99")
    assert code == 1 and out == ""
    assert err.strip().splitlines()[-1] == (
        f"reps: error: {jfk}: --start 1:39 is after the end of the recording (0:11)"
    )
    code, _, err = run("analyze", str(jfk), "--no-save", "--start", "0:11")
    assert (
        err.strip().splitlines()[-1]
        == f"reps: error: {jfk}: --start 0:11 is at the end of the recording (0:11)"
    )
    code, _, err = run("analyze", str(jfk), "--no-save", "--end", "0")
    assert code == 1
    assert err.strip().splitlines()[-1] == f"reps: error: {jfk}: --end 0:00 is not after the start (0:00)"
    assert "Traceback" not in err


def test_bad_recorded_date_fails_before_any_work() -> None:
    code, out, err = run("analyze", str(SAMPLES / "jfk.wav"), "--recorded", "last tuesday")
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("reps: error: --recorded: 'last tuesday'")
    assert "Analyzing" not in err


@pytest.mark.model
def test_truncated_wav_is_analyzed_with_a_warning(tmp_path: Path) -> None:
    cut = tmp_path / "cut.wav"
    cut.write_bytes((SAMPLES / "mfa_cold_corpus.wav").read_bytes()[:400_000])  # 12.5 of 25.7 s
    code, out, err = run("analyze", str(cut), "--no-save", "--json")
    assert code == 0, err
    assert f"reps: warning: {cut}: truncated: its header promises 25.7 s but only 12.5 s" in err
    assert json.loads(out)["audio"]["duration_s"] == pytest.approx(12.5, abs=0.05)


@pytest.mark.model
def test_answer_far_under_the_question_target_is_the_first_advice() -> None:
    code, out, err = run(
        "analyze", str(SAMPLES / "jfk.wav"), "--question", "tell-me-about-yourself", "--json", "--no-save"
    )
    assert code == 0, err
    first = json.loads(out)["feedback"][0]
    assert first["message"].startswith("0:10 - the answer ended after 10 s; this question wants 60-120 s.")
    assert "your current role" in first["message"]
