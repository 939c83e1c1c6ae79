"""The HTML pages in a real browser (Debian's headless chromium, over the DevTools protocol): they load
with no console error and nothing from the network, the marks sit where the JSON says, a click plays
the moment, the current word follows the audio, and the pages are readable at 1280 px and on a phone.

One browser and one library of three real reps (the real model on three sample recordings) serve
every test here. Skipped, saying why, only when no chromium can be found.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from browser import Browser, Page, find_chromium
from interview_reps.models import Rep
from interview_reps.pages import write_progress_page, write_rep_page, write_standalone_page
from interview_reps.pipeline import process_files
from interview_reps.questions import get_question
from interview_reps.report.html import PLAY_LEAD_S
from interview_reps.report.page import num
from interview_reps.settings import TargetBands
from interview_reps.store import Library
from test_store import DAY1

pytestmark = pytest.mark.model  # the reps are real analyses
QUESTION = "tell-me-about-yourself"
# 45 s of speech in all: fillers and pauses (cold), rhetorical pauses and no filler (jfk), a run of stacked
# filled pauses (uhum).
FILES = ("mfa_cold_corpus.wav", "jfk.wav", "mfa_uhum.flac")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = find_chromium()
    if path is None:
        pytest.skip(
            "no chromium: the browser tests of the HTML reports need it "
            "(`sudo apt-get install chromium`; `make test` installs it when run as root)"
        )
    with Browser(path) as started:
        yield started


@pytest.fixture(scope="module")
def library(
    tmp_path_factory: pytest.TempPathFactory, clip: Callable[[str], Path]
) -> tuple[Library, list[Rep]]:
    """Three reps of one question on three days, analyzed and saved as `reps analyze` does."""
    lib = Library(tmp_path_factory.mktemp("browser-library"))
    outcomes = list(
        process_files(
            [clip(name) for name in FILES],
            library=lib,
            question=get_question(QUESTION),
            created_at=[DAY1 + timedelta(days=i) for i in range(len(FILES))],
        )
    )
    reps = [o.rep for o in outcomes]  # type: ignore[union-attr]
    assert all(r is not None for r in reps), outcomes
    return lib, reps  # type: ignore[return-value]


@pytest.fixture(scope="module")
def page(browser: Browser) -> Page:
    return browser.new_page()


def only_local(page: Page) -> None:
    """No console error, no exception, and every request was for a file on disk or data in the page."""
    assert page.errors == []
    assert page.requests and all(url.startswith(("file:", "data:")) for url in page.requests), page.requests


GEOMETRY = """(() => {
  const axis = +document.body.dataset.axisS;
  const at = (el) => { const p = el.offsetParent, box = p.getBoundingClientRect();
    return [box.left + p.clientLeft, p.clientWidth]; };
  const marks = (sel) => Array.from(document.querySelectorAll(sel)).map((el) => {
    const r = el.getBoundingClientRect(), [left, width] = at(el);
    return {start: +el.dataset.start, end: +el.dataset.end, left: r.left, right: r.right,
            centre: r.left + r.width / 2, origin: left, width: width};
  });
  return {axis: axis, fillers: marks('.tl-mark[data-kind=filler]'), pauses: marks('.tl-pause[data-kind=pause]'),
          bars: marks('.pace-bar')};
})()"""


def test_rep_page_marks_are_where_the_json_says(library: tuple[Library, list[Rep]], page: Page) -> None:
    lib, reps = library
    rep = reps[0]  # mfa_cold_corpus: five filled pauses and six pauses
    data = rep.to_dict()
    page.open(lib.html_report_path(rep.id).as_uri())
    only_local(page)
    assert len(data["fillers"]) >= 3 and len(data["pauses"]) >= 3
    transcript = page.js(
        "['filler', 'pause'].map(k => Array.from(document.querySelectorAll(`#transcript [data-kind~=${k}]`))"
        ".map(e => [+e.dataset.start, +e.dataset.end]))"
    )
    assert transcript[0] == [[f["start"], f["end"]] for f in data["fillers"]]
    assert transcript[1] == [[p["start"], p["end"]] for p in data["pauses"]]
    words = page.js("Array.from(document.querySelectorAll('#transcript .w')).map(e => +e.dataset.start)")
    assert words == [w["start"] for w in data["words"]]
    geo = page.js(GEOMETRY)
    assert geo["axis"] == pytest.approx(max(data["audio"]["duration_s"], 60.0))  # the target's 60 s minimum
    assert [m["start"] for m in geo["fillers"]] == [f["start"] for f in data["fillers"]]
    for m in geo["fillers"]:  # each label centred on its moment, to a pixel
        assert m["centre"] == pytest.approx(m["origin"] + m["start"] / geo["axis"] * m["width"], abs=1.0)
    assert [m["start"] for m in geo["pauses"]] == [p["start"] for p in data["pauses"]]
    for m in geo["pauses"]:  # each pause spans its stretch (at least the minimum width)
        assert m["left"] == pytest.approx(m["origin"] + m["start"] / geo["axis"] * m["width"], abs=1.0)
        assert m["right"] >= m["origin"] + m["end"] / geo["axis"] * m["width"] - 1.0
    assert len(geo["bars"]) == len(data["pace_windows"])


def test_clicking_a_filler_plays_it_and_the_current_word_follows(
    library: tuple[Library, list[Rep]], page: Page
) -> None:
    lib, reps = library
    rep = reps[0]
    page.open(lib.html_report_path(rep.id).as_uri())
    page.js(
        "new Promise(r => { const a = document.getElementById('audio'); a.readyState >= 1 ? r() : a.onloadedmetadata = r; })"
    )
    filler = rep.result.fillers[1]
    page.click(f'#transcript [data-kind~=filler][data-start="{num(filler.start)}"]')
    t = page.js("document.getElementById('audio').currentTime")
    assert filler.start - 0.5 <= t <= filler.start  # from just before the filler
    assert t == pytest.approx(filler.start - PLAY_LEAD_S, abs=0.1)
    # within 2.5 s of playing, a word is spoken: the page marks it and names it in the player bar
    later = page.js(
        "new Promise(r => { const began = Date.now(); const look = () => {"
        " const a = document.getElementById('audio'), w = document.querySelector('#transcript .w.now');"
        " if (w || Date.now() - began > 2500) r({t: a.currentTime, paused: a.paused,"
        "   word: w && [+w.dataset.start, +w.dataset.end, w.textContent], shown: document.getElementById('now-word').textContent});"
        " else setTimeout(look, 40); }; setTimeout(look, 300); })"
    )
    assert not later["paused"] and later["t"] > t + 0.1  # it plays
    assert later["word"] is not None, later
    start, end, text = later["word"]
    assert start <= later["t"] <= end + 0.25 and later["shown"] == text
    # the same from the timeline, by keyboard: Tab to a pause, Enter plays it
    page.js("document.getElementById('audio').pause()")
    pause = rep.result.pauses[2]
    page.js(f"document.querySelector('.tl-pause[data-start=\"{num(pause.start)}\"]').focus()")
    page.key("Enter", "Enter", 13, text="\r")
    t = page.js("document.getElementById('audio').currentTime")
    assert pause.start - 0.5 <= t <= pause.start
    assert page.errors == []


def test_the_page_is_not_blank_and_fits_a_phone(library: tuple[Library, list[Rep]], page: Page) -> None:
    from PIL import Image

    lib, reps = library
    url = lib.html_report_path(reps[0].id).as_uri()
    page.open(url)
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    assert shot.size == (1280, 900)
    colours = shot.getcolors(maxcolors=1 << 20) or []
    background = max(colours)[1]
    inked = sum(n for n, colour in colours if colour != background) / (shot.width * shot.height)
    assert len(colours) > 100 and inked > 0.08  # text, the player and numbers, not an empty page
    page.open(url, width=390, height=844, mobile=True)
    only_local(page)
    fit = page.js(
        "({page: document.documentElement.scrollWidth, view: innerWidth,"
        " plot: document.querySelector('.tl-plot').getBoundingClientRect().width,"
        " text: parseFloat(getComputedStyle(document.getElementById('transcript')).fontSize)})"
    )
    assert fit["page"] <= fit["view"] and fit["plot"] >= 340 and fit["text"] >= 14, fit


def test_progress_page_shows_the_three_reps_and_links_each_report(
    library: tuple[Library, list[Rep]], page: Page, browser: Browser
) -> None:
    lib, reps = library
    path = write_progress_page(lib)
    page.open(path.as_uri())
    only_local(page)
    charts = page.js(
        "Array.from(document.querySelectorAll('figure.chart')).map(f => [f.dataset.metric,"
        " f.querySelectorAll('circle.svg-dot').length, f.querySelectorAll('rect.svg-band').length,"
        " f.querySelectorAll('line.svg-base').length, f.querySelector('[data-trend]')?.dataset.trend])"
    )
    by_name = {c[0]: c[1:] for c in charts}
    # a dot per rep with words enough to judge its pace (mfa_uhum's 5 are not), the band, the baseline
    judged = [r.result.metrics.word_count >= TargetBands().min_words_to_judge_pace for r in reps]
    assert judged == [True, True, False] and by_name["wpm"][:3] == [2, 1, 1]
    assert by_name["wpm"][3] in (None, "n/a")  # the last rep's pace is not judged: no verdict on it
    assert by_name["longest_pause_s"][0] == 3
    links = page.js("Array.from(document.querySelectorAll('#reps ~ div a, #reps + div a')).map(a => a.href)")
    assert len(links) == 3
    for url in links:
        assert Path(unquote(urlparse(url).path)).is_file()
    page.errors.clear()
    page.click("a[href$='report.html']")  # a rep's link opens its report
    browser.wait_for("Page.loadEventFired", session=page.session)
    page.settle()
    assert page.js("location.pathname").endswith(f"/{reps[0].id}/report.html") and page.errors == []


def test_a_time_in_the_address_seeks_there(library: tuple[Library, list[Rep]], page: Page) -> None:
    """The evidence links of the progress page (report.html#t=SECONDS) open the report at the moment."""
    lib, reps = library
    filler = reps[0].result.fillers[-1]
    page.open(lib.html_report_path(reps[0].id).as_uri() + f"#t={num(filler.start)}")
    only_local(page)
    state = page.js(
        "({t: document.getElementById('audio').currentTime, paused: document.getElementById('audio').paused,"
        " flashed: document.querySelector('#transcript .flash')?.dataset.start})"
    )
    assert state["t"] == pytest.approx(filler.start - PLAY_LEAD_S, abs=0.01) and state["paused"]
    assert state["flashed"] == num(filler.start)


def test_a_standalone_page_carries_its_own_audio(
    library: tuple[Library, list[Rep]], page: Page, tmp_path: Path, clip: Callable[[str], Path]
) -> None:
    """`reps analyze --html PATH`: the page plays from the audio embedded in it, wherever it is moved."""
    _, reps = library
    rep = reps[2]  # mfa_uhum: a run of stacked filled pauses
    path = write_standalone_page(rep.result, tmp_path / "moved" / "uhum.html", audio=clip(FILES[2]))
    page.open(path.as_uri())
    only_local(page)
    assert [url for url in page.requests if url.startswith("file:")] == [path.as_uri()]
    duration = page.js(
        "new Promise(r => { const a = document.getElementById('audio');"
        " a.readyState >= 1 ? r(a.duration) : a.onloadedmetadata = () => r(a.duration); })"
    )
    assert duration == pytest.approx(rep.result.duration_s, abs=0.05)
    filler = rep.result.fillers[0]
    page.click(f'.tl-mark[data-start="{num(filler.start)}"]')
    t = page.js("document.getElementById('audio').currentTime")
    assert max(filler.start - 0.5, 0.0) <= t <= filler.start and page.errors == []


def test_a_rep_whose_audio_was_deleted_still_works(library: tuple[Library, list[Rep]], page: Page) -> None:
    lib, reps = library
    rep = reps[1]
    lib.delete_audio(rep.id)
    path = write_rep_page(lib, rep.id)
    page.open(path.as_uri())
    only_local(page)
    page.click("#transcript [data-kind~=pause]")
    status = page.js("document.getElementById('play-status').textContent")
    assert status == "This rep has no audio to play." and page.errors == []
