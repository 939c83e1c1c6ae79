"""Click commands only: parse options, call one library function, print. No numpy, no model code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import RepsError
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


def main() -> None:
    cli(prog_name="reps")


if __name__ == "__main__":
    main()
