"""The speaker calibration map: a segment's raw voice evidence (``evidence.Evidence.margin``) -> the share of
such segments whose speaker was right.

Identity until ``python -m bench.hearings --write`` fits it on the hearing bench. Do not edit by hand.
"""

from __future__ import annotations

import numpy as np

FITTED_ON = "bench.hearings, even files"
KNOTS: tuple[tuple[float, float], ...] = (
    (0.0000, 0.0007),
    (0.0500, 0.0014),
    (0.1000, 0.0031),
    (0.1500, 0.0065),
    (0.2000, 0.0138),
    (0.2500, 0.0288),
    (0.3000, 0.0595),
    (0.3500, 0.1186),
    (0.4000, 0.2227),
    (0.4500, 0.3789),
    (0.5000, 0.5649),
    (0.5500, 0.7343),
    (0.6000, 0.8547),
    (0.6500, 0.9261),
    (0.7000, 0.9638),
    (0.7500, 0.9827),
    (0.8000, 0.9918),
    (0.8500, 0.9961),
    (0.9000, 0.9982),
    (0.9500, 0.9991),
    (1.0000, 0.9996),
)


def calibrated(raw: float) -> float:
    """``raw`` (0-1) through the map."""
    xs, ys = zip(*KNOTS, strict=True)
    return float(np.interp(raw, xs, ys))
