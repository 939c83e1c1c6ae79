"""Check by ear: each filler and long pause as a short WAV, plus an Audacity label track."""

from __future__ import annotations

from pathlib import Path

from .errors import RepsError
from .models import Audio, Result

CONTEXT_S = 0.5  # audio kept either side of a flagged moment, so it can be heard in context


def write_clips(audio: Audio, result: Result, out_dir: Path, *, long_pause_s: float) -> list[Path]:
    """Write ``filler-NN-<time>-<text>.wav``, ``pause-NN-<time>.wav`` and ``labels.txt`` into ``out_dir``.

    labels.txt is Audacity's label format (start, end, label; tab-separated, seconds) for the whole
    recording: File > Import > Labels.
    """
    import soundfile as sf

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RepsError(f"{out_dir}: cannot write clips: {exc.strerror or exc}") from exc
    for old in [
        *out_dir.glob("filler-*.wav"),
        *out_dir.glob("pause-*.wav"),
        *out_dir.glob("candidate-*.wav"),
    ]:
        old.unlink(missing_ok=True)  # clips of an earlier run would mix with these
    sr = audio.sample_rate_hz
    written: list[Path] = []
    labels: list[tuple[float, float, str]] = []

    def clip(name: str, start: float, end: float) -> None:
        a = max(0, int((start - CONTEXT_S) * sr))
        b = min(len(audio.samples), int((end + CONTEXT_S) * sr))
        path = out_dir / name
        sf.write(path, audio.samples[a:b], sr, subtype="PCM_16")
        written.append(path)

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
    (out_dir / "labels.txt").write_text(
        "".join(f"{s:.3f}\t{e:.3f}\t{t}\n" for s, e, t in labels), encoding="utf-8"
    )
    written.append(out_dir / "labels.txt")
    return written


def _stamp(t_s: float) -> str:
    """A time for a file name, to a tenth of a second: 63.24 -> "1m03.2s" (sorts, no colon)."""
    return f"{int(t_s // 60)}m{t_s % 60:04.1f}s"
