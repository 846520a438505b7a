"""Plain text: one segment per line."""

from __future__ import annotations

from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter


class TxtWriter(ResultWriter):
    extension = "txt"

    def render(self, transcript: Transcript) -> str:
        # Every line says who speaks, so a line found by grep still has its speaker.
        return "".join(
            f"{transcript.speaker_name(s.speaker)}: {s.text}\n" if s.speaker else f"{s.text}\n"
            for s in transcript.segments
        )
