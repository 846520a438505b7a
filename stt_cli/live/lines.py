"""Committed words into lines: what a live display prints, and the segments of the live transcript.

A line closes at the end of a sentence (once it has a few words, so "Mr." does not close one), when the speaker
pauses (the utterance ended), after a gap between words, or when it grows too long to read at a glance. Pure:
words in, lines out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from stt_cli.languages import ends_sentence
from stt_cli.types import Segment, Word

_FEWEST_WORDS = 4  # a sentence end closes a line only after this many words
_LONGEST = 12.0  # a line longer than this closes at the next word
_GAP = 1.5  # s of silence between two words that closes a line


@dataclass(frozen=True)
class Line:
    """Committed words that read as one line, and who said them (with ``--channel-speakers``)."""

    words: tuple[Word, ...]
    speaker: str | None = None

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words).strip()

    def segment(self, index: int) -> Segment:
        """The line as a transcript segment. Its ``avg_logprob`` is the mean log-probability of its words (a
        live decode's own segments are rewritten by the next decode, so theirs are not kept)."""
        logprob = sum(math.log(max(w.probability, 1e-6)) for w in self.words) / len(self.words)
        return Segment(id=index, start=self.start, end=self.end, text=self.text, words=self.words,
                       avg_logprob=logprob)  # fmt: skip


class LineBuilder:
    """Collects committed words; hands back each line as it closes."""

    def __init__(self) -> None:
        self.open: list[Word] = []
        self.speaker: str | None = None

    def add(
        self, committed: Sequence[Word], *, utterance_end: bool, speakers: Sequence[str | None] = ()
    ) -> list[Line]:
        """Add words just committed (and who said each, when known: a new speaker starts a new line); the
        lines they closed, in order."""
        closed = []
        for word, speaker in zip(committed, speakers or [None] * len(committed), strict=True):
            changed = speaker is not None and self.speaker is not None and speaker != self.speaker
            if self.open and (
                changed or word.start - self.open[-1].end > _GAP or word.end - self.open[0].start > _LONGEST
            ):
                closed.append(self._close())
            if not self.open:
                self.speaker = speaker
            self.open.append(word)
            if len(self.open) >= _FEWEST_WORDS and ends_sentence(word.text):
                closed.append(self._close())
        if utterance_end and self.open:
            closed.append(self._close())
        return closed

    def close(self) -> list[Line]:
        """The open line, closed (the input ended)."""
        return [self._close()] if self.open else []

    def _close(self) -> Line:
        line, self.open, self.speaker = Line(tuple(self.open), self.speaker), [], None
        return line
