"""How sure the diarization is of a segment's speaker, from the voices themselves.

The bundled pipeline embeds a window of speech every 0.5 s and scores each against every speaker's centroid
(cosine). A segment's evidence is the windows over its words, each weighted by how much of the words it
covers: the score of the speaker it was given against the best other speaker's. Their margin (0.5 a tie, 1 the
clearest call possible) is mapped through a calibration fitted on the hearing bench (``calibration.py``,
written by ``python -m bench.hearings --write``), so that 0.8 means eight in ten such segments were right.

The turns alone cannot say this: a segment's words lie inside the turns that named them, so a measure made of
the turns gave 1.0 to every line of a hearing in which two speakers were swapped throughout.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from stt_cli.diarization import calibration
from stt_cli.types import Segment


@dataclass(frozen=True)
class Evidence:
    """Each embedding window's span and its cosine similarity to every speaker.

    Attributes:
        starts, ends: the windows' spans in seconds, sorted by start (``(n,)``).
        scores: ``(n, speakers)`` similarities; column ``k`` is the speaker labelled ``labels[k]``.
        labels: the diarization's labels of the columns (``SPEAKER_00``…).
    """

    starts: np.ndarray = field(repr=False)
    ends: np.ndarray = field(repr=False)
    scores: np.ndarray = field(repr=False)
    labels: tuple[str, ...]

    def margin(self, segment: Segment) -> float | None:
        """The raw evidence for the segment's speaker, 0-1 (0.5: a tie with the best other speaker), from the
        windows over its words; ``None`` when no window reaches it or the speaker is not one of the columns."""
        if segment.speaker not in self.labels or len(self.labels) < 2:
            return None
        spans = [(w.start, w.end) for w in segment.words] or [(segment.start, segment.end)]
        longest = float(np.max(self.ends - self.starts)) if len(self.starts) else 0.0
        first = bisect.bisect_left(self.starts.tolist(), spans[0][0] - longest)
        last = bisect.bisect_right(self.starts.tolist(), spans[-1][1])
        if last <= first:
            return None
        a, b = self.starts[first:last], self.ends[first:last]
        weight = np.zeros(last - first)
        for start, end in spans:
            weight += np.clip(np.minimum(b, end) - np.maximum(a, start), 0.0, None)
        if weight.sum() <= 0:
            return None
        mean = weight @ self.scores[first:last] / weight.sum()
        own = self.labels.index(segment.speaker)
        rival = float(np.max(np.delete(mean, own)))
        return float(np.clip((mean[own] - rival + 1.0) / 2.0, 0.0, 1.0))

    def confidence(self, segment: Segment) -> float | None:
        """:meth:`margin` through the calibration: the share of such segments whose speaker was right."""
        raw = self.margin(segment)
        return None if raw is None else calibration.calibrated(raw)
