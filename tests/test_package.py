"""The package as a library: its public API, light imports, the terminal at the edge, no import cycles."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "interview_reps"
HEAVY = ("numpy", "faster_whisper", "ctranslate2", "av", "librosa", "matplotlib", "sounddevice", "soundfile")
TERMINAL = ("click", "rich")


# --------------------------------------------------------------------------------- the import graph


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import in the file: top level, inside functions, under
    TYPE_CHECKING. ``from . import x`` is an edge to the submodule x when there is one, else to the
    package. (Importing a submodule runs its package's __init__ first; that is not counted, or every
    package that re-exports its submodules would be a cycle.)"""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in MODULES else target, node.lineno))
    return found


def graph() -> dict[str, set[str]]:
    return {
        name: {target for target, _ in imports(path) if target in MODULES and target != name}
        for name, path in MODULES.items()
    }


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_the_graph_sees_lazy_and_type_only_imports() -> None:
    edges = graph()
    assert "interview_reps.store" in edges["interview_reps.pipeline"]  # under TYPE_CHECKING
    assert "interview_reps.report" in edges["interview_reps.pipeline"]  # inside a function
    assert "interview_reps.comparison" in edges["interview_reps.chart"]  # under TYPE_CHECKING
    assert "interview_reps.analyze.frames" in edges["interview_reps.analyze.words"]  # from .frames import
    assert "interview_reps.text" in edges["interview_reps.analyze.words"]  # from ..text import
    assert "interview_reps.errors" in edges["interview_reps"]  # the public API's TYPE_CHECKING block


def test_no_import_cycles() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


# ------------------------------------------------------------------------------ the terminal's edge


def test_only_the_cli_and_the_console_touch_the_terminal() -> None:
    """click and rich are imported (anywhere in a file) only by cli/ and console/."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for name, path in MODULES.items()
        if not name.startswith(("interview_reps.cli", "interview_reps.console"))
        for target, line in imports(path)
        if target.split(".")[0] in TERMINAL
    ]
    assert offenders == []
    # the hook's own check, as the team runs it
    pattern = re.compile(r"^\s*(import (click|rich)|from (click|rich)[ .])")
    for path in MODULES.values():
        if not re.search(r"/(cli|console|terminal)(\.py|/)", path.as_posix()):
            text = path.read_text(encoding="utf-8")
            assert not any(pattern.match(line) for line in text.splitlines()), path


def test_the_library_does_not_print() -> None:
    """Outside cli/ and console/, nothing writes to stdout or stderr."""
    writes = re.compile(r"\bprint\(|sys\.(stdout|stderr)\.write|click\.echo")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for name, path in MODULES.items()
        if not name.startswith(("interview_reps.cli", "interview_reps.console"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if writes.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


# ---------------------------------------------------------------------------------- the public API


def python(code: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, **kw)


def test_import_is_light_until_used() -> None:
    """`import interview_reps` and every public name (Library, Result, compare, ...) stay light; the
    heavy libraries load only when a recording is analyzed."""
    code = (
        "import sys, interview_reps\n"
        f"heavy = {HEAVY + TERMINAL!r}\n"
        "loaded = lambda: [m for m in heavy if m in sys.modules]\n"
        "assert loaded() == [], loaded()\n"
        "for name in interview_reps.__all__:\n"
        "    getattr(interview_reps, name)\n"
        "assert loaded() == [], loaded()\n"
        "print(sorted(interview_reps.__all__) == sorted(dir(interview_reps)))\n"
    )
    proc = python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"


def test_public_names() -> None:
    import interview_reps
    from interview_reps import comparison, models, pipeline, store

    assert interview_reps.analyze_file is pipeline.analyze_file
    assert interview_reps.analyze_files is pipeline.analyze_files
    assert interview_reps.Library is store.Library
    assert interview_reps.Result is models.Result and interview_reps.Rep is models.Rep
    assert interview_reps.compare is comparison.compare and callable(interview_reps.compare)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        interview_reps.nope  # noqa: B018
    assert set(interview_reps.__all__) == {"__version__", *interview_reps._EXPORTS}


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- api-example -->\s*```python\n(.*?)```", text, re.S)
    assert found, "README: no ```python block after <!-- api-example -->"
    return found.group(1)


@pytest.mark.model
def test_the_readme_example_runs_as_written(tmp_path: Path) -> None:
    """The README's Python example, run as written from the repository (HOME is a temporary folder)."""
    env = {**os.environ, "HOME": str(tmp_path), "REPS_HOME": str(tmp_path / "reps-home")}
    proc = python(readme_example(), cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    wpm, fillers = lines[0].split()
    assert 120 < float(wpm) < 175 and 4 <= int(fillers) <= 6  # mfa_cold_corpus: 146 wpm, 5 um/uh
    assert lines[1].startswith("skipped: samples/no-such-answer.wav: no such file")
    trend, _ = lines[2].split(" ", 1)
    assert trend in ("improved", "regressed", "unchanged")
    reps = sorted((tmp_path / "reps" / "reps").iterdir())  # Library("~/reps") under HOME
    assert len(reps) == 2 and all((r / "result.json").is_file() for r in reps)
