"""`reps history / show / compare / export / delete / library` through Click, on a real library."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from io import StringIO
from pathlib import Path

import pytest
from click.testing import CliRunner

from interview_reps import store
from interview_reps.cli import cli
from interview_reps.store import Library
from test_compare import QUESTION, REPS
from test_store import DAY1, make_result, save, write_wav


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "take.wav")


def run(*args: str, input: str | None = None, ok: bool = True):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    return result


@pytest.fixture
def library(wav: Path) -> list[str]:
    """Three reps of one question on three days, and one rep of another question."""
    lib = Library()
    ids = [save(lib, wav, make_result(**rep), day=day, question=QUESTION).id for day, rep in enumerate(REPS)]
    ids.append(save(lib, wav, make_result(wpm=130.0), day=3, question="why-this-company").id)
    return ids


def test_history_table_and_json(library: list[str]) -> None:
    out = run("history").stdout
    assert "4 reps" in out
    assert out.index(library[0]) < out.index(library[1]) < out.index(library[3])  # newest last
    assert "185" in out and "why-this-company" in out
    reps = json.loads(run("history", "--json").stdout)
    assert [r["id"] for r in reps] == library
    assert set(reps[0]) >= {"id", "question_id", "created_at", "metrics"}
    assert reps[0]["question_id"] == QUESTION and reps[0]["created_at"] == "2024-05-01T09:30:00+00:00"
    assert reps[0]["metrics"]["wpm"] == 185.0


def test_history_filters(library: list[str]) -> None:
    by_question = json.loads(run("history", "--question", QUESTION, "--json").stdout)
    assert [r["id"] for r in by_question] == library[:3]
    # days are local; the reps were saved at 09:30 UTC, so pick days around them generously
    local = [datetime.fromisoformat(r["created_at"]).astimezone().date() for r in by_question]
    since = json.loads(run("history", "--since", str(local[1]), "--json").stdout)
    assert [r["id"] for r in since] == library[1:]
    until = json.loads(run("history", "--until", str(local[1]), "--json").stdout)
    assert [r["id"] for r in until] == library[:2]
    assert [r["id"] for r in json.loads(run("history", "--last", "2", "--json").stdout)] == library[2:]
    empty = run("history", "--question", "nope")
    assert empty.stdout == "" and "No reps match" in empty.stderr


def test_show_report_and_json(library: list[str]) -> None:
    assert run("show", library[1]).stdout == "# Rep on day 1\n\n"
    data = json.loads(run("show", library[1], "--json").stdout)
    assert data["schema"] == 1 and data["rep"]["id"] == library[1] and data["metrics"]["wpm"] == 172.0
    assert json.loads(run("show", "latest", "--json").stdout)["rep"]["id"] == library[3]


def test_a_report_lost_in_a_crash_is_written_again(library: list[str], reps_home: Path) -> None:
    """A crash between saving a rep and writing its report: `show` writes the report from the result."""
    (reps_home / "reps" / library[0] / "report.md").unlink()
    report = run("show", library[0]).stdout
    assert report.startswith(f"# Rep {library[0]}: Tell me about yourself.") and "## Key numbers" in report
    assert (reps_home / "reps" / library[0] / "report.md").read_text() + "\n" == report


def test_unknown_rep_is_one_line_with_a_suggestion(library: list[str]) -> None:
    result = run("show", library[0][:-1] + "z", ok=False)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("reps: error: no rep") and f"did you mean {library[0]}?" in result.stderr


def test_compare_human_output(library: list[str], reps_home: Path) -> None:
    out = run("compare", "--question", QUESTION).stdout
    assert "3 reps of tell-me-about-yourself" in out
    assert "improved" in out and "regressed" in out and "unchanged" in out
    assert "±10" in out and "noise band" in out
    assert "Your baseline: the median of your last 4 reps" in out
    assert "A long pause (1 s or more) in the first 5 seconds in every rep (3 of 3)" in out
    assert f"Trend chart: {reps_home / 'charts' / (QUESTION + '.png')}" in out
    assert (reps_home / "charts" / f"{QUESTION}.png").stat().st_size > 10_000


def test_compare_json(library: list[str], tmp_path: Path) -> None:
    data = json.loads(
        run("compare", "--question", QUESTION, "--json", "--chart", str(tmp_path / "c.png")).stdout
    )
    assert set(data) >= {"reps", "metrics", "patterns"} and data["chart"] == str(tmp_path / "c.png")
    # the reps given by id
    data = json.loads(run("compare", *library[:3], "--json", "--no-chart").stdout)
    assert [r["id"] for r in data["reps"]] == library[:3] and data["chart"] is None
    for name in ("wpm", "filled_pause_count", "fillers_per_min", "pause_count", "longest_pause_s"):
        metric = data["metrics"][name]
        assert len(metric["values"]) == 3 and metric["trend"] in (
            "improved",
            "regressed",
            "unchanged",
            "changed",
        )
        assert isinstance(metric["noise_band"], float)
    assert data["metrics"]["wpm"] == {
        "values": [185.0, 172.0, 158.0],
        "delta": -27.0,
        "trend": "improved",
        "better": "target",
        "noise_band": 10.0,
        "noise_band_min": 10.0,
        "unit": "wpm",
        "target": [120.0, 165.0],
        "baseline": 165.0,
        "in_target": [False, False, True],
        "count": False,
    }
    # a rate of few counted events: its band is at least their chance wobble, and says so
    fillers = data["metrics"]["filler_percent"]
    assert fillers["noise_band"] >= fillers["noise_band_min"] == 1.0
    assert data["metrics"]["filled_pause_count"]["count"] is True  # a raw count: never judged
    assert data["metrics"]["filled_pause_count"]["trend"] in ("changed", "unchanged")
    kinds = {p["kind"] for p in data["patterns"]}
    assert {"early_long_pause", "top_filler", "filler_after_phrase", "pace_rises", "over_target"} <= kinds
    assert all(p["reps"] and p["message"] for p in data["patterns"])


def test_compare_by_default_needs_two_reps_of_the_last_question(library: list[str]) -> None:
    result = run("compare", ok=False)
    assert result.exit_code == 1
    assert "only one rep of 'why-this-company'" in result.stderr


def test_export_csv_and_json(library: list[str], tmp_path: Path) -> None:
    rows = list(csv.DictReader(StringIO(run("export", "--csv").stdout)))
    assert [r["id"] for r in rows] == library
    assert rows[0]["wpm"] == "185.0" and rows[0]["question_id"] == QUESTION
    target = tmp_path / "tmay.csv"
    run("export", "--question", QUESTION, "-o", str(target))
    assert len(list(csv.DictReader(target.open()))) == 3
    assert [r["id"] for r in json.loads(run("export", "--json").stdout)] == library


def test_delete_asks_first(library: list[str], reps_home: Path) -> None:
    kept = run("delete", library[0], input="n\n", ok=False)
    assert kept.exit_code == 1 and "Delete 1 rep" in kept.stderr
    assert (reps_home / "reps" / library[0]).is_dir()
    gone = run("delete", library[0], input="y\n")
    assert f"{library[0]}: deleted" in gone.stderr
    assert not (reps_home / "reps" / library[0]).exists()
    run("delete", library[1], "--yes")
    assert [r["id"] for r in json.loads(run("history", "--json").stdout)] == library[2:]


def test_delete_audio_only_keeps_the_metrics(library: list[str], reps_home: Path) -> None:
    from interview_reps.report import render_markdown

    rep = Library().get(library[0])
    Library().write_report(rep.id, render_markdown(rep.result, rep_id=rep.id, audio_file=rep.audio_file))
    assert "](audio.wav)" in run("show", library[0]).stdout
    out = run("delete", "--all", "--audio-only", "--yes")
    assert out.stderr.count("deleted 1 audio file; metrics kept") == 4
    assert not list((reps_home / "reps").rglob("*.wav"))
    reps = json.loads(run("history", "--json").stdout)
    assert [r["id"] for r in reps] == library and all(r["audio_file"] is None for r in reps)
    assert reps[0]["metrics"]["wpm"] == 185.0
    assert {r["has_audio"] for r in csv.DictReader(StringIO(run("export").stdout))} == {"0"}
    shown = run("show", library[0]).stdout  # the report no longer links the deleted copy
    assert "](audio.wav)" not in shown and "The rep's copy of the audio was deleted" in shown
    assert run("delete", ok=False).exit_code == 2  # neither ids nor --all


def test_library_rebuild_and_check(library: list[str], reps_home: Path) -> None:
    assert "ok" in run("library", "check").stderr
    for name in os.listdir(reps_home):
        if name.startswith("library.sqlite3-"):
            os.remove(reps_home / name)
    (reps_home / "library.sqlite3").write_bytes(b"garbage" * 1000)
    # the first command finds the damage, rebuilds the index from the folders and says so in one line
    history = run("history", "--json")
    [warning] = history.stderr.splitlines()
    assert warning.startswith("reps: warning: ") and "damaged" in warning and "nothing is lost" in warning
    assert [r["id"] for r in json.loads(history.stdout)] == library
    assert run("library", "check").stderr.strip().endswith(": ok")
    rebuilt = run("library", "rebuild")
    assert "Indexed 4 reps" in rebuilt.stderr and "moved aside" not in rebuilt.stderr
    assert [r["id"] for r in json.loads(run("history", "--json").stdout)] == library


# --------------------------------------------------------------------------------------- end to end


@pytest.mark.model
@pytest.mark.parametrize("clips", [("mfa_um.flac", "mfa_uhum.flac", "mfa_uh.flac")])
def test_three_analyzed_reps_on_three_days(
    clips: tuple[str, ...], clip: Callable[[str], Path], reps_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real audio through `reps analyze --question` on three days, then history, compare and the report."""
    days = iter(DAY1 + timedelta(days=d) for d in range(3))
    real_now = store._now
    monkeypatch.setattr(store, "_now", lambda: next(days, None) or real_now())
    for name in clips:
        result = CliRunner().invoke(cli, ["analyze", str(clip(name)), "--question", QUESTION, "--json"])
        assert result.exit_code == 0, result.stderr
    reps = json.loads(run("history", "--json").stdout)
    assert [r["created_at"][:10] for r in reps] == ["2024-05-01", "2024-05-02", "2024-05-03"]
    assert {r["question_id"] for r in reps} == {QUESTION}
    assert [Path(r["source_path"]).name for r in reps] == list(clips)
    assert all(r["metrics"]["wpm"] > 0 and r["audio_file"] for r in reps)

    data = json.loads(run("compare", "--json").stdout)
    assert [r["id"] for r in data["reps"]] == [r["id"] for r in reps]
    fillers = data["metrics"]["filled_pause_count"]
    assert fillers["values"] == [r["metrics"]["filled_pause_count"] for r in reps]
    assert fillers["noise_band"] == 1.0 and fillers["trend"] in ("improved", "regressed", "unchanged")
    # every clip is far under the question's 60 s minimum: a pattern with the evidence of each rep
    [short] = [p for p in data["patterns"] if p["kind"] == "under_target"]
    assert short["count"] == 3 and short["reps"] == [r["id"] for r in reps]
    assert short["message"].startswith("An answer under its 60 s minimum in every rep (3 of 3): ")
    assert Path(data["chart"]).is_file()

    # the third report names the pattern, with the earlier reps as evidence
    report = run("show", reps[2]["id"]).stdout
    assert "Third rep in a row with an answer under its 60 s minimum" in report
    assert reps[0]["id"] in report and reps[1]["id"] in report
    assert json.loads(run("show", reps[2]["id"], "--json").stdout)["metrics"] == reps[2]["metrics"]
    assert reps[2]["created_at"] == datetime(2024, 5, 3, 9, 30, tzinfo=timezone.utc).isoformat()
