"""Reps side by side: each metric's change within a stated noise band, and the personal baseline."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import RepsError
from .judge import pace_judged
from .models import Metrics, Rep, iso_utc
from .patterns import Pattern, find_patterns
from .settings import AnalysisSettings, PatternSettings, TargetBands

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
    target: tuple[float | None, float | None] | None = None  # (min, max): the target band
    digits: int = 1
    target_open: bool = False  # the band excludes its edge ("under 2 s")
    count: bool = False  # a raw count: shown, never judged (its rate is; issue 12)
    # A rate of counted events: "min" (per minute of the speaking span) or "words" (per 100 words, or
    # % of words). Its noise band widens to the chance wobble of the counts it rests on (``noise_for``).
    per: Literal["min", "words"] | None = None

    def format(self, value: float | None) -> str:
        """The value as the tables show it ("–" when there is none)."""
        return "–" if value is None else f"{value:.{self.digits}f}"

    def shown(self, value: float) -> float:
        """The value as shown (rounded to ``digits``): every judgment is made on it, so rounding never
        makes a shown number disagree with its verdict."""
        return round(float(value), self.digits)

    def band_text(self, *, unit: bool = True, noise: float | None = None) -> str:
        """The noise band: "±10 wpm" (``noise``: the band applied, when wider than the spec's)."""
        return f"±{round(self.noise if noise is None else noise, self.digits):g}{self._suffix(unit)}"

    def target_text(self, *, unit: bool = True) -> str:
        """The target: "120–165 wpm", "≤ 4%", "< 2 s", "" when there is none."""
        if self.target is None:
            return ""
        lo, hi = self.target
        if lo is None:
            return f"{'<' if self.target_open else '≤'} {hi:g}{self._suffix(unit)}"
        if hi is None:
            return f"{'>' if self.target_open else '≥'} {lo:g}{self._suffix(unit)}"
        return f"{lo:g}–{hi:g}{self._suffix(unit)}"

    def in_target(self, value: float | None) -> bool | None:
        """Whether the shown value is inside the target band (None: no target or no value)."""
        if self.target is None or value is None:
            return None
        return within(self.shown(value), self.target, open_=self.target_open)

    def _suffix(self, unit: bool) -> str:
        if not unit or not self.unit:
            return ""
        return self.unit if self.unit.startswith(("%", "/")) else f" {self.unit}"


def within(value: float, band: tuple[float | None, float | None], *, open_: bool = False) -> bool:
    """``value`` inside ``band`` (min, max; None: unbounded); ``open_`` leaves the edges out."""
    lo, hi = band
    if open_:
        return (lo is None or value > lo) and (hi is None or value < hi)
    return (lo is None or value >= lo) and (hi is None or value <= hi)


_BANDS = TargetBands()
_LONG_PAUSE_S = AnalysisSettings().long_pause_s

# The direction of "better", the noise band and the target of every metric, defined once. Verdicts
# are made on rates and shares only (per minute, per 100 words): raw counts grow with the length of
# the answer, so they are shown but never judged (issue 12). The noise bands are product choices
# sized to the measurement error stated in measurement.md, so a change inside the band is not called
# progress:
# - Pace: tiny.en's word count is off by a few percent (~5 % of 150 wpm is 7 wpm); 10 wpm adds room
#   for take-to-take wobble. Syllables are counted by rule (~5 % of ~5 syll/s is 0.25).
# - Fillers: the filler detector's precision and recall are ~0.9 (README "Accuracy"): about one
#   filler in ten either way, so one point of share (one filler per 100 words) is within its error.
# - Pauses: a pause near the 0.25 s cut-off can come or go between takes (§2), so one mid-sentence
#   pause per minute either way; pause edges shift by VAD padding and frame size, so half a second
#   for a pause's length.
# - Pitch and loudness variation: trackers wobble by a few tenths of a semitone / about a dB.
# - Hedges and restarts: one per 100 words; repeated wording two per 100 words (a repeated phrase
#   is at least two uses).
# - Rates of counted events (``per``) rest on few events in a short answer: their band is at least the
#   chance wobble of the two counts (``noise_for``). Measured: the same 24 s answer, once and three
#   times over, read 7.4 and 4.1 mid-sentence pauses a minute (3 in 24 s; 1-3 in each 24 s of the
#   long one: the transcriber punctuates the same words differently in another context, and a
#   sentence pause becomes a mid-sentence one; tests/test_stability.py).
METRIC_SPECS: dict[str, MetricSpec] = {
    s.name: s
    for s in (
        MetricSpec("wpm", "Pace", "wpm", "target", 10.0, _BANDS.wpm, 0),
        MetricSpec("articulation_rate", "Articulation", "syll/s", "none", 0.3),
        MetricSpec(
            "filler_percent",
            "Fillers",
            "% of words",
            "lower",
            1.0,
            (None, _BANDS.filler_percent_max),
            per="words",
        ),
        MetricSpec(
            "filled_pause_percent",
            "Um, uh",
            "% of words",
            "lower",
            1.0,
            (None, _BANDS.filler_percent_max),
            per="words",
        ),
        MetricSpec(
            "discourse_marker_percent",
            "Like, so, ...",
            "% of words",
            "lower",
            1.0,
            (None, _BANDS.filler_percent_max),
            per="words",
        ),
        # Per minute, fillers depend on pace as well: shown beside the share, which is what is judged.
        MetricSpec("fillers_per_min", "Fillers", "/min", "none", 1.0, per="min"),
        MetricSpec("filled_pause_count", "Um, uh", "", "none", 1.0, digits=0, count=True),
        MetricSpec("discourse_marker_count", "Like, so, ...", "", "none", 1.0, digits=0, count=True),
        MetricSpec("pause_count", "Pauses", "", "none", 2.0, digits=0, count=True),
        # Pause rate has no better direction: sentence pauses are good, hesitations are not (those are
        # the mid-sentence and long pause rows).
        MetricSpec("pauses_per_min", "Pause rate", "/min", "none", 1.0, per="min"),
        MetricSpec("clause_pauses_per_min", "Mid-sentence pauses", "/min", "lower", 1.0, per="min"),
        MetricSpec("clause_pause_count", "Mid-sentence pauses", "", "none", 1.0, digits=0, count=True),
        MetricSpec("sentence_pause_count", "Sentence pauses", "", "none", 2.0, digits=0, count=True),
        MetricSpec("long_pauses_per_min", "Long pauses", "/min", "lower", 0.5, (None, 0.0), per="min"),
        MetricSpec("long_pause_count", "Long pauses", "", "none", 1.0, digits=0, count=True),
        MetricSpec(
            "longest_pause_s", "Longest pause", "s", "lower", 0.5, (None, _LONG_PAUSE_S), target_open=True
        ),
        # lower is better; a beat to think is fine (TargetBands)
        MetricSpec(
            "time_to_first_word_s", "First word", "s", "lower", 0.5, (None, _BANDS.time_to_first_word_s_max)
        ),
        MetricSpec(
            "pitch_variation_st",
            "Pitch variation",
            "st",
            "higher",
            0.5,
            (AnalysisSettings().monotone_below_st, None),
        ),
        MetricSpec("loudness_variation_db", "Loudness variation", "dB", "higher", 1.0),
        MetricSpec("hedges_per_100_words", "Hedges", "/100 words", "lower", 1.0, per="words"),
        MetricSpec("hedge_count", "Hedges", "", "none", 1.0, digits=0, count=True),
        MetricSpec("restarts_per_100_words", "Restarts", "/100 words", "lower", 1.0, per="words"),
        MetricSpec("restart_count", "Restarts", "", "none", 1.0, digits=0, count=True),
        MetricSpec("repeats_per_100_words", "Repeated wording", "/100 words", "lower", 2.0, per="words"),
        MetricSpec("repeat_count", "Repeated wording", "", "none", 2.0, digits=0, count=True),
        # Answer length (start of the recording to the last word) is judged against the question's
        # target when the question is known (see spec_for); the recording's length is not judged.
        MetricSpec("answer_length_s", "Answer length", "s", "none", 5.0, digits=0),
        MetricSpec("duration_s", "Recording", "s", "none", 5.0, digits=0),
        MetricSpec("speaking_span_s", "Speaking span", "s", "none", 5.0, digits=0),
        MetricSpec("speaking_time_s", "Speaking time", "s", "none", 5.0, digits=0),
        MetricSpec("word_count", "Words", "", "none", 10.0, digits=0, count=True),
        MetricSpec("syllable_count", "Syllables", "", "none", 15.0, digits=0, count=True),
    )
}
# The rows a person reads first: every one a rate, a share or a time. --json and --all-metrics
# carry every metric, the counts too.
KEY_METRICS = (
    "wpm",
    "articulation_rate",
    "filler_percent",
    "filled_pause_percent",
    "discourse_marker_percent",
    "fillers_per_min",
    "clause_pauses_per_min",
    "long_pauses_per_min",
    "longest_pause_s",
    "time_to_first_word_s",
    "pitch_variation_st",
    "hedges_per_100_words",
    "restarts_per_100_words",
    "repeats_per_100_words",
    "answer_length_s",
)
# Delivery: how it was said, whatever its length ("Done when" of issue 12: the same delivery at three
# times the length compares as unchanged on each of these).
DELIVERY_METRICS = (
    "wpm",
    "articulation_rate",
    "filler_percent",
    "filled_pause_percent",
    "discourse_marker_percent",
    "fillers_per_min",
    "pauses_per_min",
    "clause_pauses_per_min",
    "long_pauses_per_min",
    "longest_pause_s",
    "time_to_first_word_s",
    "pitch_variation_st",
    "loudness_variation_db",
    "hedges_per_100_words",
    "restarts_per_100_words",
    "repeats_per_100_words",
)


@dataclass(frozen=True)
class MetricTrend:
    spec: MetricSpec
    values: tuple[float | None, ...]  # one per rep, oldest first
    delta: float | None  # last minus first
    trend: Trend
    baseline: float | None
    noise: float | None = None  # the band applied (``noise_for``); None: the spec's

    @property
    def band(self) -> float:
        return self.spec.noise if self.noise is None else self.noise

    def band_text(self, *, unit: bool = True) -> str:
        return self.spec.band_text(unit=unit, noise=self.band)

    @property
    def in_target(self) -> tuple[bool | None, ...]:
        """Per rep, whether its shown value is inside the target band (None: no target)."""
        return tuple(self.spec.in_target(v) for v in self.values)

    @property
    def verdict_text(self) -> str:
        """The verdict as the table shows it: "unchanged, in target" when both ends are in the band."""
        ends = self.in_target[0], self.in_target[-1]
        if self.trend == "unchanged" and ends == (True, True) and self.values[0] != self.values[-1]:
            return "in target"
        if self.spec.count:
            return "(count)"
        return self.trend

    def to_dict(self) -> dict[str, Any]:
        return {
            "values": list(self.values),
            "delta": self.delta,
            "trend": self.trend,
            "better": self.spec.better,
            "noise_band": round(self.band, 3),  # the band applied to this comparison
            "noise_band_min": self.spec.noise,  # the metric's own band, the least it can be
            "unit": self.spec.unit,
            "target": list(self.spec.target) if self.spec.target else None,
            "baseline": self.baseline,
            "in_target": list(self.in_target),
            "count": self.spec.count,  # a raw count: shown, never judged (its rate is)
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
    warnings: tuple[str, ...] = ()  # e.g. reps of different questions

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "reps": [
                {
                    "id": r.id,
                    "question_id": r.question_id,
                    "created_at": iso_utc(r.created_at),
                    "reflection": r.reflection.to_dict() if r.reflection else None,
                }
                for r in self.reps
            ],
            "warnings": list(self.warnings),
            "metrics": {name: m.to_dict() for name, m in self.metrics.items()},
            "patterns": [p.to_dict() for p in self.patterns],
            "baseline": {
                "reps": self.baseline_reps,
                "method": "median of the most recent reps, any question",
            },
            "noise_bands": VERDICT_RULE,
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
    warnings = []
    asked = sorted({r.question_id or "no question" for r in ordered})
    if len(asked) > 1:
        warnings.append(
            f"these reps answer different questions ({', '.join(asked)}): delivery compares fairly, "
            "but length and content answer different targets"
        )
    return Comparison(
        question_id=question_id,
        reps=ordered,
        metrics=_trends(ordered, base, question),
        patterns=tuple(find_patterns(ordered, question=question, settings=settings)),
        baseline_reps=len(base),
        warnings=tuple(warnings),
    )


VERDICT_RULE = (
    "Verdicts compare the first and the last rep on rates and shares, never raw counts, as shown "
    "(rounded): a change within the noise band (±, in the metric's unit) is unchanged; for rates of "
    "counted events (fillers, pauses, hedges, ...) the band is at least the chance wobble of the two "
    "counts (one standard deviation), so short answers need bigger changes; with a target, "
    "staying inside it is unchanged ('in target'), and otherwise coming closer to it is improved and "
    "moving away regressed. 'changed': a measure with no better direction of its own (articulation; "
    "fillers per minute, which follows the pace: their share of words is judged), shown for context."
)


def noise_for(spec: MetricSpec, first: Metrics, last: Metrics) -> float:
    """The noise band for comparing ``first`` with ``last``: the spec's, or for a rate of counted
    events (``spec.per``) the standard deviation of the difference of two Poisson counts, if wider.
    A rate r over an exposure E (seconds of speaking span, or words) rests on n = r E / k events
    (k: 60 per minute, 100 per 100 words), so its variance is r k / E."""
    if spec.per is None:
        return spec.noise
    var = 0.0
    for m in (first, last):
        rate = _value(m, spec.name) or 0.0
        exposure, k = (m.speaking_span_s, 60.0) if spec.per == "min" else (float(m.word_count), 100.0)
        if exposure <= 0:
            return spec.noise
        var += rate * k / exposure
    return max(spec.noise, var**0.5)


def verdict(
    spec: MetricSpec, first: float | None, last: float | None, *, noise: float | None = None
) -> Trend:
    """improved / regressed / unchanged from the first to the last value, the same rule everywhere
    (``VERDICT_RULE``): on the values as shown, within ± the noise band unchanged, inside the target
    band both times unchanged, else closer to the band (or in the better direction) improved."""
    if first is None or last is None:
        return "n/a"
    first, last = spec.shown(first), spec.shown(last)
    delta = last - first
    if abs(delta) <= (spec.noise if noise is None else noise) + 1e-9:
        return "unchanged"
    if spec.better == "none" or spec.count:
        return "changed"
    if spec.target is not None:
        inside = (
            within(first, spec.target, open_=spec.target_open),
            within(last, spec.target, open_=spec.target_open),
        )
        if all(inside):
            return "unchanged"  # moving within the band is not progress, nor a step back
        before, after = _distance(first, spec.target), _distance(last, spec.target)
        if after < before:
            return "improved"
        if after > before:
            return "regressed"
    if spec.better == "lower":
        return "improved" if delta < 0 else "regressed"
    if spec.better == "higher":
        return "improved" if delta > 0 else "regressed"
    return "unchanged"


def spec_for(name: str, question: Question | None) -> MetricSpec:
    """The metric's spec; answer length is judged against the question's target when there is one."""
    spec = METRIC_SPECS.get(name) or MetricSpec(name, name, "", "none", 0.0)
    if name == "answer_length_s" and question is not None:
        # "Closer to the question's target length" is better; noise 5 s (trailing silence, product choice).
        lo, hi = question.target_s
        return replace(spec, better="target", target=(lo, hi))
    return spec


def _trends(
    reps: Sequence[Rep], baseline: Sequence[Rep], question: Question | None
) -> dict[str, MetricTrend]:
    out = {}
    for name in [f.name for f in fields(Metrics)]:
        spec = spec_for(name, question)
        values = tuple(_judged_value(r, name) for r in reps)
        first, last = values[0], values[-1]
        # the change as shown: the difference of the shown values, so "+10" never sits beside a verdict
        # made on 10.04
        delta = None if first is None or last is None else round(spec.shown(last) - spec.shown(first), 3)
        history = [v for v in (_judged_value(r, name) for r in baseline) if v is not None]
        base = round(statistics.median(history), 3) if history else None
        noise = noise_for(spec, reps[0].result.metrics, reps[-1].result.metrics)
        out[name] = MetricTrend(spec, values, delta, verdict(spec, first, last, noise=noise), base, noise)
    order = {name: i for i, name in enumerate(METRIC_SPECS)}
    return dict(sorted(out.items(), key=lambda item: order.get(item[0], len(order))))


# Measures a report does not judge on too few words (judge.pace_judged): noise, so not compared either.
_NEED_WORDS = frozenset({"wpm", "articulation_rate", "pitch_variation_st"})


def _judged_value(rep: Rep, name: str) -> float | None:
    """The rep's value of ``name``, or None where its report judged it not (too few words)."""
    if name in _NEED_WORDS and not pace_judged(rep.result, _BANDS):
        return None
    return _value(rep.result.metrics, name)


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
