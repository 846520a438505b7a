"""Options more than one command takes, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Formats = Annotated[
    list[str],
    typer.Option(
        "--format", "-f", help="json, srt, vtt, txt, rttm: comma list or repeated; all for json,srt,vtt,txt."
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
