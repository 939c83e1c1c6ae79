"""One exception family: every user-facing failure is a RepsError with a one-line message."""

from __future__ import annotations


class RepsError(Exception):
    """A failure the user can act on. ``str(error)`` is the whole message, on one line."""


class AudioError(RepsError):
    """A recording cannot be read or judged (missing, empty, corrupt, too short, no speech)."""


class ModelError(RepsError):
    """The transcription model cannot be found or loaded."""


class DeviceError(RepsError):
    """No usable microphone, or PortAudio is missing."""


class QuestionError(RepsError):
    """The question bank is broken or a question id is unknown."""


class LibraryError(RepsError):
    """The practice library (REPS_HOME) cannot be read or written, or a rep id is unknown."""


class LibraryWriteError(LibraryError):
    """The practice library cannot be written (read-only, full disk, no permission): what was measured
    is still shown, and can be saved elsewhere."""


class RepsWarning(UserWarning):
    """Something the user should know that stopped nothing (a damaged index rebuilt, a leftover removed)."""


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so that clean-up runs (a BaseException: nothing catches it
    by accident)."""
