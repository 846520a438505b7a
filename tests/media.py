"""Make real media files for tests with PyAV (no ffmpeg binary needed)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from stt_cli.audio import load_audio


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
) -> Path:
    """Encode 16 kHz mono ``samples`` as ``codec`` at ``rate``/``layout``; add a small video track if asked."""
    with av.open(str(path), "w") as container:
        vstream = None
        if video:
            vstream = container.add_stream(video, rate=10)
            vstream.width, vstream.height, vstream.pix_fmt = 64, 48, "yuv420p"
        astream = container.add_stream(codec, rate=rate)
        astream.layout = layout
        resampler = av.AudioResampler(format=astream.format.name, layout=layout, rate=rate)
        frame_size = 1024
        pts = 0
        for start in range(0, len(samples), frame_size):
            block = samples[start : start + frame_size].astype(np.float32)[None, :]
            frame = av.AudioFrame.from_ndarray(block, format="flt", layout="mono")
            frame.sample_rate = source_rate
            frame.pts = pts
            frame.time_base = Fraction(1, source_rate)
            pts += block.shape[1]
            for out in resampler.resample(frame):
                container.mux(astream.encode(out))
        for out in resampler.resample(None):
            container.mux(astream.encode(out))
        container.mux(astream.encode(None))
        if vstream is not None:
            seconds = len(samples) / source_rate
            for i in range(int(seconds * 10)):
                image = np.full((48, 64, 3), (i * 5) % 255, dtype=np.uint8)
                vframe = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
                vframe.pts = i
                container.mux(vstream.encode(vframe))
            container.mux(vstream.encode(None))
    return path


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
    """16-bit PCM WAV of float samples in [-1, 1]."""
    return encode_like(samples, path, codec="pcm_s16le", rate=rate, layout="mono", source_rate=rate)


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
