"""Writer base: where an output goes and how it is written (atomically)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from stt_cli.fileio import atomic_write_bytes
from stt_cli.options import OutputOptions
from stt_cli.types import Transcript


class ResultWriter:
    """Renders a transcript in one format and writes ``<folder>/<stem>.<extension>``.

    Subclasses set ``extension`` and implement :meth:`render`.
    """

    extension: ClassVar[str]

    def __init__(self, options: OutputOptions):
        self.options = options

    def render(self, transcript: Transcript) -> str:
        raise NotImplementedError

    def render_bytes(self, transcript: Transcript, target: Path | None = None) -> bytes:
        """The file's bytes (UTF-8 text, unless a binary format says otherwise); ``target`` is where they go,
        for a format that points at the recording from there (HTML)."""
        return self.render(transcript).encode("utf-8")

    def write(self, transcript: Transcript, target: Path) -> Path:
        """Write the transcript to ``target`` atomically and return it."""
        atomic_write_bytes(target, self.render_bytes(transcript, target))
        return target
