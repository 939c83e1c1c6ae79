"""Fillers: discourse markers judged by context. Filled pauses are found by ``detector.py``."""

from __future__ import annotations

from ..models import Filler, Word
from ..text import norm

# Words that, before "kind of"/"sort of", make it a noun phrase: "a kind of database", "what sort of team".
_DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "any",
        "some",
        "every",
        "each",
        "one",
        "no",
        "another",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "its",
    ]
)
# After "you know" / "I mean", these make it a real verb: "you know the answer", "I mean it".
_OBJECTS = frozenset(
    [
        "that",
        "what",
        "how",
        "why",
        "where",
        "when",
        "who",
        "whom",
        "whether",
        "if",
        "the",
        "a",
        "an",
        "it",
        "him",
        "her",
        "them",
        "me",
        "us",
        "this",
        "those",
        "these",
        "about",
        "of",
        "to",
        "my",
        "your",
        "his",
        "their",
        "our",
    ]
)
_CLAUSE_STARTERS = frozenset({"and", "but", "so", "or", "because"})
_SENTENCE_ADVERBS = frozenset({"actually", "basically", "literally", "honestly", "obviously", "well"})


def find_discourse_markers(words: tuple[Word, ...], *, min_pause_s: float) -> list[tuple[int, int]]:
    """Index ranges ``[i, j)`` of words acting as discourse-marker fillers.

    A marker counts only where it is set off from the clause: by punctuation, a pause of at least
    ``min_pause_s``, a filled pause, or the start/end of a sentence. "I like this job", "a kind of
    database" and "you know the answer" do not count.
    """
    tokens = [norm(w.text) for w in words]
    found: list[tuple[int, int]] = []

    def boundary_before(i: int) -> bool:
        if i == 0:
            return True
        prev = words[i - 1]
        return (
            prev.text[-1:] in ",.?!;:"
            or prev.sentence_end
            or prev.filler
            or words[i].start - prev.end >= min_pause_s
            or tokens[i - 1] in _CLAUSE_STARTERS
            and boundary_before(i - 1)
        )

    def boundary_after(j: int) -> bool:  # after word j-1
        last = words[j - 1]
        if j >= len(words):
            return True
        return last.text[-1:] in ",.?!;:" or words[j].filler or words[j].start - last.end >= min_pause_s

    i = 0
    while i < len(words):
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(words) else ""
        span = None
        if t == "you" and nxt == "know":
            after = tokens[i + 2] if i + 2 < len(words) else ""
            if boundary_after(i + 2) or (boundary_before(i) and after not in _OBJECTS and after != "what"):
                span = (i, i + 2)
        elif t == "i" and nxt == "mean":
            if boundary_after(i + 2):
                span = (i, i + 2)
        elif t in ("kind", "sort") and nxt == "of":
            prev = tokens[i - 1] if i > 0 else ""
            if prev not in _DETERMINERS and prev not in ("the", "of") and i > 0:
                span = (i, i + 2)
        elif t == "like" or t == "so" or t in _SENTENCE_ADVERBS:
            if boundary_before(i) and boundary_after(i + 1):
                span = (i, i + 1)
        elif t == "right" and words[i].text.rstrip().endswith("?") and boundary_before(i):
            span = (i, i + 1)
        if span:
            found.append(span)
            i = span[1]
        else:
            i += 1
    return found


def marker_fillers(words: tuple[Word, ...], markers: list[tuple[int, int]]) -> list[Filler]:
    """The discourse markers of ``find_discourse_markers`` as fillers."""
    return [
        Filler(
            text=" ".join(norm(w.text) for w in words[i:j]),
            start=words[i].start,
            end=words[j - 1].end,
            kind="discourse_marker",
            source="transcript",
        )
        for i, j in markers
    ]
