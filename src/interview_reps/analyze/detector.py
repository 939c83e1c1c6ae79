"""The filled-pause detector: candidates, evidence for each, one decision.

Candidates come from two signals: every filled-pause token the decoder wrote (with the short filler
prompt, measurement.md §1), and every voiced stretch the content words do not account for (including
those Silero calls speech, and the tails of words whose timing stretches over a sound). A token and
the stretch it sits on are one candidate. Each candidate gets the same few measurements (what the
decoder wrote and how sure it was, voicing, pitch and spectral steadiness, length, loudness, Silero's
view, position in the answer), and one logistic regression, fitted on the tuning split by
``scripts/fit_detector.py`` and shipped as ``detector_weights.json``, decides.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, replace
from importlib import resources

import numpy as np

from ..models import Filler, Word
from ..settings import TINY_MODEL, AnalysisSettings
from ..text import norm
from .frames import FrameFeatures, runs
from .pace import syllables
from .words import is_filled_pause

# The evidence, in the order the weights use. Units in the names; see ``evidence``.
FEATURES: tuple[str, ...] = (
    "written",  # 1 if the decoder wrote a filled pause here
    "word_prob",  # the decoder's probability for that token (0 if none)
    "steady_frac",  # share of its frames voiced within 1.5 semitones of its median pitch (a held vowel)
    "flux_rel",  # spectral change per frame, over the recording's median in speech (a vowel held: low)
    "covered",  # share of it covered by content words (their plausible length, see ``_word_reach``)
    "vad",  # Silero's mean speech probability
    "edge",  # 1 before the first or after the last content word
    "beside_pause",  # 1 if a silence of at least 0.2 s touches it (within 0.1 s) before or after
)
# Voiced stretches shorter than this are parts of words (a syllable of "uh" lasts 0.15 s or more).
MIN_STRETCH_S = 0.15
# Voiced frames closer than this are one stretch (the dip inside "u-um").
MERGE_GAP_S = 0.05
# A voiced stretch this close to a written filler's sound is part of it.
ABSORB_GAP_S = 0.12
# A stretch at least this much covered by content words is theirs, not a candidate.
MAX_COVERED = 0.5
# A token and a voiced stretch this close are one candidate.
NEAR_S = 0.15
# A token with no stretch that close sounds in the nearest voiced run this close (the aligner stacks
# the tokens of a run of fillers on one instant, up to a syllable away from their sounds).
TOKEN_SOUND_S = 0.3
MIN_TOKEN_SOUND_S = 0.05  # a stamp holding this much loud sound is where its token sounds
# Every syllable has a voiced nucleus; 50 ms is the shortest voiced run frames.py keeps (a vowel).
# A content word whose reach holds less voicing than this per syllable is stamped off its sound ...
VOICED_PER_SYLLABLE_S = 0.05
# ... and takes the nearest unexplained voiced stretches this close to its stamp (word timestamps
# are off by a few hundred ms, more after a silence: measurement.md §2; faster-whisper #125).
CLAIM_S = 0.5
# A word's vowel is speech to Silero; a hum it hears as no speech (mean probability under this) is not
# one, whatever the word stamps say.
CLAIM_MIN_VAD = 0.3
# A content word's sound lasts at most this long per syllable (plus ``_WORD_BASE_S``): the aligner
# stretches words into the hesitation after them (measurement.md §2); conversational syllables
# last 0.15-0.25 s (Pellegrino et al. 2011: 6.2 syllables/s read).
_PER_SYLLABLE_S = 0.3
_WORD_BASE_S = 0.2
# A held "uh" keeps its pitch within about a semitone (Goto et al. 1999 judged filled pauses by a
# small F0 transition); 1.5 semitones leaves room for YIN's frame-to-frame jitter.
_STEADY_ST = 1.5


@dataclass(frozen=True)
class Candidate:
    """A possible filled pause: where, what the decoder wrote there (if anything), and the evidence."""

    start: float
    end: float
    token: Word | None  # the decoder's filled-pause token, if it wrote one
    evidence: tuple[float, ...]  # in the order of FEATURES

    @property
    def text(self) -> str:
        return norm(self.token.text) if self.token is not None else "uh"

    def feature(self, name: str) -> float:
        return self.evidence[FEATURES.index(name)]


@dataclass(frozen=True)
class DetectorWeights:
    """A logistic regression over standardised evidence: p = 1 / (1 + exp(-(b + w . (x - mean) / scale)))."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # counted at p >= threshold
    candidate_threshold: float  # shown as "listen to this" at p >= this, below ``threshold``
    fitted_on: str = ""

    def probability(self, evidence: tuple[float, ...]) -> float:
        z = self.intercept
        for name, x, m, s, w in zip(self.features, evidence, self.mean, self.scale, self.coef, strict=True):
            del name
            z += w * (x - m) / s
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DetectorWeights:
        feats = tuple(str(f) for f in data["features"])  # type: ignore[attr-defined]
        if feats != FEATURES:
            raise ValueError(f"detector weights are for features {feats}, not {FEATURES}")

        def floats(key: str) -> tuple[float, ...]:
            return tuple(float(v) for v in data[key])  # type: ignore[attr-defined]

        return cls(
            features=feats,
            mean=floats("mean"),
            scale=floats("scale"),
            coef=floats("coef"),
            intercept=float(data["intercept"]),  # type: ignore[arg-type]
            threshold=float(data["threshold"]),  # type: ignore[arg-type]
            candidate_threshold=float(data["candidate_threshold"]),  # type: ignore[arg-type]
            fitted_on=str(data.get("fitted_on", "")),
        )


@functools.lru_cache(maxsize=4)
def shipped_weights(model: str = TINY_MODEL) -> DetectorWeights:
    """The weights fitted on the tuning split for ``model``'s transcripts (``scripts/fit_detector.py``
    writes them, one set per built-in model: what a model writes is part of the evidence). Another
    model gets tiny.en's."""
    text = resources.files("interview_reps.analyze").joinpath("detector_weights.json").read_text("utf-8")
    data = json.loads(text)
    return DetectorWeights.from_json(data.get(model, data[TINY_MODEL]))


def _word_length_s(w: Word) -> float:
    """The longest a content word's sound plausibly lasts."""
    return _WORD_BASE_S + _PER_SYLLABLE_S * syllables(w.text)


def _word_reach(w: Word) -> tuple[float, float]:
    """The part of a content word's stamp its sound can fill."""
    return w.start, min(w.end, w.start + _word_length_s(w))


def find_candidates(
    tokens: tuple[Word, ...],
    content: tuple[Word, ...],
    frames: FrameFeatures,
    *,
    settings: AnalysisSettings | None = None,
) -> list[Candidate]:
    """Every filled-pause token and every voiced stretch the content words leave unexplained.

    ``tokens``: the decoder's filled-pause tokens (not cleaned: the edges are where cleaning threw real
    ones away); ``content``: the cleaned content words. Searched from the first to the last sound of
    the answer: Silero speech, widened by a second either side for a soft opening "um".

    A content word accounts for the sound its stamp can hold (``_word_reach``) and, when that holds
    less voicing than its syllables need, for the nearest unexplained voiced stretches too
    (``_claim_voicing``): a stamp that is late, early or too short ("ask" stamped on one instant
    after the vowel it starts with) leaves the word's vowels uncovered, and they are no filler.

    Between the first and the last content word, a voiced stretch no token claimed is a candidate only
    where Silero hears little speech (``acoustic_filler_max_vad``): there the decoder writes what it
    hears, and a sound it left out that Silero calls speech is a word the stamps missed. Before the
    first word and after the last, where natural fillers are lost and Silero calls them speech
    (measurement.md §6), any such stretch is one.
    """
    settings = settings or AnalysisSettings()
    hop = frames.hop_s
    n = len(frames)
    covered = np.zeros(n, dtype=bool)
    for w in content:
        a, b = _word_reach(w)
        covered[frames.frame(a) : frames.frame(b)] = True
    speech_idx = np.flatnonzero(frames.is_speech)
    bursts: list[tuple[float, float]] = []  # voiced runs no word's stamp accounts for
    if speech_idx.size:
        lo = max(0, int(speech_idx[0]) - int(1.0 / hop))
        hi = min(n, int(speech_idx[-1]) + int(1.0 / hop))
        voiced = frames.voiced.copy()
        voiced[:lo] = False
        voiced[hi:] = False
        for s, e in runs(voiced, True, hop_s=hop, merge_gap_s=MERGE_GAP_S):
            a, b = frames.frame(s), frames.frame(e)
            if covered[a:b].mean() < MAX_COVERED:
                bursts.append((s, e))
    stretches = [(s, e) for s, e in bursts if e - s >= MIN_STRETCH_S - 1e-9]

    singles = _dedupe_tokens(tokens)
    claimed: set[int] = set()
    used_bursts: set[tuple[float, float]] = set()
    spans: list[tuple[float, float, Word | None]] = []
    for tok in singles:
        near = [
            k
            for k, (s, e) in enumerate(stretches)
            if k not in claimed and s < tok.end + NEAR_S and tok.start - NEAR_S < e
        ]
        if near:
            best = max(
                near,
                key=lambda k: (
                    min(stretches[k][1], tok.end) - max(stretches[k][0], tok.start),
                    -abs(sum(stretches[k]) / 2 - (tok.start + tok.end) / 2),
                ),
            )
            claimed.add(best)
            used_bursts.add(stretches[best])
            spans.append((stretches[best][0], stretches[best][1], tok))
        elif not any(
            stretches[k][0] < tok.end + NEAR_S and tok.start - NEAR_S < stretches[k][1] for k in claimed
        ):  # a second token on a stretch another token claimed is the same sound
            start, end = _token_sound(tok, frames, bursts, used_bursts, _between(tok, content))
            claimed.update(k for k, st in enumerate(stretches) if st == (start, end))
            spans.append((start, end, tok))
    # A stretch right beside one a token claimed is the rest of that filler ("u-m": the pitch track
    # breaks where the lips close), not a filler of its own.
    for k, (s, e) in enumerate(stretches):
        if k in claimed:
            continue
        owner = next(
            (
                n
                for n, (s2, e2, tok) in enumerate(spans)
                if tok is not None and (0 <= s - e2 <= ABSORB_GAP_S or 0 <= s2 - e <= ABSORB_GAP_S)
            ),
            None,
        )
        if owner is not None:
            claimed.add(k)
            s2, e2, owner_tok = spans[owner]
            spans[owner] = (min(s, s2), max(e, e2), owner_tok)
    # The others are sounds of their own: a content word's that lacks voicing, else a candidate.
    taken = _claim_voicing(content, frames, stretches, claimed)
    first = content[0].start if content else math.inf
    last = content[-1].end if content else -math.inf
    for k, (s, e) in enumerate(stretches):
        if k in taken:
            covered[frames.frame(s) : frames.frame(e)] = True
        elif k not in claimed and (
            not first <= (s + e) / 2 <= last or _mean_vad(frames, (s, e)) <= settings.acoustic_filler_max_vad
        ):
            spans.append((s, e, None))
    spans.sort(key=lambda x: x[0])

    speech_flux = frames.flux_db[frames.is_speech]
    flux_ref = float(np.median(speech_flux)) if speech_flux.size else 1.0
    return [
        Candidate(
            start=round(s, 3),
            end=round(e, 3),
            token=tok,
            evidence=evidence(s, e, tok, frames, covered, first, last, flux_ref=max(flux_ref, 1e-6)),
        )
        for s, e, tok in spans
    ]


def _between(tok: Word, content: tuple[Word, ...]) -> tuple[float, float]:
    """The gap between the content words said before and after a token: where its sound must be,
    whatever its stamp says."""
    before = [w.end for w in content if w.start <= tok.start]
    after = [w.start for w in content if w.start >= tok.end]
    return max(before, default=-math.inf), min(after, default=math.inf)


def _token_sound(
    tok: Word,
    frames: FrameFeatures,
    bursts: list[tuple[float, float]],
    used: set[tuple[float, float]],
    between: tuple[float, float] = (math.inf, -math.inf),
) -> tuple[float, float]:
    """Where a token with no voiced stretch of its own sounds: its stamp, when the stamp holds sound
    (``MIN_TOKEN_SOUND_S`` of loud frames); else the nearest unexplained voiced run (shorter than a
    stretch: a clipped "uh" in a run of them) within ``TOKEN_SOUND_S`` of it, or anywhere in
    ``between`` (the gap between the content words around it). The aligner stacks the tokens of a
    run of fillers on one instant, off their sounds, and puts an opening "Um," on the first instant
    of its chunk, however late the "um" is said."""
    a, b = frames.frame(tok.start), frames.frame(tok.end)
    stamp = (tok.start, max(tok.end, tok.start + frames.hop_s))
    if float(frames.is_loud[a:b].sum()) * frames.hop_s >= MIN_TOKEN_SOUND_S - 1e-9:
        return stamp
    near = [
        (_distance(bu, stamp), bu)
        for bu in bursts
        if bu not in used
        and (_distance(bu, stamp) <= TOKEN_SOUND_S or between[0] <= bu[0] and bu[1] <= between[1])
    ]
    if not near:
        return stamp
    _, best = min(near)
    used.add(best)
    return best


def _claim_voicing(
    content: tuple[Word, ...],
    frames: FrameFeatures,
    stretches: list[tuple[float, float]],
    claimed: set[int],
) -> set[int]:
    """Indices of the voiced stretches that belong to content words.

    Each word whose reach holds less voicing than ``VOICED_PER_SYLLABLE_S`` per syllable takes the
    nearest stretches no token claimed, within ``CLAIM_S`` of its stamp and no longer than the word
    can last (``_word_length_s``), until it has enough. Of stretches equally near (inside a stamp that
    spans a silence), the one nearest the neighbouring words: a word is said with its phrase, a filler
    apart from it."""
    taken: set[int] = set()
    reaches = [_word_reach(w) for w in content]
    for i, w in enumerate(content):
        a, b = reaches[i]
        own = float(frames.voiced[frames.frame(a) : frames.frame(b)].sum()) * frames.hop_s
        need = VOICED_PER_SYLLABLE_S * syllables(w.text)
        if own >= need - 1e-9:
            continue
        longest = _word_length_s(w)
        neighbours = [reaches[j] for j in (i - 1, i + 1) if 0 <= j < len(content)]
        near = sorted(
            (
                round(_distance(stretches[k], (w.start, w.end)), 2),
                min((_distance(stretches[k], r) for r in neighbours), default=0.0),
                k,
            )
            for k in range(len(stretches))
            if k not in claimed
            and k not in taken
            and stretches[k][1] - stretches[k][0] <= longest + 1e-9
            and _mean_vad(frames, stretches[k]) >= CLAIM_MIN_VAD
            and _distance(stretches[k], (w.start, w.end)) <= CLAIM_S
        )
        for *_, k in near:
            taken.add(k)
            s, e = stretches[k]
            own += float(frames.voiced[frames.frame(s) : frames.frame(e)].sum()) * frames.hop_s
            if own >= need - 1e-9:
                break
    return taken


def _mean_vad(frames: FrameFeatures, span: tuple[float, float]) -> float:
    a = frames.frame(span[0])
    return float(frames.vad_prob[a : max(frames.frame(span[1]), a + 1)].mean())


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Seconds between two spans (0 when they overlap)."""
    return max(0.0, a[0] - b[1], b[0] - a[1])


def _dedupe_tokens(tokens: tuple[Word, ...]) -> list[Word]:
    """One token per hesitation: the aligner stacks the tokens of one hesitation ("um uh") on one
    instant, with no length; the first of them stands for it."""
    out: list[Word] = []
    for t in sorted(tokens, key=lambda w: w.start):
        if out and t.end - t.start < 0.03 and abs(t.start - out[-1].end) < 0.05:
            continue
        out.append(t)
    return out


def evidence(
    start: float,
    end: float,
    token: Word | None,
    frames: FrameFeatures,
    covered: np.ndarray,
    first_word_s: float,
    last_word_s: float,
    *,
    flux_ref: float,
) -> tuple[float, ...]:
    """The measurements of FEATURES for the stretch ``[start, end)``."""
    a = frames.frame(start)
    b = max(frames.frame(end), a + 1)
    voiced = frames.voiced[a:b]
    f0 = frames.f0_hz[a:b][voiced]
    steady = 0.0
    if f0.size:
        st = 12.0 * np.log2(f0.astype(np.float64))
        steady = float(np.sum(np.abs(st - np.median(st)) <= _STEADY_ST)) / (b - a)
    loud = frames.is_loud[a:b]
    flux = frames.flux_db[a:b][loud] if loud.any() else frames.flux_db[a:b]
    mid = (start + end) / 2
    values = {
        "written": 1.0 if token is not None else 0.0,
        "word_prob": float(token.probability) if token is not None else 0.0,
        "steady_frac": steady,
        "flux_rel": min(float(np.median(flux)) / flux_ref, 5.0),
        "covered": float(covered[a:b].mean()),
        "vad": float(frames.vad_prob[a:b].mean()),
        "edge": 1.0 if mid < first_word_s or mid > last_word_s else 0.0,
        "beside_pause": 1.0
        if _silent(frames, start - 0.3, start + 0.1) or _silent(frames, end - 0.1, end + 0.3)
        else 0.0,
    }
    return tuple(values[f] for f in FEATURES)


def _silent(frames: FrameFeatures, start: float, end: float, *, min_s: float = 0.2) -> bool:
    """Whether ``[start, end)`` holds a run of at least ``min_s`` with neither speech nor voicing."""
    a, b = frames.frame(start), frames.frame(end)
    quiet = ~(frames.is_speech[a:b] | frames.voiced[a:b])
    return any(e - s >= min_s - 1e-9 for s, e in runs(quiet, True, hop_s=frames.hop_s))


def decide(
    candidates: list[Candidate], weights: DetectorWeights | None = None, *, model: str = TINY_MODEL
) -> tuple[list[Filler], list[Filler], list[Word]]:
    """Counted filled pauses, the uncounted ones worth a listen, and the tokens counted (as words, timed
    on the sound the detector found for them: the aligner's stamp of a filler runs into the silence
    beside it, and would hide the pause there).

    A counted candidate's source is ``transcript`` when the decoder wrote it, else ``acoustic``."""
    weights = weights or shipped_weights(model)
    counted: list[Filler] = []
    maybe: list[Filler] = []
    tokens: list[Word] = []
    for c in candidates:
        p = weights.probability(c.evidence)
        filler = Filler(
            text=c.text,
            start=c.start,
            end=c.end,
            kind="filled_pause",
            source="transcript" if c.token is not None else "acoustic",
            confidence=round(p, 3),
        )
        if p >= weights.threshold:
            counted.append(filler)
            if c.token is not None:
                tokens.append(replace(c.token, start=c.start, end=c.end))
        elif p >= weights.candidate_threshold:
            maybe.append(filler)
    return counted, maybe, tokens


def split_tokens(words: tuple[Word, ...]) -> tuple[tuple[Word, ...], tuple[Word, ...]]:
    """(filled-pause tokens, the other words) of a transcript."""
    tokens = tuple(w for w in words if is_filled_pause(w))
    return tokens, tuple(w for w in words if not is_filled_pause(w))
