"""The question bank: built-in files, user files in REPS_HOME/questions, and `reps questions`."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from interview_reps.cli import cli
from interview_reps.errors import QuestionError
from interview_reps.questions import Question, categories, filter_questions, get_question, load_questions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
STRUCTURES = {"STAR", "CAR", "PREP", "Present-Past-Future", "direct"}

USER_QUESTION = """
[[question]]
id = "{id}"
text = "{text}"
category = "{category}"
target_seconds = [60, 90]
structure = "PREP"
points = ["one", "two"]
"""


def write_user_file(home: Path, name: str, text: str) -> Path:
    folder = home / "questions"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the built-in bank ---------------------------------------------------------------------------


def test_bank_is_large_and_covers_the_categories() -> None:
    bank = load_questions()
    assert len(bank) >= 80
    cats = categories(bank)
    assert len(cats) >= 8
    for cat in cats:
        assert sum(q.category == cat for q in bank) >= 10, cat
    assert {"about-you", "behavioural", "situational", "motivation", "closing"} <= set(cats)


def test_every_builtin_question_is_complete_and_sensible() -> None:
    bank = load_questions()
    ids = [q.id for q in bank]
    assert len(ids) == len(set(ids))
    for q in bank:
        assert isinstance(q, Question)
        assert KEBAB.fullmatch(q.id) and KEBAB.fullmatch(q.category), q.id
        assert q.text[0].isupper() and q.text[-1] in ".?", q.id
        lo, hi = q.target_s
        assert 15 <= lo < hi <= 240, q.id
        assert q.structure in STRUCTURES, q.id
        assert 2 <= len(q.points) <= 4, q.id
        assert all(p.strip() == p and 0 < len(p) <= 80 for p in q.points), q.id
        assert Path(q.source).name == f"{q.category}.toml", q.id
    # STAR stories need time; closing answers stay short.
    assert all(q.target_s[0] >= 90 for q in bank if q.structure == "STAR")
    assert all(q.target_s[1] <= 90 for q in bank if q.category == "closing")


def test_tell_me_about_yourself() -> None:
    q = get_question("tell-me-about-yourself")
    assert q.text == "Tell me about yourself."
    assert q.category == "about-you"
    assert q.target_s == (60.0, 120.0)
    assert q.structure == "Present-Past-Future"
    assert q.to_dict()["target_seconds"] == [60, 120]


def test_builtin_files_match_what_load_questions_reads() -> None:
    """The repo's prompts/*.toml are the bank (this checkout is installed in editable mode)."""
    files = sorted((ROOT / "prompts").glob("*.toml"))
    assert len(files) >= 8
    n = sum(len(tomllib.loads(f.read_text(encoding="utf-8"))["question"]) for f in files)
    assert n == len(load_questions())
    for f in files:
        assert f.read_text(encoding="utf-8").startswith("# Question bank:"), f.name


def test_wheel_lists_every_package() -> None:
    """pyproject lists packages by hand (prompts/ ships through a symlink): a new subpackage must be added."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    src = ROOT / "src"
    found = {".".join(p.parent.relative_to(src).parts) for p in src.glob("interview_reps/**/__init__.py")}
    missing = sorted(found - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"
    assert (src / "interview_reps" / "prompts").resolve() == ROOT / "prompts"
    assert "*.toml" in config["package-data"]["interview_reps.prompts"]


# --- lookup and filtering ------------------------------------------------------------------------


def test_unknown_id_suggests_a_close_match() -> None:
    with pytest.raises(QuestionError) as info:
        get_question("tell-me-about-yourslef")
    message = str(info.value)
    assert message.startswith("unknown question id 'tell-me-about-yourslef'")
    assert "did you mean 'tell-me-about-yourself'?" in message
    assert message.endswith("see `reps questions`")
    assert "\n" not in message
    with pytest.raises(QuestionError, match=r"did you mean 'salary-expectations'\?"):
        get_question("salary")


def test_filter_by_category_and_search() -> None:
    bank = load_questions()
    closing = filter_questions(bank, category="Closing")
    assert len(closing) >= 10 and {q.category for q in closing} == {"closing"}
    found = filter_questions(bank, search="MISS deadline")
    assert {"going-to-miss-a-deadline", "missed-a-deadline"} <= {q.id for q in found}
    assert all("deadline" in q.text.lower() or "deadline" in q.id for q in found)
    assert filter_questions(bank, category="closing", search="no-such-word-anywhere") == []


def test_unknown_category_lists_the_valid_ones() -> None:
    with pytest.raises(QuestionError, match=r"unknown category 'nope'; choose from: about-you, .*closing"):
        filter_questions(load_questions(), category="nope")


# --- the user's own files ------------------------------------------------------------------------


def test_user_files_add_and_override(reps_home: Path) -> None:
    builtin = load_questions()
    write_user_file(
        reps_home,
        "mine.toml",
        USER_QUESTION.format(id="why-rust", text="Why do you like Rust?", category="my-stack")
        + USER_QUESTION.format(
            id="tell-me-about-yourself", text="Introduce yourself briefly.", category="about-you"
        ),
    )
    bank = load_questions()
    assert len(bank) == len(builtin) + 1
    assert bank[-1].id == "why-rust" and bank[-1].category == "my-stack"
    assert bank[-1].source == str(reps_home / "questions" / "mine.toml")
    replaced = get_question("tell-me-about-yourself")
    assert replaced.text == "Introduce yourself briefly."
    assert replaced.target_s == (60.0, 90.0)
    # The replacement keeps the built-in's place in the bank.
    assert [q.id for q in bank].index("tell-me-about-yourself") == [q.id for q in builtin].index(
        "tell-me-about-yourself"
    )
    assert "my-stack" in categories()


def test_optional_fields_default(tmp_path: Path) -> None:
    (tmp_path / "short.toml").write_text(
        '[[question]]\nid = "pitch"\ntext = "Pitch us your idea."\ncategory = "startup"\ntarget_seconds = [30, 60.5]\n',
        encoding="utf-8",
    )
    q = get_question("pitch", extra_dir=tmp_path)
    assert (q.structure, q.points, q.target_s) == ("direct", (), (30.0, 60.5))
    assert q.to_dict()["target_seconds"] == [30, 60.5]


def test_missing_user_folder_is_fine(tmp_path: Path) -> None:
    assert len(load_questions(extra_dir=tmp_path / "absent")) == len(load_questions())


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[question]]\nid = "a"\ntext = "unterminated\n', r"invalid TOML: .*line 3"),
        (
            '[[question]]\nid = "a"\ntext = "A?"\ncategory = "c"\n',
            r"question 1 \('a'\): missing field 'target_seconds'",
        ),
        (
            USER_QUESTION.format(id="a", text="A?", category="c").replace("[60, 90]", "[90, 60]"),
            r"'target_seconds' must satisfy 0 < min <= max, not \[90, 60\]",
        ),
        (
            USER_QUESTION.format(id="a", text="A?", category="c").replace("[60, 90]", "[60]"),
            r"'target_seconds' must be two numbers \[min, max\], not \[60\]",
        ),
        (
            USER_QUESTION.format(id="a", text="A?", category="c").replace("[60, 90]", '"90"'),
            r"'target_seconds' must be two numbers \[min, max\], not '90'",
        ),
        (
            USER_QUESTION.format(id="a", text="A?", category="c").replace('["one", "two"]', '"one"'),
            r"'points' must be a list of non-empty strings",
        ),
        (
            USER_QUESTION.format(id="Bad Id", text="A?", category="c"),
            r"'id' must be lower-case words joined by hyphens",
        ),
        (
            USER_QUESTION.format(id="a", text="A?", category="c").replace("target_seconds", "target_second"),
            r"unknown field 'target_second' \(did you mean 'target_seconds'\?\)",
        ),
        ('[question]\nid = "a"\n', r"'question' must be an array of tables: write \[\[question\]\]"),
        ('title = "mine"\n', r"unknown top-level key 'title'"),
        (
            USER_QUESTION.format(id="a", text="A?", category="c") * 2,
            r"duplicate id 'a' \(also in .*broken.toml\)",
        ),
    ],
)
def test_broken_user_file_names_the_file_and_the_problem(reps_home: Path, text: str, problem: str) -> None:
    path = write_user_file(reps_home, "broken.toml", text)
    with pytest.raises(QuestionError) as info:
        load_questions()
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert re.search(problem, message), message
    assert "\n" not in message


def test_duplicate_id_in_builtin_bank_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from interview_reps import questions

    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text(
            USER_QUESTION.format(id="same", text="Same?", category="c"), encoding="utf-8"
        )
    monkeypatch.setattr(questions, "_builtin_dir", lambda: tmp_path)
    with pytest.raises(QuestionError, match=r"b\.toml: duplicate id 'same' \(also in .*a\.toml\)"):
        load_questions()


# --- reps questions ------------------------------------------------------------------------------


def test_cli_lists_the_bank() -> None:
    result = CliRunner().invoke(cli, ["questions"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "tell-me-about-yourself" in result.stdout
    assert "Tell me about yourself." in result.stdout
    assert "60-120 s, Present-Past-Future" in result.stdout
    assert "leadership-and-conflict (12)" in result.stdout
    n = len(load_questions())
    assert f"{n} of {n} questions, 8 categories" in result.stderr
    assert "questions" in result.stderr and "*.toml" in result.stderr


@pytest.mark.parametrize("columns", [60, 40])
def test_cli_narrow_terminal_wraps_under_the_indent(columns: int) -> None:
    """On a narrow terminal each question is a list entry; a wrapped line keeps the indent of the text it
    continues (the question's 4, the id line's 2), so that only ids start at the margin."""
    result = CliRunner().invoke(cli, ["questions"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    bank = {q.id: q for q in load_questions()}
    entries: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        assert len(line) <= columns, line
        if line and not line.startswith(" ") and not re.fullmatch(r"\S+ \(\d+\)", line):
            entries[line.split()[0]] = [line]  # an id line
        elif line.startswith(" "):
            entries[list(entries)[-1]].append(line)
    assert set(entries) == set(bank)
    wrapped = 0
    for qid, lines in entries.items():
        text = [line for line in lines if line.startswith("    ")]
        head = [line for line in lines if line not in text]
        assert " ".join(line.strip() for line in text) == bank[qid].text
        lo, hi = bank[qid].target_s
        assert " ".join(head).split() == f"{qid} {lo:g}-{hi:g} s, {bank[qid].structure}".split()
        assert all(line.startswith("  ") and not line.startswith("   ") for line in head[1:])
        wrapped += len(text) > 1
    assert wrapped >= 5  # the test saw wrapping


def test_cli_json() -> None:
    result = CliRunner().invoke(cli, ["questions", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data) == len(load_questions()) >= 80
    first = next(d for d in data if d["id"] == "tell-me-about-yourself")
    assert first["text"] == "Tell me about yourself."
    assert first["category"] == "about-you"
    assert first["target_seconds"] == [60, 120]
    assert first["structure"] == "Present-Past-Future"
    assert 2 <= len(first["points"]) <= 4


def test_cli_category_and_search() -> None:
    result = CliRunner().invoke(cli, ["questions", "--category", "closing", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data) >= 10 and {d["category"] for d in data} == {"closing"}

    result = CliRunner().invoke(cli, ["questions", "--search", "deadline", "--json"])
    assert {"tight-deadline", "missed-a-deadline"} <= {d["id"] for d in json.loads(result.stdout)}

    result = CliRunner().invoke(cli, ["questions", "--category", "behavioural"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "tight-deadline" in result.stdout and "salary-expectations" not in result.stdout

    result = CliRunner().invoke(cli, ["questions", "--search", "no-such-word-anywhere"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith("No question matches (the bank has ")


def test_cli_bad_category_is_one_line_and_exit_1() -> None:
    result = CliRunner().invoke(cli, ["questions", "--category", "hobbies"])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("reps: error: unknown category 'hobbies'; choose from: about-you, behavioural")


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("Behavioral", "behavioural"),
        ("BEHAVIOURAL", "behavioural"),
        ("leadership", "leadership-and-conflict"),
        ("failure and learning", "failure-and-learning"),
    ],
)
def test_categories_as_people_type_them(typed: str, category: str) -> None:
    result = CliRunner().invoke(cli, ["questions", "--category", typed, "--json"])
    assert result.exit_code == 0, result.stderr
    assert {q["category"] for q in json.loads(result.stdout)} == {category}


def test_cli_broken_user_file_is_one_line(reps_home: Path) -> None:
    path = write_user_file(reps_home, "broken.toml", "[[question]]\nid = 'x'\n")
    result = CliRunner().invoke(cli, ["questions"])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"reps: error: {path}: question 1 ('x'): missing field 'text'"


# --- cues and follow-ups (issue 14, issue 15) ---------------------------------------------------------

POINT_TABLES = """
[[question]]
id = "mine"
text = "Tell me about your garden?"
category = "mine"
target_seconds = [30, 60]
structure = "direct"

[[question.points]]
text = "What you grow"
cues = ["i grow|plant", "tomato*"]

[[question.points]]
text = "Why"

[[question.follow_ups]]
when = "missed_point"
point = 2
text = "Why do you grow them?"

[[question.follow_ups]]
text = "What would you grow next?"
"""


def test_points_with_cues_and_follow_ups_in_a_user_file(reps_home: Path) -> None:
    write_user_file(reps_home, "mine.toml", POINT_TABLES)
    q = get_question("mine")
    assert q.points == ("What you grow", "Why")
    assert q.cues == (("i grow|plant", "tomato*"), ())
    assert [(f.when, f.point, f.text) for f in q.follow_ups] == [
        ("missed_point", 2, "Why do you grow them?"),
        ("always", None, "What would you grow next?"),
    ]
    d = q.to_dict()
    assert d["cues"] == [["i grow|plant", "tomato*"], []]
    assert d["follow_ups"][0] == {"text": "Why do you grow them?", "when": "missed_point", "point": 2}


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            'cues = ["i grow|plant", "tomato*"]',
            'cues = ["i grow (and) plant"]',
            r"point 1: cue .*is not a word",
        ),
        ('cues = ["i grow|plant", "tomato*"]', 'cues = ["@everything"]', r"point 1: cue unknown cue group"),
        (
            'cues = ["i grow|plant", "tomato*"]',
            'cues = "tomato"',
            r"point 1: 'cues' must be a list of strings",
        ),
        ('cues = ["i grow|plant", "tomato*"]', 'cue = ["tomato"]', r"point 1: unknown field 'cue'"),
        (
            'when = "missed_point"',
            'when = "sometimes"',
            r"follow-up 1: 'when' must be one of always, no_result",
        ),
        ("point = 2", "point = 3", r"follow-up 1: 'point' must be a point number from 1 to 2, not 3"),
        (
            'when = "missed_point"',
            'when = "no_result"',
            r"follow-up 1: 'point' goes only with when = \"missed_point\"",
        ),
        ('text = "Why do you grow them?"', 'txt = "Why?"', r"follow-up 1: unknown field 'txt'"),
    ],
)
def test_bad_cues_and_follow_ups_name_the_file_and_the_problem(
    reps_home: Path, old: str, new: str, problem: str
) -> None:
    assert old in POINT_TABLES
    path = write_user_file(reps_home, "mine.toml", POINT_TABLES.replace(old, new, 1))
    with pytest.raises(QuestionError) as info:
        load_questions()
    message = str(info.value)
    assert message.startswith(f"{path}: question 1 ('mine'): "), message
    assert re.search(problem, message), message


def test_builtin_follow_ups_are_questions_keyed_to_findings() -> None:
    bank = load_questions()
    with_follow_ups = [q for q in bank if q.follow_ups]
    assert len(with_follow_ups) >= 60
    for q in with_follow_ups:
        for f in q.follow_ups:
            assert f.text[-1] in "?." and f.text[0].isupper(), (q.id, f.text)
            if f.when == "missed_point":
                assert f.point is not None and 1 <= f.point <= len(q.points), q.id
    assert all(q.follow_ups for q in bank if q.structure == "STAR"), "every story question has one"
