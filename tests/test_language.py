"""Syllables, pace windows, hedges and repeats on inputs whose answers are known."""

from __future__ import annotations

import pytest

from interview_reps.analyze.language import find_hedges, find_repeats, tokens_of
from interview_reps.analyze.pace import pace_windows, syllables, words_per_minute
from interview_reps.models import Word
from interview_reps.settings import AnalysisSettings


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("interview", 3),
        ("team", 1),
        ("time", 1),
        ("worked", 1),
        ("started", 2),
        ("database", 3),
        ("leadership", 3),
        ("I", 1),
        ("role", 1),
        ("whole", 1),
        ("customer", 3),
        ("table", 2),
        ("2024", 8),
    ],
)
def test_syllable_estimate(word: str, count: int) -> None:
    assert syllables(word) == count


def words_of(text: str, *, word_s: float = 0.4) -> tuple[Word, ...]:
    return tuple(Word(w, i * word_s, (i + 1) * word_s) for i, w in enumerate(text.split()))


def test_words_per_minute_and_windows() -> None:
    assert words_per_minute(150, 60.0) == 150.0
    # 100 words, one every 0.4 s: 150 wpm in every full 15 s window
    ws = words_of(" ".join(["word"] * 100))
    fold = AnalysisSettings().pace_last_window_min_fraction  # a last window under 5 s joins the one before
    windows = pace_windows(list(ws), (0.0, 40.0), window_s=15.0, min_last_fraction=fold)
    assert [(w.start, w.end) for w in windows] == [(0.0, 15.0), (15.0, 30.0), (30.0, 40.0)]
    assert windows[0].wpm == pytest.approx(150.0, abs=4.0) and windows[1].wpm == pytest.approx(150.0, abs=4.0)
    folded = pace_windows(list(ws), (0.0, 34.0), window_s=15.0, min_last_fraction=fold)
    assert [(w.start, w.end) for w in folded] == [(0.0, 15.0), (15.0, 34.0)]


def test_hedges_matched_as_phrases() -> None:
    ws = words_of("I think we could maybe ship it, I guess I think so")
    hedges = {h.text: h.count for h in find_hedges(tokens_of(ws), ws, skip=set())}
    assert hedges == {"i think": 2, "maybe": 1, "i guess": 1}


def test_repeats_stutters_and_phrases() -> None:
    ws = words_of("the the plan was to ship the new api then we shipped the new api and the new api worked")
    repeats = {r.text: r.count for r in find_repeats(tokens_of(ws), ws, skip=set())}
    assert repeats["the the"] == 1
    assert repeats["the new api"] == 3
