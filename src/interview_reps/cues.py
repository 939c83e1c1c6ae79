"""Cue phrases: the small pattern language of the question bank, and matching it against spoken words.

A cue is a phrase; each word of it matches a spoken word with the same Snowball (Porter2) stem, so
"own" matches "owned" and "owning". Between two cue words up to ``gap_words`` other words may come
("cut time" matches "cut the build time"). Inside a cue:

- ``a|b|c``   any one of these words ("told|warned|emailed manager");
- ``word*``   any word that starts with ``word`` ("automat*": automate, automated, automation);
- ``=word``   this word exactly, not its other forms ("it =worked": not "it works");
- ``#num``    a number: 80, 1,000, 80%, twelve, half, double ("by #num percent"; "a|#num few");
- ``...``     a longer gap, up to ``LONG_GAP_WORDS`` words ("from ... to #num");
- ``@name``   (a whole cue) every cue of a shared group, such as ``@result`` (see ``CUE_GROUPS`` in
  ``analyze/content.py``); ``@short``: the answer ends within the question's target length;
- ``!cue``    (a whole cue) a point is covered only if the answer does NOT say this ("!hate|hated");
- ``^cue``    only at the start of a sentence, after "so", "and", "but", "well" ("^now we").

``a|b`` joins single words only: for phrases, write separate cues ("went with", "chose|picked").

Matching never crosses a sentence end, and a match is refused when "not", "never" or "no" come
right before it or inside it ("were not happy", "never properly trained") unless the cue says so. Contractions are expanded first ("I'd" -> "i would",
"didn't" -> "did not"), filled pauses (um, uh) are skipped, "%" reads as "percent".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# A "..." gap: the words of a short spoken clause ("from about two hours every night to 12 minutes").
LONG_GAP_WORDS = 6
# Cue groups known to the bank: kept here (not in analyze/) so the question bank can check cues
# without importing the analysis; analyze/content.py holds the cues of each group.
GROUP_NAMES = frozenset(
    {
        "result",
        "measured",
        "learned",
        "told",
        "listened",
        "example",
        "this_role",
        "plan",
        "feedback",
        "differently",
        "short",
    }
)

_WORD = re.compile(r"[a-z0-9][a-z0-9']*\*?")

NUMBER_WORDS = frozenset(
    """zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
    hundreds thousand thousands million millions billion half double doubled twice triple tripled
    dozen dozens""".split()
)
FILLED_PAUSES = frozenset("um umm ummm uhm uh uhh uhhh er erm ah ahh hm hmm hmmm mm mmm mhm eh".split())
_NOT = {"can't": "can", "won't": "will", "shan't": "shall", "ain't": "is"}
_S_IS = frozenset("it that there what here he she who where how".split())


@dataclass(frozen=True)
class Element:
    """One position of a cue: the stems or prefixes it accepts, or a number; ``gap`` words may precede it."""

    stems: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    exact: frozenset[str] = frozenset()
    number: bool = False
    long_gap: bool = False  # preceded by "..."

    def accepts(self, token: Token) -> bool:
        return (
            (self.number and token.number)
            or token.stem in self.stems
            or token.text in self.exact
            or any(token.text.startswith(p) for p in self.prefixes)
        )


@dataclass(frozen=True)
class Cue:
    """A parsed cue phrase; ``text`` is how the bank wrote it."""

    text: str
    elements: tuple[Element, ...]
    anchored: bool = False  # "^": at the start of a sentence


# Words a spoken sentence may open with before an anchored cue: "So now we...", "And, well, today...".
LEAD_OFF = frozenset("so and but well then like yeah okay ok oh right now".split()) - {"now"}


@dataclass(frozen=True)
class Token:
    """A spoken word as cues see it: normalized ``text``, its ``stem``, and the index of its ``Word``."""

    text: str
    stem: str
    word: int  # index into the words the tokens came from
    number: bool = False


class CueError(ValueError):
    """A cue the language cannot read; the message says what is wrong."""


def parse_cue(text: str) -> Cue | str:
    """A cue phrase compiled for matching, or the group name for ``@name``. Raises CueError."""
    anchored = text.strip().startswith("^")
    parsed = _syntax(text.strip().lstrip("^"))
    if isinstance(parsed, str):
        return parsed
    elements = tuple(
        Element(
            stems=frozenset(stem(a) for a in alts if not a.endswith("*") and a != "#num" and a[:1] != "="),
            prefixes=tuple(a[:-1] for a in alts if a.endswith("*")),
            exact=frozenset(a[1:] for a in alts if a[:1] == "="),
            number="#num" in alts,
            long_gap=gap,
        )
        for alts, gap in parsed
    )
    return Cue(text=text.strip(), elements=elements, anchored=anchored)


def check_cue(text: str) -> None:
    """Raise CueError if ``text`` is not a valid cue (syntax only: no stemmer is loaded)."""
    negated, body = split_negation(text)
    body = body.strip()
    if body.startswith("^"):
        body = body[1:]
        if body.startswith("@"):
            raise CueError(f"'{text}': '^' goes before a phrase, not a group")
    if negated and body.startswith("@"):
        raise CueError(f"'{text}': '!' goes before a phrase, not a group")
    _syntax(body)


def split_negation(text: str) -> tuple[bool, str]:
    """(True, "hate") for "!hate"; (False, text) otherwise."""
    stripped = text.strip()
    return (True, stripped[1:]) if stripped.startswith("!") else (False, stripped)


def _syntax(text: str) -> list[tuple[list[str], bool]] | str:
    """A cue as its positions (alternatives, preceded by "..."), or a group name."""
    raw = text.strip().lower().replace("\u2019", "'")
    if not raw:
        raise CueError("a cue must not be empty")
    if raw.startswith("@"):
        name = raw[1:]
        if name not in GROUP_NAMES:
            raise CueError(f"unknown cue group '@{name}'; groups are: {', '.join(sorted(GROUP_NAMES))}")
        return name
    out: list[tuple[list[str], bool]] = []
    long_gap = False
    for part in raw.split():
        if part == "...":
            if not out or long_gap:
                raise CueError(f"'{text}': '...' goes between two words")
            long_gap = True
            continue
        alts = part.split("|")
        for alt in alts:
            if alt != "#num" and not _WORD.fullmatch(alt.removeprefix("=")):
                raise CueError(
                    f"'{text}': '{alt or part}' is not a word; use letters, digits, ', a|b, word*, #num or ..."
                )
        if len(alts) == 1 and "'" in part and not part.endswith("*") and not part.startswith("="):
            words = expand(part)  # "didn't" -> "did not": two positions
            out.extend(([w], long_gap and n == 0) for n, w in enumerate(words))
        elif any("'" in a for a in alts):
            raise CueError(f"'{text}': write contractions out in alternatives ('did not', not 'didn't|...')")
        else:
            out.append((alts, long_gap))
        long_gap = False
    if long_gap:
        raise CueError(f"'{text}': '...' goes between two words")
    return out


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The Snowball English (Porter2) stem of a lower-case word."""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def normalize(text: str) -> str:
    """Lower-case word without punctuation (apostrophes kept): "Owned," -> "owned" (``text.norm``)."""
    from .text import norm

    return norm(text)


def expand(token: str) -> list[str]:
    """A normalized word as the words it stands for: "i'd" -> ["i", "would"], "team's" -> ["team"]."""
    if "'" not in token:
        return [token] if token else []
    if token in _NOT:
        return [_NOT[token], "not"]
    if token.endswith("n't"):
        return [token[:-3], "not"]
    base, _, tail = token.rpartition("'")
    if not base:
        return [tail] if tail else []
    if tail in ("re", "ve", "ll", "d", "m"):
        return [base, {"re": "are", "ve": "have", "ll": "will", "d": "would", "m": "am"}[tail]]
    if tail == "s":
        if base == "let":
            return ["let", "us"]
        return [base, "is"] if base in _S_IS else [base]
    return [token.replace("'", "")]


def is_number(token: str) -> bool:
    return any(c.isdigit() for c in token) or token in NUMBER_WORDS


def tokens_of(texts: list[str]) -> list[Token]:
    """Tokens of spoken words (their raw texts), skipping filled pauses; each keeps its word's index."""
    out: list[Token] = []
    for i, raw in enumerate(texts):
        for piece in raw.replace("-", " ").replace("/", " ").split():  # "one-on-one", "CI/CD": words
            word = normalize(piece)
            if not word or word in FILLED_PAUSES:
                continue
            for part in expand(word):
                out.append(Token(text=part, stem=stem(part), word=i, number=is_number(part)))
        if "%" in raw:
            out.append(Token(text="percent", stem="percent", word=i))
    return out


def find(cue: Cue, tokens: list[Token], *, gap_words: int) -> tuple[int, int] | None:
    """The first match of ``cue`` in ``tokens`` (one sentence) as token indices ``[i, j)``, or None."""
    first = cue.elements[0]
    starts = range(len(tokens))
    if cue.anchored:
        lead = 0
        while lead < len(tokens) and tokens[lead].text in LEAD_OFF:
            lead += 1
        starts = range(min(lead + 1, len(tokens)))
    negatable = not any(e.stems & _NEGATIONS or e.exact & _NEGATIONS for e in cue.elements)
    for i in starts:
        token = tokens[i]
        if first.accepts(token):
            end = _match_rest(cue.elements, 1, tokens, i + 1, gap_words)
            if end is None:
                continue
            if negatable and any(t.text in _NEGATIONS for t in tokens[max(0, i - 1) : end]):
                continue
            return i, end
    return None


_NEGATIONS = frozenset({"not", "never", "no"})


def _match_rest(elements: tuple[Element, ...], k: int, tokens: list[Token], pos: int, gap: int) -> int | None:
    if k == len(elements):
        return pos
    element = elements[k]
    reach = LONG_GAP_WORDS if element.long_gap else gap
    for p in range(pos, min(pos + reach + 1, len(tokens))):
        if element.accepts(tokens[p]):
            end = _match_rest(elements, k + 1, tokens, p + 1, gap)
            if end is not None:
                return end
    return None
