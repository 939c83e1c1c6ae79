"""The full Markdown report of one rep: numbers, advice, patterns, the marked-up transcript, settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..judge import unadvised_line
from ..models import Reflection, Result
from ..settings import TargetBands
from ..text import clock
from .numbers import key_numbers

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..questions import Question


def render_markdown(
    result: Result,
    *,
    bands: TargetBands | None = None,
    question: Question | None = None,
    patterns: Sequence[str] = (),
    rep_id: str | None = None,
    chart: str | None = None,
    audio_file: str | None = None,
    reflection: Reflection | None = None,
) -> str:
    """The full report: numbers, advice, marked-up transcript, every filler and pause, settings.

    ``audio_file``: the rep's own copy of the recording (a name in the rep's folder), which the report
    links; ``chart``: the rep's own copy of the trend chart; ``reflection``: what the person wrote.
    """
    bands = bands or TargetBands()
    m = result.metrics
    out: list[str] = [
        f"# Rep {rep_id or ''}: {question.text if question else result.audio_path}".replace("Rep :", "Rep:"),
        "",
    ]
    out.append(recording_line(result, audio_file=audio_file))
    out += [f"Warning: {warning}." for warning in result.warnings]
    note = voices_note(result)
    if note:
        out.append(f"**Note:** {note}")
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
    rest = unadvised_line(result, bands=bands, question=question)
    if rest:
        out += ["", rest]
    out += content_section(result)
    if patterns:
        out += ["", "## Patterns across your reps", ""] + [f"- {p}" for p in patterns]
    if chart:
        out += ["", f"![trend over reps]({chart})"]
    if reflection:
        out += reflection_section(reflection)
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
            "- By window (every word counted in one, so they average to the pace above): "
            + ", ".join(f"{clock(w.start)} {w.wpm:.0f}" for w in result.pace_windows)
            + " wpm."
        )
    if result.hedges:
        out += ["", "## Hedges", ""] + [
            f'- "{h.text}" x{h.count} at {", ".join(clock(t) for t in h.times_s)}' for h in result.hedges
        ]
    if result.restarts:
        out += [
            "",
            "## Restarts and stutters",
            "",
            f"{m.restart_count} ({m.restarts_per_100_words:.1f} per 100 words): a word cut off or said again at once.",
            "",
        ] + [
            f'- "{r.text}" x{r.count} at {", ".join(clock(t) for t in r.times_s)}'
            for r in result.restarts[:8]
        ]
    if result.repeats:
        from ..analyze.language import REPEAT_WINDOW_S

        out += [
            "",
            "## Repeated words and phrases",
            "",
            f"Said again within {REPEAT_WINDOW_S:g} s, within a sentence ({m.repeats_per_100_words:.1f} uses per 100 words):",
            "",
        ] + [
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
        out += ["", "## Audio check", "", *audio_lines(result)]
    out += ["", "## Settings and thresholds", "", "```", _settings_text(result.settings), "```", ""]
    return "\n".join(out)


def without_audio(markdown: str, result: Result) -> str:
    """``markdown`` (a rep's report) once its audio was deleted: the recording line no longer links
    the rep's copy, and says it is gone."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("Recording: ["):
            lines[i] = recording_line(result) + " The rep's copy of the audio was deleted (metrics kept)."
    return "\n".join(lines)


def recording_line(result: Result, *, audio_file: str | None = None) -> str:
    """Which recording, where its copy is, and how it was made and cut."""
    name = Path(result.audio_path).name
    if audio_file:
        where = f"[{audio_file}]({audio_file}) (the rep's own copy; from `{name}`)"
    else:
        where = f"`{result.audio_path}`"
    how = recording_how(result)
    extra = f"; {', '.join(how)}" if how else ""
    return f"Recording: {where} ({result.duration_s:.1f} s{extra}). Model: `{result.model_name}`."


def recording_how(result: Result) -> list[str]:
    """How the recording was cut and stopped, as every rendering says it: "left channel", "from 0:07;
    times count from there", "stopped at its 60 s limit (--max-seconds)"."""
    how = []
    if result.channel:
        how.append(f"{result.channel} channel")
    if result.range_s:
        start, end = result.range_s
        how.append(
            f"from {clock(start)}"
            + (f" to {clock(end)}" if end is not None else "")
            + "; times count from there"
        )
    if result.stopped_by:
        why = {
            "user": "stopped by you",
            "max": f"stopped at its {result.limit_s:g} s limit (--max-seconds)"
            if result.limit_s
            else "stopped at its limit",
            "silence": "stopped after a silence",
            "interrupt": "stopped with Ctrl-C",
        }.get(result.stopped_by, result.stopped_by)
        how.append(why)
    return how


def voices_note(result: Result) -> str | None:
    """The note on a recording that seems to hold more than one voice, with how that is told."""
    from ..analyze.speakers import voices_note as note

    return note(result.voices) if result.voices is not None else None


def audio_lines(result: Result) -> list[str]:
    q = result.quality
    assert q is not None
    return [
        f"- Speech {q.speech_level_dbfs:.1f} dBFS (its loud frames), background {q.noise_floor_dbfs:.1f} dBFS "
        f"(near the speech): SNR {q.snr_db:.1f} dB, the one minus the other. Peak {q.peak_dbfs:.1f} dBFS, "
        f"clipped {q.clipped_fraction:.3%}.",
        "- "
        + ("ok" if q.ok else "Problems: " + "; ".join(q.problems) + ". Treat the numbers as unreliable."),
    ]


REFLECTION_HEADING = "## Your reflection"


def reflection_section(reflection: Reflection, themes: Sequence[str] = ()) -> list[str]:
    """ "## Your reflection": each answer, then the themes that come back across reflections."""
    from ..reflection import reflection_lines

    out = ["", REFLECTION_HEADING, ""] + [f"- {line}" for line in reflection_lines(reflection)]
    if themes:
        out += [""] + [f"- {t}" for t in themes]
    return out


def with_reflection(markdown: str, reflection: Reflection | None, themes: Sequence[str] = ()) -> str:
    """``markdown`` (a rep's report) with its reflection section put in, or replaced, before the
    transcript; unchanged when there is no reflection. Without ``themes``, those already in the section
    are kept."""
    if not reflection:
        return markdown
    lines = markdown.split("\n")
    section = reflection_section(reflection, themes)[1:]  # without the blank line before the heading
    if REFLECTION_HEADING in lines:
        a = lines.index(REFLECTION_HEADING)
        b = next((i for i in range(a + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        if not themes:  # the reflection may be new; the themes written with the old one are kept
            blocks = "\n".join(lines[a + 1 : b]).strip().split("\n\n")
            kept = [line.removeprefix("- ") for line in blocks[1].split("\n")] if len(blocks) > 1 else []
            section = reflection_section(reflection, kept)[1:]
        return "\n".join([*lines[:a], *section, "", *lines[b:]])
    at = lines.index("## Transcript") if "## Transcript" in lines else len(lines)
    return "\n".join([*lines[:at], *section, "", *lines[at:]])


def content_section(result: Result) -> list[str]:
    """ "What you said": each point with the words that cover it, the structure's parts, who did it,
    specifics, vague words and the job's terms."""
    c = result.content
    out = ["", "## What you said", ""]
    if c.points:
        out += ["| point | covered | when | in your words |", "|---|---|---|---|"]
        for p in c.points:
            when = clock(p.at_s) if p.at_s is not None else ""
            words = f'"{p.evidence}"' if p.evidence else ""
            if not p.covered and p.evidence:
                words += " (the point asks you not to say this)"
            out.append(f"| {p.text} | {'yes' if p.covered else '**no**'} | {when} | {words} |")
        out.append("")
    if c.structure.parts:
        parts = [
            f"{s.name} at {clock(s.at_s)}" if s.present and s.at_s is not None else f"**no {s.name}**"
            for s in c.structure.parts
        ]
        out += [f"Structure ({c.structure.name}): " + ", ".join(parts) + ".", ""]
    own = c.ownership
    if own.i + own.we:
        out += [f'Sentences that say what was done: {own.i} with "I", {own.we} with "we".', ""]
    out.append(
        "Specifics: "
        + (", ".join(f"{m.text} ({clock(m.at_s)})" for m in c.specifics) or "none (no number or name)")
        + "."
    )
    if c.vague:
        out.append("Vague words: " + ", ".join(f'"{m.text}" ({clock(m.at_s)})' for m in c.vague) + ".")
    if c.job_terms:
        out += ["", "| job term | used | when |", "|---|---|---|"]
        out += [
            f"| {j.term} | {'yes' if j.covered else 'no'} | {clock(j.at_s) if j.at_s is not None else ''} |"
            for j in c.job_terms
        ]
    if c.points:
        from ..analyze.content import MEASURED_POINT_ACCURACY

        precision, recall = MEASURED_POINT_ACCURACY
        out += [
            "",
            "_A point counts as covered when the answer uses one of its cue phrases (prompts/*.toml); "
            f"on answers it was not tuned on, {precision:.0%} of the points it called covered were, and it "
            f'found {recall:.0%} of those covered (README "What the answer said")._',
        ]
    return out


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
