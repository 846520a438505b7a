"""File helpers shared by every stage: reading inputs without touching them, hashing, names that are safe to
show, and writes that are never seen half-done."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from stt_cli.errors import InputChangedError, OutputUnwritableError

_HASH_BLOCK = 1 << 20  # bytes read at a time while hashing
NAME_MAX = 255  # bytes in one file name on every file system a court is likely to use (ext4, NTFS, APFS)


@dataclass(frozen=True)
class FileIdentity:
    """What says a file is still the very same one: its size, modification time and inode.

    Taken before a recording is hashed and again after it is decoded; any difference means the transcript
    would describe bytes that were never heard (a copy still in progress, a file replaced or moved).
    """

    size: int
    mtime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity:
        """Raises ``OSError`` when the file cannot be stat'ed (gone, name too long, permissions)."""
        stat = path.stat()
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_dev)


def identity_of(path: Path) -> FileIdentity:
    """The file's identity now.

    Raises:
        InputChangedError: it is gone (moved or deleted).
    """
    try:
        return FileIdentity.of(path)
    except OSError as e:
        raise InputChangedError(path, "was moved or deleted") from e


def check_unchanged(path: Path, before: FileIdentity) -> None:
    """Raise unless ``path`` is still the very file ``before`` describes (taken before it was hashed).

    Raises:
        InputChangedError: it was replaced, grew, changed, moved or deleted.
    """
    after = identity_of(path)
    if after == before:
        return
    if (after.inode, after.device) != (before.inode, before.device):
        raise InputChangedError(path, "was replaced by another file")
    raise InputChangedError(path, "grew" if after.size > before.size else "changed")


def open_input(path: Path) -> BinaryIO:
    """Open a recording read-only, without updating its access time where the system allows it.

    Evidence handling asks that a recording's metadata stays as it was; ``O_NOATIME`` is only allowed to the
    file's owner, so others fall back to a plain read-only open. Nothing in stt ever opens an input for
    writing.
    """
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NOATIME", 0))
    except PermissionError:
        fd = os.open(path, flags)
    return os.fdopen(fd, "rb")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open_input(path) as f:
        while block := f.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def text_of(path: Path | str) -> str:
    """A path as text that can always be written (JSON, logs): bytes that are not UTF-8 (file names from
    Windows or FAT media) appear as ``\\xe9`` instead of making the write fail."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def shown(path: Path | str) -> str:
    """A path (or a message naming one) for one line of a terminal or log: like :func:`text_of`, with control
    characters (a newline in a name would split the line) escaped."""
    text = text_of(path)
    if all(ch.isprintable() or ch == " " for ch in text):
        return text
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in unicodedata.normalize("NFC", text)
    )


def check_name_fits(target: Path) -> None:
    """Fail before any work when ``target``'s name is longer than a file system allows.

    Raises:
        OutputUnwritableError: the name is over ``NAME_MAX`` bytes.
    """
    if len(os.fsencode(target.name)) > NAME_MAX:
        raise OutputUnwritableError(target, f"its name is over {NAME_MAX} bytes; rename the recording")


def atomic_write_text(target: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``target``, then rename it into place.

    A crash, a kill or Ctrl-C therefore leaves either the old file or the new one, never half a transcript
    that a rerun would mistake for a finished one.

    Raises:
        OutputUnwritableError: the folder cannot be created or written.
    """
    atomic_write_bytes(target, text.encode("utf-8"))


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """:func:`atomic_write_text` for bytes (documents, archives)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _temporary_beside(target) as (fd, tmp):
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            # mkstemp creates files readable by the owner only; a transcript should get the usual mode.
            os.chmod(tmp, 0o666 & ~current_umask())
            os.replace(tmp, target)
    except OSError as e:
        raise OutputUnwritableError(target, e.strerror or str(e)) from e


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[tuple[int, Path]]:
    # The temporary name is short whatever the target's: a 240-byte recording name plus a suffix would pass
    # the file system's 255-byte limit and fail only after hours of work.
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:40]}.", suffix=".part")
    tmp = Path(name)
    try:
        yield fd, tmp
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
