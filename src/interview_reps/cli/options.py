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
