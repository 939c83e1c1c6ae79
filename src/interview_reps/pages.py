"""The HTML pages on disk: each rep's report.html in its folder, a standalone page for an unsaved
analysis, and the progress pages of several reps. Rendering lives in ``report``; this module gathers
what a page shows (history, patterns, reflection, the audio) and writes the file."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .errors import LibraryError, RepsError
from .models import INTERVIEW_REFLECTION_QUESTIONS, REFLECTION_QUESTIONS, Audio, Rep, Result
from .settings import PatternSettings

if TYPE_CHECKING:
    from datetime import datetime

    from .comparison import Comparison
    from .questions import Question
    from .report.envelope import Envelope
    from .sessions import SessionSummary
    from .store import Library

# Earlier reps of the same question a rep's page looks back over for patterns (as `reps analyze` does).
HISTORY_REPS = 20


# ------------------------------------------------------------------------------------- one rep


def write_rep_page(
    library: Library,
    rep: Rep | str,
    *,
    question: Question | None = None,
    patterns: Sequence[str] | None = None,
    history: Sequence[Rep] | None = None,
    audio: Audio | None = None,
) -> Path:
    """Write (or rewrite) the rep's report.html from what the library holds now: its result, its audio
    copy (played through a relative link), the patterns over the reps before it, its reflection.

    ``question``, ``patterns``, ``history`` (the reps the patterns were found over, ending in this one)
    and ``audio`` (the decoded copy) may be passed when the caller has them already; otherwise they
    are looked up. Returns the page's path.
    """
    from .report.html import AudioSource, render_html

    if isinstance(rep, str):
        rep = library.get(rep)
    if question is None and rep.question_id:
        from .questions import question_or_none

        question = question_or_none(rep.question_id)
    if history is None:
        history = _quiet_history(library, rep)
    if patterns is None:
        from .patterns import latest_patterns

        patterns = latest_patterns(history, question=question)
    audio_file = rep.folder / rep.audio_file if rep.folder is not None and rep.audio_file else None
    if audio_file is not None and audio_file.is_file():
        source = AudioSource(quote(audio_file.name), name=audio_file.name)
        envelope = _envelope(audio if audio is not None else audio_file)
    else:
        when = f" on {rep.audio_deleted_at.astimezone():%Y-%m-%d}" if rep.audio_deleted_at else ""
        source = AudioSource(
            None,
            note=f"The audio of this rep was deleted{when}; the timeline and the transcript remain, without sound."
            if rep.audio_file is None
            else f"The audio file {rep.audio_file} is missing from the rep's folder.",
        )
        envelope = None
    html = render_html(
        rep.result,
        audio=source,
        envelope=envelope,
        question=question,
        patterns=patterns,
        rep=rep,
        reflection=reflection_pairs(_reflection(library, rep)),
        rep_links=_sibling_links(library, [r.id for r in history if r.id != rep.id]),
    )
    return library.write_html_report(rep.id, html)


def write_standalone_page(
    result: Result,
    path: Path,
    *,
    audio: Audio | Path,
    question: Question | None = None,
    patterns: Sequence[str] = (),
    rep: Rep | None = None,
    library: Library | None = None,
) -> Path:
    """``reps analyze --html PATH``: one page that carries its own sound (the decoded recording embedded as
    a 16 kHz WAV, ~43 kB per second), to keep or send anywhere. ``rep``: the rep it was saved as, if any;
    then the evidence of its patterns links to the library's reports."""
    from .audio import load_audio
    from .report.envelope import loudness_envelope, wav_data_uri
    from .report.html import AudioSource, render_html
    from .report.page import save_page

    decoded = audio if isinstance(audio, Audio) else load_audio(audio)
    links: dict[str, str] = {}
    if library is not None and rep is not None:
        links = {
            r.id: library.html_report_path(r.id).as_uri()
            for r in _quiet_history(library, rep)
            if r.id != rep.id and library.html_report_path(r.id).is_file()
        }
    html = render_html(
        result,
        audio=AudioSource(wav_data_uri(decoded), name=Path(result.audio_path).name, embedded=True),
        envelope=loudness_envelope(decoded),
        question=question,
        patterns=patterns,
        rep=rep,
        rep_links=links,
    )
    return save_page(html, Path(path))


def html_page_paths(paths: Sequence[Path], html: Path | None) -> list[Path | None]:
    """``--html PATH`` for each file: PATH itself for one file (PATH/<name>.html if PATH is a folder);
    for several, PATH is a folder holding <name>.html, <name>-2.html, ... when names repeat. Names are
    made harmless (files.unique_names), and a file already there that reps did not write is never
    replaced: the page takes the next free name."""
    from . import files

    if html is None:
        return [None] * len(paths)
    if len(paths) == 1 and not Path(html).is_dir():
        return [Path(html)]
    folder = Path(html)

    def taken(name: str) -> bool:
        page = folder / f"{name}.html"
        return page.exists() and not _written_by_reps(page)

    return [folder / f"{name}.html" for name in files.unique_names(paths, fallback="recording", taken=taken)]


def _written_by_reps(page: Path) -> bool:
    """True for a page reps wrote (its footer says so)."""
    try:
        with open(page, "rb") as f:
            f.seek(max(0, page.stat().st_size - 400_000))
            return b"Made by interview-reps" in f.read()
    except OSError:
        return False


def history_until(library: Library, rep: Rep, *, most: int = HISTORY_REPS) -> list[Rep]:
    """Up to ``most`` reps of the rep's question (or of no question) saved before it, then the rep itself:
    the reps its patterns were found over."""
    from .store import NO_QUESTION

    same = library.reps(rep.question_id or NO_QUESTION)
    ids = [r.id for r in same]
    earlier = (
        same[: ids.index(rep.id)] if rep.id in ids else [r for r in same if r.created_at <= rep.created_at]
    )
    return [*earlier[-most:], rep]


def reflection_pairs(answers: Mapping[str, str]) -> list[tuple[str, str]]:
    """Saved reflection answers as (question, answer), in the order the questions are asked; keys this
    version does not know follow, under their own name."""
    labels = dict(REFLECTION_QUESTIONS)
    known = [(labels[key], answers[key]) for key, _ in REFLECTION_QUESTIONS if answers.get(key)]
    other = [(key.replace("_", " "), value) for key, value in answers.items() if key not in labels and value]
    return known + other


# ------------------------------------------------------------------------------- an interview


def write_session_page(library: Library, summary: SessionSummary) -> Path:
    """A mock interview's page (summary.html in its folder): its answers linked to their reports
    (written first where missing), its patterns, its reflection. Returns its path."""
    from .report.page import save_page
    from .report.session import render_session_html

    path = library.session_page_path(summary.session.id)
    reps = [library.get(a.rep_id) for a in summary.answers if _exists(library, a.rep_id)]
    labels = dict(INTERVIEW_REFLECTION_QUESTIONS)
    reflection = [(labels.get(k, k.replace("_", " ")), v) for k, v in summary.session.reflection.items() if v]
    html = render_session_html(
        summary, links=_report_links(library, reps, path.parent), reflection=reflection
    )
    return save_page(html, path)


def _exists(library: Library, rep_id: str) -> bool:
    try:
        library.resolve(rep_id)
    except LibraryError:
        return False
    return True


# ------------------------------------------------------------------------------------- progress


def write_comparison_page(library: Library, comparison: Comparison, path: Path | None = None) -> Path:
    """``reps compare --html``: the compared reps' trend charts, verdicts, patterns and links, as one
    page (default: REPS_HOME/progress/<question or rep span>.html). Returns its path."""
    from .report.progress import render_progress_html

    name = comparison.question_id or f"{comparison.reps[0].id}_to_{comparison.reps[-1].id}"
    path = Path(path) if path is not None else library.page_path(name)
    links = _report_links(library, comparison.reps, path.parent)
    question = _question(comparison.question_id)
    title = f"Progress: {question.text}" if question else f"Progress: {len(comparison.reps)} reps"
    html = render_progress_html(comparison, links=links, title=title, question=question)
    from .report.page import save_page

    return save_page(html, path)


def write_progress_page(
    library: Library,
    path: Path | None = None,
    *,
    question_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    last: int | None = None,
    settings: PatternSettings | None = None,
) -> Path:
    """``reps progress``: the whole library (or one question, or a time range) on one page: trends of
    the key metrics over every rep with targets and baseline, then each question's reps and verdicts.
    Default path: REPS_HOME/progress.html. Raises LibraryError when no rep matches."""
    from .comparison import compare
    from .report.page import save_page
    from .report.progress import QuestionProgress, render_progress_html

    settings = settings or PatternSettings()
    reps = library.reps(question_id, since=since, until=until, limit=last)
    if not reps:
        raise LibraryError(
            f"no reps{f' of {question_id!r}' if question_id else ''} to show in {library.home}; "
            "`reps analyze FILE --question ID` adds one"
        )
    baseline = library.reps(limit=settings.baseline_reps)
    overall = compare(reps, baseline=baseline, question=_question(question_id), settings=settings)
    groups: dict[str | None, list[Rep]] = {}
    for rep in reps:
        groups.setdefault(rep.question_id, []).append(rep)
    sections = []
    for qid, members in sorted(groups.items(), key=lambda item: item[1][-1].created_at, reverse=True):
        question = _question(qid)
        comparison = (
            compare(members, baseline=baseline, question=question, settings=settings)
            if len(members) >= 2
            else None
        )
        sections.append(QuestionProgress(qid, question, tuple(members), comparison))
    path = Path(path) if path is not None else library.page_path(question_id or "")
    title = "Progress: every rep" if question_id is None else f"Progress: {question_id}"
    html = render_progress_html(
        overall,
        links=_report_links(library, reps, path.parent),
        title=title,
        question=_question(question_id),
        sections=sections if question_id is None else (),
    )
    return save_page(html, path)


# ---------------------------------------------------------------------------------------- helpers


def _envelope(audio: Audio | Path) -> Envelope | None:
    """The loudness of the rep's audio for the timeline; None when the copy cannot be decoded (the page
    still shows every mark, on a flat line)."""
    from .report.envelope import loudness_envelope

    try:
        return loudness_envelope(audio if isinstance(audio, Audio) else _decoded(audio))
    except RepsError:
        return None


def _decoded(path: Path) -> Audio:
    """The rep's audio copy, to draw: WAV and FLAC straight through soundfile at their own rate (drawing
    needs no resampling, and no PyAV); any other format through the analysis decoder."""
    import soundfile as sf

    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, OSError, ValueError):  # LibsndfileError is a RuntimeError
        from .audio import load_audio

        return load_audio(path)
    return Audio(str(path), samples.mean(axis=1), int(rate))


def _reflection(library: Library, rep: Rep) -> dict[str, str]:
    """The rep's saved reflection, read again (it may have been written after the rep was read); an
    unreadable reflection.json costs the page its reflection, not the page."""
    if rep.folder is None:
        return rep.reflection.to_dict() if rep.reflection else {}
    reflection = library.reflection(rep.id)
    return reflection.to_dict() if reflection else {}


def _quiet_history(library: Library, rep: Rep) -> list[Rep]:
    try:
        return history_until(library, rep)
    except LibraryError:
        return [rep]


def _sibling_links(library: Library, rep_ids: Sequence[str]) -> dict[str, str]:
    """Links from one rep's report to others' (their folders are siblings), for those that have one."""
    return {rid: f"../{quote(rid)}/report.html" for rid in rep_ids if library.html_report_path(rid).is_file()}


def _report_links(library: Library, reps: Sequence[Rep], page_dir: Path) -> dict[str, str]:
    """Rep id -> link from a page in ``page_dir`` to the rep's report.html, written first where missing
    (reps saved before the HTML report existed)."""
    links = {}
    for rep in reps:
        target = library.html_report_path(rep.id)
        if not target.is_file():
            try:
                target = write_rep_page(library, rep)
            except RepsError:
                continue
        links[rep.id] = _relative_url(target, page_dir)
    return links


def _relative_url(target: Path, start: Path) -> str:
    try:
        return quote(Path(os.path.relpath(target.resolve(), Path(start).resolve())).as_posix())
    except ValueError:  # another drive (Windows): no relative path
        return target.resolve().as_uri()


def _question(question_id: str | None) -> Question | None:
    if not question_id:
        return None
    from .questions import question_or_none

    return question_or_none(question_id)
