"""Accuracy of `reps analyze` against the reference clips: fillers, content WER, pauses, pace.

Usage: python scripts/evaluate.py EVAL_DIR [--json] [--long]

Runs the real pipeline (the steps of ``interview_reps.pipeline.analyze_audio``, stages cached) and stock faster-whisper (same
embedded model, beam 5, no prompt, default settings) on every clip that has a NAME.txt reference,
and scores the pipeline's public schema (``Result.to_dict()``). Tables go to stdout, or to stderr
with ``--json`` (then stdout holds only the totals as JSON). Definitions are printed with the tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalkit import (  # noqa: E402
    KNOWN_FIXES,
    EditCounts,
    PauseScore,
    RefPause,
    TimedWord,
    align,
    apply_fixes,
    compress_repeats,
    content_tokens,
    count_markers,
    describe_errors,
    filler_class,
    filler_counts,
    match_in_time,
    matched_by_class,
    normalize_tokens,
    read_textgrid_words,
    read_words_tsv,
    reference_pauses,
    score_pauses,
    silences_between,
    spoken,
    wpm,
)

SR = 16_000
AUDIO_SUFFIXES = (".wav", ".flac")
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIRS = (ROOT / "samples", ROOT / "tests" / "data")  # the in-repo development set
FILLER_TOLERANCE_S = 0.2
# Long answers: clip order and the silence inserted after each clip (s). First and last clips carry
# word timings, so time to first word and the speaking span are exact.
LONG_PLANS: dict[str, list[tuple[str, float]]] = {
    "long_80s": [
        ("mfa_acoustic_corpus", 1.0),
        ("mfa_uh", 2.5),
        ("jfk", 1.5),
        ("mfa_crossword", 0.8),
        ("mfa_cold_corpus", 0.0),
    ],
    "long_130s": [
        ("mfa_acoustic_corpus", 0.6),
        ("mfa_um", 1.2),
        ("librispeech_61-70968-0000", 3.5),
        ("mfa_uhum", 0.8),
        ("jfk", 2.0),
        ("mfa_youknow", 1.0),
        ("librispeech_61-70968-0000", 1.6),
        ("mfa_uhuh", 0.7),
        ("mfa_crossword", 2.5),
        ("mfa_uh", 1.4),
        ("mfa_cold_corpus", 0.0),
    ],
}
LONG_SPEECH_LEVEL_DBFS = -20.0  # each clip scaled so its loud frames (95th percentile) sit here


# --- references --------------------------------------------------------------------------------------


@dataclass
class Reference:
    """What the clip should yield. Times in seconds; ``timed`` when word timings exist."""

    name: str
    duration_s: float
    tokens: list[str]  # normalised reference tokens, fillers included
    timed: bool = False
    words: list[TimedWord] = field(default_factory=list)  # spoken words with known times
    pauses: list[RefPause] = field(default_factory=list)
    silences: list[tuple[float, float]] = field(default_factory=list)  # every un-spoken stretch
    judged: list[tuple[float, float]] = field(default_factory=list)  # where timings are known
    unjudged: list[tuple[float, float]] = field(default_factory=list)  # known alignment errors
    first_word_s: float | None = None
    last_word_s: float | None = None
    notes: list[str] = field(default_factory=list)
    pauses_known: bool = True  # False for spliced answers: only the fillers' times are known

    @property
    def content(self) -> list[str]:
        return content_tokens(self.tokens)

    @property
    def timed_fillers(self) -> list[tuple[float, float, str]]:
        return [(w.start, w.end, c) for w in self.words if (c := filler_class(w.text))]


def find_clips(eval_dir: Path) -> list[Path]:
    return sorted(
        p for p in eval_dir.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES and p.with_suffix(".txt").exists()
    )


def load_reference(audio_path: Path, duration_s: float) -> Reference:
    stem = audio_path.stem
    ref = Reference(
        name=stem,
        duration_s=duration_s,
        tokens=normalize_tokens(audio_path.with_suffix(".txt").read_text(encoding="utf-8")),
    )
    tsv, grid = audio_path.with_name(stem + ".words.tsv"), audio_path.with_suffix(".TextGrid")
    words = read_words_tsv(tsv) if tsv.exists() else read_textgrid_words(grid) if grid.exists() else None
    if grid.exists() and not tsv.exists() and words is None:
        ref.notes.append("TextGrid has no word-level tier: no timings")
    if not words:
        return ref
    fixes = KNOWN_FIXES.get(stem, ())
    words = apply_fixes(words, fixes)
    said = spoken(words)
    ref.timed = True
    ref.words = said
    ref.pauses = reference_pauses(said)
    ref.silences = silences_between(said, start=0.0, end=duration_s)
    ref.judged = [(0.0, duration_s)]
    ref.unjudged = [(f.start, f.end) for f in fixes if f.unjudged]
    ref.first_word_s, ref.last_word_s = said[0].start, said[-1].end
    ref.notes += [f"alignment fix: {f.start:.2f}-{f.end:.2f} s is one '{f.label}'" for f in fixes]
    return ref


# --- running the systems -----------------------------------------------------------------------------


@dataclass
class Run:
    result: dict[str, Any] | None  # Result.to_dict(), or None when the pipeline refused the clip
    error: str | None
    stock_text: str
    pipeline_s: float
    stock_s: float


@dataclass
class Stages:
    """What the pipeline computes before the filler decision, for one recording (cached on disk)."""

    audio: Any  # interview_reps.models.Audio
    transcript: Any  # Transcript, or None when there is no speech
    frames: Any  # FrameFeatures
    stock_text: str
    pipeline_s: float
    stock_s: float


class _StagesUnpickler(__import__("pickle").Unpickler):  # type: ignore[misc]
    """Reads a cache written whether this file ran as a script or was imported (fit_detector.py)."""

    def find_class(self, module: str, name: str) -> Any:
        if name == "Stages" and module in ("__main__", "evaluate"):
            return Stages
        return super().find_class(module, name)


def _code_version(model: str) -> str:
    """Cache key part: the code and settings the cached stages depend on."""
    import hashlib

    src = ROOT / "src" / "interview_reps"
    digest = hashlib.sha1(model.encode())
    for rel in ("transcribe.py", "settings.py", "audio.py", "analyze/frames.py", "analyze/speech.py"):
        digest.update((src / rel).read_bytes())
    return digest.hexdigest()[:12]


class Systems:
    """The pipeline and stock faster-whisper, sharing one model per process.

    The stages before the filler decision (decode, frame features, transcript) and stock
    faster-whisper's text are cached in ``REPS_EVAL_CACHE`` (default: a folder in the system's temp
    dir), keyed by the audio and by the code they depend on, so refits and ablations cost seconds.
    """

    def __init__(self, model: str | None = None) -> None:
        from interview_reps.settings import TranscribeSettings
        from interview_reps.transcribe import load_model

        ts = TranscribeSettings() if model is None else TranscribeSettings(model=model)
        self.settings = ts
        self.model = load_model(ts.model, compute_type=ts.compute_type)
        self.model_name = f"{ts.model} {ts.compute_type}"
        self.cache = Path(os.environ.get("REPS_EVAL_CACHE", Path(tempfile.gettempdir()) / "reps-eval-cache"))
        self.version = _code_version(ts.model)

    def stages(self, path: Path) -> Stages:
        import hashlib
        import pickle

        from interview_reps.analyze.frames import speech_frames, voice_frames, with_voice
        from interview_reps.audio import load_audio
        from interview_reps.settings import AnalysisSettings
        from interview_reps.transcribe import transcribe

        key = hashlib.sha1(Path(path).read_bytes()).hexdigest()[:16]
        cached = self.cache / f"{key}-{self.version}.pkl"
        if cached.exists():
            with open(cached, "rb") as f:
                st: Stages = _StagesUnpickler(f).load()
            st.audio = type(st.audio)(str(path), st.audio.samples, st.audio.sample_rate_hz, st.audio.warning)
            return st
        settings = AnalysisSettings()
        t0 = time.perf_counter()
        audio = load_audio(path, settings=settings)
        speech = speech_frames(audio, settings=settings)
        transcript = None
        if speech.has_speech:
            transcript = transcribe(
                audio,
                speech.sound_regions(),
                speech_regions=speech.regions(min_gap_s=0.3),
                settings=self.settings,
            )
        frames = with_voice(speech, voice_frames(audio.samples, settings=settings), settings=settings)
        t1 = time.perf_counter()
        segments, _info = self.model.transcribe(str(path), beam_size=5)
        stock_text = " ".join(s.text.strip() for s in segments)
        t2 = time.perf_counter()
        st = Stages(audio, transcript, frames, stock_text, t1 - t0, t2 - t1)
        self.cache.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(st, f)
        os.replace(tmp, cached)
        return st

    def run(self, path: Path, weights: Any = None) -> Run:
        """The pipeline's result for ``path`` (``analyze_audio``'s steps, from the cached stages)."""
        from interview_reps.analyze import analyze_recording

        st = self.stages(path)
        if st.transcript is None:
            return Run(None, "no speech detected", st.stock_text, st.pipeline_s, st.stock_s)
        result = analyze_recording(st.audio, st.transcript, st.frames, weights=weights)
        if not [w for w in result.words if w.kind == "word"]:
            return Run(None, "no speech detected", st.stock_text, st.pipeline_s, st.stock_s)
        return Run(result.to_dict(), None, st.stock_text, st.pipeline_s, st.stock_s)


# --- scoring one recording ---------------------------------------------------------------------------


@dataclass
class ClipScore:
    name: str
    duration_s: float
    timed: bool
    error: str | None
    ref_fillers: Counter[str]
    hyp_fillers: Counter[str]
    stock_fillers: Counter[str]
    hyp_filler_list: list[dict[str, Any]]  # text, class, start, end, source, time_match
    timed_ref_fillers: list[dict[str, Any]]  # start, end, class, matched_by
    ref_markers: Counter[str]
    hyp_markers: list[str]
    wer_pipeline: EditCounts
    wer_stock: EditCounts
    errors_pipeline: list[str]
    errors_stock: list[str]
    pauses: PauseScore | None
    ttfw_ref_s: float | None
    ttfw_hyp_s: float | None
    wpm_ref: float | None
    wpm_hyp: float | None
    notes: list[str]
    pipeline_s: float = 0.0  # wall clock in this process (model already loaded)
    stock_s: float = 0.0

    @property
    def typed_matched(self) -> int:
        return matched_by_class(self.ref_fillers, self.hyp_fillers)

    @property
    def stock_matched(self) -> int:
        return matched_by_class(self.ref_fillers, self.stock_fillers)

    @property
    def any_matched(self) -> int:
        return min(sum(self.ref_fillers.values()), sum(self.hyp_fillers.values()))

    @property
    def timed_hyp(self) -> list[dict[str, Any]]:
        return [f for f in self.hyp_filler_list if f["time_match"] is not None]

    @property
    def ttfw_err_s(self) -> float | None:
        if self.ttfw_ref_s is None or self.ttfw_hyp_s is None:
            return None
        return self.ttfw_hyp_s - self.ttfw_ref_s

    @property
    def wpm_err_pct(self) -> float | None:
        if not self.wpm_ref or self.wpm_hyp is None:
            return None
        return 100.0 * (self.wpm_hyp - self.wpm_ref) / self.wpm_ref

    def summary(self) -> dict[str, Any]:
        p = self.pauses
        return {
            "name": self.name,
            "duration_s": round(self.duration_s, 2),
            "error": self.error,
            "fillers": {
                "ref": dict(self.ref_fillers),
                "hyp": dict(self.hyp_fillers),
                "matched": self.typed_matched,
                "stock_hyp": dict(self.stock_fillers),
                "by_source": dict(Counter(f["source"] for f in self.hyp_filler_list)),
                "timed": None
                if not self.timed
                else {
                    "ref": len(self.timed_ref_fillers),
                    "hyp": len(self.timed_hyp),
                    "matched": sum(1 for f in self.timed_hyp if f["time_match"]),
                },
            },
            "markers": {"ref": sum(self.ref_markers.values()), "hyp": len(self.hyp_markers)},
            "wer": {"pipeline": _r(self.wer_pipeline.wer), "stock": _r(self.wer_stock.wer)},
            "pauses": None
            if p is None
            else {
                "ref": p.ref_counted,
                "found": p.found,
                "edge_mean_s": _r(_mean(p.edge_errors_s)),
                "edge_max_s": _r(max(p.edge_errors_s, default=None)),
                "false": len(p.false),
                "over_fillers": len(p.over_fillers),
            },
            "ttfw_err_s": _r(self.ttfw_err_s),
            "wpm": {"ref": _r(self.wpm_ref, 1), "hyp": self.wpm_hyp, "err_pct": _r(self.wpm_err_pct, 1)},
        }


def _in_regions(t: float, regions: Sequence[tuple[float, float]]) -> bool:
    return any(a <= t < b for a, b in regions)


def score_clip(ref: Reference, run: Run) -> ClipScore:
    res = run.result or {}
    filled = [f for f in res.get("fillers", []) if f["kind"] == "filled_pause"]
    hyp_list = []
    for f in filled:
        tokens = normalize_tokens(f["text"])
        cls = filler_class(tokens[0]) if tokens else None
        hyp_list.append(
            {
                "text": f["text"],
                "class": cls or "other",
                "start": float(f["start"]),
                "end": float(f["end"]),
                "source": f["source"],
                "time_match": None,  # None: outside timed parts; False: unmatched; else the ref filler
            }
        )
    timed_ref = [{"start": s, "end": e, "class": c, "matched_by": None} for s, e, c in ref.timed_fillers]
    if ref.timed:
        judged = [h for h in hyp_list if _in_regions((h["start"] + h["end"]) / 2, ref.judged)]
        pairs = match_in_time(
            [(h["start"], h["end"]) for h in judged],
            [(r["start"], r["end"]) for r in timed_ref],
            tolerance_s=FILLER_TOLERANCE_S,
        )
        for h in judged:
            h["time_match"] = False
        for hi, ri in pairs:
            judged[hi]["time_match"] = timed_ref[ri]
            timed_ref[ri]["matched_by"] = judged[hi]

    hyp_tokens = normalize_tokens(res.get("transcript", ""))
    stock_tokens = normalize_tokens(run.stock_text)
    ops_p = align(ref.content, content_tokens(hyp_tokens))
    ops_s = align(ref.content, content_tokens(stock_tokens))
    metrics = res.get("metrics", {})

    pauses = None
    if ref.timed and ref.pauses_known:
        pauses = score_pauses(
            [(float(p["start"]), float(p["end"])) for p in res.get("pauses", [])],
            ref.pauses,
            ref.silences,
            judged=ref.judged,
            unjudged=ref.unjudged,
            ref_fillers=[(s, e) for s, e, _ in ref.timed_fillers],
        )
    wpm_ref = None
    if ref.first_word_s is not None and ref.last_word_s is not None:
        wpm_ref = wpm(len(ref.content), ref.first_word_s, ref.last_word_s)
    return ClipScore(
        name=ref.name,
        duration_s=ref.duration_s,
        timed=ref.timed,
        error=run.error,
        ref_fillers=filler_counts(ref.tokens),
        hyp_fillers=Counter(h["class"] for h in hyp_list),
        stock_fillers=filler_counts(stock_tokens),
        hyp_filler_list=hyp_list,
        timed_ref_fillers=timed_ref,
        ref_markers=count_markers(ref.content),
        hyp_markers=[f["text"] for f in res.get("fillers", []) if f["kind"] == "discourse_marker"],
        wer_pipeline=_counts(ops_p, len(ref.content)),
        wer_stock=_counts(ops_s, len(ref.content)),
        errors_pipeline=describe_errors(ops_p),
        errors_stock=describe_errors(ops_s),
        pauses=pauses,
        ttfw_ref_s=ref.first_word_s,
        ttfw_hyp_s=metrics.get("time_to_first_word_s") if run.result else None,
        wpm_ref=wpm_ref,
        wpm_hyp=metrics.get("wpm") if run.result else None,
        notes=list(ref.notes),
        pipeline_s=run.pipeline_s,
        stock_s=run.stock_s,
    )


def _counts(ops: list[tuple[str, str | None, str | None]], n_ref: int) -> EditCounts:
    c = Counter(op for op, _, _ in ops)
    return EditCounts(c["sub"], c["del"], c["ins"], n_ref)


# --- synthetic long answers and noise ----------------------------------------------------------------


def frame_levels_db(samples: np.ndarray, *, frame: int = 400, hop: int = 160) -> np.ndarray:
    """dBFS of 25 ms frames every 10 ms."""
    if samples.size < frame:
        samples = np.pad(samples, (0, frame - samples.size))
    n = 1 + (samples.size - frame) // hop
    idx = np.arange(frame)[None, :] + hop * np.arange(n)[:, None]
    rms = np.sqrt(np.mean(samples[idx].astype(np.float64) ** 2, axis=1))
    return 20.0 * np.log10(np.maximum(rms, 1e-10))


def build_long(
    name: str,
    plan: list[tuple[str, float]],
    clips: dict[str, Path],
    out_dir: Path,
    rng: np.random.Generator,
    *,
    room: bool = True,
    bed_dbfs: float | None = None,
) -> tuple[Path, Reference]:
    """Join clips with silences of known length; derive the reference from the joins.

    Each clip is scaled to the same speech level (one session, one microphone). The eval clips'
    noise floors differ by 40 dB (the short mfa_* clips are near digital silence), which one
    recording never does, so with ``room`` a pink-noise bed brings every clip and every inserted
    silence up to the noisiest clip's floor (a clip already at that floor gets nothing added).
    Without ``room``, clips stay as they are and each silence is white noise at the quieter
    neighbour's floor; ``bed_dbfs`` sets the bed's level instead. Join pauses run from the last word
    of one clip to the first word of the next; an edge inside a clip without word timings is unknown and left out of the edge error.
    """
    import soundfile as sf
    from faster_whisper import decode_audio

    decoded = []
    for stem, gap_s in plan:
        x = decode_audio(str(clips[stem]), sampling_rate=SR).astype(np.float64)
        levels = frame_levels_db(x)
        x *= 10 ** ((LONG_SPEECH_LEVEL_DBFS - np.percentile(levels, 95)) / 20)
        decoded.append((stem, x, gap_s, float(np.percentile(frame_levels_db(x), 10))))
    bed_db = max(floor for *_, floor in decoded) if bed_dbfs is None else bed_dbfs

    pieces: list[np.ndarray] = []
    added_power: list[np.ndarray] = []  # noise power to add, per sample
    long_ref = Reference(name=name, duration_s=0.0, tokens=[])
    offset = 0.0
    prev_end: tuple[float, bool] | None = None
    for i, (stem, x, gap_s, floor_db) in enumerate(decoded):
        dur = x.size / SR
        ref = load_reference(clips[stem], dur)
        long_ref.tokens += ref.tokens
        if ref.timed:
            shift = _shift(offset)
            long_ref.words += [TimedWord(w.start + offset, w.end + offset, w.text) for w in ref.words]
            long_ref.pauses += [RefPause(p.start + offset, p.end + offset) for p in ref.pauses]
            long_ref.silences += [shift(s) for s in ref.silences]
            long_ref.judged.append((offset, offset + dur))
            long_ref.unjudged += [shift(u) for u in ref.unjudged]
            first, last = (ref.words[0].start + offset, True), (ref.words[-1].end + offset, True)
        else:
            first, last = (offset, False), (offset + dur, False)
        if prev_end is not None:
            long_ref.pauses.append(RefPause(prev_end[0], first[0], prev_end[1], first[1]))
        if i == 0:
            long_ref.first_word_s = first[0] if first[1] else None
        if i == len(decoded) - 1:
            long_ref.last_word_s = last[0] if last[1] else None
        pieces.append(x)
        added_power.append(np.full(x.size, max(0.0, 10 ** (bed_db / 10) - 10 ** (floor_db / 10))))
        offset += dur
        if gap_s > 0:
            n = int(round(gap_s * SR))
            if room:
                pieces.append(np.zeros(n))
                added_power.append(np.full(n, 10 ** (bed_db / 10)))
            else:
                next_floor = decoded[i + 1][3] if i + 1 < len(decoded) else floor_db
                pieces.append(rng.standard_normal(n) * 10 ** (min(floor_db, next_floor) / 20))
                added_power.append(np.zeros(n))
            long_ref.silences.append((offset, offset + gap_s))
            long_ref.judged.append((offset, offset + gap_s))
            offset += gap_s
        prev_end = last
    samples = np.concatenate(pieces)
    if room:
        samples += colored_noise(rng, samples.size, 1.0) * np.sqrt(np.concatenate(added_power))
    long_ref.duration_s = samples.size / SR
    long_ref.timed = True
    long_ref.pauses.sort(key=lambda p: p.start)
    long_ref.notes.append(
        "joined: "
        + " + ".join(f"{s}" + (f" [{g:g} s]" if g else "") for s, g in plan)
        + f"; timed parts {sum(b - a for a, b in long_ref.judged):.0f} of {long_ref.duration_s:.0f} s; "
        + (f"room noise bed at {bed_db:.0f} dBFS" if room else "no noise bed")
    )
    path = out_dir / f"{name}.wav"
    sf.write(path, np.clip(samples, -1.0, 1.0).astype(np.float32), SR, subtype="PCM_16")
    return path, long_ref


def colored_noise(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Unit-RMS noise with power falling as 1/f**exponent (0 white, 1 pink, 2 brown)."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SR)
    freqs[0] = freqs[1]
    x = np.fft.irfft(spectrum / freqs ** (exponent / 2), n)
    x -= x.mean()
    return x / np.sqrt(np.mean(x**2))


def _shift(offset: float) -> Callable[[tuple[float, float]], tuple[float, float]]:
    return lambda span: (span[0] + offset, span[1] + offset)


def noise_signals(rng: np.random.Generator, seconds: float = 10.0) -> dict[str, np.ndarray]:
    """Signals that hold no speech: digital silence, low white noise, louder pink and brown noise."""
    n = int(seconds * SR)
    return {
        "digital silence": np.zeros(n),
        "white noise -40 dBFS": colored_noise(rng, n, 0.0) * 10 ** (-40 / 20),
        "pink noise -20 dBFS": colored_noise(rng, n, 1.0) * 10 ** (-20 / 20),
        "brown noise -20 dBFS": colored_noise(rng, n, 2.0) * 10 ** (-20 / 20),
    }


def zero_word_checks(systems: Systems, out_dir: Path, rng: np.random.Generator) -> list[dict[str, Any]]:
    import soundfile as sf

    rows = []
    for label, x in noise_signals(rng).items():
        path = out_dir / (label.split()[0] + ".wav")
        sf.write(path, np.clip(x, -1, 1).astype(np.float32), SR, subtype="PCM_16")
        run = systems.run(path)
        words = [w["text"] for w in run.result["words"]] if run.result else []
        rows.append(
            {
                "signal": label,
                "pipeline": run.error or f"{len(words)} words",
                "pipeline_words": words,
                "ok": run.result is None or not words,
                "stock_words": len(run.stock_text.split()),
                "stock_text": run.stock_text,
            }
        )
    return rows


# --- totals -------------------------------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _r(value: float | None, nd: int = 3) -> float | None:
    return None if value is None else round(float(value), nd)


def _div(a: float, b: float) -> float | None:
    return a / b if b else None


def totals(scores: Sequence[ClipScore]) -> dict[str, Any]:
    ref_n = sum(sum(s.ref_fillers.values()) for s in scores)
    hyp_n = sum(sum(s.hyp_fillers.values()) for s in scores)
    matched = sum(s.typed_matched for s in scores)
    any_matched = sum(s.any_matched for s in scores)
    stock_n = sum(sum(s.stock_fillers.values()) for s in scores)
    stock_matched = sum(s.stock_matched for s in scores)
    timed = [s for s in scores if s.timed]
    t_ref = sum(len(s.timed_ref_fillers) for s in timed)
    t_hyp = [h for s in timed for h in s.timed_hyp]
    t_matched = sum(1 for h in t_hyp if h["time_match"])
    t_same_class = sum(1 for h in t_hyp if h["time_match"] and h["time_match"]["class"] == h["class"])
    by_source: dict[str, dict[str, int]] = {}
    for s in scores:
        for h in s.hyp_filler_list:
            entry = by_source.setdefault(h["source"], {"hyp": 0, "timed_hyp": 0, "time_matched": 0})
            entry["hyp"] += 1
            if h["time_match"] is not None:
                entry["timed_hyp"] += 1
                entry["time_matched"] += bool(h["time_match"])
    wer_p = sum((s.wer_pipeline for s in scores), EditCounts(0, 0, 0, 0))
    wer_s = sum((s.wer_stock for s in scores), EditCounts(0, 0, 0, 0))
    pauses = PauseScore()
    for s in timed:
        if s.pauses is not None:
            pauses += s.pauses
    ttfw = [abs(s.ttfw_err_s) for s in scores if s.ttfw_err_s is not None]
    wpm_errs = [abs(s.wpm_err_pct) for s in scores if s.wpm_err_pct is not None]
    return {
        "invented_on_clean": sum(
            sum(s.hyp_fillers.values()) for s in scores if not sum(s.ref_fillers.values())
        ),
        "clips": len(scores),
        "audio_s": round(sum(s.duration_s for s in scores), 1),
        "refused": [s.name for s in scores if s.error],
        "filled_pauses": {
            "ref": ref_n,
            "hyp": hyp_n,
            "matched": matched,
            "recall": _r(_div(matched, ref_n)),
            "precision": _r(_div(matched, hyp_n)),
            "any_type_matched": any_matched,
            "stock": {
                "hyp": stock_n,
                "matched": stock_matched,
                "recall": _r(_div(stock_matched, ref_n)),
                "precision": _r(_div(stock_matched, stock_n)),
            },
            "in_time": {
                "clips": len(timed),
                "ref": t_ref,
                "hyp": len(t_hyp),
                "matched": t_matched,
                "same_class": t_same_class,
                "recall": _r(_div(t_matched, t_ref)),
                "precision": _r(_div(t_matched, len(t_hyp))),
                "tolerance_s": FILLER_TOLERANCE_S,
            },
            "by_source": by_source,
        },
        "discourse_markers": {
            "ref_phrases": sum(sum(s.ref_markers.values()) for s in scores),
            "hyp": sum(len(s.hyp_markers) for s in scores),
        },
        "content_wer": {
            "ref_words": wer_p.ref_words,
            "pipeline": _r(wer_p.wer),
            "stock": _r(wer_s.wer),
            "target_met": wer_p.wer <= wer_s.wer + 0.02 + 1e-12,
        },
        "pauses": {
            "clips": len(timed),
            "ref_ge_0.3s": pauses.ref_counted,
            "found": pauses.found,
            "missed": len(pauses.missed),
            "edge_mean_s": _r(_mean(pauses.edge_errors_s)),
            "edge_max_s": _r(max(pauses.edge_errors_s, default=None)),
            "start_bias_s": _r(_mean(pauses.start_bias_s)),
            "end_bias_s": _r(_mean(pauses.end_bias_s)),
            "false_ge_0.4s": len(pauses.false),
            "over_ref_filler": len(pauses.over_fillers),
            "unjudged": pauses.unjudged,
        },
        "time_to_first_word": {
            "clips": len(ttfw),
            "mean_abs_err_s": _r(_mean(ttfw)),
            "max_abs_err_s": _r(max(ttfw, default=None)),
        },
        "wpm": {
            "clips": len(wpm_errs),
            "mean_abs_err_pct": _r(_mean(wpm_errs), 1),
            "max_abs_err_pct": _r(max(wpm_errs, default=None), 1),
        },
    }


# --- printing -----------------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, right: set[int] | None = None) -> str:
    right = right if right is not None else set(range(1, len(headers)))
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, r in enumerate(cells):
        lines.append(
            "  ".join(
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _classes(c: Counter[str]) -> str:
    return " ".join(f"{k}{c[k]}" for k in ("um", "uh", "hm", "other") if c[k]) or "-"


def _f(value: float | None, fmt: str = "{:.2f}") -> str:
    return "-" if value is None else fmt.format(value)


def _span(a: float, b: float) -> str:
    return f"{a:.2f}-{b:.2f}"


def filler_rows(scores: Sequence[ClipScore]) -> list[list[Any]]:
    rows = []
    for s in scores:
        timed = s.timed_hyp
        rows.append(
            [
                s.name,
                _classes(s.ref_fillers),
                _classes(s.hyp_fillers),
                s.typed_matched,
                _classes(s.stock_fillers),
                f"{len(s.timed_ref_fillers)}/{len(timed)}/{sum(1 for h in timed if h['time_match'])}"
                if s.timed
                else "-",
                ", ".join(
                    f"{k} {v}" for k, v in sorted(Counter(h["source"] for h in s.hyp_filler_list).items())
                )
                or "-",
            ]
        )
    return rows


def print_report(
    out: Callable[[str], None],
    title: str,
    scores: Sequence[ClipScore],
    tot: dict[str, Any],
) -> None:
    fp = tot["filled_pauses"]
    out(f"\n== {title}: filled pauses (um/uh/hm; er/ah count as uh, erm/uhm as um, mm/mhm/hmm as hm)")
    out(
        "   match = sum over classes of min(ref, hyp); in time: ref/hyp/matched, hyp within 0.2 s of a ref filler"
    )
    out(
        table(
            ["clip", "ref", "hyp", "match", "stock hyp", "in time r/h/m", "hyp sources"],
            filler_rows(scores),
            right={3},
        )
    )
    it = fp["in_time"]
    out(
        f"   counts by type: recall {_f(fp['recall'])}  precision {_f(fp['precision'])}"
        f"  (ref {fp['ref']}, hyp {fp['hyp']}, matched {fp['matched']}; any type {fp['any_type_matched']})"
        f"   stock faster-whisper: recall {_f(fp['stock']['recall'])} precision {_f(fp['stock']['precision'])}"
    )
    out(
        f"   in time (clips with timings): recall {_f(it['recall'])}  precision {_f(it['precision'])}"
        f"  (ref {it['ref']}, hyp {it['hyp']}, matched {it['matched']}, same class {it['same_class']})"
    )

    out(f"\n== {title}: discourse markers (count only; ref = every use of a marker phrase, an upper bound)")
    out(
        table(
            ["clip", "ref", "hyp", "ref phrases", "hyp markers"],
            [
                [
                    s.name,
                    sum(s.ref_markers.values()),
                    len(s.hyp_markers),
                    ", ".join(f"{k} x{v}" for k, v in sorted(s.ref_markers.items())) or "-",
                    ", ".join(s.hyp_markers) or "-",
                ]
                for s in scores
            ],
            right={1, 2},
        )
    )

    out(f"\n== {title}: content WER (fillers dropped from both sides; Whisper-style normalisation)")
    out(
        table(
            [
                "clip",
                "words",
                "pipeline",
                "stock",
                "diff",
                "time s",
                "pipeline errors (ref->hyp, -deleted, +inserted)",
            ],
            [
                [
                    s.name,
                    s.wer_pipeline.ref_words,
                    _f(s.wer_pipeline.wer, "{:.3f}"),
                    _f(s.wer_stock.wer, "{:.3f}"),
                    _f(s.wer_pipeline.wer - s.wer_stock.wer, "{:+.3f}"),
                    f"{s.pipeline_s:.1f}/{s.stock_s:.1f}",
                    _clip_text(" ".join(compress_repeats(s.errors_pipeline)) or "-", 70),
                ]
                for s in scores
            ],
            right={1, 2, 3, 4, 5},
        )
    )
    out(
        "   time s = wall clock of the pipeline / of stock faster-whisper in this process (model loaded once)"
    )
    w = tot["content_wer"]
    out(
        f"   total: pipeline {w['pipeline']:.3f}  stock {w['stock']:.3f}  over {w['ref_words']} words;"
        f" target pipeline <= stock + 0.02: {'met' if w['target_met'] else 'NOT met'}"
    )

    timed = [s for s in scores if s.timed]
    if timed:
        out(f"\n== {title}: pauses and pace (recordings with word timings)")
        out(
            "   ref pauses = silent gaps >= 0.25 s between first and last word; found/ref counts those >= 0.3 s;"
        )
        out("   edge = |detected - ref| over both known edges of matched pauses; false = detected >= 0.4 s")
        out("   with < 0.05 s of reference silence in it; on filler = detected pause covering >= 0.1 s of a")
        out("   reference filled pause; wpm = content words / (last word end - first word start)")
        rows = []
        for s in timed:
            p = s.pauses or PauseScore()
            rows.append(
                [
                    s.name,
                    f"{p.found}/{p.ref_counted}",
                    _f(_mean(p.edge_errors_s)),
                    _f(max(p.edge_errors_s, default=None)),
                    len(p.false),
                    len(p.over_fillers),
                    p.unjudged,
                    f"{_f(s.ttfw_ref_s)}/{_f(s.ttfw_hyp_s)}",
                    _f(s.ttfw_err_s, "{:+.2f}"),
                    f"{_f(s.wpm_ref, '{:.0f}')}/{_f(s.wpm_hyp, '{:.0f}')}",
                    _f(s.wpm_err_pct, "{:+.1f}%"),
                ]
            )
        out(
            table(
                [
                    "clip",
                    "found",
                    "edge mean",
                    "edge max",
                    "false",
                    "on filler",
                    "unjudged",
                    "ttfw ref/hyp",
                    "err s",
                    "wpm ref/hyp",
                    "err",
                ],
                rows,
            )
        )


def print_detail(out: Callable[[str], None], scores: Sequence[ClipScore]) -> None:
    for s in scores:
        lines = []
        if s.error:
            lines.append(f"pipeline refused the clip: {s.error}")
        lines += [f"note: {n}" for n in s.notes]
        diff = []
        for c in sorted(set(s.ref_fillers) | set(s.hyp_fillers)):
            d = s.hyp_fillers[c] - s.ref_fillers[c]
            if d < 0:
                diff.append(f"missed {-d} {c}")
            elif d > 0:
                diff.append(f"invented {d} {c}")
        if diff:
            lines.append("filler counts: " + ", ".join(diff))
        if s.hyp_filler_list:
            parts = []
            for h in s.hyp_filler_list:
                tm = h["time_match"]
                mark = "" if tm is None else " ok" if tm else " NO-REF"
                if tm:
                    mark = f" = ref {tm['class']} {_span(tm['start'], tm['end'])}"
                parts.append(f"{h['text']} {_span(h['start'], h['end'])} [{h['source']}]{mark}")
            lines.append("hyp fillers: " + "; ".join(parts))
        missed_t = [r for r in s.timed_ref_fillers if r["matched_by"] is None]
        if missed_t:
            lines.append(
                "ref fillers not found in time: "
                + ", ".join(f"{r['class']} {_span(r['start'], r['end'])}" for r in missed_t)
            )
        p = s.pauses
        if p is not None:
            if p.missed:
                lines.append(
                    "pauses missed: "
                    + ", ".join(f"{_span(m.start, m.end)} ({m.duration_s:.2f} s)" for m in p.missed)
                )
            big = [(d, r) for d, r in p.matched if max(_edges(d, r), default=0) >= 0.1]
            if big:
                lines.append(
                    "pause edges off >= 0.1 s: "
                    + ", ".join(f"det {_span(*d)} vs ref {_span(r.start, r.end)}" for d, r in big)
                )
            if p.false:
                lines.append("false pauses (in speech): " + ", ".join(_span(*d) for d in p.false))
            if p.over_fillers:
                lines.append(
                    "pauses over a ref filler: "
                    + ", ".join(f"det {_span(*d)} over filler {_span(*f)}" for d, f in p.over_fillers)
                )
            if p.extra:
                lines.append("other unmatched detected pauses: " + ", ".join(_span(*d) for d in p.extra))
        if s.ttfw_err_s is not None and abs(s.ttfw_err_s) >= 0.1:
            lines.append(f"time to first word: ref {s.ttfw_ref_s:.2f} s, detected {s.ttfw_hyp_s:.2f} s")
        if s.errors_pipeline:
            lines.append("pipeline WER errors: " + " ".join(compress_repeats(s.errors_pipeline)))
        if s.errors_stock:
            lines.append("stock WER errors: " + " ".join(compress_repeats(s.errors_stock)))
        if lines:
            out(f"{s.name}:")
            for line in lines:
                out(f"  {line}")


def _edges(d: tuple[float, float], r: RefPause) -> list[float]:
    return ([abs(d[0] - r.start)] if r.start_known else []) + ([abs(d[1] - r.end)] if r.end_known else [])


def _clip_text(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def compact_block(
    short: dict[str, Any], long: dict[str, Any] | None, zero: list[dict[str, Any]], meta: dict[str, Any]
) -> str:
    def block(t: dict[str, Any]) -> list[str]:
        fp, it, w, p = t["filled_pauses"], t["filled_pauses"]["in_time"], t["content_wer"], t["pauses"]
        src = ", ".join(
            f"{k} {v['hyp']} ({v['time_matched']}/{v['timed_hyp']} in time)"
            for k, v in sorted(fp["by_source"].items())
        )
        return [
            f"  filled pauses, counts by type  R {_f(fp['recall'])}  P {_f(fp['precision'])}"
            f"  (ref {fp['ref']}, hyp {fp['hyp']}; stock faster-whisper R {_f(fp['stock']['recall'])})",
            f"  filled pauses, in time ±{it['tolerance_s']:g} s  R {_f(it['recall'])}  P {_f(it['precision'])}"
            f"  (ref {it['ref']}, hyp {it['hyp']}, timed clips {it['clips']})",
            f"  filler sources                {src or '-'}",
            f"  discourse markers             hyp {t['discourse_markers']['hyp']}, ref phrases {t['discourse_markers']['ref_phrases']} (count only)",
            f"  content WER                   pipeline {w['pipeline']:.3f}, stock {w['stock']:.3f}"
            f" (target <= stock + 0.02: {'met' if w['target_met'] else 'NOT met'})",
            f"  pauses >= 0.3 s               found {p['found']}/{p['ref_ge_0.3s']}, edge error mean {_f(p['edge_mean_s'])} s"
            f" max {_f(p['edge_max_s'])} s, false >= 0.4 s: {p['false_ge_0.4s']}, on a filler: {p['over_ref_filler']}",
            f"  pause edge bias (det - ref)   start {_f(p['start_bias_s'], '{:+.2f}')} s, end {_f(p['end_bias_s'], '{:+.2f}')} s"
            " (mean signed; + start = late, - end = early: pauses measured short)",
            f"  time to first word            mean |error| {_f(t['time_to_first_word']['mean_abs_err_s'])} s"
            f" (max {_f(t['time_to_first_word']['max_abs_err_s'])} s)",
            f"  wpm (speaking span)           mean |error| {_f(t['wpm']['mean_abs_err_pct'], '{:.1f}')} %"
            f" (max {_f(t['wpm']['max_abs_err_pct'], '{:.1f}')} %)",
        ]

    lines = [
        f"reps eval {meta['date']} on {meta['machine']}: {', '.join(meta['eval_dirs'])}, model {meta['model']}",
        f"short clips: {short['clips']} clips, {short['audio_s']:.0f} s"
        + (f"; refused: {', '.join(short['refused'])}" if short["refused"] else ""),
        *block(short),
    ]
    if long is not None:
        lines += [
            f"long answers (joined clips): {long['clips']} answers, {long['audio_s']:.0f} s",
            *block(long),
        ]
    if zero:
        ok = sum(1 for z in zero if z["ok"])
        outcomes = Counter(z["pipeline"] for z in zero)
        lines.append(
            f"zero-word checks: {ok}/{len(zero)} gave no words ("
            + ", ".join(z["signal"] for z in zero)
            + "): "
            + ", ".join(f"{k} x{v}" for k, v in outcomes.items())
        )
    lines.append(f"eval time {meta['elapsed_s']:.0f} s")
    return "\n".join(lines)


# --- the by-speaker split: labelled candidates, spliced answers, tuning and held-out figures ---------

# Where spliced answers put their fillers (issue 9: start, after sentence ends, end).
SPLICE_PLACES = (("start", "end"), ("start", "mid"), ("mid", "end"), ("start", "mid", "end"))
# Added in round 3 (both splits): the opening filler run into the first word, soon after the start.
OPEN_PLACES = (("open", "mid"), ("open", "end"))
# The tuning split's built answers are also built in a noisy room (a pink-noise bed this many dB under
# the loud frames, as in the long answers) and with no filler at all: its staged clips are nearly all
# fillers, and the fit must also see the sounds that are not (noise, read speech the stamps miss).
# The held-out answers are built as before, so their figures compare across rounds.
TUNE_ROOM_SNR_DB = 15.0
# Filler donors of the tuning split: staged clips whose one gap holds one filled pause of this class.
TUNE_DONORS = {"mfa_uh": "uh", "mfa_um": "um", "mfa_crossword": "um"}
# Evidence sources removed one at a time in the ablation (FEATURES of interview_reps.analyze.detector).
ABLATION_GROUPS: dict[str, tuple[str, ...]] = {
    "decoder's token (written, probability)": ("written", "word_prob"),
    "voicing and pitch steadiness": ("steady_frac",),
    "spectral steadiness": ("flux_rel",),
    "Silero speech probability": ("vad",),
    "content-word coverage": ("covered",),
    "position (answer edge, beside a pause)": ("edge", "beside_pause"),
}


# Long answers of each split alone (> 60 s: several of Whisper's 30 s windows), silences in seconds.
SPLIT_LONG_PLANS: dict[str, list[tuple[str, float]]] = {
    "tune_long": [
        ("librispeech_2412-153948-0000", 0.8),
        ("mfa_uh", 1.5),
        ("librispeech_61-70968-0000", 0.6),
        ("mfa_um", 2.0),
        ("mfa_uhum", 0.7),
        ("librispeech_2412-153948-0000", 1.2),
        ("mfa_crossword", 0.9),
        ("mfa_uhuh", 3.0),
        ("mfa_youknow", 0.5),
        ("librispeech_61-70968-0000", 0.0),
    ],
    "heldout_long": [
        ("mfa_acoustic_corpus", 1.0),
        ("jfk", 0.7),
        ("ljspeech_LJ002-0020", 2.2),
        ("mfa_cold_corpus", 0.6),
        ("ljspeech_LJ002-0035", 1.4),
        ("jfk", 0.0),
    ],
}
# The tuning long answer once more in a noisy room (as loud a bed as the development set's long
# answers get from their noisiest clip): the noise-bed sounds the fit must learn are no fillers.
SPLIT_LONG_PLANS["tune_long_room"] = SPLIT_LONG_PLANS["tune_long"]
SPLIT_LONG_BEDS = {"tune_long_room": LONG_SPEECH_LEVEL_DBFS - TUNE_ROOM_SNR_DB}


@dataclass
class Item:
    """One recording or spliced answer of the split, with its detector candidates labelled."""

    name: str
    path: Path
    speaker: str
    split: str
    spliced: bool
    ref: Reference
    candidates: list[Any]
    labels: list[int]


@dataclass
class Collected:
    items: list[Item]
    systems: Any

    def matrix(self, split: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
        rows, ys, groups = [], [], []
        for it in self.items:
            if it.split == split:
                known = [(c, lab) for c, lab in zip(it.candidates, it.labels, strict=True) if lab >= 0]
                rows += [c.evidence for c, _ in known]
                ys += [lab for _, lab in known]
                groups += [it.name] * len(known)
        return np.array(rows, dtype=float), np.array(ys, dtype=int), groups

    def speakers(self, split: str) -> set[str]:
        return {it.speaker for it in self.items if it.split == split}


def all_clips(dirs: Sequence[Path]) -> list[Path]:
    clips: list[Path] = []
    for folder in dirs:
        seen = {p.stem for p in clips}
        clips += [p for p in find_clips(folder) if p.stem not in seen]  # a clip in two folders counts once
    return clips


def _candidates(systems: Systems, path: Path) -> tuple[list[Any], tuple[Any, ...]]:
    from interview_reps.analyze import detector_candidates

    st = systems.stages(path)
    if st.transcript is None:
        return [], ()
    content, cands = detector_candidates(st.transcript, st.frames)
    return cands, content


def collect(clips: Sequence[Path], *, model: str | None, systems: Systems | None = None) -> Collected:
    """Every clip and spliced answer of both splits, their candidates labelled (stages cached)."""
    import soundfile as sf
    from detector_data import Donor, label_candidates, splice, split_of, timed_donors
    from faster_whisper import decode_audio

    systems = systems or Systems(model)
    items: list[Item] = []
    for path in clips:
        speaker, split = split_of(path)
        ref = load_reference(path, sf.info(str(path)).duration)
        cands, content = _candidates(systems, path)
        labels = label_candidates(
            cands, content, ref.tokens, ref.timed_fillers if ref.timed else None, ref.duration_s
        )
        items.append(Item(path.stem, path, speaker, split, False, ref, cands, labels))

    by_name = {it.name: it for it in items}
    spliced_dir = systems.cache / "spliced"
    spliced_dir.mkdir(parents=True, exist_ok=True)

    def rng_for(name: str) -> np.random.Generator:  # each built answer its own noise, whatever else is built
        import zlib

        return np.random.default_rng(zlib.crc32(name.encode()))

    for split in ("tune", "heldout"):
        donors: list[tuple[Donor, np.ndarray]] = []
        for it in items:
            if it.split != split or not sum(filler_counts(it.ref.tokens).values()):
                continue
            x = decode_audio(str(it.path), sampling_rate=SR)
            if it.ref.timed:
                found = timed_donors(it.ref.words, it.name)
            elif it.name in TUNE_DONORS:
                found = [
                    Donor(it.name, c.start, c.end, TUNE_DONORS[it.name])
                    for c, lab in zip(it.candidates, it.labels, strict=True)
                    if lab == 1
                ]
            else:
                found = []
            donors += [(d, x[int((d.start - 0.03) * SR) : int((d.end + 0.03) * SR)]) for d in found]
        donor_speakers = {by_name[d.clip].speaker for d, _ in donors}
        carriers = [
            it
            for it in items
            if it.split == split
            and not it.spliced
            and it.speaker not in donor_speakers
            and not sum(filler_counts(it.ref.tokens).values())
        ]
        if not donors:
            continue
        variants: list[tuple[tuple[str, ...], float | None]] = [
            (p, None) for p in SPLICE_PLACES + OPEN_PLACES
        ]
        if split == "tune":
            variants += [((), None)] + [(p, TUNE_ROOM_SNR_DB) for p in ((), *SPLICE_PLACES)]
        for c in carriers:
            x = decode_audio(str(c.path), sampling_rate=SR)
            for n, (places, room) in enumerate(variants):
                name = f"{c.name}+{'+'.join(places) or 'none'}" + ("+room" if room is not None else "")
                order = donors[n % len(donors) :] + donors[: n % len(donors)]
                sp = splice(name, x, c.ref.tokens, order, list(places), rng_for(name), room_snr_db=room)
                out = spliced_dir / f"{name}.wav"
                sf.write(out, sp.samples, SR, subtype="PCM_16")
                dur = sp.samples.size / SR
                ref = Reference(
                    name=name,
                    duration_s=dur,
                    tokens=sp.tokens,
                    timed=True,
                    words=[TimedWord(s, e, t) for s, e, t in sp.fillers],
                    judged=[(0.0, dur)],
                    first_word_s=sp.first_sound_s,
                    pauses_known=False,
                    notes=[
                        f"spliced: {c.name} + fillers from "
                        + ", ".join(sorted({d.clip for d, _ in order[: len(places)]}))
                        + f" at {', '.join(places)}"
                    ],
                )
                cands, content = _candidates(systems, out)
                labels = label_candidates(cands, content, ref.tokens, ref.timed_fillers, dur)
                items.append(Item(name, out, c.speaker, split, True, ref, cands, labels))
    by_stem = {p.stem: p for p in clips}
    for name, plan in SPLIT_LONG_PLANS.items():
        if not all(stem in by_stem for stem, _ in plan):
            continue
        path, ref = build_long(
            name, plan, by_stem, spliced_dir, rng_for(name), bed_dbfs=SPLIT_LONG_BEDS.get(name)
        )
        split = split_of(by_stem[plan[0][0]])[1]
        cands, content = _candidates(systems, path)
        # Untimed parts: the reference's fillers placed through the content words around them.
        labels = label_candidates(cands, content, ref.tokens, None, ref.duration_s)
        speakers = sorted({split_of(by_stem[stem])[0] for stem, _ in plan})
        items.append(Item(name, path, " + ".join(speakers), split, True, ref, cands, labels))
    items += _trimmed(items, systems, spliced_dir)
    return Collected(items, systems)


# Added in round 3 (both splits): each recording with fillers cut to this much before its first word
# and after its last, as an answer recorded from the microphone starts ("Um, so..." at once).
TRIM_EDGE_S = 0.3


def _trimmed(items: Sequence[Item], systems: Systems, out_dir: Path) -> list[Item]:
    """The recordings with filled pauses, their lead and tail cut to ``TRIM_EDGE_S``: the speaker's
    own opening and closing fillers right at the edges of the file."""
    import soundfile as sf
    from detector_data import carrier_cuts, label_candidates
    from faster_whisper import decode_audio

    out: list[Item] = []
    for it in items:
        if it.spliced or not sum(filler_counts(it.ref.tokens).values()):
            continue
        x = decode_audio(str(it.path), sampling_rate=SR)
        if it.ref.timed and it.ref.words:
            first, last = it.ref.words[0].start, it.ref.words[-1].end
        else:
            first, last, _ = carrier_cuts(x)
        a, b = max(0.0, first - TRIM_EDGE_S), min(x.size / SR, last + TRIM_EDGE_S)
        name = f"{it.name}+trim"
        path = out_dir / f"{name}.wav"
        sf.write(path, x[int(a * SR) : int(b * SR)], SR, subtype="PCM_16")
        words = [
            TimedWord(w.start - a, w.end - a, w.text) for w in it.ref.words if a <= w.start and w.end <= b
        ]
        ref = Reference(
            name=name,
            duration_s=b - a,
            tokens=it.ref.tokens,
            timed=it.ref.timed,
            words=words,
            judged=[(0.0, b - a)] if it.ref.timed else [],
            first_word_s=(first - a) if it.ref.timed else None,
            last_word_s=(last - a) if it.ref.timed else None,
            pauses_known=False,
            notes=[f"trimmed: {it.name} from {a:.2f} s to {b:.2f} s"],
        )
        cands, content = _candidates(systems, path)
        labels = label_candidates(
            cands, content, ref.tokens, ref.timed_fillers if ref.timed else None, ref.duration_s
        )
        out.append(Item(name, path, it.speaker, it.split, True, ref, cands, labels))
    return out


def score_items(data: Collected, items: Sequence[Item], weights: Any = None) -> list[ClipScore]:
    return [score_clip(it.ref, data.systems.run(it.path, weights)) for it in items]


def split_report(out: Callable[[str], None], data: Collected, *, ablation: bool) -> dict[str, Any]:
    """Tuning and held-out figures (recordings and spliced answers apart), and the ablation."""
    from fit_detector import fit

    from interview_reps.analyze.detector import FEATURES, DetectorWeights

    summary: dict[str, Any] = {}
    out("\n== by-speaker split: tuning figures (fitted here) and held-out figures (only measured)")
    rows = []
    for split in ("tune", "heldout"):
        for kind, spliced in (("recordings", False), ("built answers", True)):
            items = [it for it in data.items if it.split == split and it.spliced == spliced]
            if not items:
                continue
            tot = totals(score_items(data, items))
            summary[f"{split} {kind}"] = tot
            rows.append(_split_row(split, kind, items, tot))
            for sub, label in BUILT_GROUPS.items() if spliced else ():
                part = [it for it in items if _built_group(it.name) == sub]
                if part:
                    sub_tot = totals(score_items(data, part))
                    summary[f"{split} {kind}: {label}"] = sub_tot
                    rows.append(_split_row(" ", f"- {label}", part, sub_tot))
    out(
        table(
            [
                "split",
                "items",
                "speakers",
                "fillers",
                "recall",
                "precision",
                "in time R/P",
                "invented on no-filler",
                "WER pipe/stock",
                "ttfw err",
            ],
            rows,
            right={1, 3, 4, 5},
        )
    )
    out("   recall/precision: counts by type; in time: within 0.2 s of a reference filler;")
    out("   invented on no-filler = filled pauses counted on the items whose reference holds none")
    if not ablation:
        return summary
    x, y, _ = data.matrix("tune")
    if y.sum() == 0 or y.sum() == len(y):
        out("   (no ablation: the tuning split has one class only)")
        return summary
    held = [it for it in data.items if it.split == "heldout"]
    out("\n== ablation: held-out recall and precision with each evidence source removed (refitted on tuning)")
    arows = []
    full = totals(score_items(data, held))
    arows.append(["all evidence, the shipped weights", *_rp(full)])
    refit = DetectorWeights.from_json(fit(x, y, FEATURES))
    arows.append(["all evidence, refitted here", *_rp(totals(score_items(data, held, refit)))])
    for label, group in ABLATION_GROUPS.items():
        w = DetectorWeights.from_json(fit(x, y, FEATURES, drop=group))
        arows.append([f"without {label}", *_rp(totals(score_items(data, held, w)))])
    out(table(["detector", "recall", "precision", "in time R", "in time P", "hyp"], arows))
    summary["ablation"] = arows
    return summary


def _rp(t: dict[str, Any]) -> list[str]:
    fp, it = t["filled_pauses"], t["filled_pauses"]["in_time"]
    return [_f(fp["recall"]), _f(fp["precision"]), _f(it["recall"]), _f(it["precision"]), str(fp["hyp"])]


# The built answers in groups, for the split table: those built as in earlier rounds (their figures
# compare across rounds), and those added in round 3 (OPEN_PLACES, TRIM_EDGE_S).
BUILT_GROUPS = {
    "spliced": "spliced as before",
    "open": "opening run into the first word",
    "trim": "recordings, edges trimmed",
    "long": "long answers",
}


def _built_group(name: str) -> str:
    if "+trim" in name:
        return "trim"
    if "+open" in name:
        return "open"
    return "spliced" if "+" in name else "long"


def _split_row(split: str, kind: str, items: Sequence[Item], tot: dict[str, Any]) -> list[Any]:
    fp, it, w = tot["filled_pauses"], tot["filled_pauses"]["in_time"], tot["content_wer"]
    return [
        f"{split} {kind}",
        len(items),
        len({i.speaker for i in items}),
        fp["ref"],
        _f(fp["recall"]),
        _f(fp["precision"]),
        f"{_f(it['recall'])}/{_f(it['precision'])}",
        tot.get("invented_on_clean", "-"),
        f"{_f(w['pipeline'], '{:.3f}')}/{_f(w['stock'], '{:.3f}')}",
        _f(tot["time_to_first_word"]["mean_abs_err_s"]),
    ]


# --- main -----------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPU ({cpu})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "eval_dirs",
        type=Path,
        nargs="*",
        default=list(DEFAULT_DIRS),
        help="folders of recordings with NAME.txt references (default: samples/ and tests/data/)",
    )
    parser.add_argument("--json", action="store_true", help="totals as JSON on stdout; tables on stderr")
    parser.add_argument(
        "--long", action="store_true", help="also score synthetic long answers (> 60 s, > 2 min)"
    )
    parser.add_argument(
        "--no-room",
        action="store_true",
        help="long answers without the common noise bed: clips' own floors (40 dB apart), white-noise gaps",
    )
    parser.add_argument(
        "--keep-audio", type=Path, metavar="DIR", help="write the synthetic long answers and noise files here"
    )
    parser.add_argument("--model", help="the model to evaluate (default: the pipeline's default)")
    parser.add_argument("--no-split", action="store_true", help="skip the split figures and the ablation")
    args = parser.parse_args(argv)

    stream = sys.stderr if args.json else sys.stdout

    def out(line: str = "") -> None:
        print(line, file=stream, flush=True)

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    clips: list[Path] = []
    for folder in args.eval_dirs:
        if not folder.is_dir():
            print(
                f"evaluate: {folder}: no such folder (REPS_EVAL_DIR or the arguments name it)",
                file=sys.stderr,
            )
            return 2
        found = find_clips(folder)
        if not found:
            print(f"evaluate: {folder}: no recordings with a NAME.txt reference in it", file=sys.stderr)
            return 2
        seen = {p.stem for p in clips}
        clips += [p for p in found if p.stem not in seen]  # the same clip in two folders counts once
    started = time.perf_counter()
    os.environ.setdefault("REPS_HOME", tempfile.mkdtemp(prefix="reps-eval-home-"))
    import soundfile as sf

    systems = Systems(args.model)
    scores = []
    for n, path in enumerate(clips, 1):
        progress(f"[{n}/{len(clips)}] {path.name}")
        ref = load_reference(path, sf.info(str(path)).duration)
        scores.append(score_clip(ref, systems.run(path)))
    short_tot = totals(scores)

    long_scores: list[ClipScore] = []
    zero: list[dict[str, Any]] = []
    rng = np.random.default_rng(20261126)
    with tempfile.TemporaryDirectory(prefix="reps-eval-") as tmp:
        if args.keep_audio:
            args.keep_audio.mkdir(parents=True, exist_ok=True)
            tmp = str(args.keep_audio)
        if args.long:
            by_stem = {p.stem: p for p in clips}
            for name, plan in LONG_PLANS.items():
                if not all(stem in by_stem for stem, _ in plan):
                    progress(f"skipping {name}: clips missing")
                    continue
                path, ref = build_long(name, plan, by_stem, Path(tmp), rng, room=not args.no_room)
                progress(f"[long] {name} ({ref.duration_s:.0f} s)")
                long_scores.append(score_clip(ref, systems.run(path)))
        progress("[zero-word checks]")
        zero = zero_word_checks(systems, Path(tmp), rng)
    long_tot = totals(long_scores) if long_scores else None

    meta = {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "eval_dirs": [str(d) for d in args.eval_dirs],
        "model": systems.model_name,
        "elapsed_s": time.perf_counter() - started,
    }
    print_report(out, "short clips", scores, short_tot)
    if long_tot is not None:
        print_report(out, "long answers", long_scores, long_tot)
    out("\n== zero-word checks (10 s each; expect 'no speech detected' or zero words)")
    out(
        table(
            ["signal", "pipeline", "ok", "stock faster-whisper"],
            [
                [
                    z["signal"],
                    z["pipeline"],
                    "yes" if z["ok"] else "NO",
                    _clip_text(repr(z["stock_text"]), 60),
                ]
                for z in zero
            ],
            right=set(),
        )
    )
    out("\n== detail: where fillers and pauses disagree (times in s)")
    print_detail(out, scores + long_scores)
    split_summary = None
    if not args.no_split:
        progress("[split: recordings and spliced answers]")
        split_summary = split_report(out, collect(clips, model=args.model, systems=systems), ablation=True)
    out("\n== totals (paste into README)")
    out(compact_block(short_tot, long_tot, zero, meta))
    if args.json:
        payload = {
            **{k: v for k, v in meta.items() if k != "elapsed_s"},
            "elapsed_s": round(meta["elapsed_s"], 1),
            "short": short_tot,
            "long": long_tot,
            "zero_word": [{k: v for k, v in z.items() if k != "stock_text"} for z in zero],
            "split": split_summary,
            "clips": [s.summary() for s in scores + long_scores],
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
