"""Fillers: filled pauses (transcript + acoustic) and discourse markers judged by context."""

from __future__ import annotations

import numpy as np

from ..models import Filler, Word
from ..settings import AnalysisSettings
from .speech import HOP_S, SpeechActivity
from .voice import PitchTrack, semitone_spread
from .words import norm

# Words that, before "kind of"/"sort of", make it a noun phrase: "a kind of database", "what sort of team".
_DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "any",
        "some",
        "every",
        "each",
        "one",
        "no",
        "another",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "its",
    ]
)
# After "you know" / "I mean", these make it a real verb: "you know the answer", "I mean it".
_OBJECTS = frozenset(
    [
        "that",
        "what",
        "how",
        "why",
        "where",
        "when",
        "who",
        "whom",
        "whether",
        "if",
        "the",
        "a",
        "an",
        "it",
        "him",
        "her",
        "them",
        "me",
        "us",
        "this",
        "those",
        "these",
        "about",
        "of",
        "to",
        "my",
        "your",
        "his",
        "their",
        "our",
    ]
)
_CLAUSE_STARTERS = frozenset({"and", "but", "so", "or", "because"})
_SENTENCE_ADVERBS = frozenset({"actually", "basically", "literally", "honestly", "obviously", "well"})


def find_discourse_markers(words: tuple[Word, ...], *, min_pause_s: float) -> list[tuple[int, int]]:
    """Index ranges ``[i, j)`` of words acting as discourse-marker fillers.

    A marker counts only where it is set off from the clause: by punctuation, a pause of at least
    ``min_pause_s``, a filled pause, or the start/end of a sentence. "I like this job", "a kind of
    database" and "you know the answer" do not count.
    """
    tokens = [norm(w.text) for w in words]
    found: list[tuple[int, int]] = []

    def boundary_before(i: int) -> bool:
        if i == 0:
            return True
        prev = words[i - 1]
        return (
            prev.text[-1:] in ",.?!;:"
            or prev.sentence_end
            or prev.filler
            or words[i].start - prev.end >= min_pause_s
            or tokens[i - 1] in _CLAUSE_STARTERS
            and boundary_before(i - 1)
        )

    def boundary_after(j: int) -> bool:  # after word j-1
        last = words[j - 1]
        if j >= len(words):
            return True
        return last.text[-1:] in ",.?!;:" or words[j].filler or words[j].start - last.end >= min_pause_s

    i = 0
    while i < len(words):
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(words) else ""
        span = None
        if t == "you" and nxt == "know":
            after = tokens[i + 2] if i + 2 < len(words) else ""
            if boundary_after(i + 2) or (boundary_before(i) and after not in _OBJECTS and after != "what"):
                span = (i, i + 2)
        elif t == "i" and nxt == "mean":
            if boundary_after(i + 2):
                span = (i, i + 2)
        elif t in ("kind", "sort") and nxt == "of":
            prev = tokens[i - 1] if i > 0 else ""
            if prev not in _DETERMINERS and prev not in ("the", "of") and i > 0:
                span = (i, i + 2)
        elif t == "like" or t == "so" or t in _SENTENCE_ADVERBS:
            if boundary_before(i) and boundary_after(i + 1):
                span = (i, i + 1)
        elif t == "right" and words[i].text.rstrip().endswith("?") and boundary_before(i):
            span = (i, i + 1)
        if span:
            found.append(span)
            i = span[1]
        else:
            i += 1
    return found


def transcript_fillers(words: tuple[Word, ...], markers: list[tuple[int, int]]) -> list[Filler]:
    """Filled pauses (um, uh, ...) and discourse markers as the transcript has them."""
    in_marker = {k for i, j in markers for k in range(i, j)}
    fillers = [
        Filler(text=norm(w.text), start=w.start, end=w.end, kind="filled_pause", source="transcript")
        for k, w in enumerate(words)
        if w.filler and k not in in_marker
    ]
    for i, j in markers:
        fillers.append(
            Filler(
                text=" ".join(norm(w.text) for w in words[i:j]),
                start=words[i].start,
                end=words[j - 1].end,
                kind="discourse_marker",
                source="transcript",
            )
        )
    return fillers


def acoustic_filled_pauses(
    words: tuple[Word, ...], speech: SpeechActivity, pitch: PitchTrack, *, settings: AnalysisSettings
) -> tuple[list[Filler], list[Filler]]:
    """Sound that no word covers, voiced with a steady pitch: a probable "uh"/"um" the transcriber dropped.

    Goto et al. (1999) found filled pauses this way (measurement.md §1). Precision guards: the
    stretch must be mostly voiced, pitch within ``acoustic_filler_max_pitch_st`` semitones, and
    between ``acoustic_filler_min_s`` and ``acoustic_filler_max_s`` long, inside the spoken span.
    Returns (confirmed, unconfirmed): only a stretch Silero does not call speech is counted; the
    others are reported as candidates to listen to, never counted (a false filler is worse than a
    missed one, users.md).
    """
    if not words:
        return [], []
    hop = speech.hop_s
    covered = np.zeros_like(speech.is_speech)
    margin = int(0.05 / hop)
    for w in words:
        covered[max(0, speech.frame(w.start) - margin) : speech.frame(w.end) + margin] = True
    first, last = speech.frame(words[0].start), speech.frame(words[-1].end)
    candidate = speech.is_loud & ~covered
    candidate[:first] = False
    candidate[last:] = False
    from .speech import runs

    confirmed: list[Filler] = []
    unconfirmed: list[Filler] = []
    for start, end in runs(candidate, True, hop_s=hop):
        dur = end - start
        if not settings.acoustic_filler_min_s <= dur <= settings.acoustic_filler_max_s:
            continue
        a, b = speech.frame(start), speech.frame(end)
        voiced = pitch.voiced[a:b]
        if voiced.size == 0 or voiced.mean() < settings.acoustic_filler_min_voiced:
            continue
        spread = semitone_spread(pitch.f0_hz[a:b], min_frames=5)
        if spread is None or spread > settings.acoustic_filler_max_pitch_st:
            continue
        filler = Filler(
            text="uh", start=round(start, 3), end=round(end, 3), kind="filled_pause", source="acoustic"
        )
        # Silero hears words as speech but not hums: a steady voiced sound it calls speech is more
        # likely a drawn-out word or a restart ("and...", "but-") than an "uh".
        if speech.vad_fraction(start, end) <= settings.acoustic_filler_max_vad:
            confirmed.append(filler)
        else:
            unconfirmed.append(filler)
    return confirmed, unconfirmed


def hesitation_run_bursts(
    words: tuple[Word, ...], pitch: PitchTrack, *, settings: AnalysisSettings
) -> list[Filler]:
    """Filled pauses inside a run of two or more that the transcript wrote fewer of than were voiced.

    In "uh um uh hm hm um" the aligner stacks several tokens on one instant and the decoder may drop
    one; each separate voiced burst in the run's stretch is one hesitation. Only runs the transcript
    already marks as stacked hesitations are split, so a single long "hmm" is never counted twice.
    Returns the bursts beyond the run's token count, as acoustic fillers.
    """
    from .speech import runs

    found: list[Filler] = []
    k = 0
    while k < len(words):
        if not (words[k].filler and " " not in words[k].text):
            k += 1
            continue
        j = k
        while j + 1 < len(words) and words[j + 1].filler and " " not in words[j + 1].text:
            j += 1
        if j > k:  # a run of two or more filled pauses
            lo = words[k - 1].end if k > 0 else words[k].start - 0.3
            hi = words[j + 1].start if j + 1 < len(words) else words[j].end + 0.3
            a, b = int(round(lo / HOP_S)), int(round(hi / HOP_S))
            voiced = pitch.voiced[a:b]
            bursts = [
                (lo + s, lo + e)
                for s, e in runs(voiced, True, hop_s=HOP_S, merge_gap_s=settings.burst_merge_gap_s)
                if e - s >= settings.burst_min_s
            ]
            tokens = [w for w in words[k : j + 1]]
            extra = len(bursts) - len(tokens)
            if extra > 0:
                # each token claims the burst it covers most (or the nearest); unclaimed bursts were missed
                free = list(range(len(bursts)))
                for t in tokens:
                    if not free:
                        break

                    def fit(
                        n: int, t: Word = t, bursts: list[tuple[float, float]] = bursts
                    ) -> tuple[float, float]:
                        s, e = bursts[n]
                        return (min(e, t.end) - max(s, t.start), -abs((s + e) / 2 - (t.start + t.end) / 2))

                    free.remove(max(free, key=fit))
                for n in free[:extra]:
                    s, e = bursts[n]
                    found.append(Filler("uh", round(s, 3), round(e, 3), "filled_pause", "acoustic"))
        k = j + 1
    return found


def merge_fillers(
    from_text: list[Filler], confirmed: list[Filler], unconfirmed: list[Filler], *, near_s: float = 0.3
) -> tuple[list[Filler], list[Filler], list[Filler]]:
    """All counted fillers in time order, the acoustic ones among them, and the uncounted candidates.

    A transcript filled pause the aligner could not place (shorter than 0.1 s) within ``near_s`` of an
    acoustic stretch, confirmed or not, is the same hesitation: it keeps its text and takes the
    acoustic timing. Confirmed stretches the transcript lacks are added; unconfirmed ones stay
    candidates.
    """
    fillers = list(from_text)
    new: list[Filler] = []
    candidates: list[Filler] = []
    for cand in sorted(confirmed + unconfirmed, key=lambda f: f.start):
        near = [
            k
            for k, f in enumerate(fillers)
            if f.kind == "filled_pause" and f.start - near_s < cand.end and cand.start < f.end + near_s
        ]
        if not near:
            (new if cand in confirmed else candidates).append(cand)
            continue
        k = near[0]
        if fillers[k].end - fillers[k].start < 0.1:
            fillers[k] = Filler(fillers[k].text, cand.start, cand.end, "filled_pause", "transcript")
    return sorted(fillers + new, key=lambda f: f.start), new, candidates
