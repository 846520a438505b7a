"""The ``stt`` command: arguments in, options out, progress and errors shown. All work is in the library."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stt_cli import __version__
from stt_cli.cli_admin import doctor, models_app
from stt_cli.console import SafeConsole, guarded, interrupts
from stt_cli.errors import EXIT_INTERRUPTED, SttError, UsageError
from stt_cli.fileio import shown
from stt_cli.options import (
    DEFAULT_MODEL,
    AsrOptions,
    Device,
    DiarizationOptions,
    InputOptions,
    OutputFormat,
    OutputOptions,
    Task,
    parse_duration,
    parse_formats,
    parse_size,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from stt_cli.batch import Batch, BatchEvents, BatchResult, FileOutcome
    from stt_cli.pipeline import Transcriber

app = typer.Typer(
    name="stt",
    help="Offline transcription of court hearings: who said what, and when.",
    add_completion=False,
    no_args_is_help=True,
    # A traceback must never print a token or a confidential path from a local variable.
    pretty_exceptions_show_locals=False,
)


stderr = SafeConsole(stderr=True, highlight=False, soft_wrap=True)
app.add_typer(models_app, name="models")
app.command("doctor")(doctor)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stt {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Offline transcription of court hearings: who said what, and when."""


@app.command()
def transcribe(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Audio or video files, folders (searched recursively) or quoted glob patterns ('day*/**/*.mp3').",
            show_default=False,
        ),
    ],
    model: Annotated[
        str,
        typer.Option(
            "--model", "-m", help="Bundled name (base, tiny.en), Whisper size (large-v3), hub id, or model folder."
        ),
    ] = DEFAULT_MODEL,
    language: Annotated[
        str | None,
        typer.Option("--language", "-l", help="Language code such as en or id; detected when left out."),
    ] = None,
    task: Annotated[Task, typer.Option(help="transcribe, or translate into English.")] = Task.transcribe,
    device: Annotated[Device, typer.Option(help="auto uses a CUDA GPU when one is visible.")] = Device.auto,
    compute_type: Annotated[
        str, typer.Option(help="auto (int8 on CPU, float16 on GPU), int8, int8_float16, float16, float32, …")
    ] = "auto",
    threads: Annotated[int, typer.Option(help="CPU threads; 0 uses every available CPU.")] = 0,
    beam_size: Annotated[int, typer.Option(help="Beam search width; 1 is greedy and faster.")] = 5,
    initial_prompt: Annotated[
        str | None, typer.Option(help="Text to prime decoding with: names, spellings, style.")
    ] = None,
    hotwords: Annotated[str | None, typer.Option(help="Words to bias decoding towards.")] = None,
    vad: Annotated[
        bool,
        typer.Option(
            "--vad/--no-vad",
            help="Skip non-speech with Silero VAD and cut chunks in pauses (stops loops on silence).",
        ),
    ] = True,
    word_timestamps: Annotated[
        bool, typer.Option("--word-timestamps/--no-word-timestamps", help="Time every word.")
    ] = True,
    chunk_length: Annotated[
        float, typer.Option(help="Longest stretch of audio decoded at once, in seconds (cut in a pause).")
    ] = 300.0,
    batch_size: Annotated[
        int, typer.Option(help="Chunks decoded together (faster on a GPU); 1 decodes in order, each primed.")
    ] = 1,
    diarize: Annotated[
        bool, typer.Option("--diarize/--no-diarize", help="Say who speaks: label every segment and word.")
    ] = False,
    num_speakers: Annotated[int | None, typer.Option(help="Exact number of speakers, when known.")] = None,
    min_speakers: Annotated[int | None, typer.Option(help="At least this many speakers.")] = None,
    max_speakers: Annotated[int | None, typer.Option(help="At most this many speakers.")] = None,
    speaker_names: Annotated[
        str | None,
        typer.Option(help="Names in order of first appearance, e.g. 'Judge,Counsel,Witness'."),
    ] = None,
    diarization_model: Annotated[
        str | None,
        typer.Option(
            help="Diarization pipeline folder (community-1 layout) or hub id; bundled offline one if unset."
        ),
    ] = None,
    hf_token: Annotated[
        str | None,
        typer.Option(
            envvar="HF_TOKEN", show_default=False, help="Hugging Face token, only for a gated hub pipeline."
        ),
    ] = None,
    formats: Annotated[
        list[str],
        typer.Option(
            "--format", "-f", help="json, srt, vtt, txt, rttm: comma list or repeated; all for json,srt,vtt,txt."
        ),
    ] = ["srt"],  # noqa: B006 - typer needs a literal default; it is never mutated
    max_line_width: Annotated[int, typer.Option(help="Subtitle characters per line (SRT, VTT).")] = 42,
    max_line_count: Annotated[int, typer.Option(help="Subtitle lines per cue (SRT, VTT).")] = 2,
    output_dir: Annotated[
        Path | None,
        typer.Option("--output-dir", "-o", help="Write here instead of next to each input.", file_okay=False),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Transcribe again even when current outputs exist.")
    ] = False,
    fail_fast: Annotated[
        bool, typer.Option("--fail-fast", help="Stop the batch at the first failed file.")
    ] = False,
    max_duration: Annotated[
        str, typer.Option(help="Refuse recordings longer than this (12h, 90m, 3600); 0 for no limit.")
    ] = "12h",
    max_size: Annotated[
        str, typer.Option(help="Refuse files larger than this (16G, 500M); 0 for no limit.")
    ] = "16G",
    allow_truncated: Annotated[
        bool,
        typer.Option(
            "--allow-truncated", help="Transcribe what can be decoded of a truncated file (with a warning)."
        ),
    ] = False,
    summary_json: Annotated[
        Path | None,
        typer.Option(help="Also write the batch summary as JSON here, for scripts and CI.", dir_okay=False),
    ] = None,
    audio_track: Annotated[
        int | None,
        typer.Option(help="Audio track to transcribe (0 is the first); by default the one with the most speech."),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", envvar="STT_OFFLINE", help="Touch no network at all; a missing model is an error."
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what each stage does.")] = False,
) -> None:
    """Transcribe recordings; write <name>.<format> next to each input (or under --output-dir)."""
    _configure_logging(verbose)
    interrupts.arm()  # Ctrl-C and `kill` stop cleanly until the last file is finished
    if offline:
        _go_offline()
    try:
        asr_options = AsrOptions(
            model=model,
            language=language.lower() if language else None,
            task=task,
            device=device,
            compute_type=compute_type,
            threads=threads,
            beam_size=beam_size,
            initial_prompt=initial_prompt,
            hotwords=hotwords,
            vad=vad,
            word_timestamps=word_timestamps,
            chunk_length=chunk_length,
            batch_size=batch_size,
        )
        output_options = OutputOptions(
            formats=parse_formats(formats),
            output_dir=output_dir,
            max_line_width=max_line_width,
            max_line_count=max_line_count,
        )
        diarization = _diarization_options(
            diarize,
            output_options,
            model=diarization_model,
            num_speakers=num_speakers,
            min_speakers=min_speakers,
            max_speakers=max_speakers,
            speaker_names=speaker_names,
            token=hf_token,
        )
        limits = InputOptions(
            max_duration=parse_duration(max_duration),
            max_size=parse_size(max_size),
            allow_truncated=allow_truncated,
            audio_track=audio_track,
        )
        from stt_cli.batch import Batch, write_summary
        from stt_cli.pipeline import Transcriber

        result = _run(
            inputs,
            quiet=quiet,
            output_dir=output_dir,
            summary=summary_json,
            load=lambda: Transcriber.load(asr_options, diarization),
            make_batch=lambda transcriber: Batch(
                transcriber=transcriber,
                output=output_options,
                limits=limits,
                overwrite=overwrite,
                fail_fast=fail_fast,
            ),
        )
        interrupts.done()  # the work is done: a signal from now on must not turn it into a failure
        if summary_json is not None:
            write_summary(result, summary_json)
    except SttError as error:
        _say(f"stt: error [{error.code}]: {error}")
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:  # while loading the model: nothing was started
        _say("stt: interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if result.interrupted:
        _say("stt: interrupted: finished transcripts are kept; rerun the same command to do the rest")
    if len(result.outcomes) > 1 and not quiet:
        with guarded(sys.stderr):
            _print_summary(result)
    raise typer.Exit(result.exit_code)


def _diarization_options(
    diarize: bool, output: OutputOptions, *, speaker_names: str | None, **speaker_options
) -> DiarizationOptions | None:
    """The speaker options, or ``None`` without --diarize (where speaker options are a usage error)."""
    if diarize:
        names = tuple(n.strip() for n in speaker_names.split(",")) if speaker_names else ()
        return DiarizationOptions(speaker_names=names, **speaker_options)
    asked = [v for k, v in speaker_options.items() if k != "token"] + [speaker_names]
    if OutputFormat.rttm in output.formats or any(v is not None for v in asked):
        raise UsageError("speaker options and the rttm format need --diarize")
    return None


def _run(
    inputs: list[str],
    *,
    quiet: bool,
    output_dir: Path | None,
    summary: Path | None,
    load: Callable[[], Transcriber],
    make_batch: Callable[[Transcriber], Batch],
) -> BatchResult:
    """Find the inputs; unless there are none, check the output folder, load the models once, run them all."""
    from stt_cli.batch import BatchResult, check_summary_path, check_writable, problem_outcomes, run_batch
    from stt_cli.inputs import discover

    found = discover(inputs)
    if summary is not None:
        check_summary_path(summary, [f.path for f in found.files])
    if not found.files:  # nothing to do: report what the arguments named, load no model
        result = BatchResult(problem_outcomes(found.problems))
        for outcome in result.outcomes:
            _print_outcome(outcome, quiet)
        return result
    if output_dir is not None:
        check_writable(output_dir)
    with _status(quiet, "Loading models…"):
        transcriber = load()
    return run_batch(make_batch(transcriber), list(found.files), _make_events(quiet), problems=found.problems)


def _go_offline() -> None:
    # Read by stt (models.offline_requested) and by huggingface_hub, so no library tries the network.

    for variable in ("STT_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ[variable] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


def _say(line: str) -> None:
    """One line on stderr, names made safe to show; a broken stderr never stops the batch."""
    with guarded(sys.stderr):
        stderr.print(shown(line), markup=False)


def _configure_logging(verbose: bool) -> None:
    # The library only logs; the CLI decides what reaches the terminal.
    level = logging.INFO if verbose else logging.ERROR
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for name in ("stt_cli", "faster_whisper"):
        logging.getLogger(name).setLevel(level)


def _status(quiet: bool, message: str):

    if quiet or not stderr.is_terminal:
        return contextlib.nullcontext()
    return stderr.status(message)


def _make_events(quiet: bool) -> BatchEvents:
    from rich.markup import escape

    from stt_cli.batch import BatchEvents

    class PlainEvents(BatchEvents):
        """One line per file: for logs, CI and pipes."""

        last = False

        def file_started(self, index: int, count: int, source: Path) -> None:
            self.last = index == count

        def file_finished(self, outcome: FileOutcome) -> None:
            if self.last:
                interrupts.done()  # nothing is left to stop: the run is as good as finished
            _print_outcome(outcome, quiet)

    class BarEvents(PlainEvents):
        """A rich bar per file, in audio seconds, with an ETA: for people at a terminal."""

        def __init__(self) -> None:
            from rich.progress import (
                BarColumn,
                Progress,
                TaskID,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[audio]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=stderr,
                transient=True,
            )
            self.task: TaskID | None = None

        def file_started(self, index: int, count: int, source: Path) -> None:
            super().file_started(index, count, source)
            self.bar.start()
            prefix = f"[{index}/{count}] " if count > 1 else ""
            # A name is shown as it is, never read as rich markup ("[red]x.mp3" stays that).
            self.task = self.bar.add_task(escape(f"{prefix}{shown(source.name)}"), total=None, audio="decoding")

        def progress(self, stage: str, completed: float, total: float) -> None:
            if stage in ("transcribe", "diarize") and self.task is not None:
                what = "audio" if stage == "transcribe" else "speakers"
                audio = f"{what} {_clock(completed)} / {_clock(total)}"
                self.bar.update(self.task, completed=completed, total=total, audio=audio)

        def file_finished(self, outcome: FileOutcome) -> None:
            if self.task is not None:
                self.bar.remove_task(self.task)
                self.task = None
            self.bar.stop()
            super().file_finished(outcome)

    if quiet or not stderr.is_terminal:
        return PlainEvents()
    return BarEvents()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _print_outcome(outcome: FileOutcome, quiet: bool) -> None:
    if outcome.error is not None:
        _say(f"stt: error [{outcome.error.code}]: {outcome.error}")
        return
    for warning in outcome.warnings:
        _say(f"stt: warning: {outcome.source}: {warning}")
    if quiet:
        return
    names = ", ".join(str(p) for p in outcome.outputs)
    if outcome.status == "skipped":
        _say(f"skipped: {outcome.source} (current transcripts exist: {names}; --overwrite to redo)")
    else:
        speed = (
            f", {outcome.duration / outcome.elapsed:.1f}x real time"
            if outcome.elapsed and outcome.duration
            else ""
        )
        _say(f"done: {outcome.source} ({outcome.duration or 0:.1f} s audio{speed}) -> {names}")


def _print_summary(result: BatchResult) -> None:
    from rich.table import Table

    from stt_cli.batch import Status

    table = Table(title="stt summary", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("status")
    table.add_column("files", justify="right")
    table.add_column("audio h", justify="right")
    table.add_column("codes")
    for status in Status:
        group = [o for o in result.outcomes if o.status is status]
        if not group:
            continue
        codes: dict[str, int] = {}
        for o in group:
            if o.error is not None:
                codes[o.error.code] = codes.get(o.error.code, 0) + 1
        hours = sum(o.duration or 0.0 for o in group) / 3600
        table.add_row(
            status.value,
            str(len(group)),
            f"{hours:.2f}" if status is Status.done else "",
            ", ".join(f"{code} {n}" for code, n in sorted(codes.items())),
        )
    stderr.print(table)


def main() -> None:
    """The ``stt`` program: Ctrl-C and SIGTERM stop it cleanly while it works, and are ignored once the
    command has finished.

    Python puts the default handlers back while it shuts down, and a Ctrl-C then killed a run whose
    transcripts were all written (exit -2 instead of 0). An ignored signal stays ignored through shutdown,
    in every thread (a blocking mask would not: it is per thread, and CTranslate2's worker threads took the
    signal). Done here, at the process's edge, so that a command run inside another Python process, as the
    tests do, leaves that process's signal handling alone.
    """
    interrupts.install()
    try:
        app()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
