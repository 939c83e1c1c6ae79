"""The HTML report of one rep, to see and hear: the timeline, the marked-up transcript that plays each
moment, the key numbers against their targets, advice, patterns, reflection, trust line and settings."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..models import Filler, Pause, Phrase, Result, Word
from ..settings import AnalysisSettings, TargetBands
from ..text import clock, phrase
from .numbers import key_numbers
from .page import attrs, document, esc, num, pct, version

if TYPE_CHECKING:
    from ..models import Rep
    from ..questions import Question
    from .envelope import Envelope

# Clicking a moment plays from this long before it, so the word before it is heard too; under half a
# second, so what is played is still that moment and not the sentence before (product choice).
PLAY_LEAD_S = 0.4
# A mark on the timeline is at least this wide (% of the width), so a 0.25 s pause in a 3-minute answer
# can still be seen and clicked.
MIN_MARK_WIDTH_PCT = 0.35
# The timeline shows at most this many time ticks.
MAX_TICKS = 10
_TICK_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600)


@dataclass(frozen=True)
class AudioSource:
    """Where the page finds the rep's sound.

    ``src``: a URL relative to the page (the rep's own copy) or a ``data:`` URI (embedded); None when
    there is no audio, and ``note`` says why. ``name`` is shown when the browser cannot play it.
    """

    src: str | None
    name: str = ""
    embedded: bool = False
    note: str = ""


def render_html(
    result: Result,
    *,
    audio: AudioSource | None = None,
    envelope: Envelope | None = None,
    bands: TargetBands | None = None,
    question: Question | None = None,
    patterns: Sequence[str] = (),
    rep: Rep | None = None,
    reflection: Sequence[tuple[str, str]] = (),
    rep_links: Mapping[str, str] | None = None,
) -> str:
    """The whole page, self-contained (inline style, script and pictures).

    ``reflection``: (question, answer) pairs; ``rep_links``: rep id -> link to its report, so the
    evidence of a pattern can be opened; ``envelope``: the loudness drawn on the timeline.
    """
    bands = bands or TargetBands()
    audio = audio or AudioSource(None, note="No audio was given for this page.")
    long_s = float(result.settings.get("analysis", {}).get("long_pause_s", AnalysisSettings.long_pause_s))
    axis_s = _axis_s(result, envelope, question)
    title = question.text if question else _file_name(result.audio_path)
    body = [
        *_header(result, rep, question, title),
        *_player(audio),
        *_numbers(result, bands, question),
        *_advice(result),
        *_timeline(result, envelope, question, axis_s, long_s, bands),
        *_transcript_section(result, long_s),
        *_content(result),
        *_patterns(patterns, rep, rep_links or {}),
        *_reflection(reflection, rep),
        *_details(result),
        *_settings(result, rep),
    ]
    return document(
        f"Rep {rep.id}: {title}" if rep else f"Report: {title}",
        body,
        body_attrs=attrs(data_lead_s=num(PLAY_LEAD_S), data_axis_s=num(axis_s)),
        script=True,
    )


# ---------------------------------------------------------------------------------------- header


def _header(result: Result, rep: Rep | None, question: Question | None, title: str) -> list[str]:
    out = [f"<h1>{esc(title)}</h1>"]
    meta = []
    if rep is not None:
        meta.append(f"Rep <code>{esc(rep.id)}</code>")
        meta.append(f"answered {esc(_local(rep.created_at))}")
    meta.append(f"{result.duration_s:.1f} s recording <code>{esc(_file_name(result.audio_path))}</code>")
    out.append(f'<p class="meta">{" · ".join(meta)}</p>')
    if question is not None:
        lo, hi = question.target_s
        out.append(
            f'<p class="meta">Question <code>{esc(question.id)}</code> ({esc(question.category)}; '
            f"answer as {esc(question.structure)}; target {lo:.0f}–{hi:.0f} s)</p>"
        )
    problems = [*result.warnings]
    if result.quality is not None and not result.quality.ok:
        problems.append(
            "Audio check: "
            + "; ".join(result.quality.problems)
            + ". Treat the numbers of this rep as unreliable"
        )
    for line in problems:
        out.append(f'<p class="banner" role="alert"><strong>Warning:</strong> {esc(line)}.</p>')
    return out


def _player(audio: AudioSource) -> list[str]:
    status = esc(audio.note) if audio.src is None else ""
    player = (
        f'<audio id="audio" controls preload="auto"{attrs(src=audio.src, data_name=audio.name)}>'
        "Your browser cannot play audio here.</audio>"
        if audio.src is not None
        else ""
    )
    where = ""
    if audio.src is not None:
        where = (
            '<span class="muted">audio embedded in this page</span>'
            if audio.embedded
            else f'<span class="muted">audio: <a href="{esc(audio.src)}">{esc(audio.name or audio.src)}</a></span>'
        )
    return [
        '<section class="player" aria-label="Playback">',
        player,
        '<span class="now" aria-hidden="true">Now: <b id="now-word">–</b> at <span id="now-time">0:00.0</span></span>',
        where,
        f'<span id="play-status" class="status" role="status">{status}</span>',
        "</section>",
        f'<p class="note">Click any marked moment, word or advice time to hear it '
        f"(from {PLAY_LEAD_S:g} s before); Tab reaches every mark, Enter plays it.</p>",
    ]


# ------------------------------------------------------------------------------------- key numbers


def _numbers(result: Result, bands: TargetBands, question: Question | None) -> list[str]:
    rows = key_numbers(result, bands=bands, question=question)
    gauges = _gauges(result, bands, question)
    out = [
        '<section aria-labelledby="numbers"><h2 id="numbers">Key numbers</h2>',
        '<div class="table-wrap"><table><thead><tr><th scope="col">Measure</th><th scope="col">This rep</th>'
        '<th scope="col" class="hide-narrow">Against the target</th><th scope="col">Target</th>'
        '<th scope="col">Verdict</th></tr></thead><tbody>',
    ]
    for name, value, target, ok in rows:
        verdict = (
            ""
            if ok is None
            else ('<span class="ok">within</span>' if ok else '<span class="out">outside</span>')
        )
        gauge = gauges.get(name, "")
        out.append(
            f'<tr{attrs(data_metric=name)}><th scope="row">{esc(name)}</th><td>{esc(value)}</td>'
            f'<td class="hide-narrow">{gauge}</td><td>{esc(target)}</td><td>{verdict}</td></tr>'
        )
    out.append("</tbody></table></div>")
    if result.filler_trust:
        out.append(
            f'<p class="trust" id="trust"><strong>How far to trust the filler count:</strong> {esc(result.filler_trust)}</p>'
        )
    out.append("</section>")
    return out


def _gauges(result: Result, bands: TargetBands, question: Question | None) -> dict[str, str]:
    """Small pictures of a value against its band, for the rows that have a numeric one."""
    m = result.metrics
    out: dict[str, str] = {}
    lo, hi = bands.wpm
    if m.word_count >= bands.min_words_to_judge_pace:
        out["Pace"] = _gauge(
            m.wpm, lo, hi, max(220.0, m.wpm * 1.1), f"{m.wpm:.0f} wpm; target {lo:.0f} to {hi:.0f}"
        )
    fmax = bands.filler_percent_max
    out["Fillers"] = _gauge(
        m.filler_percent,
        0.0,
        fmax,
        max(3 * fmax, m.filler_percent * 1.2),
        f"{m.filler_percent:.0f}% of words; target under {fmax:g}%",
    )
    tmax = bands.time_to_first_word_s_max
    out["First word"] = _gauge(
        m.time_to_first_word_s,
        0.0,
        tmax,
        max(2 * tmax, m.time_to_first_word_s * 1.2),
        f"{m.time_to_first_word_s:.1f} s; target at most {tmax:g} s",
    )
    if m.pitch_variation_st is not None:
        flat_st = float(
            result.settings.get("analysis", {}).get("monotone_below_st", AnalysisSettings.monotone_below_st)
        )
        top = max(3 * flat_st, m.pitch_variation_st * 1.2)
        out["Pitch variation"] = _gauge(
            m.pitch_variation_st,
            flat_st,
            top,
            top,
            f"{m.pitch_variation_st:.1f} semitones; target at least {flat_st:g}",
        )
    if question is not None:
        tmin, tmax_q = question.target_s
        length = m.answer_length_s or m.speaking_span_s
        out["Length"] = _gauge(
            length,
            tmin,
            tmax_q,
            max(tmax_q * 1.25, length * 1.1),
            f"{length:.0f} s; target {tmin:.0f} to {tmax_q:.0f} s",
        )
    return out


def _gauge(value: float, lo: float, hi: float, top: float, label: str) -> str:
    """A 160 x 22 picture: the target band (dashed, shaded) on a track from 0 to ``top``, the value a marker
    (filled inside the band, hollow outside)."""
    top = top or 1.0

    def x(v: float) -> float:
        return 4 + 152 * min(max(v / top, 0.0), 1.0)

    inside = lo <= value <= hi
    cx = x(value)
    marker = (
        f'<path d="M{cx:.1f} 3 L{cx + 6:.1f} 11 L{cx:.1f} 19 L{cx - 6:.1f} 11 Z" '
        + ('class="svg-dot"' if inside else 'class="svg-dot out"')
        + "/>"
    )
    return (
        f'<svg class="gauge" viewBox="0 0 160 22" role="img" aria-label="{esc(label)}">'
        f'<line x1="4" y1="11" x2="156" y2="11" class="svg-grid"/>'
        f'<rect x="{x(lo):.1f}" y="5" width="{max(x(hi) - x(lo), 1):.1f}" height="12" class="svg-band"/>'
        f"{marker}</svg>"
    )


# ------------------------------------------------------------------------------------------ advice


def _advice(result: Result) -> list[str]:
    out = ['<section aria-labelledby="advice"><h2 id="advice">Advice</h2>']
    if not result.feedback:
        out.append("<p>Nothing to change on this rep.</p>")
    else:
        out.append('<ol class="advice">')
        for fb in result.feedback:
            play = ""
            if fb.at_s is not None:
                play = (
                    f' <button type="button" class="play"{attrs(data_start=num(fb.at_s), data_kind="advice")} '
                    f'aria-label="Play the moment at {clock(fb.at_s)}">{clock(fb.at_s)}</button>'
                )
            out.append(f"<li>{esc(fb.message)}{play}</li>")
        out.append("</ol>")
    out.append("</section>")
    return out


# ---------------------------------------------------------------------------------------- timeline


def _axis_s(result: Result, envelope: Envelope | None, question: Question | None) -> float:
    """The timeline spans the recording, and reaches the question's minimum length when the answer fell short."""
    end = max(result.duration_s, envelope.duration_s if envelope else 0.0, 0.1)
    if question is not None:
        end = max(end, question.target_s[0])
    return end


def _timeline(
    result: Result,
    envelope: Envelope | None,
    question: Question | None,
    axis_s: float,
    long_s: float,
    bands: TargetBands,
) -> list[str]:
    fillers = sorted(result.fillers, key=lambda f: f.start)
    n_long = sum(1 for p in result.pauses if p.duration_s >= long_s)
    caption = (
        f"The whole answer, 0:00 to {clock(result.duration_s)}: loudness over time (shaded), "
        f"{len(fillers)} filler{'s' if len(fillers) != 1 else ''} (labels above), "
        f"{len(result.pauses)} pause{'s' if len(result.pauses) != 1 else ''} (hatched; {n_long} long, "
        f"{long_s:g} s or more, with a thick border and its length)"
    )
    if question is not None:
        caption += (
            f", the target length {question.target_s[0]:.0f}–{question.target_s[1]:.0f} s (dashed lines)"
        )
    caption += ". Every moment is also listed under “Every flagged moment”."
    out = [
        '<section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>',
        '<figure class="tl" aria-describedby="tl-caption">',
        '<div class="tl-lane" aria-label="Fillers">',
        *_filler_marks(fillers, axis_s),
        "</div>",
        '<div class="tl-plot" title="Click to play from here">',
        _envelope_svg(envelope, axis_s),
        *_target_marks(result, question, axis_s),
        *(_pause_mark(p, axis_s, long_s) for p in result.pauses),
        '<div class="playhead"></div>',
        "</div>",
        _axis(axis_s),
        *_pace_strip(result, axis_s, bands),
        f'<figcaption id="tl-caption">{esc(caption)}</figcaption>',
        "</figure>",
        _legend_timeline(),
        "</section>",
    ]
    return out


def _filler_marks(fillers: Sequence[Filler], axis_s: float) -> list[str]:
    """One button per filler above the plot; labels that would overlap go to a second row."""
    rows_end = [-1.0, -1.0]
    out = []
    for f in fillers:
        left = min(max(f.start / axis_s, 0.0), 1.0) * 100
        width = len(phrase(f.text) or f.text) * 0.65 + 0.8  # % of the width a label takes at 1280 px, roughly
        row = 0 if left - width / 2 > rows_end[0] else 1
        rows_end[row] = left + width / 2
        classes = ["tl-mark", "fp" if f.kind == "filled_pause" else "dm"] + (["r1"] if row else [])
        if f.source == "acoustic":
            classes.append("acoustic")
        label = _filler_label(f)
        out.append(
            f'<button type="button" class="{" ".join(classes)}" style="left:{left:.3f}%;top:{18 * row}px"'
            f"{attrs(data_start=num(f.start), data_end=num(f.end), data_kind='filler', data_source=f.source)}"
            f' aria-label="{esc(label)}, play">{esc(phrase(f.text) or f.text)}</button>'
        )
    return out


def _envelope_svg(envelope: Envelope | None, axis_s: float) -> str:
    if envelope is None or not envelope.levels:
        return (
            '<svg viewBox="0 0 1000 100" preserveAspectRatio="none" aria-hidden="true">'
            '<line x1="0" y1="50" x2="1000" y2="50" class="svg-grid"/></svg>'
        )
    step = envelope.step_s
    top, bottom = [], []
    for i, level in enumerate(envelope.levels):
        x = (i + 0.5) * step / axis_s * 1000
        h = 2 + 46 * level
        top.append(f"{x:.1f},{50 - h:.1f}")
        bottom.append(f"{x:.1f},{50 + h:.1f}")
    path = "M" + " L".join(top + bottom[::-1]) + " Z"
    return (
        '<svg viewBox="0 0 1000 100" preserveAspectRatio="none" aria-hidden="true">'
        f'<path class="tl-env" d="{path}"/></svg>'
    )


def _target_marks(result: Result, question: Question | None, axis_s: float) -> list[str]:
    if question is None:
        return []
    tmin, tmax = question.target_s
    side = " right" if tmin > axis_s / 2 else ""
    out = [
        f'<div class="tl-target{side}" style="left:{pct(tmin, axis_s)}" aria-hidden="true"><span>target from {clock(tmin)}</span></div>'
    ]
    if tmax <= axis_s:
        out.append(
            f'<div class="tl-over" style="left:{pct(tmax, axis_s)}" aria-hidden="true"></div>'
            f'<div class="tl-target max" style="left:{pct(tmax, axis_s)}" aria-hidden="true"><span>target up to {clock(tmax)}</span></div>'
        )
    return out


def _pause_mark(p: Pause, axis_s: float, long_s: float) -> str:
    long = p.duration_s >= long_s
    width = max(p.duration_s / axis_s * 100, MIN_MARK_WIDTH_PCT)
    label = (
        f"{'Long pause' if long else 'Pause'} of {p.duration_s:.1f} s, {_pause_where(p)}, at {clock(p.start)}"
    )
    text = f"<span>{p.duration_s:.1f} s</span>" if long else ""
    return (
        f'<button type="button" class="tl-pause{" long" if long else ""}" '
        f'style="left:{pct(p.start, axis_s)};width:{width:.3f}%"'
        f"{attrs(data_start=num(p.start), data_end=num(p.end), data_kind='pause', data_long='1' if long else None)}"
        f' aria-label="{esc(label)}, play">{text}</button>'
    )


def _axis(axis_s: float) -> str:
    step = next((s for s in _TICK_STEPS_S if axis_s / s <= MAX_TICKS), _TICK_STEPS_S[-1])
    ticks = []
    t, i = 0.0, 0
    while t <= axis_s + 1e-6:
        minor = ' class="minor"' if i % 2 else ""
        ticks.append(f'<span{minor} style="left:{pct(t, axis_s)}">{clock(t)}</span>')
        t += step
        i += 1
    return f'<div class="tl-axis" aria-hidden="true">{"".join(ticks)}</div>'


def _pace_strip(result: Result, axis_s: float, bands: TargetBands) -> list[str]:
    windows = result.pace_windows
    if not windows:
        return ['<p class="note">Too short for pace per window.</p>']
    lo, hi = bands.wpm
    top = max(220.0, max(w.wpm for w in windows) * 1.15)
    described = ", ".join(f"{clock(w.start)}–{clock(w.end)} {w.wpm:.0f} wpm" for w in windows)
    out = [
        f'<div class="pace" role="img" aria-label="Pace per window: {esc(described)}; target {lo:.0f}–{hi:.0f} wpm">',
        f'<div class="pace-band" style="bottom:{pct(lo, top)};height:{pct(hi - lo, top)}"></div>',
    ]
    for w in windows:
        outside = not (lo <= w.wpm <= hi)
        out.append(
            f'<div class="pace-bar{" out" if outside else ""}" style="left:{pct(w.start, axis_s)};'
            f'width:{pct(w.end - w.start, axis_s)};height:{pct(w.wpm, top)}"'
            f'{attrs(data_wpm=num(w.wpm))} title="{clock(w.start)}–{clock(w.end)}: {w.wpm:.0f} wpm">'
            f"<b>{w.wpm:.0f}{' !' if outside else ''}</b></div>"
        )
    out.append('<div class="playhead"></div></div>')
    out.append(
        f'<p class="note">Pace per {_window_s(result):g} s window (words per minute; the band is the target '
        f"{lo:.0f}–{hi:.0f} wpm, windows outside it are hatched and marked !).</p>"
    )
    return out


def _legend_timeline() -> str:
    return (
        '<ul class="legend" aria-label="Legend">'
        '<li><span class="tl-mark fp">um</span> filled pause</li>'
        '<li><span class="tl-mark dm">like</span> discourse marker (dotted)</li>'
        '<li><span class="tl-mark fp acoustic">uh</span> heard by the acoustic detector (dashed)</li>'
        '<li><span class="tl-pause" style="position:relative;display:inline-block;width:28px;height:14px"></span> pause</li>'
        '<li><span class="tl-pause long" style="position:relative;display:inline-block;width:28px;height:14px"></span> long pause, with its length</li>'
        "</ul>"
    )


# -------------------------------------------------------------------------------------- transcript


@dataclass
class _Wrap:
    """Words i..j-1 shown as one marked, playable element."""

    i: int
    j: int
    classes: list[str]
    data: dict[str, str]
    label: str


def _transcript_section(result: Result, long_s: float) -> list[str]:
    return [
        '<section aria-labelledby="transcript-h"><h2 id="transcript-h">Transcript</h2>',
        '<ul class="legend" aria-label="How the transcript is marked">'
        '<li><span class="mk fp">um</span> filled pause (bold, in brackets)</li>'
        '<li><span class="mk dm">you know</span> discourse marker (italic, dotted)</li>'
        '<li><span class="mk hedge">I think</span> hedge (wavy underline)</li>'
        '<li><span class="mk rep">the the</span> repeat (double underline)</li>'
        '<li><span class="mk vague">a bunch of</span> vague words (dashed underline)</li>'
        '<li><span class="mk pause">0.6 s</span> pause</li>'
        f'<li><span class="mk pause long">2.4 s, long</span> pause of {long_s:g} s or more</li>'
        '<li><span class="mk cand">?</span> possible filler, not counted</li></ul>',
        f'<p id="transcript" class="transcript">{marked_transcript_html(result, long_s=long_s)}</p>',
        "</section>",
    ]


def marked_transcript_html(result: Result, *, long_s: float = AnalysisSettings.long_pause_s) -> str:
    """The transcript with every filler, hedge, repeat and pause an element carrying ``data-start``
    (seconds, as in the JSON) and ``data-kind``; each word a ``.w`` span with its start and end."""
    words = result.words
    owner: list[int | None] = [None] * len(words)
    wraps: list[_Wrap] = []
    extra: list[set[str]] = [set() for _ in words]
    inserts: list[tuple[float, int, str]] = []  # (time, order at that time, html)
    taken: set[int] = set()

    for f in sorted(result.fillers, key=lambda f: f.start):
        span = _filler_words(f, words, taken) if f.source == "transcript" else None
        data = {
            "data-kind": "filler",
            "data-filler-kind": f.kind,
            "data-source": f.source,
            "data-start": num(f.start),
            "data-end": num(f.end),
        }
        css = "fp" if f.kind == "filled_pause" else "dm"
        if span is None:
            classes = ["mk", css] + (["acoustic"] if f.source == "acoustic" else [])
            inserts.append(
                (
                    f.start,
                    1,
                    f'<button type="button" class="{" ".join(classes)}"{_data(data)} '
                    f'aria-label="{esc(_filler_label(f))}, play">{esc(phrase(f.text) or f.text)}</button>',
                )
            )
            continue
        i, j = span
        taken.update(range(i, j))
        _claim(owner, wraps, _Wrap(i, j, ["mk", css], data, _filler_label(f)))

    vague = tuple(Phrase(m.text, (m.at_s,)) for m in result.content.vague)
    for css, kind, phrases in (
        ("rep", "repeat", result.repeats),
        ("hedge", "hedge", result.hedges),
        ("vague", "vague", vague),
    ):
        for ph in phrases:
            for t in ph.times_s:
                found = _phrase_words(ph, t, words)
                if found is None:
                    continue
                i, j = found
                label = f"{kind.capitalize()} “{ph.text}” at {clock(t)}"
                data = {"data-kind": kind, "data-start": num(t), "data-end": num(words[j - 1].end)}
                current = {owner[k] for k in range(i, j)}
                if current == {None}:
                    _claim(owner, wraps, _Wrap(i, j, ["mk", css], data, label))
                elif (
                    len(current) == 1
                    and (only := next(iter(current))) is not None
                    and (w := wraps[only]).i == i
                    and w.j == j
                ):
                    w.classes.append(css)  # the same words are a hedge and a repeat: one element, both marks
                    w.data["data-kind"] += f" {kind}"
                    w.label += f"; {label.lower()}"
                else:
                    for k in range(i, j):  # overlaps another mark: still underlined, played by its words
                        extra[k].add(css)

    for p in result.pauses:
        long = p.duration_s >= long_s
        label = f"{'Long pause' if long else 'Pause'} of {p.duration_s:.1f} s, {_pause_where(p)}, at {clock(p.start)}"
        inserts.append(
            (
                p.start,
                0,
                f'<button type="button" class="mk pause{" long" if long else ""}"'
                f"{attrs(data_kind='pause', data_start=num(p.start), data_end=num(p.end), data_long='1' if long else None)}"
                f' aria-label="{esc(label)}, play">{_seconds(p.duration_s)} s{", long" if long else ""}</button>',
            )
        )
    for c in result.filler_candidates:
        inserts.append(
            (
                c.start,
                2,
                f'<button type="button" class="mk cand"{attrs(data_kind="candidate", data_start=num(c.start), data_end=num(c.end))}'
                f' aria-label="Possible filler at {clock(c.start)}, not counted; play" title="possible filler, not counted">?</button>',
            )
        )

    inserts.sort(key=lambda item: (item[0], item[1]))
    out: list[str] = []
    queue = 0

    def flush(until_s: float) -> None:
        nonlocal queue
        while queue < len(inserts) and inserts[queue][0] <= until_s:
            out.append(inserts[queue][2])
            queue += 1

    k = 0
    while k < len(words):
        flush(words[k].start)
        index = owner[k]
        if index is None:
            out.append(_word(words[k], extra[k], bracketed=False))
            k += 1
            continue
        w = wraps[index]
        inner = " ".join(_word(words[m], extra[m], bracketed="fp" in w.classes) for m in range(w.i, w.j))
        out.append(
            f'<button type="button" class="{" ".join(w.classes)}"{_data(w.data)} '
            f'aria-label="{esc(w.label)}, play">{inner}</button>'
        )
        k = w.j
    flush(float("inf"))
    return " ".join(out)


def _claim(owner: list[int | None], wraps: list[_Wrap], wrap: _Wrap) -> None:
    wraps.append(wrap)
    for k in range(wrap.i, wrap.j):
        owner[k] = len(wraps) - 1


def _filler_words(f: Filler, words: Sequence[Word], taken: set[int]) -> tuple[int, int] | None:
    """The words a transcript filler was read from: the filler-flagged run that spells it, nearest in time.

    (A filled pause the aligner could not place takes the acoustic timing, so times need not agree.)
    """
    target = phrase(f.text).split()
    if not target:
        return None
    best: tuple[float, int] | None = None
    for i in range(len(words) - len(target) + 1):
        span = range(i, i + len(target))
        if taken.intersection(span) or not all(words[k].filler for k in span):
            continue
        if [phrase(words[k].text) for k in span] != target:
            continue
        gap = abs(words[i].start - f.start)
        if gap <= 1.0 and (best is None or gap < best[0]):
            best = (gap, i)
    return None if best is None else (best[1], best[1] + len(target))


def _phrase_words(ph: Phrase, t: float, words: Sequence[Word]) -> tuple[int, int] | None:
    """The words of one occurrence of a hedge or repeat that starts at ``t``: as many words as the phrase
    has, fillers inside it skipped (they are not part of it, as in ``analyze.language``)."""
    start = next((i for i, w in enumerate(words) if abs(w.start - t) < 0.002), None)
    if start is None:
        return None
    need, j = len(ph.text.split()), start
    while j < len(words) and need > 0:
        if not words[j].filler or j == start:
            need -= 1
        j += 1
    return (start, j) if need == 0 else None


def _word(w: Word, extra: set[str], *, bracketed: bool) -> str:
    text = w.text.strip()
    if bracketed:
        text = text.strip(",.?!;:")
    classes = ["w", *sorted(f"x-{c}" for c in extra)]
    if w.filler and not bracketed:
        classes.append("fw")
    return f'<span class="{" ".join(classes)}"{attrs(data_start=num(w.start), data_end=num(w.end))}>{esc(text)}</span>'


def _data(values: Mapping[str, str]) -> str:
    return "".join(f' {k}="{esc(v)}"' for k, v in values.items())


def _filler_label(f: Filler) -> str:
    kind = "Filled pause" if f.kind == "filled_pause" else "Discourse marker"
    how = ", heard by the acoustic detector" if f.source == "acoustic" else ""
    return f"{kind} “{phrase(f.text) or f.text}” at {clock(f.start)}{how}"


def _pause_where(p: Pause) -> str:
    return "mid-sentence" if p.kind == "clause" else "between sentences"


# ------------------------------------------------------------------------------ patterns, reflection


def _patterns(patterns: Sequence[str], rep: Rep | None, links: Mapping[str, str]) -> list[str]:
    out = ['<section aria-labelledby="patterns"><h2 id="patterns">Patterns across your reps</h2>']
    if not patterns:
        out.append(
            "<p>None yet: a pattern is the same thing in at least two of your recent reps of a question.</p>"
            if rep is not None
            else "<p>Not saved in the practice library, so there are no earlier reps to compare with.</p>"
        )
    else:
        out.append('<ul class="patterns">')
        out += [f"<li>{_link_reps(text, links)}</li>" for text in patterns]
        out.append("</ul>")
    out.append("</section>")
    return out


def _link_reps(text: str, links: Mapping[str, str]) -> str:
    """The sentence with each "rep <id>" a link to that rep's report (when there is one)."""
    escaped = esc(text)

    def link(match: re.Match[str]) -> str:
        href = links.get(match.group(1))
        return f'<a href="{esc(href)}">rep {match.group(1)}</a>' if href else match.group(0)

    return re.sub(r"rep ([0-9]{8}-[0-9]{6}-[0-9a-f]+)", link, escaped)


def _reflection(reflection: Sequence[tuple[str, str]], rep: Rep | None) -> list[str]:
    out = ['<section aria-labelledby="reflection"><h2 id="reflection">Your reflection</h2>']
    answered = [(q, a) for q, a in reflection if a and a.strip()]
    if answered:
        out.append('<dl class="kv">')
        out += [f"<dt>{esc(q)}</dt><dd>{esc(a)}</dd>" for q, a in answered]
        out.append("</dl>")
    else:
        out.append(
            "<p>No reflection saved with this rep. After a rep of <code>reps practice</code> four questions "
            "ask what stumped you, what felt weak or vague, what feedback you noticed, and what part of "
            "your story did not connect.</p>"
        )
    out.append("</section>")
    return out


def _content(result: Result) -> list[str]:
    """What the answer said against what the question asks for (issue 14's ``content``): each point with
    the words that cover it, the structure's parts, who did it, specifics, vague words, the job's terms;
    every moment playable."""
    c = result.content
    out = ['<section aria-labelledby="content"><h2 id="content">What you said</h2>']
    if not (
        c.points
        or c.structure.parts
        or c.specifics
        or c.vague
        or c.job_terms
        or c.ownership.i + c.ownership.we
    ):
        out += [
            "<p>Nothing to check the content against: no question was given for this rep.</p>",
            "</section>",
        ]
        return out
    if c.points:
        out.append(
            '<div class="table-wrap"><table><thead><tr><th scope="col">The question asks for</th>'
            '<th scope="col">Covered</th><th scope="col">When</th><th scope="col">In your words</th></tr></thead><tbody>'
        )
        for p in c.points:
            words = f"“{esc(p.evidence)}”" if p.evidence else ""
            if not p.covered and p.evidence:
                words += " (the point asks you not to say this)"
            covered = '<span class="ok">yes</span>' if p.covered else '<span class="out">no</span>'
            out.append(
                f"<tr{attrs(data_point='covered' if p.covered else 'missed')}><td>{esc(p.text)}</td><td>{covered}</td>"
                f"<td>{_play(p.at_s, 'content', f'Play where you cover: {p.text}')}</td><td>{words}</td></tr>"
            )
        out.append("</tbody></table></div>")
    if c.structure.parts:
        parts = []
        for part in c.structure.parts:
            if part.present and part.at_s is not None:
                parts.append(
                    f"<li>{esc(part.name)} {_play(part.at_s, 'content', f'Play the {part.name}')}</li>"
                )
            else:
                parts.append(f'<li><span class="out">no {esc(part.name)}</span></li>')
        out.append(
            f'<h3>Structure: {esc(c.structure.name or "")}</h3><ul class="legend">{"".join(parts)}</ul>'
        )
    own = c.ownership
    if own.i + own.we:
        out.append(f"<p>Sentences that say what was done: {own.i} with “I”, {own.we} with “we”.</p>")
    specifics = " ".join(f"{esc(m.text)} {_play(m.at_s, 'content', f'Play: {m.text}')}" for m in c.specifics)
    out.append(f"<p><strong>Specifics:</strong> {specifics or 'none (no number or name)'}.</p>")
    if c.vague:
        vague = " ".join(f"“{esc(m.text)}” {_play(m.at_s, 'content', f'Play: {m.text}')}" for m in c.vague)
        out.append(f"<p><strong>Vague words</strong> (dashed in the transcript): {vague}</p>")
    if c.job_terms:
        terms = "".join(
            f"<li>{esc(j.term)}: "
            + (
                '<span class="ok">used</span> ' + _play(j.at_s, "content", f"Play: {j.term}")
                if j.covered
                else '<span class="out">not used</span>'
            )
            + "</li>"
            for j in c.job_terms
        )
        out.append(f"<h3>The job's terms</h3><ul>{terms}</ul>")
    if c.points:
        from ..analyze.content import MEASURED_POINT_ACCURACY

        precision, recall = MEASURED_POINT_ACCURACY
        out.append(
            '<p class="note">A point counts as covered when the answer uses one of its cue phrases (prompts/*.toml); '
            f"on answers it was not tuned on, {precision:.0%} of the points it called covered were, and it found "
            f"{recall:.0%} of those covered.</p>"
        )
    out.append("</section>")
    return out


def _play(at_s: float | None, kind: str, label: str) -> str:
    """A button that plays from just before ``at_s`` ("" when there is no moment)."""
    if at_s is None:
        return ""
    return (
        f'<button type="button" class="play"{attrs(data_start=num(at_s), data_kind=kind)} '
        f'aria-label="{esc(label)} ({clock(at_s)})">{clock(at_s)}</button>'
    )


# ------------------------------------------------------------------------- details and settings


def _details(result: Result) -> list[str]:
    rows: list[tuple[float, str, str, str]] = []  # (time, what, detail, data-kind)
    for f in result.fillers:
        how = "acoustic detector" if f.source == "acoustic" else "transcript"
        rows.append(
            (
                f.start,
                f"Filler “{phrase(f.text) or f.text}”",
                f"{f.kind.replace('_', ' ')}, found in the {how}",
                "filler",
            )
        )
    long_s = float(result.settings.get("analysis", {}).get("long_pause_s", AnalysisSettings.long_pause_s))
    for p in result.pauses:
        what = "Long pause" if p.duration_s >= long_s else "Pause"
        rows.append(
            (p.start, f"{what} {p.duration_s:.2f} s", f"{_pause_where(p)}: {p.before} … {p.after}", "pause")
        )
    for ph, what in [(h, "Hedge") for h in result.hedges] + [(r, "Repeat") for r in result.repeats]:
        rows += [
            (t, f"{what} “{ph.text}”", f"said {ph.count} time{'s' if ph.count != 1 else ''}", what.lower())
            for t in ph.times_s
        ]
    for c in result.filler_candidates:
        rows.append(
            (c.start, "Possible filler", "heard by the acoustic detector, not counted: listen", "candidate")
        )
    rows.sort(key=lambda r: r[0])
    m = result.metrics
    out = [
        '<section aria-labelledby="moments"><h2 id="moments">Every flagged moment</h2>',
        f"<details><summary>{len(rows)} moment{'s' if len(rows) != 1 else ''}, as a list</summary>",
        '<div class="table-wrap"><table><thead><tr><th scope="col">Time</th><th scope="col">What</th>'
        '<th scope="col">Detail</th></tr></thead><tbody>',
    ]
    for t, what, detail, kind in rows:
        out.append(
            f'<tr><td><button type="button" class="play"{attrs(data_start=num(t), data_kind=f"list-{kind}")} '
            f'aria-label="Play {esc(what)} at {clock(t)}">{clock(t)}</button></td><td>{esc(what)}</td><td>{esc(detail)}</td></tr>'
        )
    out += ["</tbody></table></div></details>"]
    out += [
        "<h3>Pace</h3>",
        f"<p>{m.word_count} words (filled pauses excluded) over {m.speaking_span_s:.1f} s from the first to the "
        f"last word: <strong>{m.wpm:.0f} wpm</strong>. Articulation: {m.articulation_rate:.2f} syllables per "
        f"second of speaking time ({m.syllable_count} syllables in {m.speaking_time_s:.1f} s). "
        f"First word after {m.time_to_first_word_s:.2f} s.</p>",
    ]
    if result.voice is not None:
        v = result.voice
        flat = result.settings.get("analysis", {}).get(
            "monotone_below_st", AnalysisSettings.monotone_below_st
        )
        out += [
            "<h3>Voice</h3>",
            f"<p>Pitch variation {_maybe(v.pitch_variation_st, 'semitones')} (flat below {flat:g}); "
            f"loudness variation {_maybe(v.loudness_variation_db, 'dB')}.</p>",
        ]
    if result.quality is not None:
        q = result.quality
        verdict = "ok" if q.ok else "problems: " + "; ".join(q.problems) + ". Treat the numbers as unreliable"
        out += [
            "<h3>Audio check</h3>",
            f"<p>Peak {q.peak_dbfs:.1f} dBFS, speech {q.speech_level_dbfs:.1f} dBFS, background "
            f"{q.noise_floor_dbfs:.1f} dBFS (speech {q.snr_db:.1f} dB above it), clipped {q.clipped_fraction:.3%}: "
            f"{esc(verdict)}.</p>",
        ]
    out.append("</section>")
    return out


def _settings(result: Result, rep: Rep | None) -> list[str]:
    out = [
        '<section aria-labelledby="settings"><h2 id="settings">Model and settings</h2>',
        '<dl class="kv">',
        f"<dt>Model</dt><dd><code>{esc(result.model_name)}</code> (faster-whisper, on this computer)</dd>",
        f"<dt>Recording</dt><dd><code>{esc(result.audio_path)}</code></dd>",
        f"<dt>Made by</dt><dd>interview-reps {esc(version())}</dd>",
    ]
    if rep is not None and rep.source_path:
        out.append(f"<dt>Source</dt><dd><code>{esc(rep.source_path)}</code></dd>")
    out.append("</dl>")
    out.append("<details><summary>Every setting and threshold used</summary>")
    out.append('<div class="table-wrap"><table><tbody>')
    for group, values in result.settings.items():
        if isinstance(values, Mapping):
            for key, value in values.items():
                out.append(
                    f'<tr><th scope="row">{esc(group)}</th><td>{esc(key)}</td><td><code>{esc(value)}</code></td></tr>'
                )
        else:
            out.append(
                f'<tr><th scope="row">{esc(group)}</th><td></td><td><code>{esc(values)}</code></td></tr>'
            )
    out.append("</tbody></table></div></details></section>")
    return out


# ------------------------------------------------------------------------------------------ helpers


def _window_s(result: Result) -> float:
    return float(result.settings.get("analysis", {}).get("pace_window_s", AnalysisSettings.pace_window_s))


def _seconds(value: float) -> str:
    """A pause's length as the transcript shows it: 0.25 -> "0.25", 1.34 -> "1.3"."""
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"


def _maybe(value: float | None, unit: str) -> str:
    return "n/a" if value is None else f"{value:.1f} {unit}"


def _file_name(path: str) -> str:
    return re.split(r"[\\/]", path)[-1] or path


def _local(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")
