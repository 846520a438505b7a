"""File helpers shared by every stage: hashing, and writes that are never seen half-done."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from stt_cli.errors import OutputUnwritableError

_HASH_BLOCK = 1 << 20  # bytes read at a time while hashing


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_text(target: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``target``, then rename it into place.

    A crash, a kill or Ctrl-C therefore leaves either the old file or the new one, never half a transcript
    that a rerun would mistake for a finished one.

    Raises:
        OutputUnwritableError: the folder cannot be created or written.
    """
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        tmp = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates files readable by the owner only; a transcript should get the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
        tmp = None
    except OSError as e:
        raise OutputUnwritableError(target, e.strerror or str(e)) from e
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
