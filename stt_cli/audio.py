"""Decode any audio or video file to 16 kHz mono float32 with PyAV.

PyAV wheels carry FFmpeg's libraries, so no ``ffmpeg`` binary is needed (a fresh court workstation rarely has
one). Decoding runs through small generators: frames are resampled as they come, so a video's picture stream
is never decoded and compressed bytes are never held whole. Sample indices stay inside this module and
``chunking.py``; everything returned says its times in seconds.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stt_cli.errors import AudioDecodeError, EmptyFileError, InputNotFoundError, NoAudioStreamError

SAMPLE_RATE = 16_000  # Hz; what Whisper, Silero VAD and pyannote all expect.


@dataclass(frozen=True)
class MediaInfo:
    """What a probe learned about a file without decoding it.

    Attributes:
        path: the file.
        size_bytes: its size on disk.
        container: FFmpeg's container name, e.g. ``"mp3"`` or ``"matroska,webm"``.
        codec: the audio codec of the first audio stream.
        sample_rate: its native sample rate in Hz.
        channels: its channel count.
        duration: seconds, as the container declares it (``None`` where it declares none).
    """

    path: Path
    size_bytes: int
    container: str
    codec: str
    sample_rate: int
    channels: int
    duration: float | None


@dataclass(frozen=True)
class Audio:
    """A decoded signal: 16 kHz mono float32 in [-1, 1]."""

    samples: np.ndarray

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / SAMPLE_RATE


def check_readable(path: Path) -> int:
    """Raise a clear error unless ``path`` is an existing, non-empty, readable file; return its size."""
    if not path.exists():
        raise InputNotFoundError(path)
    if not path.is_file():
        raise AudioDecodeError(path, "it is a folder, not a file")
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(path)
    try:
        with path.open("rb"):
            pass
    except OSError as e:
        raise AudioDecodeError(path, f"cannot be opened: {e.strerror or e}") from e
    return size


def probe(path: Path) -> MediaInfo:
    """Open the container and describe its first audio stream, without decoding.

    Raises:
        InputNotFoundError, EmptyFileError, AudioDecodeError, NoAudioStreamError.
    """
    import av

    size = check_readable(path)
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise NoAudioStreamError(path)
            stream = container.streams.audio[0]
            duration = None
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / av.time_base
            return MediaInfo(
                path=path,
                size_bytes=size,
                container=container.format.name,
                codec=stream.codec_context.name,
                sample_rate=stream.codec_context.sample_rate or 0,
                channels=stream.codec_context.channels or 0,
                duration=duration,
            )
    except av.FFmpegError as e:
        raise AudioDecodeError(path, _ffmpeg_reason(e)) from e


def iter_audio(path: Path, *, block_seconds: float = 30.0) -> Iterator[np.ndarray]:
    """Yield the file's audio as 16 kHz mono float32 blocks of about ``block_seconds`` each.

    Damaged packets in the middle of a file are skipped, as players do, rather than losing the whole
    hearing to one bad frame; a file from which nothing decodes raises :class:`AudioDecodeError`.
    """
    import av

    check_readable(path)
    block_samples = int(block_seconds * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    pending_samples = 0
    decoded_any = False
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise NoAudioStreamError(path)
            stream = container.streams.audio[0]
            # Threaded decoding of audio helps little and costs a thread per file in a batch.
            stream.thread_type = "NONE"
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in _decode_frames(container, stream):
                for out in resampler.resample(frame):
                    array = out.to_ndarray().reshape(-1)
                    pending.append(array)
                    pending_samples += array.shape[0]
                    decoded_any = True
                if pending_samples >= block_samples:
                    yield _join(pending)
                    pending, pending_samples = [], 0
            for out in resampler.resample(None):  # flush the resampler's delay line
                pending.append(out.to_ndarray().reshape(-1))
                decoded_any = True
    except av.FFmpegError as e:
        raise AudioDecodeError(path, _ffmpeg_reason(e)) from e
    finally:
        # PyAV frames hold FFmpeg buffers that the cyclic collector frees late; on multi-hour batches
        # that shows up as resident memory creeping up file after file.
        gc.collect()
    if not decoded_any:
        raise AudioDecodeError(path, "no audio could be decoded")
    if pending:
        yield _join(pending)


def load_audio(path: Path) -> Audio:
    """Decode the whole file into memory (about 230 MB per hour of audio)."""
    blocks = list(iter_audio(path))
    samples = _join(blocks) if blocks else np.zeros(0, dtype=np.float32)
    # Some encoders overshoot full scale after resampling; Whisper's features assume [-1, 1].
    np.clip(samples, -1.0, 1.0, out=samples)
    return Audio(samples=samples)


def _decode_frames(container, stream) -> Iterator:
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


def _join(blocks: list[np.ndarray]) -> np.ndarray:
    if len(blocks) == 1:
        return np.ascontiguousarray(blocks[0], dtype=np.float32)
    return np.concatenate(blocks).astype(np.float32, copy=False)


def _ffmpeg_reason(error: Exception) -> str:
    # FFmpeg errors read like "[Errno 1094995529] Invalid data found when processing input: 'x.mp3'";
    # the path is already in our message, so keep only the reason.
    text = getattr(error, "strerror", None) or str(error)
    return text.split(":")[0].strip() or type(error).__name__
