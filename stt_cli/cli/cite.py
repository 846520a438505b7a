"""``stt cite``: a record's page:line range back to the recording: the lines, their times and speakers, and with
``--audio`` that stretch of the recording as a lossless file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stt_cli.cli.common import LinesPerPage, MarkPauses
from stt_cli.cli.display import error_line
from stt_cli.cli.plan import CiteArgs, args_of
from stt_cli.errors import SttError, UsageError
from stt_cli.types import WORD_EDGE


def cite(
    ctx: typer.Context,
    transcript: Annotated[Path, typer.Argument(help="The transcript JSON the document was made from.")],
    lines: Annotated[str, typer.Argument(help="PAGE:LINE-PAGE:LINE of the DOCX (12:4-12:9, 12:4-9, 12:4).")],
    lines_per_page: LinesPerPage = 25,
    mark_pauses: MarkPauses = 10.0,
    audio: Annotated[
        Path | None,
        typer.Option(help="Write the cited stretch of the recording here, as FLAC, and print its sha256."),
    ] = None,
    recording: Annotated[
        Path | None,
        typer.Option(help="The recording, if it is neither beside the JSON nor where it was transcribed."),
    ] = None,
) -> None:
    """Print a page:line range of the transcript's DOCX with the times and speakers it holds, and with --audio
    write that stretch of the recording (lossless) for an appeal bundle."""
    from stt_cli.fileio import sha256_file
    from stt_cli.media.excerpt import write_excerpt
    from stt_cli.writers.citation import check_against, parse_range
    from stt_cli.writers.citation import cite as cited_lines
    from stt_cli.writers.html import find_recording, is_the_recording
    from stt_cli.writers.reading import read_transcript

    args = args_of(CiteArgs, ctx.params)
    try:
        first, last = parse_range(args.lines)
        t = read_transcript(args.transcript)
        found = cited_lines(t, first, last, lines_per_page=args.lines_per_page, mark_pauses=args.mark_pauses)
        document = args.transcript.with_suffix(".docx")
        if document.is_file():
            check_against(document, found)
        for line in found:
            when = "" if line.start is None else f"{t.case.clock(line.start)} {line.start:.2f}-{line.end:.2f} s"
            typer.echo(f"{line.page}:{line.line}\t{when}\t{line.speaker or ''}\t{line.text}")
        timed = [line for line in found if line.start is not None and line.end is not None]
        if args.audio is None:
            return
        if not timed:
            raise UsageError(f"{args.lines}: these lines hold no speech, so no stretch of the recording")
        source = args.recording or find_recording(t, args.transcript)
        if source is None or not is_the_recording(source, t):
            raise UsageError(f"the recording {t.input.sha256[:16]}… is not beside the JSON nor at {t.input.path}: "
                             "give it with --recording (it is checked by its sha256)")  # fmt: skip
        # The cited words whole: their times fall inside their sound (WORD_EDGE).
        start = max(0.0, min(line.start or 0.0 for line in timed) - WORD_EDGE)
        end = min(t.duration, max(line.end or 0.0 for line in timed) + WORD_EDGE)
        seconds = write_excerpt(source, start, end, args.audio, t.input.audio_track)
        typer.echo(f"audio: {args.audio} ({seconds:.2f} s: {start:.2f}-{end:.2f} s of {t.input.path}, recording "
                   f"sha256 {t.input.sha256}) sha256 {sha256_file(args.audio)}")  # fmt: skip
    except SttError as error:
        typer.echo(error_line(error), err=True)
        raise typer.Exit(error.exit_code) from None
