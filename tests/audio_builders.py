"""Answers built in code from real clips, with ground truth known by construction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SR = 16_000


@dataclass(frozen=True)
class Built:
    path: Path
    pauses: list[tuple[float, float]]  # inserted silences between spoken parts, seconds
    first_word_s: float
    last_word_s: float
    n_words: int


MARGIN_S = 0.0  # quiet of the clip's own kept either side of its speech
FADE_S = 0.005  # fade in and out, so the cut is not a click


@dataclass(frozen=True, eq=False)
class Clip:
    samples: np.ndarray
    n_words: int
    lead_s: float  # quiet before the speech inside ``samples``
    tail_s: float  # quiet after it


def trimmed(path: Path, n_words: int, *, between_s: tuple[float, float] | None = None) -> Clip:
    """A clip at 16 kHz cut to its speech (librosa.effects.trim, 35 dB) plus ``MARGIN_S`` of its own quiet.

    ``between_s`` first cuts the recording to that stretch (from its forced-alignment word times).
    """
    import librosa
    from faster_whisper import decode_audio

    y = decode_audio(str(path), sampling_rate=SR)
    if between_s is not None:
        y = y[int(between_s[0] * SR) : int(between_s[1] * SR)]
    _, (a, b) = librosa.effects.trim(y, top_db=35, frame_length=400, hop_length=80)
    margin = int(MARGIN_S * SR)
    a0, b0 = max(0, a - margin), min(len(y), b + margin)
    clip = y[a0:b0].copy()
    ramp = np.linspace(0.0, 1.0, int(FADE_S * SR), dtype=np.float32)
    clip[: len(ramp)] *= ramp
    clip[-len(ramp) :] *= ramp[::-1]
    return Clip(clip, n_words, (a - a0) / SR, (b0 - b) / SR)


ROOM_TONE_DBFS = -65.0  # quiet room noise in the silences: real recordings are never digitally silent


def room_tone(n: int, *, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (10 ** (ROOM_TONE_DBFS / 20) * rng.standard_normal(n)).astype(np.float32)


def join(
    parts: list[Clip], silences_s: list[float], out: Path, *, lead_s: float = 1.0, tail_s: float = 1.0
) -> Built:
    """``parts`` joined by silences (room tone) of ``silences_s``, plus each clip's own quiet margins."""
    import soundfile as sf

    chunks = [room_tone(int(lead_s * SR), seed=0)]
    t = lead_s
    speech: list[tuple[float, float]] = []
    for k, clip in enumerate(parts):
        chunks.append(clip.samples.astype(np.float32))
        speech.append((t + clip.lead_s, t + len(clip.samples) / SR - clip.tail_s))
        t += len(clip.samples) / SR
        if k < len(silences_s):
            n = int(silences_s[k] * SR)
            chunks.append(room_tone(n, seed=k + 1))
            t += n / SR
    chunks.append(room_tone(int(tail_s * SR), seed=99))
    sf.write(out, np.concatenate(chunks), SR, subtype="PCM_16")
    pauses = [(a[1], b[0]) for a, b in zip(speech, speech[1:], strict=False)]
    return Built(
        path=out,
        pauses=pauses,
        first_word_s=speech[0][0],
        last_word_s=speech[-1][1],
        n_words=sum(c.n_words for c in parts),
    )
