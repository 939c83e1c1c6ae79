"""Capture: the streamed WAV writer, header repair, levels, resampling, devices and the mic check.

The device tests run the real PortAudio/ALSA stack in a subprocess, with ALSA's ``file`` plugin as a
virtual microphone that plays a real recording (see ../shared/notes/virtual-microphone.md).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from interview_reps.audio import audio_from_pcm, load_audio, write_wav
from interview_reps.errors import AudioError, DeviceError
from interview_reps.mic_check import measure_quality
from interview_reps.models import Audio, Quality
from interview_reps.settings import AnalysisSettings
from interview_reps.wavfile import WavStreamWriter, repair_recordings, repair_wav
from vmic import no_mic, virtual_mic

RATE = 16_000
BLOCK = 1_600  # 100 ms, as the recorder writes


def tone(seconds: float, *, amplitude: float = 0.3, hz: float = 220.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.round(np.clip(x, -1, 1) * 32767).astype(np.int16)


def header_sizes(path: Path) -> tuple[int, int]:
    """(RIFF size, data size) from a 44-byte PCM header."""
    head = path.read_bytes()[:44]
    return struct.unpack_from("<I", head, 4)[0], struct.unpack_from("<I", head, 40)[0]


def reps(*args: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "interview_reps.cli", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def python(code: str, *, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    """The whole stderr must be one 'reps: error:' line: no traceback, no ALSA noise."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("reps: error: "), proc.stderr
    return lines[0]


# --- the streamed WAV ------------------------------------------------------------------------


def test_streamed_wav_is_valid_after_every_block(tmp_path: Path) -> None:
    path = tmp_path / "take.wav"
    signal = to_int16(tone(2.05))  # the last block is short
    with WavStreamWriter(path, sample_rate_hz=RATE) as writer:
        for start in range(0, len(signal), BLOCK):
            writer.write(signal[start : start + BLOCK])
            end = min(start + BLOCK, len(signal))
            # read back from disk through a second handle, as a crash would leave it
            size = path.stat().st_size
            assert header_sizes(path) == (size - 8, size - 44)
            data, rate = sf.read(path, dtype="int16")
            assert rate == RATE
            np.testing.assert_array_equal(data, signal[:end])
    assert writer.frames == len(signal)
    assert sf.info(path).frames == len(signal)


def test_streamed_wav_keeps_channels(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    stereo = np.stack([to_int16(tone(0.5)), to_int16(tone(0.5, hz=440))], axis=1)
    with WavStreamWriter(path, sample_rate_hz=48_000, channels=2) as writer:
        writer.write(stereo)
    data, rate = sf.read(path, dtype="int16")
    assert rate == 48_000 and data.shape == stereo.shape
    np.testing.assert_array_equal(data, stereo)


def test_repair_after_data_written_but_header_not(tmp_path: Path) -> None:
    """A crash between appending a block and rewriting the sizes, mid-frame."""
    path = tmp_path / "crash.wav"
    signal = to_int16(tone(1.0))
    with WavStreamWriter(path, sample_rate_hz=RATE) as writer:
        writer.write(signal[:8000])
    with open(path, "ab") as f:
        f.write(signal[8000:12000].tobytes() + b"\x01")  # 4000 more frames and half a frame
    assert header_sizes(path)[1] == 16000  # the header still says 8000 frames

    fixed = repair_wav(path)

    assert fixed.repaired and fixed.duration_s == pytest.approx(12000 / RATE)
    size = path.stat().st_size
    assert size == 44 + 24000 and header_sizes(path) == (size - 8, 24000)
    np.testing.assert_array_equal(sf.read(path, dtype="int16")[0], signal[:12000])


def test_repair_after_truncated_write(tmp_path: Path) -> None:
    """The file is shorter than its header says (cut off mid-block)."""
    path = tmp_path / "cut.wav"
    signal = to_int16(tone(1.0))
    with WavStreamWriter(path, sample_rate_hz=RATE) as writer:
        writer.write(signal)
    with open(path, "r+b") as f:
        f.truncate(44 + 2 * 5000 + 1)

    fixed = repair_wav(path)

    assert fixed.repaired and fixed.duration_s == pytest.approx(5000 / RATE)
    assert header_sizes(path) == (36 + 10000, 10000)
    np.testing.assert_array_equal(sf.read(path, dtype="int16")[0], signal[:5000])


def test_repair_leaves_a_good_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "good.wav"
    sf.write(path, tone(0.5), RATE, subtype="PCM_16")
    before = path.read_bytes()
    fixed = repair_wav(path)
    assert not fixed.repaired and fixed.duration_s == pytest.approx(0.5)
    assert path.read_bytes() == before


def test_repair_refuses_what_is_not_a_wav(tmp_path: Path) -> None:
    path = tmp_path / "junk.wav"
    path.write_bytes(b"RIF")
    with pytest.raises(AudioError, match="not a WAV"):
        repair_wav(path)


def test_repair_recordings_finds_leftovers(reps_home: Path) -> None:
    folder = reps_home / "recordings"
    folder.mkdir()
    old = time.time() - 3600
    broken = folder / "20240101-100000.wav"
    with WavStreamWriter(broken, sample_rate_hz=RATE) as writer:
        writer.write(to_int16(tone(1.0)))
    with open(broken, "ab") as f:
        f.write(to_int16(tone(0.5)).tobytes())
    busy = folder / "20240101-110000.wav"  # just written: another reps may be recording into it
    shutil.copyfile(broken, busy)
    (folder / "20240101-100000.16k.wav").write_bytes(broken.read_bytes())  # a resampled copy
    (folder / "garbage.wav").write_bytes(b"not audio")
    for path in (broken, folder / "20240101-100000.16k.wav", folder / "garbage.wav"):
        os.utime(path, (old, old))

    found = repair_recordings(reps_home)

    assert [(f.path.name, f.repaired) for f in found] == [(broken.name, True)]
    assert found[0].duration_s == pytest.approx(1.5)
    assert sf.info(broken).frames == 24000
    assert header_sizes(busy)[1] == 32000  # untouched


# --- levels and resampling -------------------------------------------------------------------


def speech_like(*, speech_rms_db: float, noise_rms_db: float, seconds: float = 3.0) -> np.ndarray:
    """Tone bursts (on 300 ms, off 200 ms) at a set RMS level over white noise at a set RMS level."""
    rng = np.random.default_rng(0)
    n = round(seconds * RATE)
    x = rng.standard_normal(n).astype(np.float32) * 10 ** (noise_rms_db / 20)
    t = np.arange(n) / RATE
    on = (t % 0.5) < 0.3
    x[on] += (np.sqrt(2) * 10 ** (speech_rms_db / 20) * np.sin(2 * np.pi * 180 * t[on])).astype(np.float32)
    return x


def quality(samples: np.ndarray) -> Quality:
    return measure_quality(Audio("<test>", samples.astype(np.float32), RATE))


def test_quality_of_a_clean_signal() -> None:
    q = quality(speech_like(speech_rms_db=-20, noise_rms_db=-70))
    assert q.speech_level_dbfs == pytest.approx(-20, abs=0.5)
    assert q.noise_floor_dbfs == pytest.approx(-70, abs=1.0)
    assert q.snr_db == pytest.approx(50, abs=1.5)
    assert q.peak_dbfs == pytest.approx(-17, abs=0.5)  # sine peak = RMS + 3 dB
    assert q.clipped_fraction == 0 and q.ok


@pytest.mark.parametrize(
    ("speech_db", "noise_db", "gain", "problem"),
    [
        (-55, -90, 1.0, "too quiet"),
        (-20, -28, 1.0, "noisy"),
        (-3, -70, 3.0, "clipping"),
        (-120, -120, 1.0, "no sound"),
    ],
)
def test_quality_problems_use_the_analysis_thresholds(
    speech_db: float, noise_db: float, gain: float, problem: str
) -> None:
    x = np.clip(speech_like(speech_rms_db=speech_db, noise_rms_db=noise_db) * gain, -1, 1)
    q = quality(x)
    assert [p for p in q.problems if p.startswith(problem)], q.problems
    assert len(q.problems) == 1, q.problems
    settings = AnalysisSettings()
    if problem == "too quiet":
        assert q.speech_level_dbfs < settings.quiet_speech_dbfs
    if problem == "noisy":
        assert q.snr_db < settings.min_snr_db
    if problem == "clipping":
        assert q.clipped_fraction > settings.clipped_fraction_max


def test_one_resampler_for_files_and_the_microphone(tmp_path: Path) -> None:
    """44.1 kHz stereo, from a file or from memory, becomes the same 16 kHz mono: PyAV's mix and resampler."""
    original = tmp_path / "take.wav"
    left, right = tone(2.0, hz=440, rate=44_100), tone(2.0, hz=440, amplitude=0.1, rate=44_100)
    stereo = to_int16(np.stack([left, right], axis=1))
    sf.write(original, stereo, 44_100, subtype="PCM_16")
    before = original.read_bytes()

    audio = load_audio(original)
    out = write_wav(audio, tmp_path / "take.16k.wav")

    assert original.read_bytes() == before
    data, rate = sf.read(out, dtype="float32")
    assert rate == 16_000 and data.ndim == 1 and len(data) == pytest.approx(32_000, abs=2)
    spectrum = np.abs(np.fft.rfft(data * np.hanning(len(data))))
    assert np.fft.rfftfreq(len(data), 1 / 16_000)[spectrum.argmax()] == pytest.approx(440, abs=1)
    assert np.sqrt(np.mean(data[1000:-1000] ** 2)) == pytest.approx(0.2 / np.sqrt(2), rel=0.02)  # mono mix
    in_memory = audio_from_pcm(stereo, 44_100, name="<microphone>")
    np.testing.assert_array_equal(in_memory.samples, audio.samples)


# --- through PortAudio and ALSA --------------------------------------------------------------


def test_a_device_without_16k_is_recorded_at_its_own_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    """The virtual microphone accepts every rate, so a device refusing 16 kHz is simulated here."""
    from interview_reps import devices

    sd = devices.load_sounddevice()
    tried = []

    def check_input_settings(*, device: int, channels: int, dtype: str, samplerate: int) -> None:
        tried.append((samplerate, channels))
        if samplerate != 48_000 or channels != 2:
            raise sd.PortAudioError(
                "Invalid sample rate" if samplerate != 48_000 else "Invalid number of channels"
            )

    monkeypatch.setattr(sd, "check_input_settings", check_input_settings)
    usb = devices.InputDevice(index=3, name="USB mic", channels=2, default_rate_hz=48_000.0)
    assert devices.choose_format(usb) == (48_000, 2)
    assert tried == [(16_000, 1), (16_000, 2), (48_000, 1), (48_000, 2)]
    with pytest.raises(DeviceError, match="cannot record 16-bit audio at 44100 Hz"):
        devices.choose_format(usb, sample_rate_hz=44_100)


def test_virtual_microphone_recording_is_exact_and_counts_frames(
    tmp_path: Path, clip: Callable[[str], Path]
) -> None:
    """The unpaced virtual mic delivers audio far faster than real time: the limit counts frames."""
    env = virtual_mic(tmp_path, clip("jfk.wav"))
    wav = tmp_path / "take.wav"
    code = (
        "import json; from pathlib import Path; from interview_reps import record as r\n"
        "options = r.capture_options(None, max_s=7.5)\n"
        f"rec = r.record_to_wav(Path({str(wav)!r}), options)\n"
        "print(json.dumps([rec.sample_rate_hz, rec.channels, rec.frames, rec.stopped_by, rec.device.name]))"
    )
    proc = python(code, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [16_000, 1, 120_000, "max", "default"]
    recorded, rate = sf.read(wav, dtype="int16")
    clip, _ = sf.read(clip("jfk.wav"), dtype="int16")
    assert rate == 16_000
    np.testing.assert_array_equal(recorded, clip[:120_000])  # bit for bit what the mic played
    assert header_sizes(wav) == (wav.stat().st_size - 8, 2 * 120_000)


def test_devices_lists_the_virtual_microphone(tmp_path: Path, clip: Callable[[str], Path]) -> None:
    env = virtual_mic(tmp_path, clip("jfk.wav"))
    proc = reps("devices", env=env)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0].split()
    assert first[:3] == ["*", "0", "default"] and "ch" in first and "Hz" in first
    listed = json.loads(reps("devices", "--json", env=env).stdout)
    assert [(d["index"], d["name"], d["is_default"]) for d in listed] == [(0, "default", True)]
    assert listed[0]["channels"] >= 1 and listed[0]["default_rate_hz"] > 0


def test_mic_check_measures_what_the_microphone_hears(tmp_path: Path, clip: Callable[[str], Path]) -> None:
    env = virtual_mic(tmp_path, clip("jfk.wav"))
    proc = reps("mic-check", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    clip, rate = sf.read(clip("jfk.wav"), dtype="float32")
    expected = quality(clip[: 3 * rate])
    assert got["duration_s"] == 3.0 and got["sample_rate_hz"] == 16_000
    for key in ("speech_level_dbfs", "noise_floor_dbfs", "peak_dbfs", "snr_db"):
        assert got["quality"][key] == pytest.approx(getattr(expected, key), abs=0.01), key
    assert got["ok"] is True and got["quality"]["clipped_fraction"] == 0.0
    # independent check of the speech level (median of the speech frames): it lies between the median
    # and the 95th percentile of all 20 ms frame levels of the clip, computed by hand
    frames = clip[: 3 * rate].reshape(-1, 320)
    frame_db = 20 * np.log10(np.maximum(np.sqrt(np.mean(frames**2, axis=1)), 1e-10))
    assert np.percentile(frame_db, 50) <= got["quality"]["speech_level_dbfs"] <= np.percentile(frame_db, 95)


@pytest.mark.parametrize(("gain", "warning"), [(0.01, "warning: too quiet"), (8.0, "warning: clipping")])
def test_mic_check_warns(tmp_path: Path, clip: Callable[[str], Path], gain: float, warning: str) -> None:
    env = virtual_mic(tmp_path, clip("jfk.wav"), gain=gain)
    proc = reps("mic-check", env=env)
    assert proc.returncode == 0, proc.stderr
    assert warning in proc.stdout, proc.stdout
    assert "speech level" in proc.stdout and "ok:" not in proc.stdout


def test_no_microphone_is_one_clear_line(tmp_path: Path) -> None:
    env = no_mic(tmp_path)
    for command in (["devices"], ["mic-check"], ["practice", "--question", "tell-me-about-yourself"]):
        line = one_error_line(reps(*command, env=env))
        assert "no microphone found: plug one in" in line, command


def test_unknown_device_is_one_clear_line(tmp_path: Path, clip: Callable[[str], Path]) -> None:
    env = virtual_mic(tmp_path, clip("jfk.wav"))
    line = one_error_line(reps("mic-check", "--device", "no-such-mic", env=env))
    assert "no input device matches 'no-such-mic'" in line and "reps devices" in line
    line = one_error_line(reps("mic-check", "--device", "7", env=env))
    assert "no input device with index 7" in line


def test_missing_portaudio_is_one_clear_line(tmp_path: Path) -> None:
    """sounddevice raises OSError on import without libportaudio2; here its lookup is made to fail, in
    every Python started (the device probe runs in a child process) through a sitecustomize."""
    (tmp_path / "sitecustomize.py").write_text(
        "import ctypes.util\n"
        "find = ctypes.util.find_library\n"
        "ctypes.util.find_library = lambda name: None if 'portaudio' in name else find(name)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    for command in (["devices"], ["mic-check"]):
        line = one_error_line(reps(*command, env=env))
        assert "PortAudio is not installed" in line and "sudo apt-get install libportaudio2" in line
