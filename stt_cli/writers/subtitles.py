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
        names = {s.id: s.name for s in transcript.speakers}
        cues = build_cues(
            transcript.segments,
            max_line_width=self.options.max_line_width,
            max_line_count=self.options.max_line_count,
            speaker_names=names,
            prefix_width=max((len(self.label(n)) for n in names.values()), default=0),
        )
        blocks = [self.header] if self.header else []
        for number, cue in enumerate(cues, start=1):
            timing = f"{self.timestamp(cue.start)} --> {self.timestamp(cue.end)}"
            text = self.label(cue.speaker) + cue.text if cue.speaker else cue.text
            blocks.append("\n".join([*([str(number)] if self.numbered else []), timing, text]))
        return "\n\n".join(blocks) + "\n"

    def label(self, speaker: str) -> str:
        """What precedes a cue's text to say who speaks."""
        return f"{speaker}: "

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

    def label(self, speaker: str) -> str:
        # WebVTT's voice span: players show or style the speaker; "&" and "<" would break the tag.
        return f"<v {speaker.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}>"
