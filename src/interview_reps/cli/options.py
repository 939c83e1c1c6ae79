"""Options shared by several commands, defined once (defaults from the library's own dataclasses)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..settings import DEFAULT_MODEL

F = TypeVar("F", bound=Callable[..., Any])


def json_option(help: str) -> Callable[[F], F]:
    """``--json``: data on stdout for scripts (progress and messages stay on stderr)."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def question_option(help: str) -> Callable[[F], F]:
    return click.option("--question", "question_id", metavar="ID", help=help)


def model_option(f: F) -> F:
    return click.option(
        "--model",
        default=DEFAULT_MODEL,
        show_default=True,
        help="built-in model (tiny.en, base: offline) or another faster-whisper model name (downloaded only if asked for and online) or a local model folder.",
    )(f)


def device_option(f: F) -> F:
    return click.option(
        "--device", metavar="INDEX|NAME", help="Microphone: index or part of the name (`reps devices`)."
    )(f)


def recording_options(
    *, prep_s: float, max_s: float, prep_help: str, answer: str = "the answer"
) -> Callable[[F], F]:
    """How an answer is recorded (``reps practice``, ``reps interview``): --prep-seconds, --max-seconds,
    --stop-on-silence, --device, --sample-rate. ``answer``: "each answer" where it records several."""
    options = [
        click.option(
            "--prep-seconds",
            "prep_s",
            type=click.FloatRange(min=0),
            metavar="SECONDS",
            default=prep_s,
            show_default=True,
            help=prep_help,
        ),
        click.option(
            "--max-seconds",
            "max_s",
            type=click.FloatRange(min=1),
            metavar="SECONDS",
            default=max_s,
            show_default=True,
            help=f"End {answer} after this many seconds of audio.",
        ),
        click.option(
            "--stop-on-silence",
            "stop_on_silence_s",
            type=click.FloatRange(min=0.5),
            metavar="SECONDS",
            help=f"End {answer} after this many seconds of silence once you have spoken (off by default).",
        ),
        device_option,
        click.option(
            "--sample-rate",
            "sample_rate_hz",
            type=click.IntRange(min=8000),
            metavar="HZ",
            help="Record at this rate instead of 16000 Hz (or the device's default if it refuses "
            "16000); the audio is resampled to 16 kHz for analysis.",
        ),
    ]

    def apply(f: F) -> F:
        for option in reversed(options):
            f = option(f)
        return f

    return apply


def jobs_option(f: F) -> F:
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        metavar="N",
        help="Analyze N files at a time, each in its own process (results still print in input order). "
        "Up to the number of CPU cores helps.",
    )(f)


def fallback_dir_option(f: F) -> F:
    return click.option(
        "--fallback-dir",
        "fallback_dir",
        type=click.Path(path_type=Path, file_okay=False),
        metavar="DIR",
        help="If the practice library cannot be written (read-only, disk full), save the rep in a "
        "library in DIR instead (REPS_HOME=DIR reps history lists it).",
    )(f)


def job_option(help: str) -> Callable[[F], F]:
    """``--job FILE``: a job description as plain text (its terms: ``analyze.content.job_terms_from_file``)."""
    return click.option("--job", "job_file", type=click.Path(path_type=Path), metavar="FILE", help=help)


def job_terms(job_file: Path | None) -> tuple[str, ...]:
    """The terms of ``--job FILE``; a missing, unreadable or empty file fails before any work."""
    if job_file is None:
        return ()
    from ..analyze.content import job_terms_from_file

    return job_terms_from_file(job_file)


DAY = click.DateTime(formats=["%Y-%m-%d"])


def open_option(help: str) -> Callable[[F], F]:
    """``--open``: open the page in the browser (it is written first)."""
    return click.option("--open", "open_page", is_flag=True, help=help)


def open_in_browser(path: Path) -> None:
    """Open a written page in the default browser; a warning (not an error) when there is none."""
    import webbrowser

    from .. import console

    try:
        opened = webbrowser.open(Path(path).resolve().as_uri())
    except webbrowser.Error:
        opened = False
    if not opened:
        console.warning(f"no browser found to open {path}; open it yourself")
