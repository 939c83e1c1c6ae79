"""Pitch and loudness on the cheap path (librosa.yin, measurement.md §4), and the audio-quality check."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models import Audio, Quality, Voice
from ..settings import SAMPLE_RATE_HZ, AnalysisSettings
from .speech import HOP_S, SpeechActivity, frame_runs

_YIN_FRAME = 1024  # 64 ms at 16 kHz: two periods of the lowest pitch searched (65 Hz)
_STABLE_ST = 1.0
_MIN_PERIODICITY = 0.5  # vowels and hums correlate 0.7-0.99 with themselves a period later; breath < 0.3
_MIN_VOICED_FRAMES = 5  # a vowel lasts 50 ms or more; shorter stable stretches are noise  # frame-to-frame pitch change (semitones) under which a frame counts as voiced


@dataclass(frozen=True, eq=False)
class PitchTrack:
    f0_hz: np.ndarray  # float, shape (n_frames,), 10 ms hop; NaN where unvoiced
    voiced: np.ndarray  # bool, shape (n_frames,)


def estimate_f0(audio: Audio, *, settings: AnalysisSettings) -> np.ndarray:
    """Raw YIN pitch (Hz) on 10 ms frames, shape (n_frames,). Needs nothing but the audio, so the
    pipeline runs it beside transcription (librosa's first call costs ~2 s, measurement.md §4)."""
    import librosa

    return librosa.yin(
        audio.samples,
        fmin=settings.pitch_min_hz,
        fmax=settings.pitch_max_hz,
        sr=audio.sample_rate_hz,
        frame_length=_YIN_FRAME,
        hop_length=int(HOP_S * audio.sample_rate_hz),
        center=True,
    )


def pitch_track(
    f0: np.ndarray, speech: SpeechActivity, *, settings: AnalysisSettings, samples: np.ndarray | None = None
) -> PitchTrack:
    """A frame is voiced where it is loud, its YIN pitch is stable and, given ``samples`` (16 kHz),
    the signal repeats itself at that pitch's period.

    ``librosa.yin`` has no voicing decision; unvoiced frames give erratic estimates, so frames whose
    pitch jumps more than a semitone from both neighbours are treated as unvoiced, and so are frames
    whose correlation with themselves one period later is under ``_MIN_PERIODICITY`` (breath and
    hiss can hold a steady YIN estimate; a hum or vowel repeats).
    """
    n = min(len(f0), len(speech.is_loud))
    f0 = f0[:n]
    st = 12.0 * np.log2(np.maximum(f0, 1.0))
    step = np.abs(np.diff(st, prepend=st[:1]))
    step_next = np.abs(np.diff(st, append=st[-1:]))
    stable = (
        (np.minimum(step, step_next) < _STABLE_ST)
        & (f0 > settings.pitch_min_hz * 1.02)
        & (f0 < settings.pitch_max_hz * 0.98)
    )
    candidate = stable & speech.is_loud[:n]
    if samples is not None:
        candidate &= periodicity(samples, f0, candidate) >= _MIN_PERIODICITY
    voiced = _long_runs(candidate, min_frames=_MIN_VOICED_FRAMES)
    return PitchTrack(f0_hz=np.where(voiced, f0, np.nan), voiced=voiced)


def periodicity(samples: np.ndarray, f0_hz: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Normalised correlation of each 25 ms frame (10 ms hop, centred) with itself one pitch period
    later, for the frames where ``frames`` is True (0 elsewhere). 1 is perfectly periodic."""
    hop, size = int(HOP_S * SAMPLE_RATE_HZ), int(0.025 * SAMPLE_RATE_HZ)
    out = np.zeros(len(f0_hz))
    idx = np.flatnonzero(frames)
    if idx.size == 0:
        return out
    lags = np.round(SAMPLE_RATE_HZ / np.maximum(f0_hz[idx], 1.0)).astype(np.int64)
    x = np.pad(samples.astype(np.float64), (size // 2, size + int(lags.max()) + 1))
    offsets = np.arange(size)
    for part in range(0, idx.size, 4096):  # bounded memory on long answers
        i, lag = idx[part : part + 4096], lags[part : part + 4096]
        a = x[(i * hop)[:, None] + offsets]
        b = x[(i * hop + lag)[:, None] + offsets]
        num = np.einsum("ij,ij->i", a, b)
        den = np.sqrt(np.einsum("ij,ij->i", a, a) * np.einsum("ij,ij->i", b, b)) + 1e-12
        out[i] = num / den
    return out


def speaker_pitch_st(f0_hz: np.ndarray) -> np.ndarray | None:
    """Voiced frames' pitch in semitones (re 55 Hz) within an octave of the most common pitch.

    Frames further off are YIN octave errors or tonal noise. None with fewer than 20 such frames.
    """
    f0 = f0_hz[np.isfinite(f0_hz)]
    if f0.size < 20:
        return None
    st = 12.0 * np.log2(f0 / 55.0)
    counts, edges = np.histogram(st, bins=np.arange(st.min(), st.max() + 2.0, 2.0))
    mode = edges[int(np.argmax(counts))] + 1.0
    st = st[np.abs(st - mode) <= 12.0]
    return st if st.size >= 20 else None


def semitone_spread(f0_hz: np.ndarray, *, min_frames: int = 20) -> float | None:
    """Spread of pitch in semitones (standard deviation) around the speaker's dominant pitch.

    None with fewer than ``min_frames`` voiced (finite) frames. From 20 frames on, frames more than
    an octave from the most common pitch are left out (``speaker_pitch_st``); fewer cannot show a mode.
    """
    f0 = f0_hz[np.isfinite(f0_hz)]
    if f0.size < min_frames:
        return None
    st = speaker_pitch_st(f0_hz) if f0.size >= 20 else 12.0 * np.log2(f0 / 55.0)
    return None if st is None else float(np.std(st - np.median(st)))


def measure_voice(pitch: PitchTrack, speech: SpeechActivity, *, settings: AnalysisSettings) -> Voice:
    spread = semitone_spread(pitch.f0_hz)
    levels = speech.level_db[speech.is_speech]
    loudness = float(np.std(levels)) if levels.size >= 20 else None
    return Voice(
        pitch_variation_st=None if spread is None else round(spread, 2),
        loudness_variation_db=None if loudness is None else round(loudness, 2),
        monotone=None if spread is None else spread < settings.monotone_below_st,
    )


def check_quality(audio: Audio, speech: SpeechActivity, *, settings: AnalysisSettings) -> Quality:
    """Clipping, level and noise; each failed check is named in ``problems``.

    Speech level: the median 10 ms frame of speech (for "too quiet"). Signal-to-noise ratio: the loud
    frames (95th percentile) over the noise floor (10th percentile), the usual frame-based estimate;
    a median-to-median ratio understated it by ~10 dB on clean read speech (LibriSpeech).
    """
    x = np.abs(audio.samples)
    peak = float(x.max()) if x.size else 0.0
    clipped = float(np.mean(x >= 0.999)) if x.size else 0.0
    speech_level = speech.speech_level_dbfs
    noise = speech.noise_floor_dbfs
    loud = (
        float(np.percentile(speech.level_db, settings.speech_level_percentile))
        if speech.level_db.size
        else noise
    )
    snr = loud - noise
    problems = []
    if clipped > settings.clipped_fraction_max:
        problems.append(
            f"clipping ({clipped:.1%} of samples at full scale): move back or lower the input gain"
        )
    if speech_level < settings.quiet_speech_dbfs:
        problems.append(f"too quiet (speech at {speech_level:.0f} dBFS): move closer or raise the input gain")
    if snr < settings.min_snr_db:
        problems.append(f"noisy (speech only {snr:.0f} dB above the background): find a quieter room")
    return Quality(
        peak_dbfs=round(20 * np.log10(max(peak, 1e-10)), 1),
        speech_level_dbfs=round(speech_level, 1),
        noise_floor_dbfs=round(noise, 1),
        snr_db=round(snr, 1),
        clipped_fraction=round(clipped, 5),
        problems=tuple(problems),
    )


def _long_runs(mask: np.ndarray, *, min_frames: int) -> np.ndarray:
    """``mask`` with its runs of True shorter than ``min_frames`` removed."""
    out = mask.copy()
    for a, b in frame_runs(mask):
        if b - a < min_frames:
            out[a:b] = False
    return out
