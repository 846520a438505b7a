"""Resuming: finished files are skipped, anything that changed is redone, and Ctrl-C mid-batch leaves no partial
output and loses no finished work."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import stt
from tests.support.media import concatenate

pytestmark = pytest.mark.integration
FAST = ["-m", "tiny.en", "-f", "json,srt"]


def run(*args, summary: Path) -> dict:
    result = stt("transcribe", *args, *FAST, "--summary-json", summary)
    report = json.loads(summary.read_text())
    assert report["exit_code"] == result.exit_code, result.stderr
    return report


def statuses(report: dict) -> dict[str, str]:
    return {Path(f["input"]).name: f["status"] for f in report["files"]}


def test_rerun_skips_current_files_and_redoes_changed_ones(tmp_path, jfk, data_dir):
    folder = tmp_path / "hearings"
    folder.mkdir()
    shutil.copy(jfk, folder / "a.flac")
    shutil.copy(data_dir / "en_librispeech" / "1089-134691-0001.flac", folder / "b.flac")
    summary = tmp_path / "s.json"

    assert statuses(run(folder, summary=summary)) == {"a.flac": "done", "b.flac": "done"}
    first = (folder / "a.srt").stat().st_mtime_ns
    assert statuses(run(folder, summary=summary)) == {"a.flac": "skipped", "b.flac": "skipped"}
    assert (folder / "a.srt").stat().st_mtime_ns == first

    os.utime(folder / "a.flac")  # touched but identical: the content decides, still skipped
    assert statuses(run(folder, summary=summary))["a.flac"] == "skipped"
    (folder / "b.json").unlink()  # an output that went missing is written again
    assert statuses(run(folder, summary=summary)) == {"a.flac": "skipped", "b.flac": "done"}
    shutil.copy(data_dir / "en_librispeech" / "1089-134691-0000.flac", folder / "a.flac")  # a new recording
    assert statuses(run(folder, summary=summary))["a.flac"] == "done"

    result = stt("transcribe", folder, *FAST, "--max-line-width", "30")
    assert result.exit_code == 0 and result.stderr.count("done:") == 2, "another setting redoes every file"
    result = stt("transcribe", folder, *FAST, "--max-line-width", "30", "--overwrite")
    assert result.stderr.count("done:") == 2


def test_a_hand_corrected_transcript_is_never_destroyed(tmp_path, jfk, data_dir):
    # Issue 10, bug 18: a rerun without --overwrite replaced a clerk's corrections.
    folder = tmp_path / "hearings"
    folder.mkdir()
    shutil.copy(jfk, folder / "a.flac")
    summary = tmp_path / "s.json"
    assert statuses(run(folder, summary=summary)) == {"a.flac": "done"}
    corrected = (folder / "a.srt").read_text().replace("And so", "[CLERK] And so")
    (folder / "a.srt").write_text(corrected)

    report = run(folder, summary=summary)  # same recording, same settings: the correction is kept
    assert statuses(report) == {"a.flac": "skipped"}
    assert "kept a.srt" in report["files"][0]["warnings"][0]
    assert (folder / "a.srt").read_text() == corrected

    shutil.copy(data_dir / "en_librispeech" / "1089-134691-0000.flac", folder / "a.flac")  # a new recording
    report = run(folder, summary=summary)
    assert statuses(report) == {"a.flac": "failed"} and report["files"][0]["code"] == "output_edited"
    assert (folder / "a.srt").read_text() == corrected, "refused, and the correction is still there"

    result = stt("transcribe", folder, *FAST, "--overwrite")
    assert result.exit_code == 0, result.stderr
    [backup] = folder.glob("a.edited-*.srt")
    assert backup.read_text() == corrected, "--overwrite keeps the corrected file beside the new one"
    assert "[CLERK]" not in (folder / "a.srt").read_text()


def test_a_file_not_written_by_stt_is_not_replaced(tmp_path, jfk):
    # A clerk's notes called hearing.txt beside hearing.flac: -f txt must not overwrite them.
    shutil.copy(jfk, tmp_path / "hearing.flac")
    (tmp_path / "hearing.txt").write_text("notes of the hearing\n")
    result = stt("transcribe", tmp_path / "hearing.flac", "-m", "tiny.en", "-f", "txt")
    assert result.exit_code == 3 and "[output_edited]" in result.stderr
    assert (tmp_path / "hearing.txt").read_text() == "notes of the hearing\n"


def test_another_recording_with_the_same_size_and_time_is_transcribed(tmp_path, jfk):
    # Issue 10, bug 15: resume trusted size and modification time over the recorded sha256.
    source = tmp_path / "REC001.flac"
    shutil.copy(jfk, source)
    os.utime(source, ns=(946_684_800_000_000_000, 946_684_800_000_000_000))
    assert statuses(run(source, summary=tmp_path / "s.json")) == {"REC001.flac": "done"}
    data = bytearray(source.read_bytes())
    data[-5000] ^= 0xFF  # another day's recording: same name, same size
    source.write_bytes(bytes(data))
    os.utime(source, ns=(946_684_800_000_000_000, 946_684_800_000_000_000))
    assert statuses(run(source, summary=tmp_path / "s.json")) == {"REC001.flac": "done"}


@pytest.mark.system
def test_ctrl_c_mid_batch_then_rerun_finishes_without_redoing(tmp_path, data_dir):
    folder = tmp_path / "hearings"
    folder.mkdir()
    clips = sorted((data_dir / "en_librispeech").glob("*.flac"))
    for turn, name in enumerate("abc"):  # about 45 s of real speech each, so the signal lands mid-file
        concatenate(clips[turn:] + clips[:turn], folder / f"{name}.wav")  # each its own recording
    summary = tmp_path / "first.json"
    command = [sys.executable, "-m", "stt_cli", "transcribe", str(folder), *FAST, "--summary-json", str(summary)]
    # A shell starting a job in the background sets SIGINT to "ignore", and a child inherits that; the user
    # at a terminal does not, so the child gets the default disposition whatever launched the tests.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 300
    while not (folder / ".a.stt.json").exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1.0)  # well into b.wav
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted" in stderr

    report = json.loads(summary.read_text())
    assert report["interrupted"] is True
    assert statuses(report) == {"a.wav": "done", "b.wav": "failed", "c.wav": "pending"}
    assert [f["code"] for f in report["files"]] == [None, "interrupted", None]
    names = sorted(p.name for p in folder.iterdir())
    assert names == [".a.stt.json", ".a.stt.transcript.json", "a.json", "a.srt", "a.wav", "b.wav", "c.wav"], (
        "no partial or temporary file"
    )
    finished = (folder / "a.json").stat().st_mtime_ns

    report = run(folder, summary=tmp_path / "second.json")
    assert statuses(report) == {"a.wav": "skipped", "b.wav": "done", "c.wav": "done"}
    assert report["exit_code"] == 0
    assert (folder / "a.json").stat().st_mtime_ns == finished, "a finished file was not redone"
    for name in ("a", "b", "c"):
        assert json.loads((folder / f"{name}.json").read_text())["segments"]
