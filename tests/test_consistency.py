"""No report contradicts itself (issue 12, item 4): the rules of ``consistency.py`` enumerated over
many answers built at the Result level (values close to every threshold) and over real recordings."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from consistency import BANDS, problems
from interview_reps.analyze.advice import advise, filler_trust, with_length_advice
from interview_reps.analyze.content import analyze_content, content_advice, points_to_cover, words_from_text
from interview_reps.analyze.language import find_hedges, find_repeats, find_restarts, tokens_of
from interview_reps.analyze.pace import pace_windows, words_per_minute
from interview_reps.models import Filler, Metrics, Pause, Quality, Result, Voice, Word, with_rates
from interview_reps.questions import get_question
from interview_reps.settings import AnalysisSettings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONTENT = Path(__file__).parent / "data" / "content"
SETTINGS = AnalysisSettings()


def answers() -> list[tuple[str, str]]:
    """(question id, text) of the labelled written answers: real interview wording."""
    out = []
    for path in sorted(CONTENT.glob("answers-*.toml")):
        for a in tomllib.loads(path.read_text(encoding="utf-8"))["answer"]:
            out.append((a["question"], a["text"]))
    return out


def built(rng: random.Random, question_id: str, text: str) -> tuple[Result, object]:
    """A Result built from a written answer: times at a random pace, fillers, restarts and pauses put
    in, levels and pitch drawn near their thresholds; then advised as the pipeline advises."""
    question = get_question(question_id)
    wpm = rng.choice([rng.uniform(80, 220), 119.6, 120.4, 164.6, 165.4])
    words = list(words_from_text(text, wpm=wpm, start_s=rng.choice([0.4, 1.2, 2.96, 3.04, 4.5])))
    if rng.random() < 0.3:
        words = words[: rng.randint(5, 25)]  # a short answer
    # fillers and restarts, near each other sometimes (clusters)
    out: list[Word] = []
    fillers: list[Filler] = []
    p_filler = rng.choice([0.0, 0.02, 0.04, 0.06, 0.12])
    for w in words:
        if rng.random() < p_filler:
            f = Word("um," if rng.random() < 0.7 else "uh,", w.start - 0.01, w.start, kind="filled_pause")
            out.append(f)
            fillers.append(Filler(f.text.strip(","), f.start, f.end, "filled_pause", "transcript"))
        if rng.random() < 0.02 and not w.sentence_end:
            out.append(replace(w, text=w.text.strip(".,") + ",", end=w.start + 0.01))
        out.append(w)
    words = sorted(out, key=lambda w: w.start)
    # pauses: gaps after some words, mid-sentence or between sentences, some close to 1.5 s and 2 s
    pauses = []
    for i, w in enumerate(words[:-1]):
        if rng.random() < 0.08:
            length = rng.choice([0.3, 0.8, 1.46, 1.54, 1.96, 2.04, 2.6, 3.5])
            kind = "sentence" if w.sentence_end else "clause"
            pauses.append(Pause(w.end, w.end + length, kind, w.text, words[i + 1].text))
    counted = [w for w in words if w.kind != "filled_pause"]
    t_first = words[0].start
    t_last = words[-1].end + sum(p.duration_s for p in pauses)
    span = t_last - t_first
    tokens = tokens_of(tuple(words))
    skip = {k for k, w in enumerate(words) if w.kind != "word"}
    hedges = find_hedges(tokens, tuple(words), skip=skip)
    restarts = find_restarts(tokens, tuple(words), skip=skip)
    repeats = find_repeats(tokens, tuple(words), skip=skip)
    pitch = rng.choice([None, 1.2, 1.96, 2.04, 3.1, 5.0])
    snr = rng.choice([9.0, 14.96, 15.04, 22.0, 38.0])
    level = round(rng.choice([-45.0, -37.04, -36.96, -20.0]), 1)
    noise = round(level - snr, 1)
    snr = round(round(level, 1) - noise, 1)
    quality_problems = tuple(
        p
        for p, bad in (
            (f"too quiet (speech at {level:.0f} dBFS): move closer", level < SETTINGS.quiet_speech_dbfs),
            (f"noisy (speech only {snr:.0f} dB above the background)", snr < SETTINGS.min_snr_db),
        )
        if bad
    )
    n_f = len(fillers)
    metrics = with_rates(
        Metrics(
            duration_s=t_last + 1.0,
            speaking_time_s=span * 0.85,
            time_to_first_word_s=t_first,
            word_count=len(counted),
            wpm=round(words_per_minute(len(counted), span), 1),
            articulation_rate=4.0,
            filled_pause_count=n_f,
            discourse_marker_count=0,
            fillers_per_min=round(n_f / (span / 60), 2),
            pause_count=len(pauses),
            long_pause_count=sum(p.duration_s >= 2.0 for p in pauses),
            longest_pause_s=max((p.duration_s for p in pauses), default=0.0),
            pitch_variation_st=pitch,
            speaking_span_s=span,
            clause_pause_count=sum(p.kind == "clause" for p in pauses),
            sentence_pause_count=sum(p.kind == "sentence" for p in pauses),
            pauses_per_min=round(len(pauses) / (span / 60), 2),
            hedge_count=sum(h.count for h in hedges),
            repeat_count=sum(r.count for r in repeats),
            restart_count=sum(r.count for r in restarts),
            filler_percent=round(100 * n_f / len(words), 2),
            answer_length_s=t_last,
        )
    )
    windows = pace_windows(counted, (t_first, t_last), window_s=15.0, min_last_fraction=1 / 3)
    result = Result(
        audio_path="built.wav",
        duration_s=t_last + 1.0,
        model_name="built",
        transcript=" ".join(w.text for w in words),
        words=tuple(words),
        fillers=tuple(fillers),
        pauses=tuple(pauses),
        metrics=metrics,
        feedback=(),
        hedges=tuple(hedges),
        repeats=tuple(repeats),
        restarts=tuple(restarts),
        pace_windows=tuple(windows),
        voice=Voice(pitch, 4.0, None if pitch is None else pitch < 2.0),
        quality=Quality(-3.0, round(level, 1), noise, snr, 0.0, quality_problems),
        stopped_by=rng.choice([None, "user", "max", "interrupt"]),
        limit_s=rng.choice([10.0, 30.0, 300.0]),
    )
    quality = result.quality
    trust = filler_trust(list(fillers), [], [], quality=quality, wpm=metrics.wpm)
    result = replace(result, filler_trust=trust)
    content = analyze_content(tuple(words), question)
    result = replace(result, content=content)
    extra = content_advice(content, question, answer_end_s=t_last)
    result = replace(result, feedback=tuple(advise(result, settings=SETTINGS, bands=BANDS, extra=extra)))
    missing = points_to_cover(content, question)
    return with_length_advice(result, target_s=question.target_s, points=missing), question


def test_built_answers_never_contradict_themselves() -> None:
    """Over 600 answers of real wording at paces, filler rates, pauses, pitch and levels drawn near
    every threshold: each rule of consistency.py holds in each report."""
    rng = random.Random(12)
    texts = answers()
    seen: dict[str, int] = {}
    failures = []
    for i in range(600):
        question_id, text = texts[i % len(texts)]
        result, question = built(rng, question_id, text)
        for row in {fb.about for fb in result.feedback if fb.about}:
            seen[row] = seen.get(row, 0) + 1
        found = problems(result, question)
        if found:
            failures.append((i, question_id, found, [fb.message for fb in result.feedback]))
    assert not failures, failures[:3]
    # the enumeration reaches every kind of advice that answers a row
    assert {"pace", "fillers", "pauses", "first_word", "pitch", "length", "audio", "points"} <= {
        part for row in seen for part in row.split("+")
    }, seen


@pytest.mark.model
@pytest.mark.parametrize(
    ("name", "question_id"),
    [
        ("mfa_cold_corpus.wav", "tell-me-about-yourself"),
        ("mfa_acoustic_corpus.wav", "why-this-company"),
        ("jfk.wav", "greatest-strength"),
        ("initiative_no_result.flac", "took-initiative"),
    ],
)
def test_real_answers_never_contradict_themselves(name: str, question_id: str, clip) -> None:
    from interview_reps.pipeline import analyze_file

    path = CONTENT / name if name.endswith(".flac") and "initiative" in name else clip(name)
    question = get_question(question_id)
    result = analyze_file(path, question=question)
    assert problems(result, question) == []
