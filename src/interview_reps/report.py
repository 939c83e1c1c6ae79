"""Renderings of one rep: the terminal summary and the Markdown report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .analyze.advice import MIN_WORDS_TO_JUDGE_PACE, clock
from .models import Result
from .settings import TargetBands

MAX_PATTERNS_SHOWN = 2  # the terminal shows the strongest; the Markdown report has them all

if TYPE_CHECKING:
    from .pipeline import RepOutcome
    from .questions import Question


def key_numbers(
    result: Result, *, bands: TargetBands, question: Question | None = None
) -> list[tuple[str, str, str, bool | None]]:
    """(name, value, target, within target or None) rows shared by the terminal and Markdown reports."""
    m = result.metrics
    lo, hi = bands.wpm
    judged = m.word_count >= MIN_WORDS_TO_JUDGE_PACE
    long_s = result.settings.get("analysis", {}).get("long_pause_s", 2.0)
    fillers = m.filled_pause_count + m.discourse_marker_count
    rows: list[tuple[str, str, str, bool | None]] = [
        (
            "Pace",
            f"{m.wpm:.0f} wpm, first to last word"
            + ("" if judged else f" (only {m.word_count} words: too few to judge)"),
            f"{lo:.0f}-{hi:.0f} wpm",
            lo <= m.wpm <= hi if judged else None,
        ),
        ("Articulation", f"{m.articulation_rate:.1f} syllables/s of speaking time", "", None),
        (
            "Fillers",
            f"{fillers} ({m.filled_pause_count} um/uh, {m.discourse_marker_count} like/you know...), "
            f"{m.fillers_per_min:.1f}/min, {m.filler_percent:.0f}% of words",
            f"< {bands.filler_percent_max:.0f}% of words",
            m.filler_percent < bands.filler_percent_max,
        ),
        (
            "Pauses",
            (
                f"{m.pause_count}, {m.pauses_per_min:.0f}/min ({m.clause_pause_count} mid-sentence), "
                f"longest {m.longest_pause_s:.1f} s"
                if m.pause_count
                else "none of 0.25 s or more"
            ),
            f"none >= {long_s:g} s",
            m.long_pause_count == 0,
        ),
        (
            "First word",
            f"after {m.time_to_first_word_s:.1f} s",
            f"<= {bands.time_to_first_word_s_max:.0f} s",
            m.time_to_first_word_s <= bands.time_to_first_word_s_max,
        ),
    ]
    if m.pitch_variation_st is not None:
        flat = result.voice.monotone if result.voice else None
        rows.append(
            (
                "Pitch variation",
                f"{m.pitch_variation_st:.1f} semitones" + (" (flat)" if flat else ""),
                ">= 2 st",
                None if flat is None else not flat,
            )
        )
    if question is not None:
        tmin, tmax = question.target_s
        length = m.answer_length_s or m.speaking_span_s
        rows.append(
            (
                "Length",
                f"{length:.0f} s",
                f"{tmin:.0f}-{tmax:.0f} s",
                tmin <= length <= tmax,
            )
        )
    if result.quality is not None:
        q = result.quality
        rows.append(
            (
                "Audio",
                f"ok, speech {q.snr_db:.0f} dB above the background" if q.ok else "; ".join(q.problems),
                f"SNR >= {result.settings.get('analysis', {}).get('min_snr_db', 15):g} dB",
                q.ok,
            )
        )
    return rows


def print_summary(
    outcome: RepOutcome, *, question: Question | None = None, bands: TargetBands | None = None
) -> None:
    """The key numbers against their bands and the 1-3 most useful pieces of advice, on stdout."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    bands = bands or TargetBands()
    result = outcome.result
    console = Console(highlight=False)
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
    console.print("[bold]Advice[/]")
    for label, lines in (
        ("{}.", [fb.message for fb in result.feedback]),
        ("[bold]Pattern:[/]", list(outcome.patterns[:MAX_PATTERNS_SHOWN])),
    ):
        if not lines:
            continue
        grid = Table.grid(padding=(0, 1))  # a hanging indent for wrapped lines
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column()
        for i, line in enumerate(lines, 1):
            grid.add_row("  " + label.format(i), line)
        console.print(grid)
    if len(outcome.patterns) > MAX_PATTERNS_SHOWN:
        more = len(outcome.patterns) - MAX_PATTERNS_SHOWN
        console.print(
            f"  [dim]{more} more pattern{'s' if more > 1 else ''} in the report and in `reps compare`[/]"
        )
    console.print(f"[dim]{result.filler_trust}[/]")
    if outcome.saved is not None:
        console.print(f"[dim]Saved as rep {outcome.saved.id}: {outcome.saved.folder / 'report.md'}[/]")


def render_markdown(
    result: Result,
    *,
    bands: TargetBands | None = None,
    question: Question | None = None,
    patterns: list[str] | None = None,
    rep_id: str | None = None,
    chart: str | None = None,
) -> str:
    """The full report: numbers, advice, marked-up transcript, every filler and pause, settings."""
    bands = bands or TargetBands()
    m = result.metrics
    out: list[str] = [
        f"# Rep {rep_id or ''}: {question.text if question else result.audio_path}".replace("Rep :", "Rep:"),
        "",
    ]
    out.append(f"Recording: `{result.audio_path}` ({result.duration_s:.1f} s). Model: `{result.model_name}`.")
    if question:
        out.append(
            f"Question `{question.id}` ({question.category}; {question.structure}; "
            f"target {question.target_s[0]:.0f}-{question.target_s[1]:.0f} s)."
        )
    out += ["", "## Key numbers", "", "| | this rep | target | |", "|---|---|---|---|"]
    for name, value, target, ok in key_numbers(result, bands=bands, question=question):
        out.append(f"| {name} | {value} | {target} | {'' if ok is None else ('ok' if ok else 'outside')} |")
    out += ["", "## Advice", ""]
    out += [f"{i}. {fb.message}" for i, fb in enumerate(result.feedback, 1)]
    if patterns:
        out += ["", "## Patterns across your reps", ""] + [f"- {p}" for p in patterns]
    if chart:
        out += ["", f"![trend over reps]({chart})"]
    out += [
        "",
        "## Transcript",
        "",
        "Filled pauses in **bold brackets**, discourse markers in _italics_, silent pauses as (1.2 s).",
        "",
        marked_transcript(result),
        "",
    ]
    out += [f"_{result.filler_trust}_", "", "## Fillers", ""]
    if result.fillers:
        out += ["| time | filler | kind | found by |", "|---|---|---|---|"]
        out += [
            f"| {clock(f.start)} ({f.start:.2f} s) | {f.text} | {f.kind.replace('_', ' ')} | {f.source} |"
            for f in result.fillers
        ]
    else:
        out.append("None found.")
    if result.filler_candidates:
        out += [
            "",
            "Possible fillers the acoustic detector heard but did not count (check by ear with `--clips`): "
            + ", ".join(f"{clock(f.start)} ({f.start:.2f} s)" for f in result.filler_candidates)
            + ".",
        ]
    out += ["", "## Pauses", ""]
    if result.pauses:
        out += ["| time | length | where | between |", "|---|---|---|---|"]
        out += [
            f"| {clock(p.start)} ({p.start:.2f} s) | {p.duration_s:.2f} s | "
            f"{'mid-sentence' if p.kind == 'clause' else 'between sentences'} | {p.before} ... {p.after} |"
            for p in result.pauses
        ]
    else:
        out.append(
            f"No silent pause of {result.settings.get('analysis', {}).get('min_pause_s', 0.25)} s or more."
        )
    out += [
        "",
        f"Time to first word: {m.time_to_first_word_s:.2f} s.",
        "",
        "## Pace",
        "",
        f"- Words (filled pauses excluded): {m.word_count} over {m.speaking_span_s:.1f} s from first to last word: "
        f"**{m.wpm:.0f} wpm**.",
        f"- Articulation rate: {m.articulation_rate:.2f} syllables per second of speaking time "
        f"({m.syllable_count} syllables in {m.speaking_time_s:.1f} s, silent pauses and filled pauses removed).",
    ]
    if result.pace_windows:
        out.append(
            "- By window: "
            + ", ".join(f"{clock(w.start)} {w.wpm:.0f}" for w in result.pace_windows)
            + " wpm."
        )
    if result.hedges:
        out += ["", "## Hedges", ""] + [
            f'- "{h.text}" x{h.count} at {", ".join(clock(t) for t in h.times_s)}' for h in result.hedges
        ]
    if result.repeats:
        out += ["", "## Repeated words and phrases", ""] + [
            f'- "{r.text}" x{r.count} at {", ".join(clock(t) for t in r.times_s)}' for r in result.repeats[:8]
        ]
    if result.voice:
        v = result.voice
        out += [
            "",
            "## Voice",
            "",
            f"- Pitch variation: {_fmt(v.pitch_variation_st, 'semitones')} (flat below {result.settings.get('analysis', {}).get('monotone_below_st', 2):g})",
            f"- Loudness variation: {_fmt(v.loudness_variation_db, 'dB')}",
        ]
    if result.quality:
        q = result.quality
        out += [
            "",
            "## Audio check",
            "",
            f"- Peak {q.peak_dbfs:.1f} dBFS, speech {q.speech_level_dbfs:.1f} dBFS, background {q.noise_floor_dbfs:.1f} dBFS "
            f"(SNR {q.snr_db:.1f} dB), clipped {q.clipped_fraction:.3%}.",
            "- "
            + ("ok" if q.ok else "Problems: " + "; ".join(q.problems) + ". Treat the numbers as unreliable."),
        ]
    out += ["", "## Settings and thresholds", "", "```", _settings_text(result.settings), "```", ""]
    return "\n".join(out)


def marked_transcript(result: Result) -> str:
    """Transcript with filled pauses in bold brackets, markers in italics and pauses inline."""
    events: list[tuple[float, int, str]] = []
    marker_spans = [(f.start, f.end) for f in result.fillers if f.kind == "discourse_marker"]
    for w in result.words:
        if w.filler and not any(s <= w.start and w.end <= e for s, e in marker_spans):
            events.append((w.start, 1, f"**[{w.text.strip(',.?!')}]**"))
        elif w.filler:
            events.append((w.start, 1, f"_{w.text}_"))
        else:
            events.append((w.start, 1, w.text))
    for f in result.fillers:
        if f.source == "acoustic":
            events.append((f.start, 0, f"**[{f.text}?]**"))
    for p in result.pauses:
        events.append((p.start, 0, f"({p.duration_s:.2f} s)"))
    events.sort(key=lambda e: (e[0], e[1]))
    return " ".join(text for _, _, text in events)


def _fmt(value: float | None, unit: str, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f} {unit}"


def _settings_text(settings: dict[str, Any]) -> str:
    lines = []
    for group, values in settings.items():
        if isinstance(values, dict):
            lines.append(f"{group}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
        else:
            lines.append(f"{group}: {values}")
    return "\n".join(lines)
