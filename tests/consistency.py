"""The rules a report must keep (issue 12): no advice contradicts another or the table, every flagged
row has its advice or its reason, pace windows agree with the pace, rounding never flips a verdict."""

from __future__ import annotations

import re

from interview_reps.judge import addressed, checks, unadvised
from interview_reps.models import Result
from interview_reps.questions import Question
from interview_reps.report import render_markdown
from interview_reps.settings import TargetBands

BANDS = TargetBands()


def _number(text: str, pattern: str) -> float | None:
    found = re.search(pattern, text)
    return float(found.group(1)) if found else None


def problems(result: Result, question: Question | None = None) -> list[str]:
    """Every rule the rep's report breaks, one line each (empty: consistent)."""
    out: list[str] = []
    rows = {c.id: c for c in checks(result, bands=BANDS, question=question)}
    advice = list(result.feedback)
    text = " ".join(fb.message for fb in advice)
    flagged = {i for i, c in rows.items() if c.ok is False}
    about = addressed(result)
    markdown = render_markdown(result, question=question)

    # 1. Each flagged row has its advice, or is named with the reason.
    rest = {c.id for c in unadvised(result, bands=BANDS, question=question)}
    for row in flagged:
        if row not in about and row not in rest:
            out.append(f"flagged row {row} has neither advice nor reason")
        if row in rest and f"{rows[row].name} (" not in markdown:
            out.append(f"flagged row {row} is not named in the report")
    # 2. No advice about a row that is within its target.
    for row in about:
        if row in rows and rows[row].ok is True:
            out.append(f"advice about {row}, which is within its target: {text}")
    # 3. "Clean delivery" only when nothing is flagged; at most three pieces, each row once.
    if "Clean delivery" in text and flagged:
        out.append(f"'Clean delivery' beside flagged rows {sorted(flagged)}")
    if len(advice) > 3:
        out.append(f"{len(advice)} pieces of advice")
    abouts = [fb.about for fb in advice if fb.about]
    if len(abouts) != len(set(abouts)):
        out.append(f"two pieces of advice about the same row: {abouts}")
    # 4. Pace: the advice's direction and number are the table's; no "slow down" for a slow answer.
    lo, hi = BANDS.wpm
    table_wpm = _number(rows["pace"].value, r"^(\d+) wpm")
    advised_wpm = _number(text, r"pace (\d+) wpm")
    if advised_wpm is not None and advised_wpm != table_wpm:
        out.append(f"pace {advised_wpm} in the advice, {table_wpm} in the table")
    if table_wpm is not None and rows["pace"].ok is not None:
        if table_wpm < lo and re.search(r"slow down|wpm is above", text, re.I):
            out.append(f"'slow down' / 'above' advice for a pace of {table_wpm} below the band")
        if table_wpm > hi and re.search(r"speed up|wpm is below", text, re.I):
            out.append(f"'speed up' / 'below' advice for a pace of {table_wpm} above the band")
        if rows["pace"].ok != (lo <= table_wpm <= hi):
            out.append(f"pace {table_wpm} judged {rows['pace'].ok} against {lo}-{hi}")
    # 5. Pace windows agree with the overall pace.
    windows = result.pace_windows
    if windows and result.metrics.speaking_span_s > 0:
        span = sum(w.end - w.start for w in windows)
        mean = sum(w.wpm * (w.end - w.start) for w in windows) / span if span else 0.0
        if abs(mean - result.metrics.wpm) > 0.05 * len(windows) + 0.5:
            out.append(f"pace windows average {mean:.1f} wpm, the answer {result.metrics.wpm:.1f}")
        if max(w.wpm for w in windows) + 0.5 < result.metrics.wpm:
            out.append("the fastest window is slower than the answer")
        if min(w.wpm for w in windows) - 0.5 > result.metrics.wpm:
            out.append("the slowest window is faster than the answer")
        fastest = _number(text, r"fastest at \d+:\d+ \((\d+) wpm\)")
        if fastest is not None and table_wpm is not None and fastest < table_wpm:
            out.append(f"fastest stretch {fastest} wpm slower than the pace {table_wpm}")
        slowest = _number(text, r"slowest at \d+:\d+ \((\d+) wpm\)")
        if slowest is not None and table_wpm is not None and slowest > table_wpm:
            out.append(f"slowest stretch {slowest} wpm faster than the pace {table_wpm}")
    # 6. Rounding never flips a verdict: each judged row agrees with its number as shown.
    share = _number(rows["fillers"].value, r"([\d.]+)% of words")
    if share is not None and rows["fillers"].ok != (share <= BANDS.filler_percent_max):
        out.append(f"filler share {share}% judged {rows['fillers'].ok}")
    advised_share = _number(text, r"fillers are ([\d.]+)% of your words")
    if advised_share is not None and advised_share != share:
        out.append(f"filler share {advised_share}% in the advice, {share}% in the table")
    first = _number(rows["first_word"].value, r"after ([\d.]+) s")
    if first is not None and rows["first_word"].ok != (first <= BANDS.time_to_first_word_s_max):
        out.append(f"first word after {first} s judged {rows['first_word'].ok}")
    advised_first = _number(text, r"0:00 - ([\d.]+) s before the first word")
    if advised_first is not None and advised_first != first:
        out.append(f"first word {advised_first} s in the advice, {first} s in the table")
    if "pitch" in rows and rows["pitch"].ok is not None:
        pitch = _number(rows["pitch"].value, r"^([\d.]+) semitones")
        if pitch is not None and rows["pitch"].ok != (pitch >= 2.0):
            out.append(f"pitch {pitch} judged {rows['pitch'].ok}")
    if "length" in rows:
        length = _number(rows["length"].value, r"^(\d+) s")
        lo_s, hi_s = question.target_s if question else (0, 0)
        if length is not None and rows["length"].ok != (lo_s <= length <= hi_s):
            out.append(f"length {length} judged {rows['length'].ok}")
        said_limit = re.search(r"its [\d.]+ s limit", text) is not None
        if said_limit != (
            result.stopped_at_limit and rows["length"].ok is False and length is not None and length < lo_s
        ):
            if (
                result.stopped_at_limit
                and rows["length"].ok is False
                and length is not None
                and length < lo_s
            ):
                out.append("a recording stopped at its limit, advised as if the speaker chose to stop")
            elif said_limit:
                out.append("advice speaks of a limit the recording did not reach")
    # 7. The audio check: the SNR shown is the speech level minus the background, as shown.
    q = result.quality
    if q is not None and abs(round(q.speech_level_dbfs - q.noise_floor_dbfs, 1) - q.snr_db) > 0.051:
        out.append(
            f"SNR {q.snr_db} is not speech {q.speech_level_dbfs} minus background {q.noise_floor_dbfs}"
        )
    # 8. Nothing calls the audio noisy or unreliable when its row says ok, nor ok when it is flagged.
    audio = rows.get("audio")
    if audio is not None and audio.ok is True and re.search(r"noisy|unreliable", markdown, re.I):
        out.append(f"the Audio row is ok, yet the report says noisy or unreliable: {audio.value}")
    if audio is not None and audio.ok is False and re.search(r"Audio check: ok", markdown):
        out.append("the Audio row is flagged, yet the report says the audio check is ok")
    return out
