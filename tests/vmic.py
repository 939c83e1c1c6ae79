"""A virtual microphone for tests: ALSA's `file` plugin plays a clip as the default capture device
(../shared/notes/virtual-microphone.md), so the real PortAudio/ALSA stack records it."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

RATE = 16_000


def raw_clip(clip: Path, *, rate: int = RATE, pad_s: float = 0.0, gain: float = 1.0) -> bytes:
    """The clip as 16-bit mono little-endian PCM at ``rate``, times ``gain``, with ``pad_s`` of silence after it."""
    if shutil.which("sox") is None:
        pytest.fail("sox is missing: `make system` (or apt-get install sox) installs it")
    fmt = f"-r {rate} -c 1 -b 16 -e signed-integer -t raw".split()
    cmd = ["sox", "-V1", str(clip), *fmt, "-", "vol", str(gain), "pad", "0", str(pad_s)]
    return subprocess.run(cmd, check=True, capture_output=True).stdout


def alsa_env(tmp_path: Path, infile: Path, *, playback: Path | None = None) -> dict:
    """Environment whose default ALSA capture device reads raw PCM from ``infile`` (a file or a FIFO).

    ``playback``: the default output device writes what it plays there as raw PCM (at the rate and
    format the player opened it with), one file per opening: ``playback.0001``, ``playback.0002``, ...
    (ALSA's file plugin with ``truncate false``); otherwise playback goes nowhere.
    """
    conf = tmp_path / f"{infile.name}.conf"
    out = (
        f'type file  slave.pcm {{ type null }}  file "{playback}"  format "raw"  truncate false'
        if playback is not None
        else "type null"
    )
    conf.write_text(
        f"pcm.!default {{\n  type asym\n  playback.pcm {{ {out} }}\n"
        f'  capture.pcm {{ type file  slave.pcm {{ type null }}  file "/dev/null"  infile "{infile}"  format "raw" }}\n'
        "}\n"
    )
    return {**os.environ, "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{conf}"}


def played(playback: Path) -> list[Path]:
    """The files the output device wrote, one per opening that played something (probes write nothing)."""
    return sorted(p for p in playback.parent.glob(f"{playback.name}.*") if p.stat().st_size > 0)


def virtual_mic(
    tmp_path: Path, clip: Path, *, rate: int = RATE, pad_s: float = 0.0, gain: float = 1.0
) -> dict:
    """An unpaced virtual microphone playing ``clip``; after its end the device delivers leftovers."""
    raw = tmp_path / f"mic-{rate}-{gain:g}.raw"
    raw.write_bytes(raw_clip(clip, rate=rate, pad_s=pad_s, gain=gain))
    return alsa_env(tmp_path, raw)


def no_mic(tmp_path: Path) -> dict:
    """Environment with ALSA configured with a playback device only: no microphone at all."""
    conf = tmp_path / "no-capture.conf"
    conf.write_text("pcm.!default { type asym playback.pcm { type null } }\n")
    return {**os.environ, "ALSA_CONFIG_PATH": str(conf)}


class PacedMic:
    """A virtual microphone paced like a real one: the file plugin reads a FIFO this thread fills
    at ``speed`` x real time (the clip, then silence; with ``loop``, the clip again and again). Every
    time PortAudio opens the device (it also does so to probe it) the clip starts again from its
    beginning, unless the device is opened again before this thread saw it closed (then it goes on)."""

    def __init__(
        self,
        tmp_path: Path,
        clip: Path,
        *,
        speed: float = 2.0,
        playback: Path | None = None,
        on_open: Callable[[], object] | None = None,
        loop: bool = False,
    ) -> None:
        """``playback``: as for ``alsa_env``. ``on_open`` is called each time the device is opened, and
        what it returns is appended to ``opened`` (e.g. what the speakers had played by then)."""
        self.data = raw_clip(clip)
        self.bytes_per_s = 2 * RATE * speed
        self.fifo = tmp_path / "mic.fifo"
        os.mkfifo(self.fifo)
        self.env = alsa_env(tmp_path, self.fifo, playback=playback)
        self.on_open = on_open
        self.loop = loop
        self.opened: list[object] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._feed, daemon=True)

    def _feed(self) -> None:
        chunk = 3200  # 100 ms
        while not self._stop.is_set():
            fd = os.open(self.fifo, os.O_WRONLY)  # waits for the recorder to open the device
            if self.on_open is not None and not self._stop.is_set():
                self.opened.append(self.on_open())
            try:
                pos, start, bytes_per_s = 0, time.monotonic(), self.bytes_per_s
                while not self._stop.is_set():
                    if self.loop:
                        at = pos % len(self.data)
                        block = (self.data[at:] + self.data)[:chunk]
                    else:
                        block = self.data[pos : pos + chunk]
                    os.write(fd, block + bytes(chunk - len(block)))
                    pos += chunk
                    if self.bytes_per_s != bytes_per_s:  # set_speed: from here on
                        bytes_per_s = self.bytes_per_s
                        start = time.monotonic() - pos / bytes_per_s
                    ahead = pos / bytes_per_s - (time.monotonic() - start)
                    if ahead > 0:
                        time.sleep(ahead)
            except BrokenPipeError:
                pass  # the device was closed
            finally:
                os.close(fd)

    def set_speed(self, speed: float) -> None:
        """The pace from now on."""
        self.bytes_per_s = 2 * RATE * speed

    def __enter__(self) -> PacedMic:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        fd = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)  # releases a writer waiting in open()
        time.sleep(0.05)
        os.close(fd)
        self._thread.join(timeout=5)


class RealTimeMic:
    """A virtual microphone that delivers audio at real time, as a microphone does: ALSA's file plugin
    reads a FIFO that a thread fills 100 ms at a time on the clock (the clip, then silence), each block
    handed over once it has been "spoken".

    The FIFO's buffer is cut to one page (4096 bytes, 0.128 s of 16 kHz mono), so what the recorder has
    not taken yet is never more than that. ``delivered_s()`` is the audio handed to the device since it
    was last opened (PortAudio opens it more than once: to probe it, to check the format, to record),
    the yardstick for what a killed recorder lost. (Blocks must be at least the plugin's read of one
    period, 100 ms here: a shorter read counts as the end of the file, and silence follows unpaced.)
    """

    CHUNK = 3200  # 100 ms of 16 kHz 16-bit mono

    def __init__(self, tmp_path: Path, clip: Path, *, pad_s: float = 30.0) -> None:
        import threading

        self.data = raw_clip(clip, pad_s=pad_s)
        self.fifo = tmp_path / "realtime-mic.fifo"
        os.mkfifo(self.fifo)
        self.env = alsa_env(tmp_path, self.fifo)
        self._lock = threading.Lock()
        self._delivered = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._feed, daemon=True)

    def delivered_s(self) -> float:
        with self._lock:
            return self._delivered / (2 * RATE)

    def _feed(self) -> None:
        import fcntl
        import time

        while not self._stop.is_set():
            fd = os.open(self.fifo, os.O_WRONLY)  # waits for the device to be opened
            try:
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 4096)
                with self._lock:
                    self._delivered = 0
                start, pos = time.monotonic(), 0
                while not self._stop.is_set():
                    block = self.data[pos : pos + self.CHUNK]
                    block += bytes(self.CHUNK - len(block))
                    ahead = (pos + self.CHUNK) / (2 * RATE) - (time.monotonic() - start)
                    if ahead > 0:  # hand over each block only once it has been "spoken"
                        time.sleep(ahead)
                    os.write(fd, block)
                    pos += self.CHUNK
                    with self._lock:
                        self._delivered = pos
            except BrokenPipeError:
                pass  # the device was closed
            finally:
                os.close(fd)

    def __enter__(self) -> RealTimeMic:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        import time

        self._stop.set()
        fd = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)  # releases a writer waiting in open()
        time.sleep(0.05)
        os.close(fd)
        self._thread.join(timeout=5)
