"""Many inputs with one loaded model: find them, check what can be checked before any work, skip what is done,
never let one file stop the others, and sum it up.

Three promises hold for every file of a batch: no output, temporary file or summary lands on an input or on
any recording; an output a person edited is never destroyed (it is kept, or moved aside with ``overwrite``);
and a transcript is only ever recorded as done for the bytes that were really transcribed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from stt_cli.batch.guards import check_summary_path, check_writable, identities
from stt_cli.batch.inputs import InputFile, discover
from stt_cli.batch.outcomes import BatchEvents, BatchResult, FileOutcome, Status, problem_outcomes, write_summary
from stt_cli.batch.shards import Shard, in_order
from stt_cli.case import CaseOptions
from stt_cli.errors import (
    ClaimLostError,
    InputError,
    InternalError,
    InterruptedRunError,
    OutputClashError,
    OutputEditedError,
    OutputUnwritableError,
    SttError,
)
from stt_cli.fileio import sha256_file, shown
from stt_cli.media.probe import check_readable
from stt_cli.options import InputOptions, OutputFormat, OutputOptions
from stt_cli.progress import ProgressHook, no_progress
from stt_cli.records import claims, failures, resume, reuse
from stt_cli.review.spans import review_summary
from stt_cli.types import SCHEMA_VERSION, Transcript
from stt_cli.writers import get_writer, output_path

logger = logging.getLogger("stt_cli")


class FileTranscriber(Protocol):
    """What a batch needs of a recogniser (``pipeline.Transcriber`` is one)."""

    @property
    def model_sha256(self) -> str: ...

    def settings(self) -> dict[str, Any]: ...

    def transcribe(
        self, path: Path, *, limits: InputOptions | None = None, on_progress: ProgressHook = no_progress
    ) -> Transcript: ...


@dataclass(frozen=True, kw_only=True)
class Job:
    """What to do with the inputs, decided before any model is loaded.

    Attributes:
        output: formats and where they go.
        limits: what inputs are accepted.
        overwrite: transcribe again even when current outputs exist (edited ones are moved aside).
        fail_fast: stop at the first failed file; the rest are reported pending.
        summary: where to write the batch summary as JSON, if anywhere.
        case: the hearing details and start time given for documents (``--meta``, ``--start-time``).
        shard: this worker's share of the inputs (``--shard``, or the scheduler's array variables).
        steal: once its shard is done, take others' recordings no worker has claimed.
        claim_timeout: seconds after which another worker's unrenewed claim is stale.
        worker: ``(i, n)`` for the i-th (0-based) of n ``--jobs`` workers: it starts i/n of the way into the
            inputs, so that the workers meet once rather than at every file.
    """

    output: OutputOptions
    limits: InputOptions = field(default_factory=InputOptions)
    overwrite: bool = False
    fail_fast: bool = False
    summary: Path | None = None
    case: CaseOptions = field(default_factory=CaseOptions)
    shard: Shard | None = None
    steal: bool = False
    claim_timeout: float = claims.DEFAULT_TIMEOUT
    worker: tuple[int, int] | None = None


def run(
    inputs: list[str], job: Job, load: Callable[[], FileTranscriber], events: BatchEvents | None = None
) -> BatchResult:
    """Find the inputs; check the summary path and the output folder; load the models once (``load``), only if
    there is anything to do; transcribe every input; write the summary.

    Raises:
        UsageError: an argument is empty, or the summary would replace a recording.
        OutputUnwritableError: the output folder or the summary cannot be written (found before any work).
        ModelUnavailableError: the models cannot be loaded.
    """
    events = events or BatchEvents()
    found = discover(inputs)
    if job.summary is not None:
        check_summary_path(job.summary, [f.path for f in found.files])
    if not found.files:  # nothing to do: report what the arguments named, load no model
        result = BatchResult(problem_outcomes(found.problems))
        for outcome in result.outcomes:
            events.file_finished(outcome)
    else:
        if job.output.output_dir is not None:
            check_writable(job.output.output_dir)
        with events.loading():
            transcriber = load()
        batch = Batch(transcriber=transcriber, output=job.output, limits=job.limits, overwrite=job.overwrite,
                      fail_fast=job.fail_fast, case=job.case, claim_timeout=job.claim_timeout)  # fmt: skip
        items = in_order(found.files, job.shard, steal=job.steal)
        if job.worker is not None:
            first = job.worker[0] * len(items) // job.worker[1]
            items = items[first:] + items[:first]
        result = run_batch(batch, items, events, problems=found.problems)
    if job.summary is not None:
        write_summary(result, job.summary)
    return result


@dataclass(frozen=True, kw_only=True)
class Batch:
    """A batch's fixed settings.

    Attributes:
        protected: ``(device, inode)`` of every input of the run: no output may ever replace one.
    """

    transcriber: FileTranscriber
    output: OutputOptions
    limits: InputOptions = field(default_factory=InputOptions)
    overwrite: bool = False
    fail_fast: bool = False
    protected: frozenset[tuple[int, int]] = frozenset()
    case: CaseOptions = field(default_factory=CaseOptions)
    claim_timeout: float = claims.DEFAULT_TIMEOUT
    started_at: float = field(default_factory=time.time)

    def targets(self, item: InputFile) -> dict[OutputFormat, Path]:
        return {fmt: output_path(item.path, fmt, self.output, item.relative_dir) for fmt in self.output.formats}

    def settings_digest(self, case: dict[str, Any] | None = None) -> str:
        """Fingerprint of everything that shapes the outputs (see ``resume``): what shapes the transcript, the
        formats' own options, and the case details a document shows."""
        return resume.fingerprint(
            {
                **self._transcript_settings(),
                "max_line_width": self.output.max_line_width,
                "max_line_count": self.output.max_line_count,
                "timecodes": self.output.timecodes,
                "mark_pauses": self.output.mark_pauses,
                "lines_per_page": self.output.lines_per_page,
                "case": case or {},
            }
        )

    def transcript_digest(self) -> str:
        """Fingerprint of what shapes the transcript itself, not only a format of it (see ``reuse``)."""
        return resume.fingerprint(self._transcript_settings())

    def _transcript_settings(self) -> dict[str, Any]:
        shaping = {k: v for k, v in self.transcriber.settings().items() if k != "device"}
        return {
            "schema": SCHEMA_VERSION,
            "model_sha256": self.transcriber.model_sha256,
            **shaping,
            "allow_truncated": self.limits.allow_truncated,
            "audio_track": self.limits.audio_track,
        }


def process_file(batch: Batch, item: InputFile, on_progress: ProgressHook) -> FileOutcome:
    """Transcribe one input and write every requested format, or find them current, or leave it to the worker
    that holds its claim; on failure leave nothing of this run behind and restore any output moved aside."""
    started = time.monotonic()
    targets = batch.targets(item)
    folder = next(iter(targets.values())).parent
    try:
        check_readable(item.path)  # a missing input is "not found", whatever its outputs' names would be
        try:
            plan = _plan(batch, item, targets)
        except OutputEditedError:  # or another worker's outputs, not yet in its record: judged under the claim
            plan = None
        if plan is not None and plan.skip:
            return FileOutcome(item.path, Status.skipped, outputs=tuple(targets.values()), warnings=plan.warnings)
        try:
            check_writable(folder)
        except OutputUnwritableError as e:
            raise e.for_input(item.path) from None
        held = claims.try_claim(item.path, folder, timeout=batch.claim_timeout)
    except SttError as error:
        return _failed(item, folder, error, started)
    except OSError as error:
        failure = OutputUnwritableError(folder, error.strerror or str(error), source=item.path)
        return _failed(item, folder, failure, started)
    if isinstance(held, claims.ClaimInfo):
        note = f"claimed by {held.owner} since {held.since}" if held.pid else "claimed by another worker"
        return FileOutcome(item.path, Status.claimed, warnings=(note,), elapsed=time.monotonic() - started)
    with claims.holding(held):
        return _claimed_file(batch, item, held, on_progress, started)


def _plan(batch: Batch, item: InputFile, targets: dict[OutputFormat, Path]) -> resume.Plan:
    digest = batch.settings_digest(batch.case.settings_for(item.path))
    return resume.plan_outputs(
        item.path, targets, digest=digest, overwrite=batch.overwrite, protected=batch.protected
    )


def _claimed_file(
    batch: Batch, item: InputFile, claim: claims.Claim, on_progress: ProgressHook, started: float
) -> FileOutcome:
    """The work on a recording this worker holds the claim of."""
    targets = batch.targets(item)
    folder = next(iter(targets.values())).parent
    written: list[Path] = []
    extra: list[Path] = []  # the kept transcript: undone with the outputs, but not one of them
    moved: list[tuple[Path, Path]] = []
    record_file = resume.record_path(item.path, folder)
    try:
        plan = _plan(batch, item, targets)  # another worker may have finished it since the first look
        if plan.skip or _finished_in_this_run(batch, record_file):
            return FileOutcome(item.path, Status.skipped, outputs=tuple(targets.values()), warnings=plan.warnings)
        digest = batch.settings_digest(batch.case.settings_for(item.path))
        transcript, reused = _transcript(batch, item, record_file, on_progress)
        if not claim.still_ours():  # this worker was frozen past the timeout and another took the file over
            raise ClaimLostError(item.path)
        for path in plan.aside:
            moved.append((path, _move_aside(item.path, path)))
        for fmt, target in plan.write.items():
            written.append(_write(batch, fmt, transcript, target, item.path))
        written_now = {
            fmt.value: resume.Entry(path.name, sha256_file(path), digest) for fmt, path in plan.write.items()
        }
        kept = _keep(batch, record_file, transcript, extra)
        record = resume.Record(
            digest, transcript.input.size_bytes, transcript.input.sha256, {**plan.kept, **written_now}, kept,
            duration=transcript.duration,
        )  # fmt: skip
        resume.write_record(record_file, record, source=item.path)
    except (Exception, KeyboardInterrupt) as error:
        _undo(written + extra, moved)
        if isinstance(error, KeyboardInterrupt):
            raise
        if not isinstance(error, SttError):
            logger.exception("%s: unexpected error", shown(item.path))
            error = InternalError(item.path, error)
        return _failed(item, folder, error, started)
    failures.clear(item.path, folder)
    notes = [f"kept the edited {old.name} as {new.name}" for old, new in moved]
    notes += [reused.note] if reused is not None and reused.note not in transcript.warnings else []
    return FileOutcome(
        item.path,
        Status.done,
        outputs=tuple(written),
        warnings=(*transcript.warnings, *plan.warnings, *notes),
        duration=transcript.duration,
        elapsed=time.monotonic() - started,
        review=review_summary(transcript),
    )


def _finished_in_this_run(batch: Batch, record_file: Path) -> bool:
    """With ``overwrite`` nothing is ever current, so a file another worker of the same run has just done is
    recognised by its record, written after this run started."""
    try:
        return batch.overwrite and record_file.stat().st_mtime >= batch.started_at
    except OSError:
        return False


def _failed(item: InputFile, folder: Path, error: SttError, started: float) -> FileOutcome:
    elapsed = time.monotonic() - started
    if isinstance(error, ClaimLostError):  # the worker that took it over transcribes it
        return FileOutcome(item.path, Status.claimed, warnings=(str(error),), elapsed=elapsed)
    failures.note(item.path, folder, error)  # for `stt status`, across workers
    return FileOutcome(item.path, Status.failed, error=error, elapsed=elapsed)


def _transcript(
    batch: Batch, item: InputFile, record_file: Path, on_progress: ProgressHook
) -> tuple[Transcript, reuse.Reused | None]:
    """The input's transcript, with its case details: kept from before when the same recording was transcribed
    with the same settings (not with ``overwrite``: that means transcribe again), else recognised now."""
    reused = None if batch.overwrite else reuse.find(item.path, record_file, batch.transcript_digest())
    if reused is None:
        transcript = batch.transcriber.transcribe(item.path, limits=batch.limits, on_progress=on_progress)
    else:
        transcript = reused.transcript
    case = batch.case.for_recording(item.path, transcript.input.creation_time)
    return dataclasses.replace(transcript, case=case), reused


def _keep(batch: Batch, record_file: Path, transcript: Transcript, made: list[Path]) -> resume.Entry:
    """Keep the transcript beside the record; a file new to this run is added to ``made`` (to undo on failure),
    one kept before stays whatever happens to the run."""
    new = not reuse.kept_path(record_file).exists()
    kept = reuse.keep(record_file, transcript, batch.transcript_digest())
    if new:
        made.append(record_file.with_name(kept.file))
    return kept


def _write(batch: Batch, fmt: OutputFormat, transcript: Transcript, target: Path, source: Path) -> Path:
    try:
        return get_writer(fmt, batch.output).write(transcript, target)
    except OutputUnwritableError as e:
        raise e.for_input(source) from None


def _move_aside(source: Path, path: Path) -> Path:
    backup = resume.backup_path(path)
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
                outcome = process_file(batch, item, events.progress)
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
