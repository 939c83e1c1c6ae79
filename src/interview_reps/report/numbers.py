"""The key numbers of one rep against their target bands: the rows every rendering shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..models import Result
from ..settings import ContentSettings, TargetBands

if TYPE_CHECKING:
    from ..questions import Question

Row = tuple[str, str, str, bool | None]  # (name, value, target, within target; None: not judged)


def key_numbers(result: Result, *, bands: TargetBands, question: Question | None = None) -> list[Row]:
    """(name, value, target, within target or None) rows shared by the terminal and Markdown reports."""
    m = result.metrics
    lo, hi = bands.wpm
    judged = m.word_count >= bands.min_words_to_judge_pace
    long_s = result.settings.get("analysis", {}).get("long_pause_s", 2.0)
    fillers = m.filled_pause_count + m.discourse_marker_count
    rows: list[Row] = [
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
    rows += content_rows(result)
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


def content_rows(result: Result) -> list[Row]:
    """What the answer said, as key-number rows: points, structure, I/we, specifics, vague words, job terms."""
    c = result.content
    settings = ContentSettings()
    rows: list[Row] = []
    if c.points:
        covered = sum(p.covered for p in c.points)
        rows.append(("Points", f"{covered} of {len(c.points)} covered", "all", covered == len(c.points)))
    if c.structure.parts:
        have = [p.name for p in c.structure.parts if p.present]
        lack = [p.name for p in c.structure.parts if not p.present]
        value = ", ".join(have) if have else "none of its parts"
        if lack:
            value += f"; no {', '.join(lack)}"
        rows.append(("Structure", value, c.structure.name or "", not lack))
    own = c.ownership
    if own.i + own.we:
        rows.append(
            (
                "I / we",
                f"{own.i} I, {own.we} we, of {own.i + own.we} sentences saying what was done",
                "mostly I",
                "mostly_we" not in c.findings,
            )
        )
    shown = ", ".join(m.text for m in c.specifics[:4]) + (", ..." if len(c.specifics) > 4 else "")
    rows.append(
        (
            "Specifics",
            f"{len(c.specifics)}" + (f" ({shown})" if shown else ""),
            "numbers, names",
            bool(c.specifics) if c.points else None,  # judged for answers to a question only
        )
    )
    if c.vague:
        words = sorted({m.text for m in c.vague})
        rows.append(
            (
                "Vague words",
                f"{len(c.vague)} ({', '.join(words[:4])})",
                f"< {settings.vague_min}",
                len(c.vague) < settings.vague_min,
            )
        )
    if c.job_terms:
        used = [j.term for j in c.job_terms if j.covered]
        rows.append(
            (
                "Job terms",
                f"{len(used)} of {len(c.job_terms)} used" + (f" ({', '.join(used[:4])})" if used else ""),
                "the job's own words",
                None,
            )
        )
    return rows
