"""Whatever bytes a file holds, validation and decoding end in a clear SttError or in audio: never a crash."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from stt_cli.errors import SttError
from stt_cli.media.decode import load_audio
from stt_cli.media.probe import validate
from stt_cli.options import InputOptions

PREFIXES = [
    b"",
    b"RIFF\x24\x10\x00\x00WAVEfmt ",
    b"ID3\x03\x00",
    b"fLaC",
    b"OggS\x00",
    b"\x00\x00\x00\x18ftypmp42",
    b"\x1aE\xdf\xa3",
    b"\xff\xfb",
    b"%PDF",
    b"FORM\x00\x00\x00\x00AIFF",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Found by this test: a WAV "fmt " chunk cut short made the header parser read past the bytes it had.
@example(prefix=b"RIFF$\x10\x00\x00WAVEfmt ", body=bytes(12), suffix=".flac")
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(min_size=0, max_size=4096),
    suffix=st.sampled_from([".wav", ".mp3", ".flac", ".mp4", ".ogg", ".bin", ""]),
)
def test_random_bytes_never_escape_as_anything_but_stt_errors(tmp_path_factory, prefix, body, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(prefix + body)
    try:
        validate(path, InputOptions(max_duration=600))
        audio = load_audio(path, max_duration=600)
    except SttError as error:
        assert str(error).startswith(str(path)) and ";" in str(error)
        return
    assert audio.samples.dtype == np.float32 and np.isfinite(audio.samples).all()


# --- issue 10: joined and mutated streams of every container family ------------------------------------------

FAMILIES = {
    "flac": {"codec": "flac", "rate": 16_000, "layout": "mono"},
    "wav": {"codec": "pcm_s16le", "rate": 22_050, "layout": "stereo"},
    "mp3": {"codec": "mp3", "rate": 44_100, "layout": "stereo"},
    "mp3-22k": {"codec": "mp3", "rate": 22_050, "layout": "mono"},  # joined with the above: a format change
    "aac": {"codec": "aac", "rate": 16_000, "layout": "mono", "container_format": "adts"},
    "m4a": {"codec": "aac", "rate": 48_000, "layout": "mono"},
    "mp4": {"codec": "aac", "rate": 32_000, "layout": "stereo", "video": "h264"},
    "ogg": {"codec": "libopus", "rate": 48_000, "layout": "mono"},
    "opus": {"codec": "libopus", "rate": 48_000, "layout": "stereo"},
}


@pytest.fixture(scope="module")
def encoded(tmp_path_factory, data_dir) -> dict[str, bytes]:
    """Two seconds of real speech in every family, as bytes."""
    from tests.support.media import encode_like, load_mono16k

    speech = load_mono16k(data_dir / "en_jfk" / "jfk.flac")[: 2 * 16_000]
    folder = tmp_path_factory.mktemp("families")
    return {
        family: encode_like(speech, folder / f"speech.{family.split('-')[0]}", **options).read_bytes()
        for family, options in FAMILIES.items()
    }


@st.composite
def mutated_streams(draw):
    families = draw(st.lists(st.sampled_from(sorted(FAMILIES)), min_size=1, max_size=3))
    mutations = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["flip", "cut", "insert", "zero", "repeat"]),
                st.floats(0.0, 1.0),
                st.integers(1, 512),
                st.binary(min_size=1, max_size=64),
            ),
            max_size=4,
        )
    )
    return families, mutations, draw(st.sampled_from(["flac", "wav", "mp3", "m4a", "mp4", "ogg", "opus", "aac"]))


def _mutate(data: bytes, mutations) -> bytes:
    out = bytearray(data)
    for kind, where, size, noise in mutations:
        at = int(where * max(len(out) - 1, 0))
        if kind == "flip" and out:
            out[at] ^= 0xFF
        elif kind == "cut":
            del out[at:]
        elif kind == "insert":
            out[at:at] = noise
        elif kind == "zero":
            out[at : at + size] = bytes(len(out[at : at + size]))
        elif kind == "repeat":
            out[at:at] = out[at : at + size]
    return bytes(out)


# 80 examples: about 4 s, so that the unit layer stays under 20 s; every family, mutation and join still comes up.
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated_streams())
def test_joined_and_mutated_streams_decode_or_fail_with_a_code(tmp_path_factory, encoded, case):
    """Recorders join files, disks flip bits, copies stop halfway: whatever the bytes, decoding ends in audio
    or in one SttError, never in a traceback (the resampler raised on joined MP3s of two sample rates)."""
    families, mutations, suffix = case
    data = _mutate(b"".join(encoded[f] for f in families), mutations)
    path = tmp_path_factory.mktemp("mutated") / f"stream.{suffix}"
    path.write_bytes(data)
    from stt_cli.media.decode import iter_channels

    try:
        info = validate(path, InputOptions(max_duration=600))
        for track in info.tracks:
            for block in iter_channels(path, track=track.index, max_duration=600):
                assert block.dtype == np.float32 and np.isfinite(block).all()
    except SttError as error:
        assert str(error).startswith(str(path)) and ";" in str(error)
