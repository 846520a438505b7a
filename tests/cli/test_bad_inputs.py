"""A corpus of bad inputs, made here, in one batch with good files: each bad file gets its code and one line,
no traceback, no output and no record; the good files are transcribed; the exit code says "some failed"; and
every input is byte for byte what it was."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import socket
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from stt_cli.cli import app
from tests.support.media import (
    at_level,
    concatenate,
    encode_like,
    load_mono16k,
    write_tracks,
    write_video_only,
    write_wav,
    write_wav_header,
)

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
    _more_bad(folder, jfk, libri, rng, make, bad)

    good = [str(shutil.copy(jfk, folder / "hearing.flac"))]
    # A WAV named .mp3: content decides, not the extension.
    witness = write_wav(folder / "witness.wav", load_mono16k(libri[1]))
    good.append(str(witness.rename(folder / "witness.mp3")))
    good.append(str(write_wav(folder / "recess.wav", np.zeros(4 * 16_000, dtype=np.float32))))  # silence
    good += _more_good(folder, jfk)
    if IS_ROOT:
        good.append(str(unreadable))
    arguments = list(bad) + good
    arguments.sort(key=lambda a: Path(a).name)  # good and bad interleaved
    if not IS_ROOT:
        arguments.append(str(unreadable))
    return bad, good, arguments


def _more_bad(folder: Path, jfk: Path, libri: list[Path], rng, make, bad: dict[str, str]) -> None:
    """Issue 10's additions: more formats that are not media, media cut short at every stage of its header,
    outputs that would land on recordings, names that cannot exist, and things that are not files."""
    speech = load_mono16k(jfk)
    sources = {
        "mp3": encode_like(speech, folder / "src.mp3", codec="mp3", rate=44_100, layout="mono"),
        "m4a": encode_like(speech, folder / "src.m4a", codec="aac", rate=48_000, layout="mono"),
        "ogg": encode_like(speech, folder / "src.ogg", codec="libopus", rate=48_000, layout="mono"),
        "mkv": encode_like(
            speech, folder / "src.mkv", codec="libopus", rate=48_000, layout="mono", video="libvpx"
        ),
        "wav": write_wav(folder / "src.wav", speech),
        "aiff": encode_like(speech, folder / "src.aiff", codec="pcm_s16be", rate=16_000, layout="mono"),
    }
    data = {kind: path.read_bytes() for kind, path in sources.items()}
    for path in sources.values():
        path.unlink()
    flac, wav, m4a = jfk.read_bytes(), data["wav"], data["m4a"]
    not_media = {
        "gif.mp3": b"GIF89a", "bmp.wav": b"BM", "tiff.flac": b"II*\x00", "program.mp3": b"MZ\x90\x00",
        "archive.m4a": b"7z\xbc\xaf\x27\x1c", "archive.wav": b"Rar!\x1a\x07\x00", "db.mp3": b"SQLite format 3\x00",
        "old.wma": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    }  # fmt: skip
    for name, signature in not_media.items():
        make(name, "unsupported_format", signature + rng.bytes(2000))
    make("archive.ogg", "unsupported_format", gzip.compress(b"minutes of the hearing " * 100))
    make("letter.wav", "unsupported_format", b"{\\rtf1\\ansi Letter to the court}" * 20)
    make("playlist.mp4", "unsupported_format", b"#EXTM3U\n#EXTINF:10,\nhttp://10.0.0.1/a.ts\n" * 5)
    make("stream.mp3", "unsupported_format", b"v=0\nc=IN IP4 10.0.0.1\nt=0 0\nm=audio 5004 RTP/AVP 0\n" * 3)
    cut_short = {
        "id3-only.mp3": b"ID3\x03\x00\x00\x00\x00\x00\x0a" + bytes(10),
        "flac-header-only.flac": flac[:42],
        "wav-header-only.wav": wav[:44],
        "mp3-first-frame.mp3": data["mp3"][:300],
        "m4a-ftyp-only.m4a": m4a[:32],
        "m4a-without-moov.m4a": m4a[: max(200, m4a.find(b"moov") - 4)],
        "ogg-first-page.ogg": data["ogg"][:60],
        "mkv-header-only.mkv": data["mkv"][:100],
        "caf-header-only.caf": b"caff\x00\x01\x00\x00" + bytes(60),
        "one-byte.mp3": b"\xff",
        "adts-noise.aac": b"\xff\xf1" + rng.bytes(3000),
        "utf16-notes.wav": "Berita acara sidang".encode("utf-16"),
        "zeros.wav": bytes(4096),
        "zero-rate.wav": wav[:24] + struct.pack("<I", 0) + wav[28:],
        "mp4-no-samples.mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(100),
        os.fsdecode(b"rusak-\xe9.mp3"): rng.bytes(5000),  # a Windows name, damaged too
    }
    for name, content in cut_short.items():
        make(name, "corrupt_audio", content)
    fmt = wav.find(b"fmt ")
    make("odd-codec.wav", "corrupt_audio", wav[: fmt + 8] + struct.pack("<H", 0x9999) + wav[fmt + 10 :])
    make("riff-avi-no-sound.wav", "no_audio_stream", b"RIFF\x00\x10\x00\x00AVI LIST" + rng.bytes(2000))
    make("aiff-cut.aiff", "truncated", data["aiff"][: len(data["aiff"]) // 3])
    write_video_only(make("silent-film.mkv", "no_audio_stream"))
    encode_like(  # an MP3 declares its length only by estimate: it is judged while decoding
        np.concatenate([load_mono16k(p) for p in libri]), make("too-long.mp3", "too_long"),
        codec="mp3", rate=44_100, layout="mono",
    )  # fmt: skip
    make(os.fsdecode(b"empty-\xe9.flac"), "empty_file", b"")
    make("minutes\nof the day.mp3", "unsupported_format", b"%PDF-1.4\n" + rng.bytes(1000))
    make("x" * 300 + ".flac", "not_found")
    make("hearing [2].mp3", "not_found")
    os.symlink(folder / "loop-b.flac", make("loop-a.flac", "not_found"))
    os.symlink(folder / "loop-a.flac", folder / "loop-b.flac")
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(make("socket.wav", "unsupported_format")))
    listening.close()
    (folder / "empty-folder.mp3").mkdir()
    bad[str(folder / "empty-folder.mp3")] = "no_media_found"
    shutil.copy(jfk, make("interview.srt", "output_clash"))  # a recording named like a transcript
    shutil.copy(jfk, make("deposition.mp3", "output_clash"))
    shutil.copy(jfk, folder / "deposition.srt")  # ...and one beside another input, not named on the command line
    shutil.copy(jfk, make("notes-beside.flac", "output_edited"))
    (folder / "notes-beside.srt").write_text("the clerk's own notes\n")  # not written by stt: kept


def _more_good(folder: Path, jfk: Path) -> list[str]:
    """Recordings that were refused or mangled before issue 10, and are transcribed now."""
    speech = load_mono16k(jfk)
    joined = folder / "joined-rates.mp3"  # two MP3s of different rates, joined with `cat`
    parts = [
        encode_like(speech, folder / f"part{r}.mp3", codec="mp3", rate=r, layout="mono") for r in (44_100, 22_050)
    ]
    joined.write_bytes(b"".join(p.read_bytes() for p in parts))
    for part in parts:
        part.unlink()
    wav = write_wav(folder / "byte-rate.wav", speech).read_bytes()
    fmt = wav.find(b"fmt ")
    lying = folder / "lying-byte-rate.wav"
    lying.write_bytes(wav[: fmt + 16] + struct.pack("<I", 3_200) + wav[fmt + 20 :])  # a tenth of the truth
    (folder / "byte-rate.wav").unlink()
    good = [
        joined,
        lying,
        write_tracks(folder / "second-track.mp4", [np.zeros_like(speech), speech], video="h264"),
        encode_like(speech, folder / "late-sound.mp4", codec="aac", rate=48_000, layout="mono", video="h264",
                    audio_start=5.0),
        write_wav(folder / "inverted.wav", np.stack([speech, -speech])),
        write_wav(folder / "quiet.wav", at_level(speech, -65.0)),
        encode_like(speech, folder / "day_a.wv", codec="wavpack", rate=16_000, layout="mono"),
        encode_like(speech, folder / "day_b.tta", codec="tta", rate=16_000, layout="mono"),
        Path(shutil.copy(jfk, os.fsdecode(bytes(folder) + b"/caf\xe9.flac"))),
        Path(shutil.copy(jfk, folder / ("h" * 240 + ".flac"))),
    ]  # fmt: skip
    return [str(p) for p in good]


def _fingerprints(folder: Path) -> dict[str, str]:
    """sha256 of every file; for the 20 GiB sparse one, its size, time and allocated blocks (any write to it
    would change them, and hashing 20 GiB twice would take minutes)."""
    prints = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.is_symlink() or not os.access(path, os.R_OK):
            continue
        info = path.stat()
        if info.st_size > 64 * 2**20:
            prints[str(path)] = f"{info.st_size}/{info.st_mtime_ns}/{info.st_blocks}"
        else:
            prints[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return prints


def test_bad_inputs_get_their_codes_and_good_ones_are_transcribed(tmp_path, data_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    bad, good, arguments = build_corpus(corpus, data_dir)
    assert len(bad) >= 60
    inputs_before = _fingerprints(corpus)
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
    shown = {arg: os.fsencode(arg).decode("utf-8", "backslashreplace") for arg in [*bad, *good]}
    assert {arg: codes.get(shown[arg]) for arg in bad} == bad
    assert {f["input"] for f in report["files"] if f["status"] == "done"} == {shown[g] for g in good}
    assert report["counts"]["failed"] == len(bad)
    assert report["exit_code"] == 1

    # One line per failure, saying what to do.
    errors = [line for line in result.stderr.splitlines() if line.startswith("stt: error")]
    assert len(errors) == len(bad)
    assert all(";" in line for line in errors)
    # Each line names the input it is about, even when the folder it cannot write into is the problem.
    [unwritable] = [line for line in errors if "[output_unwritable]" in line]
    assert unwritable.startswith(f"stt: error [output_unwritable]: {corpus / 'blocked' / 'hearing.flac'}: ")
    assert "no speech was found" in result.stderr  # the silent file: a warning, not an error

    # No output, temporary file or resume record for any bad input; both outputs for every good one.
    for arg in bad:
        stem = Path(arg).stem
        if len(os.fsencode(stem)) > 250:
            continue  # a name no file system can hold: nothing can exist beside it
        leftovers = [p for p in Path(arg).parent.iterdir() if p.name.startswith((f"{stem}.", f".{stem}."))]
        leftovers = [p for p in leftovers if p.suffix in (".json", ".srt", ".part") and p.is_file()]
        leftovers = [p for p in leftovers if str(p) not in inputs_before]  # recordings named .srt stay
        assert not leftovers, leftovers
    for arg in good:
        assert Path(arg).with_suffix(".json").is_file() and Path(arg).with_suffix(".srt").is_file()
    silent = json.loads((corpus / "recess.json").read_text())
    assert silent["segments"] == [] and silent["warnings"]
    # And not one byte of any input changed.
    assert _fingerprints(corpus) | inputs_before == _fingerprints(corpus)
    assert {p: d for p, d in _fingerprints(corpus).items() if p in inputs_before} == inputs_before
    assert (corpus / "notes-beside.srt").read_text() == "the clerk's own notes\n"


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
