"""Does the recording hold more than one voice? An interview recorded on one microphone holds the
interviewer too; the numbers would then mix both voices, and the report says so.

Method (the classic BIC clustering of speaker diarization, Chen & Gopalakrishnan 1998): the speech is
cut into stretches of about 1.5 s; each is described by its cepstrum (12 MFCCs of 25 ms frames, the
timbre of the voice). Stretches are merged, most alike first, while one Gaussian (full covariance)
explains a pair better than two by the Bayesian information criterion; the last two groups left are
then compared: their BIC difference per frame is the score. More than one voice when the score is
above ``SCORE_MIN`` and the smaller group holds at least ``MIN_OTHER_S`` of speech. Both were chosen
on the tuning side of recordings built from real speakers (``scripts/evaluate_voices.py``); the
held-out figures are in ``MEASURED_VOICES_ACCURACY``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models import Audio, Span, Voices
from ..settings import SAMPLE_RATE_HZ
from .frames import FrameFeatures
from .speech import HOP_S, frame_runs

# Chosen on the tuning split of scripts/evaluate_voices.py (see MEASURED_VOICES_ACCURACY).
SCORE_MIN = 0.58  # BIC difference per frame between the last two groups
MIN_OTHER_S = 2.0  # a second voice says at least a short sentence
MIN_SPEECH_S = 5.0  # less speech than this is not judged (Voices is None)
CHUNK_S = 1.5  # stretches of speech compared; long enough for a full-covariance Gaussian of 12 MFCCs
MIN_CHUNK_FRAMES = 50  # stretches with less speech than 0.5 s are left out
MAX_CHUNKS = 150  # longer recordings are cut into longer stretches (the merging is quadratic)
BIC_PENALTY = 1.0  # lambda of the BIC penalty (the textbook value)
VAD_MIN = 0.5  # Silero's own default speech threshold
ABOVE_NOISE_DB = 6.0  # and a frame this far above the background (breath and hum stay out)
_N_MELS, _N_FFT, _WIN = 40, 512, 400
_CEPSTRA = slice(1, 13)  # c1-c12: c0 is the level, not the voice

# From `python scripts/evaluate_voices.py` on its held-out side; the README quotes the same figures.
MEASURED_VOICES_ACCURACY = (
    "on 98 held-out recordings built from speakers it was not tuned on (3 FSDD speakers, JFK, LJ Speech's "
    "reader, FLEURS readers of 3 languages) it was right on 88: 40 of 49 with two voices, 48 of 49 with one "
    "(tuned to rather miss a second voice than hear one in a person speaking freely)"
)


def mfcc(samples: np.ndarray, n: int) -> np.ndarray:
    """12 MFCCs (c1-c12) of centred 25 ms Hann frames every 10 ms, shape (n, 12), computed 10 s at a time."""
    from faster_whisper.feature_extractor import FeatureExtractor

    mel = FeatureExtractor.get_mel_filters(SAMPLE_RATE_HZ, _N_FFT, _N_MELS).astype(np.float64)
    k = np.arange(_N_MELS)
    dct = np.cos(np.pi / _N_MELS * (k[None, :] + 0.5) * np.arange(13)[:, None])
    window = np.hanning(_WIN + 2)[1:-1]
    hop = int(HOP_S * SAMPLE_RATE_HZ)
    out = np.empty((n, 12), dtype=np.float32)
    step = 1000
    for a in range(0, n, step):
        b = min(a + step, n)
        lo = a * hop - _WIN // 2
        hi = (b - 1) * hop + _WIN - _WIN // 2
        x = np.zeros(hi - lo)
        s0, s1 = max(lo, 0), min(hi, len(samples))
        if s1 > s0:
            x[s0 - lo : s1 - lo] = samples[s0:s1]
        frames = np.lib.stride_tricks.sliding_window_view(x, _WIN)[::hop][: b - a] * window
        power = np.abs(np.fft.rfft(frames, _N_FFT)) ** 2
        out[a:b] = (np.log(np.maximum(power @ mel.T, 1e-10)) @ dct.T)[:, _CEPSTRA]
    return out


@dataclass
class _Group:
    n: int
    total: np.ndarray  # sum of frames, (d,)
    outer: np.ndarray  # sum of outer products, (d, d)
    chunks: list[int]

    def logdet(self) -> float:
        mean = self.total / self.n
        cov = self.outer / self.n - np.outer(mean, mean)
        return float(np.linalg.slogdet(cov + 1e-6 * np.eye(len(mean)))[1])

    def merged(self, other: _Group) -> _Group:
        return _Group(
            self.n + other.n, self.total + other.total, self.outer + other.outer, self.chunks + other.chunks
        )


def _delta_bic(a: _Group, b: _Group, d: int) -> float:
    both = a.merged(b)
    penalty = BIC_PENALTY * 0.5 * (d + d * (d + 1) / 2) * np.log(both.n)
    return 0.5 * (both.n * both.logdet() - a.n * a.logdet() - b.n * b.logdet()) - penalty


def _chunks(frames: FrameFeatures) -> list[np.ndarray]:
    """Frame indices of the stretches of speech compared (speech runs cut into ~CHUNK_S pieces).

    Speech here is what Silero hears above the background, not the loudness-gated speech of the
    other measures: a second voice is often much quieter than the first (across the room, or on a call).
    """
    speech = (frames.vad_prob >= VAD_MIN) & (frames.level_db > frames.noise_floor_dbfs + ABOVE_NOISE_DB)
    gap = int(round(0.3 / HOP_S))
    runs: list[list[int]] = []
    for a, b in frame_runs(speech):
        if runs and a - runs[-1][1] <= gap:
            runs[-1][1] = b
        else:
            runs.append([a, b])
    total = int(speech.sum())
    chunk = max(int(CHUNK_S / HOP_S), total // MAX_CHUNKS + 1)
    out = []
    for a, b in runs:
        pieces = max(1, int(round((b - a) / chunk)))
        edges = np.linspace(a, b, pieces + 1).astype(int)
        for x, y in zip(edges, edges[1:], strict=False):
            idx = np.arange(x, y)[speech[x:y]]
            if len(idx) >= MIN_CHUNK_FRAMES:
                out.append(idx)
    return out


def detect_voices(audio: Audio, frames: FrameFeatures) -> Voices | None:
    """One voice or two; None when there is too little speech to tell (under ``MIN_SPEECH_S``)."""
    chunks = _chunks(frames)
    speech_s = sum(len(c) for c in chunks) * HOP_S
    if speech_s < MIN_SPEECH_S or len(chunks) < 2:
        return None
    cep = mfcc(audio.samples, len(frames)).astype(np.float64)
    used = np.concatenate(chunks)
    cep = cep - cep[used].mean(axis=0)  # the recording's channel, the same for every stretch
    d = cep.shape[1]
    groups = [_Group(len(c), cep[c].sum(axis=0), cep[c].T @ cep[c], [i]) for i, c in enumerate(chunks)]
    score, other = _two_groups(groups, d, min_frames=int(MIN_OTHER_S / HOP_S))
    small = other.chunks
    other_s = other.n * HOP_S
    two = score > SCORE_MIN and other_s >= MIN_OTHER_S
    spans = _spans([chunks[i] for i in sorted(small)]) if two else ()
    return Voices(
        count=2 if two else 1,
        score=round(score, 3),
        other=spans,
        speech_s=round(speech_s, 2),
        other_s=round(other_s, 2) if two else 0.0,
    )


def _two_groups(groups: list[_Group], d: int, *, min_frames: int) -> tuple[float, _Group]:
    """Merge groups until two are left: a group with less than ``min_frames`` of speech first, into
    the group most like it (a stray noisy stretch is no second voice), else the two most alike. The
    last two groups' BIC difference per frame, and the smaller of them."""
    alive = dict(enumerate(groups))
    cache: dict[tuple[int, int], float] = {}
    next_id = len(groups)

    def cost(a: int, b: int) -> float:
        key = (a, b) if a < b else (b, a)
        if key not in cache:
            cache[key] = _delta_bic(alive[a], alive[b], d)
        return cache[key]

    while len(alive) > 2:
        keys = sorted(alive)
        small = min(keys, key=lambda k: alive[k].n)
        if alive[small].n < min_frames:
            b = min((k for k in keys if k != small), key=lambda k: cost(small, k))
            a = small
        else:
            _, a, b = min((cost(a, b), a, b) for i, a in enumerate(keys) for b in keys[i + 1 :])
        alive[next_id] = alive.pop(a).merged(alive.pop(b))
        next_id += 1
    first, second = sorted(alive.values(), key=lambda g: -g.n)
    return _delta_bic(first, second, d) / (first.n + second.n), second


def _spans(chunks: list[np.ndarray]) -> tuple[Span, ...]:
    """The stretches of the second voice, neighbours joined (gaps under 1 s)."""
    out: list[list[float]] = []
    for c in chunks:
        start, end = float(c[0] * HOP_S), float((c[-1] + 1) * HOP_S)
        if out and start - out[-1][1] < 1.0:
            out[-1][1] = end
        else:
            out.append([start, end])
    return tuple(Span(round(a, 2), round(b, 2)) for a, b in out)


def voices_note(voices: Voices) -> str | None:
    """The report's note when the recording seems to hold two voices; None for one."""
    from ..text import clock

    if voices.count < 2:
        return None
    where = ", ".join(
        clock(s.start) if clock(s.start) == clock(s.end) else f"{clock(s.start)}-{clock(s.end)}"
        for s in voices.other[:4]
    )
    more = f" and {len(voices.other) - 4} more" if len(voices.other) > 4 else ""
    return (
        f"this recording seems to hold more than one voice: a second voice at {where}{more} "
        f"({voices.other_s:.0f} s of {voices.speech_s:.0f} s of speech), so the numbers mix both. To judge "
        "your answer alone, analyze its time range (--start/--end), or, for a stereo recording with one "
        "voice per channel, your channel (--channel). How this is told: stretches of speech are grouped "
        f"by the timbre of the voice (MFCCs, BIC clustering); {MEASURED_VOICES_ACCURACY}."
    )
