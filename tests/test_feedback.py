"""Issue 12: reflections wherever the rep is, fair comparisons, recording limits and tails, two voices,
and the small things."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import timedelta
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from interview_reps.cli import cli
from interview_reps.comparison import DELIVERY_METRICS, METRIC_SPECS, compare, verdict
from interview_reps.models import Quality, Reflection, Rep, Result
from interview_reps.patterns import find_patterns, reflection_themes
from interview_reps.pipeline import compare_library, rep_report_text, save_and_report, save_reflection
from interview_reps.practice import last_time_line
from interview_reps.questions import get_question
from interview_reps.store import Library
from test_store import DAY1, make_result, save, write_wav

QUESTION = "tell-me-about-yourself"


def run(*args: str, ok: bool = True, input: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=input)
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "take.wav")


# ----------------------------------------------------------------------------- 1. reflections


@pytest.fixture
def reflected(wav: Path) -> list[str]:
    """Three reps of one question, two of them with a reflection that says "opening"."""
    library = Library()
    ids = []
    for day in range(3):
        report = save_and_report(
            make_result(),
            library=library,
            question=get_question(QUESTION),
            audio=wav,
            created_at=DAY1 + timedelta(days=day),
        )
        ids.append(report.rep.id)
    save_reflection(library, ids[0], {"stumped": "the opening", "weak_or_vague": "the result was vague"})
    save_reflection(library, ids[2], {"stumped": "my opening again", "story_gap": ""})
    return ids


def test_a_reflection_is_on_the_typed_rep_and_in_its_report(reflected: list[str]) -> None:
    library = Library()
    rep = library.get(reflected[0])
    assert rep.reflection == Reflection(
        (("stumped", "the opening"), ("weak_or_vague", "the result was vague"))
    )
    assert rep.to_dict()["rep"]["reflection"] == {
        "stumped": "the opening",
        "weak_or_vague": "the result was vague",
    }
    assert library.get(reflected[1]).reflection is None
    text = rep_report_text(library, reflected[0])
    assert "## Your reflection" in text and "- what felt weak: the result was vague" in text
    assert text.index("## Your reflection") < text.index("## Transcript")
    # written into report.md itself, not only on the way out
    assert "- what stumped me: the opening" in (rep.folder / "report.md").read_text()
    # a report written before the reflection gets it when shown
    (rep.folder / "report.md").write_text("# Rep\n\n## Transcript\n\nhello\n")
    assert "what stumped me: the opening" in rep_report_text(library, reflected[0])
    shown = run("show", reflected[0])
    assert "what felt weak: the result was vague" in shown.output
    assert (
        json.loads(run("show", reflected[0], "--json").output)["rep"]["reflection"]["stumped"]
        == "the opening"
    )


def test_history_marks_export_carries_compare_shows(reflected: list[str]) -> None:
    history = run("history").output
    lines = [line for line in history.splitlines() if any(r in line for r in reflected)]
    assert ["✎" in line for line in lines] == [True, False, True]
    assert "✎: you wrote a reflection" in history
    rows = list(csv.DictReader(StringIO(run("export", "--csv").output)))
    assert (
        rows[0]["reflection_weak_or_vague"] == "the result was vague" and rows[1]["reflection_stumped"] == ""
    )
    exported = json.loads(run("export", "--json").output)
    assert exported[2]["reflection"] == {"stumped": "my opening again"} and exported[1]["reflection"] is None
    shown = run("compare", "--question", QUESTION, "--no-chart").output
    assert "Your reflections:" in shown and "what felt weak: the result was vague" in shown
    data = json.loads(run("compare", "--question", QUESTION, "--no-chart", "--json").output)
    assert data["reps"][0]["reflection"]["stumped"] == "the opening" and data["reps"][1]["reflection"] is None


def test_last_time_and_recurring_themes(reflected: list[str]) -> None:
    library = Library()
    line = last_time_line(library, QUESTION)
    assert (
        line is not None
        and line.startswith("Last time (")
        and line.endswith("what stumped me: my opening again.")
    )
    assert last_time_line(library, "why-this-company") is None
    [theme] = reflection_themes(library.reps(QUESTION))
    assert theme.kind == "reflection_theme" and (theme.count, theme.of) == (2, 2)
    assert theme.message.startswith('Your reflections come back to "opening" in every reflection (2 of 2): ')
    assert f'"the opening" (what stumped me) (rep {reflected[0]})' in theme.message
    # part of the patterns compare shows
    assert any(p.kind == "reflection_theme" for p in find_patterns(library.reps(QUESTION)))
    # and written into the report of the rep that repeats it
    assert "Your reflections come back to" in (library.get(reflected[2]).folder / "report.md").read_text()
    # words that do not recur make no theme
    assert reflection_themes([r for r in library.reps(QUESTION) if r.id != reflected[2]]) == []


def test_reps_reflect_saves_from_options(reflected: list[str]) -> None:
    out = run("reflect", reflected[1], "--weak", "the middle dragged", "--gap", "why I moved")
    assert "Reflection saved" in out.output
    assert Library().get(reflected[1]).reflection == Reflection(
        (("weak_or_vague", "the middle dragged"), ("story_gap", "why I moved"))
    )
    for report in ("report.md", "report.html"):  # both reports of the rep show it at once
        assert "the middle dragged" in (Library().get(reflected[1]).folder / report).read_text()
    assert run("reflect", reflected[1], ok=False).exit_code == 1  # no terminal, no options
    # an option changes its own answer only, and every report shows the new one at once
    run("reflect", reflected[1], "--weak", "the numbers were vague")
    assert Library().get(reflected[1]).reflection == Reflection(
        (("weak_or_vague", "the numbers were vague"), ("story_gap", "why I moved"))
    )
    shown = run("show", reflected[1]).output
    assert "the numbers were vague" in shown and "the middle dragged" not in shown and "why I moved" in shown


# ------------------------------------------------------------------------ 2. fair comparisons


def test_verdicts_are_on_rates_target_aware_and_on_shown_values() -> None:
    pitch = METRIC_SPECS["pitch_variation_st"]
    assert verdict(pitch, 5.1, 3.9) == "unchanged"  # both well above the 2 st target
    assert verdict(pitch, 1.2, 2.4) == "improved" and verdict(pitch, 2.6, 1.4) == "regressed"
    share = METRIC_SPECS["filler_percent"]
    assert verdict(share, 1.6, 4.0) == "unchanged"  # moving within the band is not "regressed"
    assert verdict(share, 9.0, 6.5) == "improved"  # toward it
    first = METRIC_SPECS["time_to_first_word_s"]
    assert verdict(first, 0.5, 2.5) == "unchanged" and verdict(first, 2.0, 4.0) == "regressed"
    # shown values: 150.4 -> 160.4 shows "150" -> "160", a change of exactly the ±10 band
    assert verdict(METRIC_SPECS["wpm"], 110.4, 120.6) == "improved"
    assert verdict(METRIC_SPECS["articulation_rate"], 4.0, 4.34) == "unchanged"  # 4.0 -> 4.3: ±0.3
    # raw counts are shown, never judged
    for name, spec in METRIC_SPECS.items():
        if spec.count:
            assert verdict(spec, 13, 2) in ("changed", "unchanged"), name
    assert not any(METRIC_SPECS[name].count for name in DELIVERY_METRICS)


def test_the_same_delivery_at_three_times_the_length_is_unchanged() -> None:
    """Fillers, hedges and restarts at the same rate in a 26 s and a 78 s answer: every delivery
    metric unchanged, though every count tripled."""
    short = make_result(
        duration_s=27.0,
        wpm=150,
        filled_pause_count=2,
        hedge_count=2,
        restart_count=1,
        repeat_count=2,
        clause_pause_count=1,
        filler_percent=3.0,
        fillers_per_min=4.6,
        pauses_per_min=9.0,
        first_word_s=0.5,
        loudness_variation_db=5.0,
    )
    long = make_result(
        duration_s=79.0,
        wpm=150,
        filled_pause_count=6,
        hedge_count=6,
        restart_count=3,
        repeat_count=6,
        clause_pause_count=3,
        filler_percent=3.0,
        fillers_per_min=4.6,
        pauses_per_min=9.0,
        first_word_s=0.5,
        loudness_variation_db=5.0,
    )
    from interview_reps.models import with_rates

    reps = [
        Rep(f"r{i}", QUESTION, DAY1 + timedelta(hours=i), replace(r, metrics=with_rates(r.metrics)))
        for i, r in enumerate([short, long])
    ]
    c = compare(reps)
    assert {name: c.metrics[name].trend for name in DELIVERY_METRICS} == dict.fromkeys(
        DELIVERY_METRICS, "unchanged"
    )
    assert c.metrics["filled_pause_count"].trend == "changed"  # the count tripled: shown, not judged


def test_dates_carry_times_when_reps_share_a_day() -> None:
    from interview_reps.console.tables import rep_dates

    same = rep_dates([DAY1, DAY1 + timedelta(hours=2)])
    assert same[0] != same[1] and ":" in same[0]
    apart = rep_dates([DAY1, DAY1 + timedelta(days=2)])
    assert ":" not in apart[0]


def test_compare_of_different_questions_warns(wav: Path) -> None:
    library = Library()
    a = save(library, wav, make_result(), question=QUESTION).id
    b = save(library, wav, make_result(), question="why-this-company", day=1).id
    c = compare_library(library, [a, b], chart=False)
    assert c.warnings and "different questions" in c.warnings[0]
    out = run("compare", a, b, "--no-chart")
    assert "reps: warning: these reps answer different questions" in out.output


# ------------------------------------------------------------------ 5. limits, tails and the SNR


def test_an_answer_stopped_at_the_limit_is_said_so() -> None:
    from interview_reps.analyze.advice import with_length_advice

    cut = make_result(duration_s=10.0)
    cut = replace(cut, metrics=replace(cut.metrics, answer_length_s=10.0), stopped_by="max", limit_s=10.0)
    [tip] = with_length_advice(cut, target_s=(60, 120)).feedback
    assert "stopped at its 10 s limit (--max-seconds)" in tip.message and "cut off" in tip.message
    chose = replace(cut, stopped_by="user")
    [tip] = with_length_advice(chose, target_s=(60, 120)).feedback
    assert tip.message.startswith("0:10 - the answer ended after 10 s") and "limit" not in tip.message


def _quality(samples: np.ndarray) -> Quality:
    from interview_reps.analyze.frames import speech_frames
    from interview_reps.analyze.voice import check_quality
    from interview_reps.models import Audio
    from interview_reps.settings import AnalysisSettings

    audio = Audio("x", samples.astype(np.float32), 16000)
    return check_quality(
        audio, speech_frames(audio, settings=AnalysisSettings()), settings=AnalysisSettings()
    )


def test_quality_is_judged_on_the_speech_not_on_the_tail(clip) -> None:
    """The same answer with 20 s of the microphone left running after it (room noise, a click of the
    Enter key) keeps its levels and verdict; the SNR shown is the speech level minus the background."""
    from faster_whisper import decode_audio

    y = decode_audio(str(clip("mfa_acoustic_corpus.wav")), sampling_rate=16000)
    rng = np.random.default_rng(0)
    room = (10 ** (-60 / 20) * rng.standard_normal(20 * 16000)).astype(np.float32)
    click = np.zeros(16000, dtype=np.float32)
    click[8000:8040] = 0.3
    base, tail = _quality(y), _quality(np.concatenate([y, room, click, room[:16000]]))
    assert tail.ok == base.ok
    assert (
        abs(tail.snr_db - base.snr_db) <= 1.0 and abs(tail.speech_level_dbfs - base.speech_level_dbfs) <= 0.5
    )
    for q in (base, tail):
        assert q.snr_db == round(q.speech_level_dbfs - q.noise_floor_dbfs, 1)


def test_mic_check_shows_the_same_difference(capsys) -> None:
    from interview_reps.console.practice import print_mic_check
    from interview_reps.devices import InputDevice
    from interview_reps.mic_check import MicCheck

    q = Quality(-3.0, -21.4, -54.1, 32.7, 0.0)
    print_mic_check(MicCheck(InputDevice(0, "mic", 1, 16000.0, True, "ALSA"), 16000, 3.0, q))
    out = capsys.readouterr().out
    assert "speech level   -21.4" in out and "background     -54.1" in out and "speech/noise    32.7" in out


# ------------------------------------------------------------------------------ 6. two voices


def _two_voice_stereo(tmp_path: Path, clip) -> Path:
    from faster_whisper import decode_audio

    left = decode_audio(str(clip("jfk.wav")), sampling_rate=16000)
    right = decode_audio(str(clip("librispeech_2412-153948-0000.flac")), sampling_rate=16000)
    n = max(len(left), len(right))
    stereo = np.zeros((n, 2), dtype=np.float32)
    stereo[: len(left), 0] = left
    stereo[: len(right), 1] = right
    path = tmp_path / "interview.wav"
    sf.write(path, stereo, 16000, subtype="PCM_16")
    return path


def test_channel_and_time_range_select_what_is_analyzed(tmp_path: Path, clip) -> None:
    from interview_reps.audio import load_audio
    from interview_reps.errors import AudioError

    path = _two_voice_stereo(tmp_path, clip)
    left, right = load_audio(path, channel="left"), load_audio(path, channel="2")
    jfk = sf.read(clip("jfk.wav"), dtype="float32")[0]
    assert np.abs(left.samples[: len(jfk)] - jfk).max() < 1e-3
    assert np.abs(right.samples[len(jfk) + 100 :]).max() < 1e-3 or len(right.samples) > len(jfk)
    part = load_audio(path, channel="left", start_s=2.0, end_s=5.0)
    assert part.duration_s == pytest.approx(3.0, abs=0.01)
    with pytest.raises(AudioError, match="has 1 channel; --channel needs a stereo file"):
        load_audio(clip("jfk.wav"), channel="left")
    with pytest.raises(AudioError, match=r"--start 0:30 is after the end of the recording \(0:11\)"):
        load_audio(clip("jfk.wav"), start_s=30.0)


def test_two_voices_are_noted_one_is_not(tmp_path: Path, clip) -> None:
    """A held-out pair of real speakers (JFK asks, an LJ-Speech-free FLEURS reader answers), against
    JFK alone: the note, with where the second voice speaks and how that is told."""
    from faster_whisper import decode_audio

    from interview_reps.analyze.frames import speech_frames
    from interview_reps.analyze.speakers import detect_voices, voices_note
    from interview_reps.models import Audio
    from interview_reps.settings import AnalysisSettings

    voices = Path(__file__).parent / "data" / "voices"
    jfk = decode_audio(str(clip("jfk.wav")), sampling_rate=16000)
    other = decode_audio(str(voices / "fleurs-fr-002.ogg"), sampling_rate=16000)
    quiet = np.zeros(16000, dtype=np.float32)
    two = np.concatenate(
        [quiet, jfk[: 5 * 16000], quiet, other / max(1e-6, np.abs(other).max()) * 0.5, quiet]
    )
    settings = AnalysisSettings()
    found = []
    for samples in (two, jfk):
        audio = Audio("x", samples, 16000)
        found.append(detect_voices(audio, speech_frames(audio, settings=settings)))
    assert found[0] is not None and found[0].count == 2
    assert found[1] is not None and found[1].count == 1 and voices_note(found[1]) is None
    note = voices_note(found[0])
    assert note and "more than one voice" in note and "--start/--end" in note and "--channel" in note
    assert "held-out recordings" in note  # how often it is right
    spans = found[0].other
    assert spans and (spans[0].end <= 7.0 or spans[0].start >= 5.5)  # one of the two turns, not both


def test_one_person_speaking_freely_is_one_voice(clip) -> None:
    """The natural recordings of one person (the MFA author, on the tuning side), as recorded and said
    three times over as a long answer: no two-voice note (at the earlier threshold, 3 of 4 had one)."""
    from interview_reps.analyze.frames import speech_frames
    from interview_reps.analyze.speakers import detect_voices, voices_note
    from interview_reps.audio import load_audio
    from interview_reps.models import Audio, Span, Voices
    from interview_reps.settings import AnalysisSettings

    settings = AnalysisSettings()
    for name in ("mfa_cold_corpus.wav", "mfa_acoustic_corpus.wav"):
        once = load_audio(clip(name))
        thrice = Audio("x3", np.concatenate([once.samples] * 3), once.sample_rate_hz)
        for audio in (once, thrice):
            found = detect_voices(audio, speech_frames(audio, settings=settings))
            assert found is not None and voices_note(found) is None, (name, audio.duration_s, found)
    short = Voices(2, 0.9, (Span(18.1, 18.3), Span(20.0, 26.0)), speech_s=30.0, other_s=6.2)
    assert "a second voice at 0:18, 0:20-0:26 (6 s" in (voices_note(short) or "")


# ------------------------------------------------------------------------------ 8. small things


def test_enter_starts_the_recording_before_the_countdown_ends() -> None:
    import time

    from rich.console import Console

    from interview_reps.console.practice import TerminalPractice

    class Enter:
        active = True

        def pressed(self) -> bool:
            return True

        def discard_pending(self) -> None:
            pass

    ui = TerminalPractice(Console(file=io.StringIO(), force_terminal=True), enter=Enter())  # type: ignore[arg-type]
    start = time.monotonic()
    ui.prepare(30.0)
    assert time.monotonic() - start < 10.0  # not the 30 s countdown (a live display starts and stops)


def test_question_and_category_that_disagree_fail() -> None:
    from interview_reps.errors import QuestionError
    from interview_reps.questions import load_questions, pick_question

    bank = load_questions()
    with pytest.raises(QuestionError, match="is in the category 'about-you', not 'behavioural'"):
        pick_question(bank, question_id=QUESTION, category="behavioural")
    assert pick_question(bank, question_id=QUESTION, category="about-you").id == QUESTION


def test_library_check_says_when_only_the_result_is_missing(wav: Path) -> None:
    library = Library()
    rep = save(library, wav, make_result())
    library.entries()  # indexed
    (rep.folder / "result.json").unlink()
    [problem] = library.check()
    assert "no result.json, so it is not a rep" in problem and "folder is gone" not in problem


def test_values_never_wrap_mid_number_at_80_columns(monkeypatch, wav: Path) -> None:
    from interview_reps.console.tables import print_summary
    from interview_reps.pipeline import RepReport

    result = make_result(pauses=[(1.0, 0.9), (5.0, 0.6)], fillers=[("um", 2.0), ("uh", 3.0)])
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    import rich.console

    real = rich.console.Console
    monkeypatch.setattr(rich.console, "Console", lambda **kw: real(file=out, width=80, **kw))
    print_summary(RepReport(result, None, ""), question=get_question(QUESTION))
    text = out.getvalue()
    assert "0.9\u00a0s" in text or "0.9 s" in text
    assert not any(line.rstrip().endswith(("0.9", "wpm,")) for line in text.splitlines() if "longest" in line)


def test_a_value_wraps_only_between_values_at_any_width() -> None:
    """Rich wraps at a no-break space too: at every column width, each number stays with its unit."""
    import rich.console
    from rich.table import Table

    from interview_reps.console.tables import unbroken

    value = "18, 15/min (2 mid-sentence), longest 0.9 s"
    for width in range(56, 101):  # from a narrow terminal (value column ~20 cells) up
        out = io.StringIO()
        table = Table()
        table.add_column("", no_wrap=True)
        table.add_column("this rep", ratio=3)
        table.add_column("target", ratio=1, min_width=14)
        table.add_row("  ✓ Pauses", unbroken(value), unbroken("none >= 2 s; mid-sentence < 1.5 s"))
        rich.console.Console(file=out, width=width).print(table)
        text = out.getvalue()
        for held in ("0.9 s", "2 mid-sentence", "2 s", "1.5 s"):
            assert held in text, (width, text)
        assert "\u2800" not in text and "\u00a0" not in text


def test_top_level_help_cuts_nothing_off() -> None:
    out = CliRunner().invoke(cli, ["--help"], terminal_width=80).output
    commands = out.split("Commands:")[1]
    assert "..." not in commands and "reflect" in commands


def test_the_report_notes_two_voices_and_the_cut(wav: Path) -> None:
    from interview_reps.models import Span, Voices
    from interview_reps.report import render_markdown

    result = replace(
        make_result(),
        voices=Voices(2, 0.9, (Span(0.0, 6.5),), speech_s=48.0, other_s=6.0),
        channel="left",
        range_s=(7.0, None),
        stopped_by="max",
        limit_s=60.0,
    )
    text = render_markdown(result)
    assert "**Note:** this recording seems to hold more than one voice: a second voice at 0:00-0:06" in text
    assert "left channel" in text and "from 0:07; times count from there" in text
    assert "stopped at its 60 s limit (--max-seconds)" in text
    back = Result.from_dict(result.to_dict())
    assert back.voices == result.voices and back.range_s == (7.0, None) and back.stopped_by == "max"
    assert render_markdown(make_result()).count("**Note:**") == 0


@pytest.mark.model
def test_analyze_one_channel_of_an_interview(tmp_path: Path, clip) -> None:
    """`reps analyze --channel left --start --end`: only JFK's channel, only that stretch; the rep
    keeps the audio it analyzed."""
    path = _two_voice_stereo(tmp_path, clip)
    page = tmp_path / "page.html"
    out = run(
        "analyze",
        str(path),
        "--channel",
        "left",
        "--start",
        "0:00",
        "--end",
        "8",
        "--json",
        "--html",
        str(page),
    )
    data = json.loads(out.stdout)
    assert data["audio"]["channel"] == "left" and data["audio"]["end_s"] == 8.0
    assert "truncated" not in out.output and data["warnings"] == []  # a range is not a truncation
    text = data["transcript"].lower()
    assert "fellow americans" in text and "ask not" in text
    assert data["metrics"]["answer_length_s"] <= 8.0
    kept = Library().get(data["rep"]["id"])
    assert sf.info(kept.folder / kept.audio_file).duration == pytest.approx(8.0, abs=0.05)
    # the standalone page embeds the part analyzed too, and says which part
    import base64
    import re

    html = page.read_text()
    embedded = re.search(r"data:audio/wav;base64,([A-Za-z0-9+/=]+)", html)
    assert embedded and "left channel" in html
    assert sf.info(io.BytesIO(base64.b64decode(embedded.group(1)))).duration == pytest.approx(8.0, abs=0.05)


# ------------------------------------------------- the HTML pages say what the other reports say


def test_the_html_report_notes_the_cut_the_voices_and_every_unadvised_row() -> None:
    from interview_reps.judge import unadvised_line
    from interview_reps.models import Span, Voices
    from interview_reps.report import render_markdown
    from interview_reps.report.html import render_html
    from interview_reps.settings import TargetBands

    result = replace(
        make_result(pitch_variation_st=1.2),
        voices=Voices(2, 0.9, (Span(0.0, 6.5),), speech_s=48.0, other_s=6.0),
        channel="left",
        range_s=(7.0, None),
        stopped_by="max",
        limit_s=60.0,
        feedback=(),
    )
    html = render_html(result)
    markdown = render_markdown(result)
    for said in (
        "left channel",
        "from 0:07; times count from there",
        "stopped at its 60 s limit (--max-seconds)",
    ):
        assert said in html and said in markdown
    assert "more than one voice: a second voice at 0:00-0:06" in html
    rest = unadvised_line(result, bands=TargetBands())
    assert rest and "Pitch variation" in rest  # flagged, no advice: named with its reason in both
    assert rest in markdown and rest in html and "Nothing to change on this rep" not in html
    assert "Nothing to change on this rep" in render_html(replace(make_result(), feedback=()))


def test_the_progress_page_has_the_reflections_and_the_terminals_verdicts(wav: Path) -> None:
    from interview_reps.comparison import VERDICT_RULE
    from interview_reps.pages import write_progress_page

    library = Library()
    a = save(library, wav, make_result(wpm=130.0), question=QUESTION).id
    b = save(library, wav, make_result(wpm=150.0), question=QUESTION, day=1).id
    save_reflection(library, a, {"weak_or_vague": "the result was vague"})
    c = compare_library(library, [a, b], chart=False)
    assert c.metrics["wpm"].verdict_text == "in target"
    html = write_progress_page(library, question_id=QUESTION).read_text()
    assert "the result was vague" in html and 'id="reflections"' in html
    assert VERDICT_RULE.replace("'", "&#x27;") in html or VERDICT_RULE in html
    row = html[html.index('data-metric="wpm"') :]
    row = row[: row.index("</tr>")]
    assert "in target" in row  # as `reps compare` says it
    other = save(library, wav, make_result(), question="why-this-company", day=2).id
    from interview_reps.pages import write_comparison_page

    page = write_comparison_page(library, compare_library(library, [a, other], chart=False)).read_text()
    assert "these reps answer different questions" in page


def test_history_and_compare_read_at_80_columns(monkeypatch, reflected: list[str], wav: Path) -> None:
    """At 80 columns the history numbers its questions instead of folding their ids into strips, and
    compare keeps every metric's name whole (fewer columns, the rest said under the table)."""
    import rich.console

    save_and_report(make_result(), library=Library(), question=get_question("why-this-company"), audio=wav)
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    real = rich.console.Console
    monkeypatch.setattr(rich.console, "Console", lambda **kw: real(file=out, width=80, **kw))
    from interview_reps.console.tables import print_comparison, print_history
    from interview_reps.pipeline import compare_library

    print_history(Library().entries())
    history = out.getvalue()
    assert all(len(line) <= 80 for line in history.splitlines())
    assert f"Q: 1 {QUESTION}; 2 why-this-company" in history and "…" not in history
    out.truncate(0)
    out.seek(0)
    print_comparison(compare_library(Library(), question_id=QUESTION, chart=False))
    table = out.getvalue()
    assert all(len(line) <= 80 for line in table.splitlines())
    assert "Pace (wpm)" in table and "Fillers (% of words)" in table and "…" not in table
