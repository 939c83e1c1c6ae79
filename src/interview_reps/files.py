"""Every file and folder reps writes: for its owner only (0700 folders, 0600 files), whole or not at all,
inside the folder it belongs to; and the leftovers of a writer that was killed, found and removed.

Temporary entries (a rep folder being saved, a report being replaced, a folder being deleted) are named
``.tmp-<what>-<pid>-<random>`` and locked (flock) by the process writing them for as long as it works
on them: one that is unlocked and whose process is gone is a leftover, which any process can remove.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import failpoints
from .errors import LibraryWriteError

try:  # POSIX; Windows has no flock, and leftovers there are judged by their age alone
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
TEMP_PREFIX = ".tmp-"
# The names temp_name makes, and those older versions gave their temporary entries (a save's folder, a
# delete's, a replaced file's or page's, a chart's, the model stamp's, a joined model's files): anything
# else is left alone.
_TEMP = re.compile(
    r"^\.(tmp-.+-\d+-[0-9a-f]{8}|tmp-\d{8}-\d{6}-[0-9a-f]{8}|trash-.+-[0-9a-f]{4}"
    r"|.+\.[0-9a-f]{6}\.tmp|.+-[0-9a-f]{6}\.png|verified-models\.json\.\d+\.tmp"
    r"|(model\.bin|config\.json|tokenizer\.json|vocabulary\.\w+|preprocessor_config\.json)\.\d+\.tmp)$"
)
# A writer locks its temporary entry microseconds after creating it: an unlocked entry younger than
# this whose process still runs may be in that instant, so it is left for the next sweep.
LEFTOVER_MIN_AGE_S = 5.0
_OWNER = re.compile(r"-(\d+)-[0-9a-f]+$")
# Without flock (Windows) only age tells: no save or delete runs for an hour.
UNLOCKABLE_LEFTOVER_MIN_AGE_S = 3600.0
# Names taken from input files (a recording's stem for its clips folder) are cut to this length.
MAX_NAME_CHARS = 100


# -------------------------------------------------------------------------------- private modes


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents as 0700 folders (whatever the umask); existing folders
    are left as they are. Returns ``path``."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # made by another process a moment ago
        os.chmod(folder, PRIVATE_DIR_MODE)  # the umask may have taken bits the owner needs
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(path))
    return path


def make_private(path: Path) -> bool:
    """Remove group and other permissions from ``path`` (not following a symlink). True if it changed."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(st.st_mode) or not st.st_mode & 0o077:
        return False
    os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)
    return True


def loose_entries(root: Path) -> list[Path]:
    """``root`` and everything under it that group or other users may read, write or enter."""
    return [path for path, st in _walk(root) if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077]


def tighten(root: Path) -> int:
    """Make ``root`` and everything under it private (0700 / 0600 at most). Returns how many changed."""
    changed = 0
    for path in loose_entries(root):
        with contextlib.suppress(FileNotFoundError):
            changed += make_private(path)
    return changed


def _walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    try:
        st = os.lstat(root)
    except FileNotFoundError:
        return
    yield root, st
    if not stat.S_ISDIR(st.st_mode):
        return
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            try:
                est = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            yield Path(entry.path), est
            if stat.S_ISDIR(est.st_mode):
                stack.append(Path(entry.path))


def open_new(path: Path) -> int:
    """A new file (never an existing one) for writing, 0600 whatever the umask. Returns the descriptor."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), PRIVATE_FILE_MODE)
    if hasattr(os, "fchmod"):  # the umask may have taken bits the owner needs
        try:
            os.fchmod(fd, PRIVATE_FILE_MODE)
        except OSError:
            os.close(fd)
            raise
    return fd


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every byte is written (a write may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# ------------------------------------------------------------------------- whole or not at all


def write_new(path: Path, data: bytes | str) -> None:
    """Write a new private file and sync it to disk (the caller renames its folder into place)."""
    fd = open_new(path)
    try:
        write_all(fd, data.encode("utf-8") if isinstance(data, str) else data)
        os.fsync(fd)
    finally:
        os.close(fd)


def replace(path: Path, data: bytes | str) -> Path:
    """Write (or replace) ``path`` through a locked temporary file and a rename: readers see the old
    contents or the new, never a part. The file is private and synced to disk. Returns ``path``."""
    path = Path(path)
    tmp = path.with_name(temp_name(path.name))
    fd = open_new(tmp)
    try:
        _lock(fd)
        write_all(fd, data.encode("utf-8") if isinstance(data, str) else data)
        os.fsync(fd)
        failpoints.reached("replace.written")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)
    sync_dir(path.parent)
    return path


def copy_new(src: Path, dst: Path, *, failpoint: str | None = None) -> None:
    """Copy ``src`` to a new private file ``dst``, synced to disk. ``failpoint``: reached after each
    megabyte (failpoints.py)."""
    with open(src, "rb") as source:
        fd = open_new(dst)
        try:
            while chunk := source.read(1 << 20):
                write_all(fd, chunk)
                if failpoint:
                    failpoints.reached(failpoint)
            os.fsync(fd)
        finally:
            os.close(fd)


def open_temp(path: Path) -> int:
    """A new private temporary file (name it with ``temp_name``), locked for as long as it is open, so
    that no other process takes it for a leftover. Returns the descriptor."""
    fd = open_new(path)
    try:
        _lock(fd)
    except OSError:
        os.close(fd)
        raise
    return fd


def sync_dir(path: Path) -> None:
    """A rename is durable only once its folder is synced (POSIX); not possible on Windows."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ------------------------------------------------------------------------- temporary entries


@contextlib.contextmanager
def temp_dir(parent: Path, label: str) -> Iterator[Path]:
    """A new private folder ``parent/.tmp-<label>-<random>``, locked while the block runs, removed if
    the block fails. The block may rename it into place (a rename keeps the lock on the folder)."""
    path = Path(parent) / temp_name(label)
    os.mkdir(path, PRIVATE_DIR_MODE)
    os.chmod(path, PRIVATE_DIR_MODE)
    fd = _open_dir(path)
    try:
        _lock(fd)
        yield path
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    finally:
        if fd >= 0:
            os.close(fd)


def _open_dir(path: Path) -> int:
    """A descriptor of the folder to hold its lock by (-1 where folders cannot be opened: Windows)."""
    return os.open(path, os.O_RDONLY) if fcntl is not None else -1


@contextlib.contextmanager
def removing(folder: Path) -> Iterator[Path | None]:
    """Delete ``folder``: it is renamed to a locked ``.tmp-`` name at once (gone for every reader),
    then its files are removed. Yields the new name (None if the folder was already gone); a kill
    part-way leaves a leftover that the next sweep removes."""
    folder = Path(folder)
    trash = folder.with_name(temp_name(f"deleted-{folder.name}"))
    try:
        fd = _open_dir(folder) if folder.is_dir() else os.open(folder, os.O_RDONLY)
    except FileNotFoundError:
        yield None
        return
    try:
        _lock(fd)
        os.rename(folder, trash)
        failpoints.reached("delete.hidden")
        yield trash
        shutil.rmtree(trash, ignore_errors=True)
    finally:
        if fd >= 0:
            os.close(fd)


@dataclass(frozen=True)
class Leftover:
    """A temporary entry that a killed process left behind."""

    path: Path
    size_bytes: int
    removed: bool
    in_use: bool = False  # locked: a running reps is still writing it


def temp_name(label: str) -> str:
    """A hidden temporary name, unique, saying which process made it."""
    return f"{TEMP_PREFIX}{label}-{os.getpid()}-{secrets.token_hex(4)}"


def is_temporary(name: str) -> bool:
    """A name only reps gives to its temporary entries (never a user's file)."""
    return bool(_TEMP.match(name))


def leftovers(folder: Path, *, remove: bool) -> list[Leftover]:
    """The temporary entries directly in ``folder``; with ``remove``, those no process holds are
    deleted (a process's own are locked; one still being created is too young)."""
    found = []
    try:
        entries = [e for e in os.scandir(folder) if is_temporary(e.name)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    now = time.time()
    for entry in entries:
        path = Path(entry.path)
        try:
            age_s = now - entry.stat(follow_symlinks=False).st_mtime
        except FileNotFoundError:
            continue
        size = size_bytes(path)
        if fcntl is None:
            in_use = age_s < UNLOCKABLE_LEFTOVER_MIN_AGE_S
        else:
            in_use = held(path) or (age_s < LEFTOVER_MIN_AGE_S and _owner_alive(entry.name))
        removed = False
        if remove and not in_use:
            removed = _remove(path)
        found.append(Leftover(path, size, removed, in_use))
    return found


def held(path: Path) -> bool:
    """True if a process holds the lock of ``path`` (always False where there is no flock)."""
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops a lock just taken
    return False


def _owner_alive(name: str) -> bool:
    """Whether the process named in a temporary entry's name still runs (True when unknown)."""
    found = _OWNER.search(name)
    if found is None or int(found.group(1)) <= 0:
        return True
    try:
        os.kill(int(found.group(1)), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _lock(fd: int) -> None:
    if fcntl is not None and fd >= 0:
        fcntl.flock(fd, fcntl.LOCK_EX)


_held_locks: set[str] = set()


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the (private) lock file ``path`` while the block runs; re-entrant
    within a process (a second flock of the same file from this process would wait for itself)."""
    key = os.path.realpath(path)
    if key in _held_locks:
        yield
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    except OSError:
        yield  # cannot even create a lock file (a read-only folder): nothing will be written either
        return
    try:
        _lock(fd)
        _held_locks.add(key)
        yield
    finally:
        _held_locks.discard(key)
        os.close(fd)


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError:
        return not os.path.lexists(path)  # gone all the same: another reps removed it at the same time
    return True


def removal_command(path: Path) -> str:
    """The shell command that removes ``path`` where reps could not: with sudo when another user owns
    it (a `sudo reps` left it), after giving the owner write permission back when it is the user's."""
    import shlex

    quoted = shlex.quote(str(path))
    try:
        owner = os.lstat(path).st_uid
    except OSError:
        return f"rm -r {quoted}"
    if hasattr(os, "geteuid") and owner != os.geteuid():
        return f"sudo rm -r {quoted}"
    return f"chmod -R u+w {quoted} && rm -r {quoted}"


def size_bytes(path: Path) -> int:
    """Bytes held by ``path`` (a file, or every file under a folder)."""
    return sum(st.st_size for _, st in _walk(path) if stat.S_ISREG(st.st_mode))


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


# ------------------------------------------------------------------------------- contained paths


def safe_name(text: str, *, fallback: str) -> str:
    """``text`` as one harmless file name: no folder separators, no leading dots (never "." or ".."),
    no control characters, at most MAX_NAME_CHARS; ``fallback`` when nothing is left."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c if c.isprintable() and c not in '/\\:*?"<>|' else "_" for c in text)
    text = text.strip().lstrip(".").strip()
    text = text[:MAX_NAME_CHARS].rstrip(". ")
    return text or fallback


def unique_names(
    paths: Sequence[Path], *, fallback: str, taken: Callable[[str], bool] = lambda name: False
) -> list[str]:
    """One harmless, distinct name per input file, from its stem (``safe_name``): "a", "a-2", ... when
    stems repeat (names that differ only in case count as one: they are one file on macOS and
    Windows); ``fallback``-N when nothing of a stem is left ("...flac" has the stem ".."). ``taken(name)``
    may veto a name (say, a file of the user's already there), which then gets the next number."""
    used: set[str] = set()
    out = []
    for n, path in enumerate(paths, 1):
        stem = safe_name(Path(path).stem, fallback=f"{fallback}-{n}")
        name, k = stem, 1
        while name.casefold() in used or taken(name):
            k += 1
            name = f"{stem}-{k}"
        used.add(name.casefold())
        out.append(name)
    return out


def inside(base: Path, path: Path) -> Path:
    """``path`` if it lies inside ``base`` once symlinks and ``..`` are resolved; ValueError otherwise."""
    resolved_base = Path(os.path.realpath(base))
    resolved = Path(os.path.realpath(path))
    if resolved != resolved_base and resolved_base not in resolved.parents:
        raise ValueError(f"{path} is outside {base}")
    return path


# --------------------------------------------------------------------------------- write errors


def write_error(exc: OSError, folder: Path, what: str) -> LibraryWriteError:
    """One line for a failed write: read-only, full, or no permission, naming the folder."""
    if exc.errno == errno.EROFS:
        reason = f"{folder} is on a read-only file system"
    elif exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        reason = f"the disk holding {folder} is full ({megabytes(free_bytes(folder))} free)"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        reason = f"{folder} is not writable (permission denied)"
    else:
        reason = f"{exc.filename or folder}: {exc.strerror or exc}"
    error = LibraryWriteError(f"{what}: {reason}")
    error.__cause__ = exc
    return error


def free_bytes(folder: Path) -> int:
    """Space left for this user on the disk holding ``folder`` (or its nearest existing parent)."""
    probe = Path(folder)
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free
    except OSError:
        return 0


def writable(folder: Path) -> bool:
    """True if new files can be made in ``folder`` (or, if it does not exist yet, in its nearest parent)."""
    probe = Path(folder)
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    return os.access(probe, os.W_OK | os.X_OK)
