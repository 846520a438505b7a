"""Output writers, one per format."""

from __future__ import annotations

from pathlib import Path

from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.writers.base import ResultWriter, atomic_write_text
from stt_cli.writers.json import JsonWriter
from stt_cli.writers.subtitles import SrtWriter, VttWriter
from stt_cli.writers.text import TxtWriter

WRITERS: dict[OutputFormat, type[ResultWriter]] = {
    OutputFormat.json: JsonWriter,
    OutputFormat.srt: SrtWriter,
    OutputFormat.vtt: VttWriter,
    OutputFormat.txt: TxtWriter,
}


def get_writer(fmt: OutputFormat, options: OutputOptions) -> ResultWriter:
    return WRITERS[fmt](options)


def output_path(source: Path, fmt: OutputFormat, options: OutputOptions) -> Path:
    """``<output_dir or the input's folder>/<input stem>.<format>``."""
    folder = options.output_dir if options.output_dir is not None else source.parent
    return folder / f"{source.stem}.{WRITERS[fmt].extension}"


__all__ = ["WRITERS", "ResultWriter", "atomic_write_text", "get_writer", "output_path"]
