"""Comparing reps: verdicts against noise bands, the baseline, patterns with evidence, the trend chart."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from interview_reps.comparison import METRIC_SPECS, MetricSpec, compare, verdict
from interview_reps.errors import LibraryError
from interview_reps.models import Rep, Result
from interview_reps.patterns import find_patterns, latest_patterns
from interview_reps.pipeline import compare_library, save_and_report
from interview_reps.questions import get_question
from interview_reps.store import NO_QUESTION, Library
from test_store import DAY1, make_result, save, write_wav


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "take.wav")


QUESTION = "tell-me-about-yourself"  # target 60-120 s in the built-in bank
FILLERS = {"um", "uh", "like"}


def spoken(text: str, *, start: float = 0.5, step: float = 0.35) -> dict:
    """Words one every ``step`` s; "um", "uh", "like" are fillers (in the words, flagged, and in fillers)."""
    words, fillers = [], []
    for i, token in enumerate(text.split()):
        t = start + i * step
        words.append((token, t, t + step * 0.8, token in FILLERS))
        if token in FILLERS:
            fillers.append((token, t))
    return {"words": words, "fillers": fillers}


# Three reps of one question on three days: pace comes down into the band, fillers stay about the
# same, the longest pause grows; every rep opens with a long pause, has "like" on top, says a filler
# right after "and then", speeds up through the answer and runs over the 120 s target.
REPS = [
    dict(
        wpm=185.0,
        duration_s=140.0,
        pauses=[(2.0, 1.6), (30.0, 0.8)],
        pace=[150, 170, 190],
        **spoken(
            "so I think and then um I led the team like we had like three people and then um we shipped like it"
        ),
    ),
    dict(
        wpm=172.0,
        duration_s=130.0,
        pauses=[(3.0, 1.2)],
        pace=[145, 160, 175],
        **spoken("and then um I built it like from scratch like and like we grew"),
    ),
    dict(
        wpm=158.0,
        duration_s=125.0,
        pauses=[(1.5, 2.2), (40.0, 0.5)],
        pace=[140, 150, 165],
        **spoken("I started like in sales and then uh moved like into product"),
    ),
]


def as_reps(results: list[Result], question_id: str | None = None) -> list[Rep]:
    """Results as reps on consecutive days, not saved anywhere."""
    return [Rep(f"r{i}", question_id, DAY1 + timedelta(days=i), result) for i, result in enumerate(results)]


def new_rep(library: Library, result: Result, question_id: str | None) -> list[Rep]:
    """The history a new rep's report is written from: the earlier reps of its question, then it."""
    earlier = library.reps(question_id or NO_QUESTION)
    return [*earlier, Rep("this", question_id, DAY1 + timedelta(days=30), result)]


@pytest.fixture
def three_reps(wav: Path) -> list[str]:
    library = Library()
    return [
        save(library, wav, make_result(**rep), day=day, question=QUESTION).id for day, rep in enumerate(REPS)
    ]


def test_verdicts_respect_direction_and_noise_band() -> None:
    lower = MetricSpec("x", "x", "", "lower", 1.0)
    assert verdict(lower, 5.0, 3.0) == "improved"
    assert verdict(lower, 3.0, 5.0) == "regressed"
    assert verdict(lower, 3.0, 4.0) == "unchanged"  # exactly the band: still noise
    assert verdict(lower, 3.0, None) == "n/a"
    higher = MetricSpec("x", "x", "", "higher", 0.5)
    assert verdict(higher, 2.0, 3.0) == "improved"
    wpm = METRIC_SPECS["wpm"]
    assert wpm.target == (120.0, 165.0) and wpm.noise == 10.0
    assert verdict(wpm, 190, 160) == "improved"  # into the band
    assert verdict(wpm, 160, 190) == "regressed"
    assert verdict(wpm, 100, 190) == "regressed"  # 20 below -> 25 above
    assert verdict(wpm, 125, 160) == "unchanged"  # inside the band both times
    assert verdict(wpm, 170, 178) == "unchanged"  # within ±10 wpm
    assert verdict(METRIC_SPECS["pause_count"], 4, 9) == "changed"  # no better direction
    # every metric of the schema has a spec with a stated band
    from dataclasses import fields

    from interview_reps.models import Metrics

    assert {f.name for f in fields(Metrics)} <= set(METRIC_SPECS)


def test_compare_picks_the_question_and_judges_each_metric(three_reps: list[str], wav: Path) -> None:
    library = Library()
    c = compare_library(library, chart=False)
    assert c.question_id == QUESTION
    assert [r.id for r in c.reps] == three_reps
    data = c.to_dict()
    assert set(data) >= {"reps", "metrics", "patterns"}
    m = data["metrics"]
    assert {"wpm", "filled_pause_count", "fillers_per_min", "pause_count", "longest_pause_s"} <= set(m)
    assert m["wpm"]["values"] == [185.0, 172.0, 158.0]
    assert m["wpm"]["delta"] == -27.0 and m["wpm"]["trend"] == "improved" and m["wpm"]["noise_band"] == 10.0
    # 5 fillers in 140 s -> 3 in 125 s: 2.14 -> 1.44 per minute, inside the ±1/min band
    assert m["fillers_per_min"]["values"] == [2.143, 1.846, 1.44]
    assert m["fillers_per_min"]["trend"] == "unchanged"
    assert m["longest_pause_s"]["values"] == [1.6, 1.2, 2.2]
    assert m["longest_pause_s"]["delta"] == 0.6 and m["longest_pause_s"]["trend"] == "regressed"
    assert m["pause_count"]["trend"] == "unchanged"
    assert m["time_to_first_word_s"]["trend"] == "unchanged"
    # length is judged against the question's 60-120 s target: 140 -> 125 s comes closer
    assert m["answer_length_s"]["target"] == [60, 120] and m["answer_length_s"]["trend"] == "improved"
    # baseline: the median over the recent reps
    assert m["wpm"]["baseline"] == 172.0 and data["baseline"]["reps"] == 3
    # the reps given by id, in time order whatever the order given
    c2 = compare_library(library, [three_reps[2], three_reps[0]], chart=False)
    assert [r.id for r in c2.reps] == [three_reps[0], three_reps[2]]
    assert c2.metrics["wpm"].values == (185.0, 158.0)


def test_baseline_spans_recent_reps_of_any_question(three_reps: list[str], wav: Path) -> None:
    library = Library()
    for day in (3, 4):
        save(library, wav, make_result(wpm=130.0), day=day, question="other")
    c = compare_library(library, question_id=QUESTION, chart=False)
    assert c.baseline_reps == 5
    assert c.metrics["wpm"].baseline == 158.0  # median of 185, 172, 158, 130, 130


def test_patterns_across_reps_are_named_with_evidence(three_reps: list[str]) -> None:
    c = compare_library(Library(), question_id=QUESTION, chart=False)
    by_kind = {(p.kind, p.key): p for p in c.patterns}
    early = by_kind["early_long_pause", ""]
    assert (early.count, early.of) == (3, 3)
    assert [e.rep_id for e in early.evidence] == three_reps
    assert [e.detail for e in early.evidence] == ["1.6 s at 0:02", "1.2 s at 0:03", "2.2 s at 0:02"]
    assert early.message.startswith(
        "A long pause (1 s or more) in the first 5 seconds in every rep (3 of 3): "
    )
    top = by_kind["top_filler", "like"]
    assert [e.detail for e in top.evidence] == ["3 times", "3 times", "2 times"]
    phrase = by_kind["filler_after_phrase", "and then"]
    assert phrase.count == 3 and "0:01" in phrase.evidence[1].detail
    assert ("filler_after_phrase", "then") not in by_kind  # the longer phrase is named instead
    assert by_kind["pace_rises", ""].evidence[0].detail == "150 → 190 wpm"
    over = by_kind["over_target", ""]
    assert over.description == "an answer over its 120 s target"
    assert [e.detail for e in over.evidence] == ["139 s", "129 s", "124 s"]
    high = by_kind["pace_high", ""]
    assert (high.count, high.of) == (2, 3) and "in 2 of the last 3 reps" in high.message
    assert c.to_dict()["patterns"][0]["reps"] == three_reps


def test_no_pattern_from_reps_with_nothing_in_common() -> None:
    reps = [
        make_result(
            wpm=140, pauses=[(20.0, 1.5)], pace=[140, 142], duration_s=90, **spoken("I um led the team")
        ),
        make_result(
            wpm=150, pauses=[(1.0, 0.4)], pace=[150, 120], duration_s=80, **spoken("we like shipped it like")
        ),
        make_result(wpm=130, pace=[130, 131], duration_s=70, **spoken("so uh it went well uh")),
    ]
    assert find_patterns(as_reps(reps), question=get_question(QUESTION)) == []


def test_patterns_look_at_the_last_five_reps() -> None:
    early = make_result(pauses=[(1.0, 1.5)])
    late = make_result(pauses=[(30.0, 1.5)])
    patterns = find_patterns(as_reps([early, early, late, early, late, early, early]))
    [p] = patterns
    assert (p.kind, p.count, p.of) == ("early_long_pause", 3, 5)
    assert find_patterns(as_reps([early, late, late, late, early])) == []  # 2 of 5 is not most of them


def test_patterns_for_a_new_rep(three_reps: list[str]) -> None:
    library = Library()
    new = make_result(wpm=150, pauses=[(2.0, 1.4)], **spoken("and then um it was like good like"))
    question = get_question(QUESTION)
    sentences = latest_patterns(new_rep(library, new, QUESTION), question=question)
    assert sentences[0] == (
        "Fourth rep in a row with a long pause (1 s or more) in the first 5 seconds: "
        f"1.6 s at 0:02 (rep {three_reps[0]}); 1.2 s at 0:03 (rep {three_reps[1]}); "
        f"2.2 s at 0:02 (rep {three_reps[2]}); 1.4 s at 0:02 (this rep)."
    )
    assert any(s.startswith('Fourth rep in a row with "like" as the most frequent filler') for s in sentences)
    assert any(s.startswith('Fourth rep in a row with fillers right after "and then"') for s in sentences)
    assert not any("pace above" in s for s in sentences)  # this rep is inside the band
    # the last rep is "this rep"
    again = latest_patterns(library.reps(QUESTION), question=question)
    assert again[0].startswith("Third rep in a row with a long pause") and again[0].endswith("(this rep).")
    # no history, no patterns
    assert latest_patterns(new_rep(library, new, "why-this-company")) == []


def test_new_rep_pattern_that_is_not_a_streak(wav: Path) -> None:
    library = Library()
    early, late = make_result(pauses=[(1.0, 1.5)]), make_result(pauses=[(30.0, 1.5)])
    ids = [save(library, wav, r, day=d).id for d, r in enumerate([early, early, early, late])]
    [sentence] = latest_patterns(new_rep(library, early, "q1"))
    assert sentence.startswith("A long pause (1 s or more) in the first 5 seconds in 4 of your last 5 reps: ")
    assert ids[0] in sentence and ids[3] not in sentence and sentence.endswith("(this rep).")


def test_reps_without_a_question_compare_with_each_other(wav: Path) -> None:
    library = Library()
    save(library, wav, make_result(pauses=[(1.0, 1.5)]), question=None)
    save(library, wav, make_result(pauses=[(1.0, 1.5)]), question="q1", day=1)
    [sentence] = latest_patterns(new_rep(library, make_result(pauses=[(2.0, 1.5)]), None))
    assert sentence.startswith("Second rep in a row")


def test_compare_errors_say_what_to_do(wav: Path) -> None:
    library = Library()
    with pytest.raises(LibraryError, match="no reps saved under a question"):
        compare_library(library)
    save(library, wav, question="tell-me-about-yourself")
    with pytest.raises(LibraryError, match="only one rep of 'tell-me-about-yourself'.*--question"):
        compare_library(library)
    with pytest.raises(LibraryError, match="did you mean 'tell-me-about-yourself'"):
        compare_library(library, question_id="tell-me-about-yourslf")


def test_trend_chart_png(three_reps: list[str], reps_home: Path, tmp_path: Path) -> None:
    from matplotlib.image import imread

    c = compare_library(Library())
    assert c.chart == reps_home / "charts" / f"{QUESTION}.png"
    image = imread(c.chart)
    assert image.shape[:2] == (600, 900)
    assert image.std() > 0.05  # something is drawn
    c2 = compare_library(Library(), chart=tmp_path / "out" / "trend.png")
    assert c2.chart.read_bytes().startswith(b"\x89PNG") and c2.to_dict()["chart"] == str(c2.chart)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temp file left


def test_a_new_rep_keeps_its_own_chart_and_links_its_own_audio(
    three_reps: list[str], reps_home: Path, wav: Path
) -> None:
    """Saved first, then the chart drawn from the saved reps into the rep's own folder, then the report
    linking it and the rep's own copy of the audio; a later rep never overwrites an earlier one's chart."""
    report = save_and_report(make_result(), library=Library(), question=get_question(QUESTION), audio=wav)
    chart = report.rep.folder / "chart.png"
    assert chart.stat().st_size > 10_000
    assert "![trend over reps](chart.png)" in report.markdown
    assert f"[{report.rep.audio_file}]({report.rep.audio_file})" in report.markdown
    assert (report.rep.folder / report.rep.audio_file).is_file()
    assert (report.rep.folder / "report.md").read_text() == report.markdown
    assert Library().get(report.rep.id).to_dict() == report.rep.to_dict()
    before = chart.read_bytes()
    later = save_and_report(
        make_result(wpm=100.0), library=Library(), question=get_question(QUESTION), audio=wav
    )
    assert chart.read_bytes() == before and (later.rep.folder / "chart.png").read_bytes() != before
    assert not (reps_home / "charts").exists()  # nothing shared that a later rep could change
    lone = save_and_report(make_result(), library=Library(), audio=wav)  # no question, no chart
    assert lone.rep.question_id is None and "trend over reps" not in lone.markdown


def test_matplotlib_is_imported_lazily() -> None:
    code = (
        "import sys; import interview_reps.store, interview_reps.comparison, interview_reps.chart, "
        "interview_reps.cli; assert 'matplotlib' not in sys.modules, 'matplotlib'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_compare_is_public_and_judges_the_given_reps() -> None:
    """`interview_reps.compare(reps)`: no library needed; the baseline defaults to the reps themselves."""
    import interview_reps

    reps = as_reps([make_result(**r) for r in REPS], QUESTION)
    c = interview_reps.compare(list(reversed(reps)))  # put in time order
    assert isinstance(c, interview_reps.Comparison)
    assert [r.id for r in c.reps] == ["r0", "r1", "r2"] and c.question_id == QUESTION
    assert c.metrics["wpm"].trend == "improved" and c.metrics["wpm"].baseline == 172.0
    assert c.metrics["answer_length_s"].spec.target == (60.0, 120.0)  # the question's, from the bank
    assert {p.kind for p in c.patterns} >= {"early_long_pause", "over_target"}
    assert list(c.metrics)[:3] == ["wpm", "articulation_rate", "filler_percent"]


def test_every_noise_band_is_stated() -> None:
    for spec in METRIC_SPECS.values():
        assert spec.noise > 0, spec.name
        assert spec.band_text().startswith("±")
    assert METRIC_SPECS["wpm"].band_text() == "±10 wpm"
    assert METRIC_SPECS["filler_percent"].target_text() == "≤ 4% of words"
    assert METRIC_SPECS["longest_pause_s"].target_text() == "< 2 s"
    assert METRIC_SPECS["wpm"].format(141.6) == "142" and METRIC_SPECS["wpm"].format(None) == "–"


def test_no_pace_pattern_from_answers_too_short_to_judge_pace() -> None:
    """Under TargetBands.min_words_to_judge_pace words the report shows no pace verdict, so the patterns
    do not name one either (a pace of 12 words is noise)."""
    slow = [make_result(wpm=90.0, word_count=12) for _ in range(3)]
    assert [p.kind for p in find_patterns(as_reps(slow))] == []
    judged = [make_result(wpm=90.0, word_count=200) for _ in range(3)]
    assert "pace_low" in [p.kind for p in find_patterns(as_reps(judged))]


def test_a_rep_too_short_to_judge_pace_is_not_compared_on_it() -> None:
    """A 5-word rep's pace and pitch spread are noise: its report judges neither, so compare shows no
    verdict on them (and its baseline leaves them out), while the other measures still compare."""
    full, short = make_result(wpm=130.0, word_count=200), make_result(wpm=49.0, word_count=5)
    c = compare(as_reps([full, short]))
    assert c.metrics["wpm"].trend == "n/a" and c.metrics["pitch_variation_st"].trend == "n/a"
    assert c.metrics["wpm"].baseline == 130.0
    assert c.metrics["longest_pause_s"].trend != "n/a"


def test_two_fillers_in_one_second_after_a_phrase_show_that_second_once() -> None:
    """ "and then um uh" twice in a rep: its evidence reads "at 0:01, 0:04", not each time twice."""
    text = "so and then um uh we did more of it and then um uh again"
    reps = as_reps([make_result(**spoken(text, start=0.2, step=0.3)) for _ in range(2)])
    [p] = [p for p in find_patterns(reps) if p.kind == "filler_after_phrase"]
    assert p.key == "and then" and p.evidence[0].detail == "at 0:01, 0:04"


def test_a_rate_of_few_events_needs_a_change_beyond_their_chance_wobble() -> None:
    """Mid-sentence pauses 3 in a 24 s answer (7.5/min) and 5 in a 73 s one (4.1/min): within the
    Poisson wobble of those counts (±4.7/min), so unchanged; the same rates over ten times as many
    events are a real change. The band applied is stated, as the table shows it."""
    from dataclasses import replace as with_

    from interview_reps.comparison import METRIC_SPECS, noise_for

    spec = METRIC_SPECS["clause_pauses_per_min"]
    short = make_result(duration_s=24.5).metrics
    a = with_(short, speaking_span_s=24.0, clause_pauses_per_min=7.5)
    b = with_(short, speaking_span_s=73.0, clause_pauses_per_min=4.1)
    assert noise_for(spec, a, b) == pytest.approx((7.5 * 60 / 24 + 4.1 * 60 / 73) ** 0.5)
    assert verdict(spec, 7.5, 4.1, noise=noise_for(spec, a, b)) == "unchanged"
    long_a, long_b = with_(a, speaking_span_s=240.0), with_(b, speaking_span_s=730.0)
    assert noise_for(spec, long_a, long_b) < 3.4
    assert verdict(spec, 7.5, 4.1, noise=noise_for(spec, long_a, long_b)) == "improved"
    assert noise_for(METRIC_SPECS["wpm"], a, b) == 10.0  # not a count: its own band
    c = compare(as_reps([make_result(duration_s=24.5), make_result(duration_s=24.5)]))
    m = c.metrics["filler_percent"]
    assert m.band >= 1.0 and m.band_text(unit=False) == f"±{round(m.band, 1):g}"
