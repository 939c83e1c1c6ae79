"""Syllables, pace windows, hedges and repeats on inputs whose answers are known."""

from __future__ import annotations

import pytest

from interview_reps.analyze.language import find_hedges, find_repeats, find_restarts, tokens_of
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


def sentences_of(text: str, *, word_s: float = 0.4) -> tuple[Word, ...]:
    """Words one every ``word_s``, sentence ends where the text has a full stop."""
    return tuple(
        Word(w, i * word_s, (i + 1) * word_s, sentence_end=w.endswith((".", "?", "!")))
        for i, w in enumerate(text.split())
    )


def test_restarts_and_stutters_apart_from_repeated_wording() -> None:
    ws = sentences_of("the the plan was to ship. In, in the end I was, I was going to th- the new api")
    restarts = {r.text: r.count for r in find_restarts(tokens_of(ws), ws, skip=set())}
    assert restarts == {"the the": 1, "In, in": 1, "I was, I was": 1, "th- the": 1}
    repeats = {r.text for r in find_repeats(tokens_of(ws), ws, skip=set())}
    assert "I was" not in repeats and "the the" not in repeats  # a restart is not wording to vary


def test_repeated_wording_within_sentences_said_twice_and_as_spoken() -> None:
    ws = sentences_of(
        "I would ship the new API first. Then I would test the new API. We shipped it like that. "
        "That would help. I would say it worked."
    )
    repeats = {r.text: r.count for r in find_repeats(tokens_of(ws), ws, skip=set())}
    assert repeats["I would"] == 3  # as spoken, not "i would"
    assert repeats["the new API"] == 2  # two uses make a repeat; the shorter "new api" is inside it
    assert "new API" not in repeats and "the new" not in repeats
    assert "that that" not in repeats  # "like that. That would": never across a sentence end
    restarts = find_restarts(tokens_of(ws), ws, skip=set())
    assert restarts == []
    once = sentences_of("I led the migration and we shipped it on time.")
    assert find_repeats(tokens_of(once), once, skip=set()) == []  # a phrase said once is no repeat


def test_repeated_wording_is_the_same_rate_at_any_length() -> None:
    """Uses count where the phrase comes again within the window: the same speech three times over
    (each copy longer than the window) keeps the same uses per word."""
    text = " ".join(f"word{i}." for i in range(60)) + " I would do it. Then I would stop."
    one = sentences_of(text)
    three = sentences_of(" ".join([text] * 3))
    n1 = sum(r.count for r in find_repeats(tokens_of(one), one, skip=set()))
    n3 = sum(r.count for r in find_repeats(tokens_of(three), three, skip=set()))
    assert n1 == 2 and n3 == 6
    crutch = sentences_of("it was really good and really fast and really cheap.")
    assert {r.text: r.count for r in find_repeats(tokens_of(crutch), crutch, skip=set())} == {"really": 3}
