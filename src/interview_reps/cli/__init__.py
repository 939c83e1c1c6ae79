"""The `reps` command: a Click group that registers the commands and turns errors into one line.

Each command parses its options, calls one library function and prints through ``console``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import click

from .. import __version__
from ..errors import RepsError, RepsWarning, Terminated
from .analyze import analyze_command
from .interview import interview_command, sessions_command
from .library import (
    compare_command,
    delete_command,
    export_command,
    history_command,
    library_group,
    progress_command,
    reflect_command,
    show_command,
)
from .practice import devices_command, mic_check_command, practice_command, questions_command


class RepsGroup(click.Group):
    """Turns every RepsError, Ctrl-C and SIGTERM into one line on stderr and a non-zero exit; library
    warnings into one line each. Everything a command creates is readable by the user only."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _private_files(), _sigterm_raises(), _one_line_warnings():
                return super().invoke(ctx)
        except RepsError as exc:
            message, code = f"reps: error: {exc}", 1
        except KeyboardInterrupt:
            message, code = "reps: interrupted", 130
        except Terminated:
            message, code = "reps: terminated", 128 + signal.SIGTERM
        click.echo(message, err=True)
        # Exit outside the handler, so the traceback (and all it holds: worker pools, open files) is
        # released and cleaned up before the interpreter stops.
        sys.exit(code)


@contextlib.contextmanager
def _private_files() -> Iterator[None]:
    """umask 077: every file and folder a command makes (the library's, a clips folder, an export) is
    the user's alone, whatever writes it (SQLite, matplotlib, soundfile, ours)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """SIGTERM raises Terminated, so that clean-up runs as for Ctrl-C (a half-saved rep is removed, the
    recording's place is said) before the exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: Any) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _one_line_warnings() -> Iterator[None]:
    """A RepsWarning is one ``reps: warning:`` line on stderr (other warnings as Python shows them)."""
    with warnings.catch_warnings():  # restores the filters and showwarning afterwards
        warnings.simplefilter("always", RepsWarning)
        previous = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
            if issubclass(category, RepsWarning):
                sys.stderr.write(f"reps: warning: {message}\n")
            else:
                previous(message, category, *args, **kwargs)

        warnings.showwarning = show
        yield


@click.group(cls=RepsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reps")
def cli() -> None:
    """Practise interview answers out loud and see honestly how each rep went.

    Everything runs on this computer: audio never leaves it.

    \b
    Examples:
      reps practice              answer a question from the bank, out loud
      reps interview             a mock interview: five questions, read aloud
      reps analyze answer.m4a    feedback on a saved recording
      reps analyze *.wav --json  one JSON object per file, for scripts
      reps history               every rep so far
      reps compare               what improved, what regressed
      reps show latest --open    the last rep in the browser: see and hear it
      reps progress --open       trends over every rep, each a link to its report
    """


for command in (
    analyze_command,
    questions_command,
    practice_command,
    interview_command,
    sessions_command,
    devices_command,
    mic_check_command,
    history_command,
    show_command,
    reflect_command,
    compare_command,
    progress_command,
    export_command,
    delete_command,
    library_group,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="reps")
