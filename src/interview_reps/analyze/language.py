"""Hedges, restarts and stutters, and overused words or phrases, from the transcript."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

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


# Repetition (issue 12). Restarts and stutters ("a a", "in, in", "I was, I was", "th- the") are
# disfluencies, counted one by one; overused wording is a phrase said again soon after. Neither is
# ever looked for across a sentence end ("like that. That would" is no repeat).
MAX_RESTART_WORDS = 3  # "I was going, I was going" is a restart; longer runs are rhetoric
# A phrase (2-4 words) counts as repeated where it is said again within this time: a listener
# remembers the wording of the last 20 s or so, and a fixed window keeps the rate the same for the
# same delivery at any length (product choice).
REPEAT_WINDOW_S = 20.0
MIN_PHRASE_USES = 2  # "at least two uses before a phrase is a repeat"
# Single words that become verbal tics when said again and again (Speaker Coach's "repetitive
# words", users.md); a content word said often is usually the topic, so only these count, from 3 uses.
CRUTCH_WORDS = frozenset(
    ["really", "very", "literally", "honestly", "obviously", "definitely", "totally", "absolutely", "super"]
)
MIN_CRUTCH_USES = 3
_LEGIT_DOUBLES = frozenset(["had had", "that that"])  # "what he had had", "said that that was"


def _sentence_breaks(words: tuple[Word, ...]) -> list[int]:
    """For each word, the number of the sentence it belongs to."""
    out, n = [], 0
    for w in words:
        out.append(n)
        if w.sentence_end or w.text.rstrip().endswith((".", "?", "!")):
            n += 1
    return out


def _spoken(words: Sequence[Word]) -> str:
    """Words as spoken (the transcript's case), without the punctuation at either end."""
    return " ".join(w.text.strip() for w in words).strip(" .,;:?!\"'")


def find_restarts(tokens: list[str], words: tuple[Word, ...], skip: set[int]) -> list[Phrase]:
    """Restarts and stutters: a word cut off ("th-", "I-") or 1-3 words said again at once ("a a",
    "in, in", "I was, I was"), within one sentence. Each restart is one time; the text is as spoken."""
    sentence = _sentence_breaks(words)
    content = [i for i, t in enumerate(tokens) if i not in skip and t]
    hits: dict[str, list[float]] = defaultdict(list)
    surface: dict[str, str] = {}
    k = 0
    while k < len(content):
        i = content[k]
        if words[i].text.strip().rstrip(",").endswith(("-", "\u2014")) and k + 1 < len(content):
            j = content[k + 1]
            if sentence[j] == sentence[i]:
                key = f"{tokens[i]}- {tokens[j]}"
                hits[key].append(words[i].start)
                surface.setdefault(key, f"{words[i].text.strip()} {words[j].text.strip()}".rstrip(" .,;:?!"))
                k += 1
                continue
        found = 0
        for n in range(MAX_RESTART_WORDS, 0, -1):
            if k + 2 * n > len(content):
                continue
            first, second = content[k : k + n], content[k + n : k + 2 * n]
            if [tokens[a] for a in first] != [tokens[b] for b in second]:
                continue
            if len({sentence[a] for a in first + second}) != 1:
                continue  # never across a sentence end
            if n == 1 and f"{tokens[first[0]]} {tokens[second[0]]}" in _LEGIT_DOUBLES:
                continue
            key = " ".join(tokens[a] for a in first + second)
            hits[key].append(words[first[0]].start)
            surface.setdefault(key, _spoken([words[a] for a in first + second]))
            found = n
            break
        k += 2 * found if found else 1
    return sorted(
        (Phrase(text=surface[k], times_s=tuple(v)) for k, v in hits.items()),
        key=lambda p: (-p.count, p.times_s[0]),
    )


def find_repeats(
    tokens: list[str],
    words: tuple[Word, ...],
    skip: set[int],
    *,
    window_s: float = REPEAT_WINDOW_S,
) -> list[Phrase]:
    """Overused wording: phrases of 2-4 words (not all small words) said again within ``window_s``,
    at least ``MIN_PHRASE_USES`` such uses, and the crutch words said ``MIN_CRUTCH_USES`` times
    within it. Never across a sentence end; the words of a restart's second take are left out.
    ``times_s`` holds only the uses that have another within the window; the text is as spoken
    (its most common form). A phrase inside a longer one with the same uses is named once, longer."""
    sentence = _sentence_breaks(words)
    retaken = _restart_repeats(tokens, words, skip)
    content = [i for i, t in enumerate(tokens) if i not in skip and t and i not in retaken]
    uses: dict[str, list[tuple[float, int, int]]] = defaultdict(list)  # key -> (time, first k, last k)
    forms: dict[str, list[str]] = defaultdict(list)
    for n in (4, 3, 2, 1):
        for k in range(len(content) - n + 1):
            idx = content[k : k + n]
            gram = [tokens[i] for i in idx]
            if n == 1 and gram[0] not in CRUTCH_WORDS:
                continue
            if n > 1 and (all(t in _STOPWORDS or t in CRUTCH_WORDS for t in gram) or len(set(gram)) == 1):
                continue  # small words only (a crutch word counts on its own)
            if len({sentence[i] for i in idx}) != 1:
                continue
            key = " ".join(gram)
            if uses[key] and uses[key][-1][2] >= k:
                continue  # overlaps its own last use ("a b a b a")
            uses[key].append((words[idx[0]].start, k, k + n - 1))
            forms[key].append(_spoken([words[i] for i in idx]))
    found: list[tuple[str, tuple[float, ...]]] = []
    for key, said in uses.items():
        times = [t for t, _, _ in said]
        near = [
            j
            for j, t in enumerate(times)
            if any(abs(t - u) <= window_s for m, u in enumerate(times) if m != j)
        ]
        least = MIN_CRUTCH_USES if " " not in key else MIN_PHRASE_USES
        if len(near) < least:
            continue
        if " " not in key and not any(
            sum(1 for u in times if 0 <= u - times[j] <= window_s) >= least for j in near
        ):
            continue
        found.append((key, tuple(times[j] for j in near)))
    out = []
    for key, kept in found:
        if any(
            key != other and f" {key} " in f" {other} " and len(other_times) >= len(kept)
            for other, other_times in found
        ):
            continue  # "the new" inside "the new api", said as often: name the longer one
        text = max(dict.fromkeys(forms[key]), key=forms[key].count)
        out.append(Phrase(text=text, times_s=kept))
    return sorted(out, key=lambda p: (-p.count, p.times_s[0]))


def _restart_repeats(tokens: list[str], words: tuple[Word, ...], skip: set[int]) -> set[int]:
    """Indices of the words of a restart's second take ("I was, [I was]"): not wording to vary."""
    sentence = _sentence_breaks(words)
    content = [i for i, t in enumerate(tokens) if i not in skip and t]
    out: set[int] = set()
    k = 0
    while k < len(content):
        step = 1
        for n in range(MAX_RESTART_WORDS, 0, -1):
            first, second = content[k : k + n], content[k + n : k + 2 * n]
            same = len(second) == n and [tokens[a] for a in first] == [tokens[b] for b in second]
            if same and len({sentence[a] for a in first + second}) == 1:
                out.update(second)
                step = 2 * n
                break
        k += step
    return out


def tokens_of(words: tuple[Word, ...]) -> list[str]:
    return [norm(w.text) for w in words]
