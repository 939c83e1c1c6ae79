"""Reps side by side: each metric's change within a stated noise band, the personal baseline, patterns."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import LibraryError, RepsError
from .settings import PatternSettings, TargetBands

if TYPE_CHECKING:
    from rich.table import Table

    from .questions import Question
    from .store import Library, RepEntry

Better = Literal["lower", "higher", "target", "none"]
# improved / regressed / unchanged: a metric with a better direction. "changed": a metric with no
# better direction (e.g. word count) moved beyond its noise band. "n/a": a value is missing.
Trend = Literal["improved", "regressed", "unchanged", "changed", "n/a"]


@dataclass(frozen=True)
class MetricSpec:
    """How one metric is judged: which way is better and how big a change is more than noise."""

    name: str
    label: str
    unit: str
    better: Better
    noise: float  # a change of at most this much (either way) counts as unchanged
    target: tuple[float | None, float | None] | None = None  # (min, max) for "target" metrics
    digits: int = 1


_BANDS = TargetBands()

# The direction of "better" and the noise band of every metric, defined once. The noise bands are
# product choices sized to the measurement error stated in measurement.md, so a change inside the
# band is not called progress:
# - Pace: tiny.en's word count is off by a few percent (~5 % of 150 wpm is 7 wpm); 10 wpm adds room
#   for take-to-take wobble. Syllables are counted by rule (~5 % of ~5 syll/s is 0.25).
# - Fillers: the filler detector's precision is ~0.8 and recall ~0.9 (measurement.md §1), so one
#   filler either way (and one per minute, one point of share) is within its error.
# - Pauses: a pause near the 0.25 s cut-off can come or go between takes (§2), so two pauses either
#   way; pause edges shift by VAD padding and frame size, so half a second for a pause's length.
# - Pitch and loudness variation: trackers wobble by a few tenths of a semitone / about a dB.
METRIC_SPECS: dict[str, MetricSpec] = {
    s.name: s
    for s in (
        MetricSpec("wpm", "Pace", "wpm", "target", 10.0, _BANDS.wpm, 0),
        MetricSpec("articulation_rate", "Articulation", "syll/s", "none", 0.3),
        MetricSpec("fillers_per_min", "Fillers", "/min", "lower", 1.0),
        MetricSpec("filled_pause_count", "Um, uh", "", "lower", 1.0, digits=0),
        MetricSpec("discourse_marker_count", "Like, so, ...", "", "lower", 1.0, digits=0),
        MetricSpec("filler_percent", "Filler share", "%", "target", 1.0, (None, _BANDS.filler_percent_max)),
        MetricSpec("pause_count", "Pauses", "", "none", 2.0, digits=0),
        # Pause rate has no better direction: sentence pauses are good, hesitations are not (those are
        # the mid-clause and long pause rows).
        MetricSpec("pauses_per_min", "Pause rate", "/min", "none", 1.0),
        MetricSpec("clause_pause_count", "Mid-clause pauses", "", "lower", 1.0, digits=0),
        MetricSpec("sentence_pause_count", "Sentence pauses", "", "none", 2.0, digits=0),
        MetricSpec("long_pause_count", "Long pauses", "", "lower", 1.0, digits=0),
        MetricSpec("longest_pause_s", "Longest pause", "s", "lower", 0.5),
        # lower is better; the target is shown beside it (a beat to think is fine, TargetBands)
        MetricSpec(
            "time_to_first_word_s", "First word", "s", "lower", 0.5, (None, _BANDS.time_to_first_word_s_max)
        ),
        MetricSpec("pitch_variation_st", "Pitch variation", "st", "higher", 0.5),
        MetricSpec("loudness_variation_db", "Loudness variation", "dB", "higher", 1.0),
        MetricSpec("hedge_count", "Hedges", "", "lower", 1.0, digits=0),
        MetricSpec("repeat_count", "Repeats", "", "lower", 1.0, digits=0),
        # Answer length (start of the recording to the last word) is judged against the question's
        # target when the question is known (see _spec_for); the recording's length is not judged.
        MetricSpec("answer_length_s", "Answer length", "s", "none", 5.0, digits=0),
        MetricSpec("duration_s", "Recording", "s", "none", 5.0, digits=0),
        MetricSpec("speaking_span_s", "Speaking span", "s", "none", 5.0, digits=0),
        MetricSpec("speaking_time_s", "Speaking time", "s", "none", 5.0, digits=0),
        MetricSpec("word_count", "Words", "", "none", 10.0, digits=0),
        MetricSpec("syllable_count", "Syllables", "", "none", 15.0, digits=0),
    )
}
# The rows a person reads first; --json and --all-metrics carry every metric.
KEY_METRICS = (
    "wpm",
    "articulation_rate",
    "fillers_per_min",
    "filled_pause_count",
    "discourse_marker_count",
    "filler_percent",
    "pause_count",
    "long_pause_count",
    "longest_pause_s",
    "time_to_first_word_s",
    "pitch_variation_st",
    "hedge_count",
    "answer_length_s",
)


@dataclass(frozen=True)
class MetricTrend:
    spec: MetricSpec
    values: tuple[float | None, ...]
    delta: float | None  # last minus first
    trend: Trend
    baseline: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "values": list(self.values),
            "delta": self.delta,
            "trend": self.trend,
            "better": self.spec.better,
            "noise_band": self.spec.noise,
            "unit": self.spec.unit,
            "target": list(self.spec.target) if self.spec.target else None,
            "baseline": self.baseline,
        }


@dataclass(frozen=True)
class Evidence:
    rep_id: str | None  # None: the rep being reported, not saved yet
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

    @property
    def message(self) -> str:
        where = (
            f"in every rep ({self.count} of {self.of})"
            if self.count == self.of
            else (f"in {self.count} of the last {self.of} reps")
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
class Comparison:
    question_id: str | None
    reps: tuple[dict[str, Any], ...]  # {"id", "question_id", "created_at"} per rep, oldest first
    metrics: tuple[MetricTrend, ...]
    patterns: tuple[Pattern, ...]
    baseline_reps: int  # how many reps the baseline median was taken over
    chart: Path | None = None

    def metric(self, name: str) -> MetricTrend | None:
        return next((m for m in self.metrics if m.spec.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "reps": list(self.reps),
            "metrics": {m.spec.name: m.to_dict() for m in self.metrics},
            "patterns": [p.to_dict() for p in self.patterns],
            "baseline": {
                "reps": self.baseline_reps,
                "method": "median of the most recent reps, any question",
            },
            "noise_bands": "a change within ± noise_band (in the metric's unit) counts as unchanged",
            "chart": str(self.chart) if self.chart else None,
        }


# ---------------------------------------------------------------------------------------- comparing


def compare_reps(
    library: Library,
    rep_ids: Sequence[str] = (),
    *,
    question_id: str | None = None,
    last: int | None = None,
    chart: bool | Path = True,
    settings: PatternSettings | None = None,
) -> Comparison:
    """Compare the given reps, or the reps of one question (default: the most recently practised one).

    ``last`` keeps the most recent N reps; ``chart`` True writes the trend chart to
    REPS_HOME/charts/<question>.png, a Path writes it there, False writes none.
    """
    settings = settings or PatternSettings()
    if rep_ids:
        results = sorted((library.get(rid) for rid in dict.fromkeys(rep_ids)), key=_created)
        if last:
            results = results[-last:]
        qids = {r["rep"].get("question_id") for r in results}
        question_id = qids.pop() if len(qids) == 1 else None
    else:
        if question_id is None:
            asked = library.question_ids()
            if not asked:
                raise LibraryError(
                    "no reps saved under a question yet; `reps analyze FILE --question ID` saves one, "
                    "or give rep ids (`reps history` lists them)"
                )
            question_id = asked[-1]
        results = library.results(question_id, limit=last)
        if not results:
            raise LibraryError(_unknown_question(library, question_id))
    if len(results) < 2 and rep_ids:
        raise LibraryError(
            "comparing needs at least two reps: give two or more ids (`reps history` lists them)"
        )
    if len(results) < 2:
        raise LibraryError(
            f"only one rep of '{question_id}' so far; record another "
            f"(`reps analyze FILE --question {question_id}`) to compare"
            if question_id
            else "comparing needs at least two reps"
        )
    question = _question(question_id)
    baseline_entries = library.entries(limit=settings.baseline_reps)
    comparison = Comparison(
        question_id=question_id,
        reps=tuple(
            {
                "id": r["rep"]["id"],
                "question_id": r["rep"].get("question_id"),
                "created_at": r["rep"]["created_at"],
            }
            for r in results
        ),
        metrics=tuple(_trends(results, baseline_entries, question)),
        patterns=tuple(find_patterns(results, question=question, settings=settings)),
        baseline_reps=len(baseline_entries),
    )
    if chart is not False:
        from .chart import write_trend_chart

        path = chart if isinstance(chart, Path) else default_chart_path(library, comparison)
        comparison = _with_chart(comparison, write_trend_chart(comparison, path))
    return comparison


def default_chart_path(library: Library, comparison: Comparison) -> Path:
    """REPS_HOME/charts/<question id>.png, or a name made of the first and last rep ids."""
    name = comparison.question_id or f"{comparison.reps[0]['id']}_to_{comparison.reps[-1]['id']}"
    return library.home / "charts" / f"{_safe_name(name)}.png"


def trend_chart_for_new_rep(
    library: Library, result: dict[str, Any], *, question_id: str | None = None
) -> Path | None:
    """Redraw the question's trend chart with this rep included, for the report to link. None: no history."""
    qid, this_id = _identity(result, question_id)
    if not qid:
        return None
    earlier = [r for r in library.results(qid, limit=20) if r["rep"]["id"] != this_id]
    if not earlier:
        return None
    seq = [*earlier, _as_saved(result, qid)]
    baseline = library.entries(limit=PatternSettings().baseline_reps)
    question = _question(qid)
    comparison = Comparison(
        question_id=qid,
        reps=tuple(
            {"id": r["rep"]["id"], "question_id": qid, "created_at": r["rep"]["created_at"]} for r in seq
        ),
        metrics=tuple(_trends(seq, baseline, question)),
        patterns=(),
        baseline_reps=len(baseline),
    )
    from .chart import write_trend_chart

    return write_trend_chart(comparison, default_chart_path(library, comparison))


def verdict(spec: MetricSpec, first: float | None, last: float | None) -> Trend:
    """improved / regressed / unchanged (within ± the noise band) from the first to the last value."""
    if first is None or last is None:
        return "n/a"
    delta = last - first
    if abs(delta) <= spec.noise + 1e-9:
        return "unchanged"
    if spec.better == "lower":
        return "improved" if delta < 0 else "regressed"
    if spec.better == "higher":
        return "improved" if delta > 0 else "regressed"
    if spec.better == "target" and spec.target is not None:
        before, after = _distance(first, spec.target), _distance(last, spec.target)
        if after < before:
            return "improved"
        return "regressed" if after > before else "unchanged"  # both inside the target band
    return "changed"


def _trends(
    results: Sequence[dict[str, Any]], baseline: Sequence[RepEntry], question: Question | None
) -> list[MetricTrend]:
    names = {name for r in results for name in (r.get("metrics") or {})}
    out = []
    for name in [*METRIC_SPECS, *sorted(names - set(METRIC_SPECS))]:
        if name not in names:
            continue
        spec = _spec_for(name, question)
        values = tuple(_number((r.get("metrics") or {}).get(name)) for r in results)
        first, last = values[0], values[-1]
        delta = None if first is None or last is None else round(last - first, 3)
        history = [v for v in (_number(e.metrics.get(name)) for e in baseline) if v is not None]
        base = round(statistics.median(history), 3) if history else None
        out.append(MetricTrend(spec, values, delta, verdict(spec, first, last), base))
    return out


def _spec_for(name: str, question: Question | None) -> MetricSpec:
    spec = METRIC_SPECS.get(name) or MetricSpec(name, name, "", "none", 0.0)
    if name == "answer_length_s" and question is not None:
        # "Closer to the question's target length" is better; noise 5 s (trailing silence, product choice).
        return MetricSpec(
            name,
            spec.label,
            spec.unit,
            "target",
            spec.noise,
            (question.target_s[0], question.target_s[1]),
            spec.digits,
        )
    return spec


def _distance(value: float, band: tuple[float | None, float | None]) -> float:
    lo, hi = band
    if lo is not None and value < lo:
        return lo - value
    if hi is not None and value > hi:
        return value - hi
    return 0.0


# ----------------------------------------------------------------------------------------- patterns


@dataclass(frozen=True)
class _Observation:
    description: str
    detail: str
    at_s: float | None = None
    rank: int = 0  # order in which kinds are listed


def find_patterns(
    results: Sequence[dict[str, Any]],
    *,
    question: Question | None = None,
    settings: PatternSettings | None = None,
) -> list[Pattern]:
    """Patterns over the most recent ``settings.window_reps`` of ``results`` (oldest first)."""
    settings = settings or PatternSettings()
    window = list(results)[-settings.window_reps :]
    observed = [_observe(r, question, settings) for r in window]
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
                        evidence=tuple(Evidence(_rep_id(r), o.detail, o.at_s) for r, o in hits),
                    ),
                )
            )
    patterns.sort(key=lambda item: (-item[1].count, item[0], item[1].key))
    return _drop_covered([p for _, p in patterns])


def patterns_for_new_rep(
    library: Library,
    result: dict[str, Any],
    *,
    question_id: str | None = None,
    settings: PatternSettings | None = None,
) -> list[str]:
    """Sentences for the end of a new rep's report, over the earlier reps of the same question.

    ``question_id`` defaults to ``result["rep"]["question_id"]``; reps without a question are compared
    with the other reps without one. Empty when there is no earlier rep.
    """
    from .store import NO_QUESTION

    settings = settings or PatternSettings()
    qid, this_id = _identity(result, question_id)
    earlier = [r for r in library.results(qid or NO_QUESTION, limit=20) if r["rep"]["id"] != this_id]
    if not earlier:
        return []
    seq = [*earlier, result]
    question = _question(qid)
    observed = [_observe(r, question, settings) for r in seq]
    found: list[tuple[int, int, str, str]] = []
    for key, obs in observed[-1].items():
        streak = 0
        for past in reversed(observed):
            if key not in past:
                break
            streak += 1
        if streak >= settings.min_reps:
            shown = list(zip(seq, observed, strict=True))[-min(streak, settings.window_reps) :]
            evidence = [Evidence(_rep_id(r), o[key].detail, o[key].at_s) for r, o in shown]
            text = f"{_ordinal(streak)} rep in a row with {obs.description}: {_evidence_text(evidence, this_id)}."
            found.append((-streak, obs.rank, key[1], text))
            continue
        window = list(zip(seq, observed, strict=True))[-settings.window_reps :]
        hits = [(r, o[key]) for r, o in window if key in o]
        if len(hits) >= settings.min_reps and len(hits) >= settings.min_share * len(window):
            evidence = [Evidence(_rep_id(r), o.detail, o.at_s) for r, o in hits]
            text = (
                f"{_capital(obs.description)} in {len(hits)} of your last {len(window)} reps: "
                f"{_evidence_text(evidence, this_id)}."
            )
            found.append((-len(hits), obs.rank, key[1], text))
    found.sort()
    covered = _covered_words([key for _, _, key, _ in found])
    return [text for _, _, key, text in found if key not in covered]


def _observe(
    result: dict[str, Any], question: Question | None, s: PatternSettings
) -> dict[tuple[str, str], _Observation]:
    """What one rep shows, keyed by (kind, key): the same key in several reps is a pattern."""
    out: dict[tuple[str, str], _Observation] = {}
    metrics = result.get("metrics") or {}
    words = [w for w in result.get("words") or [] if isinstance(w, dict)]
    fillers = [f for f in result.get("fillers") or [] if isinstance(f, dict)]
    first_word_s = _number(metrics.get("time_to_first_word_s"))
    if first_word_s is None:
        first_word_s = next((float(w["start"]) for w in words if not w.get("filler")), 0.0)

    # 1. A long pause in the first seconds of the answer.
    for p in result.get("pauses") or []:
        start, length = _number(p.get("start")), _number(p.get("duration_s"))
        if start is None or length is None:
            continue
        if start <= first_word_s + s.early_window_s and length >= s.early_pause_min_s:
            out["early_long_pause", ""] = _Observation(
                f"a long pause ({s.early_pause_min_s:g} s or more) in the first {s.early_window_s:g} seconds",
                f"{length:.1f} s at {_clock(start)}",
                start,
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
    counts = Counter(_norm(f.get("text", "")) for f in fillers)
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
    for f in fillers:
        for phrase in _phrases_before(f, words, s.phrase_gap_s):
            after.setdefault(phrase, []).append(float(f["start"]))
    for phrase, times in after.items():
        when = ", ".join(_clock(t) for t in times)
        out["filler_after_phrase", phrase] = _Observation(
            f'fillers right after "{phrase}"', f"at {when}", times[0], rank=4
        )

    # 5. Pace rising (or falling) through the answer.
    windows = [w for w in result.get("pace_windows") or [] if _number(w.get("wpm")) is not None]
    if len(windows) >= 2:
        first_len = float(windows[0]["end"]) - float(windows[0]["start"])
        if float(windows[-1]["end"]) - float(windows[-1]["start"]) < 0.5 * first_len and len(windows) > 2:
            windows = windows[:-1]  # a short last window holds too few words to judge
        begin, end = float(windows[0]["wpm"]), float(windows[-1]["wpm"])
        if end - begin > s.pace_change_wpm:
            out["pace_rises", ""] = _Observation(
                "pace rising through the answer", f"{begin:.0f} → {end:.0f} wpm", rank=5
            )
        elif begin - end > s.pace_change_wpm:
            out["pace_falls", ""] = _Observation(
                "pace falling through the answer", f"{begin:.0f} → {end:.0f} wpm", rank=5
            )

    # 6. Overall pace outside the target band.
    wpm = _number(metrics.get("wpm"))
    lo, hi = _BANDS.wpm
    if wpm is not None and wpm > hi:
        out["pace_high", ""] = _Observation(f"pace above {hi:g} wpm", f"{wpm:.0f} wpm", rank=6)
    elif wpm is not None and 0 < wpm < lo:
        out["pace_low", ""] = _Observation(f"pace below {lo:g} wpm", f"{wpm:.0f} wpm", rank=6)

    # 7. The answer's length against the question's target.
    if question is not None:
        length = _answer_length_s(metrics)
        low, high = question.target_s
        if length is not None and length > high:
            out["over_target", ""] = _Observation(
                f"an answer over its {high:g} s target", f"{length:.0f} s", rank=7
            )
        elif length is not None and 0 < length < low:
            out["under_target", ""] = _Observation(
                f"an answer under its {low:g} s minimum", f"{length:.0f} s", rank=7
            )
    return out


def _phrases_before(filler: dict[str, Any], words: list[dict[str, Any]], gap_s: float) -> list[str]:
    """The one and two words said just before a filler (ending within ``gap_s`` of it), fillers skipped.

    Words are taken by start time: a word's end often stretches into the silence after it
    (measurement.md §2), so a word that started before the filler counts even if it "ends" inside it.
    """
    start = _number(filler.get("start"))
    if start is None:
        return []
    before = sorted(
        (float(w["start"]), float(w["end"]), _norm(w.get("text", "")))
        for w in words
        if not w.get("filler")
        and _number(w.get("start")) is not None
        and _number(w.get("end")) is not None
        and float(w["start"]) < start - 0.05
    )
    before = [b for b in before if b[2]]
    if not before or start - before[-1][1] > gap_s:
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


def _answer_length_s(metrics: dict[str, Any]) -> float | None:
    """From the question (start of the recording) to the last word; the whole recording if unknown."""
    if _number(metrics.get("answer_length_s")):
        return _number(metrics.get("answer_length_s"))
    span, first = _number(metrics.get("speaking_span_s")), _number(metrics.get("time_to_first_word_s"))
    if span:
        return (first or 0.0) + span
    return _number(metrics.get("duration_s"))


# ------------------------------------------------------------------------------------------ display


def format_value(spec: MetricSpec, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.{spec.digits}f}"


def band_text(spec: MetricSpec, *, unit: bool = True) -> str:
    suffix = "" if not unit or not spec.unit else (spec.unit if spec.unit == "%" else f" {spec.unit}")
    return f"±{spec.noise:g}{suffix}"


def target_text(spec: MetricSpec, *, unit: bool = True) -> str:
    if spec.target is None:
        return ""
    lo, hi = spec.target
    suffix = "" if not unit or not spec.unit else (spec.unit if spec.unit == "%" else f" {spec.unit}")
    if lo is None:
        return f"≤ {hi:g}{suffix}"
    if hi is None:
        return f"≥ {lo:g}{suffix}"
    return f"{lo:g}–{hi:g}{suffix}"


def comparison_notes(comparison: Comparison) -> list[str]:
    """The lines printed under the comparison table: noise bands, baseline, patterns, chart."""
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
    return lines


def comparison_table(comparison: Comparison, *, all_metrics: bool = False) -> Table:
    """A rich Table: one row per metric, one column per rep, then change, verdict, baseline, target, band."""
    from rich import box
    from rich.table import Table

    reps = comparison.reps
    shown = list(range(len(reps))) if len(reps) <= 6 else [0, *range(len(reps) - 5, len(reps))]
    title = f"{len(reps)} reps of {comparison.question_id}" if comparison.question_id else f"{len(reps)} reps"
    # Units sit in the metric's name, so the other columns stay narrow enough for 80 columns.
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True
    )
    table.add_column("Metric", ratio=1)
    for i in shown:
        table.add_column(f"#{i + 1}\n{_local_day(reps[i]['created_at'])}", justify="right")
    table.add_column("Change", justify="right")
    table.add_column("Verdict")
    table.add_column("Baseline", justify="right")
    table.add_column("Target", justify="right")
    table.add_column("Noise", justify="right")
    style = {"improved": "green", "regressed": "red"}
    for m in comparison.metrics:
        if not all_metrics and m.spec.name not in KEY_METRICS:
            continue
        unit = f" ({m.spec.unit})" if m.spec.unit else ""
        change = "–" if m.delta is None else f"{m.delta:+.{m.spec.digits}f}"
        table.add_row(
            f"{m.spec.label}{unit}",
            *(format_value(m.spec, m.values[i]) for i in shown),
            change,
            f"[{style[m.trend]}]{m.trend}[/]" if m.trend in style else m.trend,
            format_value(m.spec, m.baseline),
            target_text(m.spec, unit=False),
            band_text(m.spec, unit=False),
        )
    return table


def history_table(entries: Sequence[RepEntry]) -> Table:
    """A rich Table of reps, newest last, with the key metrics (the question column only when they differ)."""
    from rich import box
    from rich.table import Table

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
    columns = (
        "wpm",
        "fillers_per_min",
        "filled_pause_count",
        "pause_count",
        "longest_pause_s",
        "answer_length_s",
    )
    heads = ("WPM", "Fillers\n/min", "Um,\nuh", "Pauses", "Longest\npause s", "Length\ns")
    for head in heads:
        table.add_column(head, justify="right")
    for e in entries:
        table.add_row(
            _local_time(e.created_at),
            e.id,
            *([e.question_id or "–"] if with_question else []),
            *(format_value(METRIC_SPECS[c], _number(e.metrics.get(c))) for c in columns),
        )
    return table


# ------------------------------------------------------------------------------------------ helpers


def _question(question_id: str | None) -> Question | None:
    """The question from the bank, or None (no id, unknown id, or no bank): its patterns are skipped."""
    if not question_id:
        return None
    try:
        from .questions import get_question

        return get_question(question_id)
    except (ImportError, RepsError):
        return None


def _unknown_question(library: Library, question_id: str) -> str:
    import difflib

    asked = library.question_ids()
    close = difflib.get_close_matches(question_id, asked, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"no reps of question '{question_id}'; {hint}`reps history` lists your reps"


def _identity(result: dict[str, Any], question_id: str | None) -> tuple[str | None, str | None]:
    rep = result.get("rep") or {}
    qid = question_id if question_id is not None else rep.get("question_id")
    return qid or None, rep.get("id") or None


def _as_saved(result: dict[str, Any], question_id: str | None) -> dict[str, Any]:
    rep = dict(result.get("rep") or {})
    rep.setdefault("id", None)
    rep.setdefault("question_id", question_id)
    rep.setdefault("created_at", datetime.now().astimezone().isoformat(timespec="seconds"))
    return {**result, "rep": rep}


def _with_chart(comparison: Comparison, path: Path) -> Comparison:
    from dataclasses import replace

    return replace(comparison, chart=path)


def _rep_id(result: dict[str, Any]) -> str | None:
    return (result.get("rep") or {}).get("id") or None


def _evidence_text(evidence: Sequence[Evidence], this_id: str | None = None) -> str:
    parts = []
    for e in evidence:
        name = "this rep" if e.rep_id is None or (this_id and e.rep_id == this_id) else f"rep {e.rep_id}"
        parts.append(f"{e.detail} ({name})")
    return "; ".join(parts)


def _created(result: dict[str, Any]) -> tuple[str, str]:
    rep = result.get("rep") or {}
    return rep.get("created_at") or "", rep.get("id") or ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


_WORD = re.compile(r"[^\w' ]+")


def _norm(text: str) -> str:
    return " ".join(_WORD.sub(" ", str(text).lower()).split())


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


_ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth")


def _ordinal(n: int) -> str:
    return _ORDINALS[n - 1] if 1 <= n <= len(_ORDINALS) else f"{n}th"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "reps"


def _local_time(created_at: str) -> str:
    try:
        return datetime.fromisoformat(created_at).astimezone().strftime("%b %d %H:%M")
    except ValueError:
        return created_at


def _local_day(created_at: str) -> str:
    try:
        return datetime.fromisoformat(created_at).astimezone().strftime("%b %d")
    except ValueError:
        return created_at[:10]
