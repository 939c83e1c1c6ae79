"""The HTML page of one mock interview: each answer with its key numbers, advice and a link to its own
report, what ran through the interview, and the reflection on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..text import clock
from .page import document, esc

if TYPE_CHECKING:
    from ..sessions import SessionSummary


def render_session_html(
    summary: SessionSummary,
    *,
    links: Mapping[str, str],
    reflection: Sequence[tuple[str, str]] = (),
) -> str:
    """The whole page. ``links``: rep id -> link to the rep's report.html; ``reflection``: (question,
    answer) pairs about the whole interview."""
    session = summary.session
    when = session.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    planned = len(session.question_ids)
    ended = ", ended early" if session.ended_early else ""
    saved = len(summary.answers)
    body = [
        f"<h1>Mock interview, {esc(when)}</h1>",
        f'<p class="muted">{esc(session.id)}: {summary.asked} of {planned} questions asked{esc(ended)}, '
        f"{saved} answer{'s' if saved != 1 else ''} saved, {esc(clock(summary.speaking_s))} of answers.</p>",
        '<section aria-labelledby="answers"><h2 id="answers">The answers</h2>',
        '<div class="table-wrap"><table><thead><tr><th scope="col">#</th><th scope="col">Question</th>'
        '<th scope="col" class="num">Length</th><th scope="col" class="num">Pace (wpm)</th>'
        '<th scope="col" class="num">Fillers /min</th><th scope="col" class="num hide-narrow">Longest pause (s)</th>'
        '<th scope="col" class="num hide-narrow">First word (s)</th></tr></thead><tbody>',
    ]
    for a in summary.answers:
        href = links.get(a.rep_id)
        question = f'<a href="{esc(href)}">{esc(a.question)}</a>' if href else esc(a.question)
        length = clock(a.length_s)
        if a.target_s is not None:
            lo, hi = a.target_s
            verdict = "" if lo <= a.length_s <= hi else (" (short)" if a.length_s < lo else " (long)")
            length += f" of {clock(lo)}-{clock(hi)}{verdict}"
        body.append(
            f'<tr data-rep="{esc(a.rep_id)}"><td>{esc(a.number)}</td><td>{question}</td>'
            f'<td class="num">{esc(length)}</td><td class="num">{"-" if a.wpm is None else f"{a.wpm:.0f}"}</td>'
            f'<td class="num">{a.fillers_per_min:.1f}</td><td class="num hide-narrow">{a.longest_pause_s:.1f}</td>'
            f'<td class="num hide-narrow">{a.time_to_first_word_s:.1f}</td></tr>'
            f'<tr class="advice"><td></td><td colspan="6"><span class="muted">One thing to work on:</span> '
            f"{esc(a.advice)}</td></tr>"
        )
    body.append("</tbody></table></div>")
    if summary.unsaved:
        body.append("<ul>")
        body += [
            f"<li>{esc(u.number)}. {esc(u.question)} <strong>not saved</strong>: {esc(u.answer.reason)}</li>"
            for u in summary.unsaved
        ]
        body.append("</ul>")
    body.append("</section>")
    body.append('<section aria-labelledby="patterns"><h2 id="patterns">Across the interview</h2>')
    if summary.patterns:
        body += ["<ul>", *[f"<li>{esc(p)}</li>" for p in summary.patterns], "</ul>"]
    else:
        body.append('<p class="muted">Nothing ran through most answers.</p>')
    body.append("</section>")
    if reflection:
        body.append('<section aria-labelledby="reflection"><h2 id="reflection">Reflection</h2><dl>')
        body += [f"<dt>{esc(q)}</dt><dd>{esc(a)}</dd>" for q, a in reflection]
        body.append("</dl></section>")
    return document(f"Mock interview {session.id}", body)
