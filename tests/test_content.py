"""What the answer said: cue matching, points, structure, specifics, vague words, ownership, job terms."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from interview_reps.analyze.content import (
    MEASURED_POINT_ACCURACY,
    STRUCTURE_PARTS,
    analyze_content,
    content_advice,
    job_terms_from_text,
    questions_for_job,
    words_from_text,
)
from interview_reps.cues import CueError, check_cue, find, parse_cue, tokens_of
from interview_reps.models import Content, Word
from interview_reps.questions import Question, get_question, load_questions, pick_follow_up

ROOT = Path(__file__).resolve().parents[1]

INITIATIVE = (
    "Um, so at my last job our builds were really slow, like forty minutes, and nobody owned the CI. "
    "It was just sort of everybody's problem. I decided to look into it on my own. I profiled the "
    "pipeline and I found that we were rebuilding every dependency from scratch. So I set up a shared "
    "cache and I split the tests so they run in parallel. "
)
RESULT = "In the end we cut the build time by 80 percent."
VAGUE_WE = (
    "So yeah, there was this thing at work where stuff kept going wrong with the releases and things. "
    "We looked into it. We talked to a lot of people and we changed some stuff in the process. "
    "We added some checks and things like that. We fixed the stuff that was broken and it was better after that."
)


def matches(cue: str, text: str, *, gap: int = 2) -> bool:
    parsed = parse_cue(cue)
    assert not isinstance(parsed, str)
    return find(parsed, tokens_of(text.split()), gap_words=gap) is not None


# --- the cue language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cue", "text", "expected"),
    [
        ("nobody own", "nobody really owned it", True),  # stems, one word between
        ("cut time", "we cut the build time", True),  # two words between
        ("cut time", "we cut the whole nightly build time", False),  # three is too many
        ("cut ... time", "we cut the whole nightly build time", True),  # "..." allows six
        ("told|warned manager", "I warned my manager", True),
        ("automat*", "we automated it", True),
        ("by #num percent", "down by 80% overall", True),  # "%" reads as percent
        ("by #num", "cut by twelve", True),
        ("by #num", "cut by one", False),  # "one" is too often not a number
        ("i would", "I'd tell them early", True),  # contractions expanded
        ("did not", "I didn't", True),
        ("one on one", "a one-on-one meeting", True),  # hyphens split
        ("^now", "So now it takes a minute", True),  # anchored after a lead-off word
        ("^now", "It takes a minute now", False),
        ("made it", "we um made it", True),  # filled pauses are skipped
    ],
)
def test_cue_language(cue: str, text: str, expected: bool) -> None:
    assert matches(cue, text) is expected


def test_cues_never_cross_a_sentence() -> None:
    words = words_from_text("We cut the costs. Time was short.")
    q = _question(cues=(("cut time",),))
    assert not analyze_content(words, q).points[0].covered


@pytest.mark.parametrize(
    ("cue", "problem"),
    [
        ("", "must not be empty"),
        ("@nonsense", "unknown cue group '@nonsense'"),
        ("... time", "'...' goes between two words"),
        ("cut ...", "'...' goes between two words"),
        ("didn't|did", "write contractions out"),
        ("cut (the) time", "is not a word"),
        ("!@result", "'!' goes before a phrase"),
    ],
)
def test_bad_cues_say_what_is_wrong(cue: str, problem: str) -> None:
    with pytest.raises(CueError, match=problem.replace("(", r"\(").replace("?", r"\?")):
        check_cue(cue)


# --- issue 14, done when -------------------------------------------------------------------------


def test_initiative_without_a_result_is_told_the_result_is_missing() -> None:
    q = get_question("took-initiative")
    words = words_from_text(INITIATIVE)
    content = analyze_content(words, q)
    result_point = content.points[2]
    assert result_point.text == "The measurable result" and not result_point.covered
    assert "no_result" in content.findings
    assert {p.name: p.present for p in content.structure.parts} == {
        "Situation": True,
        "Task": False,
        "Action": True,
        "Result": False,
    }
    advice = [
        fb.message
        for _, fb in sorted(content_advice(content, q, answer_end_s=words[-1].end), key=lambda i: -i[0])
    ]
    assert "no result" in advice[0] and "with a number" in advice[0]


def test_the_same_answer_with_a_result_is_credited_quoting_the_words_and_their_time() -> None:
    q = get_question("took-initiative")
    words = words_from_text(INITIATIVE + RESULT)
    content = analyze_content(words, q)
    point = content.points[2]
    assert point.covered
    assert point.evidence is not None and "we cut the build time by 80 percent" in point.evidence
    first = next(i for i, w in enumerate(words) if w.text == "In" and words[i + 1].text == "the")
    assert point.at_s == words[first].start
    assert "no_result" not in content.findings and "no_measurable_result" not in content.findings
    result = next(p for p in content.structure.parts if p.name == "Result")
    assert result.present and result.at_s == words[first].start
    assert any(m.text == "80 percent" for m in content.specifics)
    advice = content_advice(content, q, answer_end_s=words[-1].end)
    assert not any("result" in fb.message for _, fb in advice)


def test_a_vague_answer_full_of_we_and_stuff_is_told_so() -> None:
    q = get_question("took-initiative")
    words = words_from_text(VAGUE_WE)
    content = analyze_content(words, q)
    assert content.ownership.i == 0 and content.ownership.we >= 4
    assert {"mostly_we", "vague"} <= set(content.findings)
    assert [m.text for m in content.vague].count("stuff") == 3
    messages = [fb.message for _, fb in content_advice(content, q, answer_end_s=words[-1].end)]
    told = next(m for m in messages if "'we'" in m)  # one piece of advice for both
    n = content.ownership.we
    assert (
        f"{n} of {n} action sentences say 'we', and 'stuff' and 'things' come {len(content.vague)} times"
        in told
    )
    assert told.endswith("say what you did, and name the things.")


# --- points, structure, specifics, ownership -----------------------------------------------------


def test_without_a_question_the_question_fields_are_empty() -> None:
    content = analyze_content(words_from_text(INITIATIVE + RESULT))
    d = content.to_dict()
    assert d["points"] == [] and d["structure"] == {"name": None, "parts": []} and d["job_terms"] == []
    assert d["ownership"]["i"] >= 3
    json.dumps(d)  # plain JSON types only
    assert set(d) == {"points", "structure", "specifics", "vague", "ownership", "job_terms", "findings"}


def test_a_user_question_without_cues_uses_the_words_of_its_points() -> None:
    q = _question(points=("Name the database you migrated", "The downtime"), cues=())
    words = words_from_text("We migrated the orders database to Postgres. It took a weekend.")
    content = analyze_content(words, q)
    assert [p.covered for p in content.points] == [True, False]
    assert content.points[0].cue == "migrated ... database"  # two of the point's own words, either order


def test_negative_cues_and_short_answers() -> None:
    q = get_question("questions-for-us")
    pay = analyze_content(
        words_from_text("How many days of holiday do you get? And what is the bonus like?"), q
    )
    assert not pay.points[2].covered and pay.points[2].evidence and "holiday" in pay.points[2].evidence
    none = analyze_content(words_from_text("No, I think you covered everything. Thanks."), q)
    assert none.points[2].covered
    light = get_question("outside-of-work")
    short = analyze_content(
        words_from_text("I run. Last year I did my first marathon with my sister."), light
    )
    assert short.points[2].covered and short.points[2].cue == "@short"


def test_specifics_are_numbers_with_what_they_count_and_names() -> None:
    words = words_from_text(
        "We had two weeks and 12 engineers. Sarah moved us to Jenkins, and costs fell 30%."
    )
    texts = [m.text for m in analyze_content(words).specifics]
    assert texts == ["two weeks", "12 engineers", "Jenkins", "30%"]  # "Sarah" opens a sentence


def test_vague_words_skip_noun_uses() -> None:
    words = words_from_text("What kind of team? Two things matter. It was kind of slow and stuff.")
    assert [m.text for m in analyze_content(words).vague] == ["kind of", "stuff"]


def test_ownership_counts_sentences_that_say_what_was_done() -> None:
    words = words_from_text(
        "The team was small. We planned the work and I wrote the parser. We shipped it. "
        "We were tired. I'd talk to them first. I think it went well."
    )
    own = analyze_content(words).ownership
    assert (own.i, own.we) == (2, 1)  # "We planned ... and I wrote" counts as I; "I'd talk" is a plan
    assert len(own.i_at_s) == 2 and len(own.we_at_s) == 1


def test_every_structure_has_its_parts() -> None:
    for name, parts in STRUCTURE_PARTS.items():
        content = analyze_content(words_from_text(INITIATIVE), _question(structure=name))
        assert tuple(p.name for p in content.structure.parts) == parts
    own = analyze_content(words_from_text(INITIATIVE), _question(structure="SOAR"))
    assert own.structure.name == "SOAR" and own.structure.parts == ()


# --- the job's own words -------------------------------------------------------------------------

JOB = """Senior Backend Engineer

We are looking for an experienced engineer to join our payments team.
You will design and run services in Python and Go on Kubernetes, and own our CI/CD pipelines.
- Experience with PostgreSQL and event-driven systems
- Mentoring junior engineers and reviewing code
- Working with stakeholders across product and finance
- On-call for production incidents
Strong communication skills and a passion for great engineering."""


def test_job_terms_are_the_skills_tools_and_responsibilities() -> None:
    terms = [t.lower() for t in job_terms_from_text(JOB)]
    for expected in ("python", "go", "kubernetes", "postgresql", "stakeholders", "production incidents"):
        assert any(expected in t for t in terms), (expected, terms)
    for generic in ("experienced", "strong communication skills", "passion", "looking"):
        assert generic not in terms
    assert len(terms) <= 12


def test_job_terms_used_in_the_answer_are_marked_with_their_time() -> None:
    terms = job_terms_from_text(JOB)
    words = words_from_text(
        "I moved our billing service to Kubernetes. I also mentored two junior engineers."
    )
    used = {j.term.lower(): j for j in analyze_content(words, job_terms=terms).job_terms}
    assert used["kubernetes"].covered and used["kubernetes"].at_s is not None
    assert not used["postgresql"].covered and used["postgresql"].at_s is None


def test_practice_prefers_questions_that_fit_the_job() -> None:
    ranked = questions_for_job(load_questions(), job_terms_from_text(JOB))
    top = [q.id for q, _ in ranked[:12]]
    assert "production-incident" in top
    assert any(q in top for q in ("mentored-someone", "reviewing-others-work"))
    first, shared = ranked[0]
    assert shared, "the best question shares at least one term"
    assert ranked[-1][1] == ()  # questions sharing nothing come last, in bank order


# --- the built-in bank ---------------------------------------------------------------------------


def test_every_builtin_point_has_cues_that_parse() -> None:
    for q in load_questions():
        assert len(q.cues) == len(q.points), q.id
        for n, cues in enumerate(q.cues):
            assert cues, f"{q.id} point {n + 1} has no cues"
            for cue in cues:
                check_cue(cue)


# What README "Content" states for the held-out split (written text); a change that lowers one must
# update the README. These are measured figures, not the 0.85 target of issue 14 (recall is below it).
HELD_OUT_FLOOR = {"points": MEASURED_POINT_ACCURACY, "STAR/CAR parts": (0.84, 0.93)}


def test_held_out_figures_do_not_fall_below_what_the_readme_states() -> None:
    """The held-out split (never tuned on): precision and recall as measured when it was first run."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import evaluate_content

    answers = evaluate_content.load_answers("held-out")
    evaluate_content.check_labels(answers, "held-out")
    scores = evaluate_content.score(answers, evaluate_content.text_words)
    for key, (precision, recall) in HELD_OUT_FLOOR.items():
        got = scores[key]
        assert round(got.precision, 2) >= precision and round(got.recall, 2) >= recall, (key, got.to_dict())
    assert len(answers) >= 30 and scores["points"].n >= 100
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for precision, recall in HELD_OUT_FLOOR.values():
        assert f"{precision:.2f}" in readme and f"{recall:.2f}" in readme


def _question(
    *,
    points: tuple[str, ...] = ("The point",),
    cues: tuple[tuple[str, ...], ...] = (),
    structure: str = "STAR",
) -> Question:
    return Question(
        id="test",
        text="Test?",
        category="test",
        target_s=(60.0, 120.0),
        structure=structure,
        points=points,
        source="test.toml",
        cues=cues,
    )


def test_content_is_a_frozen_dataclass() -> None:
    content = analyze_content((Word("Hello.", 0.0, 0.4, sentence_end=True),))
    assert isinstance(content, Content)
    with pytest.raises(AttributeError):
        content.points = ()  # type: ignore[misc]


def test_content_round_trips_through_its_dict() -> None:
    q = get_question("took-initiative")
    content = analyze_content(words_from_text(INITIATIVE + RESULT), q, job_terms=("CI", "Kubernetes"))
    again = Content.from_dict(json.loads(json.dumps(content.to_dict())))
    assert again.to_dict() == content.to_dict()


def test_follow_ups_fit_what_the_answer_lacked() -> None:
    q = get_question("took-initiative")
    without = analyze_content(words_from_text(INITIATIVE), q)
    follow = pick_follow_up(q, without)
    assert follow is not None and follow.when == "no_result" and "happened in the end" in follow.text
    vague = analyze_content(words_from_text(VAGUE_WE), q)
    assert pick_follow_up(q, vague).when in ("no_result", "no_measurable_result")
    complete = analyze_content(words_from_text(INITIATIVE + RESULT), q)
    follow = pick_follow_up(q, complete)
    assert follow is not None and follow.when == "always"  # nothing lacking: the general one
    assert pick_follow_up(get_question("references"), complete) is None  # no follow-ups at all


def test_a_missed_point_follow_up_names_its_point() -> None:
    q = get_question("competing-priorities")
    words = words_from_text(
        "Last spring three deadlines landed in the same week. I ranked them by impact on customers. "
        "In the end all three went out on time."
    )
    content = analyze_content(words, q)
    assert "missed_point:3" in content.findings and "missed_point:2" not in content.findings
    follow = pick_follow_up(q, content)
    assert follow is not None and follow.point == 3 and "wait" in follow.text


# --- through the real pipeline ---------------------------------------------------------------------

CLIPS = ROOT / "tests" / "data" / "content"


@pytest.fixture(scope="module")
def spoken() -> dict[str, tuple[Word, ...]]:
    """The three spoken answers, transcribed once by the real model."""
    from interview_reps.pipeline import analyze_file

    return {
        name: analyze_file(CLIPS / f"{name}.flac").words
        for name in ("initiative_no_result", "initiative_result", "vague_we")
    }


@pytest.mark.model
def test_spoken_answers_through_the_real_pipeline(spoken: dict[str, tuple[Word, ...]]) -> None:
    q = get_question("took-initiative")
    without = analyze_content(spoken["initiative_no_result"], q)
    assert "no_result" in without.findings and not without.points[2].covered
    advice = max(
        content_advice(without, q, answer_end_s=spoken["initiative_no_result"][-1].end), key=lambda i: i[0]
    )
    assert "has no result" in advice[1].message

    words = spoken["initiative_result"]
    credited = analyze_content(words, q)
    point = credited.points[2]
    assert point.covered and point.evidence is not None
    assert "cut the build time by 80" in point.evidence.replace("%", " percent")
    said = next(w for w in words if w.text.strip(" ,.").lower() == "cut")
    assert point.at_s is not None and point.at_s <= said.start < point.at_s + 3.0
    assert "no_result" not in credited.findings

    vague = analyze_content(spoken["vague_we"], q)
    assert {"mostly_we", "vague"} <= set(vague.findings)
    assert vague.ownership.i == 0


NURSE_JOB = """Staff Nurse - Acute Medical Unit

We are seeking a compassionate and motivated Band 5 Staff Nurse to join our busy Acute Medical Unit.
• Administer medication and maintain accurate clinical records
• Support and mentor student nurses and healthcare assistants
• Knowledge of infection prevention and control"""


def test_job_terms_outside_tech() -> None:
    terms = job_terms_from_text(NURSE_JOB)
    lowered = [t.lower() for t in terms]
    assert "acute medical unit" in lowered and "mentor student nurses" in lowered
    assert not any(w in t for t in lowered for w in ("compassionate", "motivated", "busy", "seeking"))
    assert "mentored-someone" in [q.id for q, _ in questions_for_job(load_questions(), terms)[:3]]
