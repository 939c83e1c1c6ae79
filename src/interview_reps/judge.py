"""Each number of a rep against its target, judged once on the value as shown: the rows of every report
and what the advice answers, so that no advice contradicts the table and rounding never flips a verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import Result
from .settings import AnalysisSettings, ContentSettings, TargetBands

if TYPE_CHECKING:
    from .questions import Question


@dataclass(frozen=True)
class Check:
    """One row of the key numbers: ``id`` names it for the advice that answers it (``Feedback.about``)."""

    id: str
    name: str
    value: str
    target: str
    ok: bool | None  # within target; None: not judged


def shown(value: float, digits: int) -> float:
    """A number as the reports print it (``f"{value:.{digits}f}"``), as a float to judge."""
    return float(f"{value:.{digits}f}")


def pace_judged(result: Result, bands: TargetBands) -> bool:
    """Under ``min_words_to_judge_pace`` words a pace (and a pitch spread) is noise: not judged."""
    return result.metrics.word_count >= bands.min_words_to_judge_pace


def wpm_shown(result: Result) -> float:
    return shown(result.metrics.wpm, 0)


def filler_share_shown(result: Result) -> float:
    return shown(result.metrics.filler_percent, 1)


def first_word_shown(result: Result) -> float:
    return shown(result.metrics.time_to_first_word_s, 1)


def pitch_shown(result: Result) -> float | None:
    v = result.metrics.pitch_variation_st
    return None if v is None else shown(v, 1)


def length_shown(result: Result) -> float:
    m = result.metrics
    return shown(m.answer_length_s or m.speaking_span_s, 0)


def analysis_settings(result: Result) -> AnalysisSettings:
    """The analysis settings the result was made with (its record), defaults for the rest."""
    saved = result.settings.get("analysis", {}) if isinstance(result.settings, dict) else {}
    base = AnalysisSettings()
    known: dict[str, Any] = {
        k: v for k, v in saved.items() if hasattr(base, k) and isinstance(v, (int, float))
    }
    from dataclasses import replace

    return replace(base, **known)


def long_pauses(result: Result) -> list:
    """Pauses that are long as shown (to 0.1 s): at least ``long_pause_s``."""
    s = analysis_settings(result)
    return [p for p in result.pauses if shown(p.duration_s, 1) >= s.long_pause_s]


def hesitations(result: Result) -> list:
    """Mid-sentence pauses long enough to advise on, as shown: at least ``advise_clause_pause_s``."""
    s = analysis_settings(result)
    return [
        p for p in result.pauses if p.kind == "clause" and shown(p.duration_s, 1) >= s.advise_clause_pause_s
    ]


def checks(result: Result, *, bands: TargetBands, question: Question | None = None) -> list[Check]:
    """The key numbers of one rep against their bands, judged on the values as shown."""
    m = result.metrics
    s = analysis_settings(result)
    lo, hi = bands.wpm
    judged = pace_judged(result, bands)
    fillers = m.filled_pause_count + m.discourse_marker_count
    wpm = wpm_shown(result)
    share = filler_share_shown(result)
    first = first_word_shown(result)
    rows: list[Check] = [
        Check(
            "pace",
            "Pace",
            f"{wpm:.0f} wpm, first to last word"
            + ("" if judged else f" (only {m.word_count} words: too few to judge)"),
            f"{lo:.0f}-{hi:.0f} wpm",
            lo <= wpm <= hi if judged else None,
        ),
        Check(
            "articulation",
            "Articulation",
            f"{m.articulation_rate:.1f} syllables/s of speaking time",
            "",
            None,
        ),
        Check(
            "fillers",
            "Fillers",
            f"{fillers} ({m.filled_pause_count} um/uh, {m.discourse_marker_count} like/you know...), "
            f"{m.fillers_per_min:.1f}/min, {share:.1f}% of words",
            f"<= {bands.filler_percent_max:g}% of words",
            share <= bands.filler_percent_max,
        ),
    ]
    long_ones, hesitant = long_pauses(result), hesitations(result)
    rows.append(
        Check(
            "pauses",
            "Pauses",
            (
                f"{m.pause_count}, {m.pauses_per_min:.0f}/min ({m.clause_pause_count} mid-sentence), "
                f"longest {m.longest_pause_s:.1f} s"
                if m.pause_count
                else f"none of {s.min_pause_s:g} s or more"
            ),
            f"none >= {s.long_pause_s:g} s; mid-sentence < {s.advise_clause_pause_s:g} s",
            not long_ones and not hesitant,
        )
    )
    rows.append(
        Check(
            "first_word",
            "First word",
            f"after {first:.1f} s",
            f"<= {bands.time_to_first_word_s_max:g} s",
            first <= bands.time_to_first_word_s_max,
        )
    )
    pitch = pitch_shown(result)
    if pitch is not None:
        flat = pitch < s.monotone_below_st
        rows.append(
            Check(
                "pitch",
                "Pitch variation",
                f"{pitch:.1f} semitones"
                + (" (flat)" if flat and judged else "")
                + ("" if judged else " (too few words to judge)"),
                f">= {s.monotone_below_st:g} st",
                (not flat) if judged else None,
            )
        )
    if question is not None:
        tmin, tmax = question.target_s
        length = length_shown(result)
        limit = (
            f" (stopped at the {result.limit_s:g} s limit)"
            if result.stopped_at_limit and result.limit_s
            else ""
        )
        rows.append(
            Check(
                "length",
                "Length",
                f"{length:.0f} s{limit}",
                f"{tmin:.0f}-{tmax:.0f} s",
                tmin <= length <= tmax,
            )
        )
    rows += content_checks(result)
    if result.quality is not None:
        q = result.quality
        rows.append(
            Check(
                "audio",
                "Audio",
                f"ok, speech {q.snr_db:.0f} dB above the background" if q.ok else "; ".join(q.problems),
                f"SNR >= {s.min_snr_db:g} dB",
                q.ok,
            )
        )
    return rows


def content_checks(result: Result) -> list[Check]:
    """What the answer said, as key-number rows: points, structure, I/we, specifics, vague words, job terms."""
    c = result.content
    settings = ContentSettings()
    rows: list[Check] = []
    if c.points:
        covered = sum(p.covered for p in c.points)
        rows.append(
            Check(
                "points", "Points", f"{covered} of {len(c.points)} covered", "all", covered == len(c.points)
            )
        )
    if c.structure.parts:
        have = [p.name for p in c.structure.parts if p.present]
        lack = [p.name for p in c.structure.parts if not p.present]
        value = ", ".join(have) if have else "none of its parts"
        if lack:
            value += f"; no {', '.join(lack)}"
        rows.append(Check("structure", "Structure", value, c.structure.name or "", not lack))
    own = c.ownership
    if own.i + own.we:
        rows.append(
            Check(
                "ownership",
                "I / we",
                f"{own.i} I, {own.we} we, of {own.i + own.we} sentences saying what was done",
                "mostly I",
                "mostly_we" not in c.findings,
            )
        )
    shown_specifics = ", ".join(m.text for m in c.specifics[:4]) + (", ..." if len(c.specifics) > 4 else "")
    rows.append(
        Check(
            "specifics",
            "Specifics",
            f"{len(c.specifics)}" + (f" ({shown_specifics})" if shown_specifics else ""),
            "numbers, names",
            bool(c.specifics) if c.points else None,  # judged for answers to a question only
        )
    )
    if c.vague:
        words = sorted({m.text for m in c.vague})
        rows.append(
            Check(
                "vague",
                "Vague words",
                f"{len(c.vague)} ({', '.join(words[:4])})",
                f"< {settings.vague_min}",
                len(c.vague) < settings.vague_min,
            )
        )
    if c.job_terms:
        used = [j.term for j in c.job_terms if j.covered]
        rows.append(
            Check(
                "job_terms",
                "Job terms",
                f"{len(used)} of {len(c.job_terms)} used" + (f" ({', '.join(used[:4])})" if used else ""),
                "the job's own words",
                None,
            )
        )
    return rows


def addressed(result: Result) -> set[str]:
    """The check ids the rep's advice answers (``Feedback.about``, "a+b" for several)."""
    return {part for fb in result.feedback if fb.about for part in fb.about.split("+")}


def unadvised(result: Result, *, bands: TargetBands, question: Question | None = None) -> list[Check]:
    """Flagged rows that no piece of the (at most three) advice answers: the reports name them with
    the reason, so that every flagged row has its advice or its reason."""
    done = addressed(result)
    return [c for c in checks(result, bands=bands, question=question) if c.ok is False and c.id not in done]


def unadvised_line(result: Result, *, bands: TargetBands, question: Question | None = None) -> str | None:
    """ "Also outside its target: Pitch variation (1.6 semitones); the advice above matters more." """
    rest = unadvised(result, bands=bands, question=question)
    if not rest:
        return None
    names = "; ".join(f"{c.name} ({c.value})" for c in rest)
    why = "the advice above matters more" if result.feedback else "see the numbers above"
    return f"Also outside its target: {names}; {why}."
