"""`stt render`: every format again from a transcript JSON, with no model, byte for byte as `stt transcribe`
wrote it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stt_cli.media.decode import load_audio
from tests.support.cli import error_lines, stt
from tests.support.media import write_tracks
from tests.support.rooms import microphones

FAST = ["--model", "tiny.en"]
LIBRISPEECH = Path(__file__).resolve().parent.parent / "data" / "en_librispeech"
HEAVY = ("torch", "faster_whisper", "ctranslate2", "pyannote", "onnxruntime", "av")


@pytest.fixture(scope="module")
def transcribed(tmp_path_factory) -> Path:
    """A two-microphone conversation of two LibriSpeech readers, transcribed with speakers (from the channels,
    so no diarization model is needed) in every format."""
    folder = tmp_path_factory.mktemp("transcribed")
    clips = ["1089-134686-0000.flac", "61-70968-0000.flac", "1089-134691-0000.flac"]
    turns = [(i % 2, load_audio(LIBRISPEECH / clip).samples) for i, clip in enumerate(clips)]
    signal, _ = microphones(turns, 2)
    path = write_tracks(folder / "hearing.flac", [signal], codec="flac", rate=16_000, layout="stereo")
    result = stt("transcribe", path, *FAST, "--channel-speakers", "Judge,Witness", "-f", "all,rttm,review", "-q",
                 "--max-line-width", "30")  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder


def test_every_format_rendered_from_the_json_is_what_transcribe_wrote(transcribed, tmp_path):
    out = tmp_path / "again"
    result = stt(
        "render", transcribed / "hearing.json", "-f", "all,rttm,review", "-o", out, "--max-line-width", "30"
    )
    assert result.exit_code == 0, result.output
    for ext in ("json", "srt", "vtt", "txt", "rttm", "review.tsv"):
        assert (out / f"hearing.{ext}").read_bytes() == (transcribed / f"hearing.{ext}").read_bytes(), ext
    data = json.loads((out / "hearing.json").read_text())
    assert {s["name"] for s in data["speakers"]} == {"Judge", "Witness"}


def test_render_loads_no_model_and_no_heavy_library(transcribed, tmp_path):
    args = [
        "render",
        str(transcribed / "hearing.json"),
        "-f",
        "txt,vtt",
        "-o",
        str(tmp_path),
        "--max-line-width",
        "30",
    ]
    script = (
        "import sys\nfrom stt_cli.cli import app\n"
        f"try:\n    app({args!r})\n"
        "except SystemExit as e:\n    code = e.code\n"
        f"print(code, sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert shown.strip().splitlines()[-1] == "0 []"
    assert (tmp_path / "hearing.vtt").read_bytes() == (transcribed / "hearing.vtt").read_bytes()


def test_a_rendered_file_that_exists_is_left_alone_or_kept_aside(transcribed, tmp_path):
    srt = tmp_path / "hearing.srt"
    assert stt("render", transcribed / "hearing.json", "-o", tmp_path, "--max-line-width", "30").exit_code == 0
    again = stt("render", transcribed / "hearing.json", "-o", tmp_path, "--max-line-width", "30")
    assert again.exit_code == 0 and "current" in again.output  # the same bytes: nothing written
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nA clerk's correction\n", encoding="utf-8")
    refused = stt("render", transcribed / "hearing.json", "-o", tmp_path)
    assert refused.exit_code == 3
    [line] = error_lines(refused)
    assert "output_edited" in line and "--overwrite" in line
    assert "clerk's correction" in srt.read_text()
    forced = stt("render", transcribed / "hearing.json", "-o", tmp_path, "--overwrite")
    assert forced.exit_code == 0
    [kept] = list(tmp_path.glob("hearing.edited-*.srt"))
    assert "clerk's correction" in kept.read_text() and "clerk's" not in srt.read_text()


def test_what_is_not_a_transcript_fails_alone(transcribed, tmp_path):
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    result = stt(
        "render", bad, transcribed / "hearing.json", tmp_path / "missing.json", "-f", "txt", "-o", tmp_path
    )
    assert result.exit_code == 1
    lines = error_lines(result)
    assert len(lines) == 2 and all("usage" in line or "not an stt JSON" in line for line in lines)
    assert (tmp_path / "hearing.txt").exists() and not (tmp_path / "notes.txt").exists()


@pytest.fixture
def no_asr(monkeypatch):
    """Call it to make speech recognition fail loudly: what still succeeds was rendered from a kept transcript."""
    from stt_cli.pipeline import Transcriber

    def refuse(self, path, **kwargs):
        raise AssertionError(f"speech recognition ran on {path}")

    return lambda: monkeypatch.setattr(Transcriber, "transcribe", refuse)


def _once(folder: Path, jfk: Path) -> Path:
    source = folder / "sidang.flac"
    source.write_bytes(jfk.read_bytes())
    assert stt("transcribe", source, *FAST, "-f", "srt", "-q").exit_code == 0
    return source


def test_a_rerun_that_only_adds_formats_renders_them_without_asr(tmp_path, jfk, no_asr):
    source = _once(tmp_path, jfk)
    srt = (tmp_path / "sidang.srt").read_bytes()
    no_asr()
    result = stt("transcribe", source, *FAST, "-f", "srt,txt,json")
    assert result.exit_code == 0, result.output
    assert "no speech recognition ran" in result.output
    assert (tmp_path / "sidang.srt").read_bytes() == srt
    data = json.loads((tmp_path / "sidang.json").read_text())
    assert data["input"]["path"] == str(source) and data["text"].strip()
    assert (tmp_path / "sidang.txt").read_text().strip() == "\n".join(s["text"] for s in data["segments"])


def test_a_renamed_copy_is_not_transcribed_again(tmp_path, jfk, no_asr):
    source = _once(tmp_path, jfk)
    no_asr()
    copy = tmp_path / "sidang-salinan.flac"
    copy.write_bytes(source.read_bytes())
    result = stt("transcribe", copy, *FAST, "-f", "srt,json")
    assert result.exit_code == 0, result.output
    assert "the same recording as" in result.output and "sidang.flac" in result.output
    data = json.loads((tmp_path / "sidang-salinan.json").read_text())
    assert data["input"]["path"] == str(copy)
    assert any("not transcribed again" in w for w in data["warnings"])
    assert (tmp_path / "sidang-salinan.srt").read_bytes() == (tmp_path / "sidang.srt").read_bytes()


@pytest.mark.parametrize("change", ["settings", "kept transcript"])
def test_other_settings_or_a_tampered_kept_transcript_mean_transcribing_again(tmp_path, jfk, no_asr, change):
    source = _once(tmp_path, jfk)
    no_asr()
    extra = []
    if change == "settings":
        extra = ["--beam-size", "2"]
    else:
        kept = tmp_path / ".sidang.stt.transcript.json"
        kept.write_text(kept.read_text().replace('"text": "', '"text": "Forged ', 1))
    result = stt("transcribe", source, *FAST, "-f", "srt,txt", *extra)
    assert result.exit_code != 0
    assert "AssertionError" in result.output  # it tried to transcribe (and was refused): nothing was reused
