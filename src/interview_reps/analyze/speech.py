"""Where speech is: Silero VAD (bundled with faster-whisper) confirmed by frame energy, on 10 ms frames."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models import Audio, Span
from ..settings import AnalysisSettings

HOP_S = 0.01  # 10 ms analysis hop
FRAME_S = 0.025  # 25 ms analysis window


@dataclass(frozen=True, eq=False)
class SpeechActivity:
    """Frame-level speech mask and loudness; frame ``i`` covers ``[i*hop_s, (i+1)*hop_s)``."""

    is_speech: np.ndarray  # bool, shape (n_frames,): Silero VAD and loud enough
    is_loud: np.ndarray  # bool, shape (n_frames,): loud enough (energy only; includes hums Silero misses)
    is_onset_exact: np.ndarray  # bool, shape (n_frames,): Silero speech and loud, onsets not widened
    level_db: np.ndarray  # float, dBFS per frame, shape (n_frames,)
    noise_floor_dbfs: float
    speech_level_dbfs: float
    hop_s: float = HOP_S

    def frame(self, t_s: float) -> int:
        return int(np.clip(round(t_s / self.hop_s), 0, len(self.is_speech)))

    def vad_fraction(self, start_s: float, end_s: float) -> float:
        """Share of frames in the span that Silero itself calls speech (onsets not widened)."""
        a, b = self.frame(start_s), self.frame(end_s)
        return float(self.is_onset_exact[a:b].mean()) if b > a else 0.0

    def speech_fraction(self, start_s: float, end_s: float) -> float:
        a, b = self.frame(start_s), self.frame(end_s)
        return float(self.is_speech[a:b].mean()) if b > a else 0.0

    def regions(self, *, min_gap_s: float = 0.0) -> list[Span]:
        """Speech stretches, merging those separated by gaps shorter than ``min_gap_s``."""
        return [Span(s, e) for s, e in runs(self.is_speech, True, hop_s=self.hop_s, merge_gap_s=min_gap_s)]

    def silences(self, *, min_s: float) -> list[Span]:
        return [Span(s, e) for s, e in runs(self.is_speech, False, hop_s=self.hop_s) if e - s >= min_s - 1e-9]

    def sound_regions(
        self, *, min_gap_s: float = 0.3, min_s: float = 0.05, lead_s: float = 1.5, tail_s: float = 0.5
    ) -> list[Span]:
        """Loud stretches (speech, hums) for the transcriber to decode.

        Bounded to ``lead_s`` before the first and ``tail_s`` after the last stretch Silero hears as
        speech: a hum may open an answer, but noise after the last word only feeds hallucinations.
        """
        vad = runs(self.is_speech, True, hop_s=self.hop_s)
        if not vad:
            return []
        lo, hi = vad[0][0] - lead_s, vad[-1][1] + tail_s
        spans = runs(self.is_loud, True, hop_s=self.hop_s, merge_gap_s=min_gap_s)
        return [Span(max(s, lo), min(e, hi)) for s, e in spans if e - s >= min_s and e > lo and s < hi]

    def last_speech_s(self) -> float | None:
        """End of the last frame Silero and energy call speech; None if there is none."""
        idx = np.flatnonzero(self.is_speech)
        return None if idx.size == 0 else float((idx[-1] + 1) * self.hop_s)

    @property
    def has_speech(self) -> bool:
        return bool(self.is_speech.any())


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


def frame_level_db(samples: np.ndarray, *, frame: int, hop: int) -> np.ndarray:
    """RMS level (dBFS) of centred frames every ``hop`` samples, as ``librosa.feature.rms(center=True)``.

    Computed from a running sum of squares: librosa's first call costs ~1.6 s of imports and
    compilation per process, more than the rest of the speech detection (measurement.md §4).
    """
    x = np.pad(samples.astype(np.float64), frame // 2)
    csum = np.concatenate(([0.0], np.cumsum(x * x)))
    starts = np.arange(0, len(x) - frame + 1, hop)
    power = (csum[starts + frame] - csum[starts]) / frame
    return 10.0 * np.log10(np.maximum(power, 1e-20))


def detect_speech(audio: Audio, *, settings: AnalysisSettings) -> SpeechActivity:
    """Speech where Silero VAD hears speech and the frame is louder than the noise floor.

    Silero alone bridges short silences filled with breath or room noise, and its onsets lag soft
    sounds such as /h/ by up to 0.25 s; energy alone fails on noisy recordings (the eval clips have
    a noise floor 15-20 dB under the speech). So Silero says where speech is, widened at its onsets by
    ``vad_onset_slack_s``, and energy places the edges. Thresholds in ``AnalysisSettings``.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    sr = audio.sample_rate_hz
    hop = int(HOP_S * sr)
    level_db = frame_level_db(audio.samples, frame=int(FRAME_S * sr), hop=hop)
    speech_level = float(np.percentile(level_db, settings.speech_level_percentile))
    # Digital silence (gated microphones, edited files) counts as a very low floor, not as -200 dB.
    floored = np.maximum(level_db, settings.digital_silence_dbfs)
    noise_floor = float(np.percentile(floored, settings.noise_floor_percentile))
    threshold_db = max(
        noise_floor + settings.energy_threshold_fraction * (speech_level - noise_floor),
        speech_level - settings.max_below_loud_db,
    )
    loud = level_db > threshold_db

    vad = np.zeros_like(loud)
    vad_exact = np.zeros_like(loud)
    if speech_level - noise_floor >= settings.min_dynamic_range_db:
        stamps = get_speech_timestamps(
            audio.samples,
            VadOptions(
                threshold=settings.vad_threshold,
                min_silence_duration_ms=settings.vad_min_silence_ms,
                speech_pad_ms=settings.vad_speech_pad_ms,
                min_speech_duration_ms=settings.vad_min_speech_ms,
            ),
            sampling_rate=sr,
        )
        lead = int(settings.vad_onset_slack_s / HOP_S)
        previous_end = -(10**9)
        for stamp in stamps:
            after_long_silence = stamp["start"] - previous_end >= settings.vad_slack_after_silence_s * sr
            start = stamp["start"] // hop - (lead if after_long_silence else 0)
            vad[max(0, start) : stamp["end"] // hop + 1] = True
            previous_end = stamp["end"]
            vad_exact[stamp["start"] // hop : stamp["end"] // hop + 1] = True
    is_speech = loud & vad[: len(loud)]
    speech_frames = level_db[is_speech]
    return SpeechActivity(
        is_speech=is_speech,
        is_loud=loud,
        is_onset_exact=loud & vad_exact[: len(loud)],
        level_db=level_db,
        noise_floor_dbfs=noise_floor,
        speech_level_dbfs=float(np.median(speech_frames)) if speech_frames.size else speech_level,
    )
