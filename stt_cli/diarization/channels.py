"""One speaker per microphone channel (``--channel-speakers``): who speaks is read from the channels' levels,
frame by frame, with no model.

A court recorder gives each microphone (bench, witness stand, prosecution, defence) its own channel, and each
microphone also picks up the others' voices, some 10-20 dB down ("bleed"). So a channel is taken to speak in a
frame when its level is well above its own noise floor *and* within ``MARGIN`` dB of the loudest channel: a
voice's bleed into the other microphones sits ``bleed`` dB below it and is ignored, while two people talking
into their own microphones at once are both within the margin, so overlapping speech is kept. Like a
recorder's automixer, this compares raw levels, so the microphones' input gains should be set alike.

The recognition itself runs on the mix of the named channels (a skipped ``-`` channel, such as a room or
timecode track, is left out of it): bench/channels.py measured recognising the active channel alone against
the mix, see ``bench/README.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stt_cli.asr.chunking import runs
from stt_cli.media.decode import SAMPLE_RATE
from stt_cli.types import Attribution, Segment, SpeakerTurn

FRAME = 0.05  # s per level frame: a syllable is 0.1-0.3 s, so a word spans several frames
_FRAME_SAMPLES = round(FRAME * SAMPLE_RATE)
SMOOTH_FRAMES = 5  # levels are averaged (as power) over 0.25 s, so a plosive or a gap between syllables does
# not flip the speaker
MARGIN = 10.0  # dB below the loudest channel within which a channel still speaks: bleed at -15 dB is out,
# two voices at once within 6 dB of each other are both in (bench/channels.py sweeps it)
ABOVE_FLOOR = 12.0  # dB above a channel's own noise floor (its quietest 5 % of 50 ms frames) to speak at all
FILL_GAP = 0.3  # s; a channel's pauses shorter than this stay inside its turn
SHORTEST_TURN = 0.2  # s; a shorter burst (a cough, a chair) is not a turn
SKIP = "-"


class ChannelLevels:
    """Feed it every decoded ``(channels, samples)`` block; it keeps one level per channel per 50 ms frame
    (16 bytes a second for 4 channels: 700 KB for a 12-hour day)."""

    def __init__(self) -> None:
        self._carry: np.ndarray | None = None
        self._levels: list[np.ndarray] = []

    def update(self, block: np.ndarray) -> None:
        joined = block if self._carry is None else np.concatenate([self._carry, block], axis=1)
        whole = joined.shape[1] - joined.shape[1] % _FRAME_SAMPLES
        self._carry = joined[:, whole:].copy()
        if whole:
            frames = joined[:, :whole].reshape(joined.shape[0], -1, _FRAME_SAMPLES).astype(np.float64)
            self._levels.append(np.mean(np.square(frames), axis=2).astype(np.float32))

    def power(self) -> np.ndarray:
        """Mean power per ``(channel, frame)``."""
        if not self._levels:
            return np.zeros((0, 0), dtype=np.float32)
        return np.concatenate(self._levels, axis=1)


@dataclass(frozen=True)
class ChannelActivity:
    """Who speaks when, from the channels' levels.

    Attributes:
        names: one per channel; ``-`` for a channel left out.
        active: ``(channels, frames)``: the channel speaks in the 50 ms frame.
        power: ``(channels, frames)`` smoothed power; skipped channels are zero.
    """

    names: tuple[str, ...]
    active: np.ndarray
    power: np.ndarray

    @classmethod
    def from_power(cls, power: np.ndarray, names: Sequence[str], *, margin: float = MARGIN) -> ChannelActivity:
        named = np.array([name != SKIP for name in names])
        kernel = np.ones(SMOOTH_FRAMES) / SMOOTH_FRAMES
        smooth = np.array([np.convolve(row, kernel, mode="same") for row in power.astype(np.float64)])
        smooth[~named] = 0.0
        level = 10 * np.log10(np.maximum(smooth, 1e-12))
        raw = 10 * np.log10(np.maximum(power.astype(np.float64), 1e-12))
        floor = np.percentile(raw, 5, axis=1, keepdims=True) if raw.shape[1] else raw[:, :1]
        loudest = level[named].max(axis=0, keepdims=True) if level.shape[1] else level[:, :0]
        # Heard at all: the frame's own level (its edges stay sharp, a 0.1 s click stays short). Louder than
        # bleed: the smoothed levels, so one syllable's dip does not hand the turn to a neighbour's bleed.
        active = named[:, None] & (raw >= floor + ABOVE_FLOOR) & (level >= loudest - margin)
        cleaned = np.array([_clean(row) for row in active]) if active.size else active
        return cls(names=tuple(names), active=cleaned.reshape(active.shape), power=smooth)

    def label(self, channel: int) -> str:
        return f"CHANNEL_{channel + 1}"

    def turns(self) -> tuple[SpeakerTurn, ...]:
        """Every channel's turns, overlapping speech included."""
        found = [
            SpeakerTurn(first * FRAME, last * FRAME, self.label(channel))
            for channel, row in enumerate(self.active)
            for first, last in runs(row)
        ]
        return tuple(sorted(found, key=lambda t: (t.start, t.end)))

    def exclusive(self) -> tuple[SpeakerTurn, ...]:
        """One speaker at a time, for putting speakers on words: where several channels speak, the loudest."""
        loud = np.where(self.active, self.power, -1.0)
        choice = np.where(self.active.any(axis=0), loud.argmax(axis=0), -1)
        turns = []
        for channel in range(self.active.shape[0]):
            turns += [
                SpeakerTurn(first * FRAME, last * FRAME, self.label(channel))
                for first, last in runs(choice == channel)
            ]
        return tuple(sorted(turns, key=lambda t: (t.start, t.end)))

    def names_by_label(self) -> dict[str, str]:
        return {self.label(c): name for c, name in enumerate(self.names) if name != SKIP}

    def segment_confidence(self, segment: Segment) -> float:
        """How clearly a segment (labelled ``CHANNEL_n``) belongs to its channel: the channel's power over its
        words over its own plus the next loudest named channel's (0.5 for two equal voices; 0.97 against bleed
        at -15 dB)."""
        spans = [(w.start, w.end) for w in segment.words] or [(segment.start, segment.end)]
        energy = np.zeros(self.power.shape[0])
        for start, end in spans:
            first = int(start / FRAME)
            energy += self.power[:, first : max(first + 1, int(np.ceil(end / FRAME)))].sum(axis=1)
        channel = int(str(segment.speaker).rsplit("_", 1)[1]) - 1
        others = np.delete(energy, channel)
        best_other = float(others.max()) if others.size else 0.0
        total = float(energy[channel]) + best_other
        return float(energy[channel]) / total if total > 0 else 0.0


def _clean(row: np.ndarray) -> np.ndarray:
    """Fill a channel's short pauses, then drop its bursts too short to be a turn."""
    out = row.copy()
    for (_, end), (start, _) in itertools.pairwise(runs(row)):
        if (start - end) * FRAME < FILL_GAP:
            out[end:start] = True
    for first, last in runs(out):
        if (last - first) * FRAME < SHORTEST_TURN:
            out[first:last] = False
    return out


def by_channel(activity: ChannelActivity, segments: tuple[Segment, ...]) -> Attribution:
    """Speakers from the microphone channels' levels; each segment's confidence from the channels' power."""
    from stt_cli.diarization.assign import attribute

    return attribute(
        segments,
        activity.exclusive(),
        activity.turns(),
        channels=activity.names_by_label(),
        confidence=activity.segment_confidence,
    )
