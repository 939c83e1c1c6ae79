"""Batches: files in parallel processes, results in input order, and one bad file never stops the others."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch_jobs import pid, square_or_die
from interview_reps import pipeline
from interview_reps.batch import in_order
from interview_reps.cli import cli
from interview_reps.errors import LibraryError
from interview_reps.store import Library

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_results_come_in_input_order_from_several_processes() -> None:
    results = list(in_order(square_or_die, [(x, -1) for x in range(6)], jobs=2, crashed=lambda i, e: None))
    assert results == [0, 1, 4, 9, 16, 25]
    workers = list(in_order(pid, [(x,) for x in range(4)], jobs=2, crashed=lambda i, e: None))
    assert len({p for p, _ in workers}) == 2 and os.getpid() not in {p for p, _ in workers}
    # each worker keeps to its share of the cores, unless the user chose a thread count
    share = str(max(1, (os.cpu_count() or 1) // 2))
    assert {threads for _, threads in workers} == {os.environ.get("OMP_NUM_THREADS", share)}


def test_a_worker_that_dies_costs_only_its_own_item() -> None:
    """The item is tried once more in a fresh pool; when it kills that one too it is reported, and
    the items after it are still done."""
    results = list(
        in_order(square_or_die, [(x, 2) for x in range(5)], jobs=2, crashed=lambda i, e: f"item {i} crashed")
    )
    assert results == [0, 1, "item 2 crashed", 9, 16]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.model
def test_jobs_2_prints_what_one_job_prints(tmp_path: Path) -> None:
    missing = tmp_path / "missing.wav"
    files = [str(SAMPLES / "jfk.wav"), str(missing), str(SAMPLES / "mfa_uhum.flac")]
    one = run("analyze", *files, "--no-save", "--json")
    two = run("analyze", *files, "--no-save", "--json", "--jobs", "2")
    assert one == two
    code, out, err = two
    assert code == 1 and len(out.splitlines()) == 2
    assert [json.loads(line)["audio"]["path"] for line in out.splitlines()] == [files[0], files[2]]
    assert f"reps: error: {missing}: no such file" in err and "1 of 3 files failed" in err


@pytest.mark.model
def test_any_error_on_one_file_leaves_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """File 2 cannot be saved (a LibraryError), file 4 hits a bug in the analysis: files 1, 3 and 5
    are still analyzed, saved and printed, each failure is one line, and nothing is a traceback."""
    files = []
    for n in range(1, 6):
        files.append(tmp_path / f"take{n}.flac")
        shutil.copyfile(SAMPLES / "mfa_uhum.flac", files[-1])
    real_save, real_analyze = Library.save, pipeline.analyze_audio

    def save(self, result, **kw):
        if result.audio_path.endswith("take2.flac"):
            raise LibraryError(f"{self.home}: cannot save the rep: No space left on device")
        return real_save(self, result, **kw)

    def analyze(audio, **kw):
        if audio.path.endswith("take4.flac"):
            raise ZeroDivisionError("division by zero")
        return real_analyze(audio, **kw)

    monkeypatch.setattr(Library, "save", save)
    monkeypatch.setattr(pipeline, "analyze_audio", analyze)
    code, out, err = run("analyze", *map(str, files), "--json")
    assert code == 1
    assert [Path(json.loads(line)["audio"]["path"]).name for line in out.splitlines()] == [
        "take1.flac",
        "take3.flac",
        "take5.flac",
    ]
    errors = [line for line in err.splitlines() if line.startswith("reps: error:")]
    assert errors == [
        f"reps: error: {files[1]}: {Library().home}: cannot save the rep: No space left on device",
        f"reps: error: {files[3]}: unexpected error (ZeroDivisionError: division by zero); please report this bug",
    ]
    assert "2 of 5 files failed" in err and "Traceback" not in err
    assert len(Library().entries()) == 3


def test_a_model_that_cannot_load_ends_the_batch_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a file's failure: every file would fail alike, so it is said once."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    files = [str(SAMPLES / "jfk.wav"), str(SAMPLES / "mfa_uhum.flac")]
    for jobs in ("1", "2"):
        code, out, err = run("analyze", *files, "--no-save", "--model", "no-such-model", "--jobs", jobs)
        errors = [line for line in err.splitlines() if line.startswith("reps: error:")]
        assert code == 1 and out == "" and "Traceback" not in err
        assert len(errors) == 1 and errors[0].startswith("reps: error: model 'no-such-model' is neither"), err


@pytest.mark.model
def test_ctrl_c_stops_the_workers_at_once(tmp_path: Path) -> None:
    """Ctrl-C during `--jobs 2`: one line, exit 130, and no worker left running."""
    # Enough work that a fast machine is still analyzing when the test interrupts it.
    files = [str(SAMPLES / "mfa_cold_corpus.wav")] * 40
    proc = subprocess.Popen(
        [sys.executable, "-m", "interview_reps.cli", "analyze", *files, "--no-save", "--jobs", "2"],
        stdout=subprocess.DEVNULL,  # 40 reports: a pipe nobody reads until the end would fill
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        workers = _group_members(proc.pid)
        while len(workers) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
            workers = _group_members(proc.pid)
        assert proc.poll() is None, proc.communicate()[1]  # still working: not finished, not failed
        assert len(workers) >= 3, workers  # the command and its two workers
        time.sleep(1.0)  # the workers are analyzing
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends Ctrl-C: to the whole group
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "reps: interrupted" and "Traceback" not in err
    deadline = time.monotonic() + 5
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _group_alive(proc.pid), _group_members(proc.pid)


def _group_alive(pgid: int) -> bool:
    """Whether any process of the group ``pgid`` is left, as the kernel sees it."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _group_members(pgid: int) -> list[int]:
    """Live processes in the process group ``pgid`` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry))
    return found
