"""Click commands only: parse options, call one library function, print. No numpy, no model code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import RepsError
from .practice import PracticeOptions
from .settings import DEFAULT_MODEL, AnalysisSettings


class RepsGroup(click.Group):
    """Turns every RepsError and Ctrl-C into one line on stderr and a non-zero exit."""

    def invoke(self, ctx: click.Context):
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
    help="faster-whisper model name (downloaded only if asked for and online) or a local model folder.",
)
@click.option("--clips", "clips_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Write each filler and long pause as a short WAV, plus an Audacity labels.txt, into DIR.")
@click.option("--long-pause", "long_pause_s", type=float, default=AnalysisSettings.long_pause_s,
              show_default=True, help="Pauses this long (seconds) or longer count as long.")
def analyze(files: tuple[Path, ...], as_json: bool, question_id: str | None, no_save: bool, model: str,
            clips_dir: Path | None, long_pause_s: float) -> None:
    """Feedback on saved recordings (wav, flac, mp3, m4a, ogg, webm).

    Each file becomes a rep in the practice library, with a copy of the audio, the JSON result and
    a Markdown report. Bad files are reported on one line each; the others are still analyzed.

    \b
    Examples:
      reps analyze answer.wav
      reps analyze takes/*.m4a --question tell-me-about-yourself
      reps analyze answer.wav --json --no-save | jq .metrics.wpm
      reps analyze answer.wav --clips clips/    then listen to each flagged moment
    """
    from .pipeline import analyze_command

    failed = analyze_command(
        list(files), as_json=as_json, question_id=question_id, save=not no_save, model=model,
        clips_dir=clips_dir, long_pause_s=long_pause_s,
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
    help="faster-whisper model name (downloaded only if asked for and online) or a local model folder.",
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


def main() -> None:
    cli(prog_name="reps")


if __name__ == "__main__":
    main()
