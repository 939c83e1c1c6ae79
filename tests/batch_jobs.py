"""Jobs for tests/test_batch.py: module-level, so that worker processes can import them."""

from __future__ import annotations

import os
import time


def square_or_die(x: int, die_on: int) -> int:
    """x squared, or the worker process dies at once (as a crash in native code would end it)."""
    if x == die_on:
        os._exit(3)
    return x * x


def pid(_x: int) -> tuple[int, str | None]:
    """The worker's process id and thread setting, after long enough for a second worker to start."""
    time.sleep(0.5)
    return os.getpid(), os.environ.get("OMP_NUM_THREADS")
