"""The terminal, for the CLI only: rich consoles, the spinner, one-line errors and warnings.

Everything that draws on a terminal lives in this package (tables in ``tables``, the practice screens
in ``practice``); the library below it never prints.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


# rich is imported when something is drawn: `reps analyze --json` and the one-line messages need none of it.


def stdout() -> Console:
    """Reports on stdout."""
    from rich.console import Console

    return Console(highlight=False)


def wide_stdout() -> Console:
    """Tables of reps on stdout. Piped or redirected output does not wrap: give them room (120 columns)
    unless COLUMNS says otherwise."""
    from rich.console import Console

    if not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        return Console(width=120)
    return Console()


def stderr() -> Console:
    """Progress, questions and messages on stderr, so stdout stays data."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def error(message: str) -> None:
    """The line a failed file of a batch ends in, as the CLI ends any other failure: ``reps: error: ...``."""
    sys.stderr.write(f"reps: error: {message}\n")


def warning(message: str) -> None:
    sys.stderr.write(f"reps: warning: {message}\n")


def note(message: str) -> None:
    """A plain line on stderr."""
    sys.stderr.write(f"{message}\n")


@contextmanager
def spinner(message: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr while work runs, when stderr is a terminal; else silent. Yields a function
    that replaces its text ("transcribing ..." -> "Transcribing ...")."""
    if not sys.stderr.isatty():
        yield lambda _msg: None
        return
    from rich.console import Console

    with Console(stderr=True).status(message) as status:
        yield lambda msg: status.update(msg[:1].upper() + msg[1:] + "...")


def print_markdown(text: str) -> None:
    """Markdown rendered for reading on a terminal."""
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(text))
