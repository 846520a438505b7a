"""Decoding and its errors, on files the tests make. No model is loaded."""

import os

import numpy as np
import pytest
from media import encode_like, load_mono16k, write_video_only, write_wav

from stt_cli.audio import SAMPLE_RATE, iter_audio, load_audio, probe
from stt_cli.errors import AudioDecodeError, EmptyFileError, InputNotFoundError, NoAudioStreamError


def test_flac_decodes_to_16k_mono_float32(jfk):
    audio = load_audio(jfk)
    assert audio.samples.dtype == np.float32
    assert audio.samples.ndim == 1
    assert abs(audio.duration - 11.0) < 0.01
    assert np.abs(audio.samples).max() <= 1.0


def test_stereo_44k_mp3_becomes_the_same_length_mono_16k(tmp_path, jfk):
    original = load_mono16k(jfk)
    mp3 = encode_like(original, tmp_path / "s.mp3", codec="mp3", rate=44_100, layout="stereo")
    info = probe(mp3)
    assert (info.sample_rate, info.channels, info.codec) == (44_100, 2, "mp3float")
    decoded = load_audio(mp3).samples
    # MP3 adds encoder delay and padding, a few milliseconds at most.
    assert abs(decoded.shape[0] - original.shape[0]) < 0.06 * SAMPLE_RATE


def test_blocks_cover_the_whole_signal(jfk):
    blocks = list(iter_audio(jfk, block_seconds=2.0))
    assert len(blocks) >= 5
    assert sum(b.shape[0] for b in blocks) == load_audio(jfk).samples.shape[0]


def test_missing_file(tmp_path):
    with pytest.raises(InputNotFoundError, match=r"no such file"):
        probe(tmp_path / "nope.mp3")


def test_empty_file(tmp_path):
    (tmp_path / "e.wav").write_bytes(b"")
    with pytest.raises(EmptyFileError):
        load_audio(tmp_path / "e.wav")


@pytest.mark.parametrize(
    "name, content",
    [
        ("random.mp3", os.urandom(4096)),
        ("notes.wav", b"Minutes of the hearing, not audio at all.\n" * 20),
        ("report.m4a", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" * 30),
    ],
)
def test_non_media_is_refused_with_advice(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AudioDecodeError, match=r"cannot be decoded as audio or video.*re-export"):
        load_audio(path)


def test_folder_given_as_file(tmp_path):
    with pytest.raises(AudioDecodeError, match=r"folder"):
        load_audio(tmp_path)


def test_video_without_sound(tmp_path):
    with pytest.raises(NoAudioStreamError, match=r"no audio track"):
        load_audio(write_video_only(tmp_path / "silent-film.mp4"))


def test_silence_decodes_as_silence(tmp_path):
    wav = write_wav(tmp_path / "quiet.wav", np.zeros(3 * SAMPLE_RATE, dtype=np.float32))
    audio = load_audio(wav)
    assert abs(audio.duration - 3.0) < 0.01
    assert np.abs(audio.samples).max() == 0.0
