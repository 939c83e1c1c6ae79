"""Silent pauses measured acoustically, then placed between the words around them."""

from __future__ import annotations

from ..models import Filler, Pause, PauseKind, Span, Word
from ..settings import AnalysisSettings
from .frames import FrameFeatures, runs


def find_pauses(
    words: tuple[Word, ...],
    speech: FrameFeatures,
    *,
    settings: AnalysisSettings,
    sounding: list[Span] | tuple[Span, ...] = (),
) -> list[Pause]:
    """Silences of at least ``min_pause_s`` between the first and the last word.

    Edges come from the audio (word timestamps run into silences, measurement.md §2). A pause after a
    word that ends a sentence is a "sentence" pause; any other is a "clause" pause (a hesitation).
    Silences inside a word's clipped span are kept only when they are long (stop closures are ~0.1 s).
    ``sounding``: filled pauses (heard, if not written): sound, and the answer's edges when outside
    the words (a pause after an opening "um" is a pause).
    """
    extra = [
        Word("uh", s.start, s.end, kind="filled_pause")
        for s in sounding
        if not any(w.start < s.end and s.start < w.end for w in words)
    ]
    words = tuple(sorted((*words, *extra), key=lambda w: (w.start, w.end)))
    if not words:
        return []
    first, last = words[0].start, words[-1].end
    # Silero does not call a hum speech, and can miss a hoarse word; inside a filled pause, or a
    # word Silero mostly missed, loud frames are sound.
    mask = speech.is_speech.copy()
    for span in sounding:  # e.g. filled pauses only the acoustic detector heard
        mask[speech.frame(span.start) : speech.frame(span.end)] = True
    for w in words:
        a, b = speech.frame(w.start), speech.frame(w.end)
        if (w.filler and " " not in w.text) or speech.speech_fraction(w.start, w.end) < 0.3:
            mask[a:b] |= speech.is_loud[a:b]
    pauses = []
    for s, e in runs(mask, False, hop_s=speech.hop_s):
        if e - s < settings.min_pause_s - 1e-9:
            continue
        gap = Span(s, e)
        start, end = max(gap.start, first), min(gap.end, last)
        if end - start < settings.min_pause_s - 1e-9:
            continue
        mid = (start + end) / 2
        before = next((w for w in reversed(words) if (w.start + w.end) / 2 <= mid), None)
        after = next((w for w in words if (w.start + w.end) / 2 > mid), None)
        if before is None or after is None:
            continue
        kind: PauseKind = "sentence" if before.sentence_end else "clause"
        pauses.append(
            Pause(start=round(start, 3), end=round(end, 3), kind=kind, before=before.text, after=after.text)
        )
    return pauses


def time_to_first_word(
    words: tuple[Word, ...], speech: FrameFeatures, *, fillers: list[Filler] | tuple[Filler, ...] = ()
) -> float:
    """Seconds from the start of the recording to the first sound of the answer: its first word, or
    a filled pause before it ("Um, so..." starts at the "um").

    The first word after a silence can be stamped seconds early (faster-whisper #125), so its start
    moves to the first frame of speech from there on: Silero's own onset (not widened: a breath or
    rumble before the first word is loud but not speech), or for a hum, which Silero does not call
    speech, the first voiced frame. The search runs to the end of the second word, since an opening
    "uh" is often stamped before its sound; only if it finds nothing does a loud frame count.
    """
    lead = min((f.start for f in fillers), default=None)
    if not words:
        return round(lead, 3) if lead is not None else 0.0
    first = _first_word_onset(words, speech)
    return round(min(first, lead), 3) if lead is not None else first


def _first_word_onset(words: tuple[Word, ...], speech: FrameFeatures) -> float:
    voiced = speech.voiced
    w = words[0]
    a = speech.frame(w.start)
    end = words[1].end if len(words) > 1 else w.end
    b = max(speech.frame(end), a + 1)
    evidence = speech.is_onset_exact[a:b] | voiced[a:b]
    if evidence.any():
        return round((a + int(evidence.argmax())) * speech.hop_s, 3)
    loud = speech.is_loud[a : max(speech.frame(w.end), a + 1)]
    if loud.any():
        return round((a + int(loud.argmax())) * speech.hop_s, 3)
    return round(w.start, 3)
