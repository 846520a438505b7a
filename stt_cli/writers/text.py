"""Plain text: one line per segment; with speakers, one paragraph per speaker turn."""

from __future__ import annotations

from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter
from stt_cli.writers.turns import speaker_turns


class TxtWriter(ResultWriter):
    extension = "txt"

    def render(self, transcript: Transcript) -> str:
        if not any(s.speaker for s in transcript.segments):
            return "".join(f"{s.text}\n" for s in transcript.segments)
        # A turn is one line led by its speaker (so a line found by grep still says who spoke), and a blank
        # line between turns lets a reader see where the floor changes.
        paragraphs = [
            f"{transcript.speaker_name(turn.speaker)}: {turn.text}" if turn.speaker else turn.text
            for turn in speaker_turns(transcript.segments)
        ]
        return "\n\n".join(paragraphs) + "\n"
