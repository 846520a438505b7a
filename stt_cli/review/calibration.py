"""The calibration map: Whisper's word probability -> the share of such words that were right.

Written by ``python -m bench.review --write`` from 1265 words that model ``base`` transcribed
in the shared English and Indonesian sets, by isotonic regression (bench/README.md). Do not edit by
hand.
"""

MODEL = "base"
KNOTS = (
    (0.0000, 0.0000),
    (0.0435, 0.0000),
    (0.0870, 0.0101),
    (0.1304, 0.1067),
    (0.1739, 0.2033),
    (0.2174, 0.2441),
    (0.2609, 0.2776),
    (0.3043, 0.3274),
    (0.3478, 0.3928),
    (0.3913, 0.4379),
    (0.4348, 0.4468),
    (0.4783, 0.4557),
    (0.5217, 0.4627),
    (0.5652, 0.4692),
    (0.6087, 0.6227),
    (0.6522, 0.7622),
    (0.6957, 0.8034),
    (0.7391, 0.8266),
    (0.7826, 0.8407),
    (0.8261, 0.8592),
    (0.8696, 0.9056),
    (0.9130, 0.9461),
    (0.9565, 0.9635),
    (1.0000, 1.0000),
)
