"""Decode a recording once (16 kHz mono float32, the one resampler: PyAV's) and check it can be judged."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .errors import AudioError
from .models import Audio
from .settings import SAMPLE_RATE_HZ, AnalysisSettings
from .text import clock_exact

if TYPE_CHECKING:
    import numpy as np

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


def _declared_s(path: Path) -> float | None:
    """The duration a file's header states as a fact, to tell a cut-off file: a WAV's data size, FLAC's
    STREAMINFO sample count, an MP3's Xing/Info/VBRI frame count. None where a format only estimates it
    (Ogg from its last page, an MP3 without such a frame from its bit rate): nothing to compare with."""
    declared = _wav_declared_s(path)
    if declared is not None or path.suffix.lower() == ".wav":
        return declared
    try:
        with open(path, "rb") as f:
            head = f.read(16384)
    except OSError:
        return None
    if head.startswith(b"ID3") and len(head) >= 10:  # skip an ID3v2 tag to the first MPEG frame
        size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)
        head = head[10 + size : 10 + size + 4096] if 10 + size < len(head) else b""
    exact = head.startswith(b"fLaC") or (
        len(head) > 2
        and head[0] == 0xFF
        and head[1] & 0xE0 == 0xE0
        and any(t in head[:2048] for t in (b"Xing", b"Info", b"VBRI"))
    )
    if not exact:
        return None
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = container.streams.audio[0]
            if stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
            return container.duration / 1_000_000 if container.duration else None
    except (av.error.FFmpegError, IndexError, OSError):
        return None


CHANNELS = {"left": 0, "right": 1, "1": 0, "2": 1}


def load_audio(
    path: Path | str,
    *,
    settings: AnalysisSettings | None = None,
    channel: str | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
) -> Audio:
    """Decode any common format (wav, flac, mp3, m4a, ogg, webm), mixing stereo down to mono.

    ``channel`` ("left"/"right" or "1"/"2"): only that channel of a stereo file (an interview recorded
    one voice per channel). ``start_s``/``end_s``: only that time range (seconds from the start; the
    result's times then count from ``start_s``). Raises AudioError naming the file for a missing,
    empty, unreadable or too-short recording, a mono file given a channel, or a range outside it.
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
    samples = _decode(str(path), name=str(path), channel=channel)
    full_s = samples.size / SAMPLE_RATE_HZ
    if start_s is not None or end_s is not None:
        a = max(start_s or 0.0, 0.0)
        b = full_s if end_s is None else min(end_s, full_s)
        if a >= full_s:
            start, length = clock_exact(a), clock_exact(math.floor(full_s * 10) / 10)  # never above a
            where = "at" if start == length else "after"
            raise AudioError(f"{path}: --start {start} is {where} the end of the recording ({length})")
        if b <= a:
            raise AudioError(f"{path}: --end {clock_exact(b)} is not after the start ({clock_exact(a)})")
        samples = samples[int(a * SAMPLE_RATE_HZ) : int(b * SAMPLE_RATE_HZ)]
    if samples.size == 0:
        raise AudioError(f"{path}: no audio in the file (truncated or not audio)")
    audio = Audio(path=str(path), samples=samples, sample_rate_hz=SAMPLE_RATE_HZ)
    declared_s = _declared_s(path)
    # Against everything decoded, not the --start/--end range: a range is not a truncation.
    if declared_s is not None and declared_s - full_s > TRUNCATION_TOLERANCE_S:
        audio = Audio(
            path=audio.path,
            samples=samples,
            sample_rate_hz=SAMPLE_RATE_HZ,
            warning=(
                f"{path}: truncated: its header promises {declared_s:.1f} s but only {full_s:.1f} s "
                "could be read; analyzing what is there"
            ),
        )
    if audio.duration_s < settings.min_duration_s:
        raise AudioError(
            f"{path}: too short to judge ({audio.duration_s:.1f} s; at least {settings.min_duration_s:g} s needed)"
        )
    return audio


def audio_from_pcm(pcm: np.ndarray, sample_rate_hz: int, *, name: str) -> Audio:
    """16-bit samples of shape (frames,) or (frames, channels) at any rate, as a 16 kHz mono ``Audio``.

    Goes through the same decoder and resampler as a file, so a microphone check and a saved
    recording are measured alike.
    """
    import wave

    import numpy as np

    data = np.ascontiguousarray(pcm, dtype="<i2")
    channels = 1 if data.ndim == 1 else data.shape[1]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(int(sample_rate_hz))
        w.writeframes(data.tobytes())
    buffer.seek(0)
    return Audio(path=name, samples=_decode(buffer, name=name), sample_rate_hz=SAMPLE_RATE_HZ)


def write_wav(audio: Audio, path: Path) -> Path:
    """Write ``audio`` as a 16-bit PCM WAV at its own rate; returns ``path``."""
    import numpy as np
    import soundfile as sf

    try:
        sf.write(str(path), np.clip(audio.samples, -1.0, 1.0), audio.sample_rate_hz, subtype="PCM_16")
    except (OSError, sf.LibsndfileError) as exc:
        raise AudioError(f"{path}: cannot write: {exc}") from exc
    return path


def _decode(source: str | BinaryIO, *, name: str, channel: str | None = None) -> np.ndarray:
    """PyAV (through faster-whisper) decodes, mixes to mono (or keeps ``channel``) and resamples to
    16 kHz: float32, shape (n,)."""
    import av
    from faster_whisper import decode_audio

    try:
        with av.open(source, metadata_errors="ignore") as container:
            streams = container.streams.audio
            has_audio = bool(streams)
            channels = streams[0].codec_context.channels if has_audio else 0
        if not has_audio:
            raise AudioError(f"{name}: not a readable audio file (no audio stream in it)")
        if not isinstance(source, str):
            source.seek(0)
        if channel is not None:
            if channel.lower() not in CHANNELS:
                raise AudioError(f"{name}: no channel '{channel}'; choose left or right (1 or 2)")
            if channels != 2:
                raise AudioError(
                    f"{name}: has {channels} channel{'s' if channels != 1 else ''}; --channel needs a stereo file"
                )
            left, right = decode_audio(source, sampling_rate=SAMPLE_RATE_HZ, split_stereo=True)
            return left if CHANNELS[channel.lower()] == 0 else right
        return decode_audio(source, sampling_rate=SAMPLE_RATE_HZ)
    except PermissionError as exc:
        raise AudioError(f"{name}: cannot read: permission denied") from exc
    except av.error.FFmpegError as exc:  # every error PyAV raises for corrupt or non-audio input
        reason = getattr(exc, "strerror", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
        raise AudioError(f"{name}: not a readable audio file ({reason.strip().rstrip('.').lower()})") from exc
