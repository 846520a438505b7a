"""Every output format again from a transcript JSON, with no model loaded: ``stt render``.

A clerk who asked for SRT and now needs TXT, or subtitles at another line width, should wait seconds, not
transcribe a 3-hour hearing again. Rendering goes through the very writers ``stt transcribe`` uses, so the
same transcript and options give the same bytes. Nothing here imports torch, faster-whisper or pyannote.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stt_cli import resume
from stt_cli.errors import OutputClashError, OutputEditedError, OutputUnwritableError, SttError
from stt_cli.fileio import check_name_fits
from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.outcomes import BatchResult, FileOutcome, Status
from stt_cli.writers import get_writer
from stt_cli.writers.reading import read_transcript


@dataclass(frozen=True)
class RenderJob:
    """What to render: the formats, where (``output.output_dir``, else beside each JSON), and whether an existing
    different file may be replaced (it is then kept as ``<stem>.edited-<time>.<ext>``)."""

    output: OutputOptions
    overwrite: bool = False


def render_all(
    sources: list[Path], job: RenderJob, on_done: Callable[[FileOutcome], None] = lambda _: None
) -> BatchResult:
    """Render every requested format of every transcript; one transcript's failure never stops the others."""
    outcomes = []
    for source in sources:
        outcome = render_one(source, job)
        on_done(outcome)
        outcomes.append(outcome)
    return BatchResult(tuple(outcomes))


def render_one(source: Path, job: RenderJob) -> FileOutcome:
    """Render one transcript JSON: ``done`` when a file was written, ``skipped`` when all were already current."""
    started = time.monotonic()
    try:
        transcript = read_transcript(source)
        folder = job.output.output_dir or source.parent
        written, current, notes = [], [], []
        for fmt in job.output.formats:
            target = folder / f"{source.stem}.{get_writer(fmt, job.output).extension}"
            text = get_writer(fmt, job.output).render(transcript)
            state = _state(source, target, text, fmt)
            if state == "current":
                current.append(target)
                continue
            if state == "other":
                if not job.overwrite:
                    raise OutputEditedError(source, target, resume.backup_path(target))
                backup = resume.backup_path(target)
                os.rename(target, backup)
                notes.append(f"kept the earlier {target.name} as {backup.name}")
            written.append(get_writer(fmt, job.output).write(transcript, target))
    except SttError as error:
        return FileOutcome(source, Status.failed, error=error, elapsed=time.monotonic() - started)
    except OSError as error:
        failure = OutputUnwritableError(folder, error.strerror or str(error), source=source)
        return FileOutcome(source, Status.failed, error=failure, elapsed=time.monotonic() - started)
    status = Status.done if written else Status.skipped
    return FileOutcome(source, status, outputs=(*written, *current), warnings=tuple(notes),
                       elapsed=time.monotonic() - started)  # fmt: skip


def _state(source: Path, target: Path, text: str, fmt: OutputFormat) -> str:
    """``new`` (nothing there), ``current`` (the same bytes), or ``other`` (a different file).

    Raises:
        OutputClashError: the target is the transcript itself with other content, or a recording.
    """
    check_name_fits(target)
    if not target.exists():
        return "new"
    if target.is_dir():
        raise OutputUnwritableError(target, "a folder is in the way", source=source)
    try:
        if target.read_text(encoding="utf-8") == text:
            return "current"
    except (UnicodeDecodeError, OSError):
        pass
    if resume.is_recording(target):
        raise OutputClashError(source, target, why="recording")
    if fmt is OutputFormat.json and target.resolve() == source.resolve():
        raise OutputClashError(source, target, why="input")
    return "other"
