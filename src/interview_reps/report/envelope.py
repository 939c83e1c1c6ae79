"""What the HTML report draws and plays of the audio itself: a loudness envelope, and the audio as a data URI."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Audio

# One envelope point per 50 ms: a syllable lasts ~150-250 ms, so each stays visible, and a 2-minute
# answer is 2,400 points before thinning (product choice).
ENVELOPE_STEP_S = 0.05
# At most this many points in the page: more than a 1280 px timeline can show (longer answers are
# thinned by taking each group's loudest frame, so no burst disappears).
ENVELOPE_MAX_POINTS = 1200
# The envelope spans the loudest frame down to this many dB below it; quieter frames sit on the axis
# (the speech-to-noise range of a usable recording is 15-40 dB, settings.AnalysisSettings).
ENVELOPE_RANGE_DB = 50.0


@dataclass(frozen=True)
class Envelope:
    """Loudness over the recording: ``levels`` in [0, 1] (0: ``range_db`` or more below the loudest frame),
    one per ``step_s`` seconds from the start."""

    step_s: float
    levels: tuple[float, ...]
    peak_dbfs: float

    @property
    def duration_s(self) -> float:
        return self.step_s * len(self.levels)


def loudness_envelope(
    audio: Audio,
    *,
    step_s: float = ENVELOPE_STEP_S,
    max_points: int = ENVELOPE_MAX_POINTS,
    range_db: float = ENVELOPE_RANGE_DB,
) -> Envelope:
    """RMS level of each ``step_s`` frame of ``audio`` (dBFS), scaled to [0, 1] over ``range_db``."""
    import numpy as np

    hop = max(1, int(round(step_s * audio.sample_rate_hz)))
    samples = np.asarray(audio.samples, dtype=np.float64)
    frames = len(samples) // hop
    if frames == 0:
        return Envelope(step_s, (), -120.0)
    rms = np.sqrt(np.mean(samples[: frames * hop].reshape(frames, hop) ** 2, axis=1))
    group = int(np.ceil(frames / max_points))
    if group > 1:
        pad = (-frames) % group
        rms = np.concatenate([rms, np.zeros(pad)]).reshape(-1, group).max(axis=1)
    db = 20 * np.log10(np.maximum(rms, 1e-6))
    peak = float(db.max())
    levels = np.clip((db - (peak - range_db)) / range_db, 0.0, 1.0)
    return Envelope(hop * group / audio.sample_rate_hz, tuple(round(float(v), 3) for v in levels), peak)


def wav_data_uri(audio: Audio) -> str:
    """``audio`` as a 16-bit PCM WAV in a ``data:`` URI, to embed in a page that must carry its own sound.

    About 43 kB per second at 16 kHz (base64 of 32 kB/s).
    """
    import wave

    import numpy as np

    pcm = (np.clip(np.asarray(audio.samples), -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(audio.sample_rate_hz))
        w.writeframes(pcm.tobytes())
    return "data:audio/wav;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
