"""Reps side by side: each metric's change within a stated noise band, and the personal baseline."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import RepsError
from .models import Metrics, Rep, iso_utc
from .patterns import Pattern, find_patterns
from .settings import PatternSettings, TargetBands

if TYPE_CHECKING:
    from .questions import Question

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

    def format(self, value: float | None) -> str:
        """The value as the tables show it ("–" when there is none)."""
        return "–" if value is None else f"{value:.{self.digits}f}"

    def band_text(self, *, unit: bool = True) -> str:
        """The noise band: "±10 wpm"."""
        return f"±{self.noise:g}{self._suffix(unit)}"

    def target_text(self, *, unit: bool = True) -> str:
        """The target: "120–165 wpm", "≤ 4%", "" when there is none."""
        if self.target is None:
            return ""
        lo, hi = self.target
        if lo is None:
            return f"≤ {hi:g}{self._suffix(unit)}"
        if hi is None:
            return f"≥ {lo:g}{self._suffix(unit)}"
        return f"{lo:g}–{hi:g}{self._suffix(unit)}"

    def _suffix(self, unit: bool) -> str:
        if not unit or not self.unit:
            return ""
        return self.unit if self.unit == "%" else f" {self.unit}"


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
        # target when the question is known (see spec_for); the recording's length is not judged.
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
    values: tuple[float | None, ...]  # one per rep, oldest first
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
class Comparison:
    """Reps of one question (or any reps) side by side: ``metrics["wpm"].trend``, patterns, baseline."""

    question_id: str | None
    reps: tuple[Rep, ...]  # oldest first
    metrics: dict[str, MetricTrend]  # in the order of METRIC_SPECS
    patterns: tuple[Pattern, ...]
    baseline_reps: int  # how many reps the baseline median was taken over
    chart: Path | None = None  # the trend chart, once drawn

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "reps": [
                {"id": r.id, "question_id": r.question_id, "created_at": iso_utc(r.created_at)}
                for r in self.reps
            ],
            "metrics": {name: m.to_dict() for name, m in self.metrics.items()},
            "patterns": [p.to_dict() for p in self.patterns],
            "baseline": {
                "reps": self.baseline_reps,
                "method": "median of the most recent reps, any question",
            },
            "noise_bands": "a change within ± noise_band (in the metric's unit) counts as unchanged",
            "chart": str(self.chart) if self.chart else None,
        }


def compare(
    reps: Sequence[Rep],
    *,
    baseline: Sequence[Rep] | None = None,
    question: Question | None = None,
    settings: PatternSettings | None = None,
) -> Comparison:
    """Compare ``reps`` (put in time order): each metric's change from the first to the last rep
    against its noise band, patterns across the most recent ones, and the personal baseline.

    ``baseline``: the reps whose median is "your baseline" (default: the most recent of ``reps``);
    ``question``: the question the reps answer (default: looked up in the bank when they share one).
    """
    if not reps:
        raise RepsError("nothing to compare: no reps given")
    settings = settings or PatternSettings()
    ordered = tuple(sorted(reps, key=lambda r: (r.created_at, r.id)))
    qids = {r.question_id for r in ordered}
    question_id = qids.pop() if len(qids) == 1 else None
    if question is None:
        from .questions import question_or_none

        question = question_or_none(question_id)
    base = list(baseline if baseline is not None else ordered)[-settings.baseline_reps :]
    return Comparison(
        question_id=question_id,
        reps=ordered,
        metrics=_trends(ordered, base, question),
        patterns=tuple(find_patterns(ordered, question=question, settings=settings)),
        baseline_reps=len(base),
    )


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


def spec_for(name: str, question: Question | None) -> MetricSpec:
    """The metric's spec; answer length is judged against the question's target when there is one."""
    spec = METRIC_SPECS.get(name) or MetricSpec(name, name, "", "none", 0.0)
    if name == "answer_length_s" and question is not None:
        # "Closer to the question's target length" is better; noise 5 s (trailing silence, product choice).
        lo, hi = question.target_s
        return MetricSpec(name, spec.label, spec.unit, "target", spec.noise, (lo, hi), spec.digits)
    return spec


def _trends(
    reps: Sequence[Rep], baseline: Sequence[Rep], question: Question | None
) -> dict[str, MetricTrend]:
    out = {}
    for name in [f.name for f in fields(Metrics)]:
        spec = spec_for(name, question)
        values = tuple(_value(r.result.metrics, name) for r in reps)
        first, last = values[0], values[-1]
        delta = None if first is None or last is None else round(last - first, 3)
        history = [v for v in (_value(r.result.metrics, name) for r in baseline) if v is not None]
        base = round(statistics.median(history), 3) if history else None
        out[name] = MetricTrend(spec, values, delta, verdict(spec, first, last), base)
    order = {name: i for i, name in enumerate(METRIC_SPECS)}
    return dict(sorted(out.items(), key=lambda item: order.get(item[0], len(order))))


def _value(metrics: Metrics, name: str) -> float | None:
    value = getattr(metrics, name)
    return None if isinstance(value, bool) or not isinstance(value, (int, float)) else value


def _distance(value: float, band: tuple[float | None, float | None]) -> float:
    lo, hi = band
    if lo is not None and value < lo:
        return lo - value
    if hi is not None and value > hi:
        return value - hi
    return 0.0
