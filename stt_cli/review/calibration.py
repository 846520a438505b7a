"""The calibration map: Whisper's word probability -> the share of such words that were right.

Written by ``python -m bench.review --write`` from 1265 words that model ``base`` transcribed
in the shared English and Indonesian sets: logistic (Platt), the map with the lowest calibration error on
held-out clips (bench/README.md). Do not edit by hand.
"""

MODEL = "base"
KNOTS = (
    (0.0000, 0.0002),
    (0.0435, 0.0614),
    (0.0870, 0.1191),
    (0.1304, 0.1742),
    (0.1739, 0.2272),
    (0.2174, 0.2784),
    (0.2609, 0.3279),
    (0.3043, 0.3759),
    (0.3478, 0.4224),
    (0.3913, 0.4676),
    (0.4348, 0.5115),
    (0.4783, 0.5543),
    (0.5217, 0.5959),
    (0.5652, 0.6365),
    (0.6087, 0.6762),
    (0.6522, 0.7149),
    (0.6957, 0.7528),
    (0.7391, 0.7898),
    (0.7826, 0.8262),
    (0.8261, 0.8618),
    (0.8696, 0.8968),
    (0.9130, 0.9314),
    (0.9565, 0.9655),
    (1.0000, 0.9999),
)
