"""Decode a recording once (16 kHz mono float32) and check it can be judged."""

from __future__ import annotations

from pathlib import Path

from .errors import AudioError
from .models import Audio
from .settings import SAMPLE_RATE_HZ, AnalysisSettings

TRUNCATION_TOLERANCE_S = 0.5  # a WAV this much shorter than its header says was cut off


def _wav_declared_s(path: Path) -> float | None:
    """The duration a PCM WAV's header declares (the decoder silently reads what is there); None if unknown."""
    if path.suffix.lower() != ".wav":
        return None
    import wave

    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / w.getframerate()
    except (wave.Error, EOFError, OSError, ZeroDivisionError):
        return None


def load_audio(path: Path | str, *, settings: AnalysisSettings | None = None) -> Audio:
    """Decode any common format (wav, flac, mp3, m4a, ogg, webm), mixing stereo down to mono.

    Raises AudioError naming the file for a missing, empty, unreadable or too-short recording.
    """
    settings = settings or AnalysisSettings()
    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not a recording")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AudioError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if size == 0:
        raise AudioError(f"{path}: empty file")

    from faster_whisper import decode_audio

    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE_HZ)
    except PermissionError as exc:
        raise AudioError(f"{path}: cannot read: permission denied") from exc
    except Exception as exc:  # PyAV raises many types for corrupt or non-audio input
        reason = getattr(exc, "strerror", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
        raise AudioError(f"{path}: not a readable audio file ({reason.strip().rstrip('.').lower()})") from exc
    if samples.size == 0:
        raise AudioError(f"{path}: no audio in the file (truncated or not audio)")
    audio = Audio(path=str(path), samples=samples, sample_rate_hz=SAMPLE_RATE_HZ)
    declared_s = _wav_declared_s(path)
    if declared_s is not None and declared_s - audio.duration_s > TRUNCATION_TOLERANCE_S:
        audio = Audio(
            path=audio.path,
            samples=samples,
            sample_rate_hz=SAMPLE_RATE_HZ,
            warning=(
                f"{path}: truncated: its header promises {declared_s:.1f} s but only {audio.duration_s:.1f} s "
                "could be read; analyzing what is there"
            ),
        )
    if audio.duration_s < settings.min_duration_s:
        raise AudioError(
            f"{path}: too short to judge ({audio.duration_s:.1f} s; at least {settings.min_duration_s:g} s needed)"
        )
    return audio
