"""Frame features: computed block by block without a seam, and levels that padding cannot move."""

from __future__ import annotations

import numpy as np
import pytest

from interview_reps.analyze import frames as frames_mod
from interview_reps.analyze.frames import frame_features
from interview_reps.analyze.speech import hysteresis
from interview_reps.models import Audio
from interview_reps.settings import AnalysisSettings

SR = 16_000


def buzz(seconds: float, *, f0_hz: float = 130.0, level_dbfs: float = -20.0, seed: int = 0) -> np.ndarray:
    """A vowel-like buzz (12 harmonics) in 0.4 s syllables with 0.3 s gaps, over quiet noise."""
    t = np.arange(int(seconds * SR)) / SR
    x = sum(np.sin(2 * np.pi * k * f0_hz * t) / k for k in range(1, 13))
    x = x / np.sqrt(np.mean(x**2)) * 10 ** (level_dbfs / 20) * ((t % 0.7) < 0.4)
    rng = np.random.default_rng(seed)
    return (x + 10 ** (-65 / 20) * rng.standard_normal(t.size)).astype(np.float32)


def test_blocks_leave_no_seam(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every per-frame value is the same whether the recording is processed in 30 s or 7 s blocks."""
    settings = AnalysisSettings()
    audio = Audio("<built>", buzz(40.0), SR)
    big = frame_features(audio, settings=settings)
    monkeypatch.setattr(frames_mod, "BLOCK_S", 7.0)
    small = frame_features(audio, settings=settings)
    for name in ("level_db", "periodicity", "flux_db", "voiced", "is_speech"):
        np.testing.assert_allclose(getattr(big, name), getattr(small, name), atol=1e-4, err_msg=name)
    np.testing.assert_allclose(np.nan_to_num(big.f0_hz), np.nan_to_num(small.f0_hz), atol=1e-3)


def test_a_known_pitch_is_voiced_and_measured() -> None:
    features = frame_features(Audio("<built>", buzz(5.0, f0_hz=150.0), SR), settings=AnalysisSettings())
    f0 = features.f0_hz[features.voiced]
    assert features.voiced.mean() > 0.4  # the syllables are 4/7 of the time
    assert np.median(f0) == pytest.approx(150.0, rel=0.02)


def test_hysteresis_forms_segments_as_silero_does() -> None:
    prob = np.zeros(200, dtype=np.float32)
    prob[20:60] = 0.9  # speech
    prob[60:65] = 0.3  # between the thresholds (0.4 and 0.25): still speech
    prob[65:70] = 0.1  # 5 frames quiet: shorter than 10 frames (100 ms), bridged
    prob[70:100] = 0.9
    prob[150:155] = 0.9  # 50 ms: shorter than the 100 ms minimum
    segments = hysteresis(prob, threshold=0.4, min_speech_s=0.1, min_silence_s=0.1, pad_s=0.03)
    assert segments == [(17, 103)]


@pytest.mark.parametrize("pad", ["digital silence", "room noise"])
def test_silence_or_noise_around_the_speech_moves_no_level(pad: str) -> None:
    """The speech level and noise floor (and so every threshold) are measured near speech."""
    settings = AnalysisSettings()
    x = np.concatenate([np.full(SR, 0.0, np.float32) + buzz(1.0, level_dbfs=-200)[:SR], buzz(8.0)])
    rng = np.random.default_rng(3)
    extra = (
        np.zeros(20 * SR, np.float32)
        if pad == "digital silence"
        else (10 ** (-65 / 20) * rng.standard_normal(20 * SR)).astype(np.float32)
    )
    a = frame_features(Audio("<a>", x, SR), settings=settings)
    b = frame_features(Audio("<b>", np.concatenate([x, extra]), SR), settings=settings)
    assert b.noise_floor_dbfs == pytest.approx(a.noise_floor_dbfs, abs=0.5)
    assert b.speech_level_dbfs == pytest.approx(a.speech_level_dbfs, abs=0.1)
    np.testing.assert_array_equal(a.is_speech, b.is_speech[: len(a.is_speech)])


def test_our_yin_is_librosa_s_yin(clip) -> None:
    """The numpy YIN gives librosa.yin's estimates (0.11; Python 3.10's librosa 0.10 has another
    estimator) on real speech: at least 99 % of frames within 0.01 semitone."""
    import warnings

    import librosa
    from faster_whisper import decode_audio

    from interview_reps.analyze.frames import _centred, n_frames, yin_f0

    if not librosa.__version__.startswith("0.11"):
        pytest.skip(f"librosa {librosa.__version__}: another YIN")
    x = decode_audio(str(clip("mfa_cold_corpus.wav")), sampling_rate=SR)
    n = n_frames(len(x))
    ours = yin_f0(_centred(x, 0, n, 1024), n, fmin_hz=65.0, fmax_hz=400.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = librosa.yin(x, fmin=65.0, fmax=400.0, sr=SR, frame_length=1024, hop_length=160)[:n]
    off_st = np.abs(12 * np.log2(ours / theirs))
    assert np.mean(off_st <= 0.01) >= 0.99


def test_silero_fed_in_batches_gives_its_own_probabilities(clip) -> None:
    """Silero run 80 s at a time with its state carried gives what faster-whisper's wrapper gives."""
    from faster_whisper import decode_audio
    from faster_whisper.vad import get_vad_model

    from interview_reps.analyze.frames import n_frames, speech_probability

    x = np.tile(decode_audio(str(clip("jfk.wav")), sampling_rate=SR), 9)  # 99 s: two batches
    n = n_frames(len(x))
    ours = speech_probability(x, n)
    whole = get_vad_model()(np.pad(x, (0, (-len(x)) % 512)))
    np.testing.assert_allclose(ours, whole[np.minimum(np.arange(n) * 160 // 512, len(whole) - 1)], atol=1e-5)
