"""Tables on the terminal: a rep's summary, reps compared, the history, the question bank."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich import box
from rich.table import Table
from rich.text import Text

from ..comparison import KEY_METRICS, METRIC_SPECS
from ..judge import unadvised_line
from ..questions import plain_number
from ..report import key_numbers
from ..report.markdown import voices_note
from ..settings import TargetBands
from ..text import clock
from . import stdout, wide_stdout

if TYPE_CHECKING:
    from datetime import datetime

    from ..comparison import Comparison
    from ..pipeline import RepReport
    from ..questions import Question
    from ..store import RepEntry

MAX_PATTERNS_SHOWN = 2  # the terminal shows the strongest; the Markdown report has them all


def print_summary(
    report: RepReport, *, question: Question | None = None, bands: TargetBands | None = None
) -> None:
    """The key numbers against their bands and the 1-3 most useful pieces of advice, on stdout."""
    bands = bands or TargetBands()
    result = report.result
    console = stdout()
    title = result.audio_path if question is None else f"{question.text} ({Path(result.audio_path).name})"
    note = voices_note(result)
    if note:
        console.print(f"[bold yellow]Note:[/] {note}")
    table = Table(
        title=title, title_justify="left", show_header=True, header_style="bold", box=box.SIMPLE_HEAD
    )
    table.add_column("", no_wrap=True)
    table.add_column("this rep", ratio=3)
    table.add_column("target", style="dim", ratio=1, min_width=14)
    for name, value, target, ok in key_numbers(result, bands=bands, question=question):
        mark = " " if ok is None else ("[green]✓[/]" if ok else "[yellow]![/]")
        table.add_row(f"{mark} {name}", unbroken(value), unbroken(target))
    console.print(table)
    if result.content.points:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for p in result.content.points:
            if p.covered and p.evidence:
                grid.add_row(
                    "  [green]✓[/]", Text.assemble(p.text, (f'  {clock(p.at_s or 0)} "{p.evidence}"', "dim"))
                )
            elif p.covered:
                grid.add_row("  [green]✓[/]", p.text)
            else:
                grid.add_row("  [yellow]✗[/]", Text.assemble(p.text, ("  not said", "dim")))
        console.print("[bold]Points[/]")
        console.print(grid)
    console.print("[bold]Advice[/]")
    for label, lines in (
        ("{}.", [fb.message for fb in result.feedback]),
        ("[bold]Pattern:[/]", list(report.patterns[:MAX_PATTERNS_SHOWN])),
    ):
        if not lines:
            continue
        grid = Table.grid(padding=(0, 1))  # a hanging indent for wrapped lines
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column()
        for i, line in enumerate(lines, 1):
            grid.add_row("  " + label.format(i), unbroken(line))
        console.print(grid)
        if label == "{}.":
            rest = unadvised_line(result, bands=bands, question=question)
            if rest:
                console.print(unbroken("  " + rest, style="yellow"))
    if len(report.patterns) > MAX_PATTERNS_SHOWN:
        more = len(report.patterns) - MAX_PATTERNS_SHOWN
        console.print(
            f"  [dim]{more} more pattern{'s' if more > 1 else ''} in the report and in `reps compare`[/]"
        )
    console.print(f"[dim]{result.filler_trust}[/]")
    if report.rep is not None:
        console.print(f"[dim]Saved as rep {report.rep.id}: {report.report_path}[/]")
        if report.html_path is not None:
            console.print(f"[dim]See and hear it: {report.html_path} (`reps show {report.rep.id} --open`)[/]")


_NUMBER_UNIT = re.compile(r"(\d) (?=[^\s\d(])")


# Rich wraps at any Unicode space, the no-break space too; it wraps this stand-in (not a space, one
# cell wide) as part of the word, and the stand-in is turned back into a space once the lines are cut.
_KEEP = "\u2800"


class _Unbroken(Text):
    """Text that rich wraps only at ordinary spaces: a no-break space holds its two sides together."""

    def wrap(self, console, width, **kw):  # type: ignore[no-untyped-def]
        masked = self.copy()
        masked.plain = self.plain.replace("\u00a0", _KEEP)
        lines = Text.wrap(masked, console, width, **kw)
        for line in lines:
            line.plain = line.plain.replace(_KEEP, " ")
        return lines

    def __rich_measure__(self, console, options):  # type: ignore[no-untyped-def]
        masked = self.copy()
        masked.plain = self.plain.replace("\u00a0", _KEEP)
        return Text.__rich_measure__(masked, console, options)


def unbroken(text: str, style: str = "") -> Text:
    """``text`` with each number held to its unit ("0.9 s", "12 dB", "2 mid-sentence"), so a narrow
    terminal never wraps a value mid-number ("longest 0.9 / s")."""
    out = _Unbroken()
    out.append_text(Text.from_markup(_NUMBER_UNIT.sub("\\1\u00a0", text), style=style))
    return out


def print_comparison(comparison: Comparison, *, all_metrics: bool = False) -> None:
    """One row per metric, one column per rep, then change, verdict, baseline, target, noise band;
    the notes under it (the verdict rule, baseline, reflections, patterns, chart) as plain lines."""
    from ..comparison import VERDICT_RULE
    from ..reflection import reflection_lines

    reps = comparison.reps
    console = wide_stdout()
    # Under 110 columns the metric names would be cut to "…": the first and the last two reps, and the
    # baseline, target and noise band left to a wider terminal (or --json).
    narrow = console.width < 110
    most = 3 if narrow else 6
    shown = list(range(len(reps))) if len(reps) <= most else [0, *range(len(reps) - most + 1, len(reps))]
    title = f"{len(reps)} reps of {comparison.question_id}" if comparison.question_id else f"{len(reps)} reps"
    # Units sit in the metric's name, so the other columns stay narrow enough for 80 columns.
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True
    )
    table.add_column("Metric", ratio=1)
    when = rep_dates([reps[i].created_at for i in shown], sep="\n")
    for i, label in zip(shown, when, strict=True):
        table.add_column(f"#{i + 1}\n{label}", justify="right", no_wrap=True)
    table.add_column("Change", justify="right", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    if not narrow:
        table.add_column("Baseline", justify="right", no_wrap=True)
        table.add_column("Target", justify="right", no_wrap=True)
        table.add_column("Noise", justify="right", no_wrap=True)
    style = {"improved": "green", "regressed": "red"}
    for name, m in comparison.metrics.items():
        if not all_metrics and name not in KEY_METRICS:
            continue
        unit = f" ({m.spec.unit})" if m.spec.unit else ""
        change = "–" if m.delta is None else f"{m.delta:+.{m.spec.digits}f}"
        text = m.verdict_text
        table.add_row(
            f"{m.spec.label}{unit}",
            *(m.spec.format(m.values[i]) for i in shown),
            change,
            f"[{style[text]}]{text}[/]" if text in style else text,
            *(
                ()
                if narrow
                else (m.spec.format(m.baseline), m.spec.target_text(unit=False), m.band_text(unit=False))
            ),
        )
    for warning in comparison.warnings:
        from . import warning as warn

        warn(warning)
    console.print(table)
    lines = [
        VERDICT_RULE,
        f"Your baseline: the median of your last {comparison.baseline_reps} reps, any question.",
    ]
    if narrow:
        lines.append(
            "Baselines, targets and noise bands: in a terminal 110 columns wide, or with --json."
            + (f" Reps shown: #1 and the last {most - 1} of {len(reps)}." if len(reps) > most else "")
        )
    reflected = [(i, r) for i, r in enumerate(reps) if r.reflection]
    if reflected:
        labels = rep_dates([r.created_at for r in reps])
        lines.append("Your reflections:")
        for i, r in reflected:
            assert r.reflection is not None
            lines += [f"  #{i + 1} {labels[i]}: {line}" for line in reflection_lines(r.reflection)]
    if comparison.patterns:
        lines.append("Patterns:")
        lines += [f"- {p.message}" for p in comparison.patterns]
    else:
        lines.append("No pattern holds across these reps yet.")
    if comparison.chart is not None:
        lines.append(f"Trend chart: {comparison.chart}")
    for line in lines:  # wrapped to the table's width, a continued line indented under its start
        indent = " " * (len(line) - len(line.lstrip(" -")))
        print(textwrap.fill(line, console.width, subsequent_indent=indent, break_on_hyphens=False))


def rep_dates(times: Sequence[datetime], *, sep: str = " ") -> list[str]:
    """Each rep's date as the tables show it ("Dec 01"), with its time ("Dec 01 09:30") when two of
    the reps fall on the same day, so they can be told apart."""
    days = [_local(t, "%Y-%m-%d") for t in times]
    same_day = len(set(days)) < len(days)
    return [_local(t, f"%b %d{sep}%H:%M" if same_day else "%b %d") for t in times]


_HISTORY_COLUMNS = (
    ("wpm", "WPM"),
    ("filler_percent", "Fill.\n%"),
    ("fillers_per_min", "Fill.\n/min"),
    ("clause_pauses_per_min", "Hes.\n/min"),
    ("longest_pause_s", "Max\npause"),
    ("answer_length_s", "Len.\ns"),
)
# Short headers, so a history fits 80 columns; spelled out under the table.
_HISTORY_LEGEND = (
    "Fill.: filler words; Hes.: pauses mid-sentence; Max pause: the longest silent pause, s; "
    "Len.: the answer's length"
)
REFLECTED_MARK = "✎"


def print_history(entries: Sequence[RepEntry]) -> None:
    """Reps, newest last, with the key metrics (the question column only when they differ)."""
    questions = {e.question_id for e in entries}
    title = f"{len(entries)} rep{'' if len(entries) == 1 else 's'}" + (
        f" of {next(iter(questions))}" if len(questions) == 1 and None not in questions else ""
    )
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True
    )
    console = wide_stdout()
    table.add_column("When", no_wrap=True)
    table.add_column("Rep", no_wrap=True)
    with_question = len(questions) > 1
    # On a narrow terminal a question column would be folded into strips of three letters: a number
    # there, and the questions it stands for under the table.
    keyed = with_question and console.width < 120
    key: dict[str | None, str] = {}
    if with_question:
        table.add_column(
            "Q" if keyed else "Question", no_wrap=keyed, overflow="fold", ratio=None if keyed else 1
        )
    for _, head in _HISTORY_COLUMNS:
        table.add_column(head, justify="right")
    table.add_column(REFLECTED_MARK, justify="center", no_wrap=True)
    for e in entries:
        asked = key.setdefault(e.question_id, str(len(key) + 1)) if keyed else e.question_id or "–"
        table.add_row(
            _local(e.created_at, "%b %d %H:%M"),
            e.id,
            *([asked] if with_question else []),
            *(METRIC_SPECS[name].format(_number(e.metrics.get(name))) for name, _ in _HISTORY_COLUMNS),
            REFLECTED_MARK if e.reflection else "",
        )
    console.print(table)
    console.print(_HISTORY_LEGEND, style="dim")
    if key:
        console.print("Q: " + "; ".join(f"{n} {qid or 'no question'}" for qid, n in key.items()), style="dim")
    if any(e.reflection for e in entries):
        console.print(f"{REFLECTED_MARK}: you wrote a reflection (`reps show ID` shows it)", style="dim")


def print_questions(questions: Sequence[Question]) -> None:
    """The questions on stdout, grouped by category: a table, or a list on a narrow terminal."""
    console = stdout()
    by_category: dict[str, list[Question]] = {}
    for q in questions:
        by_category.setdefault(q.category, []).append(q)
    if console.width < 110:  # a three-column table would wrap each question into a narrow strip
        for category, group in by_category.items():
            console.print(Text(f"{category} ({len(group)})", style="bold"))
            for q in group:
                lo, hi = (plain_number(s) for s in q.target_s)
                # Wrapped to the terminal, each continued line indented under the text it continues.
                head = _wrap(f"{q.id}  {lo}-{hi} s, {q.structure}", console.width, "", "  ")
                first = Text(head[0])
                first.stylize("cyan", 0, len(q.id))
                console.print(first)
                for line in [*head[1:], *_wrap(q.text, console.width, "    ", "    ")]:
                    console.print(Text(line))  # Text: a "[" in a question is not markup
            console.print()
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("question", ratio=1)
    table.add_column("answer", no_wrap=True)
    for i, (category, group) in enumerate(by_category.items()):
        table.add_row(Text(f"{category} ({len(group)})", style="bold"), "", "")
        for j, q in enumerate(group):
            lo, hi = (plain_number(s) for s in q.target_s)
            table.add_row(
                q.id,
                q.text,
                f"{lo}-{hi} s, {q.structure}",
                end_section=j == len(group) - 1 and i < len(by_category) - 1,
            )
    console.print(table)


def _wrap(text: str, width: int, indent: str, continued: str) -> list[str]:
    """``text`` in lines of ``width`` at most, the first indented by ``indent``, the others by ``continued``
    (words, ids and "60-120" are never broken)."""
    return textwrap.wrap(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=continued,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent]


def _local(when: datetime, fmt: str) -> str:
    return when.astimezone().strftime(fmt)


def _number(value: object) -> float | None:
    return None if isinstance(value, bool) or not isinstance(value, (int, float)) else value
