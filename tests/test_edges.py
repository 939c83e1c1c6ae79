"""Edges like the middle: an opening "Um, so..." and a closing "..., um." are counted, and time to
first word starts at the opening filler (README "Pauses and length")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from interview_reps.pipeline import analyze_file

pytestmark = pytest.mark.model  # the real tiny.en model

SR = 16_000
# Real filled pauses of a natural recording (forced-alignment times in its words.tsv), and another
# speaker's fluent read sentence to put them in.
DONOR = "mfa_acoustic_corpus.wav"
UMS_S = ((8.02, 8.57), (22.90, 23.53))
CARRIER = "librispeech_2412-153948-0000.flac"  # speech 0.3-11.4 s


def _level(x: np.ndarray) -> float:
    frames = x[: x.size // 400 * 400].reshape(-1, 400).astype(np.float64)
    return float(np.percentile(10 * np.log10(np.mean(frames**2, axis=1) + 1e-12), 95))


@pytest.fixture(scope="module")
def edged(tmp_path_factory: pytest.TempPathFactory, clip: Callable[[str], Path]):
    import soundfile as sf
    from faster_whisper import decode_audio

    donor = decode_audio(str(clip(DONOR)), sampling_rate=SR)
    carrier = decode_audio(str(clip(CARRIER)), sampling_rate=SR)
    speech = carrier[int(0.25 * SR) : int(11.45 * SR)]
    ums = [donor[int((a - 0.03) * SR) : int((b + 0.03) * SR)] for a, b in UMS_S]
    ums = [u * 10 ** ((_level(speech) - 5 - _level(u)) / 20) for u in ums]
    rng = np.random.default_rng(5)
    floor = 10 ** (-60 / 20)

    def room(s: float) -> np.ndarray:
        return rng.standard_normal(int(s * SR)) * floor

    lead_s = 0.8
    parts = [room(lead_s), ums[0], room(0.25), speech, room(0.3), ums[1], room(1.0)]
    x = np.concatenate(parts) + room(sum(p.size for p in parts) / SR)[: sum(p.size for p in parts)]
    out = tmp_path_factory.mktemp("edges") / "um_so.wav"
    sf.write(out, x.astype(np.float32), SR, subtype="PCM_16")
    first_um = (lead_s, lead_s + ums[0].size / SR)
    last_start = (x.size - int(1.0 * SR) - ums[1].size) / SR
    return analyze_file(out), first_um, (last_start, last_start + ums[1].size / SR)


def test_opening_and_closing_fillers_are_counted(edged) -> None:
    result, first_um, last_um = edged
    filled = [f for f in result.fillers if f.kind == "filled_pause"]
    assert any(f.start < first_um[1] and first_um[0] < f.end for f in filled), filled
    assert any(f.start < last_um[1] and last_um[0] < f.end for f in filled), filled
    assert result.metrics.filled_pause_count == 2


def test_time_to_first_word_starts_at_the_opening_filler(edged) -> None:
    result, first_um, _ = edged
    assert result.metrics.time_to_first_word_s == pytest.approx(first_um[0], abs=0.15)
