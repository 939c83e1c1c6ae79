"""faster-whisper on the CPU: model resolution, filler-preserving decoding, word timestamps."""

from __future__ import annotations

import functools
import re
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ModelError
from .model_files import EMBEDDED, verified_model_dir
from .models import Audio, Span, Transcript, Word
from .settings import DEFAULT_MODEL, TranscribeSettings, reps_home

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

_SENTENCE_END = re.compile(r"[.?!]['\")\]]*$")


@functools.lru_cache(maxsize=2)
def load_model(name: str = DEFAULT_MODEL, *, compute_type: str = "int8") -> WhisperModel:
    """Load a model by name or folder, once per process.

    A folder (or the embedded default) is loaded from disk and nothing else; only a model *name* that
    is not on this computer yet is downloaded, because the user asked for it. Offline: ModelError.
    """
    folder = _model_folder(name)
    return _load_name(name, compute_type) if folder is None else _load_folder(folder, compute_type)


def _model_folder(name: str) -> Path | None:
    """The folder ``name`` stands for, or None when it is a model name (or a Hugging Face id, "org/model")."""
    if name in EMBEDDED:
        return verified_model_dir(name, stamp_dir=reps_home() / "cache")
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    if name.startswith((".", "~", "/")) or "\\" in name:  # a path, not a name: never a download
        raise ModelError(f"{name}: no such model folder")
    return None


def _load_folder(folder: Path, compute_type: str) -> WhisperModel:
    from faster_whisper import WhisperModel

    if not (folder / "model.bin").is_file():
        raise ModelError(f"{folder}: not a faster-whisper model folder (no model.bin in it)")
    try:
        return WhisperModel(str(folder), device="cpu", compute_type=compute_type, local_files_only=True)
    except (RuntimeError, OSError, ValueError) as exc:  # CTranslate2 and the tokenizer reject a broken folder
        raise ModelError(f"{folder}: not a faster-whisper model folder ({_first_line(exc)})") from None


def _load_name(name: str, compute_type: str) -> WhisperModel:
    from faster_whisper import WhisperModel
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return WhisperModel(name, device="cpu", compute_type=compute_type, local_files_only=True)
    except LocalEntryNotFoundError:
        pass  # not downloaded yet: fetch it below
    except ValueError as exc:  # faster-whisper knows no model of that name
        raise ModelError(
            f"model '{name}' is neither a faster-whisper model name nor a model folder ({_first_line(exc)})"
        ) from None
    except (RuntimeError, OSError) as exc:
        raise ModelError(
            f"model '{name}' is on this computer but cannot be loaded ({_first_line(exc)}); "
            f"use the built-in '{DEFAULT_MODEL}' or a local model folder"
        ) from None
    try:
        return WhisperModel(name, device="cpu", compute_type=compute_type)
    except (OSError, ValueError, RuntimeError) as exc:  # network, hub and CTranslate2 errors
        raise ModelError(
            f"model '{name}' is not on this computer and could not be downloaded "
            f"({_first_line(exc)}); connect to the internet once, pass a local model folder, "
            f"or use the built-in '{DEFAULT_MODEL}'"
        ) from None


def transcribe(
    audio: Audio,
    sound_regions: list[Span],
    *,
    speech_regions: list[Span] | None = None,
    settings: TranscribeSettings | None = None,
) -> Transcript:
    """Transcribe only where there is sound, keeping filled pauses, with word timestamps.

    The audio is cut at silences into chunks of at most ``max_chunk_s`` around ``sound_regions``
    (from the acoustic detector, inclusive of hums). Each chunk is decoded on its own with the
    short filler prompt, which faster-whisper only gives to the first 30 s window of a call
    (measurement.md §1); silence outside the chunks never reaches the decoder, so it cannot
    become words. Beam search sometimes skips a whole sentence at the start of a window; any of
    ``speech_regions`` (Silero speech) left with no words is decoded again on its own.
    """
    settings = settings or TranscribeSettings()
    model = load_model(settings.model, compute_type=settings.compute_type)
    words = _decode(model, audio, plan_chunks(sound_regions, audio.duration_s, settings=settings), settings)
    missed = uncovered(speech_regions or [], words, min_s=settings.min_uncovered_speech_s)
    if missed:
        chunks = [
            Span(
                max(0.0, r.start - settings.speech_pad_s),
                min(audio.duration_s, r.end + settings.speech_pad_s),
            )
            for r in missed
        ]
        extra = [
            w
            for w in _decode(model, audio, chunks, settings)
            if any(r.start - 0.2 <= (w.start + w.end) / 2 <= r.end + 0.2 for r in missed)
        ]
        words = sorted(words + extra, key=lambda w: w.start)
    return Transcript(
        text=" ".join(w.text for w in words),
        words=tuple(words),
        model_name=settings.model,
        settings=asdict(settings),
    )


def uncovered(regions: list[Span], words: list[Word], *, min_s: float) -> list[Span]:
    """Speech regions of at least ``min_s`` that no word overlaps."""
    return [
        r
        for r in regions
        if r.duration_s >= min_s and not any(w.start < r.end and r.start < w.end for w in words)
    ]


def _decode(
    model: WhisperModel, audio: Audio, chunks: list[Span], settings: TranscribeSettings
) -> list[Word]:
    """Decode each chunk on its own, with the filler prompt, in batches (faster-whisper's batched
    pipeline gives every chunk the prompt and encodes several chunks at once)."""
    if not chunks:
        return []
    from faster_whisper import BatchedInferencePipeline

    segments, _info = BatchedInferencePipeline(model).transcribe(
        audio.samples,
        language="en",
        beam_size=settings.beam_size,
        temperature=settings.temperature,
        word_timestamps=True,
        without_timestamps=True,
        initial_prompt=settings.filler_prompt or None,
        clip_timestamps=[{"start": c.start, "end": c.end} for c in chunks],
        batch_size=settings.batch_size,
    )
    words = []
    for segment in segments:
        for w in segment.words or ():
            text = w.word.strip()
            if text:
                words.append(
                    Word(
                        text=text,
                        start=round(float(w.start), 3),
                        end=round(float(w.end), 3),
                        probability=float(w.probability),
                        sentence_end=bool(_SENTENCE_END.search(text)),
                    )
                )
    return sorted(words, key=lambda w: w.start)


def plan_chunks(regions: list[Span], duration_s: float, *, settings: TranscribeSettings) -> list[Span]:
    """Group sound regions into padded chunks no longer than ``max_chunk_s``, cut in silences."""
    chunks: list[Span] = []
    pad = settings.speech_pad_s
    for region in regions:
        start, end = max(0.0, region.start - pad), min(duration_s, region.end + pad)
        if chunks:  # padding must not make two chunks overlap: a word would be decoded twice
            start = max(start, chunks[-1].end)
        while end - start > settings.max_chunk_s:  # one unbroken stretch of sound: cut it hard
            chunks.append(Span(start, start + settings.max_chunk_s))
            start += settings.max_chunk_s
        if (
            chunks
            and start - chunks[-1].end < settings.join_gap_s
            and end - chunks[-1].start <= settings.max_chunk_s
        ):
            chunks[-1] = Span(chunks[-1].start, end)
        else:
            chunks.append(Span(start, end))
    return chunks


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
