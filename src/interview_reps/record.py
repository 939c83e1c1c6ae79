"""Microphone capture: 100 ms blocks from PortAudio into a sink (a growing WAV, or memory), with live levels."""

from __future__ import annotations

import contextlib
import math
import queue
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import files
from .devices import InputDevice, choose_format, find_device, load_sounddevice, one_line, quiet_c_stderr
from .errors import DeviceError
from .settings import AnalysisSettings
from .wavfile import WavStreamWriter

if TYPE_CHECKING:
    import numpy as np

# interrupt: Ctrl-C; terminated: SIGTERM (the system shutting down, a supervisor); error: the file could
# not take more (a full disk), and what it holds is kept.
StopReason = Literal["user", "max", "silence", "interrupt", "terminated", "error"]

_SILENT_DBFS = -100.0  # floor for levels, so digital silence is a number, not -inf
_STOP_SILENCE_ABOVE_NOISE_DB = 3.0  # --stop-on-silence: a 100 ms block this close to the floor is silent
_BLOCKS_PER_S = 10  # 100 ms blocks: a smooth meter, and the header is rewritten ten times a second


@dataclass(frozen=True)
class LevelUpdate:
    """What the meter shows after each block."""

    elapsed_s: float  # audio captured so far (frames / rate, not wall-clock time)
    level_dbfs: float  # RMS level of the latest block
    peak_dbfs: float  # peak of the latest block
    silence_s: float  # trailing silence after speech, for --stop-on-silence


@dataclass(frozen=True)
class CaptureOptions:
    """What to record from and when to stop; ``capture_options`` picks the device and format."""

    device: InputDevice
    sample_rate_hz: int
    channels: int = 1
    max_s: float = 300.0  # stop after this much audio (counted in frames, not wall-clock time)
    stop_on_silence_s: float | None = None  # stop after this much silence once speech was heard


def capture_options(
    device: str | int | None = None,
    *,
    sample_rate_hz: int | None = None,
    max_s: float,
    stop_on_silence_s: float | None = None,
) -> CaptureOptions:
    """Options for ``--device`` (None: the default input) and ``--sample-rate`` (None: 16 kHz if the
    device takes it, else its own rate); raises DeviceError naming the problem."""
    chosen = find_device(device)
    rate, channels = choose_format(chosen, sample_rate_hz=sample_rate_hz)
    return CaptureOptions(chosen, rate, channels, max_s=max_s, stop_on_silence_s=stop_on_silence_s)


@dataclass(frozen=True)
class Recording:
    path: Path | None  # the WAV on disk (None for an in-memory capture)
    sample_rate_hz: int
    channels: int
    frames: int
    stopped_by: StopReason
    device: InputDevice
    problem: str | None = None  # why it stopped early (stopped_by "error"), in one line

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
        self.fraction = settings.energy_threshold_fraction
        self.noise_pct = settings.noise_floor_percentile
        self.speech_pct = settings.speech_level_percentile
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
def _signals_set(interrupted: threading.Event, terminated: threading.Event) -> Iterator[None]:
    """While recording, Ctrl-C sets ``interrupted`` and SIGTERM ``terminated`` instead of raising, so
    no block is half-written and every block already captured reaches the file."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous_int = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.set())
    previous_term = signal.signal(signal.SIGTERM, lambda signum, frame: terminated.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)


def capture(
    sink: Callable[[np.ndarray], None],
    options: CaptureOptions,
    *,
    should_stop: Callable[[], bool] | None = None,
    on_level: Callable[[LevelUpdate], None] | None = None,
    settings: AnalysisSettings | None = None,
) -> tuple[int, StopReason]:
    """Record int16 blocks of shape (frames, channels) into ``sink``, as ``options`` says.

    Stops at ``options.max_s`` seconds of audio (counted in frames, not wall-clock time), when
    ``should_stop()`` turns true, after ``options.stop_on_silence_s`` of silence following speech,
    or on Ctrl-C or SIGTERM (which only stop; they do not raise). Returns (frames captured, why it
    stopped). An OSError from ``sink`` (a full disk) ends the capture and is raised.
    """
    sd = load_sounddevice()
    device, sample_rate_hz, stop_on_silence_s = (
        options.device,
        options.sample_rate_hz,
        options.stop_on_silence_s,
    )
    settings = settings or AnalysisSettings()
    max_frames = max(1, round(options.max_s * sample_rate_hz))
    block_frames = max(1, sample_rate_hz // _BLOCKS_PER_S)
    blocks: queue.Queue[np.ndarray] = queue.Queue()
    finished = threading.Event()
    interrupted = threading.Event()
    terminated = threading.Event()
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
        with quiet_c_stderr():
            stream = sd.InputStream(
                device=device.index,
                samplerate=sample_rate_hz,
                channels=options.channels,
                dtype="int16",
                blocksize=block_frames,
                callback=callback,
                finished_callback=finished.set,
            )
            stream.start()
    except (sd.PortAudioError, ValueError) as exc:
        raise DeviceError(f"cannot open the microphone {device.name!r}: {one_line(exc)}") from exc
    try:
        with _signals_set(interrupted, terminated):
            while True:
                if terminated.is_set():
                    reason = "terminated"
                    break
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
        if reason in ("user", "interrupt", "terminated"):
            stream.stop()  # lets PortAudio hand over the blocks it holds: nothing said before the stop is lost
        else:
            stream.abort()  # sounddevice ignores errors here by default
        stream.close()
    if reason in ("user", "interrupt", "terminated"):
        # what was said up to the key press (or the signal) is already in the queue: keep it
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
    options: CaptureOptions,
    *,
    should_stop: Callable[[], bool] | None = None,
    on_level: Callable[[LevelUpdate], None] | None = None,
) -> Recording:
    """Record into a WAV at ``path`` that is valid on disk after every 100 ms block.

    If the microphone cannot be opened, no file is left behind. If the file cannot take more (a full
    disk), recording stops there: the Recording says so (``stopped_by`` "error", ``problem``) and the
    file holds every block before it, its header right. Raises LibraryWriteError when not even the
    file can be made (a read-only or full folder).
    """
    try:
        writer = WavStreamWriter(path, sample_rate_hz=options.sample_rate_hz, channels=options.channels)
    except OSError as exc:
        raise files.write_error(exc, path.parent, "cannot record") from exc
    problem = None
    try:
        _, reason = capture(writer.write, options, should_stop=should_stop, on_level=on_level)
    except OSError as exc:
        reason = "error"
        with contextlib.suppress(OSError):  # the file is as its header says already; this only syncs it
            writer.close()
        error = files.write_error(exc, path.parent, "the recording stopped")
        if writer.frames == 0:
            path.unlink(missing_ok=True)
            raise error from exc
        problem = f"{error}; the {writer.duration_s:.1f} s recorded are kept at {path}"
    except BaseException:
        writer.close()
        if writer.frames == 0:
            path.unlink(missing_ok=True)
        raise
    writer.close()
    return Recording(
        path, options.sample_rate_hz, options.channels, writer.frames, reason, options.device, problem
    )
