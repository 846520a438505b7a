"""A live session from its options to the files it leaves: the live transcript in every format asked for,
the audio heard (when kept), and, with a final pass, the archive transcript made offline from that audio.

Files are named ``<stem>.<ext>``: the stem of the followed or replayed file, else ``--name``, else
``live-<local time>``. With a final pass the archive transcript takes those names and the live one is kept as
``<stem>.live.json``. An existing file of the same name is never destroyed: it is kept as
``<stem>.edited-<time>.<ext>``, as ``stt transcribe --overwrite`` keeps an edited transcript.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from stt_cli.errors import OutputUnwritableError, SttError, UsageError
from stt_cli.fileio import check_name_fits
from stt_cli.live.recording import Recorder
from stt_cli.live.session import LiveEvent, LiveSession, LiveSource
from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.records.sidecars import backup_path
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
    """

    source: LiveSource
    output: OutputOptions
    name: str | None = None
    record: Path | None = None
    final_pass: bool = False

    @property
    def folder(self) -> Path:
        if self.output.output_dir is not None:
            return self.output.output_dir
        return self.source.path.parent if self.source.path is not None else Path.cwd()

    @property
    def stem(self) -> str:
        if self.source.path is not None:
            return self.source.path.stem
        return self.name or datetime.now().strftime("live-%Y%m%d-%H%M%S")


@dataclass(frozen=True)
class LiveOutcome:
    """What a live session left: its transcripts and files, and why its input stopped early, if it did."""

    live: Transcript
    final: Transcript | None
    outputs: tuple[Path, ...]
    recording: Path | None
    problem: SttError | None


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
        InputError: nothing could be heard (the source failed at once, or held no audio).
    """
    stem, folder = job.stem, job.folder
    targets = [folder / f"{stem}.{get_writer(f, job.output).extension}" for f in job.output.formats]
    for target in targets:
        check_name_fits(target)
    recording = job.record
    if recording is None and job.final_pass and job.source.kind in ("microphone", "stdin"):
        recording = folder / f"{stem}.wav"
    if recording is not None and job.source.path is not None and recording.resolve() == job.source.path.resolve():
        raise UsageError("--record would write over the input; choose another file")
    recorder = Recorder(recording) if recording is not None else None
    session = LiveSession(transcriber, job.source, recorder, stop)
    try:
        live = session.run(on_event)
    except BaseException:
        if recorder is not None:
            recorder.discard()
        raise
    kept = recorder.finish() if recorder is not None else None
    problem = session.problem
    if not job.final_pass:
        return LiveOutcome(live, None, tuple(_write(live, job.output, folder, stem)), kept, problem)
    audio = kept or job.source.path
    assert audio is not None
    final = transcriber.transcribe(audio)
    final = replace(
        final, provenance=replace(final.provenance, mode="live-final-pass") if final.provenance else None
    )
    live_json = replace(job.output, formats=(OutputFormat.json,))
    outputs = [*_write(final, job.output, folder, stem), *_write(live, live_json, folder, f"{stem}.live")]
    return LiveOutcome(live, final, tuple(outputs), kept, problem)


def _write(transcript: Transcript, output: OutputOptions, folder: Path, stem: str) -> list[Path]:
    written = []
    for fmt in output.formats:
        writer = get_writer(fmt, output)
        target = folder / f"{stem}.{writer.extension}"
        if target.exists():
            backup = backup_path(target)
            try:
                os.rename(target, backup)
            except OSError as e:
                raise OutputUnwritableError(target, f"cannot keep it as {backup.name}: {e.strerror}") from e
        written.append(writer.write(transcript, target))
    return written
