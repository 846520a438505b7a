"""Voice activity, streamed: Silero VAD (the ONNX model in faster-whisper's wheel) fed block by block.

faster-whisper's own ``get_speech_timestamps`` wants the whole signal at once. Court recordings run for hours,
so this module keeps the model's recurrent state and the last few samples between blocks instead: feeding a
file in blocks gives the same per-frame speech probabilities as feeding it whole, and memory stays flat.
Frame indices stay inside this module and ``chunking.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stt_cli.media.decode import SAMPLE_RATE

FRAME_SAMPLES = 512  # samples per VAD frame: the window Silero v5/v6 is trained on at 16 kHz (32 ms)
FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE
_CONTEXT_SAMPLES = 64  # the model sees this much of the previous frame before each frame
# Hysteresis as Silero's reference code does it: speech starts at 0.5 and only ends once the probability
# falls below 0.35, so one quiet syllable does not split a word.
SPEECH_ON = 0.5
SPEECH_OFF = 0.35
# Silero's recurrent state, carried over a long recording, can leave it deaf to quiet speech that follows loud
# speech: on the shared data, a speaker with a cold after 6 minutes of reading was heard in 1 % of frames,
# against 48 % when the clip is checked alone. So the state is cleared after every second of non-speech,
# which is what a fresh start would see anyway. Groups count from the start of the file, so the result does
# not depend on how the signal is split into blocks.
_RESET_GROUP = 32  # frames (1.02 s)
_GROUP_SAMPLES = _RESET_GROUP * FRAME_SAMPLES
# Silero hears speech by its level as much as its shape: measured on the jfk clip, speech at -60 dBFS (RMS)
# lost a word and at -65 dBFS its first 5.8 s; at -70 dBFS nothing was heard, while Whisper itself still
# transcribed it word for word. Far-field court microphones record this low. So what VAD sees is amplified
# until the loud end of the recording's activity reaches _LOUD_ENOUGH; recordings already that loud are not
# touched. Whisper and the diarization get the original. "Activity" is frames at least _ABOVE_FLOOR over the
# noise floor (the 10th percentile of frame levels so far): a hearing that opens with a long silence would
# otherwise have its 95th percentile in the silence, and its first words amplified by 50 dB.
_LOUD_ENOUGH = -40.0  # dBFS of the 95th percentile of active frames
_ABOVE_FLOOR = 15.0  # dB
_MAX_GAIN = 50.0  # dB
_LEVEL_BINS = np.arange(-120.0, 1.0, 1.0)  # dBFS histogram edges for frame levels


class StreamingVad:
    """Speech / non-speech per 32 ms frame for a signal that arrives in blocks.

    Feed blocks in order with :meth:`feed`; each call returns a boolean mask for the frames of every whole
    second (32 frames) now available: the rest waits for the next block, so that the mask is the same however
    the signal is split. :meth:`finish` pads and returns the last frames.
    """

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session: Any = get_vad_model().session
        self._state = np.zeros((2, 1, 1, 128), dtype=np.float32)  # h and c of the LSTM
        self._context = np.zeros(_CONTEXT_SAMPLES, dtype=np.float32)
        self._carry = np.zeros(0, dtype=np.float32)
        self._speaking = False
        self._frames = 0  # frames seen so far
        self._group_peak = 0.0  # the highest probability in the current reset group
        self._levels = np.zeros(_LEVEL_BINS.shape[0] - 1, dtype=np.int64)  # frame levels seen so far
        self.gain_db = 0.0  # the gain applied to the last group, for the record

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """Mask (``True`` = speech) for every whole frame now available, in order."""
        joined = np.concatenate([self._carry, samples]) if self._carry.size else samples
        whole = joined.shape[0] - joined.shape[0] % _GROUP_SAMPLES
        self._carry = joined[whole:].astype(np.float32, copy=True)
        if whole == 0:
            return np.zeros(0, dtype=bool)
        return self._mask(self._probabilities(joined[:whole]))

    def finish(self) -> np.ndarray:
        """Mask for the frames left, the last one zero-padded (empty when nothing is left)."""
        if self._carry.size == 0:
            return np.zeros(0, dtype=bool)
        last = np.zeros(-(-self._carry.size // FRAME_SAMPLES) * FRAME_SAMPLES, dtype=np.float32)
        last[: self._carry.size] = self._carry
        self._carry = np.zeros(0, dtype=np.float32)
        return self._mask(self._probabilities(last))

    def _probabilities(self, samples: np.ndarray) -> np.ndarray:
        frames = samples.astype(np.float32, copy=False).reshape(-1, FRAME_SAMPLES)
        # Each frame is prefixed with the tail of the frame before it, the first with the previous block's.
        contexts = np.empty((frames.shape[0], _CONTEXT_SAMPLES), dtype=np.float32)
        contexts[0] = self._context
        contexts[1:] = frames[:-1, -_CONTEXT_SAMPLES:]
        self._context = frames[-1, -_CONTEXT_SAMPLES:].copy()
        batch = np.concatenate([contexts, frames], axis=1)
        out = []
        done = 0
        while done < batch.shape[0]:
            size = min(_RESET_GROUP - self._frames % _RESET_GROUP, batch.shape[0] - done)
            group = batch[done : done + size] * self._gain(frames[done : done + size])
            output, h, c = self._session.run(None, {"input": group, "h": self._state[0], "c": self._state[1]})
            probabilities = np.asarray(output, dtype=np.float32).reshape(-1)
            out.append(probabilities)
            self._state = np.stack([h, c])
            self._group_peak = max(self._group_peak, float(probabilities.max()))
            done += size
            self._frames += size
            if self._frames % _RESET_GROUP == 0:
                if self._group_peak < SPEECH_OFF:
                    self._state = np.zeros_like(self._state)
                self._group_peak = 0.0
        return np.concatenate(out)

    def _gain(self, frames: np.ndarray) -> np.float32:
        """The linear gain for a group of frames, from the levels of every frame so far (these included)."""
        rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
        self._levels += np.histogram(20 * np.log10(np.maximum(rms, 1e-6)), bins=_LEVEL_BINS)[0]
        self.gain_db = float(np.clip(_LOUD_ENOUGH - _active_level(self._levels), 0.0, _MAX_GAIN))
        return np.float32(10 ** (self.gain_db / 20))

    def _mask(self, probabilities: np.ndarray) -> np.ndarray:
        mask = np.empty(probabilities.shape[0], dtype=bool)
        speaking = self._speaking
        for i, p in enumerate(probabilities.tolist()):
            speaking = p >= SPEECH_ON or (speaking and p >= SPEECH_OFF)
            mask[i] = speaking
        self._speaking = speaking
        return mask


def _active_level(levels: np.ndarray) -> float:
    """The 95th percentile of the frames well above the noise floor (of all frames, if none is)."""
    cumulative = np.cumsum(levels)
    floor = _LEVEL_BINS[int(np.searchsorted(cumulative, 0.10 * cumulative[-1]))]
    active = np.where(_LEVEL_BINS[:-1] >= floor + _ABOVE_FLOOR, levels, 0)
    if not active.any():
        active = levels
    cumulative = np.cumsum(active)
    return float(_LEVEL_BINS[1 + int(np.searchsorted(cumulative, 0.95 * cumulative[-1]))])


def speech_mask(samples: np.ndarray, *, block_seconds: float = 30.0) -> np.ndarray:
    """Speech mask of a whole in-memory signal, one entry per frame (used for short spans and in tests)."""
    vad = StreamingVad()
    step = int(block_seconds * SAMPLE_RATE)
    parts = [vad.feed(samples[i : i + step]) for i in range(0, samples.shape[0], step)]
    parts.append(vad.finish())
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


class NoVad:
    """The stand-in for :class:`StreamingVad` with VAD turned off: every frame counts as speech."""

    def __init__(self) -> None:
        self._carry = 0

    def feed(self, samples: np.ndarray) -> np.ndarray:
        total = self._carry + samples.shape[0]
        self._carry = total % FRAME_SAMPLES
        return np.ones(total // FRAME_SAMPLES, dtype=bool)

    def finish(self) -> np.ndarray:
        last, self._carry = self._carry, 0
        return np.ones(1 if last else 0, dtype=bool)
