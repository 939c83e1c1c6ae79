"""The practice library: history, show, compare, export, delete, and the index's rebuild and check."""

from __future__ import annotations

import contextlib
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import RepsError
from .options import DAY, json_option, open_in_browser, open_option, question_option

if TYPE_CHECKING:
    from ..store import Library


@click.command("history", short_help="Every rep so far, newest last, with its key metrics.")
@question_option("Only reps of this question.")
@click.option("--since", type=DAY, metavar="YYYY-MM-DD", help="Only reps from this day on (local time).")
@click.option("--until", type=DAY, metavar="YYYY-MM-DD", help="Only reps up to and including this day.")
@click.option("--last", type=click.IntRange(min=1), metavar="N", help="Only the N most recent reps.")
@click.option(
    "--session", "session_id", metavar="ID", help="Only the reps of this mock interview (`reps sessions`)."
)
@json_option("Print a JSON list of reps, oldest first, on stdout.")
def history_command(
    question_id: str | None,
    since: datetime | None,
    until: datetime | None,
    last: int | None,
    session_id: str | None,
    as_json: bool,
) -> None:
    """Every rep so far, newest last, with its key metrics.

    \b
    Examples:
      reps history
      reps history --question tell-me-about-yourself --since 2024-05-01
      reps history --session latest-session   the answers of the last interview
      reps history --json | jq '.[-1].metrics.wpm'
    """
    import json

    from ..store import Library, day_range

    library = Library()
    start, end = day_range(since.date() if since else None, until.date() if until else None)
    session = library.resolve_session(session_id) if session_id is not None else None
    entries = library.entries(question_id, since=start, until=end, limit=last, session_id=session)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], indent=1, ensure_ascii=False))
    elif entries:
        from ..console.tables import print_history

        print_history(entries)
    else:
        click.echo("No reps match. `reps analyze FILE --question ID` adds one.", err=True)


@click.command("show", short_help="Print a rep's report again (with its reflection).")
@click.argument("rep_id", metavar="ID")
@json_option("Print the rep's schema-1 result (plus its \"rep\" object), or the interview's summary.")
@click.option(
    "--html",
    "as_html",
    is_flag=True,
    help="Write the rep's HTML report (report.html in its folder: timeline, playable transcript) and print its path.",
)
@open_option("Open the rep's HTML report in the browser (implies --html).")
def show_command(rep_id: str, as_json: bool, as_html: bool, open_page: bool) -> None:
    """Print a rep's report again, or a mock interview's session summary.

    ID may be a rep id, a unique prefix of one, or "latest"; or an interview id (s-...), a unique
    prefix of one, or "latest-session" (--html and --open: the interview's page, linked to its answers').

    \b
    Examples:
      reps show latest
      reps show latest --open          see and hear it in the browser
      reps show 20240501-0930 --html   print the path of its HTML report
      reps show 20240501-0930 --json | jq .fillers
      reps show latest-session         the last mock interview
      reps show latest-session --open  in the browser, with a link to each answer
    """
    import json

    from ..pipeline import rep_report_text
    from ..store import LATEST_SESSION, SESSION_PREFIX, Library

    library = Library()
    if rep_id.strip().startswith(SESSION_PREFIX) or rep_id.strip().lower() == LATEST_SESSION:
        from ..interview import summarize

        summary = summarize(library, library.get_session(rep_id))
        if as_html or open_page:
            from ..pages import write_session_page

            path = write_session_page(library, summary)
            click.echo(str(path))
            if open_page:
                open_in_browser(path)
        elif as_json:
            click.echo(json.dumps(summary.to_dict(), indent=1, ensure_ascii=False))
        else:
            from ..console.interview import print_session_summary

            print_session_summary(summary)
        return
    if as_html or open_page:
        from ..pages import write_rep_page

        path = write_rep_page(library, library.get(rep_id))
        click.echo(str(path))
        if open_page:
            open_in_browser(path)
        return
    if as_json:
        click.echo(json.dumps(library.get(rep_id).to_dict(), indent=1, ensure_ascii=False))
    elif sys.stdout.isatty():  # rendered for reading; piped, it stays Markdown
        from ..console import print_markdown

        print_markdown(rep_report_text(library, rep_id))
    else:
        click.echo(rep_report_text(library, rep_id))


@click.command("compare", short_help="Reps side by side: improved, regressed, patterns.")
@click.argument("rep_ids", nargs=-1, metavar="[ID]...")
@question_option("Compare the reps of this question (default: the most recently practised question).")
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
@json_option("Print reps, metrics (values, delta, trend) and patterns as JSON.")
@click.option(
    "--html",
    "as_html",
    is_flag=True,
    help="Write the comparison as a progress page (REPS_HOME/progress/<question>.html) and print its path.",
)
@open_option("Open the progress page in the browser (implies --html).")
def compare_command(
    rep_ids: tuple[str, ...],
    question_id: str | None,
    last: int | None,
    chart_path: Path | None,
    no_chart: bool,
    all_metrics: bool,
    as_json: bool,
    as_html: bool,
    open_page: bool,
) -> None:
    """Reps side by side: what improved, what regressed, and what keeps happening.

    Each metric's change from the first to the last rep is judged against a stated noise band;
    your baseline (the median of your recent reps) sits beside the fixed targets.

    \b
    Examples:
      reps compare                               the question you practised last
      reps compare --question why-this-company --last 5
      reps compare 20240501-0930 20240503-1812   these reps
      reps compare --json | jq '.metrics.wpm.trend'
      reps compare --question why-this-company --open
                                                 trend charts in the browser
    """
    import json

    from ..pipeline import compare_library
    from ..store import Library

    library = Library()
    if as_html or open_page:
        from ..pages import write_comparison_page

        chart = chart_path or False  # the page draws its own charts; a PNG only if asked for
        comparison = compare_library(library, rep_ids, question_id=question_id, last=last, chart=chart)
        path = write_comparison_page(library, comparison)
        click.echo(str(path))
        if open_page:
            open_in_browser(path)
        return
    chart = False if no_chart else (chart_path or True)
    comparison = compare_library(library, rep_ids, question_id=question_id, last=last, chart=chart)
    if as_json:
        click.echo(json.dumps(comparison.to_dict(), indent=1, ensure_ascii=False))
        return
    from ..console.tables import print_comparison

    print_comparison(comparison, all_metrics=all_metrics)


@click.command("progress", short_help="Your progress on one HTML page: trends, patterns, links.")
@question_option("Only the reps of this question.")
@click.option("--since", type=DAY, metavar="YYYY-MM-DD", help="Only reps from this day on (local time).")
@click.option("--until", type=DAY, metavar="YYYY-MM-DD", help="Only reps up to and including this day.")
@click.option("--last", type=click.IntRange(min=1), metavar="N", help="Only the N most recent reps.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Write the page here instead of REPS_HOME/progress.html (or progress/<question>.html).",
)
@open_option("Open the page in the browser.")
def progress_command(
    question_id: str | None,
    since: datetime | None,
    until: datetime | None,
    last: int | None,
    output: Path | None,
    open_page: bool,
) -> None:
    """Your progress on one page: trend charts of the key metrics over your reps, with the target
    bands and your baseline; each question's reps and what changed; the patterns with their
    evidence; each rep a link to its HTML report. Prints the page's path.

    \b
    Examples:
      reps progress --open
      reps progress --question tell-me-about-yourself --since 2024-05-01
      reps progress -o ~/Desktop/progress.html
    """
    from ..pages import write_progress_page
    from ..store import Library, day_range

    start, end = day_range(since.date() if since else None, until.date() if until else None)
    path = write_progress_page(Library(), output, question_id=question_id, since=start, until=end, last=last)
    click.echo(str(path))
    if open_page:
        open_in_browser(path)


@click.command("export", short_help="Every rep's metrics and reflections, as CSV or JSON.")
@click.option("--csv", "fmt", flag_value="csv", default=True, help="CSV, one row per rep (the default).")
@click.option("--json", "fmt", flag_value="json", help="A JSON list, as `reps history --json`.")
@question_option("Only reps of this question.")
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

    from ..store import Library

    library = Library()
    with click.open_file(str(output) if output else "-", "w", encoding="utf-8", atomic=bool(output)) as out:
        if fmt == "json":
            out.write(json.dumps([e.to_dict() for e in library.entries(question_id)], indent=1) + "\n")
        else:
            library.export_csv(out, question_id)


@click.command("delete", short_help="Delete reps, or only their audio, for privacy.")
@click.argument("rep_ids", nargs=-1, metavar="ID...")
@click.option(
    "--audio-only",
    is_flag=True,
    help="Delete only the audio (the recording and any clips); keep metrics, transcript and report.",
)
@click.option("--all", "all_reps", is_flag=True, help="Every rep in the library (and every interview).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete_command(rep_ids: tuple[str, ...], audio_only: bool, all_reps: bool, yes: bool) -> None:
    """Delete reps (folder, audio, metrics), or with --audio-only just their audio, for privacy.

    An interview id (s-..., `reps sessions`) stands for the interview's reps; without --audio-only its
    record (plan, reflection) goes too, as every interview's does with --all.

    \b
    Examples:
      reps delete 20240501-0930
      reps delete s-20240501-093000-ab12    a mock interview and its answers
      reps delete --all --audio-only --yes  keep the numbers, drop every recording
    """
    from ..store import LATEST_SESSION, SESSION_PREFIX, Library

    library = Library()
    if all_reps == bool(rep_ids):
        raise click.UsageError("give rep ids or --all (not both)")
    sessions: list[str] = []
    ids: list[str] = []
    orphans = library.orphans()  # folders that lost their result
    if all_reps:
        ids = [e.id for e in library.entries()] + sorted(orphans)
        sessions = [s.id for s in library.sessions()]
    for given in rep_ids:
        if given in orphans:
            ids.append(given)
        elif given.strip().startswith(SESSION_PREFIX) or given.strip().lower() == LATEST_SESSION:
            sid = library.resolve_session(given)
            sessions.append(sid)
            ids += [e.id for e in library.entries(session_id=sid)]
        else:
            ids.append(library.resolve(given))
    ids, sessions = list(dict.fromkeys(ids)), list(dict.fromkeys(sessions))
    if audio_only:
        sessions = []  # the numbers stay, and so does the interview they belong to
    if not ids and not sessions:
        click.echo("No reps to delete.", err=True)
        return
    what = "the audio of " if audio_only else ""
    shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
    if sessions:
        n = len(sessions)
        shown += f"{'; ' if ids else ''}{n} interview record{'s' if n != 1 else ''}"
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
            _refresh_page(library, rid)
            click.echo(
                f"{rid}: deleted {removed} audio file{'s' if removed != 1 else ''}; metrics kept", err=True
            )
        else:
            library.delete(rid)
            click.echo(f"{rid}: deleted", err=True)
    for sid in sessions:
        library.delete_session(sid)
        click.echo(f"{sid}: interview deleted", err=True)


@click.command("reflect", short_help="Write (or rewrite) the reflection of a rep.")
@click.argument("rep_id", metavar="ID")
@click.option("--stumped", metavar="TEXT", help="What stumped me?")
@click.option("--weak", "weak_or_vague", metavar="TEXT", help="What felt weak or vague?")
@click.option(
    "--noticed", "feedback_noticed", metavar="TEXT", help="What feedback, verbal or not, did I notice?"
)
@click.option("--gap", "story_gap", metavar="TEXT", help="What part of my story didn't connect?")
def reflect_command(
    rep_id: str,
    stumped: str | None,
    weak_or_vague: str | None,
    feedback_noticed: str | None,
    story_gap: str | None,
) -> None:
    """The four reflection questions for a rep (ID, a unique prefix of it, or "latest"): asked one by
    one on a terminal, or given as options (each changes only its own answer; "" clears it). Saved
    with the rep and shown wherever the rep is.

    \b
    Examples:
      reps reflect latest
      reps reflect 20240501-0930 --weak "the result was vague" --gap "why I left"
    """
    from ..models import REFLECTION_QUESTIONS
    from ..pipeline import save_reflection
    from ..store import Library

    library = Library()
    rid = library.resolve(rep_id)
    given = {
        "stumped": stumped,
        "weak_or_vague": weak_or_vague,
        "feedback_noticed": feedback_noticed,
        "story_gap": story_gap,
    }
    answers = {k: v for k, v in given.items() if v is not None}
    if answers:  # options change the answers they name; the others stay as they were ("" clears one)
        earlier = library.get(rid).reflection
        answers = {**(earlier.to_dict() if earlier else {}), **answers}
    else:
        if not sys.stdin.isatty():
            raise RepsError(
                "give the answers as options (--stumped, --weak, --noticed, --gap) or run on a terminal"
            )
        from ..console import stderr
        from ..console.practice import ask_reflection

        answers = ask_reflection(stderr(), REFLECTION_QUESTIONS)
    rep, themes = save_reflection(library, rid, answers)
    click.echo(f"Reflection saved with rep {rep.id}.", err=True)
    for theme in themes:
        click.echo(f"Pattern: {theme}", err=True)


@click.group("library", short_help="The practice library: check or rebuild its index.")
def library_group() -> None:
    """The practice library in REPS_HOME: a folder per rep and an SQLite index of them."""


@library_group.command("rebuild")
def library_rebuild() -> None:
    """Rebuild the index from the rep folders (after a crash, a damaged index, or files copied in)."""
    from ..store import Library

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
    from ..store import Library

    library = Library()
    problems = library.check()
    for line in problems:
        click.echo(line, err=True)
    if problems:
        click.echo(
            "`reps library rebuild` rebuilds the index from the rep folders; each line says what else to do.",
            err=True,
        )
        sys.exit(1)
    read_only = " (read-only: it can be read, nothing can be saved in it)" if library.read_only else ""
    click.echo(f"{library.home}: ok{read_only}", err=True)


def _refresh_page(library: Library, rep_id: str) -> None:
    """The rep's reports, written again without its audio (they would point at a deleted file)."""
    from ..pages import write_rep_page
    from ..report.markdown import without_audio

    with contextlib.suppress(RepsError):  # the audio is gone either way; the page says so when it cannot play
        write_rep_page(library, rep_id)
    with contextlib.suppress(RepsError):  # as for the page: `reps show` says where the audio was
        text = library.report_text(rep_id)
        if text is not None:
            library.write_report(rep_id, without_audio(text, library.get(rep_id).result))
