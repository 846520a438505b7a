"""Decoding and its errors, on files the tests make. No model is loaded."""

import numpy as np
import pytest

from stt_cli.audio import SAMPLE_RATE, iter_audio, load_audio
from stt_cli.errors import TooLongError
from stt_cli.options import InputOptions
from stt_cli.probe import check_complete, probe, validate
from tests.support.media import encode_like, load_mono16k, write_wav


def test_flac_decodes_to_16k_mono_float32(jfk):
    audio = load_audio(jfk)
    assert audio.samples.dtype == np.float32
    assert audio.samples.ndim == 1
    assert abs(audio.duration - 11.0) < 0.01
    assert np.abs(audio.samples).max() <= 1.0


def test_stereo_44k_mp3_becomes_the_same_length_mono_16k(tmp_path, jfk):
    original = load_mono16k(jfk)
    mp3 = encode_like(original, tmp_path / "s.mp3", codec="mp3", rate=44_100, layout="stereo")
    [track] = probe(mp3).tracks
    assert (track.sample_rate, track.channels, track.codec) == (44_100, 2, "mp3float")
    decoded = load_audio(mp3).samples
    # MP3 adds encoder delay and padding, a few milliseconds at most.
    assert abs(decoded.shape[0] - original.shape[0]) < 0.06 * SAMPLE_RATE


def test_blocks_cover_the_whole_signal(jfk):
    blocks = list(iter_audio(jfk, block_seconds=2.0))
    assert len(blocks) >= 5
    assert sum(b.shape[0] for b in blocks) == load_audio(jfk).samples.shape[0]


def test_silence_decodes_as_silence(tmp_path):
    wav = write_wav(tmp_path / "quiet.wav", np.zeros(3 * SAMPLE_RATE, dtype=np.float32))
    audio = load_audio(wav)
    assert abs(audio.duration - 3.0) < 0.01
    assert np.abs(audio.samples).max() == 0.0


def test_decoding_stops_as_soon_as_the_limit_is_passed(jfk):
    with pytest.raises(TooLongError, match=r"over the 5\.0 s limit"):
        load_audio(jfk, max_duration=5.0)


def test_validate_describes_a_good_file(jfk):
    info = validate(jfk, InputOptions())
    [track] = info.tracks
    assert (info.container, track.codec, track.sample_rate, track.channels) == ("flac", "flac", 16_000, 1)
    assert track.duration == pytest.approx(11.0, abs=0.01)


def test_a_complete_file_is_not_called_truncated(jfk):
    info = validate(jfk, InputOptions())
    assert check_complete(info, info.tracks[0], load_audio(jfk).duration) is None
    assert "declares 11.0 s of audio but only 3.0 s" in str(check_complete(info, info.tracks[0], 3.0))
