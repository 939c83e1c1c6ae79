"""Check by ear: each filler and long pause as a short WAV, plus an Audacity label track.

Clips are written only inside the folder given, never over a file reps did not write there: a
manifest (``.reps-clips``) lists what the last run wrote, and only those files are replaced.
"""

from __future__ import annotations

import io
from pathlib import Path

from . import files
from .errors import RepsError
from .models import Audio, Result

CONTEXT_S = 0.5  # audio kept either side of a flagged moment, so it can be heard in context
MANIFEST = ".reps-clips"  # the names the last run wrote into the folder, one a line


def write_clips(audio: Audio, result: Result, out_dir: Path, *, long_pause_s: float) -> list[Path]:
    """Write ``filler-NN-<time>-<text>.wav``, ``pause-NN-<time>.wav`` and ``labels.txt`` into ``out_dir``.

    labels.txt is Audacity's label format (start, end, label; tab-separated, seconds) for the whole
    recording: File > Import > Labels. Clips of an earlier run into the same folder are replaced; a
    file reps did not write is never touched (RepsError naming it, nothing written).
    """
    import soundfile as sf

    sr = audio.sample_rate_hz
    planned: dict[str, bytes] = {}
    labels: list[tuple[float, float, str]] = []

    def clip(name: str, start: float, end: float) -> None:
        a = max(0, int((start - CONTEXT_S) * sr))
        b = min(len(audio.samples), int((end + CONTEXT_S) * sr))
        wav = io.BytesIO()
        sf.write(wav, audio.samples[a:b], sr, format="WAV", subtype="PCM_16")
        planned[files.safe_name(name, fallback="clip.wav")] = wav.getvalue()

    for i, f in enumerate(result.fillers, 1):
        clip(f"filler-{i:02d}-{_stamp(f.start)}-{f.text.replace(' ', '_')}.wav", f.start, f.end)
        labels.append((f.start, f.end, f"{f.text} ({f.kind.replace('_', ' ')}, {f.source})"))
    for i, f in enumerate(result.filler_candidates, 1):
        clip(f"candidate-{i:02d}-{_stamp(f.start)}.wav", f.start, f.end)
        labels.append((f.start, f.end, "possible filler (acoustic, not counted)"))
    for i, p in enumerate(result.pauses, 1):
        kind = "mid-sentence" if p.kind == "clause" else "between sentences"
        labels.append((p.start, p.end, f"pause {p.duration_s:.2f} s {kind}"))
        if p.duration_s >= long_pause_s:
            clip(f"pause-{i:02d}-{_stamp(p.start)}.wav", p.start, p.end)
    labels.sort()
    planned["labels.txt"] = "".join(f"{s:.3f}\t{e:.3f}\t{t}\n" for s, e, t in labels).encode("utf-8")

    try:
        files.private_dir(out_dir)
        ours = _manifest(out_dir)
        for name in planned:
            path = files.inside(out_dir, out_dir / name)
            if (path.exists() or path.is_symlink()) and name not in ours:
                raise RepsError(
                    f"{path}: already there and not written by reps; clips go to an empty folder or "
                    "one reps wrote before (give another --clips folder)"
                )
        for name in ours - set(planned):  # clips of an earlier run would mix with these
            (out_dir / name).unlink(missing_ok=True)
        # The manifest first: a kill part-way leaves files it already names as ours.
        files.replace(out_dir / MANIFEST, "".join(f"{name}\n" for name in sorted(ours | set(planned))))
        written = [files.replace(out_dir / name, data) for name, data in planned.items()]
        files.replace(out_dir / MANIFEST, "".join(f"{name}\n" for name in sorted(planned)))
    except OSError as exc:
        raise RepsError(f"{out_dir}: cannot write clips: {exc.strerror or exc}") from exc
    except ValueError as exc:  # a name that would leave the folder (safe_name makes this impossible)
        raise RepsError(f"{out_dir}: cannot write clips: {exc}") from exc
    return written


def _manifest(out_dir: Path) -> set[str]:
    """The names a run of reps wrote into ``out_dir`` (plain names only: a manifest edited to point
    elsewhere points nowhere)."""
    try:
        text = (out_dir / MANIFEST).read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return set()
    return {line for line in text.splitlines() if line and files.safe_name(line, fallback="") == line}


def _stamp(t_s: float) -> str:
    """A time for a file name, to a tenth of a second: 63.24 -> "1m03.2s" (sorts, no colon)."""
    return f"{int(t_s // 60)}m{t_s % 60:04.1f}s"
