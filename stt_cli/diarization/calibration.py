"""The speaker calibration map: a segment's raw voice evidence (``evidence.Evidence.margin``) -> the share of
such segments whose speaker was right.

Identity until ``python -m bench.hearings --write`` fits it on the hearing bench. Do not edit by hand.
"""

from __future__ import annotations

import numpy as np

FITTED_ON = "identity"
KNOTS: tuple[tuple[float, float], ...] = ((0.0, 0.0), (1.0, 1.0))


def calibrated(raw: float) -> float:
    """``raw`` (0-1) through the map."""
    xs, ys = zip(*KNOTS, strict=True)
    return float(np.interp(raw, xs, ys))
