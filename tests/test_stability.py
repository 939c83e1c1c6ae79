"""Numbers do not depend on how much audio surrounds the speech (issue 9, "stable numbers").

The same answer with 20 s of digital silence after it, or 20 s of room noise before it, keeps every
count, every pause (edges within 0.05 s, once shifted) and its rates (wpm within 2 %); the same
speech three times over, joined by 0.2 s, keeps its rates (fillers and pauses per minute, wpm).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from interview_reps.models import Result
from interview_reps.pipeline import analyze_file

pytestmark = pytest.mark.model  # the real tiny.en model

SR = 16_000
CLIP = "mfa_acoustic_corpus.wav"  # natural speech: 3 filled pauses, pauses up to 1.2 s
SPEECH_S = (1.0, 25.3)  # its first word starts at 1.05 s, its last ends at 25.25 s (words.tsv)
PAD_S = 20.0


def _room_noise(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Noise at the recording's own quiet level (its 10th-percentile 25 ms frame), as a room sounds."""
    frames = x[: x.size // 400 * 400].reshape(-1, 400)
    floor = np.percentile(np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)), 10)
    return (rng.standard_normal(n) * floor).astype(np.float32)


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory, clip: Callable[[str], Path]) -> dict[str, Result]:
    import soundfile as sf
    from faster_whisper import decode_audio

    x = decode_audio(str(clip(CLIP)), sampling_rate=SR)
    rng = np.random.default_rng(9)
    n = int(PAD_S * SR)
    gap = _room_noise(x, int(0.2 * SR), rng)
    speech = x[int(SPEECH_S[0] * SR) : int(SPEECH_S[1] * SR)]
    signals = {
        "original": x,
        "silence after": np.concatenate([x, np.zeros(n, dtype=np.float32)]),
        "room noise before": np.concatenate([_room_noise(x, n, rng), x]),
        "speech": speech,
        "three times": np.concatenate([speech, gap, speech, gap, speech]),
    }
    out = tmp_path_factory.mktemp("stability")
    results = {}
    for name, samples in signals.items():
        path = out / f"{name.replace(' ', '_')}.wav"
        sf.write(path, samples, SR, subtype="PCM_16")
        results[name] = analyze_file(path)
    return results


COUNTS = ("filled_pause_count", "discourse_marker_count", "pause_count", "long_pause_count", "word_count")


@pytest.mark.parametrize("variant, shift_s", [("silence after", 0.0), ("room noise before", PAD_S)])
def test_padding_changes_no_count_pause_or_rate(
    variants: dict[str, Result], variant: str, shift_s: float
) -> None:
    a, b = variants["original"].metrics, variants[variant].metrics
    for name in COUNTS:
        assert getattr(b, name) == getattr(a, name), (name, getattr(a, name), getattr(b, name))
    assert b.wpm == pytest.approx(a.wpm, rel=0.02)
    assert b.time_to_first_word_s - shift_s == pytest.approx(a.time_to_first_word_s, abs=0.05)
    pa, pb = variants["original"].pauses, variants[variant].pauses
    for p, q in zip(pa, pb, strict=True):
        assert q.start - shift_s == pytest.approx(p.start, abs=0.05), (p, q)
        assert q.end - shift_s == pytest.approx(p.end, abs=0.05), (p, q)


def test_the_same_speech_three_times_keeps_its_rates(variants: dict[str, Result]) -> None:
    a, b = variants["speech"].metrics, variants["three times"].metrics
    assert b.filled_pause_count == 3 * a.filled_pause_count
    assert b.pause_count == 3 * a.pause_count  # the 0.2 s joins are shorter than a pause
    # per minute of the speaking span, which grows by the two 0.2 s joins (0.5 %)
    assert b.fillers_per_min == pytest.approx(a.fillers_per_min, rel=0.02)
    assert b.pauses_per_min == pytest.approx(a.pauses_per_min, rel=0.02)
    assert b.wpm == pytest.approx(a.wpm, rel=0.02)


def test_the_same_delivery_three_times_over_compares_as_unchanged(variants: dict[str, Result]) -> None:
    """Issue 12: the same speech, once and three times over, as two reps of a question: compare
    judges every delivery metric unchanged (or in its target both times), never by its raw counts."""
    from datetime import datetime, timedelta, timezone

    from interview_reps.comparison import DELIVERY_METRICS, compare
    from interview_reps.models import Rep

    day = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    reps = [
        Rep("once", "tell-me-about-yourself", day, variants["speech"]),
        Rep("thrice", "tell-me-about-yourself", day + timedelta(days=1), variants["three times"]),
    ]
    c = compare(reps)
    judged = {name: c.metrics[name].verdict_text for name in DELIVERY_METRICS if name in c.metrics}
    assert len(judged) >= 12, judged
    assert set(judged.values()) <= {"unchanged", "in target"}, judged
