"""Frozen dataclasses passed between the stages: audio -> transcript -> analysis -> result -> rep."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

SCHEMA_VERSION = 1

# The four questions of the practice method (users.md, "Reflection"); keys as saved in a rep's reflection.json.
REFLECTION_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("stumped", "What stumped me?"),
    ("weak_or_vague", "What felt weak or vague?"),
    ("feedback_noticed", "What feedback, verbal or not, did I notice?"),
    ("story_gap", "What part of my story didn't connect?"),
)
# The same four, asked once about a whole mock interview; saved in its session.json.
INTERVIEW_REFLECTION_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("stumped", "Which questions stumped me?"),
    ("weak_or_vague", "What did I say that felt weak or vague?"),
    ("feedback_noticed", "What feedback, verbal or not, did I notice?"),
    ("story_gap", "What part of my story didn't connect?"),
)

FillerKind = Literal["filled_pause", "discourse_marker"]
WordKind = Literal["word", "filled_pause", "discourse_marker"]
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
    """One token of the transcript. ``kind``: a plain ``word``, a ``filled_pause`` (um, uh) or part of a
    ``discourse_marker`` used as a filler ("like", "you know")."""

    text: str
    start: float
    end: float
    probability: float = 1.0
    kind: WordKind = "word"
    sentence_end: bool = False  # the token closes a sentence (., ?, !)

    @property
    def filler(self) -> bool:
        """A filled pause or a discourse marker (schema 1's ``filler`` flag)."""
        return self.kind != "word"


@dataclass(frozen=True)
class Transcript:
    """What the transcription stage hands on: words in time order, fillers not yet judged."""

    text: str
    words: tuple[Word, ...]
    model_name: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Filler:
    """A counted filler (or, in ``Result.filler_candidates``, one heard but not counted).

    ``source``: the signal that found it (``transcript``: the decoder wrote it; ``acoustic``: only the
    sound showed it). ``confidence``: the detector's probability that it is a filled pause (1.0 for
    discourse markers, judged by context)."""

    text: str
    start: float
    end: float
    kind: FillerKind
    source: FillerSource
    confidence: float = 1.0


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
    # Rates and shares, so that reps of different lengths compare fairly (issue 12): ``with_rates``
    # fills them from the counts above, also for reps saved before they existed.
    filled_pause_percent: float = 0.0  # um/uh as a share of all tokens
    discourse_marker_percent: float = 0.0  # like/you know... as a share of all tokens
    clause_pauses_per_min: float = 0.0  # mid-sentence pauses per minute of the speaking span
    long_pauses_per_min: float = 0.0
    hedges_per_100_words: float = 0.0
    repeats_per_100_words: float = 0.0  # uses of overused words and phrases
    restart_count: int = 0  # restarts and stutters ("a a", "in, in", cut-off words)
    restarts_per_100_words: float = 0.0


def with_rates(m: Metrics) -> Metrics:
    """``m`` with its rates and shares computed from its counts (one definition, used by the analysis
    and for reps saved before the rates existed)."""
    fillers = m.filled_pause_count + m.discourse_marker_count
    share = m.filler_percent / fillers if fillers else 0.0  # percent per filler (of all tokens)
    minutes = m.speaking_span_s / 60.0
    per_min = (lambda n: round(n / minutes, 2)) if minutes > 0 else (lambda n: 0.0)
    per_100 = (lambda n: round(100.0 * n / m.word_count, 2)) if m.word_count else (lambda n: 0.0)
    return replace(
        m,
        filled_pause_percent=round(share * m.filled_pause_count, 2),
        discourse_marker_percent=round(share * m.discourse_marker_count, 2),
        clause_pauses_per_min=per_min(m.clause_pause_count),
        long_pauses_per_min=per_min(m.long_pause_count),
        hedges_per_100_words=per_100(m.hedge_count),
        repeats_per_100_words=per_100(m.repeat_count),
        restarts_per_100_words=per_100(m.restart_count),
    )


_RATE_FIELDS = (
    "filled_pause_percent",
    "discourse_marker_percent",
    "clause_pauses_per_min",
    "long_pauses_per_min",
    "hedges_per_100_words",
    "repeats_per_100_words",
    "restarts_per_100_words",
)


@dataclass(frozen=True)
class Feedback:
    message: str
    at_s: float | None = None
    # The key-number row it answers ("pace", "fillers", ...; report/numbers.py), None for advice on
    # what the table does not show (hedges, repeats). The consistency rules read it.
    about: str | None = None


@dataclass(frozen=True)
class Voices:
    """Does the recording seem to hold more than one voice? (``analyze/speakers.py``)

    ``count``: 1 or 2 (the detector decides between these only). ``other``: where the second voice
    speaks (the smaller of the two groups of speech), ``score``: the detector's separation score."""

    count: int
    score: float
    other: tuple[Span, ...] = ()
    speech_s: float = 0.0  # speech judged, seconds
    other_s: float = 0.0  # of which the second voice

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "score": _round3(self.score),
            "other": [[_round3(s.start), _round3(s.end)] for s in self.other],
            "speech_s": _round3(self.speech_s),
            "other_s": _round3(self.other_s),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Voices:
        return cls(
            count=int(d["count"]),
            score=float(d.get("score", 0.0)),
            other=tuple(Span(float(a), float(b)) for a, b in d.get("other", ())),
            speech_s=float(d.get("speech_s", 0.0)),
            other_s=float(d.get("other_s", 0.0)),
        )


@dataclass(frozen=True)
class Reflection:
    """What the person wrote after a rep: the answers to the reflection questions, by key
    (``REFLECTION_QUESTIONS``), in the order asked; skipped questions are left out."""

    answers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, answers: Mapping[str, str]) -> Reflection:
        return cls(tuple((k, str(v).strip()) for k, v in answers.items() if str(v or "").strip()))

    def get(self, key: str) -> str | None:
        return dict(self.answers).get(key)

    def __bool__(self) -> bool:
        return bool(self.answers)

    def to_dict(self) -> dict[str, str]:
        return dict(self.answers)


@dataclass(frozen=True)
class PointCoverage:
    """One of the question's points: covered or not, and the words that cover it, said at ``at_s``."""

    text: str
    covered: bool
    at_s: float | None = None
    evidence: str | None = None  # the spoken words around the cue that matched
    cue: str | None = None  # the cue phrase from the question bank that matched


@dataclass(frozen=True)
class StructurePart:
    """A part of the answer's structure (STAR's "Result", PREP's "Reason", ...) and where it starts."""

    name: str
    present: bool
    at_s: float | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class Structure:
    name: str | None  # "STAR", "CAR", "PREP", "Present-Past-Future", "direct"; None without a question
    parts: tuple[StructurePart, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A phrase of the answer (a number, a name, a vague word) and when it was said."""

    text: str
    at_s: float


@dataclass(frozen=True)
class Ownership:
    """Sentences that say what was done, by who did it: "I" or "we" (a sentence with both counts as "I")."""

    i: int = 0
    we: int = 0
    i_at_s: tuple[float, ...] = ()
    we_at_s: tuple[float, ...] = ()


@dataclass(frozen=True)
class JobTermUse:
    term: str
    covered: bool
    at_s: float | None = None


@dataclass(frozen=True)
class Content:
    """What the answer said against what the question asks for (``analyze/content.py``)."""

    points: tuple[PointCoverage, ...] = ()
    structure: Structure = Structure(name=None)
    specifics: tuple[Mention, ...] = ()
    vague: tuple[Mention, ...] = ()
    ownership: Ownership = Ownership()
    job_terms: tuple[JobTermUse, ...] = ()
    # What a coach would notice, as keys the question bank's follow-ups use: "no_result",
    # "no_measurable_result", "no_specifics", "mostly_we", "vague", "missed_point:N" (N from 1).
    findings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        r3 = _round3
        return {
            "points": [
                {
                    "text": p.text,
                    "covered": p.covered,
                    "at_s": r3(p.at_s),
                    "evidence": p.evidence,
                    "cue": p.cue,
                }
                for p in self.points
            ],
            "structure": {
                "name": self.structure.name,
                "parts": [
                    {"name": s.name, "present": s.present, "at_s": r3(s.at_s), "evidence": s.evidence}
                    for s in self.structure.parts
                ],
            },
            "specifics": [{"text": m.text, "at_s": r3(m.at_s)} for m in self.specifics],
            "vague": [{"text": m.text, "at_s": r3(m.at_s)} for m in self.vague],
            "ownership": {
                "i": self.ownership.i,
                "we": self.ownership.we,
                "i_at_s": [r3(t) for t in self.ownership.i_at_s],
                "we_at_s": [r3(t) for t in self.ownership.we_at_s],
            },
            "job_terms": [{"term": j.term, "covered": j.covered, "at_s": r3(j.at_s)} for j in self.job_terms],
            "findings": list(self.findings),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Content:
        """The inverse of ``to_dict`` (times as rounded there)."""
        structure = d.get("structure") or {}
        own = d.get("ownership") or {}
        return cls(
            points=tuple(
                PointCoverage(
                    text=p["text"],
                    covered=bool(p["covered"]),
                    at_s=p.get("at_s"),
                    evidence=p.get("evidence"),
                    cue=p.get("cue"),
                )
                for p in d.get("points", [])
            ),
            structure=Structure(
                name=structure.get("name"),
                parts=tuple(
                    StructurePart(
                        name=s["name"],
                        present=bool(s["present"]),
                        at_s=s.get("at_s"),
                        evidence=s.get("evidence"),
                    )
                    for s in structure.get("parts", [])
                ),
            ),
            specifics=tuple(Mention(text=m["text"], at_s=m["at_s"]) for m in d.get("specifics", [])),
            vague=tuple(Mention(text=m["text"], at_s=m["at_s"]) for m in d.get("vague", [])),
            ownership=Ownership(
                i=int(own.get("i", 0)),
                we=int(own.get("we", 0)),
                i_at_s=tuple(own.get("i_at_s", ())),
                we_at_s=tuple(own.get("we_at_s", ())),
            ),
            job_terms=tuple(
                JobTermUse(term=j["term"], covered=bool(j["covered"]), at_s=j.get("at_s"))
                for j in d.get("job_terms", [])
            ),
            findings=tuple(d.get("findings", ())),
        )


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
    content: Content = Content()  # what the answer said (analyze/content.py)
    restarts: tuple[Phrase, ...] = ()  # restarts and stutters ("a a", "in, in", "th- the")
    voices: Voices | None = None  # one voice or more (analyze/speakers.py); None: not judged
    # How the recording was made and cut: why it stopped ("user", "max", "silence", "interrupt";
    # None for a file), its limit, the channel analyzed and the time range analyzed (None: all).
    stopped_by: str | None = None
    limit_s: float | None = None
    channel: str | None = None
    range_s: tuple[float, float | None] | None = None

    @property
    def stopped_at_limit(self) -> bool:
        return self.stopped_by == "max"

    def to_dict(self) -> dict[str, Any]:
        r3 = _round3
        audio: dict[str, Any] = {"path": self.audio_path, "duration_s": r3(self.duration_s)}
        if self.stopped_by is not None:
            audio.update(stopped_by=self.stopped_by, limit_s=r3(self.limit_s))
        if self.channel is not None:
            audio["channel"] = self.channel
        if self.range_s is not None:
            audio.update(start_s=r3(self.range_s[0]), end_s=r3(self.range_s[1]))
        return {
            "schema": SCHEMA_VERSION,
            "audio": audio,
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
                    "kind": w.kind,
                }
                for w in self.words
            ],
            "fillers": [
                {
                    "text": f.text,
                    "start": r3(f.start),
                    "end": r3(f.end),
                    "kind": f.kind,
                    "source": f.source,
                    "confidence": r3(f.confidence),
                }
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
            "feedback": [{"message": f.message, "at_s": r3(f.at_s), "about": f.about} for f in self.feedback],
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
                {
                    "text": f.text,
                    "start": r3(f.start),
                    "end": r3(f.end),
                    "kind": f.kind,
                    "source": f.source,
                    "confidence": r3(f.confidence),
                }
                for f in self.filler_candidates
            ],
            "filler_trust": self.filler_trust,
            "settings": self.settings,
            "warnings": list(self.warnings),
            "content": self.content.to_dict(),
            "restarts": [
                {"text": h.text, "count": h.count, "times_s": [r3(t) for t in h.times_s]}
                for h in self.restarts
            ],
            "voices": None if self.voices is None else self.voices.to_dict(),
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
    reflection: Reflection | None = None  # what the person wrote after the rep (reflection.json)
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
        if self.reflection:
            rep["reflection"] = self.reflection.to_dict()
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
                reflection=Reflection.of(rep["reflection"]) if rep.get("reflection") else None,
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
    voice, quality, voices = d.get("voice"), d.get("quality"), d.get("voices")
    audio = d["audio"]
    metrics = _known(Metrics, d["metrics"])
    if any(name not in d["metrics"] for name in _RATE_FIELDS):  # saved before the rates existed
        metrics = with_rates(metrics)
    return Result(
        audio_path=audio["path"],
        duration_s=float(d["audio"]["duration_s"]),
        model_name=d["model"]["name"],
        transcript=d["transcript"],
        words=tuple(
            Word(
                text=w["text"],
                start=w["start"],
                end=w["end"],
                probability=w.get("probability", 1.0),
                kind=w.get("kind") or _old_word_kind(w, d["fillers"]),
                sentence_end=w.get("sentence_end", False),
            )
            for w in d["words"]
        ),
        fillers=_fillers(d["fillers"]),
        pauses=tuple(
            Pause(p["start"], p["end"], p["kind"], p.get("before", ""), p.get("after", ""))
            for p in d["pauses"]
        ),
        metrics=metrics,
        feedback=tuple(Feedback(f["message"], f.get("at_s"), f.get("about")) for f in d["feedback"]),
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
        content=Content.from_dict(d["content"]) if d.get("content") else Content(),
        restarts=_phrases(d.get("restarts", ())),
        voices=None if not voices else Voices.from_dict(voices),
        stopped_by=audio.get("stopped_by"),
        limit_s=audio.get("limit_s"),
        channel=audio.get("channel"),
        range_s=(audio["start_s"], audio.get("end_s")) if audio.get("start_s") is not None else None,
    )


def _fillers(items: Any) -> tuple[Filler, ...]:
    return tuple(
        Filler(f["text"], f["start"], f["end"], f["kind"], f["source"], f.get("confidence", 1.0))
        for f in items
    )


def _old_word_kind(w: Mapping[str, Any], fillers: Any) -> WordKind:
    """A record written before words had a ``kind``: its ``filler`` flag, told apart by the record's
    own discourse-marker fillers (a flagged word inside one is part of it)."""
    if not w.get("filler"):
        return "word"
    inside = any(
        f["kind"] == "discourse_marker" and f["start"] - 1e-3 <= w["start"] and w["end"] <= f["end"] + 1e-3
        for f in fillers
    )
    return "discourse_marker" if inside else "filled_pause"


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
