"""The shell every HTML page shares: one inline stylesheet, one inline script, escaping, and a policy that
lets the page load nothing from the network."""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path

from .. import files

# The page may load its own audio (a file beside it, or embedded) and nothing else: no script, style,
# font or image from anywhere, no connection. Enforced by the browser, so a slip in a template shows
# as a console error in the browser tests instead of a silent request.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; media-src file: data: blob: 'self'; img-src data: 'self'; "
    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'none'; base-uri 'none'"
)


def version() -> str:
    """The installed interview-reps version, for the record of what made a page."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("interview-reps")
    except PackageNotFoundError:
        return "unknown"


def esc(text: object) -> str:
    """Text for HTML element content and quoted attribute values."""
    return html.escape(str(text), quote=True)


def num(value: float) -> str:
    """A time or value as the JSON writes it (3 decimals, no trailing zeros): 12.3 -> "12.3"."""
    rounded = round(float(value), 3)
    return str(int(rounded)) if rounded == int(rounded) else repr(rounded)


def pct(part: float, whole: float) -> str:
    """``part`` as a CSS percentage of ``whole`` (0-100, 3 decimals)."""
    share = 0.0 if whole <= 0 else min(max(part / whole, 0.0), 1.0)
    return f"{share * 100:.3f}%"


def attrs(**values: object) -> str:
    """key="value" pairs (``data_start`` -> ``data-start``); None and False are left out, True is bare."""
    out = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        out.append(f" {name}" if value is True else f' {name}="{esc(value)}"')
    return "".join(out)


def document(title: str, body: Iterable[str], *, body_attrs: str = "", script: bool = False) -> str:
    """A whole self-contained page: ``body`` parts inside <main>, the shared style, and (if asked) the player script."""
    parts = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        f'<meta name="generator" content="interview-reps {esc(version())}">',
        '<link rel="icon" href="data:,">',
        f"<title>{esc(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        f"<body{body_attrs}>",
        '<a class="skip" href="#main">Skip to the report</a>',
        '<main id="main">',
        *body,
        "</main>",
        "<footer><p>Made by interview-reps on this computer. Nothing on this page comes from, or goes to, "
        "the network.</p></footer>",
    ]
    if script:
        parts.append(f"<script>{PLAYER_SCRIPT}</script>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def save_page(text: str, path: Path) -> Path:
    """Write a page whole or not at all, private (files.replace). Returns ``path``."""
    path = Path(path)
    try:
        files.private_dir(path.parent)
        files.replace(path, text)
    except OSError as exc:
        raise files.write_error(exc, path.parent, f"{path}: cannot write the page") from exc
    return path


# Colours are never the only signal: every mark also has a shape, a text label or a line style, and the
# legend says which. Contrast of text on its background is at least 4.5:1 in both schemes.
STYLE = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1c1e21;--muted:#585e66;--line:#c9ced6;--soft:#f3f5f8;
--accent:#1a5fb4;--fp:#b3261e;--fp-bg:#fde7e5;--dm:#8a4b00;--dm-bg:#fdf0dc;--hedge:#6a3fb5;--rep:#00695c;
--pause:#6b7280;--long:#b3261e;--band:#2e7d32;--band-bg:rgba(46,125,50,.13);--now:#ffe066;--env:#7aa2d8}
@media (prefers-color-scheme:dark){:root{--bg:#16181c;--fg:#e8eaed;--muted:#a9b0b9;--line:#3b4048;
--soft:#22252b;--accent:#8ab4f8;--fp:#ff8a80;--fp-bg:#4a1f1c;--dm:#ffb74d;--dm-bg:#3f2c12;--hedge:#c3a6ff;
--rep:#64d8c8;--pause:#9aa0a6;--long:#ff8a80;--band:#81c995;--band-bg:rgba(129,201,149,.16);--now:#6b5800;
--env:#4f79b8}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"DejaVu Sans",sans-serif}
main,footer{max-width:1120px;margin:0 auto;padding:0 20px}
footer{color:var(--muted);font-size:.85rem;padding-bottom:24px}
h1{font-size:1.6rem;line-height:1.25;margin:20px 0 4px}
h2{font-size:1.2rem;margin:28px 0 8px;padding-top:8px;border-top:1px solid var(--line)}
h3{font-size:1rem;margin:16px 0 6px}
a{color:var(--accent)}
.skip{position:absolute;left:-999px;top:0;background:var(--bg);padding:8px}
.skip:focus{left:8px;z-index:10}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.meta,.note,.muted{color:var(--muted)}
.meta{margin:0 0 4px}
.banner{border:2px solid var(--long);border-radius:6px;padding:8px 12px;margin:12px 0;background:var(--fp-bg)}
.banner strong{color:var(--long)}
button{font:inherit;color:inherit}
.player{position:sticky;top:0;z-index:5;background:var(--bg);border-bottom:1px solid var(--line);
padding:8px 0;margin:12px 0 0;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center}
.player audio{width:min(100%,460px);height:40px}
.now{font-variant-numeric:tabular-nums}
.now b{display:inline-block;min-width:7ch;background:var(--soft);border-radius:4px;padding:0 6px}
.status{color:var(--long);min-height:1em}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ok::before{content:"\\2713  ";font-weight:700;color:var(--band)}
.out::before{content:"!  ";font-weight:700;color:var(--long)}
.ok,.out{white-space:nowrap}
.gauge{display:block;width:160px;max-width:100%;height:22px}
.play{border:1px solid var(--line);background:var(--soft);border-radius:4px;padding:0 6px;cursor:pointer;
white-space:nowrap;font-variant-numeric:tabular-nums}
.play::before{content:"\\25B6\\FE0E  ";font-size:.8em}
.play:hover{border-color:var(--accent)}
ol.advice li,ul.patterns li{margin:4px 0}
figure{margin:8px 0 0}
figcaption{color:var(--muted);font-size:.9rem}
.tl{position:relative;margin:8px 0 0;user-select:none}
.tl-lane{position:relative;height:38px}
.tl-plot{position:relative;height:110px;background:var(--soft);border:1px solid var(--line);cursor:pointer}
.tl-plot svg{position:absolute;inset:0;width:100%;height:100%;display:block}
.tl-env{fill:var(--env);stroke:none}
.tl-mark{position:absolute;top:0;transform:translateX(-50%);border:1px solid var(--fp);background:var(--fp-bg);
color:var(--fp);border-radius:3px;font-size:.75rem;line-height:1.1;padding:2px 3px;cursor:pointer;
white-space:nowrap;font-weight:700}
.tl-mark.dm{border-color:var(--dm);color:var(--dm);background:var(--dm-bg);font-style:italic;font-weight:600;
border-style:dotted}
.tl-mark.acoustic{border-style:dashed}
.tl-mark::after{content:"";position:absolute;left:50%;top:100%;height:131px;border-left:2px solid currentColor;
opacity:.55;pointer-events:none}
.tl-mark.r1::after{height:113px}
.legend .tl-mark{position:relative;transform:none;display:inline-block}
.legend .tl-mark::after{content:none}
.tl-mark.dm::after{border-left-style:dotted}
.tl-pause{position:absolute;top:0;bottom:0;padding:0;border:0;border-left:1px solid var(--pause);
border-right:1px solid var(--pause);cursor:pointer;
background:repeating-linear-gradient(135deg,transparent 0 4px,rgba(107,114,128,.35) 4px 6px)}
.tl-pause.long{border:2px solid var(--long);background:repeating-linear-gradient(135deg,transparent 0 3px,
rgba(179,38,30,.35) 3px 6px)}
.tl-pause span{position:absolute;bottom:2px;left:50%;transform:translateX(-50%);font-size:.7rem;
background:var(--bg);color:var(--long);padding:0 2px;white-space:nowrap;font-weight:700}
.tl-target{position:absolute;top:0;bottom:0;border-left:2px dashed var(--band);pointer-events:none}
.tl-target span{position:absolute;bottom:2px;left:3px;font-size:.7rem;color:var(--band);white-space:nowrap;
background:var(--bg);padding:0 2px}
.tl-target.max span,.tl-target.right span{left:auto;right:3px}
.tl-over{position:absolute;top:0;bottom:0;right:0;pointer-events:none;
background:repeating-linear-gradient(45deg,transparent 0 8px,rgba(179,38,30,.12) 8px 10px)}
.playhead{position:absolute;top:0;bottom:0;left:0;width:0;border-left:2px solid var(--fg);pointer-events:none}
.tl-axis{position:relative;height:20px;font-size:.75rem;color:var(--muted)}
.tl-axis span{position:absolute;transform:translateX(-50%);white-space:nowrap}
.tl-axis span::before{content:"";position:absolute;left:50%;top:-4px;height:4px;border-left:1px solid var(--muted)}
.pace{position:relative;height:64px;border:1px solid var(--line);border-top:0;background:var(--bg)}
.pace-band{position:absolute;left:0;right:0;background:var(--band-bg);border-top:1px dashed var(--band);
border-bottom:1px dashed var(--band);pointer-events:none}
.pace-bar{position:absolute;bottom:0;background:var(--accent);opacity:.8;border:1px solid var(--bg)}
.pace-bar.out{background:repeating-linear-gradient(45deg,var(--long) 0 3px,transparent 3px 6px);
border:1px solid var(--long);opacity:1}
.pace-bar.out::before{content:none}
.pace-bar b{position:absolute;bottom:100%;left:50%;transform:translateX(-50%);font-size:.7rem;
font-weight:600;white-space:nowrap;color:var(--fg)}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;padding:0;margin:8px 0;font-size:.9rem}
.transcript{font-size:1.05rem;line-height:2.1;max-width:75ch}
.transcript .w{cursor:pointer;border-radius:3px}
.transcript .w:hover{background:var(--soft)}
.transcript .w.now{background:var(--now);outline:1px solid var(--fg)}
.mk{border:0;background:none;padding:0 1px;cursor:pointer;border-radius:3px;line-height:inherit;font:inherit}
.mk.fp{color:var(--fp);background:var(--fp-bg);font-weight:700;text-decoration:underline solid}
.mk.fp::before{content:"["}.mk.fp::after{content:"]"}
.mk.acoustic::after{content:"?]"}
.mk.dm{color:var(--dm);background:var(--dm-bg);font-style:italic;text-decoration:underline dotted 2px}
.mk.hedge{text-decoration:underline wavy var(--hedge);text-underline-offset:4px;color:inherit}
.mk.rep{text-decoration:underline double var(--rep);text-underline-offset:4px;color:inherit}
.mk.vague{text-decoration:underline dashed var(--dm);text-underline-offset:4px;color:inherit}
.transcript .x-hedge{text-decoration:underline wavy var(--hedge)}
.transcript .x-rep{text-decoration:underline double var(--rep)}
.transcript .x-vague{text-decoration:underline dashed var(--dm)}
.mk.pause{color:var(--muted);font-size:.85em;border:1px solid var(--line);padding:0 4px;margin:0 2px}
.mk.pause::before{content:"\\2016  "}
.mk.pause.long{color:var(--long);border:2px solid var(--long);font-weight:700}
.mk.cand{color:var(--muted);border:1px dashed var(--muted);font-size:.85em;padding:0 3px;margin:0 2px}
.mk.flash,.tl-mark.flash{outline:3px solid var(--accent)}
.legend .mk{cursor:default}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
dl.kv dt{font-weight:600}
dl.kv dd{margin:0}
details{margin:8px 0}
summary{cursor:pointer;color:var(--accent)}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);padding:8px;border-radius:4px;font-size:.85rem}
.trust{border-left:4px solid var(--accent);padding:4px 12px;background:var(--soft)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:16px}
.chart svg{width:100%;height:auto;display:block;border:1px solid var(--line);background:var(--bg)}
.chart h3{margin:8px 0 2px}
.chart .verdict{font-weight:600}
.trend-improved{color:var(--band);font-weight:600}
.trend-regressed{color:var(--long);font-weight:600}
.svg-text{fill:var(--fg);font:13px system-ui,"DejaVu Sans",sans-serif}
.svg-muted{fill:var(--muted);font:12px system-ui,"DejaVu Sans",sans-serif}
.svg-grid{stroke:var(--line);stroke-width:1}
.svg-band{fill:var(--band-bg);stroke:var(--band);stroke-dasharray:4 3}
.svg-base{stroke:var(--muted);stroke-width:1.5;stroke-dasharray:6 4;fill:none}
.svg-line{stroke:var(--accent);stroke-width:2.5;fill:none}
.svg-dot{fill:var(--accent);stroke:var(--bg);stroke-width:2}
.svg-dot.out{fill:var(--bg);stroke:var(--long);stroke-width:3}
a:focus-visible .svg-dot{stroke:var(--fg);stroke-width:4}
@media (max-width:640px){body{font-size:15px}main,footer{padding:0 12px}h1{font-size:1.3rem}
.tl-axis .minor{display:none}.tl-mark{font-size:.65rem;padding:1px 2px}.charts{grid-template-columns:1fr}
.gauge{width:110px}th,td{padding:5px 4px}.hide-narrow{display:none}}
@media (prefers-reduced-motion:reduce){*{scroll-behavior:auto!important}}
@media print{.player{position:static}}
"""

# The player: every element with data-start (seconds, as in the JSON) plays from just before it; while
# the audio plays, the current word is marked in the transcript and named in the player bar, and the
# playheads move along the timeline. "#t=SECONDS" in the address seeks there on load (links from the
# progress page). Plain ES2015, no library.
PLAYER_SCRIPT = r"""
(function () {
  "use strict";
  var body = document.body;
  var audio = document.getElementById("audio");
  var lead = parseFloat(body.getAttribute("data-lead-s")) || 0;
  var axis = parseFloat(body.getAttribute("data-axis-s")) || 0;
  var status = document.getElementById("play-status");
  var nowWord = document.getElementById("now-word");
  var nowTime = document.getElementById("now-time");
  var words = Array.prototype.slice.call(document.querySelectorAll("#transcript .w[data-start]"));
  var starts = words.map(function (w) { return parseFloat(w.getAttribute("data-start")); });
  var ends = words.map(function (w) { return parseFloat(w.getAttribute("data-end")); });
  var heads = Array.prototype.slice.call(document.querySelectorAll(".playhead"));
  var current = -1;

  function clock(t) {
    t = Math.max(0, t);
    var m = Math.floor(t / 60), s = t - 60 * m;
    return m + ":" + (s < 10 ? "0" : "") + s.toFixed(1);
  }
  function say(message) { if (status) { status.textContent = message; } }
  function wordAt(t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found >= 0 && t <= ends[found] + 0.25 ? found : -1;
  }
  function show(t) {
    var i = wordAt(t);
    if (i !== current) {
      if (current >= 0) { words[current].classList.remove("now"); words[current].removeAttribute("aria-current"); }
      if (i >= 0) { words[i].classList.add("now"); words[i].setAttribute("aria-current", "true"); }
      current = i;
      if (nowWord) { nowWord.textContent = i >= 0 ? words[i].textContent : "\u2013"; }
    }
    if (nowTime) { nowTime.textContent = clock(t); }
    var left = axis > 0 ? Math.min(100, Math.max(0, t / axis * 100)) : 0;
    heads.forEach(function (h) { h.style.left = left + "%"; });
  }
  function playFrom(t, play) {
    if (!audio) { show(t); say("This rep has no audio to play."); return; }
    audio.currentTime = Math.max(0, t);
    show(audio.currentTime);
    if (play) {
      var started = audio.play();
      if (started && started.catch) {
        started.catch(function (err) { say("The audio could not be played (" + err.name + ")."); });
      }
    }
  }
  function flash(el) {
    el.classList.add("flash");
    setTimeout(function () { el.classList.remove("flash"); }, 1500);
  }

  document.addEventListener("click", function (ev) {
    // A word inside a marked item plays the item (a filler's time may be the sound's, not the word's).
    var el = ev.target.closest ? (ev.target.closest(".mk[data-start]") || ev.target.closest("[data-start]")) : null;
    if (el) {
      ev.preventDefault();
      playFrom(parseFloat(el.getAttribute("data-start")) - lead, true);
      return;
    }
    var plot = ev.target.closest ? ev.target.closest(".tl-plot") : null;
    if (plot && axis > 0) {
      var box = plot.getBoundingClientRect();
      playFrom((ev.clientX - box.left) / box.width * axis, true);
    }
  });
  if (audio) {
    var frame = 0;
    var tick = function () {
      show(audio.currentTime);
      if (!audio.paused) { frame = requestAnimationFrame(tick); }
    };
    audio.addEventListener("play", function () { cancelAnimationFrame(frame); frame = requestAnimationFrame(tick); });
    ["pause", "seeked", "timeupdate", "ended"].forEach(function (name) {
      audio.addEventListener(name, function () { show(audio.currentTime); });
    });
    audio.addEventListener("error", function () {
      say("The audio cannot be played here (" + (audio.getAttribute("data-name") || "the file") +
          " is missing or in a format this browser does not play). The marks and times still hold.");
    });
  }
  function fromAddress() {
    var wanted = /(?:^#|&)t=([0-9]+(?:\.[0-9]+)?)/.exec(location.hash);
    if (!wanted) { return; }
    var t = parseFloat(wanted[1]);
    playFrom(t - lead, false);
    var marks = document.querySelectorAll("#transcript [data-start]");
    var best = null, gap = Infinity;
    Array.prototype.forEach.call(marks, function (el) {
      var d = Math.abs(parseFloat(el.getAttribute("data-start")) - t);
      if (d < gap && !el.classList.contains("w")) { gap = d; best = el; }
    });
    if (best && gap < 1) { best.scrollIntoView({block: "center"}); flash(best); }
  }
  // Filler labels that would overlap at this width go to the second row (the server's guess assumes 1280 px).
  function layoutMarks() {
    var marks = Array.prototype.slice.call(document.querySelectorAll(".tl-lane .tl-mark"));
    var ends = [-Infinity, -Infinity];
    marks.forEach(function (el) {
      el.classList.remove("r1");
      el.style.top = "0px";
      var box = el.getBoundingClientRect();
      var row = box.left > ends[0] + 2 ? 0 : (box.left > ends[1] + 2 ? 1 : (ends[0] <= ends[1] ? 0 : 1));
      if (row === 1) { el.classList.add("r1"); el.style.top = "18px"; }
      ends[row] = box.right;
    });
  }
  layoutMarks();
  window.addEventListener("resize", layoutMarks);
  window.addEventListener("hashchange", fromAddress);
  fromAddress();
  show(audio ? audio.currentTime : 0);
})();
"""
