"""The filled-pause detector: its candidates and evidence on audio built in code, its decision, its weights."""

from __future__ import annotations

import json

import numpy as np
import pytest

from interview_reps.analyze.detector import (
    FEATURES,
    Candidate,
    DetectorWeights,
    decide,
    find_candidates,
    shipped_weights,
)
from interview_reps.analyze.frames import frame_features
from interview_reps.models import Audio, Word
from interview_reps.settings import AnalysisSettings

SR = 16_000


def sound(seconds: float, *, f0_hz: float, glide_st: float = 0.0, level_dbfs: float = -20.0) -> np.ndarray:
    """Harmonic sound; ``glide_st`` semitones of pitch change over its length (speech moves, "uh" holds)."""
    t = np.arange(int(seconds * SR)) / SR
    f0 = f0_hz * 2 ** (glide_st * t / seconds / 12)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = sum(np.sin(k * phase) / k for k in range(1, 13))
    ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    return (x / np.sqrt(np.mean(x**2)) * 10 ** (level_dbfs / 20) * ramp).astype(np.float32)


def quiet(seconds: float, seed: int = 0) -> np.ndarray:
    return (10 ** (-65 / 20) * np.random.default_rng(seed).standard_normal(int(seconds * SR))).astype(
        np.float32
    )


@pytest.fixture(scope="module")
def answer() -> tuple[np.ndarray, tuple[Word, ...]]:
    """ "word word | uh | word word": the words glide in pitch; the hum between pauses holds it."""
    parts = [
        quiet(0.5),
        sound(0.35, f0_hz=140, glide_st=4),
        sound(0.35, f0_hz=150, glide_st=-4),
        quiet(0.4, 1),
        sound(0.5, f0_hz=120, level_dbfs=-24),  # the "uh": 1.6-2.1 s
        quiet(0.4, 2),
        sound(0.35, f0_hz=140, glide_st=3),
        sound(0.35, f0_hz=135, glide_st=-3),
        quiet(0.5, 3),
    ]
    x = np.concatenate(parts)
    words = (
        Word("we", 0.5, 0.85),
        Word("shipped", 0.85, 1.2),
        Word("it", 2.5, 2.85),
        Word("early", 2.85, 3.2),
    )
    return x, words


def test_an_uncovered_steady_hum_is_a_candidate_with_its_evidence(answer) -> None:
    x, words = answer
    frames = frame_features(Audio("<built>", x, SR), settings=AnalysisSettings())
    found = find_candidates((), words, frames)
    hum = [c for c in found if c.start < 2.1 and c.end > 1.6]
    assert len(hum) == 1, found
    c = hum[0]
    assert c.start == pytest.approx(1.6, abs=0.06) and c.end == pytest.approx(2.1, abs=0.06)
    assert c.token is None and c.feature("written") == 0.0
    assert c.feature("steady_frac") > 0.8
    assert c.feature("covered") == 0.0
    assert c.feature("beside_pause") == 1.0
    assert c.feature("edge") == 0.0
    # the words' own sounds are covered by them: no candidate there
    assert not [c for c in found if c.end <= 1.2 or c.start >= 2.5]


def test_a_written_token_takes_the_sound_it_sits_on(answer) -> None:
    x, words = answer
    frames = frame_features(Audio("<built>", x, SR), settings=AnalysisSettings())
    token = Word("uh,", 1.75, 1.76, probability=0.6)  # the aligner could not place it
    found = find_candidates((token,), words, frames)
    [c] = [c for c in found if c.start < 2.1 and c.end > 1.6]
    assert c.token == token and c.feature("written") == 1.0 and c.feature("word_prob") == pytest.approx(0.6)
    assert c.end - c.start == pytest.approx(0.5, abs=0.08)  # the sound's timing, not the token's


def weights(**coef: float) -> DetectorWeights:
    n = len(FEATURES)
    return DetectorWeights(
        features=FEATURES,
        mean=(0.0,) * n,
        scale=(1.0,) * n,
        coef=tuple(coef.get(f, 0.0) for f in FEATURES),
        intercept=-1.0,
        threshold=0.5,
        candidate_threshold=0.3,
    )


def test_one_decision_counts_lists_or_drops() -> None:
    def cand(written: float, start: float) -> Candidate:
        ev = tuple(written if f == "written" else 0.0 for f in FEATURES)
        token = Word("um", start, start + 0.3, probability=0.9) if written else None
        return Candidate(start, start + 0.3, token, ev)

    w = weights(written=3.0)  # p = 0.88 for a written token, 0.27 for a sound alone
    counted, maybe, tokens = decide([cand(1.0, 1.0), cand(0.0, 2.0)], w)
    assert [(f.start, f.source, f.text) for f in counted] == [(1.0, "transcript", "um")]
    assert counted[0].confidence == pytest.approx(1 / (1 + np.exp(-2.0)), abs=1e-3)
    assert maybe == [] and [t.text for t in tokens] == ["um"]
    w2 = DetectorWeights(**{**w.__dict__, "candidate_threshold": 0.2})
    _, maybe, _ = decide([cand(0.0, 2.0)], w2)
    assert [(f.start, f.source) for f in maybe] == [(2.0, "acoustic")]


def test_the_shipped_weights_are_the_fitted_ones_with_the_known_signs() -> None:
    """The weights file matches FEATURES, records what it was fitted on, and no weight has a sign
    against what is known of filled pauses (scripts/fit_detector.py SIGNS)."""
    import sys
    from importlib import resources
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from fit_detector import SIGNS

    raw = json.loads(resources.files("interview_reps.analyze").joinpath("detector_weights.json").read_text())
    assert set(raw) == {"tiny.en", "base"}
    for model in raw:
        w = shipped_weights(model)
        assert "tuning split" in raw[model]["fitted_on"] and model in raw[model]["fitted_on"]
        for name, c in zip(w.features, w.coef, strict=True):
            assert c * SIGNS[name] >= 0, (model, name, c)
            assert SIGNS[name] != 0 or c == 0, (model, name)
        assert 0 < w.candidate_threshold < w.threshold < 1


def built_frames(
    seconds: float, *, speech: list[tuple[float, float, float]], voiced: list[tuple[float, float]]
):
    """Frame features set by hand (the candidate logic alone): ``speech`` spans with Silero's
    probability in them, ``voiced`` spans at a steady 110 Hz; everything voiced or speech is loud."""
    from interview_reps.analyze.frames import FrameFeatures

    n = int(round(seconds / 0.01))
    vad = np.full(n, 0.02, dtype=np.float32)
    is_speech = np.zeros(n, dtype=bool)
    for a, b, p in speech:
        vad[round(a * 100) : round(b * 100)] = p
        is_speech[round(a * 100) : round(b * 100)] = p >= 0.4
    is_voiced = np.zeros(n, dtype=bool)
    for a, b in voiced:
        is_voiced[round(a * 100) : round(b * 100)] = True
    loud = is_speech | is_voiced
    return FrameFeatures(
        level_db=np.where(loud, -25.0, -70.0).astype(np.float32),
        vad_prob=vad,
        is_loud=loud,
        is_speech=is_speech,
        is_onset_exact=is_speech.copy(),
        f0_hz=np.where(is_voiced, 110.0, np.nan).astype(np.float32),
        voiced=is_voiced,
        periodicity=np.where(is_voiced, 0.9, 0.1).astype(np.float32),
        flux_db=np.full(n, 2.0, dtype=np.float32),
        noise_floor_dbfs=-70.0,
        speech_level_dbfs=-25.0,
    )


def test_a_word_stamped_off_its_vowel_takes_it_back() -> None:
    """The first word stamped 0.4 s after its sound ("Montreal" at 1.4 s, said at 1.0 s): its vowel is
    the word's, not an opening "uh". With the word's own vowel in its stamp, the same sound is one."""
    late = (Word("Montreal", 1.4, 1.8), Word("forced", 1.8, 2.2))
    speech = [(0.9, 2.3, 0.95)]
    frames = built_frames(3.0, speech=speech, voiced=[(1.0, 1.3), (1.85, 2.1)])
    assert not [c for c in find_candidates((), late, frames) if c.start < 1.35]
    frames = built_frames(3.0, speech=speech, voiced=[(1.0, 1.3), (1.45, 1.7), (1.85, 2.1)])
    [opening] = [c for c in find_candidates((), late, frames) if c.start < 1.35]
    assert opening.start == pytest.approx(1.0) and opening.feature("edge") == 1.0


def test_mid_answer_a_sound_silero_calls_speech_is_a_word_the_stamps_missed() -> None:
    words = (Word("we", 0.5, 0.9), Word("ask", 2.0, 2.0), Word("now", 2.0, 2.4))
    voiced = [(0.55, 0.85), (1.2, 1.5), (2.05, 2.35)]
    heard = built_frames(3.0, speech=[(0.5, 2.4, 0.9)], voiced=voiced)
    assert not [c for c in find_candidates((), words, heard) if 1.1 < c.start < 1.6]
    hum = built_frames(3.0, speech=[(0.5, 0.9, 0.9), (0.9, 1.9, 0.1), (1.9, 2.4, 0.9)], voiced=voiced)
    [c] = [c for c in find_candidates((), words, hum) if 1.1 < c.start < 1.6]
    assert (c.start, c.end) == pytest.approx((1.2, 1.5))


def test_a_token_stacked_off_its_sound_takes_the_nearest_voiced_run() -> None:
    """The aligner put "uh" on one instant 0.15 s before its (clipped, 0.12 s) sound."""
    words = (Word("we", 0.5, 0.9), Word("shipped", 2.0, 2.4))
    frames = built_frames(
        3.0, speech=[(0.5, 0.9, 0.9), (1.9, 2.4, 0.9)], voiced=[(0.55, 0.85), (1.15, 1.27), (2.05, 2.35)]
    )
    token = Word("uh,", 1.0, 1.0, probability=0.8)
    [c] = [c for c in find_candidates((token,), words, frames) if c.token is not None]
    assert (c.start, c.end) == pytest.approx((1.15, 1.27))
    assert c.feature("steady_frac") == pytest.approx(1.0)


def test_an_opening_token_stamped_on_the_first_instant_takes_the_sound_before_the_first_word() -> None:
    """ "Uh, so this is..." 0.3 s into the recording: the aligner put "Uh," on 0.0-0.0, 0.36 s from
    its sound, and "so" late, on the last of its own vowel. The token's sound lies between the start
    and "so" (the order the decoder wrote them in), so it is the token's; "so" does not take it."""
    words = (Word("so", 0.9, 1.0), Word("this", 1.0, 1.24), Word("is", 1.24, 1.48))
    frames = built_frames(2.0, speech=[(0.32, 1.5, 0.9)], voiced=[(0.36, 0.72), (1.05, 1.2), (1.3, 1.45)])
    token = Word("Uh,", 0.0, 0.0, probability=0.01)
    [c] = [c for c in find_candidates((token,), words, frames) if c.start < 0.9]
    assert c.token is token and (c.start, c.end) == pytest.approx((0.36, 0.72))
    assert c.feature("edge") == 1.0 and c.feature("steady_frac") == pytest.approx(1.0)


def test_a_counted_token_is_timed_on_its_sound() -> None:
    token = Word("uh,", 1.0, 1.0, probability=0.9)
    ev = tuple(1.0 if f == "written" else 0.0 for f in FEATURES)
    counted, _, tokens = decide([Candidate(1.15, 1.27, token, ev)], weights(written=3.0))
    assert [(t.start, t.end) for t in tokens] == [(1.15, 1.27)]
    assert [(f.start, f.end) for f in counted] == [(1.15, 1.27)]


def test_the_trust_line_reads_its_thresholds_from_the_settings() -> None:
    from interview_reps.analyze.advice import filler_trust
    from interview_reps.models import Quality

    q = Quality(
        peak_dbfs=-3.0, speech_level_dbfs=-30.0, noise_floor_dbfs=-48.0, snr_db=18.0, clipped_fraction=0.0
    )
    assert "may be low here: the background is near the speech" in filler_trust(
        [], [], [], quality=q, wpm=150.0
    )
    lenient = AnalysisSettings(trust_min_snr_db=15.0)
    assert "may be low" not in filler_trust([], [], [], quality=q, wpm=150.0, settings=lenient)
    assert "fast (180 wpm)" in filler_trust([], [], [], quality=q, wpm=180.0, settings=lenient)
