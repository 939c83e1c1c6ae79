"""Decoding: every bad file is one clear AudioError naming it, and nothing else is mistaken for one."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from interview_reps.audio import audio_from_pcm, load_audio
from interview_reps.errors import AudioError

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_a_file_without_an_audio_stream(tmp_path: Path) -> None:
    image = tmp_path / "photo.wav"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(AudioError, match=rf"^{image}: not a readable audio file \(no audio stream in it\)$"):
        load_audio(image)


def test_a_bug_is_not_reported_as_a_bad_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only PyAV's own errors mean "not a readable audio file"; anything else is let through."""
    import faster_whisper

    def broken(*args, **kwargs):
        raise TypeError("a bug")

    monkeypatch.setattr(faster_whisper, "decode_audio", broken)
    with pytest.raises(TypeError, match="a bug"):
        load_audio(SAMPLES / "jfk.wav")


def test_samples_from_memory_decode_as_the_file_does() -> None:
    with wave.open(str(SAMPLES / "jfk.wav"), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        rate = w.getframerate()
    from_memory = audio_from_pcm(pcm, rate, name="<microphone>")
    from_file = load_audio(SAMPLES / "jfk.wav")
    assert from_memory.path == "<microphone>" and from_memory.sample_rate_hz == 16_000
    np.testing.assert_array_equal(from_memory.samples, from_file.samples)
