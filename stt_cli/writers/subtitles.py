"""SRT and VTT: the same cues, differing only in header, numbering and timestamp style."""

from __future__ import annotations

from typing import ClassVar

from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter
from stt_cli.writers.cues import build_cues


class SubtitlesWriter(ResultWriter):
    decimal_marker: ClassVar[str]
    header: ClassVar[str]
    numbered: ClassVar[bool]

    def render(self, transcript: Transcript) -> str:
        cues = build_cues(
            transcript.segments,
            max_line_width=self.options.max_line_width,
            max_line_count=self.options.max_line_count,
        )
        blocks = [self.header] if self.header else []
        for number, cue in enumerate(cues, start=1):
            timing = f"{self.timestamp(cue.start)} --> {self.timestamp(cue.end)}"
            blocks.append("\n".join([*([str(number)] if self.numbered else []), timing, cue.text]))
        return "\n\n".join(blocks) + "\n"

    def timestamp(self, seconds: float) -> str:
        millis = round(max(seconds, 0.0) * 1000)
        hours, millis = divmod(millis, 3_600_000)
        minutes, millis = divmod(millis, 60_000)
        secs, millis = divmod(millis, 1000)
        # Hours are always written: hearings run for hours, and both formats allow it.
        return f"{hours:02d}:{minutes:02d}:{secs:02d}{self.decimal_marker}{millis:03d}"


class SrtWriter(SubtitlesWriter):
    extension = "srt"
    decimal_marker = ","
    header = ""
    numbered = True


class VttWriter(SubtitlesWriter):
    extension = "vtt"
    decimal_marker = "."
    header = "WEBVTT"
    numbered = False
