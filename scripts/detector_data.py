"""The by-speaker split, labelled detector candidates and spliced answers for scripts/evaluate.py and
scripts/fit_detector.py. Ground truth comes from the references (word timings where they exist) or,
for spliced answers, from the construction itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from evalkit import TimedWord, align, content_tokens, filler_class, match_in_time, normalize_tokens

SR = 16_000

# Who speaks in each in-repo clip, and which side of the split it is on. Every filled pause of the
# in-repo set is spoken by one person (the Montreal Forced Aligner author), so the split keeps apart
# what can be kept apart: the staged clips (fillers said on purpose, "montreal uh forced aligner")
# and LibriSpeech speakers 61 and 2412 are tuned on; the natural recordings (talking loosely; with a
# cold) and the other speakers (JFK, LJ Speech; TIMIT's, when its clip is in REPS_EVAL_DIR) are only
# measured. The held-out
# filler figures therefore rest on unseen recordings and carrier voices, not on an unseen filler voice.
SPLIT: dict[str, tuple[str, str]] = {
    "mfa_uh": ("mfa-author", "tune"),
    "mfa_um": ("mfa-author", "tune"),
    "mfa_uhuh": ("mfa-author", "tune"),
    "mfa_uhum": ("mfa-author", "tune"),
    "mfa_crossword": ("mfa-author", "tune"),
    "mfa_youknow": ("mfa-author", "tune"),
    "librispeech_61-70968-0000": ("librispeech-61", "tune"),
    "librispeech_2412-153948-0000": ("librispeech-2412", "tune"),
    "ljspeech_LJ002-0020": ("ljspeech", "heldout"),
    "ljspeech_LJ002-0035": ("ljspeech", "heldout"),
    "mfa_acoustic_corpus": ("mfa-author (natural)", "heldout"),
    "mfa_cold_corpus": ("mfa-author (natural)", "heldout"),
    "jfk": ("jfk", "heldout"),
    "timit_LDC93S1": ("timit-ldc93s1", "heldout"),
}


def split_of(path: Path) -> tuple[str, str]:
    """(speaker, split) of a clip: SPLIT, else its folder's manifest.jsonl (fields clip_id, speaker,
    split), else ("unknown", "extra"): reported, never tuned on, never quoted."""
    if path.stem in SPLIT:
        return SPLIT[path.stem]
    manifest = path.parent / "manifest.jsonl"
    if manifest.exists():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("clip_id") == path.stem and row.get("split") in ("tune", "heldout"):
                    return str(row.get("speaker", "unknown")), str(row["split"])
    return "unknown", "extra"


# --- labels for the detector's candidates ----------------------------------------------------------


def label_candidates(
    candidates: list[Any],
    content: tuple[Any, ...],
    ref_tokens: list[str],
    timed_fillers: list[tuple[float, float, str]] | None,
    duration_s: float,
) -> list[int]:
    """1 for a candidate that is a reference filled pause, 0 if not, -1 if it cannot be told (left out).

    With reference timings: matched one-to-one in time (0.2 s tolerance). Without: the reference's
    filled pauses are placed in the gaps between its content words, found in time through the
    pipeline's aligned content words; in a gap holding k fillers, the k candidates with the most
    steady voiced sound are the fillers (the staged clips have one to six in a gap and little else).
    Where the transcript's words do not align on both sides of a gap, its candidates are left out.
    """
    spans = [(c.start, c.end) for c in candidates]
    if timed_fillers is not None:
        pairs = match_in_time(spans, [(s, e) for s, e, _ in timed_fillers], tolerance_s=0.2)
        hit = {h for h, _ in pairs}
        return [int(k in hit) for k in range(len(candidates))]
    gaps = filler_gaps(content, ref_tokens, duration_s)
    labels = [0] * len(candidates)
    for lo, hi, k in gaps:
        inside = [i for i, c in enumerate(candidates) if lo <= (c.start + c.end) / 2 <= hi]
        if k < 0:  # a gap whose sides did not align: unknown
            for i in inside:
                labels[i] = -1
            continue
        inside.sort(
            key=lambda i: -(candidates[i].feature("steady_frac") * (candidates[i].end - candidates[i].start))
        )
        for i in inside[:k]:
            labels[i] = 1
    return labels


def filler_gaps(
    content: tuple[Any, ...], ref_tokens: list[str], duration_s: float
) -> list[tuple[float, float, int]]:
    """(start, end, number of reference filled pauses) for each gap between reference content words
    that holds any, timed by the hypothesis words aligned to its two sides."""
    hyp = [normalize_tokens(w.text) for w in content]
    hyp_tokens, owner = [], []
    for k, toks in enumerate(hyp):
        for t in content_tokens(toks):
            hyp_tokens.append(t)
            owner.append(k)
    ref_content: list[str] = []
    fillers_before: list[int] = [0]
    for t in ref_tokens:
        if filler_class(t):
            fillers_before[-1] += 1
        elif t in content_tokens([t]):
            ref_content.append(t)
            fillers_before.append(0)
    ref_to_hyp: dict[int, int] = {}
    i = j = 0
    for op, _r, _h in align(ref_content, hyp_tokens):
        if op in ("ok", "sub"):
            ref_to_hyp[i] = owner[j]
        if op != "ins":
            i += 1
        if op != "del":
            j += 1
    out = []
    for g, k in enumerate(fillers_before):  # gap g lies before ref content word g
        if not k:
            continue
        left = ref_to_hyp.get(g - 1) if g > 0 else None
        right = ref_to_hyp.get(g) if g < len(ref_content) else None
        lo = content[left].end - 0.15 if left is not None else (0.0 if g == 0 else None)
        hi = (
            content[right].start + 0.15
            if right is not None
            else (duration_s if g == len(ref_content) else None)
        )
        if lo is not None and hi is not None and hi > lo:
            out.append((lo, hi, k))
        else:  # unknown between the nearest aligned words either side (k = -1)
            lefts = [content[ref_to_hyp[i]].end for i in range(g - 1, -1, -1) if i in ref_to_hyp][:1]
            rights = [content[ref_to_hyp[i]].start for i in range(g, len(ref_content)) if i in ref_to_hyp][:1]
            out.append((lefts[0] if lefts else 0.0, rights[0] if rights else duration_s, -1))
    return out


# --- spliced answers: real fillers put into another speaker's fluent speech -------------------------


@dataclass
class Donor:
    """One real filled pause cut from a recording."""

    clip: str
    start: float
    end: float
    text: str


@dataclass
class Spliced:
    name: str
    samples: np.ndarray
    tokens: list[str]  # reference: the carrier's words with the fillers in place
    fillers: list[tuple[float, float, str]]  # where they are, by construction
    first_sound_s: float | None  # time to first word by the README's definition, when known


def _levels(x: np.ndarray) -> np.ndarray:
    n = max(1, 1 + (x.size - 400) // 160)
    idx = np.arange(400)[None, :] + 160 * np.arange(n)[:, None]
    idx = np.minimum(idx, x.size - 1)
    return 20 * np.log10(np.sqrt(np.mean(x[idx].astype(np.float64) ** 2, axis=1)) + 1e-10)


def carrier_cuts(x: np.ndarray, *, min_s: float = 0.25) -> tuple[float, float, list[float]]:
    """Speech start, speech end, and the middles of the carrier's silences of ``min_s`` or more
    (word boundaries; in read speech and speeches they follow phrase or sentence ends)."""
    lv = _levels(x)
    loud = lv > np.percentile(lv, 95) - 30
    idx = np.flatnonzero(loud)
    first, last = idx[0], idx[-1]
    mids = []
    run = 0
    for k in range(first, last + 1):
        if not loud[k]:
            run += 1
        else:
            if run * 0.01 >= min_s:
                mids.append((k - run / 2) * 0.01)
            run = 0
    return first * 0.01, (last + 1) * 0.01, mids


def splice(
    name: str,
    carrier: np.ndarray,
    carrier_tokens: list[str],
    donors: list[tuple[Donor, np.ndarray]],
    places: list[str],
    rng: np.random.Generator,
    *,
    room_snr_db: float | None = None,
) -> Spliced:
    """``carrier`` (16 kHz) with one donor filler at each of ``places``: "start" (before the first
    word, "Um, so..."), "open" (the same said in one breath with the first word, 0.2-0.4 s into the
    recording, as an answer recorded from the microphone starts), "mid" (in the carrier's longest silence, after a phrase or sentence end) or
    "end" ("..., um."). Each filler sits 5 dB under the carrier's loud frames (fillers are soft),
    with 0.15-0.35 s of quiet either side; a pink-noise bed at the carrier's floor runs throughout,
    or, with ``room_snr_db``, that many dB under its loud frames (a noisy room).
    """
    speech_db = np.percentile(_levels(carrier), 95)
    floor_db = np.percentile(_levels(carrier), 10) if room_snr_db is None else speech_db - room_snr_db
    start, end, mids = carrier_cuts(carrier)
    lead = carrier[: int(start * SR)]
    body = carrier[int(start * SR) : int(end * SR)]
    tail = carrier[int(end * SR) :]
    mid_t = (max(mids, key=lambda m: _gap_len(carrier, m)) - start) if mids else None

    def donor_audio(k: int) -> tuple[Donor, np.ndarray]:
        d, x = donors[k % len(donors)]
        x = x * 10 ** ((speech_db - 5 - np.percentile(_levels(x), 95)) / 20)
        return d, x

    def quiet(s: float) -> np.ndarray:
        return np.zeros(int(s * SR))

    opening = "open" in places  # "Um, so..." in one breath, soon after the recording starts
    pieces: list[np.ndarray] = [
        quiet(rng.uniform(0.2, 0.4)) if opening else lead if lead.size else quiet(0.8)
    ]
    fillers: list[tuple[float, float, str]] = []
    tokens = list(carrier_tokens)
    used = 0
    t = pieces[0].size / SR
    first_sound = None
    if "start" in places or opening:
        d, x = donor_audio(used)
        used += 1
        fillers.append((t, t + x.size / SR, d.text))
        first_sound = t
        gap = rng.uniform(0.0, 0.06) if opening else rng.uniform(0.15, 0.3)
        pieces += [x, quiet(gap)]
        t += x.size / SR + gap
        tokens = [d.text, *tokens]
    if "mid" in places and mid_t is not None:
        cut = int(mid_t * SR)
        d, x = donor_audio(used)
        used += 1
        before = body[:cut]
        pieces.append(before)
        t += before.size / SR
        fillers.append((t, t + x.size / SR, d.text))
        pieces += [x, body[cut:]]
        t += x.size / SR + body[cut:].size / SR
        # the filler goes after the k-th carrier word: the same share of the words as of the time
        k = round(len(tokens) * mid_t / max(body.size / SR, 1e-9))
        tokens = tokens[:k] + [d.text] + tokens[k:]
    else:
        pieces.append(body)
        t += body.size / SR
    if "end" in places:
        gap = rng.uniform(0.2, 0.35)
        d, x = donor_audio(used)
        used += 1
        pieces += [quiet(gap), x]
        fillers.append((t + gap, t + gap + x.size / SR, d.text))
        t += gap + x.size / SR
        tokens = [*tokens, d.text]
    pieces.append(tail if tail.size >= int(0.5 * SR) else quiet(1.0))
    y = np.concatenate(pieces)
    y = y + _pink(rng, y.size) * 10 ** (floor_db / 20)
    return Spliced(name, np.clip(y, -1, 1).astype(np.float32), tokens, fillers, first_sound)


def _gap_len(x: np.ndarray, mid_s: float) -> float:
    lv = _levels(x)
    k = int(mid_s / 0.01)
    thr = np.percentile(lv, 95) - 30
    a = b = k
    while a > 0 and lv[a] <= thr:
        a -= 1
    while b < len(lv) - 1 and lv[b] <= thr:
        b += 1
    return (b - a) * 0.01


def _pink(rng: np.random.Generator, n: int) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    f[0] = f[1]
    x = np.fft.irfft(spectrum / np.sqrt(f), n)
    return x / (np.sqrt(np.mean(x**2)) + 1e-12)


def timed_donors(words: list[TimedWord], clip: str) -> list[Donor]:
    return [Donor(clip, w.start, w.end, w.text) for w in words if filler_class(w.text)]
