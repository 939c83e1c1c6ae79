"""The microphones PortAudio sees (sounddevice imported lazily): listing, choosing one, its format."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .errors import DeviceError
from .settings import SAMPLE_RATE_HZ

PORTAUDIO_MISSING = (
    "PortAudio is not installed, so the microphone cannot be used: install it with "
    "'sudo apt-get install libportaudio2' (Debian/Ubuntu), 'sudo dnf install portaudio' (Fedora) "
    "or 'brew install portaudio' (macOS)"
)
NO_MICROPHONE = (
    "no microphone found: plug one in (or enable it in the system sound settings), "
    "then check with 'reps devices'"
)
# Starting PortAudio in a fresh Python takes ~0.3 s; a probe that has not answered in this long is stuck
# in the sound system (a hung PulseAudio, a device that never answers).
PROBE_TIMEOUT_S = 20.0


# --- PortAudio -------------------------------------------------------------------------------


@contextlib.contextmanager
def quiet_c_stderr() -> Iterator[None]:
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


_probed: list[InputDevice] | None = None


def probe_devices() -> list[InputDevice]:
    """The input devices, listed by a child process first (once per process).

    PortAudio enumerates the devices when it starts, and a broken sound setup can make it abort (an
    empty ALSA configuration trips ``pa_linux_alsa.c: devIdx < numDeviceNames``, exit 134): in a child
    that costs one clear DeviceError instead of this process. This process starts PortAudio only after
    the child came through.
    """
    global _probed
    if _probed is not None:
        return list(_probed)
    code = "from interview_reps.devices import _probe_main; _probe_main()"
    try:
        child = subprocess.run(
            [sys.executable, "-c", code],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        raise DeviceError(
            f"the sound system did not answer within {PROBE_TIMEOUT_S:g} s while listing the microphones; "
            "check the sound settings (is PulseAudio or PipeWire stuck?)"
        ) from exc
    except OSError as exc:
        raise DeviceError(f"cannot start the microphone probe: {exc.strerror or exc}") from exc
    if child.returncode < 0:  # killed by a signal: PortAudio or ALSA crashed (an assertion aborts)
        raise DeviceError(_crash_message(-child.returncode, child.stderr))
    try:
        answer = json.loads(child.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        detail = _last_line(child.stderr) or f"exit status {child.returncode}"
        raise DeviceError(f"the microphone probe failed ({detail})") from None
    if "error" in answer:
        raise DeviceError(str(answer["error"]))
    _probed = [InputDevice(**d) for d in answer["devices"]]
    return list(_probed)


def _crash_message(signum: int, stderr: str) -> str:
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = f"signal {signum}"
    detail = _last_line(stderr)
    config = os.environ.get("ALSA_CONFIG_PATH")
    where = (
        f"ALSA_CONFIG_PATH={config}" if config else "the ALSA configuration (~/.asoundrc, /etc/asound.conf)"
    )
    return (
        f"the sound system crashed while listing the microphones (PortAudio stopped with {name}"
        f"{': ' + detail if detail else ''}); check {where}, then try 'reps devices'"
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def _probe_main() -> None:
    """The child of ``probe_devices``: list the devices and answer with one JSON line on its stdout
    (the pipe to the parent; nothing a user sees)."""
    try:
        answer: dict[str, Any] = {"devices": [vars(d) for d in _list_input_devices()]}
    except DeviceError as exc:
        answer = {"error": str(exc)}
    os.write(1, (json.dumps(answer) + "\n").encode("utf-8"))


def load_sounddevice() -> Any:
    """Import sounddevice (which starts PortAudio) once a child process has started it safely
    (``probe_devices``); a missing PortAudio becomes a DeviceError."""
    if "sounddevice" not in sys.modules:
        probe_devices()
    return _import_sounddevice()


def _import_sounddevice() -> Any:
    try:
        with quiet_c_stderr():
            import sounddevice
    except OSError as exc:  # sounddevice raises OSError when libportaudio is absent
        raise DeviceError(PORTAUDIO_MISSING) from exc
    return sounddevice


def one_line(exc: BaseException) -> str:
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
    """Every device with at least one input channel, in PortAudio's order (listed by a child process,
    ``probe_devices``, so that a crash in the sound system is a DeviceError)."""
    return probe_devices()


def _list_input_devices() -> list[InputDevice]:
    sd = _import_sounddevice()
    try:
        with quiet_c_stderr():
            devices = sd.query_devices()
            host_apis = sd.query_hostapis()
    except sd.PortAudioError as exc:
        raise DeviceError(f"cannot list the sound devices: {one_line(exc)}") from exc
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
            with quiet_c_stderr():
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
    sd = load_sounddevice()
    rates = [sample_rate_hz] if sample_rate_hz else [SAMPLE_RATE_HZ, round(device.default_rate_hz)]
    channel_options = [1] if device.channels < 2 else [1, 2]
    last_error: Exception | None = None
    for rate in dict.fromkeys(rates):
        for channels in channel_options:
            try:
                with quiet_c_stderr():
                    sd.check_input_settings(
                        device=device.index, channels=channels, dtype="int16", samplerate=rate
                    )
                return int(rate), channels
            except (sd.PortAudioError, ValueError) as exc:
                last_error = exc
    reason = one_line(last_error) if last_error else "unsupported format"
    raise DeviceError(f"the microphone {device.name!r} cannot record 16-bit audio at {rates[0]} Hz: {reason}")
