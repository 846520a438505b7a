"""A live session from its options to the files it leaves: the live transcript in every format asked for,
the audio heard (when kept), and, with a final pass, the archive transcript made offline from that audio.

Files are named ``<stem>.<ext>``: the stem of the followed or replayed file, else ``--name``, else
``live-<local time>``. With a final pass the archive transcript takes those names and the live one is kept as
``<stem>.live.json``. Before anything is heard, an output that is the input or any recording is refused
(``output_clash``), and so is one that already exists (``output_edited``: an earlier session's transcript, or
``stt transcribe``'s of the same recording), unless ``overwrite``: it is then kept as
``<stem>.edited-<time>.<ext>``, as ``stt transcribe --overwrite`` keeps an edited transcript.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from stt_cli.errors import OutputClashError, OutputEditedError, SttError, UsageError
from stt_cli.fileio import check_name_fits
from stt_cli.live.recording import Recorder, RecordingError
from stt_cli.live.session import LiveEvent, LiveSession, LiveSource
from stt_cli.media import sniff
from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.records.sidecars import backup_path, move_aside
from stt_cli.types import Transcript
from stt_cli.writers import get_writer

if TYPE_CHECKING:
    from stt_cli.pipeline import Transcriber


@dataclass(frozen=True)
class LiveJob:
    """What a live session should leave behind.

    Attributes:
        source: what to listen to.
        output: formats and their options; ``output_dir`` (default: beside a followed or replayed file, else
            the current folder).
        name: the files' stem for a microphone or a pipe (default ``live-<local time>``).
        record: keep the audio heard here, as 16 kHz mono WAV.
        final_pass: transcribe the audio again offline once the session ends, for the archive copy (a
            microphone's or a pipe's audio is then kept as ``<stem>.wav`` unless ``record`` says where).
        overwrite: outputs (and a recording) that already exist are kept aside, not refused.
    """

    source: LiveSource
    output: OutputOptions
    name: str | None = None
    record: Path | None = None
    final_pass: bool = False
    overwrite: bool = False

    @property
    def folder(self) -> Path:
        if self.output.output_dir is not None:
            return self.output.output_dir
        return self.source.path.parent if self.source.path is not None else Path.cwd()

    @functools.cached_property
    def stem(self) -> str:
        """The files' stem, decided once (a microphone's is the local time the session started)."""
        if self.source.path is not None:
            return self.source.path.stem
        return self.name or datetime.now().strftime("live-%Y%m%d-%H%M%S")

    @property
    def recording(self) -> Path | None:
        """Where the audio heard is kept: ``record``, else, for a final pass of a microphone or a pipe,
        ``<stem>.wav``; ``None`` when it is not kept."""
        if self.record is None and self.final_pass and self.source.kind in ("microphone", "stdin"):
            return self.folder / f"{self.stem}.wav"
        return self.record


@dataclass(frozen=True)
class LiveOutcome:
    """What a live session left: its transcripts and files, and what went wrong on the way, if anything (the
    input stopped early, the recording could not be written on): each is reported, and the transcript covers
    all that was heard."""

    live: Transcript
    final: Transcript | None
    outputs: tuple[Path, ...]
    recording: Path | None
    problems: tuple[SttError, ...]


def run_live(
    transcriber: Transcriber,
    job: LiveJob,
    on_event: Callable[[LiveEvent], None],
    stop: threading.Event | None = None,
) -> LiveOutcome:
    """Listen, show, and write: the whole of ``stt live`` below its command line.

    Raises:
        UsageError: the options do not fit together.
        OutputUnwritableError: the output folder cannot be written (checked before listening).
        OutputClashError: an output would replace the input or a recording (checked before listening).
        OutputEditedError: an output exists and ``overwrite`` was not given (checked before listening).
        InputError: nothing could be heard (the source failed at once, or held no audio).
    """
    recording = job.recording
    check_outputs(job)
    recorder = Recorder(recording) if recording is not None else None
    session = LiveSession(transcriber, job.source, recorder, stop)
    try:
        live = session.run(on_event)
    except BaseException:
        if recorder is not None:  # whatever stopped the session, what was recorded is kept
            with contextlib.suppress(SttError):
                recorder.finish()
        raise
    problems = [p for p in (session.problem,) if p is not None]
    kept = _finish(recorder, problems)
    if not job.final_pass:
        return LiveOutcome(live, None, tuple(_write(live, job.output, job.folder, job.stem, job)), kept,
                           tuple(problems))  # fmt: skip
    if recorder is not None and recorder.problem is not None:
        # The recording does not hold the whole session: the live transcript, which does, is the archive copy.
        live = replace(live, warnings=(*live.warnings, "no final pass: the recording does not hold the session"))
        return LiveOutcome(live, None, tuple(_write(live, job.output, job.folder, job.stem, job)), kept,
                           tuple(problems))  # fmt: skip
    audio = kept or job.source.path
    assert audio is not None
    final = transcriber.transcribe(audio)
    final = replace(
        final, provenance=replace(final.provenance, mode="live-final-pass") if final.provenance else None
    )
    live_json = replace(job.output, formats=(OutputFormat.json,))
    outputs = [*_write(final, job.output, job.folder, job.stem, job),
               *_write(live, live_json, job.folder, f"{job.stem}.live", job)]  # fmt: skip
    return LiveOutcome(live, final, tuple(outputs), kept, tuple(problems))


def _finish(recorder: Recorder | None, problems: list[SttError]) -> Path | None:
    """The recording put in place (``None``: none kept), its failure added to ``problems``."""
    if recorder is None:
        return None
    try:
        kept = recorder.finish()
    except RecordingError as e:
        problems.append(e)
        return None
    if recorder.problem is not None:
        problems.append(recorder.problem)
    return kept


def output_paths(job: LiveJob) -> list[Path]:
    """Every transcript file the session will write (the archive copy and ``<stem>.live.json`` with a final
    pass)."""
    paths = [job.folder / f"{job.stem}.{get_writer(f, job.output).extension}" for f in job.output.formats]
    if job.final_pass:
        paths.append(job.folder / f"{job.stem}.live.json")
    return paths


def check_outputs(job: LiveJob) -> None:
    """Before anything is heard: every output's name fits, none is the input or any recording (``stt live
    hearing.txt`` of a recording named like a transcript), and none exists unless ``overwrite`` (an earlier
    transcript of the same name, ``stt transcribe``'s or another session's, is never replaced unasked).

    Raises:
        UsageError: ``--record`` names the input.
        OutputUnwritableError: a name is too long.
        OutputClashError: an output is the input or a recording.
        OutputEditedError: an output exists and ``overwrite`` was not given.
    """
    source = job.source.path
    label = source if source is not None else Path(job.source.label)
    recording = job.recording
    if recording is not None and source is not None and same_file(recording, source):
        raise UsageError("--record would write over the input; choose another file")
    for target in [*output_paths(job), *([recording] if recording is not None else [])]:
        check_name_fits(target)
        if source is not None and same_file(target, source):
            raise OutputClashError(label, target, why="input")
        if target != recording and sniff.is_recording(target):
            raise OutputClashError(label, target, why="recording")
        if target.exists() and not job.overwrite:
            raise OutputEditedError(label, target, backup_path(target), live=True)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the very same file (by inode where both exist, else by their resolved paths)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _write(transcript: Transcript, output: OutputOptions, folder: Path, stem: str, job: LiveJob) -> list[Path]:
    written = []
    for fmt in output.formats:
        writer = get_writer(fmt, output)
        target = folder / f"{stem}.{writer.extension}"
        if target.exists() and job.overwrite:
            move_aside(target)
        written.append(writer.write(transcript, target))
    return written
