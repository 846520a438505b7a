"""Many inputs with one loaded model: skip what is done, never let one file stop the others, sum it up."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from stt_cli import __version__, resume
from stt_cli.errors import (
    EXIT_ALL_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    InputError,
    InterruptedRunError,
    OutputClashError,
    OutputUnwritableError,
    SttError,
)
from stt_cli.fileio import atomic_write_text
from stt_cli.inputs import InputFile
from stt_cli.options import InputOptions, OutputFormat, OutputOptions
from stt_cli.pipeline import ProgressHook, Transcriber
from stt_cli.types import SCHEMA_VERSION
from stt_cli.writers import get_writer, output_path


class Status(StrEnum):
    done = "done"
    skipped = "skipped"  # outputs already current
    failed = "failed"
    pending = "pending"  # not attempted: the batch was interrupted or --fail-fast stopped it


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one input.

    Attributes:
        source: the input.
        status: done, skipped, failed or pending.
        outputs: files written (or found current, when skipped).
        error: the failure, or ``None``.
        warnings: things worth saying about a successful transcript.
        duration: audio seconds, when decoding got that far.
        elapsed: wall-clock seconds spent on the file.
    """

    source: Path
    status: Status
    outputs: tuple[Path, ...] = ()
    error: SttError | None = None
    warnings: tuple[str, ...] = ()
    duration: float | None = None
    elapsed: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": str(self.source),
            "status": self.status.value,
            "code": self.error.code if self.error else None,
            "message": str(self.error) if self.error else None,
            "warnings": list(self.warnings),
            "outputs": [str(p) for p in self.outputs],
            "duration": None if self.duration is None else round(self.duration, 3),
            "elapsed": round(self.elapsed, 3),
        }


@dataclass(frozen=True)
class BatchResult:
    outcomes: tuple[FileOutcome, ...]
    interrupted: bool = False

    def count(self, status: Status) -> int:
        return sum(o.status is status for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """130 interrupted; 3 when nothing was done or skipped; 1 when some failed; else 0."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.count(Status.done) + self.count(Status.skipped) == 0:
            return EXIT_ALL_FAILED
        return EXIT_SOME_FAILED if self.count(Status.failed) else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": f"stt {__version__}",
            "exit_code": self.exit_code,
            "interrupted": self.interrupted,
            "counts": {s.value: self.count(s) for s in Status},
            "audio_seconds_done": round(
                sum(o.duration or 0.0 for o in self.outcomes if o.status is Status.done), 3
            ),
            "files": [o.to_dict() for o in self.outcomes],
        }


class BatchEvents:
    """What a batch reports as it goes; the CLI subclasses this to show progress. Does nothing by default."""

    def file_started(self, index: int, count: int, source: Path) -> None:
        """``index`` is 1-based."""

    def progress(self, stage: str, completed: float, total: float) -> None:
        """Audio seconds done of ``total`` in ``stage``."""

    def file_finished(self, outcome: FileOutcome) -> None:
        """Called once per attempted input, whatever happened to it."""


@dataclass(frozen=True, kw_only=True)
class Batch:
    """A batch's fixed settings."""

    transcriber: Transcriber
    output: OutputOptions
    limits: InputOptions = field(default_factory=InputOptions)
    overwrite: bool = False
    fail_fast: bool = False

    def targets(self, item: InputFile) -> dict[OutputFormat, Path]:
        return {fmt: output_path(item.path, fmt, self.output, item.relative_dir) for fmt in self.output.formats}

    def settings_digest(self) -> str:
        """Fingerprint of everything that shapes the outputs (see ``resume``)."""
        shaping = {k: v for k, v in self.transcriber.settings().items() if k != "device"}
        return resume.fingerprint(
            {
                "schema": SCHEMA_VERSION,
                "model_sha256": self.transcriber.model.sha256,
                **shaping,
                "max_line_width": self.output.max_line_width,
                "max_line_count": self.output.max_line_count,
                "allow_truncated": self.limits.allow_truncated,
            }
        )


def check_writable(folder: Path) -> None:
    """Fail now, before any audio is decoded, if transcripts cannot be written into ``folder``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise OutputUnwritableError(folder, e.strerror or str(e)) from e


def process_file(batch: Batch, item: InputFile, digest: str, on_progress: ProgressHook) -> FileOutcome:
    """Transcribe one input and write every requested format, or find them current; on failure leave nothing."""
    started = time.monotonic()
    targets = batch.targets(item)
    by_name = {fmt.value: path for fmt, path in targets.items()}
    folder = next(iter(targets.values())).parent
    record = resume.record_path(item.path, folder)
    if not batch.overwrite and resume.is_current(item.path, by_name, record, digest):
        return FileOutcome(item.path, Status.skipped, outputs=tuple(targets.values()))
    written: list[Path] = []
    try:
        check_writable(folder)
        transcript = batch.transcriber.transcribe(item.path, limits=batch.limits, on_progress=on_progress)
        for fmt, target in targets.items():
            written.append(get_writer(fmt, batch.output).write(transcript, target))
        resume.write_record(item.path, transcript.input.sha256, by_name, record, digest, f"stt {__version__}")
    except (SttError, KeyboardInterrupt) as error:
        # A half-written set (SRT done, JSON not) would look finished to a rerun: remove it, and its record.
        for path in [*written, record]:
            with contextlib.suppress(OSError):
                os.unlink(path)
        if isinstance(error, KeyboardInterrupt):
            raise
        return FileOutcome(item.path, Status.failed, error=error, elapsed=time.monotonic() - started)
    return FileOutcome(
        item.path,
        Status.done,
        outputs=tuple(written),
        warnings=transcript.warnings,
        duration=transcript.duration,
        elapsed=time.monotonic() - started,
    )


def run_batch(
    batch: Batch,
    items: list[InputFile],
    events: BatchEvents | None = None,
    problems: tuple[InputError, ...] = (),
) -> BatchResult:
    """Transcribe every input in order.

    ``problems`` are arguments that named nothing (an empty folder, a pattern matching nothing); they are
    reported as failures first. Ctrl-C ends the batch after the current file's cleanup: it is reported as
    interrupted and the rest as pending.
    """
    events = events or BatchEvents()
    outcomes = list(problem_outcomes(problems))
    for outcome in outcomes:
        events.file_finished(outcome)
    digest = batch.settings_digest()
    claimed: dict[Path, Path] = {}
    for index, item in enumerate(items, start=1):
        if batch.fail_fast and any(o.status is Status.failed for o in outcomes):
            outcomes.extend(FileOutcome(i.path, Status.pending) for i in items[index - 1 :])
            break
        events.file_started(index, len(items), item.path)
        started = time.monotonic()
        clash = next((claimed[t] for t in batch.targets(item).values() if t in claimed), None)
        try:
            if clash is not None:
                outcome = FileOutcome(item.path, Status.failed, error=OutputClashError(item.path, clash))
            else:
                outcome = process_file(batch, item, digest, events.progress)
        except KeyboardInterrupt:
            stopped = FileOutcome(
                item.path, Status.failed, error=InterruptedRunError(item.path), elapsed=time.monotonic() - started
            )
            events.file_finished(stopped)
            outcomes.append(stopped)
            outcomes.extend(FileOutcome(i.path, Status.pending) for i in items[index:])
            return BatchResult(tuple(outcomes), interrupted=True)
        claimed.update(dict.fromkeys(outcome.outputs, item.path))
        outcomes.append(outcome)
        events.file_finished(outcome)
    return BatchResult(tuple(outcomes))


def problem_outcomes(problems: tuple[InputError, ...]) -> tuple[FileOutcome, ...]:
    """Arguments that named nothing to transcribe, as failed outcomes of the batch."""
    return tuple(FileOutcome(p.path, Status.failed, error=p) for p in problems)


def write_summary(result: BatchResult, path: Path) -> None:
    """``--summary-json``: one JSON document for scripts and CI."""
    atomic_write_text(path, json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
