"""The command seam: what a command was given, as one frozen, typed value, and the library's options built from
it once.

``TranscribeArgs``, ``LiveArgs`` and ``RenderArgs`` hold a command's values as typer parsed them (the command
line, then the environment, then the config file, then the defaults: ``settings.resolve``). They are plain
values, so ``stt transcribe --jobs N`` hands the same object to every worker process (``jobs.py``) and
``stt doctor`` checks a config by planning with it. :func:`plan` turns transcribe's into the library's typed
options (every string parsed in ``parse.py``), raising a usage error for any value that does not fit, before any
model is loaded.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from stt_cli.cli import parse
from stt_cli.errors import UsageError
from stt_cli.options import (
    AsrOptions,
    Device,
    DiarizationOptions,
    InputOptions,
    OutputFormat,
    OutputOptions,
    Task,
)

MAX_JOBS = 64  # worker processes: each loads a model (~0.5-1.5 GB), so more than a big machine's cores is a typo

if TYPE_CHECKING:
    from stt_cli.batch.run import Job
    from stt_cli.case import CaseOptions
    from stt_cli.pipeline import Prepared


@dataclass(frozen=True, kw_only=True)
class OutputArgs:
    """The output options every command that writes formats takes (the same names in each)."""

    formats: tuple[str, ...]
    output_dir: Path | None
    max_line_width: int
    max_line_count: int
    timecodes: bool
    mark_pauses: float
    lines_per_page: int

    def output(self) -> OutputOptions:
        return OutputOptions(
            formats=parse.parse_formats(self.formats), output_dir=self.output_dir,
            max_line_width=self.max_line_width, max_line_count=self.max_line_count, timecodes=self.timecodes,
            mark_pauses=self.mark_pauses, lines_per_page=self.lines_per_page,
        )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class CaseArgs:
    """The case details a command that writes documents takes."""

    meta: tuple[str, ...] | None
    meta_file: Path | None
    start_time: str | None
    roster: Path | None

    def case(self) -> CaseOptions:
        from stt_cli.case import CaseOptions, read_fields, read_roster

        from_file = tuple(read_fields(self.meta_file).items()) if self.meta_file else ()
        given = parse.parse_pairs(list(self.meta or ()))
        roster = read_roster(self.roster) if self.roster else ()
        return CaseOptions(given, from_file, parse.check_start_time(self.start_time), roster)


@dataclass(frozen=True, kw_only=True)
class RecogniserArgs:
    """The options of every command that loads a recogniser (``transcribe`` and ``live``)."""

    model: str
    language: str | None
    device: Device
    compute_type: str
    threads: int
    beam_size: int
    initial_prompt: str | None
    hotwords: str | None
    vad: bool
    channel_speakers: str | None
    offline: bool
    quiet: bool
    verbose: bool


@dataclass(frozen=True, kw_only=True)
class TranscribeArgs(OutputArgs, CaseArgs, RecogniserArgs):
    """``stt transcribe``'s values, one field per option (see its ``--help``)."""

    inputs: tuple[str, ...]
    segment_language: bool
    vocabulary: Path | None
    vocabulary_bias: bool
    task: Task
    word_timestamps: bool
    chunk_length: float
    batch_size: int
    diarize: bool
    num_speakers: int | None
    min_speakers: int | None
    max_speakers: int | None
    speaker_names: str | None
    diarization_model: str | None
    speaker_library: Path | None
    hf_token: str | None
    overwrite: bool
    fail_fast: bool
    max_duration: str
    max_size: str
    allow_truncated: bool
    summary_json: Path | None
    audio_track: int | None
    shard: str | None
    steal: bool
    claim_timeout: str
    jobs: int


@dataclass(frozen=True, kw_only=True)
class RenderArgs(OutputArgs, CaseArgs):
    """``stt render``'s values."""

    transcripts: tuple[Path, ...]
    overwrite: bool
    quiet: bool


@dataclass(frozen=True, kw_only=True)
class EditArgs:
    """``stt edit``'s values."""

    transcript: Path
    recording: Path | None
    port: int
    no_browser: bool
    editor: str | None
    at: str | None
    restore: int | None


@dataclass(frozen=True, kw_only=True)
class CiteArgs:
    """``stt cite``'s values."""

    transcript: Path
    lines: str
    lines_per_page: int
    mark_pauses: float
    audio: Path | None
    recording: Path | None


@dataclass(frozen=True, kw_only=True)
class RedactArgs(OutputArgs):
    """``stt redact``'s values."""

    transcript: Path
    terms: Path
    recording: Path | None
    no_audio: bool
    margin: float
    tone: bool
    name: str | None
    report: Path | None
    model: str | None
    threads: int
    offline: bool


@dataclass(frozen=True, kw_only=True)
class LiveArgs(OutputArgs, RecogniserArgs):
    """``stt live``'s values."""

    source: str | None
    follow: bool
    idle: float
    pace: float
    rate: int | None
    channels: int
    microphone: str | None
    list_devices: bool
    jsonl: bool
    name: str | None
    record: Path | None
    final_pass: bool
    overwrite: bool

    def asr(self) -> AsrOptions:
        return AsrOptions(
            model=self.model, language=self.language, device=self.device, compute_type=self.compute_type,
            threads=self.threads, beam_size=self.beam_size, initial_prompt=self.initial_prompt,
            hotwords=self.hotwords, vad=self.vad, word_timestamps=True,
        )  # fmt: skip


A = TypeVar("A", "TranscribeArgs", "RenderArgs", "LiveArgs", "EditArgs", "CiteArgs", "RedactArgs")


def args_of(kind: type[A], values: dict[str, Any]) -> A:
    """``kind`` from a command's parameter values (lists as tuples, so the value stays frozen), each checked
    against the field's type: what crosses the seam is what the dataclass says, or a ``TypeError`` names it.

    Raises:
        TypeError: a value typer gave is not of its field's type (a declaration out of step with the command).
    """
    hints = typing.get_type_hints(kind)
    given: dict[str, Any] = {}
    for item in fields(kind):
        value = values.get(item.name)
        value = tuple(value) if isinstance(value, list) else value
        if not _fits(value, hints[item.name]):
            raise TypeError(f"{kind.__name__}.{item.name}: {value!r} is not {hints[item.name]}")
        given[item.name] = value
    return kind(**given)


def _fits(value: object, hint: Any) -> bool:
    """Whether ``value`` is of the (simple) type ``hint``: a class, ``X | None``, or ``tuple[X, ...]``."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return any(_fits(value, part) for part in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if typing.get_origin(hint) is tuple:
        inner = typing.get_args(hint)[0]
        return isinstance(value, tuple) and all(_fits(v, inner) for v in value)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, hint)


@dataclass(frozen=True)
class TranscribePlan:
    """What ``stt transcribe`` will do, decided before any model is loaded: the batch's job and how to load
    the recogniser for it."""

    job: Job
    asr: AsrOptions
    diarization: DiarizationOptions | None
    channel_speakers: tuple[str, ...]
    offline: bool

    @property
    def load(self) -> Callable[[], Prepared]:
        """The recogniser, found and checked but not loaded: the batch loads it for the first recording that
        needs recognition, and never when every output is current or made from a kept transcript."""
        from stt_cli.pipeline import Prepared

        return functools.partial(
            Prepared.of, self.asr, self.diarization, offline=self.offline, channel_speakers=self.channel_speakers
        )


def plan(args: TranscribeArgs, *, worker: tuple[int, int] | None = None) -> TranscribePlan:
    """The library's options from the command's values; a usage error for any that does not fit. ``worker`` is
    a ``--jobs`` worker's place among the others."""
    from stt_cli.batch.run import Job

    asr = AsrOptions(
        model=args.model, language=args.language, segment_language=args.segment_language,
        vocabulary=parse.read_vocabulary(args.vocabulary), vocabulary_bias=args.vocabulary_bias, task=args.task,
        device=args.device, compute_type=args.compute_type, threads=args.threads, beam_size=args.beam_size,
        initial_prompt=args.initial_prompt, hotwords=args.hotwords, vad=args.vad,
        word_timestamps=args.word_timestamps, chunk_length=args.chunk_length, batch_size=args.batch_size,
    )  # fmt: skip
    output = args.output()
    channels = parse.parse_channel_speakers(args.channel_speakers)
    case = args.case()
    diarization = _diarization(args, output, channels=bool(channels))
    if diarization is not None and case.roster:
        diarization = dataclasses.replace(diarization, roster=case.roster)
    limits = InputOptions(
        max_duration=parse.parse_duration(args.max_duration), max_size=parse.parse_size(args.max_size),
        allow_truncated=args.allow_truncated, audio_track=args.audio_track,
    )  # fmt: skip
    if not 1 <= args.jobs <= MAX_JOBS:
        raise UsageError(f"--jobs must be between 1 and {MAX_JOBS} (worker processes on this machine)")
    shard = parse.parse_shard(args.shard) if args.shard else parse.shard_from_environment(os.environ)
    job = Job(output=output, limits=limits, overwrite=args.overwrite, fail_fast=args.fail_fast,
              summary=args.summary_json, case=case, shard=shard, steal=args.steal,
              claim_timeout=parse.parse_duration(args.claim_timeout, "claim_timeout", zero=None),
              worker=worker)  # fmt: skip
    if channels and args.diarize:
        raise UsageError("--channel-speakers and --diarize both decide who speaks; choose one")
    return TranscribePlan(job, asr, diarization, channels, args.offline)


def _diarization(args: TranscribeArgs, output: OutputOptions, *, channels: bool) -> DiarizationOptions | None:
    """The speaker options, or ``None`` without --diarize (where speaker options are a usage error, and RTTM
    needs speakers from --channel-speakers)."""
    if args.diarize:
        names = tuple(n.strip() for n in args.speaker_names.split(",")) if args.speaker_names else ()
        return DiarizationOptions(
            model=args.diarization_model, num_speakers=args.num_speakers, min_speakers=args.min_speakers,
            max_speakers=args.max_speakers, speaker_names=names, token=args.hf_token,
            speaker_library=args.speaker_library,
        )  # fmt: skip
    # A token or a library from the environment is there for the runs that diarize, not a mistake in this one.
    asked = (args.diarization_model, args.num_speakers, args.min_speakers, args.max_speakers, args.speaker_names)
    if any(v is not None for v in asked):
        raise UsageError("speaker options need --diarize")
    if OutputFormat.rttm in output.formats and not channels:
        raise UsageError("the rttm format needs speakers: --diarize or --channel-speakers")
    return None
