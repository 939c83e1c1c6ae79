"""The key numbers of one rep against their target bands: the rows every rendering shows (judged once,
in ``judge.py``, where the advice reads them too)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..judge import checks, content_checks
from ..models import Result
from ..settings import TargetBands

if TYPE_CHECKING:
    from ..questions import Question

Row = tuple[str, str, str, bool | None]  # (name, value, target, within target; None: not judged)


def key_numbers(result: Result, *, bands: TargetBands, question: Question | None = None) -> list[Row]:
    """(name, value, target, within target or None) rows shared by the terminal and Markdown reports."""
    return [(c.name, c.value, c.target, c.ok) for c in checks(result, bands=bands, question=question)]


def content_rows(result: Result) -> list[Row]:
    """What the answer said, as key-number rows: points, structure, I/we, specifics, vague words, job terms."""
    return [(c.name, c.value, c.target, c.ok) for c in content_checks(result)]
