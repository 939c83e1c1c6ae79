"""What the answer said: the question's points, its structure, specifics, vague words, "I" or "we", job terms.

Everything here is a transparent cue list (``cues.py``): a covered point names the words that cover
it and when they were said. Figures: README "Content" (held-out split of tests/data/content/).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..cues import (
    FILLED_PAUSES,
    Cue,
    Token,
    expand,
    find,
    is_number,
    normalize,
    parse_cue,
    split_negation,
    stem,
    tokens_of,
)
from ..errors import RepsError
from ..models import (
    Content,
    Feedback,
    JobTermUse,
    Mention,
    Ownership,
    PointCoverage,
    Structure,
    StructurePart,
    Word,
)
from ..settings import ContentSettings
from ..text import clock

if TYPE_CHECKING:
    from ..questions import Question

# Held-out point coverage from `make eval` (README "What the answer said"; written text, 36 answers
# never tuned on): precision, recall. The reports quote it; update both together.
MEASURED_POINT_ACCURACY = (0.75, 0.78)

# --- shared cue groups: "@result" in the bank stands for all of these ----------------------------
CUE_GROUPS: dict[str, tuple[str, ...]] = {
    # A number for what changed.
    "measured": (
        "#num percent",
        "from #num ... to #num",
        "cut|reduc*|lower*|shrank|shrunk|dropp*|brought|halv* ... #num",
        "increas*|rais*|grew|grow|boost*|doubl*|tripl*|improv* ... #num",
        "saved|save|saving ... #num",
        "by #num",
        "down to #num",
        "up to #num",
        "#num times faster|quicker|more|less|fewer|better",
        "#num more|fewer|less|extra|faster|quicker",
        "halved|doubled|tripled",
        "zero|no incidents|errors|complaints|bugs|defects|outages|failures|failed|downtime",
        "went from",
        "#num weeks|days|months|hours before|early|ahead",
        "within #num days|weeks|months|hours|minutes|years",
        "got|saved|earned|won|raised|recovered ... #num",
        "instead of #num",
    ),
    # How it ended, with or without a number.
    "result": (
        "as a result",
        "in the end",
        "the end result",
        "the result|outcome|upshot|effect|impact was|is",
        "end|ended up",
        "and|so|which it =worked",
        "it =worked well|out|brilliantly|perfectly|great",
        "it paid off",
        "since then",
        "ever since",
        "from then on",
        "by the end",
        "afterwards|afterward",
        "we|i managed",
        "we|i|they deliver*|ship*|launch*|finish*|hit|met|won|land*|release*|complet*|fixed|solved|resolved",
        "on time|schedule|budget",
        "under budget",
        "positive feedback",
        "thank*|prais*|recogni* me|us",
        "was|were|very|really|so happy|pleased|delighted|satisfied|impressed|grateful",
        "=renewed|=signed|=stayed|=adopted",
        "kept using",
        "promot*",
        "still use|used|running",
        "in place",
        "^now",
        "now we|everyone|it|they",
        "now the team",
        "these days",
        "better|easier|smoother|faster|quicker ... after|since|now",
        "a lot smoother|better|easier|faster",
        "was|were complete|done|finished|ready|sorted|resolved|fixed",
        "was|were fine|ok|okay|understanding|grateful",
        "stopped|fixed|solved|resolved|recovered ... within|in|after #num",
        "has|have not happened again",
        "never happened again",
        "came back up",
        "for a|#num year|years|months now",
        "working relationship|relationships",
        "deal|contract closed|signed|won",
        "closed|won|signed the|a deal|contract",
        "^eventually|finally",
        "by the summer|spring|autumn|winter|end|time|following|next",
        "#num days|weeks|months|years later",
        "a|one|the day|week|month|year|quarter later|after",
        "within a couple|few|matter of",
        "back to normal",
        "went up|down by",
        "rose|fell|grew|dropped|climbed by",
        "by a third|half|quarter|fifth|lot",
        "seemed to appreciate|like|enjoy|work",
        "it made the|it|things|everything|life simpler|easier|better|faster|clearer",
        "=withdrew|=signed|=agreed|=returned their|the|it",
        "nobody|no one had left|quit|complained",
        "got the job|offer|contract|deal|role|place",
        "without a|any single",
        "^after that",
        "now instead",
        "no more problems|issues|complaints",
        "client|customer|boss|manager|they was|were unhappy|upset|angry|disappointed|furious",
        "@measured",
    ),
    "learned": (
        "i learn*|learnt",
        "lesson",
        "taught me",
        "i realis*|realiz*",
        "now i always|never",
        "i now",
        "these days i",
        "since then i",
        "from then on",
        "going forward",
        "next time",
        "i always|never ... now",
        "i make sure",
        "takeaway",
    ),
    "differently": (
        "differently",
        "if i did it again",
        "if i could go back",
        "next time",
        "would|should have",
        "i now",
        "now i",
        "instead",
        "in hindsight",
        "looking back",
    ),
    "told": (
        "i|we told|tell|inform*|warn*|email*|messag*|call*|flag*|rais*|escalat*|updat*|alert*",
        "let ... know",
        "heads up",
        "i explain*",
        "i went to",
        "i spoke|talked to|with",
        "i wrote to",
    ),
    "listened": (
        "listen*",
        "i asked|ask",
        "hear|heard them|him|her|their|what|out",
        "understand|understood",
        "what they need*|want*|care*",
        "their side|point|perspective|concern|concerns|view",
        "real need|problem|issue|concern|worry",
        "sat down with",
        "ask* questions",
    ),
    "example": (
        "for example",
        "for instance",
        "at my last|previous|current|old job|company|role|team|place",
        "last year|month|week|quarter|summer|spring|autumn|fall|winter",
        "a time when",
        "one time",
        "there was a time",
        "when i was",
        "recently",
        "once",
        "years ago",
        "months ago",
        "in my last|previous|current role|job",
        "a good example",
        "a recent example",
    ),
    "this_role": (
        "this role|job|position|team|company|opportunity",
        "your company|team|role|product|customers|mission",
        "you are looking for",
        "here i would|could|can|will",
        "working here",
        "with you",
        "that is why i am",
        "that is what drew|attracts|excites",
        "why i applied",
    ),
    "plan": (
        "plan*",
        "break|broke|split ... down|up|into",
        "prioriti*|priorit*",
        "schedul*",
        "milestone*",
        "step by step",
        "timeline",
        "first ... then",
        "checklist",
        "list",
    ),
    "feedback": (
        "feedback",
        "told me",
        "said that i",
        "said i|my",
        "pointed out",
        "review",
        "critici*",
        "comment*",
    ),
}

# --- structure parts: generic cues per part, tuned on the tuning split ----------------------------
SITUATION_CUES = (
    "at my last|previous|old|current|first job|company|role|team|employer|workplace|place",
    "in my last|previous|old|current|first job|role|position",
    "when|while i was",
    "i was working",
    "i worked at|as|on|in|for",
    "a few|couple|#num years|months|weeks ago",
    "years|months ago",
    "last year|month|summer|spring|autumn|winter|quarter",
    "back in",
    "at the time",
    "there was|were",
    "we had a|an|this|some|no|about|#num",
    "we were",
    "the team|company|client|customer|project|system|product|process was|were|had",
    "our team|company|client|customer|project|system|product|process",
    "the problem|issue|situation|context|background was",
    "i was a|an|the|one|part|leading|running|on",
    "i joined",
    "this was",
    "a project",
    "a client|customer",
    "used to",
    "every week|month|day|release|sprint|time",
    "every single",
    "one night|day|morning|evening|weekend|time",
    "on a monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend",
    "a|one colleague|developer|designer|manager|client|customer|engineer|guy|woman|man",
    "one of my|our",
    "on my team",
)
TASK_CUES = (
    "my job|task|role|responsibility|goal|brief|remit|aim was|is",
    "i was asked|tasked|responsible|expected|supposed|meant|given",
    "was|were expected|asked|supposed|required to",
    "expected|supposed|required to",
    "in charge of",
    "i had|needed to",
    "we had|needed to",
    "had|needed to be",
    "someone had to",
    "the goal|aim|target|task|ask|challenge|plan|job was",
    "it was my job|responsibility",
    "we were asked",
    "was due",
    "i set myself",
    "was|were meant to",
    "the question|decision was whether|if|how|which",
    "i|we needed|wanted ... to",
)
ACTION_CUES = (
    "what i did",
    "the first thing",
    "i started by",
    "first i",
    "then i",
    "my approach",
    "i went",
    "i set up",
    "i put together",
    "i reached out",
    "i sat down",
    "i took",
    "i try to",
)
RESULT_CUES = CUE_GROUPS["result"]
REASON_CUES = (
    "because",
    "the reason",
    "that is why",
    "which is why",
    "since",
    "so that",
    "it matters",
    "that matters",
    "which means",
    "that means",
    "the point is",
    "i believe",
    "the way i see it",
    "it is not that",
    "based on",
    "that said",
)
EXAMPLE_CUES = CUE_GROUPS["example"]
RESTATE_CUES = (
    "^so|overall",
    "^all in all",
    "in short",
    "in summary",
    "to sum up",
    "to summarise|summarize",
    "that is why",
    "which is why",
    "bottom line",
    "that is what i",
    "what i would bring",
)
PRESENT_CUES = (
    "currently",
    "right now",
    "at the moment",
    "these days",
    "today",
    "i am a|an|the|currently|working|now|part|responsible|leading|running|at|in|on",
    "i work as|at|in|for|on",
    "in my current",
    "my current",
    "i lead|run|manage|own",
    "i look after",
    "for the last|past #num",
    "i have been there|here",
    "#num years now",
    "for the last|past few|couple",
)
PAST_CUES = (
    "before that",
    "before this",
    "previously",
    "i started|began",
    "i studied",
    "i spent",
    "years ago",
    "my first job|role",
    "i moved|switched|joined|graduated|trained",
    "earlier",
    "back in",
    "prior to",
    "i used to",
    "at university|college|school",
    "my degree",
    "after that",
    "then i",
    "i was a|an",
)
FUTURE_CUES = (
    "next",
    "looking for",
    "i want to",
    "would like to",
    "i am hoping|keen|excited|interested|looking",
    "i hope",
    "that is why i",
    "going forward",
    "in the future",
    "this role|job|position|opportunity",
    "what i want",
    "i would love",
    "i see myself",
)
# Openers that buy time rather than answer: the "answer first" of a direct answer is not these.
STALL_CUES = (
    "good|great|interesting|tough|hard|difficult question",
    "good|great|interesting|tough|hard|difficult one",
    "let me think",
    "where do i start|begin",
    "have|had not really thought",
    "never really thought",
    "not sure",
    "do not know",
    "no idea",
    "covered everything",
    "do not really plan",
)
# A task stated as the story's first line: "Our call centre had to bring waiting times down".
TASK_OPENING_CUES = ("had|needed to",)

STRUCTURE_PARTS: dict[str, tuple[str, ...]] = {
    "STAR": ("Situation", "Task", "Action", "Result"),
    "CAR": ("Context", "Action", "Result"),
    "PREP": ("Point", "Reason", "Example", "Point again"),
    "Present-Past-Future": ("Present", "Past", "Future"),
    "direct": ("Answer first", "Reason or example"),
}

# --- vague words ----------------------------------------------------------------------------------
# Multi-word ones first; "kind of"/"sort of" only as hedges, not "a kind of database".
VAGUE_PHRASES = (
    "that kind of thing",
    "that sort of thing",
    "and things like that",
    "stuff like that",
    "something like that",
    "and all that",
    "and so on",
    "and so forth",
    "et cetera",
    "or something",
    "or whatever",
    "a bunch of",
    "a lot of",
    "lots of",
    "kind of",
    "sort of",
    "and everything",
    "stuff",
    "things",
    "etc",
    "whatever",
    "somehow",
    "various",
)
_DETERMINERS = frozenset(
    "a an the this that these those what which any some every each one no another".split()
)

# --- who did it -----------------------------------------------------------------------------------
_SUBJECTS = {"i": "i", "we": "we"}
# Between the subject and its verb: "I then rewrote", "we all agreed", "I personally called".
_ADVERBS = frozenset(
    """then also just finally actually quickly first basically really immediately eventually
    personally myself ourselves all both even still later soon instead again now together quietly
    carefully initially originally simply always usually normally typically often generally
    never literally honestly definitely""".split()
)
# "when I started my last job", "after we moved": a time clause sets the scene, it is not the action.
_SUBORDINATE = frozenset("when while after before since until once as if".split())
_HABITUAL = frozenset("always usually normally typically often generally first then".split())
# Past tense of verbs that do something (the irregular ones; regular ones end in -ed).
_IRREGULAR_PAST = frozenset(
    """built rebuilt wrote rewrote made remade set ran took went spoke met led gave got found brought
    sent told began chose drew taught put sat stood kept held paid sold bought caught cut fought
    left split spent shut threw won broke drove flew grew hit let rode shook showed sought
    swept tore undertook overcame withdrew did dealt bent fed forgave froze hung laid lent lit
    proved rang rose sang sank slept slid spun stuck struck swam swung thrust woke wore wound""".split()
)
# -ed forms and irregulars that state a feeling or a need rather than an action.
_STATE_VERBS = frozenset(
    """was were had needed wanted liked loved hated seemed believed hoped wished expected supposed used
    felt thought knew meant liked preferred enjoyed wondered guessed assumed supposed seemed appeared
    happened existed remained belonged mattered depended deserved feared worried lost missed failed
    forgot noticed realised realized learned learnt""".split()
)
_MODAL = frozenset({"would", "will"})
_NOT_AFTER_MODAL = frozenset("be have say like love want think need hope imagine guess probably not".split())
_STOP = frozenset(
    """a an the and or but so to of in on at for with is was are were be been it this that i you we
    they he she my our your their me us them do did have has had not no as by from if then than
    there here very really just also about into over after before up out off what which who when
    where how why all any some more most other such only own same too can will would should could
    may might must its it's i'm i've i'd we're let's""".split()
)


@dataclass(frozen=True)
class _Sentence:
    tokens: list[Token]
    first_word: int
    last_word: int  # inclusive


def analyze_content(
    words: Sequence[Word],
    question: Question | None = None,
    *,
    job_terms: Sequence[str] = (),
    settings: ContentSettings | None = None,
) -> Content:
    """What ``words`` (a transcript with times) said against ``question``'s points and structure.

    Without a question, points are empty and the structure has no parts; ``job_terms`` (from
    ``job_terms_from_text``) are looked for either way.
    """
    settings = settings or ContentSettings()
    words = tuple(words)
    sentences = _sentences(words)
    gap = settings.cue_gap_words

    points: list[PointCoverage] = []
    if question is not None:
        for n, text in enumerate(question.points):
            points.append(
                _cover_point(
                    text, question.cues_for(n), sentences, words, settings, target_s=question.target_s
                )
            )

    structure = Structure(name=None)
    result_hit = _first_hit(
        _compile(RESULT_CUES),
        sentences,
        settings.structure_gap_words,
        start=_index_from(settings.result_after, sentences),
    )
    if question is not None:
        structure = _structure(question, sentences, words, points, settings)

    ownership = _ownership(sentences, words)
    specifics = _specifics(words)
    vague = _vague(sentences, words)
    job = tuple(_job_term_use(term, sentences, words, gap) for term in job_terms)

    findings: list[str] = []
    has_result = result_hit is not None
    result_part = next((p for p in structure.parts if p.name == "Result"), None)
    if result_part is not None:
        has_result = result_part.present
    if not has_result:
        findings.append("no_result")
    measured = _first_hit(_compile(CUE_GROUPS["measured"]), sentences, gap, start=0)
    if measured is None:
        findings.append("no_measurable_result")
    if not specifics:
        findings.append("no_specifics")
    if _mostly_we(ownership, settings):
        findings.append("mostly_we")
    if len(vague) >= settings.vague_min:
        findings.append("vague")
    findings.extend(f"missed_point:{n}" for n, p in enumerate(points, start=1) if not p.covered)
    return Content(
        points=tuple(points),
        structure=structure,
        specifics=tuple(specifics),
        vague=tuple(vague),
        ownership=ownership,
        job_terms=job,
        findings=tuple(findings),
    )


# --- points ---------------------------------------------------------------------------------------


def _cover_point(
    text: str,
    cue_texts: Sequence[str],
    sentences: list[_Sentence],
    words: tuple[Word, ...],
    settings: ContentSettings,
    *,
    target_s: tuple[float, float] | None = None,
) -> PointCoverage:
    """Covered when a cue matches (the earliest match is the evidence) and no ``!`` cue does.

    A point without cues of its own falls back to its own content words, two of them in one
    sentence. ``@short``: covered when the answer ends within ``target_s``'s maximum.
    """
    positive = tuple(c for c in cue_texts if not split_negation(c)[0] and c.strip() != "@short")
    negative = tuple(split_negation(c)[1] for c in cue_texts if split_negation(c)[0])
    short = any(c.strip() == "@short" for c in cue_texts)
    gap = settings.cue_gap_words
    for cue in _compile(negative):
        for sentence in sentences:
            span = find(cue, sentence.tokens, gap_words=gap)
            if span is not None:
                a, b = sentence.tokens[span[0]].word, sentence.tokens[span[1] - 1].word
                evidence, at_s = _evidence(words, sentence, a, b, settings.evidence_max_words)
                return PointCoverage(
                    text=text, covered=False, at_s=at_s, evidence=evidence, cue=f"!{cue.text}"
                )
    if short:
        end_s = words[-1].end if words else 0.0
        fits = target_s is not None and end_s <= target_s[1]
        return PointCoverage(
            text=text, covered=fits, evidence=f"the answer ran {end_s:.0f} s" if words else None, cue="@short"
        )
    if not positive:
        if negative:  # covered by what was not said
            return PointCoverage(text=text, covered=True, evidence=None, cue="!")
        positive_cues = _cues_from_point_text(text)
    else:
        positive_cues = _compile(positive)
    for sentence in sentences:  # the earliest sentence with a match
        hits = [(span, cue) for cue in positive_cues if (span := find(cue, sentence.tokens, gap_words=gap))]
        if hits:
            span, cue = min(hits, key=lambda h: h[0][0])
            a, b = sentence.tokens[span[0]].word, sentence.tokens[span[1] - 1].word
            evidence, at_s = _evidence(words, sentence, a, b, settings.evidence_max_words)
            return PointCoverage(text=text, covered=True, at_s=at_s, evidence=evidence, cue=cue.text)
    return PointCoverage(text=text, covered=False)


@lru_cache(maxsize=512)
def _cues_from_point_text(text: str) -> tuple[Cue, ...]:
    """For a user's point without cues: each pair of its content words, in either order."""
    content = [w for w in (normalize(t) for t in text.split()) if w and w not in _STOP and len(w) > 2]
    if len(content) < 2:
        return _compile(tuple(content))
    pairs = [f"{a} ... {b}" for i, a in enumerate(content) for b in content[i + 1 :]]
    pairs += [f"{b} ... {a}" for i, a in enumerate(content) for b in content[i + 1 :]]
    return _compile(tuple(pairs))


@lru_cache(maxsize=4096)
def _compile(cue_texts: tuple[str, ...]) -> tuple[Cue, ...]:
    """Cue texts as parsed cues, groups expanded."""
    out: list[Cue] = []
    for text in cue_texts:
        parsed = parse_cue(text)
        if isinstance(parsed, str):
            out.extend(_compile(CUE_GROUPS[parsed]))
        else:
            out.append(parsed)
    return tuple(out)


def _first_hit(
    cues: tuple[Cue, ...], sentences: list[_Sentence], gap: int, *, start: int, stop: int | None = None
) -> tuple[int, tuple[int, int]] | None:
    """(sentence index, token span) of the first sentence from ``start`` (to ``stop``) any cue matches."""
    for s_index in range(start, len(sentences) if stop is None else min(stop, len(sentences))):
        for cue in cues:
            span = find(cue, sentences[s_index].tokens, gap_words=gap)
            if span is not None:
                return s_index, span
    return None


def _index_from(share: float, sentences: list[_Sentence]) -> int:
    """The first sentence index at ``share`` of the answer (at least 1 when there are 2 or more)."""
    n = len(sentences)
    return min(max(int(share * n + 0.5), 1 if n > 1 else 0), max(n - 1, 0))


# --- structure ------------------------------------------------------------------------------------


def _structure(
    question: Question,
    sentences: list[_Sentence],
    words: tuple[Word, ...],
    points: list[PointCoverage],
    settings: ContentSettings,
) -> Structure:
    name = question.structure
    names = STRUCTURE_PARTS.get(name)
    if names is None:  # a user's own structure: named, not judged
        return Structure(name=name)
    gap = settings.structure_gap_words
    n = len(sentences)
    early_stop = max(1, int(settings.situation_within * n + 0.5))
    late_start = _index_from(settings.result_after, sentences)
    actions = [k for k, s in enumerate(sentences) if _action_subject(s.tokens)]

    def part(part_name: str, hit: tuple[int, tuple[int, int]] | None) -> StructurePart:
        if hit is None:
            return StructurePart(name=part_name, present=False)
        s_index, span = hit
        sentence = sentences[s_index]
        a, b = sentence.tokens[span[0]].word, sentence.tokens[max(span[1] - 1, span[0])].word
        evidence, at_s = _evidence(words, sentence, a, b, settings.evidence_max_words)
        return StructurePart(name=part_name, present=True, at_s=at_s, evidence=evidence)

    def action_hit() -> tuple[int, tuple[int, int]] | None:
        cued = _first_hit(_compile(ACTION_CUES), sentences, gap, start=0)
        first_action = (actions[0], (0, len(sentences[actions[0]].tokens))) if actions else None
        options = [h for h in (cued, first_action) if h is not None]
        return min(options, key=lambda h: h[0]) if options else None

    situation = _first_hit(_compile(SITUATION_CUES), sentences, gap, start=0, stop=early_stop)
    if situation is None:
        situation = _scene(sentences, stop=min(2, early_stop))
    task = _first_hit(_compile(TASK_CUES), sentences, gap, start=0) or _first_hit(
        _compile(TASK_OPENING_CUES), sentences, gap, start=0, stop=1
    )
    result = _first_hit(_compile(RESULT_CUES), sentences, gap, start=late_start)
    parts: list[StructurePart]
    if name == "STAR":
        parts = [
            part("Situation", situation),
            part("Task", task),
            part("Action", action_hit()),
            part("Result", result),
        ]
    elif name == "CAR":
        context = min((h for h in (situation, task) if h is not None), key=lambda h: h[0], default=None)
        parts = [part("Context", context), part("Action", action_hit()), part("Result", result)]
    elif name == "PREP":
        opening = _opening(sentences, gap)
        reason = _first_hit(_compile(REASON_CUES), sentences, gap, start=0)
        example = _first_hit(_compile(EXAMPLE_CUES), sentences, gap, start=0)
        again = _restated(sentences, opening, gap)
        parts = [
            part("Point", opening),
            part("Reason", reason),
            part("Example", example),
            part("Point again", again),
        ]
    elif name == "Present-Past-Future":
        present = _first_hit(_compile(PRESENT_CUES), sentences, gap, start=0)
        past = _first_hit(_compile(PAST_CUES), sentences, gap, start=0)
        future = _first_hit(_compile(FUTURE_CUES), sentences, gap, start=late_start)
        parts = [part("Present", present), part("Past", past), part("Future", future)]
    else:  # direct: the answer in the first sentences, then one reason or example
        first = _answer_first(sentences, words, points, gap)
        support = _first_hit(_compile(REASON_CUES + EXAMPLE_CUES), sentences, gap, start=0)
        parts = [part("Answer first", first), part("Reason or example", support)]
    return Structure(name=name, parts=tuple(parts))


def _scene(sentences: list[_Sentence], *, stop: int) -> tuple[int, tuple[int, int]] | None:
    """A story's opening scene without a cue: an early sentence that says how things were or what
    happened ("was", "had", a past-tense verb) without saying that I or we did something."""
    for k, sentence in enumerate(sentences[:stop]):
        texts = [t.text for t in sentence.tokens]
        if len(texts) < 4 or _action_subject(sentence.tokens):
            continue
        if any(t in ("was", "were", "had", "used") or t in _IRREGULAR_PAST or _is_past(t) for t in texts):
            return k, (0, len(sentence.tokens))
    return None


def _is_past(token: str) -> bool:
    return token.endswith("ed") and len(token) >= 5


def _opening(sentences: list[_Sentence], gap: int) -> tuple[int, tuple[int, int]] | None:
    """The first sentence that is not a stall ("good question, let me think")."""
    stalls = _compile(STALL_CUES)
    for k, sentence in enumerate(sentences[:3]):
        if len(sentence.tokens) >= 3 and not any(find(c, sentence.tokens, gap_words=gap) for c in stalls):
            return k, (0, len(sentence.tokens))
    return None


def _restated(
    sentences: list[_Sentence], opening: tuple[int, tuple[int, int]] | None, gap: int
) -> tuple[int, tuple[int, int]] | None:
    """PREP's point again: in the last two sentences, a wrap-up cue or two content stems of the opening."""
    if opening is None or len(sentences) < 3:
        return None
    first = {t.stem for t in sentences[opening[0]].tokens if t.text not in _STOP and len(t.text) > 2}
    for k in range(max(opening[0] + 2, len(sentences) - 2), len(sentences)):
        tokens = sentences[k].tokens
        if any(find(c, tokens, gap_words=gap) for c in _compile(RESTATE_CUES)):
            return k, (0, len(tokens))
        if len(first & {t.stem for t in tokens}) >= 2:
            return k, (0, len(tokens))
    return None


def _answer_first(
    sentences: list[_Sentence], words: tuple[Word, ...], points: list[PointCoverage], gap: int
) -> tuple[int, tuple[int, int]] | None:
    """A direct answer's first sentence, unless the answer opens by stalling ("That's a tough one",
    "I haven't really thought about it")."""
    opening = _opening(sentences, gap)
    if opening is None or opening[0] > 0 and len(sentences[0].tokens) >= 3:
        return None  # the first real sentence was a stall
    return opening


# --- who did it -----------------------------------------------------------------------------------


def _action_subject(tokens: list[Token]) -> str | None:
    """ "i" if the sentence says I did something, else "we" if it says we did, else None."""
    found: set[str] = set()
    for k, token in enumerate(tokens):
        who = _SUBJECTS.get(token.text)
        if who is None or (k > 0 and tokens[k - 1].text in _SUBORDINATE):
            continue
        j, habitual = k + 1, False
        while j < len(tokens) and j <= k + 4 and (tokens[j].text in _ADVERBS or _hedge_at(tokens, j)):
            habitual = habitual or tokens[j].text in _HABITUAL
            j += 1
        if j >= len(tokens):
            continue
        verb = tokens[j].text
        nxt = tokens[j + 1].text if j + 1 < len(tokens) else ""
        modal_action = verb in _MODAL and nxt and nxt not in _NOT_AFTER_MODAL and nxt not in _STOP
        habitual_action = (
            habitual and verb not in _STOP and verb not in _STATE_VERBS and not verb.endswith("ing")
        )
        if _is_action_verb(verb, nxt) or modal_action or habitual_action:
            found.add(who)
    if "i" in found:
        return "i"
    return "we" if "we" in found else None


def _hedge_at(tokens: list[Token], j: int) -> bool:
    """ "kind of" / "sort of" between a subject and its verb ("I kind of got on with it")."""
    here, nxt, prev = tokens[j].text, tokens[j + 1].text if j + 1 < len(tokens) else "", tokens[j - 1].text
    return (here in ("kind", "sort") and nxt == "of") or (here == "of" and prev in ("kind", "sort"))


def _is_action_verb(verb: str, nxt: str) -> bool:
    if verb in _STATE_VERBS:
        return False
    if verb == "did":
        return nxt != "not"
    if verb in _IRREGULAR_PAST:
        return True
    return _is_past(verb)


def _ownership(sentences: list[_Sentence], words: tuple[Word, ...]) -> Ownership:
    i_at: list[float] = []
    we_at: list[float] = []
    for sentence in sentences:
        who = _action_subject(sentence.tokens)
        if who is not None:
            (i_at if who == "i" else we_at).append(words[sentence.first_word].start)
    return Ownership(i=len(i_at), we=len(we_at), i_at_s=tuple(i_at), we_at_s=tuple(we_at))


def _mostly_we(ownership: Ownership, settings: ContentSettings) -> bool:
    total = ownership.i + ownership.we
    return (
        ownership.we >= settings.mostly_we_min - 1
        and total >= settings.mostly_we_min
        and ownership.we / total >= settings.mostly_we_share
    )


# --- specifics and vague words --------------------------------------------------------------------

_UNIT_STOP = _STOP | {"and", "or", "but", "so", "because", "then"}
_NOT_NAMES = frozenset({"i", "ok", "okay", "um", "uh", "oh", "yes", "yeah", "no", "so"})


def _specifics(words: tuple[Word, ...]) -> list[Mention]:
    """Numbers with what they count ("80 percent", "two weeks") and names ("Jenkins", "Sarah")."""
    out: list[Mention] = []
    k = 0
    while k < len(words):
        if _is_number_word(words[k]):
            j = k + 1
            while j < len(words) and _is_number_word(words[j]) and not words[j - 1].sentence_end:
                j += 1
            if j < len(words) and not words[j - 1].sentence_end and "%" not in words[j - 1].text:
                nxt = normalize(words[j].text)
                if nxt and nxt not in _UNIT_STOP and nxt not in FILLED_PAUSES:
                    j += 1
            out.append(Mention(text=_join(words[k:j]), at_s=words[k].start))
            k = j
        elif _is_name(words, k):
            j = k + 1
            while j < len(words) and _is_name(words, j) and not words[j - 1].sentence_end:
                j += 1
            out.append(Mention(text=_join(words[k:j]), at_s=words[k].start))
            k = j
        else:
            k += 1
    return out


def _is_number_word(word: Word) -> bool:
    token = normalize(word.text)
    return bool(token) and not word.filler and any(is_number(t) for t in expand(token))


def _is_name(words: tuple[Word, ...], k: int) -> bool:
    raw = words[k].text.strip("\"'(“‘")
    if not raw or not raw[0].isupper() or words[k].filler:
        return False
    token = normalize(raw)
    if token in _NOT_NAMES or token.startswith("i'") or token in _STOP:
        return False
    return k > 0 and not words[k - 1].sentence_end and words[k - 1].text.rstrip()[-1:] not in '.?!:"“'


def _vague(sentences: list[_Sentence], words: tuple[Word, ...]) -> list[Mention]:
    phrases = [p.split() for p in VAGUE_PHRASES]
    out: list[Mention] = []
    for sentence in sentences:
        texts = [t.text for t in sentence.tokens]
        k = 0
        while k < len(texts):
            for phrase in phrases:
                n = len(phrase)
                if texts[k : k + n] != phrase:
                    continue
                prev = texts[k - 1] if k > 0 else ""
                if phrase[0] in ("kind", "sort") and prev in _DETERMINERS:
                    continue  # "a kind of database"
                if (
                    phrase == ["things"]
                    and k > 0
                    and (prev in _DETERMINERS - {"some"} or sentence.tokens[k - 1].number)
                ):
                    continue  # "two things", "the things that matter"
                out.append(Mention(text=" ".join(phrase), at_s=words[sentence.tokens[k].word].start))
                k += n - 1
                break
            k += 1
    return out


# --- job terms ------------------------------------------------------------------------------------

# Words of job adverts that say nothing about this job ("strong", "ability", "experience").
_JOB_AD_WORDS = frozenset(
    """experience experienced ability able skills skill strong excellent good great proven track record
    team teams work working role candidate candidates opportunity company years year including include
    responsibilities responsibility requirements required requirement preferred plus bonus ideal
    ideally join looking seeking someone will must should etc you your we our us they their related
    relevant degree equivalent knowledge understanding familiarity familiar proficiency proficient
    demonstrated solid deep hands hands-on new across within well highly level senior day
    days based using use used help helping make making ensure ensuring passion passionate love
    environment fast-paced paced world class best plus benefits salary apply application closing
    date about what who how us key core other others various wide range multiple like such busy
    compassionate motivated dynamic driven friendly talented enthusiastic dedicated committed
    self-motivated detail-oriented organised organized reliable hardworking hard-working
    run lead manage drive deliver ensure maintain create define implement improve handle keep provide
    support write cut hit exceed own oversee coordinate establish partner collaborate contribute make
    take bring""".split()  # the last lines: duty verbs that open a bullet ("Run our clusters")
)
_LEAD_INS = re.compile(
    r"\b(?:experience (?:with|in|of)|knowledge of|familiar(?:ity)? with|proficien(?:t|cy) (?:in|with)|"
    r"skills? in|expertise in|background in|exposure to|comfortable with|responsible for)\s+([^.;:\n]+)",
    re.IGNORECASE,
)


def job_terms_from_file(path: Path | str, *, most: int | None = None) -> tuple[str, ...]:
    """``job_terms_from_text`` of a job description saved as plain text (UTF-8).

    Raises RepsError naming the file when it is missing, unreadable, not text, or has no terms.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RepsError(f"{path}: no such file (--job takes a job description saved as plain text)") from None
    except IsADirectoryError:
        raise RepsError(f"{path}: is a folder, not a job description file") from None
    except UnicodeDecodeError:
        raise RepsError(f"{path}: not plain text (UTF-8); save the job description as a .txt file") from None
    except OSError as exc:
        raise RepsError(f"{path}: cannot read the job description: {exc.strerror or exc}") from None
    terms = job_terms_from_text(text, most=most)
    if not terms:
        raise RepsError(
            f"{path}: no skills, tools or duties found in it; is it the text of a job description?"
        )
    return terms


def job_terms_from_text(text: str, *, most: int | None = None) -> tuple[str, ...]:
    """The terms that matter in a job description: skills, tools, responsibilities.

    Candidates are runs of up to three words between stop words and punctuation (the RAKE idea,
    Rose et al. 2010), without the words every job advert uses. A candidate scores by how often it
    and its words occur, plus a bonus when it follows "experience with", "knowledge of", ..., sits in
    a bulleted list, or is written like a name or tool (Kubernetes, SQL, CI/CD) mid-sentence. The
    ``most`` best, in order of first appearance.
    """
    most = ContentSettings().job_terms_max if most is None else most
    lead_in = {_canonical(c) for m in _LEAD_INS.finditer(text) for c, _ in _candidates(m.group(1))}
    bulleted = {
        _canonical(c) for line in text.splitlines() if _BULLET.match(line) for c, _ in _candidates(line)
    }
    candidates = _candidates(text)
    counts = Counter(_canonical(c) for c, _ in candidates)
    word_counts = Counter(stem(w) for c, _ in candidates for w in _canonical(c).split())
    first: dict[str, str] = {}
    proper: set[str] = set()
    for c, is_proper in candidates:
        first.setdefault(_canonical(c), c)
        if is_proper:
            proper.add(_canonical(c))
    scores: dict[str, float] = {}
    for key in first:
        parts = key.split()
        score = sum(word_counts[stem(w)] for w in parts) / len(parts) + counts[key]
        score += 2.0 if key in lead_in else 0.0
        score += 1.0 if key in bulleted else 0.0
        score += 1.5 if key in proper else 0.0
        score += 0.5 * (len(parts) - 1)
        scores[key] = score
    best = sorted(scores, key=lambda k: -scores[k])
    kept: list[str] = []
    seen_stems: list[frozenset[str]] = []
    for key in best:
        stems = frozenset(stem(normalize(w)) for w in key.split())
        if any(stems <= s or len(stems & s) >= 2 for s in seen_stems):
            continue  # "busy acute medical" after "acute medical unit"
        seen_stems.append(stems)
        kept.append(key)
        if len(kept) >= most:
            break
    order = {k: n for n, k in enumerate(first)}
    return tuple(first[k] for k in sorted(kept, key=lambda k: order[k]))


_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013\u2014]|\d+[.)])\s+")


def _candidates(text: str) -> list[tuple[str, bool]]:
    """Runs of content words, each with whether it is written like a name or a tool."""
    out: list[tuple[str, bool]] = []
    for line in text.splitlines():
        run: list[str] = []
        proper = False
        sentence_start = True

        def close() -> None:
            nonlocal run, proper
            if run:
                out.extend((r, proper) for r in _runs(run))
            run, proper = [], False

        for raw in _BULLET.sub("", line).split():
            word = raw.strip("\"'`()[]\u201c\u201d\u2018\u2019").rstrip(".,;:!?")
            low = normalize(word)
            low = expand(low)[0] if low else low  # "you'll" -> "you"
            if (
                raw in ("-", "\u2013", "\u2014")
                or not word
                or low in _STOP
                or low in _JOB_AD_WORDS
                or not re.search(r"[a-zA-Z]", word)
            ):
                close()
            else:
                run.append(word)
                # A capital mid-sentence, or inner capitals/digits (SQL, GitHub, C++), reads as a name.
                proper = proper or (not sentence_start and word[0].isupper()) or _looks_like_tool(word)
            sentence_start = raw[-1:] in ".!?:"
            if raw[-1:] in ".,;:!?)":
                close()
        close()
    return [(c, p) for c, p in out if len(c) > 1]


def _runs(run: list[str]) -> list[str]:
    """A run of content words as candidates of at most three words."""
    if len(run) <= 3:
        return [" ".join(run)]
    return [" ".join(run[i : i + 3]) for i in range(0, len(run), 3)]


def _canonical(candidate: str) -> str:
    return " ".join(w.lower() for w in candidate.split())


def _looks_like_tool(word: str) -> bool:
    return bool(
        re.fullmatch(
            r"[A-Z]{2,}[A-Za-z0-9/+#]*|[A-Za-z]+[0-9+#]+|[a-z]+\.(?:js|py)|[A-Z][a-z]+[A-Z]\w*", word
        )
    )


def _job_term_use(term: str, sentences: list[_Sentence], words: tuple[Word, ...], gap: int) -> JobTermUse:
    """Used when the term's words (by stem) come in one sentence in order, with small gaps."""
    parts = [normalize(w) for w in term.replace("/", " ").replace("-", " ").split()]
    parts = [p for p in parts if p]
    if not parts:
        return JobTermUse(term=term, covered=False)
    cue = parse_cue(" ".join(parts))
    assert not isinstance(cue, str)
    # A one-word name ("Go", "Rust", "Swift") is also an everyday word: only its capitalised form counts.
    named = len(parts) == 1 and term[:1].isupper()
    for sentence in sentences:
        span = find(cue, sentence.tokens, gap_words=gap)
        if span is None:
            continue
        word = words[sentence.tokens[span[0]].word]
        if named and not word.text.lstrip("\"'(").startswith(term[:1]):
            continue
        return JobTermUse(term=term, covered=True, at_s=word.start)
    return JobTermUse(term=term, covered=False)


# Everyday verbs that say nothing about a job's subject ("run discovery calls", "keep CRM data").
_GENERIC_STEMS = frozenset(
    stem(w) for w in "run set keep make take get use go do work need want way time".split()
)


def questions_for_job(
    questions: Sequence[Question], job_terms: Sequence[str]
) -> list[tuple[Question, tuple[str, ...]]]:
    """Questions ordered by how many words (stems) of the job's terms their id, text and points share,
    each with the terms it shares a word with; ties keep bank order.

    A one-word name written with a capital ("Go", "Rust") counts only where the question writes it so.
    """
    term_stems = []
    for t in job_terms:
        parts = [normalize(x) for x in re.split(r"[\s/-]+", t)]
        stems = {stem(w) for w in parts if len(w) >= 3 and w not in _STOP and w not in _JOB_AD_WORDS}
        term_stems.append((t, stems, len(parts) == 1 and t[:1].isupper()))
    scored: list[tuple[int, int, Question, tuple[str, ...]]] = []
    for n, q in enumerate(questions):
        text = " ".join((q.id.replace("-", " "), q.text, *q.points))
        have = {
            stem(w) for w in (normalize(t) for t in text.split()) if w and w not in _STOP
        } - _GENERIC_STEMS
        written = set(re.findall(r"[A-Za-z0-9+#]+", " ".join((q.text, *q.points))))
        shared_stems: set[str] = set()
        shared: list[str] = []
        for t, stems, named in term_stems:
            common = stems & have
            if common and (not named or t in written):
                shared_stems |= common
                shared.append(t)
        scored.append((-len(shared_stems), n, q, tuple(shared)))
    scored.sort(key=lambda s: (s[0], s[1]))
    return [(q, shared) for _, _, q, shared in scored]


# --- advice ---------------------------------------------------------------------------------------


def content_advice(
    content: Content, question: Question | None, *, answer_end_s: float
) -> list[tuple[float, Feedback]]:
    """Content advice, each with a priority on the scale of ``advice.advise`` (higher first).

    A missing result outranks every delivery habit but a bad recording; "we" and vague words sit
    with the mid-sentence pauses and filler clusters.
    """
    items: list[tuple[float, Feedback]] = []
    settings = ContentSettings()
    end = round(answer_end_s, 3)
    narrative = question is not None and question.structure in ("STAR", "CAR")
    if narrative and "no_result" in content.findings:
        items.append(
            (
                80.0,
                Feedback(
                    f"{clock(end)} - the story has no result: say how it ended and what changed, with a number.",
                    end,
                ),
            )
        )
    elif narrative and "no_measurable_result" in content.findings:
        part = next((p for p in content.structure.parts if p.name == "Result" and p.present), None)
        where = (
            f'{clock(part.at_s)} - "{part.evidence}" has'
            if part and part.evidence and part.at_s is not None
            else f"{clock(end)} -"
        )
        items.append(
            (
                60.0,
                Feedback(
                    f"{where} no measurable result: say what changed, with a number (time saved, errors down, customers kept).",
                    part.at_s if part else end,
                ),
            )
        )
    missing = [p for p in content.points if not p.covered]
    if items and question is not None:  # the result advice already says it: don't list the result point again
        missing = [
            p for n, p in enumerate(content.points) if not p.covered and not _about_result(question, n)
        ]
    if missing and content.points:
        names = "; ".join(p.text[:1].lower() + p.text[1:].rstrip(".") for p in missing[:2])
        extra = f" (and {len(missing) - 2} more)" if len(missing) > 2 else ""
        items.append(
            (
                55.0 + 5 * len(missing) / len(content.points),
                Feedback(
                    f"{len(missing)} of {len(content.points)} points not covered: {names}{extra}.",
                    None,
                ),
            )
        )
    own = content.ownership
    we = _mostly_we(own, settings)
    vague = len(content.vague) >= settings.vague_min
    if vague:
        counts = Counter(m.text for m in content.vague)
        named = " and ".join(f"'{t}'" for t, _ in counts.most_common(2))
    if we and vague:  # one piece of advice for both: they crowd out the rest otherwise
        at = min(own.we_at_s[0], content.vague[0].at_s)
        items.append(
            (
                52.0 + own.we + len(content.vague) / 2,
                Feedback(
                    f"{clock(at)} - {own.we} of {own.i + own.we} action sentences say 'we', and {named} come "
                    f"{len(content.vague)} times in all: say what you did, and name the things.",
                    at,
                ),
            )
        )
    elif we:
        items.append(
            (
                50.0 + own.we,
                Feedback(
                    f"{clock(own.we_at_s[0])} - {own.we} of {own.i + own.we} action sentences say 'we': "
                    "say what you did.",
                    own.we_at_s[0],
                ),
            )
        )
    elif vague:
        first = content.vague[0]
        items.append(
            (
                45.0 + len(content.vague),
                Feedback(
                    f"{clock(first.at_s)} - {named} {len(content.vague)} times in all: name them.", first.at_s
                ),
            )
        )
    return items


def points_to_cover(content: Content, question: Question) -> tuple[str, ...]:
    """The points the answer left out, less the result when the result advice already asks for it."""
    no_result = question.structure in ("STAR", "CAR") and "no_result" in content.findings
    return tuple(
        p.text
        for n, p in enumerate(content.points)
        if not p.covered and not (no_result and _about_result(question, n))
    )


def _about_result(question: Question, n: int) -> bool:
    """Point ``n`` asks for the result: its cues are the shared result lists, or it says so."""
    cues = question.cues_for(n)
    text = question.points[n].lower()
    return any(c.strip() in ("@result", "@measured") for c in cues) or "result" in text or "outcome" in text


# --- words, sentences, evidence -------------------------------------------------------------------


def _sentences(words: tuple[Word, ...]) -> list[_Sentence]:
    out: list[_Sentence] = []
    start = 0
    for k, word in enumerate(words):
        if word.sentence_end or word.text.rstrip()[-1:] in ".?!" or k == len(words) - 1:
            tokens = tokens_of([w.text for w in words[start : k + 1]])
            tokens = [Token(t.text, t.stem, t.word + start, t.number) for t in tokens]
            if tokens:
                out.append(_Sentence(tokens=tokens, first_word=start, last_word=k))
            start = k + 1
    return out


_LEAD_OFF = frozenset({"so", "and", "but", "um", "uh", "well", "then", "like", "yeah", "okay", "ok"})


def _evidence(
    words: tuple[Word, ...], sentence: _Sentence, a: int, b: int, max_words: int
) -> tuple[str, float]:
    """The words of ``sentence`` around the match ``[a, b]`` (word indices), at most ``max_words``,
    without leading "so"/"and" and fillers; with the time the first of them was said."""
    lo, hi = sentence.first_word, sentence.last_word
    if hi - lo + 1 > max_words:
        before = max(0, (max_words - (b - a + 1)) // 2)
        lo = max(lo, a - before)
        hi = min(hi, lo + max_words - 1)
        if hi < b:
            hi, lo = b, max(sentence.first_word, b - max_words + 1)
    while lo < a and (words[lo].filler or normalize(words[lo].text) in _LEAD_OFF):
        lo += 1
    kept = [
        w
        for w in words[lo : hi + 1]
        if not (w.filler and normalize(w.text) in ("um", "uh", "er", "ah", "hm"))
    ]
    return _join(kept), words[lo].start


def _join(words: Sequence[Word]) -> str:
    text = " ".join(w.text.strip() for w in words)
    return text.strip().rstrip(".,;:!?").strip()


def words_from_text(text: str, *, wpm: float = 150.0, start_s: float = 0.0) -> tuple[Word, ...]:
    """Words with times for a written answer (no audio): evenly spaced at ``wpm`` words per minute,
    sentence ends from the punctuation, filled pauses (um, uh) marked as fillers."""
    from .words import is_filled_pause

    step_s = 60.0 / wpm
    out: list[Word] = []
    t = start_s
    for raw in text.split():
        end_t = t + 0.8 * step_s
        word = Word(
            text=raw, start=round(t, 3), end=round(end_t, 3), sentence_end=raw.rstrip("\"')”’")[-1:] in ".?!"
        )
        out.append(replace(word, kind="filled_pause") if is_filled_pause(word) else word)
        t += step_s
        if raw[-1:] in ".?!":
            t += 0.3  # a short breath between sentences
    return tuple(out)
