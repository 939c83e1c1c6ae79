"""Practising: the question bank, `reps practice` from the microphone, the devices and a mic check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..practice import PracticeOptions
from .options import (
    device_option,
    fallback_dir_option,
    job_option,
    job_terms,
    json_option,
    model_option,
    question_option,
    recording_options,
)


@click.command("questions", short_help="List the question bank: built-in and your own.")
@click.option("--category", metavar="NAME", help="Only this category (about-you, behavioural, closing, ...).")
@click.option("--search", metavar="WORD", help="Only questions whose id, text or points contain every word.")
@json_option("Print a JSON list of questions on stdout.")
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

    from ..questions import filter_questions, load_questions, summary, user_questions_dir

    bank = load_questions()
    selected = filter_questions(bank, category=category, search=search)
    if as_json:
        click.echo(json.dumps([q.to_dict() for q in selected], indent=1, ensure_ascii=False))
        return
    if selected:
        from ..console.tables import print_questions

        print_questions(selected)
    click.echo(f"{summary(selected, bank)}. Add your own: {user_questions_dir()}/*.toml", err=True)


@click.command("practice", short_help="Answer a question out loud; get feedback.")
@question_option("Answer this question (ids: `reps questions`).")
@click.option("--category", metavar="NAME", help="Pick a question from this category.")
@job_option(
    "A job description (plain text): questions that fit it come first; the answer is checked for its terms."
)
@recording_options(
    prep_s=PracticeOptions.prep_s,
    max_s=PracticeOptions.max_s,
    prep_help="Time to prepare before recording starts; 0 starts at once.",
)
@click.option("--no-reflect", is_flag=True, help="Skip the four reflection questions after the report.")
@model_option
@fallback_dir_option
def practice_command(
    question_id: str | None,
    category: str | None,
    job_file: Path | None,
    prep_s: float,
    max_s: float,
    stop_on_silence_s: float | None,
    device: str | None,
    sample_rate_hz: int | None,
    no_reflect: bool,
    model: str,
    fallback_dir: Path | None,
) -> None:
    """Answer an interview question out loud, from the microphone, and get feedback.

    Shows a question (by default one you have not practised lately), gives you a few seconds to
    prepare, then records with a live level meter. Press Enter to stop (or Ctrl-C: what you said
    is still analyzed). The rep is saved with its question id, the report is shown, and four short
    reflection questions follow (Enter skips each).

    The recording is written to REPS_HOME/recordings/ as you speak and removed only once the rep
    is saved, so a crash or a failed analysis never loses an answer. If the library cannot be
    written (read-only, disk full), the report is still shown and the rep saved in --fallback-dir
    (or, on a terminal, a folder you name).

    When stdin is not a terminal (scripts), nothing is asked and Enter is not listened for: use
    --max-seconds or --stop-on-silence to end the recording.

    \b
    Examples:
      reps practice                      a question you have not practised lately
      reps practice --category behavioural
      reps practice --job job.txt        questions that fit this job description
      reps practice --question tell-me-about-yourself --prep-seconds 30
      reps practice --stop-on-silence 4  stop 4 s after you finish speaking
      reps practice --device USB         a microphone whose name contains "USB"
      reps practice --question why-this-company --max-seconds 120 \\
          --prep-seconds 0 --no-reflect < /dev/null
    """
    from ..console.practice import TerminalPractice
    from ..practice import run_practice

    options = PracticeOptions(
        question_id=question_id,
        job_terms=job_terms(job_file),
        category=category,
        prep_s=prep_s,
        max_s=max_s,
        stop_on_silence_s=stop_on_silence_s,
        device=device,
        sample_rate_hz=sample_rate_hz,
        reflect=not no_reflect,
        model=model,
        fallback_dir=fallback_dir,
    )
    code = run_practice(options, TerminalPractice())
    if code:
        sys.exit(code)


@click.command("devices", short_help="List the microphones (input devices), or the speakers.")
@click.option("--output", is_flag=True, help="List the speakers and headphones (output devices) instead.")
@json_option("Print a JSON list of devices on stdout.")
def devices_command(output: bool, as_json: bool) -> None:
    """List the microphones (input devices): index, name, channels, default sample rate.

    The default input is marked with *. Choose another with `--device INDEX` or `--device NAME`
    in `reps practice`, `reps interview` and `reps mic-check`. With --output, the speakers for the
    interviewer's voice (`reps interview --speaker`).

    \b
    Examples:
      reps devices
      reps devices --json | jq '.[] | select(.is_default)'
      reps devices --output
    """
    if output:
        from dataclasses import asdict

        from ..console.interview import print_output_devices
        from ..speak import default_output_index, list_output_devices

        devices = list_output_devices()
        if as_json:
            import json

            default = default_output_index()
            click.echo(
                json.dumps([{**asdict(d), "is_default": d.index == default} for d in devices], indent=1)
            )
        else:
            print_output_devices(devices, default_output_index())
        return
    from ..console.practice import print_devices
    from ..devices import list_input_devices

    print_devices(list_input_devices(), as_json=as_json)


@click.command("mic-check", short_help="Record 3 s and check: quiet, clipping, noisy?")
@device_option
@click.option(
    "--seconds",
    type=click.FloatRange(min=0.5, max=60),
    metavar="SECONDS",
    default=3.0,
    show_default=True,
    help="How long to record.",
)
@json_option("Print the measurements as JSON on stdout.")
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
    from ..console.practice import mic_check_meter, print_mic_check
    from ..devices import find_device
    from ..mic_check import mic_check

    chosen = find_device(device)
    with mic_check_meter(seconds) as meter:
        check = mic_check(device=chosen, seconds=seconds, on_level=meter.update)
    print_mic_check(check, as_json=as_json)
