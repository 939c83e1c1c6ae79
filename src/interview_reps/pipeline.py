"""The whole flow in plain Python: decode -> find speech -> transcribe -> analyze -> save -> patterns and
chart from the saved reps -> report. No terminal here: callers pass a ``progress`` callback if they want one."""

from __future__ import annotations

import contextlib
import math
import os
import re
import warnings
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import AudioError, LibraryError, LibraryWriteError, ModelError, RepsError, RepsWarning
from .models import Audio, Rep, Result, SessionTag
from .settings import DEFAULT_MODEL, AnalysisSettings, PatternSettings, TranscribeSettings
from .text import clock_exact

if TYPE_CHECKING:
    from .comparison import Comparison
    from .questions import Question
    from .store import Library

Progress = Callable[[str], None]
Cut = tuple["str | None", "float | None", "float | None"]  # (channel, start_s, end_s) of a file


# ---------------------------------------------------------------------------------------- analysis


def analyze_audio(
    audio: Audio,
    *,
    model: str = DEFAULT_MODEL,
    settings: AnalysisSettings | None = None,
    question: Question | None = None,
    job_terms: Sequence[str] = (),
    progress: Progress | None = None,
    stopped_by: str | None = None,
    limit_s: float | None = None,
) -> Result:
    """Measure one decoded recording. Raises AudioError when there is no speech in it.

    ``question``: the question the recording answers: what the answer said is judged against its
    points and structure, and its target length adds advice when the answer falls outside it.
    ``job_terms``: terms of a job description (``job_terms_from_file``) the answer is checked for.
    ``stopped_by``/``limit_s``: why a recording from the microphone ended ("user", "max", "silence",
    "interrupt") and its limit, so that an answer cut off at the limit is not advised as if the
    speaker chose to stop. ``progress`` is told what is being done, in a few words.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .analyze import analyze_recording
    from .analyze.frames import speech_frames, voice_frames, with_voice
    from .analyze.speakers import detect_voices
    from .transcribe import load_model, transcribe

    settings = settings or AnalysisSettings()
    transcribe_settings = TranscribeSettings(model=model)
    if progress is not None:
        progress(f"transcribing and measuring {Path(audio.path).name} ({audio.duration_s:.0f} s of audio)")
    # The model loads (~1 s) while speech is found, and the voice features (they need only the audio)
    # run while the model transcribes: all three release the GIL.
    with ThreadPoolExecutor(max_workers=2) as pool:
        model_future = pool.submit(load_model, model, compute_type=transcribe_settings.compute_type)
        voice_future = pool.submit(voice_frames, audio.samples, settings=settings)
        speech = speech_frames(audio, settings=settings)
        if not speech.has_speech:
            voice_future.cancel()
            raise AudioError(f"{audio.path}: no speech detected")
        model_future.result()  # a ModelError surfaces here
        voices_future = pool.submit(detect_voices, audio, speech)
        transcript = transcribe(
            audio,
            speech.sound_regions(),
            speech_regions=speech.regions(min_gap_s=0.3),
            settings=transcribe_settings,
        )
        frames = with_voice(speech, voice_future.result(), settings=settings)
        voices = voices_future.result()
    result = analyze_recording(
        audio, transcript, frames, settings=settings, question=question, job_terms=job_terms
    )
    if not [w for w in result.words if w.kind == "word"]:
        raise AudioError(f"{audio.path}: no speech detected")
    result = replace(result, voices=voices, stopped_by=stopped_by, limit_s=limit_s)
    if question is not None:
        from .analyze.advice import with_length_advice
        from .analyze.content import points_to_cover

        missing = points_to_cover(result.content, question) if result.content.points else question.points
        result = with_length_advice(result, target_s=question.target_s, points=missing)
    return replace(result, warnings=(audio.warning,)) if audio.warning else result


def analyze_file(
    path: Path | str,
    *,
    model: str = DEFAULT_MODEL,
    settings: AnalysisSettings | None = None,
    question: Question | None = None,
    job_terms: Sequence[str] = (),
    progress: Progress | None = None,
    channel: str | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
) -> Result:
    """Analyze one recording (wav, flac, mp3, m4a, ogg, webm). Raises a RepsError naming the file.

    ``channel``: one channel of a stereo file ("left"/"right"); ``start_s``/``end_s``: one time range
    of it (the result's times then count from ``start_s``). Other options as for ``analyze_audio``.
    """
    from .audio import load_audio

    audio = load_audio(path, settings=settings, channel=channel, start_s=start_s, end_s=end_s)
    result = analyze_audio(
        audio, model=model, settings=settings, question=question, job_terms=job_terms, progress=progress
    )
    return _cut(result, channel, start_s, end_s)


def _cut(result: Result, channel: str | None, start_s: float | None, end_s: float | None) -> Result:
    """The result, saying which channel and time range of the file it measured."""
    cut = None if start_s is None and end_s is None else (float(start_s or 0.0), end_s)
    return replace(result, channel=channel.lower() if channel else None, range_s=cut)


def analyze_files(
    paths: Sequence[Path | str],
    *,
    jobs: int = 1,
    model: str = DEFAULT_MODEL,
    settings: AnalysisSettings | None = None,
    question: Question | None = None,
    job_terms: Sequence[str] = (),
) -> list[Result | RepsError]:
    """Analyze each recording, ``jobs`` at a time in separate processes; one entry per path, in order.

    A file that fails is its error (a RepsError naming the file) in the list, whatever went wrong; the
    others are still analyzed (like ``asyncio.gather(..., return_exceptions=True)``). The results are
    the same for any ``jobs``. A model that cannot be loaded is not about one file: its ModelError is
    raised and ends the batch.
    """
    return list(
        iter_analyze_files(
            paths, jobs=jobs, model=model, settings=settings, question=question, job_terms=job_terms
        )
    )


def iter_analyze_files(
    paths: Sequence[Path | str],
    *,
    jobs: int = 1,
    model: str = DEFAULT_MODEL,
    settings: AnalysisSettings | None = None,
    question: Question | None = None,
    job_terms: Sequence[str] = (),
    clips_dirs: Sequence[Path | None] | None = None,
    progress: Progress | None = None,
    cut: Cut = (None, None, None),
) -> Generator[Result | RepsError, None, None]:
    """``analyze_files``, yielding each file's result (or error) in input order as soon as it is ready.

    ``clips_dirs``: per file, a folder for clips of its flagged moments (``clips.write_clips``), or None.
    ``progress`` hears from the work only when it runs in this process (``jobs`` 1 or one file).
    ``cut``: (channel, start_s, end_s) of each file to analyze (``analyze_file``); None: all of it.
    """
    files = [Path(p) for p in paths]
    calls = [
        (path, model, settings, question, tuple(job_terms), clips_dirs[i] if clips_dirs else None, cut)
        for i, path in enumerate(files)
    ]
    if jobs <= 1 or len(files) <= 1:
        results: Iterator[Result | RepsError] = (_analyze_job(*call, progress=progress) for call in calls)
    else:
        from .batch import in_order

        results = in_order(
            _analyze_job,
            calls,
            jobs=min(jobs, len(files)),
            crashed=lambda i, exc: RepsError(
                f"{files[i]}: the analysis process stopped unexpectedly ({exc})"
            ),
            setup=_start_analysis_worker,
        )
    try:
        for result in results:
            if isinstance(result, ModelError):  # every other file would fail the same way
                raise result
            yield result
    finally:
        if isinstance(results, Generator):
            results.close()  # its workers stop now, not when the garbage is collected


def _start_analysis_worker() -> None:
    """faster-whisper's progress bar (tqdm, off) still makes a process-shared lock; in a worker that lock
    is a named semaphore, and a worker stopped by Ctrl-C would leave it behind for the resource tracker
    to warn about. A thread lock is all one worker needs."""
    import threading

    from tqdm import tqdm

    tqdm.set_lock(threading.RLock())


def _analyze_job(
    path: Path,
    model: str,
    settings: AnalysisSettings | None,
    question: Question | None,
    job_terms: tuple[str, ...],
    clips_dir: Path | None,
    cut: Cut = (None, None, None),
    *,
    progress: Progress | None = None,
) -> Result | RepsError:
    """One file of a batch, errors returned rather than raised (this may run in a worker process)."""
    from .audio import load_audio

    channel, start_s, end_s = cut
    try:
        audio = load_audio(path, settings=settings, channel=channel, start_s=start_s, end_s=end_s)
        result = analyze_audio(
            audio, model=model, settings=settings, question=question, job_terms=job_terms, progress=progress
        )
        result = _cut(result, channel, start_s, end_s)
        if clips_dir is not None:
            from .clips import write_clips

            write_clips(audio, result, clips_dir, long_pause_s=(settings or AnalysisSettings()).long_pause_s)
        return result
    except RepsError as exc:
        return exc
    except Exception as exc:  # a bug: the batch still goes on, and the line says what broke
        return _unexpected(path, exc)


def _unexpected(path: Path, exc: Exception) -> RepsError:
    error = RepsError(f"{path}: unexpected error ({type(exc).__name__}: {exc}); please report this bug")
    error.__cause__ = exc
    return error


# ------------------------------------------------------------------------------ saving and reporting


@dataclass(frozen=True)
class RepReport:
    """What one analysed recording became: its result, the saved rep, and the report of it."""

    result: Result
    rep: Rep | None  # None when not saved
    markdown: str
    patterns: tuple[str, ...] = ()  # "Third rep in a row with ...", strongest first
    report_path: Path | None = None
    html_path: Path | None = None  # the rep's report.html, beside report_path
    page_path: Path | None = None  # the standalone page asked for (`reps analyze --html PATH`)
    # Why the rep is not in the library although saving was asked for (read-only, full): one line.
    not_saved: str | None = None
    saved_in: Path | None = None  # the home of the library holding the rep (the fallback, if it came to that)


def save_and_report(
    result: Result,
    *,
    library: Library | None = None,
    question: Question | None = None,
    created_at: datetime | None = None,
    audio: Path | None = None,
    source_path: str | None = None,
    session: SessionTag | None = None,
    fallback: Library | None = None,
) -> RepReport:
    """Save ``result`` as a rep in ``library`` (unless None), then find patterns and draw the trend chart
    from the saved reps of its question, then write the rep's Markdown and HTML reports.

    ``audio``: the recording to keep with the rep (default: the file the result was made from);
    ``session`` as for ``Library.save``. An unreadable index costs the patterns and the chart, never
    the rep. A library that cannot be written (read-only, full) costs the save, never the analysis:
    the rep goes to ``fallback`` if given, else the report comes back unsaved, ``not_saved`` saying why.
    """
    from .report import render_markdown

    if library is None:
        return RepReport(result, None, render_markdown(result, question=question))

    def save(into: Library) -> Rep:
        return into.save(
            result,
            question_id=question.id if question else None,
            created_at=created_at,
            audio=audio,
            source_path=source_path,
            session=session,
        )

    try:
        rep = save(library)
    except LibraryWriteError as exc:
        if fallback is None:
            return RepReport(result, None, render_markdown(result, question=question), not_saved=str(exc))
        try:
            rep = save(fallback)
        except LibraryWriteError as again:
            return RepReport(
                result, None, render_markdown(result, question=question), not_saved=f"{exc}; and {again}"
            )
        library = fallback
    try:
        history = _history(library, rep)
    except LibraryError:
        history = [rep]
    from .patterns import latest_patterns

    patterns = tuple(latest_patterns(history, question=question))
    markdown = render_markdown(
        result,
        question=question,
        patterns=patterns,
        chart=_chart_link(library, history, question),
        rep_id=rep.id,
        audio_file=rep.audio_file,
    )
    try:
        report_path: Path | None = library.write_report(rep.id, markdown)
    except LibraryWriteError:
        report_path = None  # the rep is saved; `reps show` writes its report again from result.json
    from .pages import write_rep_page

    try:
        html_path: Path | None = write_rep_page(
            library, rep, question=question, patterns=patterns, history=history
        )
    except LibraryWriteError:
        html_path = None  # as for the Markdown report: written again when it is next shown
    return RepReport(result, rep, markdown, patterns, report_path, html_path, saved_in=library.home)


def process_files(
    paths: Sequence[Path],
    *,
    library: Library | None,
    question: Question | None = None,
    job_terms: Sequence[str] = (),
    created_at: Sequence[datetime | None] | None = None,
    jobs: int = 1,
    model: str = DEFAULT_MODEL,
    settings: AnalysisSettings | None = None,
    clips_dirs: Sequence[Path | None] | None = None,
    html_pages: Sequence[Path | None] | None = None,
    progress: Progress | None = None,
    cut: Cut = (None, None, None),
    fallback: Library | None = None,
) -> Generator[RepReport | RepsError, None, None]:
    """``reps analyze``: each file analyzed (``jobs`` at a time), then saved and reported in input order,
    so the patterns of file 3 see the reps of files 1 and 2 whatever ``jobs`` is. A file that fails, at
    any step and for any reason, is its error; the others go on. (A model that cannot load raises its
    ModelError: that is no file's failure.) With a ``cut`` (channel, time range), the rep keeps the
    audio that was analyzed, so its times and its recording agree. A library that cannot be written
    keeps each file's report, unsaved (``RepReport.not_saved``) or saved in ``fallback``. A recording
    left in the library's recordings/ (an answer a crash kept from becoming a rep) leaves it once its
    rep is saved.

    ``html_pages``: per file, a path for a standalone HTML page with the audio embedded
    (``pages.write_standalone_page``; with a cut, the part analyzed), or None."""
    analyses = iter_analyze_files(
        paths,
        jobs=jobs,
        model=model,
        settings=settings,
        question=question,
        job_terms=job_terms,
        clips_dirs=clips_dirs,
        progress=progress,
        cut=cut,
    )
    for i, analysis in enumerate(analyses):
        if isinstance(analysis, RepsError):
            yield analysis
            continue
        path = Path(paths[i])
        try:
            with _analyzed_audio(path, cut, settings, library) as kept:
                report = save_and_report(
                    analysis,
                    library=library,
                    question=question,
                    created_at=created_at[i] if created_at else None,
                    audio=kept,
                    source_path=str(path.resolve()),
                    fallback=fallback,
                )
                if library is not None and report.saved_in == library.home and _is_leftover(path, library):
                    from .wavfile import discard_recording

                    discard_recording(path)
                page = html_pages[i] if html_pages else None
                if page is not None:
                    from .pages import write_standalone_page

                    written = write_standalone_page(
                        analysis,
                        page,
                        audio=kept,
                        question=question,
                        patterns=report.patterns,
                        rep=report.rep,
                        library=library,
                    )
                    report = replace(report, page_path=written)
            yield report
        except RepsError as exc:  # e.g. the library cannot be written: say which file it cost
            yield exc if str(path) in str(exc) else type(exc)(f"{path}: {exc}")
        except Exception as exc:  # a bug while saving or reporting: the batch still goes on
            yield _unexpected(path, exc)


@contextmanager
def _analyzed_audio(
    path: Path, cut: Cut, settings: AnalysisSettings | None, library: Library | None
) -> Iterator[Path]:
    """The recording to keep with the rep: the file itself, or (for a channel or a time range) a
    16 kHz WAV of the part analyzed (for the rep and for a standalone page), removed once written."""
    if cut == (None, None, None):
        yield path
        return
    import tempfile

    from .audio import load_audio, write_wav

    channel, start_s, end_s = cut
    audio = load_audio(path, settings=settings, channel=channel, start_s=start_s, end_s=end_s)
    with tempfile.TemporaryDirectory(prefix="reps-cut-") as folder:
        yield write_wav(audio, Path(folder) / f"{path.stem}.wav")


def _is_leftover(path: Path, library: Library) -> bool:
    """True for a recording in the library's own recordings/ folder."""
    from .wavfile import recordings_dir

    try:
        return path.resolve().parent == recordings_dir(library.home).resolve()
    except OSError:
        return False


def _history(library: Library, rep: Rep, *, most: int = 20) -> list[Rep]:
    """Up to ``most`` earlier reps of the rep's question (or of no question), then the rep itself."""
    from .store import NO_QUESTION

    earlier = [r for r in library.reps(rep.question_id or NO_QUESTION, limit=most + 1) if r.id != rep.id]
    return [*earlier[-most:], rep]


def _chart_link(library: Library, history: Sequence[Rep], question: Question | None) -> str | None:
    """The question's trend chart with this rep, drawn into the rep's own folder (``chart.png``), so the
    report keeps the chart as it was when the rep was saved; a link relative to the report."""
    rep = history[-1]
    if rep.question_id is None or len(history) < 2 or rep.folder is None:
        return None
    from .chart import write_trend_chart
    from .comparison import compare

    try:
        baseline = library.reps(limit=PatternSettings().baseline_reps)
        path = write_trend_chart(
            compare(history, baseline=baseline, question=question), library.rep_chart_path(rep.id)
        )
    except RepsError:
        return None
    return Path(os.path.relpath(path, rep.folder)).as_posix()


def rep_report_text(library: Library, rep_id: str) -> str:
    """The rep's Markdown report; written again from its result if it is missing (a crash right after
    saving), with its reflection in it (added when the report was written before the reflection)."""
    from .report.markdown import with_reflection

    rep = library.get(rep_id)
    text = library.report_text(rep.id)
    if text is None:
        from .questions import question_or_none
        from .report import render_markdown

        text = render_markdown(
            rep.result,
            question=question_or_none(rep.question_id),
            rep_id=rep.id,
            audio_file=rep.audio_file,
        )
        with contextlib.suppress(LibraryWriteError):  # a read-only library: shown, written another time
            library.write_report(rep.id, with_reflection(text, rep.reflection))
    return with_reflection(text, rep.reflection)


def save_reflection(library: Library, rep_id: str, answers: Mapping[str, str]) -> tuple[Rep, list[str]]:
    """Save the person's reflection with the rep, and put it in the rep's reports (report.md with the
    themes that come back across the reflections of the rep's question, ``patterns.reflection_themes``;
    report.html written again).

    Returns the rep (with its reflection) and the themes, as sentences. Answers left empty are not saved.
    """
    from .models import Reflection
    from .patterns import reflection_themes
    from .report.markdown import with_reflection

    reflection = Reflection.of(answers)
    if not reflection:
        raise RepsError("nothing to save: every answer of the reflection is empty")
    library.save_reflection(rep_id, reflection.to_dict())
    rep = library.get(rep_id)
    try:
        history = _history(library, rep)
    except LibraryError:
        history = [rep]
    themes = [p.message for p in reflection_themes(history) if rep.id in {e.rep_id for e in p.evidence}]
    text = library.report_text(rep.id)
    if text is not None:
        library.write_report(rep.id, with_reflection(text, rep.reflection, themes))
    if library.html_report_path(rep.id).exists():  # the HTML report shows it too (reps before it have none)
        from .pages import write_rep_page

        try:
            write_rep_page(library, rep)
        except RepsError as exc:
            raise LibraryError(
                f"the reflection is saved, but the HTML report does not show it yet ({exc})"
            ) from exc
    return rep, themes


# -------------------------------------------------------------------------------------- comparing


def compare_library(
    library: Library,
    rep_ids: Sequence[str] = (),
    *,
    question_id: str | None = None,
    last: int | None = None,
    chart: bool | Path = True,
    settings: PatternSettings | None = None,
) -> Comparison:
    """``reps compare``: the given reps, or the reps of one question (default: the most recently
    practised one), against the baseline of the most recent reps of any question.

    ``last`` keeps the most recent N reps; ``chart`` True draws the trend chart where the library keeps
    charts, a Path draws it there, False draws none.
    """
    from .comparison import compare

    settings = settings or PatternSettings()
    if rep_ids:
        reps = sorted(
            (library.get(rid) for rid in dict.fromkeys(rep_ids)), key=lambda r: (r.created_at, r.id)
        )
        if last:
            reps = reps[-last:]
        if len(reps) < 2:
            raise LibraryError(
                "comparing needs at least two reps: give two or more ids (`reps history` lists them)"
            )
    else:
        if question_id is None:
            asked = library.question_ids()
            if not asked:
                raise LibraryError(
                    "no reps saved under a question yet; `reps analyze FILE --question ID` saves one, "
                    "or give rep ids (`reps history` lists them)"
                )
            question_id = asked[-1]
        reps = library.reps(question_id, limit=last)
        if not reps:
            raise LibraryError(_unknown_question(library, question_id))
        if len(reps) < 2:
            raise LibraryError(
                f"only one rep of '{question_id}' so far; record another "
                f"(`reps analyze FILE --question {question_id}`) to compare"
            )
    comparison = compare(reps, baseline=library.reps(limit=settings.baseline_reps), settings=settings)
    if chart is False:
        return comparison
    from .chart import write_trend_chart

    first, final = comparison.reps[0].id, comparison.reps[-1].id
    if isinstance(chart, Path):
        return replace(comparison, chart=write_trend_chart(comparison, chart))
    try:
        path = write_trend_chart(
            comparison, library.chart_path(comparison.question_id or f"{first}_to_{final}")
        )
    except LibraryWriteError as exc:  # a read-only or full library: the comparison without its chart
        warnings.warn(f"no trend chart: {exc}", RepsWarning, stacklevel=2)
        return comparison
    return replace(comparison, chart=path)


def _unknown_question(library: Library, question_id: str) -> str:
    import difflib

    close = difflib.get_close_matches(question_id, library.question_ids(), n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"no reps of question '{question_id}'; {hint}`reps history` lists your reps"


# ---------------------------------------------------------------------------------------- options


_MINUTES_SECONDS = re.compile(r"(\d+):(\d+(?:\.\d*)?)")  # "1:05", "0:07.5"


def parse_time_s(text: str, option: str) -> float:
    """``--start``/``--end``: seconds ("7.5") or minutes and seconds ("1:05"; the seconds under 60).
    Raises RepsError."""
    value = text.strip()
    if ":" in value:
        match = _MINUTES_SECONDS.fullmatch(value)
        if match is None:
            raise RepsError(f"{option}: '{text}' is not a time like 7.5 or 1:05")
        minutes, seconds_s = int(match[1]), float(match[2])
        if seconds_s >= 60:
            total_s = 60 * minutes + seconds_s
            raise RepsError(
                f"{option}: '{text}': the seconds of m:ss go up to 59; "
                f"write {clock_exact(total_s)} (or {total_s:g})"
            )
        return 60 * minutes + seconds_s
    try:
        result_s = float(value)
    except ValueError:
        result_s = math.nan
    if not math.isfinite(result_s):  # "abc", also "nan" and "inf", which float() reads
        raise RepsError(f"{option}: '{text}' is not a time like 7.5 or 1:05")
    if result_s < 0:
        raise RepsError(f"{option}: '{text}' is before the start of the recording")
    return result_s


def recorded_times(paths: Sequence[Path], recorded: str | None) -> list[datetime | None]:
    """``--recorded``: None (now) for each file, each file's modification time ("file"), or one date
    (ISO date or date and time; naive means local time). Raises RepsError for anything else."""
    if recorded is None:
        return [None] * len(paths)
    if recorded == "file":
        return [_modified(path) for path in paths]
    try:
        when = datetime.fromisoformat(recorded.strip())
    except ValueError:
        raise RepsError(
            f"--recorded: '{recorded}' is not a date like 2026-11-20 or 2026-11-20T09:30, nor 'file'"
        ) from None
    when = when if when.tzinfo else when.astimezone()
    now = datetime.now(timezone.utc)
    # A day's leeway for time zones; a later date would sort last in the history forever.
    if when - now > timedelta(days=1):
        raise RepsError(
            f"--recorded: '{recorded}' is in the future (today is {now.astimezone():%Y-%m-%d}); "
            "give the day the answer was given, or 'file'"
        )
    return [when] * len(paths)


def _modified(path: Path) -> datetime | None:
    """A recording's modification time; None if the file cannot be read (its error comes later)."""
    try:
        return datetime.fromtimestamp(Path(path).stat().st_mtime, tz=timezone.utc)
    except OSError:
        return None


def clip_dirs(paths: Sequence[Path], clips_dir: Path | None) -> list[Path | None]:
    """One clips folder per file: DIR itself for one file, else DIR/<name>, DIR/<name>-2, ... when names
    repeat. Each <name> is the file's stem made into one harmless folder name (files.safe_name: a file
    called "...flac" has the stem "..", which must not lead out of DIR)."""
    from . import files

    if clips_dir is None:
        return [None] * len(paths)
    if len(paths) == 1:
        return [Path(clips_dir)]
    return [Path(clips_dir) / name for name in files.unique_names(paths, fallback="recording")]
