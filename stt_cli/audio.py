"""Decode any audio or video file to 16 kHz mono float32 with PyAV.

PyAV wheels carry FFmpeg's libraries, so no ``ffmpeg`` binary is needed (a fresh court workstation rarely has
one). Decoding runs through small generators: frames are resampled as they come, so a video's picture stream
is never decoded and compressed bytes are never held whole. Sample indices stay inside this module and
``chunking.py``; everything returned says its times in seconds.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stt_cli import sniff
from stt_cli.errors import (
    AudioDecodeError,
    EmptyAudioError,
    EmptyFileError,
    InputNotFoundError,
    NoAudioStreamError,
    TooLargeError,
    TooLongError,
    TruncatedError,
    UnreadableError,
    UnsupportedFormatError,
)
from stt_cli.options import InputOptions

SAMPLE_RATE = 16_000  # Hz; what Whisper, Silero VAD and pyannote all expect.
# Containers whose declared duration comes from an exact sample count, so that decoding much less than
# declared means the file was cut short. (MP3 and raw AAC durations are estimated from the bitrate and can be
# far off on honest files, so they are not judged.)
_EXACT_DURATION_CONTAINERS = (
    "wav",
    "flac",
    "aiff",
    "mov,mp4,m4a,3gp,3g2,mj2",
    "matroska,webm",
    "ogg",
    "caf",
    "w64",
)
_TRUNCATION_TOLERANCE = 0.5  # seconds: encoder padding and priming differ by a few hundred ms at most


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
    """Raise a clear error unless ``path`` is an existing, non-empty, readable regular file; return its size."""
    if not path.exists():
        raise InputNotFoundError(path)
    if path.is_dir():
        raise UnsupportedFormatError(path, "a folder")
    if not path.is_file():
        raise UnsupportedFormatError(path, "a device, pipe or socket")
    try:
        with path.open("rb"):
            pass
    except OSError as e:
        raise UnreadableError(path, e.strerror or str(e)) from e
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(path)
    return size


def validate(path: Path, limits: InputOptions) -> MediaInfo:
    """Check an input before any decoding: readable, within limits, really media, with an audio track.

    Raises:
        InputError: a subclass naming what is wrong (not found, empty, too large, not media, no audio…).
    """
    size = check_readable(path)
    if limits.max_size and size > limits.max_size:
        raise TooLargeError(path, size, limits.max_size)
    head = sniff.read_head(path)
    other = sniff.what_else(head)
    if other is not None:
        raise UnsupportedFormatError(path, other)
    info = probe(path, media_like=sniff.looks_like_media(path, head))
    declared = sniff.wav_declared_seconds(head)
    if declared is not None:  # trust the header over FFmpeg's clamped length (see sniff.wav_declared_seconds)
        info = dataclasses.replace(info, duration=max(declared, info.duration or 0.0))
    if limits.max_duration and info.duration and info.duration > limits.max_duration:
        raise TooLongError(path, info.duration, limits.max_duration)
    if info.channels <= 0 or info.sample_rate <= 0:
        raise AudioDecodeError(path, "its audio track declares no channels or no sample rate")
    return info


def check_complete(info: MediaInfo, decoded_seconds: float) -> str | None:
    """Compare what was decoded with what the container declares.

    Returns:
        ``None`` when they agree or the container's duration is only an estimate; otherwise a warning.

    Raises:
        TruncatedError: never here; callers decide (see ``InputOptions.allow_truncated``).
    """
    declared = info.duration
    if declared is None or info.container not in _EXACT_DURATION_CONTAINERS:
        return None
    if decoded_seconds >= declared * 0.98 - _TRUNCATION_TOLERANCE:
        return None
    return str(TruncatedError(info.path, declared, decoded_seconds))


def probe(path: Path, *, media_like: bool = True) -> MediaInfo:
    """Open the container and describe its first audio stream, without decoding.

    Args:
        media_like: whether the name or first bytes say "media"; decides whether a file FFmpeg cannot open
            is reported as damaged media or as an unsupported format.

    Raises:
        InputNotFoundError, EmptyFileError, AudioDecodeError, UnsupportedFormatError, NoAudioStreamError.
    """
    import av

    size = check_readable(path)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as e:
        if media_like:
            raise AudioDecodeError(path, _ffmpeg_reason(e)) from e
        raise UnsupportedFormatError(path, "in no audio or video format FFmpeg can read") from e
    try:
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
    finally:
        container.close()


def iter_audio(path: Path, *, block_seconds: float = 30.0, max_duration: float = 0.0) -> Iterator[np.ndarray]:
    """Yield the file's audio as 16 kHz mono float32 blocks of about ``block_seconds`` each.

    Damaged packets in the middle of a file are skipped, as players do, rather than losing the whole
    hearing to one bad frame.

    Raises:
        AudioDecodeError: FFmpeg cannot read the file.
        EmptyAudioError: the audio track decodes to nothing.
        TooLongError: more than ``max_duration`` seconds decoded (when > 0), whatever the header claimed.
    """
    import av

    check_readable(path)
    block_samples = int(block_seconds * SAMPLE_RATE)
    max_samples = int(max_duration * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    pending_samples = 0
    total_samples = 0
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
                    total_samples += array.shape[0]
                if max_samples and total_samples > max_samples:
                    raise TooLongError(path, total_samples / SAMPLE_RATE, max_duration)
                if pending_samples >= block_samples:
                    yield _join(pending)
                    pending, pending_samples = [], 0
            for out in resampler.resample(None):  # flush the resampler's delay line
                array = out.to_ndarray().reshape(-1)
                pending.append(array)
                total_samples += array.shape[0]
    except av.FFmpegError as e:
        raise AudioDecodeError(path, _ffmpeg_reason(e)) from e
    finally:
        # PyAV frames hold FFmpeg buffers that the cyclic collector frees late; on multi-hour batches
        # that shows up as resident memory creeping up file after file.
        gc.collect()
    if total_samples == 0:
        raise EmptyAudioError(path)
    if pending:
        yield _join(pending)


def load_audio(path: Path, *, max_duration: float = 0.0) -> Audio:
    """Decode the whole file into memory (about 230 MB per hour of audio)."""
    blocks = list(iter_audio(path, max_duration=max_duration))
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
