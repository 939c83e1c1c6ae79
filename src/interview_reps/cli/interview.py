"""The mock interview: `reps interview`, and `reps sessions` for the interviews so far."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..interview import InterviewOptions
from .options import job_option, job_terms, json_option, model_option, recording_options


@click.command("interview", short_help="A mock interview: several questions in a row, asked aloud.")
@click.option(
    "--count",
    "-n",
    type=click.IntRange(min=1, max=30),
    default=InterviewOptions.count,
    show_default=True,
    metavar="N",
    help="How many questions: an opener first, a closing question last, other categories between.",
)
@click.option("--category", metavar="NAME", help="All questions from this category instead.")
@click.option(
    "--question",
    "question_ids",
    multiple=True,
    metavar="ID",
    help="Ask this question (repeat for several, asked in the order given; ids: `reps questions`).",
)
@job_option(
    "A job description (plain text): questions that fit it are asked first; answers are checked for its terms."
)
@recording_options(
    prep_s=InterviewOptions.prep_s,
    max_s=InterviewOptions.max_s,
    prep_help="Time to prepare after each question; 0 starts recording at once.",
    answer="each answer",
)
@click.option("--no-speak", is_flag=True, help="Show the questions without reading them aloud.")
@click.option(
    "--speaker",
    metavar="INDEX|NAME",
    help="Speakers or headphones for the interviewer's voice (`reps devices --output`).",
)
@click.option(
    "--follow-ups",
    is_flag=True,
    help="After an answer, ask one follow-up question when it fits (e.g. the answer gave no result).",
)
@click.option("--no-reflect", is_flag=True, help="Skip the four reflection questions at the end.")
@model_option
@json_option("Print the session summary as JSON on stdout.")
@click.pass_context
def interview_command(
    ctx: click.Context,
    count: int,
    category: str | None,
    question_ids: tuple[str, ...],
    job_file: Path | None,
    prep_s: float,
    max_s: float,
    stop_on_silence_s: float | None,
    device: str | None,
    sample_rate_hz: int | None,
    no_speak: bool,
    speaker: str | None,
    follow_ups: bool,
    no_reflect: bool,
    model: str,
    as_json: bool,
) -> None:
    """A mock interview: questions in a row, as a real interview runs, each read aloud.

    An opener ("Tell me about yourself") comes first and a closing question last, with questions
    from other categories between; those you have not practised lately are preferred. For each: the
    question is read aloud (offline; recording starts only once the voice has finished), a short
    countdown, then your answer is recorded with a live level meter. Press Enter to end an answer and
    go straight on to the next question; each answer is analyzed in the background meanwhile.

    Every answer is saved as a rep of its own question, tagged with the interview's id (`reps
    history --session ID`). At the end: the session summary (each answer's key numbers and one thing
    to work on, and what ran through the whole interview), then the four reflection questions, once,
    about the whole interview. Ctrl-C ends the interview early and keeps every answer so far.

    \b
    Examples:
      reps interview                             five questions, read aloud
      reps interview --count 3 --prep-seconds 10
      reps interview --category behavioural --count 4
      reps interview --question tell-me-about-yourself --question why-this-company
      reps interview --job job.txt --follow-ups  for this job, with follow-ups
      reps interview --no-speak --stop-on-silence 4
      reps sessions                              the interviews so far
    """
    from ..console.interview import TerminalInterview
    from ..interview import run_interview

    if question_ids and ctx.get_parameter_source("count") is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError("--count and --question: give one or the other (the questions set the count)")
    if question_ids and category:
        raise click.UsageError("--category and --question: give one or the other")
    options = InterviewOptions(
        count=count,
        category=category,
        question_ids=question_ids,
        job_terms=job_terms(job_file),
        prep_s=prep_s,
        max_s=max_s,
        stop_on_silence_s=stop_on_silence_s,
        device=device,
        sample_rate_hz=sample_rate_hz,
        speak=not no_speak,
        speaker=speaker,
        follow_ups=follow_ups,
        reflect=not no_reflect,
        model=model,
    )
    code = run_interview(options, TerminalInterview(as_json=as_json))
    if code:
        sys.exit(code)


@click.command("sessions", short_help="The mock interviews so far: when, questions, answers.")
@click.option("--last", type=click.IntRange(min=1), metavar="N", help="Only the N most recent interviews.")
@json_option("Print each interview's session summary as JSON (a list, oldest first).")
def sessions_command(last: int | None, as_json: bool) -> None:
    """The mock interviews so far, oldest first: when, questions asked, answers saved.

    `reps show ID` shows one again with its summary; `reps history --session ID` lists its reps.

    \b
    Examples:
      reps sessions
      reps show latest-session
      reps sessions --json | jq '.[-1].patterns'
    """
    from ..interview import summarize
    from ..store import Library

    library = Library()
    found = library.sessions()
    if last:
        found = found[-last:]
    if not found and not as_json:
        click.echo("No interviews yet. `reps interview` starts one.", err=True)
        return
    from ..console.interview import print_sessions

    print_sessions([summarize(library, s) for s in found], as_json=as_json)
