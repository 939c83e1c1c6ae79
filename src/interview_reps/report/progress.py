"""The progress page of several reps: trend charts of the key metrics with the target band and the
person's baseline, what changed beyond the noise, the patterns with their evidence, each rep a link."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..comparison import KEY_METRICS, VERDICT_RULE, MetricTrend
from ..text import clock
from .page import attrs, document, esc, num

if TYPE_CHECKING:
    from ..comparison import Comparison
    from ..models import Rep
    from ..questions import Question

# The charts, in reading order: pace, fillers, pauses, the start, length, voice, hedges.
CHART_METRICS = (
    "wpm",
    "fillers_per_min",
    "filler_percent",
    "longest_pause_s",
    "long_pauses_per_min",
    "time_to_first_word_s",
    "answer_length_s",
    "pitch_variation_st",
    "hedges_per_100_words",
)
# Chart geometry (SVG user units; the picture scales to its column).
_W, _H = 480, 230
_LEFT, _RIGHT, _TOP, _BOTTOM = 46, 14, 16, 42


@dataclass(frozen=True)
class QuestionProgress:
    """The reps of one question on a progress page, compared when there are two or more."""

    question_id: str | None
    question: Question | None
    reps: tuple[Rep, ...]
    comparison: Comparison | None


def render_progress_html(
    comparison: Comparison,
    *,
    links: Mapping[str, str],
    title: str,
    question: Question | None = None,
    sections: Sequence[QuestionProgress] = (),
) -> str:
    """The whole page. ``links``: rep id -> URL of its report (relative to the page); ``sections``: the
    reps of each question, for a page over several questions."""
    reps = comparison.reps
    first, last = reps[0].created_at.astimezone(), reps[-1].created_at.astimezone()
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{len(reps)} rep{"s" if len(reps) != 1 else ""}, {first:%Y-%m-%d} to {last:%Y-%m-%d}. '
        f"Your baseline (dashed) is the median of your last {comparison.baseline_reps} reps of any question; "
        "the target band is shaded.</p>",
        f'<p class="meta" id="verdict-rule">{esc(VERDICT_RULE)}</p>',
    ]
    body += [
        f'<p class="banner" role="alert"><strong>Warning:</strong> {esc(w)}.</p>' for w in comparison.warnings
    ]
    if question is not None:
        lo, hi = question.target_s
        body.append(
            f'<p class="meta">Question <code>{esc(question.id)}</code>: answer as {esc(question.structure)}, '
            f"in {lo:.0f}–{hi:.0f} s.</p>"
        )
    body += _changes(comparison)
    body += _charts(comparison, links)
    body += _patterns(comparison, links)
    body += _reflections(reps, links)
    body += _rep_table(reps, links)
    if sections:
        body += _sections(sections, links)
    return document(title, body)


def _changes(comparison: Comparison) -> list[str]:
    n = len(comparison.reps)
    out = [
        '<section aria-labelledby="changes"><h2 id="changes">What changed</h2>',
        f"<p>From the first to the last of these {n} reps.</p>" if n > 1 else "<p>Only one rep so far.</p>",
        '<div class="table-wrap"><table><thead><tr><th scope="col">Measure</th><th scope="col" class="num">First</th>'
        '<th scope="col" class="num">Last</th><th scope="col" class="num">Change</th><th scope="col">Verdict</th>'
        '<th scope="col" class="num hide-narrow">Baseline</th><th scope="col" class="num">Target</th>'
        '<th scope="col" class="num hide-narrow">Noise</th></tr></thead><tbody>',
    ]
    for name in KEY_METRICS:
        m = comparison.metrics.get(name)
        if m is None or all(v is None for v in m.values):
            continue
        change = "–" if m.delta is None else f"{m.delta:+.{m.spec.digits}f}"
        out.append(
            f'<tr{attrs(data_metric=name)}><th scope="row">{esc(_label(m))}</th>'
            f'<td class="num">{esc(m.spec.format(m.values[0]))}</td><td class="num">{esc(m.spec.format(m.values[-1]))}</td>'
            f'<td class="num">{esc(change)}</td><td>{_verdict(m)}</td>'
            f'<td class="num hide-narrow">{esc(m.spec.format(m.baseline))}</td>'
            f'<td class="num">{esc(m.spec.target_text(unit=False)) or "–"}</td>'
            f'<td class="num hide-narrow">{esc(m.band_text(unit=False))}</td></tr>'
        )
    out.append("</tbody></table></div></section>")
    return out


def _charts(comparison: Comparison, links: Mapping[str, str]) -> list[str]:
    out = [
        '<section aria-labelledby="trends"><h2 id="trends">Trends</h2>',
        '<p class="note">Each dot is a rep: open its report by clicking it (or Tab to it and press Enter). '
        "Hollow red dots are outside the target.</p>",
        '<div class="charts">',
    ]
    for name in CHART_METRICS:
        m = comparison.metrics.get(name)
        if m is None or all(v is None for v in m.values):
            continue
        out.append(_chart(name, m, comparison.reps, links))
    out.append("</div></section>")
    return out


def _chart(name: str, m: MetricTrend, reps: Sequence[Rep], links: Mapping[str, str]) -> str:
    spec = m.spec
    values = list(m.values)
    known = [v for v in values if v is not None]
    lo, hi = spec.target if spec.target is not None else (None, None)
    top = max([*known, *(x for x in (lo, hi, m.baseline) if x is not None), 0.0])
    top = _nice_top(top * 1.12 if top > 0 else 1.0)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    inset = 24  # the first and last dots (and their date labels) sit inside the frame

    def x(i: int) -> float:
        if len(values) == 1:
            return _LEFT + plot_w / 2
        return _LEFT + inset + (plot_w - 2 * inset) * i / (len(values) - 1)

    def y(v: float) -> float:
        return _TOP + plot_h * (1 - min(max(v / top, 0.0), 1.0))

    parts = [
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="none" class="svg-grid"/>'
    ]
    steps = _steps(top)
    for k in range(steps + 1):
        tick = top * k / steps
        parts.append(
            f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" class="svg-grid" opacity=".5"/>'
            f'<text x="{_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" class="svg-muted">{_tick(tick)}</text>'
        )
    if spec.target is not None:
        y_hi, y_lo = y(hi if hi is not None else top), y(lo if lo is not None else 0.0)
        parts.append(
            f'<rect x="{_LEFT}" y="{y_hi:.1f}" width="{plot_w}" height="{max(y_lo - y_hi, 1):.1f}" class="svg-band"/>'
            f'<text x="{_W - _RIGHT - 4}" y="{y_hi + 14 if y_lo - y_hi > 18 else y_hi - 4:.1f}" text-anchor="end" '
            f'class="svg-muted">target {esc(spec.target_text())}</text>'
        )
    if m.baseline is not None:
        yb = y(m.baseline)
        parts.append(
            f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{yb:.1f}" y2="{yb:.1f}" class="svg-base"/>'
            f'<text x="{_LEFT + 4}" y="{yb - 5:.1f}" class="svg-muted">your baseline {esc(spec.format(m.baseline))}</text>'
        )
    line = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values) if v is not None]
    if len(line) > 1:
        parts.append(f'<polyline points="{" ".join(line)}" class="svg-line"/>')
    every = max(1, math.ceil(len(reps) / 8))
    for i, (rep, v) in enumerate(zip(reps, values, strict=True)):
        if i % every == 0 or i == len(reps) - 1:
            when = rep.created_at.astimezone()
            parts.append(
                f'<text x="{x(i):.1f}" y="{_H - _BOTTOM + 16}" text-anchor="middle" class="svg-muted">#{i + 1}</text>'
                f'<text x="{x(i):.1f}" y="{_H - _BOTTOM + 31}" text-anchor="middle" class="svg-muted">{when:%b %d}</text>'
            )
        if v is None:
            continue
        outside = spec.target is not None and ((lo is not None and v < lo) or (hi is not None and v > hi))
        label = f"Rep {i + 1}, {rep.created_at.astimezone():%Y-%m-%d %H:%M}: {spec.format(v)}{_unit(m)}"
        dot = (
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{6 if outside else 5}" class="svg-dot{" out" if outside else ""}">'
            f"<title>{esc(label)}</title></circle>"
        )
        href = links.get(rep.id)
        parts.append(
            f'<a href="{esc(href)}" aria-label="{esc(label)}; open its report"{attrs(data_rep=rep.id)}>{dot}</a>'
            if href
            else dot
        )
    title_id = f"chart-{name}"
    return (
        f'<figure class="chart"{attrs(data_metric=name)}><h3 id="{title_id}">{esc(_label(m))} '
        f'<span class="verdict">{_verdict(m)}</span></h3>'
        f'<svg viewBox="0 0 {_W} {_H}" role="group" aria-labelledby="{title_id}" aria-describedby="{title_id}-d">'
        f"{''.join(parts)}</svg>"
        f'<figcaption id="{title_id}-d">{esc(_describe(m))}</figcaption></figure>'
    )


def _describe(m: MetricTrend) -> str:
    """The chart in words: every value, the target, the baseline and the verdict."""
    values = ", ".join(m.spec.format(v) for v in m.values)
    text = f"{_label(m)} over the reps, oldest first: {values}."
    if m.spec.target is not None:
        text += f" Target {m.spec.target_text()}."
    if m.baseline is not None:
        text += f" Your baseline {m.spec.format(m.baseline)}."
    if m.trend in ("improved", "regressed", "unchanged", "changed"):
        text += f" {m.verdict_text.capitalize()} (noise band {m.band_text()})."
    return text


def _patterns(comparison: Comparison, links: Mapping[str, str]) -> list[str]:
    out = ['<section aria-labelledby="patterns"><h2 id="patterns">Patterns</h2>']
    if not comparison.patterns:
        out.append("<p>No pattern holds across these reps yet.</p>")
    numbers = {rep.id: i + 1 for i, rep in enumerate(comparison.reps)}
    for p in comparison.patterns:
        where = (
            f"in every rep ({p.count} of {p.of})"
            if p.count == p.of
            else f"in {p.count} of the last {p.of} reps"
        )
        out.append(
            f"<h3{attrs(data_pattern=p.kind)}>{esc(p.description[:1].upper() + p.description[1:])}, {where}</h3><ul>"
        )
        for e in p.evidence:
            name = f"rep #{numbers[e.rep_id]}" if e.rep_id in numbers else f"rep {e.rep_id}"
            href = links.get(e.rep_id or "")
            if href and e.at_s is not None:
                href += f"#t={num(e.at_s)}"
            what = esc(e.detail) + (
                f" (at {clock(e.at_s)})" if e.at_s is not None and "at " not in e.detail else ""
            )
            out.append(
                f'<li><a href="{esc(href)}">{esc(name)}</a>: {what}</li>'
                if href
                else f"<li>{esc(name)}: {what}</li>"
            )
        out.append("</ul>")
    out.append("</section>")
    return out


def _rep_table(reps: Sequence[Rep], links: Mapping[str, str]) -> list[str]:
    out = [
        '<section aria-labelledby="reps"><h2 id="reps">The reps</h2>',
        '<div class="table-wrap"><table><thead><tr><th scope="col">#</th><th scope="col">When</th>'
        '<th scope="col">Question</th><th scope="col" class="num">Pace (wpm)</th>'
        '<th scope="col" class="num">Fillers /min</th><th scope="col" class="num hide-narrow">Longest pause (s)</th>'
        '<th scope="col" class="num hide-narrow">Length (s)</th><th scope="col">Report</th></tr></thead><tbody>',
    ]
    for i, rep in enumerate(reps, 1):
        m = rep.result.metrics
        href = links.get(rep.id)
        report = f'<a href="{esc(href)}">open rep {esc(rep.id)}</a>' if href else esc(rep.id)
        out.append(
            f"<tr{attrs(data_rep=rep.id)}><td>{i}</td><td>{rep.created_at.astimezone():%Y-%m-%d %H:%M}</td>"
            f'<td>{esc(rep.question_id or "–")}</td><td class="num">{m.wpm:.0f}</td>'
            f'<td class="num">{m.fillers_per_min:.1f}</td><td class="num hide-narrow">{m.longest_pause_s:.1f}</td>'
            f'<td class="num hide-narrow">{(m.answer_length_s or m.duration_s):.0f}</td><td>{report}</td></tr>'
        )
    out.append("</tbody></table></div></section>")
    return out


def _sections(sections: Sequence[QuestionProgress], links: Mapping[str, str]) -> list[str]:
    out = ['<section aria-labelledby="by-question"><h2 id="by-question">By question</h2>']
    for s in sections:
        name = s.question.text if s.question else (s.question_id or "Reps without a question")
        ident = f" <code>{esc(s.question_id)}</code>" if s.question_id else ""
        out.append(f"<h3{attrs(data_question=s.question_id or '')}>{esc(name)}{ident}</h3>")
        reps = ", ".join(
            f'<a href="{esc(links[r.id])}">#{i} {r.created_at.astimezone():%b %d}</a>'
            if r.id in links
            else f"#{i}"
            for i, r in enumerate(s.reps, 1)
        )
        out.append(f"<p>{len(s.reps)} rep{'s' if len(s.reps) != 1 else ''}: {reps}</p>")
        if s.comparison is None:
            continue
        rows = []
        for metric in ("wpm", "fillers_per_min", "longest_pause_s", "answer_length_s"):
            m = s.comparison.metrics.get(metric)
            if m is None or m.values[0] is None or m.values[-1] is None:
                continue
            rows.append(
                f"<li>{esc(_label(m))}: {esc(m.spec.format(m.values[0]))} → {esc(m.spec.format(m.values[-1]))}{esc(_unit(m))} "
                f"{_verdict(m)}</li>"
            )
        out.append(f"<ul>{''.join(rows)}</ul>")
        if s.comparison.patterns:
            out.append(
                "<p>Keeps happening: " + "; ".join(esc(p.message) for p in s.comparison.patterns) + "</p>"
            )
    out.append("</section>")
    return out


def _verdict(m: MetricTrend) -> str:
    """The verdict as the terminal's `reps compare` says it (``MetricTrend.verdict_text``)."""
    if m.trend == "n/a":
        return "–"
    arrow = {"improved": "↗", "regressed": "↘", "unchanged": "→", "changed": "↕"}.get(m.trend, "")
    return (
        f'<span class="trend-{m.trend}"{attrs(data_trend=m.trend)}>{arrow}\ufe0e {esc(m.verdict_text)}</span>'
    )


def _reflections(reps: Sequence[Rep], links: Mapping[str, str]) -> list[str]:
    """What the person wrote after each rep, as `reps compare` shows it."""
    from ..reflection import reflection_lines

    reflected = [(i, r) for i, r in enumerate(reps, 1) if r.reflection]
    if not reflected:
        return []
    out = ['<section aria-labelledby="reflections"><h2 id="reflections">Your reflections</h2><ul>']
    for i, rep in reflected:
        assert rep.reflection is not None
        name = f"rep #{i} ({rep.created_at.astimezone():%Y-%m-%d %H:%M})"
        href = links.get(rep.id)
        head = f'<a href="{esc(href)}">{esc(name)}</a>' if href else esc(name)
        lines = "; ".join(esc(line) for line in reflection_lines(rep.reflection))
        out.append(f"<li{attrs(data_rep=rep.id)}>{head}: {lines}</li>")
    out.append("</ul></section>")
    return out


def _label(m: MetricTrend) -> str:
    return f"{m.spec.label} ({m.spec.unit})" if m.spec.unit else m.spec.label


def _unit(m: MetricTrend) -> str:
    unit = m.spec.unit
    return "" if not unit else (unit if unit in ("%", "/min") else f" {unit}")


def _nice_top(value: float) -> float:
    """The next round number at or above ``value`` (1, 2, 2.5, 5 times a power of ten)."""
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return step * power
    return 10 * power


def _steps(top: float) -> int:
    """How many grid intervals divide ``top`` into round numbers (200 -> 4 of 50, 5 -> 5 of 1)."""
    for n in (4, 5, 2, 3):
        step = top / n
        power = 10 ** math.floor(math.log10(step))
        if any(abs(step - m * power) < 1e-9 * power for m in (1, 2, 2.5, 5, 10)):
            return n
    return 4


def _tick(value: float) -> str:
    """A grid value as printed: 200 -> "200", 0.25 -> "0.25"."""
    return f"{round(value, 2):g}"
