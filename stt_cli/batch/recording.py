"""One recording of a batch: its facts computed once (``Recording``), then the work on it: skip it when its
outputs are current, leave it to the worker holding its claim, or transcribe it (or take its kept transcript),
write every format and its record last; on any failure nothing of this run is left and what was moved aside is
put back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from stt_cli.batch.guards import check_writable
from stt_cli.batch.inputs import InputFile
from stt_cli.batch.job import Batch
from stt_cli.batch.outcomes import FileOutcome, Status
from stt_cli.errors import (
    ClaimLostError,
    InputNotFoundError,
    InternalError,
    ModelUnavailableError,
    OutputEditedError,
    OutputUnwritableError,
    SttError,
)
from stt_cli.fileio import atomic_write_bytes, sha256_file, shown, text_of
from stt_cli.media.probe import check_readable
from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.progress import ProgressHook
from stt_cli.records import claims, failures, resume, reuse
from stt_cli.records.sidecars import Sidecars, move_aside
from stt_cli.review.spans import review_summary
from stt_cli.types import Transcript
from stt_cli.writers import get_writer, output_path

logger = logging.getLogger("stt_cli")


@dataclass(frozen=True)
class Recording:
    """One input of a batch with the facts every step of its work needs, each computed once, before any work.

    Attributes:
        item: the input as found.
        targets: format -> the output file.
        sidecars: the record, kept transcript, claim and failure note beside the outputs.
        size: its size when it was found readable.
        case: its case details (the meta file, the ``<stem>.meta.*`` beside it, ``--meta``), read once.
        digest: the settings digest of its outputs (with its case details).
    """

    item: InputFile
    targets: dict[OutputFormat, Path]
    sidecars: Sidecars
    size: int
    case: dict[str, str]
    digest: str

    @property
    def path(self) -> Path:
        return self.item.path

    def sha256(self) -> str:
        """The sha256 of its bytes, hashed on first use only (comparing with a record, finding a kept
        transcript), and then once."""
        return self._sha256

    @functools.cached_property
    def _sha256(self) -> str:
        return sha256_file(self.path)

    @classmethod
    def of(cls, batch: Batch, item: InputFile, targets: dict[OutputFormat, Path], sidecars: Sidecars) -> Recording:
        """The input's facts; a missing or unreadable input is "not found", "unreadable"… whatever its outputs'
        names would be.

        Raises:
            InputError: the input cannot be read.
            UsageError: its case details file cannot be read.
        """
        size = check_readable(item.path)
        case = batch.job.case.fields_for(item.path)
        return cls(item, targets, sidecars, size, case, batch.settings_digest(batch.job.case.settings(case)))


def targets_of(item: InputFile, output: OutputOptions) -> dict[OutputFormat, Path]:
    """Where an input's outputs go (what a clash between two inputs is judged on, readable or not)."""
    return {fmt: output_path(item.path, fmt, output, item.relative_dir) for fmt in output.formats}


def process_file(
    batch: Batch, item: InputFile, targets: dict[OutputFormat, Path], on_progress: ProgressHook
) -> FileOutcome:
    """Transcribe one input and write every requested format (``targets``), or find them current, or leave it
    to the worker that holds its claim; on failure leave nothing of this run behind and restore any output
    moved aside."""
    started = time.monotonic()
    sidecars = Sidecars.of(item.path, next(iter(targets.values())).parent)
    try:
        recording = Recording.of(batch, item, targets, sidecars)
        seen = resume.stamp(sidecars.record)
        try:
            plan: resume.Plan | None = _plan(batch, recording)
        except OutputEditedError:  # or another worker's outputs, not yet in its record: judged under the claim
            plan = None
        if plan is not None and plan.skip:
            return _skipped(recording, plan)
        try:
            check_writable(sidecars.folder)
        except OutputUnwritableError as e:
            raise e.for_input(item.path) from None
        wait = functools.partial(_waiting, on_progress)
        held = claims.claim_for(
            sidecars.claim, timeout=batch.job.claim_timeout, job=_job_key(recording), on_wait=wait
        )
    except SttError as error:
        return _failed(item, sidecars, error, started)
    except OSError as error:
        failure = OutputUnwritableError(sidecars.folder, error.strerror or str(error), source=item.path)
        return _failed(item, sidecars, failure, started)
    if isinstance(held, claims.ClaimInfo):
        note = f"claimed by {held.owner} since {held.since}" if held.pid else "claimed by another worker"
        return FileOutcome(item.path, Status.claimed, warnings=(note,), elapsed=time.monotonic() - started)
    # Another worker may have finished it between the first look and the claim: then its record is new.
    first = plan if plan is not None and resume.stamp(sidecars.record) == seen else None
    with claims.holding(held):
        return _claimed_file(batch, recording, first, held, on_progress, started)


def _job_key(recording: Recording) -> str:
    """What this run makes of the recording: its outputs and the settings digest they are made with (two
    workers of one run share it; another run asking for other formats or settings does not)."""
    return resume.fingerprint(
        {"outputs": sorted(p.name for p in recording.targets.values()), "digest": recording.digest}
    )


def _waiting(on_progress: ProgressHook, held: claims.ClaimInfo) -> None:
    on_progress("wait", held.age, 0.0)


def _plan(batch: Batch, recording: Recording) -> resume.Plan:
    return resume.plan_outputs(
        recording, recording.targets, recording.sidecars.record, digest=recording.digest,
        overwrite=batch.job.overwrite, protected=batch.protected,
    )  # fmt: skip


def _skipped(recording: Recording, plan: resume.Plan) -> FileOutcome:
    return FileOutcome(
        recording.path, Status.skipped, outputs=tuple(recording.targets.values()), warnings=plan.warnings
    )


def _claimed_file(
    batch: Batch,
    recording: Recording,
    plan: resume.Plan | None,
    claim: claims.Claim,
    on_progress: ProgressHook,
    started: float,
) -> FileOutcome:
    """The work on a recording this worker holds the claim of (``plan``: the first look's, when it still holds)."""
    written: list[Path] = []
    extra: list[Path] = []  # the kept transcript: undone with the outputs, but not one of them
    moved: list[tuple[Path, Path]] = []
    source = recording.path
    try:
        plan = plan or _plan(batch, recording)
        if plan.skip or _finished_in_this_run(batch, recording.sidecars.record):
            return _skipped(recording, plan)
        transcript, reused = _transcript(batch, recording, on_progress)
        if not claim.still_ours():  # this worker was frozen past the timeout and another took the file over
            raise ClaimLostError(source)
        for path in plan.aside:
            moved.append((path, _move_aside(source, path)))
        written_now = {}
        for fmt, target in plan.write.items():
            written_now[fmt.value] = resume.Entry(target.name, _write(batch, fmt, transcript, target, source),
                                                  recording.digest)  # fmt: skip
            written.append(target)
        kept = _keep(batch, recording.sidecars, transcript, extra)
        record = resume.Record(
            recording.digest, transcript.input.size_bytes, transcript.input.sha256, {**plan.kept, **written_now},
            kept, duration=transcript.duration, input_path=text_of(source.resolve()),
        )  # fmt: skip
        resume.write_record(recording.sidecars.record, record, source=source)
    except (Exception, KeyboardInterrupt) as error:
        _undo(written + extra, moved)
        if isinstance(error, KeyboardInterrupt | ModelUnavailableError):  # models that cannot load: no file can
            raise
        if not isinstance(error, SttError):
            logger.exception("%s: unexpected error", shown(source))
            error = InternalError(source, error)
        return _failed(recording.item, recording.sidecars, error, started)
    failures.clear(recording.sidecars.failure)
    notes = [f"kept the edited {old.name} as {new.name}" for old, new in moved]
    notes += [reused.note] if reused is not None and reused.note not in transcript.warnings else []
    return FileOutcome(
        source,
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
        return batch.job.overwrite and record_file.stat().st_mtime >= batch.started_at
    except OSError:
        return False


def _failed(item: InputFile, sidecars: Sidecars, error: SttError, started: float) -> FileOutcome:
    elapsed = time.monotonic() - started
    if isinstance(error, ClaimLostError):  # the worker that took it over transcribes it
        return FileOutcome(item.path, Status.claimed, warnings=(str(error),), elapsed=elapsed)
    if not isinstance(error, InputNotFoundError):  # a mistyped name is no recording to report on, nor to litter
        failures.note(sidecars.failure, item.path, error)  # for `stt status`, across workers
    return FileOutcome(item.path, Status.failed, error=error, elapsed=elapsed)


def _transcript(
    batch: Batch, recording: Recording, on_progress: ProgressHook
) -> tuple[Transcript, reuse.Reused | None]:
    """The input's transcript, with its case details: kept from before when the same recording was transcribed
    with the same settings, its speakers found again when only who speaks changed (not with ``overwrite``:
    that means transcribe again), else recognised now."""
    source = recording.path
    reused = None
    if not batch.job.overwrite:
        json_path = recording.targets.get(OutputFormat.json) or output_path(
            source, OutputFormat.json, batch.job.output, recording.item.relative_dir
        )
        reused = reuse.corrected(json_path, recording) or reuse.find(
            recording, recording.sidecars, batch.transcript_digest
        )
    if reused is None and not batch.job.overwrite:
        earlier = reuse.find_words(recording, recording.sidecars, batch.words_digest)
        if earlier is not None:
            again = batch.transcriber.speakers_again(
                earlier.transcript, source, limits=batch.job.limits, on_progress=on_progress
            )
            reused = reuse.Reused(again, earlier.note)
    if reused is None:
        transcript = batch.transcriber.transcribe(source, limits=batch.job.limits, on_progress=on_progress)
    else:
        transcript = reused.transcript
    case = batch.job.case.info(recording.case, transcript.input.creation_time)
    return dataclasses.replace(transcript, case=case), reused


def _keep(batch: Batch, sidecars: Sidecars, transcript: Transcript, made: list[Path]) -> resume.Entry:
    """Keep the transcript beside the record; a file new to this run is added to ``made`` (to undo on failure),
    one kept before stays whatever happens to the run."""
    new = not sidecars.transcript.exists()
    kept = reuse.keep(sidecars, transcript, batch.transcript_digest, batch.words_digest)
    if new:
        made.append(sidecars.transcript)
    return kept


def _write(batch: Batch, fmt: OutputFormat, transcript: Transcript, target: Path, source: Path) -> str:
    """Write one output; its sha256 (of the bytes written, not read back) for the record."""
    data = get_writer(fmt, batch.job.output).render_bytes(transcript, target)
    try:
        atomic_write_bytes(target, data)
    except OutputUnwritableError as e:
        raise e.for_input(source) from None
    return hashlib.sha256(data).hexdigest()


def _move_aside(source: Path, path: Path) -> Path:
    try:
        return move_aside(path)
    except OutputUnwritableError as e:
        raise e.for_input(source) from None


def _undo(written: list[Path], moved: list[tuple[Path, Path]]) -> None:
    # A half-written set (SRT done, JSON not) must not be left: remove what this run wrote, and put back
    # what it moved aside. The old record stays: it vouches for outputs by their sha256 only.
    for path in written:
        with contextlib.suppress(OSError):
            os.unlink(path)
    for original, backup in moved:
        with contextlib.suppress(OSError):
            os.rename(backup, original)
