"""The ``stt`` command end to end on real files, through typer's CliRunner."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pysrt
import pytest
import webvtt

from tests.support.cli import error_lines, stt, visible
from tests.support.scoring import normalise

pytestmark = pytest.mark.integration
FAST = ["--model", "tiny.en"]  # the English smoke-test model; the default model is covered in integration/


@pytest.fixture
def work(tmp_path, jfk):
    shutil.copy(jfk, tmp_path / "hearing.flac")
    return tmp_path


def test_default_run_writes_srt_next_to_the_input(work):
    result = stt("transcribe", work / "hearing.flac")
    assert result.exit_code == 0, result.stderr
    subs = pysrt.open(str(work / "hearing.srt"), encoding="utf-8")
    assert "ask not what your country can do for you" in normalise(" ".join(s.text for s in subs))
    assert visible(work) == ["hearing.flac", "hearing.srt"]
    assert result.stdout == ""


def test_all_formats_into_output_dir(work):
    out = work / "transcripts" / "day1"
    result = stt(
        "transcribe", work / "hearing.flac", "-f", "json,srt", "--format", "vtt", "-f", "txt", "-o", out, *FAST
    )
    assert result.exit_code == 0, result.stderr
    assert visible(out) == ["hearing.json", "hearing.srt", "hearing.txt", "hearing.vtt"]
    data = json.loads((out / "hearing.json").read_text(encoding="utf-8"))
    assert data["model"]["name"] == "tiny.en"
    assert data["language_source"] == "model"
    assert len(webvtt.read(str(out / "hearing.vtt"))) >= 1
    assert "done:" in result.stderr


def test_subtitle_line_options_are_applied(work):
    result = stt("transcribe", work / "hearing.flac", "--max-line-width", "20", "--max-line-count", "1", *FAST)
    assert result.exit_code == 0, result.stderr
    subs = pysrt.open(str(work / "hearing.srt"), encoding="utf-8")
    assert len(subs) >= 5
    assert all(len(s.text.splitlines()) == 1 and len(s.text) <= 20 for s in subs)


def test_a_batch_goes_on_past_bad_files_and_exits_1(work):
    (work / "empty.mp3").write_bytes(b"")
    (work / "minutes.wav").write_text("not audio\n" * 100)
    result = stt(
        "transcribe", work / "missing.mp3", work / "empty.mp3", work / "minutes.wav", work / "hearing.flac", *FAST
    )
    assert result.exit_code == 1
    assert (work / "hearing.srt").is_file()
    assert not (work / "empty.srt").exists() and not (work / "minutes.srt").exists()
    errors = error_lines(result)
    assert [e.split("]")[0] for e in errors] == [
        "stt: error [not_found",
        "stt: error [empty_file",
        "stt: error [unsupported_format",
    ]
    assert "Traceback" not in result.stderr + result.stdout
    assert "stt summary" in result.stderr


def test_every_file_failing_exits_3(work):
    result = stt("transcribe", work / "a.mp3", work / "b.mp3", *FAST)
    assert result.exit_code == 3
    assert len(error_lines(result)) == 2


def test_two_inputs_with_one_name_do_not_overwrite_each_other(work, jfk):
    (work / "day2").mkdir()
    shutil.copy(jfk, work / "day2" / "hearing.flac")
    out = work / "out"
    result = stt("transcribe", work / "hearing.flac", work / "day2" / "hearing.flac", "-o", out, *FAST)
    assert result.exit_code == 1
    assert "[output_clash]" in result.stderr
    assert visible(out) == ["hearing.srt"]


def test_unwritable_output_is_one_line_before_any_work(work):
    blocker = work / "blocker"
    blocker.write_text("a file where a folder should be")
    result = stt("transcribe", work / "hearing.flac", "-o", blocker / "sub", *FAST)
    assert result.exit_code == 3
    [line] = error_lines(result)
    assert "[output_unwritable]" in line and "--output-dir" in line


@pytest.mark.parametrize(
    "args, message",
    [
        (["-f", "pdf"], "unknown format 'pdf'"),
        (["--beam-size", "0"], "--beam-size must be between 1 and 20"),
        (["--language", "klingon"], "is not one Whisper knows"),
        (["--language", "id"], "only transcribes English"),
        (["--task", "summarise"], "Invalid value"),
    ],
)
def test_usage_errors_exit_2(work, args, message):
    result = stt("transcribe", work / "hearing.flac", *args, *FAST)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (work / "hearing.srt").exists()


def test_unknown_model_is_one_line_and_exit_3(work):
    result = stt("transcribe", work / "hearing.flac", "--model", "not-a-model")
    assert result.exit_code == 3
    [line] = error_lines(result)
    assert "unknown model 'not-a-model'" in line


def test_version():
    result = stt("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("stt ")


def test_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from stt_cli.cli import app\n"
        "r = CliRunner().invoke(app, ['transcribe', '--help'])\n"
        "assert r.exit_code == 0 and '--max-line-width' in r.stdout, r.stdout\n"
        "heavy = [m for m in ('torch', 'faster_whisper', 'ctranslate2', 'pyannote', 'av') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cuda_without_a_gpu_is_one_clear_line(work):
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a GPU")
    result = stt("transcribe", work / "hearing.flac", "--device", "cuda", *FAST)
    assert result.exit_code == 3
    [line] = error_lines(result)
    assert "[model_unavailable]" in line and "on cuda" in line and "--device cpu" in line
    assert not (work / "hearing.srt").exists()


def test_arguments_that_name_nothing_exit_3_without_loading_a_model(tmp_path):
    (tmp_path / "empty").mkdir()
    result = stt("transcribe", tmp_path / "empty", tmp_path / "nothing-*.mp3", "--model", "not-a-model")
    assert result.exit_code == 3
    assert [line.split("]")[0] for line in error_lines(result)] == ["stt: error [no_media_found"] * 2
    assert "unknown model" not in result.stderr  # the model was never looked up


def test_a_file_name_with_rich_markup_is_shown_as_it_is(tmp_path):
    # Low (issue 10): "[bold red]" in a recording's name was rendered as markup in the progress bar.
    import io
    from pathlib import Path

    from rich.console import Console

    from stt_cli.cli import display

    captured = io.StringIO()
    console = Console(file=captured, force_terminal=True, width=200, color_system=None)
    original = display.stderr
    display.stderr = console
    try:
        events = display.BarEvents(quiet=False)
        events.file_started(1, 1, Path("[bold red]exhibit 7[blink].mp3"))
        events.progress("transcribe", 1.0, 10.0)
        events.bar.refresh()
        events.bar.stop()
    finally:
        display.stderr = original
    assert "[bold red]exhibit 7[blink].mp3" in captured.getvalue()
