"""The four reflection questions of the practice method, and what comes back of the answers: the
lines shown with a rep, "Last time: ..." before the next rep of its question, and recurring themes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .models import Reflection
from .text import norm

if TYPE_CHECKING:
    from .models import Rep

# REFLECTION_QUESTIONS (the four questions of the practice method) live in models, beside Reflection.

# How each answer is named when it is shown again ("what felt weak: the result was vague").
REFLECTION_LABELS: dict[str, str] = {
    "stumped": "what stumped me",
    "weak_or_vague": "what felt weak",
    "feedback_noticed": "feedback I noticed",
    "story_gap": "what didn't connect",
}

# Words too common to make a theme ("the", "was", "felt", ...): a theme is a word that carries meaning.
_COMMON = frozenset(
    """a an the and or but so to of in on at for with is was are were be been being it its this that
    these those i me my mine we us our you your he she they them their what which who how when where why
    not no nothing much more most too very really just bit little lot lots some any all felt feel feels
    did do does done had has have got get it's i'm didn't don't wasn't there then than like as by from
    about into out up over again still also one thing things kind sort maybe part way bit enough""".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
MIN_THEME_LETTERS = 4  # "end", "got": too short to be a theme on their own


def label(key: str) -> str:
    return REFLECTION_LABELS.get(key, key.replace("_", " "))


def reflection_lines(reflection: Reflection) -> list[str]:
    """One line per answer: "what felt weak: the result was vague"."""
    return [f"{label(key)}: {answer}" for key, answer in reflection.answers]


def last_time_line(reflection: Reflection, when: str) -> str:
    """ "Last time (Dec 01): what felt weak: the result was vague; what stumped me: the opening." """
    return f"Last time ({when}): " + "; ".join(reflection_lines(reflection)) + "."


def last_reflection(reps: Sequence[Rep]) -> Rep | None:
    """The most recent of ``reps`` (oldest first) that has a reflection."""
    return next((r for r in reversed(reps) if r.reflection), None)


def theme_words(reflection: Reflection) -> dict[str, tuple[str, str, str]]:
    """The words that carry meaning in a reflection: stem -> (the word as written, key, answer).

    Stems fold the usual endings ("openings", "opened" -> "open"), so the same theme said with
    another word of the family is found again."""
    out: dict[str, tuple[str, str, str]] = {}
    for key, answer in reflection.answers:
        for word in _WORD.findall(answer):
            token = norm(word)
            if len(token) < MIN_THEME_LETTERS or token in _COMMON:
                continue
            out.setdefault(stem(token), (word, key, answer))
    return out


def stem(token: str) -> str:
    """A light suffix-stripping stem ("openings" -> "open", "numbers" -> "number")."""
    for suffix in ("ings", "ing", "ed", "s"):
        if token.endswith(suffix) and not token.endswith("ss") and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)].rstrip("'")
    return token.rstrip("'")
