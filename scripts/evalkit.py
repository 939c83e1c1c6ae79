"""Scoring helpers for scripts/evaluate.py and scripts/bench.py: pure functions, no model, no audio I/O."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Filled pauses, spellings -> canonical class (er/ah count as uh, erm/uhm as um, mm/mhm/hmm as hm).
FILLER_CLASS: dict[str, str] = {
    **dict.fromkeys(["um", "umm", "ummm", "uhm", "uhmm", "erm"], "um"),
    **dict.fromkeys(["uh", "uhh", "uhhh", "er", "err", "ah", "ahh", "eh"], "uh"),
    **dict.fromkeys(["hm", "hmm", "hmmm", "mm", "mmm", "mhm", "mhmm"], "hm"),
}
FILLER_CLASSES = ("um", "uh", "hm")

# Discourse-marker phrases counted in the references (any use: a reference cannot say which "so" is a
# filler, so these counts are an upper bound; measurement.md §1 lists the markers).
MARKER_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "you know",
        "i mean",
        "kind of",
        "sort of",
        "like",
        "so",
        "actually",
        "basically",
        "literally",
        "honestly",
        "well",
    )
)

# Whisper-style spelling fixes applied to both sides before WER (after lower-casing).
_SPELLINGS = {
    "yknow": ["you", "know"],
    "y'know": ["you", "know"],
    "ya'know": ["you", "know"],
    "alright": ["all", "right"],
    "okay": ["ok"],
    "o.k.": ["ok"],
}
_BRACKETED = re.compile(r"<[^>]*>|\[[^\]]*\]")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:(st|nd|rd|th)\b)?")
_NON_WORD = re.compile(r"[^a-z0-9' ]+")

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_to_words(n: int) -> str:
    """Cardinal English words for 0 <= n < 10**9: 1961 -> "one thousand nine hundred sixty one"."""
    if n < 0:
        return "minus " + number_to_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + ("" if ones == 0 else " " + _ONES[ones])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return _ONES[hundreds] + " hundred" + ("" if rest == 0 else " " + number_to_words(rest))
    for size, name in ((10**6, "million"), (1000, "thousand")):
        if n >= size:
            high, rest = divmod(n, size)
            return number_to_words(high) + " " + name + ("" if rest == 0 else " " + number_to_words(rest))
    raise AssertionError("unreachable")


def normalize_tokens(text: str) -> list[str]:
    """Whisper-style normalisation: lower case, no punctuation, digits as words, ``<...>``/``[...]`` dropped.

    Apostrophes inside words stay ("i'm"); "yknow" -> "you know", "alright" -> "all right".
    Fillers are kept: use ``content_tokens`` to drop them.
    """
    text = _BRACKETED.sub(" ", text).replace("\u2019", "'").replace("\u2018", "'")

    def spell(match: re.Match[str]) -> str:
        value = int(match.group(1).replace(",", ""))
        return " " + number_to_words(value) + " " if value < 10**9 else match.group(0)

    text = _NUMBER.sub(spell, text)
    text = text.lower().replace("%", " percent ").replace("&", " and ").replace("-", " ")
    tokens: list[str] = []
    for raw in text.split():
        if raw in _SPELLINGS:  # before punctuation is stripped: "o.k."
            tokens.extend(_SPELLINGS[raw])
            continue
        token = _NON_WORD.sub("", raw).strip("'")
        if not token:
            continue
        tokens.extend(_SPELLINGS.get(token, [token]))
    return tokens


def filler_class(token: str) -> str | None:
    """Canonical filled-pause class of a normalised token ("erm" -> "um"), or None for a word."""
    return FILLER_CLASS.get(token)


def content_tokens(tokens: Iterable[str]) -> list[str]:
    """The tokens that are not filled pauses (discourse markers are words and stay)."""
    return [t for t in tokens if t not in FILLER_CLASS]


def filler_counts(tokens: Iterable[str]) -> Counter[str]:
    """Filled pauses per canonical class, from normalised tokens."""
    return Counter(c for c in (filler_class(t) for t in tokens) if c)


def matched_by_class(ref: Counter[str], hyp: Counter[str]) -> int:
    """Filled pauses matched by count: sum over classes of min(ref, hyp)."""
    return sum(min(ref[c], hyp[c]) for c in set(ref) | set(hyp))


def count_markers(tokens: Sequence[str]) -> Counter[str]:
    """Occurrences of each discourse-marker phrase, longest phrase first, no overlaps."""
    found: Counter[str] = Counter()
    phrases = sorted(MARKER_PHRASES, key=len, reverse=True)
    i = 0
    while i < len(tokens):
        for phrase in phrases:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                found[" ".join(phrase)] += 1
                i += len(phrase)
                break
        else:
            i += 1
    return found


# --- word error rate -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EditCounts:
    substitutions: int
    deletions: int
    insertions: int
    ref_words: int

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float:
        if self.ref_words == 0:
            return 0.0 if self.errors == 0 else float("inf")
        return self.errors / self.ref_words

    def __add__(self, other: EditCounts) -> EditCounts:
        return EditCounts(
            self.substitutions + other.substitutions,
            self.deletions + other.deletions,
            self.insertions + other.insertions,
            self.ref_words + other.ref_words,
        )


def align(ref: Sequence[str], hyp: Sequence[str]) -> list[tuple[str, str | None, str | None]]:
    """Levenshtein alignment: a list of (op, ref_token, hyp_token), op in ok/sub/del/ins.

    Ties prefer a match, then substitution, deletion, insertion, so the path is deterministic.
    """
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = i
    for j in range(1, m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            diag = cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1])
            cost[i][j] = min(diag, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    ops: list[tuple[str, str | None, str | None]] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            ops.append(("ok" if ref[i - 1] == hyp[j - 1] else "sub", ref[i - 1], hyp[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            ops.append(("del", ref[i - 1], None))
            i -= 1
        else:
            ops.append(("ins", None, hyp[j - 1]))
            j -= 1
    ops.reverse()
    return ops


def edit_counts(ref: Sequence[str], hyp: Sequence[str]) -> EditCounts:
    ops = Counter(op for op, _, _ in align(ref, hyp))
    return EditCounts(ops["sub"], ops["del"], ops["ins"], len(ref))


def describe_errors(ops: list[tuple[str, str | None, str | None]]) -> list[str]:
    """Readable word errors: "sound->spent", "-pretty" (deleted), "+the" (inserted)."""
    out = []
    for op, r, h in ops:
        if op == "sub":
            out.append(f"{r}->{h}")
        elif op == "del":
            out.append(f"-{r}")
        elif op == "ins":
            out.append(f"+{h}")
    return out


def compress_repeats(items: Sequence[str], *, max_period: int = 8) -> list[str]:
    """Collapse a sequence repeated back to back: a b a b a b c -> "(a b) x3", c (hallucination loops)."""
    out: list[str] = []
    i = 0
    while i < len(items):
        best_period, best_count = 1, 1
        for period in range(1, max_period + 1):
            unit = list(items[i : i + period])
            if len(unit) < period:
                break
            count = 1
            while list(items[i + count * period : i + (count + 1) * period]) == unit:
                count += 1
            if count > 1 and count * period > best_count * best_period:
                best_period, best_count = period, count
        if best_count > 1:
            unit = " ".join(items[i : i + best_period])
            out.append(f"({unit}) x{best_count}" if best_period > 1 else f"{unit} x{best_count}")
            i += best_period * best_count
        else:
            out.append(items[i])
            i += 1
    return out


# --- timings -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimedWord:
    start: float
    end: float
    text: str  # "" or "<sil>" for silence

    @property
    def is_silence(self) -> bool:
        return self.text in ("", "<sil>", "sil", "sp", "<eps>")


def read_words_tsv(path: Path) -> list[TimedWord]:
    """``start<TAB>end<TAB>word`` with a header line."""
    words = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0].strip().lower() == "start":
            continue
        words.append(TimedWord(float(parts[0]), float(parts[1]), parts[2].strip().lower()))
    return words


_TG_INTERVAL = re.compile(
    r"^\s*(?:xmin\s*=\s*)?([-\d.eE+]+)\s*\n\s*(?:xmax\s*=\s*)?([-\d.eE+]+)\s*\n\s*(?:text\s*=\s*)?\"((?:[^\"]|\"\")*)\"",
    re.M,
)


def read_textgrid_words(path: Path) -> list[TimedWord] | None:
    """Intervals of the first tier of a Praat TextGrid (short or long text format).

    Returns None when the intervals are not single words (a whole-utterance interval is no timing).
    """
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    tiers = re.split(r"\"IntervalTier\"", text)
    if len(tiers) < 2:
        return None
    words = [
        TimedWord(float(a), float(b), label.replace('""', '"').strip().lower())
        for a, b, label in _TG_INTERVAL.findall(tiers[1])
    ]
    spoken = [w for w in words if not w.is_silence]
    if not spoken or any(len(w.text.split()) > 1 for w in spoken):
        return None
    return words


@dataclass(frozen=True)
class AlignmentFix:
    """A known alignment error (eval README): relabel ``[start, end)`` as one ``label`` interval."""

    start: float
    end: float
    label: str
    # Pauses touching this stretch are not judged: the alignment is wrong there.
    unjudged: bool = True


# The eval README's known alignment errors. mfa_acoustic_corpus: the "uh" at ~13.9-14.9 s is labelled
# as silence. mfa_cold_corpus: "uh uh" (7.01-7.02 and 7.31-7.86) where the .txt has one "uh" (~7.0-7.3).
KNOWN_FIXES: dict[str, tuple[AlignmentFix, ...]] = {
    "mfa_acoustic_corpus": (AlignmentFix(13.90, 14.87, "uh"),),
    "mfa_cold_corpus": (AlignmentFix(7.01, 7.86, "uh"),),
}


def apply_fixes(words: list[TimedWord], fixes: Sequence[AlignmentFix]) -> list[TimedWord]:
    """Replace every interval lying inside a fix's span by one interval with the fix's label."""
    out = list(words)
    for fix in fixes:
        inside = [w for w in out if w.start >= fix.start - 1e-6 and w.end <= fix.end + 1e-6]
        out = [w for w in out if w not in inside] + [TimedWord(fix.start, fix.end, fix.label)]
        out.sort(key=lambda w: w.start)
    return out


def spoken(words: Sequence[TimedWord]) -> list[TimedWord]:
    return [w for w in words if not w.is_silence]


def silences_between(words: Sequence[TimedWord], *, start: float, end: float) -> list[tuple[float, float]]:
    """Every stretch of ``[start, end)`` not covered by a spoken word (any length)."""
    out = []
    t = start
    for w in sorted(spoken(words), key=lambda w: w.start):
        if w.start > t + 1e-6:
            out.append((t, min(w.start, end)))
        t = max(t, w.end)
    if end > t + 1e-6:
        out.append((t, end))
    return [(a, b) for a, b in out if b > a]


@dataclass(frozen=True)
class RefPause:
    start: float
    end: float
    start_known: bool = True
    end_known: bool = True

    @property
    def duration_s(self) -> float:
        return self.end - self.start


def reference_pauses(words: Sequence[TimedWord], *, min_s: float = 0.25) -> list[RefPause]:
    """Silent gaps of at least ``min_s`` between the first and the last spoken word."""
    said = sorted(spoken(words), key=lambda w: w.start)
    if len(said) < 2:
        return []
    gaps = silences_between(said, start=said[0].start, end=said[-1].end)
    return [RefPause(a, b) for a, b in gaps if b - a >= min_s - 1e-9]


# --- matching in time --------------------------------------------------------------------------------


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Seconds between two intervals; negative overlap when they overlap (more overlap = smaller)."""
    gap = max(a[0], b[0]) - min(a[1], b[1])
    return gap


def _greedy_pairs(candidates: list[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """One-to-one (hyp, ref) pairs from (cost, hyp index, ref index) candidates, cheapest first."""
    used_h: set[int] = set()
    used_r: set[int] = set()
    pairs = []
    for _, hi, ri in sorted(candidates):
        if hi not in used_h and ri not in used_r:
            used_h.add(hi)
            used_r.add(ri)
            pairs.append((hi, ri))
    return sorted(pairs)


def match_in_time(
    hyp: Sequence[tuple[float, float]], ref: Sequence[tuple[float, float]], *, tolerance_s: float = 0.2
) -> list[tuple[int, int]]:
    """One-to-one pairs (hyp index, ref index) whose intervals overlap once widened by ``tolerance_s``.

    Greedy on distance (most overlap first), which is optimal enough for a few fillers per clip.
    """
    candidates = sorted(
        (distance(h, r), hi, ri)
        for hi, h in enumerate(hyp)
        for ri, r in enumerate(ref)
        if distance(h, r) <= tolerance_s + 1e-9
    )
    return _greedy_pairs(candidates)


def match_by_overlap(
    hyp: Sequence[tuple[float, float]], ref: Sequence[tuple[float, float]]
) -> list[tuple[int, int]]:
    """One-to-one pairs (hyp index, ref index) of overlapping intervals, largest overlap first."""
    candidates = sorted(
        (
            (-overlap(h, r), hi, ri)
            for hi, h in enumerate(hyp)
            for ri, r in enumerate(ref)
            if overlap(h, r) > 0
        ),
    )
    return _greedy_pairs(candidates)


# --- pauses ------------------------------------------------------------------------------------------


@dataclass
class PauseScore:
    """Detected pauses against reference pauses, for one recording."""

    ref_counted: int = 0  # reference pauses >= min_ref_s
    found: int = 0
    missed: list[RefPause] = field(default_factory=list)
    edge_errors_s: list[float] = field(default_factory=list)  # |detected - reference|, known edges
    start_bias_s: list[float] = field(default_factory=list)  # detected - reference start (+: starts late)
    end_bias_s: list[float] = field(default_factory=list)  # detected - reference end (-: ends early)
    matched: list[tuple[tuple[float, float], RefPause]] = field(default_factory=list)
    false: list[tuple[float, float]] = field(default_factory=list)  # >= false_min_s in fluent speech
    extra: list[tuple[float, float]] = field(default_factory=list)  # unmatched, in some reference silence
    over_fillers: list[tuple[tuple[float, float], tuple[float, float]]] = field(default_factory=list)
    unjudged: int = 0

    def __iadd__(self, other: PauseScore) -> PauseScore:
        for name in ("ref_counted", "found", "unjudged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in (
            "missed",
            "edge_errors_s",
            "start_bias_s",
            "end_bias_s",
            "matched",
            "false",
            "extra",
            "over_fillers",
        ):
            getattr(self, name).extend(getattr(other, name))
        return self


def score_pauses(
    detected: Sequence[tuple[float, float]],
    ref_pauses: Sequence[RefPause],
    ref_silences: Sequence[tuple[float, float]],
    *,
    judged: Sequence[tuple[float, float]],
    unjudged: Sequence[tuple[float, float]] = (),
    ref_fillers: Sequence[tuple[float, float]] = (),
    min_ref_s: float = 0.3,
    false_min_s: float = 0.4,
    silence_overlap_s: float = 0.05,
) -> PauseScore:
    """Compare detected pauses with the reference.

    - Detected and reference pauses touching an ``unjudged`` stretch (a known alignment error) are
      left out.
    - ``ref_pauses`` (all >= 0.25 s) are matched one-to-one by overlap; those >= ``min_ref_s`` are
      counted found or missed, and edge errors are taken on their known edges.
    - An unmatched detected pause is judged only when at least half of it lies in ``judged``
      regions (where timings are known). False pause: judged, >= ``false_min_s``, with under
      ``silence_overlap_s`` of reference silence inside it (it sits in fluent speech); the other
      judged ones are ``extra`` (in some silence, but no reference pause of >= 0.25 s).
    - ``over_fillers``: a detected pause covering >= 0.1 s of a reference filled pause.
    """
    score = PauseScore()
    usable = [p for p in ref_pauses if not any(overlap((p.start, p.end), u) > 0 for u in unjudged)]
    candidates = []
    for d in detected:
        if any(overlap(d, u) > 0 for u in unjudged):
            score.unjudged += 1
        else:
            candidates.append(d)
    pairs = match_by_overlap(candidates, [(p.start, p.end) for p in usable])
    matched_det = {hi for hi, _ in pairs}
    matched_ref = {ri for _, ri in pairs}
    for hi, ri in pairs:
        p = usable[ri]
        if p.duration_s < min_ref_s - 1e-9:
            continue
        d = candidates[hi]
        score.matched.append((d, p))
        if p.start_known:
            score.edge_errors_s.append(abs(d[0] - p.start))
            score.start_bias_s.append(d[0] - p.start)
        if p.end_known:
            score.edge_errors_s.append(abs(d[1] - p.end))
            score.end_bias_s.append(d[1] - p.end)
    for ri, p in enumerate(usable):
        if p.duration_s >= min_ref_s - 1e-9:
            score.ref_counted += 1
            if ri in matched_ref:
                score.found += 1
            else:
                score.missed.append(p)
    for hi, d in enumerate(candidates):
        score.over_fillers += [(d, f) for f in ref_fillers if overlap(d, f) >= 0.1]
        if hi in matched_det:
            continue
        # Only where timings are known can an unmatched pause be called false.
        if sum(overlap(d, j) for j in judged) < 0.5 * (d[1] - d[0]):
            score.unjudged += 1
            continue
        in_silence = sum(overlap(d, s) for s in ref_silences)
        if d[1] - d[0] >= false_min_s - 1e-9 and in_silence < silence_overlap_s:
            score.false.append(d)
        else:
            score.extra.append(d)
    return score


def wpm(content_words: int, start_s: float, end_s: float) -> float:
    """Words per minute over the speaking span (first word start to last word end)."""
    span = end_s - start_s
    return 60.0 * content_words / span if span > 0 else 0.0


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None
