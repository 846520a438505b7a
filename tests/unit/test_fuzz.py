"""Whatever bytes a file holds, validation and decoding end in a clear SttError or in audio: never a crash."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from stt_cli.audio import load_audio, validate
from stt_cli.errors import SttError
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
