"""Which words of a live hypothesis may be committed: LocalAgreement, as whisper_streaming does it.

Whisper decodes the growing buffer again every second, and the end of each hypothesis changes as more of the
sentence is heard ("the defendant" becomes "the defendant's counsel"). A word is committed once two successive
decodes agree on it and on every word before it; committed words are never taken back. Words that start before
the last committed word ended are what an earlier decode already committed, and a hypothesis that repeats the
last committed words (the buffer, cut just after them, can still hold the end of their sound) has the repeat
removed. Pure logic: times are file seconds, and nothing here knows about audio or models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from stt_cli.types import Word

# Whisper's word times wobble by a few tens of milliseconds between decodes of the same audio; a word that
# starts this little before the committed end is still the next word, not the last one again.
_TIME_SLACK = 0.1  # s
_LONGEST_REPEAT = 5  # words: the longest run of just-committed words looked for at a hypothesis's start


def _same(a: Word, b: Word) -> bool:
    return a.text.strip() == b.text.strip()


@dataclass
class Agreement:
    """LocalAgreement-2 over successive hypotheses of the same audio buffer.

    Attributes:
        committed_end: file seconds at which the last committed word ended.
        pending: the last hypothesis's words after what was committed: provisional, shown but not final.
        recent: the last few committed words, to recognise a hypothesis that says them again.
    """

    committed_end: float = 0.0
    pending: list[Word] = field(default_factory=list)
    recent: list[Word] = field(default_factory=list)

    def offer(self, hypothesis: Sequence[Word]) -> list[Word]:
        """Take a new hypothesis of the buffer; return the words it and the previous one agree on, now
        committed, in order."""
        fresh = self._new_part(hypothesis)
        agreed = 0
        while agreed < min(len(fresh), len(self.pending)) and _same(fresh[agreed], self.pending[agreed]):
            agreed += 1
        committed = fresh[:agreed]
        self.pending = fresh[agreed:]
        self._remember(committed)
        return committed

    def flush(self, hypothesis: Sequence[Word]) -> list[Word]:
        """Commit all of a final hypothesis (the utterance or the input has ended: nothing more will be heard
        to agree with)."""
        committed = self._new_part(hypothesis)
        self.pending = []
        self._remember(committed)
        return committed

    def _new_part(self, hypothesis: Sequence[Word]) -> list[Word]:
        fresh = [w for w in hypothesis if w.start >= self.committed_end - _TIME_SLACK and w.text.strip()]
        if fresh and self.recent and fresh[0].start - self.committed_end < 1.0:
            for size in range(min(_LONGEST_REPEAT, len(fresh), len(self.recent)), 0, -1):
                tail, head = self.recent[-size:], fresh[:size]
                if all(_same(a, b) for a, b in zip(tail, head, strict=True)):
                    return fresh[size:]
        return fresh

    def _remember(self, committed: list[Word]) -> None:
        if committed:
            self.committed_end = max(self.committed_end, committed[-1].end)
            self.recent = (self.recent + committed)[-_LONGEST_REPEAT:]
