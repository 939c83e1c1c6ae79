"""Frame features of one recording, computed once on 10 ms frames: level, Silero's speech probability,
speech masks, pitch, voicing, periodicity and spectral change. Every later stage reads this object.

Work is done in blocks of ``BLOCK_S`` seconds (with the context each measure needs on either side),
so the memory it takes does not grow with the recording: only the per-frame arrays do (a few bytes per
10 ms frame, ~5 MB for an hour). Every per-frame value depends only on the audio around that frame, so
a block edge never shows in the numbers and silence added before or after the speech moves no value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models import Audio, Span
from ..settings import SAMPLE_RATE_HZ, AnalysisSettings
from .speech import HOP_S, frame_runs, runs, speech_masks

FRAME_S = 0.025  # 25 ms analysis window (level, spectrum)
BLOCK_S = 10.0  # audio processed per block (memory bound, not a tuning knob)
_HOP = int(HOP_S * SAMPLE_RATE_HZ)
_FRAME = int(FRAME_S * SAMPLE_RATE_HZ)
_YIN_FRAME = 1024  # 64 ms at 16 kHz: two periods of the lowest pitch searched (65 Hz)
_SILERO_WINDOW = 512  # samples per Silero VAD decision (32 ms)
_SILERO_CONTEXT = 64  # samples before each window it also sees
_SILERO_BATCH = 2500  # windows per run (80 s): bounded memory
_N_MELS = 40
_STABLE_ST = 1.0  # frame-to-frame pitch change (semitones) under which a frame counts as voiced
_MIN_PERIODICITY = 0.5  # vowels and hums correlate 0.7-0.99 with themselves a period later; breath < 0.3
_MIN_VOICED_FRAMES = 5  # a vowel lasts 50 ms or more; shorter stable stretches are noise


@dataclass(frozen=True, eq=False)
class VoiceFrames:
    """The voice part of the frame features: needs only the audio, so it can run beside transcription."""

    f0_raw_hz: np.ndarray  # float32 (n,): YIN estimate on every frame, voiced or not
    periodicity: np.ndarray  # float32 (n,): correlation with itself one YIN period later (0-1)
    flux_db: np.ndarray  # float32 (n,): mean |change| of the 40-band log-mel spectrum from the last frame


@dataclass(frozen=True, eq=False)
class FrameFeatures:
    """Everything measured per 10 ms frame; frame ``i`` covers ``[i*hop_s, (i+1)*hop_s)``.

    Arrays have shape (n_frames,). Masks: ``is_loud`` (energy above the noise-relative threshold),
    ``is_speech`` (Silero, onsets widened, and loud), ``is_onset_exact`` (Silero not widened, and
    loud), ``voiced`` (loud, stable YIN pitch, periodic). ``f0_hz`` is NaN where not voiced.
    """

    level_db: np.ndarray  # float32, dBFS
    vad_prob: np.ndarray  # float32, Silero's speech probability (its 32 ms window holding the frame)
    is_loud: np.ndarray
    is_speech: np.ndarray
    is_onset_exact: np.ndarray
    f0_hz: np.ndarray
    voiced: np.ndarray
    periodicity: np.ndarray
    flux_db: np.ndarray
    noise_floor_dbfs: float
    speech_level_dbfs: float
    hop_s: float = HOP_S

    def __len__(self) -> int:
        return len(self.level_db)

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


def n_frames(n_samples: int) -> int:
    """Centred 10 ms frames of a recording, as librosa's ``center=True`` counts them."""
    return 1 + n_samples // _HOP


def _blocks(n: int) -> list[tuple[int, int]]:
    step = int(BLOCK_S / HOP_S)
    return [(a, min(a + step, n)) for a in range(0, n, step)]


def _centred(samples: np.ndarray, a: int, b: int, width: int) -> np.ndarray:
    """Samples of centred frames ``a..b-1`` of ``width`` samples (zeros beyond the recording), float64."""
    lo, hi = a * _HOP - width // 2, (b - 1) * _HOP + width - width // 2
    out = np.zeros(hi - lo)
    s0, s1 = max(lo, 0), min(hi, len(samples))
    if s1 > s0:
        out[s0 - lo : s1 - lo] = samples[s0:s1]
    return out


def _frames_of(x: np.ndarray, count: int, width: int) -> np.ndarray:
    return np.lib.stride_tricks.sliding_window_view(x, width)[: count * _HOP : _HOP][:count]


def frame_level_db(samples: np.ndarray) -> np.ndarray:
    """RMS level (dBFS) of centred 25 ms frames every 10 ms, as ``librosa.feature.rms(center=True)``
    with zero padding; float32, computed block by block."""
    n = n_frames(len(samples))
    out = np.empty(n, dtype=np.float32)
    for a, b in _blocks(n):
        x = _centred(samples, a, b, _FRAME)
        csum = np.concatenate(([0.0], np.cumsum(x * x)))
        starts = np.arange(b - a) * _HOP
        power = (csum[starts + _FRAME] - csum[starts]) / _FRAME
        out[a:b] = 10.0 * np.log10(np.maximum(power, 1e-20))
    return out


def speech_probability(samples: np.ndarray, n: int) -> np.ndarray:
    """Silero VAD's speech probability (bundled with faster-whisper) for each 10 ms frame, float32.

    Silero is a recurrent model run over 32 ms windows, each with the 4 ms before it as context.
    faster-whisper's wrapper feeds it 10,000 windows (5 minutes) at a time, which costs ~200 MB of
    activations; here it is fed ``_SILERO_BATCH`` windows at a time with its state and context
    carried over, so the memory it takes does not grow with the recording.
    """
    from faster_whisper.vad import get_vad_model

    model = get_vad_model()
    pad = (-len(samples)) % _SILERO_WINDOW
    windows = np.pad(samples.astype(np.float32, copy=False), (0, pad)).reshape(-1, _SILERO_WINDOW)
    session = getattr(model, "session", None)
    if session is None:  # another faster-whisper: its own wrapper, all at once
        probs: np.ndarray = np.asarray(model(windows.reshape(-1)), dtype=np.float32).reshape(-1)
    else:
        state_h = np.zeros((1, 1, 128), dtype=np.float32)
        state_c = np.zeros((1, 1, 128), dtype=np.float32)
        tail: np.ndarray = np.zeros(
            (1, _SILERO_CONTEXT), dtype=np.float32
        )  # wide: numpy's stubs differ by version
        parts = []
        for start in range(0, len(windows), _SILERO_BATCH):
            block = windows[start : start + _SILERO_BATCH]
            context = np.concatenate([tail, block[:-1, -_SILERO_CONTEXT:]])
            out, state_h, state_c = session.run(
                None, {"input": np.concatenate([context, block], axis=1), "h": state_h, "c": state_c}
            )
            parts.append(np.asarray(out, dtype=np.float32).reshape(-1))
            tail = block[-1:, -_SILERO_CONTEXT:]
        probs = np.concatenate(parts) if parts else np.zeros(1, dtype=np.float32)
    centres = (np.arange(n) * _HOP) // _SILERO_WINDOW
    return probs[np.minimum(centres, len(probs) - 1)]


def voice_frames(samples: np.ndarray, *, settings: AnalysisSettings) -> VoiceFrames:
    """YIN pitch (``yin_f0``, the cheap path of measurement.md §4), periodicity at that pitch, and spectral change, on 10 ms frames,
    block by block."""
    from faster_whisper.feature_extractor import FeatureExtractor

    n = n_frames(len(samples))
    f0 = np.empty(n, dtype=np.float32)
    per = np.empty(n, dtype=np.float32)
    flux = np.empty(n, dtype=np.float32)
    mel = FeatureExtractor.get_mel_filters(SAMPLE_RATE_HZ, 400, _N_MELS).astype(np.float64)
    window = np.hanning(_FRAME + 2)[1:-1]
    previous_logmel: np.ndarray | None = None
    for a, b in _blocks(n):
        count = b - a
        x = _centred(samples, a, b, _YIN_FRAME)
        f0[a:b] = yin_f0(x, count, fmin_hz=settings.pitch_min_hz, fmax_hz=settings.pitch_max_hz)
        per[a:b] = _periodicity(x, f0[a:b], count)
        # 25 ms frames inside the 64 ms ones (same centres), for the spectrum
        offset = _YIN_FRAME // 2 - _FRAME // 2
        frames = _frames_of(x[offset:], count, _FRAME) * window
        power = np.abs(np.fft.rfft(frames, n=400, axis=1)) ** 2
        logmel = 10.0 * np.log10(np.maximum(power @ mel.T, 1e-10))
        prev = np.vstack([logmel[:1] if previous_logmel is None else previous_logmel, logmel[:-1]])
        flux[a:b] = np.mean(np.abs(logmel - prev), axis=1)
        previous_logmel = logmel[-1:]
    return VoiceFrames(f0_raw_hz=f0, periodicity=per, flux_db=flux)


def yin_f0(
    x: np.ndarray, count: int, *, fmin_hz: float, fmax_hz: float, threshold: float = 0.1
) -> np.ndarray:
    """YIN pitch estimates (de Cheveigne & Kawahara 2002) of ``count`` frames of 64 ms every 10 ms,
    ``x`` holding them back to back (``_centred``); float32 Hz, shape (count,).

    The estimator of ``librosa.yin`` 0.11 (trough threshold 0.1, parabolic refinement; the tests
    compare the two), in plain numpy: librosa's imports cost ~2 s and ~200 MB per process, more than
    all the frame features together, and its estimator changed between versions (0.10 on Python
    3.10, 0.11 on 3.11). Per frame: the difference function from the frame's autocorrelation and
    energies, normalised by its running mean; the first dip under ``threshold`` between the shortest
    and the longest period searched is the period (else the lowest point).
    """
    size = _YIN_FRAME
    frames = _frames_of(x, count, size).astype(np.float64)
    lag_min = int(np.floor(SAMPLE_RATE_HZ / fmax_hz))
    lag_max = min(int(np.ceil(SAMPLE_RATE_HZ / fmin_hz)), size - 1)
    # linear autocorrelation r(k), k = 0 .. lag_max (zero-padded FFT: no wrap-around)
    nfft = 1280 if size + lag_max <= 1280 else 2 * size  # 1280 = 2^8 * 5: a fast size, no wrap
    spectrum = np.fft.rfft(frames, nfft, axis=1)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), nfft, axis=1)[:, : lag_max + 1]
    squares = np.cumsum(frames[:, :lag_max] ** 2, axis=1)  # sum of y(0..k-1)^2 at k-1
    diff = 2.0 * (acf[:, :1] - acf[:, 1:]) - squares  # d(k), k = 1 .. lag_max
    running_mean = np.cumsum(diff, axis=1) / np.arange(1, lag_max + 1)
    cmnd = diff[:, lag_min - 1 :] / (running_mean[:, lag_min - 1 :] + np.finfo(np.float64).tiny)
    # parabolic refinement: the vertex of the parabola through each lag and its neighbours
    left, mid, right = cmnd[:, :-2], cmnd[:, 1:-1], cmnd[:, 2:]
    curvature = left + right - 2.0 * mid
    slope = (right - left) / 2.0
    shift = np.zeros_like(cmnd)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = np.where(np.abs(slope) < np.abs(curvature), -slope / curvature, 0.0)
    shift[:, 1:-1] = inner
    # a trough: lower than the lag before, not higher than the lag after (the first: than the next)
    trough = np.zeros_like(cmnd, dtype=bool)
    trough[:, 1:-1] = (mid < left) & (mid <= right)
    trough[:, 0] = cmnd[:, 0] < cmnd[:, 1]
    trough[:, -1] = cmnd[:, -1] < cmnd[:, -2]
    below = trough & (cmnd < threshold)
    best = np.where(below.any(axis=1), np.argmax(below, axis=1), np.argmin(cmnd, axis=1))
    period = lag_min + best + shift[np.arange(count), best]
    return (SAMPLE_RATE_HZ / period).astype(np.float32)


def _periodicity(x: np.ndarray, f0_hz: np.ndarray, count: int) -> np.ndarray:
    """Normalised correlation of each 25 ms frame (centred) with itself one pitch period later.

    ``x`` holds the centred 64 ms frames of the block (``_centred`` with ``_YIN_FRAME``)."""
    lags = np.round(SAMPLE_RATE_HZ / np.clip(f0_hz, 40.0, 1000.0)).astype(np.int64)
    x = np.concatenate([x, np.zeros(_FRAME + int(lags.max()) + 1)])
    starts = np.arange(count) * _HOP + _YIN_FRAME // 2 - _FRAME // 2
    offsets = np.arange(_FRAME)
    out = np.empty(count, dtype=np.float32)
    for part in range(0, count, 1000):
        s, lag = starts[part : part + 1000], lags[part : part + 1000]
        u = x[s[:, None] + offsets]
        v = x[(s + lag)[:, None] + offsets]
        num = np.einsum("ij,ij->i", u, v)
        den = np.sqrt(np.einsum("ij,ij->i", u, u) * np.einsum("ij,ij->i", v, v)) + 1e-12
        out[part : part + 1000] = num / den
    return out


def frame_features(
    audio: Audio,
    *,
    settings: AnalysisSettings,
    voice: VoiceFrames | None = None,
) -> FrameFeatures:
    """All frame features of a recording. ``voice``: ``voice_frames`` of it, if computed already."""
    frames = speech_frames(audio, settings=settings)
    return with_voice(frames, voice or voice_frames(audio.samples, settings=settings), settings=settings)


def detect_speech(audio: Audio, *, settings: AnalysisSettings) -> FrameFeatures:
    """Where speech is (``speech_frames``: levels, Silero, the masks; no pitch)."""
    return speech_frames(audio, settings=settings)


def speech_frames(audio: Audio, *, settings: AnalysisSettings) -> FrameFeatures:
    """The frame features the transcriber needs (levels, Silero, the speech masks); no voice yet
    (``with_voice`` adds it: it can be computed beside transcription)."""
    level_db = frame_level_db(audio.samples)
    vad_prob = speech_probability(audio.samples, len(level_db))
    masks = speech_masks(level_db, vad_prob, settings=settings)
    n = len(level_db)
    return FrameFeatures(
        level_db=level_db,
        vad_prob=vad_prob,
        is_loud=masks.is_loud,
        is_speech=masks.is_speech,
        is_onset_exact=masks.is_onset_exact,
        f0_hz=np.full(n, np.nan, dtype=np.float32),
        voiced=np.zeros(n, dtype=bool),
        periodicity=np.zeros(n, dtype=np.float32),
        flux_db=np.zeros(n, dtype=np.float32),
        noise_floor_dbfs=masks.noise_floor_dbfs,
        speech_level_dbfs=masks.speech_level_dbfs,
    )


def with_voice(frames: FrameFeatures, voice: VoiceFrames, *, settings: AnalysisSettings) -> FrameFeatures:
    """``frames`` with pitch, voicing, periodicity and spectral change from ``voice``."""
    from dataclasses import replace

    n = len(frames)
    f0 = voice.f0_raw_hz[:n]
    voiced = _voiced(f0, voice.periodicity[:n], frames.is_loud, settings=settings)
    return replace(
        frames,
        f0_hz=np.where(voiced, f0, np.nan).astype(np.float32),
        voiced=voiced,
        periodicity=voice.periodicity[:n],
        flux_db=voice.flux_db[:n],
    )


def _voiced(
    f0: np.ndarray, periodicity: np.ndarray, loud: np.ndarray, *, settings: AnalysisSettings
) -> np.ndarray:
    """A frame is voiced where it is loud, its YIN pitch is stable and the signal repeats itself at
    that pitch's period.

    ``librosa.yin`` has no voicing decision; unvoiced frames give erratic estimates, so frames whose
    pitch jumps more than a semitone from both neighbours are unvoiced, and so are frames whose
    correlation with themselves one period later is under ``_MIN_PERIODICITY`` (breath and hiss can
    hold a steady YIN estimate; a hum or vowel repeats). Runs shorter than 50 ms are dropped.
    """
    st = 12.0 * np.log2(np.maximum(f0.astype(np.float64), 1.0))
    step = np.abs(np.diff(st, prepend=st[:1]))
    step_next = np.abs(np.diff(st, append=st[-1:]))
    stable = (
        (np.minimum(step, step_next) < _STABLE_ST)
        & (f0 > settings.pitch_min_hz * 1.02)
        & (f0 < settings.pitch_max_hz * 0.98)
    )
    candidate = stable & loud & (periodicity >= _MIN_PERIODICITY)
    return long_runs(candidate, min_frames=_MIN_VOICED_FRAMES)


def long_runs(mask: np.ndarray, *, min_frames: int) -> np.ndarray:
    """``mask`` with its runs of True shorter than ``min_frames`` removed."""
    out = mask.copy()
    for a, b in frame_runs(mask):
        if b - a < min_frames:
            out[a:b] = False
    return out
