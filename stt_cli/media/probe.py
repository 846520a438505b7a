"""What a file is, before any decoding: readable, within limits, really media (not a renamed document), with
an audio track; which tracks it has, how long they say they are, and whether decoding found all of it.

Every input is checked here first, so that a bad file fails in a second with a clear line rather than after
an hour of work.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stt_cli.errors import (
    AudioDecodeError,
    EmptyFileError,
    InputNotFoundError,
    NoAudioStreamError,
    TooLargeError,
    TooLongError,
    TruncatedError,
    UnreadableError,
    UnsupportedFormatError,
)
from stt_cli.fileio import open_input
from stt_cli.media import sniff
from stt_cli.media.decode import ffmpeg_reason, open_container
from stt_cli.options import InputOptions

# Containers whose declared duration comes from an exact sample count, so that decoding much less than
# declared means the file was cut short, and decoding more than --max-duration can be refused before any
# work. (MP3 and raw AAC durations are estimated from the bitrate or a Xing header and can be far off on
# honest files: a VBR MP3 whose header counted 400 h. Those are judged on the samples really decoded.)
EXACT_DURATION_CONTAINERS = (
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
class AudioTrack:
    """One audio stream of a file.

    Attributes:
        index: 0-based among the file's audio streams (what ``audio_track`` picks).
        codec: FFmpeg's decoder name.
        sample_rate: native sample rate in Hz.
        channels: native channel count.
        duration: seconds, as the container declares it (``None`` where it declares none).
        start_offset: seconds of the container's timeline before this track starts (a video whose sound
            starts late); the decoded signal is padded with that much silence so times match a player's.
    """

    index: int
    codec: str
    sample_rate: int
    channels: int
    duration: float | None
    start_offset: float = 0.0


@dataclass(frozen=True)
class MediaInfo:
    """What a probe learned about a file without decoding it.

    Attributes:
        path: the file.
        size_bytes: its size on disk.
        container: FFmpeg's container name, e.g. ``"mp3"`` or ``"matroska,webm"``.
        tracks: its audio tracks, in stream order (at least one).
        creation_time: the container's ``creation_time`` tag as written (recorders put the wall-clock start of
            the recording there), or ``None``.
    """

    path: Path
    size_bytes: int
    container: str
    tracks: tuple[AudioTrack, ...]
    creation_time: str | None = None

    @property
    def exact_duration(self) -> bool:
        """Whether the declared durations count samples (not an estimate from a bitrate)."""
        return self.container in EXACT_DURATION_CONTAINERS


def check_readable(path: Path) -> int:
    """Raise a clear error unless ``path`` is an existing, non-empty, readable regular file; return its size."""
    try:
        if not path.exists():
            raise InputNotFoundError(path)
        if path.is_dir():
            raise UnsupportedFormatError(path, "a folder")
        if not path.is_file():
            raise UnsupportedFormatError(path, "a device, pipe or socket")
        with open_input(path):
            pass
        size = path.stat().st_size
    except OSError as e:
        if isinstance(e, FileNotFoundError):
            raise InputNotFoundError(path) from e
        if e.errno == 36:  # ENAMETOOLONG: a component over 255 bytes, or a path over PATH_MAX
            raise InputNotFoundError(path, "its name is longer than this system allows") from e
        raise UnreadableError(path, e.strerror or str(e)) from e
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
    try:
        head = sniff.read_head(path)
    except OSError as e:
        raise UnreadableError(path, e.strerror or str(e)) from e
    other = sniff.what_else(head)
    if other is not None:
        raise UnsupportedFormatError(path, other)
    info = probe(path, media_like=sniff.looks_like_media(path, head), size=size)
    declared = sniff.wav_declared_seconds(head)
    if declared is not None:  # trust the header over FFmpeg's clamped length (see sniff.wav_declared_seconds)
        first = info.tracks[0]
        longer = dataclasses.replace(first, duration=max(declared, first.duration or 0.0))
        info = dataclasses.replace(info, tracks=(longer, *info.tracks[1:]))
    longest = max((t.duration or 0.0) for t in info.tracks)
    if limits.max_duration and info.exact_duration and longest > limits.max_duration:
        raise TooLongError(path, longest, limits.max_duration)
    if any(t.channels <= 0 or t.sample_rate <= 0 for t in info.tracks):
        raise AudioDecodeError(path, "an audio track declares no channels or no sample rate")
    return info


def check_complete(info: MediaInfo, track: AudioTrack, decoded_seconds: float) -> TruncatedError | None:
    """Compare what was decoded of ``track`` (its start offset excluded) with what the container declares.

    Returns:
        ``None`` when they agree or the container's duration is only an estimate; otherwise the error that
        describes the shortfall (callers decide whether to raise it; see ``InputOptions.allow_truncated``).
    """
    declared = track.duration
    if declared is None or not info.exact_duration:
        return None
    if decoded_seconds >= declared * 0.98 - _TRUNCATION_TOLERANCE:
        return None
    return TruncatedError(info.path, declared, decoded_seconds)


def probe(path: Path, *, media_like: bool = True, size: int | None = None) -> MediaInfo:
    """Open the container and describe its audio tracks, without decoding.

    Args:
        media_like: whether the name or first bytes say "media"; decides whether a file FFmpeg cannot open
            is reported as damaged media or as an unsupported format.
        size: its size, when :func:`check_readable` has just found it readable (else it is checked here).

    Raises:
        InputNotFoundError, EmptyFileError, AudioDecodeError, UnsupportedFormatError, NoAudioStreamError.
    """
    import av

    size = check_readable(path) if size is None else size
    with open_input(path) as handle:
        try:
            container = open_container(handle)
        except av.FFmpegError as e:
            if media_like:
                raise AudioDecodeError(path, ffmpeg_reason(e)) from e
            raise UnsupportedFormatError(path, "in no audio or video format FFmpeg can read") from e
        try:
            if not container.streams.audio:
                raise NoAudioStreamError(path)
            tracks = tuple(_describe(path, container, i, s) for i, s in enumerate(container.streams.audio))
            created = container.metadata.get("creation_time") or next(
                (s.metadata["creation_time"] for s in container.streams.audio if "creation_time" in s.metadata),
                None,
            )
            return MediaInfo(path=path, size_bytes=size, container=container.format.name, tracks=tracks,
                             creation_time=created)  # fmt: skip
        except av.FFmpegError as e:
            raise AudioDecodeError(path, ffmpeg_reason(e)) from e
        finally:
            container.close()


def _describe(path: Path, container: Any, index: int, stream: Any) -> AudioTrack:
    import av

    codec = stream.codec_context
    if codec is None:  # a codec tag FFmpeg does not know (a WAV with a made-up format code)
        raise AudioDecodeError(path, f"audio track {index} is in a codec FFmpeg does not know")
    duration = None
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / av.time_base
    offset = 0.0
    if stream.start_time is not None and stream.time_base is not None and container.start_time is not None:
        offset = max(0.0, float(stream.start_time * stream.time_base) - container.start_time / av.time_base)
    return AudioTrack(
        index=index,
        codec=codec.name,
        sample_rate=codec.sample_rate or 0,
        channels=codec.channels or 0,
        duration=duration,
        start_offset=offset,
    )
