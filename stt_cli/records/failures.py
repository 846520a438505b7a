"""A recording that failed leaves a note beside its outputs, ``.<stem>.stt.failed``, so that ``stt status``
can report it (with its code) whichever worker on whichever machine met the failure. The note goes when the
recording is later transcribed."""

from __future__ import annotations

import contextlib
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stt_cli.errors import SttError
from stt_cli.fileio import atomic_write_text, text_of


def note(path: Path, source: Path, error: SttError) -> None:
    """Leave the note at ``path`` (a ``Sidecars.failure``) for the recording ``source`` (best effort: a folder
    that cannot be written is the failure being reported)."""
    body = {"input": text_of(source), "code": error.code, "message": text_of(str(error)),
            "host": socket.gethostname(), "pid": os.getpid(),
            "at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
    with contextlib.suppress(SttError, OSError):
        atomic_write_text(path, json.dumps(body) + "\n")


def clear(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
