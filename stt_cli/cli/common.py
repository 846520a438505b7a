"""Options more than one command takes, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from stt_cli.case import CaseOptions
    from stt_cli.options import OutputOptions

Formats = Annotated[
    list[str],
    typer.Option(
        "--format", "-f", help="json, srt, vtt, txt, rttm, docx: comma list or repeated; all for json,srt,vtt,txt."
    ),
]
LineWidth = Annotated[int, typer.Option(help="Subtitle characters per line (SRT, VTT).")]
LineCount = Annotated[int, typer.Option(help="Subtitle lines per cue (SRT, VTT).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")]


def output_folder(beside: str) -> object:
    """The ``--output-dir`` option, saying what outputs are written beside without it."""
    return typer.Option(
        "--output-dir", "-o", help=f"Write here instead of next to each {beside}.", file_okay=False
    )


OutputDir = Annotated[Path | None, output_folder("input")]

Timecodes = Annotated[
    bool,
    typer.Option(
        "--timecodes/--no-timecodes", help="TXT: put [hh:mm:ss] before each turn (DOCX always has them)."
    ),
]
MarkPauses = Annotated[float, typer.Option(help="DOCX: mark pauses of at least this many seconds (0: none).")]
LinesPerPage = Annotated[int, typer.Option(help="DOCX: numbered lines per page.")]
Meta = Annotated[
    list[str] | None,
    typer.Option("--meta", help="A case detail for documents, KEY=VALUE (repeatable): case_number, court, judge…"),
]
MetaFile = Annotated[
    Path | None,
    typer.Option(
        help="Case details for every file, a JSON or TOML table (a <stem>.meta.json/.toml "
        "beside a recording adds its own).",
        dir_okay=False,
    ),
]
StartTime = Annotated[
    str | None,
    typer.Option(
        help="Wall-clock start of the recording, e.g. 2026-11-03T09:12:00 (default: the file's "
        "creation_time tag, if any): timecodes then read on the clock."
    ),
]


def case_options(meta: list[str] | None, meta_file: Path | None, start_time: str | None) -> CaseOptions:
    """The case details a command was given."""
    from stt_cli.case import CaseOptions, check_start_time, parse_pairs, read_fields

    from_file = tuple(read_fields(meta_file).items()) if meta_file else ()
    return CaseOptions(parse_pairs(meta or []), from_file, check_start_time(start_time))


def output_options(v: dict[str, Any]) -> OutputOptions:
    """The output options from a command's values (the same names in every command that writes formats)."""
    from stt_cli.options import OutputOptions, parse_formats

    return OutputOptions(
        formats=parse_formats(v["formats"]), output_dir=v["output_dir"], max_line_width=v["max_line_width"],
        max_line_count=v["max_line_count"], timecodes=v["timecodes"], mark_pauses=v["mark_pauses"],
        lines_per_page=v["lines_per_page"],
    )  # fmt: skip
