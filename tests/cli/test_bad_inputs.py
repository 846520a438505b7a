"""A corpus of bad inputs, made here, in one batch with good files: each bad file gets its code and one line,
no traceback and no output, the good files are transcribed, and the exit code says "some failed"."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from media import concatenate, encode_like, load_mono16k, write_video_only, write_wav, write_wav_header
from typer.testing import CliRunner

from stt_cli.cli import app

pytestmark = pytest.mark.integration
IS_ROOT = os.geteuid() == 0


def build_corpus(folder: Path, data: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """Make the files. Returns (argument -> expected code), the good arguments, and every argument in order."""
    jfk = data / "en_jfk" / "jfk.flac"
    libri = sorted((data / "en_librispeech").glob("*.flac"))
    rng = np.random.default_rng(7)
    bad: dict[str, str] = {}

    def make(name: str, code: str, content: bytes | None = None) -> Path:
        path = folder / name
        if content is not None:
            path.write_bytes(content)
        bad[str(path)] = code
        return path

    make("missing.mp3", "not_found")
    make("empty.wav", "empty_file", b"")
    make("random.mp3", "corrupt_audio", b"\x00" + rng.bytes(20_000))
    make("random.bin", "unsupported_format", b"\x00" + rng.bytes(20_000))
    make("report.mp3", "unsupported_format", b"%PDF-1.7\n" + rng.bytes(5000))
    make("notes.wav", "unsupported_format", b"Berita acara sidang, bukan rekaman.\n" * 50)
    make("subtitles.mp3", "unsupported_format", b"1\n00:00:01,000 --> 00:00:02,000\nHello\n\n" * 20)
    make("photo.m4a", "unsupported_format", b"\x89PNG\r\n\x1a\n" + rng.bytes(3000))
    make("photo.mp3", "unsupported_format", b"\xff\xd8\xff\xe0" + rng.bytes(3000))
    with zipfile.ZipFile(make("exhibit.flac", "unsupported_format"), "w") as z:
        z.writestr("exhibit.txt", "not audio")
    shutil.copy("/bin/true", make("program.wav", "unsupported_format"))
    flac = libri[0].read_bytes()
    make("truncated.flac", "truncated", flac[: len(flac) * 2 // 5])
    write_wav_header(make("lying-header.wav", "truncated"), channels=1, declared_seconds=20, actual_seconds=2)
    write_wav_header(make("zero-duration.wav", "empty_audio"), channels=1, declared_seconds=0, actual_seconds=0)
    write_wav_header(make("zero-channels.wav", "corrupt_audio"), channels=0, declared_seconds=1, actual_seconds=1)
    write_video_only(make("silent-film.mp4", "no_audio_stream"))
    video = encode_like(
        load_mono16k(jfk), folder / "full.mp4", codec="aac", rate=48_000, layout="mono", video="h264"
    )
    make("half-video.mp4", "corrupt_audio", video.read_bytes()[: video.stat().st_size // 2])
    video.unlink()
    with make("huge.wav", "too_large").open("wb") as f:  # sparse: 20 GiB declared, nothing on disk
        f.truncate(20 * 2**30)
    concatenate(libri, make("too-long.wav", "too_long"))  # 41 s of real speech, over --max-duration 30
    os.mkfifo(make("pipe.wav", "unsupported_format"))
    os.symlink(folder / "gone.flac", make("dangling-link.flac", "not_found"))
    notes_only = folder / "notes-only"
    notes_only.mkdir()
    (notes_only / "minutes.txt").write_text("no recordings here")
    bad[str(notes_only)] = "no_media_found"
    bad[str(folder / "nothing-*.mp3")] = "no_media_found"
    # The output of this good recording cannot be written: a folder stands where its SRT would go.
    blocked = folder / "blocked"
    blocked.mkdir()
    shutil.copy(jfk, make("blocked/hearing.flac", "output_unwritable"))
    (blocked / "hearing.srt").mkdir()
    unreadable = folder / "locked.flac"
    shutil.copy(jfk, unreadable)
    unreadable.chmod(0)
    if not IS_ROOT:  # root reads it anyway: then it is simply a good file
        bad[str(unreadable)] = "unreadable"

    good = [str(shutil.copy(jfk, folder / "hearing.flac"))]
    # A WAV named .mp3: content decides, not the extension.
    witness = write_wav(folder / "witness.wav", load_mono16k(libri[1]))
    good.append(str(witness.rename(folder / "witness.mp3")))
    good.append(str(write_wav(folder / "recess.wav", np.zeros(4 * 16_000, dtype=np.float32))))  # silence
    if IS_ROOT:
        good.append(str(unreadable))
    arguments = list(bad) + good
    arguments.sort(key=lambda a: Path(a).name)  # good and bad interleaved
    if not IS_ROOT:
        arguments.append(str(unreadable))
    return bad, good, arguments


def test_bad_inputs_get_their_codes_and_good_ones_are_transcribed(tmp_path, data_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    bad, good, arguments = build_corpus(corpus, data_dir)
    assert len(bad) >= 20
    summary = tmp_path / "summary.json"
    result = CliRunner().invoke(
        app,
        [
            "transcribe",
            *arguments,
            "-m",
            "tiny.en",
            "-f",
            "json,srt",
            "--max-duration",
            "30",
            "--summary-json",
            str(summary),
        ],
    )
    assert result.exit_code == 1, result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output

    report = json.loads(summary.read_text())
    codes = {f["input"]: f["code"] for f in report["files"]}
    assert {arg: codes.get(arg) for arg in bad} == bad
    assert {f["input"] for f in report["files"] if f["status"] == "done"} == set(good)
    assert report["counts"]["failed"] == len(bad)
    assert report["exit_code"] == 1

    # One line per failure, saying what to do.
    errors = [line for line in result.stderr.splitlines() if line.startswith("stt: error")]
    assert len(errors) == len(bad)
    assert all(";" in line for line in errors)
    assert "no speech was found" in result.stderr  # the silent file: a warning, not an error

    # No output, temporary file or resume record for any bad input; both outputs for every good one.
    for arg in bad:
        stem = Path(arg).stem
        leftovers = [p for p in Path(arg).parent.iterdir() if p.name.startswith((f"{stem}.", f".{stem}."))]
        leftovers = [p for p in leftovers if p.suffix in (".json", ".srt", ".part") and p.is_file()]
        assert not leftovers, leftovers
    for arg in good:
        assert Path(arg).with_suffix(".json").is_file() and Path(arg).with_suffix(".srt").is_file()
    silent = json.loads((corpus / "recess.json").read_text())
    assert silent["segments"] == [] and silent["warnings"]


def test_fail_fast_stops_at_the_first_failure(tmp_path, jfk):
    shutil.copy(jfk, tmp_path / "b.flac")
    summary = tmp_path / "s.json"
    result = CliRunner().invoke(
        app,
        [
            "transcribe",
            str(tmp_path / "a-missing.flac"),
            str(tmp_path / "b.flac"),
            "-m",
            "tiny.en",
            "--fail-fast",
            "--summary-json",
            str(summary),
        ],
    )
    report = json.loads(summary.read_text())
    assert [f["status"] for f in report["files"]] == ["failed", "pending"]
    assert result.exit_code == 3
    assert not (tmp_path / "b.srt").exists()
