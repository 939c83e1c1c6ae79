"""The HTML pages as files: every mark where the result says, nothing from the network, the library's
pages written and rewritten, and the commands that print and open them. (The pages in a real browser:
test_browser.py.)"""

from __future__ import annotations

import base64
import io
import json
import re
import wave
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from interview_reps.cli import cli
from interview_reps.models import (
    Audio,
    Content,
    Feedback,
    Filler,
    Mention,
    Pause,
    Phrase,
    PointCoverage,
    Result,
    Structure,
    StructurePart,
    Word,
)
from interview_reps.pages import html_page_paths, reflection_pairs, write_progress_page, write_rep_page
from interview_reps.questions import get_question
from interview_reps.report.envelope import loudness_envelope, wav_data_uri
from interview_reps.report.html import AudioSource, marked_transcript_html, render_html
from interview_reps.report.page import CONTENT_SECURITY_POLICY
from interview_reps.store import Library
from test_compare import QUESTION, REPS
from test_store import DAY1, make_result, write_wav


class Elements(HTMLParser):
    """Every element's tag and attributes, in document order, and the text inside each with data-start."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.open: list[list] = []  # [tag, attrs, text parts]
        self.texts: dict[int, str] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in ("meta", "link", "br", "input", "img", "path", "rect", "line", "circle"):
            self.open.append([tag, len(self.found) - 1, []])

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            name, index, parts = self.open.pop()
            self.texts[index] = "".join(parts)
            if self.open:
                self.open[-1][2].append(self.texts[index])
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][2].append(data)

    def where(self, **wanted: str) -> list[dict[str, str]]:
        return [a for _, a in self.found if all(_has(a, k.replace("_", "-"), v) for k, v in wanted.items())]

    def text_of(self, attrs: dict[str, str]) -> str:
        index = next(i for i, (_, a) in enumerate(self.found) if a is attrs)
        return self.texts.get(index, "")


def _has(attrs: dict[str, str], name: str, value: str) -> bool:
    if name == "class":
        return value in attrs.get("class", "").split()
    if name == "data-kind":
        return value in attrs.get("data-kind", "").split()
    return attrs.get(name) == value


def spoken_result() -> Result:
    """A result with every kind of mark: a filled pause, a two-word discourse marker, a hedge that is
    also a repeat, a stutter repeat, a pause and a long pause, an acoustic filler and a candidate."""
    tokens = [
        ("So,", 0.5, 0.8, "word"),
        ("um,", 1.0, 1.4, "filled_pause"),
        ("I", 1.6, 1.7, "word"),
        ("think", 1.7, 2.0, "word"),
        ("you", 2.1, 2.2, "discourse_marker"),
        ("know", 2.2, 2.4, "discourse_marker"),
        ("the", 2.5, 2.6, "word"),
        ("the", 2.7, 2.8, "word"),
        ("team", 2.8, 3.1, "word"),
        ("<script>alert(1)</script>", 3.2, 3.5, "word"),
        ("I", 6.0, 6.1, "word"),
        ("think", 6.1, 6.4, "word"),
        ("we", 6.5, 6.6, "word"),
        ("shipped.", 6.6, 7.0, "word"),
    ]
    words = tuple(Word(t, s, e, kind=k) for t, s, e, k in tokens)
    base = make_result(wpm=150.0, duration_s=9.0, pace=[140.0])
    return replace(
        base,
        words=words,
        transcript=" ".join(w.text for w in words),
        fillers=(
            Filler("um", 1.0, 1.4, "filled_pause", "transcript"),
            Filler("you know", 2.1, 2.4, "discourse_marker", "transcript"),
            Filler("uh", 4.0, 4.4, "filled_pause", "acoustic"),
        ),
        filler_candidates=(Filler("uh", 7.5, 7.8, "filled_pause", "acoustic"),),
        pauses=(Pause(3.5, 3.9, "sentence", "team", "uh"), Pause(4.4, 6.0, "clause", "uh", "I")),
        hedges=(Phrase("i think", (1.6, 6.0)),),
        repeats=(Phrase("the the", (2.5,)), Phrase("i think", (1.6, 6.0))),
        feedback=(Feedback("0:04 - a 1.6 s pause mid-sentence.", 4.4), Feedback("Keep going.")),
        settings={"analysis": {"long_pause_s": 1.5}, "transcribe": {"beam_size": 5}},
        filler_trust="Filled pauses: 1 heard in the transcript, 1 more found only by the acoustic detector.",
    )


def test_every_mark_is_an_element_at_its_time_in_the_transcript() -> None:
    result = spoken_result()
    page = Elements(f"<p>{marked_transcript_html(result, long_s=1.5)}</p>")
    fillers = page.where(data_kind="filler")
    assert [(a["data-start"], a["data-filler-kind"], a["data-source"]) for a in fillers] == [
        ("1", "filled_pause", "transcript"),
        ("2.1", "discourse_marker", "transcript"),
        ("4", "filled_pause", "acoustic"),
    ]
    assert [float(a["data-start"]) for a in fillers] == [f.start for f in result.fillers]
    # the two words of "you know" are inside one element; the filled pause loses its comma (brackets show it)
    assert page.text_of(fillers[1]) == "you know" and page.text_of(fillers[0]) == "um"
    pauses = page.where(data_kind="pause")
    assert [(a["data-start"], a["data-end"], a.get("data-long")) for a in pauses] == [
        ("3.5", "3.9", None),
        ("4.4", "6", "1"),
    ]
    assert "1.6 s, long" in page.text_of(pauses[1])
    # "i think" is both a hedge and a repeat: one element carries both marks
    both = page.where(data_kind="hedge")
    assert [a["data-start"] for a in both] == ["1.6", "6"]
    assert all({"hedge", "rep"} <= set(a["class"].split()) for a in both)
    assert [a["data-start"] for a in page.where(data_kind="repeat")] == ["1.6", "2.5", "6"]  # document order
    assert [a["data-start"] for a in page.where(data_kind="candidate")] == ["7.5"]
    # every word once, in order, with its times; the markup in a word is text, not markup
    words = page.where(**{"class": "w"})
    assert [float(a["data-start"]) for a in words] == [w.start for w in result.words]
    assert not page.where(data_kind="x") and ("script", {}) not in page.found
    text = " ".join(page.text_of(a) for a in words)
    assert "<script>alert(1)</script>" in text
    # the marks in reading order: the pauses and the acoustic "uh" between "team" and "I"
    marks = [(a["data-kind"], a["data-start"]) for _, a in page.found if "data-kind" in a]
    assert marks == [
        ("filler", "1"),
        ("repeat hedge", "1.6"),
        ("filler", "2.1"),
        ("repeat", "2.5"),
        ("pause", "3.5"),
        ("filler", "4"),
        ("pause", "4.4"),
        ("repeat hedge", "6"),
        ("candidate", "7.5"),
    ]


def page_of(result: Result, **kw) -> tuple[str, Elements]:
    html = render_html(result, **kw)
    return html, Elements(html)


def test_the_page_is_self_contained_and_plays_its_own_audio() -> None:
    html, page = page_of(spoken_result(), audio=AudioSource("audio.wav", name="audio.wav"))
    assert re.search(r"https?://", html) is None  # nothing from the network (nor any link to it)
    assert not page.where(rel="stylesheet") and all("src" not in a for t, a in page.found if t == "script")
    assert page.where(http_equiv="Content-Security-Policy")[0]["content"] == CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    sources = [a["src"] for _, a in page.found if "src" in a]
    assert sources == ["audio.wav"]  # the rep's own copy, relative to the page
    assert page.where(id="audio")[0]["src"] == "audio.wav"
    body = next(a for t, a in page.found if t == "body")
    assert body["data-lead-s"] == "0.4" and float(body["data-axis-s"]) == 9.0


def test_the_timeline_marks_fillers_pauses_and_the_target_length() -> None:
    result = spoken_result()
    question = get_question(QUESTION)  # target 60-120 s: the 9 s answer is short, so the axis runs to 60 s
    html, page = page_of(result, question=question)
    marks = page.where(
        data_kind="filler", **{"class": "tl-mark"}
    )  # (the legend's samples carry no data-kind)
    assert [a["data-start"] for a in marks] == ["1", "2.1", "4"]
    assert [a["style"].split(";")[0] for a in marks] == [
        f"left:{f.start / 60 * 100:.3f}%" for f in result.fillers
    ]
    assert "acoustic" in marks[2]["class"] and "dm" in marks[1]["class"]
    pauses = page.where(data_kind="pause", **{"class": "tl-pause"})
    assert [(a["data-start"], "long" in a["class"]) for a in pauses] == [("3.5", False), ("4.4", True)]
    assert pauses[1]["style"].startswith(f"left:{4.4 / 60 * 100:.3f}%")
    targets = page.where(**{"class": "tl-target"})
    assert targets[0]["style"] == "left:100.000%"  # the minimum, 60 s, at the end of the axis
    assert "target from 1:00" in html and "target up to" not in html  # 120 s is beyond the axis
    bars = page.where(**{"class": "pace-bar"})
    assert [a["data-wpm"] for a in bars] == ["140"]
    # not colour alone: the legend names each shape, the numbers say within / outside in words
    assert "long pause, with its length" in html and ">outside</span>" in html and ">within</span>" in html
    # advice with a moment plays it; advice without one has no button
    advice = page.where(data_kind="advice")
    assert [a["data-start"] for a in advice] == ["4.4"]


def test_model_settings_trust_line_and_reflection_are_shown() -> None:
    reflection = reflection_pairs({"story_gap": "the middle", "stumped": "", "new_key": "kept too"})
    assert reflection == [("What part of my story didn't connect?", "the middle"), ("new key", "kept too")]
    html, page = page_of(spoken_result(), reflection=reflection)
    assert "<dt>What part of my story didn&#x27;t connect?</dt><dd>the middle</dd>" in html
    assert "<code>tiny.en</code>" in html and "beam_size" in html and "long_pause_s" in html
    assert page.text_of(page.where(id="trust")[0]).endswith("found only by the acoustic detector.")
    html, _ = page_of(spoken_result())
    assert "No reflection saved with this rep" in html


def test_what_you_said_each_point_and_part_with_its_moment() -> None:
    content = Content(
        points=(
            PointCoverage("Your current role", True, 1.6, "I think you know the team", "i"),
            PointCoverage("Why this role", False),
        ),
        structure=Structure(
            "Present-Past-Future", (StructurePart("Present", True, 1.6), StructurePart("Future", False))
        ),
        specifics=(Mention("three people", 2.5),),
        vague=(Mention("shipped", 6.6),),
    )
    html, page = page_of(replace(spoken_result(), content=content))
    rows = page.where(data_point="covered") + page.where(data_point="missed")
    assert len(rows) == 2 and "“I think you know the team”" in html
    assert [a["data-start"] for a in page.where(data_kind="content")] == ["1.6", "1.6", "2.5", "6.6"]
    assert '<span class="out">no Future</span>' in html and "Specifics:</strong> three people" in html
    vague = page.where(data_kind="vague")  # the vague words marked in the transcript too
    assert [a["data-start"] for a in vague] == ["6.6"] and "shipped." in page.text_of(vague[0])
    assert "no question was given" in page_of(spoken_result())[0]


def test_no_audio_means_no_player_and_a_reason() -> None:
    html, page = page_of(spoken_result(), audio=AudioSource(None, note="The audio of this rep was deleted."))
    assert not page.where(id="audio")
    assert page.text_of(page.where(id="play-status")[0]) == "The audio of this rep was deleted."


def test_loudness_envelope_and_embedded_audio() -> None:
    sr = 16000
    tone = 0.5 * np.sin(2 * np.pi * 220 * np.arange(sr) / sr)
    samples = np.concatenate([np.zeros(sr), tone, np.zeros(sr)]).astype("float32")
    audio = Audio("x.wav", samples, sr)
    env = loudness_envelope(audio)
    assert env.step_s == 0.05 and len(env.levels) == 60 and env.duration_s == pytest.approx(3.0)
    assert max(env.levels[:19]) == 0.0 and min(env.levels[21:39]) == 1.0 and max(env.levels[41:]) == 0.0
    assert env.peak_dbfs == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.1)
    # a long recording (90 s) is thinned to at most 1200 points, each the loudest of its group
    thin = loudness_envelope(Audio("y.wav", np.tile(samples, 30), sr))
    assert (
        len(thin.levels) == 900 and max(thin.levels) == 1.0 and thin.step_s == pytest.approx(0.1)
    )  # 1800 frames in twos
    uri = wav_data_uri(audio)
    assert uri.startswith("data:audio/wav;base64,")
    with wave.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as w:
        assert (w.getframerate(), w.getnchannels(), w.getnframes()) == (sr, 1, 3 * sr)


# ------------------------------------------------------------------------------- the library's pages


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    """2 s of a 220 Hz tone: long enough to decode for the envelope."""
    t = np.arange(32000) / 16000
    sf.write(tmp_path / "take.wav", (0.1 * np.sin(2 * np.pi * 220 * t)).astype("float32"), 16000)
    return tmp_path / "take.wav"


@pytest.fixture
def three(wav: Path) -> list[str]:
    """Three reps of one question on three days, as the pipeline saves them (report.md and report.html)."""
    from interview_reps.pipeline import save_and_report

    question = get_question(QUESTION)
    ids = []
    for day, rep in enumerate(REPS):
        from datetime import timedelta

        made = save_and_report(
            make_result(**rep),
            library=Library(),
            question=question,
            created_at=DAY1 + timedelta(days=day),
            audio=wav,
        )
        assert made.html_path == made.rep.folder / "report.html" and made.html_path.is_file()
        ids.append(made.rep.id)
    return ids


def test_each_saved_rep_has_its_page_with_patterns_linking_earlier_reps(three: list[str]) -> None:
    library = Library()
    html = library.html_report_path(three[2]).read_text()
    page = Elements(html)
    assert page.where(id="audio")[0]["src"] == "audio.wav"
    assert "Third rep in a row with" in html
    links = {a["href"] for a in page.where() if "href" in a and a["href"].startswith("../")}
    assert links == {f"../{three[0]}/report.html", f"../{three[1]}/report.html"}
    assert 'class="tl-env"' in html  # the envelope of the saved audio copy


def test_show_html_prints_the_path_and_open_opens_it(
    three: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library()
    path = library.html_report_path(three[1])
    path.unlink()  # a rep saved before the HTML report existed
    result = CliRunner().invoke(cli, ["show", three[1][:17], "--html"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}\n" and path.is_file()
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    result = CliRunner().invoke(cli, ["show", "latest", "--open"])
    assert result.exit_code == 0 and opened == [library.html_report_path(three[2]).as_uri()]
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: False)
    result = CliRunner().invoke(cli, ["show", "latest", "--open"])
    assert result.exit_code == 0 and "no browser found to open" in result.stderr


def test_a_reflection_and_a_deleted_audio_show_on_the_page(three: list[str]) -> None:
    library = Library()
    library.save_reflection(three[0], {"stumped": "the <first> question"})
    html = write_rep_page(library, three[0]).read_text()
    assert "the &lt;first&gt; question" in html
    result = CliRunner().invoke(cli, ["delete", three[0], "--audio-only", "--yes"])
    assert result.exit_code == 0, result.output
    page = Elements(library.html_report_path(three[0]).read_text())
    assert not page.where(id="audio")
    assert page.text_of(page.where(id="play-status")[0]).startswith("The audio of this rep was deleted on ")


def test_progress_page_links_every_rep_and_charts_the_trends(three: list[str], reps_home: Path) -> None:
    result = CliRunner().invoke(cli, ["progress"])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path == reps_home / "progress.html"
    page = Elements(path.read_text())
    for rid in three:  # each rep a link to its report, from the page's folder
        assert page.where(href=f"reps/{rid}/report.html")
    wpm = page.where(data_metric="wpm")
    assert wpm and page.text_of(wpm[-1]).startswith("Pace (wpm)")
    dots = [
        a for a in page.where() if a.get("data-rep") and a.get("aria-label", "").endswith("open its report")
    ]
    assert len(dots) >= 3 * 5  # a linked dot per rep in each chart
    html = path.read_text()
    assert "your baseline" in html and 'class="svg-band"' in html and "target 120–165 wpm" in html
    # a pattern's evidence opens the rep's report at the moment
    assert re.search(rf'href="reps/{three[0]}/report.html#t=2"', html)
    assert "By question" in html


def test_compare_html_and_the_page_for_one_question(three: list[str], reps_home: Path) -> None:
    import shutil

    shutil.rmtree(reps_home / "charts")  # drawn when the reps were saved
    result = CliRunner().invoke(cli, ["compare", "--question", QUESTION, "--html"])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path == reps_home / "progress" / f"{QUESTION}.html"
    html = path.read_text()
    assert f'href="../reps/{three[2]}/report.html"' in html and "Tell me about yourself" in html
    assert not (reps_home / "charts").exists()  # the page draws its own charts
    one = write_progress_page(Library(), question_id=QUESTION)
    assert one == reps_home / "progress" / f"{QUESTION}.html" and "By question" not in one.read_text()


def test_progress_of_an_empty_library_says_so() -> None:
    result = CliRunner().invoke(cli, ["progress"])
    assert result.exit_code == 1 and "no reps to show" in result.stderr


def test_html_page_paths(tmp_path: Path) -> None:
    a, b = tmp_path / "x" / "take.wav", tmp_path / "y" / "take.wav"
    assert html_page_paths([a], None) == [None]
    assert html_page_paths([a], tmp_path / "out.html") == [tmp_path / "out.html"]
    assert html_page_paths([a], tmp_path) == [tmp_path / "take.html"]
    assert html_page_paths([a, b], tmp_path / "pages") == [
        tmp_path / "pages" / "take.html",
        tmp_path / "pages" / "take-2.html",
    ]


def test_an_undecodable_audio_copy_costs_the_envelope_not_the_page(tmp_path: Path) -> None:
    library = Library()
    rep = library.save(make_result(), question_id=None, created_at=DAY1, audio=write_wav(tmp_path / "t.wav"))
    assert 'class="tl-env"' in write_rep_page(library, rep).read_text()
    (rep.folder / "audio.wav").write_bytes(b"RIFF garbage")
    html = write_rep_page(library, rep).read_text()
    assert 'class="tl-env"' not in html and 'id="audio"' in html  # a flat line; the player still tries
    assert json.loads((rep.folder / "result.json").read_text())["rep"]["audio_file"] == "audio.wav"


@pytest.mark.model
def test_analyze_html_writes_a_page_that_carries_its_audio(tmp_path: Path, reps_home: Path) -> None:
    """`reps analyze FILE --no-save --html PATH`: a page for an analysis that is not saved, its audio inside."""
    sample = Path(__file__).resolve().parents[1] / "samples" / "mfa_uhum.flac"
    out = tmp_path / "pages" / "uhum.html"
    result = CliRunner().invoke(cli, ["analyze", str(sample), "--no-save", "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert f"HTML report (audio embedded) written to {out}" in result.stderr
    page = Elements(out.read_text())
    audio = page.where(id="audio")[0]["src"]
    assert audio.startswith("data:audio/wav;base64,")
    with wave.open(io.BytesIO(base64.b64decode(audio.split(",", 1)[1]))) as w:
        seconds = w.getnframes() / w.getframerate()
    assert seconds == pytest.approx(sf.info(sample).duration, abs=0.01)  # the whole recording
    assert len(page.where(data_kind="filler", **{"class": "tl-mark"})) >= 4  # uh um uh hm hm um
    assert "Not saved in the practice library" in out.read_text() and not (reps_home / "reps").exists()
