"""Plain text: one segment per line."""

from __future__ import annotations

from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter


class TxtWriter(ResultWriter):
    extension = "txt"

    def render(self, transcript: Transcript) -> str:
        return "".join(f"{segment.text}\n" for segment in transcript.segments)
