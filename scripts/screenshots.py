"""The README's screenshots of the HTML pages: three real reps of the sample recordings, shot in headless
chromium (the browser the tests use), written small (a 192-colour palette) into docs/.

    python scripts/screenshots.py [OUT_DIR]      (make screenshots)
"""

from __future__ import annotations

import io
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import Page, chromium  # noqa: E402  (the tests' DevTools client)
from interview_reps.pages import write_progress_page  # noqa: E402
from interview_reps.pipeline import process_files  # noqa: E402
from interview_reps.questions import get_question  # noqa: E402
from interview_reps.store import Library  # noqa: E402

FILES = ("mfa_cold_corpus.wav", "mfa_acoustic_corpus.wav", "mfa_uhum.flac")
QUESTION = "tell-me-about-yourself"


def box(page: Page, first: str, last: str, *, pad: int = 12) -> dict[str, float]:
    """The page area from the top of ``first`` to the bottom of ``last`` (CSS selectors), full width."""
    top, bottom, width = page.js(
        f"[document.querySelector({first!r}).getBoundingClientRect().top + scrollY,"
        f" document.querySelector({last!r}).getBoundingClientRect().bottom + scrollY,"
        " document.documentElement.clientWidth]"
    )
    return {"x": 0, "y": max(top - pad, 0), "width": width, "height": bottom - top + 2 * pad}


def save_small(png: bytes, path: Path) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=192, method=Image.Quantize.MAXCOVERAGE).save(path, optimize=True)
    print(f"{path} ({path.stat().st_size // 1024} kB, {image.width}x{image.height})")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        library = Library(home)
        day = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
        outcomes = list(
            process_files(
                [ROOT / "samples" / name for name in FILES],
                library=library,
                question=get_question(QUESTION),
                created_at=[day + timedelta(days=i) for i in range(len(FILES))],
            )
        )
        reps = [o.rep for o in outcomes if not isinstance(o, Exception) and o.rep is not None]
        library.save_reflection(reps[0].id, {"stumped": "Where to start: I opened with a filler twice."})
        from interview_reps.pages import write_rep_page

        report = write_rep_page(library, reps[0].id)
        progress = write_progress_page(library)
        with chromium() as browser:
            page = browser.new_page()
            page.open(report.as_uri(), width=1280, height=900)
            # play the second filler, then pause: the current word is marked
            start = page.js("document.querySelectorAll('#transcript [data-kind~=filler]')[1].dataset.start")
            page.click(f'#transcript [data-kind~=filler][data-start="{start}"]')
            page.js(
                "new Promise(r => setTimeout(() => { document.getElementById('audio').pause(); r(); }, 1000))"
            )
            page.js("window.scrollTo(0, 0)")
            save_small(page.screenshot(clip=box(page, "h1", "#advice ~ ol")), out / "report-numbers.png")
            save_small(
                page.screenshot(clip=box(page, "#timeline", "#transcript")), out / "report-timeline.png"
            )
            page.open(report.as_uri(), width=390, height=844, mobile=True)
            page.js("document.getElementById('timeline').scrollIntoView()")
            save_small(page.screenshot(), out / "report-phone.png")
            page.open(progress.as_uri(), width=1280, height=900)
            save_small(page.screenshot(clip=box(page, "#trends", ".charts")), out / "progress.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
