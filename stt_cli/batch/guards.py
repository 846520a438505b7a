"""Checks made before any work: that outputs can be written where they go, that the summary will not replace a
recording, and which files are the run's inputs (no output may ever replace one)."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from stt_cli.errors import OutputUnwritableError, UsageError
from stt_cli.fileio import check_name_fits, shown
from stt_cli.media import sniff


def identities(paths: list[Path]) -> frozenset[tuple[int, int]]:
    """``(device, inode)`` of each path that exists: what :attr:`Batch.protected` holds."""
    found = set()
    for path in paths:
        with contextlib.suppress(OSError):
            info = path.stat()
            found.add((info.st_dev, info.st_ino))
    return frozenset(found)


def check_writable(folder: Path) -> None:
    """Fail now, before any audio is decoded, if transcripts cannot be written into ``folder``.

    Nothing is created: a folder that does not exist yet is judged by the nearest one that does (a run that
    fails for another reason leaves no empty folders behind); it is made when the first transcript is written.
    """
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    try:
        if existing is None or not existing.is_dir():
            raise NotADirectoryError(20, f"{existing} is not a folder")
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as e:
        raise OutputUnwritableError(folder, e.strerror or str(e)) from e


def check_summary_path(path: Path, inputs: list[Path]) -> None:
    """Fail before any work when the summary could not be written, or would replace an input or a recording.

    Raises:
        UsageError: it names an input or a recording.
        OutputUnwritableError: its folder cannot be written.
    """
    protected = identities(inputs)
    if identities([path]) & protected or sniff.is_recording(path):
        raise UsageError(f"`summary` {shown(path)} would replace a recording; give a new file name")
    try:
        check_name_fits(path)
        check_writable(path.parent)
    except OutputUnwritableError as e:
        raise OutputUnwritableError(path, e.detail, what="the summary") from None
