"""Writer base: where an output goes and how it is written (atomically)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import ClassVar

from stt_cli.errors import OutputUnwritableError
from stt_cli.options import OutputOptions
from stt_cli.types import Transcript


class ResultWriter:
    """Renders a transcript in one format and writes ``<folder>/<stem>.<extension>``.

    Subclasses set ``extension`` and implement :meth:`render`.
    """

    extension: ClassVar[str]

    def __init__(self, options: OutputOptions):
        self.options = options

    def render(self, transcript: Transcript) -> str:
        raise NotImplementedError

    def write(self, transcript: Transcript, target: Path) -> Path:
        """Write the transcript to ``target`` atomically and return it."""
        atomic_write_text(target, self.render(transcript))
        return target


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
