"""The mock interview: questions in a row as a real interview runs, asked aloud, each answer recorded
with the practice flow, analyzed in the background while the next is recorded, saved as a rep of its own
question tagged with the session, then the session summary and one reflection on the whole interview.

Like the practice flow it has no terminal of its own: an ``InterviewCallbacks`` hears what happens.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from .errors import LibraryError, LibraryWriteError, QuestionError, RepsError, Terminated
from .models import INTERVIEW_REFLECTION_QUESTIONS
from .practice import (
    PracticeCallbacks,
    PracticeOptions,
    record_answer,
    save_answer,
    too_short,
    where_to_record,
)
from .settings import DEFAULT_MODEL, InterviewSettings

if TYPE_CHECKING:
    from pathlib import Path

    from .models import Result, Session, UnsavedAnswer
    from .pipeline import RepReport
    from .questions import Question
    from .record import CaptureOptions, Recording
    from .sessions import SessionSummary
    from .speak import OutputDevice, Speech, Voice
    from .store import Library

# An interview opens with one of these when the bank has them ("Tell me about yourself", issue 15)...
OPENERS = ("tell-me-about-yourself", "walk-me-through-your-cv")
OPENER_CATEGORY = "about-you"
# ...ends with a closing question, and in between runs roughly in this order of categories (the user's
# own categories come after these).
CLOSING_CATEGORY = "closing"
MIDDLE_ORDER = (
    "motivation",
    "behavioural",
    "leadership-and-conflict",
    "failure-and-learning",
    "situational",
    "technical-general",
    "about-you",
)


@dataclass(frozen=True)
class InterviewOptions:
    """``reps interview`` options; the CLI takes its defaults from here."""

    count: int = 5
    category: str | None = None
    question_ids: tuple[str, ...] = ()  # exactly these, in this order (count is then their number)
    job_terms: tuple[str, ...] = ()  # of a job description (--job): questions that fit first, answers checked
    prep_s: float = PracticeOptions.prep_s
    max_s: float = PracticeOptions.max_s
    stop_on_silence_s: float | None = None
    device: str | None = None
    sample_rate_hz: int | None = None
    speak: bool = True
    speaker: str | None = None  # the output device for the voice (None: the default)
    follow_ups: bool = False
    reflect: bool = True
    model: str = DEFAULT_MODEL
    settings: InterviewSettings = field(default_factory=InterviewSettings)


class InterviewCallbacks(PracticeCallbacks):
    """What the interview tells the person, on top of the practice flow's callbacks (``question`` is
    not called: ``ask`` is). Every method has a quiet default."""

    def interview_started(self, session: Session, questions: Sequence[Question]) -> None:
        """The interview is planned and saved: these questions, in this order."""

    def voice(self, line: str) -> None:
        """Which voice reads the questions aloud, or why they are shown as text only (once)."""

    def ask(self, question: Question, number: int, of: int) -> None:
        """Question ``number`` of ``of`` is about to be asked."""

    def follow_up(self, text: str, question: Question) -> None:
        """The interviewer asks a follow-up to the answer just given."""

    def listening(self) -> None:
        """The answer just given is being analyzed before a follow-up is chosen (a few seconds)."""

    def finishing(self, pending: int) -> None:
        """The interview is over; ``pending`` answers are still being analyzed."""

    def summary(self, summary: SessionSummary) -> None:
        """The session summary."""

    def session_reflection_saved(self, session: Session) -> None:
        """The reflection was saved with the session."""

    def page_written(self, path: Path) -> None:
        """The interview's HTML page, linked to each answer's report, is at ``path``."""


# --------------------------------------------------------------------------------------- planning


def plan_interview(
    bank: Sequence[Question],
    *,
    count: int = 5,
    category: str | None = None,
    question_ids: Sequence[str] = (),
    practised: Mapping[str, datetime] | None = None,
    prefer: Sequence[str] = (),
    rng: random.Random | None = None,
) -> list[Question]:
    """The questions of one interview, in the order they are asked.

    ``question_ids``: exactly those, in that order. ``category``: ``count`` different questions from it.
    Otherwise as an interview runs: an opener ("Tell me about yourself") first, a closing question last,
    and in between questions from different categories in a typical order. Within each slot a question
    from ``prefer`` (those that fit a job description) comes first, then one not practised yet, else the
    one practised longest ago (``practised``: question id -> time of its latest rep).
    """
    from .questions import filter_questions, get_question, pick_question

    if question_ids:
        by_id = {q.id: q for q in bank}
        return [by_id[qid] if qid in by_id else get_question(qid) for qid in question_ids]
    rng = rng or random.Random()
    chosen: list[Question] = []
    wanted = set(prefer)

    def pick(pool: Sequence[Question]) -> Question | None:
        left = [q for q in pool if q not in chosen]
        if not left:
            return None
        liked = [q for q in left if q.id in wanted]
        return pick_question(liked or left, practised=practised, rng=rng)

    if category is not None:
        pool = filter_questions(bank, category=category)
        for _ in range(count):
            question = pick(pool)
            if question is None:
                break
            chosen.append(question)
        return chosen
    if not bank:
        raise QuestionError("the question bank is empty; add questions to REPS_HOME/questions/*.toml")
    openers = [q for q in bank if q.id in OPENERS] or [q for q in bank if q.category == OPENER_CATEGORY]
    closers = [q for q in bank if q.category == CLOSING_CATEGORY]
    first = pick(openers or bank)
    assert first is not None
    chosen.append(first)
    last = pick(closers) if count >= 2 and closers else None
    if last is not None:
        chosen.append(last)
    middle_slots = count - len(chosen)
    categories = [c for c in MIDDLE_ORDER if any(q.category == c for q in bank)]
    categories += [
        c for c in dict.fromkeys(q.category for q in bank) if c not in (*MIDDLE_ORDER, CLOSING_CATEGORY)
    ]
    middle: list[Question] = []
    while len(middle) < middle_slots:
        # One question per category before any category gives a second; categories with questions that
        # fit the job first, else at random (about-you last: the opener came from it).
        shuffled = rng.sample(categories, len(categories))
        shuffled.sort(
            key=lambda c: (not any(q.id in wanted and q.category == c for q in bank), c == OPENER_CATEGORY)
        )
        added = 0
        for cat in shuffled:
            if len(middle) >= middle_slots:
                break
            question = pick([q for q in bank if q.category == cat])
            if question is not None:
                chosen.append(question)
                middle.append(question)
                added += 1
        if not added:
            break  # the bank has no more questions
    order = {c: i for i, c in enumerate(categories)}
    middle.sort(
        key=lambda q: order.get(q.category, len(order))
    )  # stable: a category's questions keep their order
    return [first, *middle, *([last] if last is not None else [])]


# --------------------------------------------------------------- what the content analysis decides


def questions_for_job(bank: Sequence[Question], job_terms: Sequence[str]) -> tuple[str, ...]:
    """Ids of the questions that share words with a job description's terms, best first
    (``analyze.content.questions_for_job``; the terms: ``job_terms_from_file``)."""
    from .analyze.content import questions_for_job as fit

    return tuple(q.id for q, shared in fit(bank, job_terms) if shared)


def follow_up_for(question: Question, result: Result) -> str | None:
    """The follow-up an interviewer would ask after this answer, or None: the question's follow-up
    whose condition the content analysis found (no result, no specifics, mostly "we", a point
    missed...), else its "always" one (``questions.pick_follow_up``)."""
    from .questions import pick_follow_up

    chosen = pick_follow_up(question, result.content)
    return chosen.text if chosen is not None else None


# ------------------------------------------------------------------------------------ the voice


class Interviewer:
    """Reads questions aloud: the voice loads, and each question is synthesized, in a thread ahead of
    time; ``ask`` plays it and returns once the speakers are done (recording starts only then)."""

    def __init__(self, device: OutputDevice, *, settings: InterviewSettings) -> None:
        from .speak import find_voice

        self.device = device
        self.settings = settings
        self.voice_name: str | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reps-voice")
        self._voice: Future[tuple[Voice | None, str]] = self._pool.submit(find_voice)
        self._speech: dict[str, Future[Speech | None]] = {}
        self._silent = False

    def ready(self) -> str:
        """Wait for the voice; the line that says which one (or why the questions stay text)."""
        voice, line = self._voice.result()
        if voice is None:
            self._silent = True
        else:
            self.voice_name = voice.name
        return line

    def prepare(self, text: str) -> None:
        """Start synthesizing ``text`` now, to have it ready when it is asked."""
        if not self._silent and text not in self._speech:
            self._speech[text] = self._pool.submit(self._synthesize, text)

    def _synthesize(self, text: str) -> Speech | None:
        from .speak import VoiceError

        voice, _ = self._voice.result()
        if voice is None:
            return None
        try:
            return voice.say(text)
        except VoiceError:
            raise
        except Exception as exc:  # a bug in a voice: the questions go on as text, never a traceback
            raise VoiceError(f"{voice.name} failed ({type(exc).__name__}: {exc})") from exc

    def ask(self, text: str) -> str | None:
        """Say ``text`` and wait for the speakers to finish, then a moment of quiet. Returns None, or a
        line saying why the voice stopped (it stays silent from then on)."""
        import time

        from .errors import DeviceError
        from .speak import VoiceError, play

        if self._silent:
            return None
        self.prepare(text)
        try:
            speech = self._speech.pop(text).result()
            if speech is None:
                return None
            play(speech, self.device)
        except (VoiceError, DeviceError) as exc:
            self._silent = True
            return f"the interviewer's voice stopped ({exc}); the questions go on as text"
        time.sleep(self.settings.after_voice_s)
        return None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# ------------------------------------------------------------------------------------ the interview


@dataclass
class _Pending:
    question: Question
    number: str  # in the interview: "2", or "2a" for the follow-up after it
    follow_up: str | None
    recording: Recording
    future: Future[RepReport]


class _Run:
    """The state of one interview while it runs: its session, the analyses under way, what was lost."""

    def __init__(
        self,
        session: Session,
        options: InterviewOptions,
        ui: InterviewCallbacks,
        *,
        library: Library,
        capture: CaptureOptions,
        interviewer: Interviewer | None,
    ) -> None:
        self.session = session
        self.options = options
        self.ui = ui
        self.library = library
        self.capture = capture
        self.interviewer = interviewer
        self.pending: list[_Pending] = []
        self.unsaved: list[UnsavedAnswer] = []
        self.interrupted = False
        self.terminated = False  # SIGTERM: the interview ends as after Ctrl-C, then reps exits 143
        self.stopped: RepsError | None = None  # a recording that could not go on (the disk full)
        self.saved = 0
        # One analysis at a time, beside the recording: on two cores, transcription gets one to itself.
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reps-analysis")

    def answer(self, question: Question, number: str, *, follow_up: str | None = None) -> bool:
        """Ask (aloud when there is a voice), let the person prepare, record; the analysis starts in
        the background. Returns True when the interview ends here: Ctrl-C, SIGTERM, or a recording
        that could not go on (the disk is full; ``stopped`` says why, what was said is analyzed)."""
        from .models import UnsavedAnswer

        if self.interviewer is not None:
            problem = self.interviewer.ask(follow_up or question.text)
            if problem:
                self.ui.warn(problem)
        if self.options.prep_s > 0:
            self.ui.prepare(self.options.prep_s)
        started = datetime.now(timezone.utc)
        recording = record_answer(
            None if follow_up else question, self.capture, self.ui, library=self.library
        )
        if recording.problem:
            self.ui.warn(recording.problem)
        if recording.stopped_by == "terminated":  # SIGTERM: end here, keep the recording unanalyzed
            self.interrupted = self.terminated = True
            if recording.duration_s > 0:
                path = str(recording.path)
                again = f"reps analyze {path}" + (f" --question {question.id}" if follow_up is None else "")
                reason = f"not analyzed (SIGTERM); the recording is kept at {path} ({again} makes it a rep)"
                self.unsaved.append(UnsavedAnswer(question.id, reason, path, follow_up, number))
            self.ui.note("Stopped by SIGTERM: the interview ends here; every answer so far is kept.")
            return True
        interrupted = recording.stopped_by == "interrupt"
        short = too_short(recording)
        if short is not None:
            self.ui.warn(short)
            reason = f"too short to judge ({recording.duration_s:.1f} s)"
            self.unsaved.append(UnsavedAnswer(question.id, reason, str(recording.path), follow_up, number))
        else:
            future = self.pool.submit(self._analyze, recording, question, number, follow_up, started)
            self.pending.append(_Pending(question, number, follow_up, recording, future))
        if interrupted:
            self.interrupted = True
            self.ui.note("Stopped by Ctrl-C: the interview ends here; every answer so far is kept.")
        elif recording.stopped_by == "error":  # the next answer could not be kept either
            self.stopped = LibraryWriteError(recording.problem or "the recording could not go on")
            self.ui.note(
                "The interview ends here: the recording could not go on; every answer so far is kept."
            )
            return True
        return interrupted

    def _analyze(
        self, recording: Recording, question: Question, number: str, follow_up: str | None, started: datetime
    ) -> RepReport:
        """In the analysis thread: never the terminal (the person is answering the next question)."""
        from .models import FollowUpAsked, SessionTag

        asked = FollowUpAsked(question.id, follow_up) if follow_up else None
        try:
            return save_answer(
                recording,
                None if follow_up else question,
                PracticeCallbacks(),
                library=self.library,
                model=self.options.model,
                job_terms=self.options.job_terms,
                created_at=started,
                session=SessionTag(self.session.id, number, asked),
                limit_s=self.options.max_s,  # an answer stopped at the limit is told so
            )
        except RepsError:
            raise
        except Exception as exc:  # a bug: this answer is lost to analysis, never its recording
            error = RepsError(
                f"unexpected error ({type(exc).__name__}: {exc}); please report this bug; "
                f"the recording is kept at {recording.path}"
            )
            raise error from exc

    def follow_up_text(self, question: Question) -> str | None:
        """The follow-up that fits the answer just given (waits for its analysis), or None."""
        last = self.pending[-1] if self.pending else None
        if last is None or last.question is not question or last.follow_up is not None:
            return None
        if not question.follow_ups:
            return None  # nothing to choose from: no need to wait for the analysis
        self.ui.listening()
        try:
            report = last.future.result()
        except RepsError:
            return None
        return follow_up_for(question, report.result)

    def finish(self) -> None:
        """Wait for the analyses still running; a further Ctrl-C leaves the ones not started yet unanalyzed
        (their recordings stay in recordings/)."""
        from .models import UnsavedAnswer

        waiting = sum(not p.future.done() for p in self.pending)
        if waiting:
            self.ui.finishing(waiting)
        try:
            for item in self.pending:
                item.future.exception()  # waits
        except (KeyboardInterrupt, Terminated) as stop:
            self.interrupted = True
            self.terminated = self.terminated or isinstance(stop, Terminated)
            for item in self.pending:
                item.future.cancel()
            for item in self.pending:
                if not item.future.cancelled():
                    item.future.exception()  # the one already running: seconds
        finally:
            self.pool.shutdown(wait=False, cancel_futures=True)
        for item in self.pending:
            qid, path = item.question.id, str(item.recording.path)
            if item.future.cancelled():
                again = f"reps analyze {path}" + (f" --question {qid}" if item.follow_up is None else "")
                why = "SIGTERM" if self.terminated else "Ctrl-C"
                reason = f"not analyzed ({why}); the recording is kept at {path} ({again} makes it a rep)"
                self.unsaved.append(UnsavedAnswer(qid, reason, path, item.follow_up, item.number))
            elif item.future.exception() is not None:
                error = str(item.future.exception()).removeprefix(f"{path}: ")  # the line names it at its end
                self.unsaved.append(UnsavedAnswer(qid, error, path, item.follow_up, item.number))
            elif (report := item.future.result()).rep is None:  # the library could not take it (disk full)
                reason = f"{report.not_saved}; the recording is kept at {path}"
                self.unsaved.append(UnsavedAnswer(qid, reason, path, item.follow_up, item.number))
            else:
                self.saved += 1
        self.unsaved.sort(key=lambda u: (int((u.answer or "0").rstrip("a")), u.answer or ""))


def run_interview(
    options: InterviewOptions,
    ui: InterviewCallbacks,
    *,
    library: Library | None = None,
    rng: random.Random | None = None,
) -> int:
    """``reps interview`` from start to end. Returns the exit code: 0; 1 when an answer could not be
    saved as a rep (its recording is kept, the summary says why); 130 after Ctrl-C.

    Raises RepsError before the first question (no microphone, unknown question, ...); a failure later
    on (the microphone gone) ends the interview with its summary, then is raised.
    """
    from .questions import load_questions
    from .record import capture_options
    from .store import Library
    from .wavfile import repair_recordings

    library = library or Library()
    ui.leftovers(repair_recordings(library.home))
    bank = load_questions()
    prefer = questions_for_job(bank, options.job_terms) if options.job_terms else ()
    questions = plan_interview(
        bank,
        count=options.count,
        category=options.category,
        question_ids=options.question_ids,
        practised=library.last_practised(),
        prefer=prefer,
        rng=rng,
    )
    capture = capture_options(
        options.device,
        sample_rate_hz=options.sample_rate_hz,
        max_s=options.max_s,
        stop_on_silence_s=options.stop_on_silence_s,
    )
    # Refuses a library that cannot be written before the first question; warns when the disk is low.
    where_to_record(library, None, capture, ui, answers=len(questions) * (2 if options.follow_ups else 1))
    interviewer, voice_line = _interviewer(options)
    session = library.start_session(
        [q.id for q in questions],
        settings={
            "count": len(questions),
            "prep_s": options.prep_s,
            "max_s": options.max_s,
            "follow_ups": options.follow_ups,
            "job_terms": list(options.job_terms),
            "model": options.model,
            "voice": None,
        },
    )
    run = _Run(session, options, ui, library=library, capture=capture, interviewer=interviewer)
    failure: RepsError | None = None
    try:
        ui.interview_started(session, questions)
        if interviewer is not None:
            for question in questions:
                interviewer.prepare(question.text)
            voice_line = interviewer.ready()
        if voice_line:
            ui.voice(voice_line)
        for number, question in enumerate(questions, start=1):
            ui.ask(question, number, len(questions))
            if run.answer(question, str(number)):
                break
            if options.follow_ups:
                text = run.follow_up_text(question)
                if text:
                    ui.follow_up(text, question)
                    if run.answer(question, f"{number}a", follow_up=text):
                        break
    except KeyboardInterrupt:
        run.interrupted = True
        ui.note("Stopped by Ctrl-C: the interview ends here; every answer so far is kept.")
    except Terminated:
        run.interrupted = run.terminated = True
        ui.note("Stopped by SIGTERM: the interview ends here; every answer so far is kept.")
    except RepsError as exc:  # e.g. the microphone went away: keep what was said, then say why
        failure = exc
    finally:
        if interviewer is not None:
            interviewer.close()
    run.finish()
    asked = {p.question.id for p in run.pending} | {u.question_id for u in run.unsaved}
    session = replace(
        session,
        ended_at=datetime.now(timezone.utc),
        ended_early=run.interrupted or failure is not None or len(asked) < len(questions),
        unsaved=tuple(run.unsaved),
        settings={**session.settings, "voice": interviewer.voice_name if interviewer else None},
    )
    failure = failure or run.stopped
    try:
        library.save_session(session)
    except LibraryError as exc:  # the disk is full: the summary is still shown, then why it is not kept
        failure = failure or exc
        if failure is not exc:
            ui.warn(str(exc))
    ui.summary(summarize(library, session))
    if failure is not None:
        raise failure
    if options.reflect and not run.interrupted and run.saved:
        answers = ui.reflect(INTERVIEW_REFLECTION_QUESTIONS)
        if any(answers.values()):
            session = replace(session, reflection={k: v for k, v in answers.items() if v})
            library.save_session(session)
            ui.session_reflection_saved(session)
    if run.saved:
        _write_page(library, session, ui)
    if run.terminated:
        raise Terminated
    if run.interrupted:
        return 130
    if run.unsaved:
        n = len(run.unsaved)
        ui.warn(
            f"error: {n} answer{'s' if n > 1 else ''} could not be saved as reps (see above); the recordings are kept"
        )
        return 1
    return 0


def _write_page(library: Library, session: Session, ui: InterviewCallbacks) -> None:
    """The interview's HTML page; a failure to write it costs the page, never the interview."""
    from .pages import write_session_page

    try:
        path = write_session_page(library, summarize(library, session))
    except RepsError as exc:
        ui.warn(f"the interview is saved, but its page could not be written ({exc})")
        return
    ui.page_written(path)


def _interviewer(options: InterviewOptions) -> tuple[Interviewer | None, str]:
    """The interviewer's voice on the speakers, or None and the line saying why not (empty: --no-speak).

    A speaker named with ``--speaker`` that cannot be found is an error; no speakers at all is not.
    """
    from .errors import DeviceError
    from .speak import find_output_device

    if not options.speak:
        return None, ""
    try:
        device = find_output_device(options.speaker)
    except DeviceError as exc:
        if options.speaker is not None:
            raise
        return None, f"The questions are shown, not read aloud: {exc}."
    return Interviewer(device, settings=options.settings), ""


def summarize(library: Library, session: Session) -> SessionSummary:
    """The summary of a saved session from its reps in ``library`` and the question bank."""
    from .questions import load_questions
    from .sessions import summarize_session

    try:
        bank = {q.id: q for q in load_questions()}
    except QuestionError:
        bank = {}  # a broken user question file must not hide a past interview
    return summarize_session(
        session,
        library.reps(session_id=session.id),
        question_text=lambda qid: bank[qid].text if qid in bank else None,
        target_s=lambda qid: bank[qid].target_s if qid in bank else None,
    )
