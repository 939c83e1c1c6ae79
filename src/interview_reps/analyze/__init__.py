"""Delivery measurements: speech activity, pauses, fillers, pace, voice and audio quality.

``analyze_recording`` turns a decoded recording and its transcript into a ``Result``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import TYPE_CHECKING

import numpy as np

from ..models import Audio, Metrics, Result, Span, Transcript
from ..settings import AnalysisSettings, ContentSettings, TargetBands
from .advice import advise, filler_trust
from .content import analyze_content, content_advice
from .fillers import (
    acoustic_filled_pauses,
    find_discourse_markers,
    hesitation_run_bursts,
    merge_fillers,
    transcript_fillers,
)
from .language import find_hedges, find_repeats, tokens_of
from .pace import pace_windows, syllables, words_per_minute
from .pauses import find_pauses, time_to_first_word
from .speech import SpeechActivity
from .voice import check_quality, estimate_f0, measure_voice, pitch_track
from .words import clean_words

if TYPE_CHECKING:
    from ..questions import Question


def analyze_recording(
    audio: Audio,
    transcript: Transcript,
    speech: SpeechActivity,
    *,
    settings: AnalysisSettings | None = None,
    bands: TargetBands | None = None,
    f0_hz: np.ndarray | None = None,
    question: Question | None = None,
    job_terms: Sequence[str] = (),
    content_settings: ContentSettings | None = None,
) -> Result:
    """All measurements of one recording. ``speech`` is the activity the transcript was bounded by;
    ``f0_hz`` the raw pitch from ``voice.estimate_f0``, if it was computed already.

    ``question``: what the recording answers, for what the answer said against its points and
    structure (``content.analyze_content``); ``job_terms``: a job description's terms to look for."""
    settings = settings or AnalysisSettings()
    bands = bands or TargetBands()
    words = clean_words(transcript.words, speech)
    markers = find_discourse_markers(words, min_pause_s=settings.min_pause_s)
    marker_idx = {k for i, j in markers for k in range(i, j)}
    filled_idx = {k for k, w in enumerate(words) if w.filler}
    words = tuple(replace(w, filler=True) if k in marker_idx else w for k, w in enumerate(words))

    if f0_hz is None:
        f0_hz = estimate_f0(audio, settings=settings)
    pitch = pitch_track(f0_hz, speech, settings=settings, samples=audio.samples)
    confirmed, unconfirmed = acoustic_filled_pauses(words, speech, pitch, settings=settings)
    fillers, acoustic, candidates = merge_fillers(transcript_fillers(words, markers), confirmed, unconfirmed)
    # Bursts are already reconciled with the tokens of their run: added as they are.
    bursts = hesitation_run_bursts(words, pitch, settings=settings)
    fillers, acoustic = sorted(fillers + bursts, key=lambda f: f.start), acoustic + bursts
    # A filled pause the acoustic detector found is sound: it splits the silence around it.
    pauses = find_pauses(words, speech, settings=settings, sounding=[Span(f.start, f.end) for f in acoustic])

    counted = [w for k, w in enumerate(words) if k not in filled_idx]
    t_first = time_to_first_word(words, speech, voiced=pitch.voiced) if words else 0.0
    t_last = words[-1].end if words else 0.0
    span_s = max(t_last - t_first, 0.0)
    pause_total = sum(p.duration_s for p in pauses)
    filled_total = sum(f.end - f.start for f in fillers if f.kind == "filled_pause")
    speaking_s = max(span_s - pause_total, 0.0)
    n_syllables = sum(syllables(w.text) for w in counted)
    tokens = tokens_of(words)
    hedges = find_hedges(tokens, words, skip=marker_idx | filled_idx)
    repeats = find_repeats(tokens, words, skip=marker_idx | filled_idx)
    voice = measure_voice(pitch, speech, settings=settings)
    quality = check_quality(audio, speech, settings=settings)
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
        filler_candidates=tuple(candidates),
        filler_trust=filler_trust(fillers, acoustic, candidates),
        settings={"transcribe": transcript.settings, "analysis": asdict(settings), "targets": asdict(bands)},
    )
    content = analyze_content(words, question, job_terms=job_terms, settings=content_settings)
    result = replace(result, content=content)
    extra = content_advice(content, question, answer_end_s=t_last)
    return replace(result, feedback=tuple(advise(result, settings=settings, bands=bands, extra=extra)))


__all__ = ["analyze_recording"]
