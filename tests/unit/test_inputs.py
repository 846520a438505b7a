"""Discovery of recordings from files, folders and patterns; sniffing; limits parsing. No model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stt_cli.batch.inputs import discover
from stt_cli.cli.parse import parse_duration, parse_size
from stt_cli.errors import UsageError
from stt_cli.media import sniff
from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.writers import output_path


@pytest.fixture
def tree(tmp_path, jfk) -> Path:
    root = tmp_path / "recordings"
    for rel in ["day1/a.flac", "day1/b.mp3", "day2/a.flac", "day2/sub/c.wav", "day2/.hidden.wav", ".cache/d.flac"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(jfk, root / rel)
    shutil.copy(jfk, root / "day2" / "no-extension")  # media by content
    (root / "day1" / "a.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n")
    (root / "day1" / "notes.txt").write_text("minutes")
    (root / "day1" / "scan.pdf").write_bytes(b"%PDF-1.7\n")
    return root


def test_folders_are_walked_recursively_in_order_skipping_hidden_and_non_media(tree):
    found = discover([str(tree)])
    rel = [str(f.path.relative_to(tree)) for f in found.files]
    assert rel == ["day1/a.flac", "day1/b.mp3", "day2/a.flac", "day2/no-extension", "day2/sub/c.wav"]
    assert [str(f.relative_dir) for f in found.files] == ["day1", "day1", "day2", "day2", "day2/sub"]
    assert found.problems == ()


def test_output_dir_mirrors_the_input_tree(tree, tmp_path):
    options = OutputOptions(output_dir=tmp_path / "out")
    targets = [output_path(f.path, OutputFormat.srt, options, f.relative_dir) for f in discover([str(tree)]).files]
    assert tmp_path / "out" / "day1" / "a.srt" in targets
    assert tmp_path / "out" / "day2" / "a.srt" in targets
    assert len(set(targets)) == len(targets)


def test_glob_patterns_and_duplicates(tree):
    found = discover([str(tree / "day*" / "a.flac"), str(tree / "day1" / "a.flac"), str(tree / "**" / "*.wav")])
    assert [f.path.relative_to(tree).as_posix() for f in found.files] == [
        "day1/a.flac",
        "day2/a.flac",
        "day2/sub/c.wav",
    ]


def test_names_that_find_nothing_are_problems_and_missing_files_pass_through(tree, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    found = discover([str(empty), str(tree / "*.ogg"), str(tmp_path / "missing.mp3")])
    assert [p.code for p in found.problems] == ["no_media_found", "no_media_found"]
    assert [f.path.name for f in found.files] == ["missing.mp3"]


@pytest.mark.parametrize(
    "head, what",
    [
        (b"%PDF-1.4 ...", "a PDF document"),
        (b"PK\x03\x04rest", "a ZIP archive (or an Office document)"),
        (b"\x89PNG\r\n\x1a\n....", "a PNG image"),
        (b"Transkrip sidang\nHakim: ...\n", "a text file"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"ID3\x04\x00\x00\x00\x00", None),
        (b"\xff\xfb\x90\x00" + bytes(100), None),
        (b"\x1aE\xdf\xa3\x9fB\x86\x81", None),
        (b"\x00\x00\x00\x18ftypmp42", None),
    ],
)
def test_sniffing_names_what_a_file_really_is(head, what):
    assert sniff.what_else(head) == what


def test_wav_header_declared_length():
    import struct

    def wav(data_size: int) -> bytes:
        fmt = struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
        return b"RIFF\x00\x00\x00\x00WAVEfmt " + fmt + b"data" + struct.pack("<I", data_size)

    assert sniff.wav_declared_seconds(wav(32000 * 90)) == 90.0
    assert sniff.wav_declared_seconds(wav(0)) is None  # never filled in by a streaming writer
    assert sniff.wav_declared_seconds(wav(0xFFFFFFFF)) is None
    assert sniff.wav_declared_seconds(b"ID3....") is None


@pytest.mark.parametrize(
    "text, seconds",
    [("3600", 3600.0), ("90m", 5400.0), ("12h", 43200.0), ("1h30m", 5400.0), ("45s", 45.0), ("0", 0.0)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text, size", [("0", 0), ("500M", 500 * 2**20), ("16G", 16 * 2**30), ("1.5GiB", 3 * 2**29)]
)
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("bad", ["ten hours", "-1", "h"])
def test_bad_limits_are_usage_errors(bad):
    with pytest.raises(UsageError):
        parse_duration(bad) if "h" in bad else parse_size(bad)
