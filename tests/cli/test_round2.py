"""The second hostile-world round (issue 23, ../shared/reliability/round-2.md): each test is one bug as it was
reproduced, on real files and the real commands, and failed before its fix. Transcripts come from the real
``tiny.en`` model on the JFK clip; the JSON variants a clerk or a script would hand-edit are made from them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import error_lines, stt, visible

FAST = ["--model", "tiny.en", "--threads", "1"]
DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def jfk_json(tmp_path_factory, jfk) -> Path:
    """``jfk.json`` as ``stt transcribe -f json`` writes it, beside its recording."""
    folder = tmp_path_factory.mktemp("jfk")
    shutil.copy(jfk, folder / "jfk.flac")
    result = stt("transcribe", folder / "jfk.flac", *FAST, "-f", "json", "-q")
    assert result.exit_code == 0, result.output
    return folder / "jfk.json"


def _copy(jfk_json: Path, folder: Path, name: str = "jfk.json", edit=None) -> Path:
    data = json.loads(jfk_json.read_text(encoding="utf-8"))
    if edit is not None:
        edit(data)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder / name


# --- bug 1: --overwrite twice in one second kept the clerk's file under a name the second replacement reused ----


def test_two_replacements_in_one_second_each_keep_their_own_copy(jfk_json, tmp_path):
    x = _copy(jfk_json, tmp_path / "x")
    y = _copy(jfk_json, tmp_path / "y", edit=lambda d: d["segments"][0].update(text="And so, my fellow citizens"))
    assert stt("render", x, "-o", tmp_path, "-f", "txt", "-q").exit_code == 0
    (tmp_path / "jfk.txt").write_text("CLERK'S CORRECTED TEXT\n", encoding="utf-8")
    result = stt("render", x, y, "-o", tmp_path, "-f", "txt", "--overwrite")
    # x replaced the clerk's file (kept aside); y would replace what x has just written: a clash, not a loss.
    assert result.exit_code == 1, result.output
    assert "output_clash" in error_lines(result)[0] and "just rendered from" in error_lines(result)[0]
    kept = sorted(tmp_path.glob("jfk.edited-*.txt"))
    assert [p.read_text() for p in kept] == ["CLERK'S CORRECTED TEXT\n"]


def test_the_backup_name_is_never_one_that_exists(tmp_path):
    from stt_cli.records.sidecars import backup_path, move_aside

    target = tmp_path / "hearing.srt"
    contents = []
    for n in range(3):  # well within one second
        target.write_text(f"version {n}\n")
        contents.append(move_aside(target).read_text())
    copies = sorted(tmp_path.glob("hearing.edited-*.srt"))
    assert len(copies) == 3 and sorted(p.read_text() for p in copies) == sorted(contents)
    assert backup_path(target, 2).name.endswith("-2.srt")


# --- render: its own earlier outputs are its own, and one refused format does not block the others ------------


def test_render_replaces_its_own_earlier_output_and_writes_the_other_formats(jfk_json, tmp_path):
    source = _copy(jfk_json, tmp_path)
    assert stt("render", source, "-f", "txt", "--timecodes", "-q").exit_code == 0
    again = stt("render", source, "-f", "txt,vtt")  # the README's next step
    assert again.exit_code == 0, again.output
    assert not (tmp_path / "jfk.txt").read_text().startswith("[")  # the timecodes went: it was stt's own file
    assert (tmp_path / "jfk.vtt").is_file() and not list(tmp_path.glob("*.edited-*"))
    (tmp_path / "jfk.txt").write_text("A clerk's version\n", encoding="utf-8")
    refused = stt("render", source, "-f", "txt,srt")
    assert refused.exit_code == 1 and "output_edited" in error_lines(refused)[0]
    assert (tmp_path / "jfk.srt").is_file(), "the refused TXT kept no other format from being written"
    assert (tmp_path / "jfk.txt").read_text() == "A clerk's version\n"


# --- bug 4: stt live wrote its transcript over its own input, a recording named like a transcript ------------


def test_live_never_writes_over_its_input_or_over_an_earlier_transcript(tmp_path, jfk):
    hearing = tmp_path / "hearing.txt"  # really audio
    shutil.copy(jfk, hearing)
    before = hearing.read_bytes()
    result = stt("live", hearing, "--pace", "0", "-f", "txt", *FAST)
    assert result.exit_code == 3 and "output_clash" in error_lines(result)[0], result.output
    assert hearing.read_bytes() == before and visible(tmp_path) == ["hearing.txt"]
    # A transcript of the same stem that exists (stt transcribe's) is refused before anything is heard ...
    recording = tmp_path / "room.flac"
    shutil.copy(jfk, recording)
    (tmp_path / "room.json").write_text('{"made by": "stt transcribe"}', encoding="utf-8")
    refused = stt("live", recording, "--pace", "0", "-f", "json", *FAST)
    assert refused.exit_code == 3 and "output_edited" in error_lines(refused)[0]
    assert "--overwrite" in error_lines(refused)[0]
    # ... and kept aside with --overwrite.
    forced = stt("live", recording, "--pace", "0", "-f", "json", "--overwrite", *FAST)
    assert forced.exit_code == 0, forced.output
    [kept] = tmp_path.glob("room.edited-*.json")
    assert "stt transcribe" in kept.read_text() and json.loads((tmp_path / "room.json").read_text())["segments"]


# --- bug 5: a recording disk that fills lost the whole session -------------------------------------------------


@pytest.mark.system
@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs (root)")
def test_a_full_recording_disk_stops_the_recording_not_the_session(tmp_path, jfk):
    small = tmp_path / "small"
    small.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=150k", "tmpfs", str(small)], check=True)
    try:
        source = tmp_path / "rec.flac"
        shutil.copy(jfk, source)
        result = subprocess.run(
            [sys.executable, "-m", "stt_cli", "live", str(source), "--pace", "0",
             "--record", str(small / "heard.wav"), "-f", "json,txt", *FAST],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        # The transcript of the whole session is written; the error names the recording and when it stopped.
        assert result.returncode == 1, result.stderr
        assert "cannot write the recording" in result.stderr and "Traceback" not in result.stderr
        data = json.loads((tmp_path / "rec.json").read_text())
        assert "fellow Americans" in data["text"] and data["duration"] > 10
        assert any("recording stopped early" in w for w in data["warnings"])
        # What fitted on the disk is kept as a valid, shorter WAV.
        import wave

        with wave.open(str(small / "heard.wav")) as kept:
            seconds = kept.getnframes() / kept.getframerate()
        assert 1.0 < seconds < 5.0 and kept.getframerate() == 16000
    finally:
        subprocess.run(["umount", str(small)], check=False)


# --- bug 22: an RTTM of a transcript without speakers was an empty file ----------------------------------------


def test_render_refuses_rttm_without_speakers(jfk_json, tmp_path):
    source = _copy(jfk_json, tmp_path)
    result = stt("render", source, "-f", "rttm,txt")
    assert result.exit_code == 3 and "needs speakers" in error_lines(result)[0]
    assert visible(tmp_path) == ["jfk.json"], "nothing of a transcript that cannot be rendered whole"


# --- bug 23: rendering from the kept transcript wrote hidden files named after it -----------------------------


def test_rendering_the_kept_transcript_writes_the_recordings_names(jfk_json, tmp_path):
    folder = tmp_path / "hearing"
    shutil.copytree(jfk_json.parent, folder)
    result = stt("render", folder / ".jfk.stt.transcript.json", "-f", "srt,docx")
    assert result.exit_code == 0, result.output
    assert {"jfk.srt", "jfk.docx"} <= set(visible(folder))
    assert not list(folder.glob(".jfk.stt.transcript.srt"))


# --- bug 28: messages that said the wrong thing ----------------------------------------------------------------


def test_rendering_json_onto_itself_and_two_transcripts_of_one_name_say_what_happened(jfk_json, tmp_path):
    source = _copy(jfk_json, tmp_path)
    onto = stt("render", source, "-f", "json", "--meta", "court=PN Jakarta Pusat")
    assert onto.exit_code == 3 and "would replace" in error_lines(onto)[0]
    assert "the transcript itself" in onto.output
    a = _copy(jfk_json, tmp_path / "a", "hearing.json")
    b = _copy(jfk_json, tmp_path / "b", "hearing.json", edit=lambda d: d["segments"][0].update(text="FELLOW"))
    result = stt("render", a, b, "-f", "srt", "-o", tmp_path / "out")
    [line] = error_lines(result)
    assert "output_clash" in line and "edited by hand" not in line
