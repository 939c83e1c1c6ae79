"""Where speech is: Silero VAD (bundled with faster-whisper) confirmed by frame energy, on 10 ms frames.

The inputs (frame level, Silero's probability) come from ``frames.py``; this module turns them into
the speech masks and the two levels everything else is relative to, in a way that does not depend on
how much silence or room noise surrounds the speech (issue 9).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..settings import AnalysisSettings

HOP_S = 0.01  # 10 ms analysis hop: every frame measure (frames.py) uses it


def frame_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, end)`` frame indices of the runs of True in ``mask``."""
    padded = np.concatenate(([False], np.asarray(mask, dtype=bool), [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def runs(
    mask: np.ndarray, value: bool, *, hop_s: float, merge_gap_s: float = 0.0
) -> list[tuple[float, float]]:
    """Start and end times (s) of the runs of ``value`` in ``mask``."""
    spans = [(float(a * hop_s), float(b * hop_s)) for a, b in frame_runs(mask == value)]
    if merge_gap_s > 0 and spans:
        merged = [spans[0]]
        for s, e in spans[1:]:
            if s - merged[-1][1] < merge_gap_s:
                merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        spans = merged
    return spans


def hysteresis(
    prob: np.ndarray, *, threshold: float, min_speech_s: float, min_silence_s: float, pad_s: float
) -> list[tuple[int, int]]:
    """Speech segments (frame ranges) as Silero's ``get_speech_timestamps`` forms them: speech starts
    where the probability reaches ``threshold`` and ends once it stays under ``threshold - 0.15`` for
    ``min_silence_s``; segments under ``min_speech_s`` are dropped; each is padded by ``pad_s``."""
    neg = max(threshold - 0.15, 0.01)
    n = len(prob)
    above = frame_runs(prob >= threshold)
    if not above:
        return []
    min_sil = int(round(min_silence_s / HOP_S))
    segments: list[tuple[int, int]] = []
    start = above[0][0]
    for k, (_, end) in enumerate(above):
        nxt = above[k + 1][0] if k + 1 < len(above) else n
        quiet = np.flatnonzero(prob[end:nxt] < neg)
        if quiet.size == 0:
            if nxt >= n:
                segments.append((start, n))
            continue
        first_quiet = end + int(quiet[0])
        if nxt >= n or nxt - first_quiet >= min_sil:
            segments.append((start, first_quiet))
            start = nxt
    pad = int(round(pad_s / HOP_S))
    min_len = int(round(min_speech_s / HOP_S))
    return [(max(0, s - pad), min(n, e + pad)) for s, e in segments if e - s >= min_len]


# Noise is judged on the non-speech frames this close to speech: the room under the answer, not
# whatever was recorded before or after it (a long lead-in of silence must not move the threshold).
NOISE_NEAR_SPEECH_S = 1.0
# Levels are measured on Silero's speech only when it found at least this much (0.2 s).
MIN_SPEECH_FRAMES = 20


@dataclass(frozen=True, eq=False)
class SpeechMasks:
    is_loud: np.ndarray
    is_speech: np.ndarray
    is_onset_exact: np.ndarray
    noise_floor_dbfs: float
    speech_level_dbfs: float


def speech_masks(level_db: np.ndarray, vad_prob: np.ndarray, *, settings: AnalysisSettings) -> SpeechMasks:
    """Speech where Silero VAD hears speech and the frame is louder than the noise floor.

    Silero alone bridges short silences filled with breath or room noise, and its onsets lag soft
    sounds such as /h/ by up to 0.25 s; energy alone fails on noisy recordings (the eval clips have
    a noise floor 15-20 dB under the speech). So Silero says where speech is, widened at its onsets by
    ``vad_onset_slack_s`` after a long silence, and energy places the edges.

    Both levels are measured where they are defined, so added silence or room noise cannot move them:
    the speech level is a high percentile of the frames Silero calls speech; the noise floor a low
    percentile of the other frames within ``NOISE_NEAR_SPEECH_S`` of speech, digital silence left out
    (a gated microphone or an edited file is not the room). Thresholds in ``AnalysisSettings``.
    """
    n = len(level_db)
    segments = hysteresis(
        vad_prob,
        threshold=settings.vad_threshold,
        min_speech_s=settings.vad_min_speech_ms / 1000,
        min_silence_s=settings.vad_min_silence_ms / 1000,
        pad_s=settings.vad_speech_pad_ms / 1000,
    )
    vad = np.zeros(n, dtype=bool)
    vad_exact = np.zeros(n, dtype=bool)
    lead = int(settings.vad_onset_slack_s / HOP_S)
    after_silence = int(settings.vad_slack_after_silence_s / HOP_S)
    previous_end = -(10**9)
    for start, end in segments:
        widened = start - lead if start - previous_end >= after_silence else start
        vad[max(0, widened) : end] = True
        vad_exact[start:end] = True
        previous_end = end

    real = level_db > settings.digital_silence_dbfs
    if vad_exact.sum() >= MIN_SPEECH_FRAMES:
        speech_level = float(np.percentile(level_db[vad_exact], settings.speech_level_percentile_in_speech))
        near = _dilate(vad_exact, int(NOISE_NEAR_SPEECH_S / HOP_S))
        quiet = near & ~vad_exact & real
        if quiet.sum() < 10:
            quiet = ~vad_exact & real
        noise_floor = (
            float(np.percentile(level_db[quiet], settings.noise_floor_percentile))
            if quiet.sum() >= 10
            else float(np.percentile(np.maximum(level_db, settings.digital_silence_dbfs), 10))
        )
    else:  # no speech to measure near (a tone, a hum, noise): the whole recording's frames
        speech_level = float(np.percentile(level_db, settings.speech_level_percentile)) if n else -120.0
        floored = np.maximum(level_db, settings.digital_silence_dbfs)
        noise_floor = float(np.percentile(floored, settings.noise_floor_percentile)) if n else -120.0
    noise_floor = min(noise_floor, speech_level)
    threshold_db = max(
        noise_floor + settings.energy_threshold_fraction * (speech_level - noise_floor),
        speech_level - settings.max_below_loud_db,
    )
    loud = level_db > threshold_db
    if speech_level - noise_floor < settings.min_dynamic_range_db:
        vad[:] = False
        vad_exact[:] = False
    is_speech = loud & vad
    speech_frames = level_db[is_speech]
    return SpeechMasks(
        is_loud=loud,
        is_speech=is_speech,
        is_onset_exact=loud & vad_exact,
        noise_floor_dbfs=noise_floor,
        speech_level_dbfs=float(np.median(speech_frames)) if speech_frames.size else speech_level,
    )


def _dilate(mask: np.ndarray, k: int) -> np.ndarray:
    """``mask`` widened by ``k`` frames either side."""
    if k <= 0 or not mask.any():
        return mask.copy()
    c = np.concatenate(([0], np.cumsum(mask.astype(np.int64))))
    n = len(mask)
    idx = np.arange(n)
    lo, hi = np.maximum(idx - k, 0), np.minimum(idx + k + 1, n)
    return (c[hi] - c[lo]) > 0
