"""Frozen dataclasses passed between the stages: audio -> transcript -> analysis -> result -> rep."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

SCHEMA_VERSION = 1

FillerKind = Literal["filled_pause", "discourse_marker"]
FillerSource = Literal["transcript", "acoustic"]
PauseKind = Literal["sentence", "clause"]


@dataclass(frozen=True, eq=False)
class Audio:
    """A decoded recording: mono float32 samples in [-1, 1] at ``sample_rate_hz``."""

    path: str
    samples: np.ndarray  # shape (n,), float32
    sample_rate_hz: int
    warning: str | None = None  # e.g. a truncated file: analyzed, but the user should know

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate_hz


@dataclass(frozen=True)
class Span:
    """A stretch of audio, in seconds from the start of the recording."""

    start: float
    end: float

    @property
    def duration_s(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Word:
    """One token of the transcript; ``filler`` marks filled pauses and discourse markers."""

    text: str
    start: float
    end: float
    probability: float = 1.0
    filler: bool = False
    sentence_end: bool = False  # the token closes a sentence (., ?, !)


@dataclass(frozen=True)
class Transcript:
    """What the transcription stage hands on: words in time order, fillers not yet judged."""

    text: str
    words: tuple[Word, ...]
    model_name: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Filler:
    text: str
    start: float
    end: float
    kind: FillerKind
    source: FillerSource


@dataclass(frozen=True)
class Pause:
    """A silent interval between the first and the last word."""

    start: float
    end: float
    kind: PauseKind  # "sentence": between sentences; "clause": a hesitation inside a clause
    before: str = ""  # the word before the pause
    after: str = ""  # the word after the pause

    @property
    def duration_s(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Phrase:
    """A hedge or a repeated word/phrase, with every time it was said."""

    text: str
    times_s: tuple[float, ...]

    @property
    def count(self) -> int:
        return len(self.times_s)


@dataclass(frozen=True)
class PaceWindow:
    start: float
    end: float
    wpm: float


@dataclass(frozen=True)
class Quality:
    """Audio-quality check; when ``ok`` is False the delivery metrics are marked unreliable."""

    peak_dbfs: float
    speech_level_dbfs: float
    noise_floor_dbfs: float
    snr_db: float
    clipped_fraction: float
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Voice:
    pitch_variation_st: float | None  # std of pitch in semitones over voiced frames
    loudness_variation_db: float | None  # std of frame loudness over speech frames
    monotone: bool | None


@dataclass(frozen=True)
class Metrics:
    duration_s: float
    speaking_time_s: float
    time_to_first_word_s: float
    word_count: int
    wpm: float
    articulation_rate: float  # syllables per second of speaking time
    filled_pause_count: int
    discourse_marker_count: int
    fillers_per_min: float
    pause_count: int
    long_pause_count: int
    longest_pause_s: float
    pitch_variation_st: float | None
    # additions to schema 1 (never rename the fields above)
    speaking_span_s: float = 0.0
    syllable_count: int = 0
    clause_pause_count: int = 0
    sentence_pause_count: int = 0
    pauses_per_min: float = 0.0
    hedge_count: int = 0
    repeat_count: int = 0
    loudness_variation_db: float | None = None
    filler_percent: float = 0.0  # fillers as a share of all tokens
    answer_length_s: float = 0.0  # start of the recording to the end of the last word


@dataclass(frozen=True)
class Feedback:
    message: str
    at_s: float | None = None


@dataclass(frozen=True)
class Result:
    """Everything one analysed recording yields; ``to_dict`` is the public schema 1."""

    audio_path: str
    duration_s: float
    model_name: str
    transcript: str
    words: tuple[Word, ...]
    fillers: tuple[Filler, ...]
    pauses: tuple[Pause, ...]
    metrics: Metrics
    feedback: tuple[Feedback, ...]
    hedges: tuple[Phrase, ...] = ()
    repeats: tuple[Phrase, ...] = ()
    pace_windows: tuple[PaceWindow, ...] = ()
    voice: Voice | None = None
    quality: Quality | None = None
    filler_candidates: tuple[Filler, ...] = ()  # acoustic candidates, not counted
    filler_trust: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[
        str, ...
    ] = ()  # about the input, e.g. a truncated file: analyzed, but the user should know

    def to_dict(self) -> dict[str, Any]:
        r3 = _round3
        return {
            "schema": SCHEMA_VERSION,
            "audio": {"path": self.audio_path, "duration_s": r3(self.duration_s)},
            "model": {"name": self.model_name},
            "transcript": self.transcript,
            "words": [
                {
                    "text": w.text,
                    "start": r3(w.start),
                    "end": r3(w.end),
                    "filler": w.filler,
                    "probability": r3(w.probability),
                    "sentence_end": w.sentence_end,
                }
                for w in self.words
            ],
            "fillers": [
                {"text": f.text, "start": r3(f.start), "end": r3(f.end), "kind": f.kind, "source": f.source}
                for f in self.fillers
            ],
            "pauses": [
                {
                    "start": r3(p.start),
                    "end": r3(p.end),
                    "duration_s": r3(p.duration_s),
                    "kind": p.kind,
                    "before": p.before,
                    "after": p.after,
                }
                for p in self.pauses
            ],
            "metrics": {k: r3(v) for k, v in asdict(self.metrics).items()},
            "feedback": [{"message": f.message, "at_s": r3(f.at_s)} for f in self.feedback],
            "hedges": [
                {"text": h.text, "count": h.count, "times_s": [r3(t) for t in h.times_s]} for h in self.hedges
            ],
            "repeats": [
                {"text": h.text, "count": h.count, "times_s": [r3(t) for t in h.times_s]}
                for h in self.repeats
            ],
            "pace_windows": [
                {"start": r3(w.start), "end": r3(w.end), "wpm": r3(w.wpm)} for w in self.pace_windows
            ],
            "voice": None if self.voice is None else {k: r3(v) for k, v in asdict(self.voice).items()},
            "quality": None
            if self.quality is None
            else {
                **{k: r3(v) for k, v in asdict(self.quality).items() if k != "problems"},
                "ok": self.quality.ok,
                "problems": list(self.quality.problems),
            },
            "filler_candidates": [
                {"text": f.text, "start": r3(f.start), "end": r3(f.end), "kind": f.kind, "source": f.source}
                for f in self.filler_candidates
            ],
            "filler_trust": self.filler_trust,
            "settings": self.settings,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        """The Result that ``to_dict`` wrote: ``Result.from_dict(d).to_dict() == d`` for every ``d`` it wrote.

        Fields added to schema 1 later take their defaults when missing; unknown fields (from a newer
        version) are ignored. Raises ValueError naming the field when a required one is missing or malformed.
        """
        try:
            return _result_from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a schema-1 result ({_why(exc)})") from exc


@dataclass(frozen=True)
class FollowUpAsked:
    """A follow-up question the interviewer asked after the answer to question ``of``."""

    of: str | None  # the question id of the answer it followed
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"of": self.of, "text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FollowUpAsked:
        return cls(of=data.get("of") or None, text=str(data["text"]))


@dataclass(frozen=True)
class SessionTag:
    """Where a rep sits in a mock interview: the session, the answer's number in it ("2"; "2a" for the
    follow-up asked after answer 2), and the follow-up question it answers, if it is one."""

    session_id: str
    answer: str
    follow_up: FollowUpAsked | None = None


@dataclass(frozen=True)
class UnsavedAnswer:
    """An answer of a mock interview that did not become a rep, and why; its recording is kept."""

    question_id: str | None
    reason: str  # one line, e.g. "too short to judge (0.4 s)"
    recording: str | None = None  # where the recording is kept, if anywhere
    follow_up: str | None = None  # the follow-up question it answered, if it was one
    answer: str | None = None  # its number in the interview, as SessionTag.answer

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Session:
    """One mock interview (`reps interview`): the questions planned, when, how it ended, the reflection.

    Its answers are the reps saved with ``session_id == id`` (the rep folders are the record); answers
    that did not become reps are listed in ``unsaved``.
    """

    id: str
    started_at: datetime  # timezone-aware
    question_ids: tuple[str, ...]  # as planned, in the order asked
    ended_at: datetime | None = None  # None while it runs (or after a crash)
    ended_early: bool = False  # Ctrl-C ended it before the last question
    unsaved: tuple[UnsavedAnswer, ...] = ()
    reflection: dict[str, str] = field(default_factory=dict)  # the four questions, about the whole interview
    settings: dict[str, Any] = field(default_factory=dict)  # how it was run: count, voice, follow-ups, ...

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": iso_utc(self.started_at),
            "ended_at": iso_utc(self.ended_at) if self.ended_at else None,
            "question_ids": list(self.question_ids),
            "ended_early": self.ended_early,
            "unsaved": [u.to_dict() for u in self.unsaved],
            "reflection": dict(self.reflection),
            "settings": dict(self.settings),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Session:
        """The Session ``to_dict`` wrote. Raises ValueError naming what is missing or malformed."""
        try:
            ended = data.get("ended_at")
            return cls(
                id=str(data["id"]),
                started_at=parse_time(data["started_at"]),
                question_ids=tuple(str(q) for q in data["question_ids"]),
                ended_at=parse_time(ended) if ended else None,
                ended_early=bool(data.get("ended_early", False)),
                unsaved=tuple(_known(UnsavedAnswer, u) for u in data.get("unsaved", ())),
                reflection={str(k): str(v) for k, v in dict(data.get("reflection") or {}).items()},
                settings=dict(data.get("settings") or {}),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a saved interview session ({_why(exc)})") from exc


@dataclass(frozen=True)
class Rep:
    """One answer saved in the practice library: its analysis, its question and when it was given.

    ``folder`` is where the library keeps the rep's files (None for a rep not read from a library).
    """

    id: str
    question_id: str | None
    created_at: datetime  # timezone-aware; when the answer was given
    result: Result
    source_path: str | None = None  # the recording the rep was made from
    audio_file: str | None = None  # the copy inside the rep's folder; None once deleted for privacy
    audio_deleted_at: datetime | None = None
    folder: Path | None = field(default=None, compare=False)
    session: SessionTag | None = None  # the mock interview the answer was given in (`reps interview`)

    @property
    def session_id(self) -> str | None:
        return self.session.session_id if self.session is not None else None

    @property
    def follow_up(self) -> FollowUpAsked | None:
        """The interviewer's follow-up question this rep answers (None: a question of the bank)."""
        return self.session.follow_up if self.session is not None else None

    def to_dict(self) -> dict[str, Any]:
        """Schema 1 plus a "rep" object, as saved in the rep's result.json."""
        rep: dict[str, Any] = {
            "id": self.id,
            "question_id": self.question_id,
            "created_at": iso_utc(self.created_at),
            "source_path": self.source_path,
            "audio_file": self.audio_file,
        }
        if self.session is not None:
            rep["session_id"] = self.session.session_id
            rep["session_answer"] = self.session.answer
            if self.session.follow_up is not None:
                rep["follow_up"] = self.session.follow_up.to_dict()
        if self.audio_deleted_at is not None:
            rep["audio_deleted_at"] = iso_utc(self.audio_deleted_at)
        return {**self.result.to_dict(), "rep": rep}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, folder: Path | None = None) -> Rep:
        """The Rep of a saved result.json (schema 1 plus "rep"). Raises ValueError when it is not one."""
        rep = data.get("rep")
        if not isinstance(rep, Mapping) or not isinstance(rep.get("id"), str):
            raise ValueError('not a saved rep (no "rep" object with an id)')
        try:
            deleted = rep.get("audio_deleted_at")
            return cls(
                id=rep["id"],
                question_id=rep.get("question_id") or None,
                created_at=parse_time(rep["created_at"]),
                result=Result.from_dict(data),
                source_path=rep.get("source_path"),
                audio_file=rep.get("audio_file"),
                audio_deleted_at=parse_time(deleted) if deleted else None,
                folder=folder,
                session=_session_tag(rep),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a saved rep ({_why(exc)})") from exc


def _session_tag(rep: Mapping[str, Any]) -> SessionTag | None:
    if not rep.get("session_id"):
        return None
    follow_up = rep.get("follow_up")
    return SessionTag(
        session_id=str(rep["session_id"]),
        answer=str(rep.get("session_answer") or ""),
        follow_up=FollowUpAsked.from_dict(follow_up) if follow_up else None,
    )


def iso_utc(when: datetime) -> str:
    """ISO 8601 in UTC to the second, as saved: "2024-05-01T09:30:00+00:00"."""
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_time(text: str) -> datetime:
    """A saved ISO 8601 time; "Z" and naive times are UTC. Raises ValueError."""
    when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


# ----------------------------------------------------------------------------------------- reading


def _result_from_dict(d: Mapping[str, Any]) -> Result:
    if d.get("schema") != SCHEMA_VERSION:
        raise ValueError(f"schema {d.get('schema')!r}, expected {SCHEMA_VERSION}")
    voice, quality = d.get("voice"), d.get("quality")
    return Result(
        audio_path=d["audio"]["path"],
        duration_s=float(d["audio"]["duration_s"]),
        model_name=d["model"]["name"],
        transcript=d["transcript"],
        words=tuple(
            Word(
                text=w["text"],
                start=w["start"],
                end=w["end"],
                probability=w.get("probability", 1.0),
                filler=w["filler"],
                sentence_end=w.get("sentence_end", False),
            )
            for w in d["words"]
        ),
        fillers=_fillers(d["fillers"]),
        pauses=tuple(
            Pause(p["start"], p["end"], p["kind"], p.get("before", ""), p.get("after", ""))
            for p in d["pauses"]
        ),
        metrics=_known(Metrics, d["metrics"]),
        feedback=tuple(Feedback(f["message"], f.get("at_s")) for f in d["feedback"]),
        hedges=_phrases(d.get("hedges", ())),
        repeats=_phrases(d.get("repeats", ())),
        pace_windows=tuple(PaceWindow(w["start"], w["end"], w["wpm"]) for w in d.get("pace_windows", ())),
        voice=None if voice is None else _known(Voice, voice),
        quality=None
        if quality is None
        else _known(Quality, {**quality, "problems": tuple(quality.get("problems", ()))}),
        filler_candidates=_fillers(d.get("filler_candidates", ())),
        filler_trust=d.get("filler_trust", ""),
        settings=dict(d.get("settings", {})),
        warnings=tuple(d.get("warnings", ())),
    )


def _fillers(items: Any) -> tuple[Filler, ...]:
    return tuple(Filler(f["text"], f["start"], f["end"], f["kind"], f["source"]) for f in items)


def _phrases(items: Any) -> tuple[Phrase, ...]:
    return tuple(Phrase(h["text"], tuple(h["times_s"])) for h in items)


def _known(cls: type, values: Mapping[str, Any]) -> Any:
    """``cls(**values)`` with only the fields ``cls`` has (a newer version may have written more)."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in names})


def _why(exc: BaseException) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else str(exc)


def _round3(value: Any) -> Any:
    """Seconds and rates to 3 decimals, as plain Python numbers (numpy scalars are not JSON types)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        return round(value, 3)
    return value
