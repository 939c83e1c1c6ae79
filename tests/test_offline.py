"""Nothing leaves the computer: a long analysis traced system call by system call (strace) in a network
namespace of its own (unshare -n: no route anywhere, so even an attempt shows as a failed call), failing
on any socket to an internet address, any name lookup (a resolver's local socket, which the namespace
does not cut off, or its configuration) and any file written outside REPS_HOME but known,
identifier-free caches. A control run shows the trace sees what the fix prevents: onnxruntime's
telemetry files and its lookup of the collector, when loaded the way faster-whisper loads it but
without interview_reps first.

The analysis lasts REPS_OFFLINE_TRACE_S seconds of audio (default 120; the README's figure is from 600).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from figures import record
from interview_reps.offline import TELEMETRY_OFF
from recordings import SAMPLES_DIR

TRACE_S = float(os.environ.get("REPS_OFFLINE_TRACE_S", "120"))
QUESTION = "tell-me-about-yourself"
# Environment variables with which onnxruntime turns its telemetry off by itself (CI detection): removed
# from the traced runs, so that only interview_reps can be what keeps them quiet.
CI_VARIABLES = (
    "CI",
    "TF_BUILD",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "CIRCLECI",
    "TRAVIS",
    "JENKINS_URL",
    "CODEBUILD_BUILD_ID",
    "BUILDKITE",
    "TEAMCITY_VERSION",
    "APPVEYOR",
    "BITBUCKET_BUILD_NUMBER",
    "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI",
    "ORT_RUNNING_UNIT_TESTS",
)
# Where a process may write besides REPS_HOME: the null device, POSIX semaphores (multiprocessing,
# joblib; named at random and removed), and the Python environment itself (numba's compiled-function
# cache beside librosa's sources: machine code, no identifiers).
ALLOWED = ("/dev/null", "/dev/shm/sem.", sys.prefix + "/")
# ... and in HOME, matplotlib's standard folders: its cache of the system's font list (font names and
# paths) and its (empty) configuration folder, made when the trend chart is first drawn.
ALLOWED_IN_HOME = (".cache/matplotlib", ".config/matplotlib")


def isolation() -> list[str] | None:
    """The command prefix that runs a process in a network namespace of its own, or None."""
    if shutil.which("strace") is None or shutil.which("unshare") is None:
        return None
    for prefix in (["unshare", "-n"], ["unshare", "-r", "-n"]):  # as root; else in a user namespace
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return None


PREFIX = isolation()
needs_isolation = pytest.mark.skipif(
    PREFIX is None,
    reason="needs strace and unshare -n (root, or user namespaces): `make system` installs strace",
)


# A name lookup shows before any packet: glibc asks nscd (or systemd-resolved) over a local socket, which
# a network namespace does not cut off, then reads resolv.conf and /etc/hosts and sends to port 53.
RESOLVER_SOCKETS = ("/var/run/nscd/socket", "/run/nscd/socket", "/run/systemd/resolve/io.systemd.Resolve")
RESOLVER_FILES = ("/etc/resolv.conf", "/etc/hosts", "/run/systemd/resolve/resolv.conf")


@dataclass
class Trace:
    internet_sockets: list[str]
    name_lookups: list[str]  # asked a resolver's socket, or read the resolver's configuration
    written: list[str]  # paths opened for writing, created, renamed, removed
    calls: int  # system calls traced


_AT = re.compile(r'^\w+\((AT_FDCWD|\d+)(?:<([^>]*)>)?, "([^"]*)"')
_PLAIN = re.compile(r'^\w+\("([^"]*)"')
WRITE_CALLS = (
    "openat",
    "open",
    "creat",
    "mkdir",
    "mkdirat",
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "rmdir",
    "truncate",
    "symlink",
    "symlinkat",
    "link",
    "linkat",
)


def strace(command: list[str], log: Path) -> list[str]:
    assert PREFIX is not None
    return [
        *PREFIX,
        "strace",
        "-f",
        "-qq",
        "-y",
        "--seccomp-bpf",
        "-e",
        "trace=%network,%file",
        "-o",
        str(log),
        *command,
    ]


def traced(
    command: list[str], *, env: dict[str, str], cwd: Path, log: Path
) -> tuple[subprocess.CompletedProcess, Trace]:
    proc = subprocess.run(strace(command, log), env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    return proc, parse(log, cwd)


def is_lookup(call: str) -> bool:
    name = call.split("(", 1)[0]
    if name == "connect" and "sa_family=AF_UNIX" in call:
        return any(f'sun_path="{path}"' in call for path in RESOLVER_SOCKETS)
    return name in ("openat", "open") and any(f'"{path}"' in call for path in RESOLVER_FILES)


def parse(log: Path, cwd: Path) -> Trace:
    """The sockets, name lookups and writes in an strace log."""
    sockets, lookups, written = [], [], []
    lines = log.read_text(errors="replace").splitlines()
    for line in lines:
        call = line.split(None, 1)[1] if " " in line else line  # drop the pid
        name = call.split("(", 1)[0]
        if (
            name in ("socket", "socketpair")
            and re.search(r"\bAF_INET6?\b", call)
            or name in ("connect", "sendto", "sendmsg", "bind")
            and "sa_family=AF_INET" in call
        ):
            sockets.append(call)
        if is_lookup(call):
            lookups.append(call)
        if name not in WRITE_CALLS or re.search(r"= -1 ", call):
            continue
        if name in ("openat", "open") and not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", call):
            continue
        at = _AT.match(call)
        if at:
            base = at.group(2) or str(cwd)
            written.append(os.path.normpath(os.path.join(base, at.group(3))))
        elif plain := _PLAIN.match(call):
            written.append(os.path.normpath(os.path.join(cwd, plain.group(1))))
    return Trace(sockets, lookups, written, len(lines))


def clean_env(home: Path, reps_home: Path) -> dict[str, str]:
    """The test's environment without any telemetry switch (interview_reps must set them itself), a
    HOME of its own and no XDG folders: whatever a library writes for the user lands in HOME."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in TELEMETRY_OFF and k not in CI_VARIABLES and not k.startswith("XDG_")
    }
    return {**env, "HOME": str(home), "REPS_HOME": str(reps_home)}


def long_answer(path: Path, seconds: float) -> Path:
    """Real speech for ``seconds``: the sample recordings one after another, a second of quiet between."""
    rng = np.random.default_rng(0)
    clips = []
    for name in ("jfk.wav", "mfa_acoustic_corpus.wav", "mfa_cold_corpus.wav"):
        samples, rate = sf.read(SAMPLES_DIR / name, dtype="float32")
        assert rate == 16000
        clips.append(samples)
    parts, total = [], 0
    while total < seconds * 16000:
        clip = clips[len(parts) % len(clips)]
        gap = (rng.standard_normal(16000) * 1e-4).astype(np.float32)
        parts += [clip, gap]
        total += len(clip) + len(gap)
    sf.write(path, np.concatenate(parts)[: int(seconds * 16000)], 16000, subtype="PCM_16")
    return path


def where(path: str, home: Path) -> str:
    """A written path as the README states it: the kinds of place, not each file."""
    if path.startswith(sys.prefix + "/"):
        return (
            "<venv>/lib/.../site-packages/librosa/**/__pycache__/*.nbi|*.nbc (numba's cache)"
            if "__pycache__" in path
            else "<venv>/" + os.path.relpath(path, sys.prefix)
        )
    if path.startswith("/dev/shm/sem."):
        return "/dev/shm/sem.* (semaphores, removed at exit)"
    return path.replace(str(home), "~")


def outside(written: list[str], reps_home: Path, home: Path) -> list[str]:
    """The paths written that are neither in REPS_HOME nor allowed."""
    allowed = (*ALLOWED, *(f"{home}/{name}" for name in ALLOWED_IN_HOME), f"{reps_home}/")
    parents = (str(reps_home), f"{home}/.cache", f"{home}/.config")
    return sorted({p for p in written if p not in parents and not p.startswith(allowed)})


@needs_isolation
@pytest.mark.model
def test_a_long_analysis_opens_no_socket_and_writes_nothing_outside_reps_home(tmp_path: Path) -> None:
    """The whole of `reps analyze --question`: a second rep of its question, so patterns and the trend
    chart (matplotlib) are drawn from the library too."""
    home, reps_home = tmp_path / "home", tmp_path / "reps-home"
    home.mkdir()
    answer = long_answer(tmp_path / "answer.wav", TRACE_S)
    from interview_reps.store import Library
    from test_store import make_result

    Library(reps_home).save(make_result(), question_id=QUESTION, audio=SAMPLES_DIR / "jfk.wav")
    proc, trace = traced(
        [
            sys.executable,
            "-m",
            "interview_reps.cli",
            "analyze",
            str(answer),
            "--json",
            "--question",
            QUESTION,
        ],
        env=clean_env(home, reps_home),
        cwd=tmp_path,
        log=tmp_path / "trace.txt",
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["metrics"]["duration_s"] == pytest.approx(TRACE_S, abs=0.1)
    assert trace.internet_sockets == [] and trace.name_lookups == []
    assert outside(trace.written, reps_home, home) == []
    in_home = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    assert [p for p in in_home if not p.startswith(".cache/matplotlib/fontlist")] == []  # no telemetry
    assert any(p.startswith(str(reps_home / "reps")) for p in trace.written)  # the trace does see writes
    assert list((reps_home / "reps").glob("*/chart.png"))  # the trend chart, in the rep's own folder
    record(
        "offline_trace",
        {
            "audio_s": TRACE_S,
            "system_calls_traced": trace.calls,
            "internet_sockets": len(trace.internet_sockets),
            "name_lookups": len(trace.name_lookups),
            "written_outside_reps_home": sorted(
                {where(p, home) for p in trace.written if not p.startswith(str(reps_home))}
            ),
        },
    )


@needs_isolation
def test_the_trace_sees_onnxruntime_telemetry_when_interview_reps_is_not_loaded_first(tmp_path: Path) -> None:
    """The control: Silero VAD through faster-whisper alone, same trace, same empty HOME. onnxruntime
    1.32 then writes its device id and event queue under HOME and, some seconds on, looks up its
    collector: the trace sees both (the process is stopped as soon as it has, or after a minute).
    onnxruntime 1.23 (the newest for Python 3.10) wrote none of it in the same run, so there the control
    has nothing to show."""
    from importlib.metadata import version

    onnxruntime = tuple(int(part) for part in version("onnxruntime").split(".")[:2])
    if onnxruntime < (1, 32):
        pytest.skip(f"onnxruntime {version('onnxruntime')} writes no telemetry to show (1.32 does)")
    home = tmp_path / "home"
    home.mkdir()
    code = (
        "import time\n"
        "import numpy as np\n"
        "from faster_whisper.vad import VadOptions, get_speech_timestamps\n"
        "get_speech_timestamps(np.zeros(16000, dtype=np.float32), VadOptions())\n"
        "time.sleep(120)  # a session that stays open, as reps's does while it analyzes\n"
    )
    log = tmp_path / "trace.txt"
    proc = subprocess.Popen(
        strace([sys.executable, "-c", code], log),
        env=clean_env(home, tmp_path / "unused"),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if log.exists() and any(
                is_lookup(line.split(None, 1)[-1]) for line in log.read_text(errors="replace").splitlines()
            ):
                break
            time.sleep(0.2)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    trace = parse(log, tmp_path)
    telemetry = home / ".cache" / "Microsoft" / "DeveloperTools" / ".onnxruntime"
    assert (telemetry / "deviceid").is_file(), (
        "onnxruntime wrote no telemetry without interview_reps: if a newer onnxruntime dropped it, this "
        "control (and offline.TELEMETRY_OFF) can go"
    )
    assert any(".onnxruntime" in p for p in trace.written)
    assert trace.name_lookups, "onnxruntime looked up no collector within a minute"
    record("control_telemetry_lookup_seen", True)


def test_the_switches_are_set_before_any_library_loads() -> None:
    """A fresh `import interview_reps` sets every switch, and has imported neither onnxruntime nor
    huggingface_hub by then (they read their switch when they start)."""
    env = {k: v for k, v in os.environ.items() if k not in TELEMETRY_OFF}
    code = (
        "import os, sys, json, interview_reps\n"
        "print(json.dumps([{k: os.environ.get(k) for k in interview_reps.offline.TELEMETRY_OFF},"
        " [m for m in ('onnxruntime', 'huggingface_hub', 'faster_whisper') if m in sys.modules]]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    switches, loaded = json.loads(out)
    assert switches == TELEMETRY_OFF and loaded == []
