"""Driving a live recogniser in tests as a machine that keeps up would."""

from __future__ import annotations

import numpy as np

BLOCK = 1600  # samples heard at a time: 0.1 s at 16 kHz


def committed_keeping_up(recogniser, samples: np.ndarray) -> list:
    """The words ``recogniser`` (a ``stt_cli.live.online.LiveRecogniser``) commits when the stream is heard 0.1 s
    at a time and every update is decided before the next block arrives: the schedule of decodes is then the
    audio's, not the CPU's, so the result is the same on every run."""
    committed: list = []
    for first in range(0, samples.shape[0], BLOCK):
        recogniser.hear(samples[first : first + BLOCK])
        while (update := recogniser.next_update()) is not None:
            committed += update.committed
    return committed + list(recogniser.finish().committed)
