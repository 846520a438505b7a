"""A stretch of a recording written as a FLAC file (``stt cite --audio``): the recording's own samples, at its own
rate and channels, from ``start`` to ``end`` seconds of the transcript's time (the container's timeline, as the
transcript's times are), for an appeal bundle. 16-bit FLAC is lossless for the 16-bit recordings courtrooms
make; a lossy recording (MP3, AAC) is written as decoded, nothing lost beyond what its codec lost."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from stt_cli.errors import AudioDecodeError, OutputUnwritableError
from stt_cli.fileio import open_input
from stt_cli.media.decode import ffmpeg_reason, open_container


def write_excerpt(recording: Path, start: float, end: float, target: Path, track: int = 0) -> float:
    """Write ``start..end`` of the recording's audio track ``track`` to ``target`` (FLAC); the seconds written.

    Raises:
        AudioDecodeError: the recording cannot be read.
        OutputUnwritableError: ``target`` cannot be written.
    """
    import av

    try:
        with open_input(recording) as handle, open_container(handle) as source:
            stream = source.streams.audio[track]
            rate, layout = stream.codec_context.sample_rate, stream.codec_context.layout.name
            if start > 1.0:  # to the keyframe before, then decoded up to the stretch
                source.seek(int(max(0.0, start - 1.0) / (stream.time_base or Fraction(1, rate))), stream=stream,
                            backward=True)  # fmt: skip
            pieces = list(_samples(source, stream, start, end, rate, layout))
    except av.FFmpegError as e:
        raise AudioDecodeError(recording, ffmpeg_reason(e)) from e
    audio = np.concatenate(pieces, axis=1) if pieces else np.zeros((len(layout.split("+")) or 1, 0), np.int16)
    try:
        _write_flac(target, audio, rate, layout)
    except (OSError, av.FFmpegError) as e:
        raise OutputUnwritableError(target, getattr(e, "strerror", None) or str(e)) from e
    return audio.shape[1] / rate


def _samples(source: Any, stream: Any, start: float, end: float, rate: int, layout: str) -> Any:
    """The packed 16-bit samples (channels x samples) of the frames, cut to ``start..end``."""
    import av

    resampler = av.AudioResampler(format="s16p", layout=layout, rate=rate)
    for packet in source.demux(stream):
        for frame in packet.decode():
            if frame.pts is None:
                continue
            at = float(frame.pts * frame.time_base)
            if at >= end:
                return
            for out in resampler.resample(frame):
                samples = out.to_ndarray()
                first = max(0, round((start - at) * rate))
                last = min(samples.shape[1], round((end - at) * rate))
                if last > first:
                    yield samples[:, first:last]
                at += samples.shape[1] / rate


def _write_flac(target: Path, audio: np.ndarray, rate: int, layout: str) -> None:
    import av

    target.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(target), "w", format="flac") as out:
        stream = out.add_stream("flac", rate=rate, layout=layout)
        stream.format = "s16"
        step = 4096
        for at in range(0, audio.shape[1], step):
            block = np.ascontiguousarray(audio[:, at : at + step].T.reshape(1, -1))
            frame = av.AudioFrame.from_ndarray(block, format="s16", layout=layout)
            frame.sample_rate, frame.pts, frame.time_base = rate, at, Fraction(1, rate)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
