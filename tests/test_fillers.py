"""Discourse markers count only where they act as fillers; filled pauses by spelling."""

from __future__ import annotations

import pytest

from interview_reps.analyze.fillers import find_discourse_markers
from interview_reps.analyze.words import is_filled_pause
from interview_reps.models import Word


def words_of(text: str, *, word_s: float = 0.3) -> tuple[Word, ...]:
    """Words spoken back to back; "|" marks a 0.5 s silent pause before the next word."""
    out, t, gap = [], 0.0, 0.0
    for token in text.split():
        if token == "|":
            gap = 0.5
            continue
        t += gap
        gap = 0.0
        kind = "filled_pause" if is_filled_pause(Word(token, 0, 0)) else "word"
        out.append(Word(token, round(t, 3), round(t + word_s, 3), kind=kind, sentence_end=token[-1] in ".?!"))
        t += word_s
    return tuple(out)


def markers(text: str) -> list[str]:
    ws = words_of(text)
    return [
        " ".join(w.text.strip(",.?!").lower() for w in ws[i:j])
        for i, j in find_discourse_markers(ws, min_pause_s=0.25)
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We shipped it, like, two weeks early.", ["like"]),
        ("I like this job a lot.", []),
        ("It looks like a good fit.", []),
        ("I would like to lead the team.", []),
        ("We're just, you know, trying things.", ["you know"]),
        ("You know, the launch slipped.", ["you know"]),
        ("You know the answer already.", []),
        ("Do you know what I did?", []),
        ("I mean, it was hard.", ["i mean"]),
        ("I mean it when I say it.", []),
        ("It was kind of hard to say.", ["kind of"]),
        ("It was a kind of database.", []),
        ("What sort of team do you run?", []),
        ("So, um, I started there.", ["so"]),
        ("I was tired so I left.", []),
        ("Basically, we rewrote it.", ["basically"]),
        ("It basically works.", []),
        ("Well, that was the plan.", ["well"]),
        ("It went well for us.", []),
        ("And like, we never tested it.", ["like"]),
        ("It was | like | a mess.", ["like"]),
        ("We shipped it, right?", ["right"]),
        ("Turn right at the end.", []),
        ("Actually, I disagreed.", ["actually"]),
        ("That actually helped.", []),
    ],
)
def test_discourse_markers_by_context(text: str, expected: list[str]) -> None:
    assert markers(text) == expected


@pytest.mark.parametrize("token", ["um", "Um,", "uh.", "Uhm,", "hmm", "Hmm.", "er,", "ah,", "mm"])
def test_filled_pause_spellings(token: str) -> None:
    assert is_filled_pause(Word(token, 0, 0))


@pytest.mark.parametrize("token", ["umbrella", "a", "her", "err", "hum", "ahead"])
def test_not_filled_pauses(token: str) -> None:
    assert not is_filled_pause(Word(token, 0, 0))
