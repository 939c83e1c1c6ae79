"""The 1-3 most useful pieces of advice for one rep, each tied to a moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..judge import (
    filler_share_shown,
    first_word_shown,
    hesitations,
    length_shown,
    long_pauses,
    pace_judged,
    pitch_shown,
    wpm_shown,
)
from ..models import Feedback, Filler, Quality, Result
from ..settings import AnalysisSettings, TargetBands
from ..text import clock

# From `make eval` (README "Accuracy"): held-out figures only; update both together.
MEASURED_FILLER_ACCURACY = (
    "On held-out recordings (59 filled pauses, 3 voices; every filler said by one speaker) this count "
    "found 83% of filled pauses (49 of 59; of soft ones run straight into the first word, 3 of 11), "
    "and all 49 it counted were real (make eval, 2026-12-01)."
)
_CLUSTER_WINDOW_S = 20.0  # fillers "cluster" when 3 or more fall within 20 s (users.md: clusters matter most)
_CLUSTER_MIN = 3


def advise(
    result: Result,
    *,
    settings: AnalysisSettings,
    bands: TargetBands,
    most: int = 3,
    extra: Sequence[tuple[float, Feedback]] = (),
) -> list[Feedback]:
    """Candidate advice, most important first; at most ``most`` items.

    Every flagged key number (``judge.checks``) has a candidate here (or, for content, in ``extra``),
    judged on the same shown values, so advice never contradicts the table; each candidate names the
    row it answers (``Feedback.about``). ``extra``: more candidates with their priorities on the same
    scale (the content advice of ``content.content_advice``), ranked together with the delivery advice.
    """
    m = result.metrics
    judge_pace = pace_judged(result, bands)
    items: list[tuple[float, Feedback]] = []
    if result.quality and not result.quality.ok:
        items.append(
            (
                100,
                Feedback(
                    f"Audio check: {result.quality.problems[0]}. Treat the numbers of this rep as unreliable.",
                    about="audio",
                ),
            )
        )

    clause = hesitations(result)
    long_between = [p for p in long_pauses(result) if p.kind == "sentence"]
    if clause:
        p = max(clause, key=lambda p: p.duration_s)
        items.append(
            (
                50 + 10 * p.duration_s,
                Feedback(
                    f'{clock(p.start)} - {p.duration_s:.1f} s pause mid-sentence, after "{p.before}". '
                    "Pause at the end of a sentence instead; it reads as composure rather than searching.",
                    p.start,
                    about="pauses",
                ),
            )
        )
    elif long_between:
        p = max(long_between, key=lambda p: p.duration_s)
        items.append(
            (
                40 + 5 * p.duration_s,
                Feedback(
                    f"{clock(p.start)} - {p.duration_s:.1f} s of silence between sentences. A breath at a full "
                    f"stop reads as composure; past {settings.long_pause_s:g} s it reads as lost: have the "
                    "next sentence ready before you end this one.",
                    p.start,
                    about="pauses",
                ),
            )
        )

    first_s = first_word_shown(result)
    if first_s > bands.time_to_first_word_s_max:
        items.append(
            (
                45 + first_s,
                Feedback(
                    f'0:00 - {first_s:.1f} s before the first word. A short bridge ("The time that comes '
                    'to mind is...") buys thinking time without dead air.',
                    0.0,
                    about="first_word",
                ),
            )
        )

    share = filler_share_shown(result)
    too_many = share > bands.filler_percent_max
    cluster = _densest_cluster(result.fillers)
    if cluster:
        start, group = cluster
        names = ", ".join(sorted({f.text for f in group}))
        overall = (
            f"; overall they are {share:.1f}% of your words"
            if too_many
            else f", though overall they are only {share:.1f}% of your words"
        )
        items.append(
            (
                40 + 5 * len(group),
                Feedback(
                    f"{clock(start)} - {len(group)} fillers within {int(_CLUSTER_WINDOW_S)} s ({names}){overall}. "
                    "Here, let a silent pause do the work instead of a filler.",
                    start,
                    about="fillers" if too_many else None,
                ),
            )
        )
    elif too_many and result.fillers:
        f0 = result.fillers[0]
        items.append(
            (
                35,
                Feedback(
                    f"{clock(f0.start)} - fillers are {share:.1f}% of your words (target at most "
                    f'{bands.filler_percent_max:g}%); the first is "{f0.text}". Let a silent pause do the work.',
                    f0.start,
                    about="fillers",
                ),
            )
        )

    lo, hi = bands.wpm
    wpm = wpm_shown(result)
    if judge_pace and not lo <= wpm <= hi:
        several = len(result.pace_windows) > 1
        if wpm > hi:
            fastest = max(result.pace_windows, key=lambda w: w.wpm, default=None)
            where = (
                f", fastest at {clock(fastest.start)} ({fastest.wpm:.0f} wpm)" if several and fastest else ""
            )
            items.append(
                (
                    30 + (wpm - hi) / 5,
                    Feedback(
                        f"{clock(fastest.start if several and fastest else 0)} - pace {wpm:.0f} wpm is above the "
                        f"{lo:.0f}-{hi:.0f} band{where}. Breathe at each full stop.",
                        fastest.start if several and fastest else 0.0,
                        about="pace",
                    ),
                )
            )
        else:
            slowest = min(result.pace_windows, key=lambda w: w.wpm, default=None)
            where = (
                f", slowest at {clock(slowest.start)} ({slowest.wpm:.0f} wpm)" if several and slowest else ""
            )
            items.append(
                (
                    25 + (lo - wpm) / 5,
                    Feedback(
                        f"{clock(slowest.start if several and slowest else 0)} - pace {wpm:.0f} wpm is below the "
                        f"{lo:.0f}-{hi:.0f} band{where}. Know your next point before you start the sentence.",
                        slowest.start if several and slowest else 0.0,
                        about="pace",
                    ),
                )
            )

    pitch = pitch_shown(result)
    if judge_pace and pitch is not None and pitch < settings.monotone_below_st:
        items.append(
            (
                20,
                Feedback(
                    f"Pitch varied only {pitch:.1f} semitones (flat below {settings.monotone_below_st:g}). "
                    "Lift the key word of each sentence.",
                    about="pitch",
                ),
            )
        )

    if result.hedges and result.hedges[0].count >= 2:
        h = result.hedges[0]
        items.append(
            (
                15 + h.count,
                Feedback(
                    f'{clock(h.times_s[0])} - "{h.text}" {h.count} times. Say what you did and what happened, '
                    "without softening it.",
                    h.times_s[0],
                ),
            )
        )

    if m.restart_count >= RESTARTS_TO_ADVISE and result.restarts:
        shown_ = ", ".join(f'"{r.text}"' for r in result.restarts[:3])
        first = min(t for r in result.restarts for t in r.times_s)
        items.append(
            (
                12 + m.restart_count,
                Feedback(
                    f"{clock(first)} - {m.restart_count} restarts ({shown_}). Finish the word you started; "
                    "if you lose the thread, pause silently rather than start the phrase again.",
                    first,
                ),
            )
        )

    if result.repeats and result.repeats[0].count >= REPEATS_TO_ADVISE:
        r = result.repeats[0]
        items.append(
            (
                10 + r.count,
                Feedback(
                    f'{clock(r.times_s[0])} - "{r.text}" {r.count} times close together; vary the wording.',
                    r.times_s[0],
                ),
            )
        )

    items += _structure_and_specifics(result, extra)
    items.extend(extra)
    if not items and not judge_pace:
        items.append(
            (
                0,
                Feedback(
                    f"Only {m.word_count} words: too short to judge pace or habits; answer for 30 s or more."
                ),
            )
        )
    elif not items:
        longest = (
            f"longest pause {m.longest_pause_s:.1f} s" if m.pause_count else "no pause of 0.25 s or more"
        )
        items.append(
            (
                0,
                Feedback(
                    f"Clean delivery: {wpm:.0f} wpm, {m.filled_pause_count + m.discourse_marker_count} fillers, "
                    f"{longest}. {_content_note(result)}"
                ),
            )
        )
    items.sort(key=lambda item: -item[0])
    return [fb for _, fb in items[:most]]


RESTARTS_TO_ADVISE = 2  # one restart is normal speech; two or more in one answer is a habit to hear
REPEATS_TO_ADVISE = 3  # a phrase said three times close together stands out (two is listed, not advised)


def _structure_and_specifics(
    result: Result, extra: Sequence[tuple[float, Feedback]]
) -> list[tuple[float, Feedback]]:
    """Advice for the Structure and Specifics rows when the content advice (``extra``) has none."""
    done = {part for _, fb in extra if fb.about for part in fb.about.split("+")}
    c = result.content
    out: list[tuple[float, Feedback]] = []
    lack = [p.name for p in c.structure.parts if not p.present]
    if lack and "structure" not in done:
        out.append(
            (
                30.0,
                Feedback(
                    f"The {c.structure.name} structure has no {' and no '.join(lack)}: give "
                    f"{'it' if len(lack) == 1 else 'each'} a sentence of its own.",
                    about="structure",
                ),
            )
        )
    if c.points and not c.specifics and "specifics" not in done:
        out.append(
            (
                28.0,
                Feedback(
                    "No number or name in the answer: add one specific (a figure, a product, a team) "
                    "to make it concrete.",
                    about="specifics",
                ),
            )
        )
    return out


def _content_note(result: Result) -> str:
    points = result.content.points
    if points and all(p.covered for p in points):
        return f"All {len(points)} points of the question covered; next, answer a follow-up."
    return "Now work on content: a clear structure and a result."


def with_length_advice(
    result: Result, *, target_s: tuple[float, float], points: tuple[str, ...] = (), most: int = 3
) -> Result:
    """``result`` with advice on its length against the question's target, when it falls outside.

    An answer far off its target length is the first thing to fix, so this advice goes first; the
    generic "clean delivery" note gives way to it. A recording stopped at its limit (``--max-seconds``)
    or by Ctrl-C is said to have been stopped so, not as if the speaker chose to end there.
    """
    length = length_shown(result)
    lo, hi = target_s
    if lo <= length <= hi or length <= 0:
        return result
    about = "length"
    if length < lo:
        cover = (
            f" Cover: {'; '.join(p[:1].lower() + p[1:].rstrip('.') for p in points[:3])}." if points else ""
        )
        if cover:
            about = "length+points"
        if result.stopped_at_limit and result.limit_s:
            ended = (
                f"the recording stopped at its {result.limit_s:g} s limit (--max-seconds), so the answer was "
                f"cut off after {length:.0f} s; this question wants {lo:.0f}-{hi:.0f} s: set --max-seconds "
                f"to {max(hi * 1.25, hi + 30):.0f} or more."
            )
        elif result.stopped_by == "interrupt":
            ended = (
                f"the recording was stopped with Ctrl-C after {length:.0f} s; this question wants "
                f"{lo:.0f}-{hi:.0f} s."
            )
        else:
            ended = f"the answer ended after {length:.0f} s; this question wants {lo:.0f}-{hi:.0f} s."
        tip = Feedback(f"{clock(length)} - {ended}{cover}", round(length, 3), about=about)
    else:
        tip = Feedback(
            f"{clock(hi)} - the answer ran {length:.0f} s, past the {lo:.0f}-{hi:.0f} s this question wants; "
            "land the result and stop.",
            float(hi),
            about=about,
        )
    kept = [f for f in result.feedback if not f.message.startswith(("Clean delivery", "Only "))]
    if " Cover: " in tip.message:  # the tip names the points left out: no second list of them
        kept = [f for f in kept if " points not covered: " not in f.message]
    return replace(result, feedback=tuple([tip, *kept][:most]))


def _densest_cluster(fillers: tuple[Filler, ...]) -> tuple[float, list[Filler]] | None:
    best: tuple[float, list[Filler]] | None = None
    for i, f in enumerate(fillers):
        group = [g for g in fillers[i:] if g.start - f.start <= _CLUSTER_WINDOW_S]
        if len(group) >= _CLUSTER_MIN and (best is None or len(group) > len(best[1])):
            best = (f.start, group)
    return best


def filler_trust(
    fillers: list[Filler],
    acoustic: list[Filler],
    candidates: list[Filler],
    *,
    quality: Quality | None = None,
    wpm: float = 0.0,
    settings: AnalysisSettings | None = None,
) -> str:
    """One line on how far the filler count can be trusted: the held-out figures, the signals that
    found this recording's fillers, and the conditions under which the count may be low (thresholds
    in ``AnalysisSettings``, ``trust_*``)."""
    settings = settings or AnalysisSettings()
    filled = [f for f in fillers if f.kind == "filled_pause"]
    from_text = len(filled) - len(acoustic)
    line = f"Filled pauses: {from_text} written by the transcriber"
    if acoustic:
        line += f", {len(acoustic)} more heard only in the sound"
    if candidates:
        line += (
            f"; {len(candidates)} more possible filler{'s' if len(candidates) > 1 else ''} not counted"
            " (listen with --clips)"
        )
    line += f". {MEASURED_FILLER_ACCURACY}"
    low = []
    if quality is not None:
        if quality.snr_db < settings.trust_min_snr_db:
            # Not "noisy": the audio check names that (min_snr_db); this band reaches 5 dB above it.
            low.append(f"the background is near the speech (speech {quality.snr_db:.0f} dB above it)")
        if quality.speech_level_dbfs < settings.trust_min_speech_dbfs:
            low.append(f"the speech is soft ({quality.speech_level_dbfs:.0f} dBFS)")
    if wpm > settings.trust_max_wpm:
        low.append(f"the speech is fast ({wpm:.0f} wpm), where fillers run into words")
    if low:
        line += " This count may be low here: " + "; ".join(low) + "."
    return line
