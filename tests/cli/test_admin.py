"""`stt models …`, `stt doctor`, `--offline` and the provenance block, on the real models."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from media import flip_byte
from typer.testing import CliRunner

from stt_cli import models
from stt_cli.cli import app

pytestmark = pytest.mark.integration


def stt(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_list_path_and_verify_on_a_good_install(private_store):
    listing = stt("models", "list")
    assert listing.exit_code == 0
    rows = [line.split("\t") for line in listing.stdout.splitlines()]
    assert rows[0][:3] == ["name", "kind", "origin"]
    names = {(r[0], r[1]) for r in rows[1:]}
    assert {("base", "speech"), ("tiny.en", "speech"), ("bundled", "diarization")} <= names
    base = next(r for r in rows if r[0] == "base")
    assert base[4] == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    assert stt("models", "path", "base").stdout.strip() == str(private_store / "base")
    verified = stt("models", "verify")
    assert verified.exit_code == 0 and "all 13 model files verified" in verified.stdout


def test_a_flipped_byte_fails_verify_and_the_next_run(private_store, jfk, tmp_path):
    flip_byte(Path(stt("models", "path", "base").stdout.strip()) / "model.bin")
    verified = stt("models", "verify")
    assert verified.exit_code == 1
    assert any(
        line.startswith("FAILED") and "base" in line and "model.bin" in line
        for line in verified.stdout.splitlines()
    )
    run = stt("transcribe", jfk, "-o", tmp_path / "out")
    assert run.exit_code == 3
    assert "fails its sha256 check" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out" / "jfk.srt").exists()


def test_import_a_model_folder_then_use_it_and_catch_damage(private_store, jfk, tmp_path):
    copied = tmp_path / "from-another-machine"
    shutil.copytree(models.resolve("tiny.en").path, copied)
    imported = stt("models", "import", copied, "--name", "court-tiny")
    assert imported.exit_code == 0, imported.stderr
    assert (private_store / "court-tiny" / "model.bin").is_file()
    assert "court-tiny\tspeech\timported" in stt("models", "list").stdout
    run = stt("transcribe", jfk, "--model", "court-tiny", "-f", "json", "-o", tmp_path / "out")
    assert run.exit_code == 0, run.stderr
    assert json.loads((tmp_path / "out" / "jfk.json").read_text())["model"]["name"] == "court-tiny"
    again = stt("models", "import", copied, "--name", "court-tiny")
    assert again.exit_code == 2 and "already has a model called 'court-tiny'" in again.stderr
    flip_byte(private_store / "court-tiny" / "model.bin")
    assert stt("models", "verify").exit_code == 1
    run = stt("transcribe", jfk, "--model", "court-tiny", "-o", tmp_path / "out2")
    assert run.exit_code == 3 and "import it again" in run.stderr


def test_import_refuses_a_folder_that_is_not_a_model(private_store, tmp_path):
    (tmp_path / "notes").mkdir()
    result = stt("models", "import", tmp_path / "notes")
    assert result.exit_code == 2 and "not a CTranslate2 Whisper model folder" in result.stderr


def test_offline_flag_makes_a_hub_model_a_quick_clear_error(private_store, jfk, monkeypatch):
    monkeypatch.delenv("STT_OFFLINE", raising=False)
    result = stt("transcribe", jfk, "--offline", "--model", "large-v3")
    assert result.exit_code == 3
    assert "offline mode is on" in result.stderr and "stt transcribe --model large-v3" in result.stderr


def test_provenance_ties_the_transcript_to_its_recording(tmp_path, jfk):
    source = tmp_path / "hearing.flac"
    shutil.copy(jfk, source)
    result = stt("transcribe", source, "-m", "tiny.en", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads((tmp_path / "hearing.json").read_text())
    assert data["input"]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert data["input"]["size_bytes"] == source.stat().st_size
    provenance = data["provenance"]
    assert provenance["tool"].startswith("stt ")
    started = datetime.fromisoformat(provenance["started_at"])
    assert started <= datetime.fromisoformat(provenance["finished_at"])
    assert set(provenance["stage_seconds"]) == {"decode", "transcribe"}
    assert provenance["total_seconds"] >= sum(provenance["stage_seconds"].values()) - 1e-3
    assert data["model"]["sha256"] == models.resolve("tiny.en").sha256
    assert {"device", "compute_type", "beam_size", "vad"} <= set(data["settings"])


def test_doctor_says_ok_line_by_line():
    result = stt("doctor")
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert all(line.startswith(("ok ", "FIX ")) for line in lines)
    assert any("telemetry off" in line for line in lines)
    assert any("model bundled (diarization, bundled): present, verified" in line for line in lines)


def test_download_offline_is_a_clear_error_not_a_hang(private_store, monkeypatch):
    monkeypatch.setenv("STT_OFFLINE", "1")
    result = stt("models", "download", "Systran/faster-whisper-small")
    assert result.exit_code == 3
    assert "offline mode is on" in result.stderr
