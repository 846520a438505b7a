"""`stt models …`, `stt doctor`, `--offline` and the provenance block, on the real models."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from stt_cli import models
from tests.support.cli import stt
from tests.support.media import flip_byte

pytestmark = pytest.mark.integration


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
    assert "offline mode is on" in result.stderr and "run `stt models download large-v3`" in result.stderr


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


# --- issue 10: the store under stress (bugs 9, 10 and low) ----------------------------------------------------


def test_looking_at_the_install_changes_nothing(private_store):
    # `stt models list` and `stt doctor` joined the 142 MB `base` into the store as a side effect.
    assert stt("models", "list").exit_code == 0
    assert stt("doctor").exit_code == 0
    assert not (private_store / "base").exists()
    verified = stt("models", "verify")
    assert verified.exit_code == 0 and "joined into the store on first use" in verified.stdout


def test_a_stale_or_truncated_manifest_in_the_store_hides_nothing(private_store):
    (private_store / "manifest.json").write_text('{"manifest_version": 1, "models": {"ti')
    listing = stt("models", "list")
    assert listing.exit_code == 0
    assert {"base", "tiny.en"} <= {line.split("\t")[0] for line in listing.stdout.splitlines()}


def test_a_damaged_bundled_manifest_is_one_line_everywhere(private_store, monkeypatch, jfk, tmp_path):
    damaged = private_store / "damaged.json"
    from stt_cli.models import bundled

    damaged.write_text(bundled.MANIFEST_PATH.read_text()[:2000])
    monkeypatch.setattr(bundled, "MANIFEST_PATH", damaged)
    for args in (["models", "list"], ["models", "verify"], ["doctor"], ["transcribe", jfk, "-o", tmp_path]):
        result = stt(*args)
        assert result.exit_code == 3, (args, result.output)
        assert "manifest" in result.output and "damaged" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_imported_model_without_its_checksum_record_is_refused(private_store, jfk, tmp_path):
    copied = tmp_path / "copy"
    shutil.copytree(models.resolve("tiny.en").path, copied)
    assert stt("models", "import", copied, "--name", "court-tiny").exit_code == 0
    record = private_store / "court-tiny" / ".stt-files.json"
    record.write_text('{"files": ')
    damaged = stt("transcribe", jfk, "--model", "court-tiny", "-o", tmp_path / "a")
    assert damaged.exit_code == 3 and "checksum record" in damaged.stderr and "is damaged" in damaged.stderr
    record.unlink()  # deleting it must not turn the check off
    missing = stt("transcribe", jfk, "--model", "court-tiny", "-o", tmp_path / "b")
    assert missing.exit_code == 3 and "is missing" in missing.stderr
    assert stt("models", "verify").exit_code == 1


def test_a_folder_where_the_model_file_should_be_is_one_clear_line(private_store, jfk, tmp_path):
    (private_store / "base" / "model.bin").mkdir(parents=True)
    result = stt("transcribe", jfk, "-o", tmp_path)
    assert (
        result.exit_code == 3 and "[model_unavailable]" in result.stderr and "not a regular file" in result.stderr
    )


def test_doctor_does_not_call_a_file_a_writable_store(tmp_path, monkeypatch):
    store = tmp_path / "store"
    store.write_text("not a folder")
    monkeypatch.setenv("STT_MODELS_DIR", str(store))
    result = stt("doctor")
    assert result.exit_code == 3
    assert any(line.startswith("FIX") and "not a folder" in line for line in result.stdout.splitlines())


@pytest.mark.system
def test_a_closed_or_full_stdout_is_handled(private_store):
    import subprocess
    import sys

    listing = subprocess.Popen([sys.executable, "-m", "stt_cli", "models", "list"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)  # fmt: skip
    assert listing.stdout is not None
    listing.stdout.readline()  # `| head -1`
    listing.stdout.close()
    assert listing.wait(timeout=120) == 0
    assert b"Traceback" not in listing.stderr.read()
    with open("/dev/full", "w") as full:
        verify = subprocess.run([sys.executable, "-m", "stt_cli", "models", "verify"], stdout=full,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert verify.returncode == 3
    assert verify.stderr.strip().splitlines() == [
        "stt: error [output_unwritable]: cannot write to standard output (No space left on device)"
    ]


@pytest.mark.system
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as a second account")
def test_a_store_assembled_by_one_account_is_usable_by_another(private_store, jfk, tmp_path):
    # Bug 9: the assembled `base` was mode 0600, so a second account of a shared store could not load it and
    # `stt doctor` crashed. The store is handed to another owner, and root gives up its right to read past
    # file permissions (capsh, from libcap2-bin: .ci/run installs it), as a second account would be.
    import subprocess
    import sys

    assert shutil.which("capsh"), "capsh is missing: .ci/run installs libcap2-bin"
    assert stt("models", "path", "base").exit_code == 0  # joined by this account
    assert (private_store / "base" / "model.bin").stat().st_mode & 0o044 == 0o044, "readable by the team"
    for path in [private_store, *private_store.rglob("*")]:
        os.chown(path, 1234, 1234)
    shutil.copy(jfk, tmp_path / "a.flac")
    stt_command = f"{sys.executable} -m stt_cli"
    command = f"{stt_command} transcribe {tmp_path / 'a.flac'} -f json && {stt_command} doctor"
    other = subprocess.run(["capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", command],
                           capture_output=True, text=True)  # fmt: skip
    assert "Traceback" not in other.stderr
    assert (tmp_path / "a.json").is_file(), other.stderr
    assert "model base (speech, bundled): present, verified" in other.stdout, other.stdout + other.stderr


# --- issue 23: an install that works on any day ----------------------------------------------------------------


def _torchaudio_built_for_another_torch(folder: Path, version: str) -> Path:
    """This torchaudio's package with its compiled library replaced by one that cannot load (what a torchaudio
    built for another torch is to this one), under another version, ahead of the real one on the path."""
    import torchaudio

    source = Path(torchaudio.__file__).parent
    shutil.copytree(source, folder / "torchaudio", ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "torchaudio" / "lib" / "libtorchaudio.abi3.so").write_bytes(b"\x7fELF not for this torch")
    info = folder / f"torchaudio-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: torchaudio\nVersion: {version}\n")
    return folder


def test_doctor_finds_a_torchaudio_that_does_not_fit_torch_and_says_what_to_run(tmp_path):
    # torch 2.11.0 beside torchaudio 2.11.1 (a later release, built for another torch): doctor said "ok" for
    # both imports it made (torch only) or "run pip install -e .", which changes nothing.
    import subprocess
    import sys

    shadow = _torchaudio_built_for_another_torch(tmp_path / "site", "2.11.1")
    env = {**os.environ, "PYTHONPATH": str(shadow)}
    result = subprocess.run(
        [sys.executable, "-m", "stt_cli", "doctor"], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 3, result.stdout
    line = next(line for line in result.stdout.splitlines() if "torchaudio" in line)
    assert line.startswith("FIX ")
    assert "torchaudio 2.11.1 does not load beside torch 2.11.0" in line
    assert "pip install --require-hashes -r " in line and "requirements.lock" in line
    assert "torch==2.11.0 torchaudio==2.11.0" in line
    assert "torchaudio 2.11.1 (lock: 2.11.0)" in result.stdout  # the environment line names the difference


def test_the_lock_pins_the_pair_pyproject_pins_and_an_install_from_it_matches(tmp_path):
    import re
    import tomllib

    root = Path(__file__).resolve().parents[2]
    lock = (root / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([a-z0-9._-]+)==([^\s;\\]+)", lock, re.MULTILINE))
    wanted = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    for name in ("torch", "torchaudio"):
        assert f"{name}=={pins[name]}" in wanted  # exact pins, the same pair in both
    assert all(" --hash=sha256:" in block or "--hash" in block for block in lock.split("\n\n") if "==" in block)
    # The wheel carries the lock (package data): the same bytes the repository's install uses.
    assert (root / "stt_cli" / "assets" / "requirements.lock").read_bytes() == lock.encode()
    result = stt("doctor")
    assert "environment: exactly the tested requirements.lock" in result.stdout  # this venv is the lock
