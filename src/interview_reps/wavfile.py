"""The answer on disk: a 16-bit WAV that is valid at every moment while it grows, and its repair after a crash."""

from __future__ import annotations

import contextlib
import json
import os
import struct
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import files
from .errors import AudioError
from .settings import reps_home

if TYPE_CHECKING:
    import numpy as np

_WAV_HEADER_BYTES = 44


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
    """A 16-bit PCM WAV file that is valid at every moment while it grows, readable by its owner only.

    Each block is appended, then the RIFF and data sizes in the header are rewritten, each a system
    call of its own (no buffer in this process): if the process dies, everything written so far is
    playable. The header never claims more data than is in the file (data first, sizes second). A block
    the disk has no room for is cut off again, so the file stays exactly as its header says.
    """

    def __init__(self, path: Path | str, *, sample_rate_hz: int, channels: int = 1) -> None:
        self.path = Path(path)
        self.sample_rate_hz = int(sample_rate_hz)
        self.channels = int(channels)
        self.frames = 0
        files.private_dir(self.path.parent)
        self._fd: int | None = files.open_new(self.path)
        try:
            files.write_all(
                self._fd,
                _wav_header(sample_rate_hz=self.sample_rate_hz, channels=self.channels, data_bytes=0),
            )
        except OSError:
            os.close(self._fd)
            self.path.unlink(missing_ok=True)
            raise

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
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        end = _WAV_HEADER_BYTES + self.frames * 2 * self.channels
        try:
            os.lseek(self._fd, end, os.SEEK_SET)
            files.write_all(self._fd, data.tobytes())
        except OSError:
            # A full disk takes part of a block: cut it off, so the file is what its header says.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, end)
            raise
        self.frames += data.shape[0]
        self._write_sizes(self.frames * 2 * self.channels)

    def _write_sizes(self, data_bytes: int) -> None:
        assert self._fd is not None
        _write_at(self._fd, struct.pack("<I", 36 + data_bytes), 4)
        _write_at(self._fd, struct.pack("<I", data_bytes), 40)

    def close(self) -> None:
        """Final header from the real file length, then sync to disk (best effort: the data is with the
        operating system already)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            size = os.fstat(fd).st_size
            frame_bytes = 2 * self.channels
            data_bytes = max(0, size - _WAV_HEADER_BYTES) // frame_bytes * frame_bytes
            os.ftruncate(fd, _WAV_HEADER_BYTES + data_bytes)
            self.frames = data_bytes // frame_bytes
            self._fd = fd
            self._write_sizes(data_bytes)
            self._fd = None
            with contextlib.suppress(OSError):
                os.fsync(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> WavStreamWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _write_at(fd: int, data: bytes, offset: int) -> None:
    if hasattr(os, "pwrite"):
        os.pwrite(fd, data, offset)
    else:  # pragma: no cover - Windows has no pwrite; every write seeks first anyway
        os.lseek(fd, offset, os.SEEK_SET)
        os.write(fd, data)


@dataclass(frozen=True)
class WavRepair:
    path: Path
    duration_s: float
    repaired: bool  # the header sizes disagreed with the file and were fixed
    question_id: str | None = None  # the question it answered (from its note), when known
    started_at: datetime | None = None  # when the recording started (from its note), when known


def save_command(left: WavRepair) -> str:
    """The `reps analyze` command that saves a leftover recording as the rep it was meant to be."""
    import shlex

    command = f"reps analyze {shlex.quote(str(left.path))}"
    if left.question_id:
        command += f" --question {left.question_id}"
    if left.started_at:
        command += f" --recorded {left.started_at.astimezone():%Y-%m-%dT%H:%M}"
    return command


def repair_wav(path: Path | str) -> WavRepair:
    """Make a WAV's RIFF and data sizes agree with the file's length (after a crash or a cut write).

    The data chunk is taken to run to the end of the file; a trailing partial frame is cut off.
    Raises AudioError if the file is not a PCM WAV at all (e.g. the header itself is incomplete).
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:  # read-only first: a whole file on a read-only disk is fine as it is
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
        with open(path, "r+b") as f:
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


def note_path(recording: Path) -> Path:
    """The note kept beside a recording until it becomes a rep: what question it answers, and when
    (one note for the recording and its resampled working copy)."""
    return recording.with_name(recording.name.removesuffix(".wav").removesuffix(".16k") + ".json")


def write_note(recording: Path, *, question_id: str | None, started_at: datetime) -> None:
    """Write the recording's note (best effort: a recording without one is still a recording)."""
    note = {"question_id": question_id, "started_at": started_at.astimezone(timezone.utc).isoformat()}
    with contextlib.suppress(OSError):
        files.private_dir(recording.parent)
        files.replace(note_path(recording), json.dumps(note) + "\n")


def read_note(recording: Path) -> dict[str, Any]:
    try:
        note = json.loads(note_path(recording).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return note if isinstance(note, dict) else {}


def discard_recording(recording: Path) -> None:
    """Remove a recording, its note and its resampled working copy (once its rep holds a copy)."""
    for path in (recording, note_path(recording), working_copy_path(recording)):
        path.unlink(missing_ok=True)


def working_copy_path(recording: Path) -> Path:
    """The 16 kHz mono copy of a recording made at another rate, analyzed and saved in its place."""
    return recording.with_name(f"{recording.stem}.16k.wav")


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
    """Every recording left in ``recordings/`` (an answer not yet saved as a rep), headers fixed, with
    the question and time from its note.

    Files changed less than ``min_age_s`` ago are left alone: another ``reps`` may be recording
    into them (the writer touches its file ten times a second). A resampled working copy
    (``*.16k.wav``) left by a kill is removed when its original is still there, and is the leftover
    otherwise. A note whose recording never started is removed. A recording that holds no sound at all (a kill before the first block arrived, or while
    its header was being written) is removed with its note: there is nothing in it to keep. Other files
    that cannot be repaired are skipped.
    """
    folder = recordings_dir(home)
    if not folder.is_dir():
        return []
    found = []
    now = time.time()
    for kept_note in folder.glob("*.json"):  # a kill between the note and the recording's first byte
        original = kept_note.with_suffix(".wav")
        with contextlib.suppress(OSError):
            if (
                now - kept_note.stat().st_mtime >= min_age_s
                and not original.exists()
                and not working_copy_path(original).exists()
            ):
                kept_note.unlink()
    for path in sorted(folder.glob("*.wav")):
        try:
            if now - path.stat().st_mtime < min_age_s:
                continue
        except OSError:
            continue
        if path.name.endswith(".16k.wav"):
            original = path.with_name(path.name.removesuffix(".16k.wav") + ".wav")
            if original.exists():
                with contextlib.suppress(OSError):
                    path.unlink()  # made again from the original whenever it is analyzed
                continue
        try:
            repair = repair_wav(path)
        except AudioError:
            with contextlib.suppress(OSError):
                if path.stat().st_size <= _WAV_HEADER_BYTES:  # cut off in its own header: no sound
                    discard_recording(path)
            continue
        if repair.duration_s == 0:
            with contextlib.suppress(OSError):
                discard_recording(path)
            continue
        note = read_note(path)
        started = note.get("started_at")
        try:
            started_at = datetime.fromisoformat(started) if isinstance(started, str) else None
        except ValueError:
            started_at = None
        question_id = note.get("question_id") if isinstance(note.get("question_id"), str) else None
        found.append(WavRepair(repair.path, repair.duration_s, repair.repaired, question_id, started_at))
    return found
