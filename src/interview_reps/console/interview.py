"""The mock interview on a terminal: each question in turn (the practice screens), then the session
summary on stdout; and the list of past interviews."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..interview import InterviewCallbacks
from ..text import clock
from . import wide_stdout
from .practice import TerminalPractice

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from ..models import Session
    from ..questions import Question
    from ..sessions import SessionSummary
    from ..speak import OutputDevice
    from .practice import EnterKey


class TerminalInterview(TerminalPractice, InterviewCallbacks):
    """``reps interview`` on a terminal: questions, countdowns and meters on stderr, the summary on stdout
    (or as JSON with ``as_json``)."""

    def __init__(
        self, console: Console | None = None, *, enter: EnterKey | None = None, as_json: bool = False
    ) -> None:
        super().__init__(console, enter=enter)
        self.as_json = as_json

    def interview_started(self, session: Session, questions: Sequence[Question]) -> None:
        n = len(questions)
        ends = "Enter ends an answer; " if self.enter.active else ""
        self.console.print(
            f"[bold]Mock interview[/bold]: {n} question{'s' if n != 1 else ''} ({session.id}). "
            f"{ends}Ctrl-C ends the interview and keeps every answer so far."
        )

    def voice(self, line: str) -> None:
        self.console.print(Text(line, style="dim"))

    def ask(self, question: Question, number: int, of: int) -> None:
        lo, hi = question.target_s
        c = self.console
        c.print()
        c.print(
            f"[dim]Question {number} of {of} · {question.category} · aim for {lo:g}-{hi:g} s · {question.structure}[/dim]"
        )
        c.print(Text(question.text, style="bold"))

    def follow_up(self, text: str, question: Question) -> None:
        self.console.print()
        self.console.print(f"[dim]Follow-up to {question.id}[/dim]")
        self.console.print(Text(text, style="bold"))

    def stop_controls(self) -> str:
        return (
            "Enter ends the answer, Ctrl-C the interview"
            if self.enter.active
            else "Ctrl-C ends the interview"
        )

    def listening(self) -> None:
        self.console.print("[dim]The interviewer takes in your answer...[/dim]")

    def finishing(self, pending: int) -> None:
        self.console.print()
        self.console.print(
            f"[dim]Analyzing the last {pending} answer{'s' if pending > 1 else ''}...[/dim]"
            if pending > 1
            else "[dim]Analyzing the last answer...[/dim]"
        )

    def summary(self, summary: SessionSummary) -> None:
        self.console.print()
        if self.as_json:
            sys.stdout.write(json.dumps(summary.to_dict(), indent=1, ensure_ascii=False) + "\n")
            return
        print_session_summary(summary)

    def reflect(self, questions: Sequence[tuple[str, str]]) -> dict[str, str]:
        from .practice import ask_reflection

        return ask_reflection(self.console, questions)

    def session_reflection_saved(self, session: Session) -> None:
        self.console.print(f"[dim]Reflection saved with interview {session.id}.[/dim]")

    def page_written(self, path: Path) -> None:
        self.console.print(
            f"[dim]The interview's page, each answer linked to its report: {path}[/dim]", soft_wrap=True
        )


def print_session_summary(summary: SessionSummary) -> None:
    """Each answer's key numbers and one line of advice, the interview's patterns, its reflection."""
    console = wide_stdout()
    session = summary.session
    when = session.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    planned = len(session.question_ids)
    ended = " (ended early)" if session.ended_early else ""
    console.print(
        f"[bold]Interview {session.id}[/bold], {when}: {summary.asked} of {planned} questions asked{ended}, "
        f"{len(summary.answers)} answer{'s' if len(summary.answers) != 1 else ''} saved, "
        f"{clock(summary.speaking_s)} in all",
        highlight=False,
    )
    if summary.answers:
        table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("question", ratio=1)
        table.add_column("length", no_wrap=True)
        table.add_column("pace", justify="right", no_wrap=True)
        table.add_column("fillers", justify="right", no_wrap=True)
        table.add_column("longest pause", justify="right", no_wrap=True)
        table.add_column("first word", justify="right", no_wrap=True)
        for a in summary.answers:
            length = clock(a.length_s)
            if a.target_s is not None:
                lo, hi = a.target_s
                mark = (
                    ""
                    if lo <= a.length_s <= hi
                    else (" [yellow]short[/]" if a.length_s < lo else " [yellow]long[/]")
                )
                length += f" [dim]/ {clock(lo)}-{clock(hi)}[/]{mark}"
            table.add_row(
                a.number,
                Text(a.question),
                length,
                "-" if a.wpm is None else f"{a.wpm:.0f} wpm",
                f"{a.fillers_per_min:.1f}/min",
                f"{a.longest_pause_s:.1f} s",
                f"{a.time_to_first_word_s:.1f} s",
            )
        console.print(table)
        console.print("[bold]One thing to work on in each answer[/bold]")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column()
        for a in summary.answers:
            grid.add_row(f"  {a.number}.", Text(a.advice))
        console.print(grid)
    for lost in summary.unsaved:
        console.print(
            f"  {lost.number}. {escape(lost.question)} [yellow]not saved[/]: {escape(lost.answer.reason)}",
            highlight=False,
            soft_wrap=True,  # paths and commands stay whole, to copy
        )
    console.print("[bold]Across the interview[/bold]")
    if summary.patterns:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for line in summary.patterns:
            grid.add_row("  •", Text(line))
        console.print(grid)
    elif len(summary.answers) < 2:
        console.print("  [dim]Patterns need two answers or more.[/dim]")
    else:
        console.print("  [dim]Nothing ran through most answers.[/dim]")
    if session.reflection:
        console.print("[bold]Reflection[/bold]")
        from ..models import INTERVIEW_REFLECTION_QUESTIONS

        for key, prompt in INTERVIEW_REFLECTION_QUESTIONS:
            if session.reflection.get(key):
                console.print(f"  {prompt} {session.reflection[key]}", highlight=False, markup=False)
    console.print(
        f"[dim]Again: reps show {session.id}. Each answer: reps show REP_ID "
        f"(ids: reps history --session {session.id}).[/dim]",
        highlight=False,
        soft_wrap=True,
    )


def print_sessions(summaries: Sequence[SessionSummary], *, as_json: bool = False) -> None:
    """Past interviews, oldest first: id, when, questions asked and saved, length, how it ended."""
    if as_json:
        sys.stdout.write(json.dumps([s.to_dict() for s in summaries], indent=1, ensure_ascii=False) + "\n")
        return
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for name, justify in (("id", "left"), ("started", "left"), ("asked", "right"), ("saved", "right")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    table.add_column("speaking", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for s in summaries:
        session = s.session
        notes = []
        if session.ended_early:
            notes.append("ended early")
        if session.ended_at is None:
            notes.append("did not finish")
        if session.reflection:
            notes.append("reflection")
        table.add_row(
            session.id,
            session.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            f"{s.asked} of {len(session.question_ids)}",
            str(len(s.answers)),
            clock(s.speaking_s),
            ", ".join(notes),
        )
    wide_stdout().print(table)


def print_output_devices(devices: Sequence[OutputDevice], default_index: int | None = None) -> None:
    """Playback devices on stdout (for --speaker); none at all is an error, as for microphones."""
    from ..errors import DeviceError
    from ..speak import NO_SPEAKERS

    if not devices:
        raise DeviceError(NO_SPEAKERS)
    width = max(len(d.name) for d in devices)
    for d in devices:
        mark = "*" if d.index == default_index else " "
        sys.stdout.write(f"{mark} {d.index:>3}  {d.name:<{width}}  {d.default_rate_hz:>7.0f} Hz\n")
