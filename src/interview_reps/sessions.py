"""The summary of a mock interview: each answer's key numbers and advice, and what ran through them all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .models import Rep, Result, Session, UnsavedAnswer
from .patterns import find_patterns
from .settings import InterviewSettings, PatternSettings, TargetBands
from .text import clock, norm

# Openings that stall rather than answer (users.md: fillers, hedging; "So, ..." is the classic one).
# One word, or the first two or four words for the phrases.
STALL_OPENERS = frozenset(
    {"so", "well", "um", "uh", "er", "erm", "hmm", "okay", "ok", "yeah", "right", "alright", "basically"}
    | {"honestly", "like", "and", "but", "i mean", "you know", "good question", "great question"}
    | {"that's a good question", "that's a great question", "that's an interesting question"}
)
# Patterns across reps (patterns.py) that read the same across the answers of one interview.
_CROSS_ANSWER_KINDS = (
    "slow_start",
    "top_filler",
    "filler_after_phrase",
    "pace_high",
    "pace_low",
    "pace_rises",
    "pace_falls",
    "early_long_pause",
)
# Of those, the ones about an answer's overall pace: judged only where the pace itself is (TargetBands).
_PACE_KINDS = frozenset({"pace_high", "pace_low"})


@dataclass(frozen=True)
class AnswerSummary:
    """One answer of the interview: which question, its key numbers, one line of advice."""

    number: str  # "2" for the second question, "2a" for the follow-up asked after it
    rep_id: str
    question_id: str | None
    question: str  # the question as it was asked
    is_follow_up: bool
    length_s: float  # start of the recording to the last word
    target_s: tuple[float, float] | None
    wpm: float | None  # None: too few words to judge
    fillers_per_min: float
    longest_pause_s: float
    time_to_first_word_s: float
    advice: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "rep_id": self.rep_id,
            "question_id": self.question_id,
            "question": self.question,
            "follow_up": self.is_follow_up,
            "length_s": round(self.length_s, 3),
            "target_seconds": list(self.target_s) if self.target_s else None,
            "wpm": None if self.wpm is None else round(self.wpm, 1),
            "fillers_per_min": round(self.fillers_per_min, 2),
            "longest_pause_s": round(self.longest_pause_s, 3),
            "time_to_first_word_s": round(self.time_to_first_word_s, 3),
            "advice": self.advice,
        }


@dataclass(frozen=True)
class UnsavedLine:
    number: str
    question: str
    answer: UnsavedAnswer


@dataclass(frozen=True)
class SessionSummary:
    """The whole interview: its answers in order, those that did not become reps, and its patterns."""

    session: Session
    answers: tuple[AnswerSummary, ...]
    unsaved: tuple[UnsavedLine, ...]
    patterns: tuple[str, ...]  # strongest first

    @property
    def asked(self) -> int:
        """Main questions asked (follow-ups aside)."""
        numbers = {a.number for a in self.answers if not a.is_follow_up}
        numbers |= {u.number for u in self.unsaved if u.answer.follow_up is None}
        return len(numbers)

    @property
    def speaking_s(self) -> float:
        return sum(a.length_s for a in self.answers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "session": self.session.to_dict(),
            "planned": len(self.session.question_ids),
            "asked": self.asked,
            "saved": len(self.answers),
            "answers": [a.to_dict() for a in self.answers],
            "unsaved": [
                {"number": u.number, "question": u.question, **u.answer.to_dict()} for u in self.unsaved
            ],
            "patterns": list(self.patterns),
        }


def summarize_session(
    session: Session,
    reps: Sequence[Rep],
    *,
    question_text: Callable[[str], str | None] | None = None,
    target_s: Callable[[str], tuple[float, float] | None] | None = None,
    settings: InterviewSettings | None = None,
    patterns: PatternSettings | None = None,
    bands: TargetBands | None = None,
) -> SessionSummary:
    """The summary of ``session`` from its saved ``reps`` (any order).

    ``question_text`` and ``target_s`` look up a question id in the bank (None when it is no longer
    there: the id is shown instead, and no target is judged).
    """
    settings = settings or InterviewSettings()
    patterns = patterns or PatternSettings()
    bands = bands or TargetBands()
    text_of = question_text or (lambda qid: None)
    target_of = target_s or (lambda qid: None)
    ordered = sorted(reps, key=lambda r: (r.created_at, r.id))
    # Each rep knows its number in the interview; reps without one (written by hand) go by question id.
    by_number: dict[str, Rep] = {}
    for each in ordered:
        number = each.session.answer if each.session is not None else ""
        if number and number not in by_number:
            by_number[number] = each
    rest = [r for r in ordered if r not in by_number.values()]
    mains = [r for r in rest if r.follow_up is None]
    follow_ups = [r for r in rest if r.follow_up is not None]
    unsaved_left = list(session.unsaved)
    answers: list[AnswerSummary] = []
    unsaved: list[UnsavedLine] = []
    main_by_number: dict[str, Rep] = {}

    for position, qid in enumerate(session.question_ids, start=1):
        number = str(position)
        asked = text_of(qid) or qid
        rep = by_number.pop(number, None) or _pop_rep(mains, qid, follow_up=False)
        if rep is not None:
            main_by_number[number] = rep
            answers.append(_answer(number, rep, asked, target_of(qid), bands))
        elif (lost := _pop_unsaved(unsaved_left, qid, number, follow_up=False)) is not None:
            unsaved.append(UnsavedLine(number, asked, lost))
        follow = by_number.pop(f"{number}a", None) or _pop_rep(follow_ups, qid, follow_up=True)
        if follow is not None:
            said = follow.follow_up.text if follow.follow_up is not None else asked
            answers.append(_answer(f"{number}a", follow, said, None, bands))
        elif (lost := _pop_unsaved(unsaved_left, qid, f"{number}a", follow_up=True)) is not None:
            unsaved.append(UnsavedLine(f"{number}a", lost.follow_up or "", lost))
    mains += [r for r in by_number.values() if r.follow_up is None]
    follow_ups += [r for r in by_number.values() if r.follow_up is not None]
    # Reps of the session that match no planned question (the bank changed, a hand-edited file): last.
    for rep in [*mains, *follow_ups]:
        asked = (
            rep.follow_up.text if rep.follow_up else (text_of(rep.question_id or "") or rep.question_id or "")
        )
        answers.append(_answer("?", rep, asked, None, bands))
    unsaved += [UnsavedLine("?", u.follow_up or u.question_id or "", u) for u in unsaved_left]

    numbered = sorted(main_by_number.items(), key=lambda item: int(item[0]))
    found = session_patterns(
        [(n, r, target_of(r.question_id or "")) for n, r in numbered],
        settings=settings,
        patterns=patterns,
        bands=bands,
    )
    return SessionSummary(session, tuple(answers), tuple(unsaved), tuple(found))


def _pop_rep(reps: list[Rep], question_id: str, *, follow_up: bool) -> Rep | None:
    """The first of ``reps`` that answers ``question_id`` (or, with ``follow_up``, the follow-up to it), removed."""
    for i, rep in enumerate(reps):
        of = rep.follow_up.of if rep.follow_up is not None else rep.question_id
        if of == question_id and (rep.follow_up is not None) == follow_up:
            return reps.pop(i)
    return None


def _pop_unsaved(
    items: list[UnsavedAnswer], question_id: str, number: str, *, follow_up: bool
) -> UnsavedAnswer | None:
    """The unsaved answer numbered ``number``, else (no number saved) the first to ``question_id``."""
    for i, item in enumerate(items):
        if item.answer == number:
            return items.pop(i)
    for i, item in enumerate(items):
        if not item.answer and item.question_id == question_id and (item.follow_up is not None) == follow_up:
            return items.pop(i)
    return None


def _answer(
    number: str, rep: Rep, asked: str, target: tuple[float, float] | None, bands: TargetBands
) -> AnswerSummary:
    m = rep.result.metrics
    advice = rep.result.feedback[0].message if rep.result.feedback else ""
    return AnswerSummary(
        number=number,
        rep_id=rep.id,
        question_id=rep.question_id,
        question=asked,
        is_follow_up=rep.follow_up is not None,
        length_s=answer_length_s(rep.result),
        target_s=target,
        wpm=m.wpm if m.word_count >= bands.min_words_to_judge_pace else None,
        fillers_per_min=m.fillers_per_min,
        longest_pause_s=m.longest_pause_s,
        time_to_first_word_s=m.time_to_first_word_s,
        advice=advice,
    )


def answer_length_s(result: Result) -> float:
    """From the start of the recording (the question) to the last word."""
    m = result.metrics
    return m.answer_length_s or (m.time_to_first_word_s + m.speaking_span_s) or m.duration_s


# --------------------------------------------------------------------------------------- patterns


Numbered = tuple[str, Rep, tuple[float, float] | None]  # (answer number, rep, its target length)


def session_patterns(
    answers: Sequence[Numbered],
    *,
    settings: InterviewSettings | None = None,
    patterns: PatternSettings | None = None,
    bands: TargetBands | None = None,
) -> list[str]:
    """What runs through the main answers of one interview (``(number, rep, target)`` in order), as
    sentences: how they open, how their length and pace drift, where the longest pause falls, and the
    cross-rep patterns of patterns.py read across these answers. Pace is read only in answers with
    words enough to judge it (``bands.min_words_to_judge_pace``), as the summary's pace column is."""
    s = settings or InterviewSettings()
    p = patterns or PatternSettings()
    b = bands or TargetBands()
    n = len(answers)
    if n < s.min_answers:
        return []
    out: list[str] = []
    opener = _openers(answers, s)
    if opener:
        out.append(opener)
    out += _trends(answers, s, p, b)
    early = _longest_pause_early(answers, s, p)
    if early:
        out.append(early)
    out += _off_target(answers, s)
    window = replace(p, window_reps=n, min_reps=s.min_answers, min_share=s.min_share)
    number_of = {rep.id: number for number, rep, _ in answers}
    everything = [rep for _, rep, _ in answers]
    paced = [rep for rep in everything if rep.result.metrics.word_count >= b.min_words_to_judge_pace]
    found = [f for f in find_patterns(everything, settings=window) if f.kind not in _PACE_KINDS]
    found += [f for f in find_patterns(paced, settings=window) if f.kind in _PACE_KINDS]
    for pattern in found:
        if pattern.kind not in _CROSS_ANSWER_KINDS or (pattern.kind == "early_long_pause" and early):
            continue
        if not _enough(pattern.count, n, s):
            continue
        details = "; ".join(
            f"{e.detail} (answer {number_of.get(e.rep_id or '', '?')})" for e in pattern.evidence
        )
        out.append(f"{_capital(pattern.description)} in {_how_many(pattern.count, n)}: {details}.")
    return out


def _how_many(count: int, of: int) -> str:
    return f"every answer ({count} of {of})" if count == of else f"{count} of {of} answers"


def _enough(count: int, of: int, s: InterviewSettings) -> bool:
    return count >= s.min_answers and count >= s.min_share * of


def opening(result: Result) -> str | None:
    """The stall an answer opens with ("so", "um", "that's a good question"), or None."""
    tokens = [norm(w.text) for w in sorted(result.words, key=lambda w: w.start)[:5]]
    tokens = [t for t in tokens if t]
    for size in (4, 2, 1):
        if len(tokens) >= size and " ".join(tokens[:size]) in STALL_OPENERS:
            return " ".join(tokens[:size])
    return None


def _openers(answers: Sequence[Numbered], s: InterviewSettings) -> str | None:
    n = len(answers)
    opened = [(number, opening(rep.result)) for number, rep, _ in answers]
    stalls = [(number, word) for number, word in opened if word]
    counts = Counter(word for _, word in stalls)
    if counts:
        word, top = counts.most_common(1)[0]
        if _enough(top, n, s):
            return f'Started {top} of {n} answers with "{word}"' + (
                "." if top == n else f" (answers {_list(nr for nr, w in stalls if w == word)})."
            )
    if _enough(len(stalls), n, s):
        words = ", ".join(f'"{w}"' for w in counts)
        return f"Started {len(stalls)} of {n} answers with a filler or stall ({words}): open with the answer itself."
    return None


def kendall_tau(values: Sequence[float]) -> float:
    """Rank correlation of ``values`` with their order, -1 (always falling) to 1 (always rising)."""
    n = len(values)
    if n < 2:
        return 0.0
    score = sum((values[j] > values[i]) - (values[j] < values[i]) for i in range(n) for j in range(i + 1, n))
    return score / (n * (n - 1) / 2)


def _trends(
    answers: Sequence[Numbered], s: InterviewSettings, p: PatternSettings, b: TargetBands
) -> list[str]:
    if len(answers) < s.trend_min_answers:
        return []
    out = []
    lengths = [answer_length_s(rep.result) for _, rep, _ in answers]
    # Both in seconds and against each question's target (its midpoint): a short closing question after
    # two long stories is no drift, and neither is a drift that only the targets make.
    relative = [
        length / ((t[0] + t[1]) / 2) if t else length
        for length, (_, _, t) in zip(lengths, answers, strict=True)
    ]
    shown = " → ".join(clock(x) for x in lengths)
    change = s.length_change_fraction
    if all(kendall_tau(x) <= -s.trend_min_tau and x[-1] <= (1 - change) * x[0] for x in (lengths, relative)):
        out.append(
            f"Answers got shorter as the interview went on ({shown}), also against each question's target."
        )
    elif all(kendall_tau(x) >= s.trend_min_tau and x[-1] >= (1 + change) * x[0] for x in (lengths, relative)):
        out.append(
            f"Answers got longer as the interview went on ({shown}), also against each question's target."
        )

    judged = [
        rep.result.metrics.wpm
        for _, rep, _ in answers
        if rep.result.metrics.word_count >= b.min_words_to_judge_pace
    ]
    if len(judged) >= s.trend_min_answers:
        tau = kendall_tau(judged)
        change = judged[-1] - judged[0]
        shown = " → ".join(f"{w:.0f}" for w in judged)
        if tau >= s.trend_min_tau and change >= p.pace_change_wpm:
            out.append(
                f"Pace rose as the interview went on ({shown} wpm): nerves speed people up; breathe between answers."
            )
        elif tau <= -s.trend_min_tau and -change >= p.pace_change_wpm:
            out.append(f"Pace fell as the interview went on ({shown} wpm).")

    fillers = [rep.result.metrics.fillers_per_min for _, rep, _ in answers]
    tau = kendall_tau(fillers)
    if tau >= s.trend_min_tau and fillers[-1] - fillers[0] >= s.filler_change_per_min:
        shown = " → ".join(f"{f:.1f}" for f in fillers)
        out.append(f"Fillers rose as the interview went on ({shown} per minute).")
    return out


def _longest_pause_early(answers: Sequence[Numbered], s: InterviewSettings, p: PatternSettings) -> str | None:
    """The longest pause of most answers falls in their first seconds (from the first word)."""
    n = len(answers)
    early = []
    for number, rep, _ in answers:
        result = rep.result
        pauses = [q for q in result.pauses if q.duration_s >= p.early_pause_min_s]
        if not pauses:
            continue
        longest = max(pauses, key=lambda q: q.duration_s)
        if longest.start <= result.metrics.time_to_first_word_s + p.early_window_s:
            early.append((number, longest))
    if not _enough(len(early), n, s):
        return None
    details = "; ".join(f"{q.duration_s:.1f} s at {clock(q.start)} (answer {number})" for number, q in early)
    return (
        f"The longest pause came in the first {p.early_window_s:g} s of {_how_many(len(early), n)}: {details}. "
        "Know your first two sentences before you start."
    )


def _off_target(answers: Sequence[Numbered], s: InterviewSettings) -> list[str]:
    n = len(answers)
    over, under = [], []
    for number, rep, target in answers:
        if target is None:
            continue
        length = answer_length_s(rep.result)
        if length > target[1]:
            over.append(number)
        elif 0 < length < target[0]:
            under.append(number)
    out = []
    for found, what in ((over, "Ran past the target length"), (under, "Stopped short of the target length")):
        if _enough(len(found), n, s):
            which = "" if len(found) == n else f" (answers {_list(found)})"
            out.append(f"{what} in {_how_many(len(found), n)}{which}.")
    return out


def _list(items: Any) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
