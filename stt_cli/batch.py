"""Many inputs with one loaded model: skip what is done, never let one file stop the others, sum it up.

Three promises hold for every file of a batch: no output, temporary file or summary lands on an input or on
any recording; an output a person edited is never destroyed (it is kept, or moved aside with ``overwrite``);
and a transcript is only ever recorded as done for the bytes that were really transcribed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import stat
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from stt_cli import __version__, resume, sniff
from stt_cli.audio import check_readable
from stt_cli.errors import (
    EXIT_ALL_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    InputError,
    InternalError,
    InterruptedRunError,
    OutputClashError,
    OutputEditedError,
    OutputUnwritableError,
    SttError,
    UsageError,
)
from stt_cli.fileio import atomic_write_text, check_name_fits, shown, text_of
from stt_cli.inputs import InputFile
from stt_cli.options import InputOptions, OutputFormat, OutputOptions
from stt_cli.pipeline import ProgressHook, Transcriber
from stt_cli.resume import OutputState
from stt_cli.types import SCHEMA_VERSION, Transcript
from stt_cli.writers import get_writer, output_path

logger = logging.getLogger("stt_cli")


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
            "input": text_of(self.source),
            "status": self.status.value,
            "code": self.error.code if self.error else None,
            "message": text_of(str(self.error)) if self.error else None,
            "warnings": list(self.warnings),
            "outputs": [text_of(p) for p in self.outputs],
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
    """A batch's fixed settings.

    Attributes:
        protected: ``(device, inode)`` of every input of the run: no output may ever replace one.
    """

    transcriber: Transcriber
    output: OutputOptions
    limits: InputOptions = field(default_factory=InputOptions)
    overwrite: bool = False
    fail_fast: bool = False
    protected: frozenset[tuple[int, int]] = frozenset()

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
                "audio_track": self.limits.audio_track,
            }
        )


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
    if identities([path]) & protected or _is_recording(path):
        raise UsageError(f"--summary-json {shown(path)} would replace a recording; give a new file name")
    try:
        check_name_fits(path)
        check_writable(path.parent)
    except OutputUnwritableError as e:
        raise OutputUnwritableError(path, e.detail, what="the summary") from None


@dataclass(frozen=True)
class _Plan:
    """What to do for one input, decided before any work.

    Attributes:
        skip: everything asked for is current.
        write: the outputs to (re)write.
        kept: outputs a person edited that are left alone (their old record entries).
        aside: outputs to move aside before writing (``overwrite`` over edited or foreign files).
        warnings: what to tell the user about kept files.
    """

    skip: bool
    write: dict[OutputFormat, Path]
    kept: dict[str, tuple[str, str]]
    aside: tuple[Path, ...]
    warnings: tuple[str, ...]


def plan_file(batch: Batch, item: InputFile, digest: str) -> _Plan:
    """Decide, before transcribing, which outputs to write and which to leave: see the module's promises.

    Raises:
        OutputUnwritableError: an output's name is too long for the file system.
        OutputClashError: an output would replace an input or a recording.
        OutputEditedError: an output was edited (or not written by stt) and would have to be replaced.
    """
    targets = batch.targets(item)
    record_file = resume.record_path(item.path, next(iter(targets.values())).parent)
    for path in [*targets.values(), record_file]:
        try:
            check_name_fits(path)
        except OutputUnwritableError as e:
            raise e.for_input(item.path) from None
        _guard(batch, item.path, path)
        if path.is_dir():
            raise OutputUnwritableError(path, "a folder is in the way", source=item.path)
    record = resume.read_record(record_file)
    states = {fmt: resume.output_state(record, fmt.value, path) for fmt, path in targets.items()}
    for fmt, path in targets.items():
        if states[fmt] is OutputState.foreign and _is_recording(path):
            raise OutputClashError(item.path, path, why="recording")
    changed = [fmt for fmt, s in states.items() if s in (OutputState.edited, OutputState.foreign)]
    if batch.overwrite:
        return _Plan(False, dict(targets), {}, tuple(targets[f] for f in changed), ())
    current = resume.input_matches(record, item.path, digest)
    edited = [f for f in changed if states[f] is OutputState.edited]
    warnings = tuple(f"kept {shown(targets[f].name)}: it was changed since stt wrote it" for f in edited)
    if current and all(s in (OutputState.ours, OutputState.edited) for s in states.values()):
        return _Plan(True, {}, {}, (), warnings)
    refused = next((f for f in changed if not current or states[f] is OutputState.foreign), None)
    if refused is not None:
        raise OutputEditedError(item.path, targets[refused], backup_path(targets[refused]))
    kept = {f.value: record.outputs[f.value] for f in edited} if record else {}
    return _Plan(False, {f: p for f, p in targets.items() if f not in edited}, kept, (), warnings)


def _guard(batch: Batch, source: Path, target: Path) -> None:
    """Refuse an output path that is an input of this run (a recording named ``x.srt``, a summary named like
    the recording)."""
    with contextlib.suppress(OSError):
        info = target.stat()
        if (info.st_dev, info.st_ino) in batch.protected:
            raise OutputClashError(source, target, why="input")


def _is_recording(path: Path) -> bool:
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
        return sniff.is_media_content(sniff.read_head(path))
    except OSError:
        return False


def backup_path(path: Path) -> Path:
    """Where an edited output is kept when ``overwrite`` replaces it: ``hearing.edited-<UTC time>.srt``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    stem, dot, ext = path.name.rpartition(".")
    return path.with_name(f"{stem}.edited-{stamp}{dot}{ext}" if dot else f"{path.name}.edited-{stamp}")


def process_file(batch: Batch, item: InputFile, digest: str, on_progress: ProgressHook) -> FileOutcome:
    """Transcribe one input and write every requested format, or find them current; on failure leave nothing
    of this run behind and restore any output moved aside."""
    started = time.monotonic()
    targets = batch.targets(item)
    written: list[Path] = []
    moved: list[tuple[Path, Path]] = []
    try:
        check_readable(item.path)  # a missing input is "not found", whatever its outputs' names would be
        plan = plan_file(batch, item, digest)
        if plan.skip:
            return FileOutcome(item.path, Status.skipped, outputs=tuple(targets.values()), warnings=plan.warnings)
        folder = next(iter(targets.values())).parent
        try:
            check_writable(folder)
        except OutputUnwritableError as e:
            raise e.for_input(item.path) from None
        transcript = batch.transcriber.transcribe(item.path, limits=batch.limits, on_progress=on_progress)
        for path in plan.aside:
            moved.append((path, _move_aside(item.path, path)))
        for fmt, target in plan.write.items():
            written.append(_write(batch, fmt, transcript, target, item.path))
        resume.write_record(
            source=item.path,
            size=transcript.input.size_bytes,
            sha256=transcript.input.sha256,
            outputs={fmt.value: path for fmt, path in plan.write.items()},
            kept=plan.kept,
            record=resume.record_path(item.path, folder),
            settings_digest=digest,
            tool=f"stt {__version__}",
        )
    except (Exception, KeyboardInterrupt) as error:
        _undo(written, moved)
        if isinstance(error, KeyboardInterrupt):
            raise
        if not isinstance(error, SttError):
            logger.exception("%s: unexpected error", shown(item.path))
            error = InternalError(item.path, error)
        return FileOutcome(item.path, Status.failed, error=error, elapsed=time.monotonic() - started)
    notes = [f"kept the edited {old.name} as {new.name}" for old, new in moved]
    return FileOutcome(
        item.path,
        Status.done,
        outputs=tuple(written),
        warnings=(*transcript.warnings, *plan.warnings, *notes),
        duration=transcript.duration,
        elapsed=time.monotonic() - started,
    )


def _write(batch: Batch, fmt: OutputFormat, transcript: Transcript, target: Path, source: Path) -> Path:
    try:
        return get_writer(fmt, batch.output).write(transcript, target)
    except OutputUnwritableError as e:
        raise e.for_input(source) from None


def _move_aside(source: Path, path: Path) -> Path:
    backup = backup_path(path)
    try:
        os.rename(path, backup)
    except OSError as e:
        raise OutputUnwritableError(path, f"cannot keep it as {backup.name}: {e.strerror}", source=source) from e
    return backup


def _undo(written: list[Path], moved: list[tuple[Path, Path]]) -> None:
    # A half-written set (SRT done, JSON not) must not be left: remove what this run wrote, and put back
    # what it moved aside. The old record stays: it vouches for outputs by their sha256 only.
    for path in written:
        with contextlib.suppress(OSError):
            os.unlink(path)
    for original, backup in moved:
        with contextlib.suppress(OSError):
            os.rename(backup, original)


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
    if not batch.protected:
        batch = _with_protected(batch, items)
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


def _with_protected(batch: Batch, items: list[InputFile]) -> Batch:
    return dataclasses.replace(batch, protected=identities([i.path for i in items]))


def problem_outcomes(problems: tuple[InputError, ...]) -> tuple[FileOutcome, ...]:
    """Arguments that named nothing to transcribe, as failed outcomes of the batch."""
    return tuple(FileOutcome(p.path, Status.failed, error=p) for p in problems)


def write_summary(result: BatchResult, path: Path) -> None:
    """``--summary-json``: one JSON document for scripts and CI."""
    atomic_write_text(path, json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
