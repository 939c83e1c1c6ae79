"""The 1-3 most useful pieces of advice for one rep, each tied to a moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..models import Feedback, Filler, Quality, Result
from ..settings import AnalysisSettings, TargetBands
from ..text import clock

# From `make eval` (README "Accuracy"): held-out figures only; update both together.
MEASURED_FILLER_ACCURACY = (
    "On held-out recordings (40 filled pauses, 3 voices; every filler said by one speaker) this count "
    "found 95% of filled pauses (38 of 40), and all 38 it counted were real (make eval, 2026-12-01)."
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

    ``extra``: more candidates with their priorities on the same scale (the content advice of
    ``content.content_advice``), ranked together with the delivery advice.
    """
    m = result.metrics
    judge_pace = m.word_count >= bands.min_words_to_judge_pace
    items: list[tuple[float, Feedback]] = []
    if result.quality and not result.quality.ok:
        items.append(
            (
                100,
                Feedback(
                    f"Audio check: {result.quality.problems[0]}. Treat the numbers of this rep as unreliable."
                ),
            )
        )

    clause = [
        p for p in result.pauses if p.kind == "clause" and p.duration_s >= settings.advise_clause_pause_s
    ]
    if clause:
        p = max(clause, key=lambda p: p.duration_s)
        items.append(
            (
                50 + 10 * p.duration_s,
                Feedback(
                    f'{clock(p.start)} - {p.duration_s:.1f} s pause mid-sentence, after "{p.before}". '
                    "Pause at the end of a sentence instead; it reads as composure rather than searching.",
                    p.start,
                ),
            )
        )

    if m.time_to_first_word_s > bands.time_to_first_word_s_max:
        items.append(
            (
                45 + m.time_to_first_word_s,
                Feedback(
                    f'0:00 - {m.time_to_first_word_s:.1f} s before the first word. A short bridge ("The time that comes '
                    'to mind is...") buys thinking time without dead air.',
                    0.0,
                ),
            )
        )

    cluster = _densest_cluster(result.fillers)
    if cluster:
        start, group = cluster
        names = ", ".join(sorted({f.text for f in group}))
        items.append(
            (
                40 + 5 * len(group),
                Feedback(
                    f"{clock(start)} - {len(group)} fillers within {int(_CLUSTER_WINDOW_S)} s ({names}). "
                    "Slow down here and let a silent pause do the work.",
                    start,
                ),
            )
        )
    elif m.filler_percent > bands.filler_percent_max and result.fillers:
        f0 = result.fillers[0]
        items.append(
            (
                35,
                Feedback(
                    f"{clock(f0.start)} - fillers are {m.filler_percent:.0f}% of your words (target under "
                    f'{bands.filler_percent_max:.0f}%); the first is "{f0.text}".',
                    f0.start,
                ),
            )
        )

    lo, hi = bands.wpm
    if judge_pace and not lo <= m.wpm <= hi:
        fastest = max(result.pace_windows, key=lambda w: w.wpm, default=None)
        slowest = min(result.pace_windows, key=lambda w: w.wpm, default=None)
        if m.wpm > hi and fastest:
            items.append(
                (
                    30 + (m.wpm - hi) / 5,
                    Feedback(
                        f"{clock(fastest.start)} - pace {m.wpm:.0f} wpm is above the {lo:.0f}-{hi:.0f} band, fastest here "
                        f"({fastest.wpm:.0f} wpm). Breathe at each full stop.",
                        fastest.start,
                    ),
                )
            )
        elif slowest:
            items.append(
                (
                    25 + (lo - m.wpm) / 5,
                    Feedback(
                        f"{clock(slowest.start)} - pace {m.wpm:.0f} wpm is below the {lo:.0f}-{hi:.0f} band, slowest here "
                        f"({slowest.wpm:.0f} wpm). Know your next point before you start the sentence.",
                        slowest.start,
                    ),
                )
            )

    if result.voice and result.voice.monotone and judge_pace:
        items.append(
            (
                20,
                Feedback(
                    f"Pitch varied only {result.voice.pitch_variation_st:.1f} semitones (flat below "
                    f"{settings.monotone_below_st:.0f}). Lift the key word of each sentence."
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

    if result.repeats and result.repeats[0].count >= 3:
        r = result.repeats[0]
        items.append(
            (
                10 + r.count,
                Feedback(
                    f'{clock(r.times_s[0])} - "{r.text}" {r.count} times; vary the wording.', r.times_s[0]
                ),
            )
        )

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
                    f"Clean delivery: {m.wpm:.0f} wpm, {m.filled_pause_count + m.discourse_marker_count} fillers, "
                    f"{longest}. {_content_note(result)}"
                ),
            )
        )
    items.sort(key=lambda item: -item[0])
    return [fb for _, fb in items[:most]]


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
    generic "clean delivery" note gives way to it.
    """
    length = result.metrics.answer_length_s
    lo, hi = target_s
    if lo <= length <= hi or length <= 0:
        return result
    if length < lo:
        cover = (
            f" Cover: {'; '.join(p[:1].lower() + p[1:].rstrip('.') for p in points[:3])}." if points else ""
        )
        tip = Feedback(
            f"{clock(length)} - the answer ended after {length:.0f} s; this question wants {lo:.0f}-{hi:.0f} s.{cover}",
            round(length, 3),
        )
    else:
        tip = Feedback(
            f"{clock(hi)} - the answer ran {length:.0f} s, past the {lo:.0f}-{hi:.0f} s this question wants; "
            "land the result and stop.",
            float(hi),
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
