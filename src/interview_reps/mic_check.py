"""Is the microphone good enough? A few seconds recorded in memory, measured like every rep's audio check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from .devices import InputDevice, choose_format, find_device
from .errors import AudioError, DeviceError
from .models import Audio, Quality
from .record import CaptureOptions, LevelUpdate, capture
from .settings import AnalysisSettings

_NO_SOUND_DBFS = -60.0  # a peak this low in 3 s: the microphone is muted or unplugged


@dataclass(frozen=True)
class MicCheck:
    device: InputDevice
    sample_rate_hz: int
    duration_s: float
    quality: Quality


def measure_quality(audio: Audio, *, settings: AnalysisSettings | None = None) -> Quality:
    """Level, noise and clipping of a decoded recording.

    The same check as every rep's report (``analyze.voice.check_quality``: speech found by Silero and
    energy, thresholds in AnalysisSettings), so mic-check and the report never disagree; plus "no
    sound" for a muted or unplugged microphone.
    """
    from .analyze.frames import detect_speech
    from .analyze.voice import check_quality

    settings = settings or AnalysisSettings()
    if audio.samples.size == 0:
        raise AudioError("no audio was captured")
    quality = check_quality(audio, detect_speech(audio, settings=settings), settings=settings)
    if quality.peak_dbfs <= _NO_SOUND_DBFS:
        no_sound = f"no sound (peak {quality.peak_dbfs:.0f} dBFS): is the microphone muted or unplugged?"
        return replace(quality, problems=(no_sound,))
    return quality


def mic_check(
    *,
    device: InputDevice | str | int | None = None,
    seconds: float = 3.0,
    on_level: Callable[[LevelUpdate], None] | None = None,
) -> MicCheck:
    """Record ``seconds`` from the microphone (in memory) and measure level, noise and clipping."""
    import numpy as np

    from .audio import audio_from_pcm

    chosen = device if isinstance(device, InputDevice) else find_device(device)
    rate, channels = choose_format(chosen)
    blocks: list[np.ndarray] = []
    frames, _ = capture(
        blocks.append, CaptureOptions(chosen, rate, channels, max_s=seconds), on_level=on_level
    )
    if not frames:
        raise DeviceError(f"the microphone {chosen.name!r} delivered no audio")
    audio = audio_from_pcm(np.concatenate(blocks), rate, name="<microphone>")
    return MicCheck(chosen, rate, frames / rate, measure_quality(audio))
