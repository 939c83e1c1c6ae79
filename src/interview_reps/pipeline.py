"""The whole flow in plain Python: decode -> find speech -> transcribe -> analyze -> report -> store."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AudioError, RepsError
from .models import Audio, Result
from .settings import DEFAULT_MODEL, AnalysisSettings, TranscribeSettings
from .store import SavedRep

if TYPE_CHECKING:
    from .questions import Question
    from .store import Library


@dataclass(frozen=True)
class RepOutcome:
    result: Result
    saved: SavedRep | None
    report_md: str
    patterns: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def analyze_audio(
    audio: Audio,
    *,
    model: str = DEFAULT_MODEL,
    settings: AnalysisSettings | None = None,
) -> Result:
    """Measure one decoded recording. Raises AudioError when there is no speech in it."""
    from concurrent.futures import ThreadPoolExecutor

    from .analyze import analyze_recording
    from .analyze.frames import speech_frames, voice_frames, with_voice
    from .transcribe import load_model, transcribe

    settings = settings or AnalysisSettings()
    transcribe_settings = TranscribeSettings(model=model)
    # The model loads (~1 s) while speech is found, and the voice features (they need only the audio)
    # run while the model transcribes: all three release the GIL.
    with ThreadPoolExecutor(max_workers=2) as pool:
        model_future = pool.submit(load_model, model, compute_type=transcribe_settings.compute_type)
        voice_future = pool.submit(voice_frames, audio.samples, settings=settings)
        speech = speech_frames(audio, settings=settings)
        if not speech.has_speech:
            voice_future.cancel()
            raise AudioError(f"{audio.path}: no speech detected")
        model_future.result()  # a ModelError surfaces here
        transcript = transcribe(
            audio,
            speech.sound_regions(),
            speech_regions=speech.regions(min_gap_s=0.3),
            settings=transcribe_settings,
        )
        frames = with_voice(speech, voice_future.result(), settings=settings)
    result = analyze_recording(audio, transcript, frames, settings=settings)
    if not [w for w in result.words if w.kind == "word"]:
        raise AudioError(f"{audio.path}: no speech detected")
    return result


def analyze_path(
    path: Path | str, *, model: str = DEFAULT_MODEL, settings: AnalysisSettings | None = None
) -> Result:
    from .audio import load_audio

    return analyze_audio(load_audio(path, settings=settings), model=model, settings=settings)


def process_recording(
    path: Path,
    *,
    question_id: str | None = None,
    save: bool = True,
    model: str = DEFAULT_MODEL,
    settings: AnalysisSettings | None = None,
    clips_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    created_at: datetime | None = None,
) -> RepOutcome:
    """Analyze one recording, write its report, and (unless ``save`` is False) save it as a rep."""
    from .audio import load_audio
    from .report import render_markdown

    path = Path(path)
    question = _question(question_id)
    say = progress or (lambda _msg: None)
    settings = settings or AnalysisSettings()
    audio = load_audio(path, settings=settings)
    say(f"transcribing and measuring {path.name} ({audio.duration_s:.0f} s of audio)")
    result = analyze_audio(audio, model=model, settings=settings)
    if question is not None:
        from .analyze.advice import with_length_advice

        result = with_length_advice(result, target_s=question.target_s, points=question.points)
    record = result.to_dict()
    library = None
    patterns: list[str] = []
    chart = None
    if save:
        from .store import Library

        library = Library()
        patterns = _patterns(library, record, question_id)
        chart = _chart(library, record, question_id)
    report_md = render_markdown(result, question=question, patterns=patterns, chart=chart)
    saved = None
    if library is not None:
        saved = library.save_rep(
            record,
            audio_src=path,
            report_md=report_md,
            question_id=question_id,
            source_path=str(path.resolve()),
            created_at=created_at,
        )
    if clips_dir is not None:
        from .clips import write_clips

        write_clips(audio, result, Path(clips_dir), long_pause_s=settings.long_pause_s)
    return RepOutcome(
        result=result,
        saved=saved,
        report_md=report_md,
        patterns=tuple(patterns),
        warnings=(audio.warning,) if audio.warning else (),
    )


def analyze_command(
    files: list[Path],
    *,
    as_json: bool,
    question_id: str | None,
    save: bool,
    model: str,
    clips_dir: Path | None,
    long_pause_s: float,
    recorded: str | None = None,
) -> int:
    """``reps analyze``: each file in turn; a bad file is one line on stderr. Returns the failure count."""
    import click

    from .report import print_summary

    question = _question(question_id)  # an unknown id, or a bad date, fails before any work
    when = None if recorded in (None, "file") else parse_recorded(recorded)
    settings = replace(AnalysisSettings(), long_pause_s=long_pause_s)
    failed = 0
    clip_dirs = _clip_dirs(files, clips_dir)
    for n, path in enumerate(files, 1):
        counter = f" ({n}/{len(files)})" if len(files) > 1 else ""
        click.echo(f"Analyzing {path}{counter}...", err=True)
        out_dir = clip_dirs[n - 1]
        try:
            created_at = recorded_time(path) if recorded == "file" else when
            with _spinner(f"Transcribing and measuring {path.name}") as status:
                outcome = process_recording(
                    path,
                    created_at=created_at,
                    question_id=question_id,
                    save=save,
                    model=model,
                    settings=settings,
                    clips_dir=out_dir,
                    progress=status,
                )
        except AudioError as exc:
            click.echo(f"reps: error: {exc}", err=True)
            failed += 1
            continue
        for warning in outcome.warnings:
            click.echo(f"reps: warning: {warning}", err=True)
        if as_json:
            record = outcome.result.to_dict()
            if outcome.saved is not None:
                record["rep"] = {
                    "id": outcome.saved.id,
                    "question_id": question_id,
                    "created_at": outcome.saved.created_at,
                }
            sys.stdout.write(json.dumps(record) + "\n")
            sys.stdout.flush()
        else:
            print_summary(outcome, question=question)
        if out_dir is not None:
            click.echo(f"Clips and labels.txt written to {out_dir}", err=True)
    if failed and len(files) > 1:
        click.echo(f"reps: {failed} of {len(files)} files failed", err=True)
    return failed


def _clip_dirs(files: list[Path], clips_dir: Path | None) -> list[Path | None]:
    """One clips folder per file: DIR itself for one file, else DIR/<name>, DIR/<name>-2, ... when names repeat."""
    if clips_dir is None:
        return [None] * len(files)
    if len(files) == 1:
        return [Path(clips_dir)]
    seen: dict[str, int] = {}
    out: list[Path | None] = []
    for path in files:
        seen[path.stem] = seen.get(path.stem, 0) + 1
        name = path.stem if seen[path.stem] == 1 else f"{path.stem}-{seen[path.stem]}"
        out.append(Path(clips_dir) / name)
    return out


@contextmanager
def _spinner(message: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr while a file is processed, when stderr is a terminal; else silent."""
    if not sys.stderr.isatty():
        yield lambda _msg: None
        return
    from rich.console import Console

    with Console(stderr=True).status(message) as status:
        yield lambda msg: status.update(msg[:1].upper() + msg[1:] + "...")


def parse_recorded(text: str) -> datetime:
    """``--recorded``: an ISO date or date and time; naive means local time."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RepsError(
            f"--recorded: '{text}' is not a date like 2026-11-20 or 2026-11-20T09:30, nor 'file'"
        ) from None
    return when if when.tzinfo else when.astimezone()


def recorded_time(path: Path) -> datetime | None:
    """A recording's modification time, for ``--recorded file``; None if the file cannot be read."""
    try:
        return datetime.fromtimestamp(Path(path).stat().st_mtime, tz=timezone.utc)
    except OSError:
        return None


def _question(question_id: str | None) -> Question | None:
    if question_id is None:
        return None
    from .questions import get_question

    return get_question(question_id)


def _patterns(library: Library, record: dict[str, Any], question_id: str | None) -> list[str]:
    """Patterns across this question's earlier reps: "third rep in a row with ..."."""
    from .compare import patterns_for_new_rep

    try:
        return list(patterns_for_new_rep(library, {**record, "rep": {"question_id": question_id}}))
    except RepsError:  # an unreadable index must not cost the user this rep
        return []


def _chart(library: Library, record: dict[str, Any], question_id: str | None) -> str | None:
    """The question's trend chart redrawn with this rep, as a link relative to the rep's report."""
    if question_id is None:
        return None
    from .compare import trend_chart_for_new_rep

    try:
        path = trend_chart_for_new_rep(library, record, question_id=question_id)
    except RepsError:
        return None
    return None if path is None else f"../../{path.relative_to(library.home).as_posix()}"
