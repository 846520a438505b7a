"""``stt redact``: a public copy of a record, the protected details taken out of its text and covered in its
audio, then proven gone; or, when anything cannot be proven, nothing public at all."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stt_cli.cli.common import Formats, LineCount, LinesPerPage, LineWidth, MarkPauses, Offline, Threads, Timecodes
from stt_cli.cli.display import error_line
from stt_cli.cli.plan import RedactArgs, args_of
from stt_cli.errors import SttError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from stt_cli.types import Transcript


def redact(
    ctx: typer.Context,
    transcript: Annotated[
        Path, typer.Argument(help="The record: the transcript JSON (as corrected in stt edit).")
    ],
    terms: Annotated[
        Path,
        typer.Option(
            help="What to take out: one entry a line (names with | between spellings, /patterns/, "
            "@ START - END), each optionally = its replacement or = initials."
        ),
    ],
    output_dir: Annotated[
        Path,
        typer.Option("--output-dir", "-o", help="The public copy's folder (never the record's).", file_okay=False),
    ],
    formats: Formats = ["json", "txt", "srt", "docx"],  # noqa: B006 - typer needs a literal default; never mutated
    recording: Annotated[
        Path | None,
        typer.Option(
            help="The record's recording, if it is neither beside the JSON nor where it was transcribed."
        ),
    ] = None,
    no_audio: Annotated[
        bool, typer.Option("--no-audio", help="Make the text only, with no public audio.")
    ] = False,
    margin: Annotated[
        float, typer.Option(min=0, max=2, help="Seconds of audio covered before and after each word taken out.")
    ] = 0.25,
    tone: Annotated[bool, typer.Option("--tone", help="Cover with a 1 kHz tone instead of silence.")] = False,
    name: Annotated[str | None, typer.Option(help="The copy's file name (default: the record's).")] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="The court's list of what was taken out (default: <record>.redaction.tsv beside it)."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="The model that listens to the public audio (default: the record's).")
    ] = None,
    threads: Threads = 0,
    offline: Offline = False,
    max_line_width: LineWidth = 42,
    max_line_count: LineCount = 2,
    timecodes: Timecodes = False,
    mark_pauses: MarkPauses = 10.0,
    lines_per_page: LinesPerPage = 25,
) -> None:
    """Write a public copy: the --terms taken out of every format and covered in the audio (timecodes kept),
    then every file searched and the audio transcribed again; if any term is not found or survives, nothing
    public is written."""
    from stt_cli.redact import CopyOptions, make_public_copy, read_terms
    from stt_cli.writers.html import find_recording, is_the_recording
    from stt_cli.writers.reading import read_transcript

    args = args_of(RedactArgs, ctx.params)
    try:
        entries = read_terms(args.terms)
        output = args.output()
        record = read_transcript(args.transcript)
        source = None
        if not args.no_audio:
            source = args.recording or find_recording(record, args.transcript)
            if source is None or not is_the_recording(source, record):
                raise UsageError(f"the recording {record.input.sha256[:16]}… is not beside the JSON nor at "
                                 f"{record.input.path}: give it with --recording, or make the text only with "
                                 "--no-audio")  # fmt: skip
        how = CopyOptions(recording=source, margin=args.margin, tone=args.tone, name=args.name, report=args.report)
        listen = None if source is None else _listener(record, args)
        copy = make_public_copy(args.transcript, entries, output_dir, output, how, listen)
    except SttError as error:
        typer.echo(error_line(error), err=True)
        raise typer.Exit(error.exit_code) from None
    for path in copy.files:
        typer.echo(str(path))
    heard = "transcribed again: nothing taken out was heard" if copy.transcript.redaction and \
        copy.transcript.redaction.listened else "no public audio"  # fmt: skip
    typer.echo(f"{len(copy.removed)} taken out ({heard}); the court's report: {copy.report}", err=True)


def _listener(record: Transcript, args: RedactArgs) -> Callable[[Path], Transcript]:
    """Transcribe the public audio again, with the record's model and language (its vocabulary left out: it
    holds the names)."""
    from stt_cli.options import AsrOptions
    from stt_cli.pipeline import Transcriber

    language = None if record.language == "und" else record.language
    transcriber = Transcriber.load(
        AsrOptions(model=args.model or record.model.name, language=language, threads=args.threads),
        offline=args.offline,
    )
    return transcriber.transcribe
