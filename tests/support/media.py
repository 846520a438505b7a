"""Make real media files for tests with PyAV (no ffmpeg binary needed)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from stt_cli.media.decode import load_audio


def load_mono16k(path: Path) -> np.ndarray:
    return load_audio(path).samples


def encode_like(
    samples: np.ndarray,
    path: Path,
    *,
    codec: str,
    rate: int,
    layout: str,
    video: str | None = None,
    source_rate: int = 16_000,
    container_format: str | None = None,
    audio_start: float = 0.0,
) -> Path:
    """Encode 16 kHz mono ``samples`` as ``codec`` at ``rate``/``layout``; add a small video track if asked.

    ``audio_start`` delays the sound on the container's timeline (a camera whose audio starts late);
    ``container_format`` forces a muxer (``adts``, ``wv``, ``tta``, ``dts``) where the name says too little.
    """
    return write_tracks(
        path,
        [samples],
        codec=codec,
        rate=rate,
        layout=layout,
        video=video,
        source_rate=source_rate,
        container_format=container_format,
        audio_start=audio_start,
    )


def write_tracks(
    path: Path,
    tracks: list[np.ndarray],
    *,
    codec: str = "aac",
    rate: int = 48_000,
    layout: str = "mono",
    video: str | None = None,
    source_rate: int = 16_000,
    container_format: str | None = None,
    audio_start: float = 0.0,
) -> Path:
    """A file with one audio stream per entry of ``tracks`` (16 kHz mono, or ``(channels, n)`` for several
    channels), and a small picture stream when ``video`` names an encoder."""
    with av.open(str(path), "w", format=container_format) as container:
        vstream = None
        if video:
            vstream = container.add_stream(video, rate=10)
            vstream.width, vstream.height, vstream.pix_fmt = 64, 48, "yuv420p"
        streams = []
        for _ in tracks:
            stream = container.add_stream(codec, rate=rate)
            stream.layout = layout
            if codec == "dca":
                stream.codec_context.options = {"strict": "-2"}
            streams.append(stream)
        for stream, samples in zip(streams, tracks, strict=True):
            _encode_audio(container, stream, samples, layout, rate, source_rate, audio_start)
        if vstream is not None:
            seconds = max(t.shape[-1] for t in tracks) / source_rate + audio_start
            for i in range(int(seconds * 10)):
                image = np.full((48, 64, 3), (i * 5) % 255, dtype=np.uint8)
                vframe = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
                vframe.pts = i
                container.mux(vstream.encode(vframe))
            container.mux(vstream.encode(None))
    return path


def _encode_audio(container, stream, samples, layout, rate, source_rate, audio_start) -> None:
    planar = np.atleast_2d(samples).astype(np.float32)
    source_layout = "mono" if planar.shape[0] == 1 else {2: "stereo", 3: "2.1", 4: "quad"}[planar.shape[0]]
    resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=rate)
    frame_size = 1024
    pts = round(audio_start * source_rate)
    for start in range(0, planar.shape[1], frame_size):
        block = np.ascontiguousarray(planar[:, start : start + frame_size])
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout=source_layout)
        frame.sample_rate = source_rate
        frame.pts = pts
        frame.time_base = Fraction(1, source_rate)
        pts += block.shape[1]
        for out in resampler.resample(frame):
            container.mux(stream.encode(out))
    for out in resampler.resample(None):
        container.mux(stream.encode(out))
    container.mux(stream.encode(None))


def write_video_only(path: Path, seconds: float = 1.0) -> Path:
    """An MP4 with a picture and no sound."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(int(seconds * 10)):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), dtype=np.uint8), format="rgb24")
            frame = frame.reformat(format="yuv420p")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def write_wav(path: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    """16-bit PCM WAV of float samples in [-1, 1]: mono, or ``(channels, n)`` with a channel each."""
    layout = "mono" if np.ndim(samples) == 1 else {2: "stereo", 4: "quad"}[len(samples)]
    return encode_like(samples, path, codec="pcm_s16le", rate=rate, layout=layout, source_rate=rate)


def at_level(samples: np.ndarray, dbfs: float) -> np.ndarray:
    """``samples`` scaled so that their RMS is ``dbfs`` (a far-field microphone records at -60 or lower)."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return (samples * (10 ** (dbfs / 20) / rms)).astype(np.float32)


def write_wav_header(
    path: Path, *, channels: int, declared_seconds: float, actual_seconds: float, rate: int = 16_000
):
    """A PCM WAV whose header may lie: it declares ``declared_seconds`` but holds ``actual_seconds`` of noise."""
    import struct

    block_align = max(channels, 1) * 2
    declared = int(declared_seconds * rate) * block_align
    rng = np.random.default_rng(0)
    data = (rng.standard_normal(int(actual_seconds * rate) * max(channels, 1)) * 1000).astype("<i2").tobytes()
    header = b"RIFF" + struct.pack("<I", 36 + declared) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block_align, block_align, 16)
    header += b"data" + struct.pack("<I", declared)
    path.write_bytes(header + data)
    return path


def concatenate(sources: list[Path], path: Path, gap_seconds: float = 0.5) -> Path:
    """Real speech clips one after another with short silences, as a 16 kHz WAV."""
    gap = np.zeros(int(gap_seconds * 16_000), dtype=np.float32)
    parts = []
    for source in sources:
        parts += [load_mono16k(source), gap]
    return write_wav(path, np.concatenate(parts))


def flip_byte(path: Path, offset: int = 1000) -> None:
    """Damage a file the way a bad disk or a tamperer would: one byte inverted."""
    with path.open("r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0xFF]))
