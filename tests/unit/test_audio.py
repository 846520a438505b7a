"""Decoding and its errors, on files the tests make. No model is loaded."""

import numpy as np
import pytest

from stt_cli.errors import TooLongError
from stt_cli.media.decode import SAMPLE_RATE, iter_audio, load_audio
from stt_cli.media.probe import check_complete, probe, validate
from stt_cli.options import InputOptions
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


def test_spans_read_in_one_pass_match_slices_of_the_whole_signal():
    """The diarization reads a recording again span by span; what it reads must be what memory would hold."""
    from stt_cli.media.decode import SignalInMemory, read_spans

    class Blocks(SignalInMemory):
        def blocks(self):  # odd block sizes, as a decoder gives them
            for first in range(0, self.samples.size, 12_345):
                yield self.samples[first : first + 12_345]

    samples = np.random.default_rng(3).standard_normal(16_000 * 20).astype(np.float32)
    starts = np.sort(np.random.default_rng(4).uniform(0, 20, 300))
    spans = [(float(a), float(a) + length) for a, length in zip(starts, np.linspace(0.0, 3.0, 300), strict=True)]
    spans.append((19.99, 25.0))  # past the end: what there is
    for piece, (a, b) in zip(read_spans(Blocks(samples), spans), spans, strict=True):
        first = int(a * 16_000 + 1e-6)
        assert np.array_equal(piece, samples[first : max(int(b * 16_000 + 1e-6), first + 1)])
    with pytest.raises(ValueError, match="order"):
        list(read_spans(Blocks(samples), [(5.0, 6.0), (1.0, 2.0)]))
