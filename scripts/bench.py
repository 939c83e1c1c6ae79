"""Cost of `reps analyze` on a ~60 s answer, as a ratio to bare faster-whisper on the same file, and
peak memory on 1, 10 and 60 minute answers.

Usage: python scripts/bench.py [--seconds 60] [--repeat 3] [--eval-dir DIR] [--model NAME]
                               [--memory-minutes 1 10 60]
       python scripts/bench.py --batch 20 [--jobs 1,2] [--repeat 3]

``--batch N`` instead measures throughput: ``reps analyze`` on N files (copies of the clips, in turn)
with ``--no-save --json --jobs J`` for each J, as files per minute and audio seconds per second.

Each measurement is a whole process (wall clock, subprocess), so imports, model load and decoding
count: (a) ``reps analyze FILE --no-save --json``; (b) a fresh ``python -c`` that loads the same
embedded model with WhisperModel(dir, device="cpu", compute_type="int8"), calls
``transcribe(FILE, beam_size=5)`` with the other defaults and iterates all segments; (c) ``reps --help``.
REPS_HOME points at a temporary folder; the rest of the environment is passed on unchanged.
Both sides use the same model (``--model``, default the pipeline's default), from the same folder.

Peak memory: the maximum resident set size (``ru_maxrss`` from ``os.wait4``) of one whole process of
(a) and of (b) on answers of each length in ``--memory-minutes`` (the built answer repeated).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SR = 16_000
ROOT = Path(__file__).resolve().parents[1]

BARE_WHISPER = """
import sys
from faster_whisper import WhisperModel
model = WhisperModel(sys.argv[1], device="cpu", compute_type="int8")
segments, info = model.transcribe(sys.argv[2], beam_size=5)
words = sum(len(s.text.split()) for s in segments)
print(words)
"""


def build_answer(eval_dir: Path, seconds: float, out: Path, *, gap_s: float = 0.6) -> float:
    """Join eval clips (in name order, cycling) with ``gap_s`` of low noise to within ~2 s of ``seconds``.

    A clip that would overshoot by more than 2 s is skipped while a shorter one can still fit.
    """
    import soundfile as sf

    clips = []
    for path in sorted(p for p in eval_dir.iterdir() if p.suffix.lower() in (".wav", ".flac")):
        x, sr = sf.read(path, dtype="float32", always_2d=True)
        if sr != SR:
            raise SystemExit(f"bench: {path.name} is {sr} Hz; expected {SR}")
        clips.append(x.mean(axis=1))
    if not clips:
        raise SystemExit(f"bench: no .wav/.flac clips in {eval_dir}")
    rng = np.random.default_rng(0)
    pieces: list[np.ndarray] = []
    total = 0.0
    while total < seconds - 2.0:
        fits = [x for x in clips if total + x.size / SR + gap_s <= seconds + 2.0]
        for x in fits or [min(clips, key=len)]:
            if total >= seconds - 2.0 or total + x.size / SR + gap_s > seconds + 2.0 and fits:
                continue
            noise = rng.standard_normal(int(gap_s * SR)) * 10 ** (-50 / 20)
            pieces += [x, noise.astype(np.float32)]
            total += x.size / SR + gap_s
    samples = np.concatenate(pieces)
    sf.write(out, samples, SR, subtype="PCM_16")
    return samples.size / SR


def peak_rss_mib(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(peak resident memory in MiB, wall-clock seconds) of one run of ``cmd``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"bench: {' '.join(cmd[:3])} ... failed: {err[-1500:]}")
    return usage.ru_maxrss / 1024.0, elapsed  # ru_maxrss is in KiB on Linux


def repeat_to(src: Path, minutes: float, out: Path) -> float:
    """``src`` repeated (with its own gaps) to ``minutes`` of audio, written as 16 kHz PCM WAV."""
    import soundfile as sf

    x, _sr = sf.read(src, dtype="float32")
    n = int(minutes * 60 * SR)
    reps = -(-n // x.size)
    with sf.SoundFile(out, "w", SR, 1, subtype="PCM_16") as f:
        for _ in range(reps):
            f.write(x[: max(0, min(x.size, n))])
            n -= x.size
    return minutes * 60


def time_process(cmd: list[str], env: dict[str, str], repeat: int) -> tuple[list[float], str]:
    """Wall-clock seconds of ``repeat`` runs of ``cmd``, and the last run's stdout."""
    times = []
    proc = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-2000:])
            raise SystemExit(f"bench: {' '.join(cmd[:3])} ... failed with exit code {proc.returncode}")
    return times, proc.stdout if proc else ""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the built answer")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument(
        "--eval-dir",
        type=Path,
        default=ROOT / "samples",
        help="clips to join (default: samples/)",
    )
    parser.add_argument("--model", help="model for both sides (default: the pipeline's default)")
    parser.add_argument(
        "--memory-minutes",
        type=float,
        nargs="*",
        default=[1.0, 10.0, 60.0],
        help="answer lengths for the peak-memory runs (none: skip them)",
    )
    parser.add_argument("--batch", type=int, metavar="N", help="measure --jobs throughput on N files instead")
    parser.add_argument("--jobs", default="1,2", help="with --batch: the --jobs values to time (default 1,2)")
    args = parser.parse_args(argv)

    bin_dir = Path(sys.executable).parent
    reps = bin_dir / "reps"
    if not reps.exists():
        raise SystemExit(f"bench: {reps} not found; run `make setup`")
    if args.batch:
        return batch(reps, args.eval_dir, args.batch, [int(j) for j in args.jobs.split(",")], args.repeat)
    from interview_reps.model_files import EMBEDDED, verified_model_dir
    from interview_reps.settings import DEFAULT_MODEL

    model = args.model or DEFAULT_MODEL
    memory: list[tuple[float, float, float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="reps-bench-") as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "REPS_HOME": str(home)}
        # the folder the pipeline loads (a joined model is joined here once, before any timing)
        model_dir = str(verified_model_dir(model, stamp_dir=home / "cache")) if model in EMBEDDED else model
        answer = Path(tmp) / "answer.wav"
        duration = build_answer(args.eval_dir, args.seconds, answer)
        print(f"built {duration:.1f} s answer from {args.eval_dir}; {args.repeat} runs each", file=sys.stderr)
        analyze = [str(reps), "analyze", "--no-save", "--json", "--model", model]
        runs, outputs = {}, {}
        for label, cmd in (
            ("reps --help", [str(reps), "--help"]),
            ("reps analyze --no-save --json", [*analyze, str(answer)]),
            ("bare faster-whisper (python -c)", [sys.executable, "-c", BARE_WHISPER, model_dir, str(answer)]),
        ):
            print(f"timing {label}", file=sys.stderr)
            runs[label], outputs[label] = time_process(cmd, env, args.repeat)
        for minutes in args.memory_minutes:
            long = Path(tmp) / f"answer-{minutes:g}min.wav"
            repeat_to(answer, minutes, long)
            print(f"peak memory on {minutes:g} min", file=sys.stderr)
            rss_a, t_a = peak_rss_mib([*analyze, str(long)], env)
            rss_b, t_b = peak_rss_mib([sys.executable, "-c", BARE_WHISPER, model_dir, str(long)], env)
            memory.append((minutes, rss_a, rss_b, t_a, t_b))
            long.unlink()

    best = {k: min(v) for k, v in runs.items()}
    median = {k: statistics.median(v) for k, v in runs.items()}
    a, b = "reps analyze --no-save --json", "bare faster-whisper (python -c)"
    width = max(len(k) for k in runs)
    # Thread and BLAS settings change timings; they are reported, never changed.
    blas = ", ".join(
        f"{k}={v}"
        for k, v in sorted(os.environ.items())
        if "BLAS" in k or k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
    )
    lines = [
        f"reps bench {dt.datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} CPU ({cpu_model()}),"
        f" Python {platform.python_version()}" + (f"; env {blas}" if blas else ""),
        f"answer: {duration:.1f} s of joined eval clips; model {model} on both sides;"
        f" wall clock of whole processes, {args.repeat} runs",
        f"{'':{width}}  {'best':>7}  {'median':>7}  {'x real time':>11}",
    ]
    for k in runs:
        rt = f"{median[k] / duration:11.3f}" if k != "reps --help" else f"{'':11}"
        lines.append(f"{k:{width}}  {best[k]:6.2f}s  {median[k]:6.2f}s  {rt}")
    try:
        reps_words = json.loads(outputs[a])["metrics"]["word_count"]
    except (ValueError, KeyError, TypeError):
        reps_words = "?"
    lines.append(
        f"words: reps {reps_words} (fillers excluded), bare faster-whisper {outputs[b].strip() or '?'}"
    )
    lines.append(
        f"ratio analyze / bare faster-whisper: {median[a] / median[b]:.2f} (median), {best[a] / best[b]:.2f} (best)"
    )
    if memory:
        lines.append("peak memory (max RSS of one whole process; the 60 s answer repeated):")
        lines.append(
            f"  {'minutes':>7}  {'analyze':>9}  {'bare':>9}  {'ratio':>5}  {'analyze s':>9}  {'bare s':>7}"
        )
        for minutes, rss_a, rss_b, t_a, t_b in memory:
            lines.append(
                f"  {minutes:7g}  {rss_a:6.0f} MiB  {rss_b:6.0f} MiB  {rss_a / rss_b:5.2f}  {t_a:9.1f}  {t_b:7.1f}"
            )
    print("\n".join(lines))
    return 0


def batch(reps: Path, clips_dir: Path, n_files: int, jobs: list[int], repeat: int) -> int:
    """Wall clock of `reps analyze` on ``n_files`` copies of the clips in ``clips_dir``, per --jobs value."""
    import shutil

    import soundfile as sf

    clips = sorted(p for p in clips_dir.iterdir() if p.suffix.lower() in (".wav", ".flac"))
    if not clips:
        raise SystemExit(f"bench: no .wav/.flac clips in {clips_dir}")
    with tempfile.TemporaryDirectory(prefix="reps-bench-") as tmp:
        files = []
        for i in range(n_files):
            clip = clips[i % len(clips)]
            files.append(Path(tmp) / f"take-{i + 1:02d}{clip.suffix}")
            shutil.copyfile(clip, files[-1])
        audio_s = sum(sf.info(str(f)).duration for f in files)
        env = {**os.environ, "REPS_HOME": str(Path(tmp) / "home")}
        print(
            f"{n_files} files, {audio_s:.0f} s of audio from {clips_dir}; {repeat} runs each", file=sys.stderr
        )
        times, outputs = {}, {}
        for j in jobs:
            print(f"timing --jobs {j}", file=sys.stderr)
            cmd = [str(reps), "analyze", *map(str, files), "--no-save", "--json", "--jobs", str(j)]
            times[j], outputs[j] = time_process(cmd, env, repeat)
    same = len({outputs[j] for j in jobs}) == 1
    lines = [
        f"reps bench --batch {dt.datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} CPU ({cpu_model()}),"
        f" Python {platform.python_version()}",
        f"{n_files} files, {audio_s:.0f} s of audio; wall clock of the whole `reps analyze`, {repeat} runs",
        f"{'':8}  {'best':>7}  {'median':>7}  {'files/min':>9}  {'audio s/s':>9}",
    ]
    for j in jobs:
        med = statistics.median(times[j])
        lines.append(
            f"--jobs {j}  {min(times[j]):6.1f}s  {med:6.1f}s  {60 * n_files / med:9.1f}  {audio_s / med:9.1f}"
        )
    if len(jobs) > 1:
        base = statistics.median(times[jobs[0]])
        lines.append(
            "speed-up over --jobs {}: {}".format(
                jobs[0], ", ".join(f"{base / statistics.median(times[j]):.2f} (--jobs {j})" for j in jobs[1:])
            )
        )
    lines.append(f"outputs identical across --jobs: {'yes' if same else 'NO'}")
    print("\n".join(lines))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
