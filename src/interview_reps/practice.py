"""The practice flow: pick a question, prepare, record the answer, analyze, save, report, reflect.

The flow has no terminal of its own: it tells a ``PracticeCallbacks`` what happens and asks it when
to stop and what the person reflects. The CLI supplies a terminal one (``console.practice``); the mock
interview (``interview.py``) records each answer with ``record_answer`` and saves it with
``save_answer`` in the background.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from . import failpoints, files
from .errors import AudioError, LibraryError, LibraryWriteError, RepsError, Terminated
from .models import REFLECTION_QUESTIONS
from .settings import DEFAULT_MODEL, AnalysisSettings

if TYPE_CHECKING:
    from .models import Rep, SessionTag
    from .pipeline import RepReport
    from .questions import Question
    from .record import CaptureOptions, LevelUpdate, Recording
    from .store import Library
    from .wavfile import WavRepair

__all__ = [
    "REFLECTION_QUESTIONS",
    "Answer",
    "PracticeCallbacks",
    "PracticeOptions",
    "answer_question",
    "run_practice",
]


@dataclass(frozen=True)
class PracticeOptions:
    """``reps practice`` options; the CLI takes its defaults from here."""

    question_id: str | None = None
    category: str | None = None
    # A few seconds to collect your thoughts, as an interviewer would allow (product choice).
    prep_s: float = 5.0
    # A hard stop so a forgotten recording cannot fill the disk; no interview answer runs 5 minutes.
    max_s: float = 300.0
    # Stop after this much silence following speech; off by default (thinking pauses are normal).
    stop_on_silence_s: float | None = None
    device: str | None = None
    sample_rate_hz: int | None = None  # None: 16 kHz if the device allows, else its default rate
    reflect: bool = True
    model: str = DEFAULT_MODEL
    # Terms of a job description (``--job``): questions that fit them come first, answers are checked for them.
    job_terms: tuple[str, ...] = ()
    # Where to record and save when REPS_HOME cannot be written (read-only, full): a library folder.
    fallback_dir: Path | None = None


class PracticeCallbacks:
    """What the practice flow tells the person and asks them. Every method has a quiet default, so a
    user interface overrides only what it shows."""

    def leftovers(self, found: Sequence[WavRepair]) -> None:
        """Recordings from earlier runs that never became a rep (a crash, Ctrl-C, a failed analysis)."""

    def question(self, question: Question) -> None:
        """The question about to be answered."""

    def last_time(self, line: str) -> None:
        """What the person wrote after their last rep of this question ("Last time (Dec 01): ...")."""

    def prepare(self, prep_s: float) -> None:
        """Give the person ``prep_s`` seconds to think; return when recording should start (early,
        if the person is ready: Enter on a terminal)."""
        time.sleep(prep_s)

    def recording_started(self, question: Question | None, capture: CaptureOptions) -> None:
        """Recording has started (``level`` and ``should_stop`` are called until it stops)."""

    def level(self, update: LevelUpdate) -> None:
        """The level of the latest 100 ms of the answer."""

    def should_stop(self) -> bool:
        """True to end the answer now (e.g. Enter was pressed)."""
        return False

    def recording_stopped(self, recording: Recording | None, capture: CaptureOptions) -> None:
        """The answer is on disk (``recording.stopped_by`` says why it ended), or None: the microphone failed."""

    def note(self, message: str) -> None:
        """A line of information."""

    def warn(self, message: str) -> None:
        """A line the person must not miss (where a recording was kept)."""

    def progress(self, message: str) -> None:
        """What the analysis is doing, in a few words."""

    def report(self, report: RepReport, question: Question | None) -> None:
        """The analysed, saved rep."""

    def reflect(self, questions: Sequence[tuple[str, str]]) -> dict[str, str]:
        """Answers to the reflection questions (key -> answer; empty or missing: skipped)."""
        return {}

    def reflection_saved(self, rep: Rep) -> None:
        """The reflection was saved with the rep (``rep.reflection``)."""

    def reflection_themes(self, themes: Sequence[str]) -> None:
        """Themes that come back across the person's reflections of this question, as sentences."""

    def save_elsewhere(self, reason: str) -> Path | None:
        """The library could not take the rep (``reason``, one line): a folder to keep it in instead (a
        practice library of its own), or None to keep only the recording."""
        return None


@dataclass(frozen=True)
class Answer:
    """One answered question: the recording, and the rep it became (None when too short to judge)."""

    recording: Recording
    report: RepReport | None
    interrupted: bool  # stopped by Ctrl-C


def run_practice(options: PracticeOptions, ui: PracticeCallbacks, *, library: Library | None = None) -> int:
    """``reps practice`` from start to end. Returns the exit code: 0, or 130 after Ctrl-C.

    Raises RepsError (DeviceError for a missing microphone, QuestionError, AudioError, ...).
    """
    from .questions import load_questions, pick_question
    from .record import capture_options
    from .store import Library

    library = library or Library()
    fallback = Library(options.fallback_dir) if options.fallback_dir is not None else None
    found = _leftovers(library)
    silent = [left for left in found if not _has_speech(left.path)]
    for left in silent:
        from .wavfile import set_aside_no_speech

        aside = set_aside_no_speech(left.path)
        ui.warn(
            f"an earlier recording has no speech in it ({left.duration_s:.0f} s): kept as {aside}; "
            "it is not listed again (delete it if you do not need it)"
        )
    ui.leftovers([left for left in found if left not in silent])
    bank = load_questions()
    prefer: tuple[str, ...] = ()
    if options.job_terms and options.question_id is None:
        from .analyze.content import questions_for_job

        prefer = tuple(q.id for q, shared in questions_for_job(bank, options.job_terms) if shared)
    question = pick_question(
        bank,
        question_id=options.question_id,
        category=options.category,
        practised=library.last_practised() if options.question_id is None else None,
        prefer=prefer,
    )
    capture = capture_options(
        options.device,
        sample_rate_hz=options.sample_rate_hz,
        max_s=options.max_s,
        stop_on_silence_s=options.stop_on_silence_s,
    )
    library = where_to_record(library, fallback, capture, ui)
    ui.question(question)
    last = last_time_line(library, question.id)
    if last:
        ui.last_time(last)
    if options.prep_s > 0:
        ui.prepare(options.prep_s)
    answer = answer_question(
        question,
        capture,
        ui,
        library=library,
        model=options.model,
        reflect=options.reflect,
        fallback=fallback if fallback is not library else None,
        job_terms=options.job_terms,
    )
    return 130 if answer.interrupted else 0


def _leftovers(library: Library) -> list[WavRepair]:
    """Recordings from earlier runs that are not reps yet (Library.unsaved_recordings)."""
    return library.unsaved_recordings()


def where_to_record(
    library: Library,
    fallback: Library | None,
    capture: CaptureOptions,
    ui: PracticeCallbacks,
    *,
    answers: int = 1,
) -> Library:
    """The library the answers go into: REPS_HOME, or ``fallback`` when REPS_HOME cannot be written;
    warns when the disk has less room than ``answers`` answers of ``capture.max_s`` may take.
    Raises LibraryWriteError before the question when neither can keep an answer."""
    from .text import clock
    from .wavfile import recordings_dir

    folder = recordings_dir(library.home)
    if not files.writable(folder):
        reason = f"{library.home} cannot be written (a read-only disk or folder)"
        if fallback is None or not files.writable(recordings_dir(fallback.home)):
            raise LibraryWriteError(
                f"cannot record: {reason}, so nothing you say could be kept; "
                + ("give --fallback-dir DIR, or " if answers == 1 else "")
                + "set REPS_HOME to a writable folder"
            )
        ui.warn(f"{reason}; recording into {fallback.home} instead")
        return fallback
    # The recording, and its copy in the rep (twice again when it is resampled), with a margin.
    needed = answers * int(capture.max_s * capture.sample_rate_hz * capture.channels * 2 * 2 + 1_000_000)
    free = files.free_bytes(folder)
    if free < needed:
        what = (
            f"a {clock(capture.max_s)} answer needs"
            if answers == 1
            else f"{answers} answers of up to {clock(capture.max_s)} need"
        )
        ui.warn(
            f"only {files.megabytes(free)} free on the disk holding {library.home} ({what} "
            f"{files.megabytes(needed)}): if it fills, recording stops and what was said is kept"
        )
    return library


def answer_question(
    question: Question | None,
    capture: CaptureOptions,
    ui: PracticeCallbacks,
    *,
    library: Library,
    model: str = DEFAULT_MODEL,
    reflect: bool = True,
    job_terms: Sequence[str] = (),
    fallback: Library | None = None,
) -> Answer:
    """Record one answer into ``REPS_HOME/recordings/``, analyze it, save it as a rep, report, reflect.

    The recording leaves recordings/ only once the rep holding its copy is saved; on any failure it
    stays, and the error (one line) says where it is. SIGTERM while recording keeps the recording and
    raises Terminated without analyzing. A library that cannot take the rep (read-only, full) still
    shows the report; the rep goes to ``fallback``, or where ``ui.save_elsewhere`` says, or only the
    recording is kept (LibraryWriteError).
    """
    from .text import clock

    recording = record_answer(question, capture, ui, library=library)
    path = recording.path
    assert path is not None
    if recording.stopped_by == "terminated":
        ui.warn(
            f"stopped by SIGTERM before the analysis; the recording ({clock(recording.duration_s)}) is kept at {path}"
            if recording.duration_s > 0
            else "stopped by SIGTERM before anything was recorded"
        )
        raise Terminated
    if recording.problem:
        ui.warn(recording.problem)
    interrupted = recording.stopped_by == "interrupt"
    short = too_short(recording)
    if short is not None:
        if interrupted:
            ui.warn(short)
            return Answer(recording, None, interrupted=True)
        raise AudioError(short)
    if interrupted:
        ui.note(f"Stopped by Ctrl-C; analyzing what was said. The recording is at {path}")
    report = save_answer(
        recording,
        question,
        ui,
        library=library,
        model=model,
        job_terms=job_terms,
        limit_s=capture.max_s,
        fallback=fallback,
    )
    ui.report(report, question)
    if report.not_saved is not None:
        report = _save_elsewhere(report, recording, question, ui)
    # After Ctrl-C too: the answer is saved, and the reflection is what turns it into direction.
    if report.rep is not None and reflect:
        answers = ui.reflect(REFLECTION_QUESTIONS)
        if any(str(v).strip() for v in answers.values()):
            from .pipeline import save_reflection

            holder = library  # the library the rep went to: a fallback when this one could not take it
            if report.saved_in is not None and report.saved_in != library.home:
                from .store import Library

                holder = Library(report.saved_in)
            try:
                rep, themes = save_reflection(holder, report.rep.id, answers)  # report.md and .html
            except LibraryError as exc:
                ui.warn(str(exc))
            else:
                ui.reflection_saved(rep)
                if themes:
                    ui.reflection_themes(themes)
    return Answer(recording, report, interrupted)


def _has_speech(path: Path) -> bool:
    """Whether a leftover recording holds any speech (Silero and energy, as the analysis finds it);
    True when it cannot be read (its error belongs to the analysis)."""
    from .analyze.frames import speech_frames
    from .audio import load_audio

    try:
        audio = load_audio(path)
    except RepsError:
        return True
    return speech_frames(audio, settings=AnalysisSettings()).has_speech


def last_time_line(library: Library, question_id: str | None) -> str | None:
    """ "Last time (Dec 01): what felt weak: the result was vague." for the most recent rep of the
    question with a reflection; None when there is none."""
    if question_id is None:
        return None
    from .reflection import last_reflection
    from .reflection import last_time_line as line

    try:
        reps = library.reps(question_id, limit=20)
    except RepsError:
        return None
    rep = last_reflection(reps)
    if rep is None or rep.reflection is None:
        return None
    return line(rep.reflection, rep.created_at.astimezone().strftime("%b %d"))


def record_answer(
    question: Question | None, capture: CaptureOptions, ui: PracticeCallbacks, *, library: Library
) -> Recording:
    """Record one answer into a new WAV in ``REPS_HOME/recordings/`` (with its note: the question, when),
    telling ``ui`` as it goes. A recording stopped before its first block is removed (nothing to keep).

    Raises DeviceError when the microphone fails (``ui.recording_stopped`` still hears of it).
    """
    from .record import record_to_wav
    from .wavfile import discard_recording, new_recording_path, write_note

    path = new_recording_path(library.home)
    write_note(path, question_id=question.id if question else None, started_at=datetime.now(timezone.utc))
    ui.recording_started(question, capture)
    recording = None
    try:
        recording = record_to_wav(path, capture, should_stop=ui.should_stop, on_level=ui.level)
    except BaseException:
        if not path.exists():
            discard_recording(path)  # its note
        raise
    finally:
        ui.recording_stopped(recording, capture)
    if recording.duration_s == 0:  # stopped before the first block: nothing to keep
        discard_recording(path)
    return recording


def too_short(recording: Recording) -> str | None:
    """Why the recording is too short to judge (with where it is kept), or None when it is long enough."""
    min_s = AnalysisSettings().min_duration_s
    if recording.duration_s >= min_s:
        return None
    kept = (
        f"the recording is kept at {recording.path}" if recording.duration_s > 0 else "nothing was recorded"
    )
    return f"the answer is too short to judge ({recording.duration_s:.1f} s; at least {min_s:g} s needed); {kept}"


def save_answer(
    recording: Recording,
    question: Question | None,
    ui: PracticeCallbacks,
    *,
    library: Library,
    model: str = DEFAULT_MODEL,
    created_at: datetime | None = None,
    session: SessionTag | None = None,
    job_terms: Sequence[str] = (),
    limit_s: float | None = None,
    fallback: Library | None = None,
) -> RepReport:
    """Analyze the recording and save it as a rep (a 16 kHz mono copy when it was recorded otherwise,
    or the recording itself when the disk has no room for that copy).

    ``job_terms``: a job description's terms the answer is checked for (``--job``). ``created_at`` and
    ``session`` are saved with the rep (``Library.save``). On success the recording leaves
    recordings/; on any failure it stays, and the error says where.

    A recording with no speech in it is renamed ``*.no-speech.wav`` (kept, but not offered again as
    a leftover to analyze, since analyzing it would fail the same way).
    """
    from .audio import load_audio, write_wav
    from .pipeline import analyze_audio, save_and_report
    from .settings import SAMPLE_RATE_HZ
    from .wavfile import discard_recording, working_copy_path

    assert recording.path is not None
    original = recording.path
    kept = f"the recording is kept at {original}"
    copy = original
    try:
        audio = load_audio(original)
        result = analyze_audio(
            audio,
            model=model,
            question=question,
            job_terms=job_terms,
            progress=ui.progress,
            stopped_by=recording.stopped_by,
            limit_s=limit_s,
        )
        if (recording.sample_rate_hz, recording.channels) != (SAMPLE_RATE_HZ, 1):
            try:
                copy = write_wav(audio, working_copy_path(original))
            except AudioError:
                _discard(working_copy_path(original), original)
                copy = original  # no room for the copy: the rep keeps the recording as it was made
        report = save_and_report(
            result,
            library=library,
            question=question,
            audio=copy,
            source_path=str(copy.resolve()),
            created_at=created_at,
            session=session,
            fallback=fallback,
        )
    except RepsError as exc:
        _discard(copy, original)
        if isinstance(exc, AudioError) and "no speech detected" in str(exc):
            from .wavfile import set_aside_no_speech

            aside = set_aside_no_speech(original)
            raise type(exc)(
                f"{exc}; the recording is kept at {aside} (not listed again at the next start)"
            ) from exc
        raise type(exc)(f"{exc}; {kept}") from exc
    except BaseException:
        _discard(copy, original)
        ui.warn(kept)
        raise
    if report.rep is None:  # the library could not take it: the recording stays
        _discard(copy, original)
        return report
    failpoints.reached("practice.saved")
    discard_recording(original)
    return report


def _save_elsewhere(
    report: RepReport, recording: Recording, question: Question | None, ui: PracticeCallbacks
) -> RepReport:
    """The report is shown but the library could not take the rep: save it where the person asks, or
    keep only the recording and say so (LibraryWriteError)."""
    from .pipeline import save_and_report
    from .store import Library
    from .wavfile import discard_recording

    assert recording.path is not None and report.not_saved is not None
    kept = f"the report is above and the recording is kept at {recording.path}"
    folder = ui.save_elsewhere(report.not_saved)
    if folder is None:
        raise LibraryWriteError(f"{report.not_saved}; {kept} (--fallback-dir DIR saves it elsewhere)")
    saved = save_and_report(
        report.result,
        library=Library(folder),
        question=question,
        audio=recording.path,
        source_path=str(recording.path.resolve()),
    )
    if saved.rep is None:
        raise LibraryWriteError(f"{report.not_saved}; and {saved.not_saved}; {kept}")
    discard_recording(recording.path)
    ui.note(
        f"Saved as rep {saved.rep.id} in the library at {folder} (REPS_HOME={folder} reps history lists it)"
    )
    return saved


def _discard(copy: Path, original: Path) -> None:
    """The resampled copy of a recording that did not become a rep (the original is kept)."""
    if copy != original:
        copy.unlink(missing_ok=True)
