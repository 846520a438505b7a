"""Issue 10 (trust), the parts that need no model: decoding across format changes, channel mixing, start
offsets, names, sizes, headers that lie, records and backups. Each test names the bug it guards."""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from stt_cli.asr.loops import collapse_repeats
from stt_cli.batch.inputs import discover
from stt_cli.errors import TooLargeError, UsageError
from stt_cli.fileio import shown, text_of
from stt_cli.media import sniff
from stt_cli.media.decode import SAMPLE_RATE, iter_channels, load_audio, mix_down
from stt_cli.media.probe import probe, validate
from stt_cli.options import InputOptions
from stt_cli.records import resume
from stt_cli.records.sidecars import Sidecars
from stt_cli.types import Segment
from tests.support.media import encode_like, load_mono16k, write_tracks, write_wav


@pytest.fixture(scope="module")
def speech(data_dir) -> np.ndarray:
    return load_mono16k(data_dir / "en_jfk" / "jfk.flac")


# --- bug 4: a format change inside one stream ----------------------------------------------------------------


@pytest.mark.parametrize(
    "codec, container, rates",
    [("mp3", None, (44_100, 22_050)), ("aac", "adts", (48_000, 16_000)), ("mp3", None, (16_000, 16_000))],
)
def test_two_streams_joined_with_cat_decode_whole(tmp_path, speech, codec, container, rates):
    suffix = ".mp3" if codec == "mp3" else ".aac"
    parts = [
        encode_like(
            speech, tmp_path / f"{i}{suffix}", codec=codec, rate=r, layout=layout, container_format=container
        )
        for i, (r, layout) in enumerate(zip(rates, ("stereo", "mono"), strict=True))
    ]
    joined = tmp_path / f"joined{suffix}"
    joined.write_bytes(b"".join(p.read_bytes() for p in parts))
    audio = load_audio(joined)
    assert audio.duration == pytest.approx(22.0, abs=0.3)
    second = audio.samples[int(11.2 * SAMPLE_RATE) :]
    assert np.sqrt(np.mean(second**2)) > 0.02, "the second recording is heard, not lost at the change"


def test_a_channel_count_change_never_mixes_two_counts_in_one_block(tmp_path, speech):
    a = encode_like(speech, tmp_path / "a.mp3", codec="mp3", rate=44_100, layout="stereo")
    b = encode_like(speech, tmp_path / "b.mp3", codec="mp3", rate=44_100, layout="mono")
    joined = tmp_path / "ab.mp3"
    joined.write_bytes(a.read_bytes() + b.read_bytes())
    shapes = [block.shape[0] for block in iter_channels(joined, block_seconds=4.0)]
    assert shapes[0] == 2 and shapes[-1] == 1


# --- bug 13: polarity, tracks ---------------------------------------------------------------------------------


def test_an_inverted_channel_does_not_cancel_the_other(tmp_path, speech):
    inverted = write_wav(tmp_path / "inverted.wav", np.stack([speech, -speech]))
    mixed = load_audio(inverted).samples
    assert np.corrcoef(mixed, speech[: mixed.shape[0]])[0, 1] > 0.99


def test_independent_microphones_are_averaged():
    rng = np.random.default_rng(1)
    left, right = rng.standard_normal((2, 16_000)).astype(np.float32)
    assert np.allclose(mix_down(np.stack([left, right])), (left + right) / 2, atol=1e-6)


def test_every_audio_track_is_described(tmp_path, speech):
    video = write_tracks(tmp_path / "two.mp4", [np.zeros_like(speech), speech], video="h264")
    info = probe(video)
    assert [t.index for t in info.tracks] == [0, 1]
    heard = [np.abs(load_audio(video, track=t.index).samples).max() for t in info.tracks]
    assert heard[0] < 0.01 < heard[1]


# --- bug 14: the audio's start offset in a video -------------------------------------------------------------


def test_sound_that_starts_late_in_a_video_keeps_its_place(tmp_path, speech):
    video = encode_like(speech, tmp_path / "late.mp4", codec="aac", rate=48_000, layout="mono", video="h264",
                        audio_start=5.0)  # fmt: skip
    [track] = probe(video).tracks
    assert track.start_offset == pytest.approx(5.0, abs=0.05)
    samples = load_audio(video).samples
    assert samples.shape[0] / SAMPLE_RATE == pytest.approx(16.0, abs=0.1)
    assert np.abs(samples[: int(4.9 * SAMPLE_RATE)]).max() < 1e-3, "silence before the sound starts"


# --- bug 6 and low: headers FFmpeg does not know, headers that lie --------------------------------------------


def _wav_with(tmp_path: Path, speech: np.ndarray, *, codec_tag: int | None = None, byte_rate_factor: float = 1.0):
    data = bytearray(write_wav(tmp_path / "plain.wav", speech).read_bytes())
    fmt = data.find(b"fmt ")
    if codec_tag is not None:
        data[fmt + 8 : fmt + 10] = struct.pack("<H", codec_tag)
    rate = struct.unpack("<I", data[fmt + 16 : fmt + 20])[0]
    data[fmt + 16 : fmt + 20] = struct.pack("<I", int(rate * byte_rate_factor))
    path = tmp_path / "odd.wav"
    path.write_bytes(bytes(data))
    return path


def test_a_wav_whose_codec_ffmpeg_does_not_know_is_corrupt_audio(tmp_path, speech):
    from stt_cli.errors import AudioDecodeError

    with pytest.raises(AudioDecodeError, match="codec FFmpeg does not know"):
        validate(_wav_with(tmp_path, speech, codec_tag=0x9999), InputOptions())


def test_a_wav_whose_byte_rate_lies_is_judged_by_its_samples(tmp_path, speech):
    # The byte rate field a tenth of the truth made an 11 s recording "110 s long": too_long or truncated.
    path = _wav_with(tmp_path, speech, byte_rate_factor=0.1)
    info = validate(path, InputOptions(max_duration=60))
    assert info.tracks[0].duration == pytest.approx(11.0, abs=0.05)


def test_an_mp3_whose_header_claims_hours_is_judged_by_what_decodes(tmp_path, speech):
    # A VBR MP3 whose Xing header counted 400 h was refused as too_long before a sample was decoded.
    mp3 = encode_like(speech, tmp_path / "vbr.mp3", codec="mp3", rate=44_100, layout="mono")
    data = bytearray(mp3.read_bytes())
    xing = data.find(b"Xing") if b"Xing" in data else data.find(b"Info")
    assert xing > 0, "the encoder wrote a Xing/Info header"
    data[xing + 8 : xing + 12] = struct.pack(">I", 400 * 3600 * 44_100 // 1152)  # frames
    mp3.write_bytes(bytes(data))
    info = validate(mp3, InputOptions(max_duration=3600))
    assert info.tracks[0].duration > 3600, "the header really does claim hours"
    assert load_audio(mp3, max_duration=3600).duration == pytest.approx(11.0, abs=0.2)


# --- bug 17: formats a folder walk passed over ---------------------------------------------------------------


def test_a_folder_walk_finds_wavpack_tta_and_dts(tmp_path, speech):
    encode_like(speech, tmp_path / "a.wv", codec="wavpack", rate=16_000, layout="mono")
    encode_like(speech, tmp_path / "b.tta", codec="tta", rate=16_000, layout="mono")
    (tmp_path / "c.dts").write_bytes(b"\x7f\xfe\x80\x01" + bytes(4000))
    (tmp_path / "notes.txt").write_text("not a recording")
    found = [f.path.name for f in discover([str(tmp_path)]).files]
    assert found == ["a.wv", "b.tta", "c.dts"]
    (tmp_path / "noext").mkdir()
    for name in ("a.wv", "b.tta"):  # and by content alone, renamed without an extension
        shutil.copy(tmp_path / name, tmp_path / "noext" / name.split(".")[0])
    assert sorted(f.path.name for f in discover([str(tmp_path / "noext")]).files) == ["a", "b"]


# --- bugs 12 and low: arguments -------------------------------------------------------------------------------


@pytest.mark.parametrize("argument", ["", " ", "\t"])
def test_an_empty_argument_is_a_usage_error_not_the_current_folder(argument):
    with pytest.raises(UsageError, match="empty"):
        discover([argument])


def test_a_missing_name_with_brackets_is_not_found_but_a_star_pattern_is_no_media(tmp_path):
    found = discover([str(tmp_path / "hearing [2].mp3"), str(tmp_path / "day*.mp3")])
    assert [p.code for p in found.problems] == ["not_found", "no_media_found"]


def test_a_name_longer_than_the_system_allows_is_one_clear_error(tmp_path):
    from stt_cli.errors import InputNotFoundError
    from stt_cli.media.probe import check_readable

    found = discover([str(tmp_path / ("x" * 300 + ".flac"))])
    with pytest.raises(InputNotFoundError, match="longer than this system allows"):
        check_readable(found.files[0].path)


# --- bug 5 and low: names shown and written -------------------------------------------------------------------


def test_names_that_are_not_utf8_or_hold_a_newline_can_always_be_written():
    name = os.fsdecode(b"caf\xe9\nday 2.flac")
    assert text_of(name) == "caf\\xe9\nday 2.flac"
    assert shown(name) == "caf\\xe9\\nday 2.flac"
    text_of(name).encode("utf-8")  # never raises


def test_sizes_in_messages_are_in_units_a_person_reads():
    assert "is 2.0 KiB, over the 1.0 KiB limit" in str(TooLargeError("a.wav", 2048, 1024))
    assert "is 3.5 GiB" in str(TooLargeError("a.wav", int(3.5 * 2**30), 2**30))


# --- resume records and backups -------------------------------------------------------------------------------


def test_a_record_name_for_a_very_long_stem_still_fits(tmp_path):
    record = Sidecars.of(tmp_path / ("h" * 245 + ".flac"), tmp_path).record
    assert len(os.fsencode(record.name)) <= 255 and record.name.endswith(".stt.json")
    assert record != Sidecars.of(tmp_path / ("h" * 244 + "x.flac"), tmp_path).record


def test_a_damaged_record_vouches_for_nothing(tmp_path):
    record = tmp_path / ".a.stt.json"
    record.write_text('{"record_version": 1, "fingerprint": ')
    assert resume.read_record(record) is None
    (tmp_path / "a.srt").write_text("1\n")
    assert resume.output_state(None, "srt", tmp_path / "a.srt") is resume.OutputState.foreign


def test_an_edited_output_is_kept_beside_under_a_dated_name(tmp_path):
    from stt_cli.records.sidecars import backup_path

    backup = backup_path(tmp_path / "hearing.srt")
    assert backup.parent == tmp_path and backup.name.startswith("hearing.edited-") and backup.suffix == ".srt"


# --- found by reading: the loop collapse without word timestamps ---------------------------------------------


def test_collapsing_a_loop_works_without_word_timestamps():
    # collapse_repeats built a Word without its probability and raised TypeError (a type checker finds it).
    looped = Segment(id=0, start=1.0, end=9.0, text="thank you very much " * 4, avg_logprob=-0.3)
    [collapsed] = collapse_repeats([looped], [])
    assert collapsed.text == "thank you very much"


def test_the_level_meter_tells_quiet_and_clipped(speech):
    from stt_cli.media.levels import SignalMeter
    from tests.support.media import at_level

    def stats(x: np.ndarray):
        meter = SignalMeter()
        meter.update(x[None], x)
        return meter.stats()

    normal = stats(speech)
    assert not normal.quiet and not normal.clipped
    assert stats(at_level(speech, -65.0)).quiet
    clipped = stats(np.clip(speech * 4, -1, 1))
    assert clipped.clipped and not clipped.quiet


def test_sniff_tells_a_recording_from_text_that_starts_like_one():
    assert sniff.is_media_content(b"fLaC\x00\x00\x00\x22" + bytes(100))
    assert not sniff.is_media_content(b"FORM 12 was filed by the defence on Monday.\n" * 10)


def test_mixing_never_changes_the_block_it_was_given(speech):
    block = np.stack([speech, -speech])
    copy = block.copy()
    mix_down(block)
    assert np.array_equal(block, copy)
