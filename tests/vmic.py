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
