"""Multi-microphone recordings built from real clips: each speaker into their own channel, every voice bleeding
into the other microphones (quieter and a few milliseconds late), each microphone with its own noise floor.

Used by the channel-speaker tests and by bench/channels.py, which score who was heard against who spoke.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATE = 16_000


@dataclass(frozen=True)
class Spoken:
    """Who spoke when in a built recording (seconds), into which channel."""

    channel: int
    start: float
    end: float


def microphones(
    turns: list[tuple[int, np.ndarray]],
    channels: int,
    *,
    bleed_db: float = -15.0,
    gap: float = 0.7,
    overlap_every: int = 0,
    overlap: float = 1.0,
    delay: float = 0.003,
    noise_db: float = -62.0,
    level_db: float = -22.0,
    spread_db: float = 3.0,
    seed: int = 0,
) -> tuple[np.ndarray, list[Spoken]]:
    """``turns``: (channel, 16 kHz mono clip) in speaking order. Every ``overlap_every``-th turn (0: none)
    starts ``overlap`` seconds before the previous one ends, so two voices are heard at once.

    Each microphone's gain is set as a recordist sets it: every clip is brought to ``level_db`` RMS, give or
    take up to ``spread_db`` per channel (the clips themselves were recorded 20 dB apart and more).

    Returns the ``(channels, samples)`` recording and who spoke when.
    """
    rng = np.random.default_rng(seed)
    trims = rng.uniform(-spread_db, spread_db, channels)
    turns = [(channel, _at(clip, level_db + trims[channel])) for channel, clip in turns]
    placed, t = [], 0.0
    for index, (channel, clip) in enumerate(turns):
        start = t
        if overlap_every and index and index % overlap_every == 0:
            start = max(placed[-1].start, t - gap - overlap)
        placed.append(Spoken(channel, start, start + clip.size / RATE))
        t = placed[-1].end + gap
    length = int(max(p.end for p in placed) * RATE) + RATE // 2 + int(delay * RATE)
    out = np.zeros((channels, length), dtype=np.float64)
    gain, shift = 10 ** (bleed_db / 20), int(delay * RATE)
    for (channel, clip), spoken in zip(turns, placed, strict=True):
        first = int(spoken.start * RATE)
        for mic in range(channels):
            if mic == channel:
                out[mic, first : first + clip.size] += clip
            else:
                out[mic, first + shift : first + shift + clip.size] += gain * clip
    out += rng.standard_normal(out.shape) * 10 ** (noise_db / 20)
    return np.clip(out, -1.0, 1.0).astype(np.float32), placed


def _at(clip: np.ndarray, dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(clip, dtype=np.float64))))
    return clip * (10 ** (dbfs / 20) / max(rms, 1e-9))


def speakers_at(moment: float, spoken: list[Spoken]) -> set[int]:
    """The channels whose speaker is talking at ``moment`` (the nearest turn's when none is)."""
    talking = {s.channel for s in spoken if s.start <= moment <= s.end}
    if talking:
        return talking
    nearest = min(spoken, key=lambda s: min(abs(moment - s.start), abs(moment - s.end)))
    return {nearest.channel}


def attributed(words: list[tuple[float, float, int | None]], spoken: list[Spoken]) -> float:
    """Share of words (start, end, channel given) whose channel's speaker was talking at the word's middle."""
    if not words:
        return 0.0
    right = sum(1 for a, b, channel in words if channel in speakers_at((a + b) / 2, spoken))
    return right / len(words)
