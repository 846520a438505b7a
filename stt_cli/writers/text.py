"""Plain text: one line per segment; with speakers, one paragraph per speaker turn; with ``timecodes``, each
turn (or segment) led by ``[hh:mm:ss]`` (on the wall clock when the recording's start is known)."""

from __future__ import annotations

from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter
from stt_cli.writers.pages import mark_text, words_for
from stt_cli.writers.turns import paragraph_gap, speaker_turns


class TxtWriter(ResultWriter):
    extension = "txt"

    def render(self, transcript: Transcript) -> str:
        stamp = (lambda t: f"[{transcript.case.clock(t)}] ") if self.options.timecodes else (lambda t: "")
        if not any(s.speaker for s in transcript.segments):
            return "".join(f"{stamp(s.start)}{s.text}\n" for s in transcript.segments)
        # A turn is one line led by its speaker (so a line found by grep still says who spoke), and a blank
        # line between turns lets a reader see where the floor changes.
        paragraphs = [
            (turn.start, f"{stamp(turn.start)}{transcript.speaker_name(turn.speaker)}: {turn.text}")
            if turn.speaker
            else (turn.start, f"{stamp(turn.start)}{turn.text}")
            for turn in speaker_turns(transcript.segments, paragraph_gap(self.options.mark_pauses))
        ]
        # Stretches a person marked inaudible or crosstalk, each its own paragraph where it falls.
        words = words_for(transcript.language)
        paragraphs += [(m.start, mark_text(transcript, m, words)) for m in transcript.marks]
        return "\n\n".join(text for _, text in sorted(paragraphs, key=lambda p: p[0])) + "\n"
