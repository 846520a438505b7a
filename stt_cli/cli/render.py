"""``stt render``: write formats again from transcript JSON files, with no model loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stt_cli.cli.common import (
    Formats,
    LineCount,
    LinesPerPage,
    LineWidth,
    MarkPauses,
    Meta,
    MetaFile,
    Quiet,
    Roster,
    StartTime,
    Timecodes,
    output_folder,
)
from stt_cli.cli.display import error_line, print_outcome, print_summary
from stt_cli.cli.plan import RenderArgs, args_of
from stt_cli.errors import SttError


def render(
    ctx: typer.Context,
    transcripts: Annotated[
        list[Path], typer.Argument(help="Transcript JSON files written by `stt transcribe -f json`.")
    ],
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
    output_dir: Annotated[Path | None, output_folder("JSON")] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Replace a different existing file (kept as <stem>.edited-<time>.<ext>)."
        ),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Render transcripts again in other formats (seconds, no model): <stem>.<format> next to each JSON."""
    from stt_cli.batch.render import RenderJob, render_all

    args = args_of(RenderArgs, ctx.params)
    try:
        output = args.output()
        if output_dir is not None:
            output_dir.mkdir(parents=True, exist_ok=True)
        job = RenderJob(output=output, overwrite=args.overwrite, case=args.case())
        result = render_all(list(args.transcripts), job, lambda outcome: print_outcome(outcome, args.quiet))
    except SttError as error:
        typer.echo(error_line(error), err=True)
        raise typer.Exit(error.exit_code) from None
    except OSError as error:
        typer.echo(f"stt: error [output_unwritable]: {output_dir}: {error.strerror}", err=True)
        raise typer.Exit(3) from None
    if len(result.outcomes) > 1 and not args.quiet:
        print_summary(result)
    raise typer.Exit(result.exit_code)
