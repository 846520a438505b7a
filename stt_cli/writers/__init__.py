"""Output writers, one per format."""

from __future__ import annotations

from pathlib import Path

from stt_cli.fileio import atomic_write_text
from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.writers.bas import BasWriter
from stt_cli.writers.base import ResultWriter
from stt_cli.writers.changes import ChangesWriter
from stt_cli.writers.docx import DocxWriter
from stt_cli.writers.html import HtmlWriter
from stt_cli.writers.json import JsonWriter
from stt_cli.writers.review import ReviewWriter
from stt_cli.writers.rttm import RttmWriter
from stt_cli.writers.subtitles import SrtWriter, VttWriter
from stt_cli.writers.text import TxtWriter

WRITERS: dict[OutputFormat, type[ResultWriter]] = {
    OutputFormat.json: JsonWriter,
    OutputFormat.srt: SrtWriter,
    OutputFormat.vtt: VttWriter,
    OutputFormat.txt: TxtWriter,
    OutputFormat.rttm: RttmWriter,
    OutputFormat.docx: DocxWriter,
    OutputFormat.review: ReviewWriter,
    OutputFormat.html: HtmlWriter,
    OutputFormat.changes: ChangesWriter,
    OutputFormat.bas: BasWriter,
}


def get_writer(fmt: OutputFormat, options: OutputOptions) -> ResultWriter:
    return WRITERS[fmt](options)


def output_path(source: Path, fmt: OutputFormat, options: OutputOptions, relative_dir: Path = Path(".")) -> Path:
    """``<input's folder>/<stem>.<format>``, or ``<output_dir>/<relative_dir>/<stem>.<format>``.

    ``relative_dir`` mirrors the input tree below a folder argument, so that ``day1/a.mp3`` and ``day2/a.mp3``
    never write the same file.
    """
    folder = source.parent if options.output_dir is None else options.output_dir / relative_dir
    return folder / f"{source.stem}.{WRITERS[fmt].extension}"


__all__ = ["WRITERS", "ResultWriter", "atomic_write_text", "get_writer", "output_path"]
