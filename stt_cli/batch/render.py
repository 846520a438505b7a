"""Every output format again from a transcript JSON, with no model loaded: ``stt render``.

A clerk who asked for SRT and now needs TXT, or subtitles at another line width, should wait seconds, not
transcribe a 3-hour hearing again. Rendering goes through the very writers ``stt transcribe`` uses, so the
same transcript and options give the same bytes. Nothing here imports torch, faster-whisper or pyannote.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stt_cli.batch.outcomes import BatchResult, FileOutcome, Status
from stt_cli.case import CaseInfo, CaseOptions
from stt_cli.errors import OutputClashError, OutputEditedError, OutputUnwritableError, SttError
from stt_cli.fileio import atomic_write_bytes, check_name_fits
from stt_cli.media import sniff
from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.records.sidecars import backup_path
from stt_cli.types import Transcript
from stt_cli.writers import get_writer
from stt_cli.writers.reading import read_transcript


@dataclass(frozen=True)
class RenderJob:
    """What to render: the formats, where (``output.output_dir``, else beside each JSON), whether an existing
    different file may be replaced (it is then kept as ``<stem>.edited-<time>.<ext>``), and case details to add
    to (or correct in) each transcript's own."""

    output: OutputOptions
    overwrite: bool = False
    case: CaseOptions = field(default_factory=CaseOptions)


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
        transcript = _with_case(read_transcript(source), job.case)
        folder = job.output.output_dir or source.parent
        written, current, notes = [], [], []
        for fmt in job.output.formats:
            writer = get_writer(fmt, job.output)
            target = folder / f"{source.stem}.{writer.extension}"
            data = writer.render_bytes(transcript, target)
            state = _state(source, target, data, fmt)
            if state == "current":
                current.append(target)
                continue
            if state == "other":
                if not job.overwrite:
                    raise OutputEditedError(source, target, backup_path(target))
                backup = backup_path(target)
                os.rename(target, backup)
                notes.append(f"kept the earlier {target.name} as {backup.name}")
            atomic_write_bytes(target, data)
            written.append(target)
    except SttError as error:
        return FileOutcome(source, Status.failed, error=error, elapsed=time.monotonic() - started)
    except OSError as error:
        failure = OutputUnwritableError(folder, error.strerror or str(error), source=source)
        return FileOutcome(source, Status.failed, error=failure, elapsed=time.monotonic() - started)
    status = Status.done if written else Status.skipped
    return FileOutcome(source, status, outputs=(*written, *current), warnings=tuple(notes),
                       elapsed=time.monotonic() - started)  # fmt: skip


def _state(source: Path, target: Path, data: bytes, fmt: OutputFormat) -> str:
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
        if target.read_bytes() == data:
            return "current"
    except OSError:
        pass
    if sniff.is_recording(target):
        raise OutputClashError(source, target, why="recording")
    if fmt is OutputFormat.json and target.resolve() == source.resolve():
        raise OutputClashError(source, target, why="input")
    return "other"


def _with_case(transcript: Transcript, given: CaseOptions) -> Transcript:
    """The transcript's case details, with those given now added over them."""
    if not (given.given or given.from_file or given.start_time):
        return transcript
    fields = {**dict(transcript.case.fields), **dict(given.from_file), **dict(given.given)}
    start, source = transcript.case.start_time, transcript.case.start_time_source
    if given.start_time is not None:
        start, source = given.start_time, "given"
    return dataclasses.replace(transcript, case=CaseInfo(tuple(fields.items()), start, source))
