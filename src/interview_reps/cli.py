"""Click commands only: parse options, call one library function, print. No numpy, no model code."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import RepsError
from .practice import PracticeOptions
from .settings import DEFAULT_MODEL, AnalysisSettings

if TYPE_CHECKING:
    from rich.console import Console


class RepsGroup(click.Group):
    """Turns every RepsError and Ctrl-C into one line on stderr and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RepsError as exc:
            click.echo(f"reps: error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("reps: interrupted", err=True)
            sys.exit(130)


@click.group(cls=RepsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reps")
def cli() -> None:
    """Practise interview answers out loud and see honestly how each rep went.

    Everything runs on this computer: audio never leaves it.

    \b
    Examples:
      reps practice                      answer a question from the bank, out loud
      reps analyze answer.m4a            feedback on a saved recording
      reps analyze *.wav --json          one JSON object per file, for scripts
      reps history                       every rep so far
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file (schema 1) on stdout.")
@click.option("--question", "question_id", metavar="ID", help="Save the rep under this question id.")
@click.option("--no-save", is_flag=True, help="Do not save the rep in the practice library.")
@click.option(
    "--model",
    default=DEFAULT_MODEL,
    show_default=True,
    help="built-in model (tiny.en, base: offline) or another faster-whisper model name (downloaded only if asked for and online) or a local model folder.",
)
@click.option(
    "--clips",
    "clips_dir",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Write each filler and long pause as a short WAV, plus an Audacity labels.txt, into DIR.",
)
@click.option(
    "--long-pause",
    "long_pause_s",
    type=click.FloatRange(min=AnalysisSettings.min_pause_s),
    default=AnalysisSettings.long_pause_s,
    show_default=True,
    help="Pauses this long (seconds) or longer count as long.",
)
@click.option(
    "--recorded",
    "recorded",
    metavar="DATE|file",
    help="When the answer was given, for history and compare: a date (2026-11-20), a date and time, "
    "or 'file' for each file's modification time. Default: now.",
)
def analyze(
    files: tuple[Path, ...],
    as_json: bool,
    question_id: str | None,
    no_save: bool,
    model: str,
    clips_dir: Path | None,
    long_pause_s: float,
    recorded: str | None,
) -> None:
    """Feedback on saved recordings (wav, flac, mp3, m4a, ogg, webm).

    Each file becomes a rep in the practice library, with a copy of the audio, the JSON result and
    a Markdown report. Bad files are reported on one line each; the others are still analyzed.

    \b
    Examples:
      reps analyze answer.wav
      reps analyze takes/*.m4a --question tell-me-about-yourself --recorded file
      reps analyze answer.wav --json --no-save | jq .metrics.wpm
      reps analyze answer.wav --clips clips/    then listen to each flagged moment
    """
    from .pipeline import analyze_command

    failed = analyze_command(
        list(files),
        as_json=as_json,
        question_id=question_id,
        save=not no_save,
        model=model,
        clips_dir=clips_dir,
        long_pause_s=long_pause_s,
        recorded=recorded,
    )
    if failed:
        sys.exit(1)


@cli.command("questions")
@click.option("--category", metavar="NAME", help="Only this category (about-you, behavioural, closing, ...).")
@click.option("--search", metavar="WORD", help="Only questions whose id, text or points contain every word.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of questions on stdout.")
def questions_command(category: str | None, search: str | None, as_json: bool) -> None:
    """List the question bank: the built-in questions plus your own.

    Add your own questions as TOML files in REPS_HOME/questions/ (the folder is printed below the
    list); copy a [[question]] block from the built-in files to start. A question with the same id
    as a built-in one replaces it.

    \b
    Examples:
      reps questions                          every question, grouped by category
      reps questions --category behavioural   one category
      reps questions --search conflict        questions that mention conflict
      reps questions --json | jq -r '.[].id'  ids, for scripts
    """
    import json

    from .questions import filter_questions, load_questions, print_table, summary, user_questions_dir

    bank = load_questions()
    selected = filter_questions(bank, category=category, search=search)
    if as_json:
        click.echo(json.dumps([q.to_dict() for q in selected], indent=1, ensure_ascii=False))
        return
    if selected:
        print_table(selected)
    click.echo(f"{summary(selected, bank)}. Add your own: {user_questions_dir()}/*.toml", err=True)


@cli.command("practice", short_help="Answer a question out loud from the microphone; get feedback.")
@click.option("--question", "question_id", metavar="ID", help="Answer this question (ids: `reps questions`).")
@click.option("--category", metavar="NAME", help="Pick a question from this category.")
@click.option(
    "--prep-seconds",
    "prep_s",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    default=PracticeOptions.prep_s,
    show_default=True,
    help="Time to prepare before recording starts; 0 starts at once.",
)
@click.option(
    "--max-seconds",
    "max_s",
    type=click.FloatRange(min=1),
    metavar="SECONDS",
    default=PracticeOptions.max_s,
    show_default=True,
    help="Stop recording after this many seconds of audio.",
)
@click.option(
    "--stop-on-silence",
    "stop_on_silence_s",
    type=click.FloatRange(min=0.5),
    metavar="SECONDS",
    help="Stop after this many seconds of silence once you have spoken (off by default).",
)
@click.option(
    "--device", metavar="INDEX|NAME", help="Microphone: index or part of the name (`reps devices`)."
)
@click.option(
    "--sample-rate",
    "sample_rate_hz",
    type=click.IntRange(min=8000),
    metavar="HZ",
    help="Record at this rate instead of 16000 Hz (or the device's default if it refuses "
    "16000); the audio is resampled to 16 kHz for analysis.",
)
@click.option("--no-reflect", is_flag=True, help="Skip the four reflection questions after the report.")
@click.option(
    "--model",
    default=DEFAULT_MODEL,
    show_default=True,
    help="built-in model (tiny.en, base: offline) or another faster-whisper model name (downloaded only if asked for and online) or a local model folder.",
)
def practice_command(
    question_id: str | None,
    category: str | None,
    prep_s: float,
    max_s: float,
    stop_on_silence_s: float | None,
    device: str | None,
    sample_rate_hz: int | None,
    no_reflect: bool,
    model: str,
) -> None:
    """Answer an interview question out loud, from the microphone, and get feedback.

    Shows a question (by default one you have not practised lately), gives you a few seconds to
    prepare, then records with a live level meter. Press Enter to stop (or Ctrl-C: what you said
    is still analyzed). The rep is saved with its question id, the report is shown, and four short
    reflection questions follow (Enter skips each).

    The recording is written to REPS_HOME/recordings/ as you speak and removed only once the rep
    is saved, so a crash or a failed analysis never loses an answer.

    When stdin is not a terminal (scripts), nothing is asked and Enter is not listened for: use
    --max-seconds or --stop-on-silence to end the recording.

    \b
    Examples:
      reps practice                                   a question you have not practised lately
      reps practice --category behavioural
      reps practice --question tell-me-about-yourself --prep-seconds 30
      reps practice --stop-on-silence 4               stop 4 s after you finish speaking
      reps practice --device USB                      a microphone whose name contains "USB"
      reps practice --question why-this-company --max-seconds 120 --prep-seconds 0 --no-reflect < /dev/null
    """
    from .practice import run_practice

    options = PracticeOptions(
        question_id=question_id,
        category=category,
        prep_s=prep_s,
        max_s=max_s,
        stop_on_silence_s=stop_on_silence_s,
        device=device,
        sample_rate_hz=sample_rate_hz,
        reflect=not no_reflect,
        model=model,
    )
    code = run_practice(options)
    if code:
        sys.exit(code)


@cli.command("devices", short_help="List the microphones (input devices).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of input devices on stdout.")
def devices_command(as_json: bool) -> None:
    """List the microphones (input devices): index, name, channels, default sample rate.

    The default input is marked with *. Choose another with `--device INDEX` or `--device NAME`
    in `reps practice` and `reps mic-check`.

    \b
    Examples:
      reps devices
      reps devices --json | jq '.[] | select(.is_default)'
    """
    from .practice import print_devices

    print_devices(as_json=as_json)


@cli.command("mic-check", short_help="Record 3 s and check the level: quiet, clipping, noisy?")
@click.option(
    "--device", metavar="INDEX|NAME", help="Microphone: index or part of the name (`reps devices`)."
)
@click.option(
    "--seconds",
    type=click.FloatRange(min=0.5, max=60),
    metavar="SECONDS",
    default=3.0,
    show_default=True,
    help="How long to record.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the measurements as JSON on stdout.")
def mic_check_command(device: str | None, seconds: float, as_json: bool) -> None:
    """Record a few seconds and check the level: too quiet, clipping or noisy?

    Speak as you would in an interview. Prints the speech level and noise floor (dBFS), the
    speech-to-noise ratio and the share of clipped samples, with a warning for each problem.
    Nothing is saved.

    \b
    Examples:
      reps mic-check
      reps mic-check --device 2 --seconds 5
    """
    from .practice import run_mic_check

    run_mic_check(device=device, seconds=seconds, as_json=as_json)


# ------------------------------------------------------------------ practice library (issue 5)

_LIB_DAY = click.DateTime(formats=["%Y-%m-%d"])


def _lib_console() -> Console:
    import os

    from rich.console import Console

    # Piped or redirected output does not wrap: give tables room unless COLUMNS says otherwise.
    if not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        return Console(width=120)
    return Console()


@cli.command("history")
@click.option("--question", "question_id", metavar="ID", help="Only reps of this question.")
@click.option("--since", type=_LIB_DAY, metavar="YYYY-MM-DD", help="Only reps from this day on (local time).")
@click.option("--until", type=_LIB_DAY, metavar="YYYY-MM-DD", help="Only reps up to and including this day.")
@click.option("--last", type=click.IntRange(min=1), metavar="N", help="Only the N most recent reps.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of reps, oldest first, on stdout.")
def history_command(
    question_id: str | None, since: datetime | None, until: datetime | None, last: int | None, as_json: bool
) -> None:
    """Every rep so far, newest last, with its key metrics.

    \b
    Examples:
      reps history
      reps history --question tell-me-about-yourself --since 2024-05-01
      reps history --json | jq '.[-1].metrics.wpm'
    """
    import json

    from .compare import history_table
    from .store import Library, day_range

    start, end = day_range(since.date() if since else None, until.date() if until else None)
    entries = Library().entries(question_id, since=start, until=end, limit=last)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], indent=1, ensure_ascii=False))
    elif entries:
        _lib_console().print(history_table(entries))
    else:
        click.echo("No reps match. `reps analyze FILE --question ID` adds one.", err=True)


@cli.command("show")
@click.argument("rep_id", metavar="ID")
@click.option(
    "--json", "as_json", is_flag=True, help='Print the rep\'s schema-1 result (plus its "rep" object).'
)
def show_command(rep_id: str, as_json: bool) -> None:
    """Print a rep's report again. ID may be a unique prefix of the id, or "latest".

    \b
    Examples:
      reps show latest
      reps show 20240501-0930 --json | jq .fillers
    """
    import json

    from .store import Library

    if as_json:
        click.echo(json.dumps(Library().get(rep_id), indent=1, ensure_ascii=False))
    elif sys.stdout.isatty():  # rendered for reading; piped, it stays Markdown
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(Library().report_text(rep_id)))
    else:
        click.echo(Library().report_text(rep_id))


@cli.command("compare")
@click.argument("rep_ids", nargs=-1, metavar="[ID]...")
@click.option(
    "--question",
    "question_id",
    metavar="ID",
    help="Compare the reps of this question (default: the most recently practised question).",
)
@click.option("--last", type=click.IntRange(min=2), metavar="N", help="Only the N most recent of those reps.")
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Write the trend chart (PNG) here instead of REPS_HOME/charts/<question>.png.",
)
@click.option("--no-chart", is_flag=True, help="Do not draw the trend chart.")
@click.option("--all-metrics", is_flag=True, help="Show every metric, not only the key ones.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print reps, metrics (values, delta, trend) and patterns as JSON."
)
def compare_command(
    rep_ids: tuple[str, ...],
    question_id: str | None,
    last: int | None,
    chart_path: Path | None,
    no_chart: bool,
    all_metrics: bool,
    as_json: bool,
) -> None:
    """Reps side by side: what improved, what regressed, and what keeps happening.

    Each metric's change from the first to the last rep is judged against a stated noise band;
    your baseline (the median of your recent reps) sits beside the fixed targets.

    \b
    Examples:
      reps compare                                  the question you practised last
      reps compare --question why-this-company --last 5
      reps compare 20240501-0930 20240503-1812      these reps
      reps compare --json | jq '.metrics.wpm.trend'
    """
    import json

    from .compare import compare_reps, comparison_notes, comparison_table
    from .store import Library

    chart = False if no_chart else (chart_path or True)
    result = compare_reps(Library(), rep_ids, question_id=question_id, last=last, chart=chart)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
        return
    _lib_console().print(comparison_table(result, all_metrics=all_metrics))
    for line in comparison_notes(result):
        click.echo(line)


@cli.command("export")
@click.option("--csv", "fmt", flag_value="csv", default=True, help="CSV, one row per rep (the default).")
@click.option("--json", "fmt", flag_value="json", help="A JSON list, as `reps history --json`.")
@click.option("--question", "question_id", metavar="ID", help="Only reps of this question.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Write to FILE (replaced whole) instead of stdout.",
)
def export_command(fmt: str, question_id: str | None, output: Path | None) -> None:
    """Every rep's metrics, for a spreadsheet or a script.

    \b
    Examples:
      reps export --csv > reps.csv
      reps export --question tell-me-about-yourself -o tmay.csv
    """
    import json

    from .store import Library

    library = Library()
    with click.open_file(str(output) if output else "-", "w", encoding="utf-8", atomic=bool(output)) as out:
        if fmt == "json":
            out.write(json.dumps([e.to_dict() for e in library.entries(question_id)], indent=1) + "\n")
        else:
            library.export_csv(out, question_id)


@cli.command("delete")
@click.argument("rep_ids", nargs=-1, metavar="ID...")
@click.option(
    "--audio-only",
    is_flag=True,
    help="Delete only the audio (the recording and any clips); keep metrics, transcript and report.",
)
@click.option("--all", "all_reps", is_flag=True, help="Every rep in the library.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete_command(rep_ids: tuple[str, ...], audio_only: bool, all_reps: bool, yes: bool) -> None:
    """Delete reps (folder, audio, metrics), or with --audio-only just their audio, for privacy.

    \b
    Examples:
      reps delete 20240501-0930
      reps delete --all --audio-only --yes     keep the numbers, drop every recording
    """
    from .store import Library

    library = Library()
    if all_reps == bool(rep_ids):
        raise click.UsageError("give rep ids or --all (not both)")
    ids = (
        [e.id for e in library.entries()]
        if all_reps
        else list(dict.fromkeys(library.resolve(r) for r in rep_ids))
    )
    if not ids:
        click.echo("No reps to delete.", err=True)
        return
    what = "the audio of " if audio_only else ""
    shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
    if not yes:
        try:
            sure = click.confirm(
                f"Delete {what}{len(ids)} rep{'s' if len(ids) != 1 else ''} ({shown})?", err=True
            )
        except click.Abort:  # no answer (end of input, Ctrl-C)
            sure = False
        if not sure:
            raise RepsError("nothing deleted (answer y to confirm, or add --yes)")
    for rid in ids:
        if audio_only:
            _, removed = library.delete_audio(rid)
            click.echo(
                f"{rid}: deleted {removed} audio file{'s' if removed != 1 else ''}; metrics kept", err=True
            )
        else:
            library.delete(rid)
            click.echo(f"{rid}: deleted", err=True)


@cli.group("library")
def library_group() -> None:
    """The practice library in REPS_HOME: a folder per rep and an SQLite index of them."""


@library_group.command("rebuild")
def library_rebuild() -> None:
    """Rebuild the index from the rep folders (after a crash, a damaged index, or files copied in)."""
    from .store import Library

    library = Library()
    report = library.rebuild()
    if report.moved_aside:
        click.echo(f"The damaged index was moved aside to {report.moved_aside}", err=True)
    click.echo(
        f"Indexed {report.indexed} rep{'' if report.indexed == 1 else 's'} from {library.reps_dir}", err=True
    )
    for name, reason in report.skipped:
        click.echo(
            f"reps: error: {library.reps_dir / name}: not indexed: {reason}; the folder is left as it is",
            err=True,
        )
    if report.skipped:
        sys.exit(1)


@library_group.command("check")
def library_check() -> None:
    """Check the index's integrity and that it matches the rep folders; exit 1 on any problem."""
    from .store import Library

    library = Library()
    problems = library.check()
    for line in problems:
        click.echo(line, err=True)
    if problems:
        click.echo("Run `reps library rebuild` to fix the index.", err=True)
        sys.exit(1)
    click.echo(f"{library.home}: ok", err=True)


def main() -> None:
    cli(prog_name="reps")


if __name__ == "__main__":
    main()
