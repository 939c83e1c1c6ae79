"""The eval harness's scoring (scripts/evalkit.py, scripts/evaluate.py) on hand-built inputs; no model."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import evalkit as ek  # noqa: E402
import evaluate as ev  # noqa: E402

from recordings import DATA_DIRS  # noqa: E402


def w(text: str) -> list[str]:
    return text.split()


# --- normalisation and fillers --------------------------------------------------------------------------


def test_normalize_whisper_style() -> None:
    assert ek.normalize_tokens("Uh, so THIS is <cough> it [noise]... I'm here!") == [
        "uh",
        "so",
        "this",
        "is",
        "it",
        "i'm",
        "here",
    ]
    assert ek.normalize_tokens("We're just yknow, alright? Y'know. Okay") == [
        "we're",
        "just",
        "you",
        "know",
        "all",
        "right",
        "you",
        "know",
        "ok",
    ]
    assert ek.normalize_tokens("In 1961, 25% of 3 well-known teams") == (
        w("in one thousand nine hundred sixty one twenty five percent of three well known teams")
    )
    assert ek.normalize_tokens("\u2018Don\u2019t\u2019") == ["don't"]


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (13, "thirteen"),
        (40, "forty"),
        (99, "ninety nine"),
        (100, "one hundred"),
        (2024, "two thousand twenty four"),
        (1_000_001, "one million one"),
    ],
)
def test_number_to_words(n: int, words: str) -> None:
    assert ek.number_to_words(n) == words


def test_filler_classes_and_content() -> None:
    tokens = w("um erm uhm uh er ah hm hmm mm mhm so like err")
    assert [ek.filler_class(t) for t in tokens] == [
        "um",
        "um",
        "um",
        "uh",
        "uh",
        "uh",
        "hm",
        "hm",
        "hm",
        "hm",
        None,
        None,
        "uh",
    ]
    assert ek.content_tokens(tokens) == ["so", "like"]
    assert ek.filler_counts(tokens) == Counter(um=3, uh=4, hm=4)


def test_matched_by_class_is_min_per_class() -> None:
    ref = Counter(uh=2, um=1)
    hyp = Counter(uh=1, um=3, hm=1)
    assert ek.matched_by_class(ref, hyp) == 2  # uh: min(2,1) + um: min(1,3) + hm: 0
    assert ek.matched_by_class(Counter(), hyp) == 0


def test_count_markers_phrases_without_overlap() -> None:
    tokens = ek.normalize_tokens("So yknow I mean it's kind of like this, you know, so")
    assert ek.count_markers(tokens) == Counter({"so": 2, "you know": 2, "i mean": 1, "kind of": 1, "like": 1})
    assert ek.count_markers(["you", "knowing"]) == Counter()


# --- WER ----------------------------------------------------------------------------------------------


def test_wer_counts() -> None:
    c = ek.edit_counts(w("a b c d"), w("a x c"))
    assert (c.substitutions, c.deletions, c.insertions, c.ref_words) == (1, 1, 0, 4)
    assert c.wer == pytest.approx(0.5)
    c = ek.edit_counts(w("a b"), w("a b c d"))
    assert (c.insertions, c.errors, c.wer) == (2, 2, 1.0)
    assert ek.edit_counts([], []).wer == 0.0
    assert ek.edit_counts([], ["a"]).wer == float("inf")
    assert ek.edit_counts(w("a b"), []).wer == 1.0
    total = ek.edit_counts(["a"], ["b"]) + ek.edit_counts(["a", "b", "c"], ["a", "b", "c"])
    assert total.wer == pytest.approx(0.25)


def test_alignment_describes_errors() -> None:
    ops = ek.align(w("montreal forced aligner"), w("montreal forced a liner"))
    assert ek.describe_errors(ops) == ["+a", "aligner->liner"]  # ties: match, sub, del, ins
    assert sum(op != "ok" for op, _, _ in ops) == 2
    assert ek.describe_errors(ek.align(["x", "y"], ["y"])) == ["-x"]


def test_compress_repeats() -> None:
    assert ek.compress_repeats(w("+see +you +next +see +you +next +see +you +next -x")) == [
        "(+see +you +next) x3",
        "-x",
    ]
    assert ek.compress_repeats(w("a a a b c b c")) == ["a x3", "(b c) x2"]
    assert ek.compress_repeats(w("a b c")) == ["a", "b", "c"]


# --- timings ------------------------------------------------------------------------------------------


def test_read_words_tsv(tmp_path: Path) -> None:
    path = tmp_path / "a.words.tsv"
    path.write_text("start\tend\tword\n0.000\t0.500\t<sil>\n0.500\t0.800\tHello\n0.900\t1.200\tuh\n")
    words = ek.read_words_tsv(path)
    assert [(w.start, w.end, w.text) for w in words] == [
        (0.0, 0.5, "<sil>"),
        (0.5, 0.8, "hello"),
        (0.9, 1.2, "uh"),
    ]
    assert words[0].is_silence and not words[1].is_silence


SHORT_TEXTGRID = """File type = "ooTextFile"
Object class = "TextGrid"

0
2.0
<exists>
1
"IntervalTier"
"words"
0
2.0
3
0
0.5
""
0.5
1.2
"hello"
1.2
2.0
"world"
"""

LONG_TEXTGRID = """File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0
xmax = 2.0
tiers? <exists>
size = 1
item []:
    item [1]:
        class = "IntervalTier"
        name = "words"
        xmin = 0
        xmax = 2.0
        intervals: size = 2
        intervals [1]:
            xmin = 0
            xmax = 0.7
            text = "um"
        intervals [2]:
            xmin = 0.7
            xmax = 2.0
            text = ""
"""


def test_read_textgrid_short_and_long(tmp_path: Path) -> None:
    short = tmp_path / "s.TextGrid"
    short.write_text(SHORT_TEXTGRID)
    assert [(w.start, w.end, w.text) for w in ek.read_textgrid_words(short) or []] == [
        (0.0, 0.5, ""),
        (0.5, 1.2, "hello"),
        (1.2, 2.0, "world"),
    ]
    long = tmp_path / "l.TextGrid"
    long.write_text(LONG_TEXTGRID)
    assert [(w.start, w.end, w.text) for w in ek.read_textgrid_words(long) or []] == [
        (0.0, 0.7, "um"),
        (0.7, 2.0, ""),
    ]
    # A whole-utterance interval is not word timing.
    whole = tmp_path / "w.TextGrid"
    whole.write_text(SHORT_TEXTGRID.replace('"hello"', '"hello there"'))
    assert ek.read_textgrid_words(whole) is None


def test_apply_fixes_merges_double_uh() -> None:
    words = [
        ek.TimedWord(6.94, 7.01, "the"),
        ek.TimedWord(7.01, 7.02, "uh"),
        ek.TimedWord(7.02, 7.31, "<sil>"),
        ek.TimedWord(7.31, 7.86, "uh"),
        ek.TimedWord(7.86, 7.89, "<sil>"),
        ek.TimedWord(7.89, 8.53, "acoustic"),
    ]
    fixed = ek.apply_fixes(words, ek.KNOWN_FIXES["mfa_cold_corpus"])
    assert [(w.start, w.end, w.text) for w in fixed] == [
        (6.94, 7.01, "the"),
        (7.01, 7.86, "uh"),
        (7.86, 7.89, "<sil>"),
        (7.89, 8.53, "acoustic"),
    ]
    sil = [ek.TimedWord(12.94, 13.90, "intensity"), ek.TimedWord(13.90, 14.87, "<sil>")]
    assert ek.apply_fixes(sil, ek.KNOWN_FIXES["mfa_acoustic_corpus"])[-1] == ek.TimedWord(13.90, 14.87, "uh")


def test_reference_pauses_and_silences() -> None:
    words = [
        ek.TimedWord(0.0, 1.0, "<sil>"),
        ek.TimedWord(1.0, 1.5, "a"),
        ek.TimedWord(1.5, 1.7, "<sil>"),  # 0.2 s: too short
        ek.TimedWord(1.7, 2.0, "b"),
        ek.TimedWord(2.3, 2.5, "c"),  # 0.3 s gap with no <sil> label
        ek.TimedWord(2.5, 3.5, "<sil>"),
        ek.TimedWord(3.5, 4.0, "um"),  # a filled pause is not silence
        ek.TimedWord(4.0, 4.2, "d"),
        ek.TimedWord(4.2, 5.0, "<sil>"),
    ]
    assert ek.reference_pauses(words) == [ek.RefPause(2.0, 2.3), ek.RefPause(2.5, 3.5)]
    assert ek.silences_between(words, start=0.0, end=5.0) == [
        (0.0, 1.0),
        (1.5, 1.7),
        (2.0, 2.3),
        (2.5, 3.5),
        (4.2, 5.0),
    ]


def test_match_in_time_tolerance_and_one_to_one() -> None:
    ref = [(1.0, 1.4), (3.0, 3.5)]
    # 1.55 is 0.15 s after the first ref: a match; 3.8 is 0.3 s after the second: none.
    assert ek.match_in_time([(1.55, 1.7), (3.8, 4.0)], ref) == [(0, 0)]
    # Two hyps on one ref filler: only the closer one matches.
    assert ek.match_in_time([(0.9, 1.0), (1.1, 1.3)], ref) == [(1, 0)]
    assert ek.match_in_time([(3.7, 3.7)], ref, tolerance_s=0.2) == [(0, 1)]  # zero-length, exactly 0.2 s


def test_score_pauses() -> None:
    ref_pauses = [
        ek.RefPause(1.0, 1.5),  # found, edges off by 0.05 and 0.1
        ek.RefPause(3.0, 3.27),  # < 0.3 s: not counted, but a detection on it is not extra
        ek.RefPause(5.0, 6.0),  # missed
        ek.RefPause(8.0, 9.0, start_known=False),  # found; only the end edge counts
        ek.RefPause(10.0, 10.6),  # in a known alignment error: left out
    ]
    silences = [(0.0, 0.5), (1.0, 1.5), (3.0, 3.27), (5.0, 6.0), (8.0, 9.0), (10.0, 10.6), (11.0, 11.1)]
    detected = [(1.05, 1.6), (3.0, 3.25), (6.5, 7.0), (7.5, 8.9), (10.1, 10.5), (10.9, 11.4), (12.0, 12.5)]
    score = ek.score_pauses(
        detected,
        ref_pauses,
        silences,
        judged=[(0.0, 12.0)],
        unjudged=[(10.0, 10.6)],
        ref_fillers=[(6.4, 6.8)],
    )
    assert (score.ref_counted, score.found) == (3, 2)
    assert score.missed == [ek.RefPause(5.0, 6.0)]
    assert score.edge_errors_s == pytest.approx([0.05, 0.1, 0.1])
    assert score.start_bias_s == pytest.approx([0.05])
    assert score.end_bias_s == pytest.approx([0.1, -0.1])
    assert score.false == [(6.5, 7.0)]  # 0.5 s in fluent speech
    assert score.extra == [(10.9, 11.4)]  # touches a 0.1 s reference silence
    assert score.over_fillers == [((6.5, 7.0), (6.4, 6.8))]
    assert score.unjudged == 2  # (10.1, 10.5) in the alignment error; (12.0, 12.5) outside timed parts


def test_wpm() -> None:
    assert ek.wpm(150, 1.0, 61.0) == pytest.approx(150.0)
    assert ek.wpm(10, 2.0, 2.0) == 0.0


# --- evaluate.py scoring of one result ----------------------------------------------------------------


def _reference() -> ev.Reference:
    words = [
        ek.TimedWord(0.5, 0.9, "so"),
        ek.TimedWord(1.0, 1.4, "uh"),
        ek.TimedWord(2.0, 2.5, "hello"),
        ek.TimedWord(2.5, 3.0, "world"),
        ek.TimedWord(3.5, 4.0, "um"),
        ek.TimedWord(4.0, 4.5, "bye"),
    ]
    return ev.Reference(
        name="fake",
        duration_s=5.0,
        tokens=ek.normalize_tokens("so uh hello world um bye"),
        timed=True,
        words=words,
        pauses=ek.reference_pauses(words),
        silences=ek.silences_between(words, start=0.0, end=5.0),
        judged=[(0.0, 5.0)],
        first_word_s=0.5,
        last_word_s=4.5,
    )


def test_score_clip_on_a_hand_built_result() -> None:
    result = {
        "transcript": "So, uh, hello word. Um, uh, bye.",
        "fillers": [
            {"text": "uh", "start": 1.1, "end": 1.3, "kind": "filled_pause", "source": "transcript"},
            {"text": "uh", "start": 3.0, "end": 3.2, "kind": "filled_pause", "source": "acoustic"},
            {"text": "um", "start": 3.6, "end": 3.9, "kind": "filled_pause", "source": "transcript"},
            {"text": "so", "start": 0.5, "end": 0.9, "kind": "discourse_marker", "source": "transcript"},
        ],
        "pauses": [{"start": 1.45, "end": 2.0}, {"start": 3.0, "end": 3.45}],
        "metrics": {"time_to_first_word_s": 0.4, "wpm": 60.0},
    }
    run = ev.Run(result=result, error=None, stock_text="So hello world bye.", pipeline_s=0.0, stock_s=0.0)
    s = ev.score_clip(_reference(), run)
    assert s.ref_fillers == Counter(uh=1, um=1)
    assert s.hyp_fillers == Counter(uh=2, um=1)
    assert s.typed_matched == 2
    assert s.stock_fillers == Counter()
    # In time: uh@1.1 and um@3.6 match; the acoustic uh@3.0 is 0.3 s from the um but that one is taken.
    assert [bool(h["time_match"]) for h in s.hyp_filler_list] == [True, False, True]
    assert s.wer_pipeline.errors == 1  # world -> word
    assert s.wer_stock.errors == 0
    assert s.ref_markers == Counter(so=1) and s.hyp_markers == ["so"]
    assert s.pauses is not None
    assert (s.pauses.ref_counted, s.pauses.found) == (2, 2)  # 1.4-2.0 and 3.0-3.5
    assert s.ttfw_err_s == pytest.approx(-0.1)
    assert s.wpm_ref == pytest.approx(4 / 4.0 * 60)  # so hello world bye over 0.5-4.5 s
    assert s.wpm_err_pct == pytest.approx(0.0)
    tot = ev.totals([s])
    assert tot["filled_pauses"]["recall"] == 1.0
    assert tot["filled_pauses"]["precision"] == pytest.approx(0.667)
    assert tot["filled_pauses"]["in_time"]["matched"] == 2
    assert tot["filled_pauses"]["by_source"]["acoustic"] == {"hyp": 1, "timed_hyp": 1, "time_matched": 0}
    assert tot["content_wer"]["target_met"] is False  # 0.25 > 0.0 + 0.02


def test_refused_clip_scores_as_all_missed() -> None:
    run = ev.Run(result=None, error="x.wav: no speech detected", stock_text="", pipeline_s=0.0, stock_s=0.0)
    s = ev.score_clip(_reference(), run)
    assert s.typed_matched == 0 and s.wer_pipeline.wer == 1.0
    assert s.ttfw_err_s is None and s.wpm_err_pct is None
    assert ev.totals([s])["refused"] == ["fake"]


def test_build_long_reference_from_joins(tmp_path: Path) -> None:
    import soundfile as sf

    rng = np.random.default_rng(1)
    tone = 0.3 * np.sin(2 * np.pi * 200 * np.arange(ev.SR) / ev.SR)
    quiet = 0.001 * rng.standard_normal(ev.SR // 2)
    # timed clip "a": 0.5 s quiet, 1 s "hello", 0.5 s quiet; untimed clip "b": same audio.
    for stem in ("a", "b"):
        sf.write(tmp_path / f"{stem}.wav", np.concatenate([quiet, tone, quiet]).astype(np.float32), ev.SR)
        (tmp_path / f"{stem}.txt").write_text("hello")
    (tmp_path / "a.words.tsv").write_text(
        "start\tend\tword\n0\t0.5\t<sil>\n0.5\t1.5\thello\n1.5\t2.0\t<sil>\n"
    )
    clips = {"a": tmp_path / "a.wav", "b": tmp_path / "b.wav"}
    path, ref = ev.build_long("t", [("a", 1.0), ("b", 0.5), ("a", 0.0)], clips, tmp_path, rng)
    assert sf.info(str(path)).duration == pytest.approx(2.0 + 1.0 + 2.0 + 0.5 + 2.0)
    assert ref.tokens == ["hello", "hello", "hello"]
    # a ends its word at 1.5; b starts at 3.0 (edge unknown) and ends at 5.0 (unknown); a's word at 6.0.
    assert ref.pauses == [ek.RefPause(1.5, 3.0, True, False), ek.RefPause(5.0, 6.0, False, True)]
    assert ref.first_word_s == pytest.approx(0.5) and ref.last_word_s == pytest.approx(7.0)
    assert ref.judged == [(0.0, 2.0), (2.0, 3.0), (5.0, 5.5), (5.5, 7.5)]


def test_eval_references_agree_with_their_text() -> None:
    """After the README's fixes, timed fillers match the .txt filler counts of each timed clip."""
    import soundfile as sf

    timed = 0
    for path in [p for d in DATA_DIRS for p in ev.find_clips(d)]:
        ref = ev.load_reference(path, sf.info(str(path)).duration)
        if ref.timed:
            timed += 1
            assert Counter(c for *_, c in ref.timed_fillers) == ek.filler_counts(ref.tokens), path.name
            aligned = ek.content_tokens(ek.normalize_tokens(" ".join(w.text for w in ref.words)))
            assert ek.edit_counts(ref.content, aligned).errors <= 1  # the tsv has "word" for one "words"
    assert timed == 2
