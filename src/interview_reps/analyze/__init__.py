"""Delivery measurements: speech activity, pauses, fillers, pace, voice and audio quality.

``analyze_recording`` turns a decoded recording and its transcript into a ``Result``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import TYPE_CHECKING

from ..models import Audio, Metrics, Result, Span, Transcript, Word
from ..settings import AnalysisSettings, ContentSettings, TargetBands
from .advice import advise, filler_trust
from .content import analyze_content, content_advice
from .detector import Candidate, DetectorWeights, decide, find_candidates, split_tokens
from .fillers import find_discourse_markers, marker_fillers
from .frames import FrameFeatures
from .language import find_hedges, find_repeats, tokens_of
from .pace import pace_windows, syllables, words_per_minute
from .pauses import find_pauses, time_to_first_word
from .voice import check_quality, measure_voice
from .words import clean_words

if TYPE_CHECKING:
    from ..questions import Question


def detector_candidates(
    transcript: Transcript, frames: FrameFeatures, *, settings: AnalysisSettings | None = None
) -> tuple[tuple[Word, ...], list[Candidate]]:
    """The cleaned content words and the filled-pause detector's candidates, with their evidence."""
    filler_tokens, _ = split_tokens(transcript.words)
    content = clean_words(transcript.words, frames)
    return content, find_candidates(filler_tokens, content, frames, settings=settings)


def analyze_recording(
    audio: Audio,
    transcript: Transcript,
    frames: FrameFeatures,
    *,
    settings: AnalysisSettings | None = None,
    bands: TargetBands | None = None,
    weights: DetectorWeights | None = None,
    question: Question | None = None,
    job_terms: Sequence[str] = (),
    content_settings: ContentSettings | None = None,
) -> Result:
    """All measurements of one recording from its transcript and its frame features (computed once,
    ``frames.frame_features``). ``weights``: the filler detector's (default: the shipped ones).

    ``question``: what the recording answers, for what the answer said against its points and
    structure (``content.analyze_content``); ``job_terms``: a job description's terms to look for."""
    settings = settings or AnalysisSettings()
    bands = bands or TargetBands()
    content_words, candidates = detector_candidates(transcript, frames, settings=settings)
    filled, maybe, kept_tokens = decide(candidates, weights, model=transcript.model_name)
    words = tuple(
        sorted(
            list(content_words) + [replace(t, kind="filled_pause") for t in kept_tokens],
            key=lambda w: (w.start, w.end),
        )
    )
    markers = find_discourse_markers(words, min_pause_s=settings.min_pause_s)
    marker_idx = {k for i, j in markers for k in range(i, j)}
    filled_idx = {k for k, w in enumerate(words) if w.kind == "filled_pause"}
    words = tuple(replace(w, kind="discourse_marker") if k in marker_idx else w for k, w in enumerate(words))
    fillers = sorted(filled + marker_fillers(words, markers), key=lambda f: f.start)
    acoustic = [f for f in filled if f.source == "acoustic"]
    # A filled pause is sound: it splits the silence around it, and is never a pause itself.
    pauses = find_pauses(words, frames, settings=settings, sounding=[Span(f.start, f.end) for f in filled])

    counted = [w for k, w in enumerate(words) if k not in filled_idx]
    # The answer runs from its first sound to its last, fillers included ("Um, so..." starts at the um).
    t_first = time_to_first_word(words, frames, fillers=filled) if words or filled else 0.0
    t_last = max([w.end for w in words[-1:]] + [f.end for f in filled], default=0.0)
    span_s = max(t_last - t_first, 0.0)
    pause_total = sum(p.duration_s for p in pauses)
    filled_total = sum(f.end - f.start for f in fillers if f.kind == "filled_pause")
    speaking_s = max(span_s - pause_total, 0.0)
    n_syllables = sum(syllables(w.text) for w in counted)
    tokens = tokens_of(words)
    hedges = find_hedges(tokens, words, skip=marker_idx | filled_idx)
    repeats = find_repeats(tokens, words, skip=marker_idx | filled_idx)
    voice = measure_voice(frames, settings=settings)
    quality = check_quality(audio, frames, settings=settings)
    n_filled = sum(1 for f in fillers if f.kind == "filled_pause")
    n_markers = sum(1 for f in fillers if f.kind == "discourse_marker")
    minutes = span_s / 60.0
    metrics = Metrics(
        duration_s=round(audio.duration_s, 3),
        speaking_time_s=round(speaking_s, 3),
        time_to_first_word_s=t_first,
        word_count=len(counted),
        wpm=round(words_per_minute(len(counted), span_s), 1),
        articulation_rate=round(n_syllables / max(speaking_s - filled_total, 1e-9), 2)
        if speaking_s > 0
        else 0.0,
        filled_pause_count=n_filled,
        discourse_marker_count=n_markers,
        fillers_per_min=round((n_filled + n_markers) / minutes, 2) if minutes > 0 else 0.0,
        pause_count=len(pauses),
        long_pause_count=sum(1 for p in pauses if p.duration_s >= settings.long_pause_s),
        longest_pause_s=round(max((p.duration_s for p in pauses), default=0.0), 3),
        pitch_variation_st=voice.pitch_variation_st,
        speaking_span_s=round(span_s, 3),
        answer_length_s=round(t_last, 3),
        syllable_count=n_syllables,
        clause_pause_count=sum(1 for p in pauses if p.kind == "clause"),
        sentence_pause_count=sum(1 for p in pauses if p.kind == "sentence"),
        pauses_per_min=round(len(pauses) / minutes, 2) if minutes > 0 else 0.0,
        hedge_count=sum(h.count for h in hedges),
        repeat_count=sum(r.count for r in repeats),
        loudness_variation_db=voice.loudness_variation_db,
        filler_percent=round(100.0 * (n_filled + n_markers) / max(len(words), 1), 2),
    )
    windows = pace_windows(
        counted,
        (t_first, t_last),
        window_s=settings.pace_window_s,
        min_last_fraction=settings.pace_last_window_min_fraction,
    )
    result = Result(
        audio_path=audio.path,
        duration_s=audio.duration_s,
        model_name=transcript.model_name,
        transcript=" ".join(w.text for w in words),
        words=words,
        fillers=tuple(fillers),
        pauses=tuple(pauses),
        metrics=metrics,
        feedback=(),
        hedges=tuple(hedges),
        repeats=tuple(repeats),
        pace_windows=tuple(windows),
        voice=voice,
        quality=quality,
        filler_candidates=tuple(maybe),
        filler_trust=filler_trust(
            fillers, acoustic, maybe, quality=quality, wpm=metrics.wpm, settings=settings
        ),
        settings={"transcribe": transcript.settings, "analysis": asdict(settings), "targets": asdict(bands)},
    )
    content = analyze_content(words, question, job_terms=job_terms, settings=content_settings)
    result = replace(result, content=content)
    extra = content_advice(content, question, answer_end_s=t_last)
    return replace(result, feedback=tuple(advise(result, settings=settings, bands=bands, extra=extra)))


__all__ = ["analyze_recording", "detector_candidates"]
