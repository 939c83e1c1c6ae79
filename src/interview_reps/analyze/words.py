"""Clean the transcriber's content words against the audio: drop inventions, clip edges into sound."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..models import Word
from ..text import norm
from .frames import FrameFeatures

# Filled pauses (measurement.md §1): spellings Whisper uses for um/uh/er/ah/hm.
FILLED_PAUSES = frozenset(
    [
        "um",
        "umm",
        "ummm",
        "uhm",
        "uh",
        "uhh",
        "uhhh",
        "er",
        "erm",
        "ah",
        "ahh",
        "hm",
        "hmm",
        "hmmm",
        "mm",
        "mmm",
        "mhm",
        "eh",
    ]
)
# "err"/"ah" are real words too ("to err", "ah, I see" is still a filler); "err" only counts when
# set off by punctuation, like the others are in Whisper's output.
AMBIGUOUS_FILLED = frozenset({"err"})


def is_filled_pause(word: Word) -> bool:
    token = norm(word.text)
    if token in FILLED_PAUSES:
        return True
    return token in AMBIGUOUS_FILLED and word.text.rstrip()[-1:] in ",.?!"


# Below this probability a word is the decoder's invention (e.g. a closing "Thank" at p=0.00 after the
# last word); real but unclear words sat at 0.1 or more on ../shared/eval.
MIN_WORD_PROBABILITY = 0.02
# Zero-length words in a row: a repetition loop the aligner could not place (a 130 s built answer
# ended in 43 of them); real speech on ../shared/eval never had more than two.
STACKED_RUN_MIN = 3


def clean_words(
    words: tuple[Word, ...], speech: FrameFeatures, *, tolerance_s: float = 0.1
) -> tuple[Word, ...]:
    """Content words that sound backs, with their edges clipped into the sound.

    Word timestamps come from cross-attention and stretch into silences (measurement.md §2);
    a word with no loud frame within ``tolerance_s`` of its span was invented in silence or noise.
    Words the aligner stacked on one instant, three or more in a row, are a decoding loop
    ("see you next time" x43 at the end of a long answer), as are words after the last speech.
    Filled-pause tokens are not judged here: they are candidates of the filler detector, which
    weighs them with the sound (cleaning them threw real ones away at the edges of an answer).
    """
    kept: list[Word] = []
    loud = speech.is_loud
    stacked = _stacked_runs(words)
    last_speech_s = speech.last_speech_s()
    for n, word in enumerate(words):
        if n in stacked or (last_speech_s is not None and word.start > last_speech_s + tolerance_s):
            continue
        a = speech.frame(word.start - tolerance_s)
        b = max(speech.frame(word.end + tolerance_s), a + 1)
        if is_filled_pause(word) or not loud[a:b].any() or word.probability < MIN_WORD_PROBABILITY:
            continue
        kept.append(_clip(word, loud, speech.hop_s))
    return tuple(kept)


def _stacked_runs(words: tuple[Word, ...], *, min_run: int = STACKED_RUN_MIN) -> set[int]:
    """Indices of runs of ``min_run`` or more zero-length words (fillers aside) in a row."""
    out: set[int] = set()
    run: list[int] = []
    for n, w in enumerate([*words, None]):
        if w is not None and w.end - w.start < 0.02 and not is_filled_pause(w):
            run.append(n)
            continue
        if len(run) >= min_run:
            out.update(run)
        run = []
    return out


def _clip(word: Word, loud: np.ndarray, hop_s: float) -> Word:
    a, b = int(round(word.start / hop_s)), int(round(word.end / hop_s))
    if b - a < 3:  # too short to clip meaningfully
        return word
    inside = np.flatnonzero(loud[a:b])
    if inside.size == 0:
        return word
    start = (a + inside[0]) * hop_s
    end = (a + inside[-1] + 1) * hop_s
    if end - start < 0.05:
        return word
    return replace(word, start=round(max(word.start, start), 3), end=round(min(word.end, end), 3))
