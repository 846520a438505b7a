"""``stt transcribe``: options in, one call into the batch, the outcome shown. All work is in the library."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stt_cli.cli import settings
from stt_cli.cli.common import (
    ChannelSpeakers,
    ComputeType,
    ConfigFile,
    Formats,
    Hotwords,
    InitialPrompt,
    Language,
    LineCount,
    LinesPerPage,
    LineWidth,
    MarkPauses,
    Meta,
    MetaFile,
    Model,
    Offline,
    OutputDir,
    Quiet,
    Roster,
    StartTime,
    Threads,
    Timecodes,
    Vad,
    Verbose,
    configure_logging,
    go_offline,
)
from stt_cli.cli.display import error_line, events_for, interrupts, print_summary, say
from stt_cli.cli.plan import TranscribeArgs, args_of, plan
from stt_cli.errors import EXIT_INTERRUPTED, SttError, UsageError
from stt_cli.options import DEFAULT_MODEL, Device, Task

if TYPE_CHECKING:
    from stt_cli.batch.outcomes import BatchResult


def transcribe(
    ctx: typer.Context,
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Audio or video files, folders (searched recursively) or quoted glob patterns ('day*/**/*.mp3').",
            show_default=False,
        ),
    ],
    model: Model = DEFAULT_MODEL,
    language: Language = None,
    segment_language: Annotated[
        bool,
        typer.Option("--segment-language", help="Detect each segment's language and decode it in that language."),
    ] = False,
    vocabulary: Annotated[
        Path | None,
        typer.Option(
            help="A file of the case's terms, one per line (names, places, 'Pasal 340 KUHP'): near-misses in "
            "the text are written as the terms are spelled, each correction recorded.",
            dir_okay=False,
        ),
    ] = None,
    vocabulary_bias: Annotated[
        bool,
        typer.Option(
            "--vocabulary-bias",
            help="Also bias decoding towards the vocabulary (hotwords); measured to hurt the bundled base.",
        ),
    ] = False,
    task: Annotated[Task, typer.Option(help="transcribe, or translate into English.")] = Task.transcribe,
    device: Annotated[Device, typer.Option(help="auto uses a CUDA GPU when one is visible.")] = Device.auto,
    compute_type: ComputeType = "auto",
    threads: Threads = 0,
    beam_size: Annotated[int, typer.Option(help="Beam search width; 1 is greedy and faster.")] = 5,
    initial_prompt: InitialPrompt = None,
    hotwords: Hotwords = None,
    vad: Vad = True,
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
    speaker_library: Annotated[
        Path | None,
        typer.Option(
            envvar="STT_SPEAKER_LIBRARY",
            show_default=False,
            help="With --diarize: a voice library (stt speakers enroll); matching speakers take enrolled names.",
        ),
    ] = None,
    channel_speakers: ChannelSpeakers = None,
    hf_token: Annotated[
        str | None,
        typer.Option(
            envvar="HF_TOKEN", show_default=False, help="Hugging Face token, only for a gated hub pipeline."
        ),
    ] = None,
    formats: Formats = ["srt"],  # noqa: B006 - typer needs a literal default; it is never mutated
    max_line_width: LineWidth = 42,
    max_line_count: LineCount = 2,
    timecodes: Timecodes = False,
    mark_pauses: MarkPauses = 10.0,
    lines_per_page: LinesPerPage = 25,
    meta: Meta = None,
    meta_file: MetaFile = None,
    start_time: StartTime = None,
    roster: Roster = None,
    output_dir: OutputDir = None,
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
    offline: Offline = False,
    config: ConfigFile = None,
    shard: Annotated[
        str | None,
        typer.Option(
            show_default=False,
            help="This worker's share K/N of the inputs (default: the scheduler's array variables, Slurm's or a "
            "Kubernetes Indexed Job's).",
        ),
    ] = None,
    steal: Annotated[
        bool,
        typer.Option(
            "--steal", help="Once this shard is done, take other shards' recordings no worker has claimed."
        ),
    ] = False,
    claim_timeout: Annotated[
        str,
        typer.Option(help="A claim not renewed for this long is a dead worker's and is taken over (10m, 600)."),
    ] = "10m",
    jobs: Annotated[
        int,
        typer.Option(
            help="Worker processes on this machine, sharing the inputs through claims (CPU threads split)."
        ),
    ] = 1,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Transcribe recordings; write <name>.<format> next to each input (or under --output-dir)."""
    from stt_cli.batch import run as batch
    from stt_cli.cli.config import load
    from stt_cli.cli.jobs import run_jobs, workers_for

    interrupts.arm()  # Ctrl-C and `kill` stop cleanly until the last file is finished
    try:
        found = load(config)
        args = args_of(TranscribeArgs, settings.resolve(ctx, found, "transcribe"))
        configure_logging(args.verbose)
        if args.offline:
            go_offline()
        try:
            planned = plan(args)
        except UsageError as e:
            raise settings.blamed(e, found, "transcribe") from None
        workers = workers_for(args) if args.jobs > 1 else 1
        if workers > 1:
            result = run_jobs(args, workers)
        else:
            result = batch.run(list(args.inputs), planned.job, planned.load, events_for(args.quiet))
    except SttError as error:
        say(error_line(error))
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:  # while loading the model: nothing was started
        say("stt: interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    interrupts.done()  # the work is done: a signal from now on must not turn it into a failure
    _finish(result, args.quiet)


def _finish(result: BatchResult, quiet: bool) -> None:
    if result.interrupted:
        say("stt: interrupted: finished transcripts are kept; rerun the same command to do the rest")
    if len(result.outcomes) > 1 and not quiet:
        print_summary(result)
    raise typer.Exit(result.exit_code)
