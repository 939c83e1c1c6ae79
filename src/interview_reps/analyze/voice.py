"""Pitch and loudness variation over the answer, and the audio-quality check, from the frame features."""

from __future__ import annotations

import numpy as np

from ..models import Audio, Quality, Voice
from ..settings import AnalysisSettings
from .frames import FrameFeatures


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


def measure_voice(frames: FrameFeatures, *, settings: AnalysisSettings) -> Voice:
    spread = semitone_spread(frames.f0_hz)
    levels = frames.level_db[frames.is_speech]
    loudness = float(np.std(levels)) if levels.size >= 20 else None
    return Voice(
        pitch_variation_st=None if spread is None else round(spread, 2),
        loudness_variation_db=None if loudness is None else round(loudness, 2),
        monotone=None if spread is None else spread < settings.monotone_below_st,
    )


def check_quality(audio: Audio, speech: FrameFeatures, *, settings: AnalysisSettings) -> Quality:
    """Clipping, level and noise; each failed check is named in ``problems``.

    Speech level: the median 10 ms frame of speech (for "too quiet"). Signal-to-noise ratio: the loud
    speech frames (90th percentile) over the noise floor near speech, the usual frame-based estimate;
    a median-to-median ratio understated it by ~10 dB on clean read speech (LibriSpeech).
    """
    x = np.abs(audio.samples)
    peak = float(x.max()) if x.size else 0.0
    clipped = float(np.mean(x >= 0.999)) if x.size else 0.0
    speech_level = speech.speech_level_dbfs
    noise = speech.noise_floor_dbfs
    in_speech = speech.level_db[speech.is_onset_exact]
    if in_speech.size >= 20:
        loud = float(np.percentile(in_speech, settings.speech_level_percentile_in_speech))
    else:  # nothing Silero calls speech (a tone, a hum): the loud frames of the whole recording
        all_frames = speech.level_db
        loud = (
            float(np.percentile(all_frames, settings.speech_level_percentile)) if all_frames.size else noise
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
