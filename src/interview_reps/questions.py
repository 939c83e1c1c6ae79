"""The question bank: built-in TOML files from prompts/ plus the user's own in REPS_HOME/questions/."""

from __future__ import annotations

import difflib
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cues import CueError, check_cue
from .errors import QuestionError
from .settings import reps_home

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from datetime import datetime

    from .models import Content

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

# Lower-case words joined by single hyphens: ids and categories are typed on the command line.
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_REQUIRED = ("id", "text", "category", "target_seconds")
_OPTIONAL = {"structure": "direct", "points": (), "follow_ups": ()}
_FIELDS = (*_REQUIRED, *_OPTIONAL)
# Every report, the JSON and the terminal card repeat a question's text and points, so their size is
# bounded. The longest built-in question is 94 characters and its longest point 64: these leave room
# for any real question, and stop a pasted document (a 10 MB question made every report 11 MB).
MAX_TEXT_CHARS = 500
MAX_POINT_CHARS = 300
MAX_POINTS = 12
MAX_FOLLOW_UPS = 12
MAX_STRUCTURE_CHARS = 80
# A question file bigger than this is no question bank (the built-in files are under 6 kB).
MAX_FILE_BYTES = 1_000_000
_POINT_FIELDS = ("text", "cues")
_FOLLOW_UP_FIELDS = ("text", "when", "point")
# When a follow-up fits, keyed to what the content analysis found (``Content.findings``).
FOLLOW_UP_WHEN = {
    "always": "after any answer",
    "no_result": "the answer never said how it ended",
    "no_measurable_result": "the answer gave no number for what changed",
    "no_specifics": "no number, name or other specific in the answer",
    "mostly_we": "most sentences that say what was done say 'we'",
    "vague": "vague words ('stuff', 'things', 'a lot of') three times or more",
    "missed_point": "a point of the question was not covered (``point = N`` for one of them)",
}


@dataclass(frozen=True)
class FollowUp:
    """What an interviewer asks next, and when it fits (a key of ``FOLLOW_UP_WHEN``)."""

    text: str
    when: str = "always"
    point: int | None = None  # with when = "missed_point": the point (1-based) whose absence it asks about

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "when": self.when, "point": self.point}


# What the structure names in the bank stand for (prompts/*.toml).
STRUCTURES = {
    "STAR": "Situation, Task, Action, Result",
    "CAR": "Context, Action, Result",
    "PREP": "Point, Reason, Example, Point again",
    "Present-Past-Future": "where you are now, how you got here, what you want next",
    "direct": "answer in the first sentence, then one reason or example",
}


@dataclass(frozen=True)
class Question:
    """One interview question; ``target_s`` is the (min, max) length of a good spoken answer in seconds."""

    id: str
    text: str
    category: str
    target_s: tuple[float, float]
    structure: str
    points: tuple[str, ...]
    source: str  # the TOML file the question came from
    # Per point, the cue phrases that show an answer covers it (cues.py); () where the bank has none.
    cues: tuple[tuple[str, ...], ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()

    def cues_for(self, n: int) -> tuple[str, ...]:
        """The cues of point ``n`` (0-based); () when it has none."""
        return self.cues[n] if n < len(self.cues) else ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "category": self.category,
            "target_seconds": [plain_number(s) for s in self.target_s],
            "structure": self.structure,
            "points": list(self.points),
            "source": self.source,
            "cues": [list(self.cues_for(n)) for n in range(len(self.points))],
            "follow_ups": [f.to_dict() for f in self.follow_ups],
        }


def pick_follow_up(question: Question, content: Content) -> FollowUp | None:
    """The follow-up an interviewer would ask after this answer, or None.

    The first of the question's follow-ups, in bank order, whose ``when`` the content analysis found
    (``content.findings``); a follow-up with ``when = "always"`` only if no keyed one fits.
    """
    found = set(content.findings)
    for follow_up in question.follow_ups:
        if follow_up.when == "always":
            continue
        if follow_up.when == "missed_point":
            if (follow_up.point is None and any(f.startswith("missed_point:") for f in found)) or (
                f"missed_point:{follow_up.point}" in found
            ):
                return follow_up
        elif follow_up.when in found:
            return follow_up
    return next((f for f in question.follow_ups if f.when == "always"), None)


def user_questions_dir() -> Path:
    """Where the user's own question files live: ``REPS_HOME/questions``."""
    return reps_home() / "questions"


def load_questions(*, extra_dir: Path | None = None) -> list[Question]:
    """The built-in bank followed by the user's questions from ``extra_dir`` (default REPS_HOME/questions).

    A user question with the id of a built-in one replaces it in place. A missing user folder means no
    user questions. Raises QuestionError, naming the file, for anything malformed.
    """
    bank: dict[str, Question] = {}
    for file in _toml_files(_builtin_dir()):
        for question in _load_file(file):
            if question.id in bank:
                raise QuestionError(
                    f"{question.source}: duplicate id '{question.id}' (also in {bank[question.id].source})"
                )
            bank[question.id] = question

    user_dir = Path(extra_dir) if extra_dir is not None else user_questions_dir()
    seen: dict[str, Question] = {}
    for file in _toml_files(user_dir) if user_dir.is_dir() else []:
        for question in _load_file(file):
            if question.id in seen:
                raise QuestionError(
                    f"{question.source}: duplicate id '{question.id}' (also in {seen[question.id].source})"
                )
            seen[question.id] = question
            bank[question.id] = question  # replaces a built-in in place, else appends
    return list(bank.values())


def get_question(question_id: str, *, extra_dir: Path | None = None) -> Question:
    """The question with this id; QuestionError with a close-match suggestion if there is none."""
    bank = {q.id: q for q in load_questions(extra_dir=extra_dir)}
    if question_id in bank:
        return bank[question_id]
    close = difflib.get_close_matches(question_id, list(bank), n=1) or [i for i in bank if question_id in i]
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise QuestionError(f"unknown question id '{question_id}'{hint}; see `reps questions`")


def question_or_none(question_id: str | None) -> Question | None:
    """The question with this id, or None (no id, an unknown id, or a broken bank): for judging saved
    reps, where a question since removed from the bank must not stop anything."""
    if not question_id:
        return None
    try:
        return get_question(question_id)
    except QuestionError:
        return None


def categories(questions: Iterable[Question] | None = None, *, extra_dir: Path | None = None) -> list[str]:
    """Category names in bank order (of ``questions``, or of the whole bank if not given)."""
    if questions is None:
        questions = load_questions(extra_dir=extra_dir)
    return list(dict.fromkeys(q.category for q in questions))


def resolve_category(name: str, valid: Sequence[str]) -> str:
    """A category as a person types it: any case, spaces for hyphens, US spelling, or a unique prefix
    ("Behavioral", "leadership" -> "behavioural", "leadership-and-conflict")."""
    wanted = "-".join(name.strip().lower().replace("_", " ").split()).replace("behavioral", "behavioural")
    if wanted in valid:
        return wanted
    matches = [c for c in valid if c.startswith(wanted)] if wanted else []
    if len(matches) == 1:
        return matches[0]
    raise QuestionError(f"unknown category '{name}'; choose from: {', '.join(valid)}")


def filter_questions(
    questions: Sequence[Question], *, category: str | None = None, search: str | None = None
) -> list[Question]:
    """Questions in ``category`` (case-insensitive) whose id, text or points contain every word of ``search``.

    Raises QuestionError listing the valid categories if ``category`` is not one of them.
    """
    selected = list(questions)
    if category is not None:
        wanted = resolve_category(category, categories(selected))
        selected = [q for q in selected if q.category == wanted]
    if search:
        words = search.lower().split()
        selected = [
            q for q in selected if all(w in " ".join((q.id, q.text, *q.points)).lower() for w in words)
        ]
    return selected


def summary(selected: Sequence[Question], bank: Sequence[Question]) -> str:
    """One line such as "11 of 96 questions, 1 category"."""
    if not selected:
        return f"No question matches (the bank has {len(bank)})"
    n = len({q.category for q in selected})
    return f"{len(selected)} of {len(bank)} questions, {n} {'category' if n == 1 else 'categories'}"


def pick_question(
    bank: Sequence[Question],
    *,
    question_id: str | None = None,
    category: str | None = None,
    practised: Mapping[str, datetime] | None = None,
    rng: random.Random | None = None,
    prefer: Sequence[str] = (),
) -> Question:
    """The question for this rep: ``question_id`` if given, else one from ``category`` (or the whole
    bank) not practised yet, chosen at random, else the one practised longest ago.

    ``practised``: question id -> time of its latest rep (``Library.last_practised``). ``prefer``:
    question ids to choose from first (those that fit a job description, ``--job``), when any of
    them is in the pool.
    """
    if question_id is not None:
        found = [q for q in bank if q.id == question_id]
        return found[0] if found else get_question(question_id)  # get_question raises with a hint
    pool = filter_questions(bank, category=category) if category else list(bank)
    if not pool:
        raise QuestionError("the question bank is empty; add questions to REPS_HOME/questions/*.toml")
    wanted = set(prefer)
    pool = [q for q in pool if q.id in wanted] or pool
    practised = practised or {}
    fresh = [q for q in pool if q.id not in practised]
    if fresh:
        return (rng or random.Random()).choice(fresh)
    return min(pool, key=lambda q: practised[q.id])


def _builtin_dir() -> Traversable:
    """prompts/ inside the installed package, else the repository's prompts/ (editable install)."""
    from importlib.resources import files

    packaged = files("interview_reps").joinpath("prompts")
    if packaged.is_dir():
        return packaged
    repo = Path(__file__).resolve().parents[2] / "prompts"
    if repo.is_dir():
        return repo
    raise QuestionError(f"the built-in question bank is missing (looked in {packaged} and {repo}); reinstall")


def _toml_files(folder: Traversable) -> list[Traversable]:
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise QuestionError(f"{folder}: cannot read the folder: {exc.strerror or exc}") from exc
    return sorted((f for f in entries if f.name.endswith(".toml") and f.is_file()), key=lambda f: f.name)


def _load_file(file: Traversable) -> list[Question]:
    source = str(file)
    try:
        with file.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise QuestionError(f"{source}: too big for a question file (over {MAX_FILE_BYTES // 1000} kB)")
        data = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise QuestionError(f"{source}: invalid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise QuestionError(f"{source}: not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except OSError as exc:
        raise QuestionError(f"{source}: cannot read: {exc.strerror or exc}") from exc

    unknown = [key for key in data if key != "question"]
    if unknown:
        raise QuestionError(
            f"{source}: unknown top-level key '{unknown[0]}'; questions go in [[question]] blocks"
        )
    entries = data.get("question", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise QuestionError(
            f"{source}: 'question' must be an array of tables: write [[question]], not [question]"
        )
    return [_parse(entry, source, n) for n, entry in enumerate(entries, start=1)]


def _parse(entry: dict[str, Any], source: str, n: int) -> Question:
    where = f"{source}: question {n}" + (f" ('{entry['id']}')" if isinstance(entry.get("id"), str) else "")

    def fail(problem: str) -> QuestionError:
        return QuestionError(f"{where}: {problem}")

    for key in entry:
        if key not in _FIELDS:
            close = difflib.get_close_matches(key, _FIELDS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f"; fields are: {', '.join(_FIELDS)}"
            raise fail(f"unknown field '{key}'{hint}")
    for key in _REQUIRED:
        if key not in entry:
            raise fail(f"missing field '{key}'")

    for key in ("id", "text", "category", "structure"):
        value = entry.get(key, _OPTIONAL.get(key))
        if not isinstance(value, str) or not value.strip():
            raise fail(f"'{key}' must be a non-empty string, not {_describe(value)}")
    for key in ("id", "category"):
        if not _KEBAB.fullmatch(entry[key]):
            raise fail(
                f"'{key}' must be lower-case words joined by hyphens, like 'tell-me-about-yourself', not '{entry[key]}'"
            )

    target = entry["target_seconds"]
    if (
        not isinstance(target, list)
        or len(target) != 2
        or not all(isinstance(s, (int, float)) and not isinstance(s, bool) for s in target)
    ):
        raise fail(f"'target_seconds' must be two numbers [min, max], not {_describe(target)}")
    lo, hi = float(target[0]), float(target[1])
    if not 0 < lo <= hi:
        raise fail(f"'target_seconds' must satisfy 0 < min <= max, not [{target[0]}, {target[1]}]")

    points, cues = _parse_points(entry.get("points", []), fail)
    follow_ups = _parse_follow_ups(entry.get("follow_ups", []), len(points), fail)
    _check_sizes(entry, points, follow_ups, fail)

    return Question(
        id=entry["id"],
        text=entry["text"].strip(),
        category=entry["category"],
        target_s=(lo, hi),
        structure=entry.get("structure", _OPTIONAL["structure"]).strip(),
        points=points,
        source=source,
        cues=cues,
        follow_ups=follow_ups,
    )


def _check_sizes(
    entry: dict[str, Any],
    points: Sequence[str],
    follow_ups: Sequence[FollowUp],
    fail: Callable[[str], QuestionError],
) -> None:
    """Text, structure, points and follow-ups within the MAX_* bounds."""
    for key, most in (("text", MAX_TEXT_CHARS), ("structure", MAX_STRUCTURE_CHARS)):
        if len(entry.get(key, "").strip()) > most:
            raise fail(f"'{key}' is {len(entry[key].strip()):,} characters long; at most {most} are allowed")
    for key, items, most in (("points", points, MAX_POINTS), ("follow_ups", follow_ups, MAX_FOLLOW_UPS)):
        if len(items) > most:
            raise fail(f"'{key}' has {len(items)} entries; at most {most} are allowed")
    texts = [*points, *(f.text for f in follow_ups)]
    for text in texts:
        if len(text) > MAX_POINT_CHARS:
            raise fail(
                f"a point or follow-up is {len(text):,} characters long; at most {MAX_POINT_CHARS} are allowed"
            )


def _parse_points(
    points: Any, fail: Callable[[str], QuestionError]
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """``points``: a list of strings, or of tables ``{text, cues}`` ([[question.points]] blocks)."""
    if not isinstance(points, list):
        raise fail(
            f"'points' must be a list of non-empty strings or [[question.points]] tables, not {_describe(points)}"
        )
    texts: list[str] = []
    cues: list[tuple[str, ...]] = []
    for n, point in enumerate(points, start=1):
        text: Any
        point_cues: Any
        if isinstance(point, str):
            text, point_cues = point, []
        elif isinstance(point, dict):
            for key in point:
                if key not in _POINT_FIELDS:
                    raise fail(f"point {n}: unknown field '{key}'; a point has: {', '.join(_POINT_FIELDS)}")
            text, point_cues = point.get("text"), point.get("cues", [])
            if not isinstance(point_cues, list) or not all(isinstance(c, str) for c in point_cues):
                raise fail(f"point {n}: 'cues' must be a list of strings, not {_describe(point_cues)}")
        else:
            raise fail(f"'points' must be a list of non-empty strings, not {_describe(points)}")
        if not isinstance(text, str) or not text.strip():
            raise fail(f"point {n}: 'text' must be a non-empty string, not {_describe(text)}")
        for cue in point_cues:
            try:
                check_cue(cue)
            except CueError as exc:
                raise fail(f"point {n}: cue {exc}") from None
        texts.append(text.strip())
        cues.append(tuple(c.strip() for c in point_cues))
    return tuple(texts), tuple(cues) if any(cues) else ()


def _parse_follow_ups(
    entries: Any, n_points: int, fail: Callable[[str], QuestionError]
) -> tuple[FollowUp, ...]:
    """``follow_ups``: [[question.follow_ups]] tables ``{text, when, point}``."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise fail(f"'follow_ups' must be [[question.follow_ups]] tables, not {_describe(entries)}")
    out: list[FollowUp] = []
    for n, entry in enumerate(entries, start=1):
        for key in entry:
            if key not in _FOLLOW_UP_FIELDS:
                raise fail(
                    f"follow-up {n}: unknown field '{key}'; a follow-up has: {', '.join(_FOLLOW_UP_FIELDS)}"
                )
        text, when, point = entry.get("text"), entry.get("when", "always"), entry.get("point")
        if not isinstance(text, str) or not text.strip():
            raise fail(f"follow-up {n}: 'text' must be a non-empty string, not {_describe(text)}")
        if when not in FOLLOW_UP_WHEN:
            raise fail(
                f"follow-up {n}: 'when' must be one of {', '.join(FOLLOW_UP_WHEN)}, not {_describe(when)}"
            )
        if point is not None:
            if when != "missed_point":
                raise fail(f"follow-up {n}: 'point' goes only with when = \"missed_point\"")
            if not isinstance(point, int) or isinstance(point, bool) or not 1 <= point <= n_points:
                raise fail(
                    f"follow-up {n}: 'point' must be a point number from 1 to {n_points}, not {_describe(point)}"
                )
        out.append(FollowUp(text=text.strip(), when=when, point=point))
    return tuple(out)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'" if value.strip() else "an empty string"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a table"
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def plain_number(value: float) -> float | int:
    """60.0 -> 60, for the bank's JSON and tables."""
    return int(value) if float(value).is_integer() else value
