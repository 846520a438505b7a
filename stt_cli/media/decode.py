"""Decode any audio or video file to 16 kHz float32 with PyAV (``probe.py`` checks a file before this runs).

PyAV wheels carry FFmpeg's libraries, so no ``ffmpeg`` binary is needed (a fresh court workstation rarely has
one). Decoding runs through small generators: frames are resampled as they come, so a video's picture stream
is never decoded and compressed bytes are never held whole. Sample indices stay inside this module and
``chunking.py``; everything returned says its times in seconds.

Trust: stt opens each recording itself, read-only, and hands FFmpeg the open file with every protocol but
``file`` forbidden. FFmpeg given a *name* parses it as a URL (a recording called ``tcp:10.0.0.1:80`` makes it
connect out) and some demuxers open further URLs (an SDP file binds UDP sockets); neither can happen here.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from stt_cli.errors import (
    AudioDecodeError,
    EmptyAudioError,
    InputNotFoundError,
    NoAudioStreamError,
    TooLongError,
    UnreadableError,
    UnsupportedFormatError,
)
from stt_cli.fileio import open_input

if TYPE_CHECKING:
    import av.container

SAMPLE_RATE = 16_000  # Hz; what Whisper, Silero VAD and pyannote all expect.


_ANTI_PHASE = -0.3  # correlation below which a channel is taken to be the other one with its polarity inverted


_AV_OPTIONS = {"protocol_whitelist": "file"}  # no network protocol, even for a nested open (SDP, HLS)


@dataclass(frozen=True)
class Audio:
    """A decoded signal: 16 kHz mono float32 in [-1, 1]."""

    samples: np.ndarray

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / SAMPLE_RATE


def open_container(handle: Any) -> av.container.InputContainer:
    """Open an already open file with FFmpeg, with every protocol but ``file`` forbidden."""
    import av

    return av.open(handle, options=dict(_AV_OPTIONS), metadata_errors="ignore")


def iter_channels(
    path: Path, *, track: int = 0, block_seconds: float = 30.0, max_duration: float = 0.0
) -> Iterator[np.ndarray]:
    """Yield one audio track as 16 kHz float32 blocks of shape ``(channels, samples)``, about
    ``block_seconds`` each, starting with the track's start offset as silence.

    The format may change inside a stream (two MP3s or ADTS AACs joined with ``cat``; a recorder switching
    sample rate or channel count): the resampler is rebuilt at each change, and a block never mixes two
    channel counts. Damaged packets in the middle of a file are skipped, as players do, rather than losing
    the whole hearing to one bad frame.

    Raises:
        AudioDecodeError: FFmpeg cannot read the file.
        EmptyAudioError: the audio track decodes to nothing.
        TooLongError: more than ``max_duration`` seconds decoded (when > 0), whatever the header claimed.
    """
    import av

    decoder = BlockMaker(path, block_seconds=block_seconds, max_duration=max_duration)
    try:
        with open_input(path) as handle, open_container(handle) as container:
            yield from decode_container(container, decoder, track)
    except av.FFmpegError as e:
        raise AudioDecodeError(path, ffmpeg_reason(e)) from e
    except FileNotFoundError as e:
        raise InputNotFoundError(path) from e
    except IsADirectoryError as e:
        raise UnsupportedFormatError(path, "a folder") from e
    except OSError as e:
        raise UnreadableError(path, e.strerror or str(e)) from e
    finally:
        # PyAV frames hold FFmpeg buffers that the cyclic collector frees late; on multi-hour batches
        # that shows up as resident memory creeping up file after file.
        gc.collect()
    if decoder.heard == 0:
        raise EmptyAudioError(path)


def decode_container(container: Any, decoder: BlockMaker, track: int = 0) -> Iterator[np.ndarray]:
    """One audio track of an open container, as ``decoder``'s blocks (the caller maps FFmpeg's errors).

    Raises:
        NoAudioStreamError: the container has no such audio track.
    """
    import av

    count = len(container.streams.audio)
    if track >= count:
        raise NoAudioStreamError(decoder.path, f"there is no audio track {track} (it has {count})")
    stream = container.streams.audio[track]
    # Threaded decoding of audio helps little and costs a thread per file in a batch.
    stream.codec_context.thread_type = "NONE"
    start = container.start_time / av.time_base if container.start_time is not None else None
    for frame in _decode_frames(container, stream):
        yield from decoder.push(frame, start)
    yield from decoder.finish()


class BlockMaker:
    """Frames in, 16 kHz ``(channels, samples)`` blocks out: resampling, start padding, limits."""

    def __init__(self, path: Path, *, block_seconds: float, max_duration: float = 0.0) -> None:
        self.path, self.max_duration = path, max_duration
        self.block = int(block_seconds * SAMPLE_RATE)
        self.limit = int(max_duration * SAMPLE_RATE)
        self.pending: list[np.ndarray] = []
        self.total = 0  # samples out, start padding included
        self.heard = 0  # samples decoded from the file
        self.resampler: Any = None
        self.setup: tuple[str, str, int, int] | None = None
        self.started = False

    def push(self, frame: Any, container_start: float | None) -> Iterator[np.ndarray]:
        if not self.started:
            self.started = True
            yield from self._pad_start(frame, container_start)
        setup = (frame.format.name, frame.layout.name, len(frame.layout.channels), frame.sample_rate)
        if setup != self.setup:
            yield from self._flush_resampler()
            if self.setup is not None and setup[2] != self.setup[2]:
                yield from self._emit(force=True)  # a block never mixes two channel counts
            self.setup, self.resampler = setup, _resampler(frame)
        for out in self.resampler.resample(frame):
            yield from self._add(out.to_ndarray())

    def finish(self) -> Iterator[np.ndarray]:
        yield from self._flush_resampler()
        yield from self._emit(force=True)

    def _pad_start(self, frame: Any, container_start: float | None) -> Iterator[np.ndarray]:
        if frame.time is None or container_start is None:
            return
        pad = round((float(frame.time) - container_start) * SAMPLE_RATE)
        if pad > 0:
            yield from self._add(np.zeros((len(frame.layout.channels), pad), dtype=np.float32), heard=False)

    def _flush_resampler(self) -> Iterator[np.ndarray]:
        if self.resampler is not None:
            for out in self.resampler.resample(None):  # the resampler's delay line
                yield from self._add(out.to_ndarray())
            self.resampler = None

    def _add(self, array: np.ndarray, *, heard: bool = True) -> Iterator[np.ndarray]:
        array = np.asarray(array, dtype=np.float32).reshape(-1, array.shape[-1])
        if array.shape[1] == 0:
            return
        self.pending.append(array)
        self.total += array.shape[1]
        if heard:
            self.heard += array.shape[1]
        if self.limit and self.total > self.limit:
            raise TooLongError(self.path, self.total / SAMPLE_RATE, self.max_duration)
        yield from self._emit(force=False)

    def _emit(self, *, force: bool) -> Iterator[np.ndarray]:
        size = sum(a.shape[1] for a in self.pending)
        if self.pending and (force or size >= self.block):
            joined = self.pending[0] if len(self.pending) == 1 else np.concatenate(self.pending, axis=1)
            self.pending = []
            yield np.ascontiguousarray(joined, dtype=np.float32)


def _resampler(frame: Any) -> Any:
    import av

    # Planar float keeps every channel apart, so they can be mixed (or kept) here.
    return av.AudioResampler(format="fltp", layout=frame.layout, rate=SAMPLE_RATE)


def mix_down(block: np.ndarray) -> np.ndarray:
    """``(channels, samples)`` -> mono, without letting channels cancel.

    A plain average of a channel and its polarity-inverted copy is silence (a miswired microphone, a stereo
    recorder with one leg reversed). Each channel whose correlation with the loudest one is clearly negative
    is inverted before averaging; independent microphones (correlation near 0) are simply averaged.
    """
    if block.shape[0] == 1:
        return block[0]
    energy = np.einsum("ij,ij->i", block, block)
    reference = block[int(np.argmax(energy))]
    signs = np.ones(block.shape[0], dtype=np.float32)
    for channel in range(block.shape[0]):
        denominator = float(np.sqrt(energy[channel] * energy.max()))
        if denominator > 0 and float(block[channel] @ reference) / denominator < _ANTI_PHASE:
            signs[channel] = -1.0
    return np.ascontiguousarray((signs[:, None] * block).mean(axis=0), dtype=np.float32)


def iter_audio(
    path: Path, *, track: int = 0, block_seconds: float = 30.0, max_duration: float = 0.0
) -> Iterator[np.ndarray]:
    """:func:`iter_channels`, each block mixed down to mono with :func:`mix_down`."""
    for block in iter_channels(path, track=track, block_seconds=block_seconds, max_duration=max_duration):
        yield mix_down(block)


def full_scale(samples: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    """Samples held to [-1, 1] as float32: some encoders overshoot full scale after resampling, and Whisper's
    features, the recorder's 16-bit WAV and the speaker encoder all assume that range. Every stage that takes
    decoded or heard audio in applies it, after the levels are read (a clipped recording is reported);
    ``in_place`` spares a copy of a whole recording's samples."""
    if in_place and samples.dtype == np.float32:
        return np.clip(samples, -1.0, 1.0, out=samples)
    return np.clip(samples, -1.0, 1.0).astype(np.float32, copy=False)


def load_audio(path: Path, *, track: int = 0, max_duration: float = 0.0) -> Audio:
    """Decode the whole file into memory (about 230 MB per hour of audio)."""
    blocks = list(iter_audio(path, track=track, max_duration=max_duration))
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    return Audio(samples=full_scale(samples, in_place=True))


class Signal(Protocol):
    """A recording's 16 kHz mono signal that a stage reads block by block, as often as it needs, without
    anyone holding it whole."""

    @property
    def duration(self) -> float: ...

    def blocks(self) -> Iterator[np.ndarray]:
        """The whole signal again, in order, as consecutive blocks (float32 in [-1, 1])."""
        ...


@dataclass(frozen=True)
class SignalInMemory:
    """A :class:`Signal` over samples already in memory (a short clip, a library caller's array)."""

    samples: np.ndarray

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / SAMPLE_RATE

    def blocks(self) -> Iterator[np.ndarray]:
        step = 30 * SAMPLE_RATE
        for first in range(0, self.samples.shape[0], step):
            yield self.samples[first : first + step]


@dataclass(frozen=True)
class SignalFromFile:
    """A :class:`Signal` decoded again from the recording each time it is read.

    Why decode again rather than keep the signal or spill it to disk: a whole float32 signal is 230 MB per hour
    (2.8 GB for a 12-hour court day), and a decoded copy on disk is a second, unencrypted copy of confidential
    audio in a temporary folder. Decoding again costs 3 s per hour of WAV, 5 s of MP3 and 14 s of 44.1 kHz AAC
    on a 2-core x86-64 CPU, against about 220 s per hour for the diarization that reads it. The caller checks
    afterwards that the file did not change between readings.
    """

    path: Path
    track: int
    duration: float
    max_duration: float = 0.0

    def blocks(self) -> Iterator[np.ndarray]:
        for block in iter_audio(self.path, track=self.track, max_duration=self.max_duration):
            yield full_scale(block)


def as_signal(samples: np.ndarray | Signal) -> Signal:
    return SignalInMemory(samples) if isinstance(samples, np.ndarray) else samples


def read_spans(signal: Signal, spans: Iterable[tuple[float, float]]) -> Iterator[np.ndarray]:
    """The samples of each ``(start, end)`` span in seconds (at least one sample each), read in one pass.

    Spans must come in order of their start; memory holds the longest span and one block, never the signal.
    """
    blocks = signal.blocks()
    held: list[np.ndarray] = []
    held_first = 0  # sample index of held[0][0]
    held_end = 0
    previous = 0
    for start, end in spans:
        first = _sample_at(start)
        last = max(_sample_at(end), first + 1)
        if first < previous:
            raise ValueError("spans must come in order of their start")
        previous = first
        while held and held_first + held[0].shape[0] <= first:
            held_first += held.pop(0).shape[0]
        while held_end < last:
            block = next(blocks, None)
            if block is None:
                break
            if not held:
                held_first = held_end
            held.append(block)
            held_end += block.shape[0]
        if not held:
            held_first = held_end
        yield _cut(held, held_first, first, last)


def _cut(held: list[np.ndarray], held_first: int, first: int, last: int) -> np.ndarray:
    """A copy of samples ``[first, last)`` from consecutive blocks starting at sample ``held_first``."""
    parts = []
    offset = held_first
    for block in held:
        a, b = max(first - offset, 0), min(last - offset, block.shape[0])
        if a < b:
            parts.append(block[a:b])
        offset += block.shape[0]
        if offset >= last:
            break
    return np.concatenate(parts).astype(np.float32, copy=False) if parts else np.zeros(0, dtype=np.float32)


def _sample_at(seconds: float) -> int:
    # A time computed from a whole number of samples can land a hair below it in floating point.
    return max(0, int(seconds * SAMPLE_RATE + 1e-6))


def _decode_frames(container: Any, stream: Any) -> Iterator[Any]:
    import av

    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.InvalidDataError:
            continue  # a damaged packet: skip it, keep the rest of the recording
        try:
            yield from packet.decode()
        except av.InvalidDataError:
            continue


def ffmpeg_reason(error: Exception) -> str:
    # FFmpeg errors read like "[Errno 1094995529] Invalid data found when processing input: 'x.mp3'";
    # the path is already in our message, so keep only the reason.
    text = getattr(error, "strerror", None) or str(error)
    return text.split(":")[0].strip() or type(error).__name__
