"""The hearing bench's reference (tests/support/conversations.py): what it calls a clip's speech."""

from __future__ import annotations

import numpy as np

from tests.support import conversations


def test_a_clip_s_own_room_noise_is_not_counted_as_its_speech():
    """A Common Voice clip recorded in a noisy room carries noise inside 30 dB of its loudest frame; the level
    alone counted that lead-in and tail as speech, and the hearing bench then scored correct turns as misses."""
    clip, _ = conversations._clips("id", conversations.ID_VOICES[3])[0]  # a clean recording (noise -60 dB)
    peak = np.sqrt(np.mean(clip**2)) * 4
    noise = np.random.default_rng(0).normal(0.0, peak * 10 ** (-25 / 20), conversations.RATE)
    padded = np.concatenate([noise, clip, noise])
    spoken = conversations._spoken(padded)
    assert spoken, "the clip's speech was lost"
    # The speech starts after the second of noise and ends before the next, give or take a VAD frame.
    assert spoken[0][0] >= 0.9 and spoken[-1][1] <= 1.1 + len(clip) / conversations.RATE, spoken
    heard = sum(b - a for a, b in spoken)
    assert heard >= 0.6 * len(clip) / conversations.RATE, spoken
