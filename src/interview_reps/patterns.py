"""What keeps happening across reps: the same stumble in most of the recent ones, with its evidence."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .judge import pace_judged
from .models import Filler, Rep, Result, Word
from .settings import PatternSettings, TargetBands
from .text import clock, phrase

if TYPE_CHECKING:
    from .questions import Question

_BANDS = TargetBands()


@dataclass(frozen=True)
class Evidence:
    rep_id: str | None  # None: a rep that is not saved
    detail: str
    at_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rep_id": self.rep_id, "detail": self.detail, "at_s": self.at_s}


@dataclass(frozen=True)
class Pattern:
    """Something that keeps happening: in ``count`` of the last ``of`` reps, with the evidence of each."""

    kind: str
    key: str
    description: str
    count: int
    of: int
    evidence: tuple[Evidence, ...]
    unit: str = "rep"  # what count and of count: reps, or (for reflection themes) reflections

    @property
    def message(self) -> str:
        where = (
            f"in every {self.unit} ({self.count} of {self.of})"
            if self.count == self.of
            else (f"in {self.count} of the last {self.of} {self.unit}s")
        )
        return f"{_capital(self.description)} {where}: {_evidence_text(self.evidence)}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "message": self.message,
            "count": self.count,
            "of": self.of,
            "reps": [e.rep_id for e in self.evidence],
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class _Observation:
    description: str
    detail: str
    at_s: float | None = None
    rank: int = 0  # order in which kinds are listed


def find_patterns(
    reps: Sequence[Rep],
    *,
    question: Question | None = None,
    settings: PatternSettings | None = None,
) -> list[Pattern]:
    """Patterns over the most recent ``settings.window_reps`` of ``reps`` (oldest first)."""
    settings = settings or PatternSettings()
    window = list(reps)[-settings.window_reps :]
    observed = [_observe(r.result, question, settings) for r in window]
    keys = {key for obs in observed for key in obs}
    patterns = []
    for key in keys:
        hits = [(r, obs[key]) for r, obs in zip(window, observed, strict=True) if key in obs]
        if len(hits) >= settings.min_reps and len(hits) >= settings.min_share * len(window):
            first = hits[0][1]
            patterns.append(
                (
                    first.rank,
                    Pattern(
                        kind=key[0],
                        key=key[1],
                        description=first.description,
                        count=len(hits),
                        of=len(window),
                        evidence=tuple(Evidence(r.id, o.detail, o.at_s) for r, o in hits),
                    ),
                )
            )
    patterns.sort(key=lambda item: (-item[1].count, item[0], item[1].key))
    return _drop_covered([p for _, p in patterns]) + reflection_themes(reps, settings=settings)


def reflection_themes(reps: Sequence[Rep], *, settings: PatternSettings | None = None) -> list[Pattern]:
    """Words that come back in the person's own reflections: the same word (or one of its family) in
    at least ``min_reps`` of the reflections of the last ``window_reps`` reps, and in most of them
    (``min_share``). Words found in the same reflections are one theme ("opening", "slow")."""
    from .reflection import label, theme_words

    settings = settings or PatternSettings()
    window = [r for r in list(reps)[-settings.window_reps :] if r.reflection]
    words = [theme_words(r.reflection) for r in window if r.reflection]
    by_reps: dict[tuple[int, ...], list[str]] = {}
    for key in dict.fromkeys(k for found in words for k in found):
        hits = tuple(i for i, found in enumerate(words) if key in found)
        if len(hits) >= settings.min_reps and len(hits) >= settings.min_share * len(window):
            by_reps.setdefault(hits, []).append(key)
    out = []
    for hits, keys in by_reps.items():
        shown = [words[hits[0]][k][0].lower() for k in keys[:3]]
        evidence = []
        for i in hits:
            _word, question, answer = words[i][keys[0]]
            evidence.append(Evidence(window[i].id, f'"{answer}" ({label(question)})'))
        out.append(
            Pattern(
                kind="reflection_theme",
                key=" ".join(keys),
                description="your reflections come back to " + ", ".join(f'"{w}"' for w in shown),
                count=len(hits),
                of=len(window),
                evidence=tuple(evidence),
                unit="reflection",
            )
        )
    return sorted(out, key=lambda p: (-p.count, p.key))


def latest_patterns(
    reps: Sequence[Rep],
    *,
    question: Question | None = None,
    settings: PatternSettings | None = None,
) -> list[str]:
    """Sentences for the report of the last of ``reps``, over the ones before it ("Third rep in a row
    with ..."). Empty when there is no earlier rep."""
    settings = settings or PatternSettings()
    if len(reps) < 2:
        return []
    seq = list(reps)
    this_id = seq[-1].id
    observed = [_observe(r.result, question, settings) for r in seq]
    found: list[tuple[int, int, str, str]] = []
    for key, obs in observed[-1].items():
        streak = 0
        for past in reversed(observed):
            if key not in past:
                break
            streak += 1
        if streak >= settings.min_reps:
            shown = list(zip(seq, observed, strict=True))[-min(streak, settings.window_reps) :]
            evidence = [Evidence(r.id, o[key].detail, o[key].at_s) for r, o in shown]
            text = f"{_ordinal(streak)} rep in a row with {obs.description}: {_evidence_text(evidence, this_id)}."
            found.append((-streak, obs.rank, key[1], text))
            continue
        window = list(zip(seq, observed, strict=True))[-settings.window_reps :]
        hits = [(r, o[key]) for r, o in window if key in o]
        if len(hits) >= settings.min_reps and len(hits) >= settings.min_share * len(window):
            evidence = [Evidence(r.id, o.detail, o.at_s) for r, o in hits]
            text = (
                f"{_capital(obs.description)} in {len(hits)} of your last {len(window)} reps: "
                f"{_evidence_text(evidence, this_id)}."
            )
            found.append((-len(hits), obs.rank, key[1], text))
    found.sort()
    covered = _covered_words([key for _, _, key, _ in found])
    return [text for _, _, key, text in found if key not in covered]


def _observe(
    result: Result, question: Question | None, s: PatternSettings
) -> dict[tuple[str, str], _Observation]:
    """What one rep shows, keyed by (kind, key): the same key in several reps is a pattern."""
    out: dict[tuple[str, str], _Observation] = {}
    m = result.metrics
    first_word_s = m.time_to_first_word_s

    # 1. A long pause in the first seconds of the answer.
    for p in result.pauses:
        if p.start <= first_word_s + s.early_window_s and p.duration_s >= s.early_pause_min_s:
            out["early_long_pause", ""] = _Observation(
                f"a long pause ({s.early_pause_min_s:g} s or more) in the first {s.early_window_s:g} seconds",
                f"{p.duration_s:.1f} s at {clock(p.start)}",
                p.start,
                rank=1,
            )
            break

    # 2. A slow start: too long before the first word.
    if first_word_s > _BANDS.time_to_first_word_s_max:
        out["slow_start", ""] = _Observation(
            f"more than {_BANDS.time_to_first_word_s_max:g} s before the first word",
            f"{first_word_s:.1f} s",
            0.0,
            rank=2,
        )

    # 3. The same filler on top.
    counts = Counter(phrase(f.text) for f in result.fillers)
    counts.pop("", None)
    if counts:
        top = max(counts.values())
        if top >= s.top_filler_min_count:
            leaders = [text for text, n in counts.items() if n == top]
            for text in leaders:
                what = "the most frequent filler" if len(leaders) == 1 else "a most frequent filler (tied)"
                out["top_filler", text] = _Observation(f'"{text}" as {what}', f"{top} times", rank=3)

    # 4. Fillers right after the same phrase.
    after: dict[str, list[float]] = {}
    for f in result.fillers:
        for said in _phrases_before(f, result.words, s.phrase_gap_s):
            after.setdefault(said, []).append(f.start)
    for said, times in after.items():
        when = ", ".join(dict.fromkeys(clock(t) for t in times))  # two fillers in one second: one time
        out["filler_after_phrase", said] = _Observation(
            f'fillers right after "{said}"', f"at {when}", times[0], rank=4
        )

    # 5. Pace rising (or falling) through the answer (a short last window is already folded in).
    windows = result.pace_windows
    if len(windows) >= 2:
        begin, end = windows[0].wpm, windows[-1].wpm
        if end - begin > s.pace_change_wpm:
            out["pace_rises", ""] = _Observation(
                "pace rising through the answer", f"{begin:.0f} → {end:.0f} wpm", rank=5
            )
        elif begin - end > s.pace_change_wpm:
            out["pace_falls", ""] = _Observation(
                "pace falling through the answer", f"{begin:.0f} → {end:.0f} wpm", rank=5
            )

    # 6. Overall pace outside the target band (on enough words to judge it, as the report's row is).
    lo, hi = _BANDS.wpm
    judged = pace_judged(result, _BANDS)
    if judged and m.wpm > hi:
        out["pace_high", ""] = _Observation(f"pace above {hi:g} wpm", f"{m.wpm:.0f} wpm", rank=6)
    elif judged and 0 < m.wpm < lo:
        out["pace_low", ""] = _Observation(f"pace below {lo:g} wpm", f"{m.wpm:.0f} wpm", rank=6)

    # 7. The answer's length against the question's target.
    if question is not None:
        length = _answer_length_s(result)
        low, high = question.target_s
        if length > high:
            out["over_target", ""] = _Observation(
                f"an answer over its {high:g} s target", f"{length:.0f} s", rank=7
            )
        elif 0 < length < low:
            out["under_target", ""] = _Observation(
                f"an answer under its {low:g} s minimum", f"{length:.0f} s", rank=7
            )

    # 8. What the answer said (analyze/content.py): the result, "we", vague words, a point left out.
    out.update(_observe_content(result))
    return out


def _observe_content(result: Result) -> dict[tuple[str, str], _Observation]:
    c = result.content
    out: dict[tuple[str, str], _Observation] = {}
    found = set(c.findings)
    narrative = c.structure.name in ("STAR", "CAR")
    if narrative and "no_result" in found:
        out["no_result", ""] = _Observation("the result missing from the story", "no result", rank=8)
    elif narrative and "no_measurable_result" in found:
        result_part = next((p for p in c.structure.parts if p.name == "Result" and p.present), None)
        out["no_measurable_result", ""] = _Observation(
            "a result without a number",
            f'"{result_part.evidence}"' if result_part and result_part.evidence else "no number",
            result_part.at_s if result_part else None,
            rank=8,
        )
    if "mostly_we" in found:
        own = c.ownership
        out["mostly_we", ""] = _Observation(
            'mostly "we" in what was done',
            f"{own.we} of {own.i + own.we}",
            own.we_at_s[0] if own.we_at_s else None,
            rank=9,
        )
    if "vague" in found:
        top = Counter(m.text for m in c.vague).most_common(1)[0][0]
        out["vague", ""] = _Observation(
            "vague words", f'{len(c.vague)}, "{top}" most', c.vague[0].at_s, rank=9
        )
    for point in c.points:
        if not point.covered and not (narrative and "no_result" in found and "result" in point.text.lower()):
            out["point_missed", point.text] = _Observation(f'"{point.text}" left out', "not said", rank=10)
    return out


def _phrases_before(filler: Filler, words: Sequence[Word], gap_s: float) -> list[str]:
    """The one and two words said just before a filler (ending within ``gap_s`` of it), fillers skipped.

    Words are taken by start time: a word's end often stretches into the silence after it
    (measurement.md §2), so a word that started before the filler counts even if it "ends" inside it.
    """
    before = sorted(
        (w.start, w.end, phrase(w.text)) for w in words if not w.filler and w.start < filler.start - 0.05
    )
    before = [b for b in before if b[2]]
    if not before or filler.start - before[-1][1] > gap_s:
        return []
    phrases = [before[-1][2]]
    if len(before) >= 2:
        phrases.append(f"{before[-2][2]} {before[-1][2]}")
    return phrases


def _drop_covered(patterns: list[Pattern]) -> list[Pattern]:
    covered = _covered_words([p.key for p in patterns if p.kind == "filler_after_phrase"])
    return [p for p in patterns if not (p.kind == "filler_after_phrase" and p.key in covered)]


def _covered_words(keys: Sequence[str]) -> set[str]:
    """One-word phrases that are the end of a two-word phrase also found: name only the longer one."""
    return {key.split()[-1] for key in keys if " " in key}


def _answer_length_s(result: Result) -> float:
    """From the question (start of the recording) to the last word; derived for reps saved before
    ``answer_length_s`` existed."""
    m = result.metrics
    if m.answer_length_s:
        return m.answer_length_s
    if m.speaking_span_s:
        return m.time_to_first_word_s + m.speaking_span_s
    return m.duration_s


def _evidence_text(evidence: Sequence[Evidence], this_id: str | None = None) -> str:
    parts = []
    for e in evidence:
        name = "this rep" if e.rep_id is None or (this_id and e.rep_id == this_id) else f"rep {e.rep_id}"
        parts.append(f"{e.detail} ({name})")
    return "; ".join(parts)


_ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth")


def _ordinal(n: int) -> str:
    return _ORDINALS[n - 1] if 1 <= n <= len(_ORDINALS) else f"{n}th"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
