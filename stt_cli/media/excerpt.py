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
    for at, samples in _timed(source, stream, rate, layout):
        if at >= end:
            return
        first = max(0, round((start - at) * rate))
        last = min(samples.shape[1], round((end - at) * rate))
        if last > first:
            yield samples[:, first:last]


def _timed(source: Any, stream: Any, rate: int, layout: str) -> Any:
    """``(seconds, samples)`` for each decoded block: where it starts on the container's timeline (the
    transcript's time), and its 16-bit samples (channels x samples)."""
    import av

    resampler = av.AudioResampler(format="s16p", layout=layout, rate=rate)
    for packet in source.demux(stream):
        for frame in packet.decode():
            if frame.pts is None:
                continue
            at = float(frame.pts * frame.time_base)
            for out in resampler.resample(frame):
                samples = out.to_ndarray()
                yield at, samples
                at += samples.shape[1] / rate


def write_covered(recording: Path, spans: list[tuple[float, float]], target: Path, *, track: int = 0,
                  tone: bool = False) -> tuple[float, int, int]:  # fmt: skip
    """Write the whole of the recording's audio track ``track`` to ``target`` (FLAC, its own rate and channels)
    with each of ``spans`` (seconds) silenced, or covered by a 1 kHz tone at -20 dBFS. The timeline is kept:
    the file starts at second 0 of the transcript's time (a stream that starts later is preceded by silence),
    so every time in the transcript still holds. Returns the seconds written, the rate and the channels.

    Raises:
        AudioDecodeError: the recording cannot be read.
        OutputUnwritableError: ``target`` cannot be written.
    """
    import av

    try:
        with open_input(recording) as handle, open_container(handle) as source:
            stream = source.streams.audio[track]
            rate, layout = stream.codec_context.sample_rate, stream.codec_context.layout.name
            with _Flac(target, rate, layout) as out:
                for at, samples in _timed(source, stream, rate, layout):
                    first = round(at * rate)
                    if first > out.written:  # a gap (or a late start): silence, so that times hold
                        out.write(np.zeros((samples.shape[0], first - out.written), np.int16))
                    samples = samples[:, max(0, out.written - first) :]  # a block that overlaps the last
                    out.write(_covered(samples, max(first, out.written), spans, rate, tone))
    except av.FFmpegError as e:
        raise AudioDecodeError(recording, ffmpeg_reason(e)) from e
    except OSError as e:
        raise OutputUnwritableError(target, e.strerror or str(e)) from e
    return out.written / rate, rate, len(stream.codec_context.layout.channels)


def _covered(
    samples: np.ndarray, first: int, spans: list[tuple[float, float]], rate: int, tone: bool
) -> np.ndarray:
    """``samples`` (starting at sample ``first`` of the file) with the parts inside ``spans`` covered."""
    last = first + samples.shape[1]
    out = samples
    for start, end in spans:
        a, b = max(first, round(start * rate)), min(last, round(end * rate))
        if b <= a:
            continue
        if out is samples:
            out = samples.copy()
        if tone:
            wave = 0.1 * np.sin(2 * np.pi * 1000.0 * np.arange(a, b) / rate)
            out[:, a - first : b - first] = np.round(wave * 32767).astype(np.int16)
        else:
            out[:, a - first : b - first] = 0
    return out


class _Flac:
    """A FLAC file written block by block (16-bit, the recording's rate and layout)."""

    def __init__(self, target: Path, rate: int, layout: str) -> None:
        self.target, self.rate, self.layout, self.written = target, rate, layout, 0

    def __enter__(self) -> _Flac:
        import av

        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.container = av.open(str(self.target), "w", format="flac")
        self.stream = self.container.add_stream("flac", rate=self.rate, layout=self.layout)
        self.stream.format = "s16"
        return self

    def write(self, audio: np.ndarray) -> None:
        import av

        step = 4096
        for at in range(0, audio.shape[1], step):
            block = np.ascontiguousarray(audio[:, at : at + step].T.reshape(1, -1))
            frame = av.AudioFrame.from_ndarray(block, format="s16", layout=self.layout)
            frame.sample_rate, frame.pts, frame.time_base = self.rate, self.written, Fraction(1, self.rate)
            self.container.mux(self.stream.encode(frame))
            self.written += block.shape[1] // max(1, audio.shape[0])

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.container.mux(self.stream.encode(None))
        finally:
            self.container.close()


def _write_flac(target: Path, audio: np.ndarray, rate: int, layout: str) -> None:
    with _Flac(target, rate, layout) as out:
        out.write(audio)
