"""Many inputs with one loaded model: per-file errors never stop the batch."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from stt_cli.errors import (
    EXIT_ALL_FAILED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    OutputClashError,
    OutputUnwritableError,
    SttError,
)
from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.pipeline import ProgressHook, Transcriber
from stt_cli.writers import get_writer, output_path


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one input.

    Attributes:
        source: the input.
        outputs: files written (empty on failure).
        error: the failure, or ``None``.
        duration: audio seconds, when decoding got that far.
        elapsed: wall-clock seconds spent on the file.
        segments: how many segments the transcript has.
    """

    source: Path
    outputs: tuple[Path, ...] = ()
    error: SttError | None = None
    duration: float | None = None
    elapsed: float = 0.0
    segments: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


class BatchEvents:
    """What a batch reports as it goes; the CLI subclasses this to show progress. Does nothing by default."""

    def file_started(self, index: int, count: int, source: Path) -> None:
        """``index`` is 1-based."""

    def progress(self, stage: str, completed: float, total: float) -> None:
        """Audio seconds done of ``total`` in ``stage``."""

    def file_finished(self, outcome: FileOutcome) -> None:
        """Called once per input, success or failure."""


def planned_outputs(source: Path, options: OutputOptions) -> dict[OutputFormat, Path]:
    return {fmt: output_path(source, fmt, options) for fmt in options.formats}


def check_writable(folder: Path) -> None:
    """Fail now, before any audio is decoded, if transcripts cannot be written into ``folder``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise OutputUnwritableError(folder, e.strerror or str(e)) from e


def process_file(
    transcriber: Transcriber, source: Path, options: OutputOptions, on_progress: ProgressHook
) -> FileOutcome:
    """Transcribe ``source`` and write every requested format; on any failure, leave no output behind."""
    started = time.monotonic()
    targets = planned_outputs(source, options)
    written: list[Path] = []
    try:
        for folder in dict.fromkeys(t.parent for t in targets.values()):
            check_writable(folder)
        transcript = transcriber.transcribe(source, on_progress=on_progress)
        for fmt, target in targets.items():
            written.append(get_writer(fmt, options).write(transcript, target))
    except SttError as error:
        # A half-written set (SRT done, JSON failed) would look finished to a rerun: remove it.
        for path in written:
            with contextlib.suppress(OSError):
                os.unlink(path)
        return FileOutcome(source=source, error=error, elapsed=time.monotonic() - started)
    return FileOutcome(
        source=source,
        outputs=tuple(written),
        duration=transcript.duration,
        elapsed=time.monotonic() - started,
        segments=len(transcript.segments),
    )


def run_batch(
    transcriber: Transcriber,
    sources: list[Path],
    options: OutputOptions,
    events: BatchEvents | None = None,
) -> list[FileOutcome]:
    """Transcribe every source in order. ``KeyboardInterrupt`` propagates after the current file's cleanup."""
    events = events or BatchEvents()
    outcomes: list[FileOutcome] = []
    claimed: dict[Path, Path] = {}
    for index, source in enumerate(sources, start=1):
        events.file_started(index, len(sources), source)
        clash = next((claimed[t] for t in planned_outputs(source, options).values() if t in claimed), None)
        if clash is not None:
            outcome = FileOutcome(source=source, error=OutputClashError(source, clash))
        else:
            outcome = process_file(transcriber, source, options, events.progress)
            claimed.update(dict.fromkeys(outcome.outputs, source))
        outcomes.append(outcome)
        events.file_finished(outcome)
    return outcomes


def exit_code(outcomes: list[FileOutcome]) -> int:
    """0 when every file succeeded, 3 when none did, 1 otherwise."""
    failed = sum(not o.ok for o in outcomes)
    if not outcomes or failed == len(outcomes):
        return EXIT_ALL_FAILED
    return EXIT_SOME_FAILED if failed else EXIT_OK
