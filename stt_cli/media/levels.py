"""How loud a recording is, measured as it streams by: for the transcript's record and the reader's warnings.

A transcript of a recording that was far too quiet or clipped deserves a closer look, and the clerk should be
told so without opening an audio editor. Figures are of the decoded 16 kHz signal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stt_cli.media.decode import SAMPLE_RATE

_FRAME = SAMPLE_RATE // 50  # 20 ms frames for the level
_BINS = np.arange(-120.0, 1.0, 0.5)  # dBFS histogram edges
QUIET_DBFS = -45.0  # below this the loud end of the speech is very quiet (Silero lost speech from -60 dBFS RMS)
CLIPPED_SHARE = 0.001  # more samples than this at full scale: the recorder's input was overdriven
_FULL_SCALE = 0.99


@dataclass(frozen=True)
class SignalStats:
    """What the meter measured over a whole recording.

    Attributes:
        level_dbfs: the level the loud end of the recording reaches: the 95th percentile of 20 ms frame RMS
            of the mono mix, in dBFS (speech read close to a microphone is around -20; -60 is far too quiet).
        peak_dbfs: the highest sample, in dBFS.
        clipped_share: share of samples (any channel) at 99 % of full scale or more. Lossless recordings keep
            their clipped samples there; lossy codecs smear them, so on MP3 or AAC this is a lower bound.
    """

    level_dbfs: float
    peak_dbfs: float
    clipped_share: float

    @property
    def quiet(self) -> bool:
        return self.level_dbfs < QUIET_DBFS

    @property
    def clipped(self) -> bool:
        return self.clipped_share > CLIPPED_SHARE


class SignalMeter:
    """Feed it every block as decoded (channels apart) and mixed; read :meth:`stats` at the end."""

    def __init__(self) -> None:
        self._levels = np.zeros(_BINS.shape[0] - 1, dtype=np.int64)
        self._peak = 0.0
        self._clipped = 0
        self._samples = 0
        self._carry = np.zeros(0, dtype=np.float32)

    def update(self, channels: np.ndarray, mono: np.ndarray) -> None:
        if channels.size:
            self._peak = max(self._peak, float(np.abs(channels).max()))
            self._clipped += int(np.count_nonzero(np.abs(channels) >= _FULL_SCALE))
            self._samples += channels.size
        joined = np.concatenate([self._carry, mono]) if self._carry.size else mono
        whole = joined.shape[0] - joined.shape[0] % _FRAME
        self._carry = joined[whole:].copy()
        if whole:
            frames = joined[:whole].reshape(-1, _FRAME).astype(np.float64)
            rms = np.sqrt(np.mean(np.square(frames), axis=1))
            self._levels += np.histogram(_db(rms), bins=_BINS)[0]

    def stats(self) -> SignalStats:
        total = int(self._levels.sum())
        level = -120.0
        if total:
            level = float(_BINS[1 + int(np.searchsorted(np.cumsum(self._levels), 0.95 * total))])
        return SignalStats(
            level_dbfs=level,
            peak_dbfs=float(_db(np.array([self._peak]))[0]),
            clipped_share=self._clipped / self._samples if self._samples else 0.0,
        )


def _db(values: np.ndarray) -> np.ndarray:
    return np.asarray(20 * np.log10(np.maximum(values, 1e-6)))
