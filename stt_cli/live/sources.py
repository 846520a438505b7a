"""Where live audio comes from: a pipe, a file still being written, a finished file replayed at real time, or a
microphone. Each yields 16 kHz ``(channels, samples)`` float32 blocks as the audio arrives (the session mixes
them, or reads each microphone's level with ``--channel-speakers``), and stops within a tenth of a second of
being asked to.

Pipes and growing files are read through :class:`PollingReader`, a file object that FFmpeg reads from: a read
at the current end waits for more bytes instead of reporting the end of the file, until the writer stops (the
pipe closes, or the file has not grown for ``idle`` seconds) or the session is stopped. So a recorder's WAV, MP3,
OGG/Opus or FLAC is decoded by the same PyAV code as any recording, without FFmpeg ever being given a name it
could read as a URL. Every byte read is hashed, for the transcript's record of what was heard.
"""

from __future__ import annotations

import hashlib
import os
import select
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stt_cli.errors import AudioDecodeError, InputNotFoundError, LiveSourceError, UsageError
from stt_cli.fileio import open_input
from stt_cli.media.decode import SAMPLE_RATE, BlockMaker, decode_container, ffmpeg_reason

BLOCK_SECONDS = 0.1  # live audio is handed on in blocks this long: the delay it adds is a tenth of a second
_POLL = 0.05  # s between looks at a pipe or a file that has nothing new
# FFmpeg reads 5 MB or 5 s of a stream to learn its format before it decodes anything; every format a recorder
# writes says what it needs to know in its first packets, so a few kilobytes are enough and text starts sooner.
_LIVE_PROBE = {"probesize": "4096", "analyzeduration": "0", "protocol_whitelist": "file"}


@dataclass(frozen=True)
class StreamFacts:
    """What was learned of a live input once it began: for the transcript's ``input`` record."""

    container: str
    codec: str
    sample_rate: int
    channels: int


class PollingReader:
    """A read-only file object over a pipe or a growing file whose reads wait for data.

    Args:
        fd: an open descriptor (stdin, or the followed file opened read-only).
        stop: set to end the input early (Ctrl-C): the next read reports the end.
        follow: a regular file that may still grow: its end is not the end until ``idle`` seconds pass with
            no growth.
        idle: seconds without new bytes after which a followed file is taken as finished.
    """

    def __init__(self, fd: int, name: Path, stop: threading.Event, *, follow: bool = False, idle: float = 10.0):
        self.fd, self.name, self.stop = fd, name, stop
        self.follow, self.idle = follow, idle
        self.pipe = not stat.S_ISREG(os.fstat(fd).st_mode)
        self.digest = hashlib.sha256()
        self.size = 0  # bytes read
        self._last_data = time.monotonic()

    def read(self, size: int = -1) -> bytes:
        size = size if size > 0 else 1 << 16
        while not self.stop.is_set():
            if self.pipe and not select.select([self.fd], [], [], _POLL)[0]:
                continue
            data = os.read(self.fd, size)
            if data:
                self.digest.update(data)
                self.size += len(data)
                self._last_data = time.monotonic()
                return data
            if self.pipe or not self.follow or time.monotonic() - self._last_data >= self.idle:
                return b""
            if os.fstat(self.fd).st_size < self.size:
                raise LiveSourceError(self.name, "it was cut short while being followed")
            if self._replaced():
                raise LiveSourceError(
                    self.name,
                    "another file was put in its place while it was followed (a recorder that renames its "
                    "finished file over it?): what was heard before is transcribed, the new file was not heard",
                )
            time.sleep(_POLL)
        return b""

    def _replaced(self) -> bool:
        """Whether the followed name now names another file than the one being read."""
        try:
            there = os.stat(self.name)
        except OSError:
            return False  # moved or deleted: what was written so far is all there is
        mine = os.fstat(self.fd)
        return (there.st_ino, there.st_dev) != (mine.st_ino, mine.st_dev)

    def read_exactly(self, size: int) -> bytes:
        """``size`` bytes, or fewer only at the end."""
        parts, got = [], 0
        while got < size:
            data = self.read(size - got)
            if not data:
                break
            parts.append(data)
            got += len(data)
        return b"".join(parts)


def open_followed(path: Path, stop: threading.Event, idle: float) -> PollingReader:
    """A recorder's file, waited for until it appears (``stt live`` may be started before the recorder is; the
    session is stopped as ever with Ctrl-C).

    Raises:
        InputNotFoundError: the session was stopped before it appeared.
        UsageError: it is not a regular file.
    """
    while not path.exists() and not stop.is_set():
        time.sleep(_POLL)
    try:
        with open_input(path) as handle:  # read-only, as every recording is opened
            fd = os.dup(handle.fileno())
    except FileNotFoundError as e:
        raise InputNotFoundError(path) from e
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UsageError(f"--follow needs a file a recorder writes to; {path} is not a regular file")
    return PollingReader(fd, path, stop, follow=True, idle=idle)


def container_blocks(reader: PollingReader, facts: list[StreamFacts]) -> Iterator[np.ndarray]:
    """A container read as it arrives (any format FFmpeg can read as a stream), as 16 kHz ``(channels,
    samples)`` blocks; what the stream is, once known, is appended to ``facts``.

    Raises:
        AudioDecodeError: FFmpeg cannot read it.
    """
    import av

    try:
        with av.open(reader, options=dict(_LIVE_PROBE), metadata_errors="ignore") as container:
            stream = container.streams.audio[0] if container.streams.audio else None
            if stream is not None:
                codec = stream.codec_context
                facts.append(StreamFacts(container.format.name, codec.name, codec.sample_rate, codec.channels))
            maker = BlockMaker(reader.name, block_seconds=BLOCK_SECONDS)
            yield from decode_container(container, maker)
    except av.FFmpegError as e:
        raise AudioDecodeError(reader.name, ffmpeg_reason(e)) from e


def pcm_blocks(reader: PollingReader, rate: int, channels: int) -> Iterator[np.ndarray]:
    """Raw signed 16-bit little-endian PCM, interleaved, as 16 kHz ``(channels, samples)`` blocks."""
    frame_bytes = 2 * channels
    size = max(int(rate * BLOCK_SECONDS), 1) * frame_bytes
    resample = Resampler(rate, channels)
    while True:
        data = reader.read_exactly(size)
        data = data[: len(data) - len(data) % frame_bytes]
        if not data:
            break
        samples = np.frombuffer(data, dtype="<i2").reshape(-1, channels).T.astype(np.float32) / 32768.0
        yield from resample(samples)
    yield from resample(None)


class Resampler:
    """``(channels, samples)`` float32 at any rate in, at 16 kHz out (PyAV's resampler, as for files)."""

    def __init__(self, rate: int, channels: int) -> None:
        self.rate, self.channels = rate, channels
        self._resampler: Any = None

    def __call__(self, samples: np.ndarray | None) -> Iterator[np.ndarray]:
        if self.rate == SAMPLE_RATE:
            if samples is not None:
                yield samples
            return
        import av

        if self._resampler is None:
            layout = {1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels}c")
            self._resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
        frame = None
        if samples is not None:
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples.T.reshape(1, -1)), format="flt", layout=self._resampler.layout.name
            )
            frame.sample_rate = self.rate
        for out in self._resampler.resample(frame):
            yield np.asarray(out.to_ndarray(), dtype=np.float32)


def paced(blocks: Iterator[np.ndarray], pace: float, stop: threading.Event) -> Iterator[np.ndarray]:
    """Blocks let through no faster than ``pace`` times real time (0: as fast as they come)."""
    started = time.monotonic()
    sent = 0
    for block in blocks:
        if stop.is_set():
            return
        sent += block.shape[-1]
        if pace > 0:  # a block is there once its last sample would have been spoken
            due = started + sent / SAMPLE_RATE / pace
            while (wait := due - time.monotonic()) > 0 and not stop.is_set():
                time.sleep(min(wait, _POLL))
        yield block


def file_blocks(path: Path, pace: float, stop: threading.Event, facts: list[StreamFacts]) -> Iterator[np.ndarray]:
    """A finished recording (any format stt reads) replayed ``pace`` times faster than real time.

    Raises:
        AudioDecodeError: FFmpeg cannot read it.
        InputNotFoundError: it is not there.
    """
    import av

    from stt_cli.media.decode import open_container

    try:
        with open_input(path) as handle, open_container(handle) as container:
            if container.streams.audio:
                codec = container.streams.audio[0].codec_context
                facts.append(StreamFacts(container.format.name, codec.name, codec.sample_rate, codec.channels))
            maker = BlockMaker(path, block_seconds=BLOCK_SECONDS)
            yield from paced(decode_container(container, maker), pace, stop)
    except av.FFmpegError as e:
        raise AudioDecodeError(path, ffmpeg_reason(e)) from e
    except FileNotFoundError as e:
        raise InputNotFoundError(path) from e
