"""The practice loop: pick a question, prepare, record from the microphone, analyze, report, reflect."""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import AudioError, RepsError
from .settings import DEFAULT_MODEL, AnalysisSettings, reps_home

if TYPE_CHECKING:
    from rich.console import Console

    from .questions import Question
    from .record import InputDevice, LevelUpdate, MicCheck, Recording, WavRepair

# The four questions of the practice method (users.md, "Reflection"); keys as saved in reflection.json.
REFLECTION_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("stumped", "What stumped me?"),
    ("weak_or_vague", "What felt weak or vague?"),
    ("feedback_noticed", "What feedback, verbal or not, did I notice?"),
    ("story_gap", "What part of my story didn't connect?"),
)

# What the structure names in the question bank stand for (prompts/*.toml).
STRUCTURES = {
    "STAR": "Situation, Task, Action, Result",
    "CAR": "Context, Action, Result",
    "PREP": "Point, Reason, Example, Point again",
    "Present-Past-Future": "where you are now, how you got here, what you want next",
    "direct": "answer in the first sentence, then one reason or example",
}


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


# --- choosing the question -------------------------------------------------------------------


def last_practised(home: Path | None = None) -> dict[str, datetime]:
    """Question id -> time of its latest rep, from the library index (``store.Library.entries``)."""
    from .store import Library

    latest: dict[str, datetime] = {}
    for entry in Library(home).entries():  # oldest first: later reps overwrite earlier ones
        if entry.question_id:
            when = datetime.fromisoformat(entry.created_at.replace("Z", "+00:00"))
            latest[entry.question_id] = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return latest


def pick_question(
    bank: Sequence[Question],
    *,
    question_id: str | None = None,
    category: str | None = None,
    practised: dict[str, datetime] | None = None,
    rng: random.Random | None = None,
) -> Question:
    """The question for this rep: ``question_id`` if given, else one from ``category`` (or the whole
    bank) not practised yet, chosen at random, else the one practised longest ago."""
    from .questions import filter_questions, get_question

    if question_id is not None:
        found = [q for q in bank if q.id == question_id]
        return found[0] if found else get_question(question_id)  # get_question raises with a hint
    pool = filter_questions(bank, category=category) if category else list(bank)
    if not pool:
        from .errors import QuestionError

        raise QuestionError("the question bank is empty; add questions to REPS_HOME/questions/*.toml")
    practised = practised or {}
    fresh = [q for q in pool if q.id not in practised]
    if fresh:
        return (rng or random.Random()).choice(fresh)
    return min(pool, key=lambda q: practised[q.id])


# --- terminal helpers ------------------------------------------------------------------------


def _console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _mmss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False


class EnterKey:
    """Polls a terminal's stdin for Enter without blocking; inactive when stdin is not a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = sys.stdin if stream is None else stream
        self.active = _is_terminal(self.stream)

    def discard_pending(self) -> None:
        """Forget keys pressed earlier (during the countdown), so they do not stop the recording."""
        if not self.active:
            return
        try:
            if sys.platform == "win32":
                import msvcrt

                while msvcrt.kbhit():
                    msvcrt.getwch()
            else:
                import termios

                termios.tcflush(self.stream.fileno(), termios.TCIFLUSH)
        except (OSError, ValueError):
            pass

    def pressed(self) -> bool:
        if not self.active:
            return False
        try:
            if sys.platform == "win32":
                import msvcrt

                return msvcrt.kbhit() and msvcrt.getwch() in ("\r", "\n")
            import select

            fd = self.stream.fileno()
            if not select.select([fd], [], [], 0)[0]:
                return False
            if not os.read(fd, 4096):  # end of input: nobody can press Enter any more
                self.active = False
                return False
            return True
        except (OSError, ValueError):
            self.active = False
            return False


class LevelMeter:
    """A one-line live meter on stderr: elapsed time against the target, level bar, dBFS.

    Drawn only when stderr is a terminal; otherwise silent (scripts and tests get the summary lines).
    """

    BAR_CELLS = 24
    FLOOR_DBFS = -60.0

    def __init__(
        self,
        console: Console,
        *,
        target_s: tuple[float, float] | None = None,
        max_s: float | None = None,
        hint: str = "",
    ) -> None:
        self.console = console
        self.target_s = target_s
        self.max_s = max_s
        self.hint = hint
        self._live: Any = None
        self._last_draw = 0.0

    def __enter__(self) -> LevelMeter:
        if self.console.is_terminal:
            from rich.live import Live

            self._live = Live(console=self.console, auto_refresh=False, transient=True)
            self._live.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._live is not None:
            self._live.__exit__(*exc_info)

    def update(self, level: LevelUpdate) -> None:
        if self._live is None:
            return
        now = time.monotonic()
        if now - self._last_draw < 0.08:
            return
        self._last_draw = now
        self._live.update(self.render(level), refresh=True)

    def render(self, level: LevelUpdate) -> Any:
        from rich.text import Text

        text = Text()
        text.append("● REC ", style="bold red")
        text.append(_mmss(level.elapsed_s), style="bold")
        if self.target_s is not None:
            lo, hi = self.target_s
            style = "yellow" if level.elapsed_s < lo else ("green" if level.elapsed_s <= hi else "red")
            word = "under" if level.elapsed_s < lo else ("in target" if level.elapsed_s <= hi else "over")
            text.append(f" / {_mmss(lo)}-{_mmss(hi)} ", style="dim")
            text.append(word, style=style)
        elif self.max_s is not None:
            text.append(f" / {_mmss(self.max_s)}", style="dim")
        fill = (level.level_dbfs - self.FLOOR_DBFS) / -self.FLOOR_DBFS
        cells = round(max(0.0, min(1.0, fill)) * self.BAR_CELLS)
        bar_style = "red" if level.peak_dbfs > -1.0 else ("green" if level.level_dbfs > -40 else "yellow")
        text.append("  ")
        text.append("█" * cells, style=bar_style)
        text.append("░" * (self.BAR_CELLS - cells), style="dim")
        text.append(f" {level.level_dbfs:4.0f} dBFS", style="dim")
        if self.hint:
            text.append(f"   {self.hint}", style="dim")
        return text


# --- the flow --------------------------------------------------------------------------------


def show_question(question: Question, console: Console) -> None:
    """The question, its category, target length, structure and points, on stderr."""
    lo, hi = question.target_s
    structure = question.structure
    if structure in STRUCTURES:
        structure = f"{structure} ({STRUCTURES[structure]})"
    console.print()
    console.print(f"[bold]{question.text}[/bold]")
    console.print(f"[dim]{question.id} · {question.category} · aim for {lo:g}-{hi:g} s[/dim]")
    console.print(f"Structure: {structure}")
    for point in question.points:
        console.print(f"  • {point}")
    console.print()


def countdown(prep_s: float, console: Console) -> None:
    """Wait ``prep_s`` seconds to prepare; a ticking line on a terminal, one line otherwise."""
    if prep_s <= 0:
        return
    if not console.is_terminal:
        console.print(f"Recording starts in {prep_s:g} s.")
        time.sleep(prep_s)
        return
    with console.status("") as status:
        end = time.monotonic() + prep_s
        while (left := end - time.monotonic()) > 0:
            status.update(f"Think it through. Recording starts in [bold]{int(left) + 1}[/bold] s")
            time.sleep(min(left, 0.2))


def report_leftovers(leftovers: Sequence[WavRepair], console: Console) -> None:
    """Tell the user about recordings that never became a rep (a crash, Ctrl-C, a failed analysis)."""
    for left in leftovers[:5]:
        fixed = "; its header was repaired" if left.repaired else ""
        console.print(
            f"reps: an earlier recording was not saved as a rep ({_mmss(left.duration_s)}{fixed}): "
            f"{left.path}  (analyze it with: reps analyze {left.path})",
            markup=False,
        )
    if len(leftovers) > 5:
        console.print(f"reps: {len(leftovers) - 5} more in {leftovers[0].path.parent}", markup=False)


def record_answer(
    question: Question | None,
    *,
    device: InputDevice,
    sample_rate_hz: int,
    channels: int,
    options: PracticeOptions,
    console: Console,
    enter: EnterKey,
    home: Path | None = None,
) -> Recording:
    """Record the answer into ``REPS_HOME/recordings/<timestamp>.wav`` with a live meter."""
    from .record import new_recording_path, record_to_wav

    path = new_recording_path(home)
    stop_how = "Enter or Ctrl-C stops" if enter.active else "Ctrl-C stops"
    limit = f"stops by itself at {_mmss(options.max_s)}"
    if options.stop_on_silence_s:
        limit += f" or after {options.stop_on_silence_s:g} s of silence"
    console.print(f"[bold red]Recording[/bold red] from {device.name!r}. Speak now. {stop_how}; {limit}.")
    enter.discard_pending()
    with LevelMeter(console, target_s=question.target_s if question else None, max_s=options.max_s) as meter:
        recording = record_to_wav(
            path,
            device=device,
            sample_rate_hz=sample_rate_hz,
            channels=channels,
            max_s=options.max_s,
            stop_on_silence_s=options.stop_on_silence_s,
            should_stop=enter.pressed,
            on_level=meter.update,
        )
    why = {
        "user": "you stopped it",
        "max": f"the {_mmss(options.max_s)} limit",
        "silence": f"{options.stop_on_silence_s or 0:g} s of silence",
        "interrupt": "Ctrl-C",
    }[recording.stopped_by]
    console.print(f"Recorded {recording.duration_s:.1f} s ({why}).")
    return recording


def process_answer(recording: Recording, question: Question | None, *, model: str, console: Console) -> Any:
    """Transcribe, analyze and save the rep; the recording leaves recordings/ only once the rep is saved.

    On failure the recording stays, and the error (one line) says where it is.
    """
    from .pipeline import process_recording
    from .record import resample_for_analysis

    assert recording.path is not None
    original = recording.path
    kept = f"the recording is kept at {original}"
    try:
        analysis_path = resample_for_analysis(original)
        outcome = process_recording(
            analysis_path,
            question_id=question.id if question else None,
            save=True,
            model=model,
            progress=lambda message: console.print(f"[dim]{message}[/dim]"),
        )
    except RepsError as exc:
        raise type(exc)(f"{exc}; {kept}") from exc
    except BaseException:
        console.print(f"reps: {kept}", markup=False)
        raise
    if outcome.saved is not None:
        for path in {original, analysis_path}:
            path.unlink(missing_ok=True)
    return outcome


def ask_reflection(console: Console, *, stream: TextIO | None = None) -> dict[str, str]:
    """The four reflection questions; Enter skips one, Ctrl-C skips the rest (keeping the answers
    given). Never asks when stdin is not a terminal."""
    own_stream = stream is not None and stream is not sys.stdin
    stream = sys.stdin if stream is None else stream
    if not _is_terminal(stream):
        return {}
    console.print()
    console.print("[bold]Reflect[/bold] [dim](a few words each; Enter skips)[/dim]")
    answers: dict[str, str] = {}
    for key, prompt in REFLECTION_QUESTIONS:
        try:
            answers[key] = console.input(
                f"  {prompt} ", markup=False, stream=stream if own_stream else None
            ).strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            break
    return answers


def run_practice(options: PracticeOptions, *, console: Console | None = None) -> int:
    """``reps practice`` from start to end. Returns the exit code: 0, or 130 after Ctrl-C.

    Raises RepsError (DeviceError for a missing microphone, QuestionError, AudioError, ...).
    """
    from .questions import load_questions
    from .record import choose_format, find_device, repair_recordings

    console = console or _console()
    home = reps_home()
    report_leftovers(repair_recordings(home), console)

    question = pick_question(
        load_questions(),
        question_id=options.question_id,
        category=options.category,
        practised=last_practised(home) if options.question_id is None else None,
    )
    device = find_device(options.device)
    rate, channels = choose_format(device, sample_rate_hz=options.sample_rate_hz)
    enter = EnterKey()

    show_question(question, console)
    countdown(options.prep_s, console)
    recording = record_answer(
        question,
        device=device,
        sample_rate_hz=rate,
        channels=channels,
        options=options,
        console=console,
        enter=enter,
        home=home,
    )
    interrupted = recording.stopped_by == "interrupt"
    min_s = AnalysisSettings().min_duration_s
    if recording.duration_s < min_s:
        message = (
            f"the answer is too short to judge ({recording.duration_s:.1f} s; at least {min_s:g} s needed)"
        )
        if interrupted:
            console.print(f"reps: {message}; the recording is kept at {recording.path}", markup=False)
            return 130
        raise AudioError(f"{message}; the recording is kept at {recording.path}")
    if interrupted:
        console.print(
            f"Stopped by Ctrl-C; analyzing what was said. The recording is at {recording.path}", markup=False
        )

    outcome = process_answer(recording, question, model=options.model, console=console)

    from .report import print_summary

    print_summary(outcome, question=question)
    if outcome.saved is not None and options.reflect and not interrupted:
        answers = ask_reflection(console)
        if any(answers.values()):
            from .store import save_reflection

            save_reflection(outcome.saved.folder, answers)
            console.print(f"[dim]Reflection saved with rep {outcome.saved.id}.[/dim]")
    return 130 if interrupted else 0


# --- devices and mic check -------------------------------------------------------------------


def print_devices(*, as_json: bool = False, out: TextIO | None = None) -> None:
    """Input devices on stdout: index, name, channels, default rate; ``*`` marks the default."""
    from .errors import DeviceError
    from .record import NO_MICROPHONE, list_input_devices

    out = out or sys.stdout
    devices = list_input_devices()
    if as_json:
        out.write(json.dumps([asdict(d) for d in devices], indent=1) + "\n")
        return
    if not devices:
        raise DeviceError(NO_MICROPHONE)
    width = max(len(d.name) for d in devices)
    for d in devices:
        mark = "*" if d.is_default else " "
        host = f"  {d.host_api}" if d.host_api else ""
        out.write(
            f"{mark} {d.index:>3}  {d.name:<{width}}  {d.channels:>3} ch  {d.default_rate_hz:>7.0f} Hz{host}\n"
        )
    out.write("* default input; choose another with --device INDEX or --device NAME\n")


def run_mic_check(*, device: str | None = None, seconds: float = 3.0, as_json: bool = False) -> MicCheck:
    """Record ``seconds``, print level, noise and clipping on stdout, and any warnings."""
    from .record import find_device, mic_check

    console = _console()
    chosen = find_device(device)
    console.print(f"Say a few sentences at interview volume for {seconds:g} s...")
    with LevelMeter(console, max_s=seconds) as meter:
        check = mic_check(device=chosen, seconds=seconds, on_level=meter.update)
    q = check.quality
    if as_json:
        sys.stdout.write(
            json.dumps(
                {
                    "device": asdict(check.device),
                    "sample_rate_hz": check.sample_rate_hz,
                    "duration_s": round(check.duration_s, 3),
                    "quality": {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(q).items()},
                    "ok": q.ok,
                },
                indent=1,
            )
            + "\n"
        )
        return check
    s = AnalysisSettings()
    lines = [
        f"device        {check.device.index} {check.device.name} ({check.sample_rate_hz} Hz)",
        f"speech level  {q.speech_level_dbfs:6.1f} dBFS   (aim above {s.quiet_speech_dbfs:g})",
        f"peak          {q.peak_dbfs:6.1f} dBFS",
        f"noise floor   {q.noise_floor_dbfs:6.1f} dBFS",
        f"speech/noise  {q.snr_db:6.1f} dB     (aim for {s.min_snr_db:g} or more)",
        f"clipped       {100 * q.clipped_fraction:6.2f} %      (at most {100 * s.clipped_fraction_max:g})",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    if q.ok:
        sys.stdout.write("ok: the microphone sounds fine for practice\n")
    for problem in q.problems:
        sys.stdout.write(f"warning: {problem}\n")
    return check
