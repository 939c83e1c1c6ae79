"""Hedges and repeated words or phrases, from the transcript."""

from __future__ import annotations

from collections import defaultdict

from ..models import Phrase, Word
from .words import norm

# Hedging phrases (Yoodli, users.md); multi-word ones matched as phrases.
HEDGES = (
    "i think",
    "i guess",
    "i feel like",
    "i suppose",
    "i believe",
    "maybe",
    "probably",
    "perhaps",
    "sort of",
    "kind of",
    "a little bit",
    "just",
    "hopefully",
    "somewhat",
    "i'm not sure",
    "possibly",
)
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "i",
        "you",
        "we",
        "they",
        "he",
        "she",
        "my",
        "our",
        "your",
        "their",
        "me",
        "us",
        "them",
        "do",
        "did",
        "have",
        "has",
        "had",
        "not",
        "no",
        "as",
        "by",
        "from",
    ]
)


def find_hedges(tokens: list[str], words: tuple[Word, ...], skip: set[int]) -> list[Phrase]:
    """Each hedge with the times it was said; words already counted as fillers (``skip``) are not hedges."""
    hits: dict[str, list[float]] = defaultdict(list)
    patterns = sorted((h.split() for h in HEDGES), key=len, reverse=True)
    i = 0
    while i < len(tokens):
        for pattern in patterns:
            n = len(pattern)
            if tokens[i : i + n] == pattern and not skip.intersection(range(i, i + n)):
                hits[" ".join(pattern)].append(words[i].start)
                i += n - 1
                break
        i += 1
    return sorted((Phrase(text=k, times_s=tuple(v)) for k, v in hits.items()), key=lambda p: -p.count)


def find_repeats(tokens: list[str], words: tuple[Word, ...], skip: set[int]) -> list[Phrase]:
    """Stutter repeats ("I I", "the the") and phrases of 2-4 words said three or more times."""
    content = [(i, t) for i, t in enumerate(tokens) if i not in skip and t]
    hits: dict[str, list[float]] = defaultdict(list)
    for (i, a), (_j, b) in zip(content, content[1:], strict=False):
        if a == b:
            hits[f"{a} {b}"].append(words[i].start)
    seen: dict[str, list[float]] = defaultdict(list)
    for n in (4, 3, 2):
        for k in range(len(content) - n + 1):
            gram = [t for _, t in content[k : k + n]]
            if all(t in _STOPWORDS for t in gram) or len(set(gram)) == 1:
                continue
            seen[" ".join(gram)].append(words[content[k][0]].start)
    for phrase, times in seen.items():
        if len(times) >= 3 and not any(phrase in longer for longer in hits if longer != phrase):
            hits[phrase] = times
    return sorted(
        (Phrase(text=k, times_s=tuple(v)) for k, v in hits.items()), key=lambda p: (-p.count, p.text)
    )


def tokens_of(words: tuple[Word, ...]) -> list[str]:
    return [norm(w.text) for w in words]
