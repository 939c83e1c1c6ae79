"""Words and times as people read them: the one tokenizer and the one clock format."""

from __future__ import annotations

import re

_NOT_TOKEN = re.compile(r"[^a-z0-9']+")


def norm(word: str) -> str:
    """A token as it is counted: lower case, no punctuation ("Um," -> "um", "Don’t" -> "don't")."""
    return _NOT_TOKEN.sub("", word.lower().replace("’", "'"))


def phrase(text: str) -> str:
    """Each whitespace-separated word of ``text`` through ``norm``, joined by single spaces ("You know," -> "you know")."""
    return " ".join(token for token in (norm(word) for word in str(text).split()) if token)


def clock(t_s: float) -> str:
    """Seconds as m:ss, rounded to the nearest second (42.4 -> "0:42", 65.5 -> "1:06")."""
    t = max(0, int(round(t_s)))
    return f"{t // 60}:{t % 60:02d}"


def clock_exact(t_s: float) -> str:
    """Seconds as m:ss with the fraction kept, to the millisecond (99 -> "1:39", 7.5 -> "0:07.5"): a
    time the user typed, said back to them."""
    t_ms = max(0, int(round(t_s * 1000)))
    minutes, ms = divmod(t_ms, 60_000)
    seconds = f"{ms / 1000:g}"
    return f"{minutes}:{'0' if ms < 10_000 else ''}{seconds}"
