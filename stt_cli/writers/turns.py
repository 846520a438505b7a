"""Speaker turns for the writers that print paragraphs (TXT, and the documents): consecutive segments of one
speaker form one turn, as a court transcript gives each intervention one paragraph, until a pause of ``gap``
seconds: a recess with the same judge speaking before and after is two paragraphs, the second with its own
timecode (and the documents mark the pause between them). A segment a person marked as starting a paragraph
(a turn split in ``stt edit``) starts one whatever the pause."""

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


PARAGRAPH_GAP = (
    10.0  # s of silence after which one speaker's speech is a new paragraph (the default --mark-pauses)
)


def paragraph_gap(mark_pauses: float) -> float:
    """The pause that starts a new paragraph: the pause the documents mark (``--mark-pauses``), at most
    ``PARAGRAPH_GAP`` (so that with no markers, a recess still gets its own timecode)."""
    return min(mark_pauses, PARAGRAPH_GAP) if mark_pauses > 0 else PARAGRAPH_GAP


def speaker_turns(segments: Iterable[Segment], gap: float = PARAGRAPH_GAP) -> list[Turn]:
    """Consecutive segments of one speaker, with no pause of ``gap`` seconds between them, grouped into turns;
    without speakers, every segment is a turn."""
    turns: list[list[Segment]] = []
    for segment in segments:
        same = turns and segment.speaker is not None and turns[-1][-1].speaker == segment.speaker
        if same and not segment.paragraph and segment.start - turns[-1][-1].end < gap:
            turns[-1].append(segment)
        else:
            turns.append([segment])
    return [Turn(group[0].speaker, tuple(group)) for group in turns]
