"""What the answer said, where the user sees it: the JSON, the reports, the advice, patterns, --job."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from interview_reps.analyze.advice import advise
from interview_reps.analyze.content import analyze_content, content_advice, words_from_text
from interview_reps.cli import cli
from interview_reps.models import Rep, Result
from interview_reps.patterns import find_patterns, latest_patterns
from interview_reps.questions import get_question, load_questions, pick_question
from interview_reps.report import key_numbers, render_markdown
from interview_reps.settings import AnalysisSettings, TargetBands
from interview_reps.text import clock
from test_content import INITIATIVE, RESULT, VAGUE_WE
from test_store import DAY1, make_result

CLIPS = Path(__file__).resolve().parent / "data" / "content"
INITIATIVE_Q = get_question("took-initiative")


def with_content(text: str, question_id: str | None = "took-initiative", **metrics: float) -> Result:
    """A plausible result (real dataclasses) whose words and content are those of ``text``."""
    words = words_from_text(text)
    question = get_question(question_id) if question_id else None
    result = replace(make_result(**metrics), words=words, content=analyze_content(words, question))
    extra = content_advice(result.content, question, answer_end_s=words[-1].end)
    feedback = advise(result, settings=AnalysisSettings(), bands=TargetBands(), extra=extra)
    return replace(result, feedback=tuple(feedback))


def run(*args: str) -> tuple[int, str, str]:
    """The command's exit code, stdout with its line wrapping undone, and stderr."""
    outcome = CliRunner().invoke(cli, list(args))
    return outcome.exit_code, " ".join(outcome.stdout.split()), outcome.stderr


# --- schema 1 ------------------------------------------------------------------------------------


def test_the_json_has_a_content_field_that_round_trips() -> None:
    result = with_content(INITIATIVE + RESULT)
    data = json.loads(json.dumps(result.to_dict()))
    content = data["content"]
    assert set(content) >= {"points", "structure", "specifics", "vague", "ownership", "job_terms"}
    assert content["points"][2]["covered"] is True and "80 percent" in content["points"][2]["evidence"]
    assert content["structure"]["name"] == "STAR"
    assert Result.from_dict(data).to_dict() == data
    older = {k: v for k, v in data.items() if k != "content"}  # a rep saved before the field existed
    assert Result.from_dict(older).content.points == ()


# --- advice, ranked with the delivery advice -----------------------------------------------------


def test_a_missing_result_leads_the_advice_and_there_are_at_most_three() -> None:
    result = with_content(INITIATIVE, wpm=190.0, filler_percent=9.0)
    assert len(result.feedback) <= 3
    assert "the story has no result" in result.feedback[0].message
    assert result.feedback[0].at_s is not None


def test_we_and_stuff_are_advised_with_their_moment() -> None:
    result = with_content(VAGUE_WE)
    own, vague = result.content.ownership, result.content.vague
    told = next(fb for fb in result.feedback if "'we'" in fb.message)
    assert (
        f"{own.we} of {own.we} action sentences say 'we', and 'stuff' and 'things' come {len(vague)} times"
        in told.message
    )
    assert told.at_s == min(own.we_at_s[0], vague[0].at_s)


def test_clean_delivery_with_every_point_covered_says_so() -> None:
    result = with_content(INITIATIVE.replace("So I set up", "So I set up") + RESULT)
    assert all(p.covered for p in result.content.points)
    assert not any("no result" in fb.message for fb in result.feedback)


# --- reports --------------------------------------------------------------------------------------


def test_key_numbers_and_markdown_show_what_was_said() -> None:
    result = with_content(INITIATIVE + RESULT)
    rows = {name: (value, ok) for name, value, _target, ok in key_numbers(result, bands=TargetBands())}
    assert rows["Points"] == ("3 of 3 covered", True)
    assert rows["Structure"][0] == "Situation, Action, Result; no Task"
    assert rows["I / we"][0].startswith("3 I, 1 we")
    assert "80 percent" in rows["Specifics"][0]
    md = render_markdown(result, question=INITIATIVE_Q)
    assert "## What you said" in md
    point = result.content.points[2]
    assert f'| The measurable result | yes | {clock(point.at_s)} | "{point.evidence}" |' in md
    assert "In the end we cut the build time by 80 percent" in md
    assert "Structure (STAR): Situation at 0:01, **no Task**, Action at 0:11, Result at 0:28." in md


def test_without_a_question_the_report_still_shows_specifics_and_we() -> None:
    result = with_content(VAGUE_WE, question_id=None)
    rows = {name: value for name, value, _t, _ok in key_numbers(result, bands=TargetBands())}
    assert "Points" not in rows and "Structure" not in rows
    assert rows["Vague words"].startswith(f"{len(result.content.vague)} (")
    assert rows["I / we"].startswith("0 I, 4 we")


# --- patterns across reps -------------------------------------------------------------------------


def reps_of(results: list[Result]) -> list[Rep]:
    return [Rep(f"r{i}", "took-initiative", DAY1 + timedelta(days=i), r) for i, r in enumerate(results)]


def test_the_result_missing_in_most_recent_reps_is_a_pattern() -> None:
    without, complete = with_content(INITIATIVE), with_content(INITIATIVE + RESULT)
    reps = reps_of([without, complete, without, without])
    lines = latest_patterns(reps, question=INITIATIVE_Q)
    assert any(
        line.startswith("Second rep in a row with the result missing from the story") for line in lines
    )
    found = {p.key or p.kind: p for p in find_patterns(reps, question=INITIATIVE_Q)}
    missing = next(p for p in found.values() if p.kind == "no_result")
    assert (missing.count, missing.of) == (3, 4)
    assert missing.message.startswith("The result missing from the story in 3 of the last 4 reps")
    assert not any(p.kind == "point_missed" and "result" in p.key.lower() for p in found.values())


def test_no_content_pattern_when_the_newest_rep_fixed_it() -> None:
    without, complete = with_content(INITIATIVE), with_content(INITIATIVE + RESULT)
    lines = latest_patterns(reps_of([without, without, complete]), question=INITIATIVE_Q)
    assert not any("result" in line for line in lines)


# --- the job description -------------------------------------------------------------------------

JOB = "Site Reliability Engineer\n- Run our Kubernetes clusters\n- Lead production incidents and write postmortems\n"


def test_practice_prefers_questions_that_fit_the_job() -> None:
    from interview_reps.analyze.content import job_terms_from_text, questions_for_job

    bank = load_questions()
    prefer = [q.id for q, shared in questions_for_job(bank, job_terms_from_text(JOB)) if shared]
    assert "production-incident" in prefer
    picked = {pick_question(bank, prefer=prefer).id for _ in range(20)}
    assert picked <= set(prefer)
    assert pick_question(bank, prefer=prefer, category="closing").category == "closing"  # none fit: any


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "no such file (--job takes a job description saved as plain text)"),
        (b"", "no skills, tools or duties found in it"),
        (b"\xff\xfe\x00binary", "not plain text (UTF-8)"),
    ],
)
def test_a_bad_job_file_is_one_line_before_any_work(
    tmp_path: Path, reps_home: Path, content: bytes | None, problem: str
) -> None:
    job = tmp_path / "job.txt"
    if content is not None:
        job.write_bytes(content)
    code, out, err = run("analyze", str(CLIPS / "initiative_no_result.flac"), "--job", str(job))
    assert code == 1 and out == ""
    assert err.strip().startswith(f"reps: error: {job}: {problem}"), err
    assert len(err.strip().splitlines()) == 1
    assert not (reps_home / "reps").exists()


# --- issue 14, done when, as a new user would try it ---------------------------------------------


@pytest.mark.model
def test_done_when_through_the_cli(tmp_path: Path, reps_home: Path) -> None:
    code, out, err = run(
        "analyze", str(CLIPS / "initiative_no_result.flac"), "--question", "took-initiative", "--no-save"
    )
    assert code == 0, err
    assert "the story has no result: say how it ended and what changed, with a number" in out
    assert "✗ The measurable result" in out

    job = tmp_path / "job.txt"
    job.write_text(JOB, encoding="utf-8")
    code, out, err = run(
        "analyze",
        str(CLIPS / "initiative_result.flac"),
        "--question",
        "took-initiative",
        "--job",
        str(job),
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)  # one line of JSON
    point = data["content"]["points"][2]
    assert point["covered"] and "cut the build time by 80" in point["evidence"]
    assert 15.0 < point["at_s"] < 23.0
    assert not any("no result" in fb["message"] for fb in data["feedback"])
    assert data["content"]["job_terms"] and all(not j["covered"] for j in data["content"]["job_terms"])
    report = (next((reps_home / "reps").iterdir()) / "report.md").read_text(encoding="utf-8")
    assert "## What you said" in report and "cut the build time by 80" in report

    code, out, err = run(
        "analyze", str(CLIPS / "vague_we.flac"), "--question", "took-initiative", "--no-save"
    )
    assert code == 0, err
    assert "action sentences say 'we', and 'stuff' and 'things' come" in out
    assert "say what you did, and name the things" in out
