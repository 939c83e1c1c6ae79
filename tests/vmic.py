"""A virtual microphone for tests: ALSA's `file` plugin plays a clip as the default capture device
(../shared/notes/virtual-microphone.md), so the real PortAudio/ALSA stack records it."""

from __future__ import annotations

import os
import shutil
import subprocess
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


def alsa_env(tmp_path: Path, infile: Path) -> dict:
    """Environment whose default ALSA capture device reads raw PCM from ``infile`` (a file or a FIFO)."""
    conf = tmp_path / f"{infile.name}.conf"
    conf.write_text(
        "pcm.!default {\n  type asym\n  playback.pcm { type null }\n"
        f'  capture.pcm {{ type file  slave.pcm {{ type null }}  file "/dev/null"  infile "{infile}"  format "raw" }}\n'
        "}\n"
    )
    return {**os.environ, "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{conf}"}


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
