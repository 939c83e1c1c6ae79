"""Microphone capture: devices, a WAV streamed to disk block by block, header repair, mic check."""

from __future__ import annotations

import contextlib
import math
import os
import queue
import signal
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import AudioError, DeviceError
from .models import Quality
from .settings import SAMPLE_RATE_HZ, AnalysisSettings, reps_home

if TYPE_CHECKING:
    import numpy as np

PORTAUDIO_MISSING = (
    "PortAudio is not installed, so the microphone cannot be used: install it with "
    "'sudo apt-get install libportaudio2' (Debian/Ubuntu), 'sudo dnf install portaudio' (Fedora) "
    "or 'brew install portaudio' (macOS)"
)
NO_MICROPHONE = (
    "no microphone found: plug one in (or enable it in the system sound settings), "
    "then check with 'reps devices'"
)

StopReason = Literal["user", "max", "silence", "interrupt"]

_WAV_HEADER_BYTES = 44
_SILENT_DBFS = -100.0  # floor for levels, so digital silence is a number, not -inf
_STOP_SILENCE_ABOVE_NOISE_DB = 3.0  # --stop-on-silence: a 100 ms block this close to the floor is silent
_NO_SOUND_DBFS = -60.0  # a peak this low in 3 s: the microphone is muted or unplugged
_BLOCKS_PER_S = 10  # 100 ms blocks: a smooth meter, and the header is rewritten ten times a second


# --- PortAudio -------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet_c_stderr() -> Iterator[None]:
    """Silence C-level stderr (ALSA prints probe noise while PortAudio starts); Python's is untouched."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _sounddevice() -> Any:
    """Import sounddevice (which starts PortAudio); a missing PortAudio becomes a DeviceError."""
    try:
        with _quiet_c_stderr():
            import sounddevice
    except OSError as exc:  # sounddevice raises OSError when libportaudio is absent
        raise DeviceError(PORTAUDIO_MISSING) from exc
    return sounddevice


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --- devices ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputDevice:
    """One capture device as PortAudio sees it."""

    index: int
    name: str
    channels: int  # maximum input channels
    default_rate_hz: float
    host_api: str = ""
    is_default: bool = False


def list_input_devices() -> list[InputDevice]:
    """Every device with at least one input channel, in PortAudio's order."""
    sd = _sounddevice()
    try:
        with _quiet_c_stderr():
            devices = sd.query_devices()
            host_apis = sd.query_hostapis()
    except sd.PortAudioError as exc:
        raise DeviceError(f"cannot list the sound devices: {_one_line(exc)}") from exc
    default_index = _default_input_index(sd)
    found = []
    for info in devices:
        if info["max_input_channels"] < 1:
            continue
        host = host_apis[info["hostapi"]]["name"] if 0 <= info["hostapi"] < len(host_apis) else ""
        found.append(
            InputDevice(
                index=int(info["index"]),
                name=str(info["name"]),
                channels=int(info["max_input_channels"]),
                default_rate_hz=float(info["default_samplerate"]),
                host_api=str(host),
                is_default=int(info["index"]) == default_index,
            )
        )
    return found


def _default_input_index(sd: Any) -> int:
    try:
        index = sd.default.device[0]
        if index is None or int(index) < 0:
            with _quiet_c_stderr():
                index = sd.query_devices(kind="input")["index"]
        return int(index)
    except (sd.PortAudioError, ValueError, TypeError, KeyError):
        return -1


def find_device(spec: str | int | None = None) -> InputDevice:
    """The input device for ``--device``: None for the default, an index, or part of a name."""
    devices = list_input_devices()
    if not devices:
        raise DeviceError(NO_MICROPHONE)
    if spec is None or str(spec).strip() == "":
        return next((d for d in devices if d.is_default), devices[0])
    text = str(spec).strip()
    if text.isdigit():
        for device in devices:
            if device.index == int(text):
                return device
        raise DeviceError(f"no input device with index {text}; 'reps devices' lists them")
    matches = [d for d in devices if text.lower() in d.name.lower()]
    exact = [d for d in matches if d.name.lower() == text.lower()]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    if not matches:
        raise DeviceError(f"no input device matches {text!r}; 'reps devices' lists them")
    names = ", ".join(f"{d.index} {d.name!r}" for d in matches)
    raise DeviceError(f"{text!r} matches several input devices ({names}); give the index instead")


def choose_format(device: InputDevice, *, sample_rate_hz: int | None = None) -> tuple[int, int]:
    """(sample rate in Hz, channels) to record from ``device``.

    16 kHz mono when the device accepts it, else the device's default rate; ``sample_rate_hz``
    forces a rate. Mono is preferred; a device that refuses mono is recorded with 2 channels.
    """
    sd = _sounddevice()
    rates = [sample_rate_hz] if sample_rate_hz else [SAMPLE_RATE_HZ, round(device.default_rate_hz)]
    channel_options = [1] if device.channels < 2 else [1, 2]
    last_error: Exception | None = None
    for rate in dict.fromkeys(rates):
        for channels in channel_options:
            try:
                with _quiet_c_stderr():
                    sd.check_input_settings(
                        device=device.index, channels=channels, dtype="int16", samplerate=rate
                    )
                return int(rate), channels
            except (sd.PortAudioError, ValueError) as exc:
                last_error = exc
    reason = _one_line(last_error) if last_error else "unsupported format"
    raise DeviceError(f"the microphone {device.name!r} cannot record 16-bit audio at {rates[0]} Hz: {reason}")


# --- the streamed WAV file -------------------------------------------------------------------


def _wav_header(*, sample_rate_hz: int, channels: int, data_bytes: int) -> bytes:
    block_align = 2 * channels
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack(
            "<IHHIIHH", 16, 1, channels, sample_rate_hz, sample_rate_hz * block_align, block_align, 16
        )
        + b"data"
        + struct.pack("<I", data_bytes)
    )


class WavStreamWriter:
    """A 16-bit PCM WAV file that is valid at every moment while it grows.

    Each block is appended, then the RIFF and data sizes in the header are rewritten and the file
    flushed to the operating system: if the process dies, everything written so far is playable.
    The header never claims more data than is in the file (data first, sizes second).
    """

    def __init__(self, path: Path | str, *, sample_rate_hz: int, channels: int = 1) -> None:
        self.path = Path(path)
        self.sample_rate_hz = int(sample_rate_hz)
        self.channels = int(channels)
        self.frames = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "xb")  # noqa: SIM115 - closed in close()
        self._file.write(
            _wav_header(sample_rate_hz=self.sample_rate_hz, channels=self.channels, data_bytes=0)
        )
        self._file.flush()

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate_hz

    def write(self, block: np.ndarray) -> None:
        """Append int16 samples, shape (frames,) or (frames, channels), and update the header."""
        import numpy as np

        data = np.ascontiguousarray(block, dtype="<i2")
        if data.ndim == 1:
            data = data[:, None]
        if data.shape[1] != self.channels:
            raise ValueError(f"block has {data.shape[1]} channels, the file {self.channels}")
        f = self._file
        f.seek(0, os.SEEK_END)
        f.write(data.tobytes())
        self.frames += data.shape[0]
        self._write_sizes(self.frames * 2 * self.channels)

    def _write_sizes(self, data_bytes: int) -> None:
        f = self._file
        f.seek(4)
        f.write(struct.pack("<I", 36 + data_bytes))
        f.seek(40)
        f.write(struct.pack("<I", data_bytes))
        f.seek(0, os.SEEK_END)
        f.flush()

    def close(self) -> None:
        """Final header from the real file length, then flush to disk."""
        f = self._file
        if f.closed:
            return
        try:
            f.flush()
            size = os.fstat(f.fileno()).st_size
            frame_bytes = 2 * self.channels
            data_bytes = (size - _WAV_HEADER_BYTES) // frame_bytes * frame_bytes
            f.truncate(_WAV_HEADER_BYTES + data_bytes)
            self.frames = data_bytes // frame_bytes
            self._write_sizes(data_bytes)
            os.fsync(f.fileno())
        finally:
            f.close()

    def __enter__(self) -> WavStreamWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass(frozen=True)
class WavRepair:
    path: Path
    duration_s: float
    repaired: bool  # the header sizes disagreed with the file and were fixed


def repair_wav(path: Path | str) -> WavRepair:
    """Make a WAV's RIFF and data sizes agree with the file's length (after a crash or a cut write).

    The data chunk is taken to run to the end of the file; a trailing partial frame is cut off.
    Raises AudioError if the file is not a PCM WAV at all (e.g. the header itself is incomplete).
    """
    path = Path(path)
    try:
        with open(path, "r+b") as f:
            size = os.fstat(f.fileno()).st_size
            head = f.read(min(size, 4096))
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                raise AudioError(f"{path}: not a WAV file (incomplete header)")
            riff_size = struct.unpack_from("<I", head, 4)[0]
            pos, block_align, rate, data_at = 12, 0, 0, -1
            while pos + 8 <= len(head):
                chunk_id, chunk_size = head[pos : pos + 4], struct.unpack_from("<I", head, pos + 4)[0]
                if chunk_id == b"fmt " and pos + 8 + 16 <= len(head):
                    _, _, rate, _, block_align, _ = struct.unpack_from("<HHIIHH", head, pos + 8)
                if chunk_id == b"data":
                    data_at = pos + 8
                    break
                pos += 8 + chunk_size + (chunk_size & 1)
            if data_at < 0 or not block_align or not rate:
                raise AudioError(f"{path}: not a WAV file (no format or data chunk)")
            data_size = struct.unpack_from("<I", head, data_at - 4)[0]
            actual = (size - data_at) // block_align * block_align
            if riff_size + 8 == size and data_size <= actual:
                return WavRepair(path, data_size / block_align / rate, repaired=False)
            f.truncate(data_at + actual)
            f.seek(4)
            f.write(struct.pack("<I", data_at + actual - 8))
            f.seek(data_at - 4)
            f.write(struct.pack("<I", actual))
            f.flush()
            os.fsync(f.fileno())
            return WavRepair(path, actual / block_align / rate, repaired=True)
    except OSError as exc:
        raise AudioError(f"{path}: cannot repair: {exc.strerror or exc}") from exc


def recordings_dir(home: Path | None = None) -> Path:
    return (home if home is not None else reps_home()) / "recordings"


def new_recording_path(home: Path | None = None, *, now: datetime | None = None) -> Path:
    """``REPS_HOME/recordings/<UTC timestamp>.wav``, never an existing file."""
    folder = recordings_dir(home)
    stamp = f"{(now or datetime.now(timezone.utc)).astimezone(timezone.utc):%Y%m%d-%H%M%S}"
    path, n = folder / f"{stamp}.wav", 1
    while path.exists():
        n += 1
        path = folder / f"{stamp}-{n}.wav"
    return path


def repair_recordings(home: Path | None = None, *, min_age_s: float = 10.0) -> list[WavRepair]:
    """Every recording left in ``recordings/`` (an answer not yet saved as a rep), headers fixed.

    Files changed less than ``min_age_s`` ago are left alone: another ``reps`` may be recording
    into them (the writer touches its file ten times a second). Resampled copies (``*.16k.wav``)
    are left out; files that cannot be repaired are skipped.
    """
    folder = recordings_dir(home)
    if not folder.is_dir():
        return []
    found = []
    now = time.time()
    for path in sorted(folder.glob("*.wav")):
        if path.name.endswith(".16k.wav"):
            continue
        try:
            if now - path.stat().st_mtime < min_age_s:
                continue
        except OSError:
            continue
        with contextlib.suppress(AudioError):
            found.append(repair_wav(path))
    return found


def resample_for_analysis(path: Path, *, target_rate_hz: int = SAMPLE_RATE_HZ) -> Path:
    """A 16 kHz mono copy of ``path`` next to it (``<stem>.16k.wav``); the original is kept.

    Returns ``path`` itself when it already is 16 kHz mono.
    """
    import numpy as np
    import soundfile as sf

    info = sf.info(str(path))
    if info.samplerate == target_rate_hz and info.channels == 1:
        return path
    samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if rate != target_rate_hz:
        import soxr

        mono = soxr.resample(mono, rate, target_rate_hz, quality="HQ")
    out = path.with_name(f"{path.stem}.16k.wav")
    sf.write(str(out), np.clip(mono, -1.0, 1.0), target_rate_hz, subtype="PCM_16")
    return out


# --- capture ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelUpdate:
    """What the meter shows after each block."""

    elapsed_s: float  # audio captured so far (frames / rate, not wall-clock time)
    level_dbfs: float  # RMS level of the latest block
    peak_dbfs: float  # peak of the latest block
    silence_s: float  # trailing silence after speech, for --stop-on-silence


@dataclass(frozen=True)
class Recording:
    path: Path | None  # the WAV on disk (None for an in-memory capture)
    sample_rate_hz: int
    channels: int
    frames: int
    stopped_by: StopReason
    device: InputDevice

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate_hz


def _level_dbfs(block: np.ndarray) -> tuple[float, float]:
    """(RMS, peak) of int16 samples in dBFS, floored at -100."""
    import numpy as np

    x = block.astype(np.float32) / 32768.0
    rms = float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    to_db = lambda v: max(_SILENT_DBFS, 20.0 * math.log10(v)) if v > 0 else _SILENT_DBFS  # noqa: E731
    return to_db(rms), to_db(peak)


class _SilenceTracker:
    """Trailing silence after speech, for ``--stop-on-silence``.

    A block is silent below noise + fraction x (speech - noise) (the analysis's rule, AnalysisSettings)
    and within 3 dB of the noise floor, the noise floor and speech level being percentiles of the
    block levels so far.
    Silence counts only once speech has been heard (speech at least min_snr_db above the noise).
    """

    def __init__(self, settings: AnalysisSettings) -> None:
        self.fraction = getattr(settings, "energy_threshold_fraction", 0.2)
        self.noise_pct = getattr(settings, "noise_floor_percentile", 10.0)
        self.speech_pct = getattr(settings, "speech_level_percentile", 95.0)
        self.min_speech_above_noise_db = settings.min_snr_db
        self.levels: list[float] = []
        self.heard_speech = False
        self.silence_s = 0.0

    def update(self, level_db: float, block_s: float) -> float:
        import numpy as np

        self.levels.append(level_db)
        noise_db, speech_db = np.percentile(self.levels, [self.noise_pct, self.speech_pct])
        if speech_db - noise_db >= self.min_speech_above_noise_db:
            self.heard_speech = True
        # Ending a recording is costlier than measuring a pause: soft speech (a quiet voice 15 dB under
        # its loudest words) must not count, so only blocks near the noise floor are silent.
        threshold = min(
            noise_db + self.fraction * (speech_db - noise_db), noise_db + _STOP_SILENCE_ABOVE_NOISE_DB
        )
        if self.heard_speech and level_db < threshold:
            self.silence_s += block_s
        else:
            self.silence_s = 0.0
        return self.silence_s


@contextlib.contextmanager
def _sigint_sets(flag: threading.Event) -> Iterator[None]:
    """While recording, Ctrl-C sets ``flag`` instead of raising, so no block is half-written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: flag.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def capture(
    sink: Callable[[np.ndarray], None],
    *,
    device: InputDevice,
    sample_rate_hz: int,
    channels: int = 1,
    max_s: float,
    stop_on_silence_s: float | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_level: Callable[[LevelUpdate], None] | None = None,
    settings: AnalysisSettings | None = None,
) -> tuple[int, StopReason]:
    """Record int16 blocks of shape (frames, channels) from ``device`` into ``sink``.

    Stops at ``max_s`` seconds of audio (counted in frames, not wall-clock time), when
    ``should_stop()`` turns true, after ``stop_on_silence_s`` of silence following speech, or on
    Ctrl-C (which only stops; it does not raise). Returns (frames captured, why it stopped).
    """
    sd = _sounddevice()
    settings = settings or AnalysisSettings()
    max_frames = max(1, round(max_s * sample_rate_hz))
    block_frames = max(1, sample_rate_hz // _BLOCKS_PER_S)
    blocks: queue.Queue[np.ndarray] = queue.Queue()
    finished = threading.Event()
    interrupted = threading.Event()
    captured = 0  # frames handed over by the callback (the audio thread's count)

    def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        nonlocal captured
        block = indata[: max_frames - captured].copy()
        captured += len(block)
        if len(block):
            blocks.put(block)
        if captured >= max_frames:
            raise sd.CallbackStop

    tracker = _SilenceTracker(settings)
    written = 0
    reason: StopReason = "max"
    try:
        with _quiet_c_stderr():
            stream = sd.InputStream(
                device=device.index,
                samplerate=sample_rate_hz,
                channels=channels,
                dtype="int16",
                blocksize=block_frames,
                callback=callback,
                finished_callback=finished.set,
            )
            stream.start()
    except (sd.PortAudioError, ValueError) as exc:
        raise DeviceError(f"cannot open the microphone {device.name!r}: {_one_line(exc)}") from exc
    try:
        with _sigint_sets(interrupted):
            while True:
                if interrupted.is_set():
                    reason = "interrupt"
                    break
                if should_stop is not None and should_stop():
                    reason = "user"
                    break
                try:
                    block = blocks.get(timeout=0.05)
                except queue.Empty:
                    if finished.is_set() and blocks.empty():
                        break
                    continue
                sink(block)
                written += len(block)
                level, peak = _level_dbfs(block)
                silence_s = tracker.update(level, len(block) / sample_rate_hz)
                if on_level is not None:
                    on_level(LevelUpdate(written / sample_rate_hz, level, peak, silence_s))
                if stop_on_silence_s is not None and silence_s >= stop_on_silence_s:
                    reason = "silence"
                    break
    finally:
        stream.abort()  # sounddevice ignores errors here by default
        stream.close()
    if reason in ("user", "interrupt"):
        # what was said up to the key press is already in the queue: keep it
        while written < max_frames:
            try:
                block = blocks.get_nowait()
            except queue.Empty:
                break
            sink(block)
            written += len(block)
    return written, reason


def record_to_wav(
    path: Path,
    *,
    device: InputDevice,
    sample_rate_hz: int,
    channels: int = 1,
    max_s: float,
    stop_on_silence_s: float | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_level: Callable[[LevelUpdate], None] | None = None,
) -> Recording:
    """Record into a WAV at ``path`` that is valid on disk after every 100 ms block.

    If the microphone cannot be opened, no file is left behind.
    """
    writer = WavStreamWriter(path, sample_rate_hz=sample_rate_hz, channels=channels)
    try:
        _, reason = capture(
            writer.write,
            device=device,
            sample_rate_hz=sample_rate_hz,
            channels=channels,
            max_s=max_s,
            stop_on_silence_s=stop_on_silence_s,
            should_stop=should_stop,
            on_level=on_level,
        )
    except BaseException:
        writer.close()
        if writer.frames == 0:
            path.unlink(missing_ok=True)
        raise
    writer.close()
    return Recording(path, sample_rate_hz, channels, writer.frames, reason, device)


# --- mic check -------------------------------------------------------------------------------


def measure_quality(
    samples: np.ndarray, sample_rate_hz: int, *, settings: AnalysisSettings | None = None
) -> Quality:
    """Level, noise and clipping of mono float samples in [-1, 1], shape (n,).

    The same check as every rep's report (``analyze.voice.check_quality``: speech found by Silero and
    energy, thresholds in AnalysisSettings), so mic-check and the report never disagree; plus "no
    sound" for a muted or unplugged microphone.
    """
    import numpy as np

    from .analyze.speech import detect_speech
    from .analyze.voice import check_quality
    from .models import Audio

    settings = settings or AnalysisSettings()
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    if x.size == 0:
        raise AudioError("no audio was captured")
    if sample_rate_hz != SAMPLE_RATE_HZ:
        import soxr

        x = soxr.resample(x, sample_rate_hz, SAMPLE_RATE_HZ, quality="HQ").astype(np.float32)
    audio = Audio(path="<microphone>", samples=x, sample_rate_hz=SAMPLE_RATE_HZ)
    quality = check_quality(audio, detect_speech(audio, settings=settings), settings=settings)
    if quality.peak_dbfs <= _NO_SOUND_DBFS:
        no_sound = f"no sound (peak {quality.peak_dbfs:.0f} dBFS): is the microphone muted or unplugged?"
        return replace(quality, problems=(no_sound,))
    return quality


@dataclass(frozen=True)
class MicCheck:
    device: InputDevice
    sample_rate_hz: int
    duration_s: float
    quality: Quality


def mic_check(
    *,
    device: InputDevice | str | int | None = None,
    seconds: float = 3.0,
    on_level: Callable[[LevelUpdate], None] | None = None,
) -> MicCheck:
    """Record ``seconds`` from the microphone (in memory) and measure level, noise and clipping."""
    import numpy as np

    chosen = device if isinstance(device, InputDevice) else find_device(device)
    rate, channels = choose_format(chosen)
    blocks: list[np.ndarray] = []
    frames, _ = capture(
        blocks.append, device=chosen, sample_rate_hz=rate, channels=channels, max_s=seconds, on_level=on_level
    )
    if not frames:
        raise DeviceError(f"the microphone {chosen.name!r} delivered no audio")
    samples = np.concatenate(blocks).astype(np.float32).mean(axis=1) / 32768.0
    return MicCheck(chosen, rate, frames / rate, measure_quality(samples, rate))
