"""Every output format again from a transcript JSON, with no model loaded: ``stt render``.

A clerk who asked for SRT and now needs TXT, or subtitles at another line width, should wait seconds, not
transcribe a 3-hour hearing again. Rendering goes through the very writers ``stt transcribe`` uses, so the
same transcript and options give the same bytes. Nothing here imports torch, faster-whisper or pyannote.

What render writes it records, in the same record ``stt transcribe`` keeps beside the outputs
(``.<stem>.stt.json``): a later render or transcribe then knows those files for stt's own and replaces them
when asked for something else, while a file a person changed since is still never replaced unasked. Every
format of one transcript is made in memory before any is written, so a transcript a writer cannot render
leaves nothing behind, and one format that must not be written (a file a person edited) does not keep the
others from being written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stt_cli.batch.outcomes import BatchResult, FileOutcome, Status
from stt_cli.case import CaseInfo, CaseOptions
from stt_cli.errors import (
    InternalError,
    OutputClashError,
    OutputEditedError,
    OutputUnwritableError,
    SttError,
    UsageError,
)
from stt_cli.fileio import atomic_write_bytes, check_name_fits, shown
from stt_cli.media import sniff
from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.records import resume
from stt_cli.records.sidecars import Sidecars, backup_path, move_aside, transcript_stem
from stt_cli.types import Transcript
from stt_cli.writers import get_writer
from stt_cli.writers.reading import read_transcript

logger = logging.getLogger("stt_cli")


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
    """Render every requested format of every transcript; one transcript's failure never stops the others, and
    two transcripts that would write the same file clash rather than replace each other's."""
    outcomes = []
    claimed: dict[Path, Path] = {}  # output -> the transcript it was written from in this run
    for source in sources:
        outcome = render_one(source, job, claimed)
        claimed.update(dict.fromkeys(outcome.outputs, source))
        on_done(outcome)
        outcomes.append(outcome)
    return BatchResult(tuple(outcomes))


def render_one(source: Path, job: RenderJob, claimed: dict[Path, Path] | None = None) -> FileOutcome:
    """Render one transcript JSON: ``done`` when a file was written, ``skipped`` when all were already current,
    ``failed`` when it cannot be rendered or a format could not be written (the others still are)."""
    started = time.monotonic()

    def failed(error: SttError, written: tuple[Path, ...] = ()) -> FileOutcome:
        return FileOutcome(source, Status.failed, outputs=written, error=error, elapsed=time.monotonic() - started)

    try:
        transcript = _with_case(read_transcript(source), job.case)
        folder = job.output.output_dir or source.parent
        stem = transcript_stem(source, transcript)
        made, problems = _rendered(source, transcript, job.output, folder / stem)
    except SttError as error:
        return failed(error)
    sidecars = Sidecars.of(folder / f"{stem}.json", folder)
    record = resume.read_record(sidecars.record)
    written: list[Path] = []
    current: list[Path] = []
    notes: list[str] = []
    for fmt, (target, data) in made.items():
        try:
            state = _state(source, target, data, fmt, record, (claimed or {}).get(target))
            if state == "current":
                current.append(target)
                continue
            if state == "other":
                if not job.overwrite:
                    raise OutputEditedError(source, target, backup_path(target))
                notes.append(f"kept the earlier {target.name} as {move_aside(target).name}")
            atomic_write_bytes(target, data)
            written.append(target)
        except SttError as error:
            problems.append(error)
        except OSError as error:
            problems.append(OutputUnwritableError(target, error.strerror or str(error), source=source))
    if written:
        _record(sidecars, record, transcript, {f: made[f] for f in made if made[f][0] in written}, job)
    outputs = (*written, *current)
    if problems:
        notes += [str(p) for p in problems[1:]]
        return dataclasses.replace(failed(problems[0], outputs), warnings=tuple(notes))
    status = Status.done if written else Status.skipped
    return FileOutcome(source, status, outputs=outputs, warnings=tuple(notes), elapsed=time.monotonic() - started)


def _rendered(
    source: Path, transcript: Transcript, output: OutputOptions, base: Path
) -> tuple[dict[OutputFormat, tuple[Path, bytes]], list[SttError]]:
    """Every format's target and bytes, made before anything is written; and the formats this transcript
    cannot have (RTTM without speakers), each a usage error of its own.

    Raises:
        InternalError: a writer failed on it (a bug: reported for this transcript alone, nothing written).
    """
    made = {}
    refused: list[SttError] = []
    for fmt in output.formats:
        if fmt is OutputFormat.rttm and not transcript.turns:
            refused.append(UsageError(
                f"{shown(source)}: the rttm format needs speakers, and this transcript has none (it was made "
                "without --diarize or --channel-speakers)"
            ))  # fmt: skip
            continue
        writer = get_writer(fmt, output)
        target = base.with_name(f"{base.name}.{writer.extension}")
        check_name_fits(target)
        try:
            made[fmt] = (target, writer.render_bytes(transcript, target))
        except SttError:
            raise
        except Exception as e:  # a value the reader let through and a writer cannot take
            logger.exception("%s: the %s writer failed", shown(source), fmt.value)
            raise InternalError(source, e) from e
    return made, refused


def _state(
    source: Path,
    target: Path,
    data: bytes,
    fmt: OutputFormat,
    record: resume.Record | None,
    written_from: Path | None,
) -> str:
    """``new`` (nothing there, or stt's own earlier output), ``current`` (the same bytes), or ``other`` (a file
    a person changed, or that stt did not write).

    Raises:
        OutputClashError: the target is the transcript itself, a recording, or what another transcript of this
            run has just written.
    """
    if written_from is not None and written_from != source:
        raise OutputClashError(source, target, why="rendered", by=written_from)
    if fmt is OutputFormat.json and target.exists() and target.resolve() == source.resolve():
        raise OutputClashError(source, target, why="itself")
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
    state = resume.output_state(record, fmt.value, target)
    return "new" if state is resume.OutputState.ours else "other"


def _record(
    sidecars: Sidecars,
    record: resume.Record | None,
    transcript: Transcript,
    written: dict[OutputFormat, tuple[Path, bytes]],
    job: RenderJob,
) -> None:
    """Add what was written to the record beside the outputs (made from the transcript's recording when there
    is none), so that stt knows them for its own next time."""
    digest = resume.fingerprint({"rendered_from": transcript.input.sha256, "output": job.output.settings()})
    entries = {
        f.value: resume.Entry(t.name, hashlib.sha256(d).hexdigest(), digest) for f, (t, d) in written.items()
    }
    if record is None:  # no transcribe run left one here: it vouches for these outputs alone
        record = resume.Record(
            "",
            transcript.input.size_bytes,
            transcript.input.sha256,
            {},
            duration=transcript.duration,
            input_given=transcript.input.path,
        )
    updated = dataclasses.replace(record, outputs={**record.outputs, **entries})
    try:
        resume.write_record(sidecars.record, updated, source=Path(transcript.input.path))
    except OutputUnwritableError:
        logger.warning("%s: the outputs were written, their record could not be", shown(sidecars.record))


def _with_case(transcript: Transcript, given: CaseOptions) -> Transcript:
    """The transcript's case details, with those given now added over them."""
    if not (given.given or given.from_file or given.start_time):
        return transcript
    fields = {**dict(transcript.case.fields), **dict(given.from_file), **dict(given.given)}
    start, source = transcript.case.start_time, transcript.case.start_time_source
    if given.start_time is not None:
        start, source = given.start_time, "given"
    return dataclasses.replace(transcript, case=CaseInfo(tuple(fields.items()), start, source))
