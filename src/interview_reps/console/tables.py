"""Tables on the terminal: a rep's summary, reps compared, the history, the question bank."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich import box
from rich.table import Table
from rich.text import Text

from ..comparison import KEY_METRICS, METRIC_SPECS
from ..questions import plain_number
from ..report import key_numbers
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
    table = Table(
        title=title, title_justify="left", show_header=True, header_style="bold", box=box.SIMPLE_HEAD
    )
    table.add_column("", no_wrap=True)
    table.add_column("this rep", ratio=3)
    table.add_column("target", style="dim", ratio=1, min_width=14)
    for name, value, target, ok in key_numbers(result, bands=bands, question=question):
        mark = " " if ok is None else ("[green]✓[/]" if ok else "[yellow]![/]")
        table.add_row(f"{mark} {name}", value, target)
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
            grid.add_row("  " + label.format(i), line)
        console.print(grid)
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


def print_comparison(comparison: Comparison, *, all_metrics: bool = False) -> None:
    """One row per metric, one column per rep, then change, verdict, baseline, target, noise band;
    the notes under it (noise bands, baseline, patterns, chart) as plain lines."""
    reps = comparison.reps
    shown = list(range(len(reps))) if len(reps) <= 6 else [0, *range(len(reps) - 5, len(reps))]
    title = f"{len(reps)} reps of {comparison.question_id}" if comparison.question_id else f"{len(reps)} reps"
    # Units sit in the metric's name, so the other columns stay narrow enough for 80 columns.
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True
    )
    table.add_column("Metric", ratio=1)
    for i in shown:
        table.add_column(f"#{i + 1}\n{_local(reps[i].created_at, '%b %d')}", justify="right")
    table.add_column("Change", justify="right")
    table.add_column("Verdict")
    table.add_column("Baseline", justify="right")
    table.add_column("Target", justify="right")
    table.add_column("Noise", justify="right")
    style = {"improved": "green", "regressed": "red"}
    for name, m in comparison.metrics.items():
        if not all_metrics and name not in KEY_METRICS:
            continue
        unit = f" ({m.spec.unit})" if m.spec.unit else ""
        change = "–" if m.delta is None else f"{m.delta:+.{m.spec.digits}f}"
        table.add_row(
            f"{m.spec.label}{unit}",
            *(m.spec.format(m.values[i]) for i in shown),
            change,
            f"[{style[m.trend]}]{m.trend}[/]" if m.trend in style else m.trend,
            m.spec.format(m.baseline),
            m.spec.target_text(unit=False),
            m.spec.band_text(unit=False),
        )
    wide_stdout().print(table)
    lines = [
        "Verdicts compare the first and the last rep; a change within the noise band (last column) "
        "counts as unchanged. Noise bands are product choices sized to the measurement error.",
        f"Your baseline: the median of your last {comparison.baseline_reps} reps, any question.",
    ]
    if comparison.patterns:
        lines.append("Patterns:")
        lines += [f"- {p.message}" for p in comparison.patterns]
    else:
        lines.append("No pattern holds across these reps yet.")
    if comparison.chart is not None:
        lines.append(f"Trend chart: {comparison.chart}")
    print("\n".join(lines))


_HISTORY_COLUMNS = (
    ("wpm", "WPM"),
    ("fillers_per_min", "Fillers\n/min"),
    ("filled_pause_count", "Um,\nuh"),
    ("pause_count", "Pauses"),
    ("longest_pause_s", "Longest\npause s"),
    ("answer_length_s", "Length\ns"),
)


def print_history(entries: Sequence[RepEntry]) -> None:
    """Reps, newest last, with the key metrics (the question column only when they differ)."""
    questions = {e.question_id for e in entries}
    title = f"{len(entries)} rep{'' if len(entries) == 1 else 's'}" + (
        f" of {next(iter(questions))}" if len(questions) == 1 and None not in questions else ""
    )
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True
    )
    table.add_column("When", no_wrap=True)
    table.add_column("Rep", no_wrap=True)
    with_question = len(questions) > 1
    if with_question:
        table.add_column("Question", overflow="fold", ratio=1)
    for _, head in _HISTORY_COLUMNS:
        table.add_column(head, justify="right")
    for e in entries:
        table.add_row(
            _local(e.created_at, "%b %d %H:%M"),
            e.id,
            *([e.question_id or "–"] if with_question else []),
            *(METRIC_SPECS[name].format(_number(e.metrics.get(name))) for name, _ in _HISTORY_COLUMNS),
        )
    wide_stdout().print(table)


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
                console.print(Text.assemble((q.id, "cyan"), f"  {lo}-{hi} s, {q.structure}", style=""))
                console.print(f"    {q.text}", soft_wrap=False)
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


def _local(when: datetime, fmt: str) -> str:
    return when.astimezone().strftime(fmt)


def _number(value: object) -> float | None:
    return None if isinstance(value, bool) or not isinstance(value, (int, float)) else value
