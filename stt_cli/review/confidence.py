"""Calibrated confidence: a word's chance of being right, from Whisper's word probability through the map
``bench/review.py`` fitted on real speech with references (``calibration.py``). A segment's confidence is the
mean of its words'; a file's is the mean over all its words, which is the share of them expected right."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from stt_cli.review.calibration import KNOTS

if TYPE_CHECKING:
    from stt_cli.types import Segment

_X = np.array([x for x, _ in KNOTS])
_Y = np.array([y for _, y in KNOTS])


def calibrated(probability: float) -> float:
    """The share of words with this decoder probability that were right in the calibration data."""
    return float(np.interp(probability, _X, _Y))


def mean_confidence(confidences: Iterable[float | None]) -> float | None:
    """The mean of the known confidences (``None`` when there are none)."""
    known = [c for c in confidences if c is not None]
    return float(np.mean(known)) if known else None


def with_confidence(segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """The segments with every word's calibrated confidence, to the 3 decimals the JSON keeps (so that a
    transcript read back from its JSON flags and averages exactly the same)."""
    return tuple(
        dataclasses.replace(
            s, words=tuple(dataclasses.replace(w, confidence=round(calibrated(w.probability), 3)) for w in s.words)
        )
        for s in segments
    )
