"""Pitch variation and loudness on voices built in code, whose pitch contour is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from interview_reps.analyze.frames import frame_features
from interview_reps.analyze.voice import measure_voice
from interview_reps.models import Audio
from interview_reps.settings import AnalysisSettings

SR = 16_000


def voiced(contour_st: np.ndarray, *, base_hz: float = 120.0) -> np.ndarray:
    """A buzzy vowel-like sound (10 harmonics) following ``contour_st`` semitones around ``base_hz``,
    one value per sample, in 0.6 s syllables with 0.15 s gaps of room noise."""
    f0 = base_hz * 2 ** (contour_st / 12)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = sum(np.sin(k * phase) / k for k in range(1, 11))
    t = np.arange(len(x)) / SR
    gate = (t % 0.75) < 0.6
    rng = np.random.default_rng(1)
    return (0.1 * x * gate + 0.0005 * rng.standard_normal(len(x))).astype(np.float32)


def measured_spread(samples: np.ndarray) -> float:
    settings = AnalysisSettings()
    audio = Audio(path="<built>", samples=samples, sample_rate_hz=SR)
    voice = measure_voice(frame_features(audio, settings=settings), settings=settings)
    assert voice.pitch_variation_st is not None
    return voice.pitch_variation_st


@pytest.mark.parametrize("depth_st", [1.0, 3.0, 5.0])
def test_pitch_variation_matches_a_known_contour(depth_st: float) -> None:
    """A slow sine intonation of amplitude A semitones has a standard deviation of A / sqrt(2)."""
    t = np.arange(12 * SR) / SR
    contour = depth_st * np.sin(2 * np.pi * t / 2.3)
    spread = measured_spread(voiced(contour))
    assert spread == pytest.approx(depth_st / np.sqrt(2), abs=0.3)


def test_flat_voice_is_flagged_monotone() -> None:
    t = np.arange(10 * SR) / SR
    settings = AnalysisSettings()
    samples = voiced(0.3 * np.sin(2 * np.pi * t / 2.0))
    audio = Audio(path="<built>", samples=samples, sample_rate_hz=SR)
    voice = measure_voice(frame_features(audio, settings=settings), settings=settings)
    assert voice.monotone is True


def test_loudness_variation_grows_as_a_known_level_change_predicts(clip) -> None:
    """Real speech, then the same speech 10 dB quieter: the spread of speech-frame levels must become
    sqrt(s^2 + 5^2), s being the spread of the speech alone."""
    from faster_whisper import decode_audio

    settings = AnalysisSettings()
    x = decode_audio(str(clip("jfk.wav")), sampling_rate=SR)

    def loudness(samples: np.ndarray) -> float:
        audio = Audio(path="<built>", samples=samples.astype(np.float32), sample_rate_hz=SR)
        return measure_voice(
            frame_features(audio, settings=settings), settings=settings
        ).loudness_variation_db

    alone = loudness(x)
    both = loudness(np.concatenate([x, x * 10 ** (-10 / 20)]))
    assert both == pytest.approx(np.sqrt(alone**2 + 25.0), abs=0.6)
