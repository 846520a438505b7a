"""Speaker turns for the writers that print paragraphs (TXT, and the documents): consecutive segments of one
speaker form one turn, as a court transcript gives each intervention one paragraph."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stt_cli.types import Segment


@dataclass(frozen=True)
class Turn:
    """One speaker's consecutive segments (seconds; ``speaker`` is the id, ``None`` when undiarized)."""

    speaker: str | None
    segments: tuple[Segment, ...]

    @property
    def start(self) -> float:
        return self.segments[0].start

    @property
    def end(self) -> float:
        return self.segments[-1].end

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)


def speaker_turns(segments: Iterable[Segment]) -> list[Turn]:
    """Consecutive segments of one speaker grouped into turns; without speakers, every segment is a turn."""
    turns: list[list[Segment]] = []
    for segment in segments:
        if turns and segment.speaker is not None and turns[-1][-1].speaker == segment.speaker:
            turns[-1].append(segment)
        else:
            turns.append([segment])
    return [Turn(group[0].speaker, tuple(group)) for group in turns]
