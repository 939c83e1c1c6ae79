"""Named points in saving and deleting where the fault-injection tests (tests/test_faults.py) stop a real
``reps`` process with a real signal, so each in-between state is reached exactly.

``REPS_FAILPOINT=save.published`` kills the process (SIGKILL) when it gets there;
``REPS_FAILPOINT=save.published:TERM`` sends SIGTERM instead. Unset (always, outside the tests), each
point costs one look-up in the environment.
"""

from __future__ import annotations

import os
import signal

ENV = "REPS_FAILPOINT"

# Every point, in the order a save reaches them (the tests go through each).
POINTS = (
    "save.folder-created",  # the hidden .tmp- folder exists, empty
    "save.audio-copying",  # part of the audio copy is written
    "save.audio-copied",  # the audio copy is whole, result.json not yet written
    "save.published",  # the rep folder is renamed into place, not yet in the index
    "save.indexed",  # in the index, no report yet
    "replace.written",  # a file being replaced (report, chart, reflection) is written aside, not yet renamed
    "practice.saved",  # practice: the rep is saved and reported, the recording not yet removed
    "delete.hidden",  # delete: the rep folder is renamed away, its files not yet removed
)


def reached(name: str) -> None:
    """Stop this process here if REPS_FAILPOINT names this point."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, signame = wanted.partition(":")
    if point == name:
        os.kill(os.getpid(), getattr(signal, f"SIG{signame or 'KILL'}"))
