"""Practice on a terminal: the question card, the countdown, the live meter, Enter to stop, the
reflection prompts; and the microphone list and check."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from ..devices import NO_MICROPHONE
from ..errors import DeviceError
from ..practice import PracticeCallbacks
from ..questions import STRUCTURES
from ..settings import AnalysisSettings
from ..text import clock
from ..wavfile import save_command
from . import stderr
from .tables import print_summary

if TYPE_CHECKING:
    from ..devices import InputDevice
    from ..mic_check import MicCheck
    from ..models import Rep
    from ..pipeline import RepReport
    from ..questions import Question
    from ..record import CaptureOptions, LevelUpdate, Recording
    from ..wavfile import WavRepair


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
        self._live: Live | None = None
        self._last_draw = 0.0

    def __enter__(self) -> LevelMeter:
        if self.console.is_terminal:
            self._live = Live(console=self.console, auto_refresh=False, transient=True)
            self._live.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._live is not None:
            self._live.__exit__(*exc_info)
            self._live = None

    def update(self, level: LevelUpdate) -> None:
        if self._live is None:
            return
        now = time.monotonic()
        if now - self._last_draw < 0.08:
            return
        self._last_draw = now
        self._live.update(self.render(level), refresh=True)

    def render(self, level: LevelUpdate) -> Text:
        text = Text()
        text.append("● REC ", style="bold red")
        text.append(
            clock(math.floor(level.elapsed_s)), style="bold"
        )  # a running clock shows whole seconds gone
        if self.target_s is not None:
            lo, hi = self.target_s
            style = "yellow" if level.elapsed_s < lo else ("green" if level.elapsed_s <= hi else "red")
            word = "under" if level.elapsed_s < lo else ("in target" if level.elapsed_s <= hi else "over")
            text.append(f" / {clock(lo)}-{clock(hi)} ", style="dim")
            text.append(word, style=style)
        elif self.max_s is not None:
            text.append(f" / {clock(self.max_s)}", style="dim")
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


def ask_reflection(
    console: Console, questions: Sequence[tuple[str, str]], *, stream: TextIO | None = None
) -> dict[str, str]:
    """Ask each (key, prompt); Enter skips one, Ctrl-C skips the rest (keeping the answers given).
    Never asks when stdin is not a terminal."""
    own_stream = stream is not None and stream is not sys.stdin
    stream = sys.stdin if stream is None else stream
    if not _is_terminal(stream):
        return {}
    console.print()
    console.print("[bold]Reflect[/bold] [dim](a few words each; Enter skips)[/dim]")
    answers: dict[str, str] = {}
    for key, prompt in questions:
        try:
            answers[key] = console.input(
                f"  {prompt} ", markup=False, stream=stream if own_stream else None
            ).strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            break
    return answers


class TerminalPractice(PracticeCallbacks):
    """``reps practice`` on a terminal: everything on stderr but the report (stdout)."""

    def __init__(self, console: Console | None = None, *, enter: EnterKey | None = None) -> None:
        self.console = console or stderr()
        self.enter = enter or EnterKey()
        self._meter: LevelMeter | None = None

    def leftovers(self, found: Sequence[WavRepair]) -> None:
        for left in found[:5]:
            fixed = "; its header was repaired" if left.repaired else ""
            command = save_command(left)
            self.console.print(
                f"reps: an earlier recording was not saved as a rep ({clock(left.duration_s)}{fixed}): "
                f"{left.path}  (save it as a rep with: {command}; or delete it)",
                markup=False,
            )
        if len(found) > 5:
            self.console.print(f"reps: {len(found) - 5} more in {found[0].path.parent}", markup=False)

    def question(self, question: Question) -> None:
        lo, hi = question.target_s
        structure = question.structure
        if structure in STRUCTURES:
            structure = f"{structure} ({STRUCTURES[structure]})"
        c = self.console
        c.print()
        c.print(f"[bold]{question.text}[/bold]")
        c.print(f"[dim]{question.id} · {question.category} · aim for {lo:g}-{hi:g} s[/dim]")
        c.print(f"Structure: {structure}")
        for point in question.points:
            c.print(f"  • {point}")
        c.print()

    def prepare(self, prep_s: float) -> None:
        """A ticking line on a terminal, one line otherwise; Enter (when stdin is a terminal) starts
        the recording at once."""
        skip = " (Enter starts now)" if self.enter.active else ""
        end = time.monotonic() + prep_s
        if not self.console.is_terminal:
            self.console.print(f"Recording starts in {prep_s:g} s{skip}.")
            while (left := end - time.monotonic()) > 0 and not self.enter.pressed():
                time.sleep(min(left, 0.1))
            return
        with self.console.status("") as status:
            while (left := end - time.monotonic()) > 0:
                status.update(f"Think it through. Recording starts in [bold]{int(left) + 1}[/bold] s{skip}")
                if self.enter.pressed():
                    return
                time.sleep(min(left, 0.1))

    def last_time(self, line: str) -> None:
        self.console.print(line, markup=False, style="italic")
        self.console.print()

    def stop_controls(self) -> str:
        """How to end the answer, as the recording line says it."""
        return "Enter or Ctrl-C stops" if self.enter.active else "Ctrl-C stops"

    def recording_started(self, question: Question | None, capture: CaptureOptions) -> None:
        stop_how = self.stop_controls()
        limit = f"stops by itself at {clock(capture.max_s)}"
        if capture.stop_on_silence_s:
            limit += f" or after {capture.stop_on_silence_s:g} s of silence"
        self.console.print(
            f"[bold red]Recording[/bold red] from {capture.device.name!r}. Speak now. {stop_how}; {limit}."
        )
        self.enter.discard_pending()
        self._meter = LevelMeter(
            self.console, target_s=question.target_s if question else None, max_s=capture.max_s
        )
        self._meter.__enter__()

    def level(self, update: LevelUpdate) -> None:
        if self._meter is not None:
            self._meter.update(update)

    def should_stop(self) -> bool:
        return self.enter.pressed()

    def recording_stopped(self, recording: Recording | None, capture: CaptureOptions) -> None:
        if self._meter is not None:
            self._meter.__exit__(None, None, None)
            self._meter = None
        if recording is None:
            return
        why = {
            "user": "you stopped it",
            "max": f"the {clock(capture.max_s)} limit",
            "silence": f"{capture.stop_on_silence_s or 0:g} s of silence",
            "interrupt": "Ctrl-C",
            "terminated": "SIGTERM",
            "error": "the file could not take more",
        }[recording.stopped_by]
        self.console.print(f"Recorded {recording.duration_s:.1f} s ({why}).")

    def note(self, message: str) -> None:
        self.console.print(message, markup=False)

    def warn(self, message: str) -> None:
        self.console.print(f"reps: {message}", markup=False)

    def progress(self, message: str) -> None:
        self.console.print(f"[dim]{message}[/dim]")

    def report(self, report: RepReport, question: Question | None) -> None:
        print_summary(report, question=question)

    def reflect(self, questions: Sequence[tuple[str, str]]) -> dict[str, str]:
        if not _is_terminal(sys.stdin):
            self.console.print(
                "No reflection asked (stdin is not a terminal); add one later with `reps reflect latest`.",
                markup=False,
                style="dim",
            )
            return {}
        return ask_reflection(self.console, questions)

    def reflection_saved(self, rep: Rep) -> None:
        self.console.print(f"[dim]Reflection saved with rep {rep.id}.[/dim]")

    def reflection_themes(self, themes: Sequence[str]) -> None:
        for theme in themes:
            self.console.print(f"[bold]Pattern:[/] {theme}", soft_wrap=True)

    def save_elsewhere(self, reason: str) -> Path | None:
        """On a terminal, offer to keep the rep in another folder; never asks otherwise."""
        if not _is_terminal(sys.stdin):
            return None
        self.console.print(f"reps: the rep could not be saved: {reason}", markup=False)
        try:
            answer = self.console.input("Save it in another folder instead? Folder (Enter skips): ").strip()
        except (EOFError, KeyboardInterrupt):
            self.console.print()
            return None
        return Path(answer).expanduser() if answer else None


def print_devices(devices: Sequence[InputDevice], *, as_json: bool = False) -> None:
    """Input devices on stdout: index, name, channels, default rate; ``*`` marks the default."""
    out = sys.stdout
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


def mic_check_meter(seconds: float) -> LevelMeter:
    """The meter shown while the mic check records, after a line saying what to do."""
    console = stderr()
    console.print(f"Say a few sentences at interview volume for {seconds:g} s...")
    return LevelMeter(console, max_s=seconds)


def print_mic_check(check: MicCheck, *, as_json: bool = False) -> None:
    """Level, noise and clipping on stdout, with a warning line for each problem."""
    q = check.quality
    if as_json:
        data = {
            "device": asdict(check.device),
            "sample_rate_hz": check.sample_rate_hz,
            "duration_s": round(check.duration_s, 3),
            "quality": {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(q).items()},
            "ok": q.ok,
        }
        sys.stdout.write(json.dumps(data, indent=1) + "\n")
        return
    s = AnalysisSettings()
    lines = [
        f"device        {check.device.index} {check.device.name} ({check.sample_rate_hz} Hz)",
        f"speech level  {q.speech_level_dbfs:6.1f} dBFS   (its loud frames; aim above {s.quiet_speech_dbfs:g})",
        f"peak          {q.peak_dbfs:6.1f} dBFS",
        f"background    {q.noise_floor_dbfs:6.1f} dBFS",
        f"speech/noise  {q.snr_db:6.1f} dB     (speech level minus background; aim for {s.min_snr_db:g} or more)",
        f"clipped       {100 * q.clipped_fraction:6.2f} %      (at most {100 * s.clipped_fraction_max:g})",
    ]
    if q.ok:
        lines.append("ok: the microphone sounds fine for practice")
    lines += [f"warning: {problem}" for problem in q.problems]
    sys.stdout.write("\n".join(lines) + "\n")
