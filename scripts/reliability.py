"""Print the README's reliability table from the figures the fault and privacy tests measured.

`make reliability` runs tests/test_faults.py and tests/test_offline.py (the trace over a 10-minute
answer) with REPS_RELIABILITY_OUT set, then this script on the file they wrote.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

# The points of a practice run (besides mid-answer) where the fault tests stop it, in the order it reaches them.
STOPS = {
    "recording_kept_kill9_as_it_begins": "kill -9 as the recording begins",
    "recording_kept_sigterm_as_it_begins": "SIGTERM as it begins",
    "recording_kept_kill9_during_the_analysis": "kill -9 during the analysis",
    "recording_kept_sigterm_during_the_analysis": "SIGTERM during the analysis",
    "recording_kept_kill9_after_the_save": "kill -9 after the save",
}
BEGIN, END = "<!-- reliability-table -->", "<!-- /reliability-table -->"


def table(f: dict) -> str:
    """The README's block (between BEGIN and END) from the measured figures ``f``."""
    losses = f.get("kill9_recording_loss_s", [])
    writers = f.get("concurrent_writers", {})
    trace = f.get("offline_trace", {})
    rows = [
        (
            "audio lost on kill -9 mid-recording, at real time",
            f"**{max(losses):.1f} s** at most (lost at {len(losses)} kill moments: {', '.join(f'{x:.1f}' for x in losses)} s; "
            "measured to 0.1 s, the blocks the virtual microphone hands over"
            + (
                f"; load average {load['load_average_1min']} on {load['cores']} cores)"
                if (load := f.get("kill9_load"))
                else ")"
            )
            if losses
            else "not run",
            "<= 0.5 s",
        ),
        ("audio lost on SIGTERM mid-recording", f"{f.get('sigterm_recording_loss_s', 'not run')} s", "0"),
        (
            "a practice run stopped at its other points",
            "; ".join(f"{what}: {f[key]}" for key, what in STOPS.items() if key in f) or "not run",
            "the recording kept",
        ),
        (
            "a read-only library (a read-only bind mount)",
            f.get("read_only_library", "not run (needs root)"),
            "read, nothing lost",
        ),
        (
            "a disk that fills mid-answer (a 1 MB tmpfs)",
            f.get("full_disk_mid_answer", "not run (needs root)"),
            "nothing said lost",
        ),
        (
            "saves stopped by kill -9 at each point of a save",
            f"{f.get('save_points_kill', 'not run')} left a whole rep or none, the rest removed at the next start",
            "all",
        ),
        (
            "saves stopped by SIGTERM at each point",
            f"{f.get('save_points_term', 'not run')} cleaned up before the exit",
            "all",
        ),
        (
            "writers held",
            f"**{writers.get('writers', '?')} processes** saving at once: {writers.get('reps_saved', '?')} reps saved, {writers.get('reps_lost', '?')} lost",
            "none lost",
        ),
        (
            "corruptions survived",
            f"**{f.get('index_corruptions_survived', 'not run')}** kinds of damaged index, every rep listed by the next command; damaged rep folders named by `check`: {f.get('rep_folder_damage_named', 'not run')}",
            "all",
        ),
        (
            f"network during a traced {trace.get('audio_s', 0) / 60:.0f}-minute analysis",
            f"**{trace.get('internet_sockets', '?')} sockets** to an internet address, {trace.get('name_lookups', '?')} name lookups "
            f"({trace.get('system_calls_traced', '?'):,} file and network system calls traced)"
            + (
                "; the control run without interview_reps is caught writing onnxruntime's device id and looking up its collector"
                if f.get("control_telemetry_lookup_seen")
                else ""
            )
            if trace
            else "not run",
            "0",
        ),
    ]
    out = [
        f"Measured by `make reliability` on {date.today():%Y-%m-%d} (the fault and privacy tests of `make test`):",
        "",
        "| what | measured | target |",
        "|---|---|---|",
        *(f"| {what} | {measured} | {target} |" for what, measured, target in rows),
    ]
    if trace:
        written = trace.get("written_outside_reps_home", [])
        # the deepest paths only ("~/.cache" is in "~/.cache/matplotlib/..."), no lock files
        deepest = [
            p
            for p in written
            if not p.endswith("-lock")
            and not any(q != p and q.startswith(p.split(" ")[0] + "/") for q in written)
        ]
        out += [
            "",
            "Written outside REPS_HOME during that analysis: "
            + "; ".join(f"`{p}`" for p in deepest)
            + " (and numba's cache beside librosa in the Python environment, the first time its functions compile).",
        ]
    return "\n".join(out)


def main(argv: list[str]) -> None:
    """``reliability.py FIGURES.json [--readme README.md]``: print the block; with --readme, also put it
    in place of the one in the README."""
    args = list(argv)
    readme = None
    if "--readme" in args:
        at = args.index("--readme")
        readme = Path(args[at + 1])
        del args[at : at + 2]
    block = table(json.loads(Path(args[0] if args else ".reliability.json").read_text()))
    print(block)
    if readme is not None:
        text = readme.read_text()
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        readme.write_text(text[:start] + "\n" + block + "\n" + text[end:])
        print(f"\n{readme}: reliability table updated", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
