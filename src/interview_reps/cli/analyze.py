"""`reps analyze`: feedback on saved recordings, one or many, in parallel processes if asked."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Generator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import RepsError
from ..settings import AnalysisSettings
from .options import (
    fallback_dir_option,
    job_option,
    job_terms,
    jobs_option,
    json_option,
    model_option,
    question_option,
)

if TYPE_CHECKING:
    from ..pipeline import RepReport
    from ..questions import Question


@click.command("analyze", short_help="Feedback on saved recordings, one or many.")
# readable=False: an unreadable file is that file's one-line error; the rest of the batch goes on.
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@json_option("Print one JSON object per file (schema 1) on stdout.")
@question_option(
    "Save the rep under this question id; the answer is judged against its points and structure."
)
@job_option("A job description (plain text): which of its terms the answer used.")
@click.option("--no-save", is_flag=True, help="Do not save the rep in the practice library.")
@model_option
@click.option(
    "--clips",
    "clips_dir",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Write each filler and long pause as a short WAV, plus an Audacity labels.txt, into DIR.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Also write a standalone HTML report with the audio embedded to PATH (a folder for several "
    "files); for a rep not saved, or one to keep elsewhere. Saved reps always get report.html in their folder.",
)
@click.option(
    "--long-pause",
    "long_pause_s",
    type=click.FloatRange(min=AnalysisSettings.min_pause_s),
    default=AnalysisSettings.long_pause_s,
    show_default=True,
    help="Pauses this long (seconds) or longer count as long.",
)
@click.option(
    "--recorded",
    "recorded",
    metavar="DATE|file",
    help="When the answer was given, for history and compare: a date (2026-11-20), a date and time, "
    "or 'file' for each file's modification time. Default: now.",
)
@click.option(
    "--channel",
    type=click.Choice(["left", "right", "1", "2"], case_sensitive=False),
    help="Only this channel of a stereo file (an interview recorded one voice per channel).",
)
@click.option(
    "--start",
    "start",
    metavar="TIME",
    help="Analyze from this time on (seconds or m:ss), e.g. where your answer starts after the question.",
)
@click.option("--end", "end", metavar="TIME", help="Analyze up to this time (seconds or m:ss).")
@jobs_option
@fallback_dir_option
def analyze_command(
    files: tuple[Path, ...],
    as_json: bool,
    question_id: str | None,
    job_file: Path | None,
    no_save: bool,
    model: str,
    clips_dir: Path | None,
    html_path: Path | None,
    long_pause_s: float,
    recorded: str | None,
    channel: str | None,
    start: str | None,
    end: str | None,
    jobs: int,
    fallback_dir: Path | None,
) -> None:
    """Feedback on saved recordings (wav, flac, mp3, m4a, ogg, webm).

    Each file becomes a rep in the practice library, with a copy of the audio, the JSON result and
    a Markdown report. Bad files are reported on one line each; the others are still analyzed. If the
    library cannot be written (read-only, disk full), each report is still printed, and saved in
    --fallback-dir if given.

    \b
    Examples:
      reps analyze answer.wav
      reps analyze takes/*.m4a --question tell-me-about-yourself --recorded file
      reps analyze answer.wav --question took-initiative --job job.txt
      reps analyze takes/*.wav --jobs 2          two files at a time
      reps analyze answer.wav --json --no-save | jq .metrics.wpm
      reps analyze answer.wav --clips clips/     listen to each flagged moment
      reps analyze answer.wav --no-save --html answer.html
                                                 a page to open in the browser
      reps analyze interview.wav --channel left  your voice, on its own channel
      reps analyze interview.wav --start 0:07 --end 2:10
                                                 your answer, not the question
    """
    from .. import console
    from ..pages import html_page_paths
    from ..pipeline import clip_dirs, parse_time_s, process_files, recorded_times
    from ..questions import get_question

    start_s = parse_time_s(start, "--start") if start is not None else None
    end_s = parse_time_s(end, "--end") if end is not None else None
    if start_s is not None and end_s is not None and end_s <= start_s:
        raise RepsError(f"--end {end} is not after --start {start}: give the range the answer is in")

    paths = list(files)
    # An unknown question id or a bad date fails before any work.
    question = get_question(question_id) if question_id is not None else None
    terms = job_terms(job_file)
    created_at = recorded_times(paths, recorded)
    library = fallback = None
    if not no_save:
        from ..store import Library

        library = Library()
        fallback = Library(fallback_dir) if fallback_dir is not None else None
    clips = clip_dirs(paths, clips_dir)
    status = _Relay()
    outcomes = process_files(
        paths,
        library=library,
        question=question,
        job_terms=terms,
        created_at=created_at,
        jobs=jobs,
        model=model,
        settings=replace(AnalysisSettings(), long_pause_s=long_pause_s),
        clips_dirs=clips,
        html_pages=html_page_paths(paths, html_path),
        progress=status,
        cut=(channel, start_s, end_s),
        fallback=fallback,
    )
    failed = 0
    try:
        failed = _print_outcomes(
            paths,
            outcomes,
            status,
            as_json=as_json,
            question=question,
            clips=clips,
            home=library.home if library is not None else None,
        )
    finally:
        outcomes.close()  # no worker process outlives the command
    if failed and len(paths) > 1:
        console.note(f"reps: {failed} of {len(paths)} files failed")
    if failed:
        sys.exit(1)


def _print_outcomes(
    paths: list[Path],
    outcomes: Generator[RepReport | RepsError, None, None],
    status: _Relay,
    *,
    as_json: bool,
    question: Question | None,
    clips: list[Path | None],
    home: Path | None,
) -> int:
    """Each file's report (or its error line) in input order; returns how many failed."""
    from .. import console

    failed = 0
    for n, path in enumerate(paths, 1):
        counter = f" ({n}/{len(paths)})" if len(paths) > 1 else ""
        console.note(f"Analyzing {path}{counter}...")
        with console.spinner(f"Transcribing and measuring {path.name}") as update:
            status.target = update
            outcome = next(outcomes)
        if isinstance(outcome, RepsError):
            console.error(str(outcome))
            failed += 1
            continue
        for warning in outcome.result.warnings:
            console.warning(warning)
        if as_json:
            data = outcome.rep.to_dict() if outcome.rep is not None else outcome.result.to_dict()
            sys.stdout.write(json.dumps(data) + "\n")
            sys.stdout.flush()
        else:
            from ..console.tables import print_summary

            print_summary(outcome, question=question)
        if clips[n - 1] is not None:
            console.note(f"Clips and labels.txt written to {clips[n - 1]}")
        if outcome.page_path is not None:
            console.note(f"HTML report (audio embedded) written to {outcome.page_path}")
        if outcome.not_saved is not None:
            console.error(
                f"{path}: not saved ({outcome.not_saved}); its report is above (--fallback-dir DIR saves it elsewhere)"
            )
            failed += 1
        elif outcome.saved_in is not None and outcome.saved_in != home:
            console.note(
                f"Saved in the library at {outcome.saved_in}: the practice library cannot be written"
            )
    return failed


class _Relay:
    """Progress from the library to whichever spinner is showing."""

    def __init__(self) -> None:
        self.target: Callable[[str], None] = lambda _message: None

    def __call__(self, message: str) -> None:
        self.target(message)
