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
from stt_cli.records.resume import record_path


def failure_path(source: Path, folder: Path) -> Path:
    record = record_path(source, folder)
    return record.with_name(record.name.removesuffix(".json") + ".failed")


def note(source: Path, folder: Path, error: SttError) -> None:
    """Leave the note (best effort: a folder that cannot be written is the failure being reported)."""
    body = {"input": text_of(source), "code": error.code, "message": text_of(str(error)),
            "host": socket.gethostname(), "pid": os.getpid(),
            "at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
    with contextlib.suppress(SttError, OSError):
        atomic_write_text(failure_path(source, folder), json.dumps(body) + "\n")


def clear(source: Path, folder: Path) -> None:
    with contextlib.suppress(OSError):
        failure_path(source, folder).unlink()


def read(source: Path, folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(failure_path(source, folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
